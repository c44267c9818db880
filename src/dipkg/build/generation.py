"""Publishing kg/ as a whole: new files are staged beside the published ones and committed at once.

A build takes an exclusive lock on the output folder, finishes or clears what an interrupted
build left, and refuses a folder holding files it did not publish (unless forced). It then
writes every file whose bytes changed into kg/.dipkg-publish/GENERATION/ (same relative paths),
commits by renaming kg/.dipkg-publish/commit.json into place, moves the staged files over the
published ones (void.ttl last) and deletes the files its previous void.ttl listed that the new
one does not. Readers (`dipkg.dataset.snapshot`) read a committed generation's staged files
while they are being moved in and check each file against the SHA-256 void.ttl gives it, so
they see the old publication or the new one, whole. A build killed before the commit left
kg/ as it was; after it, the next build finishes moving the files in.

Only changed files are written and moved: after one article changed, its file and void.ttl.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from dipkg.build.publish import current_umask
from dipkg.dataset import VOID, committed_generation
from dipkg.errors import DipkgError, InputError, PublishError
from dipkg.layout import KG_COMMIT_FILE, KG_DESCRIPTION_FILE, KG_STAGING_DIR
from dipkg.rdfio import parse_quads

FORCE_HINT = "build into an empty or new folder, or use --force"


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder; fail if another build has it.

    A missing folder is created, and removed again if the build fails before writing into it.
    """
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise PublishError(f"cannot use the output folder ({exc.strerror})", out_dir) from exc
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(
                "another `dipkg build` is publishing into this folder; try again when it has finished",
                out_dir,
            ) from None
        yield
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                out_dir.rmdir()
        raise
    finally:
        os.close(handle)


def finish_interrupted(out_dir: Path) -> None:
    """Move in the files of a build killed after its commit; delete those of one killed before it."""
    staging = out_dir / KG_STAGING_DIR
    if not staging.exists():
        return
    try:
        folder = committed_generation(out_dir)
        if folder is not None:
            commit = json.loads((staging / KG_COMMIT_FILE).read_bytes())
            moves, removed = commit.get("files"), commit.get("remove")
            if not (_relative_paths(moves) and _relative_paths(removed)):
                raise PublishError("cannot read the commit of an interrupted build", staging)
            _move_in(out_dir, folder, moves, removed)
        shutil.rmtree(staging)
    except InputError as exc:
        raise PublishError(exc.message, exc.path) from exc
    except (OSError, ValueError) as exc:
        raise PublishError(f"cannot finish an interrupted build ({exc})", staging) from exc


def _relative_paths(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, str) and item and not item.startswith("/") and ".." not in item.split("/")
        for item in value
    )


def owned_files(out_dir: Path, force: bool, as_written: set[str] | None = None) -> set[str]:
    """The files (relative to `out_dir`) its void.ttl lists: those dipkg published and may replace.

    `as_written` is that list as the build that wrote void.ttl recorded it, if void.ttl is
    unchanged since; it spares reading void.ttl. Any other file (hidden ones aside: .git,
    .gitkeep, .htaccess...) means the folder is not only dipkg's: that is refused unless
    `force`, and such files are never touched.
    """
    description = out_dir / KG_DESCRIPTION_FILE
    owned: set[str] = set()
    if as_written is not None:
        owned = as_written
    elif description.is_file():
        try:
            owned = _listed(description)
        except DipkgError as exc:
            if not force:
                raise PublishError(
                    f"not a dataset description dipkg can read ({exc.message}); {FORCE_HINT}", description
                ) from exc
    foreign = sorted(_visible_files(out_dir) - owned)
    if foreign and not force:
        raise PublishError(
            f"holds {len(foreign)} file(s) that dipkg did not publish, such as {foreign[0]}; {FORCE_HINT}",
            out_dir,
        )
    return owned


def publish(
    out_dir: Path,
    files: Mapping[str, bytes | Callable[[], bytes]],
    describe: Callable[[dict[str, str]], bytes],
    keep: set[str],
    owned: set[str],
) -> tuple[dict[str, bool], list[str]]:
    """Publish `files` and the description `describe` makes, then delete `owned` files not in `keep`.

    `describe` is given the SHA-256 of every file in `files`. Returns which files changed and
    which were removed. Must run under `locked`, after `finish_interrupted`.
    """
    generation = secrets.token_hex(16)
    staging = out_dir / KG_STAGING_DIR
    folder = staging / generation
    mode = 0o666 & ~current_umask()
    changed: dict[str, bool] = {}
    try:
        checksums: dict[str, str] = {}
        for relative, content in files.items():
            data = content() if callable(content) else content
            checksums[relative] = hashlib.sha256(data).hexdigest()
            changed[relative] = _stage(out_dir, folder, relative, data, mode)
        changed[KG_DESCRIPTION_FILE] = _stage(out_dir, folder, KG_DESCRIPTION_FILE, describe(checksums), mode)
        moves = [r for r in (*files, KG_DESCRIPTION_FILE) if changed[r]]
        removed = sorted(owned - keep - {KG_DESCRIPTION_FILE})
        if not (moves or removed):
            shutil.rmtree(staging, ignore_errors=True)
            return changed, removed
        _commit(staging, {"generation": generation, "files": moves, "remove": removed}, mode)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishError(f"cannot write output ({exc.strerror})", exc.filename or out_dir) from exc
    try:
        _move_in(out_dir, folder, moves, removed)
        shutil.rmtree(staging)
    except OSError as exc:
        raise PublishError(
            f"cannot move the new files in ({exc.strerror}); the next build finishes it", out_dir
        ) from exc
    return changed, removed


def _stage(out_dir: Path, folder: Path, relative: str, data: bytes, mode: int) -> bool:
    """Write `data` under the staging folder unless the published file already holds it."""
    target = out_dir / relative
    if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
        return False
    staged = folder / relative
    staged.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    return True


def _commit(staging: Path, commit: dict[str, object], mode: int) -> None:
    """Write the commit file by a rename: the moment the new generation becomes the published one."""
    temporary = staging / f".{KG_COMMIT_FILE}.tmp"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(handle, "wb") as stream:
        stream.write(json.dumps(commit).encode("utf-8"))
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, staging / KG_COMMIT_FILE)
    directory = os.open(staging, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _move_in(out_dir: Path, folder: Path, moves: list[str], removed: list[str]) -> None:
    """Move staged files over the published ones and delete the removed ones (safe to repeat)."""
    for relative in moves:
        staged = folder / relative
        if staged.is_file():
            (out_dir / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, out_dir / relative)
    for relative in removed:
        (out_dir / relative).unlink(missing_ok=True)
    (folder.parent / KG_COMMIT_FILE).unlink(missing_ok=True)


def _listed(description: Path) -> set[str]:
    """The files a void.ttl lists as data dumps under its `void:uriSpace` + kg/, and itself."""
    quads = parse_quads(description.read_bytes(), "turtle", str(description))
    terms = {(q.predicate.value, q.object) for q in quads}
    spaces = {o.value for p, o in terms if p == f"{VOID}uriSpace" and isinstance(o, ox.Literal)}
    dumps = {o.value for p, o in terms if p == f"{VOID}dataDump" and isinstance(o, ox.NamedNode)}
    listed = {KG_DESCRIPTION_FILE}
    for space in spaces:
        prefix = space + "kg/"
        for dump in dumps:
            relative = dump[len(prefix) :]
            if dump.startswith(prefix) and not relative.startswith("/") and ".." not in relative.split("/"):
                listed.add(relative)
    return listed


def _visible_files(out_dir: Path) -> set[str]:
    """Every file under `out_dir` but hidden ones and those in hidden folders."""
    found: set[str] = set()
    for folder, subfolders, names in os.walk(out_dir):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        base = Path(folder).relative_to(out_dir).as_posix()
        prefix = "" if base == "." else base + "/"
        found.update(prefix + name for name in names if not name.startswith("."))
    return found
