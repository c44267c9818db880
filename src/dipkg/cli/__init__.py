"""The `dipkg` command line: options in, one call into `dipkg.api`, output out; errors become one line."""

from dipkg.cli import publishing, reading
from dipkg.cli.app import main

__all__ = ["main", "publishing", "reading"]
