"""The embedded SPARQL store: the published graph in Oxigraph on disk, queried with no network.

The store lives under the cache folder: the merged graph as its default graph, and each published
graph as a named graph beside it. When files of kg/ change (by their SHA-256), the store follows
in place, in one transaction: the changed graphs' triples that no other graph states leave the
merged graph, their new ones join it. Many changed graphs (or no usable store) build it anew.
Every later query opens it read-only instead of parsing kg/ again.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
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
# The store of a kg folder, changed in place as its graphs change, and the record of what it holds.
LIVE = "live"
STATE_FILE = "live.json"
# Above this many changed graphs, the store is built anew rather than changed in place.
MOST_CHANGED = 100
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
    if graphs is None:
        graphs = current.graphs
    wanted = {g.name: _graph_key(g) for g in graphs}
    folder = store_dir / digest([str(current.kg_dir.resolve())])[:16]
    location = folder / LIVE
    state = _read_state(folder)
    ready = (location / READY_MARKER).is_file()
    if ready and state is not None and state[0] == wanted:
        return _read_only(location, state[1])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        recorded = state[0] if state is not None else {}
        changed = {n for n in wanted.keys() | recorded.keys() if wanted.get(n) != recorded.get(n)}
        if ready and state is not None and len(changed) <= MOST_CHANGED:
            store = ox.Store(str(location))
            # Without a record the store is built anew: a change cut short is never trusted.
            (folder / STATE_FILE).unlink()
            triples = _follow(store, current, graphs, state, progress)
            store.flush()
            del store
        else:
            triples = _rebuild(folder, current, graphs, progress)
        _write_state(folder, wanted, triples)
    except OSError:
        # A folder that cannot be written, or a store another process is changing: in memory.
        store = ox.Store()
        _fill(store, current, graphs, progress)
        return store, _default_size(store)
    for older in folder.iterdir():
        if older.name.startswith(".") and _abandoned(older.name):
            shutil.rmtree(older, ignore_errors=True)
    return _read_only(location, triples)


def _graph_key(graph: PublishedGraph) -> str:
    """What says that a graph's file changed: its SHA-256 (or size and time, where none is given)."""
    return f"{graph.relative} {graph.sha256 or signature(graph.path)}"


def _read_state(folder: Path) -> tuple[dict[str, str], int] | None:
    """The graphs (name -> key) the live store holds and its triple count, as last recorded.

    None for a store another Oxigraph version wrote: its storage format may differ, and a
    read-only store cannot be upgraded, so it is built anew.
    """
    try:
        state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
        if state["oxigraph"] != ox.__version__:
            return None
        return dict(state["graphs"]), int(state["triples"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_state(folder: Path, graphs: dict[str, str], triples: int) -> None:
    partial = folder / f".{STATE_FILE}.{os.getpid()}.tmp"
    partial.write_text(
        json.dumps({"graphs": graphs, "oxigraph": ox.__version__, "triples": triples}, sort_keys=True),
        encoding="utf-8",
    )
    os.replace(partial, folder / STATE_FILE)


def _rebuild(folder: Path, current: Snapshot, graphs: list[PublishedGraph], progress: Progress | None) -> int:
    """Build the live store anew in a staging folder and put it in place; its triple count."""
    staging = folder / f".{LIVE}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        store = ox.Store(str(staging))
        _fill(store, current, graphs, progress)
        store.flush()
        triples = _default_size(store)
        del store
        (staging / READY_MARKER).write_text("ready\n", encoding="utf-8")
        (folder / STATE_FILE).unlink(missing_ok=True)
        old = folder / f".{LIVE}.{os.getpid()}.old.tmp"
        if (folder / LIVE).exists():
            os.replace(folder / LIVE, old)
        os.replace(staging, folder / LIVE)
        shutil.rmtree(old, ignore_errors=True)
        return triples
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _follow(
    store: ox.Store,
    current: Snapshot,
    graphs: list[PublishedGraph],
    state: tuple[dict[str, str], int],
    progress: Progress | None,
) -> int:
    """Change the live store in place to the current graphs, in one transaction; its new count.

    Each graph is kept as a named graph beside the merged default graph. A changed graph's
    triples that no other graph states leave the default graph; its new ones join it.
    """
    recorded, triples = state
    listed = {g.name: g for g in graphs}
    touched = sorted(
        name for name in recorded.keys() | listed.keys() if recorded.get(name) != _key_of(listed, name)
    )
    now: dict[str, set[ox.Triple]] = {}
    for name in tracked(touched, len(touched), "indexing", progress):
        graph = listed.get(name)
        now[name] = (
            set()
            if graph is None
            else {q.triple for q in parse_quads(current.read(graph), "turtle", str(graph.path))}
        )
    touched_nodes = {ox.NamedNode(name) for name in touched}
    deletes: list[str] = []
    inserts: list[str] = []
    gone: set[ox.Triple] = set()
    came: set[ox.Triple] = set()
    for name in touched:
        node = ox.NamedNode(name)
        before = {q.triple for q in store.quads_for_pattern(None, None, None, node)}
        deletes += [f"GRAPH {node} {{ {t} . }}" for t in before - now[name]]
        inserts += [f"GRAPH {node} {{ {t} . }}" for t in now[name] - before]
        gone |= before - now[name]
        came |= now[name] - before
    stated_now = set().union(*now.values()) if now else set()
    for t in sorted(came - gone, key=str):
        if ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) not in store:
            inserts.append(f"{t} .")
            triples += 1
    for t in sorted(gone - stated_now, key=str):
        elsewhere = any(
            q.graph_name not in touched_nodes and not isinstance(q.graph_name, ox.DefaultGraph)
            for q in store.quads_for_pattern(t.subject, t.predicate, t.object, None)
        )
        if not elsewhere:
            deletes.append(f"{t} .")
            triples -= 1
    if deletes or inserts:
        store.update(f"DELETE DATA {{ {' '.join(deletes)} }} ; INSERT DATA {{ {' '.join(inserts)} }}")
    return triples


def _key_of(listed: dict[str, PublishedGraph], name: str) -> str | None:
    graph = listed.get(name)
    return None if graph is None else _graph_key(graph)


def _read_only(location: Path, triples: int) -> tuple[ox.Store, int]:
    return ox.Store.read_only(str(location)), triples


def _default_size(store: ox.Store) -> int:
    """How many triples the merged default graph holds."""
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(next(iter(result))[0].value)  # type: ignore[arg-type]


def _abandoned(name: str) -> bool:
    """True for a staging folder (`.NAME.PID[.old].tmp`) whose building process no longer runs."""
    parts = name.split(".")
    if len(parts) < 4 or parts[-1] != "tmp" or not parts[2].isdigit():
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
    """Bulk-load the graphs' files, each into its named graph and into the merged default graph,
    a batch of up to BULK_BATCH_BYTES of Turtle per pass (which bounds the loader's memory); each
    file is parsed on its own (its prefixes, its blank nodes)."""
    batch: list[tuple[str, str, bytes]] = []
    size = 0
    for graph in tracked(graphs, len(graphs), "indexing", progress):
        data = current.read(graph)
        if batch and size + len(data) > BULK_BATCH_BYTES:
            _bulk_load(store, batch)
            batch, size = [], 0
        batch.append((graph.name, str(graph.path), data))
        size += len(data)
    _bulk_load(store, batch)


def _bulk_load(store: ox.Store, files: list[tuple[str, str, bytes]]) -> None:
    default = ox.DefaultGraph()

    def quads() -> Iterator[ox.Quad]:
        for graph, name, data in files:
            node = ox.NamedNode(graph)
            for quad in parse_quads(data, "turtle", name):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, node)
                yield ox.Quad(quad.subject, quad.predicate, quad.object, default)

    store.bulk_extend(quads())


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
