"""The published dataset as a reader sees it: which Turtle file holds which named graph.

A kg folder is self-describing: kg/void.ttl lists every named graph of the dataset
(`void:subset`), its triple count and the Turtle file it is published in (`void:dataDump`, an IRI
under the dataset's `void:uriSpace` + `kg/`). Everything that reads the published graph starts here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from dipkg.errors import InputError
from dipkg.layout import KG_DESCRIPTION_FILE
from dipkg.rdfio import read_quads

VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass(frozen=True)
class PublishedGraph:
    """One named graph of the dataset and the file it is published in."""

    name: str
    path: Path
    triples: int


def published_graphs(kg_dir: Path) -> list[PublishedGraph]:
    """Every named graph kg/void.ttl lists, sorted by graph name."""
    description = kg_dir / KG_DESCRIPTION_FILE
    if not description.is_file():
        raise InputError("no dataset description here; run `dipkg build` first", description)
    store = ox.Store()
    store.extend(read_quads(str(description), "turtle"))
    query = f"""
        SELECT ?graph ?dump ?triples ?space WHERE {{
          ?dataset <{VOID}subset> ?graph ; <{VOID}uriSpace> ?space .
          ?graph <{VOID}dataDump> ?dump ; <{VOID}triples> ?triples .
        }} ORDER BY ?graph"""
    graphs: list[PublishedGraph] = []
    for row in store.query(query):  # type: ignore[union-attr]
        prefix = row["space"].value + "kg/"
        dump = row["dump"].value
        relative = dump[len(prefix) :]
        if not dump.startswith(prefix) or relative.startswith("/") or ".." in relative.split("/"):
            raise InputError(f"graph <{row['graph'].value}> is published outside {prefix}", description)
        path = kg_dir / relative
        if not path.is_file():
            raise InputError(f"file of graph <{row['graph'].value}> is missing", path)
        count = row["triples"].value
        if not (count.isascii() and count.isdigit()) or len(count) > 18:
            problem = f"graph <{row['graph'].value}> has a triple count that is not a number"
            raise InputError(problem, description)
        graphs.append(PublishedGraph(row["graph"].value, path, int(count)))
    if not graphs:
        raise InputError("the dataset description lists no graphs", description)
    return graphs


def described_base_iri(description: Path) -> str | None:
    """The base IRI a dataset description gives its data (`void:uriSpace`), if it gives one."""
    store = ox.Store()
    store.extend(read_quads(str(description), "turtle"))
    query = f"SELECT ?space WHERE {{ ?dataset <{VOID}uriSpace> ?space }} ORDER BY ?space LIMIT 1"
    for row in store.query(query):  # type: ignore[union-attr]
        return str(row["space"].value)
    return None


def read_dataset(kg_dir: Path) -> list[ox.Quad]:
    """Every triple of the dataset, in its named graph."""
    quads: list[ox.Quad] = []
    for graph in published_graphs(kg_dir):
        name = ox.NamedNode(graph.name)
        quads.extend(
            ox.Quad(q.subject, q.predicate, q.object, name) for q in read_quads(str(graph.path), "turtle")
        )
    return quads


def dataset_files(kg_dir: Path) -> list[Path]:
    """The Turtle files of the dataset, one per named graph."""
    return [graph.path for graph in published_graphs(kg_dir)]
