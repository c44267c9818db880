"""The embedded SPARQL store: the published graph in Oxigraph on disk, queried with no network.

The store lives under the cache folder and is rebuilt when a file of kg/ changes (size or
modification time); every later query opens it read-only instead of parsing kg/ again.
"""

from __future__ import annotations

import itertools
import os
import shutil
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from dipkg.dataset import PublishedGraph, Snapshot, consistent
from dipkg.errors import UsageError
from dipkg.fingerprint import digest, signature
from dipkg.progress import Progress, tracked
from dipkg.query.guard import SELECT_ONLY, refusal, syntax_refusal
from dipkg.query.results import ResultTable, Term, normalise_literal
from dipkg.rdfio import parse_quads

READY_MARKER = "complete"
COUNT_FILE = "triples"
# Turtle bulk-loaded per pass when the store is built: the loader holds about 15 times as much.
BULK_BATCH_BYTES = 32 << 20


def open_store(
    kg_dir: Path,
    store_dir: Path,
    graphs: list[PublishedGraph] | None = None,
    progress: Progress | None = None,
) -> ox.Store:
    """A store whose default graph is the merge of every graph of the published dataset.

    Merging (rather than querying the union of named graphs) counts a triple stated by several
    articles once, as a SPARQL server does for the single graph `dipkg load` writes. The store
    is kept on disk under `store_dir` (in the cache folder); where that folder cannot be written,
    it is built in memory instead.
    """
    return open_counted_store(kg_dir, store_dir, graphs, progress)[0]


def open_counted_store(
    kg_dir: Path,
    store_dir: Path,
    graphs: list[PublishedGraph] | None = None,
    progress: Progress | None = None,
) -> tuple[ox.Store, int]:
    """The store of `open_store` and how many triples it holds (counted once, when it was built).

    Its content comes from one build's publication of kg/, even while another build publishes.
    """
    return consistent(kg_dir, partial(_counted_store, store_dir, graphs, progress))


def _counted_store(
    store_dir: Path, graphs: list[PublishedGraph] | None, progress: Progress | None, current: Snapshot
) -> tuple[ox.Store, int]:
    kg_dir = current.kg_dir
    if graphs is None:
        graphs = current.graphs
    parts: list[bytes | str] = [current.description]
    parts += [f"{g.relative} {signature(g.path)} {g.sha256}" for g in graphs]
    fingerprint = digest(parts)[:24]
    folder = store_dir / digest([str(kg_dir.resolve())])[:16]
    location = folder / fingerprint
    if (location / READY_MARKER).is_file():
        return _read_only(location)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = folder / f".{fingerprint}.{os.getpid()}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        store = ox.Store(str(staging))
    except OSError:
        store = ox.Store()
        _fill(store, current, graphs, progress)
        return store, len(store)
    try:
        _fill(store, current, graphs, progress)
        store.flush()
        (staging / COUNT_FILE).write_text(f"{len(store)}\n", encoding="utf-8")
        del store
        (staging / READY_MARKER).write_text(fingerprint + "\n", encoding="utf-8")
        os.replace(staging, location)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not (location / READY_MARKER).is_file():
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for older in folder.iterdir():
        if older.name != location.name and (not older.name.startswith(".") or _abandoned(older.name)):
            shutil.rmtree(older, ignore_errors=True)
    return _read_only(location)


def _read_only(location: Path) -> tuple[ox.Store, int]:
    store = ox.Store.read_only(str(location))
    try:
        return store, int((location / COUNT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return store, len(store)


def _abandoned(name: str) -> bool:
    """True for a staging folder (`.FINGERPRINT.PID.tmp`) whose building process no longer runs."""
    parts = name.split(".")
    if len(parts) != 4 or parts[3] != "tmp" or not parts[2].isdigit():
        return False
    try:
        os.kill(int(parts[2]), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _fill(
    store: ox.Store, current: Snapshot, graphs: list[PublishedGraph], progress: Progress | None
) -> None:
    """Bulk-load the graphs' files, a batch of up to BULK_BATCH_BYTES of Turtle per pass (which
    bounds the loader's memory); each file is parsed on its own (its prefixes, its blank nodes)."""
    batch: list[tuple[str, bytes]] = []
    size = 0
    for graph in tracked(graphs, len(graphs), "indexing", progress):
        data = current.read(graph)
        if batch and size + len(data) > BULK_BATCH_BYTES:
            _bulk_load(store, batch)
            batch, size = [], 0
        batch.append((str(graph.path), data))
        size += len(data)
    _bulk_load(store, batch)


def _bulk_load(store: ox.Store, files: list[tuple[str, bytes]]) -> None:
    quads = (parse_quads(data, "turtle", name) for name, data in files)
    store.bulk_extend(itertools.chain.from_iterable(quads))


def union_ntriples(kg_dir: Path, store_dir: Path, progress: Progress | None = None) -> tuple[bytes, int]:
    """Every triple of every graph, once, as N-Triples (in the store's order), and how many."""
    store, triples = open_counted_store(kg_dir, store_dir, progress=progress)
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    return data, triples


def run_local(store: ox.Store, query: str) -> ResultTable:
    """Run a SELECT query over the merged graph; updates, SERVICE and deep nesting are refused."""
    problem = refusal(query)
    if problem is not None:
        raise UsageError(problem)
    try:
        solutions = store.query(query)
    except SyntaxError as exc:
        raise UsageError(syntax_refusal(query, str(exc).splitlines()[0])) from exc
    if not isinstance(solutions, ox.QuerySolutions):
        raise UsageError(SELECT_ONLY)
    variables = [v.value for v in solutions.variables]
    rows = [tuple(map(_term, solution)) for solution in solutions]
    return ResultTable(variables, rows)


def _term(node: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Term | None:
    kind = type(node)
    if kind is ox.NamedNode:
        return Term("uri", node.value)  # type: ignore[union-attr]
    if node is None:
        return None
    if kind is ox.BlankNode:
        return Term("bnode", node.value)
    return normalise_literal(node.value, node.datatype.value, node.language)  # type: ignore[union-attr]
