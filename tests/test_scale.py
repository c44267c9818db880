"""A generated corpus: deterministic generation, parallel builds equal to serial ones, and
partitioned validation equal to validating the merged corpus at once with pyshacl."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest

from dipkg import api
from dipkg.build.pipeline import validate_corpus
from dipkg.dataset import read_dataset
from dipkg.errors import NotConforming
from dipkg.rdfio import graph_of
from dipkg.validate.results import ValidationReport, ValidationResult
from dipkg.validate.validation import Validator, _read_results, load_shapes, read_ontology
from tests.projects import SEED, build, seed_project

GENERATOR = Path(__file__).parent.parent / "bench" / "generate.py"


def generate(out: Path, articles: int, violations: int = 0, seed: int = 7) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--articles",
            str(articles),
            "--out",
            str(out),
            "--seed",
            str(seed),
            "--violations",
            str(violations),
            "--world-scale",
            "0.02",
        ],
        check=True,
    )
    return out


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("corpus"), 12, violations=2)


def test_generation_is_deterministic(tmp_path: Path, corpus: Path) -> None:
    assert files_of(generate(tmp_path / "again", 12, violations=2)) == files_of(corpus)
    assert len(list((corpus / "articles").iterdir())) == 12


def test_generated_corpus_builds_in_parallel_as_in_series(corpus: Path, tmp_path: Path) -> None:
    parallel = build(corpus, tmp_path / "parallel", validate=False, jobs=2)
    serial = build(corpus, tmp_path / "serial", validate=False, jobs=1)
    assert files_of(tmp_path / "parallel") == files_of(tmp_path / "serial")
    assert parallel.articles == serial.articles == 12


def test_injected_violations_stop_the_build(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(NotConforming) as caught:
        build(corpus, tmp_path / "kg", jobs=2)
    assert caught.value.report.count("Violation") == 2
    assert not (tmp_path / "kg").exists()


@pytest.fixture(scope="module")
def corpus_kg(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    kg = tmp_path_factory.mktemp("corpus-kg") / "kg"
    build(corpus, kg, validate=False)
    return kg


@pytest.fixture(scope="module")
def monolithic(corpus_kg: Path) -> set[ValidationResult]:
    """pyshacl's results on the merged corpus, validated at once."""
    _, results_graph, _ = pyshacl.validate(
        graph_of(read_dataset(corpus_kg)),
        shacl_graph=load_shapes(SEED.shapes_files),
        ont_graph=graph_of(read_ontology(SEED.vocabulary_files)),
        inference="none",
        advanced=True,
        allow_warnings=True,
        do_owl_imports=False,
    )
    results = set(_read_results(results_graph))
    severities = sorted(r.severity for r in results)
    assert severities.count("Violation") == 2
    assert "Warning" in severities and "Info" in severities
    return results


def test_partitioned_validation_equals_monolithic_pyshacl(
    corpus: Path, monolithic: set[ValidationResult], tmp_path: Path
) -> None:
    partitioned = set(validate_corpus(seed_project(tmp_path / "scratch", corpus), jobs=2).results)
    assert partitioned == monolithic


def test_validate_takes_the_files_graph_by_graph_with_the_results_of_the_merged_corpus(
    corpus_kg: Path, monolithic: set[ValidationResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = SEED.replace(kg=corpus_kg)
    files = [str(p) for p in sorted(corpus_kg.rglob("*.ttl")) if p.name != "void.ttl"]
    assert set(api.validate(project, files, jobs=2).report.results) == monolithic
    assert set(api.validate(project, jobs=2).report.results) == monolithic
    nquads = tmp_path / "corpus.nq"
    nquads.write_bytes(api.export(project, "nq"))
    sizes: list[int] = []
    validate = Validator.validate

    def recorded(self: Validator, data: list[ox.Quad]) -> ValidationReport:
        sizes.append(len(data))
        return validate(self, data)

    monkeypatch.setattr(Validator, "validate", recorded)
    assert set(api.validate(project, [str(nquads)], jobs=1).report.results) == monolithic
    total = sum(1 for _ in nquads.open("rb"))
    # One partition per article graph and one for the ontology's, plus the shared resources (the
    # entities' graph, which the articles point into); none of them near the whole corpus.
    assert len(sizes) == 12 + 1 + 1
    assert max(sizes) < total / 3
