"""The report's Sources list and its citations (a journalist's trial: the report gave only
raw ids like `[nvidia-8k-2025-04-15]`, no title, no link, nothing to open or cite).

The expected titles, publishers, dates, URLs and identifiers are copied by hand from
data/source/*.yaml, not read back from the functions that wrote the report.
"""

from __future__ import annotations

import csv
import functools
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from conftest import REPO, sandbox_dir
from kg.cli import main

NVIDIA_8K = "nvidia-8k-2025-04-15"
DW = "dw-2026-01-24-us-china-ai-race"
YI = "01ai-2024-03-yi-paper"


@functools.cache
def curated_report() -> Path:
    """kg report on the curated data (the dataset's date, a year back)."""
    out = sandbox_dir("kg-report-sources-") / "report"
    r = CliRunner().invoke(main, ["report", "--data", str(REPO / "data"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


class Anchors(HTMLParser):
    """Every element id, every href, and the text of each element with an id."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.text: dict[str, str] = {}
        self._open: list[tuple[str, str]] = []  # (tag, id) of the elements read inside

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
            self.text.setdefault(a["id"], "")
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        self._open.append((tag, a.get("id") or ""))

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _, i in self._open:
            if i:
                self.text[i] += data


def parsed(path: Path) -> Anchors:
    p = Anchors()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def sources_csv() -> list[dict[str, str]]:
    with open(curated_report() / "sources.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_citation_in_the_html_links_to_an_entry_of_the_sources_list():
    p = parsed(curated_report() / "report.html")
    cites = [h for h in p.hrefs if h.startswith("#src-")]
    assert len(cites) > 50  # the changes, the scorecard, why central, the data health
    assert {h[1:] for h in cites} <= set(p.ids)  # no link without its entry
    assert len(p.ids) == len(set(p.ids))
    # an entry: title, publisher, date, reliability, the SEC accession number as text
    assert p.text[f"src-{NVIDIA_8K}"] == (
        f"{NVIDIA_8K}: NVIDIA Corporation Form 8-K current report (date of report 9 April "
        "2025). NVIDIA Corporation (filed with the US Securities and Exchange Commission), "
        "2025-04-15. Reliability: high (Regulatory filing; states the US government informed "
        "NVIDIA on 2025-04-09 and 2025-04-14). SEC accession number: 0001045810-25-000082.")
    html = (curated_report() / "report.html").read_text(encoding="utf-8")
    # the prose's citation (why central, the numbered changes) is a link, not "[id]"
    assert f'[<a href="#src-{NVIDIA_8K}">{NVIDIA_8K}</a>]' in html
    assert f"[{NVIDIA_8K}]" not in html
    # the URL is a link; a bundled article says so
    assert '<a href="https://p.dw.com/p/57FGg">https://p.dw.com/p/57FGg</a>' in html
    dw = p.text[f"src-{DW}"]
    assert dw.startswith(f"{DW}: Where is the US-China AI 'race' heading in 2026? DW "
                         "(Deutsche Welle), 2026-01-24. Reliability: high")
    assert "Bundled article: its text ships with the project (003_102741626efa5d10.txt)" in dw
    assert "Bundled" not in p.text[f"src-{NVIDIA_8K}"]


def test_the_sources_list_comes_last_in_id_order_with_its_own_heading():
    html = (curated_report() / "report.html").read_text(encoding="utf-8")
    tail = html[html.index(">Sources</h2>"):]
    ids = re.findall(r'<li id="src-([a-z0-9-]+)">', tail)
    assert ids == sorted(ids) and NVIDIA_8K in ids and DW in ids
    assert "<h2" not in tail[5:]  # the last section


def test_markdown_citations_link_to_the_entries():
    md = (curated_report() / "report.md").read_text(encoding="utf-8")
    # (in a table's cell: its brackets, text around the link, backslash-escaped)
    assert f"\\[[{NVIDIA_8K}](#src-{NVIDIA_8K})\\]" in md
    assert f"[{NVIDIA_8K}]\n" not in md and f"[{NVIDIA_8K}] " not in md
    targets = set(re.findall(r"\]\(#(src-[a-z0-9-]+)\)", md))
    entries = set(re.findall(r'^- <a id="(src-[a-z0-9-]+)"></a>', md, re.M))
    assert targets and targets <= entries
    assert (f'- <a id="src-{DW}"></a>**{DW}**: Where is the US-China AI \'race\' heading in '
            "2026? DW (Deutsche Welle), 2026-01-24.") in md
    assert "[https://p.dw.com/p/57FGg](https://p.dw.com/p/57FGg)" in md


def test_sources_csv_and_json_list_every_source_the_tables_cite():
    rows = sources_csv()
    by = {r["id"]: r for r in rows}
    assert [r["id"] for r in rows] == sorted(by)
    assert by[NVIDIA_8K]["identifiers"] == "SEC accession number: 0001045810-25-000082"
    assert by[NVIDIA_8K]["url"] == "" and by[NVIDIA_8K]["date"] == "2025-04-15"
    assert by[DW]["url"] == "https://p.dw.com/p/57FGg"
    assert by[DW]["bundled file"] == "003_102741626efa5d10.txt"
    # the arXiv paper: its URL is the arXiv page (not repeated as a derived link)
    assert by[YI]["url"] == "https://arxiv.org/abs/2403.04652" and by[YI]["other links"] == ""
    # every source any table cites, shown or only in the CSV, is listed
    for name, column in (("changes", "sources"), ("disputes", "sources"),
                         ("why-central", "sources"), ("scorecard", "sources")):
        with open(curated_report() / f"{name}.csv", encoding="utf-8", newline="") as fh:
            cited = {s for r in csv.DictReader(fh) for s in r[column].split("; ") if s}
        assert cited and cited <= set(by), name
    body = json.loads((curated_report() / "report.json").read_text(encoding="utf-8"))
    assert body["tables"]["sources"] == rows


def test_only_bracketed_known_ids_become_links_and_titles_stay_text():
    """Only a bracketed list of ids that are all in the Sources list becomes links; other
    brackets, and a title with markup, stay text (escaped in HTML, literal in Markdown)."""
    from kg.analysis.render import Doc, SourceEntry, Table, markdown, page

    doc = Doc("t")
    doc.p("Said [s-one, s-two] and [s-one, other] and [not a citation].")
    doc.table(Table("t", ["sources", "note"], [["s-one; s-two", "s-one"]], cites=("sources",)))
    doc.sources([SourceEntry("s-one", "<script>alert(1)</script> *x* [y](z)", "P & Q",
                             "2026", "low"),
                 SourceEntry("s-two", "Two", "P", "", "high", url="https://e.org/a(b) c")])
    html = page(doc, {})
    assert ('Said [<a href="#src-s-one">s-one</a>, <a href="#src-s-two">s-two</a>] and '
            "[s-one, other] and [not a citation].") in html
    assert ('<td data-label="sources"><a href="#src-s-one">s-one</a>; '
            '<a href="#src-s-two">s-two</a></td><td data-label="note">s-one</td>') in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; *x* [y](z). P &amp; Q, 2026." in html
    assert "<script>" not in html
    md = markdown(doc)
    assert (r"Said [[s-one](#src-s-one), [s-two](#src-s-two)] and \[s-one, other\] and "
            r"\[not a citation\].") in md
    assert "| [s-one](#src-s-one); [s-two](#src-s-two) | s-one |" in md
    assert r"\<script\>alert(1)\</script\> \*x\* \[y\](z). P & Q, 2026." in md
    assert "[https://e.org/a(b) c](https://e.org/a%28b%29%20c)" in md


def test_the_scorecard_says_one_source_for_a_single_verdict():
    """A journalist's trial: "sources agree: US leads (1)" for a dimension with one verdict
    (capital: data/assessment/ has one assessment of it, BitBiased's)."""
    with open(curated_report() / "scorecard.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    summary = {r["dimension"]: r["verdict"] for r in rows if not r["source"]}
    assert summary["capital"] == "one source: US leads"
    assert summary["compute"] == "sources agree: US leads (4)"
    assert summary["chips"] == "sources differ: US leads (4), China catching up (1)"
    assert not [s for s in summary.values() if s.startswith("sources agree") and "(1)" in s]


def test_the_prose_points_researchers_to_the_query_without_internal_numbers():
    md = (curated_report() / "report.md").read_text(encoding="utf-8")
    bridges = md.split("### Bridges between the US and Chinese blocs")[1].split("\n\n")[1]
    assert "question 11" not in md
    assert bridges.endswith("the links that make them bridges. For researchers: `kg query "
                            "between-blocs` gives the supply and partnership links among them.")


def test_headings_have_anchors_and_the_page_opens_on_a_table_of_contents():
    path = curated_report() / "report.html"
    html = path.read_text(encoding="utf-8")
    headings = re.findall(r"<(h[23])( id=\"[^\"]*\")?>([^<]*)</h[23]>", html)
    assert headings and all(i for _, i, _ in headings)  # every h2 and h3 has an id
    ids = [i[5:-1] for _, i, _ in headings]
    assert len(ids) == len(set(ids))
    # GitHub's anchors, so report.md's contents link the same way
    assert ' id="the-race-scorecard-who-leads-according-to-whom">The race scorecard: who ' \
           "leads, according to whom</h2>" in html
    assert ' id="sources-without-a-link">Sources without a link</h3>' in html
    nav = html.split('<nav class="contents"')[1].split("</nav>")[0]
    h2s = [(i[5:-1], t) for h, i, t in headings if h == "h2"]
    assert re.findall(r'<a href="#([^"]+)">([^<]*)</a>', nav) == h2s
    assert html.index("<nav") < html.index("<h2")
    md = (curated_report() / "report.md").read_text(encoding="utf-8")
    toc = md.split("Contents:\n\n")[1].split("\n\n")[0].splitlines()
    assert toc[0] == "- [Summary](#summary)" and toc[-1] == "- [Sources](#sources)"
    assert toc == [f"- [{t}](#{i})" for i, t in h2s]


def test_a_citation_and_a_contents_entry_open_their_target_in_chromium():
    from explorer_support import BROWSER_ARGS, Recorder, chromium_path
    from playwright.sync_api import sync_playwright

    chromium = chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        try:
            page = browser.new_context(offline=True, viewport={"width": 1000, "height": 800}
                                       ).new_page()
            rec = Recorder(page)
            page.goto((curated_report() / "report.html").resolve().as_uri())
            page.wait_for_load_state("load")
            page.click(f"a[href='#src-{NVIDIA_8K}'] >> nth=0")
            hash_, top, text = page.evaluate(
                f"() => {{ const e = document.getElementById('src-{NVIDIA_8K}'); "
                "return [location.hash, e.getBoundingClientRect().top, e.textContent]; }")
            page.click("nav.contents a[href='#sources']")
            sources_top = page.evaluate(
                "() => document.getElementById('sources').getBoundingClientRect().top")
        finally:
            browser.close()
    assert rec.errors == []
    assert hash_ == f"#src-{NVIDIA_8K}" and -2 < top < 50  # scrolled to the entry
    assert "SEC accession number: 0001045810-25-000082" in text
    assert -2 < sources_top < 50


def test_on_a_phone_each_table_row_is_a_card_of_labelled_cells():
    """A second journalist's trial: at 390 px the scorecard was 821 px wide in a 358 px
    box and 6,400 px tall, its verdict rows mostly blank with the figures off to the
    right. Under 40rem each row is a card, each cell says its column; nothing is wider
    than the screen. At 1000 px the tables are tables."""
    from explorer_support import BROWSER_ARGS, chromium_path
    from playwright.sync_api import sync_playwright

    chromium = chromium_path()
    probe = ("() => { const t = document.querySelector('#the-race-scorecard-who-leads-"
             "according-to-whom ~ table'); const td = t.querySelector('tbody td'); "
             "return [document.documentElement.scrollWidth, getComputedStyle(td).display, "
             "getComputedStyle(td, '::before').content, t.getBoundingClientRect().width]; }")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        try:
            out = {}
            for width in (390, 1000):
                page = browser.new_context(offline=True, viewport={"width": width,
                                                                   "height": 844}).new_page()
                page.goto((curated_report() / "report.html").resolve().as_uri())
                page.wait_for_load_state("load")
                out[width] = page.evaluate(probe)
        finally:
            browser.close()
    scroll, display, before, table_width = out[390]
    assert scroll <= 390 and table_width <= 390
    assert display == "block" and before == '"dimension: "'
    scroll, display, before, _ = out[1000]
    assert display == "table-cell" and before in ("none", "normal")


def test_a_table_cut_short_links_to_its_csv_when_the_csv_is_written(tmp_path):
    """A journalist's trial: "(22 more rows in changes.csv.)" was not a link. With the CSV
    files written beside the report, each such line links to a file that is there (in
    report.md and report.html); with the HTML alone it names the file without a link."""
    out = curated_report()
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    linked = re.findall(r'(?:more|earlier) rows in <a href="([^"]+)">\1</a>', html)
    assert "changes.csv" in linked
    assert len(linked) == len(re.findall("(?:more|earlier) rows in", html))
    assert all((out / name).is_file() for name in linked)
    assert re.findall(r"(?:more|earlier) rows in \[([^\]]+)\]\(\1\)", md) == linked
    alone = tmp_path / "html-only"
    r = CliRunner().invoke(main, ["report", "--data", str(REPO / "data"), "--out", str(alone),
                                  "--format", "html"])
    assert r.exit_code == 0, r.output
    page = (alone / "report.html").read_text(encoding="utf-8")
    assert "earlier rows in changes.csv;" in page and 'href="changes.csv"' not in page
    assert "Files</a>" not in page and 'id="files"' not in page


def test_every_file_the_report_writes_is_linked_and_every_link_opens_a_file():
    """A researcher's trial: report.html named why-central.csv ("The 226 rows are in
    why-central.csv") without a link, and the CSVs of the tables it shows whole
    (scorecard, bridges, robustness, disputes) were named nowhere. Each mention of a file
    written beside the report is a relative link, and a section, Files (in the contents,
    before the Sources, which stay last), lists every file with what it holds; every
    relative link opens a file that is there (offline: no address), in report.html and
    report.md."""
    out = curated_report()
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    written = {p.name for p in out.iterdir()}
    for me, links in (("report.html", re.findall(r'href="([^"#]+)"', html)),
                      ("report.md", re.findall(r"\]\(([^)#]+)\)", md))):
        relative = {u for u in links if "://" not in u}
        assert relative == written - {me}, me
        assert all((out / u).is_file() for u in relative)
    assert re.search(r'\(The \d+ rows are in <a href="why-central.csv">why-central.csv</a>\.\)',
                     html)
    assert re.search(r"\(The \d+ rows are in \[why-central.csv\]\(why-central.csv\)\.\)", md)
    files = html.split('<h2 id="files">Files</h2>')[1].split('<h2 id="sources">')[0]
    assert "- [Files](#files)\n- [Sources](#sources)\n" in md
    assert '<a href="#files">Files</a>' in html.split("</nav>")[0]
    for name in ("scorecard.csv", "bridges.csv", "robustness.csv", "disputes.csv"):
        assert f'<li><a href="{name}">{name}</a>: the table under “' in files, name
    assert ('<li><a href="why-central.csv">why-central.csv</a>: the rows behind the text '
            'under “Why they are central” (<a href="#why-they-are-central">shown here</a>)'
            '</li>') in files
    assert '<li><a href="report.json">report.json</a>: every table of this report, all rows' in files
    # a mention in the text is a link too: "(all in communities.csv)", `sources.csv`
    assert '(all in <a href="communities.csv">communities.csv</a>)' in html
    assert 'are in <a href="sources.csv"><code>sources.csv</code></a>.)' in html
    assert "are in [`sources.csv`](sources.csv).)" in md


def test_every_table_of_a_large_report_is_capped_and_names_its_csv(tmp_path, monkeypatch):
    """A scale trial: the 100k report was 19,817 lines of Markdown and 1.1 million pixels
    of HTML (its scorecard 3,565 lines, its disputed figures 4,600); only What changed was
    cut short. On a synthetic report, with the cap lowered to 8 rows so that 400 entities
    reach it, every table shows 8 rows at most (What changed: its own newest rows and
    numbered dots) and each one cut short says how many it shows of how many, in what
    order, and links its CSV, which holds every row."""
    import sys

    from kg.analysis import render
    from kg.analysis.render import encode
    from kg.analysis.report import CHANGES_CHART_NUMBERED, CHANGES_SHOWN, report
    from kg.rdf.load import load_graph

    sys.path.insert(0, str(REPO / "benchmarks"))
    from synth import generate

    monkeypatch.setattr(render, "SHOWN_AT_MOST", 8)
    generate(tmp_path / "data", 400)
    doc, images = report(load_graph(tmp_path / "data").semantics)
    files = encode(doc, images, tmp_path / "out", {"md", "html", "csv"})
    md, page = (files[f"report.{x}"].decode("utf-8") for x in ("md", "html"))
    capped = []
    for t in doc.tables:
        if t.name == "sources":  # the list of what the shown text cites: bounded by them
            continue
        shown = len(t.shown_rows())
        assert len(list(csv.reader(files[f"{t.name}.csv"].decode().splitlines()))) == \
            len(t.rows) + 1, t.name
        if t.newest:
            assert shown <= CHANGES_SHOWN + CHANGES_CHART_NUMBERED, t.name
            continue
        assert shown <= 8, t.name
        if shown < len(t.rows) and t.show != 0:
            link = f"[{t.name}.csv]({t.name}.csv)"
            if t.capped:
                capped.append(t.name)
                words = f"The first 8 of {len(t.rows):,} rows, {t.order}; all in "
                assert t.order.startswith(("by ", "most ", "fewest ")), t.name
                assert f"({words}{link}.)" in md, t.name
                assert (f'({words}<a href="{t.name}.csv">{t.name}.csv</a>.)'
                        in page.replace("&#x27;", "'")), t.name
            else:
                assert f"more rows in {link}" in md, t.name
    # the tables of a small report that grow with the data: all cut short here
    assert {"scorecard", "disputes", "communities", "centrality-by-kind",
            "facts-per-source"} <= set(capped)
    table = md.split("## The race scorecard")[1].split("![Scorecard")[0]
    assert table.count("\n| ") == 8 + 1  # the header and 8 rows
