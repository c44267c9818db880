"""The project: every location dipkg reads or writes, and the base IRI, made once and passed down.

A publishing project is a folder holding `dipkg.toml`; commands find it from the current folder
upwards (as git does) or from `--project DIR`. The ontology, code lists, shapes and canned queries
ship with dipkg; a project's own `ontology/`, `shapes/` and `queries/` folders (or the folders its
`dipkg.toml` names) extend them, a file of the same name replacing the shipped one.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dipkg.errors import InputError, UsageError
from dipkg.iris import DEFAULT_BASE_IRI, IRI_FORBIDDEN, check_base_iri
from dipkg.layout import (
    ARTICLES_SUBDIR,
    CODE_LIST_FILES,
    ENTITIES_SUBDIR,
    KG_DESCRIPTION_FILE,
    LOAD_RECORDS_SUBDIR,
    ONTOLOGY_FILE,
    SERVED_SITE_SUBDIR,
    SITE_INDEX_SUBDIR,
    SITE_SUBDIR,
    STORE_SUBDIR,
)

PROJECT_FILE = "dipkg.toml"
CACHE_ENVIRONMENT = "DIPKG_CACHE_DIR"

# The keys of dipkg.toml's [paths] table and the folder each defaults to.
PATH_KEYS = {
    "seeds": "seeds",
    "kg": "kg",
    "cache": ".dipkg-cache",
    "ontology": "ontology",
    "shapes": "shapes",
    "queries": "queries",
}

# The graph's own licence when dipkg.toml names none.
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
# What of each article's text the graph publishes: all of it, or only the evidence spans.
ARTICLE_TEXT_CHOICES = ("full", "evidence")
PUBLICATION_KEYS = (
    "publisher",
    "publisher_type",
    "contact_name",
    "contact_email",
    "contact_url",
    "license",
    "issued",
    "article_text",
)
# The ADMS publisher types (http://purl.org/adms/publishertype/1.0).
PUBLISHER_TYPES = (
    "Academia-ScientificOrganisation",
    "Company",
    "IndustryConsortium",
    "LocalAuthority",
    "NationalAuthority",
    "NonGovernmentalOrganisation",
    "NonProfitOrganisation",
    "PrivateIndividual(s)",
    "RegionalAuthority",
    "StandardisationBody",
    "SupraNationalAuthority",
)
EMAIL = re.compile(r"[^@\s<>\"{}|^`\\]+@[^@\s<>\"{}|^`\\]+\.[^@\s<>\"{}|^`\\]+")

NOT_IN_A_PROJECT = (
    "not in a dipkg project (no dipkg.toml here or in any folder above): "
    "run `dipkg init DIR`, work inside a project, or give --project DIR"
)


def shipped_data_dir() -> Path:
    """The folder of data that ships with dipkg: ontology/, shapes/ and queries/."""
    return Path(__file__).resolve().parent / "data"


def platform_cache_dir() -> Path:
    """The user's cache folder for dipkg when no project is in use ($XDG_CACHE_HOME or ~/.cache)."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "dipkg"


@dataclass(frozen=True)
class Publication:
    """Who publishes the graph, under which licence, and how much of the articles' texts.

    `article_text` is "full" (every article's text) or "evidence" (only the quoted evidence
    spans, for sources whose terms forbid republishing their texts).
    """

    publisher: str | None = None
    publisher_type: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_url: str | None = None
    license: str = DEFAULT_LICENSE
    issued: date | None = None
    article_text: str = "full"

    @property
    def full_text(self) -> bool:
        """Whether articles are published with their full text."""
        return self.article_text == "full"

    def key(self) -> str:
        """Every setting by its value, as one string: what a cache key of the publication holds."""
        return json.dumps(dataclasses.asdict(self), default=str, sort_keys=True)


@dataclass(frozen=True)
class Project:
    """Where a project's seeds, published graph, cache and vocabulary live, and its base IRI.

    `root` is the folder holding dipkg.toml (None outside any project, where only the commands
    that need no seeds or graph, or are told where they are, can run).
    """

    root: Path | None
    seeds: Path | None
    kg: Path | None
    cache_dir: Path
    base_iri: str = DEFAULT_BASE_IRI
    ontology_dirs: tuple[Path, ...] = ()
    shapes_dirs: tuple[Path, ...] = ()
    queries_dirs: tuple[Path, ...] = ()
    publication: Publication = field(default_factory=Publication)

    @classmethod
    def at(cls, root: str | os.PathLike[str]) -> Project:
        """The project whose folder is `root` (its dipkg.toml read if present, defaults otherwise)."""
        folder = Path(root)
        settings = _read_settings(folder / PROJECT_FILE) if (folder / PROJECT_FILE).is_file() else {}
        return cls._from_settings(folder, settings)

    @classmethod
    def find(cls, start: str | os.PathLike[str] | None = None) -> Project:
        """The project containing `start` (default: the current folder), or none (`root` None)."""
        here = Path(start if start is not None else Path.cwd()).absolute()
        for folder in (here, *here.parents):
            if (folder / PROJECT_FILE).is_file():
                return cls.at(folder)
        return cls.outside()

    @classmethod
    def outside(cls) -> Project:
        """No project: the shipped vocabulary, shapes and queries, and the user's cache folder."""
        return cls(None, None, None, _cache_dir(None), DEFAULT_BASE_IRI, *_shipped_folders())

    @classmethod
    def _from_settings(cls, folder: Path, settings: dict[str, Any]) -> Project:
        location = settings.get("paths", {})

        def path(key: str) -> Path:
            return folder / str(location.get(key, PATH_KEYS[key]))

        shipped_ontology, shipped_shapes, shipped_queries = _shipped_folders()
        return cls(
            root=folder,
            seeds=path("seeds"),
            kg=path("kg"),
            cache_dir=_cache_dir(path("cache")),
            base_iri=settings.get("base_iri", DEFAULT_BASE_IRI),
            ontology_dirs=(*shipped_ontology, path("ontology")),
            shapes_dirs=(*shipped_shapes, path("shapes")),
            queries_dirs=(*shipped_queries, path("queries")),
            publication=Publication(**settings.get("publication", {})),
        )

    def replace(self, **changes: Any) -> Project:
        """A copy with some fields changed (`seeds`, `kg`, `base_iri`, `cache_dir`, ...)."""
        return dataclasses.replace(self, **changes)

    @property
    def seeds_dir(self) -> Path:
        """The seeds folder; outside a project, a usage error."""
        if self.seeds is None:
            raise UsageError(NOT_IN_A_PROJECT)
        return self.seeds

    @property
    def kg_dir(self) -> Path:
        """The published graph's folder; outside a project, a usage error."""
        if self.kg is None:
            raise UsageError(NOT_IN_A_PROJECT)
        return self.kg

    @property
    def entities_dir(self) -> Path:
        """The folder of shared-entity files inside the seeds."""
        return self.seeds_dir / ENTITIES_SUBDIR

    @property
    def articles_dir(self) -> Path:
        """The folder of article folders inside the seeds."""
        return self.seeds_dir / ARTICLES_SUBDIR

    @property
    def description_file(self) -> Path:
        """kg/void.ttl, the dataset description that lists every published file."""
        return self.kg_dir / KG_DESCRIPTION_FILE

    @property
    def store_dir(self) -> Path:
        """Where the on-disk query stores are kept."""
        return self.cache_dir / STORE_SUBDIR

    @property
    def load_records_dir(self) -> Path:
        """Where the record of what `dipkg load` last loaded into each graph is kept."""
        return self.cache_dir / LOAD_RECORDS_SUBDIR

    @property
    def site_index_dir(self) -> Path:
        """Where `dipkg site` keeps, per site folder, what it last published there."""
        return self.cache_dir / SITE_INDEX_SUBDIR

    @property
    def served_site_dir(self) -> Path:
        """The site `dipkg serve` builds and serves."""
        return self.cache_dir / SERVED_SITE_SUBDIR

    @property
    def site_dir(self) -> Path:
        """Where `dipkg site` writes unless told: site/ in the project (or the current folder)."""
        return (self.root or Path.cwd()) / SITE_SUBDIR

    @property
    def ontology_file(self) -> Path:
        """The dipkg ontology."""
        return _overlaid(self.ontology_dirs, "*.ttl")[ONTOLOGY_FILE]

    @property
    def code_list_files(self) -> tuple[Path, ...]:
        """The CAMEO and PLOVER code lists (SKOS concept schemes)."""
        found = _overlaid(self.ontology_dirs, "*.ttl")
        return tuple(found[name] for name in CODE_LIST_FILES)

    @property
    def vocabulary_files(self) -> tuple[Path, ...]:
        """The ontology and its code lists."""
        return (self.ontology_file, *self.code_list_files)

    @property
    def shapes_files(self) -> list[Path]:
        """Every shapes file, sorted by name (a project's replaces a shipped one of the same name)."""
        return list(_overlaid(self.shapes_dirs, "*.ttl").values())

    @property
    def query_files(self) -> list[Path]:
        """Every canned query, sorted by name (a project's replaces a shipped one of the same name)."""
        return list(_overlaid(self.queries_dirs, "*.rq").values())

    def built_base_iri(self) -> str:
        """The base IRI the published graph was built with (from kg/void.ttl), else the project's."""
        from dipkg.dataset import described_base_iri

        if self.kg is None or not (self.kg / KG_DESCRIPTION_FILE).is_file():
            return self.base_iri
        try:
            return described_base_iri(self.kg)
        except InputError:
            return self.base_iri


def _shipped_folders() -> tuple[tuple[Path], tuple[Path], tuple[Path]]:
    data = shipped_data_dir()
    return (data / "ontology",), (data / "shapes",), (data / "queries",)


def _cache_dir(project_cache: Path | None) -> Path:
    from_environment = os.environ.get(CACHE_ENVIRONMENT)
    if from_environment:
        return Path(from_environment)
    return project_cache if project_cache is not None else platform_cache_dir()


def _overlaid(folders: tuple[Path, ...], pattern: str) -> dict[str, Path]:
    """Files matching `pattern` in the folders, by name; a later folder's file replaces an earlier one's."""
    found: dict[str, Path] = {}
    for folder in folders:
        if folder.is_dir():
            for path in folder.glob(pattern):
                if path.is_file():
                    found[path.name] = path
    return dict(sorted(found.items()))


def _read_settings(path: Path) -> dict[str, Any]:
    """dipkg.toml, checked: `base_iri`, a `[paths]` table of folders relative to the project and a
    `[publication]` table."""
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the project file: {exc}", path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path) from exc
    unknown = sorted(set(settings) - {"base_iri", "paths", "publication"})
    if unknown:
        raise InputError(f"unknown setting {unknown[0]!r} (known: base_iri, [paths], [publication])", path)
    base_iri = settings.get("base_iri", DEFAULT_BASE_IRI)
    problem = check_base_iri(base_iri) if isinstance(base_iri, str) else "must be a string"
    if problem:
        raise InputError(f"base_iri {base_iri!r} {problem}", path)
    folders = settings.get("paths", {})
    if not isinstance(folders, dict):
        raise InputError("[paths] must be a table of folder names", path)
    for key, value in folders.items():
        if key not in PATH_KEYS:
            raise InputError(f"unknown path {key!r} in [paths] (known: {', '.join(PATH_KEYS)})", path)
        if not isinstance(value, str) or not value:
            raise InputError(f"[paths] {key} must be a folder name", path)
    _check_publication(settings.get("publication", {}), path)
    return settings


def _check_publication(publication: object, path: Path) -> None:
    """The `[publication]` table: names, a contact, a licence IRI, a date and the article-text choice."""
    if not isinstance(publication, dict):
        raise InputError("[publication] must be a table", path)
    for key, value in publication.items():
        if key not in PUBLICATION_KEYS:
            known = ", ".join(PUBLICATION_KEYS)
            raise InputError(f"unknown setting {key!r} in [publication] (known: {known})", path)
        if key == "issued":
            if not isinstance(value, date) or isinstance(value, datetime):
                raise InputError("[publication] issued must be a date (YYYY-MM-DD, unquoted)", path)
            continue
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"[publication] {key} must be a non-empty string", path)
        if key == "article_text" and value not in ARTICLE_TEXT_CHOICES:
            raise InputError(f'[publication] article_text must be "full" or "evidence", not {value!r}', path)
        if key == "publisher_type" and value not in PUBLISHER_TYPES:
            known = ", ".join(PUBLISHER_TYPES)
            raise InputError(
                f"[publication] publisher_type {value!r} is not an ADMS publisher type ({known})", path
            )
        if key == "contact_email" and not EMAIL.fullmatch(value):
            raise InputError(f"[publication] contact_email {value!r} is not an e-mail address", path)
        if key in ("license", "contact_url") and (
            not value.startswith(("http://", "https://")) or IRI_FORBIDDEN.search(value)
        ):
            raise InputError(f"[publication] {key} {value!r} must be an http(s) IRI", path)


def project_file_text(base_iri: str) -> str:
    """The dipkg.toml that `dipkg init` writes."""
    return (
        "# A dipkg publishing project: `dipkg build` reads seeds/ and publishes kg/.\n"
        f'base_iri = "{base_iri}"\n'
        "\n"
        "# Folders, relative to this file (these are the defaults). A project's own ontology/,\n"
        "# shapes/ and queries/ extend those shipped with dipkg; a file of the same name replaces one.\n"
        "[paths]\n" + "".join(f'{key} = "{value}"\n' for key, value in PATH_KEYS.items()) + "\n"
        "# Who publishes the graph and under which licence (kg/void.ttl, a DCAT-AP description),\n"
        "# and whether articles' full texts are published or only their evidence spans.\n"
        "[publication]\n"
        '# publisher = "Your name or organisation"\n'
        '# contact_email = "you@example.org"\n'
        "# issued = 2025-01-31\n"
        f'license = "{DEFAULT_LICENSE}"\n'
        'article_text = "full"\n'
    )
