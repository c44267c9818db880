"""The site of the seed project in a real browser: headless Chromium (Debian's `chromium`) driven by
Playwright. Each test checks what a person sees (text, links, counts), with no console error and no
request leaving the machine. Screenshots of the main pages go to tests/screenshots/ (git-ignored);
DIPKG_SCREENSHOTS=docs writes the README's two (docs/article.png, docs/entity.png) instead."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

import dipkg
from dipkg.layout import KG_ARTICLES_SUBDIR
from dipkg.project import Project
from dipkg.web.site import build_site
from tests.projects import build as build_kg
from tests.projects import copy_seed_project
from tests.servers import free_port

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.loopback

CHROMIUM = Path(os.environ.get("DIPKG_CHROMIUM", "/usr/bin/chromium"))
# No GPU, no QUIC, and none of Chromium's own traffic (updates, sync, field trials): the only
# requests are the pages'.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TESTS_DIR = Path(__file__).parent
SCREENSHOTS = TESTS_DIR / "screenshots"
DOCS = TESTS_DIR.parent / "docs"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
BASE = "https://w3id.org/dipkg/"
ENT = Namespace(BASE + "entity/")
DIP = Namespace("https://w3id.org/dipkg/ontology#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
VOID = Namespace("http://rdfs.org/ns/void#")
PHONE = {"width": 390, "height": 844}

if not CHROMIUM.is_file():
    if os.environ.get("CI"):
        pytest.fail(f"no Chromium at {CHROMIUM}, and CI must run the browser tests", pytrace=False)
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


@dataclass(frozen=True)
class Site:
    project: Path
    folder: Path
    url: str

    @functools.cached_property
    def graph(self) -> Graph:
        """Everything the project publishes (kg/, with the ontology)."""
        graph = Graph()
        for path in sorted((self.project / "kg").rglob("*.ttl")):
            graph.parse(path, format="turtle")
        return graph

    def document(self, page: str) -> Graph:
        """The Turtle document the site gives beside a page (`event/x.html` -> `event/x.ttl`)."""
        return Graph().parse(self.folder / re.sub(r"\.html$", ".ttl", page), format="turtle")

    def events(self) -> dict[str, dict[str, Any]]:
        """Every event of every article: its year (or "undated") and PLOVER categories' notations."""
        rows = self.graph.query(
            """
            PREFIX dip: <https://w3id.org/dipkg/ontology#>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            SELECT ?e ?date ?year ?category WHERE {
              ?e a ?class ; dip:inArticle ?article .
              ?class rdfs:subClassOf* dip:Event .
              OPTIONAL { ?e dip:date ?date }
              OPTIONAL { ?e dip:year ?year }
              OPTIONAL { ?class rdfs:subClassOf*/dip:ploverCategory/skos:notation ?category }
            }
            """
        )
        events: dict[str, dict[str, Any]] = {}
        for event, date, year, category in rows:  # type: ignore[misc]
            entry = events.setdefault(str(event), {"year": "undated", "categories": set()})
            if date is not None:
                entry["year"] = str(date)[:4]
            elif year is not None and entry["year"] == "undated":
                entry["year"] = str(year)[:4]
            if category is not None:
                entry["categories"].add(str(category))
        return events


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A copy of the seed project, built, its site in site/, served by a static file server."""
    project = copy_seed_project(tmp_path_factory.mktemp("browser") / "project")
    build_kg(project / "seeds", project / "kg")
    folder = project / "site"
    build_site(Project.at(project), folder)
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(project, folder, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Tab:
    """A page of its own browser context, with what went wrong in it."""

    page: Any
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert not self.errors, f"console errors: {self.errors}"
        assert not self.outside, f"requests that left the machine: {self.outside}"


@pytest.fixture()
def open_tab(browser: Any) -> Iterator[Callable[..., Tab]]:
    """Open a page in a new context (options as for browser.new_context); at the end of the test,
    fail on any console error, uncaught exception or request to anywhere but this machine."""
    tabs: list[Tab] = []
    contexts: list[Any] = []

    def opener(**options: Any) -> Tab:
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page)

        def route(route: Any) -> None:
            url = urllib.parse.urlsplit(route.request.url)
            if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
                tab.outside.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", route)
        page.on("console", lambda message: message.type == "error" and tab.errors.append(message.text))
        page.on("pageerror", lambda error: tab.errors.append(f"uncaught: {error}"))
        tabs.append(tab)
        return tab

    yield opener
    for context in contexts:
        context.close()
    for tab in tabs:
        tab.check()


def goto(tab: Tab, url: str) -> Any:
    response = tab.page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    return tab.page


def h1(page: Any) -> str:
    return str(page.locator("h1").inner_text()).strip()


def words(text: str) -> str:
    return " ".join(text.split())


def page_path(site: Site, page: Any) -> str:
    """The page's path relative to the site's root, e.g. `event/x.html`."""
    url: str = page.url.split("#")[0]
    assert url.startswith(site.url), url
    return url[len(site.url) :]


def local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def screenshot(page: Any, name: str) -> None:
    """tests/screenshots/NAME.png; with DIPKG_SCREENSHOTS=docs, docs/NAME.png for the README too."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    if os.environ.get("DIPKG_SCREENSHOTS") == "docs" and name in ("article", "entity"):
        DOCS.mkdir(exist_ok=True)
        shutil.copyfile(SCREENSHOTS / f"{name}.png", DOCS / f"{name}.png")


def article_id(site: Site) -> str:
    (path,) = sorted((site.project / "kg" / KG_ARTICLES_SUBDIR).glob("*.ttl"))
    return path.stem


def test_index_shows_the_dataset_and_its_counts(site: Site, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = goto(tab, site.url + "index.html")
    void = Graph().parse(site.project / "kg" / "void.ttl", format="turtle")
    dataset = URIRef(BASE + "dataset")
    assert h1(page) == str(void.value(dataset, DCTERMS.title))
    assert page.title().startswith(h1(page))
    counts = {}
    for item in page.locator("ul.counts li").all_inner_texts():
        number, what = words(item).split(" ", 1)
        # (singular or plural: "1 article" or "1 articles")
        counts[next(k for k in ("triple", "article", "event", "countr") if what.startswith(k))] = int(number)
    articles = len(list((site.project / "kg" / KG_ARTICLES_SUBDIR).glob("*.ttl")))
    countries = set(site.graph.subjects(RDF.type, DIP.Country))
    assert counts == {
        "triple": int(void.value(dataset, VOID.triples)),  # type: ignore[arg-type]
        "article": articles,
        "event": len(site.events()),
        "countr": len(countries),
    }
    screenshot(page, "index")

    page.get_by_role("link", name="Timeline", exact=True).click()
    page.wait_for_url("**/timeline.html")
    assert h1(page) == "Timeline"
    page.go_back()
    page.locator("ul.counts").get_by_role("link", name=re.compile(r"articles?$")).click()
    page.wait_for_url("**/articles.html")
    headline = str(site.graph.value(URIRef(f"{BASE}article/{article_id(site)}"), RDFS.label))
    page.get_by_role("link", name=headline).click()
    page.wait_for_url(f"**/article/{article_id(site)}.html")
    assert h1(page) == headline
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Ontology").click()
    page.wait_for_url("**/ontology.html")
    assert page.locator("h1").count() == 1
    assert page.locator("#Summons").count() == 1


def test_article_highlight_leads_to_the_event_and_on_to_the_actor(
    site: Site, open_tab: Callable[..., Tab]
) -> None:
    article = article_id(site)
    # An event of the article whose actor is China, found in the graph, not in the page.
    event = next(
        str(e)
        for e in sorted(site.graph.subjects(DIP.actor, ENT.china))
        if (e, DIP.inArticle, URIRef(f"{BASE}article/{article}")) in site.graph
        and str(e).startswith(BASE + "event/")
    )
    tab = open_tab()
    page = goto(tab, f"{site.url}article/{article}.html")
    text = (site.project / "seeds" / "articles" / article / "article.txt").read_text(encoding="utf-8")
    shown = words(page.locator(".article-text").inner_text())
    assert shown == words(text)
    assert page.locator(".article-text a.span.fact").count() > 10
    assert page.locator(".article-text a.span.claim").count() > 0
    screenshot(page, "article")

    highlight = page.locator(f'.article-text a.span.fact[href$="event/{local_name(event)}.html"]').first
    highlighted = words(highlight.inner_text())
    highlight.click()
    page.wait_for_url(f"**/event/{local_name(event)}.html")
    label = site.document(page_path(site, page)).value(URIRef(event), RDFS.label)
    assert isinstance(label, Literal)
    assert h1(page) == str(label)
    evidence = page.locator("section", has=page.locator("h2", has_text="Evidence"))
    quoted = [words(t) for t in evidence.locator("mark").all_inner_texts()]
    assert any(highlighted in q for q in quoted), (highlighted, quoted)
    screenshot(page, "event")

    statements = page.locator("section", has=page.locator("h2", has_text="Statements"))
    statements.get_by_role("link", name="China", exact=True).first.click()
    page.wait_for_url("**/entity/china.html")
    assert h1(page) == "China"
    network = page.locator("svg.network")
    assert network.is_visible()
    assert "China" in str(network.get_attribute("aria-label"))
    page.locator("h1").scroll_into_view_if_needed()
    screenshot(page, "entity")


def test_a_claim_is_shown_apart_and_says_whose(site: Site, open_tab: Callable[..., Tab]) -> None:
    article = article_id(site)
    tab = open_tab()
    page = goto(tab, f"{site.url}article/{article}.html")
    fact = page.locator(".article-text a.span.fact").first
    claim = page.locator(".article-text a.span.claim").first
    style = "e => getComputedStyle(e).backgroundColor + ' ' + getComputedStyle(e).borderBottomStyle"
    assert claim.evaluate(style) != fact.evaluate(style)
    claim.click()
    page.wait_for_url("**/claim/*.html")
    claim_iri = URIRef(BASE + page_path(site, page).removesuffix(".html"))
    claimants = sorted(
        str(site.graph.value(c, RDFS.label)) for c in site.graph.objects(claim_iri, DIP.claimant)
    )
    note = words(page.locator(".claim-note").inner_text())
    assert note.startswith("A claim by ")
    for name in claimants:
        assert name in note
    assert "not a fact" in note


def listed_events(site: Site, tab: Tab, path: str) -> set[str]:
    """The events a timeline page's table lists (its caption giving their number)."""
    page = goto(tab, site.url + path)
    rows = page.locator("main table tbody tr")
    caption = words(page.locator("main table caption").inner_text())
    assert caption == f"{rows.count()} event" + ("" if rows.count() == 1 else "s")
    return {
        BASE + "event/" + local_name(h).removesuffix(".html")
        for h in _hrefs(rows.locator('td a[href*="/event/"]'))
    }


def test_the_timeline_category_pages_list_the_events_of_each_category(
    site: Site, open_tab: Callable[..., Tab]
) -> None:
    events = site.events()
    tab = open_tab()
    page = goto(tab, site.url + "timeline.html")
    filters = page.get_by_role("navigation", name="Filters")
    categories = sorted({c for e in events.values() for c in e["categories"]})
    links = filters.locator('a[href^="timeline/category/"]')
    assert sorted(local_name(h).removesuffix(".html") for h in _hrefs(links)) == categories
    counts = [
        words(t)
        for t in filters.locator("li")
        .filter(has=page.locator('a[href^="timeline/category/"]'))
        .all_inner_texts()
    ]
    for category in categories:
        expected = {iri for iri, e in events.items() if category in e["categories"]}
        assert any(c.endswith(f"({len(expected)})") for c in counts), (category, counts)
        assert listed_events(site, tab, f"timeline/category/{category}.html") == expected
    screenshot(goto(tab, site.url + f"timeline/category/{categories[0]}.html"), "timeline-category")


def test_the_timeline_lists_every_event_under_its_year(site: Site, open_tab: Callable[..., Tab]) -> None:
    events = site.events()
    tab = open_tab()
    page = goto(tab, site.url + "timeline.html")
    years = sorted({e["year"] for e in events.values()})
    listed = [
        words(t)
        for t in page.get_by_role("navigation", name="Filters")
        .locator("ul")
        .first.locator("li")
        .all_inner_texts()
    ]
    for year in years:
        expected = {iri for iri, e in events.items() if e["year"] == year}
        assert listed_events(site, tab, f"timeline/{year}.html") == expected
    assert listed == [f"{y} ({sum(e['year'] == y for e in events.values())})" for y in years]
    assert f"{len(events)} events" in goto(tab, site.url + "timeline.html").locator("main").inner_text()


def test_the_timeline_names_each_event(site: Site, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = goto(tab, site.url + "timeline/category/PROTEST.html")
    links = page.locator('main table tbody tr td a[href*="/event/"]')
    assert links.count() > 0
    for link in links.all():
        iri = BASE + "event/" + local_name(str(link.get_attribute("href"))).removesuffix(".html")
        assert words(link.inner_text()) == str(site.graph.value(URIRef(iri), RDFS.label))


def test_the_index_counts_every_event(site: Site, open_tab: Callable[..., Tab]) -> None:
    page = goto(open_tab(), site.url + "index.html")
    shown = page.locator("ul.counts li", has_text="event").inner_text()
    assert words(shown) == f"{len(site.events())} events"


def _hrefs(locator: Any) -> list[str]:
    return [str(h) for h in locator.evaluate_all("links => links.map(a => a.getAttribute('href'))")]


def test_pages_without_javascript(site: Site, open_tab: Callable[..., Tab]) -> None:
    article = article_id(site)
    tab = open_tab(java_script_enabled=False)
    page = goto(tab, f"{site.url}article/{article}.html")
    text = (site.project / "seeds" / "articles" / article / "article.txt").read_text(encoding="utf-8")
    assert words(page.locator(".article-text").inner_text()) == words(text)
    spans = page.locator(".article-text a.span")
    assert spans.count() > 10
    spans.first.click()
    page.wait_for_load_state()
    assert page.locator("h1").count() == 1
    assert page.url != f"{site.url}article/{article}.html"
    page = goto(tab, site.url + "index.html")
    # The forms still send the query to the endpoint, as a plain GET.
    form = page.locator("#query-summons-timeline form")
    assert form.get_attribute("action") == "sparql"
    assert form.get_attribute("method") == "get"


@pytest.mark.parametrize("path", ["index.html", "article", "event", "entity/china.html", "timeline.html"])
def test_no_horizontal_scroll_on_a_phone(site: Site, open_tab: Callable[..., Tab], path: str) -> None:
    path = _resolve(site, path)
    tab = open_tab(viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True)
    page = goto(tab, site.url + path)
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] + 1, f"{path}: {width[0]}px wide in a {width[1]}px window"


def _resolve(site: Site, path: str) -> str:
    """`article` and `event`: the seed article's page, and the page of its first dated event."""
    if path == "article":
        return f"article/{article_id(site)}.html"
    if path == "event":
        dated = sorted(iri for iri, e in site.events().items() if e["year"] != "undated")
        return f"event/{local_name(dated[0])}.html"
    return path


ACCESSIBILITY = """() => ({
  lang: document.documentElement.getAttribute('lang'),
  h1: document.querySelectorAll('h1').length,
  unlabelled: [...document.querySelectorAll('textarea, input:not([type=hidden]), select')]
    .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.outerHTML.slice(0, 80)),
  unnamed: [...document.querySelectorAll('img, svg')]
    .filter(e => e.getAttribute('aria-hidden') !== 'true')
    .filter(e => !(e.getAttribute('alt') || e.getAttribute('aria-label')
      || e.querySelector(':scope > title')))
    .map(e => e.outerHTML.slice(0, 80)),
  unnamedLinks: [...document.querySelectorAll('a[href]')]
    .filter(a => !a.textContent.trim() && !a.getAttribute('title') && !a.getAttribute('aria-label')).length,
  viewport: !!document.querySelector('meta[name=viewport]'),
})"""


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "article",
        "event",
        "entity/china.html",
        "timeline.html",
        "articles.html",
        "ontology.html",
    ],
)
def test_accessibility_basics(site: Site, open_tab: Callable[..., Tab], path: str) -> None:
    path = _resolve(site, path)
    tab = open_tab()
    page = goto(tab, site.url + path)
    found = page.evaluate(ACCESSIBILITY)
    assert found["lang"] == "en"
    assert found["h1"] == 1
    assert found["unlabelled"] == []
    assert found["unnamed"] == []
    assert found["unnamedLinks"] == 0
    assert found["viewport"]
    # Body text and links: contrast at least 4.5:1 (WCAG AA) against the page's background.
    for selector in ("main p", "main a", ".article-text a.span.fact", ".article-text a.span.claim"):
        if page.locator(selector).count():
            ratio = page.locator(selector).first.evaluate(CONTRAST)
            assert ratio >= 4.5, f"{path} {selector}: contrast {ratio:.2f}"


CONTRAST = """e => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let back = null;
  for (let n = e; n && !back; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) back = c;
  }
  back = back || [255, 255, 255];
  const [a, b] = [lum(rgb(getComputedStyle(e).color)), lum(back)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_a_canned_query_runs_from_its_form_against_dipkg_serve(
    site: Site, open_tab: Callable[..., Tab]
) -> None:
    port = free_port()
    # The commands run the dipkg this test imports (the checkout's), whichever the venv installed.
    env = {**os.environ, "PYTHONPATH": str(Path(dipkg.__file__).parent.parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "dipkg", "serve", "--port", str(port)],
        cwd=site.project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        last: Exception | None = None
        while True:
            try:
                with urllib.request.urlopen(url + "index.html", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError) as error:
                last = error
            assert process.poll() is None, f"dipkg serve stopped: {process.communicate()[1]}"
            assert time.monotonic() < deadline, f"dipkg serve did not serve /index.html: {last}"
            time.sleep(0.3)
        tab = open_tab()
        page = goto(tab, url + "index.html")
        query = page.locator("#query-summons-timeline")
        query.get_by_role("button", name="Run summons-timeline").click()
        table = query.locator(".results table")
        table.wait_for(timeout=30_000)
        shown = table.locator("tbody tr").count()
        header = table.locator("thead th").all_inner_texts()
        expected = subprocess.run(
            [sys.executable, "-m", "dipkg", "query", "summons-timeline", "--format", "csv"],
            cwd=site.project,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows = list(csv.reader(io.StringIO(expected)))
        assert header == rows[0]
        assert shown == len(rows) - 1 > 0
        assert words(table.locator("caption").inner_text()) == f"{shown} rows"
        assert [words(t) for t in table.locator("tbody tr").first.locator("td").all_inner_texts()] == [
            words(v) for v in rows[1]
        ]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
