"""What the ontology allows annotations to name: entity, post and event classes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from dipkg.errors import InputError
from dipkg.namespaces import DIP
from dipkg.seeds.yamlfile import read_bytes


@dataclass(frozen=True)
class Vocabulary:
    """Local names (in dip:) of the classes each kind of annotated thing may have."""

    entity_types: frozenset[str]
    post_types: frozenset[str]
    event_types: frozenset[str]
    group_types: frozenset[str]
    affiliable_types: frozenset[str]


def load_ontology(path: Path) -> Graph:
    """Parse the ontology's Turtle, reporting syntax errors as one line."""
    data = read_bytes(path)
    graph = Graph(bind_namespaces="none")
    try:
        graph.parse(data=data, format="turtle", publicID=str(DIP))
    except Exception as exc:
        raise InputError(f"cannot parse ontology: {exc}".splitlines()[0], path) from exc
    return graph


def load_vocabulary(paths: Iterable[Path]) -> Graph:
    """The ontology and its code lists as one graph (published as kg/ontology.ttl)."""
    graph = Graph(bind_namespaces="none")
    for path in paths:
        graph += load_ontology(path)
    return graph


def vocabulary_of(ontology: Graph) -> Vocabulary:
    """The classes below dip:Actor and dip:Place, dip:Post and dip:Event, by local name."""
    return Vocabulary(
        entity_types=_local_subclasses(ontology, DIP.Actor) | _local_subclasses(ontology, DIP.Place),
        post_types=_local_subclasses(ontology, DIP.Post),
        event_types=_local_subclasses(ontology, DIP.Event),
        group_types=_local_subclasses(ontology, DIP.ActorGroup),
        affiliable_types=_local_subclasses(ontology, DIP.ActorGroup)
        | _local_subclasses(ontology, DIP.Organization),
    )


def _local_subclasses(ontology: Graph, root: URIRef) -> frozenset[str]:
    found = set(ontology.transitive_subjects(RDFS.subClassOf, root))
    return frozenset(str(cls)[len(str(DIP)) :] for cls in found if str(cls).startswith(str(DIP)))
