"""Regenerate the negative fixtures of simple property constraints from every shapes/*.ttl file.

Run `python tests/data/shapes/generate_negative.py` after changing the shapes; it rewrites
negative/generated/ with one small fixture per (property shape, constraint): the focus node of
the shape's target class with a value that breaks exactly that constraint. Fixtures for SPARQL,
qualified, sh:not and node-level constraints are written by hand in negative/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD

HERE = Path(__file__).parent
SHAPES = sorted((HERE.parents[2] / "shapes").glob("*.ttl"))
OUT = HERE / "negative" / "generated"
HEADER = """@prefix dip: <https://w3id.org/dipkg/ontology#> .
@prefix ex: <http://example.org/fixture/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
"""
LANG_STRING = RDF.langString


def curie(iri: URIRef) -> str:
    for prefix, ns in (("dipsh", "https://w3id.org/dipkg/shapes#"), ("sh", str(SH))):
        if str(iri).startswith(ns):
            return f"{prefix}:{str(iri)[len(ns) :]}"
    return f"<{iri}>"


def value(datatype: URIRef | None, index: int) -> str:
    if datatype == XSD.date:
        return f'"2021-01-0{index}"^^xsd:date'
    if datatype == XSD.gYear:
        return f'"200{index}"^^xsd:gYear'
    if datatype == XSD.integer:
        return f'"{index}"^^xsd:integer'
    if datatype == LANG_STRING:
        return f'"value {index}"@en'
    if datatype is None:
        return f'"{index:064d}"'
    return f'"value {index}"'


def fixtures(shapes: Graph) -> dict[str, str]:
    found: dict[str, str] = {}
    for node_shape, prop_shape in shapes.subject_objects(SH.property):
        target = min(shapes.objects(node_shape, SH.targetClass))
        path = shapes.value(prop_shape, SH.path)
        alternatives = shapes.value(path, SH.alternativePath)
        if alternatives is not None:
            path = next(iter(Collection(shapes, alternatives)))
        datatype = shapes.value(prop_shape, SH.datatype)
        cls = shapes.value(prop_shape, SH["class"])
        focus = f"ex:focus a <{target}>"
        p = f"<{path}>"
        cases: dict[URIRef, tuple[str, str]] = {}
        if shapes.value(prop_shape, SH.minCount) is not None:
            cases[SH.MinCountConstraintComponent] = (f"{focus} .", "the focus node has no value")
        max_count = shapes.value(prop_shape, SH.maxCount)
        if max_count is not None:
            count = int(max_count) + 1
            if cls is not None:
                values = ", ".join(f"ex:value{i}" for i in range(1, count + 1))
                typed = "".join(f"ex:value{i} a <{cls}> .\n" for i in range(1, count + 1))
                body = f"{focus} ; {p} {values} .\n{typed}"
            else:
                body = f"{focus} ; {p} " + ", ".join(value(datatype, i) for i in range(1, count + 1)) + " ."
            cases[SH.MaxCountConstraintComponent] = (body, f"the focus node has {count} values")
        if datatype is not None:
            wrong = '"plain string"' if datatype == LANG_STRING else '"tagged"@en'
            cases[SH.DatatypeConstraintComponent] = (
                f"{focus} ; {p} {wrong} .",
                "the value has another datatype",
            )
        if cls is not None:
            cases[SH.ClassConstraintComponent] = (f"{focus} ; {p} ex:untyped .", "the value has no class")
        if shapes.value(prop_shape, SH.nodeKind) == SH.IRI:
            cases[SH.NodeKindConstraintComponent] = (
                f'{focus} ; {p} "not an IRI" .',
                "the value is a literal",
            )
        if shapes.value(prop_shape, SH.minInclusive) is not None:
            cases[SH.MinInclusiveConstraintComponent] = (
                f'{focus} ; {p} "-1"^^xsd:integer .',
                "the value is negative",
            )
        if shapes.value(prop_shape, SH.pattern) is not None:
            bad = "<http://example.org/not-wikidata>" if shapes.value(prop_shape, SH.nodeKind) else '"XYZ"'
            cases[SH.PatternConstraintComponent] = (f"{focus} ; {p} {bad} .", "the value does not match")
        for component, (body, why) in cases.items():
            name = f"{curie(prop_shape).split(':')[1]}__{curie(component).split(':')[1]}.ttl"
            found[name] = f"# expect: {curie(prop_shape)} {curie(component)}\n# {why}.\n{HEADER}\n{body}\n"
    return found


def main() -> None:
    shapes = Graph()
    for path in SHAPES:
        shapes.parse(path, format="turtle")
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    for name, text in sorted(fixtures(shapes).items()):
        (OUT / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
