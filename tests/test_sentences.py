"""Sentences: found by pysbd line by line, never overlapping, and every sentence a span crosses named."""

from __future__ import annotations

import itertools
from pathlib import Path

import pysbd
from rdflib import Graph

from dipkg import api
from dipkg.iris import prefix_map
from dipkg.query.catalogue import bind_parameters, find_query, with_bindings
from dipkg.seeds.evidence import Span, overlapping_sentences, sentence_spans
from tests.conftest import select
from tests.projects import SEED, build, seed_project

ARTICLE = "000_65e413c471938464"
SPAN = f"https://w3id.org/dipkg/article/{ARTICLE}/span/"
SENTENCE = f"https://w3id.org/dipkg/article/{ARTICLE}/sentence/"
ANNOTATION = Path("articles") / ARTICLE / "annotation.yaml"


def sentences(text: str) -> list[str]:
    return [span.slice(text) for span in sentence_spans(text)]


def test_abbreviations_initials_dates_and_quotes_do_not_end_sentences() -> None:
    text = (
        'Mr. Wang met U.S. Secretary Blinken on Jan. 5 in Washington. "We agreed," he said. '
        '"It went well." Then Dr. Li left at 5 p.m. for the U.K.\n'
        "A headline without a full stop\n"
        "Line breaks end sentences"
    )
    assert sentences(text) == [
        "Mr. Wang met U.S. Secretary Blinken on Jan. 5 in Washington.",
        '"We agreed," he said.',
        '"It went well."',
        "Then Dr. Li left at 5 p.m. for the U.K.",
        "A headline without a full stop",
        "Line breaks end sentences",
    ]


def test_sentences_are_trimmed_ordered_and_never_overlap() -> None:
    text = '  First one.  Second "quoted." \r\n\n Third!Fourth?  \n'
    spans = sentence_spans(text)
    assert [s.slice(text) for s in spans] == ["First one.", 'Second "quoted."', "Third!", "Fourth?"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert sentence_spans("") == [] and sentence_spans(" \n\t\n") == []


def test_a_long_line_is_segmented_in_windows_as_pysbd_segments_it_whole() -> None:
    text = (SEED.seeds_dir / "articles" / ARTICLE / "article.txt").read_text(encoding="utf-8")
    long_line = text.replace("\n", " ") * 3  # 10,600 characters: three windows of 4,000
    dense = "Mr. A. B. Smith met Dr. C. D. Jones in the U.S. on Jan. 5. They talked. " * 20  # 220 stops
    segmenter = pysbd.Segmenter(language="en", clean=False)
    for line, count in ((long_line, 58), (dense, 40)):
        whole = [piece.strip() for piece in segmenter.segment(line)]
        assert len(whole) == count
        assert sentences(line) == whole


def test_overlapping_sentences_are_every_sentence_a_span_shares_characters_with() -> None:
    spans = [Span(0, 5), Span(6, 10), Span(12, 20)]
    assert overlapping_sentences(spans, Span(1, 3)) == [Span(0, 5)]
    assert overlapping_sentences(spans, Span(4, 13)) == spans
    assert overlapping_sentences(spans, Span(10, 12)) == []
    assert overlapping_sentences(spans, Span(19, 30)) == [Span(12, 20)]


def test_the_seed_sentences_are_real_and_do_not_overlap(kg: Graph) -> None:
    rows = select(kg, "SELECT ?s ?start ?end WHERE { ?s a dip:Sentence ; oa:start ?start ; oa:end ?end }")
    found = sorted((int(start), int(end)) for _, start, end in rows)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(found)), found
    text = (SEED.seeds_dir / "articles" / ARTICLE / "article.txt").read_text(encoding="utf-8")
    assert set(found) <= {(s.start, s.end) for s in sentence_spans(text)}
    # The CNBC quotation is one sentence with its attribution, not cut at "with China. There's".
    quoted = select(
        kg,
        "SELECT DISTINCT ?sentence WHERE { ?span oa:start 498 ; oa:end 575 ; dip:sentence ?sentence }",
    )
    assert quoted == [(SENTENCE + "393-784",)]
    assert (473, 784) not in found


def test_every_span_names_exactly_the_sentences_it_overlaps(kg: Graph) -> None:
    text = (SEED.seeds_dir / "articles" / ARTICLE / "article.txt").read_text(encoding="utf-8")
    all_sentences = sentence_spans(text)
    rows = select(
        kg,
        """
        SELECT ?span ?start ?end ?sentence WHERE {
          ?span a dip:EvidenceSpan ; oa:start ?start ; oa:end ?end .
          FILTER NOT EXISTS { ?span a dip:Sentence }
          OPTIONAL { ?span dip:sentence ?sentence }
        }""",
    )
    named: dict[tuple[int, int], set[str]] = {}
    for _, start, end, sentence in rows:
        named.setdefault((int(start), int(end)), set()).add(sentence)
    assert len(named) > 60
    for (start, end), sentence_iris in named.items():
        expected = {
            f"{SENTENCE}{s.start}-{s.end}" for s in overlapping_sentences(all_sentences, Span(start, end))
        }
        assert sentence_iris == expected, (start, end)


def test_a_span_across_two_sentences_names_both(seeds_copy: Path, tmp_path: Path) -> None:
    annotation = seeds_copy / ANNOTATION
    crossing = "other issues of concern. China has failed"
    text = annotation.read_text(encoding="utf-8")
    old = 'evidence: ["China has failed to uphold these commitments in the past, he said."]'
    assert text.count(old) == 1
    annotation.write_text(text.replace(old, f'evidence: ["{crossing}"]'), encoding="utf-8")
    out = tmp_path / "kg"
    build(seeds_copy, out)  # validated against the shapes: refused if a span left a sentence out
    project = seed_project(out, seeds_copy, tmp_path / "cache")
    graph = Graph()
    for path in sorted(out.rglob("*.ttl")):
        graph.parse(path, format="turtle")
    named = select(
        graph,
        f'SELECT ?sentence WHERE {{ ?span oa:exact "{crossing}" ; dip:sentence ?sentence }}',
    )
    assert named == [(SENTENCE + "1138-1275",), (SENTENCE + "1276-1342",)]
    claim = select(
        graph,
        f'SELECT ?claim WHERE {{ ?claim dip:evidence/oa:exact "{crossing}" }}',
    )
    run = (
        "Blinken also called on the Chinese government to follow through on its commitments on "
        "human rights as well as on other issues of concern. China has failed to uphold these "
        "commitments in the past, he said."
    )
    evidence = api.query(project, "evidence", {"subject": claim[0][0]}).records()
    assert [(row["exact"], row["sentence"]) for row in evidence] == [(crossing, run)]
    # rdflib's engine gives the same one row for the span (the query aggregates its sentences).
    query = find_query("evidence", project.query_files)
    text = with_bindings(query.text, bind_parameters(query, {"subject": claim[0][0]}, prefix_map()))
    assert [(str(row[2]), str(row[3])) for row in graph.query(text)] == [(crossing, run)]  # type: ignore[index]
