"""Coding events from the parse: the words of the lexicon that trigger them, the words governing a
trigger that decide whether the act happened at all, and the acts read from what a side says
(demands, diplomats ordered out, accusations).

The rules are those of event coders (TABARI, PETRARCH): a word of the lexicon is the trigger, the
parse gives the roles (see roles.py), and an act threatened, refused or denied is kept as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

from dipkg.draft.lexicon import EventCue
from dipkg.draft.mentions import STATE_TYPES, slug
from dipkg.draft.model import DraftAct, DraftEvent, Quote, unique_key
from dipkg.draft.roles import Roles
from dipkg.draft.stage import Stage
from dipkg.draft.syntax import clause_with_subject, subjects_of

if TYPE_CHECKING:
    from dipkg.draft.reader import ArticleReader

ACCUSATION = "Accusation"
DEMAND = "Demand"
EXPULSION = "Expulsion"
# Prepositions that set an act as the circumstance of a clause ("is in Moscow on a state visit").
SETTING_PREPOSITIONS = frozenset({"on", "in", "during", "for"})


@dataclass(frozen=True)
class Trigger:
    """A word of the lexicon found in the text: the cue, the word, and the verb that governs it."""

    cue: EventCue
    token: Token
    verb: Token
    words: int  # how many words of the lexicon matched ("agree with" is 2)
    particle: str | None = None  # the particle of a phrasal verb ("in" of "call in")


class EventCoder(Stage):
    """Finds the triggers of a sentence and codes each as an event, an unrealised act, or a note."""

    def __init__(self, reader: ArticleReader) -> None:
        super().__init__(reader)
        self.roles = Roles(reader)
        self.demanded: set[int] = set()  # reporting verbs already coded as a demand

    # ------------------------------------------------------------------ triggers

    def triggers(self, sentence: Span) -> list[Trigger]:
        """The words of the sentence the lexicon lists as events, one per word and verb."""
        triggers: list[Trigger] = []
        for token in sentence:
            verbal = token.pos_ in {"VERB", "AUX"} or (token.pos_ == "NOUN" and token.tag_.startswith("VB"))
            if verbal and not _nominal(token):
                for key in _verb_keys(token):
                    for cue in self.lexicon.cues_for_verb(key):
                        if self._object_fits(cue, token):
                            particle = key.split()[1] if " " in key else None
                            triggers.append(Trigger(cue, token, token, len(key.split()), particle))
            if token.pos_ in {"NOUN", "PROPN"}:
                for cue in self.lexicon.cues_for_noun(token.lemma_.lower()):
                    verb = self._light_verb(token)
                    if verb is not None and self._noun_fits(cue, token):
                        triggers.append(Trigger(cue, token, verb, 1))
        return _narrowest(triggers)

    def _object_fits(self, cue: EventCue, verb: Token) -> bool:
        if not cue.objects:
            return True
        words: set[str] = set()
        for child in verb.children:
            if child.dep_ in {"dobj", "nsubjpass", "xcomp", "prep", "prt", "advmod", "attr", "ccomp"}:
                words.update(t.lemma_.lower() for t in child.subtree)
                words.update(t.lower_ for t in child.subtree)
        return bool(words & cue.objects)

    def _noun_fits(self, cue: EventCue, noun: Token) -> bool:
        before = self.text[max(0, noun.sent.start_char) : noun.idx].lower().rstrip()
        for entry in cue.nouns:
            if entry.head == noun.lemma_.lower():
                prefix = entry.prefix.strip()
                if not prefix or before.endswith(
                    prefix.rstrip("-").rstrip() + ("-" if entry.prefix.endswith("-") else "")
                ):
                    return True
        return False

    def _light_verb(self, noun: Token) -> Token | None:
        """The verb that carries a noun trigger ("imposed sanctions"), or the noun's own clause."""
        head = noun.head
        if noun.dep_ in {"dobj", "nsubjpass", "attr"} and head.lemma_.lower() in self.lexicon.light_verbs:
            return head
        if noun.dep_ == "conj" and noun.head.dep_ in {"dobj", "nsubjpass"}:
            return self._light_verb(noun.head)
        if any(child.dep_ == "poss" for child in noun.children):
            return noun
        if noun.dep_ == "pobj" and head.lower_ in SETTING_PREPOSITIONS and head.head.pos_ in {"VERB", "AUX"}:
            return head.head
        return None

    # ------------------------------------------------------------------ coding one trigger

    def code(self, trigger: Trigger, sentence: Span) -> None:
        """Drafts a trigger as events (or an unrealised act, a demand, an expulsion), or notes why not."""
        verb = trigger.verb
        blocked = self._blocked(verb)
        if blocked == "negated":
            self.reader.note(sentence, f"'{trigger.token.text}' is negated: no {trigger.cue.type} coded")
            return
        if (
            blocked == "reported"
            and self.domain.classes[trigger.cue.type].plover in self.lexicon.alleged_categories
        ):
            self.reader.note(
                sentence, f"'{trigger.token.text}' is reported speech about another: not coded as done"
            )
            return
        if blocked == "reported":
            blocked = None  # a side's report of another's act of a kind rarely alleged reads as news
        if blocked == "asked" and (self._ordered_out(verb, sentence) or self._demand(verb, sentence)):
            return
        if blocked == "asked":
            self.reader.note(
                sentence, f"'{trigger.token.text}' is asked for, not done: no {trigger.cue.type} coded"
            )
            return
        actors, targets, participants = self.roles.of_trigger(trigger)
        if blocked is not None and blocked.startswith("modal:"):
            self._unrealized(trigger, blocked.removeprefix("modal:"), actors, targets, sentence)
            return
        if blocked is not None:
            return
        clause = self.reader.clause_of(verb)
        date = self.reader.date_of(verb, sentence)
        cue = trigger.cue
        if not (actors or targets or participants):
            self.reader.note(
                sentence, f"'{trigger.token.text}' reads as {cue.type}, but names no one taking part"
            )
            return
        shapes = self.roles.shapes(cue, actors, targets)
        if not shapes:
            self.reader.note(
                sentence, f"'{trigger.token.text}' reads as {cue.type}, but its actor or target was not found"
            )
        confidence = cue.confidence * (1.0 if actors else 0.6) * (1.0 if targets or participants else 0.85)
        before = set(self.draft.events)
        for event_type, actor_sets, target_sets in shapes:
            for actor_set in actor_sets:
                for target_set in target_sets:
                    self._add_event(
                        event_type, clause, actor_set, target_set, participants, date, confidence, sentence
                    )
        if cue.type in self.lexicon.claim_events and actors:
            made_in = sorted(set(self.draft.events) - before)
            self.reader.accusations.append((clause, actors, targets, made_in[0] if made_in else None))

    def reported_accusations(self, sentence: Span) -> None:
        """One side saying another did wrong ("Pompeo declared that China was committing
        genocide") is an accusation by the speaker, as event coders read it; what is alleged
        stays the speaker's claim."""
        accusation = next((cue for cue in self.lexicon.events if cue.type == ACCUSATION), None)
        for verb in sentence:
            lemma = verb.lemma_.lower()
            if lemma not in self.lexicon.reporting_verbs or lemma in self.lexicon.claim_verbs:
                continue
            for clause in verb.children:
                if clause.dep_ != "ccomp" or not self._said_of_another(clause, verb):
                    continue
                words = {t.lemma_.lower() for t in clause.subtree} | {t.lower_ for t in clause.subtree}
                if accusation is None or not words & self.lexicon.wrongdoing or self._blocked(verb):
                    continue
                actors = [e for child in subjects_of(verb) for e in self.reader.phrase(child)]
                targets = [e for child in subjects_of(clause) for e in self.reader.phrase(child)]
                date = self.reader.date_of(verb, sentence)
                for event_type, actor_sets, target_sets in self.roles.shapes(accusation, actors, targets):
                    for actor_set in actor_sets:
                        for target_set in target_sets:
                            self._add_event(
                                event_type,
                                self.reader.clause_of(verb),
                                actor_set,
                                target_set,
                                [],
                                date,
                                accusation.confidence * 0.8,
                                sentence,
                            )
                self.reader.accusations.append((self.reader.clause_of(verb), actors, targets, None))

    def _ordered_out(self, verb: Token, sentence: Span) -> bool:
        """ "23 Russian diplomats must leave Britain": diplomats told to leave a country are
        expelled by it, and by whoever says so."""
        if verb.lemma_.lower() not in self.lexicon.departures:
            return False
        leaving = [child for child in subjects_of(verb) if child.lemma_.lower() in self.lexicon.diplomats]
        if not leaving:
            return False
        targets = [e for child in leaving for e in self.reader.phrase(child)]
        countries = [e for c in verb.children if c.dep_ == "dobj" for e in self.reader.phrase(c)]
        actors = [e for e in countries if self.entities.type_of(e) == "Country"]
        if verb.head.lemma_.lower() in self.lexicon.reporting_verbs:
            speakers = [
                e for child in subjects_of(clause_with_subject(verb.head)) for e in self.reader.phrase(child)
            ]
            actors += [e for e in speakers if e not in actors]
        expulsion = next((cue for cue in self.lexicon.events if cue.type == EXPULSION), None)
        if expulsion is None or not actors or not targets:
            return False
        shapes = self.roles.shapes(expulsion, actors, [t for t in targets if t not in actors])
        for event_type, actor_sets, target_sets in shapes:
            for actor_set in actor_sets:
                for target_set in target_sets:
                    self._add_event(
                        event_type,
                        self.reader.clause_of(verb.head if verb.dep_ == "ccomp" else verb),
                        actor_set,
                        target_set,
                        [],
                        self.reader.date_of(verb.head, sentence) or self.reader.date_of(verb, sentence),
                        expulsion.confidence * 0.8,
                        sentence,
                    )
        return bool(shapes)

    def _demand(self, verb: Token, sentence: Span) -> bool:
        """ "X told Y that Z must free W", "X said Z should cancel it": a demand by X on Z, coded
        as event coders code it (the act asked for is not done, and not drafted)."""
        clause = verb
        while clause.dep_ in {"conj", "xcomp"} and clause.head != clause:
            clause = clause.head
        saying = clause.head
        if clause.dep_ != "ccomp" or saying.lemma_.lower() not in self.lexicon.reporting_verbs:
            return False
        if saying.i in self.demanded:
            return True
        actors = [e for child in subjects_of(clause_with_subject(saying)) for e in self.reader.phrase(child)]
        targets = [e for child in subjects_of(clause) for e in self.reader.phrase(child)]
        demand = next((cue for cue in self.lexicon.events if cue.type == DEMAND), None)
        governments = [t for t in targets if self.entities.type_of(t) in STATE_TYPES | {"GovernmentBody"}]
        if (
            demand is None
            or not actors
            or not governments
            or self.reader.sides_of(actors) & self.reader.sides_of(targets)
        ):
            return False  # demands are made of another state or its government
        shapes = self.roles.shapes(demand, actors, targets)
        for event_type, actor_sets, target_sets in shapes:
            for actor_set in actor_sets:
                for target_set in target_sets:
                    self._add_event(
                        event_type,
                        self.reader.clause_of(saying),
                        actor_set,
                        target_set,
                        [],
                        self.reader.date_of(saying, sentence),
                        demand.confidence * 0.8,
                        sentence,
                    )
        self.demanded.add(saying.i)
        return bool(shapes)

    def _blocked(self, verb: Token) -> str | None:
        """Why the act of a clause did not happen: negated, asked for, alleged, or a modality."""
        if any(child.dep_ == "neg" for child in verb.children):
            return "negated"
        for child in verb.children:
            if child.dep_ == "aux" and child.lower_ in self.lexicon.obligations:
                return "asked"
            if child.dep_ == "aux" and child.lower_ in self.lexicon.auxiliaries:
                return "modal:" + self.lexicon.auxiliaries[child.lower_]
        token = verb
        while (
            token.dep_ in {"xcomp", "ccomp", "pcomp", "pobj", "advcl", "acl", "relcl"} and token.head != token
        ):
            head = token.head
            lemma = head.lemma_.lower()
            complement = token.dep_ in {"xcomp", "pcomp", "pobj", "ccomp"} or _infinitive(token)
            if lemma in self.lexicon.governors and complement:
                return "modal:" + self.lexicon.governors[lemma]
            if lemma in self.lexicon.requests and token.dep_ in {"xcomp", "ccomp"}:
                return "asked"
            if lemma in self.lexicon.claim_verbs:
                return "alleged"
            if (
                lemma in self.lexicon.reporting_verbs
                and token.dep_ == "ccomp"
                and self._said_of_another(token, head)
            ):
                return "reported"
            if token.dep_ in {"relcl", "acl", "advcl"} and not _infinitive(token):
                break
            token = head
        return None

    def _said_of_another(self, clause: Token, saying: Token) -> bool:
        """True when one side says another side did it ("Washington says China threatens NATO"):
        that is the speaker's claim, not an act the article reports; what a side says of its own
        acts is reported as done."""
        inner = self.reader.sides_of(e for child in subjects_of(clause) for e in self.reader.phrase(child))
        outer = self.reader.sides_of(e for child in subjects_of(saying) for e in self.reader.phrase(child))
        return bool(inner and outer) and not inner & outer

    def _add_event(
        self,
        event_type: str,
        clause: Quote,
        actors: list[str],
        targets: list[str],
        participants: list[str],
        date: dict[str, object] | None,
        confidence: float,
        sentence: Span,
    ) -> None:
        key = unique_key(
            slug("-".join([*(actors[:1] or ["someone"]), event_type, *targets[:1]])), self.draft.events
        )
        self.draft.events[key] = DraftEvent(
            id=key,
            type=event_type,
            label=clause,
            actors=actors,
            targets=targets,
            participants=participants,
            date=date,
            evidence=[clause],
            confidence=round(confidence, 2),
            responds=self._responds(sentence),
        )
        self.reader.coded.add(sentence.start)

    def _unrealized(
        self, trigger: Trigger, modality: str, actors: list[str], targets: list[str], sentence: Span
    ) -> None:
        """An act that did not happen, kept when the threat, refusal or denial of it is an event."""
        expressing = self._expressing_event(trigger.verb)
        if expressing is None:
            self.reader.note(
                sentence, f"'{trigger.token.text}' is {modality}, not done: no {trigger.cue.type} coded"
            )
            return
        clause = self.reader.clause_of(trigger.verb)
        key = unique_key(slug(f"{modality}-{trigger.cue.type}"), self.draft.acts)
        self.draft.acts[key] = DraftAct(
            id=key,
            modality=modality,
            type=trigger.cue.type,
            label=clause,
            actors=actors or self.draft.events[expressing].actors,
            targets=targets,
            expressed_in=expressing,
            evidence=clause,
            confidence=round(trigger.cue.confidence * 0.8, 2),
        )
        self.reader.coded.add(sentence.start)

    def _expressing_event(self, verb: Token) -> str | None:
        token = verb
        while token.head != token:
            token = token.head
            for event in self.draft.events.values():
                start = event.label.start
                if (
                    start <= token.idx < start + len(event.label.text)
                    and token.lemma_.lower() in self.lexicon.governors
                ):
                    return event.id
        return None

    def _responds(self, sentence: Span) -> bool:
        """Whether the sentence speaks of a response, or is the lead of a headline that does
        ("China retaliates with sanctions ..." over "China imposed sanctions ...")."""
        sentences = list(self.doc.sents)
        lead = len(sentences) > 1 and sentences[1].start == sentence.start
        texts = [sentence.text, sentences[0].text] if lead else [sentence.text]
        return any(word in text.lower() for text in texts for word in self.lexicon.responses)


def _nominal(token: Token) -> bool:
    """A verb form used as a noun ("over the killing", "park killing"): not a clause of its own."""
    return token.dep_ in {"pobj", "compound", "amod"} or any(c.dep_ == "det" for c in token.children)


def _verb_keys(token: Token) -> list[str]:
    lemma = token.lemma_.lower()
    keys = [lemma]
    for child in token.children:
        if child.dep_ in {"prt", "prep"} and 0 < child.i - token.i <= 2:
            keys.append(f"{lemma} {child.lower_}")
    return keys


def _infinitive(verb: Token) -> bool:
    """True for a "to" infinitive ("threatened on Monday to expel")."""
    return verb.dep_ in {"advcl", "xcomp"} and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in verb.children
    )


def _narrowest(triggers: list[Trigger]) -> list[Trigger]:
    """One trigger per word and verb: where two cues fit, the one matching more words ("agree
    with"), then the one listing objects (the narrower), wins."""
    chosen: dict[tuple[int, int], Trigger] = {}
    for trigger in triggers:
        key = (trigger.token.i, trigger.verb.i)
        current = chosen.get(key)
        if current is None or (trigger.words, bool(trigger.cue.objects)) > (
            current.words,
            bool(current.cue.objects),
        ):
            chosen[key] = trigger
    by_verb: dict[int, Trigger] = {}
    for trigger in chosen.values():
        current = by_verb.get(trigger.verb.i)
        if current is None or (trigger.token != trigger.verb and current.token == current.verb):
            by_verb[trigger.verb.i] = trigger
    return sorted(by_verb.values(), key=lambda t: t.token.i)
