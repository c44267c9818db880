"""A build killed at any step of publishing: readers see the old dataset or the new one, whole.

The kill is simulated in a forked build that exits at the Nth file operation (write sync,
rename, unlink, rmdir), for every N until a build gets through; readers are then run in
process for every step and through the CLI for the states a kill leaves mid-commit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.projects import SEED_DIR

BASE_IRI = "https://w3id.org/dipkg/"
ORIGINAL = "000_65e413c471938464"
KILLED = 137
HEADLINE_QUERY = """#+ summary: "Headlines"
SELECT ?article ?headline WHERE { ?article <https://schema.org/headline> ?headline }
ORDER BY ?article ?headline
"""


def make_project(root: Path, extra: list[str]) -> Path:
    """A project with the fixed seed article and clones of it under the ids `extra`."""
    root.mkdir(parents=True)
    shutil.copytree(SEED_DIR / "seeds", root / "seeds")
    (root / "dipkg.toml").write_text(f'base_iri = "{BASE_IRI}"\n', encoding="utf-8")
    (root / "headlines.rq").write_text(HEADLINE_QUERY, encoding="utf-8")
    for article_id in extra:
        add_article(root, article_id)
    return root


def add_article(root: Path, article_id: str) -> None:
    folder = root / "seeds" / "articles" / article_id
    shutil.copytree(root / "seeds" / "articles" / ORIGINAL, folder)
    for name in ("meta.yaml", "annotation.yaml"):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace(ORIGINAL, article_id), encoding="utf-8")


def change_seeds(root: Path) -> None:
    """The next version of the seeds: an entity relabelled, a headline changed, one article gone, one new."""
    entities = root / "seeds" / "entities" / "diplomacy.yaml"
    text = entities.read_text(encoding="utf-8")
    entities.write_text(text.replace("label: human rights in Xinjiang\n", "label: Xinjiang rights\n"))
    meta = root / "seeds" / "articles" / "001_65e413c471938461" / "meta.yaml"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text.replace("headline: Antony Blinken says", "headline: Blinken says"), encoding="utf-8")
    shutil.rmtree(root / "seeds" / "articles" / "002_65e413c471938462")
    add_article(root, "003_65e413c471938463")


def dipkg(root: Path, cache: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "DIPKG_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "dipkg", *args],
        cwd=root,
        env=environment,
        capture_output=True,
        timeout=60,
        check=False,
    )


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def killed_build(root: Path, cache: Path, step: int) -> int:
    """Build in a forked process that dies at its `step`th file operation; its exit code."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.environ["DIPKG_CACHE_DIR"] = str(cache)
            from dipkg.build.pipeline import build
            from dipkg.project import Project

            calls = [0]

            def dying(real: Callable[..., Any]) -> Callable[..., Any]:
                def operation(*args: Any, **kwargs: Any) -> Any:
                    calls[0] += 1
                    if calls[0] == step:
                        os._exit(KILLED)
                    return real(*args, **kwargs)

                return operation

            for name in ("fsync", "replace", "rename", "unlink", "rmdir"):
                setattr(os, name, dying(getattr(os, name)))
            build(Project.at(root), jobs=1)
            code = 0
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def read_both_ways(root: Path, cache: Path) -> tuple[bytes, bytes]:
    """The dataset as N-Quads (files read directly) and as N-Triples (through the query store)."""
    from dipkg.query.export import export_bytes

    kg_dir = root / "kg"
    return export_bytes(kg_dir, cache / "store", "nq", {}), export_bytes(kg_dir, cache / "store", "nt", {})


def in_process_build(root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dipkg.build.pipeline import build
    from dipkg.project import Project

    monkeypatch.setenv("DIPKG_CACHE_DIR", str(cache))
    build(Project.at(root), jobs=1)


def test_a_kill_at_any_step_of_publishing_leaves_the_old_or_the_new_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, cache = tmp_path / "work", tmp_path / "work-cache"
    make_project(root, ["001_65e413c471938461", "002_65e413c471938462"])
    built = dipkg(root, cache, "build")
    assert built.returncode == 0, built.stderr
    old_kg = files_of(root / "kg")
    old_read = read_both_ways(root, cache)
    old_query = dipkg(root, cache, "query", "headlines.rq", "--format", "csv").stdout
    shutil.copytree(root / "kg", tmp_path / "old-kg")

    # The cache knows the new seeds (mapped and validated); kg/ holds the old publication.
    change_seeds(root)
    clean = dipkg(root, cache, "build")
    assert clean.returncode == 0, clean.stderr
    new_kg = files_of(root / "kg")
    new_read = read_both_ways(root, cache)
    new_nq = dipkg(root, cache, "export", "--format", "nq").stdout
    new_query = dipkg(root, cache, "query", "headlines.rq", "--format", "csv").stdout
    assert old_read != new_read and old_query != new_query and old_kg != new_kg
    shutil.rmtree(root / "kg")
    shutil.copytree(tmp_path / "old-kg", root / "kg")
    primed_root, primed_cache = tmp_path / "primed", tmp_path / "primed-cache"
    shutil.copytree(root, primed_root)
    shutil.copytree(cache, primed_cache)

    seen = {"old": 0, "new": 0}
    mid_commit_checked = False
    step = 0
    while True:
        step += 1
        assert step < 100, "the build never got through"
        shutil.rmtree(root)
        shutil.rmtree(cache)
        shutil.copytree(primed_root, root)
        shutil.copytree(primed_cache, cache)
        code = killed_build(root, cache, step)
        read = read_both_ways(root, cache)
        assert read in (old_read, new_read), f"a kill at step {step} left a mixed dataset"
        seen["old" if read == old_read else "new"] += 1
        if code == 0:
            break
        assert code == KILLED
        if (root / "kg" / ".dipkg-publish" / "commit.json").exists() and not mid_commit_checked:
            mid_commit_checked = True
            exported = dipkg(root, cache, "export", "--format", "nq")
            assert exported.returncode == 0 and exported.stdout == new_nq, exported.stderr
            queried = dipkg(root, cache, "query", "headlines.rq", "--format", "csv")
            assert queried.returncode == 0 and queried.stdout == new_query, queried.stderr
            rebuilt = dipkg(root, cache, "build")
            assert rebuilt.returncode == 0 and b"Traceback" not in rebuilt.stderr, rebuilt.stderr
        else:
            in_process_build(root, cache, monkeypatch)
        assert files_of(root / "kg") == new_kg, f"the build after a kill at step {step} did not converge"
    assert mid_commit_checked
    assert seen["old"] > 0 and seen["new"] > 0
    assert files_of(root / "kg") == new_kg


def test_readers_refuse_a_file_changed_after_the_build(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", [])
    cache = tmp_path / "cache"
    assert dipkg(root, cache, "build").returncode == 0
    article = root / "kg" / "articles" / f"{ORIGINAL}.ttl"
    article.write_bytes(article.read_bytes().replace(b"Antony Blinken says", b"Someone says"))
    exported = dipkg(root, cache, "export", "--format", "nq")
    assert exported.returncode == 3
    stderr = exported.stderr.decode()
    assert stderr.count("\n") == 1 and stderr.startswith("dipkg: error: ")
    assert "SHA-256" in stderr and "Traceback" not in stderr


def test_files_dipkg_did_not_publish_are_refused_and_never_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path / "p", ["001_65e413c471938461"])
    cache = tmp_path / "cache"
    assert dipkg(root, cache, "build").returncode == 0
    for foreign in ("articles/thesis-notes.ttl", "notes.txt"):
        (root / "kg" / foreign).write_text("my notes\n", encoding="utf-8")
    shutil.rmtree(root / "seeds" / "articles" / "001_65e413c471938461")
    before = files_of(root / "kg")
    refused = dipkg(root, cache, "build")
    assert refused.returncode == 4
    stderr = refused.stderr.decode()
    assert stderr.startswith("dipkg: error: ") and stderr.count("\n") == 1 and "Traceback" not in stderr
    assert "holds 2 file(s) that dipkg did not publish, such as articles/thesis-notes.ttl" in stderr
    assert files_of(root / "kg") == before

    from dipkg.build.pipeline import build
    from dipkg.project import Project

    monkeypatch.setenv("DIPKG_CACHE_DIR", str(cache))
    report = build(Project.at(root), jobs=1, force=True)
    assert report.removed == ["articles/001_65e413c471938461.ttl"]
    assert (root / "kg" / "articles" / "thesis-notes.ttl").read_text(encoding="utf-8") == "my notes\n"
    assert (root / "kg" / "notes.txt").is_file()


def test_a_folder_without_a_description_must_be_empty(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", [])
    cache = tmp_path / "cache"
    (root / "kg").mkdir()
    (root / "kg" / ".gitkeep").write_text("", encoding="utf-8")
    assert dipkg(root, cache, "build").returncode == 0
    other = tmp_path / "thesis"
    other.mkdir()
    (other / "chapter1.ttl").write_text("# mine\n", encoding="utf-8")
    refused = dipkg(root, cache, "build", "--out", str(other))
    assert refused.returncode == 4, refused.stderr
    assert "chapter1.ttl" in refused.stderr.decode()
    assert sorted(p.name for p in other.iterdir()) == ["chapter1.ttl"]
