"""The wheel as a user gets it: built from the checkout, installed, and run outside the checkout.

Nothing is downloaded: the wheel is built with the test environment's setuptools
(`pip wheel --no-build-isolation --no-index`) and installed with `pip install --no-deps --target`;
its dependencies are the test environment's own. `python -m dipkg` then runs with the installed
wheel first on the path, in an empty folder, with no DIPKG_CACHE_DIR and HOME and XDG_CACHE_HOME
pointing into the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.projects import SEED_TRIPLES

REPOSITORY = Path(__file__).resolve().parent.parent
SOURCE = REPOSITORY / "src" / "dipkg"
# The fixed seed project: its figures never change when articles are added to seeds/.
SEED_SEEDS = REPOSITORY / "tests" / "data" / "seed-project" / "seeds"
SUMMONS_HEADER = "date,onOrBefore,when,summoner,diplomat,post,place,summons"
PIP = [sys.executable, "-m", "pip"]
OFFLINE = ["--no-deps", "--no-index", "-q"]  # nothing is downloaded
NTRIPLES_LINE = re.compile(r'^(<[^>]+>|_:\S+) <[^>]+> (<[^>]+>|_:\S+|".*"(@[A-Za-z0-9-]+|\^\^<[^>]+>)?) \.$')


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600)


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` (bytecode caches aside) with its size and modification time."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built offline from a copy of the checkout's sources (the checkout gets no build/)."""
    tree = tmp_path_factory.mktemp("source") / "dipkg"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPOSITORY / name, tree / name)
    shutil.copytree(
        REPOSITORY / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    dist = tmp_path_factory.mktemp("dist")
    built = _run([*PIP, "wheel", *OFFLINE, "--no-build-isolation", "-w", str(dist), str(tree)], cwd=dist)
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = dist.glob("dipkg-*.whl")
    return found


def test_the_wheel_holds_the_package_and_its_data_and_nothing_else(wheel: Path) -> None:
    from dipkg import __version__

    assert wheel.name == f"dipkg-{__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    expected_data = {
        "dipkg/" + p.relative_to(SOURCE).as_posix()
        for pattern in ("data/*.yaml", "data/**/*.ttl", "data/**/*.rq", "data/**/*.md", "seeds/schema/*.json")
        for p in SOURCE.glob(pattern)
    }
    assert len([n for n in expected_data if n.endswith(".rq")]) == 21
    assert "dipkg/data/domain.yaml" in expected_data and expected_data <= names
    assert "dipkg/py.typed" in names
    modules = {"dipkg/" + p.relative_to(SOURCE).as_posix() for p in SOURCE.rglob("*.py")}
    assert modules <= names
    info = f"dipkg-{__version__}.dist-info"
    assert f"{info}/licenses/LICENSE" in names
    assert all(n.startswith(("dipkg/", f"{info}/")) for n in names), sorted(names)
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    assert f"\nVersion: {__version__}\n" in metadata
    assert "\nLicense-Expression: MIT\n" in metadata
    assert re.search(r"^Requires-Dist: owlrl", metadata, re.MULTILINE)


def test_the_installed_wheel_runs_a_project_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    installed = _run([*PIP, "install", *OFFLINE, "--target", str(site), str(wheel)], cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    env = {k: v for k, v in os.environ.items() if k not in ("DIPKG_CACHE_DIR", "PYTHONPATH")}
    env.update(
        PYTHONPATH=str(site),
        HOME=str(tmp_path / "home"),
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    work = tmp_path / "work"
    work.mkdir()

    def dipkg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return _run([sys.executable, "-m", "dipkg", *args], cwd=cwd, env=env)

    where = _run([sys.executable, "-c", "import dipkg; print(dipkg.__file__)"], cwd=work, env=env)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout
    before = _files(site)

    from dipkg import __version__

    done = dipkg("--version", cwd=work)
    assert done.returncode == 0, done.stderr
    assert __version__ in done.stdout

    done = dipkg("init", "proj", cwd=work)
    assert done.returncode == 0, done.stderr
    project = work / "proj"
    assert (project / "dipkg.toml").is_file()
    assert (project / "seeds" / "articles").is_dir()
    assert (project / "seeds" / "entities").is_dir()
    for article in (SEED_SEEDS / "articles").iterdir():
        shutil.copytree(article, project / "seeds" / "articles" / article.name)
    for entities in (SEED_SEEDS / "entities").iterdir():
        shutil.copy2(entities, project / "seeds" / "entities" / entities.name)

    done = dipkg("build", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{SEED_TRIPLES} triples" in done.stdout
    assert sorted(p.relative_to(project / "kg").as_posix() for p in (project / "kg").rglob("*.ttl")) == [
        f"articles/{a.name}.ttl" for a in sorted((SEED_SEEDS / "articles").iterdir())
    ] + ["entities.ttl", "ontology.ttl", "void.ttl"]

    done = dipkg("validate", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conforms" in done.stderr

    done = dipkg("queries", cwd=project)
    assert done.returncode == 0, done.stderr
    listed = [line.split()[0] for line in done.stdout.splitlines()[1:] if line.strip()]
    assert listed == sorted(p.stem for p in (SOURCE / "data" / "queries").glob("*.rq"))
    assert len(listed) == 21

    done = dipkg("query", "summons-timeline", "--format", "csv", cwd=project)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == SUMMONS_HEADER
    assert len(lines) == 4
    assert [row.split(",")[:3] for row in lines[1:]] == [
        ["2021-03-22", "", "on Monday"],
        ["2021-03-23", "", "on Tuesday"],
        ["", "2021-03-23", "it had summoned"],
    ]

    done = dipkg("export", "--format", "nt", "-o", "x.nt", cwd=project)
    assert done.returncode == 0, done.stderr
    triples = (project / "x.nt").read_text(encoding="utf-8").splitlines()
    assert len(triples) == SEED_TRIPLES
    assert all(NTRIPLES_LINE.match(line) for line in triples), next(
        line for line in triples if not NTRIPLES_LINE.match(line)
    )

    # The cache is the project's; nothing went into the interpreter's folders or the user's cache.
    assert (project / ".dipkg-cache" / "build").is_dir()
    assert (project / ".dipkg-cache" / "store").is_dir()
    assert not (tmp_path / "xdg-cache").exists()
    assert not (tmp_path / "home").exists()
    assert _files(site) == before
    assert sorted(p.name for p in work.iterdir()) == ["proj"]
