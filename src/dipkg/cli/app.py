"""The command group: shared options, output helpers, and the one handler that turns failures into
exit codes."""

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
REDRAW_SECONDS = 0.1


def exit_codes_help(codes: Sequence[int]) -> str:
    return "Exit codes: " + "; ".join(f"{code} {EXIT_CODES[code]}" for code in codes) + "."


ALL_CODES = sorted(EXIT_CODES)
LOCAL_CODES = [EXIT_OK, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED]
# build, validate and evaluate: everything a local command can return, and "does not conform".
CHECKING_CODES = [
    EXIT_OK,
    EXIT_NOT_CONFORMING,
    EXIT_USAGE,
    EXIT_BAD_INPUT,
    EXIT_WRITE_FAILED,
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
]


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
        self.drawn = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self.stage:
            self.stage, self.started, self.drawn = stage, self.last, 0.0
        self.last = now
        if done != total and now - self.drawn < REDRAW_SECONDS:
            return
        self.drawn = now
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


def with_verbosity(command: F) -> F:
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


def command(codes: Sequence[int]) -> Callable[[F], F]:
    """A subcommand of `main` with --quiet/--verbose and its exit codes in its help."""

    def decorate(function: F) -> F:
        with_settings = click.pass_obj(function)
        first_line = (function.__doc__ or "").strip().splitlines()[0]
        command = main.command(epilog=exit_codes_help(codes), short_help=first_line)
        return command(with_verbosity(with_settings))  # type: ignore[return-value]

    return decorate


kg_option = click.option(
    "--kg",
    "kg_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="The published knowledge graph folder (default: the project's kg/).",
)


def output_option(what: str) -> Callable[[F], F]:
    """`-o/--output FILE`: write `what` to a file (whose folder must exist) instead of standard output."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        help=f"Write {what} to this file instead of standard output (its folder must exist).",
    )


def check_base_iri_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
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
    epilog=exit_codes_help(ALL_CODES),
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
