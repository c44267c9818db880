"""Evidence in RDF: the quoted words of an article as spans with offsets, and the sentences they lie in."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from dipkg.namespaces import DIP, OA, DataNamespaces
from dipkg.seeds.evidence import Span, context, overlapping_sentences, sentence_spans
from dipkg.seeds.model import Article, Evidence


class EvidenceMapper:
    """Adds evidence spans (oa:exact, offsets, context, sentences) of one article to a graph.

    Without `full_text`, sentences get offsets only: their words would rebuild the article's text.
    """

    def __init__(
        self,
        article: Article,
        ns: DataNamespaces,
        graph: Graph,
        entity: Callable[[str], URIRef],
        full_text: bool = True,
    ) -> None:
        self.article, self.ns, self.graph, self.entity = article, ns, graph, entity
        self.full_text = full_text
        self.article_iri = ns.article[article.id]
        self.sentences = sentence_spans(article.text, article.language)

    def add(self, subject: URIRef, evidence: Iterable[Evidence]) -> None:
        """State that each evidence span supports `subject`."""
        for item in evidence:
            self.graph.add((subject, DIP.evidence, self._span(item)))

    def _span_iri(self, kind: str, span: Span) -> URIRef:
        return self.ns.article[f"{self.article.id}/{kind}/{span.start}-{span.end}"]

    def _span(self, item: Evidence) -> URIRef:
        text, graph = self.article.text, self.graph
        iri = self._span_iri("span", item.span)
        prefix, suffix = context(text, item.span)
        graph.add((iri, RDF.type, DIP.EvidenceSpan))
        graph.add((iri, OA.exact, Literal(item.span.slice(text))))
        graph.add((iri, OA.prefix, Literal(prefix)))
        graph.add((iri, OA.suffix, Literal(suffix)))
        self._add_offsets(iri, item.span)
        # A span that crosses a sentence boundary names every sentence it shares characters with.
        for sentence in overlapping_sentences(self.sentences, item.span):
            graph.add((iri, DIP.sentence, self._sentence(sentence)))
        if item.source is not None:
            graph.add((iri, DIP.attributedTo, self.entity(item.source)))
        return iri

    def _sentence(self, span: Span) -> URIRef:
        iri = self._span_iri("sentence", span)
        self.graph.add((iri, RDF.type, DIP.Sentence))
        if self.full_text:
            self.graph.add((iri, OA.exact, Literal(span.slice(self.article.text))))
        self._add_offsets(iri, span)
        return iri

    def _add_offsets(self, iri: URIRef, span: Span) -> None:
        self.graph.add((iri, OA.start, Literal(span.start, datatype=XSD.integer)))
        self.graph.add((iri, OA.end, Literal(span.end, datatype=XSD.integer)))
        self.graph.add((iri, DIP.inArticle, self.article_iri))
