"""`dipkg validate` on hostile shapes and RDF input, and the build cache and kg/void.ttl tampered with."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile.conftest import Listener, Project

TARGET = "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; "
PREFIXES = "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
DATA = '<http://example.org/x> <http://example.org/p> "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" .\n'


def _shapes(url: str) -> dict[str, str]:
    service = f"SERVICE <{url}> {{ ?a ?b ?c }}"
    return {
        "node sh:sparql": TARGET + 'sh:sparql [ sh:select """'
        f'SELECT $this WHERE {{ $this ?p ?o . {service} }}""" ] .',
        "property sh:sparql": TARGET + "sh:property [ sh:path ex:p ; "
        f'sh:sparql [ sh:select """SELECT $this WHERE {{ $this $PATH ?o . {service} }}""" ] ] .',
        "SPARQL target": 'ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; sh:select """'
        f'SELECT ?this WHERE {{ ?this ?p ?o . {service} }}""" ] ; sh:nodeKind sh:IRI .',
        "SPARQL function": f'ex:f a sh:SPARQLFunction ; sh:returnType ex:T ; sh:select """'
        f'SELECT ?r WHERE {{ {service} BIND(1 AS ?r) }}""" .',
        "SPARQL rule": TARGET + 'sh:rule [ a sh:SPARQLRule ; sh:construct """'
        f'CONSTRUCT {{ $this ex:q 1 }} WHERE {{ {service} }}""" ] .',
        "lower-case service, prefixed IRI": TARGET + "sh:sparql "
        '[ sh:select """PREFIX r: <'
        + url
        + '> SELECT $this { $this ?p ?o { service r:q { ?a ?b ?c } } }""" ] .',
        "an update": TARGET + 'sh:sparql [ sh:select """DROP ALL""" ] .',
        "deep nesting": TARGET
        + 'sh:sparql [ sh:select """'
        + "SELECT $this WHERE "
        + "{" * 100_000
        + "}" * 100_000
        + '""" ] .',
        "a backreference pattern": TARGET + 'sh:property [ sh:path ex:p ; sh:pattern "^(a)\\\\1$" ] .',
    }


@pytest.mark.parametrize("case", list(_shapes("http://127.0.0.1:1/")))
def test_shapes_never_reach_the_network(
    project: Project, listener: Listener, tmp_path: Path, case: str
) -> None:
    (tmp_path / "shapes.ttl").write_text(PREFIXES + _shapes(listener.url)[case] + "\n", encoding="utf-8")
    (tmp_path / "data.nt").write_text(DATA, encoding="utf-8")
    run = project.run("validate", str(tmp_path / "data.nt"), "--shapes", str(tmp_path / "shapes.ttl"))
    run.refused(3)
    assert "shapes.ttl" in run.stderr


def _only_dipkg_lines(run_stderr: str) -> None:
    assert "Traceback" not in run_stderr
    assert all(line.startswith("dipkg") for line in run_stderr.splitlines()), run_stderr[-2000:]


def test_a_catastrophic_pattern_runs_in_linear_time(project: Project, tmp_path: Path) -> None:
    shape = TARGET + 'sh:property [ sh:path ex:p ; sh:pattern "^(a+)+$" ] .'
    (tmp_path / "shapes.ttl").write_text(PREFIXES + shape + "\n", encoding="utf-8")
    (tmp_path / "data.nt").write_text(DATA, encoding="utf-8")
    run = project.run("validate", str(tmp_path / "data.nt"), "--shapes", str(tmp_path / "shapes.ttl"))
    assert run.code == 1 and run.seconds < 6, (run.code, run.seconds)
    _only_dipkg_lines(run.stderr)


def test_ill_typed_literals_leave_only_dipkg_on_stderr(project: Project, tmp_path: Path) -> None:
    (tmp_path / "data.ttl").write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<https://w3id.org/dipkg/x> <https://w3id.org/dipkg/ontology#year> "abc"^^xsd:integer ;\n'
        '  <https://w3id.org/dipkg/ontology#date> "2021-02-30"^^xsd:date .\n',
        encoding="utf-8",
    )
    run = project.run("validate", str(tmp_path / "data.ttl"))
    assert run.code in (0, 1)
    _only_dipkg_lines(run.stderr)


def _big_literal(path: Path) -> None:
    path.write_bytes(b'<http://example.org/x> <http://example.org/p> "' + b"x" * (100 << 20) + b'" .\n')


def _many_prefixes(path: Path) -> None:
    lines = (f"@prefix p{i}: <http://example.org/{i}/> .\n" for i in range(1_000_000))
    path.write_text("".join(lines) + "p1:a p1:b p1:c .\n", encoding="utf-8")


def _remote_context(url: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(
            json.dumps({"@context": url + "context.jsonld", "@id": "http://e/x"}), encoding="utf-8"
        )

    return write


def _nested_context(path: Path) -> None:
    path.write_text('{"@context": ' + '{"@context": ' * 20_000 + "{}" + "}" * 20_000 + "}", encoding="utf-8")


def _nested_json(path: Path) -> None:
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


def _unnormalised_iri(path: Path) -> None:
    path.write_text(
        "<https://w3id.org/dipkg/ent/cafe\u0301> <https://w3id.org/dipkg/ontology#p> "
        "<https://w3id.org/dipkg/ent/caf\u00e9> .\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("case", "name"),
    [
        ("a 100 MB literal", "big.nt"),
        ("a million prefixes", "prefixes.ttl"),
        ("a remote JSON-LD context", "remote.jsonld"),
        ("a JSON-LD context nested 20k deep", "nested.jsonld"),
        ("100k nested JSON arrays", "arrays.jsonld"),
        ("IRIs that differ only in Unicode normalisation", "iris.nt"),
    ],
)
def test_hostile_rdf_input_finishes_offline(
    project: Project, listener: Listener, tmp_path: Path, case: str, name: str
) -> None:
    writers: dict[str, Callable[[Path], None]] = {
        "a 100 MB literal": _big_literal,
        "a million prefixes": _many_prefixes,
        "a remote JSON-LD context": _remote_context(listener.url),
        "a JSON-LD context nested 20k deep": _nested_context,
        "100k nested JSON arrays": _nested_json,
        "IRIs that differ only in Unicode normalisation": _unnormalised_iri,
    }
    writers[case](tmp_path / name)
    run = project.run("validate", str(tmp_path / name))
    if run.code == 3:
        run.refused(3)
    else:
        assert run.code in (0, 1), run.stderr[-2000:]
        _only_dipkg_lines(run.stderr)


def test_a_void_triple_count_that_is_not_a_number(project: Project) -> None:
    void = project.root / "kg" / "void.ttl"
    text = void.read_text(encoding="utf-8")
    tampered = text.replace('void:triples "199"^^xsd:integer', 'void:triples "abc"')
    assert tampered != text
    void.write_text(tampered, encoding="utf-8")
    project.kg_before = {**project.kg_before, "void.ttl": tampered.encode("utf-8")}
    project.run("query", "summons-timeline").refused(3)


def _payloads(project: Project) -> list[Path]:
    return sorted(project.cache.rglob("articles/*.pickle"))


def _new_shapes(project: Project) -> None:
    (project.root / "shapes").mkdir(exist_ok=True)
    (project.root / "shapes" / "extra.ttl").write_text(
        PREFIXES + "ex:Nothing a sh:NodeShape .\n", encoding="utf-8"
    )


def test_a_corrupt_cache_payload(project: Project) -> None:
    assert project.run("build", "-q").code == 0
    for payload in _payloads(project):
        payload.write_bytes(b"\x80\x05garbage")
    _new_shapes(project)
    project.run("build", "-q").refused(3)


def test_a_cache_entry_removed_by_another_process(project: Project) -> None:
    assert project.run("build", "-q").code == 0
    for payload in _payloads(project):
        payload.unlink()
    _new_shapes(project)
    run = project.run("build", "-q")
    assert run.code == 0, run.stderr


def test_the_cache_index_is_a_folder(project: Project) -> None:
    assert project.run("build", "-q").code == 0
    for index in project.cache.rglob("index.pickle"):
        index.unlink()
        index.mkdir()
    run = project.run("build", "-q")
    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr


def test_an_unwritable_cache_folder(project: Project) -> None:
    project.cache.write_text("not a folder", encoding="utf-8")
    project.run("build", "-q").refused(4)
