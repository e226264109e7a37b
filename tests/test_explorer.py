"""The explorer's file, without a browser: what it embeds, that it is escaped, offline and
deterministic, and the CLI's node selections (the browser tests are in
test_explorer_browser.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import unicodedata

import pytest
from click.testing import CliRunner
from explorer_support import (
    END_FILES,
    HOSTILE_ALIAS,
    HOSTILE_NAME,
    HOSTILE_TEXT,
    MOVER_FILES,
    SMALL_FILES,
    count_calls,
    write_data,
)

from conftest import REPO
from kg.cli import main
from kg.explorer import explorer_html
from kg.explorer.data import label_box, safe_url, search_key
from kg.explorer.page import json_for_script
from kg.rdf.load import load_graph


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return write_data(tmp_path_factory.mktemp("small"), SMALL_FILES)


def embedded(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def test_search_key_folds_width_case_and_accents():
    assert search_key("ＨＵＡＷＥＩ") == search_key("Huáwei") == search_key("HUAWEI") == "huawei"
    assert search_key("华为") == "华为"
    assert search_key("Straße") == "strasse"
    for text in ("OpenAI o1-Preview", "A&B <x>", "", "ﬁ ligature", "Ⅻ", "ｘ"):
        # the ASCII shortcut gives what the full rule gives
        full = unicodedata.normalize("NFKC", "".join(
            c for c in unicodedata.normalize("NFKD", text)
            if not unicodedata.combining(c))).casefold()
        assert search_key(text) == full


def test_label_box_wraps_as_the_page_does():
    # widths and lines as vis-network draws them in Chromium (Arial metrics, 16 px)
    assert label_box("Huawei Ascend 910C") == (153.84, 1)
    assert label_box("Amazon to invest up to US$4 billion in Anthropic")[1] == 3
    assert label_box("Qwen3-Coder-480B-A35B")[1] == 1  # fits but for its last character
    width, lines = label_box("华为" * 12)  # a word wider than a line is cut
    assert (width, lines) == (192.0, 2)
    assert label_box("") == (0.0, 1)


def test_only_web_addresses_become_links():
    assert safe_url("https://p.dw.com/p/57FGg") == "https://p.dw.com/p/57FGg"
    assert safe_url("HTTP://example.org") == "HTTP://example.org"
    for bad in ("javascript:alert(1)", " javascript:alert(1)", "data:text/html,x", "//x.org", ""):
        assert safe_url(bad) is None


def test_embedded_json_cannot_end_its_script_element():
    text = json_for_script({"a": "</script><script>alert(2)</script>", "b": "x\u2028y\u2029&<!--"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text)["a"] == "</script><script>alert(2)</script>"


def test_page_is_one_offline_utf8_file_with_no_outside_address_to_load(small):
    html = explorer_html(load_graph(small).semantics)
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    assert "default-src 'none'" in html  # the CSP forbids every request
    # nothing is loaded from anywhere: no src/href attributes to fetch, no @import, no url()
    assert not re.search(r"<(script|link|img|iframe)[^>]*\s(src|href)=", html, re.I)
    assert "@import" not in html and "sourceMappingURL" not in html
    assert html.count("</script>") == 3  # the data, vis-network, the page's script


def test_page_script_never_uses_innerhtml():
    from importlib import resources

    js = resources.files("kg.explorer").joinpath("page.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js and "outerHTML" not in js and "insertAdjacentHTML" not in js
    assert "document.write" not in js and "eval(" not in js


def test_embedded_data_has_windows_ranks_and_sources(small):
    doc = embedded(explorer_html(load_graph(small).semantics))
    nodes = {n["id"]: n for n in doc["nodes"]}
    assert set(nodes) == {"china", "deepseek", "deepseek-r1", "liang-wenfeng", "nvidia",
                          "nvidia-h800", "openai", "us"}
    liang = nodes["liang-wenfeng"]
    assert "梁文锋" in liang["keys"] and liang["names"] == {"zh": "梁文锋"}
    aff = next(f for f in liang["facts"] if f["f"] == "affiliation")["s"][0]
    assert (aff["st"], aff["en"], aff["rk"], aff["from"]) == ("2023-07-01", None, "normal", "2023-07")
    assert aff["cs"] == [["2023-07-01", "2023-07-31", "b"]]  # the month of its from
    edge = next(e for e in doc["edges"] if e["id"].startswith("liang-wenfeng/affiliation"))
    assert (edge["from"], edge["to"], edge["st"], edge["src"]) == (
        "liang-wenfeng", "deepseek", "2023-07-01", ["src-a"])
    assert doc["sources"][0]["title"] == "Source A"
    assert doc["meta"]["licence"] == "CC BY 4.0" and doc["meta"]["version"]


def bloc_on(node: dict, day: str) -> str:
    """The page's rule (page.js blocOn): the window holding the day, else the node's bloc."""
    for start, end, bloc in node.get("bw", []):
        if (start is None or start <= day) and (end is None or day <= end):
            return bloc
    return node["bloc"]


def test_a_person_who_moves_has_the_bloc_of_each_date(tmp_path):
    data = write_data(tmp_path, {**SMALL_FILES, **MOVER_FILES})
    doc = embedded(explorer_html(load_graph(data).semantics))
    nodes = {n["id"]: n for n in doc["nodes"]}
    # before any affiliation: no current one, no earlier one, no citizenship: other
    assert nodes["mover"]["bw"] == [[None, "2019-02-28", "other"],
                                    ["2019-03-01", "2022-12-31", "us"],
                                    ["2023-01-01", None, "china"]]
    assert nodes["mover"]["bloc"] == "china"  # on the dataset's date
    # a node of one bloc at all times carries no windows
    assert "bw" not in nodes["deepseek"] and "bw" not in nodes["openai"]


def test_a_bloc_that_changes_from_the_first_day_there_is(tmp_path):
    """A statement from 0001-01-01 (date.min: no day before it to ask) gives windows, not
    an OverflowError."""
    mover = MOVER_FILES["person/mover.yaml"].replace("from: 2019-03", "from: 0001-01")
    data = write_data(tmp_path, {**SMALL_FILES, "person/mover.yaml": mover})
    nodes = {n["id"]: n for n in embedded(explorer_html(load_graph(data).semantics))["nodes"]}
    assert nodes["mover"]["bw"] == [[None, "2022-12-31", "us"], ["2023-01-01", None, "china"]]


def test_a_statements_end_names_the_sources_that_can_report_it(tmp_path):
    """The panel's data says which sources report a statement's end where not all can
    (kg.semantics.time, Timeline.end_sources): "es" the ones that can, "eb" when every
    one came out before it and nothing began then; nothing when all can."""
    data = write_data(tmp_path, {**SMALL_FILES, **END_FILES})
    nodes = {n["id"]: n for n in embedded(explorer_html(load_graph(data).semantics))["nodes"]}
    sts = next(f for f in nodes["gpu-x"]["facts"] if f["f"] == "export_status")["s"]
    assert [(s["v"], s["src"], s.get("es"), s.get("eb")) for s in sts] == [
        ("unrestricted", ["src-old", "src-a"], ["src-a"], None),
        ("licence-required", ["src-old"], None, True),
        ("banned", ["src-a"], None, None)]


def test_bloc_windows_agree_with_the_semantic_layer_on_every_node_and_date():
    built = load_graph(REPO / "data")
    sem = built.semantics
    doc = embedded(explorer_html(sem))
    changing = [n for n in doc["nodes"] if "bw" in n]
    assert len(changing) >= 10
    days = {sem.date}
    days.update(dt.date(y, m, 1) for y in range(2010, 2027) for m in (1, 3, 5, 7, 9, 11))
    for n in changing:  # each window's first and last day, and the days either side
        assert n["bw"][0][0] is None and n["bw"][-1][1] is None
        for (_, end, bloc), (start, _, nxt) in zip(n["bw"], n["bw"][1:], strict=False):
            assert bloc != nxt
            assert dt.date.fromisoformat(end) + dt.timedelta(days=1) == dt.date.fromisoformat(start)
            d = dt.date.fromisoformat(start)
            days.update({d - dt.timedelta(days=1), d, d + dt.timedelta(days=1)})
    assert len(days) > 100
    for day in sorted(days):
        text = day.isoformat()
        page = {n["id"]: bloc_on(n, text) for n in doc["nodes"]}
        assert page == {n["id"]: sem.bloc(n["id"], day) for n in doc["nodes"]}, text


def test_focus_holds_the_neighbourhood_only(small, tmp_path):
    out = tmp_path / "focus.html"
    r = CliRunner().invoke(main, ["viz", "--data", str(small), "--focus", "deepseek",
                                  "--depth", "1", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output and "MB" in r.output
    doc = embedded(out.read_text(encoding="utf-8"))
    assert sorted(n["id"] for n in doc["nodes"]) == ["deepseek", "deepseek-r1", "liang-wenfeng"]
    assert doc["seed"] == ["deepseek", "deepseek-r1", "liang-wenfeng"]
    r = CliRunner().invoke(main, ["viz", "--data", str(small), "--focus", "deepseek",
                                  "--depth", "2", "--out", str(out)])
    assert sorted(n["id"] for n in embedded(out.read_text("utf-8"))["nodes"]) == [
        "deepseek", "deepseek-r1", "liang-wenfeng", "nvidia-h800"]


def test_kg_viz_on_a_terminal_says_its_stages(small, tmp_path, monkeypatch):
    """kg viz at 100k entities was silent for 10 s: on a terminal it says reading the
    data, building the graph and writing the page (a pipe, as above, sees none)."""
    import kg.cli as cli

    said = []

    class Recorder:
        def begin(self, what):
            said.append(("running", what))

        def advance(self, done, total):
            pass

        def __call__(self, message):
            said.append(("done", message.split(" (")[0]))

    monkeypatch.setattr(cli, "on_terminal", lambda: Recorder())
    r = CliRunner().invoke(main, ["viz", "--data", str(small), "--out", str(tmp_path / "g.html")])
    assert r.exit_code == 0, r.output
    assert ("done", "built the graph") in said
    assert said[-2:] == [("running", "laying out and writing the explorer page"),
                         ("done", "laid out and wrote the explorer page")]


def test_kind_bloc_and_query_select_nodes(small, tmp_path):
    out = tmp_path / "sel.html"
    r = CliRunner().invoke(main, ["viz", "--data", str(small), "--kind", "organization",
                                  "--bloc", "us", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert sorted(n["id"] for n in embedded(out.read_text("utf-8"))["nodes"]) == ["nvidia",
                                                                                  "openai"]
    rq = tmp_path / "models.rq"
    rq.write_text("SELECT ?m ?d WHERE { ?m a kgo:AIModel ; schema:creator ?d }\n", "utf-8")
    r = CliRunner().invoke(main, ["viz", "--data", str(small), "--query", str(rq),
                                  "--as-of", "2025-01-01", "--out", str(out)])
    assert r.exit_code == 0, r.output
    doc = embedded(out.read_text("utf-8"))
    assert sorted(n["id"] for n in doc["nodes"]) == ["deepseek", "deepseek-r1"]
    assert [e["rel"] for e in doc["edges"]] == ["developer"]
    assert doc["meta"]["start"] == "2025-01-01"


def test_focus_on_an_unknown_id_is_a_clear_error(small, tmp_path):
    r = CliRunner().invoke(main, ["viz", "--data", str(small), "--focus", "nobody",
                                  "--out", str(tmp_path / "x.html")])
    assert r.exit_code == 1 and "'nobody' is not a node" in r.output


@pytest.mark.parametrize("which", ["small", "curated"])
def test_two_builds_give_identical_bytes(small, tmp_path, which):
    """Two processes with different hash seeds write the same file. (On the curated data
    the opening view is a small part of the network, whose layout once followed the
    order of a Python set: the positions changed from one run to the next.)"""
    data = small if which == "small" else REPO / "data"
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"g{seed}.html"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "kg", "viz", "--data", str(data), "--out",
                        str(out)], check=True, env=env, capture_output=True, timeout=300)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_hostile_strings_are_data_not_markup(tmp_path):
    from explorer_support import HOSTILE_FILES

    data = write_data(tmp_path, {**SMALL_FILES, **HOSTILE_FILES})
    html = explorer_html(load_graph(data).semantics, focus="hostile")
    for s in (HOSTILE_NAME, HOSTILE_ALIAS, "<svg onload"):
        assert s not in html  # nowhere in the file as markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in html.split("</title>")[0]  # the <title>
    doc = embedded(html)
    hostile = next(n for n in doc["nodes"] if n["id"] == "hostile")
    assert (hostile["label"], hostile["aliases"], hostile["desc"]) == (
        HOSTILE_NAME, [HOSTILE_ALIAS], HOSTILE_TEXT)


# -- a network too big to draw: the overview page ----------------------------------------
def synthetic(n: int):
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_explorer import synthetic_semantics

    return synthetic_semantics(n)


def test_a_large_network_gets_a_bounded_overview_with_search_over_every_name(monkeypatch):
    import networkx as nx

    import kg.explorer as X
    from kg.analysis.network import project, simple

    monkeypatch.setattr(X, "OVERVIEW_PER_BLOC", 20)
    sem = synthetic(600)  # 600 organisations + 3 countries: above the lowered threshold
    html = explorer_html(sem, overview_above=500)
    doc = embedded(html)
    drawn = {n["id"] for n in doc["nodes"]}
    # the 20 most central of each bloc by PageRank (networkx's own, on the same network)
    proj = project(sem)
    pr = nx.pagerank(simple(proj.graph()), alpha=0.85, weight="weight", tol=1e-12)
    blocs = sem.blocs()
    want = set()
    for b in ("us", "china", "other"):
        ranked = sorted((n for n in proj.nodes if blocs(n) == b), key=lambda n: (-pr[n], n))
        want |= set(ranked[:20])
    # and the nodes on the shortest paths that join them (test_the_overview_draws_...)
    assert want <= drawn and len(want) == 60
    assert drawn - want == set(X.overview_joining(proj, want)) and len(drawn) <= 120
    assert all(e["from"] in drawn and e["to"] in drawn for e in doc["edges"])
    # every other entity is in the search index, with its search keys
    index = {row[0]: row for row in doc["index"]}
    assert set(index) == set(proj.nodes) - drawn
    some = sorted(index)[0]
    assert index[some][1] == sem.entities[some].name
    assert search_key(sem.entities[some].name) in index[some][4]
    assert doc["meta"]["subtitle"] == (f"overview: the 60 most central and the "
                                       f"{len(drawn) - 60} that join them, {len(drawn)} of "
                                       f"603 entities")
    assert "This page is an overview: the network has 603 entities" in doc["meta"]["note"]
    # a page for a small selection is not an overview, however large the network
    part = embedded(explorer_html(sem, focus="org-1", overview_above=500))
    assert "index" not in part and {n["id"] for n in part["nodes"]} >= {"org-1"}


def test_a_large_selection_gets_the_same_overview(monkeypatch):
    import networkx as nx

    import kg.explorer as X
    from kg.analysis.network import project, simple

    monkeypatch.setattr(X, "OVERVIEW_PER_BLOC", 20)
    sem = synthetic(600)  # 600 organisations + 3 countries
    doc = embedded(explorer_html(sem, kinds=["organization"], overview_above=500))
    proj = project(sem)
    pr = nx.pagerank(simple(proj.graph()), alpha=0.85, weight="weight", tol=1e-12)
    blocs = sem.blocs()
    orgs = [n for n in proj.nodes if proj.nodes[n].kind == "organization"]
    assert len(orgs) == 600
    want = set()
    for b in ("us", "china", "other"):
        ranked = sorted((n for n in orgs if blocs(n) == b), key=lambda n: (-pr[n], n))
        want |= set(ranked[:20])
    drawn = {n["id"] for n in doc["nodes"]}
    joining = X.overview_joining(proj, want, among=set(orgs))  # through organisations only
    assert drawn == want | set(joining) and drawn <= set(orgs)
    # the search finds every organisation, and only them (the countries are not selected)
    assert {row[0] for row in doc["index"]} == set(orgs) - drawn
    assert doc["meta"]["subtitle"] == (f"overview: the 60 most central and the "
                                       f"{len(joining)} that join them, {len(drawn)} of "
                                       f"600 entities")
    assert "This page is an overview: the selection has 600 entities" in doc["meta"]["note"]
    assert "Search finds all 600" in doc["meta"]["note"]


def test_the_overview_command_names_the_data_folder_and_the_day(tmp_path):
    import datetime as dt

    from kg.explorer import viz_arguments

    assert viz_arguments(None) == ""  # the default data: nothing to add
    assert viz_arguments("../synth 10k") == " --data '../synth 10k'"  # as typed, quoted
    inside = tmp_path / "work" / "data"
    inside.mkdir(parents=True)
    assert viz_arguments(inside, cwd=tmp_path / "work") == " --data data"
    assert viz_arguments(inside, cwd=tmp_path) == " --data work/data"
    assert viz_arguments(inside, cwd=tmp_path / "elsewhere") == f" --data {inside.resolve()}"
    assert viz_arguments("d", dt.date(2025, 1, 2)) == " --data d --as-of 2025-01-02"
    # the overview page carries them; the dataset's own day is not repeated
    import kg.explorer as X

    sem = synthetic(120)
    doc = embedded(X.explorer_html(sem, overview_above=50, data_dir="synth"))
    assert doc["vizargs"] == " --data synth"
    doc = embedded(X.explorer_html(sem, overview_above=50, data_dir="synth", as_of=sem.date))
    assert doc["vizargs"] == " --data synth"


def test_the_overview_says_what_its_count_counts_and_which_neighbours_it_hides(monkeypatch):
    import datetime as dt

    import kg.explorer as X
    from kg.analysis.network import as_it_stood, project
    from kg.core.model import DateValue, Statement

    monkeypatch.setattr(X, "OVERVIEW_PER_BLOC", 20)
    sem = synthetic(600)
    later = [f"org-{i}" for i in range(0, 600, 7)]  # founded after the page's day
    for eid in later:
        sem.entities[eid].facts["founded"] = [Statement("founded", DateValue.parse("2030-01-01"), 1)]
    day = dt.date(2026, 6, 1)
    doc = embedded(explorer_html(sem, overview_above=500, as_of=day))
    # the count the report gives for the day: the nodes of the network as it stood then
    on_day = as_it_stood(project(sem), day).number_of_nodes()
    assert on_day == 603 - len(later)
    # how many it draws of every date, and of those on the day: the page's count line
    drawn = {n["id"] for n in doc["nodes"]}
    proj = project(sem)
    drawn_on_day = len(drawn & set(as_it_stood(proj, day)))
    assert drawn_on_day < len(drawn)
    assert doc["meta"]["subtitle"] == (
        f"overview: the 60 most central and the {len(drawn) - 60} that join them, "
        f"{len(drawn)} of 603 entities of every date; {drawn_on_day} of the {on_day} on "
        "2026-06-01")
    # each drawn node's neighbours that the page does not draw are counted for its panel
    want = {}
    for n in drawn:
        others = {e.target for e in proj.edges if e.source == n} | {
            e.source for e in proj.edges if e.target == n}
        if others - drawn:
            want[n] = len(others - drawn)
    assert doc["hidden"] == want and want


def test_the_overview_draws_how_its_most_central_entities_connect(monkeypatch):
    """A scale trial: the 10k overview drew 473 nodes and 279 links, 137 nodes with none,
    and opened on 32 entities with 2 links between them; at 100k, 600 nodes and 59 links
    ("Show everything": rings of unconnected dots). The most central entities of a
    network are hubs that few links join directly: the overview draws the nodes on the
    shortest paths that join them too, and its opening view likewise, so nearly every
    drawn node has a link and nearly all of them form one piece."""
    import networkx as nx

    import kg.explorer as X
    from kg.analysis.network import project

    monkeypatch.setattr(X, "OVERVIEW_PER_BLOC", 20)
    sem = synthetic(3000)  # sparse: the 60 hubs of 3,003 nodes share few links
    doc = embedded(explorer_html(sem, overview_above=500))
    drawn = {n["id"] for n in doc["nodes"]}
    G = nx.Graph()
    G.add_nodes_from(drawn)
    G.add_edges_from((e["from"], e["to"]) for e in doc["edges"])
    central = X.overview_nodes(project(sem), per_bloc=20)
    assert central <= drawn and len(central) == 60
    # without the joining nodes the hubs are mostly unlinked: the problem is there
    alone = G.subgraph(central)
    assert sum(1 for n in alone if not alone.degree(n)) > 20
    # with them (as many at most as the central ones: a join too many is left out), 95%
    # of the drawn nodes have a link, and the largest piece holds 90% or more
    assert len(G) <= 120
    assert sum(1 for n in G if not G.degree(n)) <= 0.05 * len(G)
    assert max(len(c) for c in nx.connected_components(G)) >= 0.9 * len(G)
    assert G.number_of_edges() >= len(G) - 1
    # the opening view: its central nodes and those that join them, linked as well
    seed = G.subgraph(doc["seed"])
    assert len(seed) > 4 * 3  # 4 per bloc and more
    assert max(len(c) for c in nx.connected_components(seed)) >= 0.9 * len(seed)


def test_joining_nodes_are_those_of_the_shortest_joins():
    from kg.analysis.paths import joining_nodes

    # a - b - c - d - e, and a short way a - x - e round it; y hangs off c
    links = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("a", "x"), ("x", "e"),
             ("c", "y")]
    assert joining_nodes(links, ["a", "e"]) == ["x"]  # the shortest path only
    assert joining_nodes(links, ["a", "e", "c"]) in (["x", "b"], ["x", "d"])
    assert joining_nodes(links, ["b", "y"]) == ["c"]
    assert sorted(joining_nodes(links, ["a", "e"], allowed=set("abcde"))) == ["b", "c", "d"]
    assert joining_nodes(links, ["a", "e"], allowed=set("abcde"), longest=3) == []
    assert joining_nodes(links, ["a", "e"], allowed=set("abcde"), at_most=2) == []
    assert joining_nodes(links, ["a", "b"]) == []  # linked already


def test_the_overview_of_100k_entities_is_bounded():
    """The bound docs/explorer.md states: at most 4 x OVERVIEW_PER_BLOC most central
    nodes and as many that join them drawn, and the page under 1.5 MB + 100 bytes per
    entity not drawn."""
    import kg.explorer as X

    sem = synthetic(100_000)
    html = explorer_html(sem)
    doc = embedded(html)
    assert len(doc["nodes"]) <= 8 * X.OVERVIEW_PER_BLOC
    assert len(doc["index"]) == 100_003 - len(doc["nodes"])
    assert len(html.encode("utf-8")) < 1.5e6 + 100 * len(doc["index"])


def test_the_page_module_loads_pyvis_without_ipython_and_ipythons_iframe_still_works():
    # pyvis.network imports IPython only for Network.show()'s IFrame: a stand-in during
    # the import, which loads the real class when called; a real `import IPython` works
    code = ("import sys\n"
            "import kg.explorer.page\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'IPython'))\n"
            "import pyvis.network as pn\n"
            "frame = pn.IFrame('about:blank', 10, 20)\n"
            "from IPython.display import IFrame\n"
            "print(type(frame) is IFrame, pn.IFrame is IFrame, frame.width, frame.height)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO, timeout=300).stdout
    assert out.splitlines() == ["[]", "True True 10 20"]


def test_sizes_and_layout_are_read_back_for_the_same_network_and_the_page_is_the_same(
        small, tmp_path, monkeypatch):
    from kg.explorer import data as explorer_data

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    laid = count_calls(monkeypatch, explorer_data, "layout")
    sem = load_graph(small).semantics
    first, second = explorer_html(sem), explorer_html(sem)
    assert first == second and len(laid) == 1
    [entry] = (tmp_path / "cache" / "analysis").glob("explorer-*.json")
    entry.write_bytes(entry.read_bytes()[:-10])  # cut short: laid out again, same page
    assert explorer_html(sem) == first and len(laid) == 2
    monkeypatch.setenv("KG_NO_CACHE", "1")
    assert explorer_html(sem) == first and len(laid) == 3
    monkeypatch.delenv("KG_NO_CACHE")
    # another selection is another drawing
    focus = embedded(first)["nodes"][0]["id"]
    explorer_html(sem, focus=focus)
    assert len(laid) == 4


def test_the_overviews_pagerank_is_read_back_for_the_same_network(tmp_path, monkeypatch):
    from kg.analysis import centrality

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    ranked = count_calls(monkeypatch, centrality, "pagerank_of_links")
    sem = synthetic(600)
    first = explorer_html(sem, overview_above=500)
    assert explorer_html(sem, overview_above=500) == first and len(ranked) == 1
    monkeypatch.setenv("KG_NO_CACHE", "1")
    assert explorer_html(sem, overview_above=500) == first and len(ranked) == 2


@pytest.fixture(scope="module")
def curated():
    """The page's data parts for the curated data (kg.explorer.data.PageData)."""
    from kg.analysis.network import project
    from kg.explorer.data import PageData

    return PageData(project(load_graph(REPO / "data").semantics))


def test_a_relative_figure_carries_what_it_is_compared_with(curated):
    """A journalist's trial: the Ascend 910's panel said "performance relative to another
    chip 60%" (data/claim/ascend-910-vs-h100-dw.yaml: compared_with: nvidia-h100). The
    figure carries the entity's name and id (compared_with is a reference: schema.yaml)."""
    fig = curated.claim("ascend-910-vs-h100-dw")
    assert (fig["compared_with"], fig["compared_ref"]) == ("NVIDIA H100", "nvidia-h100")
    assert "compared_ref" not in curated.claim("nvidia-revenue-fy2025")
    # the words before it are the report's (kg.semantics.disputes.relative_head): one rule
    from kg.analysis.report import measure_words
    from kg.rdf.load import load_graph

    assert fig["measure_head"] == "performance relative to "
    ents = load_graph().semantics.entities
    for cid in ("ascend-910-vs-h100-dw", "us-chip-design-lead-2026-01",
                "chinese-models-relative-capability-botnews"):  # "... the leaders"
        c = curated.claim(cid)
        claim = ents[cid]
        assert c["measure_head"] + c["compared_with"] == measure_words(
            ents, str(claim.first("measure")), str(claim.first("compared_with")))


def test_a_sources_identifiers_are_in_the_page_as_text(curated):
    """A journalist's trial: the NVIDIA 8-K (data/source/nvidia-8k-2025-04-15.yaml) showed
    no identifier though it has an SEC accession number, which has no resolver link
    (kg.semantics.links): the report shows it, the page did not. An identifier already
    shown as a link's label is not repeated; a source without one carries no field."""
    assert curated.source("nvidia-8k-2025-04-15")["ids"] == [
        "SEC accession number 0001045810-25-000082"]
    # its URL is the arXiv page the identifier resolves to: no link says "arXiv ..."
    assert curated.source("01ai-2024-03-yi-paper")["ids"] == ["arXiv 2403.04652"]
    # no URL: the Federal Register link (derived) is the title's; both identifiers as text
    fr = curated.source("fr-2022-10-13-advanced-computing-ifr")
    assert fr["url"].startswith("https://www.federalregister.gov/d/")
    assert fr["ids"] == ["Federal Register document 2022-21658",
                         "Federal Register citation 87 FR 62186"]
    assert "ids" not in curated.source("dw-2026-01-24-us-china-ai-race")


def test_the_status_a_decision_is_reported_in_says_following_not_set_by(curated):
    """A journalist's trial: the H20's "licences-granted" read "set by: NVIDIA says the US
    will grant H20 export licences" (data/chip/nvidia-h20.yaml, `by`): NVIDIA setting a US
    status. `by` names the rule or decision a status follows, or the event that reports it
    (ontology/schema.yaml); the page says "following", as `kg query` does (the ontology's
    label of kgo:by, from the same schema label). A chip's family is "family", as `kg query`
    says it (it said "model family", the page "chip family")."""
    ent = curated.proj.nodes["nvidia-h20"]
    facts = {f["f"]: f for f in curated.facts(ent)}
    quals = [s.get("q") for s in facts["export_status"]["s"]]
    assert quals[2] == {"following": {"ref": "nvidia-h20-licence-assurance-2025-07",
                                      "v": "NVIDIA says the US will grant H20 export licences"}}
    assert list(quals[1]) == ["following"]
    edges = [curated.edge(e, e.key) for e in curated.proj.edges
             if e.source == "nvidia-h20" and e.relation == "family"]
    assert [(e["label"], e["to"]) for e in edges] == [("family", "nvidia-hopper")]
