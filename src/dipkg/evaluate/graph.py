"""What evaluation reads of the published graph and the ontology, as plain indexes.

The graph is read through the dataset's snapshot (the files kg/void.ttl lists, each checked
against its SHA-256): the shared graphs (entities) and the named graph of each article evaluated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from dipkg.dataset import Snapshot, consistent
from dipkg.iris import STANDARD_NAMESPACES
from dipkg.rdfio import parse_quads

DIP = STANDARD_NAMESPACES["dip"]
RDF_TYPE = STANDARD_NAMESPACES["rdf"] + "type"
RDFS_LABEL = STANDARD_NAMESPACES["rdfs"] + "label"
SUBCLASS_OF = STANDARD_NAMESPACES["rdfs"] + "subClassOf"
ALT_LABEL = STANDARD_NAMESPACES["skos"] + "altLabel"
CLOSE_MATCH = STANDARD_NAMESPACES["skos"] + "closeMatch"
PLOVER = STANDARD_NAMESPACES["plover"]
OA_START = STANDARD_NAMESPACES["oa"] + "start"
OA_END = STANDARD_NAMESPACES["oa"] + "end"
SCHEMA_TEXT = STANDARD_NAMESPACES["schema"] + "text"
ARTICLE_GRAPH_PATH = "graph/article/"

Index = dict[str, dict[str, list[str]]]


def normalised(text: str) -> str:
    """Text compared case-insensitively with white space collapsed."""
    return " ".join(text.split()).casefold()


def index_of(quads: Iterable[ox.Quad]) -> Index:
    """Subject, then predicate, to the objects (IRIs and literals alike as their plain values)."""
    index: Index = defaultdict(lambda: defaultdict(list))
    for quad in quads:
        subject, obj = _plain(quad.subject), _plain(quad.object)
        if subject is not None and obj is not None:
            index[subject][quad.predicate.value].append(obj)
    return index


def _plain(term: object) -> str | None:
    """An IRI or literal as its value, a blank node as `_:id`; None for a quoted triple."""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term.value)
    return None


@dataclass
class Ontology:
    """The classes evaluation needs: their parents, labels and PLOVER categories."""

    parents: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)
    categories: dict[str, list[str]] = field(default_factory=dict)
    close_matches: dict[str, list[str]] = field(default_factory=dict)
    _ancestry: dict[str, list[list[str]]] = field(default_factory=dict)

    @classmethod
    def read(cls, files: Iterable[Path]) -> Ontology:
        ontology = cls()
        for path in files:
            for quad in parse_quads(path.read_bytes(), "turtle", str(path)):
                subject, predicate, obj = _plain(quad.subject), quad.predicate.value, _plain(quad.object)
                if subject is None or obj is None:
                    continue
                if predicate == SUBCLASS_OF:
                    ontology.parents.setdefault(subject, []).append(obj)
                elif predicate in (RDFS_LABEL, ALT_LABEL):
                    ontology.labels.setdefault(subject, []).append(obj)
                elif predicate == DIP + "ploverCategory" and obj.startswith(PLOVER):
                    ontology.categories.setdefault(subject, []).append(obj[len(PLOVER) :])
                elif predicate == CLOSE_MATCH and obj.startswith(PLOVER):
                    ontology.close_matches.setdefault(subject, []).append(obj[len(PLOVER) :])
        return ontology

    def ancestry(self, cls: str) -> list[list[str]]:
        """The class, then its parents, grandparents ... level by level (each class once)."""
        if cls in self._ancestry:
            return self._ancestry[cls]
        levels, seen, level = [], {cls}, [cls]
        while level:
            levels.append(level)
            following = []
            for member in level:
                for parent in self.parents.get(member, []):
                    if parent not in seen:
                        seen.add(parent)
                        following.append(parent)
            level = following
        self._ancestry[cls] = levels
        return levels

    def is_a(self, cls: str, root: str) -> bool:
        return any(root in level for level in self.ancestry(cls))

    def plover(self, cls: str) -> list[str]:
        """The PLOVER categories of a class: its dip:ploverCategory, else its nearest superclass's;
        where no class up the hierarchy has one, the same with skos:closeMatch plover:X."""
        for table in (self.categories, self.close_matches):
            for level in self.ancestry(cls):
                found = sorted({name for member in level for name in table.get(member, [])})
                if found:
                    return found
        return []


@dataclass
class Graphs:
    """The published graph as evaluation reads it: the base IRI, the shared graphs and each article's."""

    base_iri: str
    shared: Index
    articles: dict[str, Index]
    missing: list[str]


def read_graphs(kg_dir: Path, article_ids: list[str]) -> Graphs:
    """The shared graphs and the named graph of each article (ids without one are `missing`)."""
    return consistent(kg_dir, lambda current: _read(current, article_ids))


def _read(current: Snapshot, article_ids: list[str]) -> Graphs:
    prefix = current.base_iri + ARTICLE_GRAPH_PATH
    wanted = {prefix + article: article for article in article_ids}
    shared: list[ox.Quad] = []
    articles: dict[str, Index] = {}
    for graph in current.graphs:
        if graph.name.startswith(prefix) and graph.name not in wanted:
            continue
        quads = parse_quads(current.read(graph), "turtle", str(graph.path))
        if graph.name in wanted:
            articles[wanted[graph.name]] = index_of(quads)
        else:
            shared.extend(quads)
    missing = [article for article in article_ids if article not in articles]
    return Graphs(current.base_iri, index_of(shared), articles, missing)


class ArticleGraph:
    """One article's named graph over the shared graphs, with the lookups scoring needs."""

    def __init__(self, base_iri: str, article: str, own: Index, shared: Index, ontology: Ontology) -> None:
        self.iri = f"{base_iri}article/{article}"
        self.own = own
        self.shared = shared
        self.ontology = ontology
        self._label_cache: dict[str, set[str]] = {}
        in_article = {s for s, props in own.items() if self.iri in props.get(DIP + "inArticle", [])}
        self.events = self._typed(in_article, DIP + "Event")
        self.quotations = self._typed(in_article, DIP + "Quotation")
        self.holdings = self._typed(in_article, DIP + "PostHolding")
        self.claims = self._typed(in_article, DIP + "Claim")
        texts = self.values(self.iri, SCHEMA_TEXT)
        self.text = texts[0] if texts else ""
        self._containing: dict[str, list[str]] = defaultdict(list)
        for event in self.events:
            for part in self.values(event, DIP + "subEvent"):
                self._containing[part].append(event)

    def _typed(self, subjects: Iterable[str], root: str) -> list[str]:
        return sorted(s for s in subjects if any(self.ontology.is_a(c, root) for c in self.types(s)))

    def values(self, subject: str, predicate: str) -> list[str]:
        """The objects of `subject predicate`, in the article's graph and the shared ones."""
        own = self.own.get(subject, {}).get(predicate, [])
        shared = self.shared.get(subject, {}).get(predicate, [])
        return own + shared if shared else list(own)

    def types(self, subject: str) -> list[str]:
        return self.values(subject, RDF_TYPE)

    def labels(self, node: str) -> set[str]:
        """The rdfs:label and skos:altLabel values of a node, normalised."""
        if node not in self._label_cache:
            found = self.values(node, RDFS_LABEL) + self.values(node, ALT_LABEL)
            self._label_cache[node] = {normalised(label) for label in found}
        return self._label_cache[node]

    def is_group(self, node: str) -> bool:
        return any(self.ontology.is_a(c, DIP + "ActorGroup") for c in self.types(node))

    def group_links(self, node: str) -> list[str]:
        """The named members and affiliations of a group (none for other nodes)."""
        if not self.is_group(node):
            return []
        return self.values(node, DIP + "member") + self.values(node, DIP + "affiliatedWith")

    def side_links(self, node: str) -> list[str]:
        """The states or organisations a node acts for: the state of a government body, and what
        the posts the article says the node holds (currently) represent."""
        found = self.values(node, DIP + "bodyOf")
        for holding in self.holdings:
            if node in self.values(holding, DIP + "holder") and not self.values(holding, DIP + "former"):
                for post in self.values(holding, DIP + "post"):
                    found += self.values(post, DIP + "represents")
        return found

    def spans(self, node: str) -> list[tuple[int, int]]:
        """The offsets of a node's dip:evidence spans."""
        found = []
        for span in self.values(node, DIP + "evidence"):
            starts, ends = self.values(span, OA_START), self.values(span, OA_END)
            if starts and ends and starts[0].isdigit() and ends[0].isdigit():
                found.append((int(starts[0]), int(ends[0])))
        return found

    def sub_events(self, event: str) -> set[str]:
        """The event and every event it contains through dip:subEvent, transitively."""
        return self._closure(event, lambda node: self.values(node, DIP + "subEvent"))

    def packages(self, event: str) -> set[str]:
        """The event and every event containing it through dip:subEvent, transitively."""
        return self._closure(event, lambda node: self._containing.get(node, []))

    @staticmethod
    def _closure(start: str, step: Callable[[str], list[str]]) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            for following in step(todo.pop()):
                if following not in seen:
                    seen.add(following)
                    todo.append(following)
        return seen

    def is_entity_node(self, node: str) -> bool:
        """Whether the node is declared an actor or a place, in the article's graph or a shared one."""
        return any(
            self.ontology.is_a(c, DIP + "Actor") or self.ontology.is_a(c, DIP + "Place")
            for c in self.types(node)
        )

    def is_local_entity(self, node: str) -> bool:
        """Whether the article's own graph declares the node an actor or a place."""
        declared = self.own.get(node, {}).get(RDF_TYPE, [])
        return any(
            self.ontology.is_a(c, DIP + "Actor") or self.ontology.is_a(c, DIP + "Place") for c in declared
        )

    def referenced(self) -> set[str]:
        """Every actor or place the article's graph refers to (in an event, unrealised act,
        quotation, holding, claim or evidence attribution), and the article's own entities, with
        the named members and affiliations of the groups among them."""
        found = {s for s in self.own if self.is_local_entity(s)}
        for properties in self.own.values():
            for predicate, objects in properties.items():
                if predicate != RDF_TYPE:
                    found.update(o for o in objects if self.is_entity_node(o))
        for node in list(found):
            found.update(self.group_links(node))
        return found
