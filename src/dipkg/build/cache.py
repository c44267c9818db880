"""The build cache: what a build keeps between runs, so that a rebuild redoes only what changed.

Every cached result is keyed by a content hash of everything it was computed from: an article's
mapping by its three files, the entity files, the ontology, the base IRI and dipkg's own code;
its validation results also by the shapes and the `org:heldBy` edges other articles state about
the people it names. File sizes and modification times are recorded only to skip re-reading
files that have not been touched since the last build, as `make` and git do.

One cache folder serves one (seeds folder, output folder) pair, under the cache root.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dipkg.errors import InputError, PublishError
from dipkg.fingerprint import Signature, digest

if TYPE_CHECKING:
    from dipkg.build.describe import ArticleFacts
    from dipkg.validate.results import ValidationResult
    from dipkg.validate.validation import Validator

FORMAT_VERSION = 9


@dataclass
class ArticleRecord:
    """What a build remembers of one article without re-reading it."""

    sources: tuple[Signature, ...]
    key: str
    article_id: str
    graph_iri: str
    triples: int
    classes: dict[str, int]
    referenced: tuple[str, ...]
    held_by: tuple[tuple[str, str], ...]
    references_digest: str
    draft: bool = False
    local_posts: tuple[tuple[str, str], ...] = ()
    edges_digest: str = ""
    validation_key: str = ""
    results: tuple[ValidationResult, ...] = ()
    facts: ArticleFacts | None = None


@dataclass
class Index:
    """Everything a build remembers: per-article records and what it last published.

    `published` maps each file it wrote (relative to kg/) to its signature, content key and SHA-256
    (void.ttl to its signature only); `described` is the key of what void.ttl describes and its
    triple count; `validated_edges` the key of the shapes and `org:heldBy` edges the last
    validation saw, and the digest of each person's edges.
    """

    inputs_key: str = ""
    articles: dict[str, ArticleRecord] = field(default_factory=dict)
    entities: tuple[str, str, int, dict[str, int]] = ("", "", 0, {})
    ontology: tuple[str, str, int, dict[str, int]] = ("", "", 0, {})
    shared_validation: tuple[str, tuple[ValidationResult, ...]] = ("", ())
    validated_edges: tuple[str, dict[str, str]] = ("", {})
    published: dict[str, tuple[Signature, str, str]] = field(default_factory=dict)
    described: tuple[str, int] = ("", 0)


@dataclass
class IndexChanges:
    """What an index holds beyond the last full save of it: the journal kept beside the index.

    Entries of its two large tables (articles, published files) are set or removed one by one;
    every other field of the index is kept whole.
    """

    articles: dict[str, ArticleRecord]
    removed_articles: set[str]
    published: dict[str, tuple[Signature, str, str]]
    removed_published: set[str]
    fields: dict[str, Any]

    def apply_to(self, index: Index) -> None:
        """Bring `index` (as last saved in full) up to date."""
        for name in self.removed_articles:
            index.articles.pop(name, None)
        index.articles.update(self.articles)
        for path in self.removed_published:
            index.published.pop(path, None)
        index.published.update(self.published)
        for name, value in self.fields.items():
            setattr(index, name, value)

    def then(self, later: IndexChanges) -> IndexChanges:
        """These changes followed by `later` ones."""
        articles = {n: r for n, r in self.articles.items() if n not in later.removed_articles}
        published = {p: v for p, v in self.published.items() if p not in later.removed_published}
        return IndexChanges(
            {**articles, **later.articles},
            self.removed_articles | later.removed_articles,
            {**published, **later.published},
            self.removed_published | later.removed_published,
            {**self.fields, **later.fields},
        )

    def size(self) -> int:
        """How many table entries the changes set or remove."""
        return (
            len(self.articles)
            + len(self.removed_articles)
            + len(self.published)
            + len(self.removed_published)
        )


class IndexSnapshot:
    """An index as loaded, to tell what a build changed in it (records are changed in place)."""

    def __init__(self, index: Index) -> None:
        self.articles = {
            name: (record, tuple(vars(record).values())) for name, record in index.articles.items()
        }
        self.published = dict(index.published)
        self.fields = _other_fields(index)

    def take(self, changes: IndexChanges) -> None:
        """Follow the changes that were just saved."""
        for name in changes.removed_articles:
            del self.articles[name]
        for name, record in changes.articles.items():
            self.articles[name] = (record, tuple(vars(record).values()))
        for path in changes.removed_published:
            del self.published[path]
        self.published.update(changes.published)
        self.fields.update(changes.fields)

    def record_keys(self, names: Iterable[str]) -> set[str]:
        """The content keys of the named articles' records as they were."""
        return {self.articles[name][0].key for name in names if name in self.articles}

    def changes(self, index: Index) -> IndexChanges:
        """What `index` sets or removes beyond this snapshot."""
        before_articles, before_published, before_fields = self.articles, self.published, self.fields

        def changed(name: str, record: ArticleRecord) -> bool:
            before = before_articles.get(name)
            return before is None or before[0] is not record or before[1] != tuple(vars(record).values())

        return IndexChanges(
            {name: record for name, record in index.articles.items() if changed(name, record)},
            before_articles.keys() - index.articles.keys(),
            {path: value for path, value in index.published.items() if before_published.get(path) != value},
            before_published.keys() - index.published.keys(),
            {name: value for name, value in _other_fields(index).items() if before_fields[name] != value},
        )


def _other_fields(index: Index) -> dict[str, Any]:
    return {name: value for name, value in vars(index).items() if name not in ("articles", "published")}


def _no_changes() -> IndexChanges:
    return IndexChanges({}, set(), {}, set(), {})


# The index is saved whole again once the journal sets or removes more entries than the larger
# of these: a number, and a share of the index's entries.
JOURNAL_ENTRIES = 64
JOURNAL_SHARE = 1 / 16


class BuildCache:
    """The cache folder of one (seeds folder, output folder) pair.

    The index is saved whole now and then; in between, a build that changed a few articles saves
    what the index holds beyond its last whole save, in a journal tied to that save.
    """

    def __init__(self, root: Path, seeds_dir: Path, out_dir: Path) -> None:
        pair = digest([str(seeds_dir.resolve()), str(out_dir.resolve())])[:16]
        self.folder = root / "build" / pair
        self.payload_dir = self.folder / "articles"
        self.generation = ""
        self.journal = _no_changes()
        self.loaded = IndexSnapshot(Index())

    def load_index(self) -> Index:
        """The last build's index, or an empty one if there is none or it cannot be read."""
        found = self._load("index.pickle")
        generation, index = found if isinstance(found, tuple) and len(found) == 2 else ("", None)
        if not isinstance(index, Index):
            return Index()
        self.generation = generation
        journal = self._load("index-journal.pickle")
        if (
            isinstance(journal, tuple)
            and len(journal) == 2
            and journal[0] == self.generation
            and isinstance(journal[1], IndexChanges)
        ):
            self.journal = journal[1]
            self.journal.apply_to(index)
        self.loaded = IndexSnapshot(index)
        return index

    def save_index(self, index: Index) -> None:
        """Record what the build changed in the index, if anything, and delete unused payloads."""
        changes = self.loaded.changes(index)
        if not (changes.size() or changes.fields):
            return
        journal = self.journal.then(changes)
        entries = len(index.articles) + len(index.published)
        if self.generation and journal.size() <= max(JOURNAL_ENTRIES, JOURNAL_SHARE * entries):
            self._save("index-journal.pickle", (self.generation, journal))
            replaced = self.loaded.record_keys([*changes.articles, *changes.removed_articles])
            self.loaded.take(changes)
            self.journal = journal
            unused = replaced - {record.key for record in index.articles.values()}
        else:
            self.generation, self.journal = os.urandom(8).hex(), _no_changes()
            self._save("index.pickle", (self.generation, index))
            with contextlib.suppress(OSError):
                (self.folder / "index-journal.pickle").unlink(missing_ok=True)
            self.loaded = IndexSnapshot(index)
            unused = self.payload_keys() - {record.key for record in index.articles.values()}
        for key in unused:
            with contextlib.suppress(OSError):
                self.payload_path(key).unlink(missing_ok=True)

    def load_inputs(self, key: str) -> Any:
        """The cached shared inputs (registry, entities) computed for `key`, or None."""
        found = self._load("inputs.pickle")
        if isinstance(found, tuple) and len(found) == 2 and found[0] == key:
            return found[1]
        return None

    def save_inputs(self, key: str, inputs: object) -> None:
        """Cache the shared inputs computed for `key`."""
        self._save("inputs.pickle", (key, inputs))

    def validator(self, key: str, make: Callable[[], Validator]) -> Validator:
        """The validator prepared for the shapes and vocabulary `key` names: cached, or made and kept."""
        found = self._load("validator.pickle")
        if isinstance(found, tuple) and len(found) == 2 and found[0] == key:
            return found[1]  # type: ignore[no-any-return]
        made = make()
        self._save("validator.pickle", (key, made))
        return made

    def payload_keys(self) -> set[str]:
        """The content keys of the articles whose full output is kept (one listing, no stat per file)."""
        try:
            names = os.listdir(self.payload_dir)
        except OSError:
            return set()
        return {name[: -len(".pickle")] for name in names if name.endswith(".pickle")}

    def payload_path(self, key: str) -> Path:
        """Where the full output of the article with content key `key` is kept."""
        return self.payload_dir / f"{key}.pickle"

    def _load(self, name: str) -> Any:
        try:
            with (self.folder / name).open("rb") as stream, _no_garbage_collection():
                version, value = pickle.load(stream)
        except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.PickleError):
            return None
        return value if version == FORMAT_VERSION else None

    def _save(self, name: str, value: object) -> None:
        """Remember `value` if the cache folder can be written; the next build is slower if not."""
        with contextlib.suppress(PublishError):
            save_pickle(self.folder / name, (FORMAT_VERSION, value))


def save_pickle(path: Path, value: object) -> None:
    """Pickle `value` to `path` through a temporary file and a rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise PublishError(
            f"cannot write the build cache ({exc.strerror}); see DIPKG_CACHE_DIR", path
        ) from exc
    try:
        with os.fdopen(handle, "wb") as stream, _no_garbage_collection():
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise PublishError(
            f"cannot write the build cache ({exc.strerror}); see DIPKG_CACHE_DIR", path
        ) from exc
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def load_pickle(path: Path) -> Any:
    """Unpickle a file written by `save_pickle`; a missing or damaged one is an InputError."""
    try:
        with path.open("rb") as stream:
            return pickle.load(stream)
    except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.PickleError) as exc:
        raise InputError(
            "a cached result is missing or damaged (removed or changed by another process?); "
            "run the build again, or delete the cache folder",
            path,
        ) from exc


@contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """Pause the cycle collector: (un)pickling many small objects would trigger it over and over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
