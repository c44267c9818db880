"""`dipkg draft`: articles read, drafted and written into seeds/articles/ID/ (or returned as text)."""

from __future__ import annotations

import hashlib
import json
import os
import re
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

ARTICLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
META_FILES = ("meta.json", "meta.yaml")
DRAFT_STATUS = "draft"


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
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the article ({exc.strerror})", path) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path) from exc
    if not text.strip():
        raise InputError("the article is empty", path)
    meta = _meta(path, options.meta)
    headline = options.headline or meta.get("headline") or text.strip().splitlines()[0].strip()
    if headline not in text:
        raise InputError(f"the headline {headline!r} does not occur in the article text", path)
    published_text = options.published or meta.get("date_published")
    if published_text is None:
        raise UsageError(f"{path}: no publication date; give --date YYYY-MM-DD or --meta FILE")
    try:
        published = date.fromisoformat(str(published_text))
    except ValueError:
        raise UsageError(f"{path}: {published_text!r} is not a date (YYYY-MM-DD)") from None
    language = str(meta.get("language", "en"))
    if language != "en":
        raise InputError(f"the article is in {language!r}; dipkg draft reads English only", path)
    article_id = options.article_id or meta.get("id") or _id_from_path(path)
    if not ARTICLE_ID.match(str(article_id)):
        raise UsageError(f"{path}: {article_id!r} is not an article id (letters, digits, '_', '-', '.')")
    publisher_name = options.publisher or meta.get("publisher")
    if publisher_name is None:
        raise UsageError(f"{path}: no publisher; give --publisher NAME or --meta FILE")
    return ArticleInput(
        path,
        raw,
        text,
        str(article_id),
        headline,
        _publisher(str(publisher_name), registry, path),
        published,
        language,
    )


def _meta(article: Path, given: Path | None) -> dict[str, Any]:
    """The article's metadata: the --meta file, or a meta.json/meta.yaml beside the article."""
    candidates = [given] if given is not None else [article.parent / name for name in META_FILES]
    for path in candidates:
        if path is None or (given is None and not path.is_file()):
            continue
        try:
            content = path.read_text(encoding="utf-8")
            data = json.loads(content) if path.suffix == ".json" else yaml.safe_load(content)
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            raise InputError(f"cannot read the metadata ({_first_line(exc)})", path) from exc
        if not isinstance(data, dict):
            raise InputError("the metadata is not a mapping of fields", path)
        return data
    return {}


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
    """Refuse before anything is written: an article folder whose annotation has been reviewed."""
    for article in articles:
        annotation = project.seeds_dir / ARTICLES_SUBDIR / article.id / ARTICLE_ANNOTATION_FILE
        if annotation.is_file() and _status(annotation) != DRAFT_STATUS:
            raise PublishError(
                "holds a reviewed annotation; dipkg draft never overwrites one "
                "(give another --id, or delete the folder to draft it again)",
                annotation,
            )


def _status(annotation: Path) -> str:
    try:
        data = yaml.safe_load(annotation.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
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


def write_draft(drafted: DraftedArticle) -> None:
    """article.txt (verbatim bytes), meta.yaml and annotation.yaml of one drafted article."""
    from dipkg.build.publish import write_file

    try:
        drafted.folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot create the article folder ({exc.strerror})", drafted.folder) from exc
    write_file(drafted.folder / ARTICLE_TEXT_FILE, drafted.article.raw)
    write_file(drafted.folder / ARTICLE_META_FILE, drafted.meta.encode("utf-8"))
    write_file(drafted.folder / ARTICLE_ANNOTATION_FILE, drafted.annotation.encode("utf-8"))
