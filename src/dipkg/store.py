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
    """An in-memory store holding every graph of the published dataset."""
    store = ox.Store()
    store.bulk_extend(read_quads(str(kg_dir / paths.KG_DATASET_FILE), "trig"))
    return store


def run_local(store: ox.Store, query: str) -> ResultTable:
    """Run a SELECT query over the union of all graphs; SERVICE is refused."""
    if uses_service(query):
        raise UsageError("local queries never use the network: SERVICE is not allowed (use --endpoint)")
    try:
        solutions = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise UsageError(f"invalid SPARQL: {str(exc).splitlines()[0]}") from exc
    if not isinstance(solutions, ox.QuerySolutions):
        raise UsageError("only SELECT queries are supported")
    variables = [v.value for v in solutions.variables]
    rows = [tuple(_term(solution[v]) for v in variables) for solution in solutions]
    return ResultTable(variables, rows)


def _term(node: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Term | None:
    if node is None:
        return None
    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    return normalise_literal(node.value, node.datatype.value, node.language)
