"""Content negotiation over many Accept headers: the document chosen, or none (HTTP 406)."""

from __future__ import annotations

import pytest

from dipkg.web.negotiation import MediaRange, choose, not_acceptable_text, parse_accept, quality

FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
    "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "html"),
        ("", "html"),
        ("   ", "html"),
        ("*/*", "html"),
        ("text/*", "html"),
        (FIREFOX, "html"),
        (CHROME, "html"),
        (SAFARI, "html"),
        ("text/html", "html"),
        ("TEXT/HTML", "html"),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/n-triples", "nt"),
        ("text/turtle;charset=utf-8", "ttl"),
        ("text/turtle; charset=UTF-8", "ttl"),
        ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', "jsonld"),
        # the highest q wins, wherever it stands
        ("text/turtle;q=0.5, application/ld+json", "jsonld"),
        ("text/html;q=0.1, text/turtle;q=0.9, application/n-triples;q=0.8", "ttl"),
        ("application/n-triples, text/turtle;q=0.99", "nt"),
        ("text/turtle;q=0.5, */*;q=0.1", "ttl"),
        ("application/rdf+xml, text/turtle;q=0.5", "ttl"),
        ("application/rdf+xml;q=1.0, application/n-triples;q=0.2", "nt"),
        # ties go to the page, then Turtle, then JSON-LD
        ("application/ld+json, text/turtle", "ttl"),
        ("application/n-triples, application/ld+json", "jsonld"),
        ("text/turtle, text/html", "html"),
        ("text/turtle;q=0.8, text/html;q=0.8", "html"),
        ("application/*", "jsonld"),
        # the most specific range sets a type's quality
        ("text/*;q=0, */*", "jsonld"),
        ("text/html;q=0, text/*", "ttl"),
        ("*/*;q=0.1, text/html;q=0", "ttl"),
        ("text/*;q=0.3, text/html;q=0.7, text/html;level=1, */*;q=0.5", "html"),
        ("text/turtle;charset=latin1, application/n-triples;q=0.1", "nt"),
        # malformed ranges are skipped, not fatal
        ("garbage, text/turtle", "ttl"),
        ("text/turtle;q=abc, application/n-triples", "nt"),
        ("text/turtle;q=2, application/n-triples;q=0.5", "nt"),
        ("text/turtle;q=-1, text/html;q=0.001", "html"),
        ("*/html, text/turtle", "ttl"),
        (";;;, ,text/turtle;;", "ttl"),
        ("text/turtle;q=0.5;ext=1", "ttl"),
        # nothing acceptable
        ("application/rdf+xml", None),
        ("image/png", None),
        ("application/json", None),
        ("text/plain", None),
        ("text/*;q=0, application/*;q=0", None),
        ("*/*;q=0", None),
        ("text/html;q=0, text/turtle;q=0.000", None),
        ("garbage", None),
        ("text/html;level=1", None),
    ],
)
def test_the_document_chosen(accept: str | None, chosen: str | None) -> None:
    assert choose(accept) == chosen


def test_only_the_offered_documents_are_chosen() -> None:
    assert choose("text/html, text/turtle;q=0.5", ["ttl", "nt"]) == "ttl"
    assert choose("text/html", ["ttl", "nt"]) is None
    assert choose("*/*", ["nt", "ttl"]) == "nt"
    assert choose(None, []) is None


def test_parsing_keeps_parameters_and_stops_at_q() -> None:
    (parsed,) = parse_accept('Text/Turtle; Charset="utf-8"; q=0.5; ext=x')
    assert parsed == MediaRange("text", "turtle", (("charset", "utf-8"),), 0.5)
    assert parse_accept(None) == [MediaRange("*", "*", (), 1.0)]
    assert parse_accept("," * 1000 + "text/turtle") == []  # only the first hundred ranges are read
    assert quality(parse_accept("text/*;q=0.4"), "text/turtle") == 0.4
    assert quality(parse_accept("application/json"), "text/turtle") == 0.0


def test_the_406_body_lists_the_types() -> None:
    text = not_acceptable_text()
    for media_type in ("text/html", "text/turtle", "application/ld+json", "application/n-triples"):
        assert f"  {media_type}\n" in text
