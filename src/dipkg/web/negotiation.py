"""Content negotiation: which of a resource's documents an `Accept` header asks for.

Pure functions over the header (RFC 9110, section 12.5.1): media ranges with q-values, `type/*`
and `*/*` wildcards and parameters. For each offered type the most specific range that matches
it gives its quality; the highest quality wins, ties going to the earlier offer (the page, then
Turtle), and nothing is chosen when every offer has quality 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dipkg.web.paths import FORMATS

# Extension -> media type of the documents a resource comes in, in the order ties are settled.
OFFERED: dict[str, str] = {ext: media.split(";")[0] for ext, media in FORMATS.items()}
# No Accept header, or an empty one, accepts anything.
ANYTHING = "*/*"
MAX_RANGES = 100
# The parameters a range may carry and still match a document: its charset (UTF-8 only) and a
# profile (a resource has one JSON-LD document, given whatever profile is asked for).
MATCHED_PARAMS = ("charset", "profile")
UTF8_NAMES = ("utf-8", "utf8", "*")


@dataclass(frozen=True)
class MediaRange:
    """One media range of an Accept header: `type/subtype`, its parameters and its quality."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float

    def matches(self, media_type: str) -> bool:
        """Whether the range covers `media_type` as served: UTF-8, any profile, no other parameter."""
        for key, value in self.params:
            if key not in MATCHED_PARAMS or (key == "charset" and value.lower() not in UTF8_NAMES):
                return False
        offered_type, _, offered_subtype = media_type.partition("/")
        if self.type == "*":
            return True
        return self.type == offered_type and self.subtype in ("*", offered_subtype)

    @property
    def specificity(self) -> tuple[int, int]:
        """How closely the range names a type: `*/*` < `type/*` < `type/subtype` < with parameters."""
        level = 0 if self.type == "*" else 1 if self.subtype == "*" else 2
        return level, len(self.params)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed ranges are skipped, none means `*/*`."""
    if header is None or not header.strip():
        header = ANYTHING
    ranges = []
    for item in header.split(",")[:MAX_RANGES]:
        parsed = _media_range(item)
        if parsed is not None:
            ranges.append(parsed)
    return ranges


def _media_range(item: str) -> MediaRange | None:
    name, *rest = item.split(";")
    kind, slash, subkind = name.strip().lower().partition("/")
    if not slash or not kind or not subkind or (kind == "*" and subkind != "*"):
        return None
    q = 1.0
    params: list[tuple[str, str]] = []
    for param in rest:
        key, equals, value = param.strip().partition("=")
        key, value = key.strip().lower(), value.strip().strip('"')
        if not key:
            continue
        if key == "q":
            quality = _quality(value) if equals else None
            if quality is None:
                return None
            q = quality
            break  # what follows q are accept-extensions, not media type parameters
        params.append((key, value))
    return MediaRange(kind, subkind, tuple(params), q)


def _quality(text: str) -> float | None:
    """A q-value (0 to 1, at most three decimals), or None when it is not one."""
    if not text or len(text) > 5 or not all(c.isdigit() or c == "." for c in text):
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The quality the ranges give `media_type`: that of the most specific matching range, else 0."""
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0
    best = max(r.specificity for r in matching)
    return max(r.q for r in matching if r.specificity == best)


def choose(header: str | None, offered: Sequence[str] = tuple(OFFERED)) -> str | None:
    """The extension (of `offered`, a subset of OFFERED's keys in preference order) the Accept
    header prefers, or None when it accepts none of them (HTTP 406)."""
    ranges = parse_accept(header)
    best: str | None = None
    best_q = 0.0
    for extension in offered:
        q = quality(ranges, OFFERED[extension])
        if q > best_q:
            best, best_q = extension, q
    return best


def not_acceptable_text(offered: Sequence[str] = tuple(OFFERED)) -> str:
    """The body of a 406 answer: the media types there are."""
    listed = "".join(f"  {OFFERED[extension]}\n" for extension in offered)
    return f"406 Not Acceptable: this resource is available as\n{listed}"
