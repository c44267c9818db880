"""The VoID and DCAT description of the published dataset (kg/void.ttl)."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF, VOID, XSD

from dipkg.namespaces import DCTERMS, DIP, DataNamespaces, content_key, new_graph

DUMPS = (("dipkg.trig", "application/trig"), ("entities.ttl", "text/turtle"))


def describe_dataset(
    named_graphs: list[tuple[URIRef, Graph]], base_iri: str, query_names: list[str]
) -> Graph:
    """Triple counts, classes, graphs, dumps and example queries of the dataset, as VoID and DCAT."""
    ns = DataNamespaces(base_iri)
    graph = new_graph(ns.prefixes())
    dataset = URIRef(base_iri + "dataset")
    union = Graph()
    for _, named in named_graphs:
        union += named
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
    graph.add((dataset, VOID.triples, Literal(len(union), datatype=XSD.integer)))
    graph.add((dataset, VOID.uriSpace, Literal(base_iri)))
    graph.add((dataset, VOID.vocabulary, URIRef(str(DIP))))
    classes = sorted({o for o in union.objects(None, RDF.type) if isinstance(o, URIRef)}, key=str)
    graph.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for cls in classes:
        partition = URIRef(f"{base_iri}dataset/class/{_local(cls)}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], cls))
        graph.add(
            (partition, VOID.entities, Literal(len(set(union.subjects(RDF.type, cls))), datatype=XSD.integer))
        )
    for name, named in named_graphs:
        graph.add((dataset, VOID.subset, name))
        graph.add((name, RDF.type, VOID.Dataset))
        graph.add((name, VOID.triples, Literal(len(named), datatype=XSD.integer)))
    for file_name, media_type in DUMPS:
        dump = URIRef(f"{base_iri}kg/{file_name}")
        graph.add((dataset, VOID.dataDump, dump))
        distribution = URIRef(f"{base_iri}dataset/distribution/{file_name.replace('.', '-')}")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCAT.downloadURL, dump))
        graph.add((distribution, DCAT.mediaType, Literal(media_type)))
    for query_name in query_names:
        graph.add((dataset, DCTERMS.hasPart, URIRef(f"{base_iri}queries/{query_name}.rq")))
    return graph


def _local(iri: URIRef) -> str:
    """A readable, collision-free name for a class: its local name and a hash of its IRI."""
    text = str(iri)
    local = text[max(text.rfind("#"), text.rfind("/")) + 1 :]
    return f"{local}-{content_key(text)[:8]}"
