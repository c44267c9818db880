"""Latency of `dipkg serve` beside a plain static file server serving the same site folder.

Usage: python bench/serve.py [--project DIR] [--site DIR] [--requests N] [--threads T] [--json FILE]

Builds the project's site into a temporary folder (or takes --site DIR, a folder `dipkg site`
wrote), starts `dipkg serve --site` on it and Python's http.server (HTTP/1.1, TCP_NODELAY) on the
same folder, and measures, for a resource's page (`P.html`) and its Turtle document (`P.ttl`),
p50 and p99 latency of N sequential GETs on one keep-alive connection, then of N GETs from T
threads at once (each thread its own connection), with the requests per second. `dipkg serve`'s
303 for the resource IRI path (`/P`, Accept: text/turtle) is measured too; the static server has
no such answer. Prints a Markdown table; --json writes the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PY = sys.executable
START_SECONDS = 600
# Python's static file server, keeping connections open (HTTP/1.1) and with TCP_NODELAY, as
# uvicorn has: without it each answer on a reused connection waits 40 ms for a delayed ACK.
STATIC_SERVER = """
import functools, sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def log_message(self, *args):
        pass
handler = functools.partial(Handler, directory=sys.argv[1])
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), handler).serve_forever()
"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def build_site(project: Path, out: Path, env: dict[str, str]) -> None:
    """The project's site in `out`, made by dipkg.web.site.build_site in a separate process."""
    script = (
        "import sys; from pathlib import Path; from dipkg.project import Project; "
        "from dipkg.web.site import build_site; build_site(Project.at(sys.argv[1]), Path(sys.argv[2]))"
    )
    subprocess.run([PY, "-c", script, str(project), str(out)], env=env, check=True)


def resource_path(site: Path) -> str:
    """A resource with a page and a Turtle document: an entity's when there is one."""
    for pattern in ("entity/*.html", "*/*.html", "*.html"):
        for page in sorted(site.glob(pattern)):
            if page.with_suffix(".ttl").is_file():
                return "/" + page.relative_to(site).with_suffix("").as_posix()
    raise SystemExit(f"no page with a Turtle document in {site}")


def wait_until_answering(port: int, path: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped at start: {process.args}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", path)
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not start: {process.args}")


@contextmanager
def running(command: list[str], port: int, probe: str, cwd: Path, env: dict[str, str]) -> Iterator[None]:
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_answering(port, probe, process)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def timed_gets(port: int, path: str, count: int, accept: str, expected: int) -> list[float]:
    """Seconds taken by each of `count` GETs on one connection (reopened if the server closes it)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    times = []
    try:
        for _ in range(count):
            start = time.perf_counter()
            connection.request("GET", path, headers={"Accept": accept})
            response = connection.getresponse()
            response.read()
            times.append(time.perf_counter() - start)
            if response.status != expected:
                raise SystemExit(f"GET {path} answered {response.status}, not {expected}")
    finally:
        connection.close()
    return times


def measure(port: int, path: str, accept: str, expected: int, count: int, threads: int) -> dict[str, float]:
    timed_gets(port, path, min(count, 100), accept, expected)  # warm up
    sequential = timed_gets(port, path, count, accept, expected)
    results: list[list[float]] = [[] for _ in range(threads)]

    def worker(slot: int) -> None:
        results[slot] = timed_gets(port, path, count // threads, accept, expected)

    workers = [threading.Thread(target=worker, args=(slot,)) for slot in range(threads)]
    start = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - start
    concurrent = [t for times in results for t in times]
    return {
        "p50_ms": percentile(sequential, 50) * 1000,
        "p99_ms": percentile(sequential, 99) * 1000,
        "concurrent_p50_ms": percentile(concurrent, 50) * 1000,
        "concurrent_p99_ms": percentile(concurrent, 99) * 1000,
        "concurrent_rps": len(concurrent) / elapsed,
    }


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT, help="The project (default: this repository).")
    parser.add_argument("--site", type=Path, help="A site folder to serve (default: build the project's).")
    parser.add_argument("--requests", type=int, default=2000, help="GETs per measurement (default 2000).")
    parser.add_argument("--threads", type=int, default=8, help="Concurrent clients (default 8).")
    parser.add_argument("--json", type=Path, help="Write the figures to this file.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dipkg-bench-serve-") as scratch:
        env = {**os.environ, "DIPKG_CACHE_DIR": str(Path(scratch) / "cache")}
        site = options.site
        if site is None:
            site = Path(scratch) / "site"
            build_site(options.project, site, env)
        resource = resource_path(site)
        page, turtle = f"{resource}.html", f"{resource}.ttl"
        cases = [("page", page, "text/html", 200), ("Turtle document", turtle, "text/turtle", 200)]
        figures: dict[str, dict[str, dict[str, float]]] = {}
        dipkg_port, static_port = free_port(), free_port()
        serve = [PY, "-m", "dipkg", "serve", "--port", str(dipkg_port), "--site", str(site)]
        with running(serve, dipkg_port, page, options.project, env):
            figures["dipkg serve"] = {
                name: measure(dipkg_port, path, accept, status, options.requests, options.threads)
                for name, path, accept, status in [*cases, ("303 by Accept", resource, "text/turtle", 303)]
            }
        static = [PY, "-c", STATIC_SERVER, str(site), str(static_port)]
        with running(static, static_port, page, options.project, env):
            figures["http.server"] = {
                name: measure(static_port, path, accept, status, options.requests, options.threads)
                for name, path, accept, status in cases
            }
    print(
        f"`dipkg serve` beside a static file server: {resource} ({options.requests} GETs each; "
        f"{options.threads} threads for the concurrent columns)\n"
    )
    print("| server | request | p50 ms | p99 ms | concurrent p50 ms | concurrent p99 ms | concurrent req/s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for server, rows in figures.items():
        for name, row in rows.items():
            latencies = [row[k] for k in ("p50_ms", "p99_ms", "concurrent_p50_ms", "concurrent_p99_ms")]
            cells = [server, name, *(f"{ms:.2f}" for ms in latencies), f"{row['concurrent_rps']:.0f}"]
            print("| " + " | ".join(cells) + " |")
    if options.json is not None:
        options.json.write_text(
            json.dumps({"resource": resource, **figures}, indent=2) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
