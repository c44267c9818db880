"""Two builds into one output folder: the second says in one line that the first is running."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.projects import SEED_DIR

ORIGINAL = "000_65e413c471938464"


def make_project(root: Path, clones: int) -> Path:
    root.mkdir(parents=True)
    shutil.copytree(SEED_DIR / "seeds", root / "seeds")
    (root / "dipkg.toml").write_text('base_iri = "https://w3id.org/dipkg/"\n', encoding="utf-8")
    for number in range(1, clones + 1):
        article_id = f"{number:03d}_65e413c47193846{number}"
        folder = root / "seeds" / "articles" / article_id
        shutil.copytree(root / "seeds" / "articles" / ORIGINAL, folder)
        for name in ("meta.yaml", "annotation.yaml"):
            path = folder / name
            path.write_text(path.read_text(encoding="utf-8").replace(ORIGINAL, article_id), encoding="utf-8")
    return root


def locked_by_another(folder: Path) -> bool:
    """True while some process holds the build lock on `folder`."""
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)
    return False


def test_a_second_build_into_the_same_folder_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", clones=3)
    environment = {**os.environ, "DIPKG_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "dipkg", "build", "--jobs", "1"]
    first = subprocess.Popen(command, cwd=root, env=environment, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not locked_by_another(root / "kg"):
            assert first.poll() is None, "the first build ended without ever holding a lock"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        second = subprocess.run(
            command, cwd=root, env=environment, capture_output=True, timeout=60, check=False
        )
        assert first.poll() is None, "the first build ended before the second was refused"
        stderr = second.stderr.decode()
        assert second.returncode == 4, stderr
        assert stderr == (
            f"dipkg: error: {root / 'kg'}: another `dipkg build` is publishing into this folder; "
            "try again when it has finished\n"
        )
        assert first.wait(timeout=60) == 0
        assert first.stderr is not None and b"Traceback" not in first.stderr.read()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    published = sorted(p.relative_to(root / "kg").as_posix() for p in (root / "kg").rglob("*") if p.is_file())
    articles = [f"articles/{p.name}.ttl" for p in (root / "seeds" / "articles").iterdir()]
    assert published == sorted(["entities.ttl", "ontology.ttl", "void.ttl", *articles])
    again = subprocess.run(command, cwd=root, env=environment, capture_output=True, timeout=60, check=False)
    assert again.returncode == 0, again.stderr
