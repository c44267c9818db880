"""Namespaces, the fixed prefix map of every published file, and IRI minting."""

from __future__ import annotations

import hashlib

from rdflib import Graph, Namespace

from dipkg.iris import DEFAULT_BASE_IRI, STANDARD_NAMESPACES, prefix_map

__all__ = ["DEFAULT_BASE_IRI"]

DIP = Namespace(STANDARD_NAMESPACES["dip"])
CAMEO = Namespace(STANDARD_NAMESPACES["cameo"])
PLOVER = Namespace(STANDARD_NAMESPACES["plover"])
MODALITY = Namespace(STANDARD_NAMESPACES["modality"])
SCHEMA = Namespace(STANDARD_NAMESPACES["schema"])
ORG = Namespace(STANDARD_NAMESPACES["org"])
PROV = Namespace(STANDARD_NAMESPACES["prov"])
OA = Namespace(STANDARD_NAMESPACES["oa"])
DCTERMS = Namespace(STANDARD_NAMESPACES["dcterms"])
VANN = Namespace(STANDARD_NAMESPACES["vann"])
WD = Namespace(STANDARD_NAMESPACES["wd"])


class DataNamespaces:
    """The data IRIs under one base IRI: entities, events, claims, articles and graphs."""

    def __init__(self, base_iri: str = DEFAULT_BASE_IRI) -> None:
        self.base = base_iri
        self.entity = Namespace(base_iri + "entity/")
        self.post = Namespace(base_iri + "post/")
        self.concept = Namespace(base_iri + "concept/")
        self.article = Namespace(base_iri + "article/")
        self.event = Namespace(base_iri + "event/")
        self.quote = Namespace(base_iri + "quote/")
        self.claim = Namespace(base_iri + "claim/")
        self.holding = Namespace(base_iri + "holding/")
        self.act = Namespace(base_iri + "act/")
        self.graph = Namespace(base_iri + "graph/")

    def prefixes(self) -> dict[str, Namespace]:
        """The prefix map of a published file: the standard prefixes plus the data prefixes."""
        return {prefix: Namespace(namespace) for prefix, namespace in prefix_map(self.base).items()}


def content_key(*parts: object) -> str:
    """A short, stable hash of the given parts, used to mint IRIs from content."""
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def new_graph(prefixes: dict[str, Namespace]) -> Graph:
    """An empty graph bound to exactly the given prefixes (no rdflib defaults)."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph
