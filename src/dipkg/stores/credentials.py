"""A user and password for a SPARQL service, and the HTTP Basic or Digest answer to its challenge.

The password never comes from the command line: it is read from the environment variable
DIPKG_SPARQL_PASSWORD or from ~/.netrc (the `machine` entry of the endpoint's host), and it is
never part of a message, a report or a repr.
"""

from __future__ import annotations

import base64
import hashlib
import netrc
import os
import secrets
import stat
import threading
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dipkg.errors import UsageError

PASSWORD_VARIABLE = "DIPKG_SPARQL_PASSWORD"
NETRC_SHOWN = "~/.netrc"
_DIGESTS = {
    "MD5": hashlib.md5,
    "MD5-SESS": hashlib.md5,
    "SHA-256": hashlib.sha256,
    "SHA-256-SESS": hashlib.sha256,
}


@dataclass(frozen=True)
class Challenge:
    """What a server's WWW-Authenticate header asks for: Basic, or Digest with its parameters."""

    scheme: str
    parameters: Mapping[str, str]

    @classmethod
    def parse(cls, headers: list[str]) -> Challenge | None:
        """The challenge dipkg answers (Digest before Basic), or None if there is none it can."""
        found: dict[str, Challenge] = {}
        for header in headers:
            for scheme, parameters in _challenges(header):
                if scheme == "digest" and parameters.get("algorithm", "MD5").upper() not in _DIGESTS:
                    continue
                if scheme == "digest" and "qop" in parameters:
                    offered = {q.strip().lower() for q in parameters["qop"].split(",")}
                    if "auth" not in offered:
                        continue
                found.setdefault(scheme, cls(scheme, parameters))
        return found.get("digest") or found.get("basic")

    @property
    def stale(self) -> bool:
        """Whether the server says the nonce expired (the credentials themselves were right)."""
        return self.parameters.get("stale", "").lower() == "true"


def _challenges(header: str) -> list[tuple[str, dict[str, str]]]:
    """The (scheme, parameters) of each challenge in one WWW-Authenticate header value."""
    result: list[tuple[str, dict[str, str]]] = []
    for item in urllib.request.parse_http_list(header):
        words = item.strip().split(None, 1)
        if not words:
            continue
        if "=" not in words[0]:
            result.append((words[0].lower(), {}))
            item = words[1] if len(words) > 1 else ""
        if not result or "=" not in item:
            continue
        key, _, value = item.strip().partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        result[-1][1][key.strip().lower()] = value
    return result


@dataclass(eq=False)
class Credentials:
    """A user and password, where they came from, and the last challenge answered (shared by threads)."""

    user: str
    password: str = field(repr=False)
    source: str
    challenge: Challenge | None = field(default=None, repr=False)
    _count: int = field(default=0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def learn(self, challenge: Challenge) -> None:
        """Answer this challenge from now on."""
        with self._lock:
            self.challenge, self._count = challenge, 0

    def authorization(self, method: str, target: str) -> str | None:
        """The Authorization header for a request, or None before any challenge was seen."""
        with self._lock:
            challenge = self.challenge
            if challenge is None:
                return None
            self._count += 1
            count = self._count
        if challenge.scheme == "basic":
            pair = f"{self.user}:{self.password}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return self._digest(challenge, method, target, count)

    def _digest(self, challenge: Challenge, method: str, target: str, count: int) -> str:
        parameters = challenge.parameters
        algorithm = parameters.get("algorithm", "MD5")
        hashing = _DIGESTS[algorithm.upper()]

        def h(text: str) -> str:
            return hashing(text.encode("utf-8")).hexdigest()

        realm, nonce = parameters.get("realm", ""), parameters.get("nonce", "")
        cnonce = secrets.token_hex(8)
        first = h(f"{self.user}:{realm}:{self.password}")
        if algorithm.upper().endswith("-SESS"):
            first = h(f"{first}:{nonce}:{cnonce}")
        second = h(f"{method}:{target}")
        fields = {"username": self.user, "realm": realm, "nonce": nonce, "uri": target}
        if "qop" in parameters:
            nc = f"{count:08x}"
            response = h(f"{first}:{nonce}:{nc}:{cnonce}:auth:{second}")
            extra = f", qop=auth, nc={nc}, cnonce={_quoted(cnonce)}"
        else:
            response = h(f"{first}:{nonce}:{second}")
            extra = ""
        fields["response"] = response
        if "opaque" in parameters:
            fields["opaque"] = parameters["opaque"]
        quoted = ", ".join(f"{key}={_quoted(value)}" for key, value in fields.items())
        return f"Digest {quoted}, algorithm={algorithm}{extra}"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def resolve(
    url: str,
    user: str | None,
    environ: Mapping[str, str] | None = None,
    netrc_file: Path | None = None,
) -> Credentials | None:
    """The credentials for the endpoint `url`: None when no user is given and ~/.netrc has none.

    The user is `user`, else the login of ~/.netrc's entry for the URL's host; the password is
    DIPKG_SPARQL_PASSWORD when set, else that entry's password (if its login is the user's).
    """
    environ = os.environ if environ is None else environ
    if user is not None and (not user or ":" in user or any(ord(c) < 32 for c in user)):
        raise UsageError(f"--user {user!r} is not a user name (no colon, no control characters)")
    password = environ.get(PASSWORD_VARIABLE) or None
    if user is not None and password is not None:
        return Credentials(user, password, PASSWORD_VARIABLE)
    host = urllib.parse.urlsplit(url).hostname or ""
    entry = _netrc_entry(host, netrc_file or Path(os.path.expanduser("~")) / ".netrc")
    if entry is not None:
        login, stored = entry
        if user is None and login:
            return Credentials(login, password or stored, PASSWORD_VARIABLE if password else NETRC_SHOWN)
        if user is not None and login in ("", user):
            return Credentials(user, stored, NETRC_SHOWN)
    if user is not None:
        raise UsageError(
            f"--user {user} needs a password: set {PASSWORD_VARIABLE}, or give machine {host} "
            f"login {user} and its password in {NETRC_SHOWN}"
        )
    return None


def _netrc_entry(host: str, path: Path) -> tuple[str, str] | None:
    """The (login, password) of the `machine host` entry of a .netrc file (not `default`)."""
    try:
        status = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    if status.st_mode & 0o077:
        raise UsageError(f"{NETRC_SHOWN} may be read by other users: chmod 600 {NETRC_SHOWN}")
    try:
        parsed = netrc.netrc(str(path))
    except netrc.NetrcParseError as exc:
        raise UsageError(f"{NETRC_SHOWN} line {exc.lineno} cannot be read as a .netrc file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{NETRC_SHOWN} cannot be read ({type(exc).__name__})") from None
    if host not in parsed.hosts:
        return None
    login, _account, password = parsed.hosts[host]
    return (login or "", password) if password else None
