"""`dipkg site`: a page and three RDF documents for every resource, built incrementally."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Dataset, Graph, URIRef

from dipkg.build.pipeline import build as build_project
from dipkg.cli import main
from dipkg.project import Project
from dipkg.web.paths import FORMATS, document_path
from dipkg.web.site import MARKER_FILE, build_site
from dipkg.web.view import Link
from tests.conftest import DATA_DIR
from tests.projects import copy_seed_project

BASE = "https://w3id.org/dipkg/"
DIP = BASE + "ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SECOND = DATA_DIR / "second-article"
RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


def published(kg: Path) -> Dataset:
    """Every graph of kg/ and its description (void.ttl), as one dataset."""
    dataset = Dataset()
    for path in sorted(kg.rglob("*.ttl")):
        dataset.graph(URIRef(path.as_uri())).parse(path, format="turtle")
    return dataset


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER_FILE
    }


@pytest.fixture(scope="module")
def two_articles(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the seed project with a second article, built."""
    folder = copy_seed_project(tmp_path_factory.mktemp("site") / "project")
    shutil.copytree(SECOND, folder / "seeds", dirs_exist_ok=True)
    project = Project.at(folder).replace(cache_dir=folder / ".cache")
    build_project(project)
    return project


@pytest.fixture(scope="module")
def site(two_articles: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site-out") / "site"
    build_site(two_articles, out)
    return out


def test_every_resource_has_a_page_and_three_documents_holding_its_description(
    two_articles: Project, site: Path
) -> None:
    union = Graph()
    for graph in published(two_articles.kg_dir).graphs():
        union += graph
    resources = {
        str(node)
        for triple in union
        for node in (triple[0], triple[2])
        if isinstance(node, URIRef) and document_path(str(node), BASE) is not None
    }
    described: dict[str, set[tuple]] = {}
    for iri in sorted(resources):
        path = document_path(iri, BASE)
        assert path is not None
        node = URIRef(iri)
        described.setdefault(path, set()).update(
            t for t in union if t[0] == node or (t[2] == node and t[1] != RDF.type)
        )
    # A document describes the resources of its path: one for a slash IRI, the ontology and its
    # terms (hash IRIs) for ontology.*.
    assert len(described) > 300
    for path, expected in described.items():
        for ext in FORMATS:
            assert (site / f"{path}.{ext}").is_file(), f"no {path}.{ext}"
        for ext, rdf in RDF_FORMATS.items():
            graph = Graph().parse(site / f"{path}.{ext}", format=rdf)
            assert set(graph) == expected, f"{path}.{ext} is not the description of its resources"


def test_documents_parse_with_rapper(site: Path) -> None:
    if shutil.which("rapper") is None:
        pytest.skip("rapper (raptor2-utils) is not installed")
    for path in ["entity/china", "article/000_65e413c471938464", "ontology", "dataset"]:
        for ext, syntax in (("ttl", "turtle"), ("nt", "ntriples")):
            done = subprocess.run(
                ["rapper", "-q", "-i", syntax, "-c", str(site / f"{path}.{ext}")],
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stderr


def test_json_ld_is_compacted_with_the_published_context(site: Path) -> None:
    document = json.loads((site / "entity/china.jsonld").read_text(encoding="utf-8"))
    context = json.loads((site / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == context["@context"]
    assert context["@context"]["ent"] == BASE + "entity/"
    china = next(node for node in document["@graph"] if node["@id"] == "ent:china")
    assert "dip:Country" in china["@type"]
    assert china["rdfs:label"] == {"@value": "China", "@language": "en"}
    page = (site / "entity/china.html").read_text(encoding="utf-8")
    embedded = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(embedded) == document


def test_article_page_highlights_every_evidence_span(site: Path, two_articles: Project) -> None:
    article = Graph().parse(two_articles.kg_dir / "articles" / "000_65e413c471938464.ttl", format="turtle")
    spans = set(
        article.query(
            "SELECT ?start ?end WHERE { ?s a <https://w3id.org/dipkg/ontology#EvidenceSpan> ; "
            "<http://www.w3.org/ns/oa#start> ?start ; <http://www.w3.org/ns/oa#end> ?end }"
        )
    )
    page = (site / "article/000_65e413c471938464.html").read_text(encoding="utf-8")
    for start, end in spans:
        assert f'id="span-{start}-{end}"' in page
    assert page.count('class="span fact"') > 10
    assert 'class="span claim"' in page
    assert "Blinken" in page


def test_a_claim_is_shown_as_its_claimants_claim(site: Path, two_articles: Project) -> None:
    article = Graph().parse(two_articles.kg_dir / "articles" / "000_65e413c471938464.ttl", format="turtle")
    claim, claimant = next(
        iter(article.query("SELECT ?c ?who WHERE { ?c <https://w3id.org/dipkg/ontology#claimant> ?who }"))
    )
    path = document_path(str(claim), BASE)
    page = (site / f"{path}.html").read_text(encoding="utf-8")
    who = document_path(str(claimant), BASE)
    assert f'A claim by <a href="../{who}.html">' in page
    assert "not a fact of the graph" in page


def test_timeline_and_listings(site: Path) -> None:
    timeline = (site / "timeline.html").read_text(encoding="utf-8")
    assert 'href="timeline/2021.html"' in timeline
    year = (site / "timeline/2021.html").read_text(encoding="utf-8")
    assert "events</caption>" in year
    assert list((site / "timeline/category").glob("*.html"))
    assert list((site / "timeline/pair").glob("*--*.html"))
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<form class="sparql-form" method="get" action="sparql">' in index
    assert 'id="query-summons-timeline"' in index
    assert (site / "queries/summons-timeline.rq").is_file()
    assert (site / "kg/void.ttl").read_bytes() == (site / "void.ttl").read_bytes()


def test_deployment_files_negotiate(site: Path) -> None:
    htaccess = (site / ".htaccess").read_text(encoding="utf-8")
    assert "RewriteRule ^(.+)$ $1.ttl [R=303,L,E=vary:1]" in htaccess
    assert "Header always append Vary Accept" in htaccess
    nginx = (site / "nginx.conf").read_text(encoding="utf-8")
    assert "return 303 $uri.$dipkg_ext;" in nginx
    assert "RewriteRule ^(.*)$ https://w3id.org/dipkg/$1 [R=303,L]" in (site / "w3id.htaccess").read_text()


def test_rebuild_after_one_article_changed_equals_a_clean_build(
    two_articles: Project, tmp_path: Path
) -> None:
    project = two_articles.replace(cache_dir=tmp_path / "cache")
    out = tmp_path / "site"
    first = build_site(project, out)
    assert first.graphs_read == 4
    again = build_site(project, out)
    assert (again.written, again.graphs_read) == (0, 0)
    annotation = next((project.articles_dir).glob("test_0002/annotation.yaml"))
    original = annotation.read_text(encoding="utf-8")
    try:
        annotation.write_text(original.replace("EU foreign ministers discuss", "EU ministers discuss"))
        build_project(project)
        changed = build_site(project, out)
        assert changed.graphs_read == 1
        assert 0 < changed.written < first.written / 5
        clean = tmp_path / "clean"
        build_site(project.replace(cache_dir=tmp_path / "cache-clean"), clean)
        assert tree(out) == tree(clean)
        shutil.rmtree(project.articles_dir / "test_0002")
        build_project(project)
        removed = build_site(project, out)
        assert removed.removed > 0
        assert not (out / "article/test_0002.html").exists()
        clean_again = tmp_path / "clean-again"
        build_site(project.replace(cache_dir=tmp_path / "cache-clean-again"), clean_again)
        assert tree(out) == tree(clean_again)
    finally:
        shutil.copytree(SECOND, project.seeds_dir, dirs_exist_ok=True)
        annotation.write_text(original, encoding="utf-8")
        build_project(project)


def test_same_graph_same_bytes_and_readable_files(two_articles: Project, tmp_path: Path) -> None:
    previous = os.umask(0o077)
    try:
        build_site(two_articles.replace(cache_dir=tmp_path / "a"), tmp_path / "one")
    finally:
        os.umask(previous)
    build_site(two_articles.replace(cache_dir=tmp_path / "b"), tmp_path / "two")
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    for path in (tmp_path / "one").rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_site_command(two_articles: Project, tmp_path: Path) -> None:
    assert two_articles.root is not None
    out = tmp_path / "public"
    args = ["--project", str(two_articles.root), "site", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"site in {out}/: ")
    assert "graphs read" in result.output
    clash = tmp_path / "a-file"
    clash.write_text("x")
    result = CliRunner().invoke(main, ["--project", str(two_articles.root), "site", "--out", str(clash)])
    assert result.exit_code == 2
    assert result.output == f"dipkg: error: {clash} is not a folder: give --out a folder for the site\n"
    assert clash.read_text() == "x"
    result = CliRunner().invoke(main, [*args, "--base-url", "ftp://x/"])
    assert result.exit_code == 2


def test_a_changed_label_remakes_the_documents_of_other_graphs_that_print_it(tmp_path: Path) -> None:
    from dipkg.web.index import SiteIndex, summarise
    from dipkg.web.site import _changed_paths

    prefixes = (
        "@prefix dip: <https://w3id.org/dipkg/ontology#> .\n@prefix ev: <https://w3id.org/dipkg/event/> .\n"
    )
    first = prefixes + 'ev:a a dip:Expulsion ; <http://www.w3.org/2000/01/rdf-schema#label> "{}" .\n'
    second = prefixes + "ev:b a dip:Expulsion ; dip:respondsTo ev:a .\n"
    index = SiteIndex(tmp_path / "index.sqlite")
    index.replace_graph("A", "1", summarise(first.format("A expels").encode(), "a.ttl", BASE))
    index.replace_graph("B", "2", summarise(second.encode(), "b.ttl", BASE))
    relabelled = summarise(first.format("A expels two").encode(), "a.ttl", BASE)
    assert _changed_paths(index, "A", relabelled) == {"event/a", "event/b"}
    same = summarise(first.format("A expels").encode(), "a.ttl", BASE)
    assert _changed_paths(index, "A", same) == set()
    index.close()


def test_a_page_lists_the_latest_hundred_of_what_points_at_a_resource() -> None:
    import datetime

    import pyoxigraph as ox

    from dipkg.iris import Prefixes, prefix_map
    from dipkg.web.view import View

    china = ox.NamedNode(BASE + "entity/china")
    actor, date = ox.NamedNode(DIP + "actor"), ox.NamedNode(DIP + "date")
    first = datetime.date(2020, 1, 1)
    triples = []
    for n in range(150):
        event = ox.NamedNode(f"{BASE}event/e{149 - n:03d}")
        day = (first + datetime.timedelta(days=149 - n)).isoformat()
        triples += [
            ox.Triple(event, actor, china),
            ox.Triple(event, date, ox.Literal(day, datatype=ox.NamedNode(XSD + "date"))),
        ]
    view = View("entity/china", [china.value], triples, BASE, Prefixes(prefix_map()), {})
    [(predicate, shown)] = view.backlinks(china.value)
    assert predicate.text == "as " + view.label(DIP + "actor")
    assert len(shown) == 101
    assert shown[0] == Link("50 earlier, in this page's data", "china.ttl")
    assert shown[-1].href == "../event/e149.html"


def web_server(name: str, candidates: tuple[str, ...]) -> str:
    """The server's executable; in CI (which installs it) its absence fails the test."""
    for candidate in candidates:
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail(f"{name} is not installed, and CI must run this test")
    pytest.skip(f"{name} is not installed")


def check_negotiation(port: int, site: Path) -> None:
    """The site served at http://127.0.0.1:PORT/dipkg/ answers each resource IRI path with 303 to
    its page or data by Accept (with Vary: Accept) and serves the documents as they are."""
    import http.client
    import time

    deadline = time.monotonic() + 15

    def get(path: str, accept: str | None = None) -> http.client.HTTPResponse:
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", path, headers={"Accept": accept} if accept else {})
                return connection.getresponse()
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)

    for ext, accept in [
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
        ("html", "text/html,application/xhtml+xml,*/*;q=0.8"),
        ("html", "*/*"),
    ]:
        answer = get("/dipkg/entity/china", accept)
        assert answer.status == 303, (accept, answer.status)
        assert answer.getheader("Location", "").endswith(f"/dipkg/entity/china.{ext}")
        assert answer.getheader("Vary") == "Accept"
        document = get(f"/dipkg/entity/china.{ext}")
        assert document.status == 200
        assert document.read() == (site / f"entity/china.{ext}").read_bytes()
    assert get("/dipkg/entity/china.ttl").getheader("Content-Type") == "text/turtle; charset=utf-8"
    void = get("/dipkg/.well-known/void")
    assert (void.status, void.getheader("Location", "").endswith("/dipkg/void.ttl")) == (303, True)
    assert get("/dipkg/").status == 200
    assert get("/dipkg/no/such/thing").status == 404


@pytest.mark.loopback
def test_the_nginx_configuration_negotiates_on_the_static_files(site: Path, tmp_path: Path) -> None:
    """nginx with the site's nginx.conf as written (its port and folder changed)."""
    from tests.servers import free_port

    binary = web_server("nginx", ("nginx", "/usr/sbin/nginx"))
    port = free_port()
    served = (site / "nginx.conf").read_text(encoding="utf-8")
    assert "listen 80;" in served and "/srv/dipkg/site" in served
    served = served.replace("listen 80;", f"listen 127.0.0.1:{port};").replace("/srv/dipkg/site", str(site))
    (tmp_path / "dipkg.conf").write_text(served, encoding="utf-8")
    temp = " ".join(
        f"{kind}_temp_path {tmp_path};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        # (as root, the workers read the test's private folders as root too)
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; {temp} include {tmp_path}/dipkg.conf; }}\n",
        encoding="utf-8",
    )
    server = subprocess.Popen([binary, "-c", str(tmp_path / "nginx.conf")], stderr=subprocess.PIPE)
    try:
        check_negotiation(port, site)
    finally:
        server.terminate()
        server.wait(timeout=10)


APACHE_MODULES = ("mpm_event", "authz_core", "rewrite", "headers", "mime", "dir")


@pytest.mark.loopback
def test_the_htaccess_negotiates_on_the_static_files_in_apache(site: Path) -> None:
    """Apache 2.4 with the site's .htaccess as written, the site under /dipkg/ of its document root."""
    import tempfile

    from tests.servers import free_port

    binary = web_server("Apache", ("apache2", "/usr/sbin/apache2", "httpd"))
    modules = Path("/usr/lib/apache2/modules")
    port = free_port()
    # Apache's workers run as an unprivileged user: the site is copied where anyone may read it.
    root = Path(tempfile.mkdtemp(prefix="dipkg-apache-"))
    try:
        root.chmod(0o755)
        shutil.copytree(site, root / "www" / "dipkg")
        for path in [root / "www", *(root / "www").rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        loads = "".join(f"LoadModule {m}_module {modules}/mod_{m}.so\n" for m in APACHE_MODULES)
        user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
        (root / "httpd.conf").write_text(
            f"ServerRoot {root}\nServerName 127.0.0.1\nListen 127.0.0.1:{port}\nPidFile {root}/httpd.pid\n"
            f"ErrorLog {root}/error.log\n{loads}{user}TypesConfig /etc/mime.types\n"
            f"DocumentRoot {root}/www\nDirectoryIndex index.html\n"
            f"<Directory {root}/www>\n  AllowOverride All\n  Require all granted\n</Directory>\n",
            encoding="utf-8",
        )
        server = subprocess.Popen([binary, "-f", str(root / "httpd.conf"), "-DFOREGROUND"])
        try:
            check_negotiation(port, site)
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_hostile_labels_and_iris_stay_text_and_inside_the_site(two_articles: Project, tmp_path: Path) -> None:
    from tests.projects import rewrite_published

    kg = Path(shutil.copytree(two_articles.kg_dir, tmp_path / "kg"))
    entities = kg / "entities.ttl"
    label, alt = (
        "<http://www.w3.org/2000/01/rdf-schema#label>",
        "<http://www.w3.org/2004/02/skos/core#altLabel>",
    )
    hostile = (
        f'<{BASE}entity/china> {alt} "</script><script>alert(1)</script>" .\n'
        f'<{BASE}entity/mallory> {label} "<b onmouseover=alert(2)>M</b>"@en ;\n'
        f"    <{BASE}ontology#actor> <{BASE}entity/china> .\n"
        f'<{BASE}entity/../../../escaped> {label} "out" .\n'
    )
    rewrite_published(entities, entities.read_text(encoding="utf-8") + hostile)
    out = tmp_path / "site"
    build_site(two_articles.replace(kg=kg, cache_dir=tmp_path / "cache"), out)
    china = (out / "entity/china.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in china
    assert china.count("</script>") == china.count("<script")
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in china
    mallory = (out / "entity/mallory.html").read_text(encoding="utf-8")
    assert "<b onmouseover" not in mallory and "&lt;b onmouseover=alert(2)&gt;M&lt;/b&gt;" in mallory
    assert not (tmp_path / "escaped.html").exists() and not list(tmp_path.rglob("escaped.*"))


def test_site_without_a_published_graph_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nothing"
    result = CliRunner().invoke(main, ["site", "--kg", str(missing), "--out", str(tmp_path / "s")])
    assert result.exit_code == 3
    said = "no dataset description here; run `dipkg build` first"
    assert result.output == f"dipkg: error: {missing / 'void.ttl'}: {said}\n"
    assert not (tmp_path / "s").exists()


def test_a_new_canned_query_reaches_the_index_with_no_graph_changed(
    two_articles: Project, tmp_path: Path
) -> None:
    extra = tmp_path / "queries"
    extra.mkdir()
    project = two_articles.replace(
        cache_dir=tmp_path / "cache", queries_dirs=(*two_articles.queries_dirs, extra)
    )
    out = tmp_path / "site"
    build_site(project, out)
    assert 'id="query-my-countries"' not in (out / "index.html").read_text(encoding="utf-8")
    (extra / "my-countries.rq").write_text(
        '#+ summary: "Countries"\nSELECT ?c WHERE { ?c a <https://w3id.org/dipkg/ontology#Country> }\n',
        encoding="utf-8",
    )
    again = build_site(project, out)
    assert again.graphs_read == 0
    assert 'id="query-my-countries"' in (out / "index.html").read_text(encoding="utf-8")
    assert (out / "queries/my-countries.rq").is_file()
