"""`build`: load the seeds, map them to RDF, validate and publish the knowledge graph.

Articles are mapped and validated one by one, in parallel worker processes for a corpus, and
each is published as its own file; the TriG dataset is assembled from their serialisations.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rdflib import Graph
from rdflib.namespace import RDF

from dipkg import paths
from dipkg.annotation import load_registry
from dipkg.describe import describe_dataset
from dipkg.errors import EXIT_NOT_CONFORMING, DipkgError, InputError
from dipkg.iris import prefix_map
from dipkg.mapping import map_registry
from dipkg.namespaces import DEFAULT_BASE_IRI
from dipkg.partition import (
    HELD_BY,
    ArticleOutput,
    Context,
    process_article,
    set_context,
    validate_article,
    validate_shared,
)
from dipkg.publish import GENERATED_HEADER, remove_stale, turtle_file, write_files
from dipkg.turtle import trig_from_parts, turtle_parts
from dipkg.vocabulary import load_ontology, vocabulary_of

if TYPE_CHECKING:
    from dipkg.validation import ValidationReport, ValidationResult

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
    """What a build read and wrote."""

    articles: int
    files: list[PublishedFile]
    removed: list[str]

    @property
    def triples(self) -> int:
        """Triples of the dataset (the TriG file; the Turtle files split the same triples)."""
        return next(f.triples for f in self.files if f.path == paths.KG_DATASET_FILE)


def build(
    seeds_dir: Path = paths.SEEDS_DIR,
    out_dir: Path = paths.KG_DIR,
    base_iri: str = DEFAULT_BASE_IRI,
    ontology_file: Path = paths.ONTOLOGY_FILE,
    shapes: Path | None = paths.SHAPES_DIR,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build the knowledge graph from a seeds folder into an output folder.

    Everything is loaded, checked and validated before anything is written: a bad input raises
    `InputError`, and a graph that violates the shapes (unless `shapes` is None) raises
    `NotConforming`; either way the output folder is left untouched. `progress(stage, done, total)`
    is called as articles are processed.
    """
    if not seeds_dir.is_dir():
        raise InputError("seeds folder not found", seeds_dir)
    vocabulary = vocabulary_of(load_ontology(ontology_file))
    registry = load_registry(seeds_dir / paths.ENTITIES_SUBDIR, vocabulary)
    article_dirs = _article_dirs(seeds_dir)
    entities_iri, entities = map_registry(registry, base_iri)
    prefixes = prefix_map(base_iri)
    shared = frozenset(str(s) for s in entities.subjects())
    context = Context(registry, vocabulary, base_iri, prefixes, shared)
    workers = jobs or os.cpu_count() or 1
    outputs = list(_run(process_article, article_dirs, context, workers, progress, "mapping"))
    if shapes is not None:
        report = partitioned_report(outputs, entities, context, shapes, workers, progress)
        if not report.conforms("violation"):
            raise NotConforming(report)
    entity_lines, entity_body = turtle_parts(entities, prefixes)
    files: dict[str, bytes] = {paths.KG_ENTITIES_FILE: turtle_file(entity_lines, entity_body)}
    counts = {paths.KG_ENTITIES_FILE: len(entities)}
    sections = [(str(entities_iri), entity_lines, entity_body)]
    for output in outputs:
        relative = f"{paths.KG_ARTICLES_SUBDIR}/{output.article_id}.ttl"
        files[relative] = output.turtle
        counts[relative] = output.triples
        sections.append((output.graph_iri, output.prefix_lines, output.body))
    files[paths.KG_DATASET_FILE] = trig_from_parts(sections, GENERATED_HEADER).encode("utf-8")
    counts[paths.KG_DATASET_FILE] = sum(counts.values())
    graph_stats = [
        (str(entities_iri), len(entities), Counter(str(o) for o in entities.objects(None, RDF.type)))
    ]
    graph_stats += [(o.graph_iri, o.triples, Counter(o.classes)) for o in outputs]
    description = describe_dataset(
        graph_stats, base_iri, sorted(p.stem for p in paths.QUERIES_DIR.glob("*.rq"))
    )
    description_lines, description_body = turtle_parts(description, prefixes)
    files[paths.KG_DESCRIPTION_FILE] = turtle_file(description_lines, description_body)
    counts[paths.KG_DESCRIPTION_FILE] = len(description)
    changed = write_files(out_dir, files)
    removed = remove_stale(out_dir, paths.KG_ARTICLES_SUBDIR, set(files), ".ttl")
    published = [PublishedFile(path, counts[path], changed[path]) for path in files]
    return BuildReport(len(outputs), published, removed)


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


def partitioned_report(
    outputs: list[ArticleOutput],
    entities: Graph,
    context: Context,
    shapes: Path,
    workers: int,
    progress: Progress | None = None,
) -> ValidationReport:
    """Validate every article's partition and the shared entities; the results, merged and sorted."""
    from dipkg.validation import ValidationReport, Validator, load_shapes, read_ontology

    references = [line for output in outputs for line in output.references]
    held_by: dict[str, list[str]] = {}
    for line in references:
        if f" <{HELD_BY}> " in line:
            held_by.setdefault(line.rsplit(" ", 2)[-2][1:-1], []).append(line)
    descriptions: dict[str, list[str]] = {}
    entity_lines = []
    for s, p, o in entities:
        line = f"{s.n3()} {p.n3()} {o.n3()} .\n"
        descriptions.setdefault(str(s), []).append(line)
        entity_lines.append(line)
    context.descriptions = descriptions
    context.held_by = held_by
    context.validator = Validator(load_shapes(shapes), read_ontology(), context.base_iri)
    results: list[ValidationResult] = []
    for found in _run(validate_article, outputs, context, workers, progress, "validating"):
        results.extend(found)
    set_context(context)
    results.extend(validate_shared("".join(sorted(entity_lines)), sorted(set(references))))
    return ValidationReport(sorted(set(results), key=lambda r: r.sort_key()))


def validate_corpus(
    seeds_dir: Path,
    base_iri: str = DEFAULT_BASE_IRI,
    shapes: Path = paths.SHAPES_DIR,
    jobs: int | None = None,
) -> ValidationReport:
    """Map a seeds folder and validate it partition by partition, without writing anything."""
    vocabulary = vocabulary_of(load_ontology(paths.ONTOLOGY_FILE))
    registry = load_registry(seeds_dir / paths.ENTITIES_SUBDIR, vocabulary)
    _, entities = map_registry(registry, base_iri)
    shared = frozenset(str(s) for s in entities.subjects())
    context = Context(registry, vocabulary, base_iri, prefix_map(base_iri), shared)
    workers = jobs or os.cpu_count() or 1
    outputs = list(_run(process_article, _article_dirs(seeds_dir), context, workers, None, "mapping"))
    return partitioned_report(outputs, entities, context, shapes, workers)
