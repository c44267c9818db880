"""Locate verbatim evidence in an article's text and find the sentence around it."""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTEXT_CHARS = 32

# A sentence ends at . ! or ? (optionally followed by a closing quote) before white space and
# an upper-case letter, a digit or an opening quote; a line break always ends a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"\u201d\u2019)]?(?=[ \t]+[\"\u201c(A-Z0-9])|\r?\n")


@dataclass(frozen=True)
class Span:
    """A half-open range [start, end) of code points in an article's text."""

    start: int
    end: int

    def slice(self, text: str) -> str:
        """The characters of `text` this span covers."""
        return text[self.start : self.end]


class QuoteNotFound(Exception):
    """The quote does not occur in the text, or not as often as asked."""


def find_occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every occurrence of `quote` in `text`, overlapping ones included."""
    starts: list[int] = []
    position = text.find(quote)
    while position != -1:
        starts.append(position)
        position = text.find(quote, position + 1)
    return starts


def locate(text: str, quote: str, occurrence: int | None) -> Span:
    """The span of `quote` in `text`; `occurrence` (from 1) is required when it is ambiguous."""
    starts = find_occurrences(text, quote)
    if not starts:
        raise QuoteNotFound(f"quote not found verbatim in the article text: {quote!r}")
    if occurrence is None:
        if len(starts) > 1:
            raise QuoteNotFound(
                f"quote occurs {len(starts)} times in the article text; add 'occurrence: N' "
                f"to say which: {quote!r}"
            )
        occurrence = 1
    if occurrence > len(starts):
        raise QuoteNotFound(f"quote occurs {len(starts)} time(s), not {occurrence}: {quote!r}")
    start = starts[occurrence - 1]
    return Span(start, start + len(quote))


def sentence_spans(text: str) -> list[Span]:
    """The sentences of `text`, as spans without their surrounding white space."""
    spans: list[Span] = []
    cursor = 0
    for match in _SENTENCE_END.finditer(text):
        _append_trimmed(text, cursor, match.end() if match.group().strip() else match.start(), spans)
        cursor = match.end()
    _append_trimmed(text, cursor, len(text), spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append(Span(start, end))


def enclosing_sentence(sentences: list[Span], span: Span) -> Span:
    """The sentence holding `span`, or the run of sentences it crosses."""
    first = next(s for s in sentences if s.end > span.start)
    last = next(s for s in reversed(sentences) if s.start < span.end)
    return Span(first.start, last.end)


def context(text: str, span: Span) -> tuple[str, str]:
    """Up to CONTEXT_CHARS characters before and after `span` (a text quote selector's prefix and suffix)."""
    return text[max(0, span.start - CONTEXT_CHARS) : span.start], text[span.end : span.end + CONTEXT_CHARS]
