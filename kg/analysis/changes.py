"""What changed between two days: the facts that began or stopped holding, and the dated
happenings and figures of the interval, each with its sources.

The rule (queries/changes.rq gives the same rows over SPARQL):

- began / ended: a statement (any sourced field) whose `from`, or whose `to`, overlaps
  (since, as_of] at the precision the source gives: `from: 2025-04` and `to: 2025-04`
  are the whole of April 2025, so both are in (2025-04-14, 2026-04-14], the start and
  the end of one change alike (kg.semantics Window.began_within / ended_within). The
  row's day is the first day of `from` or of `to` (kg.semantics.time.change_day: an end
  sorts with the start that replaced it, before the events of its month), so it may lie
  outside the interval (2025-04-01 there); its `when` is the date as the source gives it.
  Deprecated statements never change.
  A fact known only `as_of` a day is evidence, not a change: it never appears here,
  nor does an end inferred from a horizon or a successor.
  An end lists the sources that can report it (kg.semantics.time, Timeline.end_sources):
  not one published before its `to` (the January rule is not the source of its May
  rescission); if none is left, those of the value that replaced it then; else its own,
  marked "published before the change". A start lists all its sources: one published
  before it announced it ahead.
- happened: a date-valued fact (a release, an event's date, a rule taking effect) whose
  date, at its precision, lies wholly inside the interval: a release in "2025-12" is
  inside (2025-11-01, 2026-01-31], one in "2025" is not.
- said: a quote's date, by the same rule: words are said, they do not happen
  (kg.semantics.wording.dated_change; a journalist's trial read a quote listed as
  "happened", "date: 2025-07-23").
- expected: the date of an event whose name says it is expected, planned or scheduled,
  by the same rule: it has not happened (dated_change; a fresh user's trial read
  "DeepSeek-V4 release (expected)" listed as "happened").
- figure: a figure (claim) reported for a period that lies wholly inside the interval.

Rows are sorted by day, then entity, field, value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kg.core.model import DateValue, as_decimal_text
from kg.semantics import Semantics
from kg.semantics.time import change_day
from kg.semantics.wording import dated_change


@dataclass(frozen=True)
class Change:
    """One change. day: the day it sorts by (the first day of its `from`, `to` or date:
    kg.semantics.time.change_day); when: the date as the source gives it; change: began | ended |
    happened | said | figure; value: the value as text (an id, an enum value, a date, a number);
    sources: source ids; how: for an end, how its sources were chosen (EndSources.how: ""
    its own, "successor", or PUBLISHED_BEFORE when every one was)."""

    day: dt.date
    change: str
    entity: str
    field: str
    value: str
    when: str
    sources: tuple[str, ...]
    claim: str | None = None  # the figure's id, for a change of kind "figure"
    how: str = ""


def inside(d: DateValue, since: dt.date, as_of: dt.date) -> bool:
    """Whether a date at its precision lies wholly in (since, as_of]."""
    return since < d.start and d.end <= as_of


def changes(sem: Semantics, since: dt.date, as_of: dt.date | None = None) -> list[Change]:
    """Every change in (since, as_of] (as_of: the dataset's date). Raises ValueError if
    since is not before as_of."""
    as_of = as_of or sem.date
    if since >= as_of:
        raise ValueError(f"--since {since} must be before --as-of {as_of}")
    out = []
    for ent in sorted(sem.entities.values(), key=lambda e: e.id):
        kind = sem.schema.kinds[ent.kind]
        for name, sts in sorted(ent.facts.items()):
            f = kind.fields.get(name)
            if f is None or not f.sourced:
                continue
            for st in sts:
                w = sem.window(ent.id, name, st)
                if w.basis == "never":
                    continue
                value = str(st.value)
                if w.began_within(since, as_of):
                    out.append(Change(w.start, "began", ent.id, name, value,
                                      str(st.valid_from), ent.sources_of(st)))
                if w.ended_within(since, as_of):
                    by = sem.end_sources(ent.id, name, st)
                    out.append(Change(change_day(st.valid_to), "ended", ent.id, name, value,
                                      str(st.valid_to), by.sources, how=by.how))
                if isinstance(st.value, DateValue) and inside(st.value, since, as_of):
                    out.append(Change(st.value.start, dated_change(ent.kind, ent.name), ent.id,
                                      name, value,
                                      value, ent.sources_of(st)))
        if ent.kind == "claim":
            period = ent.first("as_of")
            if period is not None and inside(period, since, as_of):
                out.append(Change(period.start, "figure", str(ent.first("about")),
                                  str(ent.first("measure")), as_decimal_text(ent.first("value")),
                                  str(period), ent.sources, ent.id))
    out.sort(key=lambda c: (c.day, c.entity, c.field, c.change, c.value, c.sources))
    return out
