"""A load whose update outlives the client's timeout: dipkg finds out what happened before it reports."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.projects import SEED_DIR, SEED_TRIPLES
from tests.servers import HOST, OxigraphServer

GRAPH = "https://w3id.org/dipkg/graph/kg"
OLD = "<urn:x:a> <urn:x:b> <urn:x:c> . <urn:x:a> <urn:x:b> <urn:x:d> . <urn:x:a> <urn:x:b> <urn:x:e> ."

# What the proxy does with a request body: None forwards it; ("delay", s) forwards it after s
# seconds (the server carries it out after the client gave up); ("swallow", s) never forwards it.
Rule = Callable[[bytes], "tuple[str, float] | None"]


class SlowProxy:
    """A loopback proxy that holds back some requests before forwarding them, or drops them."""

    def __init__(self, upstream: str, rule: Rule) -> None:
        target = upstream.removeprefix("http://")

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                return

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.close_connection = True
                action = rule(body)
                if action is not None:
                    time.sleep(action[1])
                    if action[0] == "swallow":
                        return
                connection = http.client.HTTPConnection(target, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                connection.close()
                try:
                    self.send_response(response.status)
                    self.send_header("Content-Type", response.getheader("Content-Type") or "text/plain")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    return

            do_GET = do_POST = do_PUT = _handle

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_address[1]}"

    def __enter__(self) -> SlowProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OxigraphServer]:
    running = OxigraphServer(tmp_path / "db").start()
    try:
        yield running
    finally:
        running.stop()


def sparql(server: OxigraphServer, operation: str, text: str) -> bytes:
    if operation == "update":
        request = urllib.request.Request(
            f"{server.url}/update", data=text.encode(), headers={"Content-Type": "application/sparql-update"}
        )
    else:
        query = urllib.parse.urlencode({"query": text})
        request = urllib.request.Request(f"{server.url}/query?{query}", headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=10) as response:
        data: bytes = response.read()
        return data


def count(server: OxigraphServer, graph: str) -> int:
    answer = sparql(server, "query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(answer.decode().split()[1])


def make_project(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copytree(SEED_DIR / "seeds", root / "seeds")
    (root / "dipkg.toml").write_text('base_iri = "https://w3id.org/dipkg/"\n', encoding="utf-8")
    return root


def dipkg(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DIPKG_CACHE_DIR": str(root / "cache")}
    return subprocess.run(
        [sys.executable, "-m", "dipkg", *args],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def holding_back(word: bytes, action: tuple[str, float]) -> Rule:
    return lambda body: action if word in body else None


@pytest.mark.loopback
def test_a_swap_that_ends_after_the_timeout_is_reported_as_done(
    server: OxigraphServer, tmp_path: Path
) -> None:
    root = make_project(tmp_path / "p")
    assert dipkg(root, "build").returncode == 0
    sparql(server, "update", f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {OLD} }} }}")
    with SlowProxy(server.url, holding_back(b"MOVE", ("delay", 2.5))) as proxy:
        loaded = dipkg(root, "load", "--full", "--endpoint", proxy.url, "--timeout", "1")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith(f"loaded {SEED_TRIPLES} triples")
    assert count(server, GRAPH) == SEED_TRIPLES


@pytest.mark.loopback
def test_a_change_that_ends_after_the_timeout_is_reported_as_done(
    server: OxigraphServer, tmp_path: Path
) -> None:
    root = make_project(tmp_path / "p")
    assert dipkg(root, "build").returncode == 0
    slow = [False]
    with SlowProxy(
        server.url, lambda body: ("delay", 2.5) if slow[0] and b"INSERT DATA" in body else None
    ) as proxy:
        assert dipkg(root, "load", "--endpoint", proxy.url).returncode == 0
        meta = next((root / "seeds" / "articles").iterdir()) / "meta.yaml"
        meta.write_text(meta.read_text(encoding="utf-8").replace("Antony Blinken says", "Blinken says"))
        assert dipkg(root, "build").returncode == 0
        slow[0] = True
        loaded = dipkg(root, "load", "--endpoint", proxy.url, "--timeout", "1")
    assert loaded.returncode == 0, loaded.stderr
    assert "(the change since the last load: 2 removed, 2 added)" in loaded.stdout
    headline = sparql(server, "query", "SELECT ?h WHERE { GRAPH ?g { ?a <https://schema.org/headline> ?h } }")
    assert b"Blinken says" in headline and b"Antony Blinken says" not in headline


@pytest.mark.loopback
def test_a_swap_never_carried_out_is_reported_with_the_state_of_both_graphs(
    server: OxigraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dipkg.stores import remote

    monkeypatch.setattr(remote, "SETTLE_SECONDS", 1.0)
    sparql(server, "update", f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {OLD} }} }}")
    new = b"<urn:x:n> <urn:x:b> <urn:x:1> .\n<urn:x:n> <urn:x:b> <urn:x:2> .\n"
    with SlowProxy(server.url, holding_back(b"MOVE", ("swallow", 3))) as proxy:
        endpoint = remote.Endpoint.from_options(proxy.url)
        payload = remote.Payload.of_bytes(new, "application/n-triples")
        with pytest.raises(remote.EndpointUnreachable) as failure:
            remote.load_graph(endpoint, GRAPH, payload, 2, 0.5)
    staging = remote.staging_graph(GRAPH)
    assert (
        f"graph <{GRAPH}> still holds its old 3 triples and the new 2 wait in <{staging}>"
        in failure.value.message
    )
    assert count(server, GRAPH) == 3
    assert count(server, staging) == 2
