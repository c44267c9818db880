"""A generated corpus: deterministic generation, parallel builds equal to serial ones, and
partitioned validation equal to validating the merged corpus at once with pyshacl."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyshacl
import pytest

from dipkg.build.pipeline import validate_corpus
from dipkg.dataset import read_dataset
from dipkg.errors import NotConforming
from dipkg.rdfio import graph_of
from dipkg.validate.validation import _read_results, load_shapes, read_ontology
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


def test_partitioned_validation_equals_monolithic_pyshacl(corpus: Path, tmp_path: Path) -> None:
    build(corpus, tmp_path / "kg", validate=False)
    partitioned = set(validate_corpus(seed_project(tmp_path / "scratch", corpus), jobs=2).results)
    merged = graph_of(read_dataset(tmp_path / "kg"))
    _, results_graph, _ = pyshacl.validate(
        merged,
        shacl_graph=load_shapes(SEED.shapes_files),
        ont_graph=graph_of(read_ontology(SEED.vocabulary_files)),
        inference="none",
        advanced=True,
        allow_warnings=True,
        do_owl_imports=False,
    )
    monolithic = set(_read_results(results_graph))
    assert partitioned == monolithic
    severities = sorted(r.severity for r in partitioned)
    assert severities.count("Violation") == 2
    assert "Warning" in severities and "Info" in severities
