"""Read YAML files into plain data while remembering the line of every value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dipkg.errors import InputError

Location = tuple[str | int, ...]


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


def read_text(path: Path) -> str:
    """Read a UTF-8 file, reporting a missing file or bad bytes as one line."""
    data = read_bytes(path)
    return decode_utf8(data, path)


def read_bytes(path: Path) -> bytes:
    """Read a file's bytes, reporting a missing or unreadable file as one line."""
    if not path.exists():
        raise InputError("file not found", path)
    if not path.is_file():
        raise InputError("not a file", path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", path) from exc


def decode_utf8(data: bytes, path: Path) -> str:
    """Decode UTF-8 strictly, naming the line of the first invalid byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"invalid UTF-8 (byte {exc.start}); save the file as UTF-8", path, line) from exc


def load_yaml(path: Path) -> LocatedDocument:
    """Parse one YAML file; syntax errors and duplicate keys name their line."""
    text = read_text(path)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "syntax error"
        raise InputError(f"YAML syntax error: {problem}", path, line) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", path) from exc
    finally:
        loader.dispose()
    if node is None:
        raise InputError("file is empty", path, 1)
    lines: dict[Location, int] = {}
    data = _convert(node, (), lines, path, loader)
    return LocatedDocument(path, data, lines)


def _convert(node: yaml.Node, location: Location, lines: dict[Location, int], path: Path, loader: Any) -> Any:
    lines.setdefault(location, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError("mapping keys must be plain text", path, key_node.start_mark.line + 1)
            key = str(key_node.value)
            if key in result:
                raise InputError(f"duplicate key {key!r}", path, key_node.start_mark.line + 1)
            lines[(*location, key)] = key_node.start_mark.line + 1
            result[key] = _convert(value_node, (*location, key), lines, path, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*location, index), lines, path, loader) for index, item in enumerate(node.value)
        ]
    if node.tag.endswith(":timestamp"):
        return node.value
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise InputError(f"unreadable value: {exc}", path, node.start_mark.line + 1) from exc
