"""Shared fixtures: a built knowledge graph, a copy of the seeds, and no network."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Any

# The test run keeps its own build cache and query store (set before dipkg is imported).
os.environ["DIPKG_CACHE_DIR"] = tempfile.mkdtemp(prefix="dipkg-test-cache-")

import pytest
from rdflib import Graph

from dipkg.layout import KG_ARTICLES_SUBDIR, KG_ENTITIES_FILE
from tests.projects import SEED, build, copy_seed_project

atexit.register(shutil.rmtree, os.environ["DIPKG_CACHE_DIR"], True)

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def kg_trig(tmp_path_factory: pytest.TempPathFactory, built_kg: Path) -> Path:
    """The published kg/ as one TriG file (`dipkg export --format trig`)."""
    from dipkg.iris import prefix_map
    from dipkg.query.export import export_bytes

    target = tmp_path_factory.mktemp("export") / "dipkg.trig"
    target.write_bytes(export_bytes(built_kg, SEED.store_dir, "trig", prefix_map()))
    return target


PREFIXES = """
PREFIX dip: <https://w3id.org/dipkg/ontology#>
PREFIX ent: <https://w3id.org/dipkg/entity/>
PREFIX concept: <https://w3id.org/dipkg/concept/>
PREFIX post: <https://w3id.org/dipkg/post/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture(autouse=True)
def no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that opens a network connection; tests marked `loopback` may reach 127.0.0.1 only.

    Unix domain sockets are local (worker processes talk through them) and always allowed.
    """
    allow_loopback = request.node.get_closest_marker("loopback") is not None
    original_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: Any) -> Any:
        if sock.family == socket.AF_UNIX:
            return original_connect(sock, address)
        host = address[0] if isinstance(address, tuple) else address
        if allow_loopback and host in ("127.0.0.1", "localhost", "::1"):
            return original_connect(sock, address)
        raise AssertionError(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def seed_project_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the seed project (tests/data/seed-project) with its kg/ built."""
    folder = copy_seed_project(tmp_path_factory.mktemp("seed") / "project")
    build(folder / "seeds", folder / "kg")
    return folder


@pytest.fixture(scope="session")
def built_kg(seed_project_dir: Path) -> Path:
    """The seed KG, built."""
    return seed_project_dir / "kg"


@pytest.fixture()
def in_seed_project(seed_project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test inside the built seed project (commands find it from the current folder)."""
    monkeypatch.chdir(seed_project_dir)
    return seed_project_dir


@pytest.fixture(scope="session")
def kg(built_kg: Path) -> Graph:
    """The union of every published Turtle file."""
    return load_kg(built_kg)


@pytest.fixture(scope="session")
def ontology() -> Graph:
    """The ontology and its code lists."""
    graph = Graph()
    for path in SEED.vocabulary_files:
        graph.parse(path, format="turtle")
    return graph


def load_kg(kg_dir: Path) -> Graph:
    """Parse entities.ttl and every article's Turtle file into one graph."""
    graph = Graph()
    for path in [kg_dir / KG_ENTITIES_FILE, *sorted((kg_dir / KG_ARTICLES_SUBDIR).glob("*.ttl"))]:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture()
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed project's seeds folder."""
    target = tmp_path / "seeds"
    shutil.copytree(SEED.seeds_dir, target)
    return target


def select(graph: Graph, query: str, **bindings: Any) -> list[tuple[str, ...]]:
    """Run a SELECT query and return its rows as tuples of strings, sorted."""
    rows = graph.query(PREFIXES + query, initBindings=bindings or None)
    return sorted(tuple("" if value is None else str(value) for value in row) for row in rows)  # type: ignore[union-attr]


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One Oxigraph server for the test session, stopped at the end whatever happens."""
    import atexit

    from tests.servers import OxigraphServer

    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph")).start()
    atexit.register(server.stop)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One Virtuoso server for the test session (a private database folder and ini file, free
    loopback ports), stopped by its PID at the end whatever happens.

    Skipped where virtuoso-t is not installed, except in CI (the environment variable CI set),
    where its absence fails the tests: .ci/run installs it.
    """
    from tests.servers import VirtuosoServer

    if shutil.which("virtuoso-t") is None:
        if os.environ.get("CI"):
            pytest.fail("virtuoso-t is not installed, and CI must run the Virtuoso tests")
        pytest.skip("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso")).start()
    atexit.register(server.stop)
    try:
        yield server
    finally:
        server.stop()
