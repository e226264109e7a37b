"""The semantic layer: what holds on a date, what is disputed, which bloc.

SPARQL (through the triples the graph materialises from it), the explorer and the
reports all call these rules, so they never disagree. docs/semantics.md states them.

    sem = Semantics(schema, entities, read_dataset_info(data_dir))
    sem.date                                  # the day the graph describes
    sem.current("nvidia-h200", "export_status")   # statements holding on sem.date
    sem.current("nvidia-h200", "export_status", date(2025, 11, 15))
    sem.bloc("huawei")                        # "china"
    sem.disputes()                            # [Dispute(...)]
    sem.best_reliability(("bitbiased-2026-12-dimensions",))   # "low"
    sem.successor("old-id")                   # ("new-id", "") or (None, "why withdrawn")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property

from kg.core.errors import Issue
from kg.core.model import Entity, Statement
from kg.core.schema import Schema
from kg.data.dataset import DatasetInfo
from kg.semantics.blocs import BLOC_COLOURS, BLOC_LABELS, BLOCS, Blocs
from kg.semantics.disputes import Dispute, bounds, claimant, disputes
from kg.semantics.time import (
    PUBLISHED_BEFORE,
    Change,
    Conflict,
    EndSources,
    Timeline,
    Window,
    published_before,
    window,
)

EPOCH = dt.date(1970, 1, 1)


def newest_source_date(entities: dict[str, Entity]) -> dt.date:
    """The last day of the newest source's date: the fallback dataset date."""
    days = [e.first("date").end for e in entities.values()
            if e.kind == "source" and e.first("date") is not None]
    return max(days) if days else EPOCH


class Semantics:
    """The rules applied to one validated data set, for its dataset date.

    date: the dataset's date (data/dataset.yaml, else the newest source date).
    Every method that takes `day` defaults to that date.
    """

    def __init__(self, schema: Schema, entities: dict[str, Entity],
                 info: DatasetInfo | None = None):
        info = info or DatasetInfo(None)
        self.schema, self.entities, self.info = schema, entities, info
        self.date: dt.date = info.date or newest_source_date(entities)
        self.timeline = Timeline(schema, entities, info.horizon)
        self._blocs: dict[dt.date, Blocs] = {}
        self._best: dict[tuple[str, ...], str] = {}  # sources -> best reliability ("": none)

    # -- time ----------------------------------------------------------------------------
    def window(self, entity_id: str, field: str, st: Statement) -> Window:
        return self.timeline.window(self.entities[entity_id], field, st)

    def holds_on(self, entity_id: str, field: str, st: Statement,
                 day: dt.date | None = None) -> bool:
        return self.timeline.holds_on(self.entities[entity_id], field, st, day or self.date)

    def current(self, entity_id: str, field: str, day: dt.date | None = None) -> list[Statement]:
        """The statements of one field of one entity that hold on `day`, preferred first."""
        return self.timeline.current(self.entities[entity_id], field, day or self.date)

    def changed_on(self, entity_id: str, field: str, st: Statement,
                   day: dt.date | None = None) -> bool:
        return self.timeline.changed_on(self.entities[entity_id], field, st, day or self.date)

    def change_on(self, entity_id: str, field: str, day: dt.date | None = None) -> Change | None:
        return self.timeline.change_on(self.entities[entity_id], field, day or self.date)

    def end_sources(self, entity_id: str, field: str, st: Statement) -> EndSources:
        """The sources that can report that st ended (kg.semantics.time: Timeline.end_sources)."""
        return self.timeline.end_sources(self.entities[entity_id], field, st)

    def conflicts(self, day: dt.date | None = None) -> list[Conflict]:
        return self.timeline.conflicts(day or self.date)

    def conflict_issues(self) -> list[Issue]:
        """The conflicts on the dataset's date as errors (rule "conflict", at the first of
        the statements): `kg validate`, `kg build` and `kg lint` all report them, since
        no reader can tell which value stands."""
        out = []
        for c in self.conflicts():
            first = min(c.statements, key=lambda s: s.line)
            others = ", ".join(f"line {s.line}" for s in c.statements)
            out.append(Issue(c.entity.path, first.line, 0, c.entity.id,
                             f"{c.format()} on the dataset's date {self.date}.",
                             f"rank the one that stands `rank: preferred`, or the superseded "
                             f"one `rank: deprecated` with a note ({others})", "error",
                             "conflict"))
        return out

    # -- support -------------------------------------------------------------------------
    def best_reliability(self, sources: Iterable[str]) -> str | None:
        """The reliability of the most reliable of these sources: a value of the
        `reliability` scale of ontology/schema.yaml, which lists it best first (high,
        medium, low); None when no source given has one (an id that is not a source of
        the data, or a source without the field). "low" means the fact rests only on
        low-reliability sources (queries/low-reliability-only.rq reads it as the
        materialised kgo:bestSourceReliability; kg.analysis.health.low_only)."""
        sources = tuple(sources)
        got = self._best.get(sources)
        if got is None:
            scale = self.schema.enums["reliability"].values
            found = {ent.first("reliability") for ent in map(self.entities.get, sources)
                     if ent is not None}
            got = self._best[sources] = next((r for r in scale if r in found), "")
        return got or None

    # -- blocs ---------------------------------------------------------------------------
    def blocs(self, day: dt.date | None = None) -> Blocs:
        day = day or self.date
        if day not in self._blocs:
            self._blocs[day] = Blocs(self.timeline, day)
        return self._blocs[day]

    def bloc(self, entity_id: str, day: dt.date | None = None) -> str:
        return self.blocs(day)(entity_id)

    def bloc_rule(self, entity_id: str, day: dt.date | None = None) -> str:
        """The step of the rule that gave the entity its bloc (blocs.RULES)."""
        return self.blocs(day).rule(entity_id)

    # -- ids that are gone -----------------------------------------------------------------
    def successor(self, entity_id: str) -> tuple[str | None, str]:
        """Where a tombstone's id went (data/tombstone/: a renamed, merged or removed
        entity): (the entity it now is, following its replaced_by, dct:isReplacedBy,
        through later renames and merges, ""), or (None, why it was withdrawn) when it,
        or what it became, was removed. An id that is no tombstone is its own successor."""
        seen, at = set(), entity_id
        while (ent := self.entities.get(at)) is not None and ent.kind == "tombstone" \
                and at not in seen:
            seen.add(at)
            new = ent.first("replaced_by")
            if new is None:
                return None, str(ent.first("withdrawn") or "")
            at = str(new)
        return (None, "") if at in seen else (at, "")

    # -- disputes ------------------------------------------------------------------------
    @cached_property
    def _disputes(self) -> list[Dispute]:
        return disputes(self.entities)

    def disputes(self) -> list[Dispute]:
        return list(self._disputes)

    @cached_property
    def disputed(self) -> dict[str, list[str]]:
        """claim id -> the ids of the figures that dispute it."""
        out: dict[str, list[str]] = {}
        for d in self._disputes:
            for a, b in d.pairs:
                out.setdefault(a, []).append(b)
                out.setdefault(b, []).append(a)
        return {k: sorted(v) for k, v in out.items()}


__all__ = ["BLOCS", "BLOC_COLOURS", "BLOC_LABELS", "PUBLISHED_BEFORE", "Blocs", "Change", "Conflict",
           "Dispute", "EndSources", "Semantics", "Timeline", "Window", "bounds", "claimant",
           "disputes", "newest_source_date", "published_before", "window"]
