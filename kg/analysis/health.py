"""Data health: what the graph still lacks or rests on weakly.

- disputed figures (kg.semantics' definition), side by side with who claims what;
- facts resting only on low-reliability sources (the rule of queries/low-reliability-only.rq:
  every sourced statement, deprecated ones included, every figure and every assessment);
- the unchecked share of facts by kind; entities with few links in the network;
- facts per source; sources without a link a reader can open.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import networkx as nx

from kg.analysis.network import Statuses
from kg.core.model import as_decimal_text
from kg.semantics import Semantics, claimant
from kg.semantics.links import source_links


@dataclass(frozen=True)
class Fact:
    """One fact: a statement (entity, field, value) or a whole figure or assessment.

    kind: the kind of the entity that holds it; status: from-article | checked | unchecked.
    """

    entity: str
    kind: str
    field: str
    value: str
    sources: tuple[str, ...]
    status: str
    deprecated: bool = False


def facts(sem: Semantics) -> list[Fact]:
    """Every fact of the data set, sorted by entity, field, value."""
    ents = sem.entities
    out = []
    check_status = Statuses(ents)  # asks once per source whether it is an article

    for ent in sorted(ents.values(), key=lambda e: e.id):
        kind = sem.schema.kinds[ent.kind]
        if ent.kind in ("claim", "assessment"):
            value = as_decimal_text(ent.first("value")) if ent.kind == "claim" \
                else str(ent.first("verdict"))
            field = str(ent.first("measure")) if ent.kind == "claim" \
                else str(ent.first("dimension"))
            out.append(Fact(ent.id, ent.kind, field, value, ent.sources,
                            check_status(ent.sources, ent.first("checked"))))
        own = ent.sources  # Entity.sources_of(st): st.sources, else these
        for name, sts in sorted(ent.facts.items()):
            f = kind.fields.get(name)
            if f is None or not f.sourced:
                continue
            for st in sts:
                srcs = st.sources or own
                out.append(Fact(ent.id, ent.kind, name, str(st.value), srcs,
                                check_status(srcs, ent.checked_of(st)),
                                st.rank == "deprecated"))
    return out


def reliability(sem: Semantics, source: str) -> str | None:
    ent = sem.entities.get(source)
    return ent.first("reliability") if ent is not None else None


def low_only(sem: Semantics, all_facts: list[Fact]) -> list[Fact]:
    """Facts whose most reliable source has low reliability (Semantics.best_reliability,
    the rule the graph materialises as kgo:bestSourceReliability)."""
    return [f for f in all_facts if sem.best_reliability(f.sources) == "low"]


def unchecked_by_kind(all_facts: list[Fact]) -> list[tuple[str, int, int, float]]:
    """(kind, facts, unchecked facts, unchecked share in [0, 1]) per kind, by kind."""
    total, unchecked = Counter(), Counter()
    for f in all_facts:
        total[f.kind] += 1
        unchecked[f.kind] += f.status == "unchecked"
    return [(k, total[k], unchecked[k], round(unchecked[k] / total[k], 4))
            for k in sorted(total)]


def facts_per_source(sem: Semantics, all_facts: list[Fact]) -> list[tuple[str, int]]:
    """(source id, facts citing it), most first; sources cited by none included (0)."""
    c = Counter(s for f in all_facts for s in f.sources)
    for e in sem.entities.values():
        if e.kind == "source":
            c.setdefault(e.id, 0)
    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))


def without_url(sem: Semantics) -> list[str]:
    """Source ids with no link a reader can open: no url, no archived_url and no identifier
    a resolver link derives from (kg.semantics.links); bundled articles listed too."""
    return sorted(e.id for e in sem.entities.values()
                  if e.kind == "source" and not source_links(e))


def few_links(G: nx.MultiDiGraph, most: int = 1) -> list[tuple[str, int]]:
    """(node id, number of links) for nodes with at most `most` links, fewest first."""
    return sorted(((n, G.degree(n)) for n in G if G.degree(n) <= most),
                  key=lambda kv: (kv[1], kv[0]))


@dataclass(frozen=True)
class DisputeRow:
    about: str
    measure: str
    period: str
    claim: str
    value: str
    qualifier: str
    claimant: str
    sources: tuple[str, ...]
    reliability: str
    compared_with: str = ""  # a relative figure's other term (part of the dispute's key)


def dispute_rows(sem: Semantics) -> list[DisputeRow]:
    """One row per figure of each dispute (sorted by subject, measure, period, value)."""
    out = []
    for d in sem.disputes():
        for c in d.claims:
            upper = c.first("upper")
            value = as_decimal_text(c.first("value")) + \
                (f"..{as_decimal_text(upper)}" if upper is not None else "")
            rel = sorted({reliability(sem, s) or "?" for s in c.sources})
            out.append(DisputeRow(d.about, d.measure, d.period, c.id, value,
                                  str(c.first("qualifier")
                                      or ("range" if upper is not None else "exact")),
                                  claimant(c).strip("«»"),
                                  c.sources, "/".join(rel), d.compared_with))
    return out
