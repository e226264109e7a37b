"""Counts per kind against the curation aims, the unchecked share, facts per source."""

from __future__ import annotations

from collections import Counter

from rdflib.namespace import RDF

from kg.core.schema import load_schema
from kg.rdf.ontology import PROV, kgo

# Curation aims (issue "Curate the graph, part 2"): targets to show, not gates.
AIMS = {"organization": 60, "person": 25, "model": 60, "chip": 25, "policy": 30, "claim": 100,
        "event": 40}


def stats(built) -> dict:
    from kg.data.loader import gc_paused

    with gc_paused():  # millions of small sets: the collector's passes would dominate
        return _stats(built)


def _stats(built) -> dict:
    """The build's numbers (summary.json): entities per kind against the aims, triples,
    sourced facts by check status, facts per source, how many sources can be opened.
    Read from built.quads (kg.rdf.quads.Quads); no rdflib graph is made."""
    schema = load_schema()
    K = kgo(schema)
    q = built.quads
    counts = built.counts()

    def index(p) -> dict:
        pid = q.find(p)
        return q.by_predicate(pid) if pid is not None else {}

    fact_classes = {q.find(K.Statement)} | {q.find(K[schema.kinds[kind].cls.split(":")[1]])
                                            for kind in ("claim", "assessment")}
    fact_classes.discard(None)
    facts = [s for s, ts in index(RDF.type).items() if not ts.isdisjoint(fact_classes)]
    check = index(K.checkStatus)
    derived = index(PROV.wasDerivedFrom)
    terms = q.terms
    status = Counter()
    per_source = Counter()
    for fact in facts:
        st = check.get(fact)
        status[terms[min(st)][1:-1].split("check-status-", 1)[-1] if st else "none"] += 1
        for src in derived.get(fact, ()):
            per_source[terms[src][1:-1].rsplit("/", 1)[-1]] += 1
    from kg.semantics.links import can_be_opened, identifiers

    sources = [e for e in built.entities.values() if e.kind == "source"]
    openable = {
        "sources": len(sources),
        "with_url": sum(1 for e in sources if e.first("url") or e.first("archived_url")),
        "with_identifier": sum(1 for e in sources if identifiers(e)),
        "bundled_articles": sum(1 for e in sources if e.first("bundled_file")),
        "with_link_or_identifier": sum(1 for e in sources if can_be_opened(e)),
    }
    total = sum(status.values())
    unchecked = status.get("unchecked", 0)
    return {
        "entities": dict(sorted(counts.items())),
        "entities_total": sum(counts.values()),
        "triples": len(q),
        "facts": total,
        "facts_by_check_status": dict(sorted(status.items())),
        "unchecked_share": round(unchecked / total, 4) if total else 0.0,
        "facts_per_source": dict(sorted(per_source.items(), key=lambda kv: (-kv[1], kv[0]))),
        "sources_openable": openable,
        "aims": {k: {"have": counts.get(k, 0), "aim": v} for k, v in AIMS.items()},
    }


def format_stats(s: dict, per_source: int | None = None) -> str:
    """The numbers as text; per_source: how many of the most-cited sources to list (None: all)."""
    lines = ["Entities per kind:"]
    for kind, n in s["entities"].items():
        aim = s["aims"].get(kind)
        extra = f"   (aim {aim['aim']}{', reached' if n >= aim['aim'] else ''})" if aim else ""
        lines.append(f"  {kind:<12} {n:>5}{extra}")
    lines.append(f"  {'total':<12} {s['entities_total']:>5}")
    lines.append(f"Triples: {s['triples']}")
    lines.append(f"Sourced facts: {s['facts']} ("
                 + ", ".join(f"{k} {v}" for k, v in s["facts_by_check_status"].items()) + ")")
    lines.append(f"Unchecked share: {s['unchecked_share']:.1%}")
    o = s["sources_openable"]
    share = o["with_link_or_identifier"] / o["sources"] if o["sources"] else 0.0
    lines.append(f"Sources with a link or identifier: {o['with_link_or_identifier']}/"
                 f"{o['sources']} ({share:.0%}; URL {o['with_url']}, identifier "
                 f"{o['with_identifier']}, bundled article {o['bundled_articles']})")
    ranked = list(s["facts_per_source"].items())
    shown = ranked if per_source is None else ranked[:per_source]
    lines.append("Facts per source" + ("" if len(shown) == len(ranked) else
                                       f" (the {len(shown)} most cited of {len(ranked)}; "
                                       "`kg stats` lists all)") + ":")
    for src, n in shown:
        lines.append(f"  {n:>5}  {src}")
    return "\n".join(lines)
