"""`python -m dipkg.domain --write|--check [--root DIR]`: regenerate or check the generated files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dipkg.domain.generate import Layout, generated_files, stale_files
from dipkg.errors import EXIT_BAD_INPUT, DipkgError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dipkg.domain", description=__doc__)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="rewrite every generated file")
    action.add_argument("--check", action="store_true", help="exit 1 when a generated file is stale")
    parser.add_argument("--root", type=Path, default=Path("."), help="the checkout (default: .)")
    args = parser.parse_args(argv)
    layout = Layout(args.root)
    try:
        return _run(layout, args.write)
    except (DipkgError, OSError, ValueError) as exc:
        print(f"python -m dipkg.domain: error: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", EXIT_BAD_INPUT)


def _run(layout: Layout, write: bool) -> int:
    """Rewrite the generated files, or report the stale ones (exit 1)."""
    if write:
        for path, text in generated_files(layout).items():
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path}")
        return 0
    stale = stale_files(layout)
    for path in stale:
        print(f"{path}: differs from domain.yaml; run python -m dipkg.domain --write", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
