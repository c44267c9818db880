"""Commands that read a published graph: queries, query, load, export, serve, evaluate."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from dipkg import api
from dipkg.cli.app import (
    CHECKING_CODES,
    LOCAL_CODES,
    Settings,
    check_base_iri_option,
    command,
    kg_option,
    output_option,
)
from dipkg.errors import (
    EXIT_BAD_INPUT,
    EXIT_ENDPOINT_ERROR,
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NOT_CONFORMING,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WRITE_FAILED,
    DipkgError,
)

user_option = click.option(
    "--user",
    metavar="NAME",
    help="With --endpoint: the user to authenticate as (HTTP Basic or Digest); the password is read "
    "from DIPKG_SPARQL_PASSWORD or ~/.netrc, never from the command line.",
)


def _credentials(settings: Settings, endpoint: str, user: str | None) -> api.Credentials | None:
    """The endpoint's credentials (--user, DIPKG_SPARQL_PASSWORD, ~/.netrc), said with --verbose."""
    credentials = api.endpoint_credentials(endpoint, user)
    if credentials is not None:
        settings.detail(f"authenticating as {credentials.user} (password from {credentials.source})")
    return credentials


@command(LOCAL_CODES)
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


@command([*LOCAL_CODES[:-2], EXIT_WRITE_FAILED, EXIT_ENDPOINT_ERROR, *LOCAL_CODES[-2:]])
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
@output_option("the results (JSON unless --format)")
@click.option("--endpoint", help="Run on this SPARQL endpoint (http or https) instead of the local kg/.")
@click.option(
    "--graph",
    help="With --endpoint: the default graph (default: where `dipkg load` writes; '' for the server's).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, 86_400, min_open=True),
    default=30.0,
    show_default=True,
    help="With --endpoint: seconds to wait.",
)
@user_option
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
    user: str | None,
    kg_dir: Path | None,
) -> None:
    """Run a canned query (NAME, see `dipkg queries`) or a .rq FILE.

    Locally the query runs on an embedded Oxigraph store loaded from kg/, over the union of its
    graphs, and never touches the network. Parameters are bound as RDF terms.

    Example: dipkg query quotes --param speaker=ent:antony-blinken --format table
    """
    project = settings.project(kg=kg_dir)
    if user is not None and endpoint is None:
        raise click.UsageError("--user is for --endpoint")
    credentials = _credentials(settings, endpoint, user) if endpoint is not None else None
    started = time.monotonic()
    result = api.query(
        project,
        name,
        _parse_params(params),
        endpoint=endpoint,
        graph=graph,
        timeout=timeout,
        progress=settings.progress(),
        credentials=credentials,
    )
    settings.detail(f"{len(result.table.rows)} row(s) in {time.monotonic() - started:.3f} s")
    if output is not None:
        api.save(output, result.render(output_format or "json").encode("utf-8"))
        return
    chosen = output_format or ("table" if sys.stdout.isatty() else "json")
    click.echo(result.render(chosen), nl=False)


@command([EXIT_OK, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_ENDPOINT_ERROR, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED])
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
    type=click.FloatRange(0, 86_400, min_open=True),
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
    help="Ignore the record of the last load: compare GRAPH with kg/ and send the difference "
    "(or replace GRAPH whole where that cannot be done).",
)
@user_option
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
    user: str | None,
    kg_dir: Path | None,
) -> None:
    """Load the published KG into a triple store; a failed load changes nothing.

    All graphs of kg/ go, as one graph, to GRAPH, and its triple count is checked. If dipkg
    loaded GRAPH before and GRAPH still holds the triples that load left, only the change is
    sent: one SPARQL update deletes what no file states any more and inserts what is new.
    Otherwise (or with --full) a GRAPH that holds triples is read (Graph Store Protocol) and
    compared with kg/, and the difference is sent the same way. Where it cannot be (more than
    one update's worth, blank nodes, a graph that cannot be read), GRAPH is replaced whole: the
    data goes into a staging graph first and one SPARQL update moves it over GRAPH, so that a
    failure at any point leaves the live graph as it was; an empty GRAPH is filled directly and
    dropped again on failure. Running the command again converges. With --no-staging GRAPH is
    not compared but replaced whole, PUT straight over it (a failed load leaves a partly loaded
    graph until it is run again).

    With --user, the password is read from DIPKG_SPARQL_PASSWORD or ~/.netrc (never from the
    command line); a ~/.netrc entry for the endpoint's host is used even without --user.

    Example: dipkg load --endpoint http://127.0.0.1:7878
    """
    credentials = _credentials(settings, endpoint, user)
    report = api.load(
        settings.project(kg=kg_dir),
        endpoint,
        graph=graph,
        update_url=update_url,
        store_url=store_url,
        timeout=timeout,
        staged=not no_staging,
        full=full,
        progress=settings.progress(),
        credentials=credentials,
    )
    summary = f"loaded {report.triples} triples into graph <{report.graph}> at {report.endpoint}"
    if report.removed_and_added is not None:
        removed, added = report.removed_and_added
        found = "the graph compared with kg/" if report.compared else "the change since the last load"
        summary += f" ({found}: {removed} removed, {added} added)"
    if report.whole_because is not None:
        settings.detail(f"replaced the graph whole: {report.whole_because}")
    settings.say(summary)


@command([EXIT_OK, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_WRITE_FAILED, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED])
@click.option(
    "--format",
    "export_format",
    type=click.Choice(api.EXPORT_FORMATS),
    help="Output format (default: from the -o extension, else trig).",
)
@output_option("the export (its format from the extension unless --format)")
@kg_option
def export(settings: Settings, export_format: str | None, output: Path | None, kg_dir: Path | None) -> None:
    """Export the published KG (all graphs) in another RDF format.

    ttl and nt merge the graphs; nq, trig and jsonld keep the named graphs. Output is sorted,
    so the same KG always gives the same bytes.

    Example: dipkg export --format nt -o dipkg.nt
    """
    chosen = export_format or "trig"
    if export_format is None and output is not None:
        chosen = output.suffix.lstrip(".")
        if chosen not in api.EXPORT_FORMATS:
            raise click.BadParameter(
                f"cannot tell the format from the extension {output.suffix!r}; give --format",
                param_hint="-o",
            )
    data = api.export(settings.project(kg=kg_dir), chosen, settings.progress())
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        api.save(output, data)
        settings.detail(f"wrote {output} ({len(data)} bytes, {chosen})")


@command([EXIT_OK, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_WRITE_FAILED, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED])
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Folder to write the site in (default: the project's site/).",
)
@click.option(
    "--base-url",
    callback=check_base_iri_option,
    help="Where the site will be hosted, for the deployment files (default: the graph's base IRI).",
)
@click.option(
    "--sparql",
    "sparql_url",
    metavar="URL",
    help="SPARQL endpoint of the query forms (default: sparql beside the index, as `dipkg serve` has it).",
)
@kg_option
def site(
    settings: Settings,
    out_dir: Path | None,
    base_url: str | None,
    sparql_url: str | None,
    kg_dir: Path | None,
) -> None:
    """Publish kg/ as a static site: pages and RDF documents for every resource.

    Every resource IRI gets a page (PATH.html) and its description as Turtle, JSON-LD and
    N-Triples (PATH.ttl, .jsonld, .nt); articles show their text with each evidence span
    highlighted and linked to what it supports; a timeline, the index (counts, licence, downloads,
    canned queries with forms) and deployment files (.htaccess, nginx.conf, w3id.htaccess) doing
    content negotiation. A rebuild rewrites only what changed.

    Example: dipkg site --out public --base-url https://example.org/dipkg/
    """
    report = api.site(settings.project(kg=kg_dir), out_dir, base_url, sparql_url, settings.progress())
    settings.say(report.summary())


@command(LOCAL_CODES)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="Port to listen on."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--writable", is_flag=True, help="Serve read-write (default: read-only).")
@click.option(
    "--site",
    "site_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Serve this site folder (written by `dipkg site`) as it is (default: build the site into the "
    "cache).",
)
@kg_option
def serve(
    settings: Settings, port: int, host: str, writable: bool, site_dir: Path | None, kg_dir: Path | None
) -> None:
    """Serve the KG as linked data: pages, RDF documents and a SPARQL endpoint.

    Every resource IRI path answers with content negotiation (303 See Other to its page, Turtle,
    JSON-LD or N-Triples document by the Accept header; 406 for other types). /sparql answers
    SPARQL 1.1 Protocol queries, and shows a query editor in a browser. The KG is loaded into an
    Oxigraph server, in the graph BASE/graph/kg (BASE: the base IRI it was built with), which is
    also the default graph for queries. Every query is parsed first: SERVICE and LOAD (requests to
    other servers) are refused, and so are updates unless --writable (then at /update). Stop with
    Ctrl-C or SIGTERM.

    Example: dipkg serve --port 7878
    """
    project = settings.project(kg=kg_dir)
    api.serve(project, port, writable, settings.say, host=host, site=site_dir, progress=settings.progress())


@command(CHECKING_CODES)
@click.argument(
    "gold_dirs", nargs=-1, metavar="[GOLD_DIR]...", type=click.Path(path_type=Path, file_okay=False)
)
@click.option("--article", "article", metavar="ID", help="Evaluate this article only.")
@click.option(
    "--format",
    "report_format",
    type=click.Choice(api.EVALUATION_FORMATS),
    default="table",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--min",
    "minimum",
    metavar="PERCENT",
    type=click.FloatRange(0, 100),
    help="Fail (exit 1) when the overall score is below PERCENT.",
)
@output_option("the report")
@kg_option
def evaluate(
    settings: Settings,
    gold_dirs: tuple[Path, ...],
    article: str | None,
    report_format: str,
    minimum: float | None,
    output: Path | None,
    kg_dir: Path | None,
) -> int:
    """Score the published KG against gold files (the corpus format).

    Each GOLD_DIR is a folder of article folders holding gold.json, or one such article folder
    (default: the project's corpus/dev); a folder's name is the id of its article in the graph.
    Per article and overall: gold entities found (by label), events matched (PLOVER category,
    actor and target, date, kind, evidence offsets, response), quotes and roles matched, and
    unasserted pairs kept unlinked; the score is the percentage of gold items satisfied. A
    one-line summary goes to standard error.

    Example: dipkg evaluate corpus/dev --min 60 --format json -o evaluation.json
    """
    report = api.evaluate(settings.project(kg=kg_dir), list(gold_dirs), article, progress=settings.progress())
    text = report.render(report_format)
    if output is None:
        click.echo(text, nl=False)
    else:
        api.save(output, text.encode("utf-8"))
    failed = minimum is not None and report.below(minimum)
    verdict = f"; below --min {minimum:g}%" if failed and minimum is not None else ""
    settings.say(f"dipkg evaluate: {report.summary()}{verdict}", err=True)
    return EXIT_NOT_CONFORMING if failed else EXIT_OK
