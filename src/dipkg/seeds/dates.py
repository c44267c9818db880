"""Resolve the article's time expressions ("on Monday") to calendar dates."""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_WORD = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)


class DateError(Exception):
    """A date that does not exist or an expression that cannot be resolved."""


def parse_iso_date(value: str) -> date:
    """A calendar date from YYYY-MM-DD, refusing days that do not exist (2021-02-30)."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise DateError(f"{value!r} is not a calendar date (YYYY-MM-DD)") from exc


def weekday_in(expression: str) -> int | None:
    """The weekday (Monday = 0) an expression names, or None; two different weekdays are an error."""
    names = {match.lower() for match in _WEEKDAY_WORD.findall(expression)}
    if len(names) > 1:
        raise DateError(f"{expression!r} names more than one weekday")
    return WEEKDAYS.index(names.pop()) if names else None


def resolve_weekday(weekday: int, anchor: date, direction: str) -> date:
    """The latest such weekday strictly before the anchor (past) or the first strictly after it (future)."""
    try:
        if direction == "past":
            return anchor - timedelta(days=(anchor.weekday() - weekday) % 7 or 7)
        return anchor + timedelta(days=(weekday - anchor.weekday()) % 7 or 7)
    except OverflowError:
        day = WEEKDAYS[weekday].title()
        raise DateError(f"the {direction} {day} of {anchor} lies outside the calendar") from None
