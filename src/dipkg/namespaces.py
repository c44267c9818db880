"""Namespaces, the fixed prefix map of every published file, and IRI minting."""

from __future__ import annotations

import hashlib

from rdflib import Graph, Namespace
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

DEFAULT_BASE_IRI = "https://w3id.org/dipkg/"

DIP = Namespace("https://w3id.org/dipkg/ontology#")
DIPSH = Namespace("https://w3id.org/dipkg/shapes#")
CAMEO = Namespace("https://w3id.org/dipkg/codes/cameo/")
PLOVER = Namespace("https://w3id.org/dipkg/codes/plover/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
VANN = Namespace("http://purl.org/vocab/vann/")
WD = Namespace("http://www.wikidata.org/entity/")

STANDARD_PREFIXES: dict[str, Namespace] = {
    "dip": DIP,
    "dipsh": DIPSH,
    "cameo": CAMEO,
    "plover": PLOVER,
    "sem": SEM,
    "schema": SCHEMA,
    "org": ORG,
    "prov": PROV,
    "oa": OA,
    "dcterms": DCTERMS,
    "vann": VANN,
    "skos": Namespace(str(SKOS)),
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "sh": Namespace("http://www.w3.org/ns/shacl#"),
    "xsd": Namespace(str(XSD)),
    "wd": WD,
    "void": Namespace("http://rdfs.org/ns/void#"),
    "dcat": Namespace("http://www.w3.org/ns/dcat#"),
}


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
        self.graph = Namespace(base_iri + "graph/")

    def prefixes(self) -> dict[str, Namespace]:
        """The prefix map of a published file: the standard prefixes plus the data prefixes."""
        data = {
            "ent": self.entity,
            "post": self.post,
            "concept": self.concept,
            "art": self.article,
            "ev": self.event,
            "quote": self.quote,
            "claim": self.claim,
            "holding": self.holding,
        }
        return {**STANDARD_PREFIXES, **data}


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
