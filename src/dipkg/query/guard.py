"""What SPARQL from outside may do: read, never reach the network, never nest past what parsers survive.

Every SPARQL text dipkg did not write itself (a .rq file, a shapes file's SPARQL) passes here
before any engine sees it. Nesting is bounded first by a linear scan (Oxigraph's parser overflows
its stack on deep nesting, rdflib's recurses). The form of the text and any SERVICE clause are
decided from rdflib's parse tree, never from keywords in the text; the tree is only built when the
text could name SERVICE at all, so ordinary local queries cost a scan of their characters.
"""

from __future__ import annotations

import re
from typing import Any

MAX_NESTING = 64
# Brackets, and what may hold a bracket that is not one: strings, IRIs and comments (skipped whole).
_LEXEMES = re.compile(
    r"'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
    r"|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n]*|[(){}\[\]]",
    re.DOTALL,
)


def nesting_problem(text: str) -> str | None:
    """A refusal when brackets nest deeper than MAX_NESTING (strings, IRIs and comments skipped)."""
    depth = 0
    for match in _LEXEMES.finditer(text):
        lexeme = match.group()
        if lexeme in ("(", "{", "["):
            depth += 1
            if depth > MAX_NESTING:
                return f"the query's brackets nest deeper than {MAX_NESTING} levels"
        elif lexeme in (")", "}", "]"):
            depth = max(depth - 1, 0)
    return None


def may_name_service(text: str) -> bool:
    """False only when the text cannot hold the keyword SERVICE, even through \\u escapes."""
    lowered = text.lower()
    return "service" in lowered or "\\u" in lowered


def _parse(text: str) -> Any:
    from rdflib.plugins.sparql.parser import parseQuery

    return parseQuery(text)


def _is_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


UPDATE_REFUSED = "the query is a SPARQL update; dipkg only runs SELECT queries, which read"
SELECT_ONLY = "only SELECT queries are supported (ASK, CONSTRUCT and DESCRIBE are not)"
SERVICE_REFUSED = "the query uses SERVICE, which would fetch from other servers: SERVICE is refused"


def refusal(text: str, *, offline: bool = True, parse: bool = False, select_only: bool = False) -> str | None:
    """Why the query may not run here, or None: too deeply nested, not a read-only query, or
    (offline) a SERVICE clause anywhere in it, nested or in a subquery.

    Offline, a text that cannot name SERVICE is left to the engine, which refuses updates itself,
    unless `parse` asks for the form to be checked here too.
    """
    problem = nesting_problem(text)
    if problem is not None:
        return problem
    if offline and not parse and not select_only and not may_name_service(text):
        return None
    try:
        tree = _parse(text)
    except RecursionError:
        return "the query's brackets nest too deeply to parse"
    except Exception as exc:
        if _is_update(text):
            return UPDATE_REFUSED
        return f"invalid SPARQL: {_first_line(exc)}"
    if offline and uses_service(tree):
        return SERVICE_REFUSED
    if select_only and not _is_select(tree):
        return SELECT_ONLY
    return None


def _is_select(tree: Any) -> bool:
    """True when the parsed text is a SELECT query (the tree's second part is the query form)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    form = tree[1] if len(tree) > 1 else None
    return isinstance(form, CompValue) and form.name == "SelectQuery"


def syntax_refusal(text: str, engine_message: str) -> str:
    """The one line for a query an engine could not parse: an update, or the engine's message."""
    if _is_update(text):
        return UPDATE_REFUSED
    return f"invalid SPARQL: {engine_message}"


def uses_service(tree: Any) -> bool:
    """True when the parse tree holds a SERVICE graph pattern anywhere (walked without recursion)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            stack.extend(dict.values(node))
        elif isinstance(node, (ParseResults, list, tuple)):
            stack.extend(node)
    return False


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300]
