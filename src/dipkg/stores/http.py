"""One HTTP request to a SPARQL service, bounded in time and size, with its errors as one line.

Only the host the URL names is contacted: no redirect is followed and no proxy is used. A user
and password (dipkg.stores.credentials) answer the server's HTTP Basic or Digest challenge; they
are never part of a URL dipkg accepts, nor of any message.
"""

from __future__ import annotations

import contextlib
import math
import socket
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from http.client import HTTPConnection, HTTPException, HTTPResponse, HTTPSConnection

from dipkg.errors import EXIT_ENDPOINT_ERROR, DipkgError, InputError, UsageError
from dipkg.stores.credentials import NETRC_SHOWN, PASSWORD_VARIABLE, Challenge, Credentials

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
    if parsed.username is not None or parsed.password is not None:
        raise UsageError(
            f"endpoint {shown(url)!r} holds a user name or password: give --user NAME and the password "
            f"in {PASSWORD_VARIABLE} or {NETRC_SHOWN} instead"
        )


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


Body = bytes | Callable[[], Iterable[bytes]] | None


def request(
    method: str,
    url: str,
    body: Body,
    headers: dict[str, str],
    timeout: float,
    whole: bool = False,
    credentials: Credentials | None = None,
    right: str = "use the endpoint",
) -> bytes:
    """Send one request and read the answer (at most MAX_RESPONSE_BYTES).

    `timeout` bounds every wait for the network; with `whole` it bounds the whole exchange,
    so an answer trickled a byte at a time cannot hold dipkg past it. `body` is bytes or a
    function giving the body's parts (called again if the request must be sent again).

    With `credentials`, a 401 challenge is answered (Basic or Digest) and the request sent
    again; the challenge is kept, so later requests carry their answer from the start. Before
    a streamed body is sent for the first time, a HEAD request to the same URL fetches the
    challenge, so that the body is not sent only to be refused. HTTP 401 and 403 are one line
    naming what is missing: the credentials, or the right to `right`.
    """
    return _answered(method, url, body, headers, timeout, whole, credentials, right).data


def download(
    url: str,
    headers: dict[str, str],
    timeout: float,
    credentials: Credentials | None = None,
    right: str = "use the endpoint",
) -> Download:
    """GET `url` and leave the body of a successful answer to be read as a stream (`Download`).

    Nothing bounds the body's size: the caller reads it block by block and stops when it has
    enough. `timeout` bounds every wait for the network. Credentials and errors are handled as
    by `request`.
    """
    exchange = _answered("GET", url, None, headers, timeout, False, credentials, right, stream=True)
    if exchange.response is None:
        raise EndpointError(f"HTTP {exchange.status} {' '.join(exchange.reason.split())[:100]}", shown(url))
    return Download(exchange.connection, exchange.response, url, timeout)


class Download:
    """The body of an answer, read like a binary file; a failed or cut-short read is EndpointUnreachable."""

    def __init__(self, connection: HTTPConnection, response: HTTPResponse, url: str, timeout: float) -> None:
        self.connection, self.response, self.url = connection, response, url
        self.late = f"the endpoint did not send the rest of the answer within {timeout:g} s"
        self.content_type = (response.headers.get("Content-Type") or "").partition(";")[0].strip().lower()

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (b"" at the end of the body)."""
        try:
            data = self.response.read(size if size >= 0 else None)
        except (OSError, HTTPException) as exc:
            if isinstance(exc, TimeoutError):
                raise EndpointUnreachable(self.late, shown(self.url)) from exc
            raise EndpointUnreachable(_unreachable_text(exc), shown(self.url)) from exc
        if not data and size != 0 and self.response.length:
            raise EndpointUnreachable("the answer ended before its announced length", shown(self.url))
        return data

    def close(self) -> None:
        """Stop reading and close the connection."""
        self.response.close()
        self.connection.close()

    def __enter__(self) -> Download:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _answered(
    method: str,
    url: str,
    body: Body,
    headers: dict[str, str],
    timeout: float,
    whole: bool,
    credentials: Credentials | None,
    right: str,
    stream: bool = False,
) -> _Exchange:
    """The exchange of `request` once any challenge was answered; an error status raises."""
    check_url(url)
    check_timeout(timeout)
    parsed = urllib.parse.urlsplit(url)
    target = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
    if credentials is not None and credentials.challenge is None and callable(body):
        probe = _exchange(parsed, "HEAD", target, None, {}, url, timeout, whole, credentials)
        challenge = Challenge.parse(probe.challenges)
        if probe.status == 401 and challenge is not None:
            credentials.learn(challenge)
    exchange = _exchange(parsed, method, target, body, headers, url, timeout, whole, credentials, stream)
    if exchange.status == 401 and credentials is not None:
        challenge = Challenge.parse(exchange.challenges)
        if challenge is not None and (
            not exchange.authorized or challenge.stale or _renewed(credentials, challenge)
        ):
            credentials.learn(challenge)
            exchange = _exchange(
                parsed, method, target, body, headers, url, timeout, whole, credentials, stream
            )
    if exchange.status in (401, 403):
        raise EndpointError(_refusal(exchange.status, credentials, right), shown(url))
    if exchange.status >= 400:
        data = exchange.data
        detail = " ".join(data[:2000].decode("utf-8", "replace").split())[:500]
        reason = " ".join(exchange.reason.split())[:100]
        status = f"HTTP {exchange.status} {reason}" + (f": {detail}" if detail else "")
        raise EndpointError(status, shown(url))
    return exchange


def _renewed(credentials: Credentials, challenge: Challenge) -> bool:
    """Whether a Digest challenge brings a nonce other than the one last answered (it expired)."""
    known = credentials.challenge
    return (
        challenge.scheme == "digest"
        and known is not None
        and known.parameters.get("nonce") != challenge.parameters.get("nonce")
        and known.parameters.get("realm") == challenge.parameters.get("realm")
    )


def _refusal(status: int, credentials: Credentials | None, right: str) -> str:
    if status == 403:
        return f"the server refused access (HTTP 403): the user may not {right}"
    if credentials is None:
        return (
            "the server asks for credentials (HTTP 401): give --user NAME and the password in "
            f"{PASSWORD_VARIABLE} or {NETRC_SHOWN}"
        )
    where = "--user and " + PASSWORD_VARIABLE if credentials.source == PASSWORD_VARIABLE else NETRC_SHOWN
    return f"the server refused the credentials of user {credentials.user!r} (HTTP 401): check {where}"


def _exchange(
    parsed: urllib.parse.SplitResult,
    method: str,
    target: str,
    body: Body,
    headers: dict[str, str],
    url: str,
    timeout: float,
    whole: bool,
    credentials: Credentials | None,
    stream: bool = False,
) -> _Exchange:
    connection_class = HTTPSConnection if parsed.scheme == "https" else HTTPConnection
    connection = connection_class(parsed.hostname or "", parsed.port, timeout=timeout)
    headers = dict(headers)
    answer = credentials.authorization(method, target) if credentials is not None else None
    if answer is not None:
        headers["Authorization"] = answer
    data = body() if callable(body) else body
    exchange = _Exchange(connection, method, target, data, headers, url, timeout, stream)
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
    return exchange


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
        stream: bool = False,
    ) -> None:
        self.connection, self.method, self.target, self.body = connection, method, target, body
        self.headers, self.url, self.stream = headers, url, stream
        # With `stream`, a successful answer whose body is left unread (the connection stays open).
        self.response: HTTPResponse | None = None
        self.authorized = "Authorization" in headers
        self.late = f"the endpoint did not answer within {timeout:g} s"
        self.abandoned = threading.Event()
        self.data = b""
        self.status = 0
        self.reason = ""
        self.challenges: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        """Send and read into `status` and `data`, or `error` (it may run in a worker thread)."""
        try:
            self._send()
        except BaseException as exc:
            self.error = exc
        finally:
            if self.response is None or self.error is not None:
                self.connection.close()

    def abandon(self) -> None:
        """Stop reading: the worker ends at its next block, or when the socket is shut."""
        self.abandoned.set()
        sock = self.connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _send(self) -> None:
        url = self.url
        try:
            self.connection.request(self.method, self.target, body=self.body, headers=self.headers)
            response = self.connection.getresponse()
            self.status, self.reason = response.status, str(response.reason)
            self.challenges = response.headers.get_all("WWW-Authenticate") or []
            if self.stream and 200 <= response.status < 300:
                self.response = response
                return
            self.data = self._read_bounded(response)
        except (OSError, HTTPException) as exc:
            if isinstance(exc, TimeoutError):
                raise EndpointUnreachable(self.late, shown(url)) from exc
            raise EndpointUnreachable(_unreachable_text(exc), shown(url)) from exc

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
