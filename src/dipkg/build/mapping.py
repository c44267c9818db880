"""Map a checked corpus to RDF: one graph of shared entities and one graph per article. Pure, no I/O."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from dipkg.build.spans import EvidenceMapper
from dipkg.namespaces import (
    DCTERMS,
    DIP,
    MODALITY,
    ORG,
    PROV,
    SCHEMA,
    WD,
    DataNamespaces,
    content_key,
    new_graph,
)
from dipkg.seeds.model import (
    Article,
    Claim,
    Corpus,
    Entity,
    Event,
    Evidence,
    Holding,
    Post,
    Quote,
    Registry,
    UnrealizedAct,
)


@dataclass
class CorpusGraphs:
    """The graphs of a corpus, with the IRI each is published under as a named graph."""

    entities_graph_iri: URIRef
    entities: Graph
    articles: dict[str, tuple[URIRef, Graph]]


def map_corpus(corpus: Corpus, base_iri: str, full_text: bool = True) -> CorpusGraphs:
    """Map every shared entity and every article of the corpus to RDF."""
    entities_iri, entities = map_registry(corpus.registry, base_iri)
    articles = {
        article.id: map_article(article, corpus.registry, base_iri, full_text) for article in corpus.articles
    }
    return CorpusGraphs(entities_iri, entities, articles)


def map_registry(registry: Registry, base_iri: str) -> tuple[URIRef, Graph]:
    """The shared entities, posts and concepts, and the named graph they are published in."""
    ns = DataNamespaces(base_iri)
    graph = new_graph(ns.prefixes())
    _map_registry(registry, ns, graph)
    return ns.graph["entities"], graph


def map_article(
    article: Article, registry: Registry, base_iri: str, full_text: bool = True
) -> tuple[URIRef, Graph]:
    """One article's statements, and the named graph they are published in.

    Without `full_text`, neither the article's text nor its sentences' words are published: only
    the evidence spans' words (and their context), for sources whose terms forbid republishing.
    """
    ns = DataNamespaces(base_iri)
    graph = new_graph(ns.prefixes())
    _ArticleMapper(article, registry, ns, graph, full_text).map()
    return ns.graph[f"article/{article.id}"], graph


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def _slug(class_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", class_name).lower()


def _scheme_iri(ns: DataNamespaces, scheme_id: str) -> URIRef:
    return URIRef(f"{ns.base}scheme/{scheme_id}")


def _map_registry(registry: Registry, ns: DataNamespaces, graph: Graph) -> None:
    for scheme in registry.schemes.values():
        iri = _scheme_iri(ns, scheme.id)
        graph.add((iri, RDF.type, SKOS.ConceptScheme))
        graph.add((iri, SKOS.prefLabel, _en(scheme.label)))
        graph.add((iri, SKOS.definition, _en(scheme.definition)))
    for concept in registry.concepts.values():
        iri = ns.concept[concept.id]
        scheme_iri = _scheme_iri(ns, concept.scheme)
        graph.add((iri, RDF.type, SKOS.Concept))
        graph.add((iri, SKOS.prefLabel, _en(concept.label)))
        graph.add((iri, SKOS.definition, _en(concept.definition)))
        graph.add((iri, SKOS.inScheme, scheme_iri))
        graph.add((iri, SKOS.topConceptOf, scheme_iri))
    for entity in registry.entities.values():
        _add_entity(graph, ns.entity[entity.id], entity, lambda ref: ns.entity[ref])
    for post in registry.posts.values():
        _add_post(graph, ns.post[post.id], post, lambda ref: ns.entity[ref])


def _add_post(graph: Graph, iri: URIRef, post: Post, resolve: Callable[[str], URIRef]) -> None:
    graph.add((iri, RDF.type, DIP[post.type]))
    graph.add((iri, RDFS.label, _en(post.label)))
    for prop, ref in (
        (ORG.postIn, post.post_in),
        (DIP.represents, post.represents),
        (DIP.accreditedTo, post.accredited_to),
    ):
        if ref is not None:
            graph.add((iri, prop, resolve(ref)))


def _add_confidence(graph: Graph, iri: URIRef, confidence: float | None) -> None:
    """How sure the annotator was of an item, as an xsd:decimal in [0, 1]."""
    if confidence is not None:
        graph.add((iri, DIP.confidence, Literal(Decimal(repr(confidence)), datatype=XSD.decimal)))


def _add_entity(graph: Graph, iri: URIRef, entity: Entity, resolve: Callable[[str], URIRef]) -> None:
    graph.add((iri, RDF.type, DIP[entity.type]))
    graph.add((iri, RDFS.label, _en(entity.label)))
    for alt in entity.alt_labels:
        graph.add((iri, SKOS.altLabel, _en(alt)))
    if entity.description:
        graph.add((iri, RDFS.comment, _en(entity.description)))
    for prop, ref in (
        (DIP.locatedIn, entity.located_in),
        (DIP.bodyOf, entity.body_of),
        (DIP.affiliatedWith, entity.affiliated_with),
    ):
        if ref is not None:
            graph.add((iri, prop, resolve(ref)))
    for member in entity.members:
        graph.add((iri, DIP.member, resolve(member)))
    if entity.member_count is not None:
        graph.add((iri, DIP.memberCount, Literal(entity.member_count, datatype=XSD.integer)))
    if entity.wikidata is not None:
        graph.add((iri, OWL.sameAs, WD[entity.wikidata]))


class _ArticleMapper:
    """Adds one article, its local entities, holdings, events, quotes, claims and evidence to a graph."""

    def __init__(
        self, article: Article, registry: Registry, ns: DataNamespaces, graph: Graph, full_text: bool
    ) -> None:
        self.article = article
        self.registry = registry
        self.ns = ns
        self.graph = graph
        self.full_text = full_text
        self.iri = ns.article[article.id]
        self.spans = EvidenceMapper(article, ns, graph, self.entity, full_text)
        self.event_iris = {key: self._event_iri(event) for key, event in article.events.items()}
        self.quote_iris = {key: self._quote_iri(quote) for key, quote in article.quotes.items()}
        self.claim_iris = {key: self._claim_iri(claim) for key, claim in article.claims.items()}
        self.act_iris = {key: self._act_iri(act) for key, act in article.unrealized.items()}

    def map(self) -> None:
        self._map_article()
        for entity in self.article.entities.values():
            iri = self.entity(entity.id)
            _add_entity(self.graph, iri, entity, self.entity)
            _add_confidence(self.graph, iri, entity.confidence)
            self.spans.add(iri, entity.evidence)
        for post in self.article.posts.values():
            iri = self.post(post.id)
            _add_post(self.graph, iri, post, self.entity)
            _add_confidence(self.graph, iri, post.confidence)
            self.spans.add(iri, post.evidence)
        for holding in self.article.holdings:
            self._map_holding(holding)
        for event in self.article.events.values():
            self._map_event(event)
        for quote in self.article.quotes.values():
            self._map_quote(quote)
        for claim in self.article.claims.values():
            self._map_claim(claim)
        for act in self.article.unrealized.values():
            self._map_unrealized(act)

    def entity(self, ref: str) -> URIRef:
        if ref in self.article.entities:
            return self.ns.article[f"{self.article.id}/entity/{ref}"]
        return self.ns.entity[ref]

    def post(self, ref: str) -> URIRef:
        if ref in self.article.posts:
            return self.ns.article[f"{self.article.id}/post/{ref}"]
        return self.ns.post[ref]

    def _entities(self, refs: Iterable[str]) -> list[str]:
        return sorted(str(self.entity(ref)) for ref in refs)

    def _spans(self, evidence: Iterable[Evidence]) -> list[str]:
        return sorted(f"{item.span.start}-{item.span.end}" for item in evidence)

    def _event_iri(self, event: Event) -> URIRef:
        time = event.time
        key = content_key(
            self.article.id,
            event.type,
            self._entities(event.actors),
            self._entities(event.targets),
            self._entities(event.listed_targets),
            self._entities(event.participants),
            time.resolved if time else None,
            time.year if time else None,
            self._spans(event.evidence),
        )
        return self.ns.event[f"{_slug(event.type)}-{key}"]

    def _quote_iri(self, quote: Quote) -> URIRef:
        return self.ns.quote[content_key(self.article.id, quote.text.span.start, quote.text.span.end)]

    def _claim_iri(self, claim: Claim) -> URIRef:
        return self.ns.claim[
            content_key(
                self.article.id, claim.alleges, self._entities(claim.claimants), self._spans(claim.evidence)
            )
        ]

    def _act_iri(self, act: UnrealizedAct) -> URIRef:
        return self.ns.act[
            content_key(
                self.article.id, act.modality, act.type, self._entities(act.actors), self._spans(act.evidence)
            )
        ]

    def _map_article(self) -> None:
        article, graph, iri = self.article, self.graph, self.iri
        graph.add((iri, RDF.type, DIP.Article))
        graph.add((iri, RDFS.label, Literal(article.headline, lang=article.language)))
        graph.add((iri, SCHEMA.headline, Literal(article.headline, lang=article.language)))
        graph.add((iri, SCHEMA.publisher, self.entity(article.publisher)))
        graph.add((iri, SCHEMA.datePublished, Literal(article.date_published.isoformat(), datatype=XSD.date)))
        graph.add((iri, SCHEMA.inLanguage, Literal(article.language)))
        if self.full_text:
            graph.add((iri, SCHEMA.text, Literal(article.text)))
        graph.add((iri, DIP.textSha256, Literal(article.sha256)))
        if article.date_basis:
            graph.add((iri, DIP.datePublishedBasis, Literal(article.date_basis, lang="en")))
        if article.is_draft:
            self._map_drafting()

    def _map_drafting(self) -> None:
        """A draft says so: its status, and the drafting run that generated it (tool, version, day)."""
        drafted, graph, iri = self.article.drafted, self.graph, self.iri
        assert drafted is not None, "the schema requires `drafted` of a draft"
        graph.add((iri, DIP.annotationStatus, DIP.Unreviewed))
        activity = URIRef(f"{iri}/drafting")
        graph.add((iri, PROV.wasGeneratedBy, activity))
        graph.add((activity, RDF.type, PROV.Activity))
        graph.add((activity, RDFS.label, Literal(drafted.tool)))
        graph.add((activity, DIP.softwareVersion, Literal(drafted.version)))
        graph.add((activity, DCTERMS.date, Literal(drafted.on.isoformat(), datatype=XSD.date)))

    def _map_holding(self, holding: Holding) -> None:
        post, holder = self.post(holding.post), self.entity(holding.holder)
        former_key = ("former",) if holding.former else ()
        iri = self.ns.holding[content_key(self.article.id, post, holder, *former_key)]
        graph = self.graph
        graph.add((iri, RDF.type, DIP.PostHolding))
        former = " (former)" if holding.former else ""
        post_label = (self.article.posts.get(holding.post) or self.registry.posts[holding.post]).label
        label = f"{post_label}: {self._label_of(holding.holder)}{former}"
        graph.add((iri, RDFS.label, _en(label)))
        graph.add((iri, DIP.post, post))
        graph.add((iri, DIP.holder, holder))
        graph.add((iri, DIP.inArticle, self.iri))
        graph.add((iri, DIP.asOf, Literal(self.article.date_published.isoformat(), datatype=XSD.date)))
        if holding.former:
            graph.add((iri, DIP.former, Literal(True)))
        else:
            graph.add((post, ORG.heldBy, holder))
        _add_confidence(graph, iri, holding.confidence)
        self.spans.add(iri, holding.evidence)

    def _label_of(self, ref: str) -> str:
        entity = self.article.entities.get(ref) or self.registry.entities[ref]
        return entity.label

    def _map_event(self, event: Event) -> None:
        iri, graph = self.event_iris[event.id], self.graph
        graph.add((iri, RDF.type, DIP[event.type]))
        graph.add((iri, RDFS.label, _en(event.label)))
        graph.add((iri, DIP.inArticle, self.iri))
        roles = (
            (DIP.actor, event.actors),
            (DIP.target, event.targets),
            (DIP.listedTarget, event.listed_targets),
            (DIP.participant, event.participants),
            (DIP.place, event.places),
        )
        for prop, refs in roles:
            for ref in refs:
                graph.add((iri, prop, self.entity(ref)))
        for topic in event.topics:
            graph.add((iri, DIP.topic, self.ns.concept[topic]))
        links = (
            (DIP.subEvent, event.sub_events),
            (DIP.respondsTo, event.responds_to),
            (DIP.follows, event.follows),
            (DIP.concerns, event.concerns),
            (DIP.firstSince, [event.first_since] if event.first_since else []),
        )
        for prop, keys in links:
            for key in keys:
                graph.add((iri, prop, self.event_iris[key]))
        for key in event.grounds:
            graph.add((iri, DIP.grounds, self.claim_iris[key]))
        for key in event.rejects:
            rejected = self.claim_iris.get(key) or self.event_iris.get(key) or self.act_iris[key]
            graph.add((iri, DIP.rejects, rejected))
        if event.asks is not None:
            graph.add((iri, DIP.asks, Literal(event.asks.quote, lang=self.article.language)))
            self.spans.add(iri, [event.asks])
        self._map_time(iri, event)
        _add_confidence(graph, iri, event.confidence)
        self.spans.add(iri, event.evidence)

    def _map_time(self, iri: URIRef, event: Event) -> None:
        time, graph = event.time, self.graph
        if time is None:
            return
        if time.text is not None:
            graph.add((iri, DIP.timeExpression, Literal(time.text)))
        if time.resolved is not None:
            graph.add((iri, DIP.date, Literal(time.resolved.isoformat(), datatype=XSD.date)))
            if time.text is not None and time.anchor_event is None:
                graph.add((iri, DIP.dateAnchor, self.iri))
        if time.latest is not None:
            graph.add((iri, DIP.latestDate, Literal(time.latest.isoformat(), datatype=XSD.date)))
        if time.anchor_event is not None:
            graph.add((iri, DIP.dateAnchor, self.event_iris[time.anchor_event]))
        if time.year is not None:
            graph.add((iri, DIP.year, Literal(f"{time.year:04d}", datatype=XSD.gYear)))

    def _map_quote(self, quote: Quote) -> None:
        iri, graph = self.quote_iris[quote.id], self.graph
        words = quote.text.quote
        short = words if len(words) <= 60 else words[:57].rstrip() + "..."
        graph.add((iri, RDF.type, DIP.Quotation))
        graph.add((iri, RDFS.label, _en(f"{self._label_of(quote.speaker)}: \u201c{short}\u201d")))
        graph.add((iri, SCHEMA.text, Literal(words, lang=self.article.language)))
        graph.add((iri, DIP.speaker, self.entity(quote.speaker)))
        graph.add((iri, DIP.inArticle, self.iri))
        if quote.relayed_by is not None:
            graph.add((iri, DIP.relayedBy, self.entity(quote.relayed_by)))
        if quote.during is not None:
            graph.add((iri, DIP.deliveredDuring, self.event_iris[quote.during]))
        _add_confidence(graph, iri, quote.confidence)
        self.spans.add(iri, [quote.text, *quote.evidence])

    def _map_claim(self, claim: Claim) -> None:
        iri, graph = self.claim_iris[claim.id], self.graph
        graph.add((iri, RDF.type, DIP.Claim))
        graph.add((iri, RDFS.label, _en(claim.label)))
        graph.add((iri, DIP.alleges, self.ns.concept[claim.alleges]))
        graph.add((iri, DIP.inArticle, self.iri))
        for ref in claim.claimants:
            graph.add((iri, DIP.claimant, self.entity(ref)))
        for ref in claim.alleged_agents:
            graph.add((iri, DIP.allegedAgent, self.entity(ref)))
        for ref in claim.about:
            about = self.ns.concept[ref] if ref in self.registry.concepts else self.entity(ref)
            graph.add((iri, SCHEMA.about, about))
        if claim.made_in is not None:
            graph.add((iri, DIP.madeIn, self.event_iris[claim.made_in]))
        if claim.stated_in is not None:
            graph.add((iri, DIP.statedIn, self.quote_iris[claim.stated_in]))
        _add_confidence(graph, iri, claim.confidence)
        self.spans.add(iri, claim.evidence)

    def _map_unrealized(self, act: UnrealizedAct) -> None:
        iri, graph = self.act_iris[act.id], self.graph
        graph.add((iri, RDF.type, DIP.UnrealizedAct))
        graph.add((iri, RDFS.label, _en(act.label)))
        graph.add((iri, DIP.modality, MODALITY[act.modality]))
        graph.add((iri, DIP.expressedIn, self.event_iris[act.expressed_in]))
        graph.add((iri, DIP.inArticle, self.iri))
        if act.type is not None:
            graph.add((iri, DIP.actType, DIP[act.type]))
        for ref in act.actors:
            graph.add((iri, DIP.agentOfAct, self.entity(ref)))
        for ref in act.targets:
            graph.add((iri, DIP.targetOfAct, self.entity(ref)))
        _add_confidence(graph, iri, act.confidence)
        self.spans.add(iri, act.evidence)
