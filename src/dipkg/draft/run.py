"""`dipkg draft`: articles read, drafted and written into seeds/articles/ID/ (or returned as text)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from dipkg import __version__
from dipkg.draft.model import Draft
from dipkg.errors import InputError, PublishError, UsageError
from dipkg.layout import (
    ARTICLE_ANNOTATION_FILE,
    ARTICLE_META_FILE,
    ARTICLE_TEXT_FILE,
    ARTICLES_SUBDIR,
    ENTITIES_SUBDIR,
)
from dipkg.progress import Progress
from dipkg.project import Project, shipped_data_dir
from dipkg.seeds.model import Registry
from dipkg.seeds.yamlfile import decode_utf8, load_yaml, read_bytes, read_text

# The loader's rule for an article id (meta.schema.json), and a length every file system takes.
ARTICLE_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
META_FILES = ("meta.json", "meta.yaml")
META_TEXT_FIELDS = ("id", "headline", "publisher", "date_published", "language")
DRAFT_STATUS = "draft"
# spaCy's own limit (nlp.max_length): a longer text is refused before the pipeline is loaded.
MAX_ARTICLE_CHARS = 1_000_000
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EARLIEST_PUBLICATION = date(1800, 1, 1)
# Characters the loader refuses in any quoted text (and so in evidence drafted from the article).
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ArticleInput:
    """One article to draft: its text and its metadata."""

    source: Path
    raw: bytes
    text: str
    id: str
    headline: str
    publisher: str
    published: date
    language: str


@dataclass(frozen=True)
class Options:
    """What the command line says of the articles (for one article only, except the publisher)."""

    meta: Path | None = None
    published: str | None = None
    headline: str | None = None
    publisher: str | None = None
    article_id: str | None = None


@dataclass(frozen=True)
class DraftedArticle:
    """A drafted article: its annotation text and the counts a person reads in the summary."""

    article: ArticleInput
    annotation: str
    meta: str
    counts: dict[str, int]
    folder: Path

    def summary(self) -> str:
        c = self.counts
        return (
            f"{self.article.id}: {c['matched']} entities matched, {c['new']} new, {c['events']} events, "
            f"{c['unrealized']} unrealised, {c['quotes']} quotes, {c['holdings']} holdings, "
            f"{c['claims']} claims, {c['review']} sentences to review"
        )


def read_inputs(files: Sequence[Path], options: Options, registry: Registry) -> list[ArticleInput]:
    """Every article's text and metadata, checked before anything is drafted or written."""
    if not files:
        raise UsageError("give at least one article file")
    single = any(
        value is not None for value in (options.meta, options.published, options.headline, options.article_id)
    )
    if single and len(files) > 1:
        raise UsageError("--meta, --date, --headline and --id describe one article; give one file")
    articles = [_read_input(path, options, registry) for path in files]
    seen: dict[str, Path] = {}
    for article in articles:
        if article.id in seen:
            raise UsageError(f"{article.source} and {seen[article.id]} would both be article {article.id!r}")
        seen[article.id] = article.source
    return articles


def _read_input(path: Path, options: Options, registry: Registry) -> ArticleInput:
    raw = read_bytes(path)
    text = decode_utf8(raw, path)
    if not text.strip():
        raise InputError("the article is empty", path)
    if len(text) > MAX_ARTICLE_CHARS:
        raise InputError(
            f"the article is {len(text)} characters long; dipkg draft reads at most {MAX_ARTICLE_CHARS}",
            path,
        )
    control = CONTROL_CHARACTER.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        raise InputError(
            f"holds the control character U+{ord(control.group()):04X}, which no annotation can quote; "
            "remove it",
            path,
            line,
        )
    _check_options(path, options)
    meta = _meta(path, options.meta)
    headline = _chosen(options.headline, meta, "headline") or _first_line_of(text)
    if headline not in text:
        raise InputError(f"the headline {headline!r} does not occur in the article text", path)
    published_text = _chosen(options.published, meta, "date_published")
    if published_text is None:
        raise UsageError(f"{path}: no publication date; give --date YYYY-MM-DD or --meta FILE")
    published = _publication_date(path, published_text)
    language = _chosen(None, meta, "language") or "en"
    if language != "en":
        raise InputError(f"the article is in {language!r}; dipkg draft reads English only", path)
    article_id = _chosen(options.article_id, meta, "id") or _id_from_path(path)
    if not ARTICLE_ID.fullmatch(article_id):
        raise UsageError(
            f"{path}: {article_id!r} is not an article id (1 to 100 letters, digits, '_' or '-'); "
            "give --id ID"
        )
    publisher_name = _chosen(options.publisher, meta, "publisher")
    if publisher_name is None:
        raise UsageError(f"{path}: no publisher; give --publisher NAME or --meta FILE")
    return ArticleInput(
        path,
        raw,
        text,
        article_id,
        headline,
        _publisher(publisher_name, registry, path),
        published,
        language,
    )


def _check_options(path: Path, options: Options) -> None:
    """An option given with nothing in it is a mistake, not a request for the default."""
    given = {
        "--date": options.published,
        "--headline": options.headline,
        "--publisher": options.publisher,
        "--id": options.article_id,
    }
    for name, value in given.items():
        if value is not None and not value.strip():
            raise UsageError(f"{path}: {name} is empty; give a value or leave the option out")


def _chosen(option: str | None, meta: dict[str, str], field: str) -> str | None:
    """The option's value where given, else the metadata's."""
    return option if option is not None else meta.get(field)


def _first_line_of(text: str) -> str:
    """The first line with text, without a byte order mark or surrounding space."""
    return text.lstrip("\ufeff").strip().splitlines()[0].strip()


def _publication_date(path: Path, value: str) -> date:
    try:
        published = date.fromisoformat(value) if ISO_DATE.fullmatch(value) else None
    except ValueError:
        published = None
    if published is None:
        raise UsageError(f"{path}: {value!r} is not a date (YYYY-MM-DD)")
    today = date.fromisoformat(drafted_on())
    if not EARLIEST_PUBLICATION <= published <= today:
        raise UsageError(
            f"{path}: publication date {value} does not lie between {EARLIEST_PUBLICATION} "
            f"and today ({today})"
        )
    return published


def _meta(article: Path, given: Path | None) -> dict[str, str]:
    """The article's metadata: the --meta file, or a meta.json/meta.yaml beside the article.

    Read like a seed file (a regular file, strict UTF-8; in YAML no duplicate keys, no aliases of
    lists or mappings, no deep nesting); the fields dipkg draft reads must be text.
    """
    candidates = [given] if given is not None else [article.parent / name for name in META_FILES]
    for path in candidates:
        if path is None or (given is None and not path.is_file()):
            continue
        data = _meta_json(path) if path.suffix == ".json" else load_yaml(path).data
        if not isinstance(data, dict):
            raise InputError("the metadata is not a mapping of fields", path)
        for field in META_TEXT_FIELDS:
            if field in data and not isinstance(data[field], str):
                raise InputError(f"{field}: {data[field]!r} is not text; quote it", path)
        return data
    return {}


def _meta_json(path: Path) -> Any:
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        for key in keys:
            if keys.count(key) > 1:
                raise ValueError(f"duplicate key {key!r}")
        return dict(pairs)

    text = read_text(path).removeprefix("\ufeff")
    try:
        return json.loads(text, object_pairs_hook=unique)
    except ValueError as exc:
        raise InputError(f"cannot read the metadata ({_first_line(exc)})", path) from exc
    except RecursionError:
        raise InputError("cannot read the metadata (lists or mappings nest too deeply)", path) from None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _id_from_path(path: Path) -> str:
    return path.parent.name if path.stem == "article" else path.stem


def _publisher(name: str, registry: Registry, path: Path) -> str:
    """The registry entity a publisher's name or id stands for."""
    for key, entity in sorted(registry.entities.items()):
        if name == key or name == entity.label or name in entity.alt_labels:
            return key
    raise InputError(
        f"publisher {name!r} is not an entity of {ENTITIES_SUBDIR}/: add it (type: MediaOutlet) "
        "or give --publisher with the id of one",
        path,
    )


def check_targets(project: Project, articles: Sequence[ArticleInput]) -> None:
    """Refuse before anything is drafted or written: a reviewed annotation, or a place the draft
    cannot be written to (a file where its folder goes, a link, a folder where a file goes)."""
    articles_dir = project.seeds_dir / ARTICLES_SUBDIR
    if articles_dir.is_symlink() or (articles_dir.exists() and not articles_dir.is_dir()):
        raise PublishError("is not a folder; dipkg draft writes article folders into it", articles_dir)
    for article in articles:
        folder = articles_dir / article.id
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise PublishError(
                "is not a folder (a file or a link); move it away or give another --id", folder
            )
        for name in (ARTICLE_TEXT_FILE, ARTICLE_META_FILE, ARTICLE_ANNOTATION_FILE):
            target = folder / name
            if target.is_symlink() or (target.exists() and not target.is_file()):
                raise PublishError(
                    "is not a file (a folder or a link); move it away or give another --id", target
                )
        annotation = folder / ARTICLE_ANNOTATION_FILE
        if annotation.is_file():
            status = _status(annotation)
            if status == "unreadable":
                raise PublishError(
                    "holds an annotation dipkg draft cannot read, so cannot tell whether it was "
                    "reviewed (give another --id, or delete the folder to draft it again)",
                    annotation,
                )
            if status != DRAFT_STATUS:
                raise PublishError(
                    "holds a reviewed annotation; dipkg draft never overwrites one "
                    "(give another --id, or delete the folder to draft it again)",
                    annotation,
                )


def _status(annotation: Path) -> str:
    try:
        data = yaml.safe_load(annotation.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, RecursionError, yaml.YAMLError):
        return "unreadable"
    return str(data.get("status", "reviewed")) if isinstance(data, dict) else "unreadable"


def drafted_on() -> str:
    """Today, or the day SOURCE_DATE_EPOCH names (reproducible drafts)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    return datetime.now(UTC).date().isoformat()


class Drafter:
    """Drafts articles against one project's registry: the pipeline and lexicon loaded once."""

    def __init__(self, project: Project, registry: Registry) -> None:
        from dipkg.domain.model import load_domain
        from dipkg.draft.language import english
        from dipkg.draft.lexicon import load_lexicon
        from dipkg.draft.mentions import Linker

        self.project = project
        self.registry = registry
        self.nlp = english()
        self.lexicon = load_lexicon(shipped_data_dir() / "lexicon")
        self.domain = load_domain(shipped_data_dir() / "domain.yaml")
        self.linker = Linker(self.nlp.vocab, registry, self.lexicon, self.nlp.make_doc)
        self.today = drafted_on()

    def draft(self, article: ArticleInput) -> DraftedArticle:
        from dipkg.draft.reader import ArticleReader
        from dipkg.draft.writer import annotation_text

        doc = self.nlp(article.text)
        entities = self.linker.link(doc)
        draft = ArticleReader(
            doc, entities, self.lexicon, self.domain, self.registry, article.published
        ).read()
        annotation = annotation_text(draft, article.id, __version__, self.today, article.text)
        folder = self.project.seeds_dir / ARTICLES_SUBDIR / article.id
        return DraftedArticle(article, annotation, _meta_text(article), _counts(draft), folder)


def _counts(draft: Draft) -> dict[str, int]:
    used = {m.entity for m in draft.entities.mentions()}
    return {
        "matched": len(used - set(draft.entities.proposed)),
        "new": len(draft.entities.proposed),
        "events": len(draft.events),
        "unrealized": len(draft.acts),
        "quotes": len(draft.quotes),
        "holdings": len(draft.holdings),
        "claims": len(draft.claims),
        "review": len(draft.review),
    }


def _meta_text(article: ArticleInput) -> str:
    data = {
        "id": article.id,
        "headline": article.headline,
        "publisher": article.publisher,
        "date_published": article.published.isoformat(),
        "language": article.language,
        "text_sha256": hashlib.sha256(article.raw).hexdigest(),
    }
    header = f"# Metadata of article {article.id}, written by dipkg draft.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


_WORKER: Drafter | None = None


def _start_worker(project: Project, registry: Registry) -> None:
    global _WORKER
    _WORKER = Drafter(project, registry)


def _draft_in_worker(article: ArticleInput) -> DraftedArticle:
    assert _WORKER is not None
    return _WORKER.draft(article)


def draft_all(
    project: Project,
    registry: Registry,
    articles: Sequence[ArticleInput],
    jobs: int,
    progress: Progress | None = None,
) -> Iterator[DraftedArticle]:
    """Each article drafted, in the order given; with jobs > 1, by that many worker processes."""
    total = len(articles)
    if jobs <= 1 or total <= 1:
        drafter = Drafter(project, registry)
        for done, article in enumerate(articles, start=1):
            yield drafter.draft(article)
            if progress is not None:
                progress("drafting", done, total)
        return
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_start_worker, initargs=(project, registry)
    ) as pool:
        for done, drafted in enumerate(pool.map(_draft_in_worker, articles, chunksize=4), start=1):
            yield drafted
            if progress is not None:
                progress("drafting", done, total)


def write_drafts(project: Project, drafts: Sequence[DraftedArticle]) -> None:
    """article.txt (verbatim bytes), meta.yaml and annotation.yaml of each drafted article, all or
    nothing: every file is first written beside its target, and only when all were written are
    they renamed into place; on failure the temporary files and the folders made are removed."""
    from dipkg.build.publish import current_umask

    articles_dir = project.seeds_dir / ARTICLES_SUBDIR
    made: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    mode = 0o666 & ~current_umask()
    where = articles_dir
    try:
        for drafted in drafts:
            for folder in (project.seeds_dir, articles_dir, drafted.folder):
                where = folder
                if not folder.is_dir():
                    folder.mkdir()
                    made.append(folder)
            for name, data in (
                (ARTICLE_TEXT_FILE, drafted.article.raw),
                (ARTICLE_META_FILE, drafted.meta.encode("utf-8")),
                (ARTICLE_ANNOTATION_FILE, drafted.annotation.encode("utf-8")),
            ):
                handle, temp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=drafted.folder)
                staged.append((Path(temp_name), drafted.folder / name))
                os.fchmod(handle, mode)
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                    stream.flush()
                    os.fsync(stream.fileno())
    except OSError as exc:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise PublishError(f"cannot write the draft ({exc.strerror}); nothing was written", where) from exc
    for index, (temp, target) in enumerate(staged):
        try:
            os.replace(temp, target)
        except OSError as exc:
            for left, _ in staged[index:]:
                left.unlink(missing_ok=True)
            raise PublishError(
                f"cannot write the draft ({exc.strerror}); the files before it were written", target
            ) from exc
