"""SPARQL endpoints: read-only queries, and atomic, idempotent loads of the graph."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.error
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

from dipkg.errors import DipkgError, UsageError
from dipkg.query.guard import refusal
from dipkg.query.results import ResultTable, from_sparql_json
from dipkg.stores.credentials import Credentials
from dipkg.stores.http import (
    Body,
    Download,
    EndpointError,
    EndpointUnreachable,
    check_timeout,
    check_url,
    download,
    request,
    shown,
)

__all__ = ["EndpointError", "EndpointUnreachable", "check_url", "shown"]

DEFAULT_TIMEOUT = 30.0
RETRIES = 2
UPLOAD_STREAMS = 2
# The largest update request dipkg sends: Oxigraph's server refuses SPARQL bodies over 1 MiB.
UPDATE_LIMIT = 1 << 20
# After an update whose answer never came, how long to watch for the server to finish it.
SETTLE_SECONDS = 10.0
SETTLE_INTERVAL = 0.25
T = TypeVar("T")
# Queries are POSTed as a form, which every SPARQL server reads (Virtuoso 7.2 never answers a
# POSTed application/sparql-query body).
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Endpoint:
    """The URLs of one SPARQL service: query, update and Graph Store Protocol."""

    query: str
    update: str | None = None
    store: str | None = None
    bulk_parameter: str | None = None
    credentials: Credentials | None = field(default=None, compare=False)

    @classmethod
    def from_options(
        cls,
        endpoint: str,
        update: str | None = None,
        store: str | None = None,
        credentials: Credentials | None = None,
    ) -> Endpoint:
        """For a bare http://host:port (an Oxigraph server) /query, /update and /store are derived.

        Uploads to a derived Oxigraph /store skip the per-request transaction (`no_transaction`),
        Oxigraph's bulk path; the load stays atomic since the upload goes to a staging graph.
        The credentials, if any, go with requests to each of the three URLs.
        """
        for url in (endpoint, update, store):
            if url is not None:
                check_url(url)
        parsed = urllib.parse.urlsplit(endpoint)
        if parsed.path in ("", "/"):
            root = endpoint.rstrip("/")
            bulk = "no_transaction" if store is None else None
            return cls(
                root + "/query", update or root + "/update", store or root + "/store", bulk, credentials
            )
        return cls(endpoint, update, store, credentials=credentials)


def run_remote(
    endpoint: Endpoint, query: str, timeout: float = DEFAULT_TIMEOUT, default_graph: str | None = None
) -> ResultTable:
    """Run a read-only query on the endpoint; an update or an invalid query never leaves this machine.

    The text is parsed here first; it is sent as a query operation (SPARQL 1.1 Protocol, POSTed
    as a form: `query=`), never as an update, and `timeout` bounds the whole answer.
    """
    problem = refusal(query, offline=False, select_only=True)
    if problem is not None:
        raise UsageError(problem)
    return select(endpoint, query, timeout, default_graph)


def select(
    endpoint: Endpoint, query: str, timeout: float = DEFAULT_TIMEOUT, default_graph: str | None = None
) -> ResultTable:
    """Send a query dipkg wrote itself and read its SPARQL JSON results."""
    check_timeout(timeout)
    fields = {"query": query}
    if default_graph is not None:
        fields["default-graph-uri"] = default_graph
    headers = {"Accept": "application/sparql-results+json", "Content-Type": FORM}
    body = request(
        "POST",
        endpoint.query,
        urllib.parse.urlencode(fields).encode("ascii"),
        headers,
        timeout,
        whole=True,
        credentials=endpoint.credentials,
        right="query the endpoint",
    )
    try:
        return from_sparql_json(json.loads(body))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise EndpointError(
            "the endpoint did not answer with SPARQL JSON results", shown(endpoint.query)
        ) from exc


@dataclass(frozen=True)
class Payload:
    """An upload's body: RDF in one media type, read from memory or streamed from files."""

    media_type: str
    length: int
    parts: Callable[[], Iterable[bytes]]
    files: tuple[Path, ...] = ()

    @classmethod
    def of_bytes(cls, data: bytes, media_type: str) -> Payload:
        """A body held in memory."""
        return cls(media_type, len(data), lambda: (data,))

    @classmethod
    def of_turtle_files(cls, files: list[Path]) -> Payload:
        """Turtle files sent one after another as one Turtle document, never held in memory at once.

        The files dipkg publishes bind prefixes from one prefix map and hold no blank nodes, so
        their concatenation parses to the union of their triples.
        """
        sizes = [path.stat().st_size for path in files]
        return cls("text/turtle", sum(sizes) + len(files), partial(_read_all, files), tuple(files))

    def split(self, count: int) -> list[Payload]:
        """The body as up to `count` bodies with the files dealt out in turn (unsplit if in memory)."""
        if len(self.files) < 2 or count < 2:
            return [self]
        return [
            Payload.of_turtle_files(list(self.files[i::count])) for i in range(min(count, len(self.files)))
        ]


def _read_all(files: list[Path]) -> Iterator[bytes]:
    for path in files:
        with path.open("rb") as stream:
            while block := stream.read(1 << 20):
                yield block
        yield b"\n"


def http(
    method: str,
    url: str,
    body: bytes | Payload | None,
    content_type: str | None,
    timeout: float,
    credentials: Credentials | None = None,
) -> bytes:
    """One request of a load (an update or an upload); see `dipkg.stores.http.request`."""
    headers = {"Accept": "application/sparql-results+json, */*;q=0.1"}
    data: Body
    if isinstance(body, Payload):
        headers["Content-Length"] = str(body.length)
        content_type, data = body.media_type, body.parts
    else:
        data = body
    if content_type is not None:
        headers["Content-Type"] = content_type
    return request(method, url, data, headers, timeout, credentials=credentials, right="update the graph")


def _retrying(action: str, attempt: Callable[[], T]) -> T:
    """Run an idempotent request, trying again when the connection failed."""
    for remaining in range(RETRIES, -1, -1):
        try:
            return attempt()
        except EndpointUnreachable as exc:
            if remaining == 0:
                raise EndpointUnreachable(f"{action}: {exc.message}", exc.path) from exc
    raise AssertionError("unreachable")


def update(endpoint: Endpoint, text: str, timeout: float) -> None:
    """Send a SPARQL 1.1 Update request (POSTed directly, as application/sparql-update)."""
    assert endpoint.update is not None
    http(
        "POST",
        endpoint.update,
        text.encode("utf-8"),
        "application/sparql-update",
        timeout,
        endpoint.credentials,
    )


@dataclass(frozen=True)
class GraphChange:
    """What turns the graph into the wanted one, as N-Triples statements."""

    deletes: list[str]
    inserts: list[str]

    @property
    def removed_and_added(self) -> tuple[int, int]:
        """How many triples the change removes and adds."""
        return len(self.deletes), len(self.inserts)


def change_update(graph: str, deletes: list[str], inserts: list[str]) -> str:
    """One update request that removes and adds N-Triples statements in `graph` ("" if none)."""
    operations = [
        f"{operation} DATA {{ GRAPH <{graph}> {{\n" + "".join(f"{s} .\n" for s in statements) + "} }"
        for operation, statements in (("DELETE", deletes), ("INSERT", inserts))
        if statements
    ]
    return " ;\n".join(operations)


def change_probe(graph: str, deletes: list[str], inserts: list[str]) -> str:
    """A query counting 1 once the change `change_update` makes is in the graph (judged by one of each)."""
    patterns = [f"GRAPH <{graph}> {{ {inserts[0]} }}"] if inserts else []
    if deletes:
        patterns.append(f"FILTER NOT EXISTS {{ GRAPH <{graph}> {{ {deletes[0]} }} }}")
    return "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(patterns) + " }"


def count_triples(endpoint: Endpoint, graph: str, timeout: float) -> int:
    """How many triples the named graph holds on the endpoint."""
    table = select(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", timeout)
    cell = table.rows[0][0] if table.rows else None
    return int(cell.value) if cell is not None else 0


def graph_size(endpoint: Endpoint, graph: str, timeout: float) -> int:
    """`count_triples`, tried again when the connection failed (counting is safe to repeat)."""
    return _retrying("counting the graph", lambda: count_triples(endpoint, graph, timeout))


def read_graph(endpoint: Endpoint, graph: str, timeout: float) -> Download:
    """The graph's triples as the server sends them (Graph Store Protocol GET), to be read as a stream.

    N-Triples is asked for; `Download.content_type` says what came.
    """
    require_loading_urls(endpoint)
    assert endpoint.store is not None
    url = endpoint.store + ("&" if "?" in endpoint.store else "?") + urllib.parse.urlencode({"graph": graph})
    headers = {"Accept": "application/n-triples"}
    return download(url, headers, timeout, endpoint.credentials, right="read the graph")


class WrongCount(EndpointError):
    """After a load, the graph does not hold the number of triples kg/ has."""


@dataclass(frozen=True)
class LoadReport:
    """What a load wrote.

    `removed_and_added` is set when only a change was sent: the change since the last load, or
    (`compared`) the difference found by comparing the graph with kg/. `whole_because` says why
    a comparison was tried and the graph replaced whole instead.
    """

    graph: str
    triples: int
    endpoint: str
    removed_and_added: tuple[int, int] | None = None
    compared: bool = False
    whole_because: str | None = None


def staging_graph(graph: str) -> str:
    """The graph a load writes first, before it replaces the live graph in one update."""
    return graph + ("&" if "?" in graph else "?") + "dipkg-staging"


def load_graph(
    endpoint: Endpoint,
    graph: str,
    payload: Payload,
    triples: int,
    timeout: float,
    staged: bool = True,
    before: int | None = None,
) -> LoadReport:
    """Replace `graph` on the endpoint with the given triples.

    Staged (the default), a failure at any step leaves the graph as it was. A graph that holds
    triples is replaced atomically: the data goes into a staging graph (Graph Store Protocol),
    its triple count is checked, then one update moves it over the live graph. An empty or
    absent graph has nothing to protect: the data goes straight into it, and the graph is
    dropped again if the upload fails, its count is wrong or the load is interrupted (Ctrl-C).
    Unstaged, the data is PUT straight over the live graph whatever it holds: fast, but a
    failed load leaves a partly loaded graph. Either way, readers may see a partly loaded graph
    while it is being filled, and running the load again converges. When the answer to the
    swap does not come, the server may still be carrying it out: the live and staging graphs
    are counted until the swap is seen done (success) or SETTLE_SECONDS have passed, and the
    error says what each holds. `before` is the graph's triple count, where the caller has just
    counted it.
    """
    require_loading_urls(endpoint)
    if not staged:
        _upload(endpoint, graph, payload, timeout)
        return _checked(endpoint, graph, triples, timeout)
    if before is None:
        before = graph_size(endpoint, graph, timeout)
    if before == 0:
        try:
            _fill(endpoint, graph, payload, timeout)
            return _checked(endpoint, graph, triples, timeout)
        except (DipkgError, KeyboardInterrupt):
            _drop_quietly(endpoint, graph, timeout)
            raise
    target = staging_graph(graph)
    drop_staging = f"DROP SILENT GRAPH <{target}>"
    _retrying("clearing the staging graph", lambda: update(endpoint, drop_staging, timeout))
    _fill(endpoint, target, payload, timeout)
    staged_count = _retrying("counting the staging graph", lambda: count_triples(endpoint, target, timeout))
    if staged_count != triples:
        _retrying("clearing the staging graph", lambda: update(endpoint, drop_staging, timeout))
        raise EndpointError(
            f"staging graph holds {staged_count} triples, expected {triples}; live graph unchanged",
            shown(endpoint.store or ""),
        )
    try:
        update(endpoint, f"MOVE SILENT GRAPH <{target}> TO GRAPH <{graph}>", timeout)
    except EndpointUnreachable as exc:
        # The swap is atomic but its outcome unknown: the server may still be carrying it out.
        live, left = _settled(
            timeout,
            lambda: _counts(endpoint, (graph, target), timeout),
            lambda counts: counts == (triples, 0),
        )
        if (live, left) != (triples, 0):
            raise EndpointUnreachable(
                f"{exc.message} to the swap; {_swap_state(graph, target, before, triples, live, left)}",
                exc.path,
            ) from exc
    return LoadReport(graph, triples, shown(endpoint.query))


def update_graph(
    endpoint: Endpoint,
    graph: str,
    text: str,
    triples: int,
    timeout: float,
    removed_and_added: tuple[int, int],
    probe: str,
    compared: bool = False,
) -> LoadReport:
    """Change `graph` with one update request (none if `text` is empty), then check its count.

    The request is atomic: a failure leaves the graph as it was, or, if only the answer was
    lost, changed; either way running the load again converges. When no answer comes, the
    graph is watched until it holds the new count and the query `probe` (`change_probe`)
    counts 1 (success) or SETTLE_SECONDS have passed, and the error says what it holds. A
    wrong count afterwards is WrongCount. `compared` goes to the report.
    """
    require_loading_urls(endpoint)
    if text:
        try:
            update(endpoint, text, timeout)
        except EndpointUnreachable as exc:
            removed, added = removed_and_added
            before = triples + removed - added
            live, applied = _settled(
                timeout,
                lambda: _change_seen(endpoint, graph, probe, timeout),
                lambda found: found == (triples, 1),
            )
            if (live, applied) != (triples, 1):
                raise EndpointUnreachable(
                    f"{exc.message} to the change; {_change_state(graph, before, triples, live)}", exc.path
                ) from exc
    return _checked(endpoint, graph, triples, timeout, removed_and_added, compared)


def _upload(endpoint: Endpoint, graph: str, payload: Payload, timeout: float, method: str = "PUT") -> None:
    """Send the triples to `graph` (Graph Store Protocol PUT replaces it, POST adds to it)."""
    assert endpoint.store is not None
    parameters = urllib.parse.urlencode({"graph": graph})
    if endpoint.bulk_parameter is not None:
        parameters += "&" + endpoint.bulk_parameter
    store_url = endpoint.store + ("&" if "?" in endpoint.store else "?") + parameters
    _retrying("uploading", lambda: http(method, store_url, payload, None, timeout, endpoint.credentials))


def _fill(endpoint: Endpoint, graph: str, payload: Payload, timeout: float) -> None:
    """Upload into a graph that holds nothing.

    Where the server has a bulk path, the files go in UPLOAD_STREAMS concurrent POSTs, each
    parsed and loaded by its own server thread; adding a triple twice is harmless, so a POST
    is retried like a PUT.
    """
    parts = payload.split(UPLOAD_STREAMS) if endpoint.bulk_parameter is not None else [payload]
    if len(parts) == 1:
        _upload(endpoint, graph, payload, timeout)
        return
    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        uploads = [pool.submit(_upload, endpoint, graph, part, timeout, "POST") for part in parts]
        for upload in uploads:
            upload.result()


def require_loading_urls(endpoint: Endpoint) -> None:
    """Refuse (exit 2, before any request) an endpoint without update and Graph Store URLs."""
    if endpoint.update is None or endpoint.store is None:
        raise UsageError("loading needs --update-url and --store-url for this endpoint")


def _checked(
    endpoint: Endpoint,
    graph: str,
    triples: int,
    timeout: float,
    removed_and_added: tuple[int, int] | None = None,
    compared: bool = False,
) -> LoadReport:
    """The report of a load, once the graph is seen to hold the expected number of triples."""
    loaded = graph_size(endpoint, graph, timeout)
    if loaded != triples:
        raise WrongCount(
            f"graph holds {loaded} triples, expected {triples}; run the load again",
            shown(endpoint.store or ""),
        )
    return LoadReport(graph, triples, shown(endpoint.query), removed_and_added, compared)


def _drop_quietly(endpoint: Endpoint, graph: str, timeout: float) -> None:
    """Drop a graph a failed load was filling, when the endpoint still answers."""
    with contextlib.suppress(DipkgError):
        update(endpoint, f"DROP SILENT GRAPH <{graph}>", timeout)


def _counts(endpoint: Endpoint, graphs: tuple[str, ...], timeout: float) -> tuple[int | None, ...]:
    """How many triples each graph holds, or all None when the endpoint cannot count them."""
    try:
        return tuple(count_triples(endpoint, graph, timeout) for graph in graphs)
    except DipkgError:
        return (None,) * len(graphs)


def _change_seen(endpoint: Endpoint, graph: str, probe: str, timeout: float) -> tuple[int | None, ...]:
    """The graph's count and 1 if the change is seen in it (0 if not), or None when they cannot be had."""
    (live,) = _counts(endpoint, (graph,), timeout)
    if live is None:
        return (None, None)
    try:
        table = run_remote(endpoint, probe, timeout)
    except DipkgError:
        return (live, None)
    cell = table.rows[0][0] if table.rows else None
    return (live, int(cell.value) if cell is not None else 0)


def _settled(
    timeout: float,
    counts: Callable[[], tuple[int | None, ...]],
    done: Callable[[tuple[int | None, ...]], bool],
) -> tuple[int | None, ...]:
    """The counts once `done`, or as they are after waiting SETTLE_SECONDS (at least `timeout`)."""
    deadline = time.monotonic() + max(timeout, SETTLE_SECONDS)
    while True:
        found = counts()
        if done(found) or time.monotonic() >= deadline:
            return found
        time.sleep(SETTLE_INTERVAL)


def _swap_state(
    graph: str, staging: str, before: int, triples: int, live: int | None, left: int | None
) -> str:
    """What the live and staging graphs hold after a swap whose outcome is unknown."""
    if live is None or left is None:
        return _unknown_state(graph, before, triples)
    if live == before and left == triples:
        return (
            f"graph <{graph}> still holds its old {before} triples and the new {triples} wait in "
            f"<{staging}>; the server may still swap them in: run the load again"
        )
    return (
        f"graph <{graph}> holds {live} triples (old: {before}, new: {triples}) and <{staging}> {left}: "
        "run the load again"
    )


def _change_state(graph: str, before: int, triples: int, live: int | None) -> str:
    """What the graph holds after a change whose outcome is unknown."""
    if live is None:
        return _unknown_state(graph, before, triples)
    if live == before:
        return (
            f"graph <{graph}> still holds its old {before} triples; the server may still change it: "
            "run the load again"
        )
    return f"graph <{graph}> holds {live} triples (old: {before}, new: {triples}): run the load again"


def _unknown_state(graph: str, before: int, triples: int) -> str:
    return (
        f"the endpoint no longer answers, so graph <{graph}> may hold its old {before} triples or "
        f"the new {triples}: count it before relying on it, and run the load again"
    )
