"""The seeds as Python values: the registry of shared entities, and each article with what it states."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dipkg.seeds.evidence import Span


@dataclass(frozen=True)
class Evidence:
    """A verbatim quote of the article, located by its span, and whom the article attributes it to."""

    quote: str
    span: Span
    source: str | None = None


@dataclass(frozen=True)
class TimeSpec:
    """When an event happened: the raw expression, and the date or year it resolves to; or, for an
    event the article places on or before another one, the latest date it can have happened on."""

    text: str | None
    resolved: date | None
    year: int | None
    anchor_event: str | None
    latest: date | None = None


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
    confidence: float | None = None


@dataclass
class Post:
    """An office that a person can hold (an ambassadorship, a ministry); shared posts live in
    seeds/entities/, local ones (with their evidence) in an annotation."""

    id: str
    type: str
    label: str
    post_in: str | None
    represents: str | None
    accredited_to: str | None
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float | None = None


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
    former: bool = False
    confidence: float | None = None


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
    rejects: list[str] = field(default_factory=list)
    confidence: float | None = None


@dataclass
class Quote:
    """Words the article quotes, with their speaker and the outlet that relayed them."""

    id: str
    speaker: str
    text: Evidence
    evidence: list[Evidence]
    relayed_by: str | None = None
    during: str | None = None
    confidence: float | None = None


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
    confidence: float | None = None


@dataclass
class UnrealizedAct:
    """What the article reports as threatened, planned, proposed, refused or denied: not an event."""

    id: str
    modality: str
    label: str
    expressed_in: str
    evidence: list[Evidence]
    type: str | None = None
    actors: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    confidence: float | None = None


@dataclass(frozen=True)
class Drafting:
    """Who drafted an annotation (a program and its version) and on which day."""

    tool: str
    version: str
    on: date


@dataclass(frozen=True)
class ReviewNote:
    """A passage the reviewer of a draft should read first, and why."""

    reason: str
    evidence: list[Evidence]


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
    status: str = "reviewed"
    drafted: Drafting | None = None
    entities: dict[str, Entity] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    holdings: list[Holding] = field(default_factory=list)
    events: dict[str, Event] = field(default_factory=dict)
    quotes: dict[str, Quote] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    unrealized: dict[str, UnrealizedAct] = field(default_factory=dict)
    review: list[ReviewNote] = field(default_factory=list)

    @property
    def is_draft(self) -> bool:
        """Whether the annotation is a draft nobody has reviewed yet."""
        return self.status == "draft"


@dataclass
class Corpus:
    """A loaded and checked seeds folder."""

    registry: Registry
    articles: list[Article]
