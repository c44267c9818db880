"""HTML pages: one per resource document, and the listings (index, articles, timeline)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from dipkg.iris import STANDARD_NAMESPACES, Prefixes
from dipkg.project import Project, shipped_data_dir
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
DCTERMS = STANDARD_NAMESPACES["dcterms"]
VOID = STANDARD_NAMESPACES["void"]
EVENT_HEADINGS = ["Date", "Event", "Category", "Actor", "Target", "Article"]
TERMS = (DCTERMS + "license", DCTERMS + "rights", DCTERMS + "accessRights", DCTERMS + "publisher")


class Renderer:
    """Renders pages with the shipped templates, for one base IRI and SPARQL endpoint."""

    def __init__(self, base_iri: str, sparql: str, project: Project, prefix_map: dict[str, str]) -> None:
        self.base_iri = base_iri
        self.sparql = sparql
        self.project = project
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
        types = [view.link(ox.NamedNode(t)) for t in view.types(iri)]
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

    def listings(self, index: SiteIndex, queries: list[CannedQuery]) -> Iterator[tuple[str, bytes]]:
        """The index page, the list of articles, the timeline and its pages by year, PLOVER
        category and country pair."""
        events = self._events(index)
        labels = index.labels(
            {i for e in events for key in ("actor", "target", "classes", "category") for i in e[key]}
            | {e["article"] for e in events if e["article"]}
        )
        view = View("index", [], [], self.base_iri, self.prefixes, labels)
        articles = self._articles(index)
        yield "index.html", self._index(index, events, articles, queries)
        yield (
            "articles.html",
            self._listing(
                "articles.html",
                "Articles",
                ["Published", "Article", "Events"],
                [
                    [[Link(a["date"])], [view.link(ox.NamedNode(a["iri"]))], [Link(str(a["events"]))]]
                    for a in articles
                ],
                "articles",
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
        yield (
            "timeline.html",
            self._listing(
                "timeline.html",
                "Timeline",
                EVENT_HEADINGS,
                [],
                "events",
                intro=f"{len(events)} events, by date. Choose a year, a PLOVER category or a pair of "
                "countries; "
                "each actor's page lists its events and counterparts.",
                filters=filters,
            ),
        )
        for year, rows in by_year.items():
            yield from self._timeline(f"timeline/{year}", f"Events of {year}", rows, view)
        for category, rows in by_category.items():
            yield from self._timeline(
                f"timeline/category/{_local(category)}",
                f"Events of PLOVER category {view.label(category)}",
                rows,
                view,
            )
        for (a, b), rows in by_pair.items():
            title = f"Events between {view.label(a)} and {view.label(b)}"
            yield from self._timeline(f"timeline/pair/{_local(a)}--{_local(b)}", title, rows, view)

    def _timeline(
        self, path: str, title: str, events: list[dict[str, Any]], view: View
    ) -> Iterator[tuple[str, bytes]]:
        root = root_of(path)
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
        back = [("Timeline", [(Link("all years and filters", f"{root}timeline.html"), len(events))])]
        yield (
            f"{path}.html",
            self._listing(f"{path}.html", title, EVENT_HEADINGS, rows, "events", filters=back),
        )

    def _listing(
        self, file: str, title: str, headings: list[str], rows: list[Any], noun: str, **values: Any
    ) -> bytes:
        path = file.removesuffix(".html")
        return self._page("events.html", path, title, headings=headings, rows=rows, noun=noun, **values)

    def _events(self, index: SiteIndex) -> list[dict[str, Any]]:
        """Every event: date, classes, PLOVER categories, actors, targets, article."""
        categories: dict[str, set[str]] = defaultdict(set)
        for t in documents.parse_lines(
            [line for line in index.statements("ontology") if PLOVER_CATEGORY in line]
        ):
            if t.predicate.value == PLOVER_CATEGORY:
                categories[term_value(t.subject)].add(term_value(t.object))
        rows = index.connection.execute("SELECT resource, lines FROM statements WHERE path LIKE 'event/%'")
        fields: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for resource, text in rows:
            own = [line for line in text.split("\n") if line.startswith(f"<{resource}> ")]
            for t in documents.parse_lines(own):
                fields[resource][t.predicate.value].add(term_value(t.object))
        events = []
        for iri, values in sorted(fields.items()):
            classes = values.get(STANDARD_NAMESPACES["rdf"] + "type", set())
            category = {c for cls in classes for c in categories.get(cls, ())}
            if not category:
                continue
            events.append(
                {
                    "iri": iri,
                    "date": min(values.get(DIP + "date", {""})),
                    "classes": classes,
                    "category": category,
                    "actor": values.get(DIP + "actor", set()),
                    "target": values.get(DIP + "target", set()),
                    "article": min(values.get(DIP + "inArticle", {""})),
                }
            )
        return events

    def _articles(self, index: SiteIndex) -> list[dict[str, Any]]:
        articles = sorted(index.of_type(DIP + "Article"))
        events = Counter[str]()
        for event in self._events(index):
            events[event["article"]] += 1
        rows = []
        for iri in articles:
            dates = [
                term_value(t.object)
                for t in documents.parse_lines(
                    [line for line in index.statements(_path(iri, self.base_iri)) if "datePublished" in line]
                )
                if term_value(t.subject) == iri
            ]
            rows.append({"iri": iri, "date": min(dates or [""]), "events": events[iri]})
        return sorted(rows, key=lambda a: (a["date"], a["iri"]), reverse=True)

    def _index(
        self,
        index: SiteIndex,
        events: list[dict[str, Any]],
        articles: list[dict[str, Any]],
        queries: list[CannedQuery],
    ) -> bytes:
        dataset = self.base_iri + "dataset"
        triples = documents.parse_lines(index.statements("dataset"))
        labels = index.labels({term_value(t.object) for t in triples if isinstance(t.object, ox.NamedNode)})
        view = View("index", [dataset], triples, self.base_iri, self.prefixes, labels)
        title = view.first(dataset, DCTERMS + "title") or "dipkg knowledge graph"
        count = view.first(dataset, VOID + "triples") or "0"
        entities = index.labels(index.of_type(DIP + "Country"))
        counts = [
            ("triples", count, None),
            ("articles", str(len(articles)), "articles.html"),
            ("events", str(len(events)), "timeline.html"),
            ("countries", str(len(entities)), None),
        ]
        terms = [
            (view.link(ox.NamedNode(predicate)), [view.link(o) for o in view.values(dataset, predicate)])
            for predicate in TERMS
            if view.values(dataset, predicate)
        ]
        downloads = [
            view.link(o) for o in view.values(dataset, VOID + "dataDump") if isinstance(o, ox.NamedNode)
        ]
        downloads = [
            Link(d.note.removeprefix(self.base_iri) or d.text, d.note.removeprefix(self.base_iri))
            for d in downloads
        ]
        downloads.insert(0, Link("void.ttl (the dataset's description)", "void.ttl"))
        return self._page(
            "index.html",
            "index",
            title,
            description=view.first(dataset, DCTERMS + "description") or "",
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
            jsonld=Markup(
                json.dumps(self.jsonld.document(triples), ensure_ascii=False).replace("<", "\\u003c")
            ),
        )


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].split("#")[-1]


def _path(iri: str, base_iri: str) -> str:
    return iri[len(base_iri) :]
