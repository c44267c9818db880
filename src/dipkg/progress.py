"""Progress of long operations: a callback `progress(stage, done, total)` that callers may pass down."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Progress = Callable[[str, int, int], None]
T = TypeVar("T")


def tracked(items: Iterable[T], total: int, stage: str, progress: Progress | None) -> Iterator[T]:
    """The items, reporting `stage` after each one when a progress callback is given."""
    for done, item in enumerate(items, start=1):
        yield item
        if progress is not None:
            progress(stage, done, total)
