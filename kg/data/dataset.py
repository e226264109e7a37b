"""The dataset's own settings, in data/dataset.yaml: the date the graph describes.

The graph describes the world as of one day that lives in the repository, so a
build never reads the clock and the same data gives the same bytes in 2031.
Current values (the shortcut triples), the library's date defaults, the
explorer's first view and the report are all computed for this day. A
maintainer advances it with `kg dataset --date YYYY-MM-DD` after a curation round.

    date: 2026-04-14          # the day the graph describes (YYYY-MM-DD)
    as_of_horizon_days: 730   # how long a fact known only "as of" a day is taken to hold

Without the file (a small test data set), the date is the newest source date in
the data, and the horizon is the default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from kg.core.errors import KGError
from kg.core.model import DateValue

DATASET_FILE = "dataset.yaml"
DEFAULT_HORIZON_DAYS = 730
KEYS = {"date", "as_of_horizon_days"}


@dataclass(frozen=True)
class DatasetInfo:
    """date: the day the graph describes; horizon_days: how long an as-of fact holds."""

    date: dt.date | None
    horizon_days: int = DEFAULT_HORIZON_DAYS
    path: Path | None = None

    @property
    def horizon(self) -> dt.timedelta:
        return dt.timedelta(days=self.horizon_days)


class DatasetFileError(KGError):
    """data/dataset.yaml is wrong: where (file as the data folder's name/dataset.yaml,
    1-based line), what, and the fix. str() is the whole sentence."""

    def __init__(self, path: str, line: int, problem: str, fix: str):
        self.path, self.line, self.problem, self.fix = path, line, problem, fix
        super().__init__(f"{path}:{line}: {problem}. Fix: {fix}")


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, with timestamps left as text: `date: 2026-13-14` becomes a
    message naming the line, not a ValueError from the timestamp constructor."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp",
                        lambda loader, node: loader.construct_scalar(node))


def _line_of(text: str, key: str) -> int:
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith(f"{key}:"):
            return n
    return 1


def read_dataset_info(data_dir: Path) -> DatasetInfo:
    """Read data_dir/dataset.yaml. Raises DatasetFileError (a KGError) naming the file as
    `<data folder>/dataset.yaml`, the line, what is wrong and the fix."""
    path = Path(data_dir) / DATASET_FILE
    if not path.is_file():
        return DatasetInfo(None)
    rel = f"{Path(data_dir).resolve().name}/{DATASET_FILE}"
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DatasetFileError(rel, 1, "not UTF-8 text", "save the file as UTF-8") from None
    try:
        raw = yaml.load(text, Loader=_Loader) or {}  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = " ".join(str(getattr(exc, "problem", None) or "").split()) or "syntax error"
        raise DatasetFileError(rel, mark.line + 1 if mark else 1, f"YAML syntax error: {problem}",
                               "write `date: YYYY-MM-DD` and `as_of_horizon_days: N`, one "
                               "per line") from None
    if not isinstance(raw, dict):
        raise DatasetFileError(rel, 1, "expected `date: YYYY-MM-DD`",
                               "write the dataset's date as `date: YYYY-MM-DD`")
    unknown = sorted(set(raw) - KEYS)
    if unknown:
        raise DatasetFileError(rel, _line_of(text, str(unknown[0])),
                               f"unknown key(s) {', '.join(map(str, unknown))}",
                               f"the keys are {', '.join(sorted(KEYS))}")
    when = raw.get("date")
    try:
        parsed = DateValue.parse(str(when))
    except ValueError as exc:
        raise DatasetFileError(rel, _line_of(text, "date"),
                               f"date {when!r} is not a valid day ({exc})",
                               "write `date: YYYY-MM-DD`") from None
    if parsed.precision != "day":
        raise DatasetFileError(rel, _line_of(text, "date"), f"date {when!r} is not a day",
                               "write `date: YYYY-MM-DD`, a day, not a month or a year")
    day = parsed.start
    horizon = raw.get("as_of_horizon_days", DEFAULT_HORIZON_DAYS)
    if not isinstance(horizon, int) or isinstance(horizon, bool) or not 0 < horizon <= 36500:
        raise DatasetFileError(rel, _line_of(text, "as_of_horizon_days"),
                               f"as_of_horizon_days {horizon!r} is not a number of days",
                               "a whole number from 1 to 36500")
    return DatasetInfo(day, horizon, path)


def write_dataset_date(data_dir: Path, day: dt.date) -> Path:
    """Set the dataset's date in data_dir/dataset.yaml, keeping the horizon (atomic write)."""
    info = read_dataset_info(data_dir)
    path = Path(data_dir) / DATASET_FILE
    text = (
        "# The day the graph describes: current values, the query library's date defaults,\n"
        "# the explorer's first view and the report are computed for it (builds never read\n"
        "# the clock). Advance it with `kg dataset --date YYYY-MM-DD` after a curation round.\n"
        f"date: {day.isoformat()}\n"
        "# How long a fact known only \"as of\" a day is taken to hold, unless it is ended\n"
        "# or superseded first (docs/semantics.md).\n"
        f"as_of_horizon_days: {info.horizon_days}\n"
    )
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
