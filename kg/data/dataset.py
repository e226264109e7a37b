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


def read_dataset_info(data_dir: Path) -> DatasetInfo:
    """Read data_dir/dataset.yaml. Raises KGError naming the file and line if it is wrong."""
    path = Path(data_dir) / DATASET_FILE
    if not path.is_file():
        return DatasetInfo(None)
    rel = path.as_posix()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise KGError(f"{rel}: not readable YAML ({exc}). Fix: write `date: YYYY-MM-DD`") from exc
    if not isinstance(raw, dict):
        raise KGError(f"{rel}:1: expected `date: YYYY-MM-DD`. Fix: write the dataset's date")
    unknown = sorted(set(raw) - KEYS)
    if unknown:
        raise KGError(f"{rel}: unknown key(s) {', '.join(map(str, unknown))}. "
                      f"Fix: the keys are {', '.join(sorted(KEYS))}")
    when = raw.get("date")
    if isinstance(when, dt.date) and not isinstance(when, dt.datetime):
        day = when
    else:
        try:
            parsed = DateValue.parse(str(when))
        except ValueError as exc:
            raise KGError(f"{rel}: date {when!r} is not a day ({exc}). "
                          "Fix: write `date: YYYY-MM-DD`") from exc
        if parsed.precision != "day":
            raise KGError(f"{rel}: date {when!r} is not a day. Fix: write `date: YYYY-MM-DD`")
        day = parsed.start
    horizon = raw.get("as_of_horizon_days", DEFAULT_HORIZON_DAYS)
    if not isinstance(horizon, int) or isinstance(horizon, bool) or not 0 < horizon <= 36500:
        raise KGError(f"{rel}: as_of_horizon_days {horizon!r} is not a number of days. "
                      "Fix: a whole number from 1 to 36500")
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
