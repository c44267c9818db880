"""Against a real Oxigraph server: dipkg load, remote queries equal to local ones, injected faults."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from dipkg.cli import main
from dipkg.layout import KG_ARTICLES_SUBDIR, KG_ENTITIES_FILE
from dipkg.query.catalogue import catalogue
from dipkg.stores import loading, remote
from dipkg.stores.loading import load_dataset
from dipkg.stores.remote import (
    Endpoint,
    GraphChange,
    Payload,
    change_update,
    count_triples,
    load_graph,
    staging_graph,
    update,
)
from tests.projects import SEED, SEED_TRIPLES, rewrite_published, seed_project
from tests.servers import FaultyProxy, OxigraphServer, Rule, free_port

pytestmark = pytest.mark.loopback

QUERIES = catalogue(SEED.query_files)
DEFAULT_GRAPH = "https://w3id.org/dipkg/graph/kg"
DATA = Path(__file__).parent / "data" / "queries"
KG_TRIPLES = SEED_TRIPLES
OLD = b"".join(b"<urn:x:old> <urn:x:p> <urn:x:o%d> .\n" % i for i in range(3))


@pytest.fixture(autouse=True)
def _in_seed_project(in_seed_project: Path) -> None:
    """Every command of this module runs in the built seed project."""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def live_triples(server: OxigraphServer) -> set[tuple[str, str, str]]:
    table_query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{DEFAULT_GRAPH}> {{ ?s ?p ?o }} }}"
    url = f"{server.url}/query?" + urllib.parse.urlencode({"query": table_query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        bindings = json.loads(response.read())["results"]["bindings"]
    return {(b["s"]["value"], b["p"]["value"], b["o"]["value"]) for b in bindings}


def reset_to_old(server: OxigraphServer) -> set[tuple[str, str, str]]:
    load_graph(
        Endpoint.from_options(server.url),
        DEFAULT_GRAPH,
        Payload.of_bytes(OLD, "application/n-triples"),
        3,
        10,
    )
    old = live_triples(server)
    assert len(old) == 3
    return old


def test_load_then_every_query_matches_the_local_run(oxigraph_server: OxigraphServer) -> None:
    # The server is the session's: the graph is emptied so that this load is a first one.
    drop_live_graph(oxigraph_server)
    code, out, err = run("load", "--endpoint", oxigraph_server.url)
    assert code == 0, err
    assert out == f"loaded {KG_TRIPLES} triples into graph <{DEFAULT_GRAPH}> at {oxigraph_server.url}/query\n"
    again = out.rstrip("\n") + " (the change since the last load: 0 removed, 0 added)\n"
    assert run("load", "--endpoint", oxigraph_server.url)[1] == again
    assert len(live_triples(oxigraph_server)) == KG_TRIPLES
    for query in QUERIES:
        params = {
            "evidence": ["-p", "subject=ev:summons-8f7d906e6fec"],
            "post-holders": ["-p", "date=2021-03-25"],
            "relations-timeline": ["-p", "a=ent:china", "-p", "b=ent:european-union"],
        }.get(query.name, [])
        local = run("query", query.name, *params)
        remote = run("query", query.name, *params, "--endpoint", oxigraph_server.url)
        assert remote[0] == 0, remote[2]
        assert json.loads(remote[1]) == json.loads(local[1]), query.name


def test_unstaged_load_replaces_the_graph_through_the_bulk_path(oxigraph_server: OxigraphServer) -> None:
    reset_to_old(oxigraph_server)
    code, out, err = run("load", "--endpoint", oxigraph_server.url, "--no-staging")
    assert code == 0, err
    assert out == f"loaded {KG_TRIPLES} triples into graph <{DEFAULT_GRAPH}> at {oxigraph_server.url}/query\n"
    assert len(live_triples(oxigraph_server)) == KG_TRIPLES
    assert count_triples(Endpoint.from_options(oxigraph_server.url), staging_graph(DEFAULT_GRAPH), 10) == 0
    assert Endpoint.from_options(oxigraph_server.url).bulk_parameter == "no_transaction"
    explicit = Endpoint.from_options(oxigraph_server.url, store=f"{oxigraph_server.url}/store")
    assert explicit.bulk_parameter is None


@pytest.mark.parametrize("value", ['a"} ; DROP ALL ; #', "two\nlines", "escaped \\u0022 quote", "}"])
def test_remote_parameters_are_bound_as_plain_values(value: str, oxigraph_server: OxigraphServer) -> None:
    code, out, err = run(
        "query", str(DATA / "echo-text.rq"), "-p", f"text={value}", "--endpoint", oxigraph_server.url
    )
    assert code == 0, err
    assert json.loads(out)["results"]["bindings"] == [{"value": {"type": "literal", "value": value}}]
    code, _, err = run(
        "query", str(DATA / "echo-iri.rq"), "-p", "iri=http://a b", "--endpoint", oxigraph_server.url
    )
    assert code == 2


def test_server_error_message_is_shown(oxigraph_server: OxigraphServer, tmp_path: Path) -> None:
    with FaultyProxy(oxigraph_server.url, lambda m, p, b: "500") as proxy:
        code, out, err = run("query", "posts", "--endpoint", proxy.url)
    assert (code, out) == (5, "")
    assert err.startswith(f"dipkg: error: {proxy.url}/query")
    assert "HTTP 500" in err and "injected failure" in err
    assert len(err.splitlines()) == 1
    broken = tmp_path / "broken.rq"
    broken.write_text('#+ summary: "broken"\nSELECT ?x WHERE { ?x ?y }\n', encoding="utf-8")
    code, out, err = run("query", str(broken), "--endpoint", oxigraph_server.url)
    assert (code, out) == (2, ""), "a query that does not parse is refused before any request"
    assert err.startswith("dipkg: error: invalid SPARQL")


def test_unreachable_endpoint_and_bad_urls() -> None:
    port = free_port()
    code, _, err = run("query", "posts", "--endpoint", f"http://127.0.0.1:{port}")
    assert code == 3
    assert err.startswith(f"dipkg: error: http://127.0.0.1:{port}/query")
    assert "cannot reach the endpoint (Connection refused)" in err
    for url in ("file:///etc/passwd", "ftp://example.org/sparql", "127.0.0.1:7878"):
        code, _, err = run("query", "posts", "--endpoint", url)
        assert code == 2, url
        assert "is not an http(s) URL" in err
    assert run("load", "--endpoint", "file:///tmp/x")[0] == 2
    code, _, err = run("load", "--endpoint", "http://127.0.0.1:1/sparql")
    assert (code, err) == (2, "dipkg: error: loading needs --update-url and --store-url for this endpoint\n")


def whole(rule: Rule) -> tuple[Rule, bool]:
    """A fault of the whole replacement: the difference from kg/ is made too large to be sent."""
    return rule, True


def compared(rule: Rule) -> tuple[Rule, bool]:
    """A fault while the graph is compared with kg/ (the difference, 3 removed and the seed KG
    added, fits in one update) or while the difference is sent."""
    return rule, False


@pytest.mark.parametrize(
    "fault, exit_code, message",
    [
        (
            compared(lambda m, p, b: "500" if p.startswith("/store") else "forward"),
            5,
            "HTTP 500 Internal Server Error: injected failure",
        ),
        (
            compared(lambda m, p, b: "drop" if p.startswith("/store") else "forward"),
            3,
            "uploading: cannot reach the endpoint",
        ),
        (whole(lambda m, p, b: "drop" if b"MOVE" in b else "forward"), 3, "cannot reach the endpoint"),
        (whole(lambda m, p, b: "500" if b"MOVE" in b else "forward"), 5, "HTTP 500"),
        (compared(lambda m, p, b: "hang" if b"COUNT" in b else "forward"), 3, "did not answer within 1 s"),
        (compared(lambda m, p, b: "500" if b"DELETE DATA" in b else "forward"), 5, "HTTP 500"),
        (
            compared(lambda m, p, b: "drop" if b"DELETE DATA" in b else "forward"),
            3,
            "cannot reach the endpoint (RemoteDisconnected) to the change; graph "
            f"<{DEFAULT_GRAPH}> still holds its old 3 triples",
        ),
        (
            compared(lambda m, p, b: "hang" if p.startswith("/store") else "forward"),
            3,
            "uploading: the endpoint did not answer within 1 s",
        ),
        (
            compared(lambda m, p, b: "cut" if m == "GET" else "500" if b"MOVE" in b else "forward"),
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
        "dropped-difference",
        "timeout-on-dump-and-upload",
        "dump-cut-short-and-500-on-swap",
    ],
)
def test_faults_leave_the_live_graph_intact(
    fault: tuple[Rule, bool],
    exit_code: int,
    message: str,
    oxigraph_server: OxigraphServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rule, replaced_whole = fault
    old = reset_to_old(oxigraph_server)
    if replaced_whole:
        monkeypatch.setattr(loading, "UPDATE_LIMIT", 100)
    with FaultyProxy(oxigraph_server.url, rule, hang_seconds=3) as proxy:
        code, out, err = run("load", "--endpoint", proxy.url, "--timeout", "1")
    assert code == exit_code, err
    assert out == ""
    assert message in err
    assert len(err.splitlines()) == 1
    assert live_triples(oxigraph_server) == old
    code, _, _ = run("load", "--endpoint", oxigraph_server.url)
    assert code == 0
    assert len(live_triples(oxigraph_server)) == KG_TRIPLES


def drop_live_graph(server: OxigraphServer) -> None:
    update(Endpoint.from_options(server.url), f"DROP SILENT GRAPH <{DEFAULT_GRAPH}>", 10)
    assert live_triples(server) == set()


def recording_updates(updates: list[str]) -> Rule:
    """A proxy rule that forwards every request and keeps the body of each SPARQL update."""

    def record(_method: str, path: str, body: bytes) -> str:
        if path.startswith("/update"):
            updates.append(body.decode())
        return "forward"

    return record


def test_a_load_into_an_empty_graph_fills_it_directly(oxigraph_server: OxigraphServer) -> None:
    drop_live_graph(oxigraph_server)
    updates: list[str] = []
    with FaultyProxy(oxigraph_server.url, recording_updates(updates)) as proxy:
        code, out, err = run("load", "--endpoint", proxy.url)
    assert code == 0, err
    assert out == f"loaded {KG_TRIPLES} triples into graph <{DEFAULT_GRAPH}> at {proxy.url}/query\n"
    uploads = [(method, path) for method, path, _ in proxy.requests if path.startswith("/store")]
    store_path = "/store?" + urllib.parse.urlencode({"graph": DEFAULT_GRAPH}) + "&no_transaction"
    assert uploads == [("POST", store_path)] * 2
    assert updates == []
    assert len(live_triples(oxigraph_server)) == KG_TRIPLES


def test_a_failed_load_into_an_empty_graph_drops_what_it_wrote(oxigraph_server: OxigraphServer) -> None:
    drop_live_graph(oxigraph_server)
    with FaultyProxy(
        oxigraph_server.url, lambda m, p, b: "forward-then-drop" if p.startswith("/store") else "forward"
    ) as proxy:
        code, out, err = run("load", "--endpoint", proxy.url)
    assert (code, out) == (3, "")
    assert "uploading: cannot reach the endpoint" in err
    dropped = [method for method, _, action in proxy.requests if action == "forward-then-drop"]
    assert dropped == ["POST"] * 6
    assert live_triples(oxigraph_server) == set()


def test_an_interrupted_load_into_an_empty_graph_drops_what_it_wrote(
    oxigraph_server: OxigraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop_live_graph(oxigraph_server)
    fill = remote._fill

    def fill_then_interrupt(endpoint: Endpoint, graph: str, payload: Payload, timeout: float) -> None:
        fill(endpoint, graph, payload, timeout)
        assert count_triples(endpoint, graph, timeout) == 3
        raise KeyboardInterrupt

    monkeypatch.setattr(remote, "_fill", fill_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        load_graph(
            Endpoint.from_options(oxigraph_server.url),
            DEFAULT_GRAPH,
            Payload.of_bytes(OLD, "application/n-triples"),
            3,
            10,
        )
    assert live_triples(oxigraph_server) == set()


def test_lost_answer_to_the_swap_is_recognised(oxigraph_server: OxigraphServer) -> None:
    reset_to_old(oxigraph_server)
    with FaultyProxy(
        oxigraph_server.url, lambda m, p, b: "forward-then-drop" if b"MOVE" in b else "forward"
    ) as proxy:
        code, out, err = run("load", "--endpoint", proxy.url)
    assert code == 0, err
    assert out.startswith(f"loaded {KG_TRIPLES} triples")
    assert len(live_triples(oxigraph_server)) == KG_TRIPLES


@pytest.mark.parametrize("stopped_on", ["GET", "POST"], ids=["mid-dump", "mid-upload"])
def test_server_stopped_mid_load(stopped_on: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if stopped_on == "POST":
        monkeypatch.setattr(loading, "UPDATE_LIMIT", 100)
    server = OxigraphServer(tmp_path / "db").start()
    try:
        old = reset_to_old(server)

        def stop_on_store(method: str, path: str, _body: bytes) -> str:
            if path.startswith("/store") and method == stopped_on:
                server.stop()
                return "drop"
            return "forward"

        with FaultyProxy(server.url, stop_on_store) as proxy:
            code, _, err = run("load", "--endpoint", proxy.url, "--timeout", "2")
        assert code == 3
        assert "cannot reach the endpoint" in err
        assert [m for m, p, _ in proxy.requests if p.startswith("/store")][-1] == stopped_on
        server.start()
        assert live_triples(server) == old
        assert count_triples(Endpoint.from_options(server.url), DEFAULT_GRAPH, 10) == 3
        assert run("load", "--endpoint", server.url)[0] == 0
        assert len(live_triples(server)) == KG_TRIPLES
    finally:
        server.stop()


def test_serve_answers_the_same_queries(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dipkg", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        assert (
            lines[0] == f"serving {KG_TRIPLES} triples in graph <{DEFAULT_GRAPH}> "
            "(read-only; SERVICE and LOAD refused)\n"
        )
        assert lines[1] == f"  SPARQL query:  http://127.0.0.1:{port}/query\n"
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            code, remote, err = run("query", "posts", "--endpoint", url)
            if code == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert code == 0, err
        assert json.loads(remote) == json.loads(run("query", "posts")[1])
        assert json.loads(run("query", "posts", "--endpoint", url, "--graph", "")[1]) == json.loads(remote)
        update = urllib.request.Request(
            f"{url}/update",
            data=b"update=DROP+ALL",
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(update, timeout=10)
        assert json.loads(run("query", "posts", "--endpoint", url)[1]) == json.loads(remote)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode is not None


GROUP_SIZE = 'dip:memberCount "10"^^xsd:integer'
SHARED = '<urn:x:shared> <urn:x:p> "stated by two files" .\n'
APPENDED = '<urn:x:new> <urn:x:p> "appended" .\n'


@pytest.fixture()
def kg_copy(built_kg: Path, tmp_path: Path) -> Path:
    """A writable copy of the built seed KG whose article also states a triple entities.ttl states."""
    target = tmp_path / "kg"
    shutil.copytree(built_kg, target)
    for path in (article_file(target), target / KG_ENTITIES_FILE):
        rewrite_published(path, path.read_text(encoding="utf-8") + SHARED)
    return target


def article_file(kg_dir: Path) -> Path:
    (path,) = (kg_dir / KG_ARTICLES_SUBDIR).glob("*.ttl")
    return path


def revise_article(kg_dir: Path) -> None:
    """Change one literal, drop the shared triple from the article and append a new one."""
    path = article_file(kg_dir)
    text = path.read_text(encoding="utf-8").removesuffix(SHARED)
    assert text.count(GROUP_SIZE) == 1
    rewrite_published(path, text.replace(GROUP_SIZE, GROUP_SIZE.replace("10", "11")) + APPENDED)


def requests_by_kind(proxy: FaultyProxy) -> list[str]:
    return [path.split("?")[0] for _, path, _ in proxy.requests if not path.startswith("/query")]


def test_a_second_load_sends_only_the_change(oxigraph_server: OxigraphServer, kg_copy: Path) -> None:
    drop_live_graph(oxigraph_server)
    updates: list[str] = []
    with FaultyProxy(oxigraph_server.url, recording_updates(updates)) as proxy:
        assert run("load", "--endpoint", proxy.url, "--kg", str(kg_copy))[0] == 0
        loaded = live_triples(oxigraph_server)
        assert len(loaded) == KG_TRIPLES + 1
        revise_article(kg_copy)
        proxy.requests.clear()
        code, out, err = run("load", "--endpoint", proxy.url, "--kg", str(kg_copy))
    assert code == 0, err
    assert out == (
        f"loaded {KG_TRIPLES + 2} triples into graph <{DEFAULT_GRAPH}> at {proxy.url}/query"
        " (the change since the last load: 1 removed, 2 added)\n"
    )
    assert requests_by_kind(proxy) == ["/update"]
    group = "https://w3id.org/dipkg/ontology#memberCount"
    (change,) = updates
    assert change.startswith(f"DELETE DATA {{ GRAPH <{DEFAULT_GRAPH}> {{\n")
    assert f'<{group}> "10"^^<http://www.w3.org/2001/XMLSchema#integer> .\n}} }} ;\nINSERT DATA' in change
    live = live_triples(oxigraph_server)
    assert loaded - live == {(s, p, o) for s, p, o in loaded if p == group and o == "10"}
    assert live - loaded == {
        *((s, p, "11") for s, p, o in loaded if p == group and o == "10"),
        ("urn:x:new", "urn:x:p", "appended"),
    }
    assert ("urn:x:shared", "urn:x:p", "stated by two files") in live


def test_a_graph_changed_since_the_last_load_is_compared_with_kg(
    oxigraph_server: OxigraphServer, kg_copy: Path
) -> None:
    drop_live_graph(oxigraph_server)
    updates: list[str] = []
    with FaultyProxy(oxigraph_server.url, recording_updates(updates)) as proxy:
        assert run("load", "--endpoint", proxy.url, "--kg", str(kg_copy))[0] == 0
        someone_else = f"INSERT DATA {{ GRAPH <{DEFAULT_GRAPH}> {{ {OLD.decode()} }} }}"
        update(Endpoint.from_options(oxigraph_server.url), someone_else, 10)
        revise_article(kg_copy)
        proxy.requests.clear()
        code, out, err = run("load", "--endpoint", proxy.url, "--kg", str(kg_copy))
        assert code == 0, err
        loaded = f"loaded {KG_TRIPLES + 2} triples into graph <{DEFAULT_GRAPH}> at {proxy.url}/query"
        assert out == loaded + " (the graph compared with kg/: 4 removed, 2 added)\n"
        assert requests_by_kind(proxy) == ["/store", "/update"]
        assert [method for method, path, _ in proxy.requests if path.startswith("/store")] == ["GET"]
        assert updates[-1].count("<urn:x:old>") == 3 and "appended" in updates[-1]
        assert len(live_triples(oxigraph_server)) == KG_TRIPLES + 2
        proxy.requests.clear()
        out = run("load", "--endpoint", proxy.url, "--kg", str(kg_copy), "--full")[1]
        assert out == loaded + " (the graph compared with kg/: 0 removed, 0 added)\n"
        assert requests_by_kind(proxy) == ["/store"]


def test_a_failed_change_leaves_the_graph_and_the_next_load_compares_it_with_kg(
    oxigraph_server: OxigraphServer, kg_copy: Path
) -> None:
    drop_live_graph(oxigraph_server)
    failing = {"on": False}

    def fail_the_change(_method: str, _path: str, body: bytes) -> str:
        return "500" if failing["on"] and b"INSERT DATA" in body else "forward"

    with FaultyProxy(oxigraph_server.url, fail_the_change) as proxy:
        assert run("load", "--endpoint", proxy.url, "--kg", str(kg_copy))[0] == 0
        loaded = live_triples(oxigraph_server)
        revise_article(kg_copy)
        failing["on"] = True
        code, out, err = run("load", "--endpoint", proxy.url, "--kg", str(kg_copy))
        assert (code, out) == (5, "")
        assert err.count("\n") == 1 and "HTTP 500 Internal Server Error: injected failure" in err
        assert live_triples(oxigraph_server) == loaded
        failing["on"] = False
        proxy.requests.clear()
        code, out, err = run("load", "--endpoint", proxy.url, "--kg", str(kg_copy))
    assert code == 0, err
    assert out == (
        f"loaded {KG_TRIPLES + 2} triples into graph <{DEFAULT_GRAPH}> at {proxy.url}/query"
        " (the graph compared with kg/: 1 removed, 2 added)\n"
    )
    assert requests_by_kind(proxy) == ["/store", "/update"]


def test_a_change_too_large_for_one_update_or_with_blank_nodes_is_loaded_whole(
    oxigraph_server: OxigraphServer, kg_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop_live_graph(oxigraph_server)
    endpoint = Endpoint.from_options(oxigraph_server.url)
    assert load_dataset(endpoint, DEFAULT_GRAPH, seed_project(kg_copy), 10).removed_and_added is None
    revise_article(kg_copy)
    monkeypatch.setattr(loading, "UPDATE_LIMIT", 100)
    report = load_dataset(endpoint, DEFAULT_GRAPH, seed_project(kg_copy), 10)
    assert (report.removed_and_added, report.whole_because) == (None, loading.TOO_LARGE)
    monkeypatch.undo()
    entities = kg_copy / KG_ENTITIES_FILE
    rewrite_published(entities, entities.read_text(encoding="utf-8") + '[] <urn:x:p> "blank" .\n')
    report = load_dataset(endpoint, DEFAULT_GRAPH, seed_project(kg_copy), 10)
    assert (report.triples, report.removed_and_added) == (KG_TRIPLES + 3, None)
    assert report.whole_because == "kg/ holds blank nodes"
    assert ("urn:x:p", "blank") in {(p, o) for _, p, o in live_triples(oxigraph_server)}
    report = load_dataset(endpoint, DEFAULT_GRAPH, seed_project(kg_copy), 10)
    assert report.removed_and_added == (0, 0)


def test_the_record_holds_copies_of_what_was_loaded_and_a_bad_record_means_a_comparison(
    oxigraph_server: OxigraphServer, kg_copy: Path
) -> None:
    drop_live_graph(oxigraph_server)
    endpoint = Endpoint.from_options(oxigraph_server.url)
    load_dataset(endpoint, DEFAULT_GRAPH, seed_project(kg_copy), 10)
    revise_article(kg_copy)
    assert load_dataset(endpoint, DEFAULT_GRAPH, seed_project(kg_copy), 10).removed_and_added == (1, 2)
    record = loading.LoadRecord(SEED.load_records_dir, endpoint, DEFAULT_GRAPH)
    copies = record.folder / loading.COPIES_SUBDIR
    published = sorted(p.relative_to(kg_copy) for p in kg_copy.rglob("*.ttl") if p.name != "void.ttl")
    assert sorted(p.relative_to(copies) for p in copies.rglob("*") if p.is_file()) == published
    assert all((copies / name).read_bytes() == (kg_copy / name).read_bytes() for name in published)
    record_file = record.folder / loading.RECORD_FILE
    bad_files = {"format": 1, "graph": DEFAULT_GRAPH, "triples": KG_TRIPLES + 2, "files": {"a": "b"}}
    for broken in ("{not json", json.dumps(bad_files)):
        record_file.write_text(broken, encoding="utf-8")
        report = load_dataset(endpoint, DEFAULT_GRAPH, seed_project(kg_copy), 10)
        assert (report.compared, report.removed_and_added) == (True, (0, 0))
    assert len(live_triples(oxigraph_server)) == KG_TRIPLES + 2


def test_a_dropped_count_before_a_change_is_tried_again(
    oxigraph_server: OxigraphServer, kg_copy: Path
) -> None:
    drop_live_graph(oxigraph_server)
    counts = {"seen": 0, "drop": False}

    def drop_first_count(_method: str, _path: str, body: bytes) -> str:
        if counts["drop"] and b"COUNT" in body:
            counts["seen"] += 1
            return "drop" if counts["seen"] == 1 else "forward"
        return "forward"

    with FaultyProxy(oxigraph_server.url, drop_first_count) as proxy:
        assert run("load", "--endpoint", proxy.url, "--kg", str(kg_copy))[0] == 0
        revise_article(kg_copy)
        counts["drop"] = True
        code, out, err = run("load", "--endpoint", proxy.url, "--kg", str(kg_copy), "--timeout", "2")
    assert code == 0, err
    assert out.endswith(" (the change since the last load: 1 removed, 2 added)\n")
    assert [action for _, _, action in proxy.requests].count("drop") == 1


STRAY = '<urn:x:stray> <urn:x:p> "added by someone else"'


def a_kg_triple(kg_dir: Path) -> str:
    """The article's member count triple, as N-Triples (no other file states it)."""
    quads = ox.parse(path=str(article_file(kg_dir)), format=ox.RdfFormat.TURTLE)
    return next(str(q.triple) for q in quads if q.predicate.value.endswith("#memberCount"))


def changed_by_someone_else(server: OxigraphServer, deletes: list[str], inserts: list[str]) -> None:
    update(Endpoint.from_options(server.url), change_update(DEFAULT_GRAPH, deletes, inserts), 10)


@pytest.mark.parametrize(
    "added, removed", [(True, False), (False, True), (True, True)], ids=["added", "removed", "replaced"]
)
def test_full_over_a_graph_someone_changed_sends_only_the_difference(
    added: bool, removed: bool, oxigraph_server: OxigraphServer, kg_copy: Path
) -> None:
    drop_live_graph(oxigraph_server)
    assert run("load", "--endpoint", oxigraph_server.url, "--kg", str(kg_copy))[0] == 0
    loaded = live_triples(oxigraph_server)
    strays, gone = [STRAY] if added else [], [a_kg_triple(kg_copy)] if removed else []
    changed_by_someone_else(oxigraph_server, gone, strays)
    assert len(live_triples(oxigraph_server)) == KG_TRIPLES + 1 + added - removed
    updates: list[str] = []
    with FaultyProxy(oxigraph_server.url, recording_updates(updates)) as proxy:
        code, out, err = run("load", "--endpoint", proxy.url, "--kg", str(kg_copy), "--full")
    assert code == 0, err
    assert out == (
        f"loaded {KG_TRIPLES + 1} triples into graph <{DEFAULT_GRAPH}> at {proxy.url}/query"
        f" (the graph compared with kg/: {int(added)} removed, {int(removed)} added)\n"
    )
    assert requests_by_kind(proxy) == ["/store", "/update"]
    assert updates == [change_update(DEFAULT_GRAPH, strays, gone)]
    assert live_triples(oxigraph_server) == loaded


@pytest.mark.parametrize(
    "rule, because",
    [
        (lambda m, p, b: "cut" if m == "GET" else "forward", r"the graph could not be read \(.+\)"),
        (
            lambda m, p, b: "cut-at-line" if m == "GET" else "forward",
            rf"the server sent 1[0-9]{{3}} triples, not the {KG_TRIPLES + 2} it counted",
        ),
        (
            lambda m, p, b: "500" if m == "GET" else "forward",
            r"the graph could not be read \(HTTP 500 Internal Server Error: injected failure\)",
        ),
    ],
    ids=["cut-short", "cut-at-a-line", "500"],
)
def test_a_dump_that_fails_means_a_whole_replacement(
    rule: Rule, because: str, oxigraph_server: OxigraphServer, kg_copy: Path
) -> None:
    drop_live_graph(oxigraph_server)
    assert run("load", "--endpoint", oxigraph_server.url, "--kg", str(kg_copy))[0] == 0
    loaded = live_triples(oxigraph_server)
    changed_by_someone_else(oxigraph_server, [], [STRAY])
    with FaultyProxy(oxigraph_server.url, rule) as proxy:
        code, out, err = run("load", "--endpoint", proxy.url, "--kg", str(kg_copy), "--full", "-v")
    assert code == 0, err
    assert out == f"loaded {KG_TRIPLES + 1} triples into graph <{DEFAULT_GRAPH}> at {proxy.url}/query\n"
    assert re.fullmatch(f"replaced the graph whole: {because}\n", err), err
    assert requests_by_kind(proxy) == ["/store", "/update", "/store", "/store", "/update"]
    assert live_triples(oxigraph_server) == loaded


def test_blank_nodes_or_a_large_difference_mean_a_whole_replacement(
    oxigraph_server: OxigraphServer, kg_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop_live_graph(oxigraph_server)
    assert run("load", "--endpoint", oxigraph_server.url, "--kg", str(kg_copy))[0] == 0
    loaded = live_triples(oxigraph_server)
    changed_by_someone_else(oxigraph_server, [], ['_:someone <urn:x:p> "blank"'])
    code, _, err = run("load", "--endpoint", oxigraph_server.url, "--kg", str(kg_copy), "--full", "-v")
    assert (code, err) == (0, "replaced the graph whole: the graph holds blank nodes\n")
    assert live_triples(oxigraph_server) == loaded
    changed_by_someone_else(oxigraph_server, [a_kg_triple(kg_copy)], [STRAY])
    monkeypatch.setattr(loading, "UPDATE_LIMIT", 100)
    code, _, err = run("load", "--endpoint", oxigraph_server.url, "--kg", str(kg_copy), "--full", "-v")
    too_large = "replaced the graph whole: the difference from kg/ takes more than one update\n"
    assert (code, err) == (0, too_large)
    assert live_triples(oxigraph_server) == loaded


def test_lost_answer_to_the_difference_is_recognised(oxigraph_server: OxigraphServer, kg_copy: Path) -> None:
    drop_live_graph(oxigraph_server)
    assert run("load", "--endpoint", oxigraph_server.url, "--kg", str(kg_copy))[0] == 0
    loaded = live_triples(oxigraph_server)
    changed_by_someone_else(oxigraph_server, [a_kg_triple(kg_copy)], [STRAY])
    with FaultyProxy(
        oxigraph_server.url, lambda m, p, b: "forward-then-drop" if b"DELETE DATA" in b else "forward"
    ) as proxy:
        code, out, err = run("load", "--endpoint", proxy.url, "--kg", str(kg_copy), "--full")
    assert code == 0, err
    assert out.endswith(" (the graph compared with kg/: 1 removed, 1 added)\n")
    assert "forward-then-drop" in [action for _, _, action in proxy.requests]
    assert live_triples(oxigraph_server) == loaded


def test_a_wrong_count_after_the_difference_means_a_whole_replacement(
    oxigraph_server: OxigraphServer, kg_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A difference that misses a triple (as a hash collision could) is caught by the count."""
    drop_live_graph(oxigraph_server)
    assert run("load", "--endpoint", oxigraph_server.url, "--kg", str(kg_copy))[0] == 0
    loaded = live_triples(oxigraph_server)
    gone = a_kg_triple(kg_copy)
    changed_by_someone_else(oxigraph_server, [gone], [])
    compare = loading.compare

    def forgetful(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = compare(*args, **kwargs)
        assert found == GraphChange([], [gone])
        return GraphChange([], [])

    monkeypatch.setattr(loading, "compare", forgetful)
    code, out, err = run("load", "--endpoint", oxigraph_server.url, "--kg", str(kg_copy), "--full", "-v")
    assert code == 0, err
    assert err == (
        "replaced the graph whole: the difference from kg/ was sent, but then the graph holds "
        f"{KG_TRIPLES} triples, expected {KG_TRIPLES + 1}\n"
    )
    url = oxigraph_server.url
    assert out == f"loaded {KG_TRIPLES + 1} triples into graph <{DEFAULT_GRAPH}> at {url}/query\n"
    assert live_triples(oxigraph_server) == loaded


def test_a_literal_the_server_writes_back_otherwise_is_matched_by_value(
    oxigraph_server: OxigraphServer, kg_copy: Path
) -> None:
    """The server gives "010"^^xsd:integer back as "10"; the comparison takes it as kg/'s triple,
    also when it looks for triples to insert."""
    entities = kg_copy / KG_ENTITIES_FILE
    odd = '<urn:x:odd> <urn:x:p> "010"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    rewrite_published(entities, entities.read_text(encoding="utf-8") + odd)
    drop_live_graph(oxigraph_server)
    assert run("load", "--endpoint", oxigraph_server.url, "--kg", str(kg_copy))[0] == 0
    loaded = live_triples(oxigraph_server)
    assert ("urn:x:odd", "urn:x:p", "10") in loaded
    summary = f"loaded {KG_TRIPLES + 2} triples into graph <{DEFAULT_GRAPH}> at {oxigraph_server.url}/query"
    for removed in ([], [a_kg_triple(kg_copy)]):
        changed_by_someone_else(oxigraph_server, removed, [])
        code, out, err = run("load", "--endpoint", oxigraph_server.url, "--kg", str(kg_copy), "--full")
        assert (code, err) == (0, "")
        assert out == summary + f" (the graph compared with kg/: 0 removed, {len(removed)} added)\n"
        assert live_triples(oxigraph_server) == loaded
