"""Export the published KG in other RDF formats, deterministically."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from dipkg.dataset import read_dataset
from dipkg.progress import Progress
from dipkg.query.store import union_ntriples
from dipkg.rdfio import graph_of

HEADER = "# Exported by `dipkg export` from kg/.\n"


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted(set(data.decode("utf-8").splitlines()))
    return ("\n".join(line for line in lines if line) + "\n").encode("utf-8")


def _sorted_quads(kg_dir: Path, progress: Progress | None) -> list[ox.Quad]:
    return sorted(
        read_dataset(kg_dir, progress),
        key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)),
    )


def export_bytes(
    kg_dir: Path,
    store_dir: Path,
    export_format: str,
    prefixes: dict[str, str],
    progress: Progress | None = None,
) -> bytes:
    """The KG in `export_format` (ttl, nt, nq, trig or jsonld), with `prefixes` where the format has them."""
    if export_format == "nt":
        return _sorted_lines(union_ntriples(kg_dir, store_dir, progress)[0])
    if export_format == "nq":
        return _sorted_lines(ox.serialize(read_dataset(kg_dir, progress), format=ox.RdfFormat.N_QUADS) or b"")
    if export_format == "trig":
        text = ox.serialize(_sorted_quads(kg_dir, progress), format=ox.RdfFormat.TRIG, prefixes=prefixes)
        return HEADER.encode("utf-8") + (text or b"")
    if export_format == "jsonld":
        from dipkg.web.documents import JsonLdWriter, json_bytes

        graphs: dict[str, list[ox.Triple]] = {}
        for quad in read_dataset(kg_dir, progress):
            graphs.setdefault(str(quad.graph_name.value), []).append(quad.triple)  # type: ignore[union-attr]
        return json_bytes(JsonLdWriter(prefixes).dataset(graphs))
    from dipkg.build.turtle import to_turtle

    return to_turtle(graph_of(read_dataset(kg_dir, progress)), prefixes, HEADER).encode("utf-8")
