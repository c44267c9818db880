"""The published dataset as a reader sees it: which Turtle file holds which named graph.

A kg folder is self-describing: kg/void.ttl lists every named graph of the dataset
(`void:subset`), its triple count and the Turtle file it is published in (`void:dataDump`, an IRI
under the dataset's `void:uriSpace` + `kg/`). Everything that reads the published graph starts here.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from dipkg.errors import InputError
from dipkg.layout import KG_COMMIT_FILE, KG_DESCRIPTION_FILE, KG_STAGING_DIR
from dipkg.progress import Progress, tracked
from dipkg.rdfio import parse_quads

VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
GENERATION = re.compile(r"[0-9a-f]{16,64}")
ATTEMPTS = 5
T = TypeVar("T")


@dataclass(frozen=True)
class PublishedGraph:
    """One named graph of the dataset, the file it is published in (`relative` to kg/) and its SHA-256."""

    name: str
    path: Path
    triples: int
    relative: str = ""
    sha256: str | None = None


class Republished(Exception):
    """A file of kg/ does not match the description read with it: a build was publishing meanwhile."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.error = InputError(message, path)


@dataclass(frozen=True)
class Snapshot:
    """The dataset as one build published it: its description, graphs, and the files to read them from.

    While a build commits (or after one was killed while committing), its new files are read
    from the staging folder it names in its commit file, the others from kg/ itself.
    """

    kg_dir: Path
    description: bytes
    base_iri: str
    graphs: list[PublishedGraph]
    staged: Path | None

    def read(self, graph: PublishedGraph) -> bytes:
        """The bytes of a graph's file, checked against the SHA-256 the description gives."""
        try:
            data = _read_current(self.kg_dir, self.staged, graph.relative)
        except FileNotFoundError as exc:
            raise Republished(f"file of graph <{graph.name}> is missing", graph.path) from exc
        if graph.sha256 is not None and hashlib.sha256(data).hexdigest() != graph.sha256:
            raise Republished(
                f"does not match the SHA-256 that {KG_DESCRIPTION_FILE} gives it: changed since "
                "`dipkg build` published it (run `dipkg build` again)",
                graph.path,
            )
        return data


def consistent(kg_dir: Path, work: Callable[[Snapshot], T]) -> T:
    """`work` done on a snapshot of the dataset, done again if a build published meanwhile."""
    for attempt in range(ATTEMPTS):
        try:
            return work(snapshot(kg_dir))
        except Republished as changed:
            if attempt == ATTEMPTS - 1:
                raise changed.error from None
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def snapshot(kg_dir: Path) -> Snapshot:
    """The dataset's description and graphs as they are now (see `Snapshot`)."""
    staged = committed_generation(kg_dir)
    description = kg_dir / KG_DESCRIPTION_FILE
    try:
        data = _read_current(kg_dir, staged, KG_DESCRIPTION_FILE)
    except FileNotFoundError as exc:
        raise InputError("no dataset description here; run `dipkg build` first", description) from exc
    base_iri, listed = _parsed_description(data, description)
    graphs: list[PublishedGraph] = []
    for name, relative, triples, sha in listed:
        path = kg_dir / relative
        if staged is not None and (staged / relative).is_file():
            path = staged / relative
        elif not path.is_file():
            raise Republished(f"file of graph <{name}> is missing", path)
        graphs.append(PublishedGraph(name, path, triples, relative, sha))
    return Snapshot(kg_dir, data, base_iri, graphs, staged)


@lru_cache(maxsize=4)
def _parsed_description(data: bytes, description: Path) -> tuple[str, list[tuple[str, str, int, str | None]]]:
    """The base IRI and (graph, file relative to kg/, triples, SHA-256) of a description's bytes.

    Kept for the few descriptions a process reads, since a large one takes a while to parse.
    """
    store = ox.Store()
    store.extend(parse_quads(data, "turtle", str(description)))
    query = f"""
        SELECT ?graph ?dump ?triples ?space ?sha WHERE {{
          ?dataset <{VOID}subset> ?graph ; <{VOID}uriSpace> ?space .
          ?graph <{VOID}dataDump> ?dump ; <{VOID}triples> ?triples .
          OPTIONAL {{ ?dump <{SPDX}checksum> ?sum . ?sum <{SPDX}checksumValue> ?sha ;
                      <{SPDX}algorithm> <{SPDX}checksumAlgorithm_sha256> }}
        }} ORDER BY ?graph"""
    listed: list[tuple[str, str, int, str | None]] = []
    spaces: set[str] = set()
    for row in store.query(query):  # type: ignore[union-attr]
        spaces.add(row["space"].value)
        prefix = row["space"].value + "kg/"
        dump = row["dump"].value
        relative = dump[len(prefix) :]
        if not dump.startswith(prefix) or relative.startswith("/") or ".." in relative.split("/"):
            raise InputError(f"graph <{row['graph'].value}> is published outside {prefix}", description)
        sha = row["sha"].value if row["sha"] is not None else None
        count = row["triples"].value
        if not (count.isascii() and count.isdigit()) or len(count) > 18:
            problem = f"graph <{row['graph'].value}> has a triple count that is not a number"
            raise InputError(problem, description)
        listed.append((row["graph"].value, relative, int(count), sha))
    if not listed:
        raise InputError("the dataset description lists no graphs", description)
    if len(spaces) != 1:
        raise InputError("the dataset description gives more than one base IRI (void:uriSpace)", description)
    return spaces.pop(), listed


def committed_generation(kg_dir: Path) -> Path | None:
    """The staging folder of a generation a build committed but has not finished moving into kg/."""
    staging = kg_dir / KG_STAGING_DIR
    try:
        commit = json.loads((staging / KG_COMMIT_FILE).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable commit of an interrupted build ({exc})", staging) from exc
    generation = commit.get("generation") if isinstance(commit, dict) else None
    if not isinstance(generation, str) or not GENERATION.fullmatch(generation):
        raise InputError("unreadable commit of an interrupted build", staging)
    return staging / generation


def _read_current(kg_dir: Path, staged: Path | None, relative: str) -> bytes:
    """A file of the snapshot: its staged copy while there is one, else the published file."""
    if staged is not None:
        try:
            return (staged / relative).read_bytes()
        except FileNotFoundError:
            pass
    return (kg_dir / relative).read_bytes()


def published_graphs(kg_dir: Path) -> list[PublishedGraph]:
    """Every named graph kg/void.ttl lists, sorted by graph name."""
    return consistent(kg_dir, lambda current: current.graphs)


def described_base_iri(kg_dir: Path) -> str:
    """The base IRI the published data is under (`void:uriSpace` of kg/void.ttl); the graphs'
    files are not read."""
    description = kg_dir / KG_DESCRIPTION_FILE
    try:
        data = _read_current(kg_dir, committed_generation(kg_dir), KG_DESCRIPTION_FILE)
    except FileNotFoundError as exc:
        raise InputError("no dataset description here; run `dipkg build` first", description) from exc
    return _parsed_description(data, description)[0]


def read_dataset(kg_dir: Path, progress: Progress | None = None) -> list[ox.Quad]:
    """Every triple of the dataset, in its named graph, all from one build's publication."""
    return consistent(kg_dir, lambda current: _quads(current, progress))


def _quads(current: Snapshot, progress: Progress | None) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for graph in tracked(current.graphs, len(current.graphs), "reading", progress):
        name = ox.NamedNode(graph.name)
        data = current.read(graph)
        quads.extend(
            ox.Quad(q.subject, q.predicate, q.object, name)
            for q in parse_quads(data, "turtle", str(graph.path))
        )
    return quads


def dataset_files(kg_dir: Path) -> list[Path]:
    """The Turtle files of the dataset, one per named graph."""
    return [graph.path for graph in published_graphs(kg_dir)]
