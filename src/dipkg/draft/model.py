"""A draft annotation as Python values: every item with its verbatim evidence and a confidence."""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from typing import Any

from dipkg.draft.mentions import Entities


@dataclass(frozen=True)
class Quote:
    """Words of the article and where they start (a character offset into article.txt)."""

    text: str
    start: int


@dataclass
class DraftPost:
    id: str
    type: str
    label: str
    represents: str | None
    accredited_to: str | None
    evidence: Quote
    confidence: float


@dataclass
class DraftHolding:
    post: str
    holder: str
    former: bool
    evidence: Quote
    confidence: float


@dataclass
class DraftEvent:
    id: str
    type: str
    label: Quote
    actors: list[str]
    targets: list[str]
    participants: list[str]
    date: dict[str, Any] | None
    evidence: list[Quote]
    confidence: float
    responds: bool = False
    responds_to: list[str] = field(default_factory=list)


@dataclass
class DraftAct:
    """An act threatened, planned, proposed, refused or denied: never an event."""

    id: str
    modality: str
    type: str
    label: Quote
    actors: list[str]
    targets: list[str]
    expressed_in: str
    evidence: Quote
    confidence: float


@dataclass
class DraftQuote:
    id: str
    speaker: str
    relayed_by: str | None
    text: Quote
    evidence: Quote
    confidence: float


@dataclass
class DraftClaim:
    id: str
    label: Quote
    claimants: list[str]
    alleges: str
    alleged_agents: list[str]
    made_in: str | None
    evidence: Quote
    confidence: float


@dataclass(frozen=True)
class ReviewItem:
    """A sentence the reviewer should read first, and why."""

    reason: str
    sentence: Quote


@dataclass
class Draft:
    """Everything drafted for one article."""

    entities: Entities
    posts: dict[str, DraftPost] = field(default_factory=dict)
    holdings: list[DraftHolding] = field(default_factory=list)
    events: dict[str, DraftEvent] = field(default_factory=dict)
    acts: dict[str, DraftAct] = field(default_factory=dict)
    quotes: dict[str, DraftQuote] = field(default_factory=dict)
    claims: dict[str, DraftClaim] = field(default_factory=dict)
    review: list[ReviewItem] = field(default_factory=list)


def trimmed_quote(text: str, start: int, end: int) -> Quote:
    """The words between two offsets, without surrounding blanks or a closing full stop."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:"):
        end -= 1
    return Quote(text[start:end], start)


def unique(values: Iterable[str]) -> list[str]:
    """The values without repeats, in the order first given."""
    found: list[str] = []
    for value in values:
        if value not in found:
            found.append(value)
    return found


def unique_key(base: str, taken: Container[str]) -> str:
    """The key, or the key numbered from 2 on, that is not taken yet."""
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key
