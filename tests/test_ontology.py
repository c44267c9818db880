"""The ontology: header metadata, a label and definition for every term, and the KG uses only its terms."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from dipkg.namespaces import CAMEO, DCTERMS, DIP, PLOVER, VANN
from dipkg.seeds.vocabulary import vocabulary_of

ONTOLOGY_IRI = URIRef("https://w3id.org/dipkg/ontology")


def test_header_metadata(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    for prop in (
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.license,
        DCTERMS.creator,
        DCTERMS.created,
        OWL.versionIRI,
        OWL.versionInfo,
        VANN.preferredNamespacePrefix,
        VANN.preferredNamespaceUri,
    ):
        assert ontology.value(ONTOLOGY_IRI, prop) is not None, prop
    assert str(ontology.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == str(DIP)


def dip_terms(ontology: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {
        s
        for kind in kinds
        for s in ontology.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(DIP))
    }


def test_every_term_has_label_definition_and_is_defined_by(ontology: Graph) -> None:
    terms = dip_terms(ontology)
    assert len(terms) > 60
    for term in terms:
        assert ontology.value(term, RDFS.label) is not None, term
        assert ontology.value(term, SKOS.definition) is not None, term
        assert ontology.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI, term


def test_kg_uses_only_defined_terms(kg: Graph, ontology: Graph) -> None:
    defined = dip_terms(ontology)
    used = {p for p in kg.predicates() if str(p).startswith(str(DIP))}
    used |= {o for o in kg.objects(None, RDF.type) if str(o).startswith(str(DIP))}
    assert used - defined == set()
    assert len(used) > 40


def test_every_event_class_carries_its_plover_category_and_cameo_code(ontology: Graph) -> None:
    vocabulary = vocabulary_of(ontology)
    categories = set()
    for name in vocabulary.event_types:
        for prop, scheme in ((DIP.ploverCategory, PLOVER), (DIP.cameoCode, CAMEO)):
            for concept in ontology.objects(DIP[name], prop):
                assert str(concept).startswith(str(scheme)), concept
                assert (concept, RDF.type, SKOS.Concept) in ontology, concept
                assert ontology.value(concept, SKOS.notation) is not None
        plover = ontology.value(DIP[name], DIP.ploverCategory)
        if plover is None:
            assert name in {"Event", "Statement", "Speech", "Dispute"}, f"{name} has no PLOVER category"
        else:
            categories.add(str(plover)[len(str(PLOVER)) :])
    assert categories == {
        "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
        "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
    }  # fmt: skip
    assert ontology.value(DIP.Expulsion, DIP.ploverCategory) == PLOVER.SANCTION
    assert ontology.value(DIP.Expulsion, DIP.cameoCode) == CAMEO["161"]
    assert ontology.value(DIP.Summons, DIP.ploverCategory) == PLOVER.PROTEST
    assert ontology.value(CAMEO["161"], SKOS.broader) == CAMEO["16"]


def run_ontology_check(*files: Path) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from dipkg.cli import main

    result = CliRunner().invoke(main, ["validate", "--ontology", *map(str, files)])
    return result.exit_code, result.stdout, result.stderr


def test_ontology_check_passes_on_the_published_kg() -> None:
    code, out, err = run_ontology_check()
    assert (code, out, err) == (0, "", "dipkg validate --ontology: ontology checks passed\n")


def test_ontology_check_reports_an_undefined_term(tmp_path: Path) -> None:
    data = tmp_path / "typo.ttl"
    data.write_text(
        "@prefix dip: <https://w3id.org/dipkg/ontology#> .\n"
        "<https://w3id.org/dipkg/post/p> dip:heldby <https://w3id.org/dipkg/entity/x> .\n",
        encoding="utf-8",
    )
    code, out, _ = run_ontology_check(data)
    assert code == 1
    assert out == (
        "data: https://w3id.org/dipkg/ontology#heldby is not defined by the ontology"
        " or a standard vocabulary\n"
    )


def test_ontology_check_reports_an_owl_clash(tmp_path: Path) -> None:
    data = tmp_path / "clash.ttl"
    data.write_text(
        "@prefix dip: <https://w3id.org/dipkg/ontology#> .\n"
        "<https://w3id.org/dipkg/claim/c> a dip:Claim, dip:Accusation .\n",
        encoding="utf-8",
    )
    code, out, _ = run_ontology_check(data)
    assert code == 1
    assert out.startswith("OWL 2 RL: ")
    assert "https://w3id.org/dipkg/claim/c" in out


def test_header_and_term_checks_find_gaps(ontology: Graph) -> None:
    from dipkg.validate.ontology_check import header_problems, term_problems, undefined_terms, used_in_shapes

    stripped = Graph()
    for s, p, o in ontology:
        if p not in (DCTERMS.license, SKOS.definition) or (s != DIP.Summons and p == SKOS.definition):
            stripped.add((s, p, o))
    assert header_problems(stripped) == ["header: missing dcterms:license"]
    assert term_problems(stripped) == [f"term {DIP.Summons}: missing skos:definition"]
    shapes = Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix org: <http://www.w3.org/ns/org#> .\n"
        "<urn:x:s> sh:path org:heldby ; sh:class org:Post .",
        format="turtle",
    )
    assert undefined_terms(ontology, used_in_shapes(shapes), "shapes") == [
        "shapes: http://www.w3.org/ns/org#heldby is not defined by the ontology or a standard vocabulary"
    ]
