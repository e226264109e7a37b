"""What every `kg` command module shares: the --data option and turning a library error
into a message. Imported by kg/cli.py, kg/cli/curate.py and kg/cli/sparql.py, so that
none of them imports another (kg.cli registers the other two's commands).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from kg.core.errors import DataError, KGError
from kg.data.loader import escape_controls

_JSON_CONTROLS = re.compile("[\x7f-\x9f]")  # json.dumps escapes C0 itself, but not DEL and C1


def echo(message="", err: bool = False, nl: bool = True) -> None:
    """click.echo that never sends a raw control character (other than tab and newline) to a
    terminal: a data file or an argument could otherwise set colours or the window title."""
    click.echo(escape_controls(str(message)), err=err, nl=nl)


def json_text(value) -> str:
    """JSON for people and scripts: UTF-8 as is, every control character escaped."""
    text = json.dumps(value, indent=1, ensure_ascii=False, default=str)
    return _JSON_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_records(records, data_dir: Path | None = None) -> str:
    """json_text of records (dicts, such as Issue.__dict__) whose "path" is relative to
    the data folder's parent, with each path as the text lines show it: one that opens
    from the current folder (`kg validate --data ../copy/data --json` gives
    "../copy/data/model/x.yaml", not "data/model/x.yaml", another file)."""
    from kg.core.errors import shown_path
    from kg.data.loader import issues_root

    root = issues_root(data_dir)
    return json_text([{**r, "path": shown_path(r["path"], root)} if r.get("path") else r
                      for r in records])


def data_option(f):
    # eager, so that shell completion of ids sees --data before the other arguments
    return click.option(
        "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        envvar="KG_DATA", show_envvar=True, is_eager=True,
        help="The data folder (default: ./data, else the repository's data/).")(f)


def _no_cache(ctx, param, value):
    if value:
        from kg.data import filecache

        filecache.turn_off()


def no_cache_option(f):
    """--no-cache for the commands that write outputs (as KG_NO_CACHE=1)."""
    return click.option("--no-cache", is_flag=True, expose_value=False, is_eager=True,
                        callback=_no_cache,
                        help="Compute everything again (as KG_NO_CACHE=1): no file's check, "
                        "network measure, chart or layout is read back from the cache.")(f)


def fail(exc: KGError, data_dir: Path | None = None) -> None:
    """Translate a library error into a clean message and exit 1: the last line starts with
    `Error: ` (click's convention); the lines of a DataError come first, as kg validate's,
    their paths as the user can open them from the current folder (data_dir: the --data
    given, None: the default; the issues' paths are relative to its parent). A stage's bar
    still on the terminal (kg.cli.progress) is cleared first, or the error would be
    written on its line."""
    from kg.cli import progress

    progress.close()
    if isinstance(exc, DataError):
        from kg.data.loader import data_argument, issues_root
        from kg.data.validate import follow_on_line, in_reading_order

        root = issues_root(data_dir)
        shown, follow = in_reading_order(exc.issues)
        for issue in shown:
            echo(issue.format(root) if issue.path else issue.message, err=True)
        if follow:
            echo(follow_on_line(follow, root), err=True)
        echo(f"Error: {len(exc.issues)} error(s). Run `kg validate{data_argument(data_dir)}` "
             "for the full report.", err=True)
    else:
        echo(f"Error: {exc}", err=True)
    sys.exit(1)


def day_callback(ctx, param, value):
    """A click callback: YYYY-MM-DD -> datetime.date (None stays None); else a usage error."""
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a day (YYYY-MM-DD)") from None
