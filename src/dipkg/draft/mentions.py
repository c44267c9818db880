"""Names in the text linked to entities: the registry's, the gazetteer's, or new ones the draft proposes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from dipkg.draft.lexicon import Lexicon
from dipkg.seeds.model import Registry

# spaCy entity labels and the kind of entity a new name of that label is proposed as.
NEW_ENTITY_TYPES = {"PERSON": "Person", "ORG": "Organization", "GPE": "City", "LOC": "Region", "FAC": "Venue"}
# Entity types that act (as opposed to places).
PLACE_TYPES = frozenset({"City", "Region", "Venue"})
# Entity types that are sides in their own right: states and their organisations.
STATE_TYPES = frozenset({"Country", "InternationalOrganization"})
# Kinds the entity recogniser may give a person's name by mistake.
NAME_TYPES = frozenset({"City", "Region", "Venue"})
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers"})
THING_PRONOUNS = frozenset({"it", "its"})


@dataclass(frozen=True)
class Mention:
    """A name in the text (token span) and the entity it names."""

    start: int
    end: int
    entity: str
    via: str  # how the name was read: "name", "demonym", "capital", "seat", "pronoun"


@dataclass
class Proposed:
    """An entity the registry lacks, proposed by the draft with the words that name it."""

    id: str
    type: str
    label: str
    evidence: str
    start: int
    confidence: float
    body_of: str | None = None


@dataclass
class Entities:
    """The entities of one article: what each name refers to, and the new ones proposed."""

    registry: Registry
    proposed: dict[str, Proposed] = field(default_factory=dict)
    by_token: dict[int, Mention] = field(default_factory=dict)
    dateline: str | None = None  # the state whose capital heads the story

    def type_of(self, entity: str) -> str:
        if entity in self.proposed:
            return self.proposed[entity].type
        return self.registry.entities[entity].type

    def is_person(self, entity: str) -> bool:
        return self.type_of(entity) == "Person"

    def body_of(self, entity: str) -> str | None:
        """The state a proposed government body belongs to."""
        proposed = self.proposed.get(entity)
        return proposed.body_of if proposed is not None else None

    def as_person(self, entity: str) -> None:
        """A proposed name that a title introduces ("lawmaker Sjoerd Sjoerdsma") is a person's,
        whatever the entity recogniser said; registry entities and states keep their kind."""
        proposed = self.proposed.get(entity)
        if proposed is not None and proposed.type in NAME_TYPES and proposed.evidence[:1].isupper():
            proposed.type = "Person"

    def is_place(self, entity: str) -> bool:
        return self.type_of(entity) in PLACE_TYPES

    def at(self, token_index: int) -> Mention | None:
        return self.by_token.get(token_index)

    def mark(self, start: int, end: int, entity: str, via: str) -> None:
        """Tokens start..end name the entity."""
        mention = Mention(start, end, entity, via)
        for i in range(start, end):
            self.by_token[i] = mention

    def mentions(self) -> list[Mention]:
        return sorted(set(self.by_token.values()), key=lambda m: m.start)


def slug(text: str) -> str:
    """An id from a name: ASCII letters and digits joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words) or "entity"


class Linker:
    """Finds the names of an article and links them, built once per registry and lexicon."""

    def __init__(self, nlp_vocab: object, registry: Registry, lexicon: Lexicon, make_doc: object) -> None:
        self.registry = registry
        self.targets: dict[str, tuple[str, str, str | None]] = {}
        labels = {entity.label: key for key, entity in registry.entities.items()}
        for key, entity in sorted(registry.entities.items()):
            for name in (entity.label, *entity.alt_labels):
                self.targets.setdefault(name, (key, "name", None))
        people = [e.label for e in registry.entities.values() if e.type == "Person"]
        for part, key in sorted(_parts_of(people).items()):
            if " " not in part or part not in self.targets:
                self.targets.setdefault(part, (_registry_key(registry, key, part), "part", None))
        self.places: dict[str, tuple[str, str]] = {}
        for place in lexicon.places:
            key = labels.get(place.label, place.id)
            self.places[key] = (place.type, place.label)
            for name in (place.label, *place.names):
                self.targets.setdefault(name, (key, "name", None))
            for name in place.demonyms:
                self.targets.setdefault(name, (key, "demonym", None))
                if not name.endswith(("s", "sh", "ch", "ese")):
                    self.targets.setdefault(name + "s", (key, "demonym", None))
            for name in place.capitals:
                self.targets.setdefault(name, (key, "capital", None))
            for name, _kind in place.seats:
                self.targets.setdefault(name, (slug(name), "seat", key))
        self.title_words = lexicon.title_words()
        # The head noun of each body's name, and the words that may precede it ("foreign" ministry).
        self.bodies: dict[str, set[str]] = {}
        for body in lexicon.bodies:
            *before, head = body.split()
            self.bodies.setdefault(head, set()).update(before)
        self.matcher = PhraseMatcher(nlp_vocab)  # type: ignore[arg-type]
        for name in sorted(self.targets):
            self.matcher.add(name, [make_doc(name)])  # type: ignore[operator]

    def link(self, doc: Doc) -> Entities:
        """Every name of the document linked; names of no known entity proposed as new ones."""
        entities = Entities(self.registry)
        strings = doc.vocab.strings
        persons = [ent for ent in doc.ents if ent.label_ == "PERSON"]
        spans = [
            span
            for match_id, start, end in self.matcher(doc)
            if not self._inside_longer_name(span := Span(doc, start, end, label=match_id), persons)
        ]
        dateline = _dateline(doc)
        entities.dateline = self._dateline_state(dateline)
        known = [span for span in filter_spans(spans) if dateline is None or span.start >= dateline.end]
        taken = {i for span in known for i in range(span.start, span.end)}
        if dateline is not None:
            taken.update(range(dateline.start, dateline.end))
        for span in known:
            key, via, body_of = self.targets[strings[span.label]]
            self._note(entities, doc, span, key, via, body_of)
        self._bodies(doc, entities)
        taken.update(entities.by_token)
        names = [
            (ent, name)
            for ent in doc.ents
            if ent.label_ in NEW_ENTITY_TYPES
            and not any(i in taken for i in range(ent.start, ent.end))
            and (name := _trimmed(ent)) is not None
            and name.text.lower() not in self.title_words
        ]
        parts = _parts_of([span.text for ent, span in names if ent.label_ == "PERSON"])
        for ent, span in names:
            text = span.text
            person = ent.label_ == "PERSON" or text in parts
            key = parts.get(text, slug(text)) if person else slug(text)
            if key in self.registry.entities and self.registry.entities[key].label != text:
                key = f"{key}-{ent.label_.lower()}"
            earlier = entities.proposed.get(key)
            if earlier is not None and ent.label_ == "PERSON" and len(span) > 1 and earlier.type != "Person":
                earlier.type = "Person"
            if key not in self.registry.entities and key not in entities.proposed:
                label = next((name for name, k in parts.items() if k == key and " " in name), text)
                entities.proposed[key] = Proposed(
                    key,
                    "Person" if person else NEW_ENTITY_TYPES[ent.label_],
                    label,
                    text,
                    span.start_char,
                    0.7 if person else 0.5,
                )
            entities.mark(span.start, span.end, key, "name")
        self._definite_bodies(doc, entities)
        for token in doc:
            part_of = parts.get(token.text)
            if (
                part_of is not None
                and token.pos_ == "PROPN"
                and entities.at(token.i) is None
                and part_of in entities.proposed
            ):
                entities.mark(token.i, token.i + 1, part_of, "name")
        return entities

    def _bodies(self, doc: Doc, entities: Entities) -> None:
        """A state's body named by a noun and the state ("the Chinese foreign ministry", "Russia's
        embassy"): proposed as a government body of that state."""
        for token in doc:
            words = self.bodies.get(token.lemma_.lower())
            if words is None or entities.at(token.i) is not None:
                continue
            first = token
            while first.i > 0 and doc[first.i - 1].lower_ in words:
                first = doc[first.i - 1]
            state = None
            for child in token.children:
                mention = entities.at(child.i)
                if (
                    child.dep_ in {"amod", "compound", "poss"}
                    and mention is not None
                    and child.i < first.i
                    and entities.type_of(mention.entity) == "Country"
                ):
                    state = mention
            if state is None:
                continue
            name = " ".join(t.lower_ for t in doc[first.i : token.i + 1])
            key = slug(f"{state.entity} {name}")
            start = (
                doc[state.start]
                if doc[state.end - 1].i + 1 == first.i or doc[state.end].text in {"'s", "\u2019s"}
                else first
            )
            label = doc[start.i : token.i + 1].text
            if key not in self.registry.entities and key not in entities.proposed:
                entities.proposed[key] = Proposed(
                    key, "GovernmentBody", label, label, doc[start.i].idx, 0.7, body_of=state.entity
                )
            entities.mark(first.i, token.i + 1, key, "name")

    def _dateline_state(self, dateline: Span | None) -> str | None:
        """The state whose capital (or own name) heads a wire story's dateline."""
        if dateline is None:
            return None
        city = dateline.text.split("(", 1)[0].split("/", 1)[0].split(",", 1)[0].strip().title()
        key, via, _ = self.targets.get(city, (None, None, None))
        if via not in {"capital", "name"} or key not in self.places:
            return None
        return key if self.places[key][0] == "Country" else None

    def _definite_bodies(self, doc: Doc, entities: Entities) -> None:
        """ "The ministry said ..." after "the Russian Foreign Ministry": the body named last by
        that noun."""
        last: dict[str, str] = {}
        for token in doc:
            mention = entities.at(token.i)
            head = token.lemma_.lower()
            if mention is not None and entities.type_of(mention.entity) == "GovernmentBody":
                if token.i == mention.end - 1:
                    last[head] = mention.entity
                continue
            if (
                mention is None
                and head in last
                and any(c.dep_ == "det" and c.lower_ == "the" for c in token.children)
                and not any(c.dep_ in {"amod", "compound", "poss"} for c in token.children)
            ):
                entities.mark(token.i, token.i + 1, last[head], "name")

    def _inside_longer_name(self, span: Span, persons: list[Span]) -> bool:
        """A part of a known person's name inside a longer name ("Wang" in "Wang Yi")."""
        if self.targets[span.doc.vocab.strings[span.label]][1] != "part":
            return False
        return any(p.start <= span.start and span.end <= p.end and len(p) > len(span) for p in persons)

    def _note(
        self, entities: Entities, doc: Doc, span: Span, key: str, via: str, body_of: str | None
    ) -> None:
        if via == "seat" and body_of is not None:
            self._propose_place(entities, body_of, span)
            if key not in self.registry.entities and key not in entities.proposed:
                entities.proposed[key] = Proposed(
                    key, "GovernmentBody", span.text, span.text, span.start_char, 0.7, body_of=body_of
                )
        elif key not in self.registry.entities:
            self._propose_place(entities, key, span)
        mention = Mention(span.start, span.end, key, via)
        for i in range(span.start, span.end):
            entities.by_token[i] = mention

    def _propose_place(self, entities: Entities, key: str, span: Span) -> None:
        if key in self.registry.entities or key in entities.proposed:
            return
        kind, label = self.places[key]
        entities.proposed[key] = Proposed(key, kind, label, span.text, span.start_char, 0.9)


DATELINE = re.compile(r"^[A-Z][A-Z .,'/-]+\s*\([^)\n]*\)\s*[-\u2013\u2014]+\s*", re.MULTILINE)


def _dateline(doc: Doc) -> Span | None:
    """A wire story's dateline ("NEW DELHI (Reuters) - "): a place and the agency, no roles."""
    match = DATELINE.search(doc.text)
    if match is None:
        return None
    return doc.char_span(match.start(), match.end(), alignment_mode="contract")


def _name_parts(name: str) -> list[str]:
    """The words a person is called by on second mention: the family name, or either end of a
    two-word name ("Xi" of "Xi Jinping", "Putin" of "Vladimir Putin")."""
    words = name.split()
    if len(words) < 2:
        return []
    found = [words[0], words[-1]] if len(words) == 2 else [words[-1]]
    surname = _surname(name)
    if surname and surname not in found:
        found.append(surname)
    return found


def _parts_of(names: list[str]) -> dict[str, str]:
    """Each full name and each of its parts to the id of its person; a part two people share
    names neither."""
    keys: dict[str, str] = {}
    shared: set[str] = set()
    for name in names:
        if len(name.split()) < 2:
            continue
        key = slug(name)
        keys.setdefault(name, key)
        for part in _name_parts(name):
            if keys.get(part, key) != key:
                shared.add(part)
            keys.setdefault(part, key)
    return {name: key for name, key in keys.items() if name not in shared}


def _registry_key(registry: Registry, slugged: str, part: str) -> str:
    """The registry id of the person a name part belongs to."""
    for key, entity in registry.entities.items():
        if entity.type == "Person" and (slug(entity.label) == slugged):
            return key
    return slugged


def _surname(name: str) -> str | None:
    """The family name news uses on second mention ("Le Drian" of "Jean-Yves Le Drian")."""
    words = name.split()
    if len(words) < 2:
        return None
    if (len(words) >= 3 and words[-2][:1].islower()) or words[-2] in {
        "Le",
        "De",
        "Van",
        "Von",
        "Al",
        "El",
        "Bin",
    }:
        return " ".join(words[-2:])
    return words[-1]


def _trimmed(ent: Span) -> Span | None:
    """The entity span without a leading article, a trailing possessive or whitespace at either end."""
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and (doc[start].is_space or doc[start].lower_ in {"the", "a", "an"}):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in {"'s", "\u2019s", "'"}):
        end -= 1
    if start >= end:
        return None
    return doc[start:end]
