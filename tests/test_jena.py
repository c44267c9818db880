"""Through Apache Jena (Debian's libapache-jena-java 4.5: TDB2 and ARQ): the seed KG exported as
N-Quads (`dipkg export --format nq`), loaded with tdb2.tdbloader, and every canned query run with
tdb2.tdbquery over the union of the named graphs (what `dipkg query` sees locally) gives the local
rows. The class-path fixes Debian's jars need are in tests/jena.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dipkg.cli import main
from dipkg.iris import prefix_map
from dipkg.project import Project
from dipkg.query.catalogue import bind_parameters, catalogue, with_bindings
from dipkg.query.results import from_sparql_json, to_csv
from tests.jena import Jena, unavailable
from tests.projects import SEED, SEED_TRIPLES

pytestmark = pytest.mark.jena

QUERIES = catalogue(SEED.query_files)
# The parameters test_remote.py and test_virtuoso.py give the queries that need one; every other
# parameter takes its default, as dipkg fills it.
PARAMS = {
    "evidence": {"subject": "ev:summons-8f7d906e6fec"},
    "post-holders": {"date": "2021-03-25"},
    "relations-timeline": {"a": "ent:china", "b": "ent:european-union"},
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def jena(tmp_path_factory: pytest.TempPathFactory) -> Jena:
    """Jena's commands; skipped where Java or the jars are missing, except in CI (CI set)."""
    reason = unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI must run the Jena tests")
        pytest.skip(reason)
    return Jena(tmp_path_factory.mktemp("jena"))


@pytest.fixture(scope="module")
def database(jena: Jena, seed_project_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TDB2 database holding the seed KG's named graphs, loaded from `dipkg export --format nq`."""
    folder = tmp_path_factory.mktemp("tdb2")
    quads = folder / "kg.nq"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(seed_project_dir)
        code, _, err = run("export", "--format", "nq", "-o", str(quads))
    assert code == 0, err
    jena.load(folder / "DB", quads)
    return folder / "DB"


def jena_csv(jena: Jena, database: Path, name: str, seed_project_dir: Path, folder: Path) -> str:
    """The query as dipkg sends it to an endpoint (parameters bound by VALUES), run by
    tdb2.tdbquery, its SPARQL JSON results read and written as CSV the way dipkg does."""
    (query,) = (q for q in QUERIES if q.name == name)
    prefixes = prefix_map(Project.at(seed_project_dir).built_base_iri())
    text = with_bindings(query.text, bind_parameters(query, PARAMS.get(name, {}), prefixes))
    query_file = folder / f"{name}.rq"
    query_file.write_text(text, encoding="utf-8")
    return to_csv(from_sparql_json(json.loads(jena.query(database, query_file))))


def test_the_union_default_graph_holds_the_seed_triples(jena: Jena, database: Path, tmp_path: Path) -> None:
    count = tmp_path / "count.rq"
    count.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n", encoding="utf-8")
    assert jena.query(database, count, "CSV").splitlines() == ["n", str(SEED_TRIPLES)]


@pytest.mark.parametrize("name", [query.name for query in QUERIES])
def test_every_canned_query_gives_the_local_rows(
    name: str, jena: Jena, database: Path, seed_project_dir: Path, tmp_path: Path, in_seed_project: Path
) -> None:
    """The same rows, in the same order except among rows the query's ORDER BY leaves tied."""
    params = [arg for key, value in PARAMS.get(name, {}).items() for arg in ("-p", f"{key}={value}")]
    code, local, err = run("query", name, *params, "--format", "csv")
    assert code == 0, err
    remote = jena_csv(jena, database, name, seed_project_dir, tmp_path)
    local_rows, remote_rows = local.splitlines(), remote.splitlines()
    assert remote_rows[0] == local_rows[0]
    assert sorted(remote_rows[1:]) == sorted(local_rows[1:])
