"""What every `kg` command module shares: the --data option and turning a library error
into a message. Imported by kg/cli.py, kg/cli/curate.py and kg/cli/sparql.py, so that
none of them imports another (kg.cli registers the other two's commands).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.core.errors import DataError, KGError


def data_option(f):
    # eager, so that shell completion of ids sees --data before the other arguments
    return click.option(
        "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        envvar="KG_DATA", show_envvar=True, is_eager=True,
        help="The data folder (default: ./data, else the repository's data/).")(f)


def fail(exc: KGError) -> None:
    """Translate a library error into a clean message and exit 1."""
    click.echo(str(exc), err=True)
    if isinstance(exc, DataError):
        click.echo(f"{len(exc.issues)} error(s). Run `kg validate` for the full report.", err=True)
    sys.exit(1)
