"""The hostile suite: dipkg run as a user would, on inputs made to break it.

Every case runs `python -m dipkg` in a subprocess inside a throwaway project (a copy of the fixed
seed project in tests/data/seed-project, built once per session), under a time limit and a memory
cap, next to a loopback listener that records any connection dipkg makes to it.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.projects import SEED_DIR

TIME_LIMIT = 10.0
# A cap on address space, not on memory used: Oxigraph 0.4's bulk loader reserves over 1 GB of
# address space it never touches (a 337 MB buffer per loading thread), so the cap sits well above
# that, and still far below this machine's 24 GiB, so a runaway input is stopped before it harms it.
MEMORY_LIMIT = 4 << 30
PROJECT_FILE = 'base_iri = "https://w3id.org/dipkg/"\n'


@dataclass
class Run:
    """One finished dipkg process."""

    code: int
    stdout: str
    stderr: str
    seconds: float

    def refused(self, code: int) -> None:
        """Exit `code`, one `dipkg: error:` line on stderr, and no traceback anywhere."""
        assert "Traceback" not in self.stdout + self.stderr, self.stderr[-2000:]
        assert self.code == code, (self.code, self.stderr[-2000:])
        lines = self.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("dipkg: error:"), self.stderr[-2000:]


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@dataclass
class Project:
    """A throwaway project with a built kg/, and the means to run dipkg in it."""

    root: Path
    cache: Path
    kg_before: dict[str, bytes] = field(default_factory=dict)

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def article(self) -> Path:
        return next((self.seeds / "articles").iterdir())

    def run(self, *args: str, stdin: bytes | None = None, timeout: float = TIME_LIMIT) -> Run:
        environment = {**os.environ, "DIPKG_CACHE_DIR": str(self.cache), "PYTHONWARNINGS": "ignore"}
        started = time.monotonic()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "dipkg", *args],
                cwd=self.root,
                env=environment,
                input=stdin,
                capture_output=True,
                timeout=timeout,
                preexec_fn=_limits,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"dipkg {' '.join(args)[:200]} ran past {timeout} s")
        took = time.monotonic() - started
        stdout = done.stdout.decode("utf-8", "replace")
        stderr = done.stderr.decode("utf-8", "replace")
        assert done.returncode >= 0, f"killed by signal {-done.returncode}: {stderr[-2000:]}"
        return Run(done.returncode, stdout, stderr, took)

    def kg_unchanged(self) -> None:
        assert _snapshot(self.root / "kg") == self.kg_before


def _snapshot(folder: Path) -> dict[str, bytes]:
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    return {str(path.relative_to(folder)): path.read_bytes() for path in files}


@pytest.fixture(scope="session")
def built_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project built once: its seeds, dipkg.toml and kg/."""
    root = tmp_path_factory.mktemp("template")
    shutil.copytree(SEED_DIR / "seeds", root / "seeds")
    (root / "dipkg.toml").write_text(PROJECT_FILE, encoding="utf-8")
    cache = tmp_path_factory.mktemp("template-cache")
    done = subprocess.run(
        [sys.executable, "-m", "dipkg", "build", "-q"],
        cwd=root,
        env={**os.environ, "DIPKG_CACHE_DIR": str(cache)},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return root


@pytest.fixture
def project(built_template: Path, tmp_path: Path) -> Iterator[Project]:
    """A fresh copy of the built project; after the test, its kg/ must be byte for byte as before."""
    root = tmp_path / "project"
    shutil.copytree(built_template, root, symlinks=True)
    made = Project(root, tmp_path / "cache")
    made.kg_before = _snapshot(root / "kg")
    yield made
    made.kg_unchanged()


class Listener:
    """A loopback TCP listener that records every connection made to it."""

    def __init__(self, answer: Callable[[socket.socket], None] | None = None) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self.answer = answer
        self.socket.settimeout(0.2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            if self.answer is None:
                client.close()
            else:
                threading.Thread(target=self._answer, args=(client,), daemon=True).start()

    def _answer(self, client: socket.socket) -> None:
        assert self.answer is not None
        try:
            self.answer(client)
        except OSError:
            pass
        finally:
            client.close()

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A listener no test expects dipkg to reach: any connection fails the test."""
    made = Listener()
    yield made
    made.close()
    assert made.connections == 0, f"dipkg connected to {made.url} {made.connections} time(s)"


@pytest.fixture
def serving() -> Iterator[Callable[[Callable[[socket.socket], None]], Listener]]:
    """Start loopback servers that answer with the given function."""
    started: list[Listener] = []

    def start(answer: Callable[[socket.socket], None]) -> Listener:
        made = Listener(answer)
        started.append(made)
        return made

    yield start
    for made in started:
        made.close()
