"""Quotations with their speakers and the outlets that relay them, and the claims accusations make."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

from dipkg.draft.mentions import Proposed, slug
from dipkg.draft.model import DraftClaim, DraftQuote, Quote, trimmed_quote, unique_key
from dipkg.draft.stage import Stage
from dipkg.draft.syntax import clause_with_subject, subjects_of

if TYPE_CHECKING:
    pass

QUOTATION = re.compile(r"\"([^\"\n]{3,}?)\"|“([^”\n]{3,}?)”")
ALLEGATIONS_SCHEME = "allegations"
TIMES = frozenset({"DATE", "TIME"})
STOP_WORDS = frozenset(
    {"of", "the", "a", "an", "and", "or", "to", "in", "on", "for", "with", "by", "its", "their"}
)


# Pronouns that stand for whoever spoke last ("..., she said").
SPEAKING_PRONOUNS = frozenset({"he", "she"})


class Quotations(Stage):
    """Reads the quotations of an article, who said them and through whom, and what accusations claim."""

    def read(self) -> None:
        """Drafts the quotations of the article, then the claims of the accusations read."""
        last_speaker: str | None = None
        carried = self._carried_relays()
        for match in QUOTATION.finditer(self.text):
            words = match.group(1) or match.group(2)
            start = match.start(1) if match.group(1) else match.start(2)
            if len(words.split()) < 2:
                continue
            sentence = self.doc.char_span(start, start + len(words), alignment_mode="expand")
            if sentence is None:
                continue
            sent = sentence.sent
            found = self._speaker(sent, start, start + len(words))
            if found is None and last_speaker is not None and sent.text.lstrip().startswith(('"', "“")):
                found = (last_speaker, None, trimmed_quote(self.text, sent.start_char, sent.end_char))
            if found is None:
                self.reader.note(sent, "a quotation whose speaker was not found")
                continue
            speaker, relay, evidence = found
            relay = relay or carried.get((sent.start, speaker))
            last_speaker = speaker
            key = unique_key(slug(f"{speaker}-quote"), self.draft.quotes)
            confidence = 0.85 if evidence.start != sent.start_char else 0.6
            self.draft.quotes[key] = DraftQuote(
                key, speaker, relay, Quote(words, start), evidence, confidence
            )
            self.reader.coded.add(sent.start)
        self._claims()

    def _carried_relays(self) -> dict[tuple[int, str], str]:
        """Outlets that carry on to the next sentence: "X told Y ..., Xinhua reported. "...," X said"."""
        carried: dict[tuple[int, str], str] = {}
        sentences = list(self.doc.sents)
        for sentence, following in pairwise(sentences):
            outlet = self._relay(sentence.root, sentence, (sentence.end_char, sentence.end_char))
            if outlet is None:
                continue
            for token in sentence:
                if token.lemma_.lower() in self.lexicon.reporting_verbs:
                    for child in subjects_of(token):
                        for entity in self.reader.phrase(child):
                            if self.entities.is_person(entity):
                                carried[(following.start, entity)] = outlet
        return carried

    def _speaker(self, sentence: Span, start: int, end: int) -> tuple[str, str | None, Quote] | None:
        verbs = [
            t
            for t in sentence
            if t.lemma_.lower() in self.lexicon.reporting_verbs
            and not (start <= t.idx < end)
            and t.pos_ in {"VERB", "AUX"}
        ]
        for verb in sorted(verbs, key=lambda t: (not _frames(t, start), abs(t.idx - start))):
            subjects = subjects_of(clause_with_subject(verb))
            speakers = [
                e
                for child in subjects
                for e in ([self._last_speaker(child)] if child.lower_ in SPEAKING_PRONOUNS else [])
                or self.reader.phrase(child)
                if e is not None
            ]
            speakers = [s for s in speakers if not self.entities.is_place(s)]
            if not speakers:
                continue
            relay = self._relay(verb, sentence, (start, end))
            tokens = [t for t in verb.subtree if not (start <= t.idx < end) and t.idx < end + 200]
            outside = [t for t in tokens if t.sent == sentence and not t.is_punct]
            if outside:
                first, last = outside[0], outside[-1]
                evidence = trimmed_quote(self.text, first.idx, last.idx + len(last))
                if evidence.start <= start < evidence.start + len(evidence.text):
                    evidence = trimmed_quote(self.text, verb.idx, verb.idx + len(verb))
            else:
                evidence = trimmed_quote(self.text, verb.idx, verb.idx + len(verb))
            person = [s for s in speakers if self.entities.is_person(s)]
            return (person or speakers)[0], relay, evidence
        return None

    def _last_speaker(self, pronoun: Token) -> str | None:
        """ "..., she said": the person who last said something, within the two sentences before
        (news keeps to a speaker), or else whom the pronoun names by position."""
        sentences = [s.start for s in self.reader.doc.sents if s.start <= pronoun.i]
        since = sentences[-3] if len(sentences) >= 3 else 0
        for token in reversed(self.reader.doc[since : pronoun.i]):
            if token.lemma_.lower() in self.lexicon.reporting_verbs and token.pos_ in {"VERB", "AUX"}:
                people = [
                    e
                    for child in subjects_of(clause_with_subject(token))
                    if child.lower_ not in SPEAKING_PRONOUNS
                    for e in self.reader.phrase(child)
                    if self.entities.is_person(e)
                ]
                if people:
                    return people[0]
        return self.reader.resolve(pronoun)

    def _relay(self, verb: Token, sentence: Span, quoted: tuple[int, int]) -> str | None:
        """The outlet or channel a quotation comes through: whom the speaker told, "according to",
        an outlet that reports it, or where it was posted ("wrote on Twitter")."""
        lemma = verb.lemma_.lower()
        for child in verb.children:
            if (lemma == "tell" and child.dep_ in {"dobj", "dative"}) or (
                lemma in self.lexicon.posting_verbs and child.dep_ == "prep" and child.lower_ == "on"
            ):
                obj = (
                    child
                    if child.dep_ != "prep"
                    else next((c for c in child.children if c.dep_ == "pobj"), None)
                )
                if obj is None:
                    continue
                entities = self.reader.phrase(obj)
                named = [e for e in entities if not self.entities.is_person(e) or self._lone_name(e)]
                outlet = named[0] if named else None if entities else self._new_outlet(obj)
                if outlet is not None:
                    self._as_outlet(outlet)
                    return outlet
        lowered = sentence.text.lower()
        for phrase in self.lexicon.relaying_phrases:
            at = lowered.find(phrase)
            if at < 0 or quoted[0] <= sentence.start_char + at < quoted[1]:
                continue
            for token in sentence:
                if token.idx >= sentence.start_char + at + len(phrase):
                    entity = self.reader.resolve(token)
                    if entity and not self.entities.is_person(entity) and not self.entities.is_place(entity):
                        self._as_outlet(entity)
                        return entity
                    if token.is_punct:
                        break
        for token in sentence:
            if token.lemma_.lower() in self.lexicon.relaying_verbs:
                for child in subjects_of(token):
                    named = [e for e in self.reader.phrase(child) if not self.entities.is_person(e)]
                    if named:
                        self._as_outlet(named[0])
                        return named[0]
        return None

    def _new_outlet(self, token: Token) -> str | None:
        """A proper name the parse puts where an outlet goes ("told franceinfo radio"), proposed."""
        words = [
            t for t in token.subtree if t.pos_ == "PROPN" or (t.i > token.left_edge.i and t.i <= token.i)
        ]
        words = [
            t for t in words if t.pos_ in {"PROPN", "NOUN"} and not t.is_stop and t.ent_type_ not in TIMES
        ]
        if not words or not any(t.pos_ == "PROPN" for t in words):
            return None
        first, last = words[0], words[-1]
        label = self.text[first.idx : last.idx + len(last)]
        key = slug(label)
        if key not in self.registry.entities and key not in self.entities.proposed:
            self.entities.proposed[key] = Proposed(key, "MediaOutlet", label, label, first.idx, 0.5)
        if key in self.entities.proposed:
            self.entities.mark(first.i, last.i + 1, key, "name")
        return key

    def _lone_name(self, entity: str) -> bool:
        """A one-word name proposed as a person ("Twitter"): where an outlet goes, an outlet."""
        proposed = self.entities.proposed.get(entity)
        return proposed is not None and proposed.type == "Person" and " " not in proposed.label

    def _as_outlet(self, entity: str) -> None:
        proposed = self.entities.proposed.get(entity)
        if proposed is not None and (proposed.type == "Organization" or self._lone_name(entity)):
            proposed.type = "MediaOutlet"

    def _claims(self) -> None:
        """What an accusation asserts, as its makers' claim, when a concept of the allegations
        scheme names it (every word of the concept's label, by stem, in the clause)."""
        concepts = {
            key: {_stem(w) for w in re.findall(r"[a-z]+", concept.label.lower()) if w not in STOP_WORDS}
            for key, concept in sorted(self.registry.concepts.items())
            if concept.scheme == ALLEGATIONS_SCHEME
        }
        for clause, actors, targets, made_in in self.reader.accusations:
            span = self.doc.char_span(clause.start, clause.start + len(clause.text), alignment_mode="expand")
            if span is None:
                continue
            stems = {_stem(t.lower_) for t in span} | {_stem(t.lemma_.lower()) for t in span}
            matches = [key for key, words in concepts.items() if words and words <= stems]
            if not matches:
                self.reader.note(span.sent, "an accusation no allegation concept names: no claim coded")
                continue
            key = unique_key(slug(f"{actors[0]}-claim"), self.draft.claims)
            self.draft.claims[key] = DraftClaim(
                id=key,
                label=clause,
                claimants=actors,
                alleges=matches[0],
                alleged_agents=targets,
                made_in=made_in,
                evidence=clause,
                confidence=0.5,
            )
            self.reader.coded.add(span.sent.start)


def _frames(verb: Token, start: int) -> bool:
    """True when the quotation lies in the verb's own clause ('called the plan "an extremely
    selfish act"'): that verb introduces it before any verb merely nearer."""
    return any(token.idx == start or token.idx == start - 1 for token in verb.subtree)


def _stem(word: str) -> str:
    """A crude stem for matching concept labels: "interfering" and "interference" agree."""
    return word[:6]
