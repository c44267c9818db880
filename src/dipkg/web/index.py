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
from collections.abc import Iterable, Iterator
from contextlib import closing
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
CREATE TABLE IF NOT EXISTS pages (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def ntriple(triple: ox.Triple) -> str:
    """One triple as an N-Triples line (without its newline)."""
    return f"{triple.subject} {triple.predicate} {triple.object} ."


def graph_statements(
    data: bytes, name: str, base_iri: str
) -> tuple[dict[str, tuple[str, list[str]]], dict[str, str], set[tuple[str, str]]]:
    """What one graph's file says about each resource under the base (its document's path and
    sorted N-Triples lines), the label of each subject it labels, and the types it gives. An
    article's lines also hold every evidence link of its graph, so that its page can say what each
    span supports."""
    triples = [quad.triple for quad in parse_quads(data, "turtle", name)]
    outgoing: dict[str, list[ox.Triple]] = defaultdict(list)
    incoming: dict[str, list[ox.Triple]] = defaultdict(list)
    labels: dict[str, str] = {}
    types: set[tuple[str, str]] = set()
    for triple in triples:
        if triple.predicate.value == RDF_TYPE:
            types.add((term_value(triple.subject), term_value(triple.object)))
        subject = term_value(triple.subject)
        outgoing[subject].append(triple)
        if isinstance(triple.object, ox.NamedNode) and triple.predicate.value != RDF_TYPE:
            incoming[term_value(triple.object)].append(triple)
        elif (
            triple.predicate.value in (LABEL, PREF_LABEL)
            and isinstance(triple.object, ox.Literal)
            and triple.object.language in (None, "en")
            and (subject not in labels or triple.predicate.value == LABEL)
        ):
            labels[subject] = triple.object.value

    def context(node: str) -> Iterator[ox.Triple]:
        for triple in outgoing.get(node, ()):
            if triple.predicate.value in CONTEXT_PREDICATES:
                yield triple
                if triple.predicate.value == SENTENCE and isinstance(triple.object, ox.NamedNode):
                    yield from (
                        t
                        for t in outgoing.get(term_value(triple.object), ())
                        if t.predicate.value in CONTEXT_PREDICATES
                    )

    evidence = [t for t in triples if t.predicate.value == EVIDENCE]
    statements: dict[str, tuple[str, list[str]]] = {}
    for resource in set(outgoing) | set(incoming):
        path = document_path(resource, base_iri)
        if path is None:
            continue
        lines = set()
        own = [*outgoing.get(resource, ()), *incoming.get(resource, ())]
        if any(
            t.predicate.value == RDF_TYPE and term_value(t.object) == ARTICLE
            for t in outgoing.get(resource, ())
        ):
            own += evidence
        for triple in own:
            lines.add(ntriple(triple))
            for end in (triple.subject, triple.object):
                if isinstance(end, ox.NamedNode) and end.value != resource:
                    lines.update(ntriple(t) for t in context(end.value))
        statements[resource] = (path, sorted(lines))
    return statements, labels, types


class SiteIndex:
    """The SQLite file that remembers, between builds, what each graph said and each page held."""

    def __init__(self, path: Path) -> None:
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

    def all_paths(self) -> set[str]:
        return {row[0] for row in self.connection.execute("SELECT DISTINCT path FROM statements")}

    def resources_at(self, path: str) -> list[str]:
        """The resources one document describes (several for the hash IRIs of one document)."""
        query = "SELECT DISTINCT resource FROM statements WHERE path = ? ORDER BY resource"
        return [row[0] for row in self.connection.execute(query, (path,))]

    def replace_graph(
        self,
        graph: str,
        sha256: str,
        statements: dict[str, tuple[str, list[str]]],
        labels: dict[str, str],
        types: set[tuple[str, str]],
    ) -> None:
        """Forget what `graph` said and remember what it says now (per resource: its document's
        path and the statement lines)."""
        self.drop_graph(graph)
        self.connection.executemany(
            "INSERT INTO statements VALUES (?, ?, ?, ?)",
            ((resource, graph, path, "\n".join(lines)) for resource, (path, lines) in statements.items()),
        )
        self.connection.executemany(
            "INSERT INTO labels VALUES (?, ?, ?)", ((iri, graph, label) for iri, label in labels.items())
        )
        self.connection.executemany(
            "INSERT INTO types VALUES (?, ?, ?)", ((i, graph, t) for i, t in sorted(types))
        )
        self.connection.execute("INSERT INTO graphs VALUES (?, ?)", (graph, sha256))

    def drop_graph(self, graph: str) -> None:
        for table in ("statements", "labels", "types", "graphs"):
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

    def pages(self) -> set[str]:
        return {row[0] for row in self.connection.execute("SELECT path FROM pages")}


def open_index(path: Path) -> closing[SiteIndex]:
    """The index at `path`, closed when the `with` block ends."""
    return closing(SiteIndex(path))
