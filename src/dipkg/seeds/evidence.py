"""Locate verbatim evidence in an article's text and find the sentences it lies in."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from typing import Any

CONTEXT_CHARS = 32

# The sentences of a line are found by pysbd (a rule-based segmenter that knows abbreviations such
# as "Mr." and "U.S.", initials, dates such as "Jan. 5" and quotations). Its time grows with the
# square of the number of possible sentence ends in the text it is given, so a long line is
# segmented a window at a time: at most this many characters, and at most this many . ! or ?
SEGMENT_WINDOW = 4000
SEGMENT_WINDOW_STOPS = 100

# A line is one sentence unless one of these comes before its last character.
_TERMINAL = re.compile(r"[.!?\u2026\u3002\uff0e\uff01\uff1f]")
# A line break always ends a sentence (a headline line is a sentence of its own).
_LINE = re.compile(r"[^\r\n]+")


@dataclass(frozen=True)
class Span:
    """A half-open range [start, end) of code points in an article's text."""

    start: int
    end: int

    def slice(self, text: str) -> str:
        """The characters of `text` this span covers."""
        return text[self.start : self.end]

    def overlaps(self, other: Span) -> bool:
        """Whether the two spans share at least one character."""
        return self.start < other.end and other.start < self.end


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


def sentence_spans(text: str, language: str = "en") -> list[Span]:
    """The sentences of `text` in order, as spans without their surrounding white space.

    Sentences never overlap. Each line is segmented on its own, so a line break always ends a
    sentence; within a line, pysbd decides, with the rules of `language` (a BCP 47 tag; English
    where pysbd has no rules for the language).
    """
    spans: list[Span] = []
    for line in _LINE.finditer(text):
        _segment_line(text, line.start(), line.end(), language, spans)
    return spans


def overlapping_sentences(sentences: list[Span], span: Span) -> list[Span]:
    """The sentences (in order, as sentence_spans gives them) that `span` shares characters with:
    one, or several when it crosses a sentence boundary; none when it lies wholly between two."""
    found: list[Span] = []
    for sentence in sentences[bisect_right(sentences, span.start, key=lambda s: s.end) :]:
        if sentence.start >= span.end:
            break
        found.append(sentence)
    return found


def context(text: str, span: Span) -> tuple[str, str]:
    """Up to CONTEXT_CHARS characters before and after `span` (a text quote selector's prefix and suffix)."""
    return text[max(0, span.start - CONTEXT_CHARS) : span.start], text[span.end : span.end + CONTEXT_CHARS]


def _segment_line(text: str, start: int, end: int, language: str, spans: list[Span]) -> None:
    start, end = _trimmed(text, start, end)
    while start < end:
        if _TERMINAL.search(text, start, end - 1) is None:
            spans.append(Span(start, end))
            return
        window_end = min(end, start + SEGMENT_WINDOW)
        for count, stop in enumerate(_TERMINAL.finditer(text, start, window_end), 1):
            if count == SEGMENT_WINDOW_STOPS:
                window_end = stop.end()
                break
        pieces = _segment(text, start, window_end, language)
        if window_end == end:
            spans.extend(pieces)
            return
        if len(pieces) > 1:
            # The last sentence of the window may go on after it: segment again from its start.
            spans.extend(pieces[:-1])
            start = pieces[-1].start
            continue
        # One sentence longer than the window: cut it at the window's last white space.
        cut = max(text.rfind(" ", start, window_end), text.rfind("\t", start, window_end))
        cut = cut if cut > start else window_end
        spans.append(Span(*_trimmed(text, start, cut)))
        start, end = _trimmed(text, cut, end)


def _segment(text: str, start: int, end: int, language: str) -> list[Span]:
    """pysbd's sentences of text[start:end] (white space trimmed), located in `text`."""
    found: list[Span] = []
    cursor = start
    for piece in _segmenter(language).segment(text[start:end]):
        words = piece.strip()
        if not words:
            continue
        at = text.find(words, cursor, end)
        if at == -1:
            break
        found.append(Span(at, at + len(words)))
        cursor = at + len(words)
    # Whatever pysbd did not return as it was in the text is one more sentence.
    rest_start, rest_end = _trimmed(text, cursor, end)
    if rest_start < rest_end:
        found.append(Span(rest_start, rest_end))
    return found


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@cache
def _segmenter(language: str) -> Any:
    # Imported here: only mapping an article needs it, and the command line starts faster without.
    import pysbd
    from pysbd.languages import LANGUAGE_CODES

    code = language.split("-")[0].lower()
    return pysbd.Segmenter(language=code if code in LANGUAGE_CODES else "en", clean=False)
