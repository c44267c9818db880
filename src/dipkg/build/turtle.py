"""A deterministic Turtle writer: sorted statements and a fixed prefix map.

rdflib's serialisers order subjects by internal counts that vary between runs; this writer
sorts subjects, predicates (rdf:type first) and objects, and abbreviates IRIs only with the
prefixes it is given, printing only the prefixes it uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from dipkg.iris import IRI_FORBIDDEN, Prefixes

_LOCAL_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
INDENT = "    "
RDF_TYPE = str(RDF.type)
XSD_STRING = str(XSD.string)


class TurtleWriter:
    """Writes graphs with one fixed prefix map, recording which prefixes were used."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = Prefixes(prefixes, lambda local: _LOCAL_NAME.match(local) is not None)
        self.used: set[str] = set()
        self._written: dict[str, tuple[str, str | None]] = {}

    def term(self, node: Node) -> str:
        """One RDF term in Turtle syntax."""
        if isinstance(node, URIRef):
            return self.iri(str(node))
        if isinstance(node, Literal):
            datatype = None if node.datatype is None else str(node.datatype)
            return self.literal(str(node), datatype, node.language)
        if isinstance(node, BNode):
            raise ValueError("blank nodes are not published; mint an IRI instead")
        raise TypeError(f"unsupported RDF term {node!r}")

    def iri(self, value: str) -> str:
        """An IRI as a CURIE of the prefix map, or in angle brackets ('a' for rdf:type)."""
        known = self._written.get(value)
        if known is None:
            if IRI_FORBIDDEN.search(value):
                raise ValueError(f"invalid IRI {value!r}")
            found = None if value == RDF_TYPE else self.prefixes.split(value)
            if value == RDF_TYPE:
                known = ("a", None)
            elif found is None:
                known = (f"<{value}>", None)
            else:
                known = (f"{found[0]}:{found[1]}", found[0])
            self._written[value] = known
        if known[1] is not None:
            self.used.add(known[1])
        return known[0]

    def literal(self, text: str, datatype: str | None, language: str | None) -> str:
        """A literal in Turtle syntax (xsd:string left implicit)."""
        quoted = f'"{_NEEDS_ESCAPE.sub(_escape, text)}"'
        if language:
            return f"{quoted}@{language}"
        if datatype is not None and datatype != XSD_STRING:
            return f"{quoted}^^{self.iri(datatype)}"
        return quoted

    def statements(self, graph: Graph, indent: str = "") -> list[str]:
        """The graph's triples as sorted subject blocks, each ending with ' .'."""
        blocks: list[str] = []
        for subject in sorted(set(graph.subjects()), key=_sort_key):
            predicates = sorted(set(graph.predicates(subject)), key=_predicate_key)
            parts: list[str] = []
            for predicate in predicates:
                objects = sorted(set(graph.objects(subject, predicate)), key=_sort_key)
                rendered = f",\n{indent}{INDENT}{INDENT}".join(self.term(o) for o in objects)
                parts.append(f"{self.term(predicate)} {rendered}")
            body = f" ;\n{indent}{INDENT}".join(parts)
            blocks.append(f"{indent}{self.term(subject)} {body} .")
        return blocks

    def blocks(self, described: Mapping[str, Mapping[str, list[str]]]) -> list[str]:
        """Subject blocks of statements given as subject -> predicate -> objects, every IRI and
        object already written as Turtle (subjects and predicates as IRIs, sorted as `statements`)."""
        blocks: list[str] = []
        for subject in sorted(described):
            predicates = sorted(described[subject], key=lambda p: (p != RDF_TYPE, p))
            parts = [
                f"{self.iri(p)} " + f",\n{INDENT}{INDENT}".join(described[subject][p]) for p in predicates
            ]
            blocks.append(f"{self.iri(subject)} " + f" ;\n{INDENT}".join(parts) + " .")
        return blocks

    def prefix_lines(self) -> list[str]:
        """@prefix lines for the prefixes used so far, sorted by prefix."""
        names = dict(self.prefixes.ordered)
        return [f"@prefix {p}: <{names[p]}> ." for p in sorted(self.used)]


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char, f"\\u{ord(char):04X}")


def _sort_key(node: Node) -> tuple[int, str, str, str]:
    if isinstance(node, Literal):
        return (1, str(node), str(node.datatype or ""), node.language or "")
    return (0, str(node), "", "")


def _predicate_key(node: Node) -> tuple[int, str]:
    return (0 if node == RDF.type else 1, str(node))


def to_turtle(graph: Graph, prefixes: Mapping[str, str], header: str = "") -> str:
    """A graph as Turtle; the same triples always give the same text."""
    prefix_lines, body = turtle_parts(graph, prefixes)
    return header + "\n".join(prefix_lines) + "\n\n" + body


def turtle_parts(graph: Graph, prefixes: Mapping[str, str]) -> tuple[list[str], str]:
    """The @prefix lines a graph's Turtle needs, and its statements."""
    writer = TurtleWriter(prefixes)
    blocks = writer.statements(graph)
    return writer.prefix_lines(), "\n\n".join(blocks) + "\n"
