"""The curated seeds format: load entities, article metadata, text and annotation, and check them."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from dipkg.errors import InputError
from dipkg.layout import (
    ARTICLE_ANNOTATION_FILE,
    ARTICLE_META_FILE,
    ARTICLE_TEXT_FILE,
    ARTICLES_SUBDIR,
    ENTITIES_SUBDIR,
)
from dipkg.seeds.dates import DateError, parse_iso_date, resolve_weekday, weekday_in
from dipkg.seeds.evidence import QuoteNotFound, Span, locate
from dipkg.seeds.vocabulary import Vocabulary
from dipkg.seeds.yamlfile import LocatedDocument, Location, decode_utf8, load_yaml, read_bytes


@dataclass(frozen=True)
class Evidence:
    """A verbatim quote of the article, located by its span, and whom the article attributes it to."""

    quote: str
    span: Span
    source: str | None = None


@dataclass(frozen=True)
class TimeSpec:
    """When an event happened: the raw expression, and the date or year it resolves to."""

    text: str | None
    resolved: date | None
    year: int | None
    anchor_event: str | None


@dataclass
class Entity:
    """An actor or place; shared entities live in seeds/entities/, local ones in an annotation."""

    id: str
    type: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    description: str | None = None
    located_in: str | None = None
    body_of: str | None = None
    affiliated_with: str | None = None
    members: list[str] = field(default_factory=list)
    member_count: int | None = None
    wikidata: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Post:
    """An office that a person can hold (an ambassadorship, a ministry)."""

    id: str
    type: str
    label: str
    post_in: str | None
    represents: str | None
    accredited_to: str | None


@dataclass
class Concept:
    """A SKOS concept: a topic, or a kind of act a claim alleges."""

    id: str
    scheme: str
    label: str
    definition: str


@dataclass
class Scheme:
    """A SKOS concept scheme grouping concepts."""

    id: str
    label: str
    definition: str


@dataclass
class Registry:
    """Everything shared by the articles of a corpus."""

    schemes: dict[str, Scheme] = field(default_factory=dict)
    concepts: dict[str, Concept] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)


@dataclass
class Holding:
    """The article's statement that a person holds a post."""

    post: str
    holder: str
    evidence: list[Evidence]


@dataclass
class Event:
    """Something the article reports as done: a speech, a sanction, a summons."""

    id: str
    type: str
    label: str
    evidence: list[Evidence]
    actors: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    listed_targets: list[str] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    time: TimeSpec | None = None
    sub_events: list[str] = field(default_factory=list)
    responds_to: list[str] = field(default_factory=list)
    follows: list[str] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)
    first_since: str | None = None
    grounds: list[str] = field(default_factory=list)
    asks: Evidence | None = None


@dataclass
class Quote:
    """Words the article quotes, with their speaker and the outlet that relayed them."""

    id: str
    speaker: str
    text: Evidence
    evidence: list[Evidence]
    relayed_by: str | None = None
    during: str | None = None


@dataclass
class Claim:
    """What someone asserts (an allegation), recorded as theirs and never as a fact."""

    id: str
    label: str
    claimants: list[str]
    alleges: str
    evidence: list[Evidence]
    alleged_agents: list[str] = field(default_factory=list)
    about: list[str] = field(default_factory=list)
    made_in: str | None = None
    stated_in: str | None = None


@dataclass
class Article:
    """One article: metadata, verbatim text and everything its annotation states."""

    id: str
    headline: str
    publisher: str
    date_published: date
    date_basis: str | None
    language: str
    sha256: str
    text: str
    entities: dict[str, Entity] = field(default_factory=dict)
    holdings: list[Holding] = field(default_factory=list)
    events: dict[str, Event] = field(default_factory=dict)
    quotes: dict[str, Quote] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)


@dataclass
class Corpus:
    """A loaded and checked seeds folder."""

    registry: Registry
    articles: list[Article]


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads(
        (Path(__file__).parent / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")
    )
    base = jsonschema.validators.validator_for(schema)
    strict: type[jsonschema.protocols.Validator] = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        base,
        validators={"pattern": _whole_pattern},
        type_checker=base.TYPE_CHECKER.redefine("integer", _is_integer),
    )
    return strict(schema)


def _is_integer(_checker: object, instance: object) -> bool:
    """Only ints are integers: YAML's 1.0 is a float, which the code after the schema never expects."""
    return isinstance(instance, int) and not isinstance(instance, bool)


def _whole_pattern(
    _validator: object, pattern: str, instance: object, _schema: object
) -> Iterator[jsonschema.ValidationError]:
    """`pattern` with JSON Schema's meaning of `$`, the end of the text (Python's `$` also matches
    before a final newline, which let an id ending in a newline through)."""
    if isinstance(instance, str) and re.search(re.sub(r"(?<!\\)\$$", r"\\Z", pattern), instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def check_schema(document: LocatedDocument, name: str) -> None:
    """Validate a document against a bundled JSON Schema; the first error names its line."""
    errors = sorted(
        _validator(name).iter_errors(document.data),
        key=lambda err: [str(part) for part in err.absolute_path],
    )
    if errors:
        error = errors[0]
        location: Location = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            extra = next((key for key in error.instance if key not in known), None)
            if extra is not None:
                location = (*location, extra)
        where = "/".join(str(part) for part in error.absolute_path) or "top level"
        raise document.error(location, f"{where}: {error.message}")


def load_corpus(seeds_dir: Path, vocabulary: Vocabulary) -> Corpus:
    """Load and check every file of a seeds folder."""
    if not seeds_dir.is_dir():
        raise InputError("seeds folder not found", seeds_dir)
    registry = load_registry(seeds_dir / ENTITIES_SUBDIR, vocabulary)
    articles_dir = seeds_dir / ARTICLES_SUBDIR
    article_dirs = sorted(p for p in articles_dir.iterdir() if p.is_dir()) if articles_dir.is_dir() else []
    if not article_dirs:
        raise InputError(f"no article folders in {ARTICLES_SUBDIR}/", seeds_dir)
    articles = [load_article(d, registry, vocabulary) for d in article_dirs]
    return Corpus(registry, articles)


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
                registry.entities[key] = _entity(key, value, [])
            else:
                registry.posts[key] = Post(
                    key,
                    value["type"],
                    value["label"],
                    value.get("post_in"),
                    value.get("represents"),
                    value.get("accredited_to"),
                )


def _entity(key: str, value: dict[str, Any], evidence: list[Evidence]) -> Entity:
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
    )


ENTITY_REFERENCES = ("located_in", "body_of", "affiliated_with")


def _check_registry_references(document: LocatedDocument, registry: Registry, vocabulary: Vocabulary) -> None:
    data = document.data
    for key, value in data.get("concepts", {}).items():
        if value["scheme"] not in registry.schemes:
            raise document.error(("concepts", key, "scheme"), f"undefined scheme {value['scheme']!r}")
    for key, value in data.get("entities", {}).items():
        _check_entity(document, ("entities", key), value, registry.entities, vocabulary)
    for key, value in data.get("posts", {}).items():
        if value["type"] not in vocabulary.post_types:
            raise document.error(("posts", key, "type"), _unknown_class(value["type"], vocabulary.post_types))
        for ref in ("post_in", "represents", "accredited_to"):
            if ref in value and value[ref] not in registry.entities:
                raise document.error(("posts", key, ref), f"undefined entity {value[ref]!r}")


def _check_entity(
    document: LocatedDocument,
    location: Location,
    value: dict[str, Any],
    entities: dict[str, Entity],
    vocabulary: Vocabulary,
) -> None:
    if value["type"] not in vocabulary.entity_types:
        raise document.error((*location, "type"), _unknown_class(value["type"], vocabulary.entity_types))
    for ref in ENTITY_REFERENCES:
        if ref in value and value[ref] not in entities:
            raise document.error((*location, ref), f"undefined entity {value[ref]!r}")
    for index, member in enumerate(value.get("members", [])):
        if member not in entities:
            raise document.error((*location, "members", index), f"undefined entity {member!r}")


def _unknown_class(name: str, allowed: frozenset[str]) -> str:
    return f"{name!r} is not an ontology class allowed here (one of: {', '.join(sorted(allowed))})"


def load_article(article_dir: Path, registry: Registry, vocabulary: Vocabulary) -> Article:
    """Load one article folder: meta.yaml, article.txt and annotation.yaml."""
    seeds_dir = article_dir.parent.parent
    meta = load_yaml(article_dir / ARTICLE_META_FILE, seeds_dir)
    check_schema(meta, "meta")
    text_path = article_dir / ARTICLE_TEXT_FILE
    raw = read_bytes(text_path, seeds_dir)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != meta.data["text_sha256"]:
        raise meta.error(
            ("text_sha256",),
            f"{ARTICLE_TEXT_FILE} does not match its checksum (sha256 is {digest}); "
            "restore the text, or update text_sha256 and re-check the annotation",
        )
    text = decode_utf8(raw, text_path)
    try:
        published = parse_iso_date(meta.data["date_published"])
    except DateError as exc:
        raise meta.error(("date_published",), str(exc)) from exc
    if meta.data["id"] != article_dir.name:
        raise meta.error(("id",), f"id {meta.data['id']!r} differs from the folder name {article_dir.name!r}")
    if meta.data["headline"] not in text:
        raise meta.error(("headline",), "headline does not occur verbatim in the article text")
    if meta.data["publisher"] not in registry.entities:
        raise meta.error(("publisher",), f"undefined entity {meta.data['publisher']!r}")
    article = Article(
        id=meta.data["id"],
        headline=meta.data["headline"],
        publisher=meta.data["publisher"],
        date_published=published,
        date_basis=meta.data.get("date_published_basis"),
        language=meta.data["language"],
        sha256=digest,
        text=text,
    )
    annotation = load_yaml(article_dir / ARTICLE_ANNOTATION_FILE, seeds_dir)
    check_schema(annotation, "annotation")
    _AnnotationReader(annotation, article, registry, vocabulary).read()
    return article


class _AnnotationReader:
    """Turns one checked annotation document into the article's entities, events, quotes and claims."""

    def __init__(
        self, document: LocatedDocument, article: Article, registry: Registry, vocabulary: Vocabulary
    ) -> None:
        self.doc = document
        self.article = article
        self.registry = registry
        self.vocabulary = vocabulary
        self.data: dict[str, Any] = document.data

    def read(self) -> None:
        if self.data["article"] != self.article.id:
            raise self.doc.error(
                ("article",), f"annotation is for {self.data['article']!r}, not {self.article.id!r}"
            )
        self._read_entities()
        self._read_holdings()
        self._read_events()
        self._read_quotes()
        self._read_claims()
        self._check_event_links()
        self._resolve_dates()

    def _evidence(self, location: Location, items: list[Any]) -> list[Evidence]:
        return [self._one_evidence((*location, i), item) for i, item in enumerate(items)]

    def _one_evidence(self, location: Location, item: Any) -> Evidence:
        if isinstance(item, str):
            item = {"quote": item}
        try:
            span = locate(self.article.text, item["quote"], item.get("occurrence"))
        except QuoteNotFound as exc:
            raise self.doc.error(location, str(exc)) from exc
        source = item.get("source")
        if source is not None:
            self._entity_ref((*location, "source"), source)
        return Evidence(item["quote"], span, source)

    def _entity_ref(self, location: Location, ref: str) -> None:
        if ref not in self.registry.entities and ref not in self.article.entities:
            raise self.doc.error(location, f"undefined entity {ref!r}")

    def _entity_refs(self, location: Location, refs: list[str]) -> None:
        for index, ref in enumerate(refs):
            self._entity_ref((*location, index), ref)

    def _ref(self, location: Location, ref: str, table: dict[str, Any], kind: str) -> None:
        if ref not in table:
            raise self.doc.error(location, f"undefined {kind} {ref!r}")

    def _refs(self, location: Location, refs: list[str], table: dict[str, Any], kind: str) -> None:
        for index, ref in enumerate(refs):
            self._ref((*location, index), ref, table, kind)

    def _read_entities(self) -> None:
        entities = self.data.get("entities", {})
        for key, value in entities.items():
            if key in self.registry.entities:
                raise self.doc.error(
                    ("entities", key), f"entity {key!r} is already defined in {ENTITIES_SUBDIR}/"
                )
            evidence = self._evidence(("entities", key, "evidence"), value["evidence"])
            self.article.entities[key] = _entity(key, value, evidence)
        visible = {**self.registry.entities, **self.article.entities}
        for key, value in entities.items():
            _check_entity(self.doc, ("entities", key), value, visible, self.vocabulary)

    def _read_holdings(self) -> None:
        for index, value in enumerate(self.data.get("holdings", [])):
            location: Location = ("holdings", index)
            self._ref((*location, "post"), value["post"], self.registry.posts, "post")
            self._entity_ref((*location, "holder"), value["holder"])
            evidence = self._evidence((*location, "evidence"), value["evidence"])
            self.article.holdings.append(Holding(value["post"], value["holder"], evidence))

    def _read_events(self) -> None:
        for key, value in self.data["events"].items():
            location: Location = ("events", key)
            if value["type"] not in self.vocabulary.event_types:
                raise self.doc.error(
                    (*location, "type"), _unknown_class(value["type"], self.vocabulary.event_types)
                )
            for role in ("actors", "targets", "listed_targets", "participants", "places"):
                self._entity_refs((*location, role), value.get(role, []))
            self._refs((*location, "topics"), value.get("topics", []), self.registry.concepts, "concept")
            asks = value.get("asks")
            self.article.events[key] = Event(
                id=key,
                type=value["type"],
                label=value["label"],
                evidence=self._evidence((*location, "evidence"), value["evidence"]),
                actors=list(value.get("actors", [])),
                targets=list(value.get("targets", [])),
                listed_targets=list(value.get("listed_targets", [])),
                participants=list(value.get("participants", [])),
                places=list(value.get("places", [])),
                topics=list(value.get("topics", [])),
                sub_events=list(value.get("sub_events", [])),
                responds_to=list(value.get("responds_to", [])),
                follows=list(value.get("follows", [])),
                concerns=list(value.get("concerns", [])),
                first_since=value.get("first_since"),
                grounds=list(value.get("grounds", [])),
                asks=self._one_evidence((*location, "asks"), asks) if asks else None,
            )

    def _read_quotes(self) -> None:
        for key, value in self.data.get("quotes", {}).items():
            location: Location = ("quotes", key)
            self._entity_ref((*location, "speaker"), value["speaker"])
            if "relayed_by" in value:
                self._entity_ref((*location, "relayed_by"), value["relayed_by"])
            if "during" in value:
                self._ref((*location, "during"), value["during"], self.article.events, "event")
            words = {"quote": value["text"], "occurrence": value.get("occurrence")}
            self.article.quotes[key] = Quote(
                id=key,
                speaker=value["speaker"],
                text=self._one_evidence((*location, "text"), words),
                evidence=self._evidence((*location, "evidence"), value["evidence"]),
                relayed_by=value.get("relayed_by"),
                during=value.get("during"),
            )

    def _read_claims(self) -> None:
        concepts_and_entities = {**self.registry.concepts, **self.registry.entities, **self.article.entities}
        for key, value in self.data.get("claims", {}).items():
            location: Location = ("claims", key)
            self._entity_refs((*location, "claimants"), value["claimants"])
            self._entity_refs((*location, "alleged_agents"), value.get("alleged_agents", []))
            self._ref((*location, "alleges"), value["alleges"], self.registry.concepts, "concept")
            self._refs(
                (*location, "about"), value.get("about", []), concepts_and_entities, "entity or concept"
            )
            if "made_in" in value:
                self._ref((*location, "made_in"), value["made_in"], self.article.events, "event")
            if "stated_in" in value:
                self._ref((*location, "stated_in"), value["stated_in"], self.article.quotes, "quote")
            self.article.claims[key] = Claim(
                id=key,
                label=value["label"],
                claimants=list(value["claimants"]),
                alleges=value["alleges"],
                evidence=self._evidence((*location, "evidence"), value["evidence"]),
                alleged_agents=list(value.get("alleged_agents", [])),
                about=list(value.get("about", [])),
                made_in=value.get("made_in"),
                stated_in=value.get("stated_in"),
            )

    def _check_event_links(self) -> None:
        events = self.article.events
        for key, event in events.items():
            location: Location = ("events", key)
            for name in ("sub_events", "responds_to", "follows", "concerns"):
                refs: list[str] = getattr(event, name)
                self._refs((*location, name), refs, events, "event")
                if key in refs:
                    raise self.doc.error((*location, name), f"event {key!r} cannot refer to itself in {name}")
            if event.first_since is not None:
                self._ref((*location, "first_since"), event.first_since, events, "event")
            self._refs((*location, "grounds"), event.grounds, self.article.claims, "claim")

    def _resolve_dates(self) -> None:
        resolving: set[str] = set()
        for key in self.data["events"]:
            self._resolve_date(key, resolving)

    def _resolve_date(self, key: str, resolving: set[str]) -> TimeSpec | None:
        event = self.article.events[key]
        spec = self.data["events"][key].get("date")
        if spec is None or event.time is not None:
            return event.time
        location: Location = ("events", key, "date")
        if key in resolving:
            raise self.doc.error(location, f"dates of events refer to each other in a circle through {key!r}")
        resolving.add(key)
        text = spec.get("text")
        if text is not None and text not in self.article.text:
            raise self.doc.error(
                (*location, "text"), f"time expression not found verbatim in the article text: {text!r}"
            )
        try:
            weekday = weekday_in(text) if text else None
            explicit = parse_iso_date(spec["iso"]) if "iso" in spec else None
        except DateError as exc:
            raise self.doc.error(location, str(exc)) from exc
        anchor_key = spec.get("relative_to")
        resolved = explicit
        if weekday is not None:
            anchor = self._anchor_date(location, anchor_key, resolving)
            try:
                resolved = resolve_weekday(weekday, anchor, spec.get("direction", "past"))
            except DateError as exc:
                raise self.doc.error(location, str(exc)) from exc
            if explicit is not None and explicit != resolved:
                raise self.doc.error(
                    location, f"iso {explicit} contradicts {text!r}, which resolves to {resolved}"
                )
        elif anchor_key is not None:
            raise self.doc.error(location, "relative_to needs a text that names a weekday")
        if resolved is not None and resolved > self.article.date_published:
            raise self.doc.error(
                location, f"date {resolved} lies after the publication date {self.article.date_published}"
            )
        year = spec.get("year")
        if year is not None and year > self.article.date_published.year:
            raise self.doc.error(location, f"year {year} lies after the publication date")
        if resolved is not None and year is not None and resolved.year != year:
            raise self.doc.error(location, f"year {year} contradicts the date {resolved}")
        event.time = TimeSpec(text, resolved, year, anchor_key)
        resolving.discard(key)
        return event.time

    def _anchor_date(self, location: Location, anchor_key: str | None, resolving: set[str]) -> date:
        if anchor_key is None:
            return self.article.date_published
        self._ref((*location, "relative_to"), anchor_key, self.article.events, "event")
        anchor = self._resolve_date(anchor_key, resolving)
        if anchor is None or anchor.resolved is None:
            raise self.doc.error(
                (*location, "relative_to"), f"event {anchor_key!r} has no resolved date to count from"
            )
        return anchor.resolved
