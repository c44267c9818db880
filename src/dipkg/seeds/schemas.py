"""Seed documents checked against the bundled JSON Schemas, the first error located at its line."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from dipkg.seeds.yamlfile import LocatedDocument, Location

if TYPE_CHECKING:
    import jsonschema

MAX_LISTED = 12


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    # Imported here (0.06 s): a build whose seeds did not change checks none of them.
    import jsonschema

    schema = json.loads(
        (Path(__file__).parent / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")
    )
    # The schemas declare draft 2020-12; a library that falls back to another draft must fail here.
    base = jsonschema.Draft202012Validator
    strict: type[jsonschema.protocols.Validator] = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        base,
        validators={"pattern": _whole_pattern},
        type_checker=base.TYPE_CHECKER.redefine("integer", _is_integer),
    )
    return strict(schema)


def _is_integer(_checker: object, instance: object) -> bool:
    """Only ints are integers: YAML's 1.0 is a float, which the code after the schema never expects."""
    return isinstance(instance, int) and not isinstance(instance, bool)


def _whole_pattern(
    _validator: object, pattern: str, instance: object, _schema: object
) -> Iterator[jsonschema.ValidationError]:
    """`pattern` with JSON Schema's meaning of `$`, the end of the text (Python's `$` also matches
    before a final newline, which let an id ending in a newline through)."""
    import jsonschema

    if isinstance(instance, str) and re.search(re.sub(r"(?<!\\)\$$", r"\\Z", pattern), instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def check_schema(document: LocatedDocument, name: str) -> None:
    """Validate a document against a bundled JSON Schema; the first error names its line."""
    errors = sorted(
        _validator(name).iter_errors(document.data),
        key=lambda err: [str(part) for part in err.absolute_path],
    )
    if errors:
        error = _within_alternatives(errors[0])
        location: Location = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            extra = next((key for key in error.instance if key not in known), None)
            if extra is not None:
                location = (*location, extra)
        where = "/".join(str(part) for part in error.absolute_path) or "top level"
        if error.validator == "enum":
            message = _enum_message(error)
        elif error.validator == "minProperties" and isinstance(error.validator_value, int):
            # jsonschema's own wording changed across releases ("does not have enough properties")
            count = error.validator_value
            message = f"needs at least {count} {'entry' if count == 1 else 'entries'}"
        elif error.validator == "not" and isinstance(error.validator_value, dict):
            together = error.validator_value.get("required", [])
            message = f"{' and '.join(together)} cannot be given together"
        else:
            message = error.message
        raise document.error(location, f"{where}: {message}")


def _within_alternatives(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For a value that matches none of `oneOf`'s alternatives, the error of the alternative of its
    type (an evidence item written as a mapping gets the mapping's error, not "valid under none")."""
    while error.validator in ("oneOf", "anyOf") and error.context:
        relevant = [e for e in error.context if e.validator != "type"]
        if not relevant:
            break
        error = min(relevant, key=lambda err: [str(part) for part in err.absolute_path])
    return error


def _enum_message(error: jsonschema.ValidationError) -> str:
    """A value outside an enum: the closest allowed value, and the list when it is short."""
    values = error.validator_value
    allowed = [str(value) for value in values] if isinstance(values, list) else []
    message = f"{error.instance!r} is not allowed here"
    close = difflib.get_close_matches(str(error.instance), allowed, n=1)
    if close:
        message += f"; did you mean {close[0]!r}?"
    if len(allowed) <= MAX_LISTED:
        return f"{message} (one of: {', '.join(allowed)})"
    return f"{message} (the allowed values are listed in README.md)"
