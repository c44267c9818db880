"""`dipkg serve` as a linked-data server, over HTTP: content negotiation (303, 406, Vary), the
documents and downloads, `/.well-known/void`, the ontology, `/sparql` (SPARQL 1.1 Protocol,
read-only, YASGUI in a browser), and paths that must not be found (traversal, hidden files,
symlinks out of the site)."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from dipkg.iris import DEFAULT_BASE_IRI, ONTOLOGY_IRI
from tests.servers import HOST, free_port, stop

pytestmark = pytest.mark.loopback

BASE = DEFAULT_BASE_IRI
CHINA = URIRef(BASE + "entity/china")
DATASET = URIRef(BASE + "dataset")
DIP = "https://w3id.org/dipkg/ontology#"
FORMATS = {
    "html": "text/html; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}
RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
SPARQL_JSON = "application/sparql-results+json"
CHINA_QUERY = f"SELECT ?type WHERE {{ <{CHINA}> a ?type }}"
START_SECONDS = 60


def document_path(iri: str, base_iri: str) -> str | None:
    """The site path of the documents describing `iri` (web-layout.md), for the hand-made site."""
    if not iri.startswith(base_iri):
        return None
    local = iri[len(base_iri) :].split("#", 1)[0]
    return local or "index"


def description(graph: Graph, subjects: list[URIRef]) -> Graph:
    """The triples about `subjects`: as subject (with the blank nodes under them) and as object."""
    described = Graph()
    pending: list[URIRef | BNode] = list(subjects)
    seen: set[URIRef | BNode] = set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in graph.triples((node, None, None)):
            described.add(triple)
            if isinstance(triple[2], BNode):
                pending.append(triple[2])
    for subject in subjects:
        for triple in graph.triples((None, None, subject)):
            described.add(triple)
    return described


def write_documents(site: Path, path: str, graph: Graph, title: str) -> None:
    target = site / path
    target.parent.mkdir(parents=True, exist_ok=True)
    for ext, rdf_format in RDFLIB_FORMATS.items():
        target.with_name(f"{target.name}.{ext}").write_bytes(
            graph.serialize(format=rdf_format, encoding="utf-8")
        )
    page = f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
    page += f"<body><h1>{title}</h1><p>{len(graph)} statements</p></body></html>\n"
    target.with_name(f"{target.name}.html").write_text(page, encoding="utf-8")


def hand_made_site(kg: Path, site: Path) -> Path:
    """A small site folder in the layout `dipkg site` writes: China, the ontology, the dataset."""
    graph = Graph()
    for path in sorted(kg.rglob("*.ttl")):
        graph.parse(path, format="turtle")
    china_path = document_path(str(CHINA), BASE)
    assert china_path == "entity/china"
    write_documents(site, china_path, description(graph, [CHINA]), "China")
    ontology_terms = sorted(
        {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(ONTOLOGY_IRI)}
    )
    write_documents(site, "ontology", description(graph, ontology_terms), "The dipkg ontology")
    write_documents(site, "dataset", description(graph, [DATASET]), "The dataset")
    (site / "index.html").write_text("<!DOCTYPE html><title>dipkg</title><h1>dipkg</h1>\n", encoding="utf-8")
    shutil.copy2(kg / "void.ttl", site / "void.ttl")
    shutil.copytree(kg, site / "kg")
    (site / "assets").mkdir()
    (site / "assets" / "site.css").write_text("body { margin: 0 }\n", encoding="utf-8")
    (site / ".htaccess").write_text("RewriteEngine on\n", encoding="utf-8")
    return site


@dataclass
class Served:
    url: str
    port: int
    process: subprocess.Popen[str]
    banner: list[str]
    site: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, seed_project_dir: Path) -> Iterator[Served]:
    """`dipkg serve` on a copy of the built seed project, started once for the module."""
    root = tmp_path_factory.mktemp("serve-web")
    project = root / "project"
    shutil.copytree(seed_project_dir, project)
    site = hand_made_site(project / "kg", root / "site")
    (root / "secret.txt").write_text("outside the site\n", encoding="utf-8")
    (site / "escape.txt").symlink_to(root / "secret.txt")
    (site / "entity" / "out").symlink_to(root)
    (root / "tmp").mkdir()
    env = {**os.environ, "DIPKG_CACHE_DIR": str(root / "cache"), "TMPDIR": str(root / "tmp")}
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dipkg", "serve", "--port", str(port), "--site", str(site)],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = _banner(process)
        yield Served(f"http://{HOST}:{port}", port, process, banner, site)
    finally:
        stop(process, grace=15)


def _banner(process: subprocess.Popen[str]) -> list[str]:
    """The lines `dipkg serve` prints up to 'press Ctrl-C to stop' (it is then listening)."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + START_SECONDS
    while not lines or lines[-1] != "press Ctrl-C to stop\n":
        line = process.stdout.readline()
        if not line:
            stderr = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"dipkg serve stopped: {stderr}")
        assert time.monotonic() < deadline, "dipkg serve did not start"
        lines.append(line)
    return lines


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(
    served: Served,
    path: str,
    accept: str | None = None,
    method: str = "GET",
    body: bytes | None = None,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request with http.client (redirects not followed); `path` is sent exactly as given."""
    connection = http.client.HTTPConnection(HOST, served.port, timeout=30)
    sent = dict(headers or {})
    if accept is not None:
        sent["Accept"] = accept
    if content_type is not None:
        sent["Content-Type"] = content_type
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for key, value in sent.items():
            connection.putheader(key, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def test_the_banner_gives_the_pages_and_the_sparql_endpoint(served: Served) -> None:
    assert f"  pages:         {served.url}/\n" in served.banner
    assert f"  SPARQL:        {served.url}/sparql\n" in served.banner
    assert f"  SPARQL query:  {served.url}/query\n" in served.banner


@pytest.mark.parametrize("ext", list(FORMATS))
def test_each_media_type_is_a_303_to_its_document(served: Served, ext: str) -> None:
    media_type = FORMATS[ext].split(";")[0]
    answer = fetch(served, "/entity/china", accept=media_type)
    assert answer.status == 303
    assert answer.headers["location"] == f"/entity/china.{ext}"
    assert answer.headers["vary"] == "Accept"
    document = fetch(served, answer.headers["location"], accept=media_type)
    assert document.status == 200
    assert document.headers["content-type"] == FORMATS[ext]
    assert "etag" in document.headers and "last-modified" in document.headers
    assert "max-age" in document.headers["cache-control"]
    if ext == "html":
        assert b"<h1>China</h1>" in document.body
        return
    graph = Graph().parse(data=document.body, format=RDFLIB_FORMATS[ext])
    assert (CHINA, RDF.type, URIRef(DIP + "Country")) in graph
    assert (CHINA, RDFS.label, Literal("China", lang="en")) in graph or any(graph.objects(CHINA, None))
    assert any(graph.subjects(None, CHINA)), "the incoming triples are described too"


@pytest.mark.parametrize(
    ("accept", "ext"),
    [
        (None, "html"),
        ("*/*", "html"),
        (BROWSER, "html"),
        ("text/*", "html"),
        ("text/turtle;q=0.5, application/ld+json", "jsonld"),
        ("text/html;q=0.2, application/n-triples;q=0.9, text/turtle;q=0.8", "nt"),
        ("application/rdf+xml, text/turtle;q=0.1", "ttl"),
        ("application/ld+json, text/turtle", "ttl"),
        ("text/*;q=0, */*", "jsonld"),
    ],
)
def test_q_values_and_wildcards_choose_the_document(served: Served, accept: str | None, ext: str) -> None:
    answer = fetch(served, "/entity/china", accept=accept)
    assert (answer.status, answer.headers["location"]) == (303, f"/entity/china.{ext}")


@pytest.mark.parametrize("accept", ["application/rdf+xml", "image/png", "text/html;q=0, text/turtle;q=0"])
def test_what_cannot_be_given_is_a_406(served: Served, accept: str) -> None:
    answer = fetch(served, "/entity/china", accept=accept)
    assert answer.status == 406
    assert answer.headers["vary"] == "Accept"
    assert "location" not in answer.headers
    assert answer.headers["content-type"].startswith("text/plain")
    for media_type in FORMATS.values():
        assert media_type.split(";")[0].encode() in answer.body


def test_head_answers_headers_only(served: Served) -> None:
    answer = fetch(served, "/entity/china.ttl", method="HEAD")
    assert (answer.status, answer.body) == (200, b"")
    assert int(answer.headers["content-length"]) == (served.site / "entity" / "china.ttl").stat().st_size
    answer = fetch(served, "/entity/china", accept="text/turtle", method="HEAD")
    assert (answer.status, answer.headers["location"], answer.body) == (303, "/entity/china.ttl", b"")


def test_a_current_copy_is_not_sent_again(served: Served) -> None:
    first = fetch(served, "/entity/china.nt")
    again = fetch(served, "/entity/china.nt", headers={"If-None-Match": first.headers["etag"]})
    assert (again.status, again.body, again.headers["etag"]) == (304, b"", first.headers["etag"])
    since = fetch(served, "/entity/china.nt", headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status == 304
    assert fetch(served, "/entity/china.nt", headers={"If-None-Match": '"other"'}).status == 200


def test_the_root_the_dataset_the_ontology_and_the_void_description(served: Served) -> None:
    index = fetch(served, "/")
    assert (index.status, index.headers["content-type"]) == (200, FORMATS["html"])
    assert b"<h1>dipkg</h1>" in index.body
    void = fetch(served, "/.well-known/void", accept="text/turtle")
    assert (void.status, void.headers["location"], void.headers["vary"]) == (303, "/void.ttl", "Accept")
    described = Graph().parse(data=fetch(served, "/void.ttl").body, format="turtle")
    assert (DATASET, RDF.type, URIRef("http://rdfs.org/ns/void#Dataset")) in described
    assert fetch(served, "/.well-known/void", accept=BROWSER).headers["location"] == "/dataset.html"
    assert (
        fetch(served, "/.well-known/void", accept="application/n-triples").headers["location"]
        == "/dataset.nt"
    )
    assert fetch(served, "/.well-known/void", accept="image/png").status == 406
    for ext, media_type in FORMATS.items():
        answer = fetch(served, "/ontology", accept=media_type.split(";")[0])
        assert (answer.status, answer.headers["location"]) == (303, f"/ontology.{ext}")
        answer = fetch(served, "/dataset", accept=media_type.split(";")[0])
        assert (answer.status, answer.headers["location"]) == (303, f"/dataset.{ext}")
    ontology = Graph().parse(data=fetch(served, "/ontology.ttl").body, format="turtle")
    assert (URIRef(DIP + "Summons"), RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in ontology


def test_the_downloads_are_served(served: Served) -> None:
    entities = fetch(served, "/kg/entities.ttl")
    assert (entities.status, entities.headers["content-type"]) == (200, FORMATS["ttl"])
    assert entities.body == (served.site / "kg" / "entities.ttl").read_bytes()
    css = fetch(served, "/assets/site.css")
    assert (css.status, css.headers["content-type"]) == (200, "text/css; charset=utf-8")


@pytest.mark.parametrize(
    "path",
    [
        "/nothing",
        "/entity/nobody",
        "/entity/china.rdf",
        "/entity",
        "/entity/",
        "/entity/china/",
        "/kg/",
        "//entity/china.ttl",
        "/../secret.txt",
        "/entity/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/entity/%2E%2E/%2e%2e/secret.txt",
        "/entity%2f..%2f..%2fsecret.txt",
        "/..%2fsecret.txt",
        "/./index.html",
        "/entity/./china.ttl",
        "/escape.txt",
        "/entity/out/secret.txt",
        "/.htaccess",
        "/%2ehtaccess",
        "/etc/passwd",
        "/entity\\..\\..\\secret.txt",
        "/index.html%00.ttl",
        "/assets/yasgui/",
        "/assets/yasgui/README.md",
        "/assets/yasgui/../sparql.html",
    ],
)
def test_paths_outside_the_site_or_not_in_it_are_not_found(served: Served, path: str) -> None:
    for accept in (None, "text/turtle"):
        answer = fetch(served, path, accept=accept)
        assert answer.status == 404, (path, answer.status, answer.body[:200])
        assert b"outside the site" not in answer.body


def test_only_reading_methods_reach_the_site(served: Served) -> None:
    assert fetch(served, "/entity/china.ttl", method="POST", body=b"x").status == 405
    assert fetch(served, "/entity/china", method="DELETE").status == 405


def sparql_rows(answer: Answer) -> list[dict[str, str]]:
    assert answer.status == 200, answer.body[:300]
    assert answer.headers["content-type"].startswith(SPARQL_JSON)
    results = json.loads(answer.body)
    return [{k: v["value"] for k, v in row.items()} for row in results["results"]["bindings"]]


def test_sparql_get_and_post_give_json_results(served: Served) -> None:
    expected = {DIP + "Country"}
    query = urllib.parse.urlencode({"query": CHINA_QUERY})
    by_get = sparql_rows(fetch(served, f"/sparql?{query}", accept=SPARQL_JSON))
    assert expected <= {row["type"] for row in by_get}
    by_form = sparql_rows(
        fetch(
            served,
            "/sparql",
            accept=SPARQL_JSON,
            method="POST",
            body=query.encode(),
            content_type="application/x-www-form-urlencoded",
        )
    )
    by_body = sparql_rows(
        fetch(
            served,
            "/sparql",
            accept=SPARQL_JSON,
            method="POST",
            body=CHINA_QUERY.encode(),
            content_type="application/sparql-query",
        )
    )
    assert by_get == by_form == by_body
    old_endpoint = sparql_rows(fetch(served, f"/query?{query}", accept=SPARQL_JSON))
    assert old_endpoint == by_get


def test_sparql_refuses_updates_and_service(served: Served) -> None:
    update = "DELETE WHERE { ?s ?p ?o }"
    form = "application/x-www-form-urlencoded"
    refused = [
        fetch(served, "/sparql?" + urllib.parse.urlencode({"update": update})),
        fetch(
            served,
            "/sparql",
            method="POST",
            body=urllib.parse.urlencode({"update": update}).encode(),
            content_type=form,
        ),
        fetch(
            served, "/sparql", method="POST", body=update.encode(), content_type="application/sparql-update"
        ),
        fetch(
            served, "/update", method="POST", body=update.encode(), content_type="application/sparql-update"
        ),
    ]
    for answer in refused:
        assert answer.status == 400, answer.body
        assert answer.body.count(b"\n") == 1
    service = f"SELECT * WHERE {{ SERVICE <http://{HOST}:{served.port}/sparql> {{ ?s ?p ?o }} }}"
    answer = fetch(served, "/sparql?" + urllib.parse.urlencode({"query": service}))
    assert answer.status == 400 and b"SERVICE is refused" in answer.body
    bad = fetch(served, "/sparql?" + urllib.parse.urlencode({"query": "SELECT WHERE {"}), accept=SPARQL_JSON)
    assert bad.status == 400
    assert fetch(served, "/sparql", accept=SPARQL_JSON).status == 400
    assert (
        fetch(served, "/sparql", method="POST", body=b"SELECT * {}", content_type="text/plain").status == 400
    )
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    rows = sparql_rows(
        fetch(served, "/sparql?" + urllib.parse.urlencode({"query": count}), accept=SPARQL_JSON)
    )
    assert int(rows[0]["n"]) > 0


def test_sparql_in_a_browser_is_the_yasgui_page_with_local_assets(served: Served) -> None:
    page = fetch(served, "/sparql", accept=BROWSER)
    assert (page.status, page.headers["content-type"]) == (200, FORMATS["html"])
    text = page.body.decode()
    assert '<script src="assets/yasgui/yasgui.min.js"></script>' in text
    links = re.findall(r'(?:src|href)="([^"]*)"', text)
    # (data: is the page's empty icon, which saves the browser asking for /favicon.ico)
    assert links and all(not re.match(r"[a-z]+:|//", link) or link == "data:," for link in links), links
    assert '"sparql"' in text
    assert b"MIT License" in fetch(served, "/assets/yasgui/LICENSE").body
    for name, media_type in [("yasgui.min.js", "text/javascript"), ("yasgui.min.css", "text/css")]:
        asset = fetch(served, f"/assets/yasgui/{name}")
        assert asset.status == 200
        assert asset.headers["content-type"].startswith(media_type)
        assert len(asset.body) > 10_000
    head = fetch(served, "/sparql", accept=BROWSER, method="HEAD")
    assert (head.status, head.body) == (200, b"")
