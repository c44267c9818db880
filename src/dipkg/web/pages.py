"""HTML pages: one per resource document, and the listings (index, articles, timeline)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from dipkg.iris import STANDARD_NAMESPACES, Prefixes
from dipkg.project import shipped_data_dir
from dipkg.query.catalogue import CannedQuery
from dipkg.web import documents
from dipkg.web.documents import term_value
from dipkg.web.index import SiteIndex
from dipkg.web.network import drawing
from dipkg.web.paths import FORMATS, fragment, root_of
from dipkg.web.view import DIP, SCHEMA, Link, View

SITE_NAME = "dipkg"
FOOTER = "Published with dipkg. Every statement links to the words of the article it comes from."
PLOVER_CATEGORY = DIP + "ploverCategory"
SUB_CLASS_OF = STANDARD_NAMESPACES["rdfs"] + "subClassOf"
DCTERMS = STANDARD_NAMESPACES["dcterms"]
VOID = STANDARD_NAMESPACES["void"]
EVENT_HEADINGS = ["Date", "Event", "Category", "Actor", "Target", "Article"]
TERMS = (DCTERMS + "license", DCTERMS + "rights", DCTERMS + "accessRights", DCTERMS + "publisher")


class Renderer:
    """Renders pages with the shipped templates, for one base IRI and SPARQL endpoint."""

    def __init__(self, base_iri: str, sparql: str, prefix_map: dict[str, str]) -> None:
        self.base_iri = base_iri
        self.sparql = sparql
        self.prefix_map = prefix_map
        self.prefixes = Prefixes(prefix_map)
        self.jsonld = documents.JsonLdWriter(prefix_map)
        self.environment = Environment(
            loader=FileSystemLoader(shipped_data_dir() / "web" / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=False,
            keep_trailing_newline=True,
        )

    def _page(self, template: str, path: str, title: str, **values: Any) -> bytes:
        root = root_of(path)
        sparql = self.sparql if "://" in self.sparql or self.sparql.startswith("/") else root + self.sparql
        defaults: dict[str, Any] = {"alternates": [], "jsonld": "", "scripts": []}
        text = self.environment.get_template(template).render(
            site_name=SITE_NAME,
            footer=FOOTER,
            root=root,
            title=title,
            sparql=sparql,
            document=path.rsplit("/", 1)[-1],
            **{**defaults, **values},
        )
        return text.encode("utf-8")

    def view(self, path: str, resources: list[str], triples: list[ox.Triple], labels: dict[str, str]) -> View:
        return View(path, resources, triples, self.base_iri, self.prefixes, labels)

    def resource_page(
        self, path: str, resources: list[str], triples: list[ox.Triple], labels: dict[str, str], jsonld: str
    ) -> bytes:
        """The page of the resources at `path` (one section each)."""
        view = self.view(path, resources, triples, labels)
        sections = [self._section(view, iri) for iri in resources]
        title = (
            sections[0]["title"] if len(sections) == 1 else self.prefixes.shorten(resources[0].split("#")[0])
        )
        if len(sections) > 1:
            title = labels.get(resources[0].split("#")[0], title.strip("<>"))
        return self._page(
            "resource.html",
            path,
            title,
            sections=sections,
            alternates=[(ext, media.split(";")[0]) for ext, media in FORMATS.items() if ext != "html"],
            jsonld=Markup(jsonld.replace("<", "\\u003c").strip()),
        )

    def _section(self, view: View, iri: str) -> dict[str, Any]:
        types = [view.term(t) for t in view.types(iri)]
        claim = None
        if DIP + "Claim" in view.types(iri):
            claimant = view.first(iri, DIP + "claimant")
            claim = view.link(ox.NamedNode(claimant)) if claimant else Link("someone")
        text: list[Any] = []
        spans: list[Any] = []
        if DIP + "Article" in view.types(iri):
            text, spans = view.highlights(iri)
        statements = view.statements(iri)
        if text:
            statements = [(p, v) for p, v in statements if p.text != view.label(SCHEMA + "text")]
        counterparts = view.counterparts(iri)
        return {
            "iri": iri,
            "anchor": fragment(iri) or "resource",
            "title": view.label(iri),
            "types": types,
            "claim": claim,
            "wikidata": view.wikidata(iri),
            "evidence": view.evidence(iri),
            "text": text,
            "spans": spans,
            "statements": statements,
            "backlinks": view.backlinks(iri),
            "counterparts": counterparts,
            "network": Markup(drawing(view.label(iri), counterparts)),
        }

    def listings(self, index: SiteIndex, queries: list[CannedQuery]) -> Iterator[Listing]:
        """The index page, the list of articles, the timeline and its pages by year, PLOVER
        category and country pair; each with the digest of what it shows, rendered on demand."""
        events = self._events(index)
        articles = index.articles()
        labels = index.labels(
            {i for e in events for key in ("actor", "target", "category") for i in e[key]}
            | {e["article"] for e in events if e["article"]}
            | {e["iri"] for e in events}
            | {iri for iri, _ in articles}
        )
        view = View("index", [], [], self.base_iri, self.prefixes, labels)
        per_article = Counter(e["article"] for e in events)
        article_rows = [
            [[Link(date)], [view.link(ox.NamedNode(iri))], [Link(str(per_article[iri]))]]
            for iri, date in sorted(articles, key=lambda a: (a[1], a[0]), reverse=True)
        ]
        dataset = self._dataset(index)
        yield Listing(
            "index.html",
            _digest(
                dataset[1], len(articles), len(events), [(q.name, q.text, q.description) for q in queries]
            ),
            lambda: self._index(dataset, events, articles, queries, index),
        )
        yield Listing(
            "articles.html",
            _digest(article_rows),
            lambda: self._listing(
                "articles.html", "Articles", ["Published", "Article", "Events"], article_rows, "articles"
            ),
        )
        countries = index.of_type(DIP + "Country")
        by_year: dict[str, list[dict[str, Any]]] = defaultdict(list)
        by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
        by_pair: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for event in events:
            by_year[event["date"][:4] or "undated"].append(event)
            for category in event["category"]:
                by_category[category].append(event)
            states = sorted({*event["actor"], *event["target"]} & countries)
            for i, a in enumerate(states):
                for b in states[i + 1 :]:
                    by_pair[(a, b)].append(event)
        year_links = [
            (Link(year, f"timeline/{year}.html"), len(rows)) for year, rows in sorted(by_year.items())
        ]
        category_links = [
            (Link(view.label(c), f"timeline/category/{_local(c)}.html"), len(rows))
            for c, rows in sorted(by_category.items(), key=lambda item: view.label(item[0]))
        ]
        pair_links = [
            (
                Link(f"{view.label(a)} - {view.label(b)}", f"timeline/pair/{_local(a)}--{_local(b)}.html"),
                len(rows),
            )
            for (a, b), rows in sorted(by_pair.items(), key=lambda item: (-len(item[1]), item[0]))
        ]
        filters = [
            ("By year", year_links),
            ("By PLOVER category", category_links),
            ("By country pair", pair_links),
        ]
        intro = (
            f"{len(events)} events, by date. Choose a year, a PLOVER category or a pair of countries; "
            "each actor's page lists its events and counterparts."
        )
        yield Listing(
            "timeline.html",
            _digest(intro, filters),
            lambda: self._listing(
                "timeline.html", "Timeline", EVENT_HEADINGS, [], "events", intro=intro, filters=filters
            ),
        )
        pages = [(f"timeline/{year}", f"Events of {year}", rows) for year, rows in by_year.items()]
        pages += [
            (f"timeline/category/{_local(c)}", f"Events of PLOVER category {view.label(c)}", rows)
            for c, rows in by_category.items()
        ]
        pages += [
            (
                f"timeline/pair/{_local(a)}--{_local(b)}",
                f"Events between {view.label(a)} and {view.label(b)}",
                rows,
            )
            for (a, b), rows in by_pair.items()
        ]
        for path, title, rows in pages:
            shown = _shown(rows, view.known_labels)
            yield Listing(
                f"{path}.html", _digest(title, shown), partial(self._timeline, path, title, rows, view)
            )

    def _event_rows(self, path: str, events: list[dict[str, Any]], view: View) -> list[list[list[Link]]]:
        located = View(path, [], [], self.base_iri, self.prefixes, view.known_labels)
        rows = []
        for event in sorted(events, key=lambda e: (e["date"], e["iri"])):
            rows.append(
                [
                    [Link(event["date"] or "undated")],
                    [located.link(ox.NamedNode(event["iri"]))],
                    [located.link(ox.NamedNode(c)) for c in sorted(event["category"])],
                    [located.link(ox.NamedNode(a)) for a in sorted(event["actor"])],
                    [located.link(ox.NamedNode(t)) for t in sorted(event["target"])],
                    [located.link(ox.NamedNode(event["article"]))] if event["article"] else [],
                ]
            )
        return rows

    def _timeline(self, path: str, title: str, events: list[dict[str, Any]], view: View) -> bytes:
        rows = self._event_rows(path, events, view)
        back = [("Timeline", [(Link("all years and filters", f"{root_of(path)}timeline.html"), len(rows))])]
        return self._listing(f"{path}.html", title, EVENT_HEADINGS, rows, "events", filters=back)

    def _listing(
        self, file: str, title: str, headings: list[str], rows: list[Any], noun: str, **values: Any
    ) -> bytes:
        path = file.removesuffix(".html")
        return self._page("events.html", path, title, headings=headings, rows=rows, noun=noun, **values)

    def _events(self, index: SiteIndex) -> list[dict[str, Any]]:
        """Every event (whatever a class under dip:Event types): date (or year), PLOVER
        categories, actors, targets, article."""
        categories: dict[str, set[str]] = defaultdict(set)
        children: dict[str, set[str]] = defaultdict(set)
        wanted = (PLOVER_CATEGORY, SUB_CLASS_OF)
        lines = [line for line in index.statements("ontology") if any(w in line for w in wanted)]
        for t in documents.parse_lines(lines):
            if t.predicate.value == PLOVER_CATEGORY:
                categories[term_value(t.subject)].add(term_value(t.object))
            elif t.predicate.value == SUB_CLASS_OF:
                children[term_value(t.object)].add(term_value(t.subject))
        event_classes, pending = set(), [DIP + "Event"]
        while pending:
            cls = pending.pop()
            if cls not in event_classes:
                event_classes.add(cls)
                pending.extend(children.get(cls, ()))
        events = []
        for iri, date, article, types, actors, targets in index.events():
            if set(types) & event_classes:
                events.append(
                    {
                        "iri": iri,
                        "date": date,
                        "category": {c for cls in types for c in categories.get(cls, ())},
                        "actor": set(actors),
                        "target": set(targets),
                        "article": article,
                    }
                )
        return events

    def _dataset(self, index: SiteIndex) -> tuple[View, list[str]]:
        """The dataset's description (kg/void.ttl) as a view, and its lines."""
        lines = index.statements("dataset")
        triples = documents.parse_lines(lines)
        labels = index.labels({term_value(t.object) for t in triples if isinstance(t.object, ox.NamedNode)})
        return View(
            "index", [self.base_iri + "dataset"], triples, self.base_iri, self.prefixes, labels
        ), lines

    def _index(
        self,
        dataset: tuple[View, list[str]],
        events: list[dict[str, Any]],
        articles: list[tuple[str, str]],
        queries: list[CannedQuery],
        index: SiteIndex,
    ) -> bytes:
        view = dataset[0]
        iri = self.base_iri + "dataset"
        title = view.first(iri, DCTERMS + "title") or "dipkg knowledge graph"
        counts = [
            ("triples", view.first(iri, VOID + "triples") or "0", None),
            ("articles", str(len(articles)), "articles.html"),
            ("events", str(len(events)), "timeline.html"),
            ("countries", str(len(index.of_type(DIP + "Country"))), None),
        ]
        terms = [
            (view.term(predicate), [view.link(o) for o in view.values(iri, predicate)])
            for predicate in TERMS
            if view.values(iri, predicate)
        ]
        downloads = [Link("void.ttl (the dataset's description)", "void.ttl")]
        for dump in view.values(iri, VOID + "dataDump"):
            relative = dump.value.removeprefix(self.base_iri)
            downloads.append(Link(relative, relative))
        return self._page(
            "index.html",
            "index",
            title,
            description=view.first(iri, DCTERMS + "description") or "",
            counts=counts,
            terms=terms,
            downloads=downloads,
            queries=[
                {
                    "name": q.name,
                    "description": q.description or q.summary,
                    "parameters": [f"?_{p.name}" for p in q.parameters],
                    "text": q.text,
                }
                for q in queries
            ],
            scripts=["assets/query.js"],
            jsonld=_script_json(self.jsonld.document(view.triples)),
        )


@dataclass(frozen=True)
class Listing:
    """A page made from many resources: where it goes, a digest of what it shows, how to render it."""

    path: str
    digest: str
    render: Callable[[], bytes]


def _shown(
    events: list[dict[str, Any]], labels: dict[str, str]
) -> list[tuple[str, tuple[tuple[str, str | None], ...]]]:
    """What a timeline page shows of its events (each one's date and its IRIs with their labels),
    to tell whether it changed without rendering it."""
    shown = []
    for event in events:
        iris = (event["iri"], *sorted(event["category"]), *sorted(event["actor"]), *sorted(event["target"]))
        iris += (event["article"],)
        shown.append((event["date"], tuple((iri, labels.get(iri)) for iri in iris)))
    return sorted(shown)


def _digest(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def _script_json(document: dict[str, Any]) -> Markup:
    """JSON for a <script> element: '<' escaped so that no '</script>' can end it."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c"))


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].split("#")[-1]
