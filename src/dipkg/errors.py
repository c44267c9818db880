"""Errors that reach the user as one line, and the exit codes they map to."""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_NOT_CONFORMING = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_WRITE_FAILED = 4
EXIT_ENDPOINT_ERROR = 5


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
