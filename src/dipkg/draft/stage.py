"""What every stage of reading an article shares: the reader and the article's state it holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dipkg.draft.reader import ArticleReader


class Stage:
    """A part of reading an article (events, holdings, quotations ...), on the reader's state."""

    def __init__(self, reader: ArticleReader) -> None:
        self.reader = reader
        self.doc = reader.doc
        self.text = reader.text
        self.entities = reader.entities
        self.lexicon = reader.lexicon
        self.domain = reader.domain
        self.registry = reader.registry
        self.draft = reader.draft
