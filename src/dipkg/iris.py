"""IRIs as plain strings: the default base, the vocabulary namespaces and the fixed prefix map.

Kept free of rdflib so that light commands (queries) start fast; `namespaces` builds rdflib
namespaces from these.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

DEFAULT_BASE_IRI = "https://w3id.org/dipkg/"
# The ontology, published with the data as the named graph of this IRI (kg/ontology.ttl).
ONTOLOGY_IRI = "https://w3id.org/dipkg/ontology"

# Characters an IRI reference may not hold (Turtle and SPARQL IRIREF).
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')

STANDARD_NAMESPACES: dict[str, str] = {
    "dip": "https://w3id.org/dipkg/ontology#",
    "dipsh": "https://w3id.org/dipkg/shapes#",
    "cameo": "https://w3id.org/dipkg/codes/cameo/",
    "plover": "https://w3id.org/dipkg/codes/plover/",
    "modality": "https://w3id.org/dipkg/codes/modality/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "dcterms": "http://purl.org/dc/terms/",
    "vann": "http://purl.org/vocab/vann/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wd": "http://www.wikidata.org/entity/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
}

# Data prefixes and the path under the base IRI each stands for.
DATA_PATHS: dict[str, str] = {
    "ent": "entity/",
    "post": "post/",
    "concept": "concept/",
    "art": "article/",
    "ev": "event/",
    "quote": "quote/",
    "claim": "claim/",
    "holding": "holding/",
    "act": "act/",
}


def check_base_iri(value: str) -> str | None:
    """Why `value` cannot be a base IRI (http(s), ending in '/' or '#', no spaces), or None if it can."""
    if not value.startswith(("http://", "https://")) or not value.endswith(("/", "#")):
        return "must be an http(s) IRI ending in '/' or '#'"
    if IRI_FORBIDDEN.search(value):
        return "must not contain spaces, quotes or brackets"
    return None


def prefix_map(base_iri: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    """The prefix map of published files and reports: standard prefixes plus data prefixes."""
    return {**STANDARD_NAMESPACES, **{prefix: base_iri + path for prefix, path in DATA_PATHS.items()}}


# How many IRIs a Prefixes map remembers the split of.
MEMO_SIZE = 200_000


def _no_slash(local: str) -> bool:
    return "/" not in local


class Prefixes:
    """A prefix map that writes IRIs as CURIEs: the longest namespace that leaves a valid local name wins."""

    def __init__(self, prefixes: Mapping[str, str], local_name: Callable[[str], bool] = _no_slash) -> None:
        self.ordered = sorted(((p, str(ns)) for p, ns in prefixes.items()), key=lambda item: -len(item[1]))
        self.local_name = local_name
        self._found: dict[str, tuple[str, str] | None] = {}

    def split(self, iri: str) -> tuple[str, str] | None:
        """(prefix, local name) of the IRI, or None when no namespace of the map fits it."""
        if iri in self._found:
            return self._found[iri]
        found = None
        for prefix, namespace in self.ordered:
            if iri.startswith(namespace) and self.local_name(iri[len(namespace) :]):
                found = prefix, iri[len(namespace) :]
                break
        if len(self._found) < MEMO_SIZE:
            self._found[iri] = found
        return found

    def shorten(self, iri: str) -> str:
        """The IRI as a CURIE, or in angle brackets when no prefix fits."""
        found = self.split(iri)
        return f"<{iri}>" if found is None else f"{found[0]}:{found[1]}"
