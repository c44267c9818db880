"""An evaluation's figures, per article and overall, as a fixed-width table or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dipkg.iris import Prefixes, prefix_map

FORMATS = ("table", "json")
SECTIONS = ("entities", "events", "quotes", "roles", "unasserted")
# What a satisfied gold item of each section is called in JSON.
SATISFIED = {
    "entities": "found",
    "events": "matched",
    "quotes": "matched",
    "roles": "matched",
    "unasserted": "kept",
}


@dataclass(frozen=True)
class Failure:
    """A condition a graph node fails for a gold item, and what was found instead."""

    condition: str
    detail: str


@dataclass(frozen=True)
class Miss:
    """A gold item not satisfied: the closest graph node (if any) and the conditions it fails."""

    section: str
    id: str
    closest: str | None = None
    met: int = 0
    conditions: int = 0
    failed: tuple[Failure, ...] = ()


@dataclass(frozen=True)
class Match:
    """A gold item and the graph node that satisfies it."""

    section: str
    id: str
    node: str


@dataclass(frozen=True)
class Counts:
    """Gold items of one kind satisfied, of how many; for events and quotes, the graph's own count."""

    satisfied: int = 0
    total: int = 0
    graph: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.satisfied + other.satisfied, self.total + other.total, self.graph + other.graph)

    def recall(self) -> float | None:
        return ratio(self.satisfied, self.total)

    def precision(self) -> float | None:
        return ratio(self.satisfied, self.graph)

    def f1(self) -> float | None:
        precision, recall = self.precision(), self.recall()
        if precision is None or recall is None:
            return None
        return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def ratio(part: int, whole: int) -> float | None:
    """`part` of `whole` as a percentage, or None when there is nothing to count."""
    return None if whole == 0 else 100.0 * part / whole


@dataclass
class ArticleScore:
    """How the graph's statements of one article compare with its gold."""

    article: str
    gold: Path
    counts: dict[str, Counts]
    evidence: int = 0
    matches: list[Match] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)

    @property
    def items(self) -> Counts:
        """Every gold item: satisfied, of how many."""
        total = Counts()
        for section in SECTIONS:
            total += Counts(self.counts[section].satisfied, self.counts[section].total)
        return total


@dataclass
class EvaluationReport:
    """The scores of every article evaluated, and overall (counts summed over the articles)."""

    articles: list[ArticleScore]
    base_iri: str

    def overall(self, section: str) -> Counts:
        total = Counts()
        for article in self.articles:
            total += article.counts[section]
        return total

    @property
    def evidence(self) -> int:
        return sum(article.evidence for article in self.articles)

    @property
    def items(self) -> Counts:
        total = Counts()
        for article in self.articles:
            total += article.items
        return total

    @property
    def score(self) -> float:
        """The percentage of gold items satisfied (100 when there are none)."""
        found = ratio(self.items.satisfied, self.items.total)
        return 100.0 if found is None else found

    def below(self, minimum: float) -> bool:
        """Whether the overall score is below `minimum` percent (compared exactly, not as shown)."""
        items = self.items
        return items.total > 0 and items.satisfied * 100 < minimum * items.total

    def summary(self) -> str:
        """One line: the overall score and what it counts."""
        items = self.items
        return (
            f"score {self.score:.1f}% ({items.satisfied}/{items.total} gold items) "
            f"over {len(self.articles)} article(s)"
        )

    def render(self, report_format: str = "table") -> str:
        """The report as a fixed-width table followed by what each article misses, or as JSON."""
        if report_format == "json":
            return json.dumps(self.as_json(), indent=2, ensure_ascii=False) + "\n"
        return self.as_table()

    def as_json(self) -> dict[str, Any]:
        return {
            "base_iri": self.base_iri,
            "articles": [
                {
                    "article": a.article,
                    "gold": _relative(a.gold),
                    **_figures(a.counts, a.evidence, a.items),
                    "matches": [{"section": m.section, "id": m.id, "node": m.node} for m in a.matches],
                    "misses": [_miss_json(m) for m in a.misses],
                }
                for a in self.articles
            ],
            "overall": _figures({s: self.overall(s) for s in SECTIONS}, self.evidence, self.items),
        }

    def as_table(self) -> str:
        header = [
            "article",
            "score",
            "entities",
            "events",
            "ev-P",
            "ev-R",
            "ev-F1",
            "evidence",
            "quotes",
            "q-P",
            "q-R",
            "q-F1",
            "roles",
            "unasserted",
        ]
        rows = [_row(a.article, a.counts, a.evidence, a.items) for a in self.articles]
        overall = _row("overall", {s: self.overall(s) for s in SECTIONS}, self.evidence, self.items)
        widths = [max(len(row[i]) for row in [header, *rows, overall]) for i in range(len(header))]

        def line(cells: list[str]) -> str:
            return "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
            )

        rule = "  ".join("-" * width for width in widths)
        lines = [line(header), rule, *(line(row) for row in rows), rule, line(overall)]
        curies = Prefixes(prefix_map(self.base_iri))
        for article in self.articles:
            if article.misses:
                lines += ["", f"{article.article} ({_relative(article.gold)}):"]
                lines += [f"  {_miss_line(miss, curies)}" for miss in article.misses]
        return "\n".join(lines) + "\n"


def _relative(path: Path) -> str:
    """A path relative to the current folder where it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (OSError, ValueError):
        return str(path)


def _shown(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _row(name: str, counts: dict[str, Counts], evidence: int, items: Counts) -> list[str]:
    events, quotes = counts["events"], counts["quotes"]

    def part(section: str) -> str:
        return f"{counts[section].satisfied}/{counts[section].total}"

    return [
        name,
        _shown(ratio(items.satisfied, items.total) if items.total else 100.0) + "%",
        part("entities"),
        part("events"),
        _shown(events.precision()),
        _shown(events.recall()),
        _shown(events.f1()),
        f"{evidence}/{events.satisfied}",
        part("quotes"),
        _shown(quotes.precision()),
        _shown(quotes.recall()),
        _shown(quotes.f1()),
        part("roles"),
        part("unasserted"),
    ]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _figures(counts: dict[str, Counts], evidence: int, items: Counts) -> dict[str, Any]:
    score = ratio(items.satisfied, items.total)
    figures: dict[str, Any] = {
        "score": {
            "satisfied": items.satisfied,
            "total": items.total,
            "percent": 100.0 if score is None else round(score, 2),
        }
    }
    for section in SECTIONS:
        found = counts[section]
        figure: dict[str, Any] = {SATISFIED[section]: found.satisfied, "total": found.total}
        if section in ("events", "quotes"):
            figure |= {
                "graph": found.graph,
                "precision": _rounded(found.precision()),
                "recall": _rounded(found.recall()),
                "f1": _rounded(found.f1()),
            }
        elif section == "unasserted":
            figure["percent"] = _rounded(found.recall())
        else:
            figure["recall"] = _rounded(found.recall())
        if section == "events":
            figure["evidence_present"] = evidence
        figures[section] = figure
    return figures


def _miss_json(miss: Miss) -> dict[str, Any]:
    return {
        "section": miss.section,
        "id": miss.id,
        "closest": miss.closest,
        "met": miss.met,
        "conditions": miss.conditions,
        "failed": [{"condition": f.condition, "detail": f.detail} for f in miss.failed],
    }


WHAT = {
    "entities": "entity not found",
    "events": "event not matched",
    "quotes": "quote not matched",
    "roles": "role not matched",
    "unasserted": "unasserted pair linked",
}


def _miss_line(miss: Miss, curies: Prefixes) -> str:
    text = f"{WHAT[miss.section]}: {miss.id}"
    if miss.closest is not None:
        text += f"; closest {curies.shorten(miss.closest)} ({miss.met}/{miss.conditions} conditions)"
    if miss.failed:
        text += "; " + "; ".join(f"{f.condition}: {f.detail}" for f in miss.failed)
    return text
