"""Reading an article: events, unrealised acts, post holdings, quotations and claims, from the parse.

The rules are those of event coders (TABARI, PETRARCH): a word of the lexicon is the trigger, the
parse gives the roles (subject = actor, object or prepositional object = target, the passive
swapped), and the words governing the trigger decide whether the act happened at all.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from spacy.tokens import Doc, Span, Token

from dipkg.domain.model import Domain, Role
from dipkg.draft.dates import event_date
from dipkg.draft.lexicon import EventCue, Lexicon, Title
from dipkg.draft.mentions import PERSON_PRONOUNS, THING_PRONOUNS, Entities, Proposed, slug
from dipkg.draft.model import (
    Draft,
    DraftAct,
    DraftClaim,
    DraftEvent,
    DraftHolding,
    DraftPost,
    DraftQuote,
    Quote,
    ReviewItem,
)
from dipkg.seeds.model import Registry

MODIFIERS = frozenset({"compound", "amod", "poss", "nmod", "appos", "npadvmod"})
OBJECT_PRONOUNS = frozenset({"him", "her"})
# Sentences longer than this are left to the reviewer: news sentences are a few hundred
# characters, and reading one costs time quadratic in its triggers.
LONGEST_SENTENCE = 2000
SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
QUOTATION = re.compile(r"\"([^\"\n]{3,}?)\"|“([^”\n]{3,}?)”")
ALLEGATIONS_SCHEME = "allegations"
# The confidence of a post whose state is only the dateline's.
DATELINE_CONFIDENCE = 0.4
STATE_TYPES = frozenset({"Country", "InternationalOrganization"})
ACCUSATION = "Accusation"
DEMAND = "Demand"
EXPULSION = "Expulsion"
VISIT = "Visit"
# Post classes that hold many different offices: a registry post is reused only when its label
# has the article's title words.
GENERIC_POSTS = frozenset({"MinisterPost", "DeputyMinisterPost", "OfficialPost", "DiplomaticPost"})
TIMES = frozenset({"DATE", "TIME"})
# Prepositions that set an act as the circumstance of a clause ("is in Moscow on a state visit").
SETTING_PREPOSITIONS = frozenset({"on", "in", "during", "for"})
# Words that may stand between a state's name and a title ("Russia's former deputy ...").
TITLE_PREFIXES = frozenset({"'s", "\u2019s", "the", "former", "then", "acting", "deputy", "senior", "top"})
STOP_WORDS = frozenset(
    {"of", "the", "a", "an", "and", "or", "to", "in", "on", "for", "with", "by", "its", "their"}
)


@dataclass(frozen=True)
class Trigger:
    """A word of the lexicon found in the text: the cue, the word, and the verb that governs it."""

    cue: EventCue
    token: Token
    verb: Token
    words: int  # how many words of the lexicon matched ("agree with" is 2)
    particle: str | None = None  # the particle of a phrasal verb ("in" of "call in")


class ArticleReader:
    """Reads one parsed article into a draft."""

    def __init__(
        self,
        doc: Doc,
        entities: Entities,
        lexicon: Lexicon,
        domain: Domain,
        registry: Registry,
        published: date,
    ) -> None:
        self.doc = doc
        self.text = doc.text
        self.entities = entities
        self.lexicon = lexicon
        self.domain = domain
        self.registry = registry
        self.published = published
        self.draft = Draft(entities)
        self.dateline = entities.dateline
        self.time_expressions = [ent for ent in doc.ents if ent.label_ == "DATE"]  # Doc.ents is costly
        self.headline_end = len(self.text.split("\n", 1)[0])
        self.coded: set[int] = set()  # sentence starts that gave an item
        # Accusations read: their clause, accusers, accused, and the event coded for them.
        self.accusations: list[tuple[Quote, list[str], list[str], str | None]] = []
        self.demanded: set[int] = set()  # reporting verbs already coded as a demand

    # ------------------------------------------------------------------ reading

    def read(self) -> Draft:
        sentences = []
        for sentence in self.doc.sents:
            if len(sentence.text) > LONGEST_SENTENCE:
                self._note(sentence, f"a sentence of {len(sentence.text)} characters is too long to read")
                self.coded.add(sentence.start)
            else:
                sentences.append(sentence)
        for sentence in sentences:
            self._holdings(sentence)
        for sentence in sentences:
            for trigger in self._triggers(sentence):
                self._code(trigger, sentence)
            self._reported_accusations(sentence)
            self._anaphoric_dates(sentence)
        self._answer_rejections()
        self._complete_journeys()
        self._same_episode_dates()
        self._merge_duplicates()
        self._drop_headline_only()
        self._drop_contradicted_datelines()
        self._link_responses()
        self._quotations()
        self._review_uncoded()
        return self.draft

    # ------------------------------------------------------------------ entities of a phrase

    def resolve(self, token: Token) -> str | None:
        """The entity a token names: by its mention, or a pronoun by the last entity named before it."""
        mention = self.entities.at(token.i)
        if mention is not None:
            return mention.entity
        lower = token.lower_
        if lower in OBJECT_PRONOUNS:
            return self._last_person(token)
        if lower in PERSON_PRONOUNS:
            return self._last_named(token, person=True)
        if lower in THING_PRONOUNS:
            return self._last_named(token, person=False)
        return None

    def _last_person(self, token: Token) -> str | None:
        """The person named last before an object pronoun ("a warrant for Putin, accusing him")."""
        for i in range(token.i - 1, -1, -1):
            mention = self.entities.at(i)
            if mention is not None and mention.via != "pronoun" and self.entities.is_person(mention.entity):
                return mention.entity
        return None

    def _last_named(self, token: Token, person: bool) -> str | None:
        """The last person (or other actor) named as the subject of a clause before the token, or
        else the last one named at all."""
        if person:
            for i in range(token.i - 1, -1, -1):
                mention = self.entities.at(i)
                if (
                    mention is not None
                    and mention.via != "pronoun"
                    and self.entities.is_person(mention.entity)
                    and any(_is_subject(self.doc[j]) for j in range(mention.start, mention.end))
                ):
                    return mention.entity
        for i in range(token.i - 1, -1, -1):
            mention = self.entities.at(i)
            if mention is None or mention.via == "pronoun":
                continue
            entity = mention.entity
            subject = self.doc[i].dep_ in SUBJECTS or self.doc[i].head.dep_ in SUBJECTS
            kind_fits = self.entities.is_person(entity) == person and not self.entities.is_place(entity)
            if kind_fits and (person or subject):
                return entity
        return None

    def phrase(self, token: Token) -> list[str]:
        """The entities a noun phrase names: its head's, or its modifiers' ("the U.S. ambassador")."""
        return [e for group in self.sides(token) for e in group]

    def sides(self, token: Token) -> list[list[str]]:
        """The entities of a noun phrase, one group per conjunct ("Trump and Xi"): its head's
        entity with the states its modifiers name, and those its "including" list names."""
        groups: list[list[str]] = []
        seen: set[str] = set()
        for head in (token, *token.conjuncts):
            mention = self.entities.at(head.i)
            entity = self.resolve(head)
            named = [entity] if entity else []
            for child in head.children:
                if mention is not None and mention.start <= child.i < mention.end:
                    continue  # a word of the head's own name
                if child.dep_ in MODIFIERS:
                    named.extend(e for e in self.phrase(child) if e not in named)
                elif child.dep_ == "prep" and (
                    child.lower_ == "including" or (child.lower_ == "of" and not entity)
                ):
                    # "four officials, including X"; "the leaders of Britain and France"
                    for obj in child.children:
                        if obj.dep_ == "pobj":
                            named.extend(e for e in self.phrase(obj) if e not in named)
            if mention is not None and mention.via == "seat":
                states = [e for e in named[1:] if self.entities.type_of(e) == "Country"]
                if states and self.entities.body_of(named[0]) not in states:
                    named = states  # "Germany's Foreign Office" is not Britain's
            for entity in list(named):
                body_of = self.entities.body_of(entity)
                if body_of is not None and body_of not in named:
                    named.append(body_of)
            group = [e for e in named if e not in seen]
            seen.update(group)
            if group:
                groups.append(group)
        return groups

    def _prepositional(self, token: Token, prepositions: frozenset[str]) -> list[str]:
        found: list[str] = []
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in prepositions:
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        found.extend(e for e in self.phrase(obj) if e not in found)
        return found

    # ------------------------------------------------------------------ triggers

    def _triggers(self, sentence: Span) -> list[Trigger]:
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

    def _code(self, trigger: Trigger, sentence: Span) -> None:
        verb = trigger.verb
        blocked = self._blocked(verb)
        if blocked == "negated":
            self._note(sentence, f"'{trigger.token.text}' is negated: no {trigger.cue.type} coded")
            return
        if (
            blocked == "reported"
            and self.domain.classes[trigger.cue.type].plover in self.lexicon.alleged_categories
        ):
            self._note(
                sentence, f"'{trigger.token.text}' is reported speech about another: not coded as done"
            )
            return
        if blocked == "reported":
            blocked = None  # a side's report of another's act of a kind rarely alleged reads as news
        if blocked == "asked" and (self._ordered_out(verb, sentence) or self._demand(verb, sentence)):
            return
        if blocked == "asked":
            self._note(
                sentence, f"'{trigger.token.text}' is asked for, not done: no {trigger.cue.type} coded"
            )
            return
        actors, targets, participants = self._roles(trigger)
        if blocked is not None and blocked.startswith("modal:"):
            self._unrealized(trigger, blocked.removeprefix("modal:"), actors, targets, sentence)
            return
        if blocked is not None:
            return
        clause = self._clause(verb)
        date = self._date(verb, sentence)
        cue = trigger.cue
        if not (actors or targets or participants):
            self._note(sentence, f"'{trigger.token.text}' reads as {cue.type}, but names no one taking part")
            return
        shapes = self._shapes(cue, actors, targets)
        if not shapes:
            self._note(
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
            self.accusations.append((clause, actors, targets, made_in[0] if made_in else None))

    def _reported_accusations(self, sentence: Span) -> None:
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
                actors = [e for child in _subjects(verb) for e in self.phrase(child)]
                targets = [e for child in _subjects(clause) for e in self.phrase(child)]
                date = self._date(verb, sentence)
                for event_type, actor_sets, target_sets in self._shapes(accusation, actors, targets):
                    for actor_set in actor_sets:
                        for target_set in target_sets:
                            self._add_event(
                                event_type,
                                self._clause(verb),
                                actor_set,
                                target_set,
                                [],
                                date,
                                accusation.confidence * 0.8,
                                sentence,
                            )
                self.accusations.append((self._clause(verb), actors, targets, None))

    def _anaphoric_dates(self, sentence: Span) -> None:
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
            date = self._date(noun.head, sentence)
            told = [
                e
                for e in self.draft.events.values()
                if before.start_char <= e.label.start < before.end_char and e.date is None
            ]
            for event in told if date is not None else []:
                event.date = date
                event.evidence.append(self._clause(noun.head))

    def _ordered_out(self, verb: Token, sentence: Span) -> bool:
        """ "23 Russian diplomats must leave Britain": diplomats told to leave a country are
        expelled by it (or, when the country is not named, by whoever says so)."""
        if verb.lemma_.lower() not in self.lexicon.departures:
            return False
        leaving = [child for child in _subjects(verb) if child.lemma_.lower() in self.lexicon.diplomats]
        if not leaving:
            return False
        targets = [e for child in leaving for e in self.phrase(child)]
        countries = [e for c in verb.children if c.dep_ == "dobj" for e in self.phrase(c)]
        actors = [e for e in countries if self.entities.type_of(e) == "Country"]
        if not actors and verb.head.lemma_.lower() in self.lexicon.reporting_verbs:
            actors = [e for child in _subjects(_clause_with_subject(verb.head)) for e in self.phrase(child)]
        expulsion = next((cue for cue in self.lexicon.events if cue.type == EXPULSION), None)
        if expulsion is None or not actors or not targets:
            return False
        shapes = self._shapes(expulsion, actors, [t for t in targets if t not in actors])
        for event_type, actor_sets, target_sets in shapes:
            for actor_set in actor_sets:
                for target_set in target_sets:
                    self._add_event(
                        event_type,
                        self._clause(verb.head if verb.dep_ == "ccomp" else verb),
                        actor_set,
                        target_set,
                        [],
                        self._date(verb.head, sentence) or self._date(verb, sentence),
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
        actors = [e for child in _subjects(_clause_with_subject(saying)) for e in self.phrase(child)]
        targets = [e for child in _subjects(clause) for e in self.phrase(child)]
        demand = next((cue for cue in self.lexicon.events if cue.type == DEMAND), None)
        governments = [t for t in targets if self.entities.type_of(t) in STATE_TYPES | {"GovernmentBody"}]
        if (
            demand is None
            or not actors
            or not governments
            or self._sides_of(actors) & self._sides_of(targets)
        ):
            return False  # demands are made of another state or its government
        shapes = self._shapes(demand, actors, targets)
        for event_type, actor_sets, target_sets in shapes:
            for actor_set in actor_sets:
                for target_set in target_sets:
                    self._add_event(
                        event_type,
                        self._clause(saying),
                        actor_set,
                        target_set,
                        [],
                        self._date(saying, sentence),
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
        inner = self._sides_of(e for child in _subjects(clause) for e in self.phrase(child))
        outer = self._sides_of(e for child in _subjects(saying) for e in self.phrase(child))
        return bool(inner and outer) and not inner & outer

    def _by_side(self, entities: list[str]) -> list[list[str]]:
        """Entities grouped by the side they stand for, in the order named: a state with its
        bodies and the holders of its posts; a name of no known side joins the one before it."""
        groups: dict[str, list[str]] = {}
        last: str | None = None
        for entity in entities:
            side = (
                next(iter(self._sides_of([entity])), None) or self.entities.body_of(entity) or last or entity
            )
            groups.setdefault(side, []).append(entity)
            last = side
        return list(groups.values())

    def _sides_of(self, entities: Iterable[str]) -> set[str]:
        """The states and organisations entities stand for: themselves, or the state whose post
        a person holds."""
        sides = set()
        for entity in entities:
            if self.entities.type_of(entity) in STATE_TYPES:
                sides.add(entity)
            elif (state := self._represents(entity)) is not None:
                sides.add(state)
        return sides

    def _roles(self, trigger: Trigger) -> tuple[list[str], list[str], list[str]]:
        verb, cue = trigger.verb, trigger.cue
        subject_verb = _clause_with_subject(verb)
        passive = any(child.dep_ in {"nsubjpass", "auxpass"} for child in verb.children)
        actors: list[str] = []
        targets: list[str] = []
        sides: list[list[str]] = []
        if passive:
            actors = self._prepositional(verb, frozenset({"by"})) or [
                e
                for child in verb.children
                if child.dep_ == "agent"
                for obj in child.children
                for e in self.phrase(obj)
            ]
            actors = actors or self._prepositional(verb, cue.agents)
            for child in verb.children:
                if child.dep_ == "nsubjpass" and child != trigger.token:
                    targets.extend(self.phrase(child))
        else:
            subjects = _subjects(subject_verb)
            if subject_verb.dep_ == "relcl" and all(c.tag_ in {"WP", "WDT"} for c in subjects):
                subjects = [subject_verb.head]
            for child in subjects:
                sides.extend(self.sides(child))
            actors = [e for side in sides for e in side]
            if trigger.token.i != verb.i:
                actors.extend(
                    e for child in trigger.token.children if child.dep_ == "poss" for e in self.phrase(child)
                )
            for child in verb.children:
                if child.dep_ in {"dobj", "dative"} and child != trigger.token:
                    targets.extend(self.phrase(child))
                elif child.dep_ == "prep" and trigger.words > 1 and child.lower_ == trigger.particle:
                    # "called in China's ambassador": the particle's object is the verb's
                    targets.extend(
                        e for obj in child.children if obj.dep_ == "pobj" for e in self.phrase(obj)
                    )
        for node in (verb, trigger.token, *[c for c in verb.children if c.dep_ == "dobj"]):
            targets.extend(self._prepositional(node, cue.targets))
        participants = []
        for node in (verb, trigger.token):
            participants.extend(self._prepositional(node, cue.participants))
        if cue.dyadic and not targets:
            if participants:
                targets, participants = participants, []
            else:
                grouped = self._by_side(actors)
                if len(grouped) > 1:
                    actors, targets = grouped[0], [e for group in grouped[1:] for e in group]
        actors = _unique(e for e in actors if not self.entities.is_place(e))
        targets = _unique(
            e
            for e in targets
            if e not in actors and self.entities.body_of(e) not in actors and not self.entities.is_place(e)
        )
        participants = _unique(e for e in participants if e not in actors and e not in targets)
        return actors, targets, participants

    def _shapes(
        self, cue: EventCue, actors: list[str], targets: list[str]
    ) -> list[tuple[str, list[list[str]], list[list[str]]]]:
        """The event type whose roles the drafted roles satisfy, with actors and targets split where
        the class takes one of each. A role of the wrong kind climbs to a broader class (a summons
        of no named diplomat is a protest); a role not found codes nothing."""
        for event_type in self.domain.ancestors(cue.type)[:-1]:
            lineage = self.domain.ancestors(event_type)
            roles = self.domain.classes[event_type].roles
            actor_role, target_role = roles.get("actor"), roles.get("target")
            fitting_actors = self._of_class(actor_role, actors)
            fitting_targets = self._of_class(target_role, targets)
            for cls, post in self.lexicon.target_posts.items():
                if cls in lineage:
                    fitting_targets = [t for t in fitting_targets if self._holds(t, post)]
            if any(cls in lineage for cls in self.lexicon.needs_target) and not fitting_targets:
                return []
            if len(actors) < _minimum(actor_role) or len(targets) < _minimum(target_role):
                return []
            if len(fitting_actors) < _minimum(actor_role) or len(fitting_targets) < _minimum(target_role):
                continue
            actor_sets, target_sets = [fitting_actors], [fitting_targets]
            if actor_role and actor_role.max == 1 and len(fitting_actors) > 1:
                actor_sets = [[a] for a in self._states_first(fitting_actors)]
            states = [t for t in fitting_targets if not self.entities.is_person(t)]
            if cue.one_per_target and len(states) > 1:
                target_sets = [[t] for t in states]
            return [(event_type, actor_sets, target_sets)]
        return []

    def _of_class(self, role: Role | None, values: list[str]) -> list[str]:
        if role is None or role.cls is None:
            return values
        return [v for v in values if role.cls in self.domain.ancestors(self.entities.type_of(v))]

    def _holds(self, person: str, post_class: str) -> bool:
        """True when the article names the person as holder of a post of that class."""
        for holding in self.draft.holdings:
            post = self.draft.posts.get(holding.post) or self.registry.posts.get(holding.post)
            if (
                holding.holder == person
                and post is not None
                and post_class in self.domain.ancestors(post.type)
            ):
                return True
        return False

    def _states_first(self, actors: list[str]) -> list[str]:
        states = [a for a in actors if self.entities.type_of(a) in {"Country", "InternationalOrganization"}]
        return states or actors

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
        key = _unique_key(
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
        self.coded.add(sentence.start)

    def _unrealized(
        self, trigger: Trigger, modality: str, actors: list[str], targets: list[str], sentence: Span
    ) -> None:
        """An act that did not happen, kept when the threat, refusal or denial of it is an event."""
        expressing = self._expressing_event(trigger.verb)
        if expressing is None:
            self._note(
                sentence, f"'{trigger.token.text}' is {modality}, not done: no {trigger.cue.type} coded"
            )
            return
        clause = self._clause(trigger.verb)
        key = _unique_key(slug(f"{modality}-{trigger.cue.type}"), self.draft.acts)
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
        self.coded.add(sentence.start)

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

    # ------------------------------------------------------------------ clause, date, response

    def _clause(self, verb: Token) -> Quote:
        tokens = list(verb.subtree)
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
        sentence = verb.sent
        if verb.dep_ in {"ROOT", "conj"} or end - start < 25:
            start, end = sentence.start_char, sentence.end_char
        return _quote(self.text, start, end)

    def _date(self, verb: Token, sentence: Span) -> dict[str, object] | None:
        """The time expression of the trigger's clause, or else the sentence's first one."""
        expressions = [ent for ent in self.time_expressions if sentence.start <= ent.start < sentence.end]
        own = [ent for ent in expressions if _governing_verb(ent.root) == verb]
        for ent in [*own, *[e for e in expressions if e not in own]]:
            begin = ent.start
            while begin > sentence.start and self.doc[begin - 1].lower_ in {"on", "in", "late", "early"}:
                begin -= 1
            found = event_date(self.doc[begin : ent.end].text, self.published)
            if found is not None:
                return found
        return None

    def _responds(self, sentence: Span) -> bool:
        """Whether the sentence speaks of a response, or is the lead of a headline that does
        ("China retaliates with sanctions ..." over "China imposed sanctions ...")."""
        sentences = list(self.doc.sents)
        lead = len(sentences) > 1 and sentences[1].start == sentence.start
        texts = [sentence.text, sentences[0].text] if lead else [sentence.text]
        return any(word in text.lower() for text in texts for word in self.lexicon.responses)

    def _merge_duplicates(self) -> None:
        """One event for an act the article tells twice (headline and lead, or a clause and its
        purpose): same class and actors, targets one within the other, no conflicting dates."""
        kept: list[DraftEvent] = []
        for key in list(self.draft.events):
            event = self.draft.events[key]
            first = next((k for k in kept if self._same_act(k, event)), None)
            if first is None:
                kept.append(event)
                continue
            if first.label.start < self.headline_end <= event.label.start:
                first.label = event.label
            first.evidence.extend(q for q in event.evidence if q not in first.evidence)
            first.targets = _unique([*first.targets, *event.targets])
            first.date = first.date or event.date
            first.responds = first.responds or event.responds
            first.participants = _unique([*first.participants, *event.participants])
            first.confidence = max(first.confidence, event.confidence)
            del self.draft.events[key]
            for act in self.draft.acts.values():
                if act.expressed_in == key:
                    act.expressed_in = first.id

    def _same_episode_dates(self) -> None:
        """An undated act between the same sides as a dated one told in the sentence just before
        belongs to that episode and takes its day ("China summoned the U.S. ambassador on Sunday.
        Le told the ambassador that Washington should cancel its warrant")."""
        starts = [sentence.start_char for sentence in self.doc.sents]
        events = sorted(self.draft.events.values(), key=lambda e: e.label.start)
        for event in events:
            if event.date is not None:
                continue
            here = _sentence_index(starts, event.label.start)
            sides = (self._sides_of(event.actors), self._sides_of(event.targets))
            for other in events:
                if (
                    other.date is not None
                    and _sentence_index(starts, other.label.start) == here - 1
                    and sides[0]
                    and sides[1]
                    and (self._sides_of(other.actors), self._sides_of(other.targets)) == sides
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
        if a != b and not (a & b and (a <= b or b <= a) and self._sides_of(a) == self._sides_of(b)):
            return False
        ta, tb = set(first.targets), set(other.targets)
        return ta <= tb or tb <= ta

    def _complete_journeys(self) -> None:
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

    def _answer_rejections(self) -> None:
        """A rejection or denial that names no one answers the last accusation against its side by
        another side: the accuser is its target ("Beijing dismisses such accusations")."""
        events = sorted(self.draft.events.values(), key=lambda e: e.label.start)
        for event in events:
            if event.targets or not event.actors or self.domain.classes[event.type].plover != "REJECT":
                continue
            side = self._sides_of(event.actors) | set(event.actors)
            accusations = [
                other
                for other in events
                if other.label.start < event.label.start
                and self.domain.classes[other.type].plover == "ACCUSE"
                and (self._sides_of(other.targets) | set(other.targets)) & side
                and not (self._sides_of(other.actors) | set(other.actors)) & side
            ]
            if accusations:
                event.targets = self._states_first(accusations[-1].actors)
                event.confidence = round(event.confidence * 0.8, 2)

    def _drop_headline_only(self) -> None:
        """A headline restates the story in clipped words a parser misreads: an event told in the
        headline alone is left for review, not drafted."""
        headline_end = self.headline_end
        for key in list(self.draft.events):
            event = self.draft.events[key]
            if all(q.start < headline_end for q in event.evidence) and not any(
                act.expressed_in == key for act in self.draft.acts.values()
            ):
                del self.draft.events[key]
                headline = next(self.doc.sents)
                self._note(headline, f"'{event.type}' is told in the headline only: not drafted")

    def _link_responses(self) -> None:
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

    # ------------------------------------------------------------------ holdings

    def _holdings(self, sentence: Span) -> None:
        tokens = [t for t in sentence if t.text != "-"]  # "vice-minister" reads as "vice minister"
        lowered = [t.lower_ for t in tokens]
        i = 0
        while i < len(tokens):
            title = self._title_at(lowered, i)
            if title is None:
                i += 1
                continue
            size = len(title.words.split())
            self._holding(sentence, tokens[i], tokens[i + size - 1], title)
            i += size

    def _title_at(self, lowered: list[str], i: int) -> Title | None:
        for title in self.lexicon.titles:
            words = title.words.split()
            if lowered[i : i + len(words)] == words:
                return title
        return None

    def _holding(self, sentence: Span, first: Token, last: Token, title: Title) -> None:
        holder = self._holder(first, last)
        if holder is None:
            return
        represents, begin = self._title_state(first)
        begin = self._title_field(begin, title)
        accredited = None
        end = last
        if represents is None:
            represents, end = self._state_after(last)
        if title.diplomatic:
            for child in last.children:
                if child.dep_ == "prep" and child.lower_ in {"to", "in"}:
                    states = [e for obj in child.children for e in self.phrase(obj)]
                    states = [s for s in states if self.entities.type_of(s) == "Country"]
                    if states:
                        accredited = states[0]
                        end = list(child.subtree)[-1]
        confidence = 0.8
        if (
            represents is None
            and title.post_type in self.lexicon.dateline_posts
            and self.dateline is not None
        ):
            represents, confidence = self.dateline, DATELINE_CONFIDENCE
            self._note(sentence, f"'{title.words}' names no state: the dateline's is assumed")
        if represents is None:
            self._note(sentence, f"'{title.words}' of no named state: no holding coded")
            return
        former = any(t.lower_ == "former" for t in self.doc[max(sentence.start, begin.i - 2) : last.i])
        label = _quote(self.text, begin.idx, end.idx + len(end))
        field = " ".join(
            t.lower_
            for t in self.doc[begin.i : last.i + 1]
            if self.entities.at(t.i) is None and t.lower_ not in TITLE_PREFIXES and not t.is_punct
        )
        post = self._post(title, field or title.words, represents, accredited, label, confidence)
        evidence = _quote(
            self.text,
            min(begin.idx, self.doc[holder[1]].idx),
            max(end.idx + len(end), self.doc[holder[2] - 1].idx + len(self.doc[holder[2] - 1])),
        )
        for holding in self.draft.holdings:
            if holding.post == post and holding.holder == holder[0]:
                return
        self.draft.holdings.append(DraftHolding(post, holder[0], former, evidence, confidence))
        self.coded.add(sentence.start)

    def _state_after(self, last: Token) -> tuple[str | None, Token]:
        """The state a title's complement names ("a consul at Canada's consulate", "secretary of
        Iran's Supreme National Security Council"), and the last word of the title."""
        for child in last.children:
            if child.dep_ == "prep" and child.lower_ in {"of", "at", "for"}:
                for obj in child.children:
                    states = [e for e in self.phrase(obj) if self.entities.type_of(e) in STATE_TYPES]
                    if states:
                        return states[0], list(child.subtree)[-1]
        return None, last

    def _title_field(self, begin: Token, title: Title) -> Token:
        """Where a minister's title begins when a field precedes it ("Justice Minister")."""
        if not title.words.endswith(("minister", "secretary")):
            return begin
        i = begin.i - 1
        while (
            i >= 0
            and self.doc[i].pos_ in {"NOUN", "PROPN"}
            and self.entities.at(i) is None
            and self.doc[i].is_title
        ):
            i -= 1
        return self.doc[i + 1] if i + 1 < begin.i else begin

    def _drop_contradicted_datelines(self) -> None:
        """A post given the dateline's state is dropped when its holder acts against that state."""
        opposed = {
            actor
            for event in self.draft.events.values()
            for actor in event.actors
            if self.dateline in event.targets
            or any(self._represents(t) == self.dateline for t in event.targets)
        }
        self.draft.holdings = [
            h
            for h in self.draft.holdings
            if not (h.confidence == DATELINE_CONFIDENCE and h.holder in opposed)
        ]
        used = {h.post for h in self.draft.holdings}
        self.draft.posts = {key: post for key, post in self.draft.posts.items() if key in used}

    def _represents(self, person: str) -> str | None:
        for holding in self.draft.holdings:
            post = self.draft.posts.get(holding.post) or self.registry.posts.get(holding.post)
            if holding.holder == person and post is not None and holding.confidence != DATELINE_CONFIDENCE:
                return post.represents
        return None

    def _holder(self, first: Token, last: Token) -> tuple[str, int, int] | None:
        """The person a title names: right after it, in apposition to it, or it in apposition to them."""
        after = self.entities.at(last.i + 1) if last.i + 1 < len(self.doc) else None
        if after is not None and not self.entities.is_person(after.entity):
            self.entities.as_person(after.entity)
        if after is not None and self.entities.is_person(after.entity):
            return after.entity, after.start, after.end
        for child in last.children:
            if child.dep_ == "appos":
                mention = self.entities.at(child.i)
                if mention is not None and self.entities.is_person(mention.entity):
                    return mention.entity, mention.start, mention.end
        if last.dep_ == "appos":
            mention = self.entities.at(last.head.i)
            if mention is not None and self.entities.is_person(mention.entity):
                return mention.entity, mention.start, mention.end
        return None

    def _title_state(self, first: Token) -> tuple[str | None, Token]:
        """The state named just before a title ("Chinese", "U.S.", "Russia's"), and where the title begins."""
        i = first.i - 1
        begin = first
        while i >= max(0, first.i - 5):
            token = self.doc[i]
            mention = self.entities.at(i)
            if mention is not None and self.entities.type_of(mention.entity) in STATE_TYPES:
                return mention.entity, self.doc[mention.start]
            if token.lower_ not in TITLE_PREFIXES and not token.is_punct:
                break
            if token.lower_ in {"former", "acting", "deputy", "senior", "top"}:
                begin = token
            i -= 1
        return None, begin

    def _post(
        self,
        title: Title,
        words: str,
        represents: str,
        accredited: str | None,
        label: Quote,
        confidence: float,
    ) -> str:
        """The registry's post of that class, state and accreditation whose label has the title's
        words, or a post of this article ("justice minister" and "interior minister" are two)."""
        for key, post in sorted(self.registry.posts.items()):
            if (
                post.type == title.post_type
                and post.represents == represents
                and post.accredited_to == accredited
                and (title.post_type not in GENERIC_POSTS or words in post.label.lower())
            ):
                return key
        parts = [represents, words]
        if accredited:
            parts += ["to", accredited]
        key = slug(" ".join(parts))
        if key not in self.draft.posts:
            self.draft.posts[key] = DraftPost(
                key, title.post_type, label.text, represents, accredited, label, confidence
            )
        return key

    # ------------------------------------------------------------------ quotations and claims

    def _quotations(self) -> None:
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
                found = (last_speaker, None, _quote(self.text, sent.start_char, sent.end_char))
            if found is None:
                self._note(sent, "a quotation whose speaker was not found")
                continue
            speaker, relay, evidence = found
            relay = relay or carried.get((sent.start, speaker))
            last_speaker = speaker
            key = _unique_key(slug(f"{speaker}-quote"), self.draft.quotes)
            confidence = 0.85 if evidence.start != sent.start_char else 0.6
            self.draft.quotes[key] = DraftQuote(
                key, speaker, relay, Quote(words, start), evidence, confidence
            )
            self.coded.add(sent.start)
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
                    for child in _subjects(token):
                        for entity in self.phrase(child):
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
        for verb in sorted(verbs, key=lambda t: abs(t.idx - start)):
            speakers = [e for child in _subjects(_clause_with_subject(verb)) for e in self.phrase(child)]
            speakers = [s for s in speakers if not self.entities.is_place(s)]
            if not speakers:
                continue
            relay = self._relay(verb, sentence, (start, end))
            tokens = [t for t in verb.subtree if not (start <= t.idx < end) and t.idx < end + 200]
            outside = [t for t in tokens if t.sent == sentence and not t.is_punct]
            if outside:
                first, last = outside[0], outside[-1]
                evidence = _quote(self.text, first.idx, last.idx + len(last))
                if evidence.start <= start < evidence.start + len(evidence.text):
                    evidence = _quote(self.text, verb.idx, verb.idx + len(verb))
            else:
                evidence = _quote(self.text, verb.idx, verb.idx + len(verb))
            person = [s for s in speakers if self.entities.is_person(s)]
            return (person or speakers)[0], relay, evidence
        return None

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
                entities = self.phrase(obj)
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
                    entity = self.resolve(token)
                    if entity and not self.entities.is_person(entity) and not self.entities.is_place(entity):
                        self._as_outlet(entity)
                        return entity
                    if token.is_punct:
                        break
        for token in sentence:
            if token.lemma_.lower() in self.lexicon.relaying_verbs:
                for child in _subjects(token):
                    named = [e for e in self.phrase(child) if not self.entities.is_person(e)]
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
        for clause, actors, targets, made_in in self.accusations:
            span = self.doc.char_span(clause.start, clause.start + len(clause.text), alignment_mode="expand")
            if span is None:
                continue
            stems = {_stem(t.lower_) for t in span} | {_stem(t.lemma_.lower()) for t in span}
            matches = [key for key, words in concepts.items() if words and words <= stems]
            if not matches:
                self._note(span.sent, "an accusation no allegation concept names: no claim coded")
                continue
            key = _unique_key(slug(f"{actors[0]}-claim"), self.draft.claims)
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
            self.coded.add(span.sent.start)

    # ------------------------------------------------------------------ review

    def _note(self, sentence: Span, reason: str) -> None:
        item = ReviewItem(reason, _quote(self.text, sentence.start_char, sentence.end_char))
        if item not in self.draft.review:
            self.draft.review.append(item)

    def _review_uncoded(self) -> None:
        noted = {item.sentence.start for item in self.draft.review}
        for sentence in self.doc.sents:
            quote = _quote(self.text, sentence.start_char, sentence.end_char)
            if sentence.start in self.coded or quote.start in noted or len(quote.text.split()) < 4:
                continue
            self.draft.review.append(ReviewItem("no event, quotation or post holding found", quote))
        self.draft.review.sort(key=lambda item: item.sentence.start)


def _sentence_index(starts: list[int], offset: int) -> int:
    """Which sentence (by the offsets where sentences start) an offset falls in."""
    return bisect_right(starts, offset) - 1


def _nominal(token: Token) -> bool:
    """A verb form used as a noun ("over the killing", "park killing"): not a clause of its own."""
    return token.dep_ in {"pobj", "compound", "amod"} or any(c.dep_ == "det" for c in token.children)


def _stem(word: str) -> str:
    """A crude stem for matching concept labels: "interfering" and "interference" agree."""
    return word[:6]


def _minimum(role: Role | None) -> int:
    return role.min if role is not None else 0


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


def _is_subject(token: Token) -> bool:
    """A subject, or a name in apposition within one ("A spokeswoman ..., Emily Horne, said")."""
    if token.dep_ in SUBJECTS:
        return True
    if token.dep_ != "appos":
        return False
    for ancestor in token.ancestors:
        if ancestor.dep_ in SUBJECTS:
            return True
        if ancestor.pos_ in {"VERB", "AUX"}:
            return False
    return False


def _clause_with_subject(verb: Token) -> Token:
    """The verb, or the verb whose subject it shares ("summoned X ... and called the plan ...")."""
    while not _subjects(verb) and verb.head != verb:
        if verb.dep_ in {"conj", "xcomp", "advcl"}:
            verb = verb.head
        elif verb.dep_ == "pcomp" and verb.head.head != verb.head:
            verb = verb.head.head  # "responded by suspending imports"
        else:
            break
    return verb


def _subjects(verb: Token) -> list[Token]:
    return [child for child in verb.children if child.dep_ in {"nsubj", "csubj"}]


def _governing_verb(token: Token) -> Token:
    while token.head != token and token.pos_ not in {"VERB", "AUX"}:
        token = token.head
    return token


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


def _quote(text: str, start: int, end: int) -> Quote:
    """The words between two offsets, without surrounding blanks or a closing full stop."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:"):
        end -= 1
    return Quote(text[start:end], start)


def _unique(values: object) -> list[str]:
    found: list[str] = []
    for value in values:  # type: ignore[attr-defined]
        if value not in found:
            found.append(value)
    return found


def _unique_key(base: str, taken: object) -> str:
    key, n = base, 2
    while key in taken:  # type: ignore[operator]
        key, n = f"{base}-{n}", n + 1
    return key
