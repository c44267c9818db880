"""Passes over the events drafted from an article's sentences: an act told twice is one event, an
undated act takes the date of its episode, a rejection answers the accusation before it, a visit
without destination goes where the traveller's other visit goes, a headline-only event is left for
review, and a response answers the act done to its actors."""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from spacy.tokens import Span

from dipkg.draft.model import DraftEvent, unique
from dipkg.draft.stage import Stage

if TYPE_CHECKING:
    pass

VISIT = "Visit"


class Episodes(Stage):
    """Joins, dates and links the drafted events as parts of the episodes the article tells."""

    def anaphoric_dates(self, sentence: Span) -> None:
        """ "X announced the move late on Friday": "the move" is the act told in the sentence
        before, undated till then, which gets the date and the words as evidence."""
        sentences = list(self.doc.sents)
        index = sentences.index(sentence)
        if index == 0:
            return
        before = sentences[index - 1]
        for noun in sentence:
            if noun.lemma_.lower() not in self.lexicon.anaphors or noun.dep_ != "dobj":
                continue
            if noun.head.lemma_.lower() not in self.lexicon.announcing:
                continue
            if not any(
                c.dep_ == "det" and c.lower_ in {"the", "this", "that", "these"} for c in noun.children
            ):
                continue
            date = self.reader.date_of(noun.head, sentence)
            told = [
                e
                for e in self.draft.events.values()
                if before.start_char <= e.label.start < before.end_char and e.date is None
            ]
            for event in told if date is not None else []:
                event.date = date
                event.evidence.append(self.reader.clause_of(noun.head))

    def merge_duplicates(self) -> None:
        """One event for an act the article tells twice (headline and lead, or a clause and its
        purpose): same class and actors, targets one within the other, no conflicting dates."""
        kept: list[DraftEvent] = []
        for key in list(self.draft.events):
            event = self.draft.events[key]
            first = next((k for k in kept if self._same_act(k, event)), None)
            if first is None:
                kept.append(event)
                continue
            if first.label.start < self.reader.headline_end <= event.label.start:
                first.label = event.label
            first.evidence.extend(q for q in event.evidence if q not in first.evidence)
            first.targets = unique([*first.targets, *event.targets])
            first.date = first.date or event.date
            first.responds = first.responds or event.responds
            first.participants = unique([*first.participants, *event.participants])
            first.confidence = max(first.confidence, event.confidence)
            del self.draft.events[key]
            for act in self.draft.acts.values():
                if act.expressed_in == key:
                    act.expressed_in = first.id

    def same_episode_dates(self) -> None:
        """An undated act between the same sides as a dated one told in the sentence just before
        belongs to that episode and takes its day ("China summoned the U.S. ambassador on Sunday.
        Le told the ambassador that Washington should cancel its warrant")."""
        starts = [sentence.start_char for sentence in self.doc.sents]
        events = sorted(self.draft.events.values(), key=lambda e: e.label.start)
        for event in events:
            if event.date is not None:
                continue
            here = _sentence_index(starts, event.label.start)
            sides = (self.reader.sides_of(event.actors), self.reader.sides_of(event.targets))
            for other in events:
                if (
                    other.date is not None
                    and _sentence_index(starts, other.label.start) == here - 1
                    and sides[0]
                    and sides[1]
                    and (self.reader.sides_of(other.actors), self.reader.sides_of(other.targets)) == sides
                ):
                    event.date = other.date
                    event.confidence = round(event.confidence * 0.8, 2)
                    break

    def _same_act(self, first: DraftEvent, other: DraftEvent) -> bool:
        """One act told twice: same class, the same actors (or some of them with the states they
        stand for), targets one within the other, no conflicting dates."""
        if first.type != other.type or (first.date and other.date and first.date != other.date):
            return False
        a, b = set(first.actors), set(other.actors)
        if a != b and not (
            a & b and (a <= b or b <= a) and self.reader.sides_of(a) == self.reader.sides_of(b)
        ):
            return False
        ta, tb = set(first.targets), set(other.targets)
        return ta <= tb or tb <= ta

    def complete_journeys(self) -> None:
        """A visit told without its destination ("Xi, who arrived on Monday") goes where the
        same traveller's visit told with one goes ("Xi, who is in Moscow on a state visit")."""
        for event in self.draft.events.values():
            if event.targets or VISIT not in self.domain.ancestors(event.type):
                continue
            for other in self.draft.events.values():
                if (
                    other.targets
                    and VISIT in self.domain.ancestors(other.type)
                    and set(other.actors) & set(event.actors)
                ):
                    event.targets = list(other.targets)
                    event.confidence = round(event.confidence * 0.8, 2)
                    break

    def answer_rejections(self) -> None:
        """A rejection or denial that names no one answers the last accusation against its side by
        another side: the accuser is its target ("Beijing dismisses such accusations")."""
        events = sorted(self.draft.events.values(), key=lambda e: e.label.start)
        for event in events:
            if event.targets or not event.actors or self.domain.classes[event.type].plover != "REJECT":
                continue
            side = self.reader.sides_of(event.actors) | set(event.actors)
            accusations = [
                other
                for other in events
                if other.label.start < event.label.start
                and self.domain.classes[other.type].plover == "ACCUSE"
                and (self.reader.sides_of(other.targets) | set(other.targets)) & side
                and not (self.reader.sides_of(other.actors) | set(other.actors)) & side
            ]
            if accusations:
                event.targets = self.reader.states_first(accusations[-1].actors)
                event.confidence = round(event.confidence * 0.8, 2)

    def drop_headline_only(self) -> None:
        """A headline restates the story in clipped words a parser misreads: an event told in the
        headline alone is left for review, not drafted."""
        headline_end = self.reader.headline_end
        for key in list(self.draft.events):
            event = self.draft.events[key]
            if all(q.start < headline_end for q in event.evidence) and not any(
                act.expressed_in == key for act in self.draft.acts.values()
            ):
                del self.draft.events[key]
                headline = next(self.doc.sents)
                self.reader.note(headline, f"'{event.type}' is told in the headline only: not drafted")

    def link_responses(self) -> None:
        """An event whose sentence speaks of a response answers an act done to its actors by
        another side: the same kind of act first (tit for tat), then the one told first."""
        events = list(self.draft.events.values())
        for event in events:
            if not event.responds:
                continue
            answered = [
                other
                for other in events
                if other is not event
                and set(other.targets) & set(event.actors)
                and not set(other.actors) & set(event.actors)
            ]
            answered.sort(key=lambda other: (other.type != event.type, other.label.start))
            if answered:
                event.responds_to = [answered[0].id]
        for event in events:  # two acts cannot answer each other: the one told first answers
            for other in events:
                if event.id in other.responds_to and other.id in event.responds_to:
                    later = max(event, other, key=lambda e: e.label.start)
                    later.responds_to = []


def _sentence_index(starts: list[int], offset: int) -> int:
    """Which sentence (by the offsets where sentences start) an offset falls in."""
    return bisect_right(starts, offset) - 1
