"""Validation reports as people and programs read them: text lines with CURIEs, SHACL results
JSON, or a SHACL validation report in Turtle. Rendering needs no validation engine."""

from __future__ import annotations

import json

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from dipkg.iris import Prefixes
from dipkg.validate import SEVERITIES
from dipkg.validate.results import ValidationReport


def summary(report: ValidationReport, fail_on: str) -> str:
    """One line: conformance at the threshold and counts by severity."""
    verdict = "conforms" if report.conforms(fail_on) else "does not conform"
    return (
        f"{verdict} (fail on {fail_on}): {report.count('Violation')} violation(s), "
        f"{report.count('Warning')} warning(s), {report.count('Info')} info"
    )


class Compactor:
    """Writes IRIs as CURIEs with a fixed prefix map (each term and path written once, then recalled)."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = Prefixes(prefixes)
        self.terms: dict[Node, str] = {}
        self.paths: dict[str, str] = {}

    def iri(self, value: str) -> str:
        return self.prefixes.shorten(value)

    def term(self, node: Node | None) -> str:
        if node is None:
            return "-"
        found = self.terms.get(node)
        if found is None:
            if isinstance(node, URIRef):
                found = self.iri(str(node))
            elif isinstance(node, BNode):
                found = "_:" + str(node)
            else:
                found = node.n3()
            self.terms[node] = found
        return found

    def path(self, path: str | None) -> str:
        if path is None:
            return "-"
        found = self.paths.get(path)
        if found is None:
            found = path
            for iri in sorted(set(_iris_in(path)), key=len, reverse=True):
                found = found.replace(f"<{iri}>", self.iri(iri))
            self.paths[path] = found
        return found


def _iris_in(text: str) -> list[str]:
    found = []
    start = text.find("<")
    while start != -1:
        end = text.find(">", start)
        found.append(text[start + 1 : end])
        start = text.find("<", end)
    return found


def format_text(report: ValidationReport, compactor: Compactor) -> str:
    """One line per result: severity, focus node, path, value, message."""
    lines = [
        f"{r.severity.upper():<9} {compactor.term(r.focus)}  path={compactor.path(r.path)}"
        f"  value={compactor.term(r.value)}  {r.message}"
        for r in report.results
    ]
    return "".join(line + "\n" for line in lines)


def format_json(report: ValidationReport, fail_on: str) -> str:
    """The report as JSON with full IRIs."""
    document = {
        "conforms": report.conforms(fail_on),
        "failOn": fail_on,
        "counts": {s.lower(): report.count(s) for s in SEVERITIES},
        "results": [
            {
                "severity": r.severity,
                "focusNode": _plain(r.focus),
                "path": r.path,
                "value": _plain(r.value),
                "message": r.message,
                "sourceShape": _plain(r.source_shape),
                "sourceConstraintComponent": str(r.component),
            }
            for r in report.results
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _plain(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return str(node)
    return node.n3()


def format_turtle(report: ValidationReport, fail_on: str) -> str:
    """The report as a SHACL validation report in Turtle, results in report order."""
    lines = [
        "@prefix sh: <http://www.w3.org/ns/shacl#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        "[] a sh:ValidationReport ;",
        f'    sh:conforms "{str(report.conforms(fail_on)).lower()}"^^xsd:boolean',
    ]
    for r in report.results:
        parts = [
            "a sh:ValidationResult",
            f"sh:resultSeverity sh:{r.severity}",
            f"sh:focusNode {r.focus.n3()}",
            f"sh:sourceConstraintComponent {r.component.n3()}",
            f"sh:resultMessage {Literal(r.message).n3()}",
        ]
        if isinstance(r.source_shape, URIRef):
            parts.append(f"sh:sourceShape {r.source_shape.n3()}")
        if r.path is not None and r.path.startswith("<") and r.path.endswith(">") and r.path.count("<") == 1:
            parts.append(f"sh:resultPath {r.path}")
        if r.value is not None and not isinstance(r.value, BNode):
            parts.append(f"sh:value {r.value.n3()}")
        lines[-1] += " ;"
        lines.append("    sh:result [ " + " ;\n        ".join(parts) + " ]")
    lines[-1] += " ."
    return "\n".join(lines) + "\n"
