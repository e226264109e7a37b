"""What holds on a date: the one rule that the shortcut triples, `kg query as-of`, the
explorer's date slider and the report's --as-of/--since all call.

The rule (docs/semantics.md says it for researchers):

- A deprecated statement never holds (it is kept, ranked down, with its reason).
- A statement with `from`/`to` holds from the first day of `from` to the last day of
  `to`, at the precision the source gives: `to: 2025-12` holds until 2025-12-31,
  `from: 2025-12` from 2025-12-01, so on a day in December both hold and both are
  marked as changed that month (`changed_on`); on a single-valued field the ones that
  end and the ones that begin in that month are one change (`change_on`), shown as such.
- A start or an end is in an interval when the whole day, month or year the source
  gives for it shares a day with the interval (`overlaps`; `began_within` and
  `ended_within` for "what changed"): `to: 2025-04` and `from: 2025-04` are both in
  (2025-04-14, 2026-04-14], the end and the start of one change alike.
- A missing `from` means "since before the sources say"; a missing `to` means "still".
  What holds is not what was known: a statement with no date at all (no `from`, `to`
  or `as_of`) is first reported on its earliest source's publication date
  (`first_reported`, `Timeline.reported_from`). Before that day it holds by this rule
  (`kg query as-of` lists it) but no source had said it: `state_on` calls it "not yet
  reported", and the explorer shows it so, never as current. (A `to` dates a statement:
  the sources say it held until then.)
  On a single-valued temporal field (a chip's export status, an organisation's parent),
  an open-ended statement also ends the day before the next statement with another value
  starts (its `from`), so a history needs no `to` on every step.
- A statement known only `as_of` a day, on a temporal field (schema.yaml `temporal:
  true`), holds on that day and after it for the dataset's horizon (data/dataset.yaml, as_of_horizon_days), unless a statement of the same value
  ends it (`to`) or, on a single-valued field, one of another value starts after it.
  It never creates a start or an end: it is evidence, not a change.
- A field that is not temporal (a developer, a release date, a model's weights) holds at
  all times unless `from`/`to` bound it: its `as_of` is only when a source reported it.
- Of the statements that hold, preferred ones beat normal ones.
- Two current values of a single-valued field (outside a month of change) are a
  conflict: `kg lint` reports it until a maintainer ranks one.

- In a list of changes (the report's "What changed", queries/changes.rq), a change sorts
  by the first day of its date as the source gives it (`change_day`), an end as a start:
  `to: 2025-12` sorts on 2025-12-01, with the `from: 2025-12` that replaced it, and so
  before a 2025-12-08 event of that month (a fresh user's trial: sorted by its last day,
  the H200's "restricted ended" read as after the announcement that ended it).

- Who can report an end (`end_sources`: the report's "What changed", queries/changes.rq,
  the explorer): a source published before the whole day, month or year of a `to`
  (`published_before`; its `date`, dct:issued) cannot report that the value ended then,
  so it is not listed for that end; if none of the statement's sources is left, the
  sources of its successor (on a single-valued field that changes over time, a statement
  of another value whose `from` shares a day with the `to`) are listed; else its own,
  marked "published before the change" (a journalist's trial: the January Federal
  Register rule was cited for the AI Diffusion rule's May end, NVIDIA's April 8-K for the
  H20's August one). A start keeps all its sources: a source published before a `from`
  announces it ahead (a rule before its effective date, an appointment before it takes
  effect), and a statement's sources are what stated its value, its start with it.

Dates are datetime.date; windows are inclusive on both ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from kg.core.model import DateValue, Entity, Statement
from kg.core.schema import Field, Schema

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """When a statement holds: first and last day (None: open), and how that was decided.

    start_span/end_span: the precision span of its `from`/`to` (e.g. the whole month for
    `from: 2025-12`), inside which the statement is "changed that month"; None when the
    bound is not a dated change (open, or inferred from an as-of horizon or a successor).
    basis: "interval" (from/to), "as-of", "timeless" (not a temporal field, or no dates),
    or "never" (deprecated).
    end_by: why it ends (None when end is None): "to" (its own `to`, or a `to` on the
    same value), "successor" (another value starts), "horizon" (an as-of statement's
    horizon passed).
    """

    start: dt.date | None
    end: dt.date | None
    basis: str
    start_span: tuple[dt.date, dt.date] | None = None
    end_span: tuple[dt.date, dt.date] | None = None
    end_by: str | None = None

    def contains(self, day: dt.date) -> bool:
        if self.basis == "never":
            return False
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def changed_on(self, day: dt.date) -> bool:
        """Whether `day` falls in the month or year in which this statement began or ended."""
        return self.began_on(day) or self.ended_on(day)

    def began_on(self, day: dt.date) -> bool:
        """Whether `day` falls in the month or year of its `from` (not a day-precise one)."""
        return _inside(self.start_span, day)

    def ended_on(self, day: dt.date) -> bool:
        """Whether `day` falls in the month or year of its `to` (not a day-precise one)."""
        return _inside(self.end_span, day)

    def began_within(self, since: dt.date, until: dt.date) -> bool:
        """Whether this statement's `from`, the whole day, month or year the source gives,
        overlaps the interval (since, until]: "what changed" (kg.analysis.changes)."""
        return self.start_span is not None and overlaps(self.start_span, since + ONE_DAY, until)

    def ended_within(self, since: dt.date, until: dt.date) -> bool:
        """Whether this statement's `to`, the whole day, month or year the source gives,
        overlaps the interval (since, until]: the same rule as began_within."""
        return self.end_span is not None and overlaps(self.end_span, since + ONE_DAY, until)


def change_day(d: DateValue) -> dt.date:
    """The day a change dated `d` (a `from`, a `to`, a release's date) sorts by in a list of
    changes: the first day of `d` at the precision the source gives, whether it is a start
    or an end (the module's rule; queries/changes.rq's ?day)."""
    return d.start


def published_before(published: DateValue | None, change: DateValue) -> bool:
    """Whether a source published on `published` (its `date` at the precision it gives)
    came out before the whole day, month or year of `change`: its last day is before the
    change's first, so it cannot report that the change happened (the module's rule).
    A source without a date is never before (queries/changes.rq cuts both dates to the
    shorter and compares them: "2025-04-15" and "2025-08" as "2025-04" < "2025-08")."""
    return published is not None and published.end < change.start


PUBLISHED_BEFORE = "published before the change"  # the mark on an end no source can report


@dataclass(frozen=True)
class EndSources:
    """The sources listed for a statement's end (Timeline.end_sources). how: "" (its own
    sources published in or after the end's period), "successor" (none of its own was:
    those of the statement of another value that began then) or PUBLISHED_BEFORE (neither:
    its own, every one published before the change)."""

    sources: tuple[str, ...]
    how: str = ""


def overlaps(span: tuple[dt.date, dt.date], first: dt.date, last: dt.date) -> bool:
    """Whether the days span[0]..span[1] and first..last (both inclusive) share a day.

    The rule for a start or an end given to a precision: `from: 2025-04` or `to: 2025-04`
    (2025-04-01..2025-04-30) is in any interval that shares a day with April 2025, so a
    change dated only "April 2025" shows its end and its start in the same intervals."""
    return span[0] <= last and first <= span[1]


def _inside(span: tuple[dt.date, dt.date] | None, day: dt.date) -> bool:
    """Whether `day` falls in a month's or a year's span (a day-precise span is no
    month of change)."""
    return span is not None and span[0] != span[1] and overlaps(span, day, day)


NEVER = Window(None, None, "never")  # shared: windows are immutable and most are these two
TIMELESS = Window(None, None, "timeless")


def _span(d: DateValue | None) -> tuple[dt.date, dt.date] | None:
    return (d.start, d.end) if d is not None else None


def stated_start(st: Statement) -> dt.date | None:
    """The first day the statement itself names (its from, else its as_of), None if neither."""
    d = st.valid_from or st.as_of
    return d.start if d is not None else None


def published_on(entities: dict[str, Entity], source: str) -> DateValue | None:
    """A source's publication date (its `date`), None if it has none or is unknown."""
    ent = entities.get(source)
    d = ent.first("date") if ent is not None else None
    return d if isinstance(d, DateValue) else None


def first_reported(entities: dict[str, Entity], sources: Iterable[str]
                   ) -> tuple[DateValue | None, str | None]:
    """(the earliest publication date among `sources`, the id of the source that has it):
    their `date` field (data/source/*.yaml), earliest by first day, then by last; (None,
    None) when none of them is a source with a date. The day a fact with no date of its
    own was first reported: an undated statement (Timeline.reported_from), a figure with
    no period, an undated quote (kg.semantics.wording.first_report)."""
    best: tuple[DateValue, str] | None = None
    for s in sources:
        d = published_on(entities, s)
        if d is not None and (best is None or (d.start, d.end) <
                                         (best[0].start, best[0].end)):
            best = (d, s)
    return best if best is not None else (None, None)


def _start_of(st: Statement) -> dt.date | None:
    return st.valid_from.start if st.valid_from else None


def window(field: Field, st: Statement, siblings: list[Statement],
           horizon: dt.timedelta) -> Window:
    """When one statement of `field` holds, given the other statements of the same field.

    siblings: every statement of that field on the entity (st included).
    """
    if st.rank == "deprecated":
        return NEVER
    single = field.temporal and not field.many
    if not (st.valid_from or st.valid_to or single or (st.as_of and field.temporal)):
        return TIMELESS  # most statements: no siblings to read
    live = [s for s in siblings if s is not st and s.rank != "deprecated"]
    if st.valid_from or st.valid_to:
        start = st.valid_from.start if st.valid_from else None  # as_of is no start
        end = st.valid_to.end if st.valid_to else None
        end_by = "to" if end is not None else None
        if end is None and single:
            mine = _start_of(st)
            nexts = [_start_of(s) for s in live if s.value != st.value and s.valid_from
                     and (mine is None or _start_of(s) > mine)]
            if nexts:
                end, end_by = min(nexts) - ONE_DAY, "successor"
        return Window(start, end, "interval", _span(st.valid_from), _span(st.valid_to),
                      end_by)
    if st.as_of and field.temporal:
        end, end_by = st.as_of.end + horizon, "horizon"
        for s in live:
            if s.value == st.value and s.valid_to and s.valid_to.end >= st.as_of.start:
                if s.valid_to.end < end:  # the same fact, ended
                    end, end_by = s.valid_to.end, "to"
            elif single and s.value != st.value and s.valid_from \
                    and s.valid_from.start > st.as_of.end:
                if s.valid_from.start - ONE_DAY < end:  # superseded
                    end, end_by = s.valid_from.start - ONE_DAY, "successor"
        return Window(st.as_of.start, end, "as-of", end_by=end_by)
    if single:
        # no dates at all on a temporal single-valued field: holds until another value starts
        nexts = [_start_of(s) for s in live if s.value != st.value and s.valid_from]
        return Window(None, min(nexts) - ONE_DAY, "timeless", end_by="successor") \
            if nexts else TIMELESS
    return TIMELESS


class Timeline:
    """The rule applied to a set of entities with one schema and one horizon.

    Windows are computed once per statement and cached (keyed by the statement's id()).
    """

    def __init__(self, schema: Schema, entities: dict[str, Entity],
                 horizon: dt.timedelta = dt.timedelta(days=730)):
        self.schema, self.entities, self.horizon = schema, entities, horizon
        self._windows: dict[int, Window] = {}

    def field(self, entity: Entity, name: str) -> Field:
        return self.schema.kinds[entity.kind].fields[name]

    def window(self, entity: Entity, name: str, st: Statement) -> Window:
        """When st (a statement of entity's field `name`) holds; computed once per statement
        (the report's projection asks ~4 times per statement at 100k entities)."""
        key = id(st)
        w = self._windows.get(key)
        if w is None:
            w = window(self.schema.kinds[entity.kind].fields[name], st,
                       entity.facts.get(name, ()), self.horizon)
            self._windows[key] = w
        return w

    def reported_from(self, entity: Entity, name: str, st: Statement) -> dt.date | None:
        """The first day the sources report a statement that gives no date at all (no
        `from`, `to` or `as_of`; not deprecated): the first day of its earliest source's
        date (first_reported). None for a dated or deprecated statement, and when none of
        its sources has a date. Before that day it holds (the module's rule: "since before
        the sources say"), but is "not yet reported" (state_on). A statement with a `to`
        is dated by it: the sources say it held until then, whenever they were published
        (the H200's "restricted, to: 2025-12", from a 2026-01-31 source)."""
        if st.valid_from or st.valid_to or st.as_of or st.rank == "deprecated":
            return None
        d = first_reported(self.entities, entity.sources_of(st))[0]
        return d.start if d is not None else None

    def holds_on(self, entity: Entity, name: str, st: Statement, day: dt.date) -> bool:
        """Whether this statement holds on `day` (rank aside: see current)."""
        return self.window(entity, name, st).contains(day)

    def current(self, entity: Entity, name: str, day: dt.date) -> list[Statement]:
        """The statements of one field that hold on `day`, preferred beating normal."""
        sts = entity.facts.get(name)
        if not sts:
            return []
        windows, holding = self._windows, []
        for s in sts:  # holds_on, inlined: every built entity asks for every field
            w = windows.get(id(s))
            if w is None:
                w = self.window(entity, name, s)
            if w is TIMELESS or w.contains(day):
                holding.append(s)
        if len(holding) < 2:
            return holding
        preferred = [s for s in holding if s.rank == "preferred"]
        return preferred or holding

    def changed_on(self, entity: Entity, name: str, st: Statement, day: dt.date) -> bool:
        return self.window(entity, name, st).changed_on(day)

    def change_on(self, entity: Entity, name: str, day: dt.date) -> Change | None:
        """The change that `day` falls in, on a single-valued temporal field: of the current
        statements, those whose `to` month (or year) holds the day and those whose `from`
        month holds it, when there are both. Both hold on that day by the rule (the source
        gives the month, not the day), and they are one change, not two current values
        (the explorer says "changed in 2025-12: restricted → allowed-vetted-buyers").
        None when the field is many-valued or the day is in no such month."""
        f = self.schema.kinds[entity.kind].fields.get(name)
        if f is None or f.many or not f.temporal:
            return None
        cur = self.current(entity, name, day)
        ended = [s for s in cur if self.window(entity, name, s).ended_on(day)]
        began = [s for s in cur if self.window(entity, name, s).began_on(day)
                 and not any(s is e for e in ended)]
        return Change(entity, name, ended, began) if ended and began else None

    def state_on(self, entity: Entity, name: str, st: Statement, day: dt.date) -> str:
        """What one statement is on `day`, in one word (the explorer's labels):
        "holds" (current on that day); "not yet" (its `from`, or for a deprecated
        statement the `from` it names, is after the day); "not yet reported" (the same
        for a statement dated only by `as_of`: a source reported it on that date, and
        says nothing of before; and for a statement that names no start, before its
        sources first reported it: reported_from); "superseded" (another value started before the day);
        "ended" (its own `to` passed); "not reported since" (an as-of statement whose
        horizon passed: no source has said it since, which is not saying it ended);
        "outranked" (holds, but a preferred statement beats it); "ranked down"
        (deprecated: never holds).
        """
        w = self.window(entity, name, st)
        if w.basis == "never":
            begins = stated_start(st)
            if begins is not None and day < begins:
                return "not yet" if st.valid_from is not None else "not yet reported"
            return "ranked down"
        if w.start is not None and day < w.start:
            return "not yet reported" if w.basis == "as-of" else "not yet"
        if w.start is None:
            first = self.reported_from(entity, name, st)
            if first is not None and day < first:
                return "not yet reported"
        if w.end is not None and w.end < day:
            return {"successor": "superseded", "horizon": "not reported since"}.get(
                w.end_by, "ended")
        return "holds" if any(s is st for s in self.current(entity, name, day)) \
            else "outranked"

    def _single_valued(self, temporal: bool):
        """(entity, field name, its statements) for each single-valued field holding two
        statements or more (temporal: only temporal fields; else only sourced ones), by
        entity id."""
        for ent in sorted(self.entities.values(), key=lambda e: e.id):
            kind = self.schema.kinds[ent.kind]
            for name, sts in ent.facts.items():
                f = kind.fields.get(name)
                if f is None or f.many or len(sts) < 2 \
                        or not (f.temporal if temporal else f.sourced):
                    continue
                yield ent, name, sts


    def successors(self, entity: Entity, name: str, st: Statement) -> list[Statement]:
        """The statements that replaced st at its `to`, on a single-valued field that changes
        over time: another value, not deprecated, whose `from` shares a day with st's `to`
        (`to: 2025-08` and `from: 2025-08`; `to: 2025-05-13` and `from: 2025-05-13`)."""
        f = self.field(entity, name)
        end = st.valid_to
        if end is None or f.many or not f.temporal:
            return []
        return [s for s in entity.facts.get(name, ()) if s is not st and s.value != st.value
                and s.rank != "deprecated" and s.valid_from is not None
                and overlaps((s.valid_from.start, s.valid_from.end), end.start, end.end)]

    def end_sources(self, entity: Entity, name: str, st: Statement) -> EndSources:
        """The sources listed for st's end (its `to`), by the module's rule: its own that
        were not published before the end's period; else its successors' (`successors`);
        else its own, marked PUBLISHED_BEFORE. Never empty when st has sources."""
        own = entity.sources_of(st)
        if st.valid_to is None:
            return EndSources(own)
        can = tuple(s for s in own if not published_before(published_on(self.entities, s), st.valid_to))
        if can:
            return EndSources(can)
        after = tuple(dict.fromkeys(s for n in self.successors(entity, name, st)
                                    for s in entity.sources_of(n)))
        return EndSources(after, "successor") if after else EndSources(own, PUBLISHED_BEFORE)

    def undated_steps(self) -> list[tuple[Entity, str, Statement, Window]]:
        """(entity, field, statement, its window) for each statement with no date at all
        (no from, to or as_of), not deprecated, on a single-valued temporal field whose
        other statements are dated (from or to): by the rule above it is the first step
        of the field's history, holding until the first other value starts, which a
        maintainer who added a later step without its date did not mean (a researcher's
        trial: an undated "banned" went first, ending in 2023). `kg lint` warns of each."""
        out = []
        for ent, name, sts in self._single_valued(temporal=True):
            live = [s for s in sts if s.rank != "deprecated"]
            if any(s.valid_from or s.valid_to for s in live):
                out += [(ent, name, s, self.window(ent, name, s)) for s in live
                        if not (s.valid_from or s.valid_to or s.as_of)]
        return out

    def conflicts(self, day: dt.date) -> list[Conflict]:
        """Single-valued fields with two or more current values on `day`, outside a month
        of change and not merely the same date at two precisions."""
        out = []
        for ent, name, _ in self._single_valued(temporal=False):
            cur = [s for s in self.current(ent, name, day)
                   if not self.changed_on(ent, name, s, day)]
            if len(_distinct(cur)) > 1:
                out.append(Conflict(ent, name, cur))
        return out


@dataclass(frozen=True)
class Change:
    """A month (or year) of change on a single-valued field: the values that ended in it
    and those that began in it (Timeline.change_on)."""

    entity: Entity
    field: str
    ended: list[Statement]
    began: list[Statement]


@dataclass(frozen=True)
class Conflict:
    """Two or more current values of a single-valued field: a maintainer must rank one."""

    entity: Entity
    field: str
    statements: list[Statement]

    def format(self) -> str:
        vals = ", ".join(f"{s.value} (line {s.line})" for s in self.statements)
        return f"{self.field} has {len(self.statements)} current values: {vals}"


def _distinct(sts: list[Statement]) -> list:
    """Distinct values, where a date contained in another (2025-01-20 in 2025-01) is the same."""
    values: list = []
    for s in sts:
        v = s.value
        if isinstance(v, DateValue):
            if any(isinstance(o, DateValue) and (o.start <= v.start and v.end <= o.end
                                                 or v.start <= o.start and o.end <= v.end)
                   for o in values):
                continue
        elif v in values:
            continue
        values.append(v)
    return values
