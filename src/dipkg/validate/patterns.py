"""`sh:pattern` in linear time: pyshacl's pattern constraint matched with RE2 instead of Python's `re`.

Python's backtracking engine takes exponential time on patterns such as `^(a+)+$`; RE2 never
backtracks. Patterns RE2 cannot run (backreferences, lookaround) are refused when shapes are read.
"""

from __future__ import annotations

import re
from typing import Any

import re2
from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
from pyshacl.constraints.core.string_based_constraints import PatternConstraintComponent
from rdflib.namespace import SH


def compile_pattern(pattern: str, flags: str = "") -> Any:
    """The pattern compiled by RE2, with the SHACL flags i (ignore case) and m (multi-line)."""
    inline = "".join(flag for flag in "im" if flag in flags.lower())
    options = re2.Options()
    options.log_errors = False
    return re2.compile((f"(?{inline})" if inline else "") + pattern, options)


def pattern_problem(pattern: str, flags: str = "") -> str | None:
    """Why a pattern cannot be used (not a regular expression RE2 and Python both read), or None."""
    try:
        re.compile(pattern)
        compile_pattern(pattern, flags)
    except (re.error, re2.error) as exc:
        first = (str(exc).splitlines() or ["invalid"])[0]
        return f"sh:pattern {pattern[:80]!r} cannot be used (no backreferences or lookaround): {first[:120]}"
    return None


class LinearPatternConstraintComponent(PatternConstraintComponent):
    """pyshacl's sh:pattern constraint with every pattern matched by RE2."""

    def __init__(self, shape: Any) -> None:
        super().__init__(shape)
        flags = str(self.flags) if self.flags is not None else ""
        self.compiled_cache = {
            rule: compile_pattern(str(rule.value) if rule.value is not None else str(rule), flags)
            for rule in self.compiled_cache
        }


def use_linear_patterns() -> None:
    """Make pyshacl build LinearPatternConstraintComponent for every sh:pattern."""
    CONSTRAINT_PARAMETERS_MAP[SH.pattern] = LinearPatternConstraintComponent
