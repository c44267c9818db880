"""Commands that make and check a project's graph: init, build, validate."""

from __future__ import annotations

from pathlib import Path

import click

from dipkg import api
from dipkg.cli.app import (
    CHECKING_CODES,
    Settings,
    check_base_iri_option,
    command,
    kg_option,
    output_option,
)
from dipkg.errors import (
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NOT_CONFORMING,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WRITE_FAILED,
)


@command([EXIT_OK, EXIT_USAGE, EXIT_WRITE_FAILED, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED])
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--base-iri",
    default=api.DEFAULT_BASE_IRI,
    show_default=True,
    callback=check_base_iri_option,
    help="Base of every minted data IRI.",
)
def init(settings: Settings, folder: Path, base_iri: str) -> None:
    """Create a new publishing project in FOLDER.

    Writes dipkg.toml (the base IRI and the project's folders), seeds/articles/,
    seeds/entities/ and an empty kg/. Commands run inside FOLDER then use it.

    Example: dipkg init my-project --base-iri https://example.org/kg/
    """
    api.init(folder, base_iri)
    settings.say(f"created a dipkg project in {str(folder).rstrip('/')}/ (base IRI {base_iri})")
    settings.say(
        "  add articles under seeds/articles/ID/ and shared entities under seeds/entities/,"
        " then run `dipkg build`"
    )


@command(CHECKING_CODES)
@click.option(
    "--seeds",
    "seeds_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Seeds folder to read (default: the project's seeds/).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to publish the graph in (default: the project's kg/).",
)
@click.option(
    "--base-iri",
    callback=check_base_iri_option,
    help="Base of every minted data IRI (default: the project's).",
)
@click.option("--no-validate", is_flag=True, help="Publish without checking the graph against the shapes.")
@click.option("--jobs", type=click.IntRange(1, 256), help="Worker processes (default: one per core).")
@click.option(
    "--force",
    is_flag=True,
    help="Build into a folder holding files dipkg did not publish (they are left alone).",
)
@click.option(
    "--include-drafts",
    is_flag=True,
    help="Publish draft annotations (status: draft) too, marked as unreviewed.",
)
def build(
    settings: Settings,
    seeds_dir: Path | None,
    out_dir: Path | None,
    base_iri: str | None,
    no_validate: bool,
    jobs: int | None,
    force: bool,
    include_drafts: bool,
) -> None:
    """Build the knowledge graph from the seeds.

    Loads and checks every seed file, maps it to RDF and writes kg/entities.ttl,
    kg/articles/ID.ttl (one named graph each) and kg/void.ttl (which lists them). Nothing is
    written if any input is bad or if the graph violates the SHACL shapes (the report is
    printed). Unchanged articles are reused from the project's cache (.dipkg-cache/). Draft
    annotations (status: draft) are checked but left out unless --include-drafts.

    Example: dipkg build --jobs 2
    """
    project = settings.project(seeds=seeds_dir, kg=out_dir, base_iri=base_iri)
    try:
        report = api.build(
            project,
            validate=not no_validate,
            jobs=jobs,
            progress=settings.progress(),
            force=force,
            include_drafts=include_drafts,
        )
    except api.NotConforming as error:
        click.echo(api.ValidationOutcome(error.report, project.base_iri).render(), err=True, nl=False)
        raise
    settings.say(
        f"built {_shown(project.kg_dir)}/ from {_shown(project.seeds_dir)}/: "
        f"{report.articles} article(s), {report.triples} triples"
    )
    written = [f for f in report.files if f.changed]
    settings.say(
        f"  {report.mapped} article(s) mapped, {report.validated} validated, "
        f"{report.articles - report.mapped} reused from the cache; {len(written)} file(s) written, "
        f"{len(report.files) - len(written)} unchanged, {len(report.removed)} removed"
    )
    if report.drafts_left_out:
        settings.say(
            f"  {report.drafts_left_out} draft article(s) left out "
            "(dipkg build --include-drafts publishes them)"
        )
    for published in written:
        settings.detail(f"  written  {published.path}  ({published.triples} triples)")
    for removed in report.removed:
        settings.detail(f"  removed  {removed}")


def _shown(path: Path) -> str:
    """A path relative to the current folder where it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@command(CHECKING_CODES)
@click.argument("files", nargs=-1)
@click.option(
    "--input-format",
    type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld"]),
    help="Format of every FILE (default: from the extension; standard input is Turtle).",
)
@click.option(
    "--shapes",
    "shapes_path",
    type=click.Path(path_type=Path),
    help="Shapes file, or folder of *.ttl shapes (default: the shipped shapes and the project's).",
)
@click.option(
    "--fail-on",
    type=click.Choice(api.FAIL_ON),
    default="violation",
    show_default=True,
    help="Lowest severity that makes the data fail.",
)
@click.option(
    "--format",
    "report_format",
    type=click.Choice(api.REPORT_FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
@output_option("the report")
@click.option(
    "--base-iri",
    callback=check_base_iri_option,
    help="Base IRI the data's IRIs must be under (default: the one kg/ was built with).",
)
@click.option(
    "--ontology",
    "check_ontology",
    is_flag=True,
    help="Check the ontology instead: OWL 2 RL consistency, header, labels, and terms used.",
)
@click.option("--jobs", type=click.IntRange(1, 256), help="Worker processes (default: one per core).")
@kg_option
def validate(
    settings: Settings,
    files: tuple[str, ...],
    input_format: str | None,
    shapes_path: Path | None,
    fail_on: str,
    report_format: str,
    output: Path | None,
    base_iri: str | None,
    check_ontology: bool,
    jobs: int | None,
    kg_dir: Path | None,
) -> int:
    """Validate RDF against the SHACL shapes (default: the published kg/).

    FILES are Turtle (.ttl), N-Triples (.nt), N-Quads (.nq), TriG (.trig) or JSON-LD (.jsonld),
    or - for standard input; they are parsed strictly and validated with the ontology mixed in,
    graph by graph (the results of validating all graphs merged), or all merged at once with
    --shapes. A one-line summary goes to standard error. Nothing is fetched from the network.

    Example: dipkg validate kg/entities.ttl kg/articles/*.ttl --fail-on warning --format json -o report.json
    """
    project = settings.project(kg=kg_dir)
    if check_ontology:
        problems = api.check_ontology(project, list(files))
        for problem in problems:
            click.echo(problem)
        verdict = "ontology checks passed" if not problems else f"{len(problems)} problem(s)"
        settings.say(f"dipkg validate --ontology: {verdict}", err=True)
        return EXIT_NOT_CONFORMING if problems else EXIT_OK
    outcome = api.validate(
        project,
        list(files),
        input_format=input_format,
        shapes=shapes_path,
        base_iri=base_iri,
        progress=settings.progress(),
        jobs=jobs,
    )
    text = outcome.render(report_format, fail_on)
    if output is None:
        click.echo(text, nl=False)
    else:
        api.save(output, text.encode("utf-8"))
    settings.say(f"dipkg validate: {outcome.summary(fail_on)}", err=True)
    return EXIT_OK if outcome.conforms(fail_on) else EXIT_NOT_CONFORMING


@command(CHECKING_CODES)
@click.argument(
    "files",
    nargs=-1,
    required=True,
    metavar="ARTICLE.txt...",
    type=click.Path(path_type=Path, dir_okay=False),
)
@click.option(
    "--meta",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Metadata of the article (JSON or YAML: id, headline, publisher, date_published, "
    "language); default: a meta.json or meta.yaml beside each article.",
)
@click.option("--date", "published", metavar="YYYY-MM-DD", help="Publication date of the article.")
@click.option("--headline", help="Headline (default: the first line of the text).")
@click.option(
    "--publisher", metavar="NAME", help="Publisher: the label or id of an entity of seeds/entities/."
)
@click.option(
    "--id", "article_id", metavar="ID", help="Article id (default: from the metadata or the file's folder)."
)
@click.option("--jobs", type=click.IntRange(1, 256), default=1, show_default=True, help="Worker processes.")
@click.option(
    "--stdout", "to_stdout", is_flag=True, help="Print the annotation instead of writing the article."
)
def draft(
    settings: Settings,
    files: tuple[Path, ...],
    meta: Path | None,
    published: str | None,
    headline: str | None,
    publisher: str | None,
    article_id: str | None,
    jobs: int,
    to_stdout: bool,
) -> None:
    """Draft the annotation of new articles, for a person to review.

    Reads each article (English text) with spaCy and dipkg's lexicon of diplomatic language and
    writes seeds/articles/ID/ (article.txt verbatim, meta.yaml, annotation.yaml with status:
    draft): entities matched to seeds/entities/ or proposed, post holdings, events with their
    roles and dates, unrealised acts, quotations, claims and the sentences to review first, each
    item with its verbatim evidence, offset and confidence. A reviewed annotation is never
    overwritten. `dipkg build` leaves drafts out until they are reviewed (or --include-drafts).
    Needs the drafting extra: pip install 'dipkg[draft]'.

    Example: dipkg draft corpus/new/*/article.txt --jobs 2
    """
    results = api.draft(
        settings.project(),
        list(files),
        meta=meta,
        published=published,
        headline=headline,
        publisher=publisher,
        article_id=article_id,
        jobs=jobs,
        write=not to_stdout,
        progress=settings.progress(),
    )
    for result in results:
        if to_stdout:
            click.echo(result.annotation, nl=False)
            settings.say(result.summary, err=True)
        else:
            settings.say(f"drafted {_shown(result.folder)}/: {result.summary.split(': ', 1)[1]}")
