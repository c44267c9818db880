"""What a page shows of a resource: its statements, incoming links, evidence and counterparts,
read from the triples the site index holds for its document."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import escape

import pyoxigraph as ox

from dipkg.iris import STANDARD_NAMESPACES, Prefixes
from dipkg.web.documents import term_value
from dipkg.web.paths import document_path, fragment, root_of

DIP = STANDARD_NAMESPACES["dip"]
OA = STANDARD_NAMESPACES["oa"]
SCHEMA = STANDARD_NAMESPACES["schema"]
RDF_TYPE = STANDARD_NAMESPACES["rdf"] + "type"
LABELS = (
    STANDARD_NAMESPACES["rdfs"] + "label",
    STANDARD_NAMESPACES["skos"] + "prefLabel",
    STANDARD_NAMESPACES["dcterms"] + "title",
)
WIKIDATA = STANDARD_NAMESPACES["wd"]
ROLES = (DIP + "actor", DIP + "target")
# How many resources a page lists under one incoming predicate (the latest by date); its RDF
# documents hold them all.
BACKLINKS_SHOWN = 100


@dataclass(frozen=True)
class Link:
    """A value as a page shows it: text, and where it links (None for a literal). Templates print
    it as HTML (its `__html__`, text and attributes escaped)."""

    text: str
    href: str | None = None
    external: bool = False
    note: str = ""

    def __html__(self) -> str:
        text = escape(self.text)
        if self.href and self.external:
            shown = f'<a class="external" href="{escape(self.href)}">{text}</a>'
        elif self.href:
            shown = f'<a href="{escape(self.href)}">{text}</a>'
        else:
            shown = f'<span class="literal">{text}</span>'
        return shown + (f' <span class="note">{escape(self.note)}</span>' if self.note else "")


@dataclass(frozen=True)
class Evidence:
    """Quoted words inside their sentence, and the article they are from."""

    before: str
    exact: str
    after: str
    article: Link


@dataclass(frozen=True)
class Highlight:
    """A stretch of article text: plain, or inside evidence spans (linked to what they support)."""

    text: str
    href: str | None = None
    kind: str = ""
    title: str = ""


@dataclass
class View:
    """The triples of one document, with what a page needs to say of each IRI in them."""

    path: str
    resources: list[str]
    triples: list[ox.Triple]
    base_iri: str
    prefixes: Prefixes
    known_labels: dict[str, str]
    outgoing: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = field(init=False)
    incoming: dict[str, list[tuple[str, str]]] = field(init=False)

    def __post_init__(self) -> None:
        self.outgoing = defaultdict(lambda: defaultdict(list))
        self.incoming = defaultdict(list)
        for t in self.triples:
            self.outgoing[term_value(t.subject)][t.predicate.value].append(t.object)  # type: ignore[arg-type]
            if isinstance(t.object, ox.NamedNode):
                self.incoming[term_value(t.object)].append((term_value(t.subject), t.predicate.value))

    @property
    def root(self) -> str:
        return root_of(self.path)

    def values(self, subject: str, predicate: str) -> list[ox.NamedNode | ox.Literal]:
        return sorted(self.outgoing.get(subject, {}).get(predicate, []), key=str)

    def first(self, subject: str, predicate: str) -> str | None:
        found = self.values(subject, predicate)
        return found[0].value if found else None

    def types(self, subject: str) -> list[str]:
        return [t.value for t in self.values(subject, RDF_TYPE)]

    def label(self, iri: str) -> str:
        for predicate in LABELS:
            for value in self.values(iri, predicate):
                if isinstance(value, ox.Literal) and value.language in (None, "en"):
                    return value.value
        return self.known_labels.get(iri) or self.prefixes.shorten(iri).strip("<>")

    def href(self, iri: str) -> str | None:
        """The page of an IRI under the base (relative to this page), else None."""
        path = document_path(iri, self.base_iri)
        if path is None:
            return None
        anchor = fragment(iri)
        return f"{self.root}{path}.html" + (f"#{anchor}" if anchor else "")

    def link(self, term: ox.NamedNode | ox.Literal) -> Link:
        if isinstance(term, ox.Literal):
            note = f"@{term.language}" if term.language else ""
            if not term.language and not term.datatype.value.endswith("#string"):
                note = self.prefixes.shorten(term.datatype.value)
            return Link(term.value, note=note)
        href = self.href(term.value)
        if href is None:
            return Link(self.label(term.value), term.value, external=True, note=term.value)
        return Link(self.label(term.value), href)

    def term(self, iri: str) -> Link:
        """A predicate or class: its label, linked to its page or to the IRI itself."""
        return Link(self.label(iri), self.href(iri) or iri)

    def statements(self, subject: str) -> list[tuple[Link, list[Link]]]:
        """Each predicate of the subject (types aside) with its values."""
        rows = []
        for predicate, objects in sorted(self.outgoing.get(subject, {}).items()):
            if predicate == RDF_TYPE:
                continue
            rows.append((self.term(predicate), [self.link(o) for o in sorted(objects, key=str)]))
        return rows

    def backlinks(self, subject: str) -> list[tuple[Link, list[Link]]]:
        """What points at the subject, grouped by predicate ('as actor', 'as target', ...): the
        latest BACKLINKS_SHOWN of each, and how many more the RDF documents hold."""
        grouped: dict[str, list[str]] = defaultdict(list)
        for source, predicate in self.incoming.get(subject, []):
            grouped[predicate].append(source)
        rows = []
        for predicate in sorted(grouped):
            link = self.term(predicate)
            sources = sorted(set(grouped[predicate]), key=lambda s: (self.first(s, DIP + "date") or "", s))
            shown = [self.link(ox.NamedNode(s)) for s in sources[-BACKLINKS_SHOWN:]]
            if len(sources) > BACKLINKS_SHOWN:
                more = len(sources) - BACKLINKS_SHOWN
                shown.insert(
                    0, Link(f"{more} earlier, in this page's data", f"{self.path.rsplit('/', 1)[-1]}.ttl")
                )
            rows.append((Link(f"as {link.text}", link.href), shown))
        return rows

    def wikidata(self, subject: str) -> list[Link]:
        return [
            Link(o.value, o.value, external=True)
            for values in self.outgoing.get(subject, {}).values()
            for o in values
            if isinstance(o, ox.NamedNode) and o.value.startswith(WIKIDATA)
        ]

    def evidence(self, subject: str) -> list[Evidence]:
        """The evidence spans of a statement, each inside its sentence, in text order."""
        found = []
        for span in self.values(subject, DIP + "evidence"):
            exact = self.first(span.value, OA + "exact")
            start = self.first(span.value, OA + "start")
            article = self.first(span.value, DIP + "inArticle")
            if exact is None or start is None or article is None:
                continue
            before = after = ""
            sentence = self.first(span.value, DIP + "sentence")
            if sentence is not None:
                text = self.first(sentence, OA + "exact")
                begins = self.first(sentence, OA + "start")
                if text is not None and begins is not None:
                    offset = int(start) - int(begins)
                    if text[offset : offset + len(exact)] == exact:
                        before, after = text[:offset], text[offset + len(exact) :]
            end = int(start) + len(exact)
            target = Link(self.label(article), f"{self.href(article)}#span-{start}-{end}")
            found.append((int(start), Evidence(before, exact, after, target)))
        return [evidence for _, evidence in sorted(found, key=lambda item: item[0])]

    def counterparts(self, subject: str) -> list[tuple[Link, int]]:
        """The actors and targets of the events this resource acts in or is the target of, with how
        many events each shares with it."""
        counts: Counter[str] = Counter()
        for event, predicate in self.incoming.get(subject, []):
            if predicate not in ROLES:
                continue
            others = {o.value for role in ROLES for o in self.values(event, role)} - {subject}
            counts.update(others)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], self.label(item[0]), item[0]))
        return [(self.link(ox.NamedNode(iri)), count) for iri, count in ranked]

    def highlights(self, article: str) -> tuple[list[Highlight], list[tuple[str, str, list[Link]]]]:
        """The article's text cut at every evidence span boundary, each stretch inside spans linked
        to what its innermost span supports; and each span (id, words, what it supports)."""
        text = self.first(article, SCHEMA + "text") or ""
        supports: dict[str, list[str]] = defaultdict(list)
        for t in self.triples:
            if t.predicate.value == DIP + "evidence" and isinstance(t.object, ox.NamedNode):
                supports[term_value(t.object)].append(term_value(t.subject))
        spans = []
        for span in supports:
            begins, exact = self.first(span, OA + "start"), self.first(span, OA + "exact")
            if begins is not None and exact is not None:
                spans.append((int(begins), int(begins) + len(exact), exact, span))
        spans.sort()
        listing = []
        for start, end, exact, span in spans:
            things = sorted(supports[span], key=lambda s: (self._is_claim(s), self.label(s), s))
            listing.append((f"span-{start}-{end}", exact, [self._support_link(s) for s in things]))
        if not text:
            return [], listing
        cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
        pieces = []
        for a, b in itertools.pairwise(cuts):
            covering = [s for s in spans if s[0] <= a and s[1] >= b and text[s[0] : s[1]] == s[2]]
            if not covering or not text[a:b].strip():
                pieces.append(Highlight(text[a:b]))
                continue
            innermost = min(covering, key=lambda s: (s[1] - s[0], s[0]))
            things = sorted(supports[innermost[3]], key=lambda s: (self._is_claim(s), self.label(s), s))
            claims_only = all(self._is_claim(s) for s in things)
            title = "; ".join(self._support_link(s).text for s in things)
            pieces.append(
                Highlight(text[a:b], self.href(things[0]), "claim" if claims_only else "fact", title)
            )
        return pieces, listing

    def _is_claim(self, iri: str) -> bool:
        return DIP + "Claim" in self.types(iri)

    def _support_link(self, iri: str) -> Link:
        link = self.link(ox.NamedNode(iri))
        if self._is_claim(iri):
            claimant = self.first(iri, DIP + "claimant")
            who = self.label(claimant) if claimant else "someone"
            return Link(link.text, link.href, note=f"claim by {who}")
        kinds = ", ".join(self.label(t) for t in self.types(iri))
        return Link(link.text, link.href, note=kinds)
