"""Loading kg/ into one graph of a SPARQL endpoint: whole, or as the change since the last load.

After every load that succeeded, the files that were loaded are recorded under the cache folder
(a copy of each, with its size and modification time), per endpoint and graph. The next load
into that graph, if the graph still holds the number of triples recorded, sends only what
changed: one SPARQL update that deletes the triples no file states any more and inserts the new
ones, atomic as any single update request. Otherwise, or with `full`, a graph that holds
triples is compared with kg/ (dipkg.stores.compare) and the difference sent the same way; where
that cannot be done, and for an empty graph, the graph is replaced whole (remote.load_graph).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from dipkg.dataset import published_graphs
from dipkg.errors import DipkgError
from dipkg.fingerprint import Signature, digest, signature
from dipkg.progress import Progress
from dipkg.project import Project
from dipkg.query.store import open_counted_store
from dipkg.rdfio import parse_quads
from dipkg.stores.compare import TOO_LARGE, compare
from dipkg.stores.remote import (
    UPDATE_LIMIT,
    Endpoint,
    GraphChange,
    LoadReport,
    Payload,
    WrongCount,
    change_probe,
    change_update,
    graph_size,
    load_graph,
    require_loading_urls,
    shown,
    update_graph,
)

RECORD_FILE = "record.json"
COPIES_SUBDIR = "files"
RECORD_FORMAT = 1


class LoadRecord:
    """The files last loaded into one graph of one endpoint, kept under the cache folder.

    The record names each file with its size and modification time (its signature); a copy of
    each file as it was loaded lies beside it.
    """

    def __init__(self, records_dir: Path, endpoint: Endpoint, graph: str) -> None:
        key = digest([endpoint.store or endpoint.query, graph])[:16]
        self.folder = records_dir / key
        self.endpoint, self.graph = endpoint, graph
        self.previous = self._read()

    def triples(self) -> int | None:
        """How many triples the graph held after the recorded load; None without a record."""
        return None if self.previous is None else int(self.previous["triples"])

    def change(self, kg_dir: Path, files: dict[str, Signature], store: ox.Store) -> GraphChange | None:
        """The change from the recorded files to kg/'s `files`; None where it cannot be worked out.

        Only files whose signature differs are read. A triple of an old file is deleted only if
        no current file states it (the query store holds their union).
        """
        if self.previous is None:
            return None
        old = self._recorded_files()
        old_triples: set[ox.Triple] = set()
        new_triples: set[ox.Triple] = set()
        try:
            for name in sorted(old.keys() | files.keys()):
                if old.get(name) == files.get(name):
                    continue
                if name in old:
                    old_triples.update(_triples(self.folder / COPIES_SUBDIR / name))
                if name in files:
                    new_triples.update(_triples(kg_dir / name))
        except (DipkgError, OSError):
            return None
        gone = [t for t in old_triples - new_triples if _in_default_graph(t) not in store]
        added = new_triples - old_triples
        if any(_has_blank_node(t) for t in (*gone, *added)):
            return None
        return GraphChange(sorted(map(str, gone)), sorted(map(str, added)))

    def forget(self) -> None:
        """Drop the record (before the graph changes, so that a failed load leaves none)."""
        (self.folder / RECORD_FILE).unlink(missing_ok=True)

    def keep(self, kg_dir: Path, files: dict[str, Signature], triples: int) -> None:
        """Record the files just loaded, unless one changed while it was being loaded.

        Only files whose signature differs from the previous record are copied again.
        """
        copies = self.folder / COPIES_SUBDIR
        old = self._recorded_files()
        try:
            for name, loaded in files.items():
                copy = copies / name
                if old.get(name) != loaded:
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(kg_dir / name, copy)
                    os.utime(copy, ns=(loaded[1], loaded[1]))
                    if signature(copy) != loaded:
                        return
                if signature(kg_dir / name) != loaded:
                    return
            stale = (old.keys() if self.previous else _names_under(copies)) - files.keys()
            for name in stale:
                (copies / name).unlink(missing_ok=True)
            record = {
                "format": RECORD_FORMAT,
                "endpoint": shown(self.endpoint.store or self.endpoint.query),
                "graph": self.graph,
                "triples": triples,
                "files": {name: list(loaded) for name, loaded in files.items()},
            }
            temporary = self.folder / f".{RECORD_FILE}.{os.getpid()}.tmp"
            temporary.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(temporary, self.folder / RECORD_FILE)
        except OSError:
            self.forget()

    def _recorded_files(self) -> dict[str, Signature]:
        if self.previous is None:
            return {}
        return {name: (size, mtime) for name, (size, mtime) in self.previous["files"].items()}

    def _read(self) -> dict[str, Any] | None:
        try:
            record = json.loads((self.folder / RECORD_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
            return None
        files = record.get("files")
        if record.get("graph") != self.graph or not isinstance(record.get("triples"), int):
            return None
        if not isinstance(files, dict) or not all(_is_signature(value) for value in files.values()):
            return None
        return record


def load_dataset(
    endpoint: Endpoint,
    graph: str,
    project: Project,
    timeout: float,
    staged: bool = True,
    full: bool = False,
    progress: Progress | None = None,
) -> LoadReport:
    """Bring `graph` on the endpoint to hold exactly the union of the project's kg/ graphs.

    With a record of the last load into this graph whose triple count the graph still holds,
    only the change is sent (unless `full`). Otherwise a staged load compares a graph that
    holds triples with kg/ and sends the difference in one update. The graph is replaced whole
    where the difference cannot be had or sent that way or leaves the graph with a wrong count,
    where it is empty, and always when unstaged.
    """
    require_loading_urls(endpoint)
    kg_dir = project.kg_dir
    graphs = published_graphs(kg_dir)
    loaded = {_relative(g.path, kg_dir): signature(g.path) for g in graphs}
    store, triples = open_counted_store(kg_dir, project.store_dir, graphs, progress)
    record = LoadRecord(project.load_records_dir, endpoint, graph)
    recorded = None if full else record.triples()
    live = graph_size(endpoint, graph, timeout) if staged or recorded is not None else None
    if recorded is not None and live == recorded:
        change = record.change(kg_dir, loaded, store)
        text = "" if change is None else change_update(graph, change.deletes, change.inserts)
        if change is not None and len(text.encode("utf-8")) <= UPDATE_LIMIT:
            record.forget()
            report = _send(endpoint, graph, change, text, triples, timeout)
            record.keep(kg_dir, loaded, triples)
            return report
    record.forget()
    whole_because = None
    if staged and live:
        found = compare(
            endpoint, graph, live, store, triples, [g.path for g in graphs], UPDATE_LIMIT, timeout, progress
        )
        text = "" if isinstance(found, str) else change_update(graph, found.deletes, found.inserts)
        if isinstance(found, str):
            whole_because = found
        elif len(text.encode("utf-8")) > UPDATE_LIMIT:
            whole_because = TOO_LARGE
        else:
            try:
                report = _send(endpoint, graph, found, text, triples, timeout, compared=True)
            except WrongCount as exc:
                held = exc.message.partition(";")[0]
                whole_because = f"the difference from kg/ was sent, but then the {held}"
                live = None
            else:
                record.keep(kg_dir, loaded, triples)
                return report
    payload = Payload.of_turtle_files([g.path for g in graphs])
    report = load_graph(endpoint, graph, payload, triples, timeout, staged, before=live)
    record.keep(kg_dir, loaded, triples)
    return replace(report, whole_because=whole_because)


def _send(
    endpoint: Endpoint,
    graph: str,
    change: GraphChange,
    text: str,
    triples: int,
    timeout: float,
    compared: bool = False,
) -> LoadReport:
    """Apply `change` (whose update is `text`) to the graph in one update request."""
    probe = change_probe(graph, change.deletes, change.inserts)
    return update_graph(endpoint, graph, text, triples, timeout, change.removed_and_added, probe, compared)


def _relative(path: Path, kg_dir: Path) -> str:
    return path.relative_to(kg_dir).as_posix()


def _is_signature(value: object) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(part, int) for part in value)


def _names_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _triples(path: Path) -> set[ox.Triple]:
    return {quad.triple for quad in parse_quads(path.read_bytes(), "turtle", str(path))}


def _in_default_graph(triple: ox.Triple) -> ox.Quad:
    return ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph())


def _has_blank_node(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)
