"""Read RDF strictly: Oxigraph's conformant parsers, no network, one-line errors."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from dipkg.errors import InputError, UsageError

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
EXTENSIONS = {
    ".ttl": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".json": "jsonld",
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
MAX_INPUT_BYTES = 512 * 1024 * 1024

# rdflib logs each ill-typed literal ("abc"^^xsd:integer) with a traceback; the validation report
# already names them, so its log stays off stderr.
logging.getLogger("rdflib.term").addHandler(logging.NullHandler())
logging.getLogger("rdflib.term").propagate = False


def format_for(name: str, explicit: str | None) -> str:
    """The RDF format of an input: the explicit one, else guessed from the file extension."""
    if explicit is not None:
        return explicit
    if name == "-":
        return "turtle"
    suffix = Path(name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise UsageError(
            f"cannot tell the RDF format from the extension {suffix!r}; use --input-format", name
        )
    return EXTENSIONS[suffix]


def read_quads(name: str, rdf_format: str) -> list[ox.Quad]:
    """Parse one file (or `-` for standard input) strictly; every graph of a dataset is kept."""
    data = _read_input(name)
    base_iri = None if name == "-" else Path(name).resolve().as_uri()
    return parse_quads(data, rdf_format, "<stdin>" if name == "-" else name, base_iri)


def parse_quads(data: bytes, rdf_format: str, name: str, base_iri: str | None = None) -> list[ox.Quad]:
    """Parse bytes strictly; syntax errors become one-line InputErrors naming `name` and the line."""
    rdf = FORMATS[rdf_format]
    return list(_checked(lambda: ox.parse(data, format=rdf, base_iri=base_iri), rdf_format, name))


def _checked(parse: Callable[[], Iterator[ox.Quad]], rdf_format: str, name: str) -> Iterator[ox.Quad]:
    try:
        yield from parse()
    except SyntaxError as exc:
        message = str(exc).splitlines()[0] if str(exc) else "syntax error"
        line = getattr(exc, "lineno", None)
        raise InputError(f"invalid {rdf_format}: {message}", name, line) from exc
    except ValueError as exc:
        raise InputError(f"invalid {rdf_format}: {exc}", name) from exc
    except (MemoryError, OSError) as exc:
        # A term over the parser's buffer (16 MiB): MemoryError in pyoxigraph 0.5, OSError in 0.4.
        problem = f"invalid {rdf_format}: a term is larger than the parser accepts ({exc})"
        raise InputError(problem, name) from exc


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    path = Path(name)
    if not path.exists():
        raise InputError("file not found", path)
    if not path.is_file():
        raise InputError("not a file", path)
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise InputError(f"file larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB", path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", path) from exc


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """An Oxigraph term as the equivalent rdflib term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise InputError(f"unsupported RDF term {term!r}")


def graph_of(quads: list[ox.Quad]) -> Graph:
    """The union of all graphs in `quads` as one rdflib graph."""
    from rdflib import Graph

    graph = Graph(bind_namespaces="none")
    for quad in quads:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))  # type: ignore[arg-type]
    return graph


def store_of(quads: list[ox.Quad]) -> ox.Store:
    """The union of all graphs in `quads` loaded into the default graph of an in-memory Oxigraph store."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return store
