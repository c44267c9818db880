"""The site's index: what each published graph says about each resource, kept between builds.

For every graph of kg/ (by its SHA-256 from kg/void.ttl) the index holds, per resource IRI under
the base, the statements of that graph about the resource (as subject or object; a class's
instances are not statements about the class, so `rdf:type` is not followed back) and the context
a page needs of its neighbours (their types, labels, roles, dates and evidence words). A rebuild
after one article changed re-reads that article's graph alone, and knows from the index which
resources it spoke of before and speaks of now: only their pages are made again.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from dipkg.iris import STANDARD_NAMESPACES
from dipkg.rdfio import parse_quads
from dipkg.web.documents import term_value
from dipkg.web.paths import document_path

DIP = STANDARD_NAMESPACES["dip"]
RDF_TYPE = STANDARD_NAMESPACES["rdf"] + "type"
LABEL = STANDARD_NAMESPACES["rdfs"] + "label"
PREF_LABEL = STANDARD_NAMESPACES["skos"] + "prefLabel"
SENTENCE = DIP + "sentence"
ACTOR = DIP + "actor"
TARGET = DIP + "target"
DATE = DIP + "date"
YEAR = DIP + "year"
# Types of what an article states that are never events (the bulk of its resources).
NOT_EVENTS = {DIP + "EvidenceSpan", DIP + "Sentence"}
IN_ARTICLE = DIP + "inArticle"
DATE_PUBLISHED = STANDARD_NAMESPACES["schema"] + "datePublished"
EVIDENCE = DIP + "evidence"
ARTICLE = DIP + "Article"
# What a page shows of a neighbour described in the same graph.
CONTEXT_PREDICATES = frozenset(
    [
        RDF_TYPE,
        LABEL,
        PREF_LABEL,
        DIP + "actor",
        DIP + "target",
        DIP + "date",
        DIP + "claimant",
        DIP + "speaker",
        DIP + "inArticle",
        SENTENCE,
        STANDARD_NAMESPACES["oa"] + "exact",
        STANDARD_NAMESPACES["oa"] + "start",
        STANDARD_NAMESPACES["oa"] + "end",
        STANDARD_NAMESPACES["schema"] + "datePublished",
        STANDARD_NAMESPACES["schema"] + "headline",
    ]
)
SCHEMA = """
CREATE TABLE IF NOT EXISTS graphs (graph TEXT PRIMARY KEY, sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS statements (
  resource TEXT NOT NULL, graph TEXT NOT NULL, path TEXT NOT NULL, lines TEXT NOT NULL,
  PRIMARY KEY (resource, graph));
CREATE INDEX IF NOT EXISTS statements_by_graph ON statements (graph);
CREATE INDEX IF NOT EXISTS statements_by_path ON statements (path);
CREATE TABLE IF NOT EXISTS labels (iri TEXT NOT NULL, graph TEXT NOT NULL, label TEXT NOT NULL,
  PRIMARY KEY (iri, graph));
CREATE INDEX IF NOT EXISTS labels_by_graph ON labels (graph);
CREATE TABLE IF NOT EXISTS types (iri TEXT NOT NULL, graph TEXT NOT NULL, type TEXT NOT NULL,
  PRIMARY KEY (iri, graph, type));
CREATE INDEX IF NOT EXISTS types_by_graph ON types (graph);
CREATE INDEX IF NOT EXISTS types_by_type ON types (type);
CREATE TABLE IF NOT EXISTS events (iri TEXT NOT NULL, graph TEXT NOT NULL, date TEXT NOT NULL,
  article TEXT NOT NULL, types TEXT NOT NULL, actors TEXT NOT NULL, targets TEXT NOT NULL,
  PRIMARY KEY (iri, graph));
CREATE INDEX IF NOT EXISTS events_by_graph ON events (graph);
CREATE TABLE IF NOT EXISTS articles (iri TEXT NOT NULL, graph TEXT NOT NULL, date TEXT NOT NULL,
  PRIMARY KEY (iri, graph));
CREATE INDEX IF NOT EXISTS articles_by_graph ON articles (graph);
CREATE TABLE IF NOT EXISTS pages (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mentions (iri TEXT NOT NULL, graph TEXT NOT NULL, path TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS mentions_by_iri ON mentions (iri);
CREATE INDEX IF NOT EXISTS mentions_by_graph ON mentions (graph);
CREATE TABLE IF NOT EXISTS pending (path TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def ntriple(triple: ox.Triple) -> str:
    """One triple as an N-Triples line (without its newline)."""
    return f"{triple.subject} {triple.predicate} {triple.object} ."


@dataclass
class GraphSummary:
    """What the site needs of one graph: per resource under the base, its document's path and the
    N-Triples lines about it and its neighbours; the labels and types the graph gives; its events
    (IRI, date, article, types, actors, targets) and its articles (IRI, date published); and which
    documents show IRIs that other graphs describe (whose labels they print)."""

    statements: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    types: set[tuple[str, str]] = field(default_factory=set)
    events: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    # (IRI, document path): IRIs a document of this graph shows that another graph describes.
    mentions: set[tuple[str, str]] = field(default_factory=set)
    articles: list[tuple[str, str]] = field(default_factory=list)


def summarise(data: bytes, name: str, base_iri: str) -> GraphSummary:
    """Read one graph's file (see `GraphSummary`). An article's lines also hold every evidence
    link of its graph, so that its page can say what each span supports."""
    triples = [quad.triple for quad in parse_quads(data, "turtle", name)]
    summary = GraphSummary()
    outgoing: dict[str, list[ox.Triple]] = defaultdict(list)
    incoming: dict[str, list[ox.Triple]] = defaultdict(list)
    for triple in triples:
        subject = term_value(triple.subject)
        predicate = triple.predicate.value
        outgoing[subject].append(triple)
        if predicate == RDF_TYPE:
            summary.types.add((subject, term_value(triple.object)))
        elif isinstance(triple.object, ox.NamedNode):
            incoming[triple.object.value].append(triple)
        elif (
            predicate in (LABEL, PREF_LABEL)
            and isinstance(triple.object, ox.Literal)
            and triple.object.language in (None, "en")
            and (subject not in summary.labels or predicate == LABEL)
        ):
            summary.labels[subject] = triple.object.value
    contexts: dict[str, list[str]] = {}

    def context(node: str) -> list[str]:
        if node not in contexts:
            lines = []
            for triple in outgoing.get(node, ()):
                if triple.predicate.value in CONTEXT_PREDICATES:
                    lines.append(ntriple(triple))
                    if triple.predicate.value == SENTENCE and isinstance(triple.object, ox.NamedNode):
                        lines += [
                            ntriple(t)
                            for t in outgoing.get(triple.object.value, ())
                            if t.predicate.value in CONTEXT_PREDICATES
                        ]
            contexts[node] = lines
        return contexts[node]

    evidence = [t for t in triples if t.predicate.value == EVIDENCE]
    articles = {subject for subject, kind in summary.types if kind == ARTICLE}
    for resource in set(outgoing) | set(incoming):
        path = document_path(resource, base_iri)
        if path is None:
            continue
        own = [*outgoing.get(resource, ()), *incoming.get(resource, ())]
        if resource in articles:
            own += evidence
        lines = set()
        for triple in own:
            lines.add(ntriple(triple))
            for end in (triple.subject, triple.object):
                if isinstance(end, ox.NamedNode) and end.value != resource:
                    lines.update(context(end.value))
                    if end.value not in outgoing:
                        summary.mentions.add((end.value, path))
        summary.statements[resource] = (path, sorted(lines))
    for subject, said in outgoing.items():
        values: dict[str, list[str]] = defaultdict(list)
        for triple in said:
            values[triple.predicate.value].append(term_value(triple.object))
        if subject in articles:
            summary.articles.append((subject, min(values.get(DATE_PUBLISHED, [""]))))
        elif values.get(IN_ARTICLE) and values.get(RDF_TYPE) and not set(values[RDF_TYPE]) & NOT_EVENTS:
            summary.events.append(
                (
                    subject,
                    min(values.get(DATE) or values.get(YEAR) or [""]),
                    min(values[IN_ARTICLE]),
                    "\n".join(sorted(values.get(RDF_TYPE, []))),
                    "\n".join(sorted(values.get(ACTOR, []))),
                    "\n".join(sorted(values.get(TARGET, []))),
                )
            )
    return summary


class SiteIndex:
    """The SQLite file that remembers, between builds, what each graph said and each page held."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        if read_only:
            self.connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.executescript(SCHEMA)

    def close(self) -> None:
        self.connection.close()

    def setting(self, key: str) -> str | None:
        row = self.connection.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        self.connection.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))

    def graphs(self) -> dict[str, str]:
        """Each indexed graph and the SHA-256 of the file it was read from."""
        return dict(self.connection.execute("SELECT graph, sha256 FROM graphs"))

    def paths_of(self, graph: str) -> set[str]:
        """The documents of the resources a graph spoke of when it was indexed."""
        query = "SELECT DISTINCT path FROM statements WHERE graph = ?"
        return {row[0] for row in self.connection.execute(query, (graph,))}

    def lines_of(self, graph: str) -> dict[str, tuple[str, str]]:
        """What a graph said of each resource when it was indexed: its document's path and lines."""
        query = "SELECT resource, path, lines FROM statements WHERE graph = ?"
        return {resource: (path, lines) for resource, path, lines in self.connection.execute(query, (graph,))}

    def labels_of(self, graph: str) -> dict[str, str]:
        """The labels a graph gave when it was indexed."""
        return dict(self.connection.execute("SELECT iri, label FROM labels WHERE graph = ?", (graph,)))

    def paths_mentioning(self, iris: Iterable[str]) -> set[str]:
        """The documents that show any of `iris` described in another graph."""
        found: set[str] = set()
        wanted = sorted(set(iris))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = f"SELECT DISTINCT path FROM mentions WHERE iri IN ({','.join('?' * len(chunk))})"
            found.update(row[0] for row in self.connection.execute(query, chunk))
        return found

    def all_paths(self) -> set[str]:
        return {row[0] for row in self.connection.execute("SELECT DISTINCT path FROM statements")}

    def resources_at(self, path: str) -> list[str]:
        """The resources one document describes (several for the hash IRIs of one document)."""
        query = "SELECT DISTINCT resource FROM statements WHERE path = ? ORDER BY resource"
        return [row[0] for row in self.connection.execute(query, (path,))]

    def replace_graph(self, graph: str, sha256: str, summary: GraphSummary) -> None:
        """Forget what `graph` said and remember what it says now."""
        self.drop_graph(graph)
        self.connection.executemany(
            "INSERT INTO statements VALUES (?, ?, ?, ?)",
            (
                (resource, graph, path, "\n".join(lines))
                for resource, (path, lines) in summary.statements.items()
            ),
        )
        self.connection.executemany(
            "INSERT INTO labels VALUES (?, ?, ?)",
            ((iri, graph, label) for iri, label in summary.labels.items()),
        )
        self.connection.executemany(
            "INSERT INTO types VALUES (?, ?, ?)", ((i, graph, t) for i, t in sorted(summary.types))
        )
        self.connection.executemany(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((iri, graph, *rest) for iri, *rest in summary.events),
        )
        self.connection.executemany(
            "INSERT INTO articles VALUES (?, ?, ?)", ((iri, graph, date) for iri, date in summary.articles)
        )
        self.connection.executemany(
            "INSERT INTO mentions VALUES (?, ?, ?)",
            ((iri, graph, path) for iri, path in sorted(summary.mentions)),
        )
        self.connection.execute("INSERT INTO graphs VALUES (?, ?)", (graph, sha256))

    def drop_graph(self, graph: str) -> None:
        for table in ("statements", "labels", "types", "events", "articles", "mentions", "graphs"):
            self.connection.execute(f"DELETE FROM {table} WHERE graph = ?", (graph,))

    def statements(self, path: str) -> list[str]:
        """Every N-Triples line the graphs say about the resources of one document and their
        neighbours, deduplicated and sorted."""
        lines: set[str] = set()
        for (text,) in self.connection.execute("SELECT lines FROM statements WHERE path = ?", (path,)):
            lines.update(text.split("\n"))
        return sorted(lines)

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        """The label the graphs give each IRI (the smallest, if several do)."""
        found: dict[str, str] = {}
        wanted = sorted(set(iris))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT iri, MIN(label) FROM labels WHERE iri IN ({marks}) GROUP BY iri"
            found.update(dict(self.connection.execute(query, chunk)))
        return found

    def events(self) -> list[tuple[str, str, str, list[str], list[str], list[str]]]:
        """Every event candidate: IRI, date, article, types, actors, targets."""
        query = "SELECT iri, MIN(date), MIN(article), types, actors, targets FROM events"
        query += " GROUP BY iri ORDER BY iri"
        return [
            (iri, date, article, _split(types), _split(actors), _split(targets))
            for iri, date, article, types, actors, targets in self.connection.execute(query)
        ]

    def articles(self) -> list[tuple[str, str]]:
        """Every article and its date of publication."""
        query = "SELECT iri, MIN(date) FROM articles GROUP BY iri ORDER BY iri"
        return [(iri, date) for iri, date in self.connection.execute(query)]

    def of_type(self, type_iri: str) -> set[str]:
        """The IRIs some graph types `type_iri`."""
        return {
            row[0] for row in self.connection.execute("SELECT iri FROM types WHERE type = ?", (type_iri,))
        }

    def page_sha(self, path: str) -> str | None:
        row = self.connection.execute("SELECT sha256 FROM pages WHERE path = ?", (path,)).fetchone()
        return None if row is None else str(row[0])

    def set_page(self, path: str, sha256: str | None) -> None:
        if sha256 is None:
            self.connection.execute("DELETE FROM pages WHERE path = ?", (path,))
        else:
            self.connection.execute("INSERT OR REPLACE INTO pages VALUES (?, ?)", (path, sha256))

    def add_pending(self, paths: Iterable[str]) -> None:
        """Mark documents to be made again."""
        self.connection.executemany("INSERT OR IGNORE INTO pending VALUES (?)", ((p,) for p in paths))

    def drop_pending(self, paths: Iterable[str]) -> None:
        self.connection.executemany("DELETE FROM pending WHERE path = ?", ((p,) for p in paths))

    def pending(self) -> set[str]:
        return {row[0] for row in self.connection.execute("SELECT path FROM pending")}

    def pages(self) -> set[str]:
        return {row[0] for row in self.connection.execute("SELECT path FROM pages")}


def _split(text: str) -> list[str]:
    return text.split("\n") if text else []


def open_index(path: Path) -> closing[SiteIndex]:
    """The index at `path`, closed when the `with` block ends."""
    return closing(SiteIndex(path))
