"""Validation results and reports: plain values, kept in the build cache and rendered by `dipkg validate`."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

from dipkg.validate import FAIL_ON, SEVERITIES


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with every term as an RDF term string (IRI, literal or path text)."""

    severity: str
    focus: Node
    path: str | None
    value: Node | None
    message: str
    source_shape: Node
    component: URIRef
    constraint: Node | None = None

    def sort_key(self) -> tuple[int, str, str, str, str]:
        """Severity first, then focus node, path and message, for reports that never reorder."""
        return (
            SEVERITIES.index(self.severity),
            str(self.focus),
            self.path or "",
            self.message,
            _n3(self.value),
        )


@dataclass(frozen=True)
class ValidationReport:
    """All results, sorted."""

    results: list[ValidationResult]

    def count(self, severity: str) -> int:
        """How many results have this severity."""
        return sum(1 for r in self.results if r.severity == severity)

    def conforms(self, fail_on: str = "violation") -> bool:
        """True when no result is at or above the threshold severity."""
        worst_allowed = FAIL_ON.index(fail_on)
        return not any(SEVERITIES.index(r.severity) <= worst_allowed for r in self.results)


def _n3(node: Node | None) -> str:
    return "" if node is None else node.n3()
