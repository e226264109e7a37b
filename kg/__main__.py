"""`python -m kg` runs the `kg` command (same as the console script)."""

from kg.cli import entry

entry()
