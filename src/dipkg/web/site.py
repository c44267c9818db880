"""`dipkg site`: the published graph as a static site: a page and three RDF documents for every
resource, article pages with their evidence highlighted, a timeline, the dataset's index with its
canned queries, and the deployment files.

The build is incremental: the site index (an SQLite file in the cache) remembers what every graph
of kg/ said about every resource, by the graph file's SHA-256. A rebuild reads only the graphs
whose file changed, makes again only the documents of the resources they spoke of before or speak
of now, and writes a file only when its bytes change.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import pyoxigraph as ox

from dipkg import __version__
from dipkg.dataset import Snapshot, consistent
from dipkg.errors import PublishError, UsageError
from dipkg.iris import prefix_map
from dipkg.layout import KG_DESCRIPTION_FILE
from dipkg.progress import Progress, tracked
from dipkg.project import Project, shipped_data_dir
from dipkg.query.catalogue import CannedQuery, catalogue
from dipkg.web import deploy, documents
from dipkg.web.documents import term_value
from dipkg.web.index import GraphSummary, SiteIndex, open_index, summarise
from dipkg.web.pages import Renderer
from dipkg.web.paths import FORMATS

DESCRIPTION_GRAPH = "void.ttl"
CONTEXT_FILE = "context.jsonld"
# In the site's folder: which index built it. A folder without it (new, or emptied) is built whole.
MARKER_FILE = ".dipkg-site"
# Key prefix, in the index's pages table, of the pages made from many resources.
LISTING = "listing:"
DOWNLOAD = "download:"


@dataclass(frozen=True)
class SiteReport:
    """What a site build did: documents written, left as they were, and removed."""

    out: Path
    documents: int
    written: int
    unchanged: int
    removed: int
    graphs_read: int

    def summary(self) -> str:
        return (
            f"site in {self.out}/: {self.documents} resource documents ({self.written} files written, "
            f"{self.unchanged} unchanged, {self.removed} removed); {self.graphs_read} graphs read"
        )


def build_site(
    project: Project,
    out: Path,
    base_url: str | None = None,
    progress: Progress | None = None,
    sparql: str | None = None,
    jobs: int | None = None,
) -> SiteReport:
    """Build (or bring up to date) the static site of the project's kg/ in `out`; many documents
    are rendered by `jobs` processes (default: one per core)."""
    kg_dir = project.kg_dir
    return consistent(kg_dir, lambda current: _build(project, current, out, base_url, sparql, progress, jobs))


def _build(
    project: Project,
    current: Snapshot,
    out: Path,
    base_url: str | None,
    sparql: str | None,
    progress: Progress | None,
    jobs: int | None,
) -> SiteReport:
    base_iri = current.base_iri
    url = base_url or base_iri
    endpoint = sparql or "sparql"
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is not a folder: give --out a folder for the site")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot make the site's folder: {exc.strerror}", out) from exc
    key = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
    index_file = project.site_index_dir / key / "index.sqlite"
    writer = _Writer(out)
    with open_index(index_file) as index:
        fingerprint = json.dumps([__version__, base_iri, url, endpoint, _templates_sha()])
        marker = out / MARKER_FILE
        stamp = index.setting("stamp")
        everything = index.setting("fingerprint") != fingerprint or not _marked(marker, stamp)
        # What the graphs say is recorded with the documents it changes (pending), in one
        # transaction; a document leaves the pending list once written, so an interrupted build
        # is finished by the next.
        index.connection.execute("BEGIN")
        affected, read = _reindex(index, current, base_iri, progress)
        shared_changed = any(not name.startswith(base_iri + "graph/article/") for name in read)
        if everything or shared_changed:
            affected = index.all_paths() | {
                path for path in index.pages() if not path.startswith((LISTING, DOWNLOAD))
            }
        index.add_pending(affected)
        index.set_setting("fingerprint", fingerprint)
        index.connection.execute("COMMIT")
        pending = sorted(index.pending())
        renderer = Renderer(base_iri, endpoint, prefix_map(base_iri))
        context = _RenderContext(index_file, out, base_iri, endpoint, project)
        made = 0
        for done in _render(context, pending, jobs):
            made += len(done.digests)
            if progress is not None:
                progress("pages", made, len(pending))
            index.connection.execute("BEGIN")
            for path, digest in done.digests:
                index.set_page(path, digest)
            index.drop_pending([path for path, _ in done.digests])
            index.connection.execute("COMMIT")
            writer.add(done)
        index.connection.execute("BEGIN")
        queries = catalogue(project.query_files)
        asked = hashlib.sha256(repr([(q.name, q.text) for q in queries]).encode()).hexdigest()
        if pending or read or everything or index.setting("queries") != asked:
            _write_listings(index, renderer, writer, queries)
            index.set_setting("queries", asked)
        _write_static(index, writer, current, queries, base_iri, url)
        if not _marked(marker, stamp):
            stamp = os.urandom(8).hex()
            index.set_setting("stamp", stamp)
            writer.write(MARKER_FILE, f"{stamp}\n".encode())
        index.connection.execute("COMMIT")
        documents_count = len(index.all_paths())
        return SiteReport(out, documents_count, writer.written, writer.unchanged, writer.removed, len(read))


def _reindex(
    index: SiteIndex, current: Snapshot, base_iri: str, progress: Progress | None
) -> tuple[set[str], list[str]]:
    """Bring the index up to date with kg/: the documents to make again (those of the resources
    whose statements changed), and the graphs read."""
    known = index.graphs()
    listed = {graph.name: graph for graph in current.graphs}
    affected: set[str] = set()
    read: list[str] = []
    for name in sorted(set(known) - set(listed) - {DESCRIPTION_GRAPH}):
        affected |= index.paths_of(name)
        index.drop_graph(name)
        read.append(name)
    changed = [g for g in current.graphs if known.get(g.name) != g.sha256 or g.sha256 is None]
    for graph in tracked(changed, len(changed), "indexing", progress):
        summary = summarise(current.read(graph), str(graph.path), base_iri)
        affected |= _changed_paths(index, graph.name, summary)
        index.replace_graph(graph.name, graph.sha256 or "", summary)
        read.append(graph.name)
    description_sha = hashlib.sha256(current.description).hexdigest()
    if known.get(DESCRIPTION_GRAPH) != description_sha:
        summary = summarise(current.description, KG_DESCRIPTION_FILE, base_iri)
        affected |= _changed_paths(index, DESCRIPTION_GRAPH, summary)
        index.replace_graph(DESCRIPTION_GRAPH, description_sha, summary)
    return affected, read


def _changed_paths(index: SiteIndex, graph: str, summary: GraphSummary) -> set[str]:
    """The documents of the resources the graph now says something else about, no longer speaks
    of, or speaks of for the first time; and the documents of other graphs that print a label the
    graph changed."""
    before = index.lines_of(graph)
    paths = {
        path
        for resource, (path, lines) in summary.statements.items()
        if resource not in before or before[resource][1] != "\n".join(lines)
    }
    paths |= {path for resource, (path, _) in before.items() if resource not in summary.statements}
    labels = index.labels_of(graph)
    relabelled = {
        iri for iri in labels.keys() | summary.labels.keys() if labels.get(iri) != summary.labels.get(iri)
    }
    return paths | index.paths_mentioning(relabelled)


@dataclass(frozen=True)
class _RenderContext:
    """What a process rendering documents needs: the index to read, where to write, and how."""

    index_file: Path
    out: Path
    base_iri: str
    sparql: str
    project: Project


@dataclass
class _Rendered:
    """What rendering a batch of documents did: each path's digest (None: removed) and counts."""

    digests: list[tuple[str, str | None]]
    written: int = 0
    unchanged: int = 0
    removed: int = 0


# The batch size of documents rendered by a worker, and the fewest documents worth a second one.
BATCH = 500
PARALLEL_FROM = 2000
_worker: tuple[SiteIndex, Renderer, _RenderContext] | None = None


def _render(context: _RenderContext, paths: list[str], jobs: int | None) -> Iterator[_Rendered]:
    """Render the documents at `paths` in batches, in worker processes when there are many."""
    batches = [paths[start : start + BATCH] for start in range(0, len(paths), BATCH)]
    workers = min(jobs or os.cpu_count() or 1, len(batches))
    if workers <= 1 or len(paths) < PARALLEL_FROM:
        _start_worker(context)
        for batch in batches:
            yield _render_batch(batch)
        return
    with ProcessPoolExecutor(
        workers, mp_context=get_context("fork"), initializer=_start_worker, initargs=(context,)
    ) as pool:
        yield from pool.map(_render_batch, batches)


def _start_worker(context: _RenderContext) -> None:
    global _worker
    renderer = Renderer(context.base_iri, context.sparql, prefix_map(context.base_iri))
    _worker = (SiteIndex(context.index_file, read_only=True), renderer, context)


def _render_batch(paths: list[str]) -> _Rendered:
    assert _worker is not None
    index, renderer, context = _worker
    writer = _Writer(context.out)
    digests: list[tuple[str, str | None]] = []
    for path in paths:
        resources = index.resources_at(path)
        if not resources:
            writer.remove(path)
            digests.append((path, None))
        else:
            digests.append((path, _write_resource(index, renderer, writer, path, resources)))
    return _Rendered(digests, writer.written, writer.unchanged, writer.removed)


def _write_resource(
    index: SiteIndex, renderer: Renderer, writer: _Writer, path: str, resources: list[str]
) -> str:
    """The page and RDF documents of the resources at one path; their digest."""
    triples = documents.parse_lines(index.statements(path))
    described = documents.description(triples, set(resources))
    iris = {term_value(t.subject) for t in triples} | {t.predicate.value for t in triples}
    iris |= {term_value(t.object) for t in triples if isinstance(t.object, ox.NamedNode)}
    labels = index.labels(iris)
    jsonld = documents.json_bytes(renderer.jsonld.document(described), indent=None)
    files = {
        "ttl": documents.turtle(described, renderer.prefix_map),
        "nt": documents.ntriples(described),
        "jsonld": jsonld,
        "html": renderer.resource_page(path, resources, triples, labels, jsonld.decode("utf-8")),
    }
    digest = hashlib.sha256(b"".join(files[ext] for ext in FORMATS)).hexdigest()
    if index.page_sha(path) == digest and all(writer.exists(f"{path}.{ext}") for ext in FORMATS):
        writer.unchanged += len(files)
        return digest
    for ext, data in files.items():
        writer.write(f"{path}.{ext}", data, compare=False)
    return digest


def _write_listings(
    index: SiteIndex, renderer: Renderer, writer: _Writer, queries: list[CannedQuery]
) -> None:
    """The index page, the list of articles, the timeline and its filtered pages: each rendered
    only when what it shows changed; those no longer made are removed."""
    known = {path for path in index.pages() if path.startswith(LISTING)}
    for listing in renderer.listings(index, queries):
        key = LISTING + listing.path
        known.discard(key)
        if index.page_sha(key) == listing.digest and writer.exists(listing.path):
            writer.unchanged += 1
            continue
        writer.write(listing.path, listing.render())
        index.set_page(key, listing.digest)
    for key in sorted(known):
        writer.remove_file(key.removeprefix(LISTING))
        index.set_page(key, None)


def _write_static(
    index: SiteIndex, writer: _Writer, current: Snapshot, queries: list[CannedQuery], base_iri: str, url: str
) -> None:
    """Downloads (kg/ files, queries), the JSON-LD context, assets and deployment files. A graph's
    file is copied only when its SHA-256 differs from the copy's."""
    writer.write(KG_DESCRIPTION_FILE, current.description)
    downloads = {f"kg/{KG_DESCRIPTION_FILE}", *(f"queries/{q.name}.rq" for q in queries)}
    writer.write(f"kg/{KG_DESCRIPTION_FILE}", current.description)
    for query in queries:
        writer.write(f"queries/{query.name}.rq", query.text.encode("utf-8"))
    copied = {path.removeprefix(DOWNLOAD) for path in index.pages() if path.startswith(DOWNLOAD)}
    for graph in current.graphs:
        relative = f"kg/{graph.relative}"
        downloads.add(relative)
        if (
            graph.sha256 is not None
            and index.page_sha(DOWNLOAD + relative) == graph.sha256
            and writer.exists(relative)
        ):
            writer.unchanged += 1
            continue
        writer.write(relative, current.read(graph))
        index.set_page(DOWNLOAD + relative, graph.sha256)
    for relative in sorted(copied - downloads):
        index.set_page(DOWNLOAD + relative, None)
    writer.prune(("kg", "queries"), downloads)
    writer.write(CONTEXT_FILE, documents.json_bytes(documents.context(prefix_map(base_iri))))
    assets = shipped_data_dir() / "web" / "assets"
    for asset in sorted(assets.rglob("*")):
        if asset.is_file():
            writer.write(f"assets/{asset.relative_to(assets).as_posix()}", asset.read_bytes())
    writer.write(".htaccess", deploy.htaccess(url).encode())
    writer.write("nginx.conf", deploy.nginx(url).encode())
    writer.write("w3id.htaccess", deploy.w3id_rules(base_iri, url).encode())


def _marked(marker: Path, stamp: str | None) -> bool:
    try:
        return stamp is not None and marker.read_text(encoding="utf-8").strip() == stamp
    except (OSError, UnicodeDecodeError):
        return False


def _templates_sha() -> str:
    """A hash of what the pages are made from (the templates and assets, by their names in the
    package), so that new templates remake every page wherever dipkg is installed."""
    folder = shipped_data_dir() / "web"
    digest = hashlib.sha256()
    for part in ("templates", "assets"):
        for path in sorted((folder / part).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


class _Writer:
    """Writes site files only when their bytes change (0644, by rename), and removes documents."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.written = self.unchanged = self.removed = 0

    def exists(self, relative: str) -> bool:
        return (self.out / relative).is_file()

    def add(self, done: _Rendered) -> None:
        self.written += done.written
        self.unchanged += done.unchanged
        self.removed += done.removed

    def write(self, relative: str, data: bytes, compare: bool = True) -> None:
        """Write a file (unless `compare` and it holds these bytes already)."""
        target = self.out / relative
        if compare:
            try:
                if target.read_bytes() == data:
                    self.unchanged += 1
                    return
            except OSError:
                pass
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        try:
            partial.write_bytes(data)
            os.chmod(partial, 0o644)
            os.replace(partial, target)
        except OSError as exc:
            raise PublishError(f"cannot write the site: {exc.strerror}", target) from exc
        self.written += 1

    def prune(self, folders: tuple[str, ...], keep: set[str]) -> None:
        """Remove the files of `folders` that are not in `keep` (downloads no longer published)."""
        for folder in folders:
            for path in sorted((self.out / folder).rglob("*")):
                if path.is_file() and path.relative_to(self.out).as_posix() not in keep:
                    path.unlink()
                    self.removed += 1

    def remove_file(self, relative: str) -> None:
        target = self.out / relative
        if target.is_file():
            target.unlink()
            self.removed += 1

    def remove(self, path: str) -> None:
        for ext in FORMATS:
            target = self.out / f"{path}.{ext}"
            if target.is_file():
                target.unlink()
                self.removed += 1
