"""The `dipkg` command line: options in, one call into `dipkg.api`, output out; errors become one line."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from dipkg import api
from dipkg.errors import (
    EXIT_BAD_INPUT,
    EXIT_CODES,
    EXIT_ENDPOINT_ERROR,
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NOT_CONFORMING,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WRITE_FAILED,
    DipkgError,
)

F = TypeVar("F", bound=Callable[..., Any])
BUG_REPORTS = "https://github.com/dipkg/dipkg/issues"


def _exit_codes_help(codes: Sequence[int]) -> str:
    return "Exit codes: " + "; ".join(f"{code} {EXIT_CODES[code]}" for code in codes) + "."


ALL_CODES = sorted(EXIT_CODES)
LOCAL_CODES = [EXIT_OK, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED]


def _say_error(message: str) -> None:
    click.echo(f"dipkg: error: {message}", err=True)


class Interrupted(DipkgError):
    """The user pressed Ctrl-C."""

    exit_code = EXIT_INTERRUPTED


class DipkgGroup(click.Group):
    """Runs a command and turns every failure into one `dipkg: error:` line and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as interrupt:
            raise Interrupted("interrupted") from interrupt

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        kwargs["prog_name"] = "dipkg"
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.ClickException as error:
            hint = ""
            if isinstance(error, click.UsageError) and error.ctx is not None:
                hint = f" (see `{error.ctx.command_path} --help`)"
            _say_error(error.format_message().replace("\n", " ") + hint)
            sys.exit(error.exit_code)
        except (click.exceptions.Abort, KeyboardInterrupt):
            _say_error("interrupted")
            sys.exit(EXIT_INTERRUPTED)
        except DipkgError as error:
            _say_error(str(error).replace("\n", " "))
            sys.exit(error.exit_code)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(EXIT_OK)
        except Exception as error:  # anything else is a bug: one line, its own exit code
            first = (str(error).splitlines() or [""])[0]
            _say_error(
                f"internal error ({type(error).__name__}: {first}); please report it at {BUG_REPORTS} "
                "with the command you ran"
            )
            sys.exit(EXIT_INTERNAL_ERROR)
        sys.exit(result if isinstance(result, int) else EXIT_OK)


@dataclass
class Settings:
    """The group's options, shared by every command."""

    project_dir: Path | None = None
    quiet: bool = False
    verbose: bool = False

    def project(self, **overrides: Any) -> api.Project:
        """The project, from --project or the current folder upwards, with command-line overrides."""
        return api.open_project(self.project_dir, **overrides)

    def say(self, message: str, err: bool = False) -> None:
        """Print a line unless --quiet."""
        if not self.quiet:
            click.echo(message, err=err)

    def detail(self, message: str) -> None:
        """Print a line only with --verbose."""
        if self.verbose:
            click.echo(message, err=True)

    def progress(self) -> api.Progress | None:
        """A progress bar on standard error when it is a terminal (and not --quiet)."""
        return None if self.quiet or not sys.stderr.isatty() else ProgressBar()


class ProgressBar:
    """A one-line progress bar with rate and estimated time left, redrawn in place."""

    def __init__(self) -> None:
        self.stage = ""
        self.started = self.last = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self.stage:
            self.stage, self.started = stage, self.last
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        left = (total - done) / rate if rate > 0 else 0.0
        width = 30
        filled = width * done // max(total, 1)
        line = (
            f"\r{stage:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
            f"  {rate:,.1f}/s  ETA {int(left) // 60}:{int(left) % 60:02d}"
        )
        click.echo(line + ("\n" if done == total else ""), err=True, nl=False)


def _verbosity(command: F) -> F:
    """Add --quiet and --verbose to a command."""

    def set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            ctx.ensure_object(Settings).quiet = True

    def set_verbose(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            ctx.ensure_object(Settings).verbose = True

    command = click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=set_quiet,
        help="Print only errors and results.",
    )(command)
    return click.option(
        "-v", "--verbose", is_flag=True, expose_value=False, callback=set_verbose, help="Print more detail."
    )(command)


def _command(codes: Sequence[int]) -> Callable[[F], F]:
    """A subcommand of `main` with --quiet/--verbose and its exit codes in its help."""

    def decorate(function: F) -> F:
        with_settings = click.pass_obj(function)
        first_line = (function.__doc__ or "").strip().splitlines()[0]
        command = main.command(epilog=_exit_codes_help(codes), short_help=first_line)
        return command(_verbosity(with_settings))  # type: ignore[return-value]

    return decorate


kg_option = click.option(
    "--kg",
    "kg_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="The published knowledge graph folder (default: the project's kg/).",
)


def _check_base_iri(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    problem = api.check_base_iri(value)
    if problem:
        raise click.BadParameter(problem)
    return value


@click.group(
    cls=DipkgGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=_exit_codes_help(ALL_CODES),
)
@click.version_option(api.__version__, prog_name="dipkg")
@click.option(
    "--project",
    "project_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="The project folder (default: the folder holding dipkg.toml, from here upwards).",
)
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None) -> None:
    """dipkg: publish diplomacy news as a linked-data knowledge graph.

    Each article in seeds/ is mapped into RDF under the dipkg ontology, with every fact
    traceable to the article's words, and published as Turtle in kg/. Start with
    `dipkg init DIR`.
    """
    ctx.ensure_object(Settings).project_dir = project_dir
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@_command([EXIT_OK, EXIT_USAGE, EXIT_WRITE_FAILED, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED])
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--base-iri",
    default=api.DEFAULT_BASE_IRI,
    show_default=True,
    callback=_check_base_iri,
    help="Base of every minted data IRI.",
)
def init(settings: Settings, folder: Path, base_iri: str) -> None:
    """Create a new publishing project in FOLDER.

    Writes dipkg.toml (the base IRI and the project's folders), seeds/articles/,
    seeds/entities/ and an empty kg/. Commands run inside FOLDER then use it.

    Example: dipkg init my-project --base-iri https://example.org/kg/
    """
    api.init(folder, base_iri)
    settings.say(f"created a dipkg project in {folder}/ (base IRI {base_iri})")
    settings.say(
        "  add articles under seeds/articles/ID/ and shared entities under seeds/entities/,"
        " then run `dipkg build`"
    )


@_command(
    [
        EXIT_OK,
        EXIT_NOT_CONFORMING,
        EXIT_USAGE,
        EXIT_BAD_INPUT,
        EXIT_WRITE_FAILED,
        EXIT_INTERNAL_ERROR,
        EXIT_INTERRUPTED,
    ]
)
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
    "--base-iri", callback=_check_base_iri, help="Base of every minted data IRI (default: the project's)."
)
@click.option("--no-validate", is_flag=True, help="Publish without checking the graph against the shapes.")
@click.option("--jobs", type=click.IntRange(1, 256), help="Worker processes (default: one per core).")
@click.option(
    "--force",
    is_flag=True,
    help="Build into a folder holding files dipkg did not publish (they are left alone).",
)
def build(
    settings: Settings,
    seeds_dir: Path | None,
    out_dir: Path | None,
    base_iri: str | None,
    no_validate: bool,
    jobs: int | None,
    force: bool,
) -> None:
    """Build the knowledge graph from the seeds.

    Loads and checks every seed file, maps it to RDF and writes kg/entities.ttl,
    kg/articles/ID.ttl (one named graph each) and kg/void.ttl (which lists them). Nothing is
    written if any input is bad or if the graph violates the SHACL shapes (the report is
    printed). Unchanged articles are reused from the project's cache (.dipkg-cache/).

    Example: dipkg build --jobs 2
    """
    project = settings.project(seeds=seeds_dir, kg=out_dir, base_iri=base_iri)
    try:
        report = api.build(
            project, validate=not no_validate, jobs=jobs, progress=settings.progress(), force=force
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


@_command(
    [
        EXIT_OK,
        EXIT_NOT_CONFORMING,
        EXIT_USAGE,
        EXIT_BAD_INPUT,
        EXIT_WRITE_FAILED,
        EXIT_INTERNAL_ERROR,
        EXIT_INTERRUPTED,
    ]
)
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
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file instead of standard output (its folder must exist).",
)
@click.option(
    "--base-iri",
    callback=_check_base_iri,
    help="Base IRI the data's IRIs must be under (default: the one kg/ was built with).",
)
@click.option(
    "--ontology",
    "check_ontology",
    is_flag=True,
    help="Check the ontology instead: OWL 2 RL consistency, header, labels, and terms used.",
)
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
    kg_dir: Path | None,
) -> int:
    """Validate RDF against the SHACL shapes (default: the published kg/).

    FILES are Turtle (.ttl), N-Triples (.nt), N-Quads (.nq), TriG (.trig) or JSON-LD (.jsonld),
    or - for standard input; they are parsed strictly, all graphs merged, and validated with the
    ontology mixed in. A one-line summary goes to standard error. Nothing is fetched from the
    network.

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
    )
    text = outcome.render(report_format, fail_on)
    if output is None:
        click.echo(text, nl=False)
    else:
        api.save(output, text.encode("utf-8"))
    settings.say(f"dipkg validate: {outcome.summary(fail_on)}", err=True)
    return EXIT_OK if outcome.conforms(fail_on) else EXIT_NOT_CONFORMING


@_command(LOCAL_CODES)
def queries(settings: Settings) -> None:
    """List the canned queries: name, parameters and summary.

    The queries shipped with dipkg and the project's own (its queries/ folder).

    Example: dipkg queries
    """
    rows = []
    for canned in api.queries(settings.project()):
        params = ", ".join(
            f"{p.name.lstrip('_')}:{p.type}"
            + ("" if p.required else "?")
            + (f"={p.default}" if p.default else "")
            for p in canned.parameters
        )
        rows.append((canned.name, params or "-", canned.summary))
    widths = [max(len(r[i]) for r in [("NAME", "PARAMETERS", ""), *rows]) for i in range(2)]
    click.echo(f"{'NAME':<{widths[0]}}  {'PARAMETERS':<{widths[1]}}  SUMMARY")
    for name, params, summary in rows:
        click.echo(f"{name:<{widths[0]}}  {params:<{widths[1]}}  {summary}")


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--param")
        parsed[key] = value
    return parsed


def _complete_query_names(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of canned query names (those of the project the shell is in)."""
    try:
        names = [
            q.name
            for q in api.queries(api.open_project((ctx.find_object(Settings) or Settings()).project_dir))
        ]
    except DipkgError:
        return []
    return [name for name in names if name.startswith(incomplete)]


@_command([*LOCAL_CODES[:-2], EXIT_WRITE_FAILED, EXIT_ENDPOINT_ERROR, *LOCAL_CODES[-2:]])
@click.argument("name", metavar="NAME|FILE", shell_complete=_complete_query_names)
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A query parameter (repeatable); IRIs may be CURIEs such as ent:china.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(api.QUERY_FORMATS),
    help="Output format (default: table on a terminal, SPARQL JSON otherwise).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the results to this file (its folder must exist; default format: JSON).",
)
@click.option("--endpoint", help="Run on this SPARQL endpoint (http or https) instead of the local kg/.")
@click.option(
    "--graph",
    help="With --endpoint: the default graph (default: where `dipkg load` writes; '' for the server's).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, min_open=True),
    default=30.0,
    show_default=True,
    help="With --endpoint: seconds to wait.",
)
@kg_option
def query(
    settings: Settings,
    name: str,
    params: tuple[str, ...],
    output_format: str | None,
    output: Path | None,
    endpoint: str | None,
    graph: str | None,
    timeout: float,
    kg_dir: Path | None,
) -> None:
    """Run a canned query (NAME, see `dipkg queries`) or a .rq FILE.

    Locally the query runs on an embedded Oxigraph store loaded from kg/, over the union of its
    graphs, and never touches the network. Parameters are bound as RDF terms.

    Example: dipkg query quotes --param speaker=ent:antony-blinken --format table
    """
    project = settings.project(kg=kg_dir)
    started = time.monotonic()
    result = api.query(
        project,
        name,
        _parse_params(params),
        endpoint=endpoint,
        graph=graph,
        timeout=timeout,
        progress=settings.progress(),
    )
    settings.detail(f"{len(result.table.rows)} row(s) in {time.monotonic() - started:.3f} s")
    if output is not None:
        api.save(output, result.render(output_format or "json").encode("utf-8"))
        return
    chosen = output_format or ("table" if sys.stdout.isatty() else "json")
    click.echo(result.render(chosen), nl=False)


@_command([EXIT_OK, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_ENDPOINT_ERROR, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED])
@click.option(
    "--endpoint",
    required=True,
    help="The server: a bare http://host:port is an Oxigraph server (its /query, /update and /store "
    "are derived); otherwise the SPARQL query URL.",
)
@click.option(
    "--graph", help="The graph to replace with the KG (default: BASE/graph/kg of the published graph)."
)
@click.option("--update-url", help="SPARQL 1.1 Update URL (needed unless --endpoint is a bare Oxigraph URL).")
@click.option(
    "--store-url", help="Graph Store Protocol URL (needed unless --endpoint is a bare Oxigraph URL)."
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds to wait for each request.",
)
@click.option(
    "--no-staging",
    is_flag=True,
    help="Upload straight over GRAPH with the server's bulk path: fast, but not atomic.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Replace GRAPH whole, even where only the change since the last load could be sent.",
)
@kg_option
def load(
    settings: Settings,
    endpoint: str,
    graph: str | None,
    update_url: str | None,
    store_url: str | None,
    timeout: float,
    no_staging: bool,
    full: bool,
    kg_dir: Path | None,
) -> None:
    """Load the published KG into a triple store; a failed load changes nothing.

    All graphs of kg/ go, as one graph, to GRAPH, and its triple count is checked. If dipkg
    loaded GRAPH before and GRAPH still holds the triples that load left, only the change is
    sent: one SPARQL update deletes what no file states any more and inserts what is new.
    Otherwise GRAPH is replaced whole (Graph Store Protocol): if it holds triples, the data goes
    into a staging graph first and one SPARQL update moves it over GRAPH, so that a failure at
    any point leaves the live graph as it was; an empty GRAPH is filled directly and dropped
    again on failure. Running the command again converges. With --no-staging a whole load is
    PUT straight over GRAPH (a failed load leaves a partly loaded graph until it is run again).

    Example: dipkg load --endpoint http://127.0.0.1:7878
    """
    report = api.load(
        settings.project(kg=kg_dir),
        endpoint,
        graph=graph,
        update_url=update_url,
        store_url=store_url,
        timeout=timeout,
        staged=not no_staging,
        full=full,
    )
    summary = f"loaded {report.triples} triples into graph <{report.graph}> at {report.endpoint}"
    if report.removed_and_added is not None:
        removed, added = report.removed_and_added
        summary += f" (the change since the last load: {removed} removed, {added} added)"
    settings.say(summary)


@_command([EXIT_OK, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_WRITE_FAILED, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED])
@click.option(
    "--format",
    "export_format",
    type=click.Choice(api.EXPORT_FORMATS),
    help="Output format (default: from the -o extension, else trig).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file (its folder must exist).",
)
@kg_option
def export(settings: Settings, export_format: str | None, output: Path | None, kg_dir: Path | None) -> None:
    """Export the published KG (all graphs) in another RDF format.

    ttl and nt merge the graphs; nq, trig and jsonld keep the named graphs. Output is sorted,
    so the same KG always gives the same bytes.

    Example: dipkg export --format nt -o dipkg.nt
    """
    guessed = output.suffix.lstrip(".") if output is not None else ""
    chosen = export_format or (guessed if guessed in api.EXPORT_FORMATS else "trig")
    data = api.export(settings.project(kg=kg_dir), chosen, settings.progress())
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        api.save(output, data)
        settings.detail(f"wrote {output} ({len(data)} bytes, {chosen})")


@_command(LOCAL_CODES)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="Port to listen on."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--writable", is_flag=True, help="Serve read-write (default: read-only).")
@kg_option
def serve(settings: Settings, port: int, host: str, writable: bool, kg_dir: Path | None) -> None:
    """Serve the KG as a SPARQL endpoint (Oxigraph behind a checking proxy).

    The KG is loaded into the graph BASE/graph/kg (BASE: the base IRI it was built with), which is
    also the server's default graph for queries. Every query is parsed first: SERVICE and LOAD
    (requests to other servers) are refused, and so are updates unless --writable. Stop with
    Ctrl-C or SIGTERM.

    Example: dipkg serve --port 7878
    """
    api.serve(settings.project(kg=kg_dir), port, writable, settings.say, host=host)
