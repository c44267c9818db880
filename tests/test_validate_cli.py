"""`dipkg validate` through the command line: reports, formats, exit codes and bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from dipkg.cli import main
from tests.projects import build

SUITE = Path(__file__).parent / "data" / "w3c" / "rdf-turtle"
FIXTURES = Path(__file__).parent / "data" / "shapes"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
RDFT = "http://www.w3.org/ns/rdftest#"


@pytest.fixture(autouse=True)
def _in_seed_project(in_seed_project: Path) -> None:
    """Every command of this module runs in the built seed project."""


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_published_kg_conforms_and_the_summary_counts_by_severity() -> None:
    code, out, err = run()
    assert code == 0
    assert err == "dipkg validate: conforms (fail on violation): 0 violation(s), 0 warning(s), 7 info\n"
    lines = out.splitlines()
    assert len(lines) == 7
    assert all(line.startswith("INFO      ev:") for line in lines)
    path = "path=dip:date|dip:year|dip:latestDate|dip:timeExpression"
    assert f"{path}  value=-  The event has no date" in lines[0]


def test_fail_on_threshold() -> None:
    assert run("--fail-on", "warning")[0] == 0
    code, _, err = run("--fail-on", "info")
    assert code == 1
    assert err.startswith("dipkg validate: does not conform (fail on info)")


def test_report_is_the_same_bytes_every_time() -> None:
    assert run()[1] == run()[1]
    assert run("--format", "json")[1] == run("--format", "json")[1]


def test_text_result_names_focus_path_value_and_message() -> None:
    fixture = FIXTURES / "negative" / "generated" / "Event-date__DatatypeConstraintComponent.ttl"
    code, out, _ = run(str(fixture))
    assert code == 1
    assert (
        'VIOLATION <http://example.org/fixture/focus>  path=dip:date  value="tagged"@en  '
        "dip:date must be a single xsd:date." in out.splitlines()
    )
    severities = [line.split()[0] for line in out.splitlines()]
    assert severities == sorted(severities, key=["VIOLATION", "WARNING", "INFO"].index)


def test_json_and_turtle_reports(tmp_path: Path) -> None:
    fixture = FIXTURES / "negative" / "Summons__targetIsDiplomat.ttl"
    code, out, _ = run(str(fixture), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["conforms"] is False
    matching = [
        r for r in report["results"] if r["sourceShape"] == "https://w3id.org/dipkg/shapes#SummonsShape"
    ]
    assert matching[0]["focusNode"] == "http://example.org/fixture/summons"
    assert matching[0]["value"] == "http://example.org/fixture/person"
    assert report["counts"]["violation"] == len(
        [r for r in report["results"] if r["severity"] == "Violation"]
    )
    code, out, _ = run(str(fixture), "--format", "turtle")
    quads = list(pyoxigraph.parse(out.encode(), format=pyoxigraph.RdfFormat.TURTLE))
    conforms = [q.object.value for q in quads if q.predicate.value.endswith("#conforms")]
    assert conforms == ["false"]
    results = [q for q in quads if q.predicate.value.endswith("#result")]
    assert len(results) == len(report["results"])


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, err = run("--format", "json", "-o", str(target))
    assert code == 0
    assert out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["conforms"] is True
    assert err.startswith("dipkg validate: conforms")


@pytest.mark.parametrize(
    "rdf_format, suffix", [("N_TRIPLES", ".nt"), ("N_QUADS", ".nq"), ("JSON_LD", ".jsonld")]
)
def test_every_input_format_by_extension(rdf_format: str, suffix: str, tmp_path: Path, kg_trig: Path) -> None:
    quads = list(pyoxigraph.parse(path=str(kg_trig), format=pyoxigraph.RdfFormat.TRIG))
    fmt = getattr(pyoxigraph.RdfFormat, rdf_format)
    target = tmp_path / f"kg{suffix}"
    target.write_bytes(
        pyoxigraph.serialize(quads if fmt.supports_datasets else [q.triple for q in quads], format=fmt)
    )
    code, _, err = run(str(target))
    assert code == 0, err
    assert "0 violation(s), 0 warning(s), 7 info" in err


def test_standard_input_and_explicit_format(kg_trig: Path) -> None:
    code, _, err = run("-", stdin=kg_trig.read_bytes())
    assert code == 3
    assert err.startswith("dipkg: error: <stdin>:")
    code, _, err = run("--input-format", "trig", "-", stdin=kg_trig.read_bytes())
    assert code == 0, err
    assert "7 info" in err


def test_shapes_option(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix dip: <https://w3id.org/dipkg/ontology#> .\n"
        "<urn:x:s> a sh:NodeShape ; sh:targetClass dip:Summons ; sh:property [ sh:path dip:date ; "
        'sh:maxCount 0 ; sh:message "no dates" ] .\n',
        encoding="utf-8",
    )
    code, out, err = run("--shapes", str(shapes))
    assert code == 1
    # Italy's summons has no dip:date, only a dip:latestDate: two summonses have a date.
    assert out.count("no dates") == 2
    assert "2 violation(s)" in err


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"<http://a> <http://b> <http://c>", "bad.ttl", "bad.ttl:1: invalid turtle"),
        (
            b"@prefix ex: <http://e/> .\nex:a ex:b\n  ex:c <http://a b> .\n",
            "iri.ttl",
            "iri.ttl:3: invalid turtle",
        ),
        (b'<http://a> <http://b> "\xff" .\n', "utf8.nt", "utf8.nt:1: invalid ntriples"),
        (
            b'{"@context": "http://example.org/ctx.jsonld", "@id": "http://e/a"}',
            "remote.jsonld",
            "invalid jsonld",
        ),
        (b"[" * 5000, "deep.ttl", "invalid turtle"),
    ],
)
def test_unparsable_input_exits_3_with_one_line(
    content: bytes, name: str, message: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run(str(path))
    assert code == 3
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("dipkg: error: ")
    assert message in err
    assert "Traceback" not in err


def test_missing_file_and_directory_exit_3(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "missing.ttl"))
    assert (code, err) == (3, f"dipkg: error: {tmp_path / 'missing.ttl'}: file not found\n")
    folder = tmp_path / "folder.ttl"
    folder.mkdir()
    assert run(str(folder))[0] == 3


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    odd = tmp_path / "data.xyz"
    odd.write_text("", encoding="utf-8")
    code, _, err = run(str(odd))
    assert code == 2
    assert "use --input-format" in err
    assert run("--fail-on", "sometimes")[0] == 2
    assert run("--format", "yaml")[0] == 2


def test_no_network_for_imports_or_remote_contexts(tmp_path: Path) -> None:
    """The autouse fixture fails the test on any socket connection."""
    data = tmp_path / "imports.ttl"
    data.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<http://example.org/o> a owl:Ontology ; owl:imports <http://example.org/remote-ontology> .\n",
        encoding="utf-8",
    )
    code, _, err = run(str(data))
    assert code == 0, err
    remote = tmp_path / "remote.jsonld"
    remote.write_text(
        '{"@context": "http://example.org/ctx", "@id": "http://e/a", "p": "v"}', encoding="utf-8"
    )
    assert run(str(remote))[0] == 3


def manifest_entries(kind: str) -> list[str]:
    quads = pyoxigraph.parse(
        path=str(SUITE / "manifest.ttl"),
        format=pyoxigraph.RdfFormat.TURTLE,
        base_iri=(SUITE / "manifest.ttl").as_uri(),
    )
    quads = list(quads)
    tests = {
        q.subject for q in quads if q.predicate.value.endswith("#type") and q.object.value == RDFT + kind
    }
    actions = [q.object.value for q in quads if q.subject in tests and q.predicate.value == MF + "action"]
    return sorted(Path(a.removeprefix("file://")).name for a in actions)


NEGATIVE_SYNTAX = manifest_entries("TestTurtleNegativeSyntax")
POSITIVE_SYNTAX = manifest_entries("TestTurtlePositiveSyntax")


def test_suite_is_complete() -> None:
    assert (len(NEGATIVE_SYNTAX), len(POSITIVE_SYNTAX)) == (94, 74)


def test_w3c_turtle_suite_through_the_cli(tmp_path: Path) -> None:
    empty_shapes = tmp_path / "none.ttl"
    empty_shapes.write_text("", encoding="utf-8")
    accepted_negative = [
        n for n in NEGATIVE_SYNTAX if run(str(SUITE / n), "--shapes", str(empty_shapes))[0] != 3
    ]
    refused_positive = [
        n for n in POSITIVE_SYNTAX if run(str(SUITE / n), "--shapes", str(empty_shapes))[0] != 0
    ]
    assert accepted_negative == []
    assert refused_positive == []


def test_build_refuses_to_publish_a_nonconforming_graph(tmp_path: Path, seeds_copy: Path) -> None:
    out = tmp_path / "kg"
    build(seeds_copy, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    annotation = seeds_copy / "articles" / "000_65e413c471938464" / "annotation.yaml"
    text = annotation.read_text(encoding="utf-8")
    annotation.write_text(
        text.replace("    targets: [li-junhua]\n", "    targets: [li-junhua, cao-zhongming, qin-gang]\n"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build", "--seeds", str(seeds_copy), "--out", str(out)])
    assert result.exit_code == 1
    assert "VIOLATION" in result.stderr
    assert "The target of a summons holds no diplomatic post" in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "dipkg: error: the knowledge graph does not conform to the shapes (1 violation(s), 0 warning(s), "
        f"7 info); {out}/ was left unchanged"
    )
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    forced = CliRunner().invoke(
        main, ["build", "--seeds", str(seeds_copy), "--out", str(out), "--no-validate"]
    )
    assert forced.exit_code == 0
    shutil.rmtree(out)


def test_a_published_file_changed_by_hand_is_refused_by_validate(built_kg: Path, tmp_path: Path) -> None:
    kg = Path(shutil.copytree(built_kg, tmp_path / "kg"))
    entities = kg / "entities.ttl"
    entities.write_text(entities.read_text(encoding="utf-8") + "<urn:x:a> <urn:x:b> <urn:x:c> .\n", "utf-8")
    for args in (("--kg", str(kg)), ("--ontology", "--kg", str(kg))):
        code, out, err = run(*args)
        assert (code, out) == (3, ""), args
        assert err.startswith(f"dipkg: error: {entities}: does not match the SHA-256 that void.ttl gives it")


def test_literals_holding_line_separators_give_the_results_of_the_merged_data(tmp_path: Path) -> None:
    from dipkg.validate.validation import load_shapes, read_ontology, validate
    from tests.projects import SEED

    fixture = FIXTURES / "negative" / "Summons__targetIsDiplomat.ttl"
    data = tmp_path / "data.ttl"
    odd = '"one\\u2028two\\u0085three\\rfour\u2029five"'
    data.write_text(
        fixture.read_text(encoding="utf-8")
        + f"\n<http://example.org/fixture/summons> <http://www.w3.org/2000/01/rdf-schema#comment> {odd} .\n",
        encoding="utf-8",
    )
    merged = validate(
        pyoxigraph_quads(data), load_shapes(SEED.shapes_files), read_ontology(SEED.vocabulary_files)
    )
    code, out, _ = run("--format", "json", str(data))
    assert code == 1
    assert json.loads(out)["counts"] == {
        "violation": merged.count("Violation"),
        "warning": merged.count("Warning"),
        "info": merged.count("Info"),
    }
    assert merged.count("Violation") > 0


def pyoxigraph_quads(path: Path) -> list[pyoxigraph.Quad]:
    return list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
