"""Gold files (corpus/README.md's format), read and checked: one line naming the file for each problem.

A gold folder is a folder of article folders, each holding `gold.json`, or one article folder
holding `gold.json`; an article folder's name is the id of the article in the graph.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import re2

from dipkg.errors import InputError, UsageError
from dipkg.seeds.yamlfile import read_text

GOLD_FILE = "gold.json"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class GoldEntity:
    key: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class GoldEvent:
    id: str
    kind: str
    plover: str
    groups: tuple[tuple[str, ...], ...]
    dates: tuple[str, ...]
    evidence: str
    responds_to: str | None


@dataclass(frozen=True)
class GoldQuote:
    id: str
    fragment: str
    speakers: tuple[str, ...]
    via: tuple[str, ...]


@dataclass(frozen=True)
class GoldRole:
    id: str
    who: str
    title: str
    of: tuple[str, ...]


@dataclass(frozen=True)
class GoldPair:
    id: str
    a: str
    b: str


@dataclass(frozen=True)
class GoldArticle:
    """The gold facts of one article, and the file they come from."""

    article: str
    path: Path
    entities: dict[str, GoldEntity]
    events: tuple[GoldEvent, ...]
    quotes: tuple[GoldQuote, ...]
    roles: tuple[GoldRole, ...]
    unasserted: tuple[GoldPair, ...]


def gold_files(folders: list[Path], article: str | None = None) -> list[tuple[str, Path]]:
    """(article id, gold.json) of every gold article in the folders, sorted by id.

    Only `article` when given (a usage error if no folder has it); an id found twice is bad input.
    """
    found: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            raise UsageError("no such gold folder" if not folder.exists() else "not a folder", folder)
        if (folder / GOLD_FILE).is_file():
            candidates = [folder]
        else:
            candidates = sorted(child for child in folder.iterdir() if (child / GOLD_FILE).is_file())
            if not candidates:
                raise InputError(f"holds no {GOLD_FILE}, nor article folders holding one", folder)
        for candidate in candidates:
            path = candidate / GOLD_FILE
            name = candidate.name if candidate.name not in ("", ".", "..") else candidate.resolve().name
            if name in found and found[name].resolve() != path.resolve():
                raise InputError(f"article {name} also has gold in {found[name]}", path)
            found.setdefault(name, path)
    if article is not None:
        if article not in found:
            raise UsageError(f"--article {article!r}: no gold for this article in the gold folder(s)")
        return [(article, found[article])]
    return sorted(found.items())


def read_gold(article: str, path: Path) -> GoldArticle:
    """One gold.json, parsed and checked."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (column {exc.colno})", path, exc.lineno) from None
    except RecursionError:
        raise InputError("not valid JSON: nested too deeply", path) from None
    return _Reader(article, path, text).article(data)


class _Reader:
    """Checks the structure of a parsed gold.json; errors name the item and, where found, its line."""

    def __init__(self, article: str, path: Path, text: str) -> None:
        self.name = article
        self.path = path
        self.text = text
        self.keys: set[str] = set()

    def fail(self, where: str, message: str, item_id: str | None = None) -> InputError:
        line = None
        if item_id is not None:
            found = re.search(r'"id"\s*:\s*' + re.escape(json.dumps(item_id)), self.text)
            if found is not None:
                line = self.text.count("\n", 0, found.start()) + 1
        return InputError(f"{where}: {message}", self.path, line)

    def article(self, data: Any) -> GoldArticle:
        if not isinstance(data, dict):
            raise self.fail("gold", "must be a JSON object")
        entities = self._entities(data.get("entities", {}))
        self.keys = set(entities)
        events = tuple(self._event(i, item) for i, item in enumerate(self._list(data, "events")))
        ids = [event.id for event in events]
        for event in events:
            if ids.count(event.id) > 1:
                raise self.fail(f"event {event.id!r}", "id used twice", event.id)
            if event.responds_to is not None and event.responds_to not in ids:
                message = f"responds_to {event.responds_to!r} is not the id of an event"
                raise self.fail(f"event {event.id!r}", message, event.id)
        return GoldArticle(
            self.name,
            self.path,
            entities,
            events,
            tuple(self._quote(i, item) for i, item in enumerate(self._list(data, "quotes"))),
            tuple(self._role(i, item) for i, item in enumerate(self._list(data, "roles"))),
            tuple(self._pair(i, item) for i, item in enumerate(self._list(data, "unasserted"))),
        )

    def _list(self, data: dict[str, Any], key: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, "must be a list")
        return value

    def _entities(self, value: Any) -> dict[str, GoldEntity]:
        if not isinstance(value, dict):
            raise self.fail("entities", "must be an object of entity keys")
        entities = {}
        for key, entity in value.items():
            names = entity.get("names") if isinstance(entity, dict) else None
            if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
                raise self.fail(f"entity {key!r}", "needs 'names', a non-empty list of names")
            entities[key] = GoldEntity(key, tuple(names))
        return entities

    def _item(self, section: str, index: int, item: Any) -> tuple[str, str, dict[str, Any]]:
        if not isinstance(item, dict):
            raise self.fail(f"{section}[{index}]", "must be an object")
        item_id = item.get("id", f"#{index + 1}")
        if not isinstance(item_id, str):
            raise self.fail(f"{section}[{index}]", "'id' must be a string")
        return f"{section[:-1] if section != 'unasserted' else 'unasserted pair'} {item_id!r}", item_id, item

    def _string(self, where: str, item_id: str, item: dict[str, Any], key: str) -> str:
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"needs '{key}', a non-empty string", item_id)
        return value

    def _pattern(self, where: str, item_id: str, item: dict[str, Any], key: str) -> str:
        pattern = self._string(where, item_id, item, key)
        problem = pattern_problem(pattern)
        if problem:
            raise self.fail(where, f"'{key}' {problem}", item_id)
        return pattern

    def _key(self, where: str, item_id: str, value: Any, field: str) -> str:
        if not isinstance(value, str) or value not in self.keys:
            raise self.fail(where, f"'{field}' names {value!r}, which is not a key of 'entities'", item_id)
        return value

    def _keys(
        self, where: str, item_id: str, item: dict[str, Any], field: str, empty: bool
    ) -> tuple[str, ...]:
        value = item.get(field, [] if empty else None)
        if not isinstance(value, list) or (not value and not empty):
            kind = "a list" if empty else "a non-empty list"
            raise self.fail(where, f"'{field}' must be {kind} of entity keys", item_id)
        return tuple(self._key(where, item_id, key, field) for key in value)

    def _event(self, index: int, item: Any) -> GoldEvent:
        where, item_id, item = self._item("events", index, item)
        groups = item.get("with")
        if not isinstance(groups, list) or not groups:
            raise self.fail(where, "'with' must be a non-empty list of lists of entity keys", item_id)
        checked = tuple(self._keys(where, item_id, {"with": group}, "with", False) for group in groups)
        dates = item.get("dates", [])
        if not isinstance(dates, list) or not all(isinstance(d, str) and DATE.fullmatch(d) for d in dates):
            raise self.fail(where, "'dates' must be a list of dates (YYYY-MM-DD)", item_id)
        responds_to = item.get("responds_to")
        if responds_to is not None and not isinstance(responds_to, str):
            raise self.fail(where, "'responds_to' must be the id of another event", item_id)
        return GoldEvent(
            item_id,
            self._pattern(where, item_id, item, "kind"),
            self._string(where, item_id, item, "plover").strip().upper(),
            checked,
            tuple(dates),
            self._string(where, item_id, item, "evidence"),
            responds_to,
        )

    def _quote(self, index: int, item: Any) -> GoldQuote:
        where, item_id, item = self._item("quotes", index, item)
        return GoldQuote(
            item_id,
            self._string(where, item_id, item, "fragment"),
            self._keys(where, item_id, item, "speaker", False),
            self._keys(where, item_id, item, "via", True),
        )

    def _role(self, index: int, item: Any) -> GoldRole:
        where, item_id, item = self._item("roles", index, item)
        return GoldRole(
            item_id,
            self._key(where, item_id, item.get("who"), "who"),
            self._pattern(where, item_id, item, "title"),
            self._keys(where, item_id, item, "of", False),
        )

    def _pair(self, index: int, item: Any) -> GoldPair:
        where, item_id, item = self._item("unasserted", index, item)
        return GoldPair(
            item_id,
            self._key(where, item_id, item.get("a"), "a"),
            self._key(where, item_id, item.get("b"), "b"),
        )


@lru_cache(maxsize=1024)
def compile_search(pattern: str) -> Any:
    """A gold regular expression, searched case-insensitively by RE2 (linear time, whatever the pattern)."""
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = False
    return re2.compile(pattern, options)


def pattern_problem(pattern: str) -> str | None:
    """Why a gold pattern cannot be used (neither Python's `re` nor RE2 reads it), or None."""
    try:
        re.compile(pattern)
        compile_search(pattern)
    except (re.error, re2.error) as exc:
        first = (str(exc).splitlines() or ["invalid"])[0]
        return f"is not a regular expression RE2 can run (no backreferences or lookaround): {first[:120]}"
    return None
