"""The embedded SPARQL store: the published graph loaded into Oxigraph, queried with no network."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from dipkg import paths
from dipkg.errors import UsageError
from dipkg.rdfio import read_quads
from dipkg.results import ResultTable, Term, normalise_literal

# Strings, IRIs and comments are skipped so that only the keyword SERVICE itself is found.
_TOKENS = re.compile(
    r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n]*"
    r"|[?$][A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_\-.]*:[^\s{}()]*|\bSERVICE\b",
    re.DOTALL | re.IGNORECASE,
)


def uses_service(query: str) -> bool:
    """True when the query text holds a SERVICE clause, which would fetch from the network."""
    return any(match.group().upper() == "SERVICE" for match in _TOKENS.finditer(query))


def load_store(kg_dir: Path = paths.KG_DIR) -> ox.Store:
    """An in-memory store whose default graph is the merge of every graph of the published dataset.

    Merging (rather than querying the union of named graphs) counts a triple stated by several
    articles once, as a SPARQL server does for the single graph `dipkg load` writes.
    """
    store = ox.Store()
    store.bulk_extend(
        ox.Quad(q.subject, q.predicate, q.object)
        for q in read_quads(str(kg_dir / paths.KG_DATASET_FILE), "trig")
    )
    return store


def run_local(store: ox.Store, query: str) -> ResultTable:
    """Run a SELECT query over the merged graph; SERVICE is refused."""
    if uses_service(query):
        raise UsageError("local queries never use the network: SERVICE is not allowed (use --endpoint)")
    try:
        solutions = store.query(query)
    except SyntaxError as exc:
        raise UsageError(f"invalid SPARQL: {str(exc).splitlines()[0]}") from exc
    if not isinstance(solutions, ox.QuerySolutions):
        raise UsageError("only SELECT queries are supported")
    variables = [v.value for v in solutions.variables]
    rows = [tuple(map(_term, solution)) for solution in solutions]
    return ResultTable(variables, rows)


def _term(node: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Term | None:
    kind = type(node)
    if kind is ox.NamedNode:
        return Term("uri", node.value)  # type: ignore[union-attr]
    if node is None:
        return None
    if kind is ox.BlankNode:
        return Term("bnode", node.value)
    return normalise_literal(node.value, node.datatype.value, node.language)  # type: ignore[union-attr]
