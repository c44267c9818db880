"""`dipkg build`: CLI output, determinism, freshness of kg/, and loading into other RDF tools."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from dipkg import paths
from dipkg.build.mapping import map_corpus
from dipkg.cli import main
from dipkg.dataset import published_graphs, read_dataset
from dipkg.namespaces import DEFAULT_BASE_IRI
from dipkg.seeds.annotation import load_corpus
from dipkg.seeds.vocabulary import load_ontology, vocabulary_of
from tests.conftest import load_kg

ARTICLE = "000_65e413c471938464"


def run_build(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dipkg", "build", *args], capture_output=True, text=True, check=False
    )


def test_build_prints_what_it_wrote(tmp_path: Path) -> None:
    out = tmp_path / "kg"
    result = CliRunner().invoke(main, ["build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("1 article(s), 1384 triples")
    assert lines[1:] == [
        "  1 article(s) mapped, 1 validated, 0 reused from the cache",
        "  entities.ttl                          184 triples  written",
        f"  articles/{ARTICLE}.ttl    1200 triples  written",
        "  void.ttl                              145 triples  written",
    ]
    again = CliRunner().invoke(main, ["build", "--out", str(out)])
    assert again.exit_code == 0
    assert again.output.splitlines()[1:] == [
        "  0 article(s) mapped, 0 validated, 1 reused from the cache",
        "  3 file(s) unchanged",
    ]


def test_two_builds_in_separate_processes_give_identical_bytes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"kg{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "dipkg", "build", "--out", str(out)],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 3


def test_committed_kg_is_what_build_produces(built_kg: Path) -> None:
    """kg/ must be rebuilt and committed whenever seeds/ or the ontology change."""
    produced = {p.relative_to(built_kg): p.read_bytes() for p in built_kg.rglob("*") if p.is_file()}
    committed = {p.relative_to(paths.KG_DIR): p.read_bytes() for p in paths.KG_DIR.rglob("*") if p.is_file()}
    assert sorted(committed) == sorted(produced)
    stale = [str(name) for name in produced if committed[name] != produced[name]]
    assert stale == [], f"kg/ is stale; run `dipkg build` and commit: {stale}"


def test_published_turtle_round_trips_to_the_mapped_graphs(built_kg: Path) -> None:
    vocabulary = vocabulary_of(load_ontology(paths.ONTOLOGY_FILE))
    mapped = map_corpus(load_corpus(paths.SEEDS_DIR, vocabulary), DEFAULT_BASE_IRI)
    entities = Graph().parse(built_kg / paths.KG_ENTITIES_FILE, format="turtle")
    assert isomorphic(entities, mapped.entities)
    article = Graph().parse(built_kg / paths.KG_ARTICLES_SUBDIR / f"{ARTICLE}.ttl", format="turtle")
    assert isomorphic(article, mapped.articles[ARTICLE][1])


def test_void_lists_one_named_graph_per_file(built_kg: Path) -> None:
    graphs = published_graphs(built_kg)
    assert [(g.name, g.path.relative_to(built_kg).as_posix(), g.triples) for g in graphs] == [
        (f"https://w3id.org/dipkg/graph/article/{ARTICLE}", f"articles/{ARTICLE}.ttl", 1200),
        ("https://w3id.org/dipkg/graph/entities", "entities.ttl", 184),
    ]
    for graph in graphs:
        assert len(Graph().parse(graph.path, format="turtle")) == graph.triples


def test_prefix_map_is_fixed(built_kg: Path) -> None:
    for path in built_kg.rglob("*.t*"):
        text = path.read_text(encoding="utf-8")
        assert "ns1:" not in text
        declared = [line.split()[1] for line in text.splitlines() if line.startswith("@prefix")]
        body = text.split("\n\n", 1)[1]
        assert declared == sorted(declared)
        assert all(prefix in body for prefix in declared), f"unused prefix in {path}"


def test_oxigraph_loads_every_file(built_kg: Path) -> None:
    store = pyoxigraph.Store()
    parsed = set(read_dataset(built_kg))
    store.extend(parsed)
    assert len(store) == len(load_kg(built_kg))
    assert set(store) == parsed, "the store must keep every term as published (no datatype rewriting)"
    for path in built_kg.rglob("*.ttl"):
        triples = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
        assert len(triples) == len(Graph().parse(path, format="turtle"))


def test_rapper_loads_every_file(built_kg: Path) -> None:
    rapper = shutil.which("rapper")
    assert rapper is not None, "raptor2-utils is required: apt-get install raptor2-utils"
    for path in sorted(built_kg.rglob("*.t*")):
        syntax = "trig" if path.suffix == ".trig" else "turtle"
        result = subprocess.run([rapper, "-i", syntax, "-c", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert "Parsing returned" in result.stderr


def test_base_iri_is_configurable(tmp_path: Path) -> None:
    result = run_build("--out", str(tmp_path), "--base-iri", "http://example.org/kg/")
    assert result.returncode == 0, result.stderr
    graph = load_kg(tmp_path)
    data_iris = {str(s) for s in graph.subjects()}
    assert data_iris and all(iri.startswith("http://example.org/kg/") for iri in data_iris)


def test_bad_base_iri_is_a_usage_error(tmp_path: Path) -> None:
    result = run_build("--out", str(tmp_path), "--base-iri", "file:///tmp/x")
    assert result.returncode == 2
    assert "must be an http(s) IRI" in result.stderr
    assert not any(tmp_path.iterdir())


def test_help_documents_exit_codes() -> None:
    for args in (["--help"], ["build", "--help"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0
        assert (
            "Exit codes: 0 success; 1 does not conform to the shapes; 2 usage error; 3 bad" in result.output
        )


def test_leftover_temporary_files_are_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "kg"
    (out / paths.KG_ARTICLES_SUBDIR).mkdir(parents=True)
    leftover = out / paths.KG_ARTICLES_SUBDIR / f".{ARTICLE}.ttl.abc123.tmp"
    leftover.write_text("half written", encoding="utf-8")
    unrelated = out / paths.KG_ARTICLES_SUBDIR / ".notes.tmp"
    unrelated.write_text("not ours", encoding="utf-8")
    assert run_build("--out", str(out)).returncode == 0
    assert not leftover.exists()
    published = sorted(p.name for p in (out / paths.KG_ARTICLES_SUBDIR).iterdir())
    assert published == [".notes.tmp", f"{ARTICLE}.ttl"]
