"""The analysis report: who is central and why, the communities, the race scorecard,
what changed, and what the data still lacks.

    doc, images = report(built.semantics, as_of=None, since=None, top=10)
    write(doc, images, Path("build/report"), {"md", "html", "csv", "json"})

Everything is computed on the graph as it stood on `as_of` (default: the dataset's
date). Deterministic: the same data gives the same bytes (nothing reads the clock).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from kg.analysis.centrality import (
    BETWEENNESS_EXACT_MAX_NODES,
    BETWEENNESS_K,
    MEASURES,
    approximation_error,
    centralities,
    pagerank,
    ranking,
    raw_pagerank,
    sample_sources,
)
from kg.analysis.changes import changes
from kg.analysis.chartcache import Chart
from kg.analysis.communities import (
    LOUVAIN_MAX_NODES,
    Bridge,
    Community,
    bridges,
    communities,
    describe,
)
from kg.analysis.health import (
    dispute_rows,
    facts,
    facts_per_source,
    few_links,
    low_only,
    unchecked_by_kind,
    without_url,
)
from kg.analysis.memo import Memo
from kg.analysis.network import (
    NODE_KINDS,
    RELATION_LABELS,
    Arrays,
    EdgeFact,
    arrays,
    as_it_stood,
    project,
    simple,
)
from kg.analysis.paths import PathCounts
from kg.analysis.render import Doc, SourceEntry, Table, cited, write
from kg.analysis.scorecard import (
    NO_VERDICT,
    dimension_label,
    scorecard,
    verdict_text,
)
from kg.analysis.why import (
    WHY_ALL_LINKS_MAX_NODES,
    WHY_CANDIDATES,
    Link,
    Move,
    Why,
    ranks_without,
    robustness,
    why_central,
    why_links,
)
from kg.analysis.why import weak as is_weak
from kg.core.forked import Forked, Stack, can_fork
from kg.core.model import as_decimal_text
from kg.data.loader import gc_paused
from kg.rdf.load import Steps
from kg.semantics import BLOC_LABELS, PUBLISHED_BEFORE, Semantics
from kg.semantics.disputes import QUALIFIER_WORDS, amount_text, relative_head
from kg.semantics.links import (
    findability,
    identifiers,
    safe_url,
    source_links,
    unlinked_identifiers,
)
from kg.semantics.wording import short_quote, status_words

FORMATS = ("md", "html", "csv", "json")
TOP = 10
SCORECARD_CHART_SOURCES = 6  # columns of the scorecard chart (about the width of the
# report's page, so it is not shrunk out of reading); the table has every source
BLOC_PATHS_MAX_NODES = 20000  # above, no betweenness or closeness within each bloc
# from this many nodes, with jobs > 1, the communities and the bloc measures are computed
# in a second process (below, the fork costs more than it saves: Louvain on the curated
# network takes a few hundredths of a second) ...
MEASURES_FORK_MIN_NODES = 2000
# ... up to this many: above, Louvain runs on a core of the network and the bloc measures
# skip their paths (a few seconds beside the rest's tens), while kg build's first process
# is still writing the graph files, so a third process only competed for the two cores (at
# 100k entities, 47,000 nodes: 6.2 s in it for what took 3.2 s in line)
MEASURES_FORK_MAX_NODES = 20000
Progress = Callable[[str], None]


def default_since(as_of: dt.date) -> dt.date:
    """The day a year before `as_of` (28 February for 29 February)."""
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:
        return as_of.replace(year=as_of.year - 1, day=28)


def report(sem: Semantics, as_of: dt.date | None = None, since: dt.date | None = None,
           top: int = TOP, progress: Progress | None = None,
           jobs: int = 1, idle: Callable[[], None] | None = None
           ) -> tuple[Doc, dict[str, bytes]]:
    """The report on the graph as of `as_of`, with the changes in (since, as_of].
    jobs: processes the network's measures may use (see `analysis`); the same bytes.
    idle: called once the measures' second process (if one ran) has ended, for a caller
    with other work for the core it leaves (kg build draws the charts there).

    Returns (the document, the charts by PNG file name, not drawn yet: `Chart.draw()`
    gives a chart's PNG bytes; `render.write` draws only the charts whose input changed
    since the last run into the same folder). Raises ValueError if since is not before
    as_of or top < 1.
    """
    with gc_paused():  # millions of objects live at 100k: collections cost seconds
        return _report(sem, as_of, since, top, progress, jobs, idle)


def _report(sem: Semantics, as_of: dt.date | None, since: dt.date | None, top: int,
            progress: Progress | None, jobs: int = 1,
            idle: Callable[[], None] | None = None) -> tuple[Doc, dict[str, bytes]]:
    if top < 1:
        raise ValueError("--top must be at least 1")
    day = as_of or sem.date
    since = since or default_since(day)
    if since >= day:
        raise ValueError(f"--since {since} must be before --as-of {day}")
    step = Steps(progress)
    ents = sem.entities

    names: dict[str, str] = {}  # Entity.name looks through the entity's facts: once each

    def name(i: str) -> str:
        got = names.get(i)
        if got is None:
            e = ents.get(i)
            got = names[i] = e.name if e is not None else i
        return got

    rel, phrases = relation_words(sem.schema), relation_phrases(sem.schema)
    phrases = Phrases(phrases, frozenset(i for i, e in ents.items() if e.kind == "event"))

    step.begin(f"projecting the graph as of {day}")
    proj = project(sem)
    G = as_it_stood(proj, day)
    n_nodes, n_links = G.number_of_nodes(), G.number_of_edges()  # each a pass over G
    step(f"projected the graph as of {day}: {n_nodes} nodes, {n_links} links")
    a = analysis(G, set(sem.disputed), top, step, jobs, idle)
    sampled, bounded = a.sampled, a.bounded  # as the measures decided them
    cent, binfo, cinfo, approx, share = a.cent, a.binfo, a.cinfo, a.approx, a.share
    comms, whys, moves, removed, brs = a.communities, a.whys, a.moves, a.removed, a.bridges
    degree = dict(G.degree())
    node = dict(G.nodes(data=True))  # node id -> its attributes (kind, name, bloc)
    order = ranking(cent["pagerank"])
    linked = [n for n in order if degree[n]]
    tops = linked[:top]
    member = {n: c.id for c in comms for n in c.members}
    # "C3 (around China)": the United States' paragraph read "community C3 (China)", as if
    # it were China's; a community is named after its most central member
    label = {c.id: f"{c.id} (around {name(c.top[0])})" for c in comms}
    step.begin("scorecard, changes and data health")
    card = scorecard(sem, day)
    changed = changes(sem, since, day)
    all_facts = facts(sem)
    weak = low_only(sem, all_facts)
    disputes = dispute_rows(sem)
    step("scorecard, changes and data health")

    doc = Doc(f"The US–China AI race in the knowledge graph, as of {day.isoformat()}")
    doc.meta = {"as_of": day.isoformat(), "since": since.isoformat(), "top": top,
                "dataset_date": sem.date.isoformat(),
                "nodes": n_nodes, "links": n_links, "links_all_dates": len(proj.edges),
                "betweenness": {**binfo, "exact_up_to_nodes": BETWEENNESS_EXACT_MAX_NODES,
                                "sampling_check": approx},
                "communities": cinfo}
    images: dict[str, Chart] = {}

    # -- summary ------------------------------------------------------------------------
    doc.h2("Summary")
    # what it counts, beside the explorer's total of every date (a journalist's trial: "573
    # sourced links" here, "of 587 links" in the explorer for the same day, neither saying why)
    items = [f"The network as of {day}: {n_nodes} entities (organisations, "
             f"people, countries, models, chips, policies, events) and "
             f"{n_links} sourced links between them, the links that hold on that day (the "
             f"graph has {len(proj.edges)} across all its dates, as the explorer says)."]
    if tops:
        items.append("Most central by PageRank: " + "; ".join(
            f"{name(n)} ({sem.schema.kinds[node[n]['kind']].label}, "
            f"{BLOC_LABELS[node[n]['bloc']]} bloc, "
            f"{degree[n]} links)" for n in tops[:3]) + ".")
    items.append("Share of PageRank: " + ", ".join(
        f"{BLOC_LABELS[b]} {v:.0%}" for b, v in share["PageRank"].items() if v) + ".")
    leads = _leads_summary(card)
    if leads:
        items.append(leads)
    said = _count(changed, "said")  # quotes dated in the interval, if any
    expected = _count(changed, "expected")  # events not (yet) confirmed, if any
    items.append(f"What changed from {since} to {day}: {len(changed)} dated facts "
                 f"({_count(changed, 'began')} began, {_count(changed, 'ended')} ended, "
                 f"{_counted(_count(changed, 'happened'), 'happening')}, "
                 f"{_counted(said, 'quote') + ', ' if said else ''}"
                 f"{_counted(expected, 'expected event') + ', ' if expected else ''}"
                 f"{_counted(_count(changed, 'figure'), 'figure')}). Facts known only 'as "
                 "of' a day are evidence, not changes, and are left out.")
    items.append(_disputes_summary(disputes, name, ents)
                 + f"; {len(weak)} facts rest only on low-reliability sources.")
    items += _robustness_summary(moves, tops[:3], top, name)
    # (a journalist's trial: an analyst quoted about many entities ranked high, unsaid)
    items += _robustness_summary(a.quote_moves, tops[:3], top, name,
                                 "Rankings that come from quotes: without the links from a "
                                 "quote's speaker to what it is about")
    doc.ul(items)

    # -- what changed ---------------------------------------------------------------------
    doc.h2(f"What changed between {since} and {day}")
    doc.p("A fact began or ended when its `from` or its `to`, the whole day, month or year "
          "the source gives, shares a day with the interval: an end and a start dated "
          "\"2025-04\" (one change) are both listed whenever the interval holds a day of "
          "April 2025. The table's day is the first day of the date as the source gives it, "
          "for an end as for a start, so a value that ended in a month sorts with the one "
          "that replaced it, before that month's events; it may lie outside the interval; "
          "\"as given\" is the date as the source gives it. A happening (a release, an "
          "event, a rule taking effect), an expected event (one its name says is expected, "
          "planned or scheduled: not confirmed to have happened), a quote (said: who said "
          "it and its words, on the day it was said or published) and a figure count when "
          "their date, at its precision, lies wholly in the interval. A "
          "fact known only 'as of' a day (\"restricted as of 2026\") is evidence, not a "
          "change, and never appears here. "
          "`kg query changes` gives the same rows over SPARQL.")
    blocs = sem.blocs(day)
    began_ended = [c for c in changed if c.change in ("began", "ended")]
    keyed = numbered_changes(began_ended, since, day)
    # rows like a numbered one (the same step for another entity: the MI308's and the
    # H20's licence requirement of April 2025) share its number (like_changes)
    groups = like_changes(keyed, began_ended)
    key = {id(c): str(i) for i, group in enumerate(groups, 1) for c in group}
    stamp = chart_stamp(sem, day)
    images["changes.png"] = Chart("timeline", (
        [(c.day, c.change, key.get(id(c), ""), blocs(c.entity)) for c in changed],
        since, day, BLOC_LABELS, stamp))
    doc.img("changes.png", "What changed: a dot per fact on a time line, coloured by bloc",
            scroll=True)
    if any(not since < c.day <= day for c in changed):
        doc.p(f"Dashed lines on the chart mark {since} and {day}: a dot beyond them is a "
              "start or an end that its source dates only to a month or a year, one that "
              "overlaps the interval.")
    if keyed and len(key) < len(began_ended):
        doc.p(f"The chart numbers {len(key)} of the {len(began_ended)} facts that began "
              "or stopped holding (the earliest on each lane in each "
              f"1/{CHANGES_CHART_SLOTS} of the time line, {CHANGES_CHART_NUMBERED} at "
              "most, so that no "
              "numbers pile up, and the rows like each of them: the same change of the same "
              "field to the same value on the same day for another entity, under its "
              "number); changes.csv has them all. The numbered dots, each a row "
              "of the table below (its \"dot\" column):")
    elif keyed:
        doc.p("The numbered dots, the facts that began or stopped holding, each a row of "
              "the table below (its \"dot\" column):")
    if keyed:
        # the date as the source gives it (a journalist's trial: "2025-12-31: ... restricted
        # ended" and "2025-12-01: ... allowed began" for one month's change that the sources
        # date only "December 2025"); the day it sorts by is in the table
        doc.ul([f"{i} — {c.when or c.day}: {', '.join(name(g.entity) for g in group)}, "
                f"{_label(sem, c)}: {_change_value(sem, c)} "
                f"{'began' if c.change == 'began' else 'ended'} "
                f"[{', '.join(dict.fromkeys(s + _before_words(g) for g in group for s in g.sources))}]"
                for i, group in enumerate(groups, 1) for c in group[:1]])
    # the newest rows, and every numbered dot's row, in time order (a journalist's trial:
    # the first 60 were shown and "(24 more rows in changes.csv.)" were the newest, the
    # H200 customs block, dot 10, among them); the note says where rows are missing
    earlier = changed[:-CHANGES_SHOWN] if len(changed) > CHANGES_SHOWN else []
    left = [c for c in earlier if id(c) not in key]
    gap = (f"up to {left[-1].day} the table shows only the numbered dots' rows"
           if left and len(left) < len(earlier) else "")
    doc.table(Table("changes", ["dot", "day", "change", "entity", "what", "value",
                                "as given", "sources", "reliability", "id", "field"],
                    [[key.get(id(c), ""), c.day.isoformat(), c.change,
                      _change_who(sem, c, name), _label(sem, c), _change_value(sem, c),
                      c.when, "; ".join(c.sources) + _before_words(c),
                      _rel(sem, c.sources), c.entity, c.field]
                     for c in changed],
                    show=CHANGES_SHOWN, hide=("id", "field"), cites=("sources",), newest=True,
                    keep=frozenset(i for i, c in enumerate(changed) if id(c) in key), gap=gap))

    # -- scorecard ------------------------------------------------------------------------
    doc.h2("The race scorecard: who leads, according to whom")
    doc.p("Each cell is a source's verdict on one dimension, as recorded in the graph "
          "(an assessment), with the source's reliability and date. Figures backing a "
          "verdict are the ones the source gives as evidence (\"disputed\" after one that "
          "another figure disputes: see Disputed figures); figures contradicting it "
          "are figures in the graph that dispute that evidence. A dimension without any "
          f"assessment says \"{NO_VERDICT}\".")
    rows = []
    for r in card:
        # the dimension in words, as the summary says it (a journalist's trial: the summary
        # said "frontier models", the table "frontier-models"); its id in the CSV
        rows.append([r.label, r.summary, "yes" if r.disagree else "", "", "", "", "", "",
                     "", "", r.dimension])
        for v in r.verdicts:
            # the dimension on every verdict's row too (a journalist's trial: sorted or
            # filtered in a spreadsheet, or scrolled on a phone, a verdict lost its dimension)
            rows.append([r.label, v.text, "", ", ".join(v.publishers), "; ".join(v.sources),
                         v.reliability or "",
                         v.as_of, "; ".join(_figure_words(ents, f) + _disputed_words(f)
                                            for f in v.backing),
                         "; ".join(f"{_figure_words(ents, f)} ({f.id})"
                                   for f in v.contradicting), v.assessment, r.dimension])
    doc.table(Table("scorecard", ["dimension", "verdict", "sources disagree", "source",
                                  "sources", "reliability", "as of", "backing figures",
                                  "contradicting figures", "assessment", "dimension id"], rows,
                    hide=("assessment", "dimension id"), cites=("sources",),
                    order="by dimension, each one's summary row before its verdicts"))
    cells, best = {}, {}
    rel_order = {"high": 0, "medium": 1, "low": 2}
    for r in card:
        for v in r.verdicts:
            for p in v.publishers:
                cells[(r.dimension, p)] = (v.text, v.reliability)
                best[p] = min(best.get(p, 3), rel_order.get(v.reliability, 3))
    pubs = sorted(best, key=lambda p: (best[p], p))  # the most reliable sources first
    drawn = pubs[:SCORECARD_CHART_SOURCES]
    images["scorecard.png"] = Chart("scorecard", ([r.dimension for r in card], drawn, cells,
                                                  {r.dimension: r.label for r in card}, stamp))
    doc.img("scorecard.png", "Scorecard: dimensions by source, coloured by verdict")
    if len(pubs) > len(drawn):
        doc.p(f"The chart draws the {len(drawn)} most reliable of the {len(pubs)} sources "
              "with a verdict (by reliability, then name); the table above and "
              "scorecard.csv have them all.")

    # -- centrality ---------------------------------------------------------------------
    doc.h2("Who is central")
    doc.p(CENTRAL_IN_WORDS)
    doc.p(_method(binfo, approx, name))
    shown = linked[:max(top, 15)]
    doc.img("centrality.png", f"The {len(shown)} most central entities by PageRank, "
                              "coloured by bloc")
    images["centrality.png"] = Chart("top_nodes", (
        [(name(n), cent["pagerank"][n], node[n]["bloc"]) for n in shown],
        "Most central by PageRank (1 = the top entity)", BLOC_LABELS, stamp))
    cols = ["rank", "entity", "id", "kind", "bloc", "links", *MEASURES, "community"]
    doc.table(Table("centrality", cols,
                    [[i + 1, name(n), n, node[n]["kind"], node[n]["bloc"], degree[n],
                      *(cent[m][n] for m in MEASURES), member.get(n, "")]
                     for i, n in enumerate(order)], show=top, order="by PageRank"))
    doc.h3("Within each bloc")
    bloc_paths_skipped = not a.bloc_paths
    doc.p("The same measures on the network of each bloc alone (links to other blocs "
          "removed), so a bloc's own hubs stand out."
          + (f" Above {BLOC_PATHS_MAX_NODES:,} entities betweenness and closeness within a "
             "bloc are not computed (their cells are empty): one more shortest-path pass "
             "per bloc would double the report's time; the network-wide values are above."
             if bloc_paths_skipped else
             f" On a network this size betweenness within a bloc is sampled as above "
             f"(k = {binfo['k']} sources of the bloc, seed {binfo['seed']}; every source "
             "in a bloc of fewer nodes, which is exact)." if sampled else ""))
    brows = [[b, rank, name(n), n, node[n]["kind"], links, *values]
             for b, rank, n, links, *values in a.by_bloc]
    t = Table("centrality-by-bloc", ["bloc", "rank", "entity", "id", "kind", "links in bloc",
                                     *MEASURES], brows, order="by bloc, then rank in it")
    doc.table(_shown(t, [r for r in brows if r[1] <= 5]))
    doc.h3("By kind")
    krows = []
    for k in NODE_KINDS:
        ks = [n for n in linked if node[n]["kind"] == k]
        for i, n in enumerate(ks):
            krows.append([k, i + 1, name(n), n, node[n]["bloc"], degree[n],
                          *(cent[m][n] for m in MEASURES)])
    t = Table("centrality-by-kind", ["kind", "rank", "entity", "id", "bloc", "links",
                                     *MEASURES], krows, order="by kind, then rank in it")
    doc.table(_shown(t, [r for r in krows if r[1] <= 3]))

    # -- why central ----------------------------------------------------------------------
    doc.h2("Why they are central")
    doc.p("For each of the top entities: which pairs of communities its shortest paths join "
          "(the share of its betweenness), and the links its score rests on: how much its "
          "PageRank falls when one link is removed, and the share of all shortest paths "
          "that use the link. Each link names its relation and sources."
          + (f" On a network this size the path shares are estimated from the shortest "
             f"paths of the k = {binfo['k']} sampled sources (seed {binfo['seed']}); "
             "the PageRank drops are exact." if sampled else "")
          + (f" Above {WHY_ALL_LINKS_MAX_NODES:,} entities the PageRank drop is computed "
             f"for the {WHY_CANDIDATES} links of each entity with the largest share of "
             "shortest paths only (each drop needs a solve over the whole network); its "
             "other links are listed in why-central.csv without a drop." if bounded else ""))
    wrows = []
    for w in whys:
        n = w.node
        pairs = ", ".join(f"{_pair_words(a, b, label)} ({x:.0%})" for (a, b), x in w.pairs[:3])
        links = w.links[:3]
        words = (f"{name(n)} ({sem.schema.kinds[node[n]['kind']].label}, "
                 f"{BLOC_LABELS[node[n]['bloc']]} bloc, community "
                 f"{label.get(member.get(n), '?')}) has {degree[n]} links to {a.neighbours[n]} neighbours "
                 f"and lies on {cent['betweenness'][n]:.1%} of all shortest paths.")
        if pairs:
            words += f" Those paths mostly run {pairs}."
        piece, size = a.pieces["of"].get(n, (1, 0))
        if piece != 1:
            # a journalist's trial: Google ranked 4th with nothing saying that no path
            # joins it to China, NVIDIA or OpenAI
            words += (f" It is not connected to the main network ({a.pieces['largest']} "
                      f"entities, see Pieces of the network): it lies in piece {piece}, of "
                      f"{size} entities, and its score comes only from the links inside it.")
        if links:
            words += " Its most important links: " + "; ".join(
                f"{_link_words(lk, n, name, phrases)} ({_drop_words(lk.pagerank_drop)}, "
                f"{lk.path_share:.1%} of shortest paths)" for lk in links) + "."
        doc.p(words)
        for lk in w.links:
            for f in lk.facts:
                wrows.append([name(n), n, name(lk.neighbour), lk.neighbour, f.relation,
                              "out" if f.source == n else "in", lk.pagerank_drop, lk.path_share,
                              "; ".join(f.sources), f.reliability or "", f.status,
                              status_words(ents, f.status, f.sources), f.via or ""])
    # the quote or figure that makes a quoted-about or estimated link: Scott Singer's seven
    # quotes about China were seven identical rows
    doc.table(Table("why-central", ["entity", "id", "neighbour", "neighbour id", "relation",
                                    "direction", "PageRank drop without the link",
                                    "share of shortest paths", "sources", "reliability",
                                    "status", "status in words", "quote or figure"], wrows,
                    show=0,
                    cites=("sources",)))

    # -- robustness -----------------------------------------------------------------------
    doc.h2("How robust the ranking is")
    doc.p(f"The top {top} by PageRank again, with {removed} weak links removed: links "
          "resting only on low-reliability sources (opinion, SEO or AI-assisted writing) "
          "and links made by disputed figures. A rank that falls far rests on weak "
          "sources and is not a finding.")
    disputed = set(sem.disputed)

    def weak_links(n: str) -> str:
        lost = [d["fact"] for _, _, d in list(G.in_edges(n, data=True))
                + list(G.out_edges(n, data=True)) if is_weak(d["fact"], disputed)]
        srcs = sorted({s for f in lost for s in f.sources})
        return f"{len(lost)} ({', '.join(srcs)})" if lost else "0"

    doc.table(Table("robustness", ["rank", "entity", "id", "rank without weak links",
                                   "change", "PageRank", "PageRank without weak links",
                                   "weak links it loses (their sources)"],
                    [[m.rank, name(m.node), m.node, m.robust_rank if m.robust_rank else "unlinked",
                      _move(m), m.pagerank, m.robust_pagerank, weak_links(m.node)]
                     for m in moves], cites=("weak links it loses (their sources)",),
                    order="by PageRank"))
    # a journalist's trial: an analyst DW quotes about many entities ranked second of all
    # by eigenvector and first among people, and the report did not say it was the quotes
    doc.p(f"A quote links its speaker to each entity it is about (How the network is made), "
          "so a person quoted about many entities ranks high for that alone, and so does "
          f"what many quotes are about. The top {top} by PageRank once more, without the "
          f"{a.quotes_removed} quote links:")
    doc.table(Table("robustness-quotes", ["rank", "entity", "id", "rank without quote links",
                                          "change", "PageRank",
                                          "PageRank without quote links"],
                    [[m.rank, name(m.node), m.node,
                      m.robust_rank if m.robust_rank else "unlinked", _move(m), m.pagerank,
                      m.robust_pagerank] for m in a.quote_moves], order="by PageRank"))

    # -- communities ----------------------------------------------------------------------
    doc.h2("Communities")
    big = [c for c in comms if c.size >= 3]
    if cinfo["method"] == "louvain":
        how = (f"Louvain communities (networkx, seed {cinfo['seed']}, resolution "
               f"{cinfo['resolution']}, weighted by the number of links between a pair), each "
               f"split into its connected pieces ({cinfo['split']} Louvain communities were "
               "not connected and were split).")
    else:
        how = (f"Louvain communities (networkx, seed {cinfo['seed']}, resolution "
               f"{cinfo['resolution']}, weighted by the number of links between a pair) of "
               f"the {LOUVAIN_MAX_NODES} most central entities (by PageRank) only: Louvain "
               "takes minutes on a network this size. Every other entity joins the "
               "community of the nearest of them (by links), and each piece of the network "
               "without any of them is a community of its own. Each community is split "
               f"into its connected pieces ({cinfo['split']} were not connected and were "
               "split).")
    doc.p(f"{how} Modularity {cinfo['modularity']:.3f}. "
          f"{len(comms)} communities; {len(big)} have three members or more and are "
          "listed here (all in communities.csv).")
    kind_labels = {k: v.label for k, v in sem.schema.kinds.items()}
    # the members by name too (a journalist's trial: communities.csv listed only ids);
    # names can hold commas, so the lists are split by "; "
    doc.table(Table("communities", ["community", "size", "most central members",
                                    "what ties it", "members", "member names"],
                    [[c.id, c.size, ", ".join(name(n) for n in c.top),
                      describe(c, {}, BLOC_LABELS, rel, kind_labels), " ".join(c.members),
                      "; ".join(name(n) for n in c.members)]
                     for c in comms],
                    show=len(big), hide=("members", "member names"),
                    order="by size, the largest first"))
    doc.h3("Bridges between the US and Chinese blocs")
    doc.p("Entities linked directly to both a US and a Chinese entity, by the share of "
          "shortest paths between a US and a Chinese entity that pass through them, with "
          "the links that make them bridges. For researchers: `kg query between-blocs` "
          "gives the supply and partnership links among them."
          + (f" On a network this size the shares are estimated from the sampled sources "
             f"that lie in the US bloc (of the k = {binfo['k']}, seed {binfo['seed']})."
             if sampled else ""))
    rows = []
    for b in brs:
        bloc = node[b.node]["bloc"]
        cross = b.china_links if bloc == "us" else b.us_links if bloc == "china" \
            else b.us_links + b.china_links
        rows.append([name(b.node), b.node, bloc, b.share, len(b.us_links),
                     len(b.china_links), _grouped_words(cross, b.node, name, phrases)])
    doc.table(Table("bridges", ["entity", "id", "bloc", "share of US–China paths",
                                "links to US", "links to China",
                                "links across the blocs (grouped by neighbour)"], rows,
                    cites=("links across the blocs (grouped by neighbour)",),
                    order="by share of US–China paths"))

    # -- shares ---------------------------------------------------------------------------
    doc.h2("Share of centrality by bloc")
    doc.p("Each bloc's share of the network's total PageRank, degree (links) and "
          "betweenness. A bloc follows the rule of docs/semantics.md: a model is its "
          "developer's, a chip its designer's, a person their affiliation's.")
    images["bloc-share.png"] = Chart("bloc_share", (share, BLOC_LABELS, stamp))
    doc.img("bloc-share.png", "Share of centrality by bloc")
    doc.table(Table("bloc-share", ["measure", *BLOC_LABELS],
                    [[m, *(round(share[m].get(b, 0.0), 4) for b in BLOC_LABELS)]
                     for m in share], order="by measure"))

    # -- data health ----------------------------------------------------------------------
    doc.h2("Data health: what the data still lacks")
    doc.p("This section covers the whole data set, whatever the report's date, except the "
          "links of the network (entities with few links, pieces), which are those of "
          f"{day}.")
    doc.h3("Disputed figures")
    doc.p("Figures that give the same measure of the same thing for the same period and "
          "whose values do not meet, by the rule of docs/semantics.md, side by side.")
    # the amount as a reader says it, with its unit ("up to 200,000 chips (estimated)",
    # "48 to 84 months"): the raw value and qualifier ("48..84", "range") are for programs
    doc.table(Table("disputes", ["about", "measure", "period", "amount", "value", "qualifier",
                                 "claimed by", "sources", "reliability", "figure"],
                    [[name(r.about), measure_words(ents, r.measure, r.compared_with), r.period,
                      figure_amount(sem.entities, sem.entities[r.claim]), r.value, r.qualifier,
                      claimant_words(sem.entities, sem.entities[r.claim]),
                      "; ".join(r.sources), r.reliability, r.claim] for r in disputes],
                    hide=("value", "qualifier"), cites=("sources",),
                    order="by subject, measure, period and value"))
    doc.h3("Facts resting only on low-reliability sources")
    by_kind: dict[str, int] = {}
    for f in weak:
        by_kind[f.kind] = by_kind.get(f.kind, 0) + 1
    doc.p(f"{len(weak)} facts (statements, figures and verdicts) cite only low-reliability "
          "sources: " + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())) + ".")
    # the entity by its name, as every other table (a journalist's trial: "alibaba-cloud",
    # "aiden-gray-adoption-contested"); its id in the CSV and JSON
    doc.table(Table("low-reliability-only", ["entity", "id", "kind", "field", "value",
                                             "sources", "deprecated"],
                    [[name(f.entity), f.entity, f.kind, *_reader_words(sem, f, day),
                      "; ".join(f.sources), "yes" if f.deprecated else ""] for f in weak],
                    show=15, hide=("id",), cites=("sources",), order="by entity id and field"))
    doc.h3("Unchecked share by kind")
    doc.table(Table("unchecked-by-kind", ["kind", "facts", "unchecked", "unchecked share"],
                    [list(r) for r in unchecked_by_kind(all_facts)], order="by kind"))
    doc.h3("Entities with few links")
    few = few_links(G)
    doc.p(f"{sum(1 for _, d in few if d == 0)} entities have no link in the network on {day} "
          f"and {sum(1 for _, d in few if d == 1)} have one.")
    doc.table(Table("few-links", ["entity", "id", "kind", "links"],
                    [[name(n), n, node[n]["kind"], d] for n, d in few], show=15,
                    order="fewest links first, then by id"))
    doc.h3("Pieces of the network")
    pieces = a.pieces
    doc.p(f"The network falls into {pieces['count']} connected pieces. The largest holds "
          f"{pieces['largest']} of {n_nodes} entities; an entity "
          "outside it shares no path with the rest, so its betweenness and closeness "
          "reflect only its own piece. The next pieces are where links are missing.")
    doc.table(Table("pieces", ["piece", "size", "most linked members"],
                    [[i, size, ", ".join(name(n) for n in most)]
                     for i, size, most in pieces["rows"]], show=8, order="by size"))
    doc.h3("Facts per source")
    fps = facts_per_source(sem, all_facts)
    doc.table(Table("facts-per-source", ["source", "publisher", "reliability", "facts"],
                    [[s, str(ents[s].first("publisher", "")) if s in ents else "",
                      _rel(sem, [s]), n] for s, n in fps], show=15, cites=("source",),
                    order="most facts first"))
    nourl = without_url(sem)
    doc.h3("Sources without a link")
    found = Counter(findability(ents[s]) for s in nourl)
    doc.p(f"{len(nourl)} of {sum(1 for e in ents.values() if e.kind == 'source')} sources "
          "have no link a reader can open: no URL, no archived copy and no identifier a "
          f"resolver link can be derived from (arXiv, DOI, Federal Register, CELEX). "
          f"Of them, {found['identifier']} give an identifier without a resolver (an SEC "
          "accession number, a Federal Register citation: shown below), "
          f"{found['bundled']} are bundled articles, whose text ships with the project, "
          f"and {found['none']} give nothing to find them by (`kg lint` warns of each; "
          "`kg stats` counts the same).")
    doc.table(Table("sources-without-url", ["source", "publisher", "reliability",
                                            "identifiers"],
                    [[s, str(ents[s].first("publisher", "")), _rel(sem, [s]),
                      "; ".join(f"{k}: {v}" for k, v in identifiers(ents[s]))]
                     for s in nourl], show=15, cites=("source",), order="by id"))

    # -- method ---------------------------------------------------------------------------
    doc.h2("How the network is made")
    doc.ul([
        "Nodes: every organisation, person, country, AI model, chip, policy and event. "
        "Sources, figures, assessments, measures, quotes and tombstones are not nodes.",
        "Links: every sourced reference between two nodes (developer, designer, fab, "
        "family, issued_by, targets, actors, involves, affiliation, parent, supplies, "
        "partners, invests_in, amends, implements, base_model, trained_on, served_on, "
        "variant_of), one per statement, with its sources, check status and dates. "
        "References to a country that only place an entity (country, citizenship, "
        "jurisdiction, market) are not links: they decide the bloc.",
        "A quote links its speaker to each node it is about (relation quoted-about); a "
        "figure links who gives it (its estimated_by: who estimated, measured or reported "
        "it) to what it measures (relation estimated, said 'gives a figure on'). Both "
        "carry the quote's or figure's sources.",
        f"A link holds on a day by the rule of docs/semantics.md; this report keeps the "
        f"links that hold on {day}. Deprecated statements are never links.",
        "Measures run on the undirected simple graph: one edge per pair of nodes, "
        "weighted by the number of links between them (PageRank, eigenvector); "
        "betweenness and closeness count hops.",
    ])

    # -- sources --------------------------------------------------------------------------
    doc.h2("Sources")
    known = {i for i, e in ents.items() if e.kind == "source"}
    cited_ids = cited(doc, known)
    doc.p("Every source the report cites, by id: its title, publisher, date and "
          "reliability, the links a reader can open (its web page, an archived copy, links "
          "derived from its identifiers) and identifiers without a link (SEC accession "
          "numbers, Federal Register citations). Each citation above links to its entry.")
    doc.sources([source_entry(ents[i]) for i in cited_ids])
    step("wrote the document")
    return doc, images


# -- helpers ----------------------------------------------------------------------------
def _shown(t: Table, shown_rows: list) -> Table:
    """A table whose Markdown shows `shown_rows` (a prefix selection) and whose CSV has all."""
    t.show = len(shown_rows) if shown_rows == t.rows[:len(shown_rows)] else None
    if t.show is None:
        shown = {id(r) for r in shown_rows}  # rows of t.rows, each naming its own entity
        t.rows = shown_rows + [r for r in t.rows if id(r) not in shown]
        t.show = len(shown_rows)
    return t


def source_entry(source) -> SourceEntry:
    """A source entity as the report's Sources list gives it: its links a reader can open
    and its identifiers no link names (kg.semantics.links), whether it is a bundled
    article; an address that is not http(s) is shown as text, never as a link."""
    own = safe_url(source.first("url"))
    links = tuple((k.label, k.url) for k in source_links(source)
                  if safe_url(k.url) and k.url != own)
    texts = unlinked_identifiers(source, (label for label, _ in links))
    for f, label in (("url", "address (not a web link)"),
                     ("archived_url", "archived address (not a web link)")):
        if source.first(f) and not safe_url(source.first(f)):
            texts.append((label, str(source.first(f))))
    bundled = str(source.first("bundled_file") or "")
    return SourceEntry(
        source.id, str(source.first("title") or source.name),
        str(source.first("publisher") or ""), str(source.first("date") or ""),
        str(source.first("reliability") or ""), str(source.first("reliability_note") or ""),
        bundled, own or "", links, tuple(texts))


def _robustness_summary(moves, headline: list[str], top: int, name,
                        what: str = "Rankings that rest on weak links: without disputed and "
                                    "low-reliability-only links") -> list[str]:
    """The summary's line on what the ranking owes to some links (weak links by default;
    `what` opens the line): how the entities the summary names as most central move
    without them, who would then rank first, and who would leave the top `top` (a
    journalist's trial: the summary named China most central and said only that another
    entity would leave the top 10, while without weak links China fell from 1 to 4).
    [] when nothing moves."""
    said = []
    for m in moves:
        if m.node in headline and m.robust_rank != m.rank:
            said.append(f"{name(m.node)} loses every link" if m.robust_rank is None else
                        f"{name(m.node)} goes from {m.rank} to {m.robust_rank}")
    first = next((m for m in moves if m.robust_rank == 1 and m.rank != 1), None)
    if first is not None and said and first.node not in headline:
        said.append(f"{name(first.node)} would rank first")
    dropped = [name(m.node) for m in moves if m.robust_rank is None or m.robust_rank > top]
    if dropped:
        said.append(", ".join(dropped) + f" would leave the top {top}")
    if not said:
        return []
    return [f"{what}, " + "; ".join(said) + " (see How robust the ranking is)."]


def _drop_words(drop: float | None) -> str:
    """"PageRank −12% without it"; "PageRank drop not computed" for a link not examined."""
    return "PageRank drop not computed" if drop is None else f"PageRank −{drop:.0%} without it"


def _label(sem: Semantics, c) -> str:
    """A change's field in words: the schema's label, or the measure's name; "quote" for
    words said."""
    if c.change == "figure":
        return _value(sem.entities, c.field)
    if c.change == "said":
        return sem.schema.kinds["quote"].label
    ent = sem.entities.get(c.entity)
    f = sem.schema.kinds[ent.kind].fields.get(c.field) if ent is not None else None
    return f.label if f is not None else c.field


def _count(rows, change: str) -> int:
    return sum(1 for c in rows if c.change == change)


SUMMARY_DISPUTES_NAMED = 3  # the summary names this many disputes, then "and N more"


def _disputes_summary(disputes, name, ents) -> str:
    """"2 disputes over 4 figures (...): Huawei Ascend 910C, chips produced in a year
    (2025); United States, ...". A journalist's trial: the summary said "4 figures are
    disputed", which reads as four disputes and names none."""
    # a dispute is one (about, measure, period, compared with): two relative figures of
    # one chip against different chips are two disputes, not one
    keys = sorted({(r.about, r.measure, r.period, r.compared_with) for r in disputes})
    figures = _counted(len({r.claim for r in disputes}), "figure")
    text = (f"{_counted(len(keys), 'dispute')} over {figures} (the same measure of the same "
            "thing for the same period, values that do not meet)")
    if not keys:
        return text
    named = [f"{name(a)}, {ents[m].name if m in ents else m}" + (f" ({p})" if p else "")
             + (f" against {name(c)}" if c else "")
             for a, m, p, c in keys[:SUMMARY_DISPUTES_NAMED]]
    more = len(keys) - SUMMARY_DISPUTES_NAMED
    return text + ": " + "; ".join(named) + (f"; and {more} more" if more > 0 else "")


def _counted(n: int, noun: str) -> str:
    """'1 figure', '19 figures' (the summary said '1 figures')."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _before_words(c) -> str:
    """" (published before the change)" after the sources of an end that none of them can
    report (kg.semantics.time, Timeline.end_sources: each came out before its `to`, and no
    value replaced it then), so no reader takes them for the source of the end."""
    return f" ({PUBLISHED_BEFORE})" if c.how == PUBLISHED_BEFORE else ""


def _rel(sem: Semantics, sources) -> str:
    rels = sorted({str(sem.entities[s].first("reliability")) for s in sources
                   if s in sem.entities}, key=["high", "medium", "low"].index)
    return "/".join(rels)


def _value(ents, value: str) -> str:
    e = ents.get(value)
    return e.name if e is not None else value


def _reader_words(sem: Semantics, f, day: dt.date) -> tuple[str, str]:
    """(what, value) of a fact in a reader's words: a figure's measure (with what it is
    compared with) and its amount with unit and qualifier ("about 450,000 chips
    (estimated)"), a verdict's dimension and its words ("China catching up"), else the
    field's name and the value's (a journalist's trial: the low-reliability table printed
    "chip-annual-output" and "450000", "48" for 48 to 84 months, "leads" without who)."""
    ents = sem.entities
    e = ents.get(f.entity)
    if f.kind == "claim" and e is not None:
        return (measure_words(ents, f.field, str(e.first("compared_with") or "")),
                figure_amount(ents, e))
    if f.kind == "assessment" and e is not None:
        leader, challenger = e.first("leader"), e.first("challenger")
        return (dimension_label(f.field),
                verdict_text(f.value, sem.bloc(str(leader), day) if leader else None,
                             sem.bloc(str(challenger), day) if challenger else None))
    return f.field, _value(ents, f.value)


def _move(m) -> str:
    if m.robust_rank is None:
        return "loses every link"
    d = m.rank - m.robust_rank
    return "same" if d == 0 else (f"up {d}" if d > 0 else f"down {-d}")


def relation_words(schema) -> dict[str, str]:
    """A relation (a field's name, quoted-about, estimated) as a list of relations says it
    ("tied by issued by (12), model family (7)"): the field's label, as the explorer labels
    a line ("issued_by" -> "issued by", "fab" -> "fabricated by"); the CSV files keep the
    names. The reasons' sentences say it by relation_phrases."""
    words = dict(RELATION_LABELS)
    for kind in schema.kinds.values():
        for fname, f in kind.fields.items():
            words.setdefault(fname, f.label or fname)
    return words


# A relation as a sentence between two names says it ("A <phrase> → B"), where the schema's
# label is a noun: a journalist's trial read "DeepSeek-V3 developer → it" and "Jensen Huang
# affiliation → it"; the other labels read as they are ("issued by", "supplies", "targets").
RELATION_PHRASES = {"parent": "part of", "partners": "partners with",
                    "affiliation": "affiliated with", "developer": "developed by",
                    "family": "belongs to", "base_model": "fine-tuned or distilled from",
                    "designer": "designed by", "variant_of": "derived from"}
# An event's roles, said of who plays them, the event after the arrow: "takes part in →
# OpenAI raises US$6.6 billion" (it read "OpenAI raises US$6.6 billion actors → it"; with
# an event named by a sentence as subject, no verb reads well: "China's market regulator
# opens an antitrust investigation into NVIDIA involves → it" read as one long sentence,
# now "is involved in → China's market regulator opens ...").
ROLE_PHRASES = {"actors": "takes part in", "investors": "invests in",
                "investees": "receives the money in", "involves": "is involved in"}


class Phrases(dict):
    """relation_phrases, with the ids of the entities named by a sentence (events: "OpenAI
    raises US$6.6 billion"), whose names _link_words quotes where they stand before a
    relation: "“Chinese customs tell companies not to buy NVIDIA H200 chips” is involved in
    → it" (it read "... H200 chips is involved in → it", one run-on sentence)."""

    def __init__(self, phrases: dict[str, str], sentences: frozenset[str] = frozenset()):
        super().__init__(phrases)
        self.sentences = sentences


def relation_phrases(schema) -> dict[str, str]:
    """Every relation as the reasons' sentences say it: RELATION_PHRASES and ROLE_PHRASES
    where the label is a noun, else the label (relation_words)."""
    return {**relation_words(schema), **RELATION_PHRASES, **ROLE_PHRASES}


def _link_words(lk, node: str, name, rel: dict[str, str]) -> str:
    """The facts joining a node to one neighbour, grouped by relation and direction:
    "Scott Singer quoted about (×7) → it [dw-2026-01-24-us-china-ai-race]", and "(low
    reliability only)" after a group whose every fact rests on low-reliability sources.
    rel: relation_phrases (Phrases: with the events, quoted before a relation); an event's
    role (ROLE_PHRASES) is said from who plays it, so
    its arrow runs from them to the event ("takes part in → <event>", "<actor> takes part
    in → it")."""
    groups: dict[tuple[str, bool], list] = {}
    for f in lk.facts:
        groups.setdefault((f.relation, (f.source == node) != (f.relation in ROLE_PHRASES)),
                          []).append(f)
    words = []
    for (relation, out), group in sorted(groups.items()):
        times = f" (×{len(group)})" if len(group) > 1 else ""
        sources = sorted({s for f in group for s in f.sources})
        words_ = rel.get(relation, relation)
        subject = name(lk.neighbour)
        if lk.neighbour in getattr(rel, "sentences", ()):
            subject = f"“{subject}”"
        arrow = f"{words_}{times} → {name(lk.neighbour)}" if out else \
            f"{subject} {words_}{times} → it"
        # a journalist's trial: Sam Altman stood 4th among the bridges between the blocs on
        # a two-word quote carried by BitBiased alone, and nothing said the source was weak
        weak = all(f.reliability == "low" for f in group)
        words.append(f"{arrow} [{', '.join(sources)}]" + (" (low reliability only)" if weak else ""))
    return " / ".join(words)


def _grouped_words(facts, node: str, name, rel: dict[str, str]) -> str:
    """Facts grouped by the neighbour they join `node` to, in words (see _link_words)."""
    by: dict[str, list] = {}
    for f in facts:
        by.setdefault(f.target if f.source == node else f.source, []).append(f)

    class _Link:  # the shape _link_words reads
        def __init__(self, neighbour, group):
            self.neighbour, self.facts = neighbour, tuple(group)

    return "; ".join(_link_words(_Link(u, g), node, name, rel) for u, g in sorted(by.items()))


def _pair_words(a: str, b: str, label: dict[str, str]) -> str:
    if a == b:
        return f"within {label.get(a, a)}"
    return f"between {label.get(a, a)} and {label.get(b, b)}"


def figure_amount(ents, claim) -> str:
    """A figure's value as a reader says it, with its qualifier, range and method:
    "about USD 8 billion (projected)", "48 to 84 months", "less than 10×"."""
    measure = ents.get(str(claim.first("measure")))
    unit = str(measure.first("unit", "")) if measure is not None else ""
    value = as_decimal_text(claim.first("value"))
    upper = claim.first("upper")
    if upper is not None:
        amount = f"{amount_text(value, unit)} to {amount_text(as_decimal_text(upper), unit)}"
    else:
        amount = amount_text(value, unit)
    amount = QUALIFIER_WORDS.get(str(claim.first("qualifier") or "exact"), "") + amount
    method = claim.first("method")
    return amount + (f" ({method})" if method in ("projected", "estimated") else "")


def claimant_words(ents, claim) -> str:
    """Who stands behind a figure, for a reader: the estimating entity's name, the source's
    own words for who estimated it, else its sources' publishers: "the source (BitBiased)",
    "the sources (DW (Deutsche Welle), Deep Dive series)"; "the source" when none is named."""
    who = claim.first("estimated_by")
    if who:
        return ents[str(who)].name if str(who) in ents else str(who)
    if claim.first("attributed_to"):
        return str(claim.first("attributed_to"))
    srcs = [str(s) for s in claim.values("sources")]
    publishers = list(dict.fromkeys(str(ents[s].first("publisher")) for s in srcs
                                    if s in ents and ents[s].first("publisher")))
    if not publishers:
        return "the source"
    return f"the source{'s' if len(srcs) > 1 else ''} ({', '.join(publishers)})"


def _figure_words(ents, f) -> str:
    """A figure in words, with the period it is about and what it covers: "China: global
    chatbot market share 15% (2025-11; all Chinese AI models together)"; a relative figure
    with what it is compared with: "Huawei Ascend 910: performance relative to NVIDIA H100:
    60% (inference tasks (text generation, chatbot queries, image classification))" (a
    journalist's trial: "relative to another chip 60%", then the 60% without what it was
    measured on)."""
    about = ents[f.about].name if f.about in ents else f.about
    what = measure_words(ents, f.measure, f.compared_with)
    # with the period it is about (a journalist's trial: a 2023 robot count backing a
    # verdict as of 2026-04 read as current) and its context (kg.semantics.disputes)
    # ... or, with no period, when it was reported, as the explorer says it (a journalist's
    # trial: "Huawei Ascend 910 ... 60%" with no date)
    said = "; ".join(x for x in (f.when, f.context) if x)
    when = f" ({said})" if said else ""
    return (f"{about}: {what}{': ' if f.compared_with else ' '}"
            f"{figure_amount(ents, ents[f.id])}{when}")


def measure_words(ents, measure: str, compared_with: str = "") -> str:
    """A measure's name, with the entity a relative figure is compared with in place of
    its general other term ("performance relative to another chip" -> "performance
    relative to NVIDIA H100"), else after it ("lead in chip generations, compared with
    China"): kg.semantics.disputes.relative_head, as the explorer; the name alone for a
    figure that is not relative."""
    m = ents.get(measure)
    what = m.name if m is not None else measure
    if not compared_with:
        return what
    other = ents[compared_with].name if compared_with in ents else compared_with
    return relative_head(what) + other


def _disputed_words(f) -> str:
    """", disputed" after a backing figure that another figure disputes, as the explorer's
    badge says: BitBiased backs its verdict on chips with both estimates of the Ascend
    910C's output, which dispute each other, and the scorecard said nothing of it."""
    return ", disputed" if f.disputed_by else ""


def _change_who(sem: Semantics, c, name) -> str:
    """Whose change it is: the entity's name; for words said, who said them (a journalist's
    trial: "AI Action Plan: countries willing to join America's AI alliance | date |
    2025-07-23", a quote listed as a thing that happened)."""
    quote = sem.entities.get(c.entity) if c.change == "said" else None
    speaker = quote.first("speaker") if quote is not None else None
    return name(str(speaker)) if speaker is not None else name(c.entity)


def _change_value(sem: Semantics, c) -> str:
    """A change's value in words: an entity's name, a figure with its unit and qualifier,
    or a quote's words (short_quote)."""
    if c.change == "said" and c.entity in sem.entities:
        return short_quote(str(sem.entities[c.entity].first("text", "")))
    if c.change == "figure":
        if c.claim and c.claim in sem.entities:
            return figure_amount(sem.entities, sem.entities[c.claim])
        measure = sem.entities.get(c.field)
        return amount_text(c.value, str(measure.first("unit", "")) if measure is not None else "")
    return _value(sem.entities, c.value)


def _shares(G, measures: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    out = {}
    bloc = {n: d["bloc"] for n, d in G.nodes(data=True)}
    for label, values in measures.items():
        total = sum(values.values())
        sums = {b: 0.0 for b in BLOC_LABELS}
        for n, v in values.items():
            sums[bloc[n]] += v
        out[label] = {b: round(s / total, 6) if total else 0.0 for b, s in sums.items()}
    return out


def _leads_summary(card) -> str:
    by: dict[str, list[str]] = {}
    none = []
    for r in card:
        if not r.verdicts:
            none.append(r.dimension)
            continue
        texts = sorted({v.text for v in r.verdicts})
        key = texts[0] if len(texts) == 1 else "split"
        by.setdefault(key, []).append(r.dimension)
    n = {r.dimension: len(r.verdicts) for r in card}
    parts = []
    for key, dims in sorted(by.items()):
        if key == "split":
            parts.append("sources differ on " + ", ".join(
                f"{dimension_label(d)} ({_tally(r)})"
                for d in dims for r in card if r.dimension == d))
        else:
            parts.append(f"{key} on " + ", ".join(
                f"{dimension_label(d)} ({n[d]} source{'s' if n[d] > 1 else ''}"
                f"{_all_low(r.verdicts)})" for d in dims for r in card if r.dimension == d))
    if none:
        parts.append(f"{NO_VERDICT} on " + ", ".join(dimension_label(d) for d in none))
    return ("Scorecard: " + "; ".join(parts) + ".") if parts else ""


def _tally(row) -> str:
    """"4 say US leads, 1 says China catching up"; "(all low reliability)" after a verdict
    only low-reliability sources give (see _all_low)."""
    groups: dict[str, list] = {}
    for v in row.verdicts:
        groups.setdefault(v.text, []).append(v)
    return ", ".join(f"{len(vs)} {'say' if len(vs) > 1 else 'says'} {t}"
                     + (f" ({_all_low(vs)[2:]})" if _all_low(vs) else "")
                     for t, vs in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def _all_low(verdicts) -> str:
    """", low reliability" (one verdict), ", both low reliability", ", all low reliability"
    when every verdict's source has low reliability, else "" (a journalist's trial: "China
    leads on energy (2 sources)" read as well supported, though both are SEO or opinion
    pieces the report itself rates low)."""
    if not verdicts or any(v.reliability != "low" for v in verdicts):
        return ""
    return {1: ", low reliability", 2: ", both low reliability"}.get(len(verdicts),
                                                                   ", all low reliability")


# what "central" means, for a reader without network science (a journalist's trial: the
# section opened on "degree (distinct neighbours / (n − 1)), PageRank (α = 0.85 ...")
CENTRAL_IN_WORDS = (
    "In plain words: an entity is central when many of the graph's sourced links tie it to "
    "others (it develops, designs, issues, targets, supplies, invests in, is quoted about). "
    "PageRank, by which everything here is ranked, counts those links and gives more weight "
    "to links from entities that are central themselves; betweenness is how often an entity "
    "is the go-between on the shortest chain of links between two others; degree is how many "
    "neighbours it has. A high rank says that the sources connect it to much of the race, "
    "and follows what the data holds (a country that many quotes are about, a company with "
    "many listed models); it does not measure size, power or who is ahead. The technical "
    "details:")


def _method(binfo: dict, approx: dict, name: Callable[[str], str] = str) -> str:
    how = ("computed exactly (Brandes), as it is for networks of up to "
           f"{BETWEENNESS_EXACT_MAX_NODES} nodes" if binfo["method"] == "exact" else
           f"sampled from k = {binfo['k']} sources with seed {binfo['seed']}, as it is above "
           f"{BETWEENNESS_EXACT_MAX_NODES} nodes")
    close = binfo.get("closeness")
    if close:
        how += (f"; closeness in pieces of more than {BETWEENNESS_EXACT_MAX_NODES} nodes is "
                f"estimated from the distances to k = {close['k']} of their nodes drawn with "
                f"seed {close['seed']}")
    if approx.get("on") == "piece":
        checked = (f"Exact betweenness is not run on a network this size; checked instead "
                   f"on the {approx['nodes']} entities nearest to {name(approx['around'])} (by "
                   f"links), sampling at the report's rate (k = {approx['k']} of "
                   f"{approx['nodes']} sources, as k = {approx['network_k']} of "
                   f"{approx['network_nodes']} is for the network; seed {approx['seed']}) "
                   f"finds {approx['top_overlap']} of the exact top {approx['top']}, with a "
                   f"largest error of {approx['max_error']:.4f}. ")
    else:
        checked = ("Checked on this network, the sampled betweenness with k = "
                   f"{approx['k']} and seed {approx['seed']} finds {approx['top_overlap']} "
                   f"of the exact top {approx['top']}, with a largest error of "
                   f"{approx['max_error']:.4f}. ")
    return ("Five measures on the network, each in [0, 1]: degree (distinct neighbours / "
            "(n − 1)), PageRank (α = 0.85, scaled so the top entity is 1), betweenness (the "
            "share of shortest paths between pairs of entities that pass through one; "
            + how + "), eigenvector (scaled so the top is 1; on a network in pieces it "
            "concentrates in the piece with the largest eigenvalue, and entities in other "
            "pieces get about 0) and closeness (Wasserman–Faust, which allows for a network "
            "in pieces). " + checked
            + "Ranks are by PageRank; entities without any link are left out of the ranks.")


def chart_stamp(sem: Semantics, day: dt.date) -> str:
    """The line in the foot of every chart: the data's version and date, and the day the
    report shows when it is not the dataset's (`--as-of`), as the explorer cites them."""
    shown = f"; shown as of {day.isoformat()}" if day != sem.date else ""
    return (f"ai-race-kg {sem.schema.version}, data as of {sem.date.isoformat()}{shown}")


CHANGES_SHOWN = 60  # the newest rows of What changed shown (the numbered dots' rows too)
CHANGES_CHART_NUMBERED = 20  # numbered dots on the changes chart, at most
CHANGES_CHART_SLOTS = 40  # ... and one per lane in each of this many spans of the time line


def numbered_changes(keyed: list, since: dt.date, day: dt.date) -> list:
    """The changes (began/ended, sorted by day) the changes chart numbers: the first in
    each lane and each of CHANGES_CHART_SLOTS equal spans of since..day, at most
    CHANGES_CHART_NUMBERED, so that the numbers never pile up on one another."""
    span = max((day - since).days, 1)
    out, used = [], set()
    for c in keyed:
        slot = (c.change, min(max((c.day - since).days, 0) * CHANGES_CHART_SLOTS // span,
                              CHANGES_CHART_SLOTS - 1))
        if slot in used:
            continue
        used.add(slot)
        out.append(c)
        if len(out) == CHANGES_CHART_NUMBERED:
            break
    return out


def like_changes(keyed: list, rows: list) -> list[list]:
    """Each numbered change (numbered_changes) with the rows like it, in row order: the
    same change (began, ended) of the same field to the same value, dated the same as the
    source gives it, for another entity (a fresh user's trial: the AMD MI308's April 2025
    licence requirement had a number, the NVIDIA H20's, the same policy in the same
    month, only a row in changes.csv). A row like no numbered one stays unnumbered."""
    def like(c) -> tuple:
        return (c.day, c.change, c.field, c.value, c.when)

    at = {like(c): i for i, c in enumerate(keyed)}
    groups: list[list] = [[c] for c in keyed]
    numbered = {id(c) for c in keyed}
    for c in rows:
        if id(c) not in numbered and like(c) in at:
            groups[at[like(c)]].append(c)
    return groups


CHECK_NODES = 1000  # above the exact threshold, the sampling error is measured on this many nodes
CHECK_MIN_K = 10  # the check samples at least this many sources (or all of its nodes)


def sampling_check(H: nx.Graph | Arrays, exact: dict[str, float] | None,
                   around: str | None) -> dict:
    """How far sampled betweenness is from exact, stated in the report.

    Up to the exact threshold (`exact` given: the network's exact values), a sample of
    half the report's k against them on the whole network. Above it, exact betweenness is
    never run on the network: the CHECK_NODES nodes nearest to `around` (the top entity),
    by hops, where exact is affordable, are sampled at the report's rate, k × piece / n
    (at least CHECK_MIN_K), so the error stated is the one the report's k has on the
    whole network, not the smaller one it would have on the piece.
    H may be the simple graph's Arrays. Returns approximation_error's dict plus "on":
    "network" | "piece" (and "around", "network_k", "network_nodes").
    """
    H = arrays(H)
    if exact is not None:
        k = min(BETWEENNESS_K // 2, max(H.n, 3))
        return {**approximation_error(H, k=k, exact=exact), "on": "network"}
    ball = list(nx.single_source_shortest_path_length(H.H, around))[:CHECK_NODES] \
        if around is not None else H.order[:CHECK_NODES]
    piece = H.sub(ball)
    size, n = piece.n, H.n
    k = min(max(round(BETWEENNESS_K * size / max(n, 1)), CHECK_MIN_K), max(size, 3))
    return {**approximation_error(piece, k=k), "on": "piece", "around": around,
            "network_k": min(BETWEENNESS_K, n), "network_nodes": n}


@dataclass(frozen=True)
class Analysis:
    """The report's measures of one network (see `analysis`).

    cent: {measure: {node id: value}} (centralities); binfo, cinfo: how betweenness and
    the communities were computed; approx: sampling_check's dict; share: {measure: {bloc:
    share}}; communities, whys (Why of the top nodes, in rank order), moves and removed
    (robustness), quote_moves and quotes_removed (the same without the quote links),
    bridges: as their functions return them, with the network's EdgeFacts;
    neighbours: distinct neighbours of each node in whys; by_bloc: rows [bloc, rank, node
    id, links in the bloc, *MEASURES] of the measures within each bloc; pieces: {"count",
    "largest" (size), "rows": [[rank, size, [the five most linked members]]] for the
    pieces of two nodes or more, "of": {node id: [its piece's rank, size]} for the nodes of
    whys}; sampled: whether betweenness (and the path shares) came
    from sampled sources; bounded: whether "why central" examined only WHY_CANDIDATES
    links per node; bloc_paths: whether betweenness and closeness within each bloc were
    computed.
    """

    sampled: bool
    bounded: bool
    bloc_paths: bool
    cent: dict
    binfo: dict
    cinfo: dict
    approx: dict
    share: dict
    communities: list[Community]
    whys: list[Why]
    neighbours: dict[str, int]
    moves: list[Move]
    removed: int
    quote_moves: list[Move]
    quotes_removed: int
    bridges: list[Bridge]
    by_bloc: list[list]
    pieces: dict


def analysis(G: nx.MultiDiGraph, disputed: set[str], top: int = TOP,
             progress: Progress | Steps | None = None, jobs: int = 1,
             idle: Callable[[], None] | None = None) -> Analysis:
    """The measures the report states on the network G (as_it_stood), computed, or read
    back from the cache (kg.analysis.memo) when the same network (nodes with their kind
    and bloc, links with their relation and whether they are weak given the `disputed`
    figures, in G's order) was measured before with the same `top`, parameters
    (this module's constants and those of the modules it calls) and code. Names,
    descriptions and sources' details are not inputs: the report reads them from G.
    jobs > 1: a second process may compute part of the measures (see `_measures`); idle()
    is called once it has ended (not when the measures are read back)."""
    from kg.analysis import centrality, paths, why
    from kg.analysis import communities as community_module

    step = progress if isinstance(progress, Steps) else Steps(progress)
    memo = Memo("report", (sys.modules[__name__], centrality, community_module, paths, why))
    memo.add(top)
    memo.add_lines((n, d["kind"], d["bloc"]) for n, d in G.nodes(data=True))
    memo.add_lines((u, v, k, d["relation"], is_weak(d["fact"], disputed))
                   for u, v, k, d in G.edges(keys=True, data=True))
    result = memo.get(lambda: _measures(G, disputed, top, step, jobs, idle),
                      lambda v: _decoded(v, G))
    if memo.hit:
        step("the network's measures: the same network as a run before, read back")
    return result


def _measures(G: nx.MultiDiGraph, disputed: set[str], top: int, step: Steps,
              jobs: int = 1, idle: Callable[[], None] | None = None) -> dict:
    """The measures of `Analysis`, as JSON values (node ids for nodes, keys for EdgeFacts).

    The simple graph's Arrays (its matrices, its PageRank) are made once here and read by
    every measure. jobs > 1 on a network of MEASURES_FORK_MIN_NODES to
    MEASURES_FORK_MAX_NODES nodes (where os.fork exists): the communities and the bloc
    measures are computed in a forked
    second process (kg.core.forked) while this one computes the rest; the same values
    as in one process (the same functions on the same inputs); idle() once that second
    process has ended."""
    H = simple(G)
    net = Arrays(H)
    n_nodes = net.n
    sampled = n_nodes > BETWEENNESS_EXACT_MAX_NODES
    bounded = n_nodes > WHY_ALL_LINKS_MAX_NODES
    k = min(BETWEENNESS_K, n_nodes) if sampled else None
    with Stack() as stack:
        side = None
        if jobs > 1 and can_fork() and \
                MEASURES_FORK_MIN_NODES <= n_nodes <= MEASURES_FORK_MAX_NODES:
            net.pagerank()  # solved once, before the fork: both processes read it
            side = stack.enter_context(Forked("computing the communities and the bloc measures",
                                              _side_measures, G, H, net, k))
        paths = PathCounts(net, sample_sources(net, k) if sampled else None)
        step(f"shortest paths from {len(paths.sources)} "
             f"{'sampled ' if sampled else ''}sources")
        cent, binfo = centralities(net, k=k, paths=paths, exact_max=BETWEENNESS_EXACT_MAX_NODES)
        degree = dict(G.degree())
        linked = [n for n in ranking(cent["pagerank"]) if degree[n]]
        step("centrality (degree, PageRank, betweenness, eigenvector, closeness)")
        # the PageRank with every link, which robustness and ranks_without compare with, is
        # cent's when no pair is a loop (their links leave loops out)
        whole = cent["pagerank"] if not nx.number_of_selfloops(H) else None
        moves, removed = robustness(G, disputed, top, pagerank=whole)
        quote_moves, quotes_removed = ranks_without(
            G, lambda fact: fact.relation == "quoted-about", top, pagerank=whole)
        brs = bridges(G, paths, top)
        step("robustness and bridges")
        approx = sampling_check(net, cent["betweenness"] if not sampled else None,
                                linked[0] if linked else None)
        step(f"betweenness sampling error (k={approx['k']}, seed {approx['seed']})")
        share = _shares(G, {"PageRank": raw_pagerank(net),  # unscaled, for the shares
                            "degree": {n: float(H.degree(n)) for n in H},
                            "betweenness": cent["betweenness"]})
        tops = linked[:top]
        candidates = WHY_CANDIDATES if bounded else None
        if side is None:
            comms, cinfo, by_bloc, bloc_paths = _side_measures(G, H, net, k)
            where, links = "", None
        else:
            # while the second process finds the communities, the part of why central that
            # does not need them (most of its time)
            step.begin("why central: leave-one-link-out PageRank")
            links = why_links(G, tops, paths, candidates)
            step(f"why central: {len(tops)} nodes, leave-one-link-out PageRank")
            (comms, cinfo, by_bloc, bloc_paths), seconds = side.join()
            where = f"; {seconds:.1f} s in a second process"
            if idle is not None:
                idle()
    step(f"{len(comms)} communities ({cinfo['method']}, seed {cinfo['seed']}), centrality "
         f"within each bloc{where}")
    member = {n: c.id for c in comms for n in c.members}
    step.begin("why central: leave-one-link-out PageRank" if links is None
               else "why central: the community pairs")
    whys = why_central(G, tops, member, paths, candidates, links)
    pieces = sorted(nx.connected_components(H), key=lambda c: (-len(c), min(c)))
    step(f"why central: {len(tops)} nodes, leave-one-link-out PageRank; pieces of the network"
         if links is None else "why central: the community pairs; pieces of the network")
    return {
        "sampled": sampled, "bounded": bounded, "bloc_paths": bloc_paths,
        "cent": _columns(cent), "binfo": binfo, "cinfo": cinfo, "approx": approx, "share": share,
        "communities": [[c.id, c.members, c.top, c.blocs, c.kinds, c.relations]
                        for c in comms],
        "whys": [[w.node, H.degree(w.node), [[a, b, x] for (a, b), x in w.pairs],
                  [[lk.neighbour, lk.path_share, lk.pagerank_drop, [f.key for f in lk.facts]]
                   for lk in w.links]] for w in whys],
        "moves": [[m.node, m.rank, m.robust_rank, m.pagerank, m.robust_pagerank]
                  for m in moves],
        "removed": removed,
        "quote_moves": [[m.node, m.rank, m.robust_rank, m.pagerank, m.robust_pagerank]
                        for m in quote_moves],
        "quotes_removed": quotes_removed,
        "bridges": [[b.node, b.share, [f.key for f in b.us_links],
                     [f.key for f in b.china_links]] for b in brs],
        "by_bloc": by_bloc,
        "pieces": {"count": len(pieces), "largest": len(pieces[0]) if pieces else 0,
                   "rows": [[i + 1, len(c), sorted(c, key=lambda n: (-H.degree(n), n))[:5]]
                            for i, c in enumerate(pieces) if len(c) > 1],
                   "of": {w.node: [i + 1, len(c)] for w in whys
                          for i, c in enumerate(pieces) if w.node in c}},
    }


def _side_measures(G: nx.MultiDiGraph, H: nx.Graph, net: Arrays,
                   k: int | None) -> tuple[list[Community], dict, list[list], bool]:
    """(communities, their info, the bloc measures' rows, whether betweenness and
    closeness were computed within each bloc): what `_measures` may compute in a second
    process. H: simple(G); net: H's Arrays; k: the betweenness sample (None: exact).
    The communities' core is ranked by PageRank, the same values `centralities` gives."""
    comms, cinfo = communities(G, H, pagerank(net), max_nodes=LOUVAIN_MAX_NODES)
    by_bloc, bloc_paths = _bloc_measures(G, net, k)
    return comms, cinfo, by_bloc, bloc_paths


def _bloc_measures(G: nx.MultiDiGraph, net: Arrays, k: int | None) -> tuple[list[list], bool]:
    """([bloc, rank, node id, links in the bloc, *MEASURES] for every node with a link in
    its bloc, the measures on the network of each bloc alone (betweenness and closeness
    sampled with k sources if k, not computed above BLOC_PATHS_MAX_NODES nodes), whether
    betweenness and closeness were computed). net: the Arrays of simple(G)."""
    bloc_of = {n: d["bloc"] for n, d in G.nodes(data=True)}
    inside = dict.fromkeys(G, 0)  # links with both ends in the node's bloc
    for u, v in G.edges():
        if bloc_of[u] == bloc_of[v]:
            inside[u] += 1
            inside[v] += 1
    skipped = net.n > BLOC_PATHS_MAX_NODES
    rows = []
    for b in BLOC_LABELS:
        nodes = [n for n in G if bloc_of[n] == b]
        if not nodes:
            continue
        c2, _ = centralities(net.sub(nodes), k=k, exact_max=BETWEENNESS_EXACT_MAX_NODES,
                             shortest_paths=not skipped)
        for i, n in enumerate([n for n in ranking(c2["pagerank"]) if inside[n]]):
            rows.append([b, i + 1, n, inside[n], *(c2[m].get(n) for m in MEASURES)])
    return rows, not skipped


def _columns(cent: dict[str, dict[str, float]]) -> dict:
    """{measure: {node: value}} as {"ids": [node...], "values": {measure: [value...]}}
    when every measure lists the same nodes in the same order (they do: by id), a third
    of the JSON to read back at 100k; as it is otherwise."""
    ids = list(cent.get("degree", {}))
    if all(list(values) == ids for values in cent.values()):
        return {"ids": ids, "values": {m: list(values.values()) for m, values in cent.items()}}
    return {"by_measure": cent}


def _rows(v: dict) -> dict[str, dict[str, float]]:
    """_columns' value back as {measure: {node: value}}, in the same order."""
    if "by_measure" in v:
        return v["by_measure"]
    return {m: dict(zip(v["ids"], values, strict=True)) for m, values in v["values"].items()}


def _decoded(v: dict, G: nx.MultiDiGraph) -> Analysis:
    """An Analysis from _measures' JSON value, its EdgeFacts looked up in G by key.
    Raises KeyError, TypeError or ValueError for a value that does not fit G."""
    cent = _rows(v["cent"])
    if set(cent["pagerank"]) != set(G):
        raise ValueError("the stored measures are of another network")
    facts: dict[str, EdgeFact] = {}

    def fact(key: str) -> EdgeFact:
        if not facts:
            facts.update((k, d["fact"]) for _, _, k, d in G.edges(keys=True, data=True))
        return facts[key]

    def counts(pairs) -> tuple[tuple[str, int], ...]:
        return tuple((str(x), int(n)) for x, n in pairs)

    return Analysis(
        sampled=bool(v["sampled"]), bounded=bool(v["bounded"]), bloc_paths=bool(v["bloc_paths"]),
        cent=cent, binfo=v["binfo"], cinfo=v["cinfo"], approx=v["approx"],
        share=v["share"],
        communities=[Community(i, tuple(members), tuple(best), counts(blocs), counts(kinds),
                               counts(relations))
                     for i, members, best, blocs, kinds, relations in v["communities"]],
        whys=[Why(node, tuple(((a, b), x) for a, b, x in pairs),
                  tuple(Link(u, share, drop, tuple(fact(k) for k in keys))
                        for u, share, drop, keys in links))
              for node, _, pairs, links in v["whys"]],
        neighbours={node: int(count) for node, count, _, _ in v["whys"]},
        moves=[Move(node, rank, robust, pr, robust_pr)
               for node, rank, robust, pr, robust_pr in v["moves"]],
        removed=int(v["removed"]),
        quote_moves=[Move(node, rank, robust, pr, robust_pr)
                     for node, rank, robust, pr, robust_pr in v["quote_moves"]],
        quotes_removed=int(v["quotes_removed"]),
        bridges=[Bridge(node, share, tuple(fact(k) for k in us), tuple(fact(k) for k in cn))
                 for node, share, us, cn in v["bridges"]],
        by_bloc=v["by_bloc"], pieces=v["pieces"])


def write_report(sem: Semantics, out_dir, as_of=None, since=None, top: int = TOP,
                 formats=FORMATS, progress: Progress | None = None, jobs: int = 1,
                 stage: list | None = None):
    """Compute the report and write `formats` into out_dir; returns the paths written.
    jobs: see `report`; stage: see render.write_files."""
    from pathlib import Path

    with gc_paused():
        doc, images = report(sem, as_of, since, top, progress, jobs)
        return write(doc, images, Path(out_dir), set(formats), stage)
