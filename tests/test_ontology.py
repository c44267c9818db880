"""The ontology: header metadata, a label and definition for every term, and the KG uses only its terms."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from dipkg.namespaces import CAMEO, DCTERMS, DIP, PLOVER, VANN
from dipkg.vocabulary import vocabulary_of

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


def test_event_classes_match_code_list_concepts(ontology: Graph) -> None:
    vocabulary = vocabulary_of(ontology)
    matched = 0
    for name in vocabulary.event_types:
        for prop in (SKOS.closeMatch, SKOS.broadMatch):
            for concept in ontology.objects(DIP[name], prop):
                assert str(concept).startswith((str(CAMEO), str(PLOVER))), concept
                assert (concept, RDF.type, SKOS.Concept) in ontology, concept
                assert ontology.value(concept, SKOS.notation) is not None
                matched += 1
    assert matched >= 15
    assert {
        "Summons",
        "Sanction",
        "CounterSanction",
        "ArmsEmbargo",
        "SanctionPackage",
        "Speech",
        "Consultation",
        "Accusation",
        "Appeal",
        "Demand",
    } <= vocabulary.event_types
