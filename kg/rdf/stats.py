"""Counts per kind against the curation aims, the unchecked share, facts per source."""

from __future__ import annotations

from collections import Counter

from rdflib.namespace import RDF

from kg.core.schema import load_schema
from kg.rdf.ontology import PROV, kgo

# Curation aims (issue "Curate the graph, part 2"): targets to show, not gates.
AIMS = {"organization": 60, "person": 25, "model": 60, "chip": 25, "policy": 30, "claim": 100,
        "event": 40}


def stats(built, triples: int | None = None) -> dict:
    """The build's numbers (summary.json): entities per kind against the aims, triples,
    sourced facts by check status, facts per source, how many sources can be opened.
    Read from built.quads (kg.rdf.quads.Quads); no rdflib graph is made.

    triples: the data's triples (distinct, in the union of its graphs), when built.quads
    holds more than the data (the build adds the VoID description before its statistics);
    None: len(built.quads). Either way "triples" is the number void:triples states."""
    from kg.data.loader import gc_paused

    with gc_paused():  # (the collector's passes over the counters' objects: nothing to collect)
        return _stats(built, triples)


def _stats(built, triples: int | None) -> dict:
    schema = load_schema()
    K = kgo(schema)
    q = built.quads
    counts = built.counts()

    status, per_source = _facts(q, schema, K)
    from kg.semantics.links import FINDABILITY, findability, identifiers

    sources = [e for e in built.entities.values() if e.kind == "source"]
    found = Counter(findability(e) for e in sources)
    openable = {
        "sources": len(sources),
        "with_url": sum(1 for e in sources if e.first("url") or e.first("archived_url")),
        "with_identifier": sum(1 for e in sources if identifiers(e)),
        "bundled_articles": sum(1 for e in sources if e.first("bundled_file")),
        "with_link_or_identifier": len(sources) - found["none"],
        # each source once, by kg.semantics.links.findability: these add up to "sources"
        "by_findability": {k: found[k] for k in FINDABILITY},
    }
    total = sum(status.values())
    unchecked = status.get("unchecked", 0)
    return {
        "entities": dict(sorted(counts.items())),
        "entities_total": sum(counts.values()),
        "triples": len(q) if triples is None else triples,
        "facts": total,
        "facts_by_check_status": dict(sorted(status.items())),
        "unchecked_share": round(unchecked / total, 4) if total else 0.0,
        "facts_per_source": dict(sorted(per_source.items(), key=lambda kv: (-kv[1], kv[0]))),
        "sources_openable": openable,
        "aims": {k: {"have": counts.get(k, 0), "aim": v} for k, v in AIMS.items()},
    }


def _facts(q, schema, K) -> tuple[Counter, Counter]:
    """(facts by check status, facts per source) over the quads q: a fact is a subject
    typed as a statement, a claim or an assessment; its status the first of its
    kgo:checkStatus values in term order ("none" without one); each (fact, source) pair of
    prov:wasDerivedFrom counted once for the source's last IRI segment. In numpy over the
    quads' id columns (0.1 s for 370k quads as dicts of sets, 0.02 s so)."""
    import numpy as np

    def pairs(t):
        pid = q.find(t)
        return q.pairs(pid) if pid is not None else np.zeros((0, 2), dtype=np.int64)

    classes = {q.find(K.Statement)} | {q.find(K[schema.kinds[kind].cls.split(":")[1]])
                                       for kind in ("claim", "assessment")}
    classes.discard(None)
    typed = pairs(RDF.type)
    facts = np.unique(typed[np.isin(typed[:, 1], list(classes)), 0])
    terms = q.terms
    status: Counter = Counter()
    check = pairs(K.checkStatus)
    check = check[np.isin(check[:, 0], facts)]  # sorted by fact, then status id
    first = np.ones(len(check), dtype=bool)
    first[1:] = check[1:, 0] != check[:-1, 0]
    for sid, n in zip(*np.unique(check[first, 1], return_counts=True), strict=True):
        status[terms[sid][1:-1].split("check-status-", 1)[-1]] += int(n)
    if len(facts) > first.sum():
        status["none"] += len(facts) - int(first.sum())
    per_source: Counter = Counter()
    derived = pairs(PROV.wasDerivedFrom)
    derived = derived[np.isin(derived[:, 0], facts)]
    for src, n in zip(*np.unique(derived[:, 1], return_counts=True), strict=True):
        per_source[terms[src][1:-1].rsplit("/", 1)[-1]] += int(n)
    return status, per_source


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
    f = o["by_findability"]
    lines.append(f"Sources with a link or identifier: {o['with_link_or_identifier']}/"
                 f"{o['sources']} ({share:.0%}; a link a reader can open {f['link']}, only "
                 f"an identifier {f['identifier']}, a bundled article {f['bundled']}; "
                 f"nothing to find them by {f['none']}: `kg lint` names them)")
    ranked = list(s["facts_per_source"].items())
    shown = ranked if per_source is None else ranked[:per_source]
    lines.append("Facts per source" + ("" if len(shown) == len(ranked) else
                                       f" (the {len(shown)} most cited of {len(ranked)}; "
                                       "`kg stats` lists all)") + ":")
    for src, n in shown:
        lines.append(f"  {n:>5}  {src}")
    return "\n".join(lines)
