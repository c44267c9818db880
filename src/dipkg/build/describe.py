"""The VoID and DCAT description of the published dataset (kg/void.ttl)."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF, VOID, XSD

from dipkg.build.publish import GENERATED_HEADER
from dipkg.build.turtle import INDENT, turtle_parts
from dipkg.dataset import SPDX
from dipkg.iris import IRI_FORBIDDEN
from dipkg.namespaces import DCTERMS, DIP, DataNamespaces, content_key, new_graph


def description_file(
    graphs: list[tuple[str, int, dict[str, int]]],
    dumps: list[str],
    checksums: list[str],
    base_iri: str,
    query_names: list[str],
    prefixes: dict[str, str],
) -> tuple[bytes, int]:
    """kg/void.ttl and its triple count: the dataset's description, then one block per named graph.

    `graphs` gives, for each named graph, its IRI, its triple count and its instances per class;
    `dumps` the Turtle file (relative to kg/) each graph is published in and `checksums` its
    SHA-256, in the same order. The per-graph blocks are written as text, so that a corpus of
    many articles is described quickly.
    """
    summary = describe_dataset(graphs, base_iri, query_names)
    prefix_lines, body = turtle_parts(summary, prefixes)
    prefix_lines = sorted({*prefix_lines, f"@prefix spdx: <{SPDX}> ."})
    published = sorted(
        (_iri(name), f"{base_iri}kg/{dump}", triples, checksum)
        for (name, triples, _), dump, checksum in zip(graphs, dumps, checksums, strict=True)
    )
    separator = f",\n{INDENT}{INDENT}"
    dump_list = separator.join(_iri(d) for _, d, _, _ in published)
    blocks = [
        f"{_iri(base_iri + 'dataset')} void:dataDump {dump_list} ;\n"
        f"{INDENT}void:subset {separator.join(g for g, _, _, _ in published)} .",
        *(
            f"{graph} a void:Dataset ;\n{INDENT}void:dataDump {_iri(dump)} ;\n"
            f'{INDENT}void:triples "{triples}"^^xsd:integer .\n'
            f"{_iri(dump)} spdx:checksum {_iri(dump + '#sha256')} .\n"
            f"{_iri(dump + '#sha256')} spdx:algorithm spdx:checksumAlgorithm_sha256 ;\n"
            f'{INDENT}spdx:checksumValue "{checksum}" .'
            for graph, dump, triples, checksum in published
        ),
    ]
    text = GENERATED_HEADER + "\n".join(prefix_lines) + "\n\n" + body + "\n" + "\n\n".join(blocks) + "\n"
    return text.encode("utf-8"), len(summary) + 8 * len(published)


def describe_dataset(
    graphs: list[tuple[str, int, dict[str, int]]], base_iri: str, query_names: list[str]
) -> Graph:
    """Triple counts, classes, distribution and example queries of the dataset, as VoID and DCAT."""
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
    classes: dict[str, int] = {}
    for _, _, per_class in graphs:
        for cls, count in per_class.items():
            classes[cls] = classes.get(cls, 0) + count
    graph.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    for cls in sorted(classes):
        partition = URIRef(f"{base_iri}dataset/class/{_local(URIRef(cls))}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(cls)))
        graph.add((partition, VOID.entities, Literal(classes[cls], datatype=XSD.integer)))
    distribution = URIRef(f"{base_iri}dataset/distribution/turtle")
    graph.add((dataset, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCAT.accessURL, URIRef(f"{base_iri}kg/")))
    graph.add((distribution, DCAT.mediaType, Literal("text/turtle")))
    for query_name in query_names:
        graph.add((dataset, DCTERMS.hasPart, URIRef(f"{base_iri}queries/{query_name}.rq")))
    return graph


def _iri(value: str) -> str:
    if IRI_FORBIDDEN.search(value):
        raise ValueError(f"invalid IRI {value!r}")
    return f"<{value}>"


def _local(iri: URIRef) -> str:
    """A readable, collision-free name for a class: its local name and a hash of its IRI."""
    text = str(iri)
    local = text[max(text.rfind("#"), text.rfind("/")) + 1 :]
    return f"{local}-{content_key(text)[:8]}"
