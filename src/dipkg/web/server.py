"""The linked-data server's web app: the site's files, content negotiation, and SPARQL.

Every resource IRI path (`/entity/china`) answers `303 See Other` to the document the client's
Accept header prefers (`/entity/china.html`, `.ttl`, `.jsonld` or `.nt`), or `406 Not
Acceptable`, both with `Vary: Accept`; the documents themselves, the downloads under `/kg/` and
every other file of the site folder answer 200. `/sparql` answers SPARQL 1.1 Protocol queries
(read-only), and in a browser shows the YASGUI editor. `/query`, `/update` and `/store` forward
to the Oxigraph server behind, as before. Paths are matched against the site folder segment by
segment as sent (percent-escapes kept, as in the files' names): dot segments, hidden files,
directories and symlinks leading out of the folder are not found.
"""

from __future__ import annotations

import email.utils
import os
import re
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from dipkg.project import shipped_data_dir
from dipkg.stores.serve import (
    FORM,
    FORWARDED_HEADERS,
    SPARQL_QUERY,
    SPARQL_UPDATE,
    chunks,
    forward,
    request_refusal,
)
from dipkg.web.negotiation import OFFERED, choose, not_acceptable_text

# A path segment the site may hold: no dot segments, no hidden files, no empty segments.
SEGMENT = re.compile(r"[A-Za-z0-9_\-~][A-Za-z0-9_.\-~%]*")
INDEX = "index.html"
# The YASGUI files served from the package when the site folder has none.
YASGUI_PREFIX = "/assets/yasgui/"
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css", "LICENSE")
# Media types by file extension; other files are application/octet-stream. (Starlette gives every
# text/* type a charset; the documents are UTF-8.)
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "rq": "application/sparql-query",
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "gz": "application/gzip",
    "zip": "application/zip",
}
SMALL_FILE = 256 * 1024
CACHE_SITE = "public, max-age=60"
CACHE_VENDORED = "public, max-age=86400"
VARY = {"Vary": "Accept"}
SPARQL_HELP = (
    "/sparql answers SPARQL queries: GET ?query=..., or POST a form with a `query` field or an "
    f"{SPARQL_QUERY} body"
)

# A located path: the file to send, the documents to choose among (extension -> URL path), or None.
Located = Path | dict[str, str] | None


def located(root: Path, raw_path: str) -> Located:
    """What `raw_path` (as sent, percent-escapes kept) names in the site folder `root`."""
    if raw_path == "/":
        return _file(root, INDEX)
    local = raw_path.removeprefix("/")
    if not raw_path.startswith("/") or not all(SEGMENT.fullmatch(s) for s in local.split("/")):
        return None
    found = _file(root, local)
    if found is not None:
        return found
    documents = {ext: f"/{local}.{ext}" for ext in OFFERED if _file(root, f"{local}.{ext}") is not None}
    return documents or None


def void_documents(root: Path) -> dict[str, str]:
    """The documents `/.well-known/void` leads to: the VoID file, and the dataset's page and RDF."""
    candidates = {
        "html": ("dataset.html", INDEX),
        "ttl": ("void.ttl", "dataset.ttl"),
        "jsonld": ("dataset.jsonld",),
        "nt": ("dataset.nt",),
    }
    documents = {}
    for ext, names in candidates.items():
        existing = [name for name in names if _file(root, name) is not None]
        if existing:
            documents[ext] = f"/{existing[0]}"
    return documents


def _file(root: Path, local: str) -> Path | None:
    """The regular file `local` under `root`, if it exists and resolves inside `root`."""
    path = root / local
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(root) or not real.is_file():
        return None
    return real


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lstrip(".").lower(), "application/octet-stream")


def file_response(request: Request, path: Path, cache: str) -> Response:
    """The file, with ETag and Last-Modified, or 304 when the client's copy is current. A small
    file is read at once (FileResponse reads in a worker thread, a few times slower for a page)."""
    stat = os.stat(path)
    response = FileResponse(
        path, media_type=content_type(path), stat_result=stat, headers={"Cache-Control": cache}
    )
    if _not_modified(request, response):
        kept = ("etag", "last-modified", "cache-control")
        return Response(status_code=304, headers={k: v for k, v in response.headers.items() if k in kept})
    if request.method == "HEAD" or stat.st_size > SMALL_FILE:
        return response
    try:
        content = path.read_bytes()
    except OSError:
        return not_found()
    return Response(content, headers={k: v for k, v in response.headers.items() if k != "content-length"})


def _not_modified(request: Request, response: Response) -> bool:
    tags = request.headers.get("if-none-match")
    if tags is not None:
        etag = response.headers.get("etag", "")
        sent = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
        return "*" in sent or etag.removeprefix("W/") in sent
    since = request.headers.get("if-modified-since")
    modified = response.headers.get("last-modified")
    if since is None or modified is None:
        return False
    try:
        return email.utils.parsedate_to_datetime(modified) <= email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def negotiated(request: Request, documents: dict[str, str]) -> Response:
    """303 to the document the Accept header prefers, or 406; both vary by Accept."""
    chosen = choose(request.headers.get("accept"), list(documents))
    if chosen is None:
        return PlainTextResponse(not_acceptable_text(list(documents)), status_code=406, headers=VARY)
    location = documents[chosen]
    headers = {**VARY, "Location": location, "Cache-Control": CACHE_SITE}
    return PlainTextResponse(f"303 See Other: {location}\n", status_code=303, headers=headers)


def not_found() -> Response:
    return PlainTextResponse("404 Not Found\n", status_code=404)


def raw_path(request: Request) -> str:
    """The request's path as sent (percent-escapes kept), without the query string."""
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        return raw.decode("latin-1").split("?", 1)[0]
    return urllib.parse.quote(request.url.path)


def web_app(site: Path, upstream: int, writable: bool) -> Starlette:
    """The server's ASGI app: the site folder `site`, and SPARQL forwarded to 127.0.0.1:`upstream`."""
    root = site.resolve()

    async def site_file(request: Request) -> Response:
        path = raw_path(request)
        target = located(root, path)  # a few stat calls: cheaper inline than in a thread
        cache = CACHE_SITE
        if target is None and path.removeprefix(YASGUI_PREFIX) in YASGUI_FILES:
            target = shipped_data_dir() / "web" / "yasgui" / path.removeprefix(YASGUI_PREFIX)
            cache = CACHE_VENDORED
        if isinstance(target, Path):
            return file_response(request, target, cache)
        if target:
            return negotiated(request, target)
        return not_found()

    async def well_known_void(request: Request) -> Response:
        documents = void_documents(root)
        return negotiated(request, documents) if documents else not_found()

    async def sparql(request: Request) -> Response:
        body = await request.body()
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        fields = urllib.parse.parse_qs(request.url.query, keep_blank_values=True)
        if media_type == FORM and request.method == "POST":
            for key, values in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items():
                fields.setdefault(key, []).extend(values)
        if "update" in fields or media_type == SPARQL_UPDATE:
            where = "POST them to /update" if writable else "this server is read-only"
            return PlainTextResponse(f"/sparql answers queries only: {where}\n", status_code=400)
        has_query = "query" in fields or (media_type == SPARQL_QUERY and request.method == "POST")
        if not has_query:
            if request.method in ("GET", "HEAD") and choose(request.headers.get("accept")) == "html":
                return file_response(request, shipped_data_dir() / "web" / "sparql.html", "no-cache")
            return PlainTextResponse(f"no query given: {SPARQL_HELP}\n", status_code=400)
        if body and media_type not in (FORM, SPARQL_QUERY):
            return PlainTextResponse(f"{SPARQL_HELP}; not {media_type or 'an untyped body'}\n", 400)
        return await _forwarded(request, "/query", media_type, body)

    async def store_operation(request: Request) -> Response:
        body = await request.body()
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        return await _forwarded(request, request.url.path, media_type, body)

    async def _forwarded(request: Request, path: str, media_type: str, body: bytes) -> Response:
        problem = await run_in_threadpool(
            request_refusal, path, request.url.query, media_type, body, writable
        )
        if problem is not None:
            return PlainTextResponse(f"{problem}\n", status_code=400)
        headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED_HEADERS}
        target = path + (f"?{request.url.query}" if request.url.query else "")
        try:
            answer = await run_in_threadpool(forward, upstream, request.method, target, body, headers)
        except OSError:
            return PlainTextResponse(
                "the SPARQL server behind this endpoint does not answer\n", status_code=502
            )
        kept = {k: v for k, v in answer.getheaders() if k.lower() == "content-type"}
        return StreamingResponse(chunks(answer), status_code=answer.status, headers=kept)

    store_methods = ["GET", "HEAD", "POST", "PUT", "DELETE"]
    handlers: list[tuple[str, Callable[[Request], Awaitable[Response]], list[str]]] = [
        ("/sparql", sparql, ["GET", "HEAD", "POST"]),
        ("/query", store_operation, store_methods),
        ("/update", store_operation, store_methods),
        ("/store", store_operation, store_methods),
        ("/.well-known/void", well_known_void, ["GET", "HEAD"]),
        ("/{path:path}", site_file, ["GET", "HEAD"]),
    ]
    routes: list[Any] = [Route(path, handler, methods=methods) for path, handler, methods in handlers]
    return Starlette(routes=routes)
