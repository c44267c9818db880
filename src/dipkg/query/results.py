"""SPARQL SELECT results in one neutral shape, and their formats: table, JSON, CSV, TSV."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass
from typing import Any, NamedTuple

from dipkg.iris import Prefixes

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_BOOLEAN = XSD + "boolean"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class Term(NamedTuple):
    """One RDF term of a result, as in the SPARQL 1.1 JSON results format."""

    type: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    def json(self) -> dict[str, str]:
        """The term as a SPARQL 1.1 JSON results binding."""
        out = {"type": self.type, "value": self.value}
        if self.lang:
            out["xml:lang"] = self.lang
        elif self.datatype:
            out["datatype"] = self.datatype
        return out

    def n3(self) -> str:
        """The term in N-Triples syntax (used by TSV)."""
        if self.type == "uri":
            return f"<{self.value}>"
        if self.type == "bnode":
            return f"_:{self.value}"
        escaped = (
            self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        )
        escaped = escaped.replace("\t", "\\t")
        if self.lang:
            return f'"{escaped}"@{self.lang}'
        if self.datatype:
            return f'"{escaped}"^^<{self.datatype}>'
        return f'"{escaped}"'


@dataclass(frozen=True)
class ResultTable:
    """The variables and rows of a SELECT query (None for an unbound variable)."""

    variables: list[str]
    rows: list[tuple[Term | None, ...]]


def normalise_literal(value: str, datatype: str | None, lang: str | None) -> Term:
    """A literal term with xsd:string and rdf:langString made implicit, as SPARQL JSON writes them."""
    if lang:
        return Term("literal", value, None, lang.lower())
    if datatype in (None, XSD_STRING, RDF_LANG_STRING):
        return Term("literal", value)
    return Term("literal", value, datatype)


def from_sparql_json(document: dict[str, Any]) -> ResultTable:
    """Parse a SPARQL 1.1 JSON results document."""
    variables = list(document["head"]["vars"])
    rows = []
    for binding in document["results"]["bindings"]:
        row: list[Term | None] = []
        for name in variables:
            value = binding.get(name)
            if value is None:
                row.append(None)
            elif value["type"] in ("literal", "typed-literal"):
                text, datatype = value["value"], value.get("datatype")
                if datatype == XSD_BOOLEAN and text in ("1", "0"):
                    # The same boolean in its canonical form: Virtuoso stores xsd:boolean as 1 and 0.
                    text = "true" if text == "1" else "false"
                row.append(normalise_literal(text, datatype, value.get("xml:lang")))
            else:
                row.append(Term(value["type"], value["value"]))
        rows.append(tuple(row))
    return ResultTable(variables, rows)


def to_json(table: ResultTable) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [
        {name: term.json() for name, term in zip(table.variables, row, strict=True) if term is not None}
        for row in table.rows
    ]
    document = {"head": {"vars": table.variables}, "results": {"bindings": bindings}}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_csv(table: ResultTable) -> str:
    """SPARQL 1.1 Query Results CSV: plain values, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.variables)
    for row in table.rows:
        writer.writerow(
            ["" if t is None else (f"_:{t.value}" if t.type == "bnode" else t.value) for t in row]
        )
    return buffer.getvalue()


def to_tsv(table: ResultTable) -> str:
    """SPARQL 1.1 Query Results TSV: terms in N-Triples syntax."""
    lines = ["\t".join("?" + v for v in table.variables)]
    lines += ["\t".join("" if t is None else t.n3() for t in row) for row in table.rows]
    return "\n".join(lines) + "\n"


def to_table(table: ResultTable, prefixes: dict[str, str]) -> str:
    """Aligned columns for people, with IRIs as CURIEs."""
    curies = Prefixes(prefixes)

    def show(term: Term | None) -> str:
        if term is None:
            return ""
        if term.type == "uri":
            return curies.shorten(term.value)
        if term.type == "bnode":
            return f"_:{term.value}"
        return " ".join(term.value.split())

    cells = [[show(t) for t in row] for row in table.rows]
    widths = [_width(v) for v in table.variables]
    for row in cells:
        widths = [max(w, _width(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(_pad(v, w) for v, w in zip(table.variables, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.append(f"({len(table.rows)} row{'s' if len(table.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
