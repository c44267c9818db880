"""Post holdings: a title of the lexicon ("Foreign Minister", "ambassador to") read as a post of a
state, and the person named with it as its holder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

from dipkg.draft.lexicon import Title
from dipkg.draft.mentions import STATE_TYPES, slug
from dipkg.draft.model import DraftHolding, DraftPost, Quote, trimmed_quote
from dipkg.draft.stage import Stage

if TYPE_CHECKING:
    from dipkg.draft.reader import ArticleReader

# The confidence of a post whose state is only the dateline's.
DATELINE_CONFIDENCE = 0.4
# Post classes that hold many different offices: a registry post is reused only when its label
# has the article's title words.
GENERIC_POSTS = frozenset({"MinisterPost", "DeputyMinisterPost", "OfficialPost", "DiplomaticPost"})
# Words that may stand between a state's name and a title ("Russia's former deputy ...").
TITLE_PREFIXES = frozenset({"'s", "\u2019s", "the", "former", "then", "acting", "deputy", "senior", "top"})


class Holdings(Stage):
    """Reads titles into posts and their holders, and tells which state a holder stands for."""

    def __init__(self, reader: ArticleReader) -> None:
        super().__init__(reader)
        # The state of the last unnamed diplomat of each post class ("the U.S. ambassador").
        self.unnamed: dict[str, str] = {}

    def read(self, sentence: Span) -> None:
        """Drafts the posts and holders of the titles a sentence names."""
        tokens = [t for t in sentence if t.text != "-"]  # "vice-minister" reads as "vice minister"
        lowered = [t.lower_ for t in tokens]
        i = 0
        while i < len(tokens):
            title = self._title_at(lowered, i)
            if title is None:
                i += 1
                continue
            size = len(title.words.split())
            if tokens[i + size - 1].pos_ in {"NOUN", "PROPN"}:  # not "the official news agency"
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
            unnamed, _ = self._title_state(first)
            if unnamed is not None and title.diplomatic:
                self.unnamed[title.post_type] = unnamed
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
                    states = [e for obj in child.children for e in self.reader.phrase(obj)]
                    states = [s for s in states if self.entities.type_of(s) == "Country"]
                    if states:
                        accredited = states[0]
                        end = list(child.subtree)[-1]
        confidence = 0.8
        if represents is None and title.post_type in self.unnamed:
            # "China summoned the U.S. ambassador ... told Ambassador Terry Branstad"
            represents, confidence = self.unnamed[title.post_type], 0.6
        if (
            represents is None
            and title.post_type in self.lexicon.dateline_posts
            and self.reader.dateline is not None
        ):
            represents, confidence = self.reader.dateline, DATELINE_CONFIDENCE
            self.reader.note(sentence, f"'{title.words}' names no state: the dateline's is assumed")
        if represents is None:
            self.reader.note(sentence, f"'{title.words}' of no named state: no holding coded")
            return
        former = any(t.lower_ == "former" for t in self.doc[max(sentence.start, begin.i - 2) : last.i])
        label = trimmed_quote(self.text, begin.idx, end.idx + len(end))
        field = " ".join(
            t.lower_
            for t in self.doc[begin.i : last.i + 1]
            if self.entities.at(t.i) is None and t.lower_ not in TITLE_PREFIXES and not t.is_punct
        )
        post = self._post(title, field or title.words, represents, accredited, label, confidence)
        evidence = trimmed_quote(
            self.text,
            min(begin.idx, self.doc[holder[1]].idx),
            max(end.idx + len(end), self.doc[holder[2] - 1].idx + len(self.doc[holder[2] - 1])),
        )
        for holding in self.draft.holdings:
            if holding.post == post and holding.holder == holder[0]:
                return
        self.draft.holdings.append(DraftHolding(post, holder[0], former, evidence, confidence))
        self.reader.coded.add(sentence.start)

    def _state_after(self, last: Token) -> tuple[str | None, Token]:
        """The state a title's complement names ("a consul at Canada's consulate", "secretary of
        Iran's Supreme National Security Council"), and the last word of the title."""
        for child in last.children:
            if child.dep_ == "prep" and child.lower_ in {"of", "at", "for"}:
                for obj in child.children:
                    states = [e for e in self.reader.phrase(obj) if self.entities.type_of(e) in STATE_TYPES]
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

    def drop_contradicted_datelines(self) -> None:
        """A post given the dateline's state is wrong when its holder acts against that state: it
        goes to the one state the holder acts with, or is dropped."""
        dateline = self.reader.dateline
        kept = []
        for holding in self.draft.holdings:
            if holding.confidence != DATELINE_CONFIDENCE or not self._opposes(holding.holder, dateline):
                kept.append(holding)
                continue
            allies = {
                actor
                for event in self.draft.events.values()
                if holding.holder in event.actors
                for actor in event.actors
                if self.entities.type_of(actor) == "Country" and actor != dateline
            }
            old = self.draft.posts.get(holding.post)
            if len(allies) == 1 and old is not None and dateline is not None:
                (state,) = allies
                key = state + holding.post.removeprefix(dateline)
                self.draft.posts.setdefault(
                    key, DraftPost(key, old.type, old.label, state, old.accredited_to, old.evidence, 0.5)
                )
                kept.append(DraftHolding(key, holding.holder, holding.former, holding.evidence, 0.5))
        self.draft.holdings = kept
        used = {h.post for h in self.draft.holdings}
        self.draft.posts = {key: post for key, post in self.draft.posts.items() if key in used}

    def _opposes(self, person: str, state: str | None) -> bool:
        """True when the person acts against the state, or against one of its post holders."""
        return any(
            person in event.actors
            and (state in event.targets or any(self.represents(t) == state for t in event.targets))
            for event in self.draft.events.values()
        )

    def represents(self, person: str) -> str | None:
        """The state whose post the article names the person as holding (not by the dateline alone)."""
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
        for word in self.doc[first.i : last.i + 1]:
            if word.dep_ == "appos":  # "Blinken, the first U.S. secretary of state"
                mention = self.entities.at(word.head.i)
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

    def holds(self, person: str, post_class: str) -> bool:
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
