"""The shapes: every constraint proven to fire by a fixture, SHACL-SHACL clean, and dipkg's engine
giving exactly pyshacl's results."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from dipkg.dataset import read_dataset
from dipkg.namespaces import DIP
from dipkg.rdfio import graph_of, read_quads
from dipkg.validate.results import ValidationResult
from dipkg.validate.validation import _read_results, load_shapes, read_ontology, validate
from tests.conftest import DATA_DIR
from tests.projects import SEED

FIXTURES = DATA_DIR / "shapes"
NEGATIVE = sorted((FIXTURES / "negative").rglob("*.ttl"))
PREFIXES = {"dipsh": "https://w3id.org/dipkg/shapes#", "sh": str(SH)}
PARAMETERS = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
}


def expand(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def expectation(path: Path) -> tuple[URIRef, ...]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path} must start with '# expect: SHAPE COMPONENT [CONSTRAINT]'"
    return tuple(expand(c) for c in first.removeprefix("# expect: ").split())


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(SEED.shapes_files)


@pytest.fixture(scope="module")
def ontology_quads() -> list:  # type: ignore[type-arg]
    return read_ontology(SEED.vocabulary_files)


def constraints_in(shapes: Graph) -> set[tuple[URIRef, ...]]:
    """Every (shape, component[, constraint]) that the shapes declare."""
    found: set[tuple[URIRef, ...]] = set()
    for parameter, component in PARAMETERS.items():
        for shape in shapes.subjects(parameter, None):
            if isinstance(shape, URIRef):
                found.add((shape, component))
    for shape, constraint in shapes.subject_objects(SH.sparql):
        found.add((shape, SH.SPARQLConstraintComponent, constraint))  # type: ignore[arg-type]
    return found


@pytest.mark.parametrize("fixture", NEGATIVE, ids=lambda p: p.stem)
def test_negative_fixture_fires_its_constraint(fixture: Path, shapes: Graph, ontology_quads: list) -> None:  # type: ignore[type-arg]
    expected = expectation(fixture)
    report = validate(read_quads(str(fixture), "turtle"), shapes, ontology_quads)
    fired = {(r.source_shape, r.component, r.constraint)[: len(expected)] for r in report.results}
    assert expected in fired, f"{fixture.name} did not fire {expected}; got {sorted(fired)}"


def test_every_constraint_has_a_negative_fixture(shapes: Graph) -> None:
    covered = {expectation(f) for f in NEGATIVE}
    missing = constraints_in(shapes) - covered
    assert not missing, f"constraints without a negative fixture: {sorted(missing)}"
    assert len(constraints_in(shapes)) >= 130


def test_generated_fixtures_are_up_to_date(tmp_path: Path) -> None:
    """negative/generated/ must be what generate_negative.py writes from the current shapes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate_negative", FIXTURES / "generate_negative.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.fixtures(load_shapes(SEED.shapes_files))
    generated = FIXTURES / "negative" / "generated"
    actual = {p.name: p.read_text(encoding="utf-8") for p in generated.glob("*.ttl")}
    assert actual == expected, "run: python tests/data/shapes/generate_negative.py"


def test_positive_fixture_has_no_result(shapes: Graph, ontology_quads: list) -> None:  # type: ignore[type-arg]
    fixture = FIXTURES / "positive" / "minimal.ttl"
    report = validate(read_quads(str(fixture), "turtle"), shapes, ontology_quads)
    assert report.results == []


def test_published_kg_conforms_with_only_info(shapes: Graph, ontology_quads: list, built_kg: Path) -> None:  # type: ignore[type-arg]
    report = validate(read_dataset(built_kg), shapes, ontology_quads)
    assert report.conforms("warning")
    assert {r.severity for r in report.results} == {"Info"}
    assert report.count("Info") == 7


def test_shapes_use_only_shacl_terms_that_exist(shapes: Graph) -> None:
    """A misspelt term such as sh:minCont would be ignored in silence by a SHACL engine."""
    used = {p for p in shapes.predicates() if str(p).startswith(str(SH))}
    used |= {o for o in shapes.objects() if isinstance(o, URIRef) and str(o).startswith(str(SH))}
    unknown = {term for term in used if term not in SH}
    assert unknown == set()


def test_shapes_conform_to_shacl_shacl(shapes: Graph) -> None:
    conforms, _, _ = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True, advanced=True)
    assert conforms


def test_shacl_shacl_catches_a_broken_shape(shapes: Graph) -> None:
    broken = shapes + Graph().parse(
        data='@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:x:s> a sh:NodeShape ; sh:minCount "one" .',
        format="turtle",
    )
    with pytest.raises(Exception, match=r"(?i)shacl"):
        pyshacl.validate(Graph(), shacl_graph=broken, meta_shacl=True, advanced=True)


def reference_results(data: Graph, shapes: Graph, ontology: Graph) -> set[ValidationResult]:
    _, results_graph, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
        do_owl_imports=False,
    )
    return set(_read_results(results_graph))


@pytest.mark.parametrize(
    "fixture",
    [None, *(f for f in NEGATIVE if "generated" not in f.parts)],
    ids=lambda p: "kg" if p is None else p.stem,
)
def test_engine_gives_exactly_pyshacls_results(
    fixture: Path | None,
    shapes: Graph,
    ontology_quads: list,  # type: ignore[type-arg]
    request: pytest.FixtureRequest,
) -> None:
    quads = (
        read_dataset(request.getfixturevalue("built_kg"))
        if fixture is None
        else read_quads(str(fixture), "turtle")
    )
    ours = set(validate(quads, shapes, ontology_quads).results)
    reference = reference_results(graph_of(quads), shapes, graph_of(ontology_quads))
    assert ours == reference


def test_every_constraint_has_a_message_and_a_chosen_severity(shapes: Graph) -> None:
    for shape, _component, *constraint in constraints_in(shapes):
        holder = constraint[0] if constraint else shape
        assert shapes.value(holder, SH.message) is not None, f"{holder} has no sh:message"
        assert shapes.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), (
            f"{shape} has no sh:severity"
        )
    severities = {shapes.value(s, SH.severity) for s, *_ in constraints_in(shapes)}
    assert severities == {SH.Violation, SH.Warning, SH.Info}


def test_every_plover_category_has_a_class_with_a_negative_fixture_for_its_roles(ontology: Graph) -> None:
    """For each PLOVER category, a role shape of one of its classes is proven to fire."""
    role_fixtures = [f for f in NEGATIVE if "-role__" in f.stem]
    covered = set()
    for fixture in role_fixtures:
        shape = expectation(fixture)[0]
        cls = DIP[str(shape).rsplit("#", 1)[1].split("-", 1)[0]]
        category = ontology.value(cls, DIP.ploverCategory)
        assert category is not None, f"{fixture.name}: {cls} has no PLOVER category"
        covered.add(str(category).rsplit("/", 1)[1])
    assert len(covered) == 16, sorted(covered)


@pytest.mark.parametrize("post", ["ChargeDAffairesPost", "EnvoyPost", "ConsulPost", "DiplomatPost"])
def test_a_summons_of_any_diplomatic_post_holder_conforms(
    post: str,
    shapes: Graph,
    ontology_quads: list,  # type: ignore[type-arg]
    tmp_path: Path,
) -> None:
    text = (FIXTURES / "positive" / "minimal.ttl").read_text(encoding="utf-8")
    assert "post:envoy-post a dip:AmbassadorPost" in text
    fixture = tmp_path / "summons.ttl"
    fixture.write_text(text.replace("post:envoy-post a dip:AmbassadorPost", f"post:envoy-post a dip:{post}"))
    assert validate(read_quads(str(fixture), "turtle"), shapes, ontology_quads).results == []
