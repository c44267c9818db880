"""`build`: load the seeds, map them to RDF and publish the knowledge graph."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dipkg import paths
from dipkg.annotation import load_corpus
from dipkg.mapping import map_corpus
from dipkg.namespaces import DEFAULT_BASE_IRI, DataNamespaces
from dipkg.publish import remove_stale, trig_bytes, turtle_bytes, write_files
from dipkg.vocabulary import load_ontology, vocabulary_of


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
        """Triples across the per-graph Turtle files (the TriG file holds the same triples)."""
        return sum(f.triples for f in self.files if f.path.endswith(".ttl"))


def build(
    seeds_dir: Path = paths.SEEDS_DIR,
    out_dir: Path = paths.KG_DIR,
    base_iri: str = DEFAULT_BASE_IRI,
    ontology_file: Path = paths.ONTOLOGY_FILE,
) -> BuildReport:
    """Build the knowledge graph from a seeds folder into an output folder.

    Everything is loaded and checked before anything is written; a bad input raises
    `InputError` and leaves the output folder untouched.
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
    changed = write_files(out_dir, files)
    removed = remove_stale(out_dir, paths.KG_ARTICLES_SUBDIR, set(files), ".ttl")
    published = [PublishedFile(path, counts[path], changed[path]) for path in files]
    return BuildReport(len(corpus.articles), published, removed)
