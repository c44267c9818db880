"""Content fingerprints: hashes of parts and files, and file signatures (size, modification time)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

Signature = tuple[int, int]


def digest(parts: Iterable[bytes | str]) -> str:
    """SHA-256 of the parts, each prefixed by its length so that no two sequences collide."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def combined(digests: Iterable[str]) -> str:
    """SHA-256 of SHA-256 hex digests: each is 64 characters long, so joined they never collide."""
    return hashlib.sha256("".join(digests).encode("ascii")).hexdigest()


def signature(path: str | Path) -> Signature:
    """Size and modification time of a file, in nanoseconds; (-1, -1) if it cannot be read."""
    try:
        status = os.stat(path)
    except OSError:
        return (-1, -1)
    return (status.st_size, status.st_mtime_ns)


# The libraries whose releases can change what a build writes or finds: reading seeds and RDF
# (PyYAML, pyoxigraph, rdflib), checking them (jsonschema, pyshacl, google-re2), splitting sentences
# (pysbd).
OUTPUT_LIBRARIES = ("PyYAML", "pyoxigraph", "rdflib", "jsonschema", "pyshacl", "google-re2", "pysbd")


def code_fingerprint() -> str:
    """A hash of dipkg's own source and bundled schemas, and of the installed releases of the
    libraries its results depend on: new code, or another release of one of them, never reuses
    old results."""
    from importlib.metadata import PackageNotFoundError, version

    releases = []
    for name in OUTPUT_LIBRARIES:
        try:
            releases.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            releases.append(f"{name} unknown")
    package = Path(__file__).resolve().parent
    files = sorted(p for p in package.rglob("*") if p.suffix in (".py", ".json") and p.is_file())
    return digest(
        [*releases, *(part for f in files for part in (f.relative_to(package).as_posix(), f.read_bytes()))]
    )


def files_digest(files: Iterable[Path], *extra: str) -> str:
    """A hash of files' names and contents, and of extra strings."""
    return digest([*extra, *(part for f in files for part in (f.name, f.read_bytes()))])
