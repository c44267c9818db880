"""The difference between a graph on a SPARQL endpoint and kg/, found by reading the graph.

Replacing a large graph whole is slow on servers that delete and copy a graph inside one
transaction (Oxigraph), where reading it is not. kg/'s files are read first, and the hash of each
of their triples kept (a set of integers). The graph is then read as N-Triples (Graph Store
Protocol GET) and parsed as it arrives, never held whole. A triple of the graph whose hash is one
of kg/'s is taken to be in kg/; any other is looked up in the query store, whose default graph is
the union of kg/ and which compares numbers, booleans and dates by value (a server that writes
"010"^^xsd:integer back as "10" still matches): the triples it lacks are to be deleted. When as
many of the graph's triples were matched as the store holds, nothing is to be inserted;
otherwise kg/'s files are read again for the triples whose hash was not seen. Two triples with
the same (64-bit) hash could only hide a delete or an insert, which the count the load checks
afterwards shows, unless a triple of kg/ was replaced in the graph by one with its hash.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from dipkg.errors import DipkgError, InputError
from dipkg.progress import Progress, tracked
from dipkg.rdfio import XSD_STRING
from dipkg.stores.remote import Endpoint, GraphChange, read_graph

# The media types of the answer that are read, and how.
DUMP_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
}
READING = "reading kg/"
STAGE = "comparing"
# How often, in triples read, the progress callback hears of the comparison.
PROGRESS_EVERY = 1 << 14
# An update statement is its N-Triples text and " .\n".
STATEMENT_END = 3
TOO_LARGE = "the difference from kg/ takes more than one update"


def compare(
    endpoint: Endpoint,
    graph: str,
    live: int,
    store: ox.Store,
    triples: int,
    files: Sequence[Path],
    limit: int,
    timeout: float,
    progress: Progress | None = None,
) -> GraphChange | str:
    """The change that makes `graph` (which counted `live` triples) hold the `triples` of `store`.

    `files` are kg/'s Turtle files, whose union is the store's default graph. The answer is a
    sentence saying why there is none when the graph cannot be read or parsed, holds blank
    nodes, does not hold the `live` triples it counted, or when the change would take more than
    `limit` bytes of N-Triples statements; the reading stops as soon as that is known.
    """
    # The hashes of kg/'s triples not seen in the graph (yet).
    unseen = {hash(quad) for path in tracked(files, len(files), READING, progress) for quad in _quads(path)}
    deletes: list[str] = []
    size = 0
    matched = seen = 0
    # The graph's triples found in the store by value only, by their hash.
    by_value: set[int] = set()
    try:
        with read_graph(endpoint, graph, timeout) as body:
            rdf_format = DUMP_FORMATS.get(body.content_type)
            if rdf_format is None:
                return f"the server sent the graph as {body.content_type or 'an unnamed media type'!r}"
            for quad in ox.parse(cast(IO[bytes], body), format=rdf_format):
                seen += 1
                if seen % PROGRESS_EVERY == 0:
                    if seen > live:
                        return f"the server sent more triples than the {live} it counted"
                    if progress is not None:
                        progress(STAGE, seen, live)
                key = hash(quad)
                try:
                    unseen.remove(key)
                except KeyError:
                    pass
                else:
                    matched += 1
                    continue
                if quad in store:
                    matched += 1
                    by_value.add(key)
                elif _has_blank_node(quad):
                    return "the graph holds blank nodes"
                else:
                    statement = str(quad.triple)
                    deletes.append(statement)
                    size += len(statement.encode("utf-8")) + STATEMENT_END
                    if size > limit:
                        return TOO_LARGE
    except SyntaxError as exc:
        return f"the graph as sent does not parse ({(str(exc) or 'syntax error').splitlines()[0]})"
    except DipkgError as exc:
        return f"the graph could not be read ({exc.message})"
    if seen != live:
        return f"the server sent {seen} triples, not the {live} it counted"
    if progress is not None:
        progress(STAGE, live, live)
    inserts: set[str] = set()
    if matched != triples:
        scratch = ox.Store()
        for path in files:
            for quad in _quads(path):
                if _has_blank_node(quad):
                    # Parsed again, it has other blank nodes: no hash of the first reading matches.
                    return "kg/ holds blank nodes"
                if hash(quad) not in unseen or hash(_stored_form(quad, scratch)) in by_value:
                    continue
                statement = str(quad.triple)
                if statement not in inserts:
                    inserts.add(statement)
                    size += len(statement.encode("utf-8")) + STATEMENT_END
                    if size > limit:
                        return TOO_LARGE
    return GraphChange(sorted(deletes), sorted(inserts))


def _quads(path: Path) -> Iterator[ox.Quad]:
    """The triples of one of kg/'s files (which the query store was made from), parsed as read."""
    try:
        yield from ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    except (SyntaxError, OSError) as exc:
        raise InputError(f"cannot read it again ({exc})", path) from exc


def _stored_form(quad: ox.Quad, scratch: ox.Store) -> ox.Quad:
    """The quad as Oxigraph gives it back: a number, boolean or date literal in its canonical form.

    The store compares such literals by value, so the graph's "10"^^xsd:integer was found in it
    for kg/'s "010"^^xsd:integer; its hash is that of the canonical form.
    """
    literal = quad.object
    if not isinstance(literal, ox.Literal) or literal.language or literal.datatype.value == XSD_STRING:
        return quad
    scratch.add(quad)
    stored: ox.Quad = next(iter(scratch))
    scratch.clear()
    return stored


def _has_blank_node(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)
