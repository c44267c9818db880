"""Incremental builds: a rebuild redoes only what changed, and always equals a clean build."""

from __future__ import annotations

import importlib.metadata
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib.namespace import RDFS, SH

from dipkg.build.cache import FORMAT_VERSION, ArticleRecord
from dipkg.build.partition import validate_article
from dipkg.build.pipeline import validate_corpus
from dipkg.errors import NotConforming
from dipkg.layout import ARTICLE_ANNOTATION_FILE, ARTICLES_SUBDIR, ENTITIES_SUBDIR
from dipkg.namespaces import DIP
from dipkg.validate.results import ValidationResult
from tests.projects import SEED, build, seed_project
from tests.test_scale import files_of, generate


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("pristine"), 12)


@pytest.fixture(scope="module")
def with_violations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("violations"), 12, violations=2)


@pytest.fixture()
def seeds(pristine: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine, tmp_path / "seeds"))


def revise_a_label(article_dir: Path) -> None:
    annotation = article_dir / ARTICLE_ANNOTATION_FILE
    lines = annotation.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.lstrip().startswith("label: "))
    lines[first] = lines[first].rstrip("\n") + " revised\n"
    annotation.write_text("".join(lines), encoding="utf-8")


def article_dirs(seeds: Path) -> list[Path]:
    return sorted((seeds / ARTICLES_SUBDIR).iterdir())


def assert_as_a_clean_build(seeds: Path, tmp_path: Path) -> None:
    """kg/ is byte for byte what a build with an empty cache makes."""
    build(seeds, tmp_path / "clean", cache_root=tmp_path / "fresh")
    assert files_of(tmp_path / "kg") == files_of(tmp_path / "clean")


def test_rebuild_after_one_change_redoes_that_article_only_and_equals_a_clean_build(
    seeds: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = build(seeds, tmp_path / "kg", cache_root=cache)
    assert (first.mapped, first.validated) == (12, 12)
    changed = article_dirs(seeds)[5]
    revise_a_label(changed)
    again = build(seeds, tmp_path / "kg", cache_root=cache)
    assert (again.articles, again.mapped, again.validated) == (12, 1, 1)
    assert [f.path for f in again.files if f.changed] == [f"articles/{changed.name}.ttl", "void.ttl"]
    assert_as_a_clean_build(seeds, tmp_path)


def test_unchanged_rebuild_reads_no_article(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    before = files_of(tmp_path / "kg")

    def refuse(*_: object) -> None:
        raise AssertionError("an unchanged article was loaded again")

    monkeypatch.setattr("dipkg.build.partition.load_article", refuse)
    monkeypatch.setattr("dipkg.build.pipeline.validate_article", refuse)
    again = build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    assert (again.mapped, again.validated) == (0, 0)
    assert not any(f.changed for f in again.files)
    assert files_of(tmp_path / "kg") == before


ENGINES = ("pyshacl", "jsonschema")
# `dipkg ARGS...` run as `python -m dipkg` would, then the validation engines it loaded.
LOADED = (
    "import runpy, sys\n"
    "sys.argv = ['dipkg', *sys.argv[1:]]\n"
    "try:\n    runpy.run_module('dipkg', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    f"print('loaded:', *(m for m in {ENGINES!r} if m in sys.modules))\n"
)


def test_an_unchanged_rebuild_loads_neither_shacl_nor_json_schema(seeds: Path, tmp_path: Path) -> None:
    def loaded() -> str:
        command = [
            sys.executable,
            "-c",
            LOADED,
            "build",
            "-q",
            "--seeds",
            str(seeds),
            "--out",
            str(tmp_path / "kg"),
        ]
        environment = {**os.environ, "DIPKG_CACHE_DIR": str(tmp_path / "cache")}
        done = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
        return done.stdout.splitlines()[-1]

    assert loaded() == "loaded: pyshacl jsonschema"
    assert loaded() == "loaded:"
    revise_a_label(article_dirs(seeds)[3])
    assert loaded() == "loaded: pyshacl jsonschema"


def test_another_release_of_a_library_the_results_depend_on_redoes_everything(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    installed = importlib.metadata.version

    def upgraded(name: str) -> str:
        return "99.0" if name == "pyshacl" else installed(name)

    monkeypatch.setattr(importlib.metadata, "version", upgraded)
    again = build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    assert (again.mapped, again.validated) == (12, 12)
    assert build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache").mapped == 0


def test_an_unchanged_rebuild_writes_neither_the_description_nor_the_cache_index(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    (index,) = (tmp_path / "cache").rglob("index.pickle")
    written = index.stat().st_mtime_ns

    def refuse(*_: object) -> None:
        raise AssertionError("void.ttl was described again")

    with monkeypatch.context() as patched:
        patched.setattr("dipkg.build.pipeline.description_file", refuse)
        again = build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    assert again.files == [f._replace(changed=False) for f in first.files]
    assert index.stat().st_mtime_ns == written
    # Edited by hand, void.ttl is no longer as the cache wrote it: it is described and written again.
    description = tmp_path / "kg" / "void.ttl"
    original = description.read_bytes()
    description.write_bytes(original + b"# edited\n")
    again = build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    assert [f.path for f in again.files if f.changed] == ["void.ttl"]
    assert description.read_bytes() == original


def cache_files(cache: Path) -> tuple[Path, Path]:
    """The cache index and its journal."""
    (index,) = cache.rglob("index.pickle")
    return index, index.with_name("index-journal.pickle")


def test_a_rebuild_after_one_change_journals_it_and_leaves_the_index_alone(
    seeds: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    build(seeds, tmp_path / "kg", cache_root=cache)
    index, journal = cache_files(cache)
    written = index.read_bytes()
    assert not journal.exists()
    for article in article_dirs(seeds)[3:5]:
        revise_a_label(article)
        assert build(seeds, tmp_path / "kg", cache_root=cache).mapped == 1
        assert index.read_bytes() == written and journal.is_file()
    shutil.rmtree(article_dirs(seeds)[7])
    assert build(seeds, tmp_path / "kg", cache_root=cache).articles == 11
    # The next build reads the index with its journal: every record is current.
    again = build(seeds, tmp_path / "kg", cache_root=cache)
    assert (again.mapped, again.validated) == (0, 0)
    assert not any(f.changed for f in again.files)
    assert_as_a_clean_build(seeds, tmp_path)


def test_the_index_is_saved_whole_once_its_journal_grows(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    build(seeds, tmp_path / "kg", cache_root=cache)
    index, journal = cache_files(cache)
    written = index.read_bytes()
    monkeypatch.setattr("dipkg.build.cache.JOURNAL_ENTRIES", 0)
    revise_a_label(article_dirs(seeds)[2])
    assert build(seeds, tmp_path / "kg", cache_root=cache).mapped == 1
    assert index.read_bytes() != written and not journal.exists()
    assert build(seeds, tmp_path / "kg", cache_root=cache).mapped == 0


def test_a_journal_of_an_older_index_is_ignored(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    article = article_dirs(seeds)[6]
    build(seeds, tmp_path / "kg", cache_root=cache)
    revise_a_label(article)
    build(seeds, tmp_path / "kg", cache_root=cache)
    _, journal = cache_files(cache)
    older = journal.read_bytes()
    # Revised again and saved whole: the journal that records the first revision no longer applies.
    revise_a_label(article)
    with monkeypatch.context() as patched:
        patched.setattr("dipkg.build.cache.JOURNAL_ENTRIES", 0)
        build(seeds, tmp_path / "kg", cache_root=cache)
    assert not journal.exists()
    journal.write_bytes(older)
    again = build(seeds, tmp_path / "kg", cache_root=cache)
    assert (again.mapped, again.validated) == (0, 0)
    assert_as_a_clean_build(seeds, tmp_path)


@pytest.mark.parametrize(
    "damaged",
    [b"not a pickle", pickle.dumps((FORMAT_VERSION, ())), pickle.dumps((FORMAT_VERSION, ("x", 1, 2)))],
    ids=["not a pickle", "an empty tuple", "three items"],
)
def test_a_damaged_journal_is_ignored(seeds: Path, tmp_path: Path, damaged: bytes) -> None:
    cache = tmp_path / "cache"
    build(seeds, tmp_path / "kg", cache_root=cache)
    revise_a_label(article_dirs(seeds)[1])
    build(seeds, tmp_path / "kg", cache_root=cache)
    _, journal = cache_files(cache)
    journal.write_bytes(damaged)
    # The index as last saved whole: the revised article is mapped again.
    again = build(seeds, tmp_path / "kg", cache_root=cache)
    assert (again.mapped, again.validated) == (1, 1)
    assert_as_a_clean_build(seeds, tmp_path)


def test_a_change_in_who_holds_a_post_revalidates_every_article_naming_the_holder(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    build(seeds, tmp_path / "kg", cache_root=cache)
    texts = {d: (d / ARTICLE_ANNOTATION_FILE).read_text(encoding="utf-8") for d in article_dirs(seeds)}
    edited = next(d for d, text in texts.items() if "\nholdings:\n" in text)
    holders = re.findall(r"^  holder: (\S+)$", texts[edited], re.MULTILINE)
    naming = [
        d for d, text in texts.items() if d != edited and any(re.search(rf"\b{h}\b", text) for h in holders)
    ]
    assert holders and naming
    lines = texts[edited].splitlines(keepends=True)
    start = lines.index("holdings:\n")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(("- ", "  ")))
    (edited / ARTICLE_ANNOTATION_FILE).write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    validated: list[str] = []

    def counted(record: ArticleRecord) -> list[ValidationResult]:
        validated.append(record.article_id)
        return validate_article(record)

    def rebuilt() -> list[ValidationResult]:
        with monkeypatch.context() as patched, pytest.raises(NotConforming) as caught:
            patched.setattr("dipkg.build.pipeline.validate_article", counted)
            build(seeds, tmp_path / "kg", cache_root=cache, jobs=1)
        assert (
            caught.value.report.results == validate_corpus(seed_project(tmp_path / "scratch", seeds)).results
        )
        return caught.value.report.results

    # Without the holdings, some summoned people hold no post: the articles naming them break.
    assert any(r.severity == "Violation" for r in rebuilt())
    assert len(validated) == 1 + len(naming)
    # A label changed: the edges are as they were, and only that article is validated again.
    validated.clear()
    revise_a_label(naming[0])
    rebuilt()
    assert validated == [naming[0].name]


def test_an_article_whose_cached_output_was_deleted_is_mapped_again(seeds: Path, tmp_path: Path) -> None:
    build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    payloads = sorted((tmp_path / "cache").rglob("articles/*.pickle"))
    assert len(payloads) == 12
    payloads[4].unlink()
    again = build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    assert (again.mapped, again.validated) == (1, 1)
    assert_as_a_clean_build(seeds, tmp_path)


def test_changed_shapes_revalidate_every_article_without_mapping_it_again(
    seeds: Path, tmp_path: Path
) -> None:
    shapes = Path(shutil.copytree(SEED.shapes_dirs[0], tmp_path / "shapes"))
    build(seeds, tmp_path / "kg", shapes_dir=shapes, cache_root=tmp_path / "cache")
    with (shapes / "dipkg-shapes.ttl").open("a", encoding="utf-8") as stream:
        stream.write("\n# revised\n")
    again = build(seeds, tmp_path / "kg", shapes_dir=shapes, cache_root=tmp_path / "cache")
    assert (again.mapped, again.validated) == (0, 12)


def test_a_shape_changed_in_meaning_is_applied_by_the_next_build(seeds: Path, tmp_path: Path) -> None:
    shapes = Path(shutil.copytree(SEED.shapes_dirs[0], tmp_path / "shapes"))
    build(seeds, tmp_path / "kg", shapes_dir=shapes, cache_root=tmp_path / "cache")
    with (shapes / "dipkg-shapes.ttl").open("a", encoding="utf-8") as stream:
        stream.write(
            f"\n<urn:test:unlabelled-countries> a <{SH}NodeShape> ; <{SH}targetClass> <{DIP}Country> ;\n"
            f"    <{SH}property> [ <{SH}path> <{RDFS}label> ; <{SH}maxCount> 0 ] .\n"
        )
    with pytest.raises(NotConforming) as caught:
        build(seeds, tmp_path / "kg", shapes_dir=shapes, cache_root=tmp_path / "cache")
    violations = [r for r in caught.value.report.results if r.severity == "Violation"]
    assert violations
    assert all(
        r.component == SH.MaxCountConstraintComponent and r.path == RDFS.label.n3() for r in violations
    )


def test_changed_entities_map_every_article_again(seeds: Path, tmp_path: Path) -> None:
    build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    entity_file = sorted((seeds / ENTITIES_SUBDIR).glob("*.yaml"))[0]
    with entity_file.open("a", encoding="utf-8") as stream:
        stream.write("\n# revised\n")
    again = build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    assert (again.mapped, again.validated) == (12, 12)


def test_a_published_file_edited_by_hand_is_written_again(seeds: Path, tmp_path: Path) -> None:
    build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    published = tmp_path / "kg" / "articles" / f"{article_dirs(seeds)[0].name}.ttl"
    original = published.read_bytes()
    published.write_bytes(original + b"# edited\n")
    again = build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    assert published.read_bytes() == original
    assert [f.path for f in again.files if f.changed] == [f"articles/{published.name}"]


def test_a_deleted_article_is_unpublished(seeds: Path, tmp_path: Path) -> None:
    build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    gone = article_dirs(seeds)[3]
    shutil.rmtree(gone)
    again = build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    assert again.removed == [f"articles/{gone.name}.ttl"]
    assert (again.articles, again.mapped) == (11, 0)
    assert_as_a_clean_build(seeds, tmp_path)


def test_a_corrupt_cache_is_rebuilt(seeds: Path, tmp_path: Path) -> None:
    build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    for index in (tmp_path / "cache").rglob("*.pickle"):
        index.write_bytes(b"not a pickle")
    again = build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    assert (again.mapped, again.validated) == (12, 12)
    assert_as_a_clean_build(seeds, tmp_path)


def test_violations_introduced_by_an_edit_are_found_as_by_a_clean_validation(
    seeds: Path, with_violations: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    before = files_of(tmp_path / "kg")
    edited = [
        d.name for d in article_dirs(with_violations) if files_of(d) != files_of(seeds / "articles" / d.name)
    ]
    assert len(edited) == 2
    for name in edited:
        shutil.rmtree(seeds / "articles" / name)
        shutil.copytree(with_violations / "articles" / name, seeds / "articles" / name)
    with pytest.raises(NotConforming) as caught:
        build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    assert caught.value.report.results == validate_corpus(seed_project(tmp_path / "scratch", seeds)).results
    assert caught.value.report.count("Violation") == 2
    assert files_of(tmp_path / "kg") == before

    def refuse(*_: object) -> None:
        raise AssertionError("a cached partition was validated again")

    monkeypatch.setattr("dipkg.build.pipeline.validate_article", refuse)
    with pytest.raises(NotConforming) as again:
        build(seeds, tmp_path / "kg", cache_root=tmp_path / "cache")
    assert again.value.report.results == caught.value.report.results
