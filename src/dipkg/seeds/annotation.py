"""Loading a seeds folder: the registry, then each article's metadata, text and annotation, checked."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from dipkg.errors import InputError
from dipkg.layout import (
    ARTICLE_ANNOTATION_FILE,
    ARTICLE_META_FILE,
    ARTICLE_TEXT_FILE,
    ARTICLES_SUBDIR,
    ENTITIES_SUBDIR,
)
from dipkg.seeds.dates import DateError, parse_iso_date
from dipkg.seeds.event_dates import EventDates
from dipkg.seeds.evidence import QuoteNotFound, Span, find_occurrences, locate
from dipkg.seeds.model import (
    Article,
    Claim,
    Corpus,
    Drafting,
    Event,
    Evidence,
    Holding,
    Quote,
    Registry,
    ReviewNote,
    UnrealizedAct,
)
from dipkg.seeds.registry import (
    check_entity,
    check_post,
    entity_of,
    load_registry,
    post_of,
    unknown_class,
)
from dipkg.seeds.schemas import check_schema
from dipkg.seeds.vocabulary import Vocabulary
from dipkg.seeds.yamlfile import LocatedDocument, Location, decode_utf8, load_yaml, read_bytes


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
        self._read_status()
        self._read_entities()
        self._read_posts()
        self._read_holdings()
        self._read_events()
        self._read_quotes()
        self._read_claims()
        self._read_unrealized()
        self._check_event_links()
        self._read_review()
        EventDates(self.doc, self.article).resolve()

    def _read_status(self) -> None:
        self.article.status = self.data.get("status", "reviewed")
        drafted = self.data.get("drafted")
        if drafted is not None:
            try:
                on = parse_iso_date(drafted["on"])
            except DateError as exc:
                raise self.doc.error(("drafted", "on"), str(exc)) from exc
            self.article.drafted = Drafting(drafted["tool"], drafted["version"], on)

    def _evidence(self, location: Location, items: list[Any]) -> list[Evidence]:
        return [self._one_evidence((*location, i), item) for i, item in enumerate(items)]

    def _one_evidence(self, location: Location, item: Any) -> Evidence:
        if isinstance(item, str):
            item = {"quote": item}
        if "start" in item:
            span = self._at_offset((*location, "start"), item["quote"], item["start"])
        else:
            try:
                span = locate(self.article.text, item["quote"], item.get("occurrence"))
            except QuoteNotFound as exc:
                raise self.doc.error(location, str(exc)) from exc
        source = item.get("source")
        if source is not None:
            self._entity_ref((*location, "source"), source)
        return Evidence(item["quote"], span, source)

    def _at_offset(self, location: Location, quote: str, start: int) -> Span:
        """The span of `quote` at `start`, which must be where the text has it."""
        span = Span(start, start + len(quote))
        if span.slice(self.article.text) != quote:
            starts = find_occurrences(self.article.text, quote)
            where = (
                f"it occurs at {min(starts, key=lambda found: (abs(found - start), found))}"
                if starts
                else "it does not occur"
            )
            raise self.doc.error(location, f"quote is not at offset {start} ({where})")
        return span

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
            self.article.entities[key] = entity_of(key, value, evidence)
        visible = {**self.registry.entities, **self.article.entities}
        for key, value in entities.items():
            check_entity(self.doc, ("entities", key), value, visible, self.vocabulary)

    def _read_posts(self) -> None:
        visible = {**self.registry.entities, **self.article.entities}
        for key, value in self.data.get("posts", {}).items():
            if key in self.registry.posts:
                raise self.doc.error(("posts", key), f"post {key!r} is already defined in {ENTITIES_SUBDIR}/")
            check_post(self.doc, ("posts", key), value, visible, self.vocabulary)
            evidence = self._evidence(("posts", key, "evidence"), value["evidence"])
            self.article.posts[key] = post_of(key, value, evidence)

    def _read_holdings(self) -> None:
        for index, value in enumerate(self.data.get("holdings", [])):
            location: Location = ("holdings", index)
            posts = {**self.registry.posts, **self.article.posts}
            self._ref((*location, "post"), value["post"], posts, "post")
            self._entity_ref((*location, "holder"), value["holder"])
            evidence = self._evidence((*location, "evidence"), value["evidence"])
            holding = Holding(
                value["post"], value["holder"], evidence, value.get("former", False), value.get("confidence")
            )
            self.article.holdings.append(holding)

    def _read_events(self) -> None:
        for key, value in self.data["events"].items():
            location: Location = ("events", key)
            if value["type"] not in self.vocabulary.event_types:
                raise self.doc.error(
                    (*location, "type"), unknown_class(value["type"], self.vocabulary.event_types)
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
                rejects=list(value.get("rejects", [])),
                confidence=value.get("confidence"),
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
                confidence=value.get("confidence"),
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
                confidence=value.get("confidence"),
            )

    def _read_unrealized(self) -> None:
        for key, value in self.data.get("unrealized", {}).items():
            location: Location = ("unrealized", key)
            if key in self.article.events:
                raise self.doc.error(location, f"{key!r} is already the id of an event")
            act_type = value.get("type")
            if act_type is not None and act_type not in self.vocabulary.event_types:
                raise self.doc.error(
                    (*location, "type"), unknown_class(act_type, self.vocabulary.event_types)
                )
            for role in ("actors", "targets"):
                self._entity_refs((*location, role), value.get(role, []))
            self._ref((*location, "expressed_in"), value["expressed_in"], self.article.events, "event")
            self.article.unrealized[key] = UnrealizedAct(
                id=key,
                modality=value["modality"],
                label=value["label"],
                expressed_in=value["expressed_in"],
                evidence=self._evidence((*location, "evidence"), value["evidence"]),
                type=act_type,
                actors=list(value.get("actors", [])),
                targets=list(value.get("targets", [])),
                confidence=value.get("confidence"),
            )

    def _read_review(self) -> None:
        for index, value in enumerate(self.data.get("review", [])):
            evidence = self._evidence(("review", index, "evidence"), value["evidence"])
            self.article.review.append(ReviewNote(value["reason"], evidence))

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
            rejectable = {**self.article.claims, **events, **self.article.unrealized}
            self._refs((*location, "rejects"), event.rejects, rejectable, "claim, event or unrealized act")
            if key in event.rejects:
                raise self.doc.error((*location, "rejects"), f"event {key!r} cannot reject itself")
