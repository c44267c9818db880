"""Check the ontology: OWL 2 RL consistency with the data, header metadata, labels, and terms used."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    VANN,
    XSD,
    DefinedNamespace,
)

from dipkg.namespaces import DIP
from dipkg.rdfio import format_for, graph_of, read_quads

ONTOLOGY_IRI = URIRef("https://w3id.org/dipkg/ontology")
REQUIRED_HEADER = (
    DCTERMS.title,
    DCTERMS.description,
    DCTERMS.license,
    DCTERMS.creator,
    DCTERMS.created,
    OWL.versionIRI,
    OWL.versionInfo,
    VANN.preferredNamespacePrefix,
    VANN.preferredNamespaceUri,
)
TERM_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDFS.Class,
    RDF.Property,
)
STANDARD: tuple[type[DefinedNamespace], ...] = (
    RDF,
    RDFS,
    OWL,
    XSD,
    SH,
    SKOS,
    SDO,
    ORG,
    PROV,
    DCTERMS,
    VANN,
    DCAT,
)
ERROR_MESSAGE = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")
ERROR_TEXT = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")
PREFIXED_NAME = re.compile(r"\b([a-z][a-z0-9]*):([A-Za-z_][A-Za-z0-9_]*)")


def check_ontology(
    data_files: list[Path], vocabulary_files: list[Path], shapes_files: list[Path]
) -> list[str]:
    """Problems found, one line each; an empty list means every check passed."""
    ontology = graph_of([q for f in vocabulary_files for q in read_quads(str(f), "turtle")])
    names = [str(f) for f in data_files]
    data = graph_of([q for name in names for q in read_quads(name, format_for(name, None))])
    shapes = graph_of([q for f in shapes_files for q in read_quads(str(f), "turtle")])
    problems = header_problems(ontology) + term_problems(ontology)
    problems += undefined_terms(ontology, used_in_data(data), "data")
    problems += undefined_terms(ontology, used_in_shapes(shapes), "shapes")
    problems += consistency_problems(ontology, data)
    return problems


def header_problems(ontology: Graph) -> list[str]:
    """Missing header metadata on the owl:Ontology node."""
    if (ONTOLOGY_IRI, RDF.type, OWL.Ontology) not in ontology:
        return [f"header: {ONTOLOGY_IRI} is not declared an owl:Ontology"]
    return [
        f"header: missing {prop.n3(ontology.namespace_manager)}"
        for prop in REQUIRED_HEADER
        if ontology.value(ONTOLOGY_IRI, prop) is None
    ]


def dip_terms(ontology: Graph) -> set[URIRef]:
    """Classes and properties the ontology declares in its own namespace."""
    return {
        s
        for t in TERM_TYPES
        for s in ontology.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(str(DIP))
    }


def term_problems(ontology: Graph) -> list[str]:
    """dip: terms without a label, a definition or rdfs:isDefinedBy."""
    problems = []
    for term in sorted(dip_terms(ontology)):
        for prop, name in (
            (RDFS.label, "rdfs:label"),
            (SKOS.definition, "skos:definition"),
            (RDFS.isDefinedBy, "rdfs:isDefinedBy"),
        ):
            if ontology.value(term, prop) is None:
                problems.append(f"term {term}: missing {name}")
    return problems


def used_in_data(data: Graph) -> set[URIRef]:
    """Predicates and classes the data uses."""
    used = {p for p in data.predicates() if isinstance(p, URIRef)}
    used |= {o for o in data.objects(None, RDF.type) if isinstance(o, URIRef)}
    return used


def used_in_shapes(shapes: Graph) -> set[URIRef]:
    """Vocabulary terms the shapes constrain: paths, classes, targets and names in SPARQL."""
    used: set[URIRef] = set()
    for prop in (
        SH.path,
        SH.alternativePath,
        SH.inversePath,
        RDF.first,
        SH["class"],
        SH.targetClass,
        SH.targetSubjectsOf,
        SH.targetObjectsOf,
    ):
        used |= {o for o in shapes.objects(None, prop) if isinstance(o, URIRef)}
    declared = {
        str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
        for d in shapes.objects(None, SH.declare)
    }
    for query in shapes.objects(None, SH.select):
        for prefix, local in PREFIXED_NAME.findall(str(query)):
            if prefix in declared:
                used.add(URIRef(declared[prefix] + local))
    return {u for u in used if not str(u).startswith("https://w3id.org/dipkg/shapes#")}


def undefined_terms(ontology: Graph, used: set[URIRef], where: str) -> list[str]:
    """Terms used in `where` that neither the ontology nor a standard vocabulary defines."""
    declared = {s for t in (*TERM_TYPES, SKOS.Concept) for s in ontology.subjects(RDF.type, t)}
    problems = []
    for term in sorted(used):
        if term in declared or term == RDF.type:
            continue
        namespace = next((ns for ns in STANDARD if str(term).startswith(str(ns))), None)
        if namespace is not None and term in namespace:
            continue
        problems.append(f"{where}: {term} is not defined by the ontology or a standard vocabulary")
    return problems


def consistency_problems(ontology: Graph, data: Graph) -> list[str]:
    """Clashes found by the OWL 2 RL closure of ontology and data."""
    import owlrl

    closure = Graph()
    for triple in ontology:
        closure.add(triple)
    for triple in data:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    problems = [
        f"OWL 2 RL: {closure.value(m, ERROR_TEXT)}" for m in closure.subjects(RDF.type, ERROR_MESSAGE)
    ]
    problems += [
        f"OWL 2 RL: {s} is an instance of owl:Nothing" for s in closure.subjects(RDF.type, OWL.Nothing)
    ]
    return sorted(problems)
