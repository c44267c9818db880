"""Per-article work for a corpus build: map and serialise one article, and validate one partition.

Each article is processed on its own, in worker processes: its graph, its Turtle, the edges it
points into the shared entities, and its validation results. A partition holds the article's
graph plus what its constraints can read outside it (the descriptions of the shared resources it
refers to, and every `org:heldBy` edge to the people it names); results are kept only for focus
nodes that belong to the article. The shared entities are validated once, with every edge that
points into them. The union equals validating the merged corpus at once (tested).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from dipkg.build.cache import ArticleRecord, load_pickle, save_pickle
from dipkg.build.describe import ArticleFacts
from dipkg.build.mapping import map_article
from dipkg.build.publish import turtle_file
from dipkg.build.turtle import turtle_parts
from dipkg.fingerprint import Signature, digest, signature
from dipkg.layout import ARTICLE_ANNOTATION_FILE, ARTICLE_META_FILE, ARTICLE_TEXT_FILE
from dipkg.namespaces import DIP, SCHEMA, DataNamespaces
from dipkg.seeds.annotation import load_article
from dipkg.seeds.model import Article, Registry
from dipkg.seeds.vocabulary import Vocabulary
from dipkg.seeds.yamlfile import read_bytes
from dipkg.validate.partitions import HELD_BY, context_lines, partition_results, subject_of
from dipkg.validate.results import ValidationResult

if TYPE_CHECKING:
    from dipkg.validate.validation import Validator


@dataclass
class ArticleOutput:
    """Everything a build keeps of one article once it is mapped."""

    article_id: str
    graph_iri: str
    prefix_lines: list[str]
    body: str
    triples: int
    classes: dict[str, int]
    references: list[str] = field(default_factory=list)

    @property
    def turtle(self) -> bytes:
        """The article's published Turtle file."""
        return turtle_file(self.prefix_lines, self.body)


@dataclass
class Context:
    """What every worker needs, set once per process."""

    registry: Registry
    vocabulary: Vocabulary
    base_iri: str
    prefixes: dict[str, str]
    shared: frozenset[str]
    inputs_key: str
    payload_dir: Path
    descriptions: dict[str, list[str]] = field(default_factory=dict)
    held_by: dict[str, list[str]] = field(default_factory=dict)
    validator: Validator | None = None
    full_text: bool = True


_context: Context | None = None


def set_context(context: Context) -> None:
    """Make `context` the one the functions below use (a process pool initializer)."""
    global _context
    _context = context


def _ctx() -> Context:
    assert _context is not None, "set_context() first"
    return _context


def ntriples_line(subject: object, predicate: object, obj: object) -> str:
    """One triple as an N-Triples line (rdflib terms)."""
    return f"{subject.n3()} {predicate.n3()} {obj.n3()} .\n"  # type: ignore[attr-defined]


def process_article(article_dir: Path) -> ArticleRecord:
    """Load, check, map and serialise one article folder; its output goes to the cache folder."""
    context = _ctx()
    files = [article_dir / name for name in ARTICLE_FILES]
    sources = tuple(signature(f) for f in files)
    seeds_dir = article_dir.parent.parent
    key = digest([context.inputs_key, *(part for f in files for part in (f.name, read_bytes(f, seeds_dir)))])
    article = load_article(article_dir, context.registry, context.vocabulary)
    graph_iri, graph = map_article(article, context.registry, context.base_iri, context.full_text)
    prefix_lines, body = turtle_parts(graph, context.prefixes)
    classes = Counter(str(o) for o in graph.objects(None, RDF.type))
    # Each statement pointing into the shared entities, as an N-Triples line and the IRI it points at.
    pointing = sorted(
        (ntriples_line(s, p, o), str(o))
        for s, p, o in graph
        if isinstance(o, URIRef) and str(o) in context.shared
    )
    references = [line for line, _ in pointing]
    targets = {target for _, target in pointing}
    held_by = tuple((subject_of(line), target) for line, target in pointing if f" <{HELD_BY}> " in line)
    # A post of the article's own held by a shared person: other articles' partitions that name
    # the person need the post's description with the edge (its class says whether it is diplomatic).
    local = sorted({post for post, _ in held_by if post not in context.shared})
    local_posts = tuple(
        (post, "".join(sorted(ntriples_line(*t) for t in graph.triples((URIRef(post), None, None)))))
        for post in local
    )
    output = ArticleOutput(
        article.id, str(graph_iri), prefix_lines, body, len(graph), dict(classes), references
    )
    save_pickle(context.payload_dir / f"{key}.pickle", output)
    return ArticleRecord(
        sources=sources,
        key=key,
        article_id=article.id,
        graph_iri=output.graph_iri,
        triples=output.triples,
        classes=output.classes,
        referenced=tuple(sorted(targets)),
        held_by=held_by,
        references_digest=digest(references),
        draft=article.is_draft,
        local_posts=local_posts,
        edges_digest=digest(
            [str(len(held_by)), *(part for pair in (*held_by, *local_posts) for part in pair)]
        )
        if held_by
        else "",
        facts=_facts(article, graph, targets),
    )


def _facts(article: Article, graph: Graph, referenced: set[str]) -> ArticleFacts:
    """The article's date, publisher, the countries it names and two example resources of it
    (`referenced`: the shared resources it points at)."""
    context = _ctx()
    ns = DataNamespaces(context.base_iri)
    iri = ns.article[article.id]
    publisher = graph.value(iri, SCHEMA.publisher)
    publisher_entity = article.entities.get(article.publisher) or context.registry.entities[article.publisher]
    countries = {str(s): str(graph.value(s, RDFS.label)) for s in graph.subjects(RDF.type, DIP.Country)}
    shared = sorted(iri for iri in referenced if iri.startswith(str(ns.entity)))
    for entity_iri in shared:
        entity = context.registry.entities.get(entity_iri[len(str(ns.entity)) :])
        if entity is not None and entity.type == "Country":
            countries[entity_iri] = entity.label
    events = sorted(str(s) for s in graph.subjects(DIP.inArticle, iri) if str(s).startswith(str(ns.event)))
    return ArticleFacts(
        iri=str(iri),
        published=article.date_published.isoformat(),
        publisher=str(publisher),
        publisher_label=publisher_entity.label,
        countries=tuple(sorted(countries.items())),
        event=events[0] if events else "",
        entity=shared[0] if shared else "",
    )


ARTICLE_FILES = (ARTICLE_TEXT_FILE, ARTICLE_META_FILE, ARTICLE_ANNOTATION_FILE)


def article_sources(article_dir: str | Path) -> tuple[Signature, ...]:
    """Size and modification time of an article folder's three files ((-1, -1) if missing)."""
    return tuple(signature(f"{article_dir}/{name}") for name in ARTICLE_FILES)


def held_by_line(post: str, person: str) -> str:
    """The N-Triples line stating that `person` holds `post`."""
    return f"<{post}> <{HELD_BY}> <{person}> .\n"


def load_output(record: ArticleRecord) -> ArticleOutput:
    """The full output of an article, from the cache folder."""
    output = load_pickle(_ctx().payload_dir / f"{record.key}.pickle")
    assert isinstance(output, ArticleOutput)
    return output


def validate_article(record: ArticleRecord) -> list[ValidationResult]:
    """Validate one article's partition; only results about the article's own nodes are kept."""
    context = _ctx()
    assert context.validator is not None
    quads = list(ox.parse(load_output(record).turtle, format=ox.RdfFormat.TURTLE))
    own = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)} - context.shared
    extra = context_lines(record.referenced, context.descriptions, context.held_by)
    return partition_results(context.validator, quads, extra, own.__contains__)


def validate_shared(entities_ntriples: str, references: list[str]) -> list[ValidationResult]:
    """Validate the shared entities together with every edge the articles point into them."""
    context = _ctx()
    assert context.validator is not None
    quads = list(ox.parse(entities_ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    return partition_results(context.validator, quads, references, context.shared.__contains__)
