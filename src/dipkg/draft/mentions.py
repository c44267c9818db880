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

    def type_of(self, entity: str) -> str:
        if entity in self.proposed:
            return self.proposed[entity].type
        return self.registry.entities[entity].type

    def is_person(self, entity: str) -> bool:
        return self.type_of(entity) == "Person"

    def is_place(self, entity: str) -> bool:
        return self.type_of(entity) in PLACE_TYPES

    def at(self, token_index: int) -> Mention | None:
        return self.by_token.get(token_index)

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
            if entity.type == "Person":
                surname = _surname(entity.label)
                if surname:
                    self.targets.setdefault(surname, (key, "name", None))
        self.places: dict[str, tuple[str, str]] = {}
        for place in lexicon.places:
            key = labels.get(place.label, place.id)
            self.places[key] = (place.type, place.label)
            for name in (place.label, *place.names):
                self.targets.setdefault(name, (key, "name", None))
            for name in place.demonyms:
                self.targets.setdefault(name, (key, "demonym", None))
            for name in place.capitals:
                self.targets.setdefault(name, (key, "capital", None))
            for name, _kind in place.seats:
                self.targets.setdefault(name, (slug(name), "seat", key))
        self.matcher = PhraseMatcher(nlp_vocab)  # type: ignore[arg-type]
        for name in sorted(self.targets):
            self.matcher.add(name, [make_doc(name)])  # type: ignore[operator]

    def link(self, doc: Doc) -> Entities:
        """Every name of the document linked; names of no known entity proposed as new ones."""
        entities = Entities(self.registry)
        strings = doc.vocab.strings
        spans = [Span(doc, start, end, label=match_id) for match_id, start, end in self.matcher(doc)]
        known = filter_spans(spans)
        taken = {i for span in known for i in range(span.start, span.end)}
        for span in known:
            key, via, body_of = self.targets[strings[span.label]]
            self._note(entities, doc, span, key, via, body_of)
        people: dict[str, str] = {}
        for ent in doc.ents:
            if ent.label_ not in NEW_ENTITY_TYPES or any(i in taken for i in range(ent.start, ent.end)):
                continue
            trimmed = _trimmed(ent)
            if trimmed is None:
                continue
            span = trimmed
            text = span.text
            if ent.label_ == "PERSON":
                key = people.get(text) or people.get(_surname(text) or "") or slug(text)
                if len(span) > 1:
                    people.setdefault(_surname(text) or text, key)
                people.setdefault(text, key)
            else:
                key = slug(text)
            if key in self.registry.entities and self.registry.entities[key].label != text:
                key = f"{key}-{ent.label_.lower()}"
            if key not in self.registry.entities and key not in entities.proposed:
                confidence = 0.7 if ent.label_ == "PERSON" else 0.5
                entities.proposed[key] = Proposed(
                    key, NEW_ENTITY_TYPES[ent.label_], text, text, span.start_char, confidence
                )
            mention = Mention(span.start, span.end, key, "name")
            for i in range(span.start, span.end):
                entities.by_token[i] = mention
        return entities

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
