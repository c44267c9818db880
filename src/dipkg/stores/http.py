"""One HTTP request to a SPARQL service, bounded in time and size, with its errors as one line.

Only the host the URL names is contacted: no redirect is followed and no proxy is used. Credentials
in the URL (http://user:password@host/) are sent as HTTP Basic authentication and never shown.
"""

from __future__ import annotations

import base64
import contextlib
import math
import socket
import threading
import urllib.parse
from collections.abc import Iterable
from http.client import HTTPConnection, HTTPException, HTTPResponse, HTTPSConnection

from dipkg.errors import EXIT_ENDPOINT_ERROR, DipkgError, InputError, UsageError

# The most dipkg reads of one answer: query results past this are refused, not held in memory.
MAX_RESPONSE_BYTES = 128 << 20
READ_BLOCK = 1 << 16


class EndpointUnreachable(InputError):
    """The endpoint could not be reached, timed out or dropped the connection (exit code 3)."""


class EndpointError(DipkgError):
    """The endpoint answered with an error status, or with an answer dipkg cannot use (exit code 5)."""

    exit_code = EXIT_ENDPOINT_ERROR


def check_url(url: str) -> None:
    """Accept only absolute http(s) URLs with a host and, if any, a numeric port."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UsageError(f"endpoint {shown(url)!r} is not an http(s) URL")
    try:
        parsed.port  # noqa: B018
    except ValueError as exc:
        raise UsageError(f"endpoint {shown(url)!r} has an invalid port") from exc


def shown(url: str) -> str:
    """The URL as errors and reports show it: a password in it is replaced by ***."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.password is None:
        return url
    user = parsed.netloc.rpartition("@")[0].partition(":")[0]
    host = parsed.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parsed._replace(netloc=f"{user}:***@{host}"))


MAX_TIMEOUT = 86_400.0


def check_timeout(timeout: float) -> None:
    """A timeout is a finite number of seconds above zero, at most a day."""
    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise UsageError(f"timeout {timeout} is not a number of seconds above 0 and at most {MAX_TIMEOUT:g}")


def request(
    method: str,
    url: str,
    body: bytes | Iterable[bytes] | None,
    headers: dict[str, str],
    timeout: float,
    whole: bool = False,
) -> bytes:
    """Send one request and read the answer (at most MAX_RESPONSE_BYTES).

    `timeout` bounds every wait for the network; with `whole` it bounds the whole exchange,
    so an answer trickled a byte at a time cannot hold dipkg past it.
    """
    check_url(url)
    check_timeout(timeout)
    parsed = urllib.parse.urlsplit(url)
    connection_class = HTTPSConnection if parsed.scheme == "https" else HTTPConnection
    connection = connection_class(parsed.hostname or "", parsed.port, timeout=timeout)
    headers = dict(headers)
    if parsed.username is not None:
        pair = f"{urllib.parse.unquote(parsed.username)}:{urllib.parse.unquote(parsed.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
    target = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
    exchange = _Exchange(connection, method, target, body, headers, url, timeout)
    if whole:
        worker = threading.Thread(target=exchange.run, daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            exchange.abandon()
            raise EndpointUnreachable(exchange.late, shown(url))
    else:
        exchange.run()
    if exchange.error is not None:
        raise exchange.error
    return exchange.data


class _Exchange:
    """One request and its answer, which a deadline can abandon from another thread."""

    def __init__(
        self,
        connection: HTTPConnection,
        method: str,
        target: str,
        body: bytes | Iterable[bytes] | None,
        headers: dict[str, str],
        url: str,
        timeout: float,
    ) -> None:
        self.connection, self.method, self.target, self.body = connection, method, target, body
        self.headers, self.url = headers, url
        self.late = f"the endpoint did not answer within {timeout:g} s"
        self.abandoned = threading.Event()
        self.data = b""
        self.error: BaseException | None = None

    def run(self) -> None:
        """Send and read; the outcome is left in `data` or `error` (it may run in a worker thread)."""
        try:
            self.data = self._send()
        except BaseException as exc:
            self.error = exc
        finally:
            self.connection.close()

    def abandon(self) -> None:
        """Stop reading: the worker ends at its next block, or when the socket is shut."""
        self.abandoned.set()
        sock = self.connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _send(self) -> bytes:
        url = self.url
        try:
            self.connection.request(self.method, self.target, body=self.body, headers=self.headers)
            response = self.connection.getresponse()
            data = self._read_bounded(response)
        except (OSError, HTTPException) as exc:
            if isinstance(exc, TimeoutError):
                raise EndpointUnreachable(self.late, shown(url)) from exc
            raise EndpointUnreachable(_unreachable_text(exc), shown(url)) from exc
        if response.status >= 400:
            detail = " ".join(data[:2000].decode("utf-8", "replace").split())[:500]
            reason = " ".join(str(response.reason).split())[:100]
            status = f"HTTP {response.status} {reason}" + (f": {detail}" if detail else "")
            raise EndpointError(status, shown(url))
        return data

    def _read_bounded(self, response: HTTPResponse) -> bytes:
        blocks: list[bytes] = []
        size = 0
        while not self.abandoned.is_set() and (block := response.read1(READ_BLOCK)):
            size += len(block)
            if size > MAX_RESPONSE_BYTES:
                raise EndpointError(
                    f"the endpoint's answer is larger than {MAX_RESPONSE_BYTES >> 20} MiB; refused",
                    shown(self.url),
                )
            blocks.append(block)
        return b"".join(blocks)


def _unreachable_text(exc: BaseException) -> str:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
    return f"cannot reach the endpoint ({' '.join(str(reason).split())[:200]})"
