"""Read YAML files into plain data while remembering the line of every value."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from dipkg.errors import InputError

Location = tuple[str | int, ...]
# The largest seed file read: an article of this size is already absurd.
MAX_SEED_BYTES = 8 << 20
# The deepest nesting of lists and mappings a seed may have.
MAX_DEPTH = 32


class LocatedDocument:
    """A parsed YAML document and the 1-based line of each value, by its path of keys."""

    def __init__(self, path: Path, data: Any, lines: dict[Location, int]) -> None:
        self.path = path
        self.data = data
        self.lines = lines

    def line_of(self, location: Location) -> int | None:
        """Line of the value at `location`, or of its nearest located parent."""
        loc = tuple(location)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)

    def error(self, location: Location, message: str) -> InputError:
        """An InputError pointing at the value found at `location`."""
        return InputError(message, self.path, self.line_of(location))


def read_text(path: Path, root: Path | None = None) -> str:
    """Read a UTF-8 seed file (see `read_bytes`), reporting bad bytes as one line."""
    data = read_bytes(path, root)
    return decode_utf8(data, path)


def read_bytes(path: Path, root: Path | None = None) -> bytes:
    """Read a seed file's bytes: a regular file of at most MAX_SEED_BYTES, inside `root` if given.

    FIFOs, devices and links out of `root` are refused before a byte is read, and so their
    contents never reach an error message.
    """
    if root is not None and not path.resolve().is_relative_to(root.resolve()):
        raise InputError(f"leads outside {root} (a link?); seeds must lie inside it", path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except FileNotFoundError:
        raise InputError("file not found", path) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", path) from exc
    with os.fdopen(descriptor, "rb") as stream:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise InputError("not a regular file", path)
        limit = f"file larger than {MAX_SEED_BYTES >> 20} MiB"
        if status.st_size > MAX_SEED_BYTES:
            raise InputError(limit, path)
        try:
            data = stream.read(MAX_SEED_BYTES + 1)
        except OSError as exc:
            raise InputError(f"cannot read file ({exc.strerror})", path) from exc
    if len(data) > MAX_SEED_BYTES:
        raise InputError(limit, path)
    return data


def decode_utf8(data: bytes, path: Path) -> str:
    """Decode UTF-8 strictly, naming the line of the first invalid byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"invalid UTF-8 (byte {exc.start}); save the file as UTF-8", path, line) from exc


def load_yaml(path: Path, root: Path | None = None) -> LocatedDocument:
    """Parse one YAML seed file; errors name their line. Aliases of lists or mappings (which can
    expand without bound, or into themselves) and nesting deeper than MAX_DEPTH are refused."""
    text = read_text(path, root)
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        at = text[: exc.position].count("\n") + 1
        raise InputError(f"YAML error: character {exc.character!r} is not allowed", path, at) from exc
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "syntax error"
        raise InputError(f"YAML syntax error: {problem}", path, line) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {_first_line(exc)}", path) from exc
    except RecursionError:
        raise InputError(f"lists or mappings nest deeper than {MAX_DEPTH} levels", path) from None
    finally:
        loader.dispose()
    if node is None:
        raise InputError("file is empty", path, 1)
    lines: dict[Location, int] = {}
    data = _Converter(path, loader, lines).convert(node, ())
    return LocatedDocument(path, data, lines)


class _Converter:
    """Turns a composed YAML node tree into plain data, noting the line of every value."""

    def __init__(self, path: Path, loader: Any, lines: dict[Location, int]) -> None:
        self.path, self.loader, self.lines = path, loader, lines
        self.seen: set[int] = set()

    def error(self, node: yaml.Node, message: str) -> InputError:
        return InputError(message, self.path, node.start_mark.line + 1)

    def convert(self, node: yaml.Node, location: Location) -> Any:
        self.lines.setdefault(location, node.start_mark.line + 1)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if id(node) in self.seen:
                raise self.error(node, "an alias (*name) of a list or mapping is not allowed in seeds")
            self.seen.add(id(node))
            if len(location) >= MAX_DEPTH:
                raise self.error(node, f"lists or mappings nest deeper than {MAX_DEPTH} levels")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, location)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*location, index)) for index, item in enumerate(node.value)]
        if node.tag.endswith(":timestamp"):
            return node.value
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self.error(node, f"unreadable value: {_first_line(exc)}") from exc
        if isinstance(value, str) and _UNWRITABLE.search(value):
            raise self.error(node, "text holds a NUL, another control character or a lone surrogate")
        return value

    def _mapping(self, node: yaml.MappingNode, location: Location) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, "mapping keys must be plain text")
            key = str(key_node.value)
            if key in result:
                raise self.error(key_node, f"duplicate key {key!r}")
            if _UNWRITABLE.search(key):
                raise self.error(key_node, "key holds a NUL, another control character or a lone surrogate")
            self.lines[(*location, key)] = key_node.start_mark.line + 1
            result[key] = self.convert(value_node, (*location, key))
        return result


_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _first_line(exc: BaseException) -> str:
    problem = getattr(exc, "problem", None)
    return str(problem or (str(exc).splitlines() or ["error"])[0])[:200]
