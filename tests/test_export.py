"""`dipkg export` and the dataset description in kg/void.ttl."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID

from dipkg.cli import main
from dipkg.dataset import read_dataset
from dipkg.layout import KG_DESCRIPTION_FILE
from tests.projects import (
    SEED,
    SEED_ARTICLE_TRIPLES,
    SEED_DIR,
    SEED_ENTITY_TRIPLES,
    SEED_ONTOLOGY_TRIPLES,
    build,
)

FORMATS = {
    "ttl": pyoxigraph.RdfFormat.TURTLE,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "nq": pyoxigraph.RdfFormat.N_QUADS,
    "trig": pyoxigraph.RdfFormat.TRIG,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
}


@pytest.fixture(scope="module")
def kg_quads(built_kg: Path) -> set[pyoxigraph.Quad]:
    return set(read_dataset(built_kg))


def run_export(kg: Path, *args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, ["--project", str(SEED_DIR), "export", "--kg", str(kg), *args])
    return result.exit_code, result.stdout_bytes, result.stderr


@pytest.fixture()
def export(built_kg: Path):  # type: ignore[no-untyped-def]
    def exported(*args: str) -> bytes:
        code, data, err = run_export(built_kg, *args)
        assert code == 0, err
        return data

    return exported


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_export_keeps_every_triple_and_is_deterministic(name: str, export, kg_quads) -> None:  # type: ignore[no-untyped-def]
    kg = kg_quads
    data = export("--format", name)
    assert data == export("--format", name)
    quads = set(pyoxigraph.parse(data, format=FORMATS[name]))
    if FORMATS[name].supports_datasets:
        assert quads == kg
    else:
        assert {q.triple for q in quads} == {q.triple for q in kg}


def test_export_to_file(tmp_path: Path, built_kg: Path, export, kg_quads) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "kg.nt"
    code, out, _ = run_export(built_kg, "-o", str(target))
    assert (code, out) == (0, b"")
    assert target.read_bytes() == export("--format", "nt"), "the format is guessed from the extension"
    assert len(target.read_text(encoding="utf-8").splitlines()) == len({q.triple for q in kg_quads})
    assert target.stat().st_mode & 0o777 == 0o644


def test_export_into_a_missing_folder_fails_and_creates_nothing(tmp_path: Path, built_kg: Path) -> None:
    target = tmp_path / "missing" / "kg.nt"
    code, out, err = run_export(built_kg, "-o", str(target))
    assert (code, out) == (4, b"")
    assert err == f"dipkg: error: {target.parent}: the output folder does not exist\n"
    assert not target.parent.exists()


def test_export_uses_the_prefixes_of_the_base_the_graph_was_built_with(tmp_path: Path) -> None:
    build(SEED.seeds_dir, tmp_path / "kg", "https://example.org/kg/")
    code, data, _ = run_export(tmp_path / "kg", "--format", "ttl")
    assert code == 0
    assert b"@prefix ent: <https://example.org/kg/entity/> ." in data
    assert b"w3id.org/dipkg/entity" not in data


def test_void_description_counts_what_is_published(built_kg: Path, kg_quads) -> None:  # type: ignore[no-untyped-def]
    kg = kg_quads
    void = Graph().parse(built_kg / KG_DESCRIPTION_FILE, format="turtle")
    dataset = URIRef("https://w3id.org/dipkg/dataset")
    assert void.value(dataset, VOID.triples) == Literal(len({q.triple for q in kg}))
    classes = {q.object for q in kg if q.predicate.value == str(RDF.type)}
    assert void.value(dataset, VOID.classes) == Literal(len(classes))
    partitions = {
        void.value(p, VOID["class"]): int(void.value(p, VOID.entities))  # type: ignore[arg-type]
        for p in void.objects(dataset, VOID.classPartition)
    }
    summons = URIRef("https://w3id.org/dipkg/ontology#Summons")
    assert partitions[summons] == 3
    subsets = {str(s): int(void.value(s, VOID.triples)) for s in void.objects(dataset, VOID.subset)}  # type: ignore[arg-type]
    assert subsets == {
        "https://w3id.org/dipkg/graph/entities": SEED_ENTITY_TRIPLES,
        "https://w3id.org/dipkg/graph/article/000_65e413c471938464": SEED_ARTICLE_TRIPLES,
        "https://w3id.org/dipkg/ontology": SEED_ONTOLOGY_TRIPLES,
    }
    dumps = {str(d) for d in void.objects(dataset, VOID.dataDump)}
    assert dumps == {
        "https://w3id.org/dipkg/kg/entities.ttl",
        "https://w3id.org/dipkg/kg/ontology.ttl",
        "https://w3id.org/dipkg/kg/articles/000_65e413c471938464.ttl",
    }
    graph_dumps = {str(s): str(void.value(s, VOID.dataDump)) for s in void.objects(dataset, VOID.subset)}
    assert graph_dumps == {
        "https://w3id.org/dipkg/graph/entities": "https://w3id.org/dipkg/kg/entities.ttl",
        "https://w3id.org/dipkg/ontology": "https://w3id.org/dipkg/kg/ontology.ttl",
        "https://w3id.org/dipkg/graph/article/000_65e413c471938464": (
            "https://w3id.org/dipkg/kg/articles/000_65e413c471938464.ttl"
        ),
    }
    queries = {
        str(q).rsplit("/", 1)[1] for q in void.objects(dataset, URIRef("http://purl.org/dc/terms/hasPart"))
    }
    assert queries == {p.name for p in SEED.query_files}


def test_an_output_extension_that_names_no_format_needs_format(tmp_path: Path, built_kg: Path) -> None:
    code, out, err = run_export(built_kg, "-o", str(tmp_path / "kg.json"))
    assert (code, out) == (2, b"")
    assert err == (
        "dipkg: error: Invalid value for -o: cannot tell the format from the extension '.json'; "
        "give --format (see `dipkg export --help`)\n"
    )
    assert not (tmp_path / "kg.json").exists()


def test_json_ld_export_is_compacted_with_the_prefix_context(export, kg_quads) -> None:  # type: ignore[no-untyped-def]
    import json

    from rdflib import Dataset

    document = json.loads(export("--format", "jsonld"))
    assert document["@context"]["ent"] == "https://w3id.org/dipkg/entity/"
    graphs = {graph["@id"]: graph["@graph"] for graph in document["@graph"]}
    entities = graphs["https://w3id.org/dipkg/graph/entities"]
    china = next(node for node in entities if node["@id"] == "ent:china")
    assert china["@type"] == "dip:Country"
    parsed = Dataset()
    parsed.parse(data=json.dumps(document), format="json-ld")
    assert sum(1 for _ in parsed.quads((None, None, None, None))) == len(kg_quads)
