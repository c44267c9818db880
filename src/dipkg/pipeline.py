"""`build`: load the seeds, map them to RDF, validate and publish the knowledge graph.

Articles are mapped and validated one by one, in parallel worker processes for a corpus, and
each is published as its own Turtle file (its named graph), listed in kg/void.ttl. Results are
cached (see `dipkg.cache`): a rebuild maps, validates and writes only what changed.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rdflib.namespace import RDF

from dipkg import paths
from dipkg.annotation import Registry, load_registry
from dipkg.cache import ArticleRecord, BuildCache, Index, code_fingerprint, digest, files_digest, signature
from dipkg.describe import describe_dataset
from dipkg.errors import EXIT_NOT_CONFORMING, DipkgError, InputError
from dipkg.iris import prefix_map
from dipkg.mapping import map_registry
from dipkg.namespaces import DEFAULT_BASE_IRI
from dipkg.partition import (
    Context,
    article_sources,
    load_output,
    ntriples_line,
    process_article,
    set_context,
    validate_article,
    validate_shared,
)
from dipkg.publish import remove_stale, turtle_file, write_files
from dipkg.turtle import turtle_parts
from dipkg.vocabulary import Vocabulary, load_ontology, vocabulary_of

if TYPE_CHECKING:
    from dipkg.validation import ValidationReport

T = TypeVar("T")
R = TypeVar("R")
PARALLEL_FROM = 8
Progress = Callable[[str, int, int], None]


class NotConforming(DipkgError):
    """The graph a build would publish violates the shapes; nothing was written."""

    exit_code = EXIT_NOT_CONFORMING

    def __init__(self, report: ValidationReport) -> None:
        super().__init__("the knowledge graph does not conform to the shapes; kg/ was left unchanged")
        self.report = report


@dataclass(frozen=True)
class PublishedFile:
    """One file of the knowledge graph: its path under the output folder and what it holds."""

    path: str
    triples: int
    changed: bool


@dataclass(frozen=True)
class BuildReport:
    """What a build read, redid and wrote."""

    articles: int
    files: list[PublishedFile]
    removed: list[str]
    mapped: int
    validated: int

    @property
    def triples(self) -> int:
        """Triples of the dataset, summed over its named graphs (one file each)."""
        return sum(f.triples for f in self.files if f.path != paths.KG_DESCRIPTION_FILE)


@dataclass
class SharedInputs:
    """What every article is mapped against: the registry and the shared entities' graph."""

    registry: Registry
    vocabulary: Vocabulary
    entities_iri: str
    entity_lines: list[str]
    entities_file: bytes
    entity_classes: dict[str, int]
    shared: frozenset[str]


def build(
    seeds_dir: Path = paths.SEEDS_DIR,
    out_dir: Path = paths.KG_DIR,
    base_iri: str = DEFAULT_BASE_IRI,
    ontology_file: Path = paths.ONTOLOGY_FILE,
    shapes: Path | None = paths.SHAPES_DIR,
    jobs: int | None = None,
    progress: Progress | None = None,
    cache_root: Path | None = None,
) -> BuildReport:
    """Build the knowledge graph from a seeds folder into an output folder.

    Everything is loaded, checked and validated before anything is written: a bad input raises
    `InputError`, and a graph that violates the shapes (unless `shapes` is None) raises
    `NotConforming`; either way the output folder is left untouched. `progress(stage, done, total)`
    is called as articles are processed. Results of earlier builds are reused from the cache
    under `cache_root` (default: the cache folder) wherever their inputs are unchanged.
    """
    cache = BuildCache(cache_root or paths.CACHE_DIR, seeds_dir, out_dir)
    workers = jobs or os.cpu_count() or 1
    mapped = _map(seeds_dir, cache, ontology_file, base_iri, workers, progress)
    validated = 0
    if shapes is not None:
        report, validated = _validate(mapped, shapes, workers, progress)
        mapped.save(cache)
        if not report.conforms("violation"):
            raise NotConforming(report)
    files, removed = _publish(out_dir, mapped)
    mapped.save(cache)
    return BuildReport(len(mapped.records), files, removed, mapped.remapped, validated)


@dataclass
class MappedCorpus:
    """A corpus mapped article by article: records in article order, and what they were mapped with."""

    index: Index
    inputs: SharedInputs
    context: Context
    records: list[ArticleRecord]
    remapped: int

    def save(self, cache: BuildCache) -> None:
        """Remember everything in the cache, for the next build."""
        cache.save_index(self.index)
        cache.save_inputs(self.index.inputs_key, self.inputs)


def _map(
    seeds_dir: Path,
    cache: BuildCache,
    ontology_file: Path,
    base_iri: str,
    workers: int,
    progress: Progress | None,
) -> MappedCorpus:
    """Map every article whose files or shared inputs changed since the cached build."""
    if not seeds_dir.is_dir():
        raise InputError("seeds folder not found", seeds_dir)
    index = cache.load_index()
    entity_files = sorted((seeds_dir / paths.ENTITIES_SUBDIR).glob("*.yaml"))
    inputs_key = files_digest(
        [*entity_files, ontology_file, *paths.CODE_LIST_FILES], base_iri, code_fingerprint()
    )
    inputs = cache.load_inputs(inputs_key)
    if not isinstance(inputs, SharedInputs):
        inputs = _shared_inputs(seeds_dir, ontology_file, base_iri)
    article_dirs = _article_dirs(seeds_dir)
    context = Context(
        inputs.registry,
        inputs.vocabulary,
        base_iri,
        prefix_map(base_iri),
        inputs.shared,
        inputs_key,
        cache.payload_dir,
    )
    previous = index.articles if index.inputs_key == inputs_key else {}
    records: dict[str, ArticleRecord] = {}
    stale: list[Path] = []
    for article_dir in article_dirs:
        record = previous.get(article_dir.name)
        if record is not None and record.sources == article_sources(article_dir):
            records[article_dir.name] = record
        else:
            stale.append(article_dir)
    for article_dir, record in zip(
        stale, _run(process_article, stale, context, workers, progress, "mapping"), strict=True
    ):
        records[article_dir.name] = record
    index = Index(inputs_key, records, index.shared_validation, index.published)
    return MappedCorpus(index, inputs, context, [records[d.name] for d in article_dirs], len(stale))


def _shared_inputs(seeds_dir: Path, ontology_file: Path, base_iri: str) -> SharedInputs:
    vocabulary = vocabulary_of(load_ontology(ontology_file))
    registry = load_registry(seeds_dir / paths.ENTITIES_SUBDIR, vocabulary)
    entities_iri, entities = map_registry(registry, base_iri)
    prefix_lines, body = turtle_parts(entities, prefix_map(base_iri))
    return SharedInputs(
        registry,
        vocabulary,
        str(entities_iri),
        sorted(ntriples_line(s, p, o) for s, p, o in entities),
        turtle_file(prefix_lines, body),
        dict(Counter(str(o) for o in entities.objects(None, RDF.type))),
        frozenset(str(s) for s in entities.subjects()),
    )


def _publish(out_dir: Path, mapped: MappedCorpus) -> tuple[list[PublishedFile], list[str]]:
    """Write the files whose content changed since they were last published; delete stale ones.

    A file is rewritten unless it is exactly as this cache last wrote it (same size, time and
    content key); the article payloads are read only for files that need writing.
    """
    index, inputs, records, context = mapped.index, mapped.inputs, mapped.records, mapped.context
    base_iri = context.base_iri
    set_context(context)
    wanted: dict[str, tuple[str, int]] = {
        paths.KG_ENTITIES_FILE: (digest([inputs.entities_file]), len(inputs.entity_lines))
    }
    for record in records:
        wanted[_article_file(record)] = (record.key, record.triples)
    sources: dict[str, Callable[[], bytes]] = {paths.KG_ENTITIES_FILE: lambda: inputs.entities_file}
    for record in records:
        sources[_article_file(record)] = partial(_article_turtle, record)
    files: dict[str, bytes | Callable[[], bytes]] = {}
    for relative, (key, _) in wanted.items():
        target = out_dir / relative
        known = index.published.get(relative)
        if known is None or known[1] != key or not target.is_file() or signature(target) != known[0]:
            files[relative] = sources[relative]
    graph_stats = [(inputs.entities_iri, len(inputs.entity_lines), Counter(inputs.entity_classes))]
    graph_stats += [(r.graph_iri, r.triples, Counter(r.classes)) for r in records]
    dumps = [paths.KG_ENTITIES_FILE, *(_article_file(r) for r in records)]
    description = describe_dataset(
        graph_stats, dumps, base_iri, sorted(p.stem for p in paths.QUERIES_DIR.glob("*.rq"))
    )
    description_lines, description_body = turtle_parts(description, context.prefixes)
    files[paths.KG_DESCRIPTION_FILE] = turtle_file(description_lines, description_body)
    changed = write_files(out_dir, files)
    removed = remove_stale(out_dir, paths.KG_ARTICLES_SUBDIR, set(wanted), ".ttl")
    for relative in files:
        if relative in wanted:
            index.published[relative] = (signature(out_dir / relative), wanted[relative][0])
    for relative in removed:
        index.published.pop(relative, None)
    published = [
        PublishedFile(path, triples, changed.get(path, False)) for path, (_, triples) in wanted.items()
    ]
    published.append(
        PublishedFile(paths.KG_DESCRIPTION_FILE, len(description), changed[paths.KG_DESCRIPTION_FILE])
    )
    return published, removed


def _article_turtle(record: ArticleRecord) -> bytes:
    return load_output(record).turtle


def _article_file(record: ArticleRecord) -> str:
    return f"{paths.KG_ARTICLES_SUBDIR}/{record.article_id}.ttl"


def _article_dirs(seeds_dir: Path) -> list[Path]:
    articles_dir = seeds_dir / paths.ARTICLES_SUBDIR
    found = sorted(p for p in articles_dir.iterdir() if p.is_dir()) if articles_dir.is_dir() else []
    if not found:
        raise InputError(f"no article folders in {paths.ARTICLES_SUBDIR}/", seeds_dir)
    return found


def _run(
    function: Callable[[T], R],
    items: list[T],
    context: Context,
    workers: int,
    progress: Progress | None,
    stage: str,
) -> Iterator[R]:
    """Apply `function` to every item, in worker processes when there are enough items; order is kept."""
    if workers <= 1 or len(items) < PARALLEL_FROM:
        set_context(context)
        results: Iterable[R] = map(function, items)
    else:
        pool = ProcessPoolExecutor(max_workers=workers, initializer=set_context, initargs=(context,))
        chunk = max(1, len(items) // (workers * 16))
        results = _closing(pool, pool.map(function, items, chunksize=chunk))
    for done, result in enumerate(results, start=1):
        if progress is not None:
            progress(stage, done, len(items))
        yield result


def _closing(pool: ProcessPoolExecutor, results: Iterator[R]) -> Iterator[R]:
    try:
        yield from results
    finally:
        pool.shutdown(cancel_futures=True)


def _validate(
    mapped: MappedCorpus, shapes: Path, workers: int, progress: Progress | None
) -> tuple[ValidationReport, int]:
    """Validate every article's partition and the shared entities, reusing unchanged results.

    Returns the merged, sorted report and how many partitions were validated anew.
    """
    from dipkg.validation import ValidationReport, Validator, load_shapes, read_ontology

    index, inputs, records, context = mapped.index, mapped.inputs, mapped.records, mapped.context
    shapes_files = sorted(shapes.glob("*.ttl")) if shapes.is_dir() else [shapes]
    shapes_key = files_digest([*shapes_files, paths.ONTOLOGY_FILE, *paths.CODE_LIST_FILES], index.inputs_key)
    held_by: dict[str, list[str]] = {}
    for record in records:
        for line in record.held_by:
            held_by.setdefault(line.rsplit(" ", 2)[-2][1:-1], []).append(line)
    for edges in held_by.values():
        edges.sort()
    keys = [
        digest([shapes_key, r.key, *(e for iri in r.referenced for e in held_by.get(iri, []))])
        for r in records
    ]
    todo = [r for r, key in zip(records, keys, strict=True) if r.validation_key != key]
    shared_key = digest([shapes_key, *sorted(r.references_digest for r in records)])
    if todo or index.shared_validation[0] != shared_key:
        descriptions: dict[str, list[str]] = {}
        for line in inputs.entity_lines:
            descriptions.setdefault(line.split(" ", 1)[0][1:-1], []).append(line)
        context.descriptions = descriptions
        context.held_by = held_by
        context.validator = Validator(load_shapes(shapes), read_ontology(), context.base_iri)
    for record, found in zip(
        todo, _run(validate_article, todo, context, workers, progress, "validating"), strict=True
    ):
        record.results = tuple(found)
    for record, key in zip(records, keys, strict=True):
        record.validation_key = key
    if index.shared_validation[0] != shared_key:
        set_context(context)
        references = sorted({line for r in records for line in load_output(r).references})
        index.shared_validation = (
            shared_key,
            tuple(validate_shared("".join(inputs.entity_lines), references)),
        )
    results = {result for r in records for result in r.results} | set(index.shared_validation[1])
    return ValidationReport(sorted(results, key=lambda r: r.sort_key())), len(todo)


def validate_corpus(
    seeds_dir: Path,
    base_iri: str = DEFAULT_BASE_IRI,
    shapes: Path = paths.SHAPES_DIR,
    jobs: int | None = None,
) -> ValidationReport:
    """Map a seeds folder and validate it partition by partition, from scratch, writing nothing."""
    workers = jobs or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="dipkg-validate-") as folder:
        cache = BuildCache(Path(folder), seeds_dir, Path(folder))
        mapped = _map(seeds_dir, cache, paths.ONTOLOGY_FILE, base_iri, workers, None)
        return _validate(mapped, shapes, workers, None)[0]
