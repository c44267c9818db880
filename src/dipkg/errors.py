"""Errors that reach the user as one line, and the exit codes they map to."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dipkg.validate.results import ValidationReport

EXIT_OK = 0
EXIT_NOT_CONFORMING = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_WRITE_FAILED = 4
EXIT_ENDPOINT_ERROR = 5
EXIT_INTERNAL_ERROR = 70
EXIT_INTERRUPTED = 130

EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_NOT_CONFORMING: (
        "the data does not conform to the shapes (or the ontology checks found a problem, or "
        "`evaluate` scored below --min)"
    ),
    EXIT_USAGE: "usage error (a bad option or value, or no project where one is needed)",
    EXIT_BAD_INPUT: "bad input (unreadable, unparsable or inconsistent files), or an endpoint out of reach",
    EXIT_WRITE_FAILED: (
        "the output could not be written, holds files dipkg did not publish, or another build is "
        "publishing into it (nothing published was changed)"
    ),
    EXIT_ENDPOINT_ERROR: "a SPARQL endpoint answered with an error",
    EXIT_INTERNAL_ERROR: "internal error: a bug in dipkg (please report it)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}


class DipkgError(Exception):
    """A problem the user can fix, located in a file and, where known, a line."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __reduce__(self) -> tuple[type, tuple[str, Path | str | None, int | None]]:
        """Keep file and line when the error crosses from a worker process."""
        return (type(self), (self.message, self.path, self.line))

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class InputError(DipkgError):
    """Seeds, annotation or RDF input that cannot be read, parsed or trusted."""


class PublishError(DipkgError):
    """Output that could not be written; nothing already published was changed."""

    exit_code = EXIT_WRITE_FAILED


class UsageError(DipkgError):
    """A command-line value that makes no sense (exit code 2)."""

    exit_code = EXIT_USAGE


class NotConforming(DipkgError):
    """The graph a build would publish violates the shapes; nothing was written."""

    exit_code = EXIT_NOT_CONFORMING

    def __init__(self, report: ValidationReport, out_dir: Path) -> None:
        counts = (
            f"{report.count('Violation')} violation(s), {report.count('Warning')} warning(s), "
            f"{report.count('Info')} info"
        )
        super().__init__(
            f"the knowledge graph does not conform to the shapes ({counts}); {out_dir}/ was left unchanged"
        )
        self.report = report
        self.out_dir = out_dir

    def __reduce__(self) -> tuple[type, tuple[ValidationReport, Path]]:  # type: ignore[override]
        """Keep the report when the error crosses from a worker process."""
        return (type(self), (self.report, self.out_dir))
