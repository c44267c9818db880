"""The catalogue of canned SPARQL queries: self-describing .rq files and safe parameter binding."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from dipkg.errors import InputError, UsageError
from dipkg.iris import IRI_FORBIDDEN

PARAMETER = re.compile(r"[?$](_[A-Za-z][A-Za-z0-9_]*)")
PARAM_TYPES = ("iri", "date", "string", "integer")
VIOLATION_SUFFIX = "-violation"


@dataclass(frozen=True)
class Parameter:
    """A `?_name` variable of a query: its type, default and description."""

    name: str
    type: str = "string"
    description: str = ""
    default: str | None = None
    required: bool = False


@dataclass(frozen=True)
class CannedQuery:
    """One .rq file: its name, header and text."""

    name: str
    path: Path
    summary: str
    description: str
    text: str
    parameters: list[Parameter] = field(default_factory=list)

    @property
    def is_integrity_check(self) -> bool:
        """Queries named *-violation must return no rows on a valid graph."""
        return self.name.endswith(VIOLATION_SUFFIX)


def parse_header(text: str, path: Path) -> dict[str, Any]:
    """The `#+ ` decorator lines of a query, read as one YAML document."""
    lines = [
        line[3:] if line.startswith("#+ ") else "" for line in text.splitlines() if line.startswith("#+")
    ]
    try:
        header = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"query header is not valid YAML: {exc}".splitlines()[0], path) from exc
    if not isinstance(header, dict):
        raise InputError("query header must be '#+ key: value' lines (summary, description, params)", path, 1)
    params = header.get("params") or {}
    if not isinstance(params, dict) or not all(isinstance(v, dict | None) for v in params.values()):
        raise InputError("query header: params must map each ?_name to {type, description, required}", path)
    defaults = header.get("defaults") or []
    if not isinstance(defaults, list) or not all(isinstance(item, dict) for item in defaults):
        raise InputError("query header: defaults must be a list of {?_name: value} items", path)
    return header


def load_query(path: Path) -> CannedQuery:
    """Read one .rq file and its header."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read query ({exc})", path) from exc
    header = parse_header(text, path)
    defaults: dict[str, str] = {}
    for item in header.get("defaults", []) or []:
        defaults.update({str(k): str(v) for k, v in item.items()})
    declared = header.get("params", {}) or {}
    names = sorted(set(PARAMETER.findall(text)))
    parameters = []
    for name in names:
        spec = declared.get(name, {}) or {}
        kind = spec.get("type", "string")
        if kind not in PARAM_TYPES:
            raise InputError(f"parameter {name} has unknown type {kind!r}", path)
        parameters.append(
            Parameter(
                name, kind, str(spec.get("description", "")), defaults.get(name), bool(spec.get("required"))
            )
        )
    return CannedQuery(
        name=path.stem,
        path=path,
        summary=str(header.get("summary", "")).strip(),
        description=str(header.get("description", "")).strip(),
        text=text,
        parameters=parameters,
    )


def catalogue(query_files: list[Path]) -> list[CannedQuery]:
    """Every canned query of the given files, by name."""
    return sorted((load_query(p) for p in query_files), key=lambda q: q.name)


def find_query(name_or_path: str, query_files: list[Path]) -> CannedQuery:
    """A canned query by name, or any .rq file by path."""
    if name_or_path.endswith(".rq"):
        path = Path(name_or_path)
        if not path.is_file():
            raise InputError("query file not found", path)
        return load_query(path)
    by_name = {p.stem: p for p in query_files}
    if name_or_path not in by_name:
        known = ", ".join(sorted(by_name))
        raise UsageError(f"no canned query named {name_or_path!r}; known: {known}")
    return load_query(by_name[name_or_path])


@dataclass(frozen=True)
class BoundValue:
    """A parameter value checked against its type, as an RDF term."""

    kind: str
    value: str

    def term(self) -> ox.NamedNode | ox.Literal:
        """The value as an RDF term; Oxigraph refuses an IRI that is not valid."""
        if self.kind == "iri":
            return ox.NamedNode(self.value)
        datatype = {"date": XSD_DATE, "integer": XSD_INTEGER}.get(self.kind)
        return ox.Literal(self.value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(self.value)


XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def with_bindings(text: str, bound: dict[str, BoundValue]) -> str:
    """The query with its parameters bound by a one-row VALUES block of RDF terms.

    The block is placed first in the top-level group, so it binds the variables in the whole
    query as SPARQL 1.1 does for VALUES; each term is written by Oxigraph's own serialiser from
    a checked term object, so a value can only ever be one term, whatever characters it holds.
    """
    if not bound:
        return text
    blanked = "\n".join(
        " " * len(line) if line.lstrip().startswith("#") else line for line in text.split("\n")
    )
    match = _WHERE.search(blanked)
    if match is None:
        raise UsageError("a parameterised query needs a WHERE { ... } clause")
    names = sorted(bound)
    variables = " ".join("?" + n for n in names)
    terms = " ".join(str(bound[n].term()) for n in names)
    return text[: match.end()] + f"\n  VALUES ({variables}) {{ ({terms}) }}\n" + text[match.end() :]


def bind_parameters(
    query: CannedQuery, raw: dict[str, str], prefixes: dict[str, str]
) -> dict[str, BoundValue]:
    """Check every given value against its parameter's type; apply defaults; refuse the rest."""
    known = {p.name.lstrip("_"): p for p in query.parameters}
    bound: dict[str, BoundValue] = {}
    for key, value in raw.items():
        name = key.lstrip("_")
        if name not in known:
            names = ", ".join(sorted(known)) or "none"
            raise UsageError(f"query {query.name!r} has no parameter {key!r} (parameters: {names})")
        bound[known[name].name] = _typed(known[name], value, prefixes)
    for parameter in query.parameters:
        if parameter.name in bound:
            continue
        if parameter.default is not None:
            bound[parameter.name] = _typed(parameter, parameter.default, prefixes)
        elif parameter.required:
            raise UsageError(f"query {query.name!r} needs --param {parameter.name.lstrip('_')}=VALUE")
    return bound


def _typed(parameter: Parameter, value: str, prefixes: dict[str, str]) -> BoundValue:
    name = parameter.name.lstrip("_")
    if parameter.type == "iri":
        iri = expand_iri(name, value, prefixes)
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise UsageError(f"parameter {name}: {value!r} is not a valid IRI ({exc})") from exc
        return BoundValue("iri", iri)
    if parameter.type == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            raise UsageError(f"parameter {name}: {value!r} is not a date (YYYY-MM-DD)") from None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise UsageError(f"parameter {name}: {value!r} is not a date (YYYY-MM-DD)")
        return BoundValue("date", value)
    if parameter.type == "integer":
        if not re.fullmatch(r"-?\d{1,18}", value):
            raise UsageError(f"parameter {name}: {value!r} is not an integer")
        return BoundValue("integer", value)
    return BoundValue("string", value)


def expand_iri(name: str, value: str, prefixes: dict[str, str]) -> str:
    """An absolute http(s) IRI from an IRI or a CURIE with a known prefix; anything else is refused."""
    candidate = value
    prefix, _, local = value.partition(":")
    if prefix in prefixes and not value.startswith(("http://", "https://")):
        candidate = prefixes[prefix] + local
    if not candidate.startswith(("http://", "https://")) or IRI_FORBIDDEN.search(candidate):
        raise UsageError(
            f"parameter {name}: {value!r} is not an http(s) IRI or a CURIE with a known prefix "
            "(IRIs cannot contain spaces, quotes, <>, {{}}, |, ^, ` or \\)"
        )
    return candidate
