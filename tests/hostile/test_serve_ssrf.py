"""`dipkg serve` makes no requests for its clients, refuses a taken port, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.projects import SEED_DIR, SEED_TRIPLES
from tests.servers import HOST, free_port, stop

pytestmark = pytest.mark.loopback


class Listener:
    """A loopback port that records every connection made to it (the target of a forged request)."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind((HOST, 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.socket.close()


def make_project(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copytree(SEED_DIR / "seeds", root / "seeds")
    (root / "dipkg.toml").write_text('base_iri = "https://w3id.org/dipkg/"\n', encoding="utf-8")
    return root


def environment(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return {**os.environ, "DIPKG_CACHE_DIR": str(tmp_path / "cache"), "TMPDIR": str(tmp_path / "tmp")}


def request(url: str, data: bytes | None = None, content_type: str | None = None) -> tuple[int, bytes]:
    headers = {"Accept": "text/csv"} | ({"Content-Type": content_type} if content_type else {})
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=data, headers=headers), timeout=10
        ) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    root = make_project(tmp_path / "p")
    env = environment(tmp_path)
    assert (
        subprocess.run([sys.executable, "-m", "dipkg", "build"], cwd=root, env=env, timeout=60).returncode
        == 0
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dipkg", "serve", "--port", str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else b""
            assert time.monotonic() < deadline, "dipkg serve did not start"
            try:
                if request(f"{url}/query?query=ASK%7B%7D")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield url, process
    finally:
        stop(process, grace=15)


def test_service_and_updates_are_refused_and_no_request_is_made(
    served: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, _ = served
    listener = Listener()
    try:
        target = f"http://{HOST}:{listener.port}/sparql"
        forged = [
            f"SELECT * WHERE {{ SERVICE <{target}> {{ ?a ?b ?c }} }}",
            f"SELECT * WHERE {{ ?s a ?t . OPTIONAL {{ SERVICE SILENT <{target}> {{ ?a ?b ?c }} }} }}",
            f"ASK {{ {{ BIND(<{target}> AS ?e) }} SERVICE ?e {{ ?a ?b ?c }} }}",
        ]
        for query in forged:
            status, body = request(f"{url}/query?" + urllib.parse.urlencode({"query": query}))
            assert status == 400 and b"SERVICE is refused" in body, body
            status, _ = request(f"{url}/query", query.encode(), "application/sparql-query")
            assert status == 400
            form = urllib.parse.urlencode({"query": query}).encode()
            status, _ = request(f"{url}/query", form, "application/x-www-form-urlencoded")
            assert status == 400
        status, body = request(f"{url}/update", f"LOAD <{target}>".encode(), "application/sparql-update")
        assert status == 400 and b"read-only" in body
        status, _ = request(f"{url}/query", b"SELECT * {}", "text/plain")
        assert status == 400
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()
    status, body = request(
        f"{url}/query?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    )
    assert status == 200 and body.split() == [b"n", str(SEED_TRIPLES).encode()]


def test_sigterm_stops_the_server_and_removes_its_folder(
    served: tuple[str, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    url, process = served
    assert any((tmp_path / "tmp").iterdir())
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) in (0, 130)
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert "Traceback" not in stderr
    assert list((tmp_path / "tmp").iterdir()) == []
    leftovers = [
        pid for pid in os.listdir("/proc") if pid.isdigit() and str(tmp_path).encode() in _command_line(pid)
    ]
    assert leftovers == []
    with pytest.raises(OSError):
        request(f"{url}/query?query=ASK%7B%7D")


def _command_line(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_a_taken_port_is_one_line_and_a_failure(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    env = environment(tmp_path)
    assert (
        subprocess.run([sys.executable, "-m", "dipkg", "build"], cwd=root, env=env, timeout=60).returncode
        == 0
    )
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        served = subprocess.run(
            [sys.executable, "-m", "dipkg", "serve", "--port", str(port)],
            cwd=root,
            env=env,
            capture_output=True,
            timeout=30,
            check=False,
        )
    stderr = served.stderr.decode()
    assert served.returncode == 2, stderr
    assert (
        stderr
        == f"dipkg: error: cannot listen on {HOST}:{port} (Address already in use); choose another --port\n"
    )
