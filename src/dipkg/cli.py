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
    EXIT_ENDPOINT_ERROR,
    EXIT_NOT_CONFORMING,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WRITE_FAILED,
    DipkgError,
)
from dipkg.iris import DEFAULT_BASE_IRI, prefix_map

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


kg_option = click.option(
    "--kg",
    "kg_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=paths.KG_DIR,
    show_default="kg/",
    help="The published knowledge graph folder.",
)


def _progress_bar(stage: str, done: int, total: int) -> None:
    """A one-line progress bar on standard error, for terminals."""
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done == total else ""
    click.echo(
        f"\r{stage:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}", err=True, nl=False
    )


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
@click.option("--jobs", type=click.IntRange(1, 256), help="Worker processes (default: one per core).")
def build(seeds_dir: Path, out_dir: Path, base_iri: str, no_validate: bool, jobs: int | None) -> None:
    """Build the knowledge graph from the seeds.

    Loads and checks every seed file, maps it to RDF and writes kg/entities.ttl,
    kg/articles/ID.ttl (one named graph each) and kg/void.ttl (which lists them). Nothing is
    written if any input is bad or if the graph violates the SHACL shapes (the report is
    printed). Unchanged articles are reused from the cache (.dipkg-cache/, or $DIPKG_CACHE_DIR).

    Example: dipkg build --seeds seeds --out kg
    """
    from dipkg.pipeline import NotConforming
    from dipkg.pipeline import build as run_build

    try:
        report = run_build(
            seeds_dir,
            out_dir,
            base_iri,
            shapes=None if no_validate else paths.SHAPES_DIR,
            jobs=jobs,
            progress=_progress_bar if sys.stderr.isatty() else None,
        )
    except NotConforming as error:
        from dipkg.validation import Compactor, format_text

        click.echo(format_text(error.report, Compactor(prefix_map(base_iri))), err=True, nl=False)
        _fail(error)
        return
    except DipkgError as error:
        _fail(error)
        return
    click.echo(
        f"built {_relative(out_dir)}/ from {_relative(seeds_dir)}/: "
        f"{report.articles} article(s), {report.triples} triples"
    )
    click.echo(
        f"  {report.mapped} article(s) mapped, {report.validated} validated, "
        f"{report.articles - report.mapped} reused from the cache"
    )
    written = [f for f in report.files if f.changed]
    width = max([len(f.path) for f in written] + [len(r) for r in report.removed] + [1])
    for published in written:
        click.echo(f"  {published.path:<{width}}  {published.triples:>6} triples  written")
    for removed in report.removed:
        click.echo(f"  {removed:<{width}}  removed")
    unchanged = len(report.files) - len(written)
    if unchanged:
        click.echo(f"  {unchanged} file(s) unchanged")


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

    Example: dipkg validate kg/entities.ttl kg/articles/*.ttl --fail-on warning --format json -o report.json
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
        summary,
        validate_files,
    )

    try:
        if files:
            names = list(files)
        else:
            from dipkg.dataset import dataset_files

            names = [str(f) for f in dataset_files(paths.KG_DIR)]
        report = validate_files(names, input_format, shapes_path, base_iri)
    except DipkgError as error:
        _fail(error)
        return
    if report_format == "json":
        text = format_json(report, fail_on)
    elif report_format == "turtle":
        text = format_turtle(report, fail_on)
    else:
        text = format_text(report, Compactor(prefix_map(base_iri)))
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


DEFAULT_GRAPH = DEFAULT_BASE_IRI + "graph/kg"


@main.command("queries", epilog=EXIT_CODES_HELP)
def list_queries() -> None:
    """List the canned queries: name, parameters and summary.

    Example: dipkg queries
    """
    from dipkg.queries import catalogue

    try:
        entries = catalogue(paths.QUERIES_DIR)
    except DipkgError as error:
        _fail(error)
        return
    rows = []
    for query in entries:
        params = ", ".join(
            f"{p.name.lstrip('_')}:{p.type}"
            + ("" if p.required else "?")
            + (f"={p.default}" if p.default else "")
            for p in query.parameters
        )
        rows.append((query.name, params or "-", query.summary))
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


@main.command(epilog=EXIT_CODES_HELP + f" {EXIT_ENDPOINT_ERROR} the endpoint answered with an error.")
@click.argument("name")
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
    type=click.Choice(["table", "json", "csv", "tsv"]),
    help="Output format (default: table on a terminal, SPARQL JSON otherwise).",
)
@click.option("--endpoint", help="Run on this SPARQL endpoint (http or https) instead of the local kg/.")
@click.option(
    "--graph",
    default=DEFAULT_GRAPH,
    show_default=True,
    help="With --endpoint: the graph to query as the default graph ('' for the server's default).",
)
@click.option(
    "--timeout", type=float, default=30.0, show_default=True, help="With --endpoint: seconds to wait."
)
@kg_option
def query(
    name: str,
    params: tuple[str, ...],
    output_format: str | None,
    endpoint: str | None,
    graph: str,
    timeout: float,
    kg_dir: Path,
) -> None:
    """Run a canned query (NAME, see `dipkg queries`) or a .rq file.

    Locally the query runs on an embedded Oxigraph store loaded from kg/, over the union of its
    graphs, and never touches the network. Parameters are bound as RDF terms.

    Example: dipkg query quotes --param speaker=ent:antony-blinken --format table
    """
    from dipkg.queries import bind_parameters, find_query, with_bindings
    from dipkg.results import to_csv, to_json, to_table, to_tsv

    try:
        canned = find_query(name, paths.QUERIES_DIR)
        prefixes = prefix_map()
        text = with_bindings(canned.text, bind_parameters(canned, _parse_params(params), prefixes))
        if endpoint is None:
            from dipkg.store import open_store, run_local

            table = run_local(open_store(kg_dir), text)
        else:
            from dipkg.remote import Endpoint, run_remote

            table = run_remote(Endpoint.from_options(endpoint), text, timeout, graph or None)
    except DipkgError as error:
        _fail(error)
        return
    chosen = output_format or ("table" if sys.stdout.isatty() else "json")
    if chosen == "table":
        click.echo(to_table(table, prefixes), nl=False)
    elif chosen == "csv":
        click.echo(to_csv(table), nl=False)
    elif chosen == "tsv":
        click.echo(to_tsv(table), nl=False)
    else:
        click.echo(to_json(table), nl=False)


@main.command(epilog=EXIT_CODES_HELP + f" {EXIT_ENDPOINT_ERROR} the endpoint answered with an error.")
@click.option(
    "--endpoint",
    required=True,
    help="The server: a bare http://host:port is an Oxigraph server (its /query, /update and /store "
    "are derived); otherwise the SPARQL query URL.",
)
@click.option("--graph", default=DEFAULT_GRAPH, show_default=True, help="The graph to replace with the KG.")
@click.option("--update-url", help="SPARQL 1.1 Update URL (needed unless --endpoint is a bare Oxigraph URL).")
@click.option(
    "--store-url", help="Graph Store Protocol URL (needed unless --endpoint is a bare Oxigraph URL)."
)
@click.option(
    "--timeout", type=float, default=60.0, show_default=True, help="Seconds to wait for each request."
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
    endpoint: str,
    graph: str,
    update_url: str | None,
    store_url: str | None,
    timeout: float,
    no_staging: bool,
    full: bool,
    kg_dir: Path,
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
    from dipkg.errors import UsageError
    from dipkg.loading import load_dataset
    from dipkg.remote import Endpoint

    try:
        import pyoxigraph

        try:
            pyoxigraph.NamedNode(graph)
        except ValueError as exc:
            raise UsageError(f"--graph {graph!r} is not a valid IRI") from exc
        report = load_dataset(
            Endpoint.from_options(endpoint, update_url, store_url),
            graph,
            kg_dir,
            timeout,
            staged=not no_staging,
            full=full,
        )
    except DipkgError as error:
        _fail(error)
        return
    summary = f"loaded {report.triples} triples into graph <{report.graph}> at {report.endpoint}"
    if report.removed_and_added is not None:
        removed, added = report.removed_and_added
        summary += f" (the change since the last load: {removed} removed, {added} added)"
    click.echo(summary)


@main.command(epilog=EXIT_CODES_HELP)
@click.option(
    "--format",
    "export_format",
    type=click.Choice(["ttl", "nt", "nq", "trig", "jsonld"]),
    default="trig",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file.")
@kg_option
def export(export_format: str, output: Path | None, kg_dir: Path) -> None:
    """Export the published KG (all graphs) in another RDF format.

    ttl and nt merge the graphs; nq, trig and jsonld keep the named graphs. Output is sorted,
    so the same KG always gives the same bytes.

    Example: dipkg export --format nt -o dipkg.nt
    """
    from dipkg.export import export_bytes
    from dipkg.publish import write_files

    try:
        data = export_bytes(kg_dir, export_format)
        if output is None:
            sys.stdout.buffer.write(data)
        else:
            write_files(output.parent, {output.name: data})
    except DipkgError as error:
        _fail(error)


@main.command(epilog=EXIT_CODES_HELP)
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True)
@click.option("--writable", is_flag=True, help="Serve read-write (default: read-only).")
@kg_option
def serve(port: int, writable: bool, kg_dir: Path) -> None:
    """Serve the KG as a SPARQL endpoint on 127.0.0.1 with the Oxigraph server.

    The KG is loaded into the graph <https://w3id.org/dipkg/graph/kg>, which is also the
    server's default graph for queries. Stop with Ctrl-C.

    Example: dipkg serve --port 7878
    """
    from dipkg.serve import serve_kg

    try:
        serve_kg(kg_dir, port, writable, DEFAULT_GRAPH, click.echo)
    except DipkgError as error:
        _fail(error)
