"""Against a real Virtuoso 7 server, through its authenticated endpoints: the cases test_remote.py
runs against Oxigraph (first load, change-only reload, --full, --no-staging, injected faults, a
server stopped mid-load, every canned query equal to the local run), with credentials.
"""

from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from dipkg.cli import main
from dipkg.layout import KG_ARTICLES_SUBDIR, KG_ENTITIES_FILE
from dipkg.query.catalogue import catalogue
from dipkg.stores import loading
from dipkg.stores.credentials import PASSWORD_VARIABLE, Credentials
from dipkg.stores.remote import Endpoint, Payload, change_update, load_graph, update
from tests.projects import SEED, SEED_TRIPLES, rewrite_published
from tests.servers import FaultyProxy, Rule, VirtuosoServer

pytestmark = [pytest.mark.loopback, pytest.mark.virtuoso]

GRAPH = "https://w3id.org/dipkg/graph/kg"
OLD = b"".join(b"<urn:x:old> <urn:x:p> <urn:x:o%d> .\n" % i for i in range(3))
QUERIES = catalogue(SEED.query_files)
PARAMS = {
    "evidence": ["-p", "subject=ev:summons-8f7d906e6fec"],
    "post-holders": ["-p", "date=2021-03-25"],
    "relations-timeline": ["-p", "a=ent:china", "-p", "b=ent:european-union"],
}
GROUP_SIZE = 'dip:memberCount "10"^^xsd:integer'
APPENDED = '<urn:x:new> <urn:x:p> "appended" .\n'
SECRETS: list[str] = []
# Canned queries Virtuoso 7.2.5 answers wrongly or not at all (README, "Virtuoso"); strict, so
# that a fix (in the query or in Virtuoso) is noticed.
VIRTUOSO_WRONG = {
    "retaliation-chains": "Virtuoso refuses dip:respondsTo+ with neither end bound (error 37000, HTTP 500)",
    "summons-timeline": "inside OPTIONAL, a/rdfs:subClassOf* with its subject bound outside matches "
    "nothing on Virtuoso, so the post column is empty",
    "timeline": "Virtuoso's CONCAT with an unbound argument gives the other arguments instead of an "
    "error, so COALESCE stops at 'on or before ' for events without dip:latestDate",
    "relations-timeline": "Virtuoso does not answer it within 30 s (cause not found)",
}


def canned(name: str) -> object:
    if name not in VIRTUOSO_WRONG:
        return name
    mark = pytest.mark.xfail(reason=VIRTUOSO_WRONG[name], strict=True, run=name != "relations-timeline")
    return pytest.param(name, marks=mark)


@pytest.fixture(autouse=True)
def _setting(
    in_seed_project: Path, virtuoso_server: VirtuosoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The seed project, the test user's password in DIPKG_SPARQL_PASSWORD, a HOME without .netrc."""
    SECRETS[:] = [virtuoso_server.password, virtuoso_server.dba_password]
    monkeypatch.setenv(PASSWORD_VARIABLE, virtuoso_server.password)
    monkeypatch.setenv("HOME", str(tmp_path))


def run(*args: str) -> tuple[int, str, str]:
    """Run dipkg; no password may appear in what it prints."""
    result = CliRunner().invoke(main, list(args))
    output = result.stdout + result.stderr
    assert not any(secret in output for secret in SECRETS), output
    return result.exit_code, result.stdout, result.stderr


def urls(base: str) -> list[str]:
    """--endpoint, --update-url and --store-url of a Virtuoso server (or a proxy in front of it)."""
    return [
        "--endpoint",
        f"{base}/sparql",
        "--update-url",
        f"{base}/sparql-auth",
        "--store-url",
        f"{base}/sparql-graph-crud-auth",
    ]


def load(base: str, *extra: str) -> tuple[int, str, str]:
    return run("load", *urls(base), "--user", VirtuosoServer.user, *extra)


def endpoint(server: VirtuosoServer) -> Endpoint:
    return Endpoint.from_options(
        f"{server.url}/sparql",
        f"{server.url}/sparql-auth",
        f"{server.url}/sparql-graph-crud-auth",
        Credentials(server.user, server.password, PASSWORD_VARIABLE),
    )


def live_triples(server: VirtuosoServer, graph: str = GRAPH) -> set[tuple[str, str, str]]:
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    url = f"{server.url}/sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        bindings = json.loads(response.read())["results"]["bindings"]
    return {(b["s"]["value"], b["p"]["value"], b["o"]["value"]) for b in bindings}


def reset_to_old(server: VirtuosoServer) -> set[tuple[str, str, str]]:
    load_graph(endpoint(server), GRAPH, Payload.of_bytes(OLD, "text/turtle"), 3, 30)
    old = live_triples(server)
    assert len(old) == 3
    return old


def drop_live_graph(server: VirtuosoServer) -> None:
    update(endpoint(server), f"DROP SILENT GRAPH <{GRAPH}>", 30)
    assert live_triples(server) == set()


def forward(_method: str, _path: str, _body: bytes) -> str:
    return "forward"


def test_first_load_change_only_reload_full_and_no_staging(
    virtuoso_server: VirtuosoServer, built_kg: Path, tmp_path: Path
) -> None:
    drop_live_graph(virtuoso_server)
    kg = tmp_path / "kg"
    shutil.copytree(built_kg, kg)
    code, out, err = load(virtuoso_server.url, "--kg", str(kg), "-v")
    assert code == 0, err
    assert out == f"loaded {SEED_TRIPLES} triples into graph <{GRAPH}> at {virtuoso_server.url}/sparql\n"
    assert len(live_triples(virtuoso_server)) == SEED_TRIPLES
    again = out.rstrip("\n") + " (the change since the last load: 0 removed, 0 added)\n"
    assert load(virtuoso_server.url, "--kg", str(kg))[1] == again
    (article,) = (kg / KG_ARTICLES_SUBDIR).glob("*.ttl")
    text = article.read_text(encoding="utf-8")
    assert text.count(GROUP_SIZE) == 1
    rewrite_published(article, text.replace(GROUP_SIZE, GROUP_SIZE.replace("10", "11")) + APPENDED)
    whole = f"loaded {SEED_TRIPLES + 1} triples into graph <{GRAPH}> at {virtuoso_server.url}/sparql\n"
    code, out, err = load(virtuoso_server.url, "--kg", str(kg))
    assert code == 0, err
    assert out == whole.rstrip("\n") + " (the change since the last load: 1 removed, 2 added)\n"
    live = live_triples(virtuoso_server)
    assert len(live) == SEED_TRIPLES + 1
    assert ("urn:x:new", "urn:x:p", "appended") in live
    member_count = "https://w3id.org/dipkg/ontology#memberCount"
    assert {o for _, p, o in live if p == member_count} >= {"11"}
    assert "10" not in {o for _, p, o in live if p == member_count}
    compared = whole.rstrip("\n") + " (the graph compared with kg/: 0 removed, 0 added)\n"
    assert load(virtuoso_server.url, "--kg", str(kg), "--full") == (0, compared, "")
    assert load(virtuoso_server.url, "--kg", str(kg), "--full", "--no-staging") == (0, whole, "")
    assert live_triples(virtuoso_server, GRAPH + "?dipkg-staging") == set()
    assert live_triples(virtuoso_server) == live


@pytest.fixture(scope="module")
def loaded(virtuoso_server: VirtuosoServer, seed_project_dir: Path) -> VirtuosoServer:
    """The Virtuoso server with the seed KG loaded (once for the module's query comparisons)."""
    update(endpoint(virtuoso_server), f"DROP SILENT GRAPH <{GRAPH}>", 30)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(seed_project_dir)
        patch.setenv(PASSWORD_VARIABLE, virtuoso_server.password)
        code, _, err = load(virtuoso_server.url)
    assert code == 0, err
    return virtuoso_server


@pytest.mark.parametrize("name", [canned(query.name) for query in QUERIES])
def test_every_canned_query_gives_the_local_rows(name: str, loaded: VirtuosoServer) -> None:
    """The same rows, in the same order except among rows the query's ORDER BY leaves tied."""
    params = PARAMS.get(name, [])
    local = run("query", name, *params, "--format", "csv")
    remote = run("query", name, *params, "--format", "csv", "--endpoint", f"{loaded.url}/sparql")
    assert remote[0] == 0, remote[2]
    local_rows, remote_rows = local[1].splitlines(), remote[1].splitlines()
    assert remote_rows[0] == local_rows[0]
    assert sorted(remote_rows[1:]) == sorted(local_rows[1:])


def test_a_wrong_password_or_none_is_one_line_and_exit_5(
    virtuoso_server: VirtuosoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    SECRETS.append("wrong-" + virtuoso_server.password)
    monkeypatch.setenv(PASSWORD_VARIABLE, SECRETS[-1])
    code, out, err = load(virtuoso_server.url, "--full", "-v")
    assert (code, out) == (5, "")
    assert err.splitlines()[-1] == (
        f"dipkg: error: {virtuoso_server.url}/sparql-auth: the server refused the credentials of user "
        f"'{virtuoso_server.user}' (HTTP 401): check --user and {PASSWORD_VARIABLE}"
    )
    assert len(err.splitlines()) == 2
    code, out, err = run("load", *urls(virtuoso_server.url), "--full")
    assert (code, out) == (5, "")
    assert err == (
        f"dipkg: error: {virtuoso_server.url}/sparql-auth: the server asks for credentials (HTTP 401): "
        f"give --user NAME and the password in {PASSWORD_VARIABLE} or ~/.netrc\n"
    )


def on_path(path: str, action: str, prefix: str) -> Rule:
    return lambda m, p, b: action if p.startswith(prefix) else "forward"


@pytest.mark.parametrize(
    "fault, replaced_whole, exit_code, message",
    [
        (
            on_path("", "500", "/sparql-graph-crud-auth"),
            False,
            5,
            "HTTP 500 Internal Server Error: injected failure",
        ),
        (on_path("", "drop", "/sparql-graph-crud-auth"), False, 3, "uploading: cannot reach the endpoint"),
        (lambda m, p, b: "drop" if b"MOVE" in b else "forward", True, 3, "cannot reach the endpoint"),
        (lambda m, p, b: "500" if b"MOVE" in b else "forward", True, 5, "HTTP 500"),
        (lambda m, p, b: "hang" if b"COUNT" in b else "forward", False, 3, "did not answer within 1 s"),
        (lambda m, p, b: "500" if b"DELETE DATA" in b else "forward", False, 5, "HTTP 500"),
        (
            lambda m, p, b: "cut" if m == "GET" else "500" if b"MOVE" in b else "forward",
            False,
            5,
            "HTTP 500",
        ),
    ],
    ids=[
        "500-on-dump-and-upload",
        "dropped-dump-and-upload",
        "dropped-swap",
        "500-on-swap",
        "timeout-on-count",
        "500-on-difference",
        "dump-cut-short-and-500-on-swap",
    ],
)
def test_faults_leave_the_live_graph_intact(
    fault: Rule,
    replaced_whole: bool,
    exit_code: int,
    message: str,
    virtuoso_server: VirtuosoServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without `replaced_whole` the difference from kg/ (3 removed, the seed KG added) fits in
    one update; with it, it is made too large, so that the graph is replaced whole."""
    old = reset_to_old(virtuoso_server)
    if replaced_whole:
        monkeypatch.setattr(loading, "UPDATE_LIMIT", 100)
    with FaultyProxy(virtuoso_server.url, fault, hang_seconds=3) as proxy:
        code, out, err = load(proxy.url, "--timeout", "1", "--full")
    assert code == exit_code, err
    assert out == ""
    assert message in err
    assert len(err.splitlines()) == 1
    assert live_triples(virtuoso_server) == old
    code, _, err = load(virtuoso_server.url)
    assert code == 0, err
    assert len(live_triples(virtuoso_server)) == SEED_TRIPLES


def test_lost_answer_to_the_swap_is_recognised(
    virtuoso_server: VirtuosoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reset_to_old(virtuoso_server)
    monkeypatch.setattr(loading, "UPDATE_LIMIT", 100)
    with FaultyProxy(
        virtuoso_server.url, lambda m, p, b: "forward-then-drop" if b"MOVE" in b else "forward"
    ) as proxy:
        code, out, err = load(proxy.url, "--full")
    assert code == 0, err
    assert out.startswith(f"loaded {SEED_TRIPLES} triples")
    assert len(live_triples(virtuoso_server)) == SEED_TRIPLES


@pytest.mark.parametrize("stopped_on", ["GET", "PUT"], ids=["mid-dump", "mid-upload"])
def test_server_stopped_mid_load(stopped_on: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if stopped_on == "PUT":
        monkeypatch.setattr(loading, "UPDATE_LIMIT", 100)
    server = VirtuosoServer(tmp_path / "db").start()
    SECRETS[:] = [server.password, server.dba_password]
    monkeypatch.setenv(PASSWORD_VARIABLE, server.password)
    try:
        old = reset_to_old(server)

        def stop_on_store(method: str, path: str, _body: bytes) -> str:
            if path.startswith("/sparql-graph-crud-auth") and method == stopped_on:
                server.stop()
                return "drop"
            return "forward"

        with FaultyProxy(server.url, stop_on_store) as proxy:
            code, _, err = run("load", *urls(proxy.url), "--user", server.user, "--timeout", "2", "--full")
        assert code == 3, err
        assert "cannot reach the endpoint" in err
        assert stopped_on in [method for method, _, action in proxy.requests if action == "drop"]
        server.start()
        assert live_triples(server) == old
        code, _, err = run("load", *urls(server.url), "--user", server.user)
        assert code == 0, err
        assert len(live_triples(server)) == SEED_TRIPLES
    finally:
        server.stop()


STRAY = '<urn:x:stray> <urn:x:p> "added by someone else"'
MEMBER_COUNT = '"10"^^<http://www.w3.org/2001/XMLSchema#integer>'


def recording_updates(updates: list[str]) -> Rule:
    def record(_method: str, path: str, body: bytes) -> str:
        if path.startswith("/sparql-auth"):
            updates.append(body.decode())
        return "forward"

    return record


def test_full_over_a_graph_someone_changed_sends_only_the_difference(
    virtuoso_server: VirtuosoServer, built_kg: Path, tmp_path: Path
) -> None:
    drop_live_graph(virtuoso_server)
    kg = tmp_path / "kg"
    shutil.copytree(built_kg, kg)
    assert load(virtuoso_server.url, "--kg", str(kg))[0] == 0
    loaded = live_triples(virtuoso_server)
    (subject,) = {s for s, p, o in loaded if p.endswith("#memberCount") and o == "10"}
    gone = f"<{subject}> <https://w3id.org/dipkg/ontology#memberCount> {MEMBER_COUNT}"
    update(endpoint(virtuoso_server), change_update(GRAPH, [gone], [STRAY]), 30)
    assert len(live_triples(virtuoso_server)) == SEED_TRIPLES
    updates: list[str] = []
    with FaultyProxy(virtuoso_server.url, recording_updates(updates)) as proxy:
        code, out, err = load(proxy.url, "--kg", str(kg), "--full")
    assert code == 0, err
    assert out == (
        f"loaded {SEED_TRIPLES} triples into graph <{GRAPH}> at {proxy.url}/sparql"
        " (the graph compared with kg/: 1 removed, 1 added)\n"
    )
    store_requests = [m for m, p, _ in proxy.requests if p.startswith("/sparql-graph-crud-auth")]
    assert set(store_requests) == {"GET"}
    assert updates[-1] == change_update(GRAPH, [STRAY], [gone])
    assert live_triples(virtuoso_server) == loaded
    with FaultyProxy(virtuoso_server.url, lambda m, p, b: "cut" if m == "GET" else "forward") as proxy:
        update(endpoint(virtuoso_server), change_update(GRAPH, [], [STRAY]), 30)
        code, out, err = load(proxy.url, "--kg", str(kg), "--full", "-v")
    assert code == 0, err
    assert out == f"loaded {SEED_TRIPLES} triples into graph <{GRAPH}> at {proxy.url}/sparql\n"
    assert err.splitlines()[-1] == (
        "replaced the graph whole: the graph could not be read (the answer ended before its announced length)"
    )
    assert live_triples(virtuoso_server) == loaded


def test_literals_virtuoso_rewrites_are_compared_by_value(
    virtuoso_server: VirtuosoServer, built_kg: Path, tmp_path: Path
) -> None:
    """Virtuoso sends back "010"^^xsd:integer as "10": the query store compares numbers by value,
    so it is found. " 5 "^^xsd:integer, which it sends back as "5", the query store keeps as
    written: each comparison deletes the server's form and inserts kg/'s again, and the count
    stays right."""
    drop_live_graph(virtuoso_server)
    kg = tmp_path / "kg"
    shutil.copytree(built_kg, kg)
    entities = kg / KG_ENTITIES_FILE
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    odd = f'<urn:x:odd> <urn:x:p> "010"^^{integer} .\n<urn:x:odd> <urn:x:q> " 5 "^^{integer} .\n'
    rewrite_published(entities, entities.read_text(encoding="utf-8") + odd)
    assert load(virtuoso_server.url, "--kg", str(kg))[0] == 0
    assert {("urn:x:odd", "urn:x:p", "10"), ("urn:x:odd", "urn:x:q", "5")} <= live_triples(virtuoso_server)
    loaded = f"loaded {SEED_TRIPLES + 2} triples into graph <{GRAPH}> at {virtuoso_server.url}/sparql"
    for _ in range(2):
        code, out, err = load(virtuoso_server.url, "--kg", str(kg), "--full")
        assert (code, err) == (0, "")
        assert out == loaded + " (the graph compared with kg/: 1 removed, 1 added)\n"
        assert len(live_triples(virtuoso_server)) == SEED_TRIPLES + 2
