"""Validate a dataset graph by graph, each with what its constraints read outside it.

A dataset is read as units: one per named graph of each input (a file's default graph is a unit
of its own). A unit whose resources other units point at, such as the shared entities, is a hub:
its resources are shared. Every other unit is validated with, beside its own triples, the
description of each shared resource it names and every `org:heldBy` edge to it (with the post's
description, since a summons checks that its target holds a diplomatic post); only results
about the unit's own resources are kept. The shared resources are validated once, with every
statement that points at them. The union of the results equals validating the merged dataset
at once (tested), and each worker process holds one partition at a time.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from dipkg.dataset import Snapshot, consistent
from dipkg.progress import Progress, tracked
from dipkg.rdfio import format_for, parse_quads, read_quads
from dipkg.validate.results import ValidationReport, ValidationResult

if TYPE_CHECKING:
    from dipkg.validate.validation import Validator

HELD_BY = "http://www.w3.org/ns/org#heldBy"
PARALLEL_FROM = 8
SEVERAL = -1


def subject_of(line: str) -> str:
    """The subject IRI (or `_:label`) of an N-Triples line."""
    head = line.split(" ", 1)[0]
    return head[1:-1] if head.startswith("<") else head


def object_iri(line: str) -> str | None:
    """The object IRI of an N-Triples line, or None when the object is a literal or blank node."""
    body = line.rstrip()
    if not body.endswith("> ."):
        return None
    start = body.rfind("<")
    return body[start + 1 : -3] if body[start - 1] == " " else None


def context_lines(
    named: Iterable[str], descriptions: dict[str, list[str]], held_by: dict[str, list[str]]
) -> list[str]:
    """What a partition reads outside its unit: the descriptions of the shared resources it names,
    every `org:heldBy` edge to them and the descriptions of those posts (sorted, each line once)."""
    extra: list[str] = []
    for iri in named:
        extra.extend(descriptions.get(iri, []))
        for edge in held_by.get(iri, []):
            extra.append(edge)
            extra.extend(descriptions.get(subject_of(edge), []))
    return sorted(set(extra))


def partition_results(
    validator: Validator, quads: list[ox.Quad], extra: list[str], keep: Callable[[str], bool]
) -> list[ValidationResult]:
    """Validate a unit's quads with the N-Triples lines `extra`; keep the results whose focus node
    `keep` accepts."""
    if extra:
        quads = [*quads, *ox.parse("".join(extra).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)]
    report = validator.validate(quads)
    return [r for r in report.results if keep(str(r.focus))]


@dataclass
class Units:
    """The units of a dataset, written as N-Triples files into a scratch folder, and where each
    resource is described and named."""

    folder: Path
    vocabulary: frozenset[str]
    files: list[Path] = field(default_factory=list)
    described_in: dict[str, int] = field(default_factory=dict)
    named_in: dict[str, int] = field(default_factory=dict)

    def add(self, lines: list[str]) -> None:
        """One more unit, its triples as N-Triples lines."""
        unit = len(self.files)
        path = self.folder / f"{unit}.nt"
        path.write_text("".join(lines), encoding="utf-8")
        self.files.append(path)
        for line in lines:
            _note(self.described_in, subject_of(line), unit)
            target = object_iri(line)
            if target is not None and target not in self.vocabulary:
                _note(self.named_in, target, unit)

    def hubs(self) -> set[int]:
        """The units describing a resource that another unit names."""
        hubs: set[int] = set()
        for iri, unit in self.described_in.items():
            if unit == SEVERAL:
                continue
            named = self.named_in.get(iri, unit)
            if named != unit:
                hubs.add(unit)
        return hubs


def _note(where: dict[str, int], iri: str, unit: int) -> None:
    seen = where.get(iri)
    if seen is None:
        where[iri] = unit
    elif seen != unit:
        where[iri] = SEVERAL


def _lines(path: Path) -> list[str]:
    """The N-Triples lines of a unit file (split at line feeds only: a literal may hold U+2028)."""
    return [line + "\n" for line in path.read_bytes().decode("utf-8").split("\n")[:-1]]


def ntriples_lines(quads: Iterable[ox.Quad]) -> list[str]:
    """Each quad's triple as an N-Triples line."""
    return [f"{q.subject} {q.predicate} {q.object} .\n" for q in quads]


@dataclass
class Shared:
    """What the partitions need of the hub units: shared resources, their descriptions and edges."""

    resources: frozenset[str]
    descriptions: dict[str, list[str]]
    held_by: dict[str, list[str]]
    references: list[str]


def shared_of(units: Units, hubs: set[int]) -> Shared:
    """Read the units again: the hubs' descriptions, every line of the others that points at them or
    says more of them, and the descriptions of the units' own resources those lines point at."""
    resources = frozenset(iri for iri, unit in units.described_in.items() if unit in hubs or unit == SEVERAL)
    descriptions: dict[str, list[str]] = {}
    held_by: dict[str, list[str]] = {}
    references: list[str] = []
    for unit, path in enumerate(units.files):
        lines = _lines(path)
        if unit in hubs:
            for line in lines:
                descriptions.setdefault(subject_of(line), []).append(line)
            continue
        by_subject: dict[str, list[str]] = {}
        for line in lines:
            by_subject.setdefault(subject_of(line), []).append(line)
        for line in lines:
            subject, target = subject_of(line), object_iri(line)
            if subject in resources:
                descriptions.setdefault(subject, []).append(line)
                if target is not None and target not in resources and target in by_subject:
                    # What the unit says of its own resource that a shared one points at (a local
                    # person holding a shared post: the post's shape reads the person's class).
                    references.extend(by_subject[target])
            if target is not None and target in resources:
                references.append(line)
                if f" <{HELD_BY}> " in line:
                    held_by.setdefault(target, []).append(line + "".join(by_subject[subject]))
    for edges in held_by.values():
        edges.sort()
    return Shared(resources, descriptions, held_by, references)


_validator: Validator | None = None
_shared: Shared | None = None


def _set_up(validator: Validator, shared: Shared) -> None:
    global _validator, _shared
    _validator, _shared = validator, shared


def _validate_unit(path: Path) -> list[ValidationResult]:
    assert _validator is not None and _shared is not None
    shared = _shared
    lines = _lines(path)
    nodes = {subject_of(line) for line in lines} | {t for line in lines if (t := object_iri(line))}
    own = nodes - shared.resources
    extra = context_lines(sorted(nodes & shared.resources), shared.descriptions, shared.held_by)
    return partition_results(_validator, _parsed(lines), extra, own.__contains__)


def _validate_shared(shared: Shared) -> list[ValidationResult]:
    assert _validator is not None
    lines = [line for iri in sorted(shared.descriptions) for line in shared.descriptions[iri]]
    extra = sorted(set(shared.references))
    return partition_results(_validator, _parsed(lines), extra, shared.resources.__contains__)


def _parsed(lines: list[str]) -> list[ox.Quad]:
    return list(ox.parse("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))


Reader = Callable[[Units], None]


def validate_units(
    read: Reader,
    validator: Validator,
    vocabulary: frozenset[str],
    jobs: int | None = None,
    progress: Progress | None = None,
) -> ValidationReport:
    """Validate the units `read` adds, partition by partition, in worker processes."""
    with tempfile.TemporaryDirectory(prefix="dipkg-validate-") as folder:
        units = Units(Path(folder), vocabulary)
        read(units)
        hubs = units.hubs()
        shared = shared_of(units, hubs)
        todo = [path for unit, path in enumerate(units.files) if unit not in hubs]
        for_units = Shared(shared.resources, shared.descriptions, shared.held_by, [])
        results: set[ValidationResult] = set()
        for found in tracked(_run(todo, validator, for_units, jobs), len(todo), "validating", progress):
            results.update(found)
        _set_up(validator, shared)
        results.update(_validate_shared(shared))
    return ValidationReport(sorted(results, key=ValidationResult.sort_key))


def _run(
    todo: list[Path], validator: Validator, shared: Shared, jobs: int | None
) -> Iterator[list[ValidationResult]]:
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(todo) < PARALLEL_FROM:
        _set_up(validator, shared)
        yield from map(_validate_unit, todo)
        return
    # Imported here: a process that validates a few partitions never starts workers.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, len(todo) // (workers * 16))
    # Workers start from a fresh interpreter, not as forks of this process: they do not inherit
    # (and count as theirs) the index of every resource this process holds.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=_set_up,
        initargs=(validator, shared),
    )
    with pool:
        yield from pool.map(_validate_unit, todo, chunksize=chunk)


def file_units(names: list[str], input_format: str | None, progress: Progress | None = None) -> Reader:
    """A reader of RDF files (`-` for standard input): one unit per graph of each file."""

    def read(units: Units) -> None:
        for name in tracked(names, len(names), "reading", progress):
            by_graph: dict[str, list[ox.Quad]] = {}
            for quad in read_quads(name, format_for(name, input_format)):
                by_graph.setdefault(str(quad.graph_name), []).append(quad)
            for quads in by_graph.values():
                units.add(ntriples_lines(quads))

    return read


def dataset_units(kg_dir: Path, progress: Progress | None = None) -> Reader:
    """A reader of a published kg/ folder: one unit per named graph, all from one publication."""

    def read(units: Units) -> None:
        def each(current: Snapshot) -> None:
            for graph in tracked(current.graphs, len(current.graphs), "reading", progress):
                units.add(ntriples_lines(parse_quads(current.read(graph), "turtle", str(graph.path))))

        consistent(kg_dir, each)

    return read
