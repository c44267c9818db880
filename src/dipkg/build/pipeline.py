"""`build`: load the seeds, map them to RDF, validate and publish the knowledge graph.

Articles are mapped and validated one by one, in parallel worker processes for a corpus, and
each is published as its own Turtle file (its named graph), listed in kg/void.ttl. Results are
cached (see `dipkg.build.cache`): a rebuild maps, validates and writes only what changed.
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from rdflib.namespace import RDF

from dipkg.build.cache import ArticleRecord, BuildCache, Index
from dipkg.build.describe import description_file
from dipkg.build.generation import finish_interrupted, locked, owned_files, publish
from dipkg.build.mapping import map_registry
from dipkg.build.partition import (
    Context,
    article_sources,
    held_by_line,
    load_output,
    ntriples_line,
    process_article,
    set_context,
    validate_article,
    validate_shared,
)
from dipkg.build.publish import turtle_file
from dipkg.build.turtle import turtle_parts
from dipkg.errors import InputError, NotConforming
from dipkg.fingerprint import code_fingerprint, combined, digest, files_digest, signature
from dipkg.iris import ONTOLOGY_IRI, prefix_map
from dipkg.layout import (
    ARTICLES_SUBDIR,
    KG_ARTICLES_SUBDIR,
    KG_DESCRIPTION_FILE,
    KG_ENTITIES_FILE,
    KG_ONTOLOGY_FILE,
)
from dipkg.progress import Progress
from dipkg.project import Project
from dipkg.seeds.model import Registry
from dipkg.seeds.registry import load_registry
from dipkg.seeds.vocabulary import Vocabulary, load_vocabulary, vocabulary_of
from dipkg.seeds.yamlfile import read_bytes
from dipkg.validate.partitions import subject_of
from dipkg.validate.results import ValidationReport, ValidationResult

if TYPE_CHECKING:
    from concurrent.futures import Executor

T = TypeVar("T")
R = TypeVar("R")
PARALLEL_FROM = 8


class PublishedFile(NamedTuple):
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
    drafts_left_out: int = 0

    @property
    def triples(self) -> int:
        """Triples of the dataset, summed over its named graphs (one file each)."""
        return sum(f.triples for f in self.files if f.path != KG_DESCRIPTION_FILE)


@dataclass
class SharedInputs:
    """What every article is mapped against: the registry and the shared entities' graph."""

    registry: Registry
    vocabulary: Vocabulary
    entities_iri: str
    entity_descriptions: dict[str, list[str]]
    entities_file: bytes
    entity_classes: dict[str, int]
    shared: frozenset[str]
    ontology_file: bytes
    ontology_triples: int
    ontology_classes: dict[str, int]

    @property
    def entity_lines(self) -> list[str]:
        """The shared entities' graph as sorted N-Triples lines."""
        return [line for lines in self.entity_descriptions.values() for line in lines]


def build(
    project: Project,
    validate: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
    force: bool = False,
    include_drafts: bool = False,
) -> BuildReport:
    """Build the knowledge graph from the project's seeds into its kg folder.

    Articles whose annotation is a draft (`status: draft`) are checked like any other but
    published only with `include_drafts`; a project with nothing else raises `InputError`.

    Everything is loaded, checked and validated before anything is written: a bad input raises
    `InputError`, and a graph that violates the shapes (unless `validate` is False) raises
    `NotConforming`; either way the kg folder is left untouched. The new files are published
    all at once (see `dipkg.build.generation`), under a lock: a second build into the same
    folder meanwhile raises `PublishError`, as does a folder holding files dipkg did not
    publish, unless `force` (such files are then left alone). `progress(stage, done, total)` is
    called as articles are processed. Results of earlier builds are reused from the project's
    cache wherever their inputs are unchanged.
    """
    seeds_dir, out_dir = project.seeds_dir, project.kg_dir
    cache = BuildCache(project.cache_dir, seeds_dir, out_dir)
    workers = jobs or os.cpu_count() or 1
    with locked(out_dir):
        finish_interrupted(out_dir)
        index = cache.load_index()
        owned = owned_files(out_dir, force, _as_written(index, out_dir))
        # The index holds a few objects per article and no reference cycles: frozen, the cycle
        # collector does not walk it again and again while the build allocates.
        gc.freeze()
        try:
            mapped = _map(project, index, cache, workers, progress)
            left_out = mapped.leave_out_drafts(include_drafts, project)
            validated = 0
            if validate:
                report, validated = _validate(mapped, project, cache, workers, progress)
                if not report.conforms("violation"):
                    mapped.save(cache)
                    raise NotConforming(report, out_dir)
            query_names = [p.stem for p in project.query_files]
            files, removed = _publish(out_dir, mapped, query_names, owned, project)
            mapped.save(cache)
        finally:
            gc.unfreeze()
    remapped = sum(1 for r in mapped.records if r.article_id in mapped.remapped)
    return BuildReport(len(mapped.records), files, removed, remapped, validated, left_out)


class LazyInputs:
    """The shared inputs of a corpus, loaded from the cache or computed only when first needed."""

    def __init__(self, cache: BuildCache, key: str, project: Project) -> None:
        self.cache, self.key = cache, key
        self.project, self.base_iri = project, project.base_iri
        self.value: SharedInputs | None = None
        self.computed = False

    def get(self) -> SharedInputs:
        """The inputs: cached ones if their key matches, else freshly loaded, checked and mapped."""
        if self.value is None:
            found = self.cache.load_inputs(self.key)
            if isinstance(found, SharedInputs):
                self.value = found
            else:
                self.value = _shared_inputs(self.project)
                self.computed = True
        return self.value


@dataclass
class CorpusRecords:
    """A corpus mapped article by article: records in article order, and what they were mapped with."""

    index: Index
    records: list[ArticleRecord]
    remapped: set[str]
    shared_inputs: LazyInputs
    payload_dir: Path

    @property
    def inputs(self) -> SharedInputs:
        """The registry and shared entities (loaded on first use)."""
        return self.shared_inputs.get()

    @cached_property
    def context(self) -> Context:
        """What the per-article functions need, in this process and in workers."""
        inputs = self.inputs
        base_iri = self.shared_inputs.base_iri
        return Context(
            inputs.registry,
            inputs.vocabulary,
            base_iri,
            prefix_map(base_iri),
            inputs.shared,
            self.index.inputs_key,
            self.payload_dir,
            full_text=self.shared_inputs.project.publication.full_text,
        )

    def leave_out_drafts(self, include_drafts: bool, project: Project) -> int:
        """Keep only the records to publish (every one with `include_drafts`); how many were left out.

        The index keeps the drafts' records, so a later build that includes them reuses them.
        """
        if include_drafts:
            return 0
        kept = [r for r in self.records if not r.draft]
        if not kept:
            raise InputError(
                "every article is a draft: review one (status: reviewed in its annotation.yaml), "
                "or pass --include-drafts to publish drafts",
                project.articles_dir,
            )
        left_out = len(self.records) - len(kept)
        self.records = kept
        return left_out

    def save(self, cache: BuildCache) -> None:
        """Remember everything in the cache for the next build, if this build learnt anything."""
        cache.save_index(self.index)
        if self.shared_inputs.computed:
            cache.save_inputs(self.index.inputs_key, self.inputs)


def _map(
    project: Project, index: Index, cache: BuildCache, workers: int, progress: Progress | None
) -> CorpusRecords:
    """Map every article whose files or shared inputs changed since the build `index` records."""
    seeds_dir = project.seeds_dir
    if not seeds_dir.is_dir():
        raise InputError("seeds folder not found", seeds_dir)
    entity_files = sorted(project.entities_dir.glob("*.yaml"))
    entity_parts = (part for f in entity_files for part in (f.name, read_bytes(f, seeds_dir)))
    inputs_key = digest(
        [
            project.base_iri,
            project.publication.article_text,
            code_fingerprint(),
            files_digest(project.vocabulary_files),
            *entity_parts,
        ]
    )
    shared_inputs = LazyInputs(cache, inputs_key, project)
    articles_dir = project.articles_dir
    names = _article_names(seeds_dir)
    fresh = index.inputs_key != inputs_key
    if fresh:
        index = Index(inputs_key, published=index.published)
    records: dict[str, ArticleRecord] = {}
    stale: list[Path] = []
    kept = cache.payload_keys() if index.articles else set()
    for name in names:
        record = index.articles.get(name)
        if (
            record is not None
            and record.sources == article_sources(f"{articles_dir}/{name}")
            and record.key in kept
        ):
            records[name] = record
        else:
            stale.append(articles_dir / name)
    index.articles = records
    remapped = {p.name for p in stale}
    mapped = CorpusRecords(index, [], remapped, shared_inputs, cache.payload_dir)
    if fresh or not index.entities[0] or not index.ontology[0]:
        inputs = mapped.inputs
        index.entities = (
            inputs.entities_iri,
            digest([inputs.entities_file]),
            len(inputs.entity_lines),
            inputs.entity_classes,
        )
        index.ontology = (
            ONTOLOGY_IRI,
            digest([inputs.ontology_file]),
            inputs.ontology_triples,
            inputs.ontology_classes,
        )
    if stale:
        done = _run(process_article, stale, mapped.context, workers, progress, "mapping")
        seen: dict[object, Any] = {}
        for article_dir, record in zip(stale, done, strict=True):
            records[article_dir.name] = _interned(record, seen)
    mapped.records = [records[name] for name in names]
    return mapped


def _one(seen: dict[object, Any], value: T) -> T:
    """`value`, or the equal one seen first: shared, it is stored once in the cache index."""
    return seen.setdefault(value, value)  # type: ignore[no-any-return]


def _interned(record: ArticleRecord, seen: dict[object, Any]) -> ArticleRecord:
    """The record with its IRIs and facts shared with other records'."""
    record.classes = {_one(seen, c): n for c, n in record.classes.items()}
    record.referenced = tuple(_one(seen, iri) for iri in record.referenced)
    record.held_by = tuple((_one(seen, post), _one(seen, person)) for post, person in record.held_by)
    if record.facts is not None:
        facts = record.facts
        record.facts = replace(
            facts,
            publisher=_one(seen, facts.publisher),
            publisher_label=_one(seen, facts.publisher_label),
            countries=tuple(
                _one(seen, (_one(seen, iri), _one(seen, label))) for iri, label in facts.countries
            ),
        )
    return record


def _shared_terms(
    results: Iterable[ValidationResult], seen: dict[object, Any]
) -> tuple[ValidationResult, ...]:
    """The results with equal terms shared with other results'."""
    return tuple(
        replace(
            result,
            focus=_one(seen, result.focus),
            path=_one(seen, result.path),
            value=_one(seen, result.value),
            message=_one(seen, result.message),
            source_shape=_one(seen, result.source_shape),
            component=_one(seen, result.component),
            constraint=_one(seen, result.constraint),
        )
        for result in results
    )


def _shared_inputs(project: Project) -> SharedInputs:
    base_iri = project.base_iri
    ontology = load_vocabulary(project.vocabulary_files)
    vocabulary = vocabulary_of(ontology)
    registry = load_registry(project.entities_dir, vocabulary)
    entities_iri, entities = map_registry(registry, base_iri)
    prefix_lines, body = turtle_parts(entities, prefix_map(base_iri))
    ontology_prefixes, ontology_body = turtle_parts(ontology, prefix_map(base_iri))
    return SharedInputs(
        registry,
        vocabulary,
        str(entities_iri),
        _by_subject(sorted(ntriples_line(s, p, o) for s, p, o in entities)),
        turtle_file(prefix_lines, body),
        dict(Counter(str(o) for o in entities.objects(None, RDF.type))),
        frozenset(str(s) for s in entities.subjects()),
        turtle_file(ontology_prefixes, ontology_body),
        len(ontology),
        dict(Counter(str(o) for o in ontology.objects(None, RDF.type))),
    )


def _by_subject(lines: list[str]) -> dict[str, list[str]]:
    """Sorted N-Triples lines grouped by subject, in order: each subject's lines are adjacent."""
    grouped: dict[str, list[str]] = {}
    for line in lines:
        grouped.setdefault(subject_of(line), []).append(line)
    return grouped


def _publish(
    out_dir: Path, mapped: CorpusRecords, query_names: list[str], owned: set[str], project: Project
) -> tuple[list[PublishedFile], list[str]]:
    """Publish the files whose content changed since they were last published; delete stale ones.

    A file is rewritten unless it is exactly as this cache last wrote it (same size, time and
    content key); the article payloads are read only for files that need writing. Of the files
    no longer produced, only those in `owned` (the previous void.ttl's) are deleted.
    """
    index, records = mapped.index, mapped.records
    base_iri = mapped.shared_inputs.base_iri
    entities_iri, entities_key, entity_triples, entity_classes = index.entities
    ontology_iri, ontology_key, ontology_triples, ontology_classes = index.ontology
    shared = [KG_ONTOLOGY_FILE, KG_ENTITIES_FILE]
    relatives = [*shared, *(f"{KG_ARTICLES_SUBDIR}/{r.article_id}.ttl" for r in records)]
    files: dict[str, bytes | Callable[[], bytes]] = {}
    if _outdated(index, out_dir, KG_ONTOLOGY_FILE, ontology_key):
        files[KG_ONTOLOGY_FILE] = lambda: mapped.inputs.ontology_file
    if _outdated(index, out_dir, KG_ENTITIES_FILE, entities_key):
        files[KG_ENTITIES_FILE] = lambda: mapped.inputs.entities_file
    for relative, record in zip(relatives[len(shared) :], records, strict=True):
        if _outdated(index, out_dir, relative, record.key):
            files[relative] = partial(_article_turtle, mapped, record)
    content = [(ontology_key, ontology_triples), (entities_key, entity_triples)]
    content += [(r.key, r.triples) for r in records]
    keep = {*relatives, KG_DESCRIPTION_FILE}
    # What void.ttl says follows from these: each content key stands for everything its file holds.
    description_key = digest(
        [base_iri, *query_names, project.publication.key(), combined(key for key, _ in content)]
    )
    if not files and not (owned - keep) and _as_described(index, out_dir, description_key):
        unchanged = [
            PublishedFile(relative, count, False)
            for relative, (_, count) in zip(relatives, content, strict=True)
        ]
        return [*unchanged, PublishedFile(KG_DESCRIPTION_FILE, index.described[1], False)], []
    graph_stats = [
        (ontology_iri, ontology_triples, ontology_classes),
        (entities_iri, entity_triples, entity_classes),
    ]
    graph_stats += [(r.graph_iri, r.triples, r.classes) for r in records]
    checksums: dict[str, str] = {}
    described: list[int] = []

    def describe(written: dict[str, str]) -> bytes:
        checksums.update(written)
        sums = [checksums.get(r) or index.published[r][2] for r in relatives]
        data, count = description_file(
            graph_stats,
            relatives,
            sums,
            base_iri,
            query_names,
            prefix_map(base_iri),
            [r.facts for r in records if r.facts is not None],
            project.publication,
        )
        described.append(count)
        return data

    changed, removed = publish(out_dir, files, describe, keep, owned)
    for relative, (key, _) in zip(relatives, content, strict=True):
        if relative in files:
            index.published[relative] = (signature(out_dir / relative), key, checksums[relative])
    for relative in removed:
        index.published.pop(relative, None)
    index.published[KG_DESCRIPTION_FILE] = (signature(out_dir / KG_DESCRIPTION_FILE), "", "")
    index.described = (description_key, described[0])
    published = [
        PublishedFile(relative, count, changed.get(relative, False))
        for relative, (_, count) in zip(relatives, content, strict=True)
    ]
    published.append(PublishedFile(KG_DESCRIPTION_FILE, described[0], changed[KG_DESCRIPTION_FILE]))
    return published, removed


def _as_written(index: Index, out_dir: Path) -> set[str] | None:
    """The files the last build through this cache published, if its void.ttl is as it wrote it."""
    return None if _outdated(index, out_dir, KG_DESCRIPTION_FILE, "") else set(index.published)


def _as_described(index: Index, out_dir: Path, description_key: str) -> bool:
    """True when void.ttl is as this cache last wrote it, describing what `description_key` names."""
    return index.described[0] == description_key and not _outdated(index, out_dir, KG_DESCRIPTION_FILE, "")


def _outdated(index: Index, out_dir: Path, relative: str, key: str) -> bool:
    """False when the published file is exactly as this cache last wrote it."""
    known = index.published.get(relative)
    return known is None or known[1] != key or signature(f"{out_dir}/{relative}") != known[0]


def _article_turtle(mapped: CorpusRecords, record: ArticleRecord) -> bytes:
    set_context(mapped.context)
    return load_output(record).turtle


def _article_names(seeds_dir: Path) -> list[str]:
    """The names of the article folders, sorted."""
    articles_dir = seeds_dir / ARTICLES_SUBDIR
    found = []
    if articles_dir.is_dir():
        with os.scandir(articles_dir) as entries:
            found = sorted(entry.name for entry in entries if entry.is_dir())
    if not found:
        raise InputError(f"no article folders in {ARTICLES_SUBDIR}/", seeds_dir)
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
        # Imported here: a rebuild that maps or validates a few articles never starts workers.
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=workers, initializer=set_context, initargs=(context,))
        chunk = max(1, len(items) // (workers * 16))
        results = _closing(pool, pool.map(function, items, chunksize=chunk))
    for done, result in enumerate(results, start=1):
        if progress is not None:
            progress(stage, done, len(items))
        yield result


def _closing(pool: Executor, results: Iterator[R]) -> Iterator[R]:
    try:
        yield from results
    finally:
        pool.shutdown(cancel_futures=True)


def _validate(
    mapped: CorpusRecords, project: Project, cache: BuildCache, workers: int, progress: Progress | None
) -> tuple[ValidationReport, int]:
    """Validate every article's partition and the shared entities, reusing unchanged results.

    Returns the merged, sorted report and how many partitions were validated anew.
    """
    index, records = mapped.index, mapped.records
    shapes_files = project.shapes_files
    shapes_key = files_digest([*shapes_files, *project.vocabulary_files], index.inputs_key)
    # A partition's key names the edges to the people it refers to by the digest of each person's
    # edges (hubs hold thousands). While the shapes and every article's edges are as the last
    # validation saw them, the keys it gave stay valid: only new records need one.
    edges_key = combined([shapes_key, *(r.edges_digest for r in records if r.edges_digest)])
    reuse = index.validated_edges[0] == edges_key
    if reuse:
        edges_digest = index.validated_edges[1]
    else:
        edges_digest = {person: digest(edges) for person, edges in _held_by(records).items()}
        index.validated_edges = (edges_key, edges_digest)
        # Every key the index keeps is one given under these edges: the drafts left out of this
        # build get theirs when they are next validated.
        listed = {id(record) for record in records}
        for record in index.articles.values():
            if id(record) not in listed:
                record.validation_key = ""
    keys = [
        r.validation_key
        if reuse and r.validation_key
        else combined(
            [shapes_key, r.key, *(edges_digest[iri] for iri in r.referenced if iri in edges_digest)]
        )
        for r in records
    ]
    todo = [r for r, key in zip(records, keys, strict=True) if r.validation_key != key]
    shared_key = combined([shapes_key, *sorted(r.references_digest for r in records)])
    if todo or index.shared_validation[0] != shared_key:
        # Imported here: a rebuild with nothing to validate does without the engine (pyshacl).
        from dipkg.validate.validation import Validator, load_shapes, read_ontology

        context = mapped.context
        context.descriptions = mapped.inputs.entity_descriptions
        context.held_by = _held_by(records, {iri for r in todo for iri in r.referenced})
        context.validator = cache.validator(
            shapes_key,
            lambda: Validator(
                load_shapes(shapes_files), read_ontology(project.vocabulary_files), context.base_iri
            ),
        )
        seen: dict[object, Any] = {}
        for record, found in zip(
            todo, _run(validate_article, todo, context, workers, progress, "validating"), strict=True
        ):
            record.results = _shared_terms(found, seen)
        if index.shared_validation[0] != shared_key:
            set_context(context)
            references = sorted({line for r in records for line in load_output(r).references})
            entities = "".join(mapped.inputs.entity_lines)
            index.shared_validation = (shared_key, tuple(validate_shared(entities, references)))
    for record, key in zip(records, keys, strict=True):
        record.validation_key = key
    results = {result for r in records for result in r.results} | set(index.shared_validation[1])
    return ValidationReport(sorted(results, key=lambda r: r.sort_key())), len(todo)


def _held_by(records: list[ArticleRecord], people: set[str] | None = None) -> dict[str, list[str]]:
    """The `org:heldBy` edges to each person (of `people`, or all), sorted, each with the
    description of the post when an article defines the post itself."""
    local_posts = {post: lines for record in records for post, lines in record.local_posts}
    held_by: dict[str, list[str]] = {}
    for record in records:
        for post, person in record.held_by:
            if people is None or person in people:
                held_by.setdefault(person, []).append(held_by_line(post, person) + local_posts.get(post, ""))
    for edges in held_by.values():
        edges.sort()
    return held_by


def validate_corpus(project: Project, jobs: int | None = None) -> ValidationReport:
    """Map the project's seeds and validate them partition by partition, from scratch, writing nothing."""
    workers = jobs or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="dipkg-validate-") as folder:
        scratch = project.replace(kg=Path(folder), cache_dir=Path(folder))
        cache = BuildCache(Path(folder), project.seeds_dir, Path(folder))
        mapped = _map(scratch, Index(), cache, workers, None)
        return _validate(mapped, scratch, cache, workers, None)[0]
