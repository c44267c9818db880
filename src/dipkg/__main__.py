"""Allow `python -m dipkg`."""

from dipkg.cli import main

main()
