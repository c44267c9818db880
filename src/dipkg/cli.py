"""The `dipkg` command line: a thin layer over the library; errors become one line and an exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from dipkg import __version__, paths
from dipkg.errors import (
    EXIT_BAD_INPUT,
    EXIT_NOT_CONFORMING,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WRITE_FAILED,
    DipkgError,
)

DEFAULT_BASE_IRI = "https://w3id.org/dipkg/"

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES_HELP = (
    f"Exit codes: {EXIT_OK} success; {EXIT_NOT_CONFORMING} does not conform to the shapes; "
    f"{EXIT_USAGE} usage error; {EXIT_BAD_INPUT} bad input (unreadable, unparsable or inconsistent "
    f"files); {EXIT_WRITE_FAILED} output not written."
)


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _fail(error: DipkgError) -> None:
    click.echo(f"dipkg: error: {error}", err=True)
    sys.exit(error.exit_code)


def _check_base_iri(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    allowed_end = value.endswith(("/", "#"))
    if (
        not value.startswith(("http://", "https://"))
        or not allowed_end
        or any(c in value for c in ' <>"{}|\\^`')
    ):
        raise click.BadParameter("must be an http(s) IRI ending in '/' or '#', with no spaces")
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="dipkg")
def main() -> None:
    """dipkg: publish diplomacy news as a linked-data knowledge graph.

    Each article in seeds/ is mapped into RDF under the dipkg ontology, with every fact
    traceable to the article's words, and published as Turtle in kg/.
    """


@main.command(epilog=EXIT_CODES_HELP)
@click.option(
    "--seeds",
    "seeds_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=paths.SEEDS_DIR,
    show_default="seeds/",
    help="Seeds folder to read.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=paths.KG_DIR,
    show_default="kg/",
    help="Folder to publish the graph in.",
)
@click.option(
    "--base-iri",
    default=DEFAULT_BASE_IRI,
    show_default=True,
    callback=_check_base_iri,
    help="Base of every minted data IRI.",
)
@click.option("--no-validate", is_flag=True, help="Publish without checking the graph against shapes/.")
def build(seeds_dir: Path, out_dir: Path, base_iri: str, no_validate: bool) -> None:
    """Build the knowledge graph from the seeds.

    Loads and checks every seed file, maps it to RDF and writes kg/entities.ttl,
    kg/articles/ID.ttl and kg/dipkg.trig. Nothing is written if any input is bad or if the
    graph violates the SHACL shapes (the report is printed).

    Example: dipkg build --seeds seeds --out kg
    """
    from dipkg.pipeline import NotConforming
    from dipkg.pipeline import build as run_build

    try:
        report = run_build(seeds_dir, out_dir, base_iri, shapes=None if no_validate else paths.SHAPES_DIR)
    except NotConforming as error:
        from dipkg.validation import Compactor, format_text, report_prefixes

        click.echo(format_text(error.report, Compactor(report_prefixes(base_iri))), err=True, nl=False)
        _fail(error)
        return
    except DipkgError as error:
        _fail(error)
        return
    click.echo(
        f"built {_relative(out_dir)}/ from {_relative(seeds_dir)}/: "
        f"{report.articles} article(s), {report.triples} triples"
    )
    width = max(len(f.path) for f in report.files)
    for published in report.files:
        state = "written" if published.changed else "unchanged"
        click.echo(f"  {published.path:<{width}}  {published.triples:>6} triples  {state}")
    for removed in report.removed:
        click.echo(f"  {removed:<{width}}  removed")


@main.command(epilog=EXIT_CODES_HELP)
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
    default=paths.SHAPES_DIR,
    show_default="shapes/",
    help="Shapes file, or folder of *.ttl shapes.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning", "info"]),
    default="violation",
    show_default=True,
    help="Lowest severity that makes the data fail.",
)
@click.option(
    "--format",
    "report_format",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--base-iri",
    default=DEFAULT_BASE_IRI,
    show_default=True,
    callback=_check_base_iri,
    help="Base IRI the data's IRIs must be under.",
)
@click.option(
    "--ontology",
    "check_ontology",
    is_flag=True,
    help="Check the ontology instead: OWL 2 RL consistency, header, labels, and terms used.",
)
def validate(
    files: tuple[str, ...],
    input_format: str | None,
    shapes_path: Path,
    fail_on: str,
    report_format: str,
    output: Path | None,
    base_iri: str,
    check_ontology: bool,
) -> None:
    """Validate RDF against the SHACL shapes (default: the published kg/).

    FILES are Turtle (.ttl), N-Triples (.nt), N-Quads (.nq), TriG (.trig) or JSON-LD (.jsonld),
    or - for standard input; they are parsed strictly, all graphs merged, and validated with the
    ontology mixed in. A one-line summary goes to standard error. Nothing is fetched from the
    network.

    Example: dipkg validate kg/dipkg.trig --fail-on warning --format json -o report.json
    """
    if check_ontology:
        _validate_ontology(files)
        return
    from dipkg.publish import write_files
    from dipkg.validation import (
        Compactor,
        format_json,
        format_text,
        format_turtle,
        report_prefixes,
        summary,
        validate_files,
    )

    names = list(files) or [str(paths.KG_DIR / paths.KG_DATASET_FILE)]
    try:
        report = validate_files(names, input_format, shapes_path, base_iri)
    except DipkgError as error:
        _fail(error)
        return
    if report_format == "json":
        text = format_json(report, fail_on)
    elif report_format == "turtle":
        text = format_turtle(report, fail_on)
    else:
        text = format_text(report, Compactor(report_prefixes(base_iri)))
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            write_files(output.parent, {output.name: text.encode("utf-8")})
        except DipkgError as error:
            _fail(error)
            return
    click.echo(f"dipkg validate: {summary(report, fail_on)}", err=True)
    sys.exit(EXIT_OK if report.conforms(fail_on) else EXIT_NOT_CONFORMING)


def _validate_ontology(files: tuple[str, ...]) -> None:
    from dipkg.ontology_check import check_ontology

    try:
        problems = check_ontology([Path(f) for f in files])
    except DipkgError as error:
        _fail(error)
        return
    for problem in problems:
        click.echo(problem)
    verdict = "ontology checks passed" if not problems else f"{len(problems)} problem(s)"
    click.echo(f"dipkg validate --ontology: {verdict}", err=True)
    sys.exit(EXIT_NOT_CONFORMING if problems else EXIT_OK)
