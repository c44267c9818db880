"""`dipkg serve`: the KG behind a local Oxigraph SPARQL server, with a linked-data server in front.

The Oxigraph server runs on a private loopback port; clients talk to a Starlette app on uvicorn
(`dipkg.web.server`) that serves the site's pages and documents with content negotiation, and
parses every query and update with rdflib's SPARQL parser and refuses, with HTTP 400, SERVICE
(the server would make requests for its clients), LOAD, and any update when serving read-only,
before forwarding the rest. SIGTERM stops it as Ctrl-C does: the Oxigraph server is stopped and
its temporary folder deleted.
"""

from __future__ import annotations

import ctypes
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from dipkg.errors import InputError, UsageError
from dipkg.query.guard import nesting_problem, refusal
from dipkg.query.store import union_ntriples

LOOPBACK = "127.0.0.1"
START_SECONDS = 30.0
MAX_SPARQL_BYTES = 1 << 20
FORWARDED_HEADERS = ("accept", "content-type")
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
FORM = "application/x-www-form-urlencoded"
PR_SET_PDEATHSIG = 1
REFUSED_OPERATIONS = {"ServiceGraphPattern": "SERVICE", "Load": "LOAD"}


def oxigraph_binary() -> str:
    """The Oxigraph server executable (PyPI package `oxigraph`): the one installed beside this
    Python (a pipx or uv tool environment exposes only `dipkg` on PATH), else the one on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "oxigraph"
    found = str(beside) if beside.is_file() and os.access(beside, os.X_OK) else shutil.which("oxigraph")
    if found is None:
        raise InputError("the Oxigraph server is not installed: pip install oxigraph")
    return found


def serve_kg(
    kg_dir: Path,
    store_dir: Path,
    port: int,
    writable: bool,
    graph: str,
    say: Callable[[str], None],
    site: Callable[[], Path],
    host: str = LOOPBACK,
) -> None:
    """Load the KG into a fresh database in a temporary folder and serve it, with the site folder
    `site()` returns (called once listening), until interrupted."""
    binary = oxigraph_binary()
    with _stopped_by_sigterm(), _listening(host, port) as listener:
        site_dir = site()
        data, triples = union_ntriples(kg_dir, store_dir)
        with tempfile.TemporaryDirectory(prefix="dipkg-serve-") as folder:
            location = Path(folder) / "db"
            nquads = Path(folder) / "kg.nq"
            nquads.write_bytes(
                b"".join(line[:-2] + f" <{graph}> .\n".encode() for line in data.splitlines(keepends=True))
            )
            loaded = subprocess.run(
                [binary, "load", "--location", str(location), "--file", str(nquads)],
                capture_output=True,
                text=True,
                check=False,
            )
            if loaded.returncode != 0:
                raise InputError(f"oxigraph load failed: {loaded.stderr.strip().splitlines()[-1:]}")
            private = _free_port()
            mode = "serve" if writable else "serve-read-only"
            command = [binary, mode, "--location", str(location), "--bind", f"{LOOPBACK}:{private}"]
            with (Path(folder) / "server.log").open("wb") as log:
                server = subprocess.Popen(
                    [*command, "--union-default-graph"], stdout=log, stderr=log, preexec_fn=_die_with_parent
                )
            try:
                _wait_until_listening(server, private, Path(folder) / "server.log")
                bound = listener.getsockname()[1]
                address = f"[{host}]:{bound}" if ":" in host else f"{host}:{bound}"
                access = "read-write" if writable else "read-only"
                say(f"serving {triples} triples in graph <{graph}> ({access}; SERVICE and LOAD refused)")
                say(f"  SPARQL query:  http://{address}/query")
                if writable:
                    say(f"  SPARQL update: http://{address}/update")
                    say(f"  Graph Store:   http://{address}/store")
                say(f"  pages:         http://{address}/")
                say(f"  SPARQL:        http://{address}/sparql")
                say("press Ctrl-C to stop")
                _run_proxy(listener, site_dir, private, writable)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()


@contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt meanwhile, so that it cleans up as Ctrl-C does."""

    def interrupt(_signal: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _listening(host: str, port: int) -> Iterator[socket.socket]:
    """A socket listening on host:port for the web app; a port in use is a usage error. (Its
    protocol is named, so that asyncio sets TCP_NODELAY on each connection: without it an answer
    written in two parts waits 40 ms for the client's delayed ACK on a reused connection.)"""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError as exc:
        listener.close()
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port") from exc
    try:
        yield listener
    finally:
        listener.close()


def _die_with_parent() -> None:
    """In the Oxigraph server's process (Linux): be stopped when dipkg is, even by SIGKILL."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            said = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            raise InputError(f"the Oxigraph server stopped at start: {(said or ['no message'])[-1][:300]}")
        try:
            socket.create_connection((LOOPBACK, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise InputError(f"the Oxigraph server did not start within {START_SECONDS:.0f} s")


def _run_proxy(listener: socket.socket, site: Path, upstream: int, writable: bool) -> None:
    import uvicorn

    from dipkg.web.server import web_app

    config = uvicorn.Config(
        web_app(site, upstream, writable), log_level="warning", access_log=False, lifespan="off"
    )
    uvicorn.Server(config).run(sockets=[listener])


def forward(
    upstream: int, method: str, target: str, body: bytes, headers: dict[str, str]
) -> http.client.HTTPResponse:
    """Send a request to the Oxigraph server on 127.0.0.1:`upstream`; its answer, unread."""
    connection = http.client.HTTPConnection(LOOPBACK, upstream, timeout=3600)
    connection.request(method, target, body=body or None, headers=headers)
    return connection.getresponse()


def chunks(answer: http.client.HTTPResponse) -> Iterator[bytes]:
    """The body of an answer, read in pieces, the connection closed at the end."""
    try:
        while chunk := answer.read(1 << 16):
            yield chunk
    finally:
        answer.close()


def request_refusal(path: str, query_string: str, media_type: str, body: bytes, writable: bool) -> str | None:
    """Why a request must not reach the server, or None: SERVICE, LOAD, updates when read-only."""
    queries, updates = _sparql_of(query_string)
    if media_type == SPARQL_QUERY:
        queries.append(body)
    elif media_type == SPARQL_UPDATE:
        updates.append(body)
    elif media_type == FORM:
        more_queries, more_updates = _sparql_of(body.decode("utf-8", "replace"))
        queries += more_queries
        updates += more_updates
    elif body and path.rstrip("/") != "/store":
        return f"a request body of type {media_type or 'none'} is accepted only by /store"
    if updates and not writable:
        return "this endpoint is read-only: SPARQL updates are refused"
    for text, kind in [*((q, "query") for q in queries), *((u, "update") for u in updates)]:
        problem = _check_sparql(text, kind)
        if problem is not None:
            return problem
    return None


def _sparql_of(form: str) -> tuple[list[bytes], list[bytes]]:
    """The `query` and `update` values of a URL query string or form body."""
    fields = urllib.parse.parse_qs(form, keep_blank_values=True)
    return [v.encode() for v in fields.get("query", [])], [v.encode() for v in fields.get("update", [])]


def _check_sparql(text: bytes, kind: str) -> str | None:
    """Why a query or update is refused: too long, nested too deeply, not understood, or using
    SERVICE or LOAD (queries are checked as `dipkg query` checks them)."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    if len(text) > MAX_SPARQL_BYTES:
        return f"the {kind} is longer than {MAX_SPARQL_BYTES} bytes"
    source = text.decode("utf-8", "replace")
    if kind == "query":
        return refusal(source, parse=True)
    problem = nesting_problem(source)
    if problem is not None:
        return problem
    try:
        tree: Any = translateUpdate(parseUpdate(source)).algebra
    except Exception as exc:  # any parser failure (syntax, recursion, rdflib bug) means: not checked
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        return f"the {kind} could not be checked, so it is refused: {first[:200]}"
    for name in _operations(tree):
        if name in REFUSED_OPERATIONS:
            return f"{REFUSED_OPERATIONS[name]} is refused: this endpoint makes no requests for its clients"
    return None


def _operations(tree: Any) -> Iterator[str]:
    """The names of every algebra operation in a translated query or update."""
    from rdflib.plugins.sparql.parserutils import CompValue

    pending, seen = [tree], set()
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            yield node.name
            pending.extend(node.values())
        elif isinstance(node, (list, tuple)):
            pending.extend(node)
