"""The projects the tests run on: a fixed copy of the seed project, and this repository itself."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from dipkg.build.pipeline import BuildReport
from dipkg.build.pipeline import build as build_project
from dipkg.iris import DEFAULT_BASE_IRI
from dipkg.layout import KG_DESCRIPTION_FILE
from dipkg.project import Project

TESTS_DIR = Path(__file__).parent
DATA_DIR = TESTS_DIR / "data"
REPOSITORY = Project.at(TESTS_DIR.parent)
# The seed article as it was when the tests' exact figures were taken; `seeds/` may grow, this does not.
SEED_DIR = DATA_DIR / "seed-project"
SEED = Project.at(SEED_DIR)


def seed_project(
    kg: Path,
    seeds: Path | None = None,
    cache: Path | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
    shapes_dir: Path | None = None,
) -> Project:
    """The seed project, publishing into `kg` (never into tests/data), with optional changes."""
    project = SEED.replace(kg=kg, seeds=seeds or SEED.seeds, base_iri=base_iri)
    if cache is not None:
        project = project.replace(cache_dir=cache)
    if shapes_dir is not None:
        project = project.replace(shapes_dirs=(shapes_dir,))
    return project


def build(
    seeds: Path,
    out: Path,
    base_iri: str = DEFAULT_BASE_IRI,
    validate: bool = True,
    jobs: int | None = None,
    cache_root: Path | None = None,
    shapes_dir: Path | None = None,
) -> BuildReport:
    """Build a seeds folder into `out` with the shipped vocabulary and shapes."""
    project = seed_project(out, seeds, cache_root, base_iri, shapes_dir)
    return build_project(project, validate=validate, jobs=jobs)


def copy_seed_project(target: Path) -> Path:
    """A writable copy of the seed project (dipkg.toml and seeds/) at `target`."""
    shutil.copytree(SEED_DIR, target)
    return target


def rewrite_published(path: Path, text: str) -> None:
    """Change a published kg file by hand, and the SHA-256 its kg/void.ttl gives it to match."""
    description = path.parent / KG_DESCRIPTION_FILE
    if not description.is_file():
        description = path.parent.parent / KG_DESCRIPTION_FILE
    old = hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_text(text, encoding="utf-8")
    new = hashlib.sha256(path.read_bytes()).hexdigest()
    listed = description.read_text(encoding="utf-8")
    assert listed.count(old) == 1, f"{KG_DESCRIPTION_FILE} gives no SHA-256 for {path.name}"
    description.write_text(listed.replace(old, new), encoding="utf-8")


# Triples the seed project publishes in each file, and in all: its article, the shared entities
# and the ontology with its code lists.
SEED_ARTICLE_TRIPLES = 1200
SEED_ENTITY_TRIPLES = 199
SEED_ONTOLOGY_TRIPLES = 1345
SEED_TRIPLES = SEED_ARTICLE_TRIPLES + SEED_ENTITY_TRIPLES + SEED_ONTOLOGY_TRIPLES


def clone_repository(clone: Path) -> Path:
    """A copy of the repository's tracked files (symlinks kept), to change and build in a test."""
    assert REPOSITORY.root is not None
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPOSITORY.root, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPOSITORY.root / name
        target = clone / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, target)
    return clone
