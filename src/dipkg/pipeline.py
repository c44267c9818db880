"""`build`: load the seeds, map them to RDF and publish the knowledge graph."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dipkg import paths
from dipkg.annotation import load_corpus
from dipkg.describe import describe_dataset
from dipkg.errors import EXIT_NOT_CONFORMING, DipkgError
from dipkg.mapping import map_corpus
from dipkg.namespaces import DEFAULT_BASE_IRI, DataNamespaces
from dipkg.publish import remove_stale, trig_bytes, turtle_bytes, write_files
from dipkg.vocabulary import load_ontology, vocabulary_of

if TYPE_CHECKING:
    from dipkg.validation import ValidationReport


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
) -> BuildReport:
    """Build the knowledge graph from a seeds folder into an output folder.

    Everything is loaded and checked before anything is written: a bad input raises
    `InputError`, and a graph that violates the shapes (unless `shapes` is None) raises
    `NotConforming`; either way the output folder is left untouched.
    """
    vocabulary = vocabulary_of(load_ontology(ontology_file))
    corpus = load_corpus(seeds_dir, vocabulary)
    mapped = map_corpus(corpus, base_iri)
    prefixes = DataNamespaces(base_iri).prefixes()
    named = [(mapped.entities_graph_iri, mapped.entities)]
    files: dict[str, bytes] = {paths.KG_ENTITIES_FILE: turtle_bytes(mapped.entities, prefixes)}
    counts: dict[str, int] = {paths.KG_ENTITIES_FILE: len(mapped.entities)}
    for article_id, (graph_iri, graph) in sorted(mapped.articles.items()):
        relative = f"{paths.KG_ARTICLES_SUBDIR}/{article_id}.ttl"
        files[relative] = turtle_bytes(graph, prefixes)
        counts[relative] = len(graph)
        named.append((graph_iri, graph))
    files[paths.KG_DATASET_FILE] = trig_bytes(named, prefixes)
    counts[paths.KG_DATASET_FILE] = sum(len(graph) for _, graph in named)
    query_names = sorted(p.stem for p in paths.QUERIES_DIR.glob("*.rq"))
    description = describe_dataset(named, base_iri, query_names)
    files[paths.KG_DESCRIPTION_FILE] = turtle_bytes(description, prefixes)
    counts[paths.KG_DESCRIPTION_FILE] = len(description)
    if shapes is not None:
        _check_conformance(files, shapes, base_iri)
    changed = write_files(out_dir, files)
    removed = remove_stale(out_dir, paths.KG_ARTICLES_SUBDIR, set(files), ".ttl")
    published = [PublishedFile(path, counts[path], changed[path]) for path in files]
    return BuildReport(len(corpus.articles), published, removed)


def _check_conformance(files: dict[str, bytes], shapes: Path, base_iri: str) -> None:
    from dipkg.rdfio import parse_quads
    from dipkg.validation import load_shapes, read_ontology, validate

    quads = [
        q for name, data in files.items() if name.endswith(".ttl") for q in parse_quads(data, "turtle", name)
    ]
    report = validate(quads, load_shapes(shapes), read_ontology(), base_iri)
    if not report.conforms("violation"):
        raise NotConforming(report)
