"""The registry of shared entities, posts, concepts and schemes: seeds/entities/*.yaml merged and checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dipkg.errors import InputError
from dipkg.seeds.model import (
    Concept,
    Entity,
    Evidence,
    Post,
    Registry,
    Scheme,
)
from dipkg.seeds.schemas import check_schema
from dipkg.seeds.vocabulary import Vocabulary
from dipkg.seeds.yamlfile import LocatedDocument, Location, load_yaml


def load_registry(entities_dir: Path, vocabulary: Vocabulary) -> Registry:
    """Merge seeds/entities/*.yaml; an id defined twice is an error."""
    registry = Registry()
    files = sorted(entities_dir.glob("*.yaml")) if entities_dir.is_dir() else []
    if not files:
        raise InputError("no entity files (*.yaml)", entities_dir)
    documents = [load_yaml(f, entities_dir.parent) for f in files]
    for document in documents:
        check_schema(document, "entities")
        _merge_registry(document, registry)
    for document in documents:
        _check_registry_references(document, registry, vocabulary)
    return registry


SECTION_ITEMS = {"schemes": "scheme", "concepts": "concept", "entities": "entity", "posts": "post"}


def _merge_registry(document: LocatedDocument, registry: Registry) -> None:
    data = document.data
    targets: dict[str, dict[str, Any]] = {
        "schemes": registry.schemes,
        "concepts": registry.concepts,
        "entities": registry.entities,
        "posts": registry.posts,
    }
    for section, items in data.items():
        for key, value in items.items():
            if key in targets[section]:
                raise document.error((section, key), f"{SECTION_ITEMS[section]} {key!r} is defined twice")
            if section == "schemes":
                registry.schemes[key] = Scheme(key, value["label"], value["definition"])
            elif section == "concepts":
                registry.concepts[key] = Concept(key, value["scheme"], value["label"], value["definition"])
            elif section == "entities":
                registry.entities[key] = entity_of(key, value, [])
            else:
                registry.posts[key] = post_of(key, value, [])


def post_of(key: str, value: dict[str, Any], evidence: list[Evidence]) -> Post:
    return Post(
        id=key,
        type=value["type"],
        label=value["label"],
        post_in=value.get("post_in"),
        represents=value.get("represents"),
        accredited_to=value.get("accredited_to"),
        evidence=evidence,
        confidence=value.get("confidence"),
    )


def entity_of(key: str, value: dict[str, Any], evidence: list[Evidence]) -> Entity:
    wikidata = value.get("wikidata")
    return Entity(
        id=key,
        type=value["type"],
        label=value["label"],
        alt_labels=list(value.get("alt_labels", [])),
        description=value.get("description"),
        located_in=value.get("located_in"),
        body_of=value.get("body_of"),
        affiliated_with=value.get("affiliated_with"),
        members=list(value.get("members", [])),
        member_count=value.get("member_count"),
        wikidata=wikidata["id"] if wikidata else None,
        evidence=evidence,
        confidence=value.get("confidence"),
    )


ENTITY_REFERENCES = ("located_in", "body_of", "affiliated_with")
GROUP_FIELDS = ("members", "member_count")


def _check_registry_references(document: LocatedDocument, registry: Registry, vocabulary: Vocabulary) -> None:
    data = document.data
    for key, value in data.get("concepts", {}).items():
        if value["scheme"] not in registry.schemes:
            raise document.error(("concepts", key, "scheme"), f"undefined scheme {value['scheme']!r}")
    for key, value in data.get("entities", {}).items():
        check_entity(document, ("entities", key), value, registry.entities, vocabulary)
    for key, value in data.get("posts", {}).items():
        check_post(document, ("posts", key), value, registry.entities, vocabulary)


POST_REFERENCES = ("post_in", "represents", "accredited_to")


def check_post(
    document: LocatedDocument,
    location: Location,
    value: dict[str, Any],
    entities: dict[str, Entity],
    vocabulary: Vocabulary,
) -> None:
    if value["type"] not in vocabulary.post_types:
        raise document.error((*location, "type"), unknown_class(value["type"], vocabulary.post_types))
    for ref in POST_REFERENCES:
        if ref in value and value[ref] not in entities:
            raise document.error((*location, ref), f"undefined entity {value[ref]!r}")


def check_entity(
    document: LocatedDocument,
    location: Location,
    value: dict[str, Any],
    entities: dict[str, Entity],
    vocabulary: Vocabulary,
) -> None:
    if value["type"] not in vocabulary.entity_types:
        raise document.error((*location, "type"), unknown_class(value["type"], vocabulary.entity_types))
    for field in GROUP_FIELDS:
        if field in value and value["type"] not in vocabulary.group_types:
            raise document.error(
                (*location, field), f"{field} is for groups of actors, not for a {value['type']}"
            )
    if "affiliated_with" in value and value["type"] not in vocabulary.affiliable_types:
        message = f"affiliated_with is for groups and organisations, not for a {value['type']}"
        raise document.error((*location, "affiliated_with"), message)
    for ref in ENTITY_REFERENCES:
        if ref in value and value[ref] not in entities:
            raise document.error((*location, ref), f"undefined entity {value[ref]!r}")
    for index, member in enumerate(value.get("members", [])):
        if member not in entities:
            raise document.error((*location, "members", index), f"undefined entity {member!r}")


def unknown_class(name: str, allowed: frozenset[str]) -> str:
    return f"{name!r} is not an ontology class allowed here (one of: {', '.join(sorted(allowed))})"
