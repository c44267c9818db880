"""The VoID and DCAT description of the published dataset (kg/void.ttl)."""

from __future__ import annotations

from collections import Counter

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF, VOID, XSD

from dipkg.namespaces import DCTERMS, DIP, DataNamespaces, content_key, new_graph


def describe_dataset(
    graphs: list[tuple[str, int, Counter[str]]], dumps: list[str], base_iri: str, query_names: list[str]
) -> Graph:
    """Triple counts, classes, graphs, dumps and example queries of the dataset, as VoID and DCAT.

    `graphs` gives, for each named graph, its IRI, its triple count and its instances per class;
    `dumps` the Turtle file (relative to kg/) each graph is published in, in the same order.
    Counts for the dataset are sums over its graphs.
    """
    ns = DataNamespaces(base_iri)
    graph = new_graph(ns.prefixes())
    dataset = URIRef(base_iri + "dataset")
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("dipkg diplomacy knowledge graph", lang="en")))
    graph.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "Diplomacy news articles mapped into RDF under the dipkg ontology, every event, quotation, "
                "claim and post holding with evidence spans in the article text.",
                lang="en",
            ),
        )
    )
    graph.add((dataset, VOID.triples, Literal(sum(t for _, t, _ in graphs), datatype=XSD.integer)))
    graph.add((dataset, VOID.uriSpace, Literal(base_iri)))
    graph.add((dataset, VOID.vocabulary, URIRef(str(DIP))))
    classes: Counter[str] = Counter()
    for _, _, per_class in graphs:
        classes.update(per_class)
    graph.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for cls in sorted(classes):
        partition = URIRef(f"{base_iri}dataset/class/{_local(URIRef(cls))}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(cls)))
        graph.add((partition, VOID.entities, Literal(classes[cls], datatype=XSD.integer)))
    for (name, triples, _), file_name in zip(graphs, dumps, strict=True):
        dump = URIRef(f"{base_iri}kg/{file_name}")
        graph.add((dataset, VOID.subset, URIRef(name)))
        graph.add((URIRef(name), RDF.type, VOID.Dataset))
        graph.add((URIRef(name), VOID.triples, Literal(triples, datatype=XSD.integer)))
        graph.add((URIRef(name), VOID.dataDump, dump))
        graph.add((dataset, VOID.dataDump, dump))
    distribution = URIRef(f"{base_iri}dataset/distribution/turtle")
    graph.add((dataset, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCAT.accessURL, URIRef(f"{base_iri}kg/")))
    graph.add((distribution, DCAT.mediaType, Literal("text/turtle")))
    for query_name in query_names:
        graph.add((dataset, DCTERMS.hasPart, URIRef(f"{base_iri}queries/{query_name}.rq")))
    return graph


def _local(iri: URIRef) -> str:
    """A readable, collision-free name for a class: its local name and a hash of its IRI."""
    text = str(iri)
    local = text[max(text.rfind("#"), text.rfind("/")) + 1 :]
    return f"{local}-{content_key(text)[:8]}"
