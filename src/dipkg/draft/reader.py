"""Reading an article: events, unrealised acts, post holdings, quotations and claims, from the parse.

The reader holds what the stages share (the parse, the entities named, the draft so far) and the
resolution of phrases and pronouns to entities; holdings.py, events.py (with roles.py),
episodes.py and quotations.py read the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from spacy.tokens import Doc, Span, Token

from dipkg.domain.model import Domain
from dipkg.draft.dates import event_date
from dipkg.draft.episodes import Episodes
from dipkg.draft.events import EventCoder
from dipkg.draft.holdings import Holdings
from dipkg.draft.lexicon import Lexicon
from dipkg.draft.mentions import PERSON_PRONOUNS, STATE_TYPES, THING_PRONOUNS, Entities
from dipkg.draft.model import Draft, Quote, ReviewItem, trimmed_quote
from dipkg.draft.quotations import Quotations
from dipkg.seeds.model import Registry

MODIFIERS = frozenset({"compound", "amod", "poss", "nmod", "appos", "npadvmod"})
OBJECT_PRONOUNS = frozenset({"him", "her"})
# Sentences longer than this are left to the reviewer: news sentences are a few hundred
# characters, and reading one costs time quadratic in its triggers.
LONGEST_SENTENCE = 2000
SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})


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
        self.holdings = Holdings(self)
        self.coder = EventCoder(self)
        self.episodes = Episodes(self)
        self.quotations = Quotations(self)

    # ------------------------------------------------------------------ reading

    def read(self) -> Draft:
        """The draft of the article: holdings first (roles need them), then events and their
        episodes, then quotations and claims."""
        sentences = []
        for sentence in self.doc.sents:
            if len(sentence.text) > LONGEST_SENTENCE:
                self.note(sentence, f"a sentence of {len(sentence.text)} characters is too long to read")
                self.coded.add(sentence.start)
            else:
                sentences.append(sentence)
        for sentence in sentences:
            self.holdings.read(sentence)
        for sentence in sentences:
            for trigger in self.coder.triggers(sentence):
                self.coder.code(trigger, sentence)
            self.coder.reported_accusations(sentence)
            self.episodes.anaphoric_dates(sentence)
        self.episodes.answer_rejections()
        self.episodes.complete_journeys()
        self.episodes.same_episode_dates()
        self.episodes.merge_duplicates()
        self.episodes.drop_headline_only()
        self.holdings.drop_contradicted_datelines()
        self.episodes.link_responses()
        self.quotations.read()
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

    def prepositional(self, token: Token, prepositions: frozenset[str]) -> list[str]:
        """The entities named as objects of the given prepositions of a word ("expelled from Britain")."""
        found: list[str] = []
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in prepositions:
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        found.extend(e for e in self.phrase(obj) if e not in found)
        return found

    # ------------------------------------------------------------------ sides

    def sides_of(self, entities: Iterable[str]) -> set[str]:
        """The states and organisations entities stand for: themselves, or the state whose post
        a person holds."""
        sides = set()
        for entity in entities:
            if self.entities.type_of(entity) in STATE_TYPES:
                sides.add(entity)
            elif (state := self.holdings.represents(entity)) is not None:
                sides.add(state)
        return sides

    def states_first(self, actors: list[str]) -> list[str]:
        """The states among actors, or all of them when none is a state."""
        states = [a for a in actors if self.entities.type_of(a) in STATE_TYPES]
        return states or actors

    # ------------------------------------------------------------------ clause and date

    def clause_of(self, verb: Token) -> Quote:
        """The words of a verb's clause, or the whole sentence's when it is a main clause or a short one."""
        tokens = list(verb.subtree)
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
        sentence = verb.sent
        if verb.dep_ in {"ROOT", "conj"} or end - start < 25:
            start, end = sentence.start_char, sentence.end_char
        return trimmed_quote(self.text, start, end)

    def date_of(self, verb: Token, sentence: Span) -> dict[str, object] | None:
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

    # ------------------------------------------------------------------ review

    def note(self, sentence: Span, reason: str) -> None:
        """Leaves a sentence for the reviewer, with the reason."""
        item = ReviewItem(reason, trimmed_quote(self.text, sentence.start_char, sentence.end_char))
        if item not in self.draft.review:
            self.draft.review.append(item)

    def _review_uncoded(self) -> None:
        noted = {item.sentence.start for item in self.draft.review}
        for sentence in self.doc.sents:
            quote = trimmed_quote(self.text, sentence.start_char, sentence.end_char)
            if sentence.start in self.coded or quote.start in noted or len(quote.text.split()) < 4:
                continue
            self.draft.review.append(ReviewItem("no event, quotation or post holding found", quote))
        self.draft.review.sort(key=lambda item: item.sentence.start)


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


def _governing_verb(token: Token) -> Token:
    while token.head != token and token.pos_ not in {"VERB", "AUX"}:
        token = token.head
    return token
