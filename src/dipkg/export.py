"""Export the published KG in other RDF formats, deterministically."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from dipkg import paths
from dipkg.rdfio import graph_of, read_quads

HEADER = "# Exported by `dipkg export` from kg/dipkg.trig.\n"


def _quads(kg_dir: Path) -> list[ox.Quad]:
    return read_quads(str(kg_dir / paths.KG_DATASET_FILE), "trig")


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted(set(data.decode("utf-8").splitlines()))
    return ("\n".join(line for line in lines if line) + "\n").encode("utf-8")


def union_ntriples(kg_dir: Path) -> tuple[bytes, int]:
    """Every triple of every graph, once, as sorted N-Triples, and how many there are."""
    triples = {q.triple for q in _quads(kg_dir)}
    data = _sorted_lines(ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b"")
    return data, len(triples)


def export_bytes(kg_dir: Path, export_format: str) -> bytes:
    """The KG in `export_format` (ttl, nt, nq, trig or jsonld)."""
    if export_format == "trig":
        return (kg_dir / paths.KG_DATASET_FILE).read_bytes()
    if export_format == "nt":
        return union_ntriples(kg_dir)[0]
    quads = _quads(kg_dir)
    if export_format == "nq":
        return _sorted_lines(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    if export_format == "jsonld":
        ordered = sorted(
            quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))
        )
        return ox.serialize(ordered, format=ox.RdfFormat.JSON_LD) or b""
    from dipkg.namespaces import DataNamespaces
    from dipkg.turtle import to_turtle

    prefixes = {p: str(ns) for p, ns in DataNamespaces().prefixes().items()}
    return to_turtle(graph_of(quads), prefixes, HEADER).encode("utf-8")
