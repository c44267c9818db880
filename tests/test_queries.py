"""Canned queries: headers, local runs on Oxigraph equal to rdflib's engine, integrity checks,
output formats and safe parameter binding."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Dataset, URIRef

from dipkg.cli import main
from dipkg.dataset import published_graphs
from dipkg.fingerprint import digest
from dipkg.iris import prefix_map
from dipkg.layout import KG_DESCRIPTION_FILE, KG_ENTITIES_FILE
from dipkg.query import store as store_module
from dipkg.query.catalogue import bind_parameters, catalogue, with_bindings
from dipkg.query.guard import SERVICE_REFUSED, refusal
from dipkg.query.results import ResultTable, Term, normalise_literal
from dipkg.query.store import open_store, run_local
from tests.projects import SEED, rewrite_published

QUERIES = catalogue(SEED.query_files)
DATA = Path(__file__).parent / "data" / "queries"
NASTY = ['a"} ; DROP ALL ; #', "two\nlines", "escaped \\u0022 quote", "tab\there", "}", "'single'", ""]
SAMPLE_EVENT = "ev:summons-8f7d906e6fec"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def sample_params(name: str) -> dict[str, str]:
    return {
        "evidence": {"subject": SAMPLE_EVENT},
        "post-holders": {"date": "2021-03-25"},
        "relations-timeline": {"a": "ent:china", "b": "ent:european-union"},
    }.get(name, {})


# The seed article reports no expulsion or recall; the thirteen-article graph's tests cover it.
EMPTY_ON_SEED = {"expulsions-and-recalls", "drafts"}


def rdflib_table(dataset: Dataset, text: str) -> ResultTable:
    from rdflib import BNode, Literal, URIRef

    result = dataset.query(text)
    variables = [str(v) for v in result.vars or []]
    rows = []
    for row in result:
        cells: list[Term | None] = []
        for value in row:  # type: ignore[union-attr]
            if value is None:
                cells.append(None)
            elif isinstance(value, URIRef):
                cells.append(Term("uri", str(value)))
            elif isinstance(value, BNode):
                cells.append(Term("bnode", str(value)))
            else:
                assert isinstance(value, Literal)
                datatype = str(value.datatype) if value.datatype else None
                cells.append(normalise_literal(str(value), datatype, value.language))
        rows.append(tuple(cells))
    return ResultTable(variables, rows)


@pytest.fixture(autouse=True)
def _in_seed_project(in_seed_project: Path) -> None:
    """Every command of this module runs in the built seed project."""


@pytest.fixture(scope="module")
def store(built_kg: Path):  # type: ignore[no-untyped-def]
    return open_store(built_kg, SEED.store_dir)


@pytest.fixture(scope="module")
def rdflib_dataset(built_kg: Path) -> Dataset:
    dataset = Dataset(default_union=True)
    for graph in published_graphs(built_kg):
        dataset.graph(URIRef(graph.name)).parse(graph.path, format="turtle")
    return dataset


def test_catalogue_describes_itself() -> None:
    reports = [q for q in QUERIES if not q.is_integrity_check]
    assert len(reports) >= 10
    assert len([q for q in QUERIES if q.is_integrity_check]) >= 3
    for query in QUERIES:
        assert query.summary and query.description, query.name
        assert "ORDER BY" in query.text, f"{query.name} must order its results"
        for parameter in query.parameters:
            assert parameter.description, f"{query.name}: {parameter.name} is undocumented"


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_oxigraph_and_rdflib_give_identical_results(query, store, rdflib_dataset) -> None:  # type: ignore[no-untyped-def]
    text = with_bindings(query.text, bind_parameters(query, sample_params(query.name), prefix_map()))
    ours = run_local(store, text)
    reference = rdflib_table(rdflib_dataset, text)
    assert ours.variables == reference.variables
    assert ours.rows == reference.rows
    if query.is_integrity_check:
        assert ours.rows == [], f"integrity check {query.name} found problems"
    elif query.name in EMPTY_ON_SEED:
        assert ours.rows == []
    else:
        assert ours.rows, f"{query.name} returned nothing on the seed KG"


def test_integrity_queries_catch_a_broken_graph(tmp_path: Path) -> None:
    import pyoxigraph

    store = pyoxigraph.Store()
    for path in SEED.vocabulary_files:
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    store.load(
        b"@prefix dip: <https://w3id.org/dipkg/ontology#> . @prefix oa: <http://www.w3.org/ns/oa#> .\n"
        b"@prefix schema: <https://schema.org/> .\n"
        b'<urn:a> a dip:Article ; schema:text "Alpha beta" .\n'
        b'<urn:s> oa:exact "beta" ; oa:start 0 ; oa:end 4 ; dip:inArticle <urn:a> .\n'
        b"<urn:c> a dip:Claim, dip:Accusation ; dip:inArticle <urn:a> .\n"
        b"<urn:m> a dip:Summons ; dip:target <urn:p> .\n"
        b"<urn:u> a dip:UnrealizedAct, dip:Threat .\n",
        format=pyoxigraph.RdfFormat.TURTLE,
    )
    found = {q.name: len(run_local(store, q.text).rows) for q in QUERIES if q.is_integrity_check}
    assert found == {
        "claim-as-fact-violation": 3,
        "evidence-offset-violation": 1,
        "summons-target-violation": 1,
        "unevidenced-statement-violation": 2,
    }


def test_queries_listing() -> None:
    code, out, _ = run("queries")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "PARAMETERS", "SUMMARY"]
    assert [line.split()[0] for line in lines[1:]] == [q.name for q in QUERIES]
    assert any(line.startswith("evidence ") and "subject:iri " in line for line in lines)
    assert any("sanctions" in line and "date:date?" in line for line in lines)


SUMMONS_COLUMNS = ["date", "onOrBefore", "when", "summoner", "diplomat", "post", "place", "summons"]


def test_query_formats() -> None:
    code, out, _ = run("query", "summons-timeline")
    assert code == 0
    document = json.loads(out)
    assert document["head"]["vars"] == SUMMONS_COLUMNS
    first = document["results"]["bindings"][0]
    assert first["date"] == {
        "type": "literal",
        "value": "2021-03-22",
        "datatype": "http://www.w3.org/2001/XMLSchema#date",
    }
    assert first["diplomat"] == {"type": "literal", "value": "Nicolas Chapuis", "xml:lang": "en"}
    code, table, _ = run("query", "summons-timeline", "--format", "table")
    lines = table.splitlines()
    assert lines[0].split() == SUMMONS_COLUMNS
    assert lines[1].replace(" ", "").strip("-") == ""
    assert lines[2].startswith("2021-03-22              on Monday        Qin Gang")
    assert lines[2].endswith("ev:summons-c54317fadcbb")
    assert lines[-1] == "(3 rows)"
    code, text, _ = run("query", "summons-timeline", "--format", "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["date", "onOrBefore", "when", "summoner", "diplomat"]
    # Italy's summons was made on or before the Tuesday it was announced: no date, a latest date.
    assert rows[3][:5] == [
        "",
        "2021-03-23",
        "it had summoned",
        "Ministry of Foreign Affairs of Italy",
        "Li Junhua",
    ]
    raw = CliRunner().invoke(main, ["query", "summons-timeline", "--format", "csv"]).stdout_bytes
    assert raw.count(b"\r\n") == 4
    code, text, _ = run("query", "summons-timeline", "--format", "tsv")
    tsv = text.splitlines()
    assert tsv[0] == "?date\t?onOrBefore\t?when\t?summoner\t?diplomat\t?post\t?place\t?summons"
    assert tsv[1].startswith(
        '"2021-03-22"^^<http://www.w3.org/2001/XMLSchema#date>\t\t"on Monday"\t"Qin Gang"@en'
    )


def test_parameters_and_defaults() -> None:
    _, out, _ = run("query", "quotes", "--param", "speaker=ent:cao-zhongming", "--format", "csv")
    assert [r[0] for r in csv.reader(io.StringIO(out))][1:] == ["Cao Zhongming"]
    _, out, _ = run("query", "sanctions", "-p", "date=1989-01-01", "--format", "csv")
    assert len(out.splitlines()) == 1
    _, default, _ = run("query", "entity-profile", "--format", "csv")
    _, explicit, _ = run(
        "query", "entity-profile", "-p", "entity=https://w3id.org/dipkg/entity/china", "--format", "csv"
    )
    assert default == explicit
    assert "holds post" not in default
    _, blinken, _ = run("query", "entity-profile", "-p", "entity=ent:antony-blinken", "--format", "csv")
    assert "holds post,Secretary of State of the United States" in blinken


@pytest.mark.parametrize("value", NASTY)
def test_string_values_are_bound_as_plain_values(value: str) -> None:
    code, out, err = run("query", str(DATA / "echo-text.rq"), "-p", f"text={value}")
    assert code == 0, err
    assert json.loads(out)["results"]["bindings"] == [{"value": {"type": "literal", "value": value}}]


@pytest.mark.parametrize(
    "value",
    [
        "http://example.org/a b",
        "http://example.org/a>",
        'http://example.org/"x"',
        "http://x/{y}",
        "ftp://example.org/x",
        "nope:thing",
        "<http://example.org/x>",
    ],
)
def test_bad_iri_values_are_refused(value: str) -> None:
    code, out, err = run("query", str(DATA / "echo-iri.rq"), "-p", f"iri={value}")
    assert code == 2
    assert out == ""
    assert err.startswith("dipkg: error: parameter iri: ")
    assert len(err.splitlines()) == 1


def test_parameter_errors() -> None:
    assert run("query", "evidence")[2] == "dipkg: error: query 'evidence' needs --param subject=VALUE\n"
    code, _, err = run("query", "sanctions", "-p", "date=2021-02-30")
    assert (code, err) == (2, "dipkg: error: parameter date: '2021-02-30' is not a date (YYYY-MM-DD)\n")
    code, _, err = run("query", "sanctions", "-p", "day=2021-03-22")
    assert code == 2 and "has no parameter 'day'" in err
    code, _, err = run("query", "no-such-query")
    assert code == 2 and "no canned query named 'no-such-query'" in err
    assert run("query", "sanctions", "-p", "novalue")[0] == 2


def test_local_queries_never_use_the_network(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    connections: list[object] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            connections.append(listener.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    query = tmp_path / "service.rq"
    query.write_text(
        (DATA / "service.rq").read_text(encoding="utf-8").replace("PORT", str(port)), encoding="utf-8"
    )
    code, _, err = run("query", str(query))
    thread.join()
    listener.close()
    assert code == 2
    assert "the query uses SERVICE, which would fetch from other servers: SERVICE is refused" in err
    assert connections == []


def test_service_detection_ignores_strings_iris_and_comments() -> None:
    assert refusal("SELECT * WHERE { service <http://x/> { ?s ?p ?o } }") == SERVICE_REFUSED
    assert refusal('SELECT * WHERE { ?s ?p "SERVICE" . ?s <http://x/SERVICE> ?o } # SERVICE') is None
    assert refusal("PREFIX ex: <http://x/> SELECT ?SERVICE WHERE { ?SERVICE ex:SERVICE ?o }") is None


def _count_summons(kg_dir: Path) -> int:
    table = run_local(
        open_store(kg_dir, SEED.store_dir),
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/dipkg/ontology#Summons> }",
    )
    value = table.rows[0][0]
    assert value is not None
    return int(value.value)


def test_the_store_on_disk_is_reused_and_follows_kg_in_place(
    built_kg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kg = Path(shutil.copytree(built_kg, tmp_path / "kg"))
    assert _count_summons(kg) == 3

    def refuse(*_: object) -> None:
        raise AssertionError("the store was rebuilt or changed although kg/ did not change")

    with monkeypatch.context() as patched:
        patched.setattr("dipkg.query.store._fill", refuse)
        patched.setattr("dipkg.query.store._follow", refuse)
        assert _count_summons(kg) == 3
    article = next((kg / "articles").glob("*.ttl"))
    summons = "<https://example.org/s> a <https://w3id.org/dipkg/ontology#Summons> .\n"
    rewrite_published(article, article.read_text(encoding="utf-8") + summons)
    folder = SEED.store_dir / digest([str(kg.resolve())])[:16]
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    interrupted = folder / f".live.{finished.stdout.strip()}.tmp"
    running = folder / f".live.{os.getpid()}.tmp"
    for staging in (interrupted, running):
        staging.mkdir()
    with monkeypatch.context() as patched:
        patched.setattr("dipkg.query.store._fill", refuse)
        assert _count_summons(kg) == 4, "the store follows the changed file in place"
    assert sorted(p.name for p in folder.iterdir()) == sorted([running.name, "live", "live.json"])
    running.rmdir()
    (folder / "live.json").unlink()
    rebuilt: list[int] = []
    original_fill = store_module._fill
    with monkeypatch.context() as patched:
        patched.setattr("dipkg.query.store._fill", lambda *a: rebuilt.append(1) or original_fill(*a))
        assert _count_summons(kg) == 4
    assert rebuilt == [1], "a store whose record is missing (a change cut short) is built anew"


def test_a_store_another_oxigraph_version_wrote_is_built_anew(
    built_kg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kg = Path(shutil.copytree(built_kg, tmp_path / "kg"))
    assert _count_summons(kg) == 3
    folder = SEED.store_dir / digest([str(kg.resolve())])[:16]
    state = json.loads((folder / "live.json").read_text(encoding="utf-8"))
    assert state["oxigraph"] == pyoxigraph.__version__
    (folder / "live.json").write_text(json.dumps({**state, "oxigraph": "0.0.1"}), encoding="utf-8")
    for path in (folder / "live").iterdir():
        if path.is_file() and path.name != "complete":
            path.write_bytes(b"a store in a format this Oxigraph cannot read")
    rebuilt: list[int] = []
    original_fill = store_module._fill
    monkeypatch.setattr("dipkg.query.store._fill", lambda *a: rebuilt.append(1) or original_fill(*a))
    assert _count_summons(kg) == 3
    assert rebuilt == [1]
    assert (
        json.loads((folder / "live.json").read_text(encoding="utf-8"))["oxigraph"] == pyoxigraph.__version__
    )


def _store_dump(kg: Path, store_dir: Path) -> tuple[list[str], int]:
    store, triples = store_module.open_counted_store(kg, store_dir)
    lines = sorted(
        (store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph()) or b"")
        .decode()
        .splitlines()
    )
    return lines, triples


def test_the_store_after_edits_additions_and_removals_equals_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dipkg.build.pipeline import build as build_project
    from dipkg.project import Project
    from tests.projects import DATA_DIR, copy_seed_project

    folder = copy_seed_project(tmp_path / "project")
    project = Project.at(folder).replace(cache_dir=tmp_path / "cache")
    build_project(project)
    store_dir = tmp_path / "store"
    _store_dump(project.kg_dir, store_dir)
    second = DATA_DIR / "second-article"
    annotation = project.articles_dir / "test_0002" / "annotation.yaml"

    def edited(text: str) -> str:
        return text.replace("EU foreign ministers discuss", "EU ministers meet")

    def rebuilt(*_: object) -> None:
        raise AssertionError("the store was rebuilt")

    steps = [
        ("an article added", lambda: shutil.copytree(second, project.seeds_dir, dirs_exist_ok=True)),
        (
            "an article edited",
            lambda: annotation.write_text(
                annotation.read_text(encoding="utf-8").replace(
                    "EU foreign ministers discuss", "EU ministers meet"
                ),
                encoding="utf-8",
            ),
        ),
        ("an article removed", lambda: shutil.rmtree(project.articles_dir / "test_0002")),
    ]
    for n, (step, change) in enumerate(steps):
        change()
        build_project(project)
        with monkeypatch.context() as patched:
            patched.setattr("dipkg.query.store._fill", rebuilt)
            followed = _store_dump(project.kg_dir, store_dir)
        assert followed == _store_dump(project.kg_dir, tmp_path / f"clean-{n}"), step


def test_a_broken_kg_file_is_reported_and_leaves_no_store(built_kg: Path, tmp_path: Path) -> None:
    kg = Path(shutil.copytree(built_kg, tmp_path / "kg"))
    article = next((kg / "articles").glob("*.ttl"))
    article.write_text(article.read_text(encoding="utf-8") + "\nthis is not turtle\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["query", "summons-timeline", "--kg", str(kg)])
    assert result.exit_code == 3
    assert result.stderr.startswith(f"dipkg: error: {article}:")
    assert len(result.stderr.splitlines()) == 1
    folder = SEED.store_dir
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize("dump", ["../outside.ttl", "articles/../../outside.ttl", "/outside.ttl"])
def test_a_graph_published_outside_the_kg_folder_is_refused(
    built_kg: Path, tmp_path: Path, dump: str
) -> None:
    kg = Path(shutil.copytree(built_kg, tmp_path / "kg"))
    shutil.copy(kg / KG_ENTITIES_FILE, tmp_path / "outside.ttl")
    description = kg / KG_DESCRIPTION_FILE
    entities_dump = "void:dataDump <https://w3id.org/dipkg/kg/entities.ttl> ;"
    text = description.read_text(encoding="utf-8")
    assert text.count(entities_dump) == 1
    description.write_text(text.replace(entities_dump, entities_dump.replace("entities.ttl", dump)), "utf-8")
    code, out, err = run("query", "class-counts", "--kg", str(kg))
    assert (code, out) == (3, "")
    assert (
        err
        == f"dipkg: error: {description}: graph <https://w3id.org/dipkg/graph/entities> is published outside https://w3id.org/dipkg/kg/\n"
    )


@pytest.mark.parametrize("form", ["ASK { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"])
def test_only_select_queries_run_locally_and_remotely(form: str, tmp_path: Path) -> None:
    query = tmp_path / "form.rq"
    query.write_text(form, encoding="utf-8")
    expected = "dipkg: error: only SELECT queries are supported (ASK, CONSTRUCT and DESCRIBE are not)\n"
    assert run("query", str(query)) == (2, "", expected)
    assert run("query", str(query), "--endpoint", "http://127.0.0.1:9/sparql") == (2, "", expected)
