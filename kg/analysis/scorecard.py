"""The race scorecard: per dimension, who leads according to which sources, with the
figures that back or contradict each verdict and where sources disagree.

Built only from the graph's assessments (a source's verdict on one dimension): a
dimension with no assessment on the day says "no sourced verdict", never a guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kg.core.model import as_decimal_text
from kg.semantics import BLOC_LABELS, Semantics
from kg.semantics.disputes import comparable_key, figure_context, figure_time

NO_VERDICT = "no sourced verdict"
SHORT_BLOC = {"us": "US", "china": "China", "multinational": "multinational", "other": "other"}
# a dimension in a reader's words where its id is not ("frontier-models"); the others read
# as they are ("chips", "energy")
DIMENSION_LABELS = {"frontier-models": "frontier models", "open-source": "open source",
                    "robotics": "robotics & physical AI", "adoption": "adoption & diffusion"}


def dimension_label(dimension: str) -> str:
    """A dimension as every part of the report says it (the summary, the scorecard's table
    and chart): "frontier-models" -> "frontier models" (a journalist's trial: the summary
    said "frontier models" and the table beside it "frontier-models")."""
    return DIMENSION_LABELS.get(dimension, dimension)


@dataclass(frozen=True)
class Figure:
    """A figure (claim) given as evidence, or one that disputes such evidence.

    compared_with: the id of the entity a relative figure is measured against ("" for a
    figure that is not relative), as kg.semantics.disputes.comparable_key reads it;
    context: what it covers, as the data says it ("inference tasks ...")."""

    id: str
    about: str
    measure: str
    value: str
    qualifier: str
    period: str
    sources: tuple[str, ...]
    disputed_by: tuple[str, ...]
    compared_with: str = ""
    context: str = ""  # what it covers (kg.semantics.disputes.figure_context), "" if unsaid
    when: str = ""  # its period, else when it was reported (kg.semantics.disputes.figure_time)


@dataclass(frozen=True)
class Verdict:
    """One source's verdict on one dimension.

    text: the verdict in words ("US leads", "China catching up", "mixed", "contested");
    reliability: the best reliability among its sources; backing: the figures it gives
    as evidence; contradicting: figures that dispute one of those (kg.semantics).
    """

    assessment: str
    dimension: str
    verdict: str
    leader: str | None
    challenger: str | None
    text: str
    as_of: str
    sources: tuple[str, ...]
    publishers: tuple[str, ...]
    reliability: str | None
    backing: tuple[Figure, ...]
    contradicting: tuple[Figure, ...]


@dataclass(frozen=True)
class Row:
    """One dimension: its verdicts (sorted by source), and a summary in words."""

    dimension: str
    verdicts: tuple[Verdict, ...]

    @property
    def label(self) -> str:
        """The dimension in words (dimension_label)."""
        return dimension_label(self.dimension)

    @property
    def summary(self) -> str:
        """"sources agree: US leads (4)", "sources differ: US leads (4), China catching up
        (1)", "one source: US leads" (it said "sources agree: US leads (1)")."""
        if not self.verdicts:
            return NO_VERDICT
        if len(self.verdicts) == 1:
            return f"one source: {self.verdicts[0].text}"
        counts: dict[str, int] = {}
        for v in self.verdicts:
            counts[v.text] = counts.get(v.text, 0) + 1
        parts = [f"{t} ({n})" for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        return ("sources agree: " if len(counts) == 1 else "sources differ: ") + ", ".join(parts)

    @property
    def disagree(self) -> bool:
        return len({v.text for v in self.verdicts}) > 1


def verdict_text(verdict: str, leader_bloc: str | None, challenger_bloc: str | None) -> str:
    if verdict == "leads" and leader_bloc:
        return f"{SHORT_BLOC[leader_bloc]} leads"
    if verdict == "catching-up" and challenger_bloc:
        return f"{SHORT_BLOC[challenger_bloc]} catching up"
    return verdict.replace("-", " ")


def _figure(sem: Semantics, cid: str) -> Figure:
    c = sem.entities[cid]
    return Figure(cid, str(c.first("about")), str(c.first("measure")),
                  as_decimal_text(c.first("value")), str(c.first("qualifier") or "exact"),
                  str(c.first("as_of") or ""), c.sources, tuple(sem.disputed.get(cid, ())),
                  comparable_key(c)[3], figure_context(c, entities=sem.entities),
                  figure_time(sem.entities, c))


def reliability_of(sem: Semantics, sources) -> str | None:
    """The best reliability among the sources (Semantics.best_reliability: one rule)."""
    return sem.best_reliability(sources)


def scorecard(sem: Semantics, day: dt.date | None = None) -> list[Row]:
    """One Row per dimension of the schema's fixed list (in its order), with the
    assessments known on `day` (default: the dataset's date): those whose `as_of` begins
    on or before it (undated ones always)."""
    day = day or sem.date
    dims = list(sem.schema.enums["dimension"].values)
    found: dict[str, list[Verdict]] = {d: [] for d in dims}
    for a in sorted(sem.entities.values(), key=lambda e: e.id):
        if a.kind != "assessment":
            continue
        as_of = a.first("as_of")
        if as_of is not None and as_of.start > day:
            continue
        leader, challenger = a.first("leader"), a.first("challenger")
        lb = sem.bloc(str(leader), day) if leader else None
        cb = sem.bloc(str(challenger), day) if challenger else None
        evidence = [str(x) for x in a.values("evidence")]
        backing = tuple(_figure(sem, e) for e in evidence if sem.entities[e].kind == "claim")
        against = sorted({o for f in backing for o in f.disputed_by} - set(evidence))
        publishers = tuple(sorted({str(sem.entities[s].first("publisher", s))
                                   for s in a.sources if s in sem.entities}))
        dim = str(a.first("dimension"))
        found.setdefault(dim, []).append(Verdict(
            a.id, dim, str(a.first("verdict")), str(leader) if leader else None,
            str(challenger) if challenger else None,
            verdict_text(str(a.first("verdict")), lb, cb), str(as_of or ""), a.sources,
            publishers, reliability_of(sem, a.sources), backing,
            tuple(_figure(sem, c) for c in against)))
    return [Row(d, tuple(sorted(found[d], key=lambda v: (v.sources, v.assessment))))
            for d in found]


__all__ = ["BLOC_LABELS", "DIMENSION_LABELS", "NO_VERDICT", "Figure", "Row", "Verdict",
           "dimension_label", "scorecard", "verdict_text"]
