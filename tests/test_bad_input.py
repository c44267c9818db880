"""Bad seeds: one clear line naming file and line, exit code 3, no traceback, kg/ unchanged."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ARTICLE_DIR = Path("articles") / "000_65e413c471938464"
ANNOTATION = ARTICLE_DIR / "annotation.yaml"
META = ARTICLE_DIR / "meta.yaml"
TEXT = ARTICLE_DIR / "article.txt"
ENTITIES = Path("entities") / "diplomacy.yaml"


def replace(relative: Path, old: str, new: str) -> Callable[[Path], None]:
    def edit(seeds: Path) -> None:
        path = seeds / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text not found: {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def write_bytes(relative: Path, data: bytes) -> Callable[[Path], None]:
    def edit(seeds: Path) -> None:
        (seeds / relative).write_bytes(data)

    return edit


def remove(relative: Path) -> Callable[[Path], None]:
    def edit(seeds: Path) -> None:
        (seeds / relative).unlink()

    return edit


def line_of(seeds: Path, relative: Path, needle: str) -> int:
    lines = (seeds / relative).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


UNREALIZED = """unrealized:
  further-measures:
    modality: {modality}
    label: China takes further measures
    actors: [china]
    expressed_in: {event}
    evidence: ["China has decided to introduce sanctions"]

quotes:
"""

CASES = {
    "quote not in text": (
        replace(
            ANNOTATION,
            '"after holding consultations with NATO allies"',
            '"after holding talks with NATO allies"',
        ),
        ANNOTATION,
        "after holding talks with NATO allies",
        "quote not found verbatim in the article text: 'after holding talks with NATO allies'",
    ),
    "ambiguous quote": (
        replace(
            ANNOTATION,
            '- {quote: "calls for joint approach to counter Beijing", occurrence: 1}',
            '- "calls for joint approach to counter Beijing"',
        ),
        ANNOTATION,
        '- "calls for joint approach to counter Beijing"',
        "quote occurs 2 times in the article text; add 'occurrence: N'",
    ),
    "unrealised act expressed in an undefined event": (
        replace(ANNOTATION, "quotes:\n", UNREALIZED.format(modality="threatened", event="no-such-event")),
        ANNOTATION,
        "    expressed_in: no-such-event",
        "undefined event 'no-such-event'",
    ),
    "unrealised act with an unknown modality": (
        replace(
            ANNOTATION, "quotes:\n", UNREALIZED.format(modality="rumoured", event="china-counter-sanctions")
        ),
        ANNOTATION,
        "    modality: rumoured",
        "'rumoured' is not allowed here (one of: threatened, planned, proposed, refused, denied)",
    ),
    "rejection of an undefined claim": (
        replace(
            ANNOTATION,
            "    responds_to: [uk-sanctions]\n",
            "    responds_to: [uk-sanctions]\n    rejects: [no-such-claim]\n",
        ),
        ANNOTATION,
        "    rejects: [no-such-claim]",
        "undefined claim, event or unrealized act 'no-such-claim'",
    ),
    "former that is not a boolean": (
        replace(ANNOTATION, "    holder: qin-gang\n", "    holder: qin-gang\n    former: yes please\n"),
        ANNOTATION,
        "    former: yes please",
        "'yes please' is not of type 'boolean'",
    ),
    "group fields on a person": (
        replace(
            ANNOTATION,
            "    type: PersonGroup\n    label: senior Belgian officials",
            "    type: Person\n    label: senior Belgian officials",
        ),
        ANNOTATION,
        "affiliated_with: belgium",
        "affiliated_with is for groups and organisations, not for a Person",
    ),
    "undefined entity": (
        replace(ANNOTATION, "actors: [qin-gang]", "actors: [qin-gan]"),
        ANNOTATION,
        "actors: [qin-gan]",
        "undefined entity 'qin-gan'",
    ),
    "undefined event": (
        replace(ANNOTATION, "responds_to: [uk-sanctions]", "responds_to: [uk-sanction]"),
        ANNOTATION,
        "responds_to: [uk-sanction]",
        "undefined event 'uk-sanction'",
    ),
    "unknown event type": (
        replace(ANNOTATION, "type: Summons", "type: Summon"),
        ANNOTATION,
        "type: Summon",
        "'Summon' is not allowed here; did you mean 'Summons'?",
    ),
    "impossible date": (
        replace(ANNOTATION, 'date: {text: "1989", year: 1989}', 'date: {iso: "2021-02-30"}'),
        ANNOTATION,
        'date: {iso: "2021-02-30"}',
        "'2021-02-30' is not a calendar date",
    ),
    "date after publication": (
        replace(ANNOTATION, 'date: {text: "1989", year: 1989}', 'date: {iso: "2022-01-03"}'),
        ANNOTATION,
        'date: {iso: "2022-01-03"}',
        "date 2022-01-03 lies after the publication date 2021-03-25",
    ),
    "weekday contradicts iso": (
        replace(ANNOTATION, "date: {text: On Tuesday}", 'date: {text: On Tuesday, iso: "2021-03-24"}'),
        ANNOTATION,
        'iso: "2021-03-24"',
        "iso 2021-03-24 contradicts 'On Tuesday', which resolves to 2021-03-23",
    ),
    "time expression not in text": (
        replace(ANNOTATION, "date: {text: On Tuesday}", "date: {text: On Friday}"),
        ANNOTATION,
        "date: {text: On Friday}",
        "time expression not found verbatim in the article text: 'On Friday'",
    ),
    "on_or_before with a weekday": (
        replace(ANNOTATION, 'text: "it had summoned", on_or_before', 'text: "on Tuesday", on_or_before'),
        ANNOTATION,
        'date: {text: "on Tuesday", on_or_before',
        "a text that names a weekday gives the event a date of its own",
    ),
    "on_or_before with a direction": (
        replace(
            ANNOTATION,
            "on_or_before: italy-announces-summons}",
            "on_or_before: italy-announces-summons, direction: future}",
        ),
        ANNOTATION,
        "direction: future}",
        "direction cannot go with on_or_before",
    ),
    "on_or_before an undated event": (
        replace(ANNOTATION, "on_or_before: italy-announces-summons", "on_or_before: china-counter-sanctions"),
        ANNOTATION,
        "on_or_before: china-counter-sanctions",
        "event 'china-counter-sanctions' has no date or latest date to bound by",
    ),
    "on_or_before an undefined event": (
        replace(ANNOTATION, "on_or_before: italy-announces-summons", "on_or_before: italy-announces"),
        ANNOTATION,
        "on_or_before: italy-announces}",
        "undefined event 'italy-announces'",
    ),
    "yaml syntax error": (
        replace(ANNOTATION, "    actors: [qin-gang]", "    actors: [qin-gang"),
        ANNOTATION,
        None,
        "YAML syntax error",
    ),
    "duplicate key": (
        replace(ANNOTATION, "    actors: [qin-gang]\n", "    actors: [qin-gang]\n    actors: [qin-gang]\n"),
        ANNOTATION,
        None,
        "duplicate key 'actors'",
    ),
    "schema violation": (
        replace(ANNOTATION, "    actors: [qin-gang]\n", "    actor: [qin-gang]\n"),
        ANNOTATION,
        "actor: [qin-gang]",
        "Additional properties are not allowed ('actor' was unexpected)",
    ),
    "text edited after annotation": (
        replace(TEXT, "on Wednesday issued", "on Wednesday  issued"),
        META,
        "text_sha256",
        "article.txt does not match its checksum",
    ),
    "invalid utf-8": (
        write_bytes(ANNOTATION, b"article: 000_65e413c471938464\nevents:\n  x: \xff\xfe\n"),
        ANNOTATION,
        None,
        "invalid UTF-8",
    ),
    "empty annotation": (write_bytes(ANNOTATION, b""), ANNOTATION, None, "file is empty"),
    "missing annotation": (remove(ANNOTATION), ANNOTATION, None, "file not found"),
    "entity defined in two files": (
        write_bytes(
            Path("entities") / "more.yaml", b"entities:\n  china:\n    type: Country\n    label: China\n"
        ),
        Path("entities") / "more.yaml",
        "  china:",
        "entity 'china' is defined twice",
    ),
    "duplicate key in entities": (
        replace(ENTITIES, "  canada:\n", "  canada:\n    type: Country\n    label: Canada\n  china:\n"),
        ENTITIES,
        None,
        "duplicate key 'china'",
    ),
}

EXPECTED_LINES = {
    "yaml syntax error": 2,
    "duplicate key": 1,
    "invalid utf-8": 3,
    "empty annotation": 1,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_seed_is_refused_with_one_line(case: str, seeds_copy: Path, tmp_path: Path) -> None:
    edit, relative, needle, message = CASES[case]
    out = tmp_path / "kg"
    out.mkdir()
    (out / "entities.ttl").write_text("previous content\n", encoding="utf-8")
    edit(seeds_copy)
    result = subprocess.run(
        [sys.executable, "-m", "dipkg", "build", "--seeds", str(seeds_copy), "--out", str(out), "--force"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith(f"dipkg: error: {seeds_copy / relative}")
    assert message in lines[0]
    if needle is not None:
        assert f"{relative.name}:{line_of(seeds_copy, relative, needle)}: " in lines[0]
    if case == "yaml syntax error":
        assert f"{relative.name}:" in lines[0]
    assert sorted(p.name for p in out.iterdir()) == ["entities.ttl"]
    assert (out / "entities.ttl").read_text(encoding="utf-8") == "previous content\n"


def test_missing_seeds_folder(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dipkg",
            "build",
            "--seeds",
            str(tmp_path / "nope"),
            "--out",
            str(tmp_path / "kg"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3
    assert result.stderr == f"dipkg: error: {tmp_path / 'nope'}: seeds folder not found\n"
    assert not (tmp_path / "kg").exists()
