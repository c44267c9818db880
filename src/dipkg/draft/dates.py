"""Time expressions of a clause, as an annotation's `date`: the raw words and what they resolve to."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from dipkg.seeds.dates import DateError, weekday_in

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_MONTH_DAY = re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{4}))?")
_DAY_MONTH = re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r"(?:,?\s+(?P<year>\d{4}))?")
_YEAR = re.compile(r"^(?:in\s+)?(?P<year>(?:19|20)\d{2})$")
_RELATIVE = {"today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "yesterday": 1}


def event_date(expression: str, published: date) -> dict[str, Any] | None:
    """The `date` of an annotation for a time expression, or None when it resolves to no day or year.

    Weekdays are left to the loader (the latest such day before publication), except the
    publication's own weekday, which is the publication date; month and day take the latest year
    that does not fall after publication.
    """
    words = " ".join(expression.split())
    lowered = words.lower()
    weekday = _weekday(words)
    if weekday is not None:
        if weekday == published.weekday():
            return {"text": expression, "iso": published.isoformat()}
        return {"text": expression}
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        match = pattern.search(words)
        if match and match.group("month").lower() in MONTHS:
            found = _calendar_day(match, published)
            if found is not None:
                return {"text": expression, "iso": found.isoformat()}
    for name, days in _RELATIVE.items():
        if name in lowered:
            return {"text": expression, "iso": (published - timedelta(days=days)).isoformat()}
    match = _YEAR.match(lowered)
    if match and int(match.group("year")) <= published.year:
        return {"text": expression, "year": int(match.group("year"))}
    return None


def _weekday(words: str) -> int | None:
    try:
        return weekday_in(words)
    except DateError:
        return None


def _calendar_day(match: re.Match[str], published: date) -> date | None:
    month = MONTHS[match.group("month").lower()]
    year = int(match.group("year")) if match.group("year") else published.year
    try:
        day = date(year, month, int(match.group("day")))
    except ValueError:
        return None
    if day > published and not match.group("year"):
        try:
            day = date(year - 1, month, day.day)
        except ValueError:
            return None
    return day if day <= published else None
