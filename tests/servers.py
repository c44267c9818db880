"""Test helpers: an Oxigraph server on a free loopback port, and a loopback proxy that injects faults."""

from __future__ import annotations

import base64
import hashlib
import http.client
import secrets
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"


def stop(process: subprocess.Popen[Any], grace: float = 10) -> None:
    """Stop a process still running: SIGTERM, and SIGKILL if it has not ended within `grace` s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class OxigraphServer:
    """`oxigraph serve` on a free loopback port, persisted in `location`, stopped by stop()."""

    def __init__(self, location: Path, port: int | None = None) -> None:
        self.location = location
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> OxigraphServer:
        binary = shutil.which("oxigraph")
        assert binary is not None, "the oxigraph server is required: pip install oxigraph"
        self.process = subprocess.Popen(
            [binary, "serve", "--location", str(self.location), "--bind", f"{HOST}:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the Oxigraph server did not start")

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
        self.process = None


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
CheckpointInterval = 60

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {folder}
ServerThreads = 10
MaxClientConnections = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


class VirtuosoServer:
    """Virtuoso 7 (`virtuoso-t`, Debian's virtuoso-opensource) on free loopback ports, in `location`.

    On its first start, isql sets a new dba password and creates `user` with the SPARQL_UPDATE
    role, the right to write through /sparql-auth and /sparql-graph-crud-auth (HTTP Digest).
    stop() ends it by its PID.
    """

    user = "dipkg"

    def __init__(self, location: Path) -> None:
        self.location = location
        self.http_port, self.sql_port = free_port(), free_port()
        self.url = f"http://{HOST}:{self.http_port}"
        self.password = "dipkg-" + secrets.token_hex(8)
        self.dba_password = "dba-" + secrets.token_hex(8)
        self.process: subprocess.Popen[bytes] | None = None
        self.ready = False

    @property
    def endpoints(self) -> list[str]:
        """The options `dipkg load` needs: --endpoint, --update-url and --store-url."""
        return [
            "--endpoint",
            f"{self.url}/sparql",
            "--update-url",
            f"{self.url}/sparql-auth",
            "--store-url",
            f"{self.url}/sparql-graph-crud-auth",
        ]

    def start(self) -> VirtuosoServer:
        binary = shutil.which("virtuoso-t")
        assert binary is not None, "Virtuoso is required: apt-get install virtuoso-opensource"
        self.location.mkdir(parents=True, exist_ok=True)
        ini = self.location / "virtuoso.ini"
        ini.write_text(
            VIRTUOSO_INI.format(
                folder=self.location, host=HOST, sql_port=self.sql_port, http_port=self.http_port
            ),
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [binary, "-f", "-c", str(ini)],
            cwd=self.location,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/sparql?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("Virtuoso did not start")
        if self.process.poll() is not None:
            raise RuntimeError(f"Virtuoso exited: {(self.location / 'virtuoso.log').read_text()[-2000:]}")
        if not self.ready:
            self.isql(
                "dba",
                f"DB.DBA.USER_CREATE('{self.user}', '{self.password}'); "
                f'GRANT SPARQL_UPDATE TO "{self.user}"; '
                f"USER_SET_PASSWORD('dba', '{self.dba_password}');",
            )
            self.ready = True
        return self

    def isql(self, password: str, statements: str) -> str:
        """Run SQL statements as dba with isql (isql-vt on Debian)."""
        binary = shutil.which("isql-vt") or shutil.which("isql")
        assert binary is not None, "Virtuoso's isql is required: apt-get install virtuoso-opensource"
        done = subprocess.run(
            [binary, f"{HOST}:{self.sql_port}", "dba", password, f"exec={statements}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert "Error" not in done.stdout + done.stderr, done.stdout + done.stderr
        return done.stdout

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, grace=30)
        self.process = None


# A rule sees (method, path, body) and says what to do: "forward", "500", "403", "drop", "hang",
# "forward-then-drop" (the upstream executes the request, the answer never arrives), "cut" (the
# answer announces its whole length, half of it comes, then the connection closes) or
# "cut-at-line" (the answer is the first half of the upstream's lines, as if that were all).
Rule = Callable[[str, str, bytes], str]


class Gate:
    """HTTP authentication a proxy asks for: Basic, or Digest (MD5, qop=auth) with fresh nonces."""

    def __init__(self, scheme: str, user: str, password: str, realm: str = "SPARQL") -> None:
        self.scheme, self.user, self.password, self.realm = scheme, user, password, realm
        self.nonces: set[str] = set()
        self.refused = 0

    def challenge(self) -> str:
        if self.scheme == "basic":
            return f'Basic realm="{self.realm}"'
        nonce = secrets.token_hex(16)
        self.nonces.add(nonce)
        return f'Digest realm="{self.realm}", nonce="{nonce}", opaque="0paque", qop="auth", algorithm="MD5"'

    def admits(self, method: str, path: str, header: str | None) -> bool:
        if header is None:
            return False
        scheme, _, rest = header.partition(" ")
        if scheme.lower() != self.scheme:
            return False
        if self.scheme == "basic":
            return base64.b64decode(rest).decode() == f"{self.user}:{self.password}"
        fields = dict(
            (key.strip(), value.strip().strip('"'))
            for key, _, value in (item.partition("=") for item in urllib.request.parse_http_list(rest))
        )

        def h(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        first = h(f"{self.user}:{self.realm}:{self.password}")
        second = h(f"{method}:{path}")
        expected = h(f"{first}:{fields.get('nonce')}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{second}")
        return (
            fields.get("nonce") in self.nonces
            and fields.get("uri") == path
            and fields.get("username") == self.user
            and fields.get("opaque") == "0paque"
            and fields.get("response") == expected
        )


class FaultyProxy:
    """A loopback HTTP proxy in front of `upstream` that applies `rule` to every request.

    With a `gate`, a request without the right Authorization header is answered 401 first.
    """

    def __init__(
        self, upstream: str, rule: Rule, hang_seconds: float = 3.0, gate: Gate | None = None
    ) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.rule = rule
        self.hang_seconds = hang_seconds
        self.gate = gate
        self.requests: list[tuple[str, str, str]] = []
        self.headers: list[dict[str, str]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.headers.append(dict(self.headers.items()))
                gate = proxy.gate
                if gate is not None and not gate.admits(
                    self.command, self.path, self.headers.get("Authorization")
                ):
                    gate.refused += 1
                    proxy.requests.append((self.command, self.path, "401"))
                    self.close_connection = True
                    self.send_response(401, "Unauthorized")
                    self.send_header("WWW-Authenticate", gate.challenge())
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                action = proxy.rule(self.command, self.path, body)
                proxy.requests.append((self.command, self.path, action))
                self.close_connection = True
                if action == "drop":
                    return
                if action == "hang":
                    time.sleep(proxy.hang_seconds)
                    return
                if action in ("500", "403"):
                    self.send_response(
                        int(action), "Internal Server Error" if action == "500" else "Forbidden"
                    )
                    message = b"injected failure"
                    self.send_header("Content-Length", str(len(message)))
                    self.end_headers()
                    self.wfile.write(message)
                    return
                connection = http.client.HTTPConnection(proxy.upstream, timeout=30)
                forwarded = ("content-type", "accept", "authorization")
                headers = {k: v for k, v in self.headers.items() if k.lower() in forwarded}
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = b"" if self.command == "HEAD" else response.read()
                connection.close()
                if action == "forward-then-drop":
                    return
                length = len(data)
                if action == "cut":
                    data = data[: len(data) // 2]
                elif action == "cut-at-line":
                    data = data[: data.rfind(b"\n", 0, len(data) // 2) + 1]
                    length = len(data)
                self.send_response(response.status, response.reason)
                for key, value in response.getheaders():
                    if key.lower() in ("content-type", "www-authenticate"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = _handle
            do_HEAD = _handle
            do_POST = _handle
            do_PUT = _handle

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultyProxy:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
