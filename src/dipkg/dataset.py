"""The published dataset as a reader sees it: which Turtle file holds which named graph.

A kg folder is self-describing: kg/void.ttl lists every named graph of the dataset
(`void:subset`), its triple count and the Turtle file it is published in (`void:dataDump`, an IRI
under the dataset's `void:uriSpace` + `kg/`). Everything that reads the published graph starts here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from dipkg.errors import InputError
from dipkg.fingerprint import Signature, signature
from dipkg.layout import KG_DESCRIPTION_FILE
from dipkg.progress import Progress, tracked
from dipkg.rdfio import read_quads

VOID = "http://rdfs.org/ns/void#"


@dataclass(frozen=True)
class PublishedGraph:
    """One named graph of the dataset and the file it is published in."""

    name: str
    path: Path
    triples: int


@dataclass(frozen=True)
class Description:
    """What kg/void.ttl says: the base IRI of the data and every named graph with its file."""

    base_iri: str
    graphs: list[PublishedGraph]


def read_description(kg_dir: Path) -> Description:
    """The dataset description of a kg folder (parsed once per version of the file in a process)."""
    description = kg_dir / KG_DESCRIPTION_FILE
    if not description.is_file():
        raise InputError("no dataset description here; run `dipkg build` first", description)
    found = _parsed_description(description, signature(description))
    for graph in found.graphs:
        if not graph.path.is_file():
            raise InputError(f"file of graph <{graph.name}> is missing", graph.path)
    return found


@lru_cache(maxsize=4)
def _parsed_description(description: Path, _signature: Signature) -> Description:
    store = ox.Store()
    store.extend(read_quads(str(description), "turtle"))
    query = f"""
        SELECT ?graph ?dump ?triples ?space WHERE {{
          ?dataset <{VOID}subset> ?graph ; <{VOID}uriSpace> ?space .
          ?graph <{VOID}dataDump> ?dump ; <{VOID}triples> ?triples .
        }} ORDER BY ?graph"""
    graphs: list[PublishedGraph] = []
    spaces: set[str] = set()
    for row in store.query(query):  # type: ignore[union-attr]
        spaces.add(row["space"].value)
        prefix = row["space"].value + "kg/"
        dump = row["dump"].value
        relative = dump[len(prefix) :]
        if not dump.startswith(prefix) or relative.startswith("/") or ".." in relative.split("/"):
            raise InputError(f"graph <{row['graph'].value}> is published outside {prefix}", description)
        graphs.append(
            PublishedGraph(row["graph"].value, description.parent / relative, int(row["triples"].value))
        )
    if not graphs:
        raise InputError("the dataset description lists no graphs", description)
    if len(spaces) != 1:
        raise InputError("the dataset description gives more than one base IRI (void:uriSpace)", description)
    return Description(spaces.pop(), graphs)


def published_graphs(kg_dir: Path) -> list[PublishedGraph]:
    """Every named graph kg/void.ttl lists, sorted by graph name."""
    return read_description(kg_dir).graphs


def read_dataset(kg_dir: Path, progress: Progress | None = None) -> list[ox.Quad]:
    """Every triple of the dataset, in its named graph."""
    quads: list[ox.Quad] = []
    graphs = published_graphs(kg_dir)
    for graph in tracked(graphs, len(graphs), "reading", progress):
        name = ox.NamedNode(graph.name)
        quads.extend(
            ox.Quad(q.subject, q.predicate, q.object, name) for q in read_quads(str(graph.path), "turtle")
        )
    return quads


def dataset_files(kg_dir: Path) -> list[Path]:
    """The Turtle files of the dataset, one per named graph."""
    return [graph.path for graph in published_graphs(kg_dir)]
