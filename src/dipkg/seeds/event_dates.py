"""Event dates: what an annotation says about when each event happened, resolved and checked."""

from __future__ import annotations

from datetime import date
from typing import Any

from dipkg.seeds.dates import DateError, parse_iso_date, resolve_weekday, weekday_in
from dipkg.seeds.model import (
    Article,
    TimeSpec,
)
from dipkg.seeds.yamlfile import LocatedDocument, Location


class EventDates:
    """Resolves the date of every event of an article: weekdays counted from the publication date
    or from another event's date, explicit ISO dates and years, each checked against the text; and
    the latest date of an event placed on or before another."""

    def __init__(self, document: LocatedDocument, article: Article) -> None:
        self.doc = document
        self.article = article
        self.events_data: dict[str, Any] = document.data["events"]

    def resolve(self) -> None:
        """Set `time` on every event that gives a date."""
        resolving: set[str] = set()
        for key in self.events_data:
            self._resolve_date(key, resolving)

    def _resolve_date(self, key: str, resolving: set[str]) -> TimeSpec | None:
        event = self.article.events[key]
        spec = self.events_data[key].get("date")
        if spec is None or event.time is not None:
            return event.time
        location: Location = ("events", key, "date")
        if key in resolving:
            raise self.doc.error(location, f"dates of events refer to each other in a circle through {key!r}")
        resolving.add(key)
        text = spec.get("text")
        if text is not None and text not in self.article.text:
            raise self.doc.error(
                (*location, "text"), f"time expression not found verbatim in the article text: {text!r}"
            )
        try:
            weekday = weekday_in(text) if text else None
            explicit = parse_iso_date(spec["iso"]) if "iso" in spec else None
        except DateError as exc:
            raise self.doc.error(location, str(exc)) from exc
        if "on_or_before" in spec:
            event.time = self._bounded(location, spec, weekday, resolving)
            resolving.discard(key)
            return event.time
        anchor_key = spec.get("relative_to")
        resolved = explicit
        if weekday is not None and self._same_day(explicit, weekday, anchor_key):
            resolved = explicit
        elif weekday is not None:
            anchor = self._anchor_date(location, anchor_key, resolving)
            try:
                resolved = resolve_weekday(weekday, anchor, spec.get("direction", "past"))
            except DateError as exc:
                raise self.doc.error(location, str(exc)) from exc
            if explicit is not None and explicit != resolved:
                raise self.doc.error(
                    location, f"iso {explicit} contradicts {text!r}, which resolves to {resolved}"
                )
        elif anchor_key is not None:
            raise self.doc.error(location, "relative_to needs a text that names a weekday")
        if resolved is not None and resolved > self.article.date_published:
            raise self.doc.error(
                location, f"date {resolved} lies after the publication date {self.article.date_published}"
            )
        year = spec.get("year")
        if year is not None and year > self.article.date_published.year:
            raise self.doc.error(location, f"year {year} lies after the publication date")
        if resolved is not None and year is not None and resolved.year != year:
            raise self.doc.error(location, f"year {year} contradicts the date {resolved}")
        event.time = TimeSpec(text, resolved, year, anchor_key)
        resolving.discard(key)
        return event.time

    def _bounded(
        self, location: Location, spec: dict[str, Any], weekday: int | None, resolving: set[str]
    ) -> TimeSpec:
        """An event the article places on or before another: no date of its own, only the latest
        date it can have happened on, which is the other event's date (or latest date)."""
        for name in ("iso", "year", "relative_to", "direction"):
            if name in spec:
                raise self.doc.error(
                    (*location, name),
                    f"{name} cannot go with on_or_before: the event gets no date of its own, "
                    "only a latest one",
                )
        if weekday is not None:
            raise self.doc.error(
                (*location, "text"),
                "a text that names a weekday gives the event a date of its own: with on_or_before, "
                "quote the words that place it before the other event (such as 'had summoned')",
            )
        anchor_key: str = spec["on_or_before"]
        if anchor_key not in self.article.events:
            raise self.doc.error((*location, "on_or_before"), f"undefined event {anchor_key!r}")
        anchor = self._resolve_date(anchor_key, resolving)
        latest = None if anchor is None else anchor.resolved or anchor.latest
        if latest is None:
            raise self.doc.error(
                (*location, "on_or_before"), f"event {anchor_key!r} has no date or latest date to bound by"
            )
        return TimeSpec(spec.get("text"), None, None, anchor_key, latest)

    def _same_day(self, explicit: date | None, weekday: int, anchor_key: str | None) -> bool:
        """True for the publication's own weekday given as the publication date ("on Saturday" in
        a Saturday article may be that very day)."""
        published = self.article.date_published
        return anchor_key is None and explicit == published and weekday == published.weekday()

    def _anchor_date(self, location: Location, anchor_key: str | None, resolving: set[str]) -> date:
        if anchor_key is None:
            return self.article.date_published
        if anchor_key not in self.article.events:
            raise self.doc.error((*location, "relative_to"), f"undefined event {anchor_key!r}")
        anchor = self._resolve_date(anchor_key, resolving)
        if anchor is None or anchor.resolved is None:
            raise self.doc.error(
                (*location, "relative_to"), f"event {anchor_key!r} has no resolved date to count from"
            )
        return anchor.resolved
