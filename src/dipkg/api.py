"""The library: one call per command, each taking a `Project` (or a project folder) and returning a result.

    from dipkg import api

    project = api.init("my-project")        # or api.open_project("my-project")
    report = api.build(project)             # once seeds/ holds articles
    result = api.query(project, "summons-timeline")
    ambassadors = [row["ambassador"] for row in result.records()]

Errors a user can fix are raised as `dipkg.errors.DipkgError` subclasses, each with its exit code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dipkg import __version__
from dipkg.errors import NotConforming, PublishError, UsageError
from dipkg.iris import DEFAULT_BASE_IRI, check_base_iri, prefix_map
from dipkg.layout import ARTICLES_SUBDIR, ENTITIES_SUBDIR
from dipkg.progress import Progress
from dipkg.project import PROJECT_FILE, Project, project_file_text
from dipkg.validate import FAIL_ON as FAIL_ON

# Where `dipkg serve` builds the site, under the project's cache folder.

if TYPE_CHECKING:
    from dipkg.build.pipeline import BuildReport
    from dipkg.evaluate import EvaluationReport
    from dipkg.query.catalogue import CannedQuery
    from dipkg.query.results import ResultTable
    from dipkg.stores.credentials import Credentials as Credentials
    from dipkg.stores.remote import LoadReport
    from dipkg.validate.results import ValidationReport
    from dipkg.web.site import SiteReport

__all__ = [
    "DEFAULT_BASE_IRI",
    "NotConforming",
    "Progress",
    "Project",
    "QueryResult",
    "ValidationOutcome",
    "__version__",
    "build",
    "check_base_iri",
    "check_ontology",
    "endpoint_credentials",
    "evaluate",
    "export",
    "init",
    "load",
    "open_project",
    "queries",
    "query",
    "save",
    "serve",
    "validate",
]

ProjectLike = Project | str | os.PathLike[str]
QUERY_FORMATS = ("table", "json", "csv", "tsv")
EXPORT_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld")
REPORT_FORMATS = ("text", "json", "turtle")
EVALUATION_FORMATS = ("table", "json")
# The gold folder `evaluate` reads when given none, relative to the project folder.
DEFAULT_GOLD_DIR = ("corpus", "dev")
KG_GRAPH_PATH = "graph/kg"


def open_project(
    where: ProjectLike | None = None,
    *,
    seeds: str | os.PathLike[str] | None = None,
    kg: str | os.PathLike[str] | None = None,
    base_iri: str | None = None,
) -> Project:
    """The project at `where` (a Project, or its folder), or the one containing the current folder.

    `seeds`, `kg` and `base_iri` override what the project's dipkg.toml says.
    """
    if isinstance(where, Project):
        project = where
    elif where is not None:
        folder = Path(where)
        if not (folder / PROJECT_FILE).is_file():
            raise UsageError("not a dipkg project (no dipkg.toml): run `dipkg init DIR` first", folder)
        project = Project.at(folder)
    else:
        project = Project.find()
    if seeds is not None:
        project = project.replace(seeds=Path(seeds))
    if kg is not None:
        project = project.replace(kg=Path(kg))
    if base_iri is not None:
        problem = check_base_iri(base_iri)
        if problem:
            raise UsageError(f"base IRI {base_iri!r} {problem}")
        project = project.replace(base_iri=base_iri)
    return project


def _project(project: ProjectLike) -> Project:
    return project if isinstance(project, Project) else open_project(project)


def init(folder: str | os.PathLike[str], base_iri: str = DEFAULT_BASE_IRI) -> Project:
    """Create a new publishing project: dipkg.toml, seeds/articles/, seeds/entities/ and an empty kg/.

    Refuses a folder that already holds a dipkg.toml; creates the folder if needed.
    """
    root = Path(folder)
    problem = check_base_iri(base_iri)
    if problem:
        raise UsageError(f"base IRI {base_iri!r} {problem}")
    if (root / PROJECT_FILE).exists():
        raise UsageError("already a dipkg project (dipkg.toml exists)", root / PROJECT_FILE)
    if (root / "kg").is_dir() and any((root / "kg").iterdir()):
        raise UsageError("holds a kg/ folder that is not empty; init a new folder", root / "kg")
    try:
        for folder_path in (root / "seeds" / ARTICLES_SUBDIR, root / "seeds" / ENTITIES_SUBDIR, root / "kg"):
            folder_path.mkdir(parents=True, exist_ok=True)
        ignored = root / ".gitignore"
        lines = ignored.read_text(encoding="utf-8").splitlines() if ignored.is_file() else []
        if ".dipkg-cache/" not in lines:
            ignored.write_text("".join(f"{line}\n" for line in [*lines, ".dipkg-cache/"]), encoding="utf-8")
        (root / PROJECT_FILE).write_text(project_file_text(base_iri), encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PublishError(f"cannot create the project ({exc})", root) from exc
    return Project.at(root)


def build(
    project: ProjectLike,
    *,
    validate: bool = True,
    jobs: int | None = None,
    progress: Progress | None = None,
    force: bool = False,
    include_drafts: bool = False,
) -> BuildReport:
    """Build the project's kg/ from its seeds/ (see `dipkg build`); raises `NotConforming` on violations.

    A kg folder holding files dipkg did not publish is refused unless `force` (they are left alone).
    Draft annotations (`status: draft`) are published only with `include_drafts`.
    """
    from dipkg.build.pipeline import build as run_build

    return run_build(
        _project(project),
        validate=validate,
        jobs=jobs,
        progress=progress,
        force=force,
        include_drafts=include_drafts,
    )


@dataclass(frozen=True)
class ValidationOutcome:
    """A validation report and the base IRI its IRIs are shortened against."""

    report: ValidationReport
    base_iri: str

    def conforms(self, fail_on: str = "violation") -> bool:
        """True when no result is at or above the `fail_on` severity."""
        return self.report.conforms(fail_on)

    def summary(self, fail_on: str = "violation") -> str:
        """One line: the verdict at `fail_on` and the counts by severity."""
        from dipkg.validate.report import summary

        return summary(self.report, fail_on)

    def render(self, report_format: str = "text", fail_on: str = "violation") -> str:
        """The report as text (one line per result, CURIEs), SHACL results JSON, or Turtle."""
        from dipkg.validate.report import Compactor, format_json, format_text, format_turtle

        if report_format == "json":
            return format_json(self.report, fail_on)
        if report_format == "turtle":
            return format_turtle(self.report, fail_on)
        return format_text(self.report, Compactor(prefix_map(self.base_iri)))


def validate(
    project: ProjectLike,
    files: list[str] | None = None,
    *,
    input_format: str | None = None,
    shapes: str | os.PathLike[str] | None = None,
    base_iri: str | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
) -> ValidationOutcome:
    """Validate RDF files (`-` for standard input), or the published kg/ when `files` is empty.

    `shapes` is a shapes file or folder replacing the project's shapes; `base_iri` is the base the
    data's IRIs must be under (default: the one the published graph was built with). With the
    project's shapes the data is validated graph by graph (`dipkg.validate.partitions`); with
    other shapes, whose reach is unknown, all graphs are merged and validated at once.
    """
    import pyoxigraph as ox

    from dipkg.dataset import read_dataset
    from dipkg.validate.partitions import dataset_units, file_units, validate_units
    from dipkg.validate.validation import (
        Validator,
        load_shapes,
        read_inputs,
        read_ontology,
        shapes_files_at,
    )

    chosen = _project(project)
    base = base_iri or (chosen.base_iri if files else chosen.built_base_iri())
    ontology = read_ontology(chosen.vocabulary_files)
    if shapes is None:
        validator = Validator(load_shapes(chosen.shapes_files), ontology, base)
        vocabulary = frozenset(q.subject.value for q in ontology if isinstance(q.subject, ox.NamedNode))
        reader = (
            file_units(list(files), input_format, progress)
            if files
            else dataset_units(chosen.kg_dir, progress)
        )
        return ValidationOutcome(validate_units(reader, validator, vocabulary, jobs, progress), base)
    validator = Validator(load_shapes(shapes_files_at(Path(shapes))), ontology, base)
    quads = (
        read_inputs(list(files), input_format, progress) if files else read_dataset(chosen.kg_dir, progress)
    )
    return ValidationOutcome(validator.validate(quads), base)


def check_ontology(project: ProjectLike, files: list[str] | None = None) -> list[str]:
    """Problems of the ontology (with the data: `files`, or the published kg/), one line each."""
    from dipkg.dataset import dataset_files, read_dataset
    from dipkg.validate.ontology_check import check_ontology as run_checks

    chosen = _project(project)
    if files:
        data = [Path(f) for f in files]
    else:
        read_dataset(chosen.kg_dir)
        data = dataset_files(chosen.kg_dir)
    return run_checks(data, list(chosen.vocabulary_files), chosen.shapes_files)


def queries(project: ProjectLike) -> list[CannedQuery]:
    """The canned queries: those shipped with dipkg and the project's own, by name."""
    from dipkg.query.catalogue import catalogue

    return catalogue(_project(project).query_files)


@dataclass(frozen=True)
class QueryResult:
    """The rows of a SELECT query, and the prefixes used to shorten IRIs in a table."""

    table: ResultTable
    prefixes: dict[str, str]

    @property
    def variables(self) -> list[str]:
        """The query's variables, in order."""
        return self.table.variables

    def records(self) -> list[dict[str, str | None]]:
        """Each row as a dict of variable to plain value (None where unbound)."""
        return [
            {
                name: None if term is None else term.value
                for name, term in zip(self.variables, row, strict=True)
            }
            for row in self.table.rows
        ]

    def render(self, output_format: str = "json") -> str:
        """The rows as an aligned table with CURIEs, SPARQL JSON results, CSV or TSV."""
        from dipkg.query.results import to_csv, to_json, to_table, to_tsv

        if output_format == "table":
            return to_table(self.table, self.prefixes)
        if output_format == "csv":
            return to_csv(self.table)
        if output_format == "tsv":
            return to_tsv(self.table)
        return to_json(self.table)


def endpoint_credentials(endpoint: str, user: str | None = None) -> Credentials | None:
    """The user and password for a SPARQL endpoint, as `dipkg load` and `dipkg query` find them.

    The user is `user`, else the login of the ~/.netrc entry for the endpoint's host; the
    password comes from DIPKG_SPARQL_PASSWORD, else from that entry. None when no user is given
    and ~/.netrc names none; a user without a password is a UsageError.
    """
    from dipkg.stores.credentials import resolve
    from dipkg.stores.http import check_url

    check_url(endpoint)
    return resolve(endpoint, user)


def query(
    project: ProjectLike,
    name_or_file: str,
    params: Mapping[str, str] | None = None,
    *,
    endpoint: str | None = None,
    graph: str | None = None,
    timeout: float = 30.0,
    progress: Progress | None = None,
    credentials: Credentials | None = None,
) -> QueryResult:
    """Run a canned query (by name) or a .rq file, locally on kg/ or on a SPARQL `endpoint`.

    Parameters are checked against their declared types and bound as RDF terms; IRIs may be
    CURIEs of the published graph's prefixes. Remotely, `graph` is the default graph (default:
    where `dipkg load` writes; '' for the server's own default graph), and `credentials`
    (see `endpoint_credentials`) answer the server's Basic or Digest challenge.
    """
    from dipkg.query.catalogue import bind_parameters, find_query, with_bindings

    chosen = _project(project)
    canned = find_query(name_or_file, chosen.query_files)
    base = chosen.built_base_iri()
    prefixes = prefix_map(base)
    text = with_bindings(canned.text, bind_parameters(canned, dict(params or {}), prefixes))
    if endpoint is None:
        from dipkg.query.store import open_store, run_local

        table = run_local(open_store(chosen.kg_dir, chosen.store_dir, progress=progress), text)
    else:
        from dipkg.stores.remote import Endpoint, run_remote

        chosen_graph = base + KG_GRAPH_PATH if graph is None else graph
        remote = Endpoint.from_options(endpoint, credentials=credentials)
        table = run_remote(remote, text, timeout, chosen_graph or None)
    return QueryResult(table, prefixes)


def load(
    project: ProjectLike,
    endpoint: str,
    *,
    graph: str | None = None,
    update_url: str | None = None,
    store_url: str | None = None,
    timeout: float = 60.0,
    staged: bool = True,
    full: bool = False,
    progress: Progress | None = None,
    credentials: Credentials | None = None,
) -> LoadReport:
    """Make `graph` of a triple store hold exactly the union of kg/ (see `dipkg load`).

    `credentials` (see `endpoint_credentials`) go with every request to the three URLs.
    """
    import pyoxigraph

    from dipkg.stores.loading import load_dataset
    from dipkg.stores.remote import Endpoint

    chosen = _project(project)
    target = graph if graph is not None else chosen.built_base_iri() + KG_GRAPH_PATH
    try:
        pyoxigraph.NamedNode(target)
    except ValueError as exc:
        raise UsageError(f"--graph {target!r} is not a valid IRI") from exc
    remote = Endpoint.from_options(endpoint, update_url, store_url, credentials)
    return load_dataset(remote, target, chosen, timeout, staged, full, progress)


def export(project: ProjectLike, export_format: str = "trig", progress: Progress | None = None) -> bytes:
    """The published KG in another format (ttl, nt, nq, trig, jsonld), sorted: same KG, same bytes."""
    from dipkg.query.export import export_bytes

    if export_format not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {export_format!r} (known: {', '.join(EXPORT_FORMATS)})")
    chosen = _project(project)
    prefixes = prefix_map(chosen.built_base_iri())
    return export_bytes(chosen.kg_dir, chosen.store_dir, export_format, prefixes, progress)


def evaluate(
    project: ProjectLike,
    gold_dirs: Sequence[str | os.PathLike[str]] = (),
    article: str | None = None,
    *,
    progress: Progress | None = None,
) -> EvaluationReport:
    """Score the published kg/ against gold files in the corpus format (see `dipkg evaluate`).

    `gold_dirs` are folders of article folders each holding gold.json, or article folders
    themselves (default: the project's corpus/dev); `article` evaluates that article alone.
    The report renders as a table or JSON (`.render(format)`); `.score` is the overall percentage.
    """
    from dipkg.evaluate import evaluate as run_evaluation

    chosen = _project(project)
    folders = [Path(folder) for folder in gold_dirs]
    if not folders:
        if chosen.root is None or not chosen.root.joinpath(*DEFAULT_GOLD_DIR).is_dir():
            default = "/".join(DEFAULT_GOLD_DIR)
            raise UsageError(f"no gold folder given, and the project has no {default}/ folder")
        folders = [chosen.root.joinpath(*DEFAULT_GOLD_DIR)]
    return run_evaluation(chosen.kg_dir, chosen.vocabulary_files, folders, article, progress)


@dataclass(frozen=True)
class DraftResult:
    """One drafted article: its id, the folder it was (or would be) written to, its annotation
    text, and the summary line `dipkg draft` prints."""

    id: str
    folder: Path
    annotation: str
    summary: str


def draft(
    project: ProjectLike,
    files: Sequence[str | os.PathLike[str]],
    *,
    meta: str | os.PathLike[str] | None = None,
    published: str | None = None,
    headline: str | None = None,
    publisher: str | None = None,
    article_id: str | None = None,
    jobs: int = 1,
    write: bool = True,
    progress: Progress | None = None,
) -> list[DraftResult]:
    """Draft the annotation of each article file (see `dipkg draft`), written into the project's
    seeds/articles/ID/ unless `write` is false. Every input is checked, and no reviewed annotation
    would be overwritten, before anything is drafted; every article is drafted before anything is
    written, and then all are written or none."""
    from dipkg.draft.run import Options, check_targets, draft_all, read_inputs, write_drafts
    from dipkg.seeds.registry import load_registry
    from dipkg.seeds.vocabulary import load_vocabulary, vocabulary_of

    chosen = _project(project)
    vocabulary = vocabulary_of(load_vocabulary(chosen.vocabulary_files))
    registry = load_registry(chosen.seeds_dir / ENTITIES_SUBDIR, vocabulary)
    options = Options(Path(meta) if meta is not None else None, published, headline, publisher, article_id)
    articles = read_inputs([Path(f) for f in files], options, registry)
    if write:
        check_targets(chosen, articles)
    drafts = list(draft_all(chosen, registry, articles, jobs, progress))
    if write:
        write_drafts(chosen, drafts)
    return [DraftResult(d.article.id, d.folder, d.annotation, d.summary()) for d in drafts]


def save(path: str | os.PathLike[str], data: bytes) -> None:
    """Write an output file atomically (0644 under umask 022); its folder must exist."""
    from dipkg.build.publish import write_file

    write_file(Path(path), data)


def site(
    project: ProjectLike,
    out: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    sparql: str | None = None,
    progress: Progress | None = None,
) -> SiteReport:
    """Build (or bring up to date) the static site of kg/: a page and Turtle, JSON-LD and N-Triples
    documents for every resource, article pages, the timeline, the index and deployment files."""
    from dipkg.web.site import build_site

    chosen = _project(project)
    folder = Path(out) if out is not None else chosen.site_dir
    return build_site(chosen, folder, base_url=base_url, sparql=sparql, progress=progress)


def serve(
    project: ProjectLike,
    port: int = 7878,
    writable: bool = False,
    say: Callable[[str], None] = print,
    host: str = "127.0.0.1",
    site: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> None:
    """Serve the KG until interrupted: its pages and documents with content negotiation, and a
    read-only SPARQL endpoint (SERVICE and LOAD refused). The site is built into the cache, or
    `site` (a folder `dipkg site` wrote) is served as it is."""
    from dipkg.stores.serve import serve_kg

    chosen = _project(project)
    graph = chosen.built_base_iri() + KG_GRAPH_PATH

    def site_folder() -> Path:
        if site is None:
            return _served_site(chosen, progress)
        folder = Path(site)
        if not folder.is_dir():
            raise UsageError(f"--site {folder}: no such folder")
        return folder

    serve_kg(chosen.kg_dir, chosen.store_dir, port, writable, graph, say, site_folder, host=host)


def _served_site(project: Project, progress: Progress | None) -> Path:
    """The project's site, built (or brought up to date) in its cache folder."""
    from dipkg.web.site import build_site

    build_site(project, project.served_site_dir, progress=progress)
    return project.served_site_dir
