"""The `dipkg` command line: a thin layer over the library; errors become one line and an exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from dipkg import __version__, paths
from dipkg.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, EXIT_WRITE_FAILED, DipkgError

DEFAULT_BASE_IRI = "https://w3id.org/dipkg/"

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES_HELP = (
    f"Exit codes: {EXIT_OK} success; {EXIT_USAGE} usage error; "
    f"{EXIT_BAD_INPUT} bad input (seeds, annotation, ontology); {EXIT_WRITE_FAILED} output not written."
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
def build(seeds_dir: Path, out_dir: Path, base_iri: str) -> None:
    """Build the knowledge graph from the seeds.

    Loads and checks every seed file, maps it to RDF and writes kg/entities.ttl,
    kg/articles/ID.ttl and kg/dipkg.trig. Nothing is written if any input is bad.

    Example: dipkg build --seeds seeds --out kg
    """
    from dipkg.pipeline import build as run_build

    try:
        report = run_build(seeds_dir, out_dir, base_iri)
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
