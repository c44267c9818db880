"""Matching one article's gold items against its statements in the graph."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dipkg.evaluate.gold import GoldArticle, GoldEvent, GoldPair, GoldQuote, GoldRole, compile_search
from dipkg.evaluate.graph import DIP, RDFS_LABEL, SCHEMA_TEXT, ArticleGraph, normalised
from dipkg.evaluate.report import ArticleScore, Counts, Failure, Match, Miss
from dipkg.iris import Prefixes
from dipkg.seeds.evidence import find_occurrences

ACTOR = (DIP + "actor",)
TARGET = (DIP + "target", DIP + "listedTarget")
LINKING = (DIP + "actor", DIP + "target", DIP + "listedTarget", DIP + "participant")
ANY_ROLE = (*LINKING, DIP + "place")


@dataclass(frozen=True)
class Check:
    """One condition of a gold item, tested on one graph node."""

    condition: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class Candidate:
    node: str
    checks: tuple[Check, ...]
    overlap: int = 0

    @property
    def met(self) -> int:
        return sum(check.ok for check in self.checks)

    @property
    def complete(self) -> bool:
        return all(check.ok for check in self.checks)

    def miss(self, section: str, item_id: str, extra: tuple[Failure, ...] = ()) -> Miss:
        failed = tuple(Failure(c.condition, c.detail) for c in self.checks if not c.ok) + extra
        return Miss(section, item_id, self.node, self.met, len(self.checks), failed)


def closest(candidates: list[Candidate]) -> Candidate | None:
    """The candidate meeting the most conditions (then with the most evidence overlap, then by IRI)."""
    best: Candidate | None = None
    for candidate in sorted(candidates, key=lambda c: c.node):
        if best is None or (candidate.met, candidate.overlap) > (best.met, best.overlap):
            best = candidate
    return best


class Scorer:
    """Scores one article: its graph against its gold."""

    def __init__(self, gold: GoldArticle, graph: ArticleGraph, curies: Prefixes) -> None:
        self.gold = gold
        self.graph = graph
        self.curies = curies
        self.names = {key: {normalised(n) for n in entity.names} for key, entity in gold.entities.items()}
        self.matches: list[Match] = []
        self.misses: list[Miss] = []
        self.occurrences: dict[str, list[int]] = {}

    def score(self) -> ArticleScore:
        counts = {
            "entities": self._entities(),
            "events": self._events(),
            "quotes": self._quotes(),
            "roles": self._roles(),
            "unasserted": self._unasserted(),
        }
        evidence = counts["events"].satisfied
        return ArticleScore(self.gold.article, self.gold.path, counts, evidence, self.matches, self.misses)

    # ---------------------------------------------------------------- entity matching

    def is_entity(self, node: str, keys: Iterable[str]) -> bool:
        """Whether a label or alternative label of the node is a name of one of the gold entities."""
        labels = self.graph.labels(node)
        return any(labels & self.names[key] for key in keys)

    def in_role(self, node: str, keys: Iterable[str]) -> bool:
        """`is_entity`, or a group whose named member or affiliation is one of the entities, or a
        body or post holder acting for one of them (a foreign ministry, an ambassador)."""
        keys = tuple(keys)
        return self.is_entity(node, keys) or any(
            self.is_entity(n, keys) for n in (*self.graph.group_links(node), *self.graph.side_links(node))
        )

    def shown(self, nodes: Iterable[str]) -> str:
        """Nodes for a message: each by its label (or CURIE), or 'none'."""
        names = []
        for node in nodes:
            labels = self.graph.values(node, RDFS_LABEL)
            names.append(labels[0] if labels else self.curies.shorten(node))
        return ", ".join(sorted(set(names))) if names else "none"

    # ---------------------------------------------------------------- sections

    def _entities(self) -> Counts:
        referenced = self.graph.referenced()
        found = 0
        for key, entity in self.gold.entities.items():
            if any(self.is_entity(node, [key]) for node in referenced):
                found += 1
                continue
            names = ", ".join(repr(name) for name in entity.names)
            detail = f"no entity the article's statements refer to is labelled {names}"
            self.misses.append(Miss("entities", key, failed=(Failure("label", detail),)))
        return Counts(found, len(self.gold.entities))

    def _events(self) -> Counts:
        matched: dict[str, str] = {}
        results: dict[str, Match | Miss] = {}
        for event in _responses_last(self.gold.events):
            candidates = [self._event_candidate(event, node, matched) for node in self.graph.events]
            free = [c for c in candidates if c.complete and c.node not in matched.values()]
            if free:
                best = min(free, key=lambda c: (-c.overlap, c.node))
                matched[event.id] = best.node
                results[event.id] = Match("events", event.id, best.node)
                continue
            owners = {node: gold_id for gold_id, node in matched.items()}
            results[event.id] = self._missed("events", event.id, candidates, "event", owners)
        self._record(results[event.id] for event in self.gold.events)
        return Counts(len(matched), len(self.gold.events), len(self.graph.events))

    def _event_candidate(self, gold: GoldEvent, node: str, matched: dict[str, str]) -> Candidate:
        graph = self.graph
        classes = graph.types(node)
        categories = sorted({name for cls in classes for name in graph.ontology.plover(cls)})
        shown_classes = ", ".join(self.curies.shorten(c) for c in sorted(classes)) or "no class"
        checks = [
            Check(
                "category",
                gold.plover in categories,
                f"{shown_classes} has PLOVER category {', '.join(categories) or 'none'}, gold {gold.plover}",
            )
        ]
        for index, group in enumerate(gold.groups):
            roles: tuple[str, ...] = ACTOR if index == 0 else TARGET
            condition = "actor" if index == 0 else "target"
            if index > 1:
                roles, condition = ANY_ROLE, f"with[{index}]"
            values = [value for role in roles for value in graph.values(node, role)]
            checks.append(
                Check(
                    condition,
                    any(self.in_role(value, group) for value in values),
                    f"{self.shown(values)}, gold {', '.join(group)}",
                )
            )
        if gold.dates:
            dates = graph.values(node, DIP + "date")
            checks.append(
                Check(
                    "date",
                    any(d in gold.dates for d in dates),
                    f"{', '.join(dates) or 'none'}, gold {', '.join(gold.dates)}",
                )
            )
        labels = graph.values(node, RDFS_LABEL) + [
            label for cls in classes for label in graph.ontology.labels.get(cls, [])
        ]
        pattern = compile_search(gold.kind)
        checks.append(
            Check(
                "kind",
                any(pattern.search(label) for label in labels),
                f"/{gold.kind}/ matches neither {self.shown([node])!r} nor its class's labels",
            )
        )
        overlap, evidence = self._evidence(gold.evidence, graph.spans(node))
        checks.append(Check("evidence", overlap > 0, evidence))
        if gold.responds_to is not None:
            checks.append(self._responds(gold.responds_to, node, matched))
        return Candidate(node, tuple(checks), overlap)

    def _evidence(self, quote: str, spans: list[tuple[int, int]]) -> tuple[int, str]:
        """The largest overlap of a span with an occurrence of the gold evidence, and why it is none."""
        if quote not in self.occurrences:
            self.occurrences[quote] = find_occurrences(self.graph.text, quote)
        starts = self.occurrences[quote]
        if not starts:
            return 0, "the gold evidence is not in the article's text (schema:text)"
        best = 0
        for start in starts:
            for span_start, span_end in spans:
                best = max(best, min(span_end, start + len(quote)) - max(span_start, start))
        shown = ", ".join(f"{s}-{e}" for s, e in sorted(spans)) or "none"
        where = ", ".join(f"{s}-{s + len(quote)}" for s in starts)
        return best, f"spans {shown} do not overlap the gold evidence at {where}"

    def _responds(self, gold_id: str, node: str, matched: dict[str, str]) -> Check:
        graph = self.graph
        target = matched.get(gold_id)
        if target is None:
            return Check("responds_to", False, f"gold event {gold_id!r} is not matched")
        answered = {a for part in graph.packages(node) for a in graph.values(part, DIP + "respondsTo")}
        related = (
            set().union(*(graph.sub_events(a) | graph.packages(a) for a in answered)) if answered else set()
        )
        detail = (
            f"responds to {self.shown(answered)}, not to {self.curies.shorten(target)} (gold {gold_id!r})"
        )
        return Check("responds_to", target in related, detail)

    def _quotes(self) -> Counts:
        taken: dict[str, str] = {}
        results: list[Match | Miss] = []
        for quote in self.gold.quotes:
            candidates = [self._quote_candidate(quote, node) for node in self.graph.quotations]
            free = [c for c in candidates if c.complete and c.node not in taken]
            if free:
                taken[free[0].node] = quote.id
                results.append(Match("quotes", quote.id, free[0].node))
            else:
                results.append(self._missed("quotes", quote.id, candidates, "quotation", taken))
        self._record(results)
        return Counts(len(taken), len(self.gold.quotes), len(self.graph.quotations))

    def _quote_candidate(self, quote: GoldQuote, node: str) -> Candidate:
        graph = self.graph
        texts = graph.values(node, SCHEMA_TEXT)
        speakers = graph.values(node, DIP + "speaker")
        relays = graph.values(node, DIP + "relayedBy")
        if quote.via:
            via = Check(
                "via",
                any(self.is_entity(r, quote.via) for r in relays),
                f"relayed by {self.shown(relays)}, gold {', '.join(quote.via)}",
            )
        else:
            via = Check("via", not relays, f"relayed by {self.shown(relays)}, gold by none")
        fragment = normalised(quote.fragment)
        checks = (
            Check(
                "fragment",
                any(fragment in normalised(t) for t in texts),
                "its text does not hold the fragment",
            ),
            Check(
                "speaker",
                any(self.is_entity(s, quote.speakers) for s in speakers),
                f"speaker {self.shown(speakers)}, gold {', '.join(quote.speakers)}",
            ),
            via,
        )
        return Candidate(node, checks)

    def _roles(self) -> Counts:
        results: list[Match | Miss] = []
        for role in self.gold.roles:
            candidates = [self._role_candidate(role, node) for node in self.graph.holdings]
            complete = [c for c in candidates if c.complete]
            if complete:
                results.append(Match("roles", role.id, complete[0].node))
            else:
                results.append(self._missed("roles", role.id, candidates, "post holding"))
        self._record(results)
        return Counts(sum(isinstance(r, Match) for r in results), len(self.gold.roles))

    def _role_candidate(self, role: GoldRole, node: str) -> Candidate:
        graph = self.graph
        holders = graph.values(node, DIP + "holder")
        posts = graph.values(node, DIP + "post")
        titles = [label for post in posts for label in graph.values(post, RDFS_LABEL)]
        represented = [actor for post in posts for actor in graph.values(post, DIP + "represents")]
        pattern = compile_search(role.title)
        checks = (
            Check(
                "holder",
                any(self.is_entity(h, [role.who]) for h in holders),
                f"held by {self.shown(holders)}, gold {role.who}",
            ),
            Check(
                "title",
                any(pattern.search(title) for title in titles),
                f"/{role.title}/ does not match the post's label "
                + (", ".join(repr(t) for t in titles) or "none"),
            ),
            Check(
                "of",
                any(self.is_entity(a, role.of) for a in represented),
                f"the post represents {self.shown(represented)}, gold {', '.join(role.of)}",
            ),
        )
        return Candidate(node, checks)

    def _unasserted(self) -> Counts:
        kept = 0
        for pair in self.gold.unasserted:
            link = self._link(pair)
            if link is None:
                kept += 1
            else:
                self.misses.append(Miss("unasserted", pair.id, failed=(Failure("link", link),)))
        return Counts(kept, len(self.gold.unasserted))

    def _link(self, pair: GoldPair) -> str | None:
        """What links the pair directly as a fact (an event with both among its roles, or a triple
        between their nodes), or None. Groups and post holders do not stand for the pair here: the
        gold asks that the two entities themselves are never linked."""
        graph = self.graph
        for event in graph.events:
            values = sorted({value for role in LINKING for value in graph.values(event, role)})
            for first in values:
                for second in values:
                    if (
                        first != second
                        and self.is_entity(first, [pair.a])
                        and self.is_entity(second, [pair.b])
                    ):
                        shown = self.curies.shorten(event)
                        return f"{shown} links {self.shown([first])} and {self.shown([second])}"
        ends = {pair.a: set[str](), pair.b: set[str]()}
        for index in (graph.own, graph.shared):
            for node in index:
                for key in ends:
                    if self.is_entity(node, [key]):
                        ends[key].add(node)
        for one, other in ((pair.a, pair.b), (pair.b, pair.a)):
            for subject in sorted(ends[one]):
                for index in (graph.own, graph.shared):
                    for predicate, objects in sorted(index.get(subject, {}).items()):
                        for obj in objects:
                            if obj in ends[other]:
                                return " ".join(self.curies.shorten(t) for t in (subject, predicate, obj))
        return None

    # ---------------------------------------------------------------- helpers

    def _missed(
        self,
        section: str,
        item_id: str,
        candidates: list[Candidate],
        what: str,
        taken: dict[str, str] | None = None,
    ) -> Miss:
        """The miss, against the closest candidate when one meets any condition (`taken`: the gold
        item each node is already matched to, where a node matches one item at most)."""
        near = closest(candidates)
        if near is not None and near.met > 0:
            extra: tuple[Failure, ...] = ()
            if near.complete and taken is not None and near.node in taken:
                extra = (
                    Failure("one-to-one", f"already matched to gold {section[:-1]} {taken[near.node]!r}"),
                )
            return near.miss(section, item_id, extra)
        if candidates:
            detail = f"none of the article's {len(candidates)} {what}(s) meets any condition"
        else:
            detail = f"the article has no {what}"
        return Miss(section, item_id, failed=(Failure(what, detail),))

    def _record(self, results: Iterable[Match | Miss]) -> None:
        for result in results:
            if isinstance(result, Match):
                self.matches.append(result)
            else:
                self.misses.append(result)


def _responses_last(events: tuple[GoldEvent, ...]) -> list[GoldEvent]:
    """The gold events in order, except that an event comes after the event it responds to
    (a cycle of responses is left in gold order)."""
    by_id = {event.id: event for event in events}
    ordered: list[GoldEvent] = []
    placed: set[str] = set()
    for event in events:
        chain = [event]
        while chain[-1].responds_to is not None:
            earlier = by_id[chain[-1].responds_to]
            if earlier in chain or earlier.id in placed:
                break
            chain.append(earlier)
        for link in reversed(chain):
            if link.id not in placed:
                placed.add(link.id)
                ordered.append(link)
    return ordered
