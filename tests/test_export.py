"""`dipkg export` and the dataset description in kg/void.ttl."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID

from dipkg import paths
from dipkg.cli import main
from dipkg.dataset import read_dataset

KG_QUADS = set(read_dataset(paths.KG_DIR))
FORMATS = {
    "ttl": pyoxigraph.RdfFormat.TURTLE,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "nq": pyoxigraph.RdfFormat.N_QUADS,
    "trig": pyoxigraph.RdfFormat.TRIG,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
}


def export(*args: str) -> bytes:
    result = CliRunner().invoke(main, ["export", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_export_keeps_every_triple_and_is_deterministic(name: str) -> None:
    data = export("--format", name)
    assert data == export("--format", name)
    quads = set(pyoxigraph.parse(data, format=FORMATS[name]))
    if FORMATS[name].supports_datasets:
        assert quads == KG_QUADS
    else:
        assert {q.triple for q in quads} == {q.triple for q in KG_QUADS}


def test_export_to_file(tmp_path: Path) -> None:
    target = tmp_path / "kg.nt"
    result = CliRunner().invoke(main, ["export", "--format", "nt", "-o", str(target)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert target.read_bytes() == export("--format", "nt")
    assert len(target.read_text(encoding="utf-8").splitlines()) == len({q.triple for q in KG_QUADS})


def test_void_description_counts_what_is_published() -> None:
    void = Graph().parse(paths.KG_DIR / paths.KG_DESCRIPTION_FILE, format="turtle")
    dataset = URIRef("https://w3id.org/dipkg/dataset")
    assert void.value(dataset, VOID.triples) == Literal(len({q.triple for q in KG_QUADS}))
    classes = {q.object for q in KG_QUADS if q.predicate.value == str(RDF.type)}
    assert void.value(dataset, VOID.classes) == Literal(len(classes))
    partitions = {
        void.value(p, VOID["class"]): int(void.value(p, VOID.entities))  # type: ignore[arg-type]
        for p in void.objects(dataset, VOID.classPartition)
    }
    summons = URIRef("https://w3id.org/dipkg/ontology#Summons")
    assert partitions[summons] == 3
    subsets = {str(s): int(void.value(s, VOID.triples)) for s in void.objects(dataset, VOID.subset)}  # type: ignore[arg-type]
    assert subsets == {
        "https://w3id.org/dipkg/graph/entities": 184,
        "https://w3id.org/dipkg/graph/article/000_65e413c471938464": 1200,
    }
    dumps = {str(d) for d in void.objects(dataset, VOID.dataDump)}
    assert dumps == {
        "https://w3id.org/dipkg/kg/entities.ttl",
        "https://w3id.org/dipkg/kg/articles/000_65e413c471938464.ttl",
    }
    graph_dumps = {str(s): str(void.value(s, VOID.dataDump)) for s in void.objects(dataset, VOID.subset)}
    assert graph_dumps == {
        "https://w3id.org/dipkg/graph/entities": "https://w3id.org/dipkg/kg/entities.ttl",
        "https://w3id.org/dipkg/graph/article/000_65e413c471938464": (
            "https://w3id.org/dipkg/kg/articles/000_65e413c471938464.ttl"
        ),
    }
    queries = {
        str(q).rsplit("/", 1)[1] for q in void.objects(dataset, URIRef("http://purl.org/dc/terms/hasPart"))
    }
    assert queries == {p.name for p in paths.QUERIES_DIR.glob("*.rq")}
