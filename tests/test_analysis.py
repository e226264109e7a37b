"""Centrality, communities, "why central", the scorecard and "what changed", against
values worked out by hand on small fixtures (a star, a path, two cliques joined by a
bridge; a data set with known assessments and a status that changes)."""

from __future__ import annotations

import csv
import datetime as dt
import itertools

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.analysis.centrality import (
    approximation_error,
    betweenness,
    centralities,
    pagerank,
    power_pagerank,
)
from kg.analysis.changes import changes
from kg.analysis.communities import bridges, communities, louvain
from kg.analysis.network import EdgeFact, induced, simple
from kg.analysis.paths import PathCounts
from kg.analysis.scorecard import NO_VERDICT, scorecard
from kg.analysis.why import robustness, why_central, why_links
from kg.cli import main


def network(edges, bloc=None, reliability=None, via=None) -> nx.MultiDiGraph:
    """A MultiDiGraph like Projection.graph's: nodes with kind, name and bloc; each edge
    with an EdgeFact (sources ("s",), high reliability unless told)."""
    G = nx.MultiDiGraph()
    for u, v in edges:
        for n in (u, v):
            if n not in G:
                G.add_node(n, kind="organization", name=n.upper(), bloc=(bloc or {}).get(n, "us"))
        key = f"{u}-{v}"
        f = EdgeFact(key, u, v, "partners", (f"src-{u}-{v}",), "checked",
                     (reliability or {}).get(key, "high"), via=(via or {}).get(key))
        G.add_edge(u, v, key=key, relation="partners", fact=f)
    return G


STAR = [("c", leaf) for leaf in ("l1", "l2", "l3", "l4")]
PATH = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")]
A, B = ["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]
CLIQUES = [*itertools.combinations(A, 2), *itertools.combinations(B, 2), ("a1", "b1")]


def test_star_by_hand():
    m, info = centralities(network(STAR))
    assert info["method"] == "exact"
    # centre: 4 of 4 possible neighbours, on every leaf-leaf path, one hop from all
    assert m["degree"]["c"] == 1.0 and m["degree"]["l1"] == 0.25
    assert m["betweenness"]["c"] == 1.0 and m["betweenness"]["l1"] == 0.0
    assert m["closeness"]["c"] == 1.0 and m["closeness"]["l1"] == pytest.approx(4 / 7)
    # PageRank: c = 0.03 + 0.85 * 4 l, l = 0.03 + 0.85 c / 4 -> c = 0.132 / 0.2775
    c = 0.132 / 0.2775
    leaf = 0.03 + 0.2125 * c
    assert m["pagerank"]["c"] == 1.0
    assert m["pagerank"]["l1"] == pytest.approx(leaf / c, abs=1e-6)
    # principal eigenvector of a star: the centre is sqrt(4) = 2 times a leaf
    assert m["eigenvector"]["l1"] == pytest.approx(0.5, abs=1e-6)


def test_path_by_hand():
    m, _ = centralities(network(PATH))
    # c is on a-d, a-e, b-d, b-e: 4 of C(4, 2) = 6 pairs; b on a-c, a-d, a-e
    assert m["betweenness"]["c"] == pytest.approx(4 / 6, abs=1e-6)
    assert m["betweenness"]["b"] == pytest.approx(3 / 6, abs=1e-6)
    assert m["betweenness"]["a"] == 0.0
    assert m["closeness"]["c"] == pytest.approx(4 / 6, abs=1e-6)  # 2 + 1 + 1 + 2
    assert m["closeness"]["a"] == pytest.approx(4 / 10, abs=1e-6)  # 1 + 2 + 3 + 4
    assert m["degree"]["b"] == 0.5


@pytest.mark.parametrize("weight, dtype", [("weight", float), (None, float), (None, None)])
def test_adjacency_is_networkxs_matrix_bit_for_bit(weight, dtype):
    from kg.analysis.network import adjacency

    H = simple(network(CLIQUES + PATH + STAR + [("b2", "e")]))
    H.add_node("alone")
    H.add_edge("c", "c", weight=2)  # a loop: once on the diagonal, as networkx counts it
    for nodes in (list(H), sorted(H), sorted(H, reverse=True)):
        want = nx.to_scipy_sparse_array(H, nodelist=nodes, weight=weight, format="csr",
                                        dtype=dtype)
        got = adjacency(H, nodes, weight, dtype)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert got.indptr.tolist() == want.indptr.tolist()
        assert got.indices.tolist() == want.indices.tolist()
        assert got.data.tolist() == want.data.tolist()
    part = sorted(H)[:5]  # not every node: networkx's own answer
    assert (adjacency(H, part, weight, dtype) != nx.to_scipy_sparse_array(
        H, nodelist=part, weight=weight, format="csr", dtype=dtype)).nnz == 0


def test_every_normalised_value_is_in_unit_interval():
    G = network(CLIQUES + PATH + STAR)
    G.add_node("alone", kind="person", name="Alone", bloc="other")
    m, _ = centralities(G)
    for measure, values in m.items():
        assert set(values) == set(G), measure
        assert all(0.0 <= x <= 1.0 for x in values.values()), measure


def test_pagerank_matches_networkx_rule():
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    H = simple(network(CLIQUES + [("b4", "x"), ("x", "y")]))
    H.add_node("alone")
    ours = power_pagerank(H)
    theirs = _pagerank_python(H, alpha=0.85, weight="weight", tol=1e-12, max_iter=1000)
    assert max(abs(ours[n] - theirs[n]) for n in H) < 1e-12
    assert pagerank(H)["alone"] < pagerank(H)["a1"]


def test_bridge_by_hand_and_why_it_is_central():
    G = network(CLIQUES, bloc={n: "china" for n in B})
    m, _ = centralities(G)
    # a1 lies on every path from a2, a3, a4 to b1..b4: 12 of C(7, 2) = 21 pairs
    assert m["betweenness"]["a1"] == pytest.approx(12 / 21, abs=1e-6)
    assert m["betweenness"]["a2"] == 0.0
    comms, info = communities(G, simple(G), m["pagerank"])
    assert [set(c.members) for c in comms] == [set(A), set(B)]
    assert info["split"] == 0 and info["modularity"] > 0.3
    member = {n: c.id for c in comms for n in c.members}
    why = why_central(G, ["a1"], member)[0]
    assert why.pairs == ((("C1", "C2"), 1.0),)  # every path through a1 joins the cliques
    top = why.links[0]
    assert top.neighbour == "b1"
    assert [f.key for f in top.facts] == ["a1-b1"] and top.facts[0].sources == ("src-a1-b1",)
    # the bridge carries 16 of the C(8, 2) = 28 shortest paths; a1-a2 carries a2's 5
    assert top.path_share == pytest.approx(16 / 28, abs=1e-6)
    assert {lk.neighbour: lk.path_share for lk in why.links}["a2"] == pytest.approx(5 / 28,
                                                                                  abs=1e-6)
    # without the bridge the two cliques are alike: a1 falls to 1/8 of the PageRank
    assert top.pagerank_drop > max(lk.pagerank_drop for lk in why.links[1:]) > 0
    br = bridges(G, PathCounts(simple(G)))
    assert [b.node for b in br] == ["a1", "b1"]
    # pairs with a1 as an end do not count: a2..a4 to b1..b4 are 12 pairs, all through a1
    assert br[0].share == 1.0 and br[1].share == 1.0
    assert [f.key for f in br[0].china_links] == ["a1-b1"]


def test_louvain_communities_are_connected():
    # two triangles with no link between them, merged by a resolution that rewards it
    G = network([("x1", "x2"), ("x2", "x3"), ("x1", "x3"), ("y1", "y2"), ("y2", "y3"),
                 ("y1", "y3")])
    parts, _ = louvain(simple(G))
    for part in parts:
        assert nx.is_connected(simple(G).subgraph(part))


def test_sampled_betweenness_reports_k_seed_and_error():
    H = simple(network(CLIQUES + PATH + [("e", "a1")]))
    values, info = betweenness(H, k=5, seed=7)
    assert info == {"method": "sampled", "k": 5, "seed": 7}
    assert all(0.0 <= x <= 1.0 for x in values.values())
    err = approximation_error(H, k=H.number_of_nodes())  # every source: exact
    assert err["max_error"] == 0.0 and err["top_overlap"] == 10


def test_robustness_drops_weak_links():
    # hub h is central only through links from a low-reliability source
    edges = [("h", "x1"), ("h", "x2"), ("h", "x3"), ("p", "q"), ("q", "r")]
    G = network(edges, reliability={"h-x1": "low", "h-x2": "low", "h-x3": "low"})
    moves, removed = robustness(G, set(), top=3)
    assert removed == 3
    assert moves[0].node == "h" and moves[0].rank == 1 and moves[0].robust_rank is None
    # a link made by a disputed figure is weak too
    G = network([("e", "f")], via={"e-f": "fig-1"})
    assert robustness(G, {"fig-1"}, top=1)[1] == 1


# -- a small data set -----------------------------------------------------------------
FILES = {
    "source/src-low.yaml": """
        id: src-low
        name: Low blog
        title: Low blog
        publisher: SEO Blog
        date: 2026-03-01
        source_type: opinion
        reliability: low
    """,
    "country/united-states.yaml": """
        id: united-states
        name: United States
        iso_code: US
        sources: [src-a]
    """,
    "organization/nvidia.yaml": """
        id: nvidia
        name: NVIDIA
        org_type: company
        country: united-states
        sources: [src-a]
    """,
    "chip/h200.yaml": """
        id: h200
        name: H200
        chip_type: gpu
        designer: nvidia
        export_status:
          - value: restricted
            to: 2025-12
          - value: allowed-vetted-buyers
            from: 2025-12
        sources: [src-a]
    """,
    "chip/h20.yaml": """
        id: h20
        name: H20
        chip_type: gpu
        designer: nvidia
        export_status:
          - value: restricted
            as_of: 2026
            sources: [src-low]
        sources: [src-a]
    """,
    "person/jane.yaml": """
        id: jane
        name: Jane Roe
        affiliation:
          - value: deepseek
            to: 2025-12
        sources: [src-a]
    """,
    "claim/fig-a.yaml": """
        id: fig-a
        name: Output by A
        about: h200
        measure: output
        value: 100
        as_of: 2025
        estimated_by: nvidia
        sources: [src-a]
    """,
    "claim/fig-b.yaml": """
        id: fig-b
        name: Output by B
        about: h200
        measure: output
        value: 500
        as_of: 2025
        estimated_by: deepseek
        sources: [src-low]
    """,
    "measure/output.yaml": """
        id: output
        name: output
        unit: count
    """,
    "assessment/a-frontier-us.yaml": """
        id: a-frontier-us
        name: A says the US leads frontier models
        dimension: frontier-models
        leader: united-states
        verdict: leads
        as_of: 2026-01
        evidence: [fig-a]
        sources: [src-a]
    """,
    "assessment/low-frontier-china.yaml": """
        id: low-frontier-china
        name: The blog says China is catching up
        dimension: frontier-models
        challenger: china
        verdict: catching-up
        as_of: 2026-03
        sources: [src-low]
    """,
    "assessment/low-energy-china.yaml": """
        id: low-energy-china
        name: The blog says China leads energy
        dimension: energy
        leader: china
        verdict: leads
        as_of: 2026-03
        sources: [src-low]
    """,
}


@pytest.fixture
def small(make_data):
    from kg.rdf.load import load_graph

    data = make_data(FILES)
    return data, load_graph(data).semantics


def test_scorecard_with_disagreement_and_a_dimension_without_verdict(small):
    _, sem = small
    rows = {r.dimension: r for r in scorecard(sem, dt.date(2026, 3, 31))}
    assert list(rows) == ["frontier-models", "compute", "chips", "open-source", "energy",
                          "robotics", "capital", "regulation", "adoption"]
    frontier = rows["frontier-models"]
    assert [(v.text, v.reliability, v.publishers) for v in frontier.verdicts] == [
        ("US leads", "high", ("Example Press",)), ("China catching up", "low", ("SEO Blog",))]
    assert frontier.disagree
    assert frontier.summary == "sources differ: China catching up (1), US leads (1)"
    us = frontier.verdicts[0]
    assert [f.id for f in us.backing] == ["fig-a"]
    assert [f.id for f in us.contradicting] == ["fig-b"]  # disputes fig-a: 100 vs 500
    assert rows["compute"].verdicts == () and rows["compute"].summary == NO_VERDICT
    assert rows["energy"].summary == "one source: China leads"  # not "sources agree: ... (1)"
    # on 2026-02-01 the blog had not said anything yet
    early = {r.dimension: r for r in scorecard(sem, dt.date(2026, 2, 1))}
    assert early["energy"].summary == NO_VERDICT
    assert [v.assessment for v in early["frontier-models"].verdicts] == ["a-frontier-us"]


def test_changes_between_two_dates(small):
    _, sem = small

    def rows(since: dt.date, until: dt.date) -> list[tuple]:
        return [(c.day.isoformat(), c.change, c.entity, c.field, c.value, c.when)
                for c in changes(sem, since, until)]

    december = rows(dt.date(2025, 11, 1), dt.date(2026, 1, 31))
    # an end sorts by its first day, as a start does (kg.semantics.time.change_day): the
    # end of "restricted" and the start of "allowed" are one step
    assert december == [
        ("2025-12-01", "began", "h200", "export_status", "allowed-vetted-buyers", "2025-12"),
        ("2025-12-01", "ended", "h200", "export_status", "restricted", "2025-12"),
        ("2025-12-01", "ended", "jane", "affiliation", "deepseek", "2025-12"),
    ]
    # "restricted to 2025-12" and "allowed from 2025-12" are one change the source dates
    # December 2025: both are in an interval from, or up to, the middle of December (a
    # row's day, the first of the month, then lies outside it)
    assert rows(dt.date(2025, 12, 14), dt.date(2026, 1, 31)) == december
    assert rows(dt.date(2025, 11, 1), dt.date(2025, 12, 14)) == december
    # an interval ending on the day before December, or starting after it, holds neither
    assert rows(dt.date(2025, 11, 1), dt.date(2025, 11, 30)) == []
    assert rows(dt.date(2025, 12, 31), dt.date(2026, 1, 31)) == []
    # "restricted as of 2026" is evidence: no change on 2026-01-01, whatever the interval
    later = changes(sem, dt.date(2025, 12, 31), dt.date(2026, 12, 31))
    assert not [c for c in later if c.entity == "h20"]
    # a figure for 2025 lies wholly in (2024-12-31, 2025-12-31]
    figs = changes(sem, dt.date(2024, 12, 31), dt.date(2025, 12, 31))
    assert {(c.entity, c.value) for c in figs if c.change == "figure"} == {("h200", "100"),
                                                                          ("h200", "500")}
    with pytest.raises(ValueError):
        changes(sem, dt.date(2026, 1, 1), dt.date(2025, 1, 1))


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_report_cli_as_of_and_since(small, tmp_path):
    data, _ = small
    runner = CliRunner()
    out = tmp_path / "before"
    r = runner.invoke(main, ["report", "--data", str(data), "--out", str(out), "--as-of",
                             "2025-11-15", "--since", "2025-10-01", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert read_csv(out / "changes.csv") == []
    links = {row["id"]: int(row["links"]) for row in read_csv(out / "centrality.csv")}
    assert links["jane"] == 1  # still at DeepSeek on 2025-11-15
    score = read_csv(out / "scorecard.csv")
    assert [row["verdict"] for row in score if not row["source"]] == [NO_VERDICT] * 9

    out = tmp_path / "after"
    r = runner.invoke(main, ["report", "--data", str(data), "--out", str(out), "--as-of",
                             "2026-01-31", "--since", "2025-11-01"])
    assert r.exit_code == 0, r.output
    rows = read_csv(out / "changes.csv")
    assert [(x["day"], x["change"], x["entity"], x["value"]) for x in rows] == [
        ("2025-12-01", "began", "H200", "allowed-vetted-buyers"),
        ("2025-12-01", "ended", "H200", "restricted"),
        ("2025-12-01", "ended", "Jane Roe", "DeepSeek"),
    ]
    links = {row["id"]: int(row["links"]) for row in read_csv(out / "centrality.csv")}
    assert links["jane"] == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| 2025-12-01 | began | H200 | US export status to China | allowed-vetted-buyers |" in md
    assert {p.name for p in out.iterdir()} >= {"report.md", "report.html", "report.json",
                                                "scorecard.png", "bloc-share.png",
                                                "centrality.png", "changes.csv"}

    r = runner.invoke(main, ["report", "--data", str(data), "--out", str(out), "--as-of",
                             "2025-01-01", "--since", "2025-06-01"])
    assert r.exit_code == 2 and "must be before" in r.output


def test_an_end_no_source_can_report_is_marked_published_before_the_change(make_data, tmp_path):
    """An end whose every source came out before it, with no value that began then
    (kg.semantics.time, Timeline.end_sources), keeps its sources in the report, said to be
    published before the change, never an empty cell; an end its source can report, and
    every start, list their sources as they are."""
    data = make_data({**FILES, "source/src-june.yaml": """
        id: src-june
        name: June brief
        title: June brief
        publisher: Example Press
        date: 2025-06-01
        source_type: news
        reliability: medium
    """, "chip/h100.yaml": """
        id: h100
        name: H100
        chip_type: gpu
        designer: nvidia
        export_status:
          - value: licence-required
            from: 2025-12
            to: 2026-01
            sources: [src-june]
        sources: [src-a]
    """})
    out = tmp_path / "report"
    r = CliRunner().invoke(main, ["report", "--data", str(data), "--out", str(out), "--as-of",
                                  "2026-01-31", "--since", "2025-11-01"])
    assert r.exit_code == 0, r.output
    rows = {(x["change"], x["entity"], x["value"]): x["sources"]
            for x in read_csv(out / "changes.csv")}
    assert rows[("began", "H100", "licence-required")] == "src-june"
    assert rows[("ended", "H100", "licence-required")] == "src-june (published before the change)"
    assert rows[("ended", "H200", "restricted")] == "src-a"
    md = (out / "report.md").read_text(encoding="utf-8")
    assert ("| ended | H100 | US export status to China | licence-required | 2026-01 | "
            "[src-june](#src-src-june) (published before the change) |") in md
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<a href="#src-src-june">src-june</a> (published before the change)</td>' in html


def test_the_scorecard_chart_draws_a_third_bloc_s_lead_and_an_unknown_verdict():
    """The benchmark's synthetic data had a source name a third country as leader:
    'other leads' crashed the chart (not in the legend's list)."""
    from kg.analysis.charts import VERDICT_COLOURS, scorecard
    from kg.semantics.blocs import BLOC_COLOURS

    png = scorecard(["chips", "energy"], ["A", "B"],
                    {("chips", "A"): ("other leads", "high"),
                     ("energy", "B"): ("a verdict nobody declared", "low")})
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert VERDICT_COLOURS["other leads"] == BLOC_COLOURS["other"]
    assert VERDICT_COLOURS["US leads"] == BLOC_COLOURS["us"] == "#0072B2"


# -- above the exact threshold: sampled, and the report says so --------------------------
def _chain_files(n: int) -> dict[str, str]:
    """n organisations, each a partner of the next two (a connected, sparse network)."""
    files = {}
    for i in range(n):
        partners = [f"org-{j}" for j in (i + 1, i + 2) if j < n]
        files[f"organization/org-{i}.yaml"] = (
            f"id: org-{i}\nname: Org {i}\norg_type: company\n"
            f"country: {'china' if i % 2 else 'united-states'}\n"
            f"partners: [{', '.join(partners)}]\nsources: [src-a]\n")
    files["country/united-states.yaml"] = FILES["country/united-states.yaml"]
    return files


def test_report_samples_above_the_threshold_and_says_so(make_data, monkeypatch):
    from kg.analysis import report as rep
    from kg.analysis.network import as_it_stood, project
    from kg.rdf.load import load_graph

    sem = load_graph(make_data(_chain_files(12))).semantics
    monkeypatch.setattr(rep, "BETWEENNESS_EXACT_MAX_NODES", 6)
    monkeypatch.setattr(rep, "BETWEENNESS_K", 5)
    monkeypatch.setattr(rep, "CHECK_NODES", 8)
    monkeypatch.setattr(rep, "CHECK_MIN_K", 2)
    monkeypatch.setattr(rep, "LOUVAIN_MAX_NODES", 6)
    doc, _ = rep.report(sem)
    H = simple(as_it_stood(project(sem), sem.date))
    n = H.number_of_nodes()
    assert n > 6
    # the sampled values are networkx's own k-sample with the report's seed
    theirs = nx.betweenness_centrality(H, k=5, seed=42, normalized=True)
    table = next(t for t in doc.tables if t.name == "centrality")
    col = table.columns.index("betweenness")
    got = {r[2]: r[col] for r in table.rows}
    assert got == {v: round(min(1.0, max(0.0, x)), 6) for v, x in theirs.items()}
    # closeness of the one piece (n nodes > 6) is estimated from 5 sampled nodes
    close = table.columns.index("closeness")
    exact_close = nx.closeness_centrality(H)
    assert any(abs(r[close] - exact_close[r[2]]) > 1e-9 for r in table.rows)
    assert doc.meta["betweenness"]["method"] == "sampled"
    assert doc.meta["betweenness"]["sampling_check"]["on"] == "piece"
    assert doc.meta["betweenness"]["sampling_check"]["nodes"] == 8
    # the check samples the piece at the report's rate, k × 8 / n, not the report's k
    check_k = max(round(5 * 8 / n), 2)
    assert check_k < 5
    assert doc.meta["betweenness"]["sampling_check"]["k"] == check_k
    text = " ".join(str(b[1]) for b in doc.blocks if b[0] == "p")
    assert ("sampled from k = 5 sources with seed 42, as it is above 6 nodes; closeness in "
            "pieces of more than 6 nodes is estimated from the distances to k = 5 of their "
            "nodes drawn with seed 42") in text
    top = table.rows[0][1]
    assert (f"Exact betweenness is not run on a network this size; checked instead on the 8 "
            f"entities nearest to {top} (by links), sampling at the report's rate (k = "
            f"{check_k} of 8 sources, as k = 5 of {n} is for the network; seed 42)") in text
    assert "the path shares are estimated from the shortest paths of the k = 5 sampled" in text
    # within each bloc, betweenness is networkx's k-sample on the bloc's own network
    assert ("On a network this size betweenness within a bloc is sampled as above (k = 5 "
            "sources of the bloc, seed 42; every source in a bloc of fewer nodes, which is "
            "exact).") in text
    G = as_it_stood(project(sem), sem.date)
    by_bloc = next(t for t in doc.tables if t.name == "centrality-by-bloc")
    col = by_bloc.columns.index("betweenness")
    for bloc in ("us", "china"):
        Hb = induced(H, [v for v in G if G.nodes[v]["bloc"] == bloc])
        assert Hb.number_of_nodes() > 5  # more than k: really sampled
        theirs = nx.betweenness_centrality(Hb, k=5, seed=42, normalized=True)
        got = {r[3]: r[col] for r in by_bloc.rows if r[0] == bloc}
        assert got == {v: round(min(1.0, max(0.0, x)), 6) for v, x in theirs.items()
                       if Hb.degree(v)}
    # communities: Louvain on the 6 most central, the others join the nearest community
    assert doc.meta["communities"]["method"] == "core-louvain"
    pr = {r[2]: r[table.columns.index("pagerank")] for r in table.rows}
    core = sorted(H, key=lambda n: (-pr[n], n))[:6]
    sub = nx.Graph()
    sub.add_nodes_from(n for n in H if n in core)
    sub.add_edges_from((u, v, d) for u, v, d in H.edges(sub.nodes, data=True)
                       if u in core and v in core)
    theirs = nx.community.louvain_communities(sub, weight="weight", seed=42)
    communities = next(t for t in doc.tables if t.name == "communities")
    at = communities.columns.index("members")
    got = [set(r[at].split()) for r in communities.rows]
    assert sorted(n for c in got for n in c) == sorted(H)  # every entity in one community
    for c in theirs:  # each core community is inside one reported community (or split)
        assert sum(1 for g in got if g & c) >= 1 and all(g & c <= c for g in got)
    for g in got:  # and every other member is nearest (by hops) to that core community
        mine = [c for c in theirs if g & c]
        if not mine:  # a piece of the network without any of the core
            assert g == nx.node_connected_component(H, min(g)) and not g & set(core)
            continue
        assert len(mine) == 1
        dist = nx.multi_source_dijkstra_path_length(H, mine[0], weight=None)
        others = [nx.multi_source_dijkstra_path_length(H, c, weight=None)
                  for c in theirs if c is not mine[0]]
        assert all(dist[n] <= min(o.get(n, 99) for o in others) for n in g)
    assert ("of the 6 most central entities (by PageRank) only: Louvain takes minutes on a "
            "network this size. Every other entity joins the community of the nearest") in text


def test_sampled_closeness_estimates_from_the_sampled_distances():
    H = nx.path_graph(6)  # 0-1-2-3-4-5
    from kg.analysis.centrality import closeness

    exact, info = closeness(H)
    assert info["method"] == "exact"
    assert exact == pytest.approx(nx.closeness_centrality(H))
    est, info = closeness(H, exact_max=3, k=6)  # every node sampled: the estimate is exact
    assert info == {"method": "sampled", "k": 6, "seed": 42}
    assert est == pytest.approx(nx.closeness_centrality(H))
    est, _ = closeness(H, exact_max=3, k=2, seed=1)
    # node v's total distance is estimated as 5 x its mean distance to the 2 sampled nodes
    import random

    chosen = sorted(random.Random(1).sample(range(6), 2))
    for v in H:
        others = [abs(v - s) for s in chosen if s != v]
        total = 5 * sum(others) / len(others)
        assert est[v] == pytest.approx(5 / total)


def test_the_scorecard_chart_draws_the_most_reliable_sources_when_there_are_many(small,
                                                                                 monkeypatch):
    from kg.analysis import report as rep

    _, sem = small
    monkeypatch.setattr(rep, "SCORECARD_CHART_SOURCES", 1)
    doc, images = rep.report(sem, as_of=dt.date(2026, 3, 31))
    chart = images["scorecard.png"]  # drawn later, by render.write (only if its input changed)
    assert chart.function == "scorecard"
    assert chart.args[1] == ["Example Press"]  # high reliability before the SEO blog's low
    assert chart.draw().startswith(b"\x89PNG")
    text = " ".join(str(b[1]) for b in doc.blocks if b[0] == "p")
    assert ("The chart draws the 1 most reliable of the 2 sources with a verdict (by "
            "reliability, then name); the table above and scorecard.csv have them all.") in text


def test_the_changes_chart_numbers_few_dots_that_do_not_pile_up(small, monkeypatch):
    from types import SimpleNamespace as C

    from kg.analysis import report as rep

    since, day = dt.date(2025, 1, 1), dt.date(2025, 12, 31)  # 364 days: 40 slots of 9.1
    many = [C(day=dt.date(2025, 3, 1), change="began") for _ in range(30)]
    many += [C(day=dt.date(2025, 3, 1), change="ended"), C(day=dt.date(2025, 3, 5), change="began"),
             C(day=dt.date(2025, 3, 20), change="began")]
    got = rep.numbered_changes(many, since, day)
    # one a lane per slot: 30 on one day give one number; 5 March shares 1 March's slot
    assert got == [many[0], many[30], many[32]]
    spread = [C(day=since + dt.timedelta(days=10 * i), change="began") for i in range(36)]
    assert rep.numbered_changes(spread, since, day) == spread[:rep.CHANGES_CHART_NUMBERED]
    # the report numbers that subset, says so, and lists only the numbered ones
    monkeypatch.setattr(rep, "CHANGES_CHART_NUMBERED", 1)
    _, sem = small
    doc, images = rep.report(sem, as_of=dt.date(2026, 3, 31))
    rows = images["changes.png"].args[0]
    total = sum(1 for r in rows if r[1] in ("began", "ended"))
    assert total > 1 and [r[2] for r in rows if r[2]] == ["1"]
    text = " ".join(str(b[1]) for b in doc.blocks if b[0] == "p")
    assert (f"The chart numbers 1 of the {total} facts that began or stopped holding (the "
            "earliest on each lane in each 1/40 of the time line, 1 at most, so that no "
            "numbers pile up, and the rows like each of them: the same change of the same "
            "field to the same value on the same day for another entity, under its number); "
            "changes.csv has them all. The numbered dots, each a row of "
            "the table below (its \"dot\" column):") in text
    # right after that paragraph, the list of the numbered dots: the one numbered, not all
    blocks = list(doc.blocks)
    at = next(i for i, b in enumerate(blocks) if b[0] == "p" and "The chart numbers" in str(b[1]))
    assert blocks[at + 1][0] == "ul"
    listed = blocks[at + 1][1]
    first = min((r for r in rows if r[1] in ("began", "ended")), key=lambda r: r[0])
    # the date as the source gives it (the fixture's "from: 2025-12"), not the day it sorts by
    assert str(first[0]) == "2025-12-01"
    assert len(listed) == 1 and listed[0].startswith("1 — 2025-12: ")


def test_rows_like_a_numbered_change_share_its_number():
    """The MI308's and the H20's licence requirement of April 2025: one numbered, the
    other like it (the same change, field, value and date as given) shares the number;
    a row that differs in any of them does not."""
    from types import SimpleNamespace as C

    from kg.analysis import report as rep

    def row(entity, change="began", value="licence-required", when="2025-04"):
        return C(day=dt.date(2025, 4, 1), change=change, entity=entity, field="export_status",
                 value=value, when=when)

    mi308, h20, ended = row("amd-mi308"), row("nvidia-h20"), row("nvidia-h20", "ended")
    other, precise = row("nvidia-h100", value="banned"), row("x", when="2025-04-01")
    keyed = rep.numbered_changes([mi308, h20, ended, other, precise], dt.date(2025, 1, 1),
                                 dt.date(2025, 12, 31))
    assert keyed == [mi308, ended]
    assert rep.like_changes(keyed, [mi308, h20, ended, other, precise]) == [[mi308, h20],
                                                                            [ended]]


def test_the_changes_chart_reaches_a_start_dated_to_a_month_before_since(small, monkeypatch):
    """From 2025-12-14, "allowed from 2025-12" is a change, sorted by 2025-12-01: the chart
    drew its axis from since, so the dot fell off it. The axis now reaches it, dashed lines
    mark since and as_of, and the report says what the dots beyond them are."""
    import matplotlib.dates as mdates

    from kg.analysis import charts
    from kg.analysis import report as rep

    _, sem = small
    since, day = dt.date(2025, 12, 14), dt.date(2026, 1, 31)
    doc, images = rep.report(sem, as_of=day, since=since)
    figs = []
    monkeypatch.setattr(charts, "_png", lambda fig: figs.append(fig) or b"")
    images["changes.png"].draw()
    ax = figs[0].axes[0]
    low, high = ax.get_xlim()
    assert low < mdates.date2num(dt.date(2025, 12, 1)) and high > mdates.date2num(day)
    dashed = sorted(line.get_xdata()[0] for line in ax.get_lines()
                    if line.get_linestyle() == "--")
    assert dashed == [since, day]
    text = " ".join(str(b[1]) for b in doc.blocks if b[0] == "p")
    assert ("Dashed lines on the chart mark 2025-12-14 and 2026-01-31: a dot beyond them is "
            "a start or an end that its source dates only to a month or a year, one that "
            "overlaps the interval.") in text
    # an interval that holds every dot draws no lines and says nothing of them
    doc, images = rep.report(sem, as_of=day, since=dt.date(2025, 11, 1))
    figs.clear()
    images["changes.png"].draw()
    assert not [line for line in figs[0].axes[0].get_lines() if line.get_linestyle() == "--"]
    assert "Dashed lines" not in " ".join(str(b[1]) for b in doc.blocks if b[0] == "p")

def test_the_scorecard_chart_stays_readable_on_the_report_page():
    """With the most sources it draws, the chart is about as wide as the report's page
    (60rem, 960 px): scaled down by at most a fifth, not to a third (the 10k report drew
    30 columns, 4780 px)."""
    import struct

    from kg.analysis import charts
    from kg.analysis import report as rep

    sources = [f"Source {i}" for i in range(rep.SCORECARD_CHART_SOURCES)]
    dims = [f"dimension {i}" for i in range(8)]
    cells = {(d, s): ("US leads", "high") for d in dims for s in sources}
    png = charts.scorecard(dims, sources, cells)
    width = struct.unpack(">I", png[16:20])[0]
    assert width <= 1200


def test_leave_one_link_out_equals_rerunning_pagerank():
    """Woodbury (dense inverse or sparse LU) against PageRank rerun without each link,
    including links whose removal leaves a node without links."""
    import numpy as np

    from kg.analysis.why import LeaveOneOut, matrix_pagerank

    H = simple(network(CLIQUES + PATH + STAR + [("e", "a1"), ("c", "b2")]))
    H.add_node("alone")
    order = sorted(H)
    W = nx.to_numpy_array(H, nodelist=order, weight="weight")
    W[0, 1] = W[1, 0] = 3.0  # a weighted pair
    dense, sparse = LeaveOneOut(W, dense_max=10_000), LeaveOneOut(W, dense_max=0)
    iterative = LeaveOneOut(W, dense_max=0, lu_max=0)
    assert dense.dense and not sparse.dense
    base = matrix_pagerank(W)
    for loo in (dense, sparse, iterative):
        assert np.abs(loo.x - base).max() < 1e-10
    checked = 0
    for i, j in zip(*np.nonzero(np.triu(W)), strict=True):
        w = W[i, j]
        W[i, j] = W[j, i] = 0.0
        rerun = matrix_pagerank(W)
        W[i, j] = W[j, i] = w
        for a, b in ((i, j), (j, i)):
            assert dense.without(a, b) == pytest.approx(rerun[a], abs=1e-10)
            assert sparse.without(a, b) == pytest.approx(rerun[a], abs=1e-10)
            assert iterative.without(a, b) == pytest.approx(rerun[a], abs=1e-10)
            checked += 1
    assert checked == 2 * int(np.count_nonzero(np.triu(W)))


def test_path_engine_matches_networkx_and_brute_force():
    """kg.analysis.paths on a random graph in pieces: node and edge betweenness as
    networkx computes them (exact and k-sampled), and the bloc-to-bloc path sums by
    enumerating every shortest path."""
    H = nx.gnm_random_graph(40, 60, seed=5)
    H.add_edges_from([(100, 101), (101, 102)])  # a second piece
    H = nx.relabel_nodes(H, {n: f"n{n}" for n in H})
    exact, info = betweenness(H)
    assert info["method"] == "exact"
    theirs = nx.betweenness_centrality(H, normalized=True)
    assert all(exact[v] == pytest.approx(theirs[v], abs=1e-6) for v in H)
    sampled, info = betweenness(H, k=7, seed=3)
    theirs = nx.betweenness_centrality(H, k=7, seed=3, normalized=True)
    assert info == {"method": "sampled", "k": 7, "seed": 3}
    assert all(sampled[v] == pytest.approx(min(1.0, max(0.0, theirs[v])), abs=1e-6) for v in H)
    paths = PathCounts(H)
    edges = list(H.edges())
    theirs = nx.edge_betweenness_centrality(H, normalized=True)
    assert paths.edge_shares(edges) == pytest.approx([theirs[e] for e in edges], abs=1e-12)
    left = {f"n{i}" for i in range(0, 40, 3)} | {"n100"}
    right = {f"n{i}" for i in range(1, 40, 4)} | {"n102"}
    through, pairs = paths.between_all(left, right)
    for v in ("n0", "n1", "n5", "n101"):
        total, count = 0.0, 0
        for s in sorted(left - {v}):
            for t in sorted(right - {v}):
                if s == t or not nx.has_path(H, s, t) or not nx.has_path(H, s, v):
                    continue
                count += 1
                every = list(nx.all_shortest_paths(H, s, t))
                total += sum(v in p for p in every) / len(every)
        assert through[v] == pytest.approx(total, abs=1e-9) and pairs[v] == count, v


def test_why_central_above_the_threshold_examines_the_links_with_most_paths(make_data,
                                                                          monkeypatch):
    from kg.analysis import report as rep
    from kg.rdf.load import load_graph

    sem = load_graph(make_data(_chain_files(12))).semantics
    full, _ = rep.report(sem)
    monkeypatch.setattr(rep, "WHY_ALL_LINKS_MAX_NODES", 6)
    monkeypatch.setattr(rep, "WHY_CANDIDATES", 1)
    bounded, _ = rep.report(sem)

    def rows(doc):
        t = next(t for t in doc.tables if t.name == "why-central")
        c = {name: t.columns.index(name) for name in t.columns}
        return {(r[c["id"]], r[c["neighbour id"]]): (r[c["PageRank drop without the link"]],
                                                     r[c["share of shortest paths"]])
                for r in t.rows}

    before, after = rows(full), rows(bounded)
    assert before.keys() == after.keys()
    for node in {v for v, _ in before}:
        links = {u: before[(v, u)] for v, u in before if v == node}
        # the one link examined: the largest share of shortest paths, ties by neighbour id
        chosen = min(links, key=lambda u: (-links[u][1], u))
        for u, (drop, share) in links.items():
            assert after[(node, u)] == ((drop, share) if u == chosen else (None, share))
    text = " ".join(str(b[1]) for b in bounded.blocks if b[0] == "p")
    assert ("Above 6 entities the PageRank drop is computed for the 1 links of each entity "
            "with the largest share of shortest paths only (each drop needs a solve over "
            "the whole network); its other links are listed in why-central.csv without a "
            "drop.") in text
    assert "PageRank drop not computed" in text  # the second and third links named
    assert "Above 6 entities" not in " ".join(str(b[1]) for b in full.blocks if b[0] == "p")


def test_above_the_threshold_the_bloc_table_has_no_shortest_path_measures(make_data,
                                                                          monkeypatch):
    from kg.analysis import report as rep
    from kg.rdf.load import load_graph

    sem = load_graph(make_data(_chain_files(12))).semantics
    full, _ = rep.report(sem)
    monkeypatch.setattr(rep, "BLOC_PATHS_MAX_NODES", 6)
    bounded, _ = rep.report(sem)
    t0, t1 = (next(t for t in d.tables if t.name == "centrality-by-bloc")
              for d in (full, bounded))
    c = {m: t0.columns.index(m) for m in ("id", "pagerank", "degree", "eigenvector",
                                           "betweenness", "closeness")}
    assert [r[c["id"]] for r in t0.rows] == [r[c["id"]] for r in t1.rows]
    for a, b in zip(t0.rows, t1.rows, strict=True):
        assert [a[c[m]] for m in ("pagerank", "degree", "eigenvector")] == \
            [b[c[m]] for m in ("pagerank", "degree", "eigenvector")]
        assert b[c["betweenness"]] is None and b[c["closeness"]] is None
    assert any(a[c["betweenness"]] for a in t0.rows)
    text = " ".join(str(b[1]) for b in bounded.blocks if b[0] == "p")
    assert ("Above 6 entities betweenness and closeness within a bloc are not computed "
            "(their cells are empty)") in text


def test_leave_one_link_out_rows_solved_together_equal_rows_solved_one_by_one():
    import numpy as np

    from kg.analysis.why import LeaveOneOut

    H = simple(network(CLIQUES + PATH + STAR + [("e", "a1"), ("c", "b2")]))
    W = nx.to_numpy_array(H, nodelist=sorted(H), weight="weight")
    for lu_max in (None, 0):  # sparse LU, and conjugate gradients
        one, block = (LeaveOneOut(W, dense_max=0, lu_max=lu_max) for _ in range(2))
        block.prefetch(range(len(W)))
        for i in range(len(W)):
            assert np.abs(block.row(i) - one.row(i)).max() < 1e-13


def _same_csr(got, want) -> None:
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.indptr.tolist() == want.indptr.tolist()
    assert got.indices.tolist() == want.indices.tolist()
    assert got.data.tolist() == want.data.tolist()


def test_arrays_give_adjacencys_matrices_bit_for_bit_and_cut_bloc_subgraphs():
    from kg.analysis.network import Arrays, adjacency

    H = simple(network(CLIQUES + PATH + STAR + [("b2", "e")]))
    H.add_node("alone")
    H.add_edge("c", "c", weight=2)  # a loop: once on the diagonal, as networkx counts it
    net = Arrays(H)
    assert net.order == sorted(H) and net.nodes == list(H)
    assert net.degree().tolist() == [H.degree(v) for v in H]  # the loop counts twice
    for sort, weight, dtype in itertools.product((False, True), (True, False),
                                                 (float, None)):
        nodes = sorted(H) if sort else list(H)
        _same_csr(net.matrix(sort, weight, dtype),
                  adjacency(H, nodes, "weight" if weight else None, dtype))
    part = ["e", "c", "a1", "b2", "d", "alone", "b1"]
    sub = net.sub(part)
    S = induced(H, part)
    assert sub.nodes == list(S) and sub.degree().tolist() == [S.degree(v) for v in S]
    for sort, weight in itertools.product((False, True), (True, False)):
        _same_csr(sub.matrix(sort, weight), Arrays(S).matrix(sort, weight))
    assert list(sub.H.edges(data=True)) == list(S.edges(data=True))  # made when asked


def test_pagerank_to_two_tolerances_in_one_run_is_each_run_alone():
    from kg.analysis.centrality import power_iteration, raw_pagerank, strengths
    from kg.analysis.network import Arrays

    H = simple(network(CLIQUES + [("b4", "x"), ("x", "y")]))
    H.add_node("alone")
    net = Arrays(H)
    Ws = strengths(net.matrix(sort=True))
    coarse, fine = power_iteration(Ws, 0.85, (1e-10, 1e-12), 1000)
    assert coarse.tolist() == power_iteration(Ws, 0.85, (1e-10,), 1000)[0].tolist()
    assert fine.tolist() == power_iteration(Ws, 0.85, (1e-12,), 1000)[0].tolist()
    assert coarse.tolist() != fine.tolist()  # the second ran on
    assert raw_pagerank(net) == power_pagerank(H)  # the same floats, the same order
    assert list(raw_pagerank(net)) == list(power_pagerank(H))
    assert pagerank(net) == pagerank(H)


def test_measures_on_the_arrays_equal_the_measures_on_the_graph():
    from kg.analysis.network import Arrays

    G = network(CLIQUES + PATH + STAR + [("e", "a1"), ("c", "b2")],
                bloc={n: "china" for n in B})
    H = simple(G)
    for k in (None, 5):
        on_graph = centralities(H, k=k, exact_max=6 if k else 2000)
        on_arrays = centralities(Arrays(H), k=k, exact_max=6 if k else 2000)
        assert on_graph == on_arrays
        assert [list(v) for v in on_graph[0].values()] == \
            [list(v) for v in on_arrays[0].values()]  # the same order too
    paths = PathCounts(Arrays(H))
    member = {n: "C1" if n in A else "C2" for n in H}
    assert why_central(G, ["a1", "c"], member, paths) == why_central(G, ["a1", "c"], member)


def test_why_central_from_links_found_before_the_communities_is_the_same():
    """The report finds each top node's links (why_links: the leave-one-link-out PageRank)
    while a second process finds the communities, and why_central then adds the
    community pairs: the same Whys as in one go, with every link or a few candidates."""
    G = network(CLIQUES + PATH + STAR + [("e", "a1"), ("c", "b2")])
    paths = PathCounts(simple(G))
    member = {n: "C1" if n in A else "C2" for n in G}
    nodes = ["a1", "c", "e", "b2"]
    for candidates in (None, 1):
        links = why_links(G, nodes, paths, candidates)
        assert [v for v, _ in links] == nodes
        whole = why_central(G, nodes, member, paths, candidates)
        assert why_central(G, nodes, member, paths, candidates, links) == whole
        assert [w.links for w in whole] == [lk for _, lk in links]
        assert any(lk.pagerank_drop is None for w in whole for lk in w.links) == \
            (candidates is not None)


def test_robustness_reads_the_pagerank_it_is_given_and_it_is_the_one_it_computes():
    G = network(CLIQUES + PATH + [("e", "a1")], reliability={"a1-b1": "low", "d-e": "low"})
    mine = pagerank(simple(G))
    given, computed = robustness(G, set(), 3, pagerank=mine), robustness(G, set(), 3)
    assert given == computed
    assert [m.pagerank for m in given[0]] == [mine[m.node] for m in given[0]]


def test_the_report_reads_its_thresholds_from_the_measures(make_data, monkeypatch):
    from kg.analysis import report as rep
    from kg.analysis.network import as_it_stood, project
    from kg.rdf.load import load_graph

    sem = load_graph(make_data(_chain_files(12))).semantics
    G = as_it_stood(project(sem), sem.date)
    full = rep.analysis(G, set(sem.disputed))
    assert (full.sampled, full.bounded, full.bloc_paths) == (False, False, True)
    monkeypatch.setattr(rep, "BETWEENNESS_EXACT_MAX_NODES", 6)
    monkeypatch.setattr(rep, "WHY_ALL_LINKS_MAX_NODES", 6)
    monkeypatch.setattr(rep, "BLOC_PATHS_MAX_NODES", 6)
    small = rep.analysis(G, set(sem.disputed))
    assert (small.sampled, small.bounded, small.bloc_paths) == (True, True, False)
    # the document says what the measures did, even when the constants change after
    monkeypatch.setattr(rep, "analysis", lambda *args, **kwargs: full)
    doc, _ = rep.report(sem)
    text = " ".join(str(b[1]) for b in doc.blocks if b[0] == "p")
    assert "sampled sources" not in text and "are not computed" not in text
    assert "examined" not in text and "PageRank drop is computed for the" not in text


def test_breadth_first_levels_are_scipys_distances_and_a_stable_sort_of_them():
    import numpy as np
    from scipy.sparse.csgraph import shortest_path

    from kg.analysis.network import Arrays
    from kg.analysis.paths import _levels, distances

    H = simple(network(CLIQUES + PATH + STAR + [("x", "y")]))
    H.add_node("alone")
    A = Arrays(H).matrix(weight=False)
    rows = np.array([0, 3, len(H) - 1, 5])
    want = shortest_path(A, directed=False, unweighted=True, indices=rows)
    want = np.where(np.isfinite(want), want, -1).astype(np.int32)
    D, S, (order, bounds) = _levels(A, rows, len(H))
    assert D.dtype == np.int32 and D.tolist() == want.tolist()
    assert distances(A, rows).tolist() == want.tolist()
    Dt = D.T.ravel()
    assert order.tolist() == np.argsort(Dt, kind="stable").tolist()
    assert bounds.tolist() == np.searchsorted(Dt[order], np.arange(-1, Dt.max() + 2)).tolist()
    # path counts: networkx's, from each source
    for r, source in enumerate(rows):
        s = list(H)[source]
        paths = nx.single_source_shortest_path_length(H, s)
        for v, d in paths.items():
            count = len(list(nx.all_shortest_paths(H, s, v))) if d else 1
            assert S[r, list(H).index(v)] == count


def test_pieces_are_each_labels_positions_in_order():
    import numpy as np

    from kg.analysis.centrality import _pieces

    label = np.array([2, 0, 1, 2, 0, 3, 1, 2, 4, 4])
    got = _pieces(label, 5)
    want = [np.flatnonzero(label == c) for c in range(5)]
    assert [g.tolist() for g in got] == [w.tolist() for w in want]
    assert all(g.dtype == w.dtype for g, w in zip(got, want, strict=True))
