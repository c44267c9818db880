"""Where the document describing a resource IRI lives in the site, and the media types it comes in.

A slash IRI under the base (`{base}entity/china`) is described by the documents `entity/china.html`,
`.ttl`, `.jsonld` and `.nt`; a hash IRI (`{base}ontology#Summons`) by the documents of the part
before the `#` (`ontology.*`, the page holding `id="Summons"`); the base itself by `index.*`.
"""

from __future__ import annotations

import re

# Extension -> media type of each document of a resource, the page first.
FORMATS: dict[str, str] = {
    "html": "text/html; charset=utf-8",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}
INDEX = "index"
# IRIs ending so name files of the site (the published graph's files, the canned queries), which
# are served as they are, not described.
FILE_EXTENSIONS = (*(f".{ext}" for ext in FORMATS), ".rq", ".json")
# A path segment the site can hold as a file name: no dot segments, no empty segments.
_SEGMENT = re.compile(r"[A-Za-z0-9_\-][A-Za-z0-9_.\-~%]*")


def document_path(iri: str, base_iri: str) -> str | None:
    """The site path (no extension) of the documents describing `iri`, or None when the IRI is not
    under `base_iri` or cannot be a file name."""
    if not iri.startswith(base_iri):
        return None
    local = iri[len(base_iri) :].split("#", 1)[0]
    if local == "":
        return INDEX
    segments = local.split("/")
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):
        return None
    if segments[-1] == INDEX or segments[-1].endswith(FILE_EXTENSIONS):
        return None
    return local


def fragment(iri: str) -> str:
    """The part of a hash IRI after the `#` ('' for a slash IRI)."""
    return iri.split("#", 1)[1] if "#" in iri else ""


def root_of(path: str) -> str:
    """The relative link from the page at `path` to the site's root folder ('' or '../'...)."""
    return "../" * path.count("/")
