"""The RDF documents of a resource: Turtle, N-Triples and compacted JSON-LD, the same triples each.

A resource's description is every statement with the resource as subject or as object (the
symmetric concise bounded description: the data has no blank nodes), but for `rdf:type`: the
instances of a class are not part of the class's description. JSON-LD documents are
compacted with the site's @context (the published prefix map), carried in each document so that
it expands with no request; the same context is published as `context.jsonld`.
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox

from dipkg.build.turtle import TurtleWriter
from dipkg.iris import Prefixes

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def term_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """The IRI, blank node id or lexical form of a term (a quoted triple as N-Triples)."""
    return str(term) if isinstance(term, ox.Triple) else term.value


def parse_lines(lines: list[str]) -> list[ox.Triple]:
    """N-Triples lines as triples."""
    if not lines:
        return []
    data = ("\n".join(lines) + "\n").encode("utf-8")
    return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def description(triples: list[ox.Triple], resources: set[str]) -> list[ox.Triple]:
    """The statements with one of `resources` as subject or object, sorted as N-Triples lines."""
    kept = {
        str(t): t
        for t in triples
        if term_value(t.subject) in resources
        or (isinstance(t.object, ox.NamedNode) and term_value(t.object) in resources)
    }
    return [kept[key] for key in sorted(kept)]


def ntriples(triples: list[ox.Triple]) -> bytes:
    """Sorted N-Triples."""
    return "".join(f"{t} .\n" for t in sorted(str(t) for t in triples)).encode("utf-8")


def turtle(triples: list[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """Turtle with the fixed prefix map, sorted as `dipkg build` writes it."""
    writer = TurtleWriter(prefixes)
    objects: dict[str, dict[str, list[tuple[tuple[int, str, str, str], str]]]] = {}
    for t in triples:
        value = t.object
        if isinstance(value, ox.Literal):
            datatype = value.datatype.value
            key = (1, value.value, "" if value.language else datatype, value.language or "")
            written = writer.literal(value.value, datatype, value.language)
        else:
            key = (0, term_value(value), "", "")
            written = writer.iri(term_value(value))
        objects.setdefault(term_value(t.subject), {}).setdefault(t.predicate.value, []).append((key, written))
    described = {
        subject: {p: [text for _, text in sorted(set(values))] for p, values in predicates.items()}
        for subject, predicates in objects.items()
    }
    body = "\n\n".join(writer.blocks(described))
    return ("\n".join(writer.prefix_lines()) + "\n\n" + body + "\n").encode("utf-8")


def context(prefixes: dict[str, str]) -> dict[str, Any]:
    """The JSON-LD @context of every document: the prefix map."""
    return {"@context": dict(sorted(prefixes.items()))}


class JsonLdWriter:
    """Compacted JSON-LD: IRIs as CURIEs of the prefix map, one node object per subject."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = Prefixes(prefixes, lambda local: not local.startswith("//"))
        self.context = context(prefixes)["@context"]

    def iri(self, value: str) -> str:
        found = self.prefixes.split(value)
        return value if found is None else f"{found[0]}:{found[1]}"

    def value(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Any:
        if isinstance(term, ox.NamedNode):
            return {"@id": self.iri(term.value)}
        if isinstance(term, ox.Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if term.datatype.value == XSD_STRING:
                return term.value
            return {"@value": term.value, "@type": self.iri(term.datatype.value)}
        raise ValueError(f"unsupported term {term!r}")

    def nodes(self, triples: list[ox.Triple]) -> list[dict[str, Any]]:
        """One node object per subject, keys and values sorted."""
        by_subject: dict[str, dict[str, list[Any]]] = {}
        for t in triples:
            fields = by_subject.setdefault(term_value(t.subject), {})
            if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                fields.setdefault("@type", []).append(self.iri(term_value(t.object)))
            else:
                fields.setdefault(self.iri(t.predicate.value), []).append(self.value(t.object))
        nodes = []
        for subject in sorted(by_subject):
            fields = by_subject[subject]
            node: dict[str, Any] = {"@id": self.iri(subject)}
            for key in sorted(fields, key=lambda k: (k != "@type", k)):
                values = sorted(fields[key], key=_value_key)
                node[key] = values[0] if len(values) == 1 else values
            nodes.append(node)
        return nodes

    def document(self, triples: list[ox.Triple]) -> dict[str, Any]:
        return {"@context": self.context, "@graph": self.nodes(triples)}

    def dataset(self, graphs: dict[str, list[ox.Triple]]) -> dict[str, Any]:
        """Named graphs, each a node object holding its own @graph."""
        return {
            "@context": self.context,
            "@graph": [
                {"@id": self.iri(name), "@graph": self.nodes(graphs[name])} for name in sorted(graphs)
            ],
        }


def json_bytes(document: dict[str, Any], indent: int | None = 2) -> bytes:
    """JSON as published: UTF-8, in the order given (sorted by the writer), two-space indent or
    (indent None) on one line."""
    separators = (",", ":") if indent is None else None
    text = json.dumps(document, ensure_ascii=False, indent=indent, separators=separators)
    return (text + "\n").encode("utf-8")


def _value_key(value: Any) -> tuple[str, str, str]:
    """Sort key of a JSON-LD value: its IRI or lexical form, then datatype and language."""
    if isinstance(value, str):
        return (value, "", "")
    return (value.get("@id") or value.get("@value", ""), value.get("@type", ""), value.get("@language", ""))
