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

from dipkg.build.mapping import map_corpus
from dipkg.cli import main
from dipkg.dataset import published_graphs, read_dataset
from dipkg.iris import DEFAULT_BASE_IRI
from dipkg.layout import KG_ARTICLES_SUBDIR, KG_ENTITIES_FILE, KG_ONTOLOGY_FILE, KG_STAGING_DIR
from dipkg.seeds.annotation import load_corpus
from dipkg.seeds.vocabulary import load_ontology, vocabulary_of
from tests.conftest import load_kg
from tests.projects import (
    REPOSITORY,
    SEED,
    SEED_ARTICLE_TRIPLES,
    SEED_DIR,
    SEED_ENTITY_TRIPLES,
    SEED_ONTOLOGY_TRIPLES,
    SEED_TRIPLES,
    build,
)

ARTICLE = "000_65e413c471938464"


def run_build(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dipkg", "--project", str(SEED_DIR), "build", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_build_prints_a_summary_and_lists_files_when_verbose(tmp_path: Path) -> None:
    out = tmp_path / "kg"
    result = CliRunner().invoke(main, ["--project", str(SEED_DIR), "build", "--out", str(out), "--verbose"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"built {out}/ from tests/data/seed-project/seeds/: 1 article(s), {SEED_TRIPLES} triples",
        "  1 article(s) mapped, 1 validated, 0 reused from the cache; "
        "4 file(s) written, 0 unchanged, 0 removed",
    ]
    assert result.stderr.splitlines() == [
        f"  written  ontology.ttl  ({SEED_ONTOLOGY_TRIPLES} triples)",
        f"  written  entities.ttl  ({SEED_ENTITY_TRIPLES} triples)",
        f"  written  articles/{ARTICLE}.ttl  ({SEED_ARTICLE_TRIPLES} triples)",
        "  written  void.ttl  (278 triples)",
    ]
    again = CliRunner().invoke(main, ["--project", str(SEED_DIR), "build", "--out", str(out)])
    assert again.exit_code == 0
    assert again.stdout.splitlines()[1:] == [
        "  0 article(s) mapped, 0 validated, 1 reused from the cache; "
        "0 file(s) written, 4 unchanged, 0 removed",
    ]
    assert again.stderr == ""
    quiet = CliRunner().invoke(main, ["--project", str(SEED_DIR), "build", "--out", str(out), "-q"])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")


def test_two_builds_in_separate_processes_give_identical_bytes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"kg{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "dipkg", "--project", str(SEED_DIR), "build", "--out", str(out)],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 4


def test_committed_kg_is_what_build_produces(tmp_path: Path) -> None:
    """kg/ must be rebuilt and committed whenever seeds/, the ontology or the shapes change."""
    built = tmp_path / "kg"
    build(REPOSITORY.seeds_dir, built, REPOSITORY.base_iri)
    produced = {p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()}
    kg = REPOSITORY.kg_dir
    committed = {p.relative_to(kg): p.read_bytes() for p in kg.rglob("*") if p.is_file()}
    assert sorted(committed) == sorted(produced)
    stale = [str(name) for name in produced if committed[name] != produced[name]]
    assert stale == [], f"kg/ is stale; run `dipkg build` and commit: {stale}"


def test_published_turtle_round_trips_to_the_mapped_graphs(built_kg: Path) -> None:
    vocabulary = vocabulary_of(load_ontology(SEED.ontology_file))
    mapped = map_corpus(load_corpus(SEED.seeds_dir, vocabulary), DEFAULT_BASE_IRI)
    entities = Graph().parse(built_kg / KG_ENTITIES_FILE, format="turtle")
    assert isomorphic(entities, mapped.entities)
    article = Graph().parse(built_kg / KG_ARTICLES_SUBDIR / f"{ARTICLE}.ttl", format="turtle")
    assert isomorphic(article, mapped.articles[ARTICLE][1])


def test_void_lists_one_named_graph_per_file(built_kg: Path) -> None:
    graphs = published_graphs(built_kg)
    assert [(g.name, g.path.relative_to(built_kg).as_posix(), g.triples) for g in graphs] == [
        (f"https://w3id.org/dipkg/graph/article/{ARTICLE}", f"articles/{ARTICLE}.ttl", SEED_ARTICLE_TRIPLES),
        ("https://w3id.org/dipkg/graph/entities", "entities.ttl", SEED_ENTITY_TRIPLES),
        ("https://w3id.org/dipkg/ontology", "ontology.ttl", SEED_ONTOLOGY_TRIPLES),
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
    ontology = Graph().parse(built_kg / KG_ONTOLOGY_FILE, format="turtle")
    assert len(store) == len(load_kg(built_kg)) + len(ontology)
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
    result = CliRunner().invoke(main, ["--help"], terminal_width=1000)
    assert result.exit_code == 0
    for code in (
        "0 success;",
        "1 the data does not conform",
        "2 usage error",
        "3 bad input",
        "4 the output",
        "5 a SPARQL endpoint",
        "70 internal error",
        "130 interrupted",
    ):
        assert code in result.output
    commands = ["init", "build", "validate", "queries", "query", "load", "export", "serve"]
    for command in commands:
        result = CliRunner().invoke(main, [command, "--help"], terminal_width=1000)
        assert result.exit_code == 0
        assert "Exit codes: 0 success;" in result.output, command
        assert "--quiet" in result.output and "--verbose" in result.output, command
        assert "Example: dipkg" in result.output, command
    build_help = CliRunner().invoke(main, ["build", "--help"], terminal_width=1000).output
    assert "1 the data does not conform" in build_help and "5 a SPARQL endpoint" not in build_help
    assert "5 a SPARQL endpoint" in CliRunner().invoke(main, ["load", "--help"]).output


def test_the_command_list_is_not_cut_short() -> None:
    result = CliRunner().invoke(main, ["--help"])
    listed = result.output.split("Commands:")[1].split("Exit codes")[0]
    assert "..." not in listed
    assert "Load the published KG into a triple store; a failed load changes" in listed


def test_an_interrupted_uncommitted_publication_is_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "kg"
    leftover = out / KG_STAGING_DIR / "0123456789abcdef" / KG_ARTICLES_SUBDIR / f"{ARTICLE}.ttl"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("half written", encoding="utf-8")
    unrelated = out / KG_ARTICLES_SUBDIR / ".notes.tmp"
    unrelated.parent.mkdir()
    unrelated.write_text("not ours", encoding="utf-8")
    assert run_build("--out", str(out)).returncode == 0
    assert not (out / KG_STAGING_DIR).exists()
    published = sorted(p.name for p in (out / KG_ARTICLES_SUBDIR).iterdir())
    assert published == [".notes.tmp", f"{ARTICLE}.ttl"]
