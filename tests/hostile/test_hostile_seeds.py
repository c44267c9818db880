"""`dipkg build` on hostile seeds: bombs, devices, links out, odd numbers and characters."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile.conftest import Project

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
)


def _annotation(project: Project) -> Path:
    return project.article / "annotation.yaml"


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as stream:
        stream.write(text)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _bomb_annotation(project: Project) -> None:
    _annotation(project).write_text(BILLION_LAUGHS, encoding="utf-8")


def _bomb_entities(project: Project) -> None:
    _append(project.seeds / "entities" / "diplomacy.yaml", "\n" + BILLION_LAUGHS.replace("a:", "bomb:", 1))


def _recursive_alias(project: Project) -> None:
    _annotation(project).write_text("a: &a [*a]\n", encoding="utf-8")


def _nested_lists(project: Project) -> None:
    _annotation(project).write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")


def _float_occurrence(project: Project) -> None:
    _replace(_annotation(project), "occurrence: 1}", "occurrence: 1.0}")


def _float_year(project: Project) -> None:
    _replace(_annotation(project), "year: 1989}", "year: 1989.0}")


def _float_member_count(project: Project) -> None:
    _replace(_annotation(project), "member_count: 4", "member_count: 4.0")


def _meta_date(value: str, direction: str) -> Callable[[Project], None]:
    def change(project: Project) -> None:
        _replace(project.article / "meta.yaml", 'date_published: "2021-03-25"', f'date_published: "{value}"')
        dated = f"date: {{text: on Monday, direction: {direction}}}"
        _replace(_annotation(project), "date: {text: on Monday}", dated)

    return change


def _id_with_newline(project: Project) -> None:
    entities = project.seeds / "entities" / "diplomacy.yaml"
    _replace(entities, "wikidata: {id: Q148,", 'wikidata: {id: "Q148\\n",')


def _key_with_newline(project: Project) -> None:
    _replace(_annotation(project), "  nato-allies:\n", '  "nato-allies\\n":\n')


def _nul_byte(project: Project) -> None:
    _replace(_annotation(project), "label: NATO allies", "label: NATO\0allies")


def _escaped_nul(project: Project) -> None:
    _replace(_annotation(project), "label: NATO allies", 'label: "NATO\\0allies"')


def _lone_surrogate(project: Project) -> None:
    _replace(_annotation(project), "label: NATO allies", 'label: "NATO \\ud800 allies"')


def _huge_label(project: Project) -> None:
    _replace(_annotation(project), "label: NATO allies", "label: " + "x" * (50 << 20))


def _python_tag(project: Project) -> None:
    _replace(_annotation(project), "label: NATO allies", "label: !!python/name:os.system ''")


def _link(target: str, name: str = "annotation.yaml") -> Callable[[Project], None]:
    def change(project: Project) -> None:
        (project.article / name).unlink()
        (project.article / name).symlink_to(target)

    return change


def _fifo(project: Project) -> None:
    _annotation(project).unlink()
    os.mkfifo(_annotation(project))


def _folder_outside(project: Project) -> None:
    outside = project.root.parent / "outside-article"
    article = project.article
    article.rename(outside)
    article.symlink_to(outside, target_is_directory=True)


def _unnormalised_id(project: Project) -> None:
    _replace(_annotation(project), "  nato-allies:\n", "  nato-allie\u0301s:\n")


CASES: dict[str, Callable[[Project], None]] = {
    "billion laughs in annotation.yaml": _bomb_annotation,
    "billion laughs in an entities file": _bomb_entities,
    "recursive alias": _recursive_alias,
    "100k nested [": _nested_lists,
    "occurrence: 1.0": _float_occurrence,
    "year: 1989.0": _float_year,
    "member_count: 4.0": _float_member_count,
    "date_published 0001-01-01 with a weekday": _meta_date("0001-01-01", "past"),
    "date_published 9999-12-31 with a weekday": _meta_date("9999-12-31", "future"),
    "a Wikidata id ending in a newline": _id_with_newline,
    "a key ending in a newline": _key_with_newline,
    "a NUL byte": _nul_byte,
    "an escaped NUL": _escaped_nul,
    "a lone surrogate": _lone_surrogate,
    "a 50 MB label": _huge_label,
    "!!python/name:os.system": _python_tag,
    "annotation.yaml a FIFO": _fifo,
    "annotation.yaml -> /dev/zero": _link("/dev/zero"),
    "annotation.yaml -> /dev/urandom": _link("/dev/urandom"),
    "annotation.yaml -> /etc/passwd": _link("/etc/passwd"),
    "article.txt -> /dev/zero": _link("/dev/zero", "article.txt"),
    "an article folder linked outside seeds/": _folder_outside,
    "an id in decomposed Unicode": _unnormalised_id,
}


@pytest.mark.parametrize("case", CASES)
def test_hostile_seeds_are_refused_with_one_line(project: Project, case: str) -> None:
    CASES[case](project)
    run = project.run("build")
    run.refused(3)
    assert run.seconds < 8
    assert "root:" not in run.stderr, "the content of a file outside the project was shown"
