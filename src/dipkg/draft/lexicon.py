"""The drafter's knowledge of language, read from data: event words, titles, modality, gazetteer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dipkg.errors import InputError

EVENTS_FILE = "events.yaml"
TITLES_FILE = "titles.yaml"
GAZETTEER_FILE = "gazetteer.yaml"


@dataclass(frozen=True)
class NounCue:
    """A noun naming an act, with the words that must precede it ("state" visit, "counter-" sanction)."""

    head: str
    prefix: str


@dataclass(frozen=True)
class EventCue:
    """The words that signal one event type and how its roles are read."""

    type: str
    verbs: frozenset[str]
    nouns: tuple[NounCue, ...]
    objects: frozenset[str]
    targets: frozenset[str]
    participants: frozenset[str]
    agents: frozenset[str]
    one_per_target: bool
    dyadic: bool
    confidence: float


@dataclass(frozen=True)
class Title:
    """A title naming a post ("vice foreign minister"), and whether the post is diplomatic."""

    words: str
    post_type: str
    diplomatic: bool


@dataclass(frozen=True)
class Place:
    """A state or organisation of the gazetteer and the names news uses for it."""

    id: str
    label: str
    type: str
    names: tuple[str, ...]
    demonyms: tuple[str, ...] = ()
    capitals: tuple[str, ...] = ()
    seats: tuple[tuple[str, str], ...] = ()


@dataclass
class Lexicon:
    """Everything the drafter knows of diplomatic English."""

    events: list[EventCue]
    light_verbs: frozenset[str]
    auxiliaries: dict[str, str]
    governors: dict[str, str]
    requests: frozenset[str]
    obligations: frozenset[str]
    reporting_verbs: frozenset[str]
    relaying_verbs: frozenset[str]
    relaying_phrases: tuple[str, ...]
    posting_verbs: frozenset[str]
    responses: tuple[str, ...]
    claim_verbs: frozenset[str]
    claim_events: frozenset[str]
    wrongdoing: frozenset[str]
    alleged_categories: frozenset[str]
    anaphors: frozenset[str]
    departures: frozenset[str]
    diplomats: frozenset[str]
    announcing: frozenset[str]
    titles: list[Title]
    dateline_posts: frozenset[str]
    bodies: tuple[str, ...]
    needs_target: frozenset[str]
    target_posts: dict[str, str]
    places: list[Place] = field(default_factory=list)

    def cues_for_verb(self, lemma: str) -> list[EventCue]:
        return [cue for cue in self.events if lemma in cue.verbs]

    def title_words(self) -> frozenset[str]:
        """Every word of a title ("secretary", "state"): never a name on its own."""
        return frozenset(word for title in self.titles for word in title.words.split())

    def cues_for_noun(self, lemma: str) -> list[EventCue]:
        return [cue for cue in self.events if any(noun.head == lemma for noun in cue.nouns)]


def load_lexicon(folder: Path) -> Lexicon:
    """The lexicon kept in `folder` (events.yaml, titles.yaml, gazetteer.yaml)."""
    events = _read(folder / EVENTS_FILE)
    titles = _read(folder / TITLES_FILE)
    gazetteer = _read(folder / GAZETTEER_FILE)
    auxiliaries: dict[str, str] = {}
    governors: dict[str, str] = {}
    for modality, words in events["modality"].items():
        for word in words.get("auxiliaries", []):
            auxiliaries[word] = modality
        for word in words.get("governors", []):
            governors[word] = modality
    return Lexicon(
        events=[_cue(value["type"], value) for value in events["events"]],
        light_verbs=frozenset(events["light_verbs"]),
        auxiliaries=auxiliaries,
        governors=governors,
        requests=frozenset(events["requests"]),
        obligations=frozenset(events["obligations"]),
        reporting_verbs=frozenset(events["reporting_verbs"]),
        relaying_verbs=frozenset(events["relaying_verbs"]),
        relaying_phrases=tuple(events["relaying_phrases"]),
        posting_verbs=frozenset(events["posting_verbs"]),
        responses=tuple(events["responses"]),
        claim_verbs=frozenset(events["claim_verbs"]),
        claim_events=frozenset(events["claim_events"]),
        wrongdoing=frozenset(events["wrongdoing"]),
        alleged_categories=frozenset(events["alleged_categories"]),
        anaphors=frozenset(events["anaphors"]),
        departures=frozenset(events["departures"]),
        diplomats=frozenset(events["diplomats"]),
        announcing=frozenset(events["announcing"]),
        needs_target=frozenset(events["needs_target"]),
        target_posts=dict(events["target_posts"]),
        dateline_posts=frozenset(titles["dateline_posts"]),
        bodies=tuple(titles["bodies"]),
        titles=sorted(
            (Title(words, v["post"], bool(v.get("diplomatic"))) for words, v in titles["titles"].items()),
            key=lambda title: (-len(title.words), title.words),
        ),
        places=_places(gazetteer),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the drafting lexicon ({exc})", path) from exc
    if not isinstance(data, dict):
        raise InputError("the drafting lexicon is not a mapping", path)
    _check_words(data, path)
    return data


def _check_words(value: Any, path: Path, where: str = "") -> None:
    """Every word of a list is text: YAML reads a bare `on` or `no` as true or false."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_words(item, path, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list):
                _check_words(item, path, where)
            elif not isinstance(item, str):
                raise InputError(f'{where}: {item!r} is not a word; quote it ("on", "no")', path)


def _cue(name: str, value: dict[str, Any]) -> EventCue:
    nouns = []
    for noun in value.get("nouns", []):
        words = str(noun).rsplit(" ", 1) if " " in str(noun) else str(noun).rsplit("-", 1)
        if len(words) == 2:
            separator = " " if " " in str(noun) else "-"
            nouns.append(NounCue(words[1], words[0] + separator))
        else:
            nouns.append(NounCue(str(noun), ""))
    return EventCue(
        type=name,
        verbs=frozenset(value.get("verbs", [])),
        nouns=tuple(nouns),
        objects=frozenset(value.get("objects", [])),
        targets=frozenset(value.get("targets", [])),
        participants=frozenset(value.get("participants", [])),
        agents=frozenset(value.get("agents", [])),
        one_per_target=bool(value.get("one_per_target")),
        dyadic=bool(value.get("dyadic")),
        confidence=float(value.get("confidence", 0.5)),
    )


def _places(gazetteer: dict[str, Any]) -> list[Place]:
    places = [
        Place(
            id=key,
            label=value["label"],
            type="Country",
            names=tuple(value.get("names") or ()),
            demonyms=tuple(value.get("demonyms") or ()),
            capitals=tuple(value.get("capitals") or ()),
            seats=tuple(sorted((value.get("seats") or {}).items())),
        )
        for key, value in (gazetteer.get("countries") or {}).items()
    ]
    places.extend(
        Place(
            id=key,
            label=value["label"],
            type=value["kind"],
            names=tuple(value.get("names") or ()),
            demonyms=tuple(value.get("demonyms") or ()),
        )
        for key, value in (gazetteer.get("organizations") or {}).items()
    )
    return places
