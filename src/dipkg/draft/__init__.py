"""Drafting: a reviewable annotation of a new article, read from its text with spaCy and a lexicon."""
