"""The report as blocks (headings, paragraphs, lists, tables, images) and its writers:
Markdown, one standalone HTML page (inline CSS, images as data: URIs, no script, no
external request, every text escaped), CSV (one file per table) and JSON.
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


@dataclass
class Table:
    """A table: name (the CSV file's stem), column headers, rows of plain values
    (str, int, float, None); `show` rows in Markdown and HTML (None: all), the rest
    in the CSV only."""

    name: str
    columns: list[str]
    rows: list[list]
    show: int | None = None
    hide: tuple[str, ...] = ()  # columns in the CSV and JSON only

    def visible(self) -> tuple[list[str], list[list]]:
        """The columns and rows Markdown and HTML show."""
        keep = [i for i, c in enumerate(self.columns) if c not in self.hide]
        rows = self.rows if self.show is None else self.rows[:self.show]
        return [self.columns[i] for i in keep], [[r[i] for i in keep] for r in rows]


@dataclass
class Doc:
    """The report: a title and blocks in order. A block is ("h2" | "h3" | "p", text),
    ("ul", [text]), ("table", Table) or ("img", file name, alt text)."""

    title: str
    blocks: list[tuple] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    def h2(self, text): self.blocks.append(("h2", text))  # noqa: E704
    def h3(self, text): self.blocks.append(("h3", text))  # noqa: E704
    def p(self, text): self.blocks.append(("p", text))  # noqa: E704
    def ul(self, items): self.blocks.append(("ul", list(items)))  # noqa: E704
    def img(self, name, alt): self.blocks.append(("img", name, alt))  # noqa: E704

    def table(self, t: Table) -> Table:
        self.blocks.append(("table", t))
        return t

    @property
    def tables(self) -> list[Table]:
        return [b[1] for b in self.blocks if b[0] == "table"]


def cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".") if v else "0"
    return str(v)


def _md_cell(v) -> str:
    return cell(v).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown(doc: Doc) -> str:
    out = [f"# {doc.title}", ""]
    for b in doc.blocks:
        if b[0] == "h2":
            out += [f"## {b[1]}", ""]
        elif b[0] == "h3":
            out += [f"### {b[1]}", ""]
        elif b[0] == "p":
            out += [b[1], ""]
        elif b[0] == "ul":
            out += [f"- {item}" for item in b[1]] + [""]
        elif b[0] == "img":
            out += [f"![{b[2]}]({b[1]})", ""]
        elif b[0] == "table" and b[1].show == 0:
            out += [f"(The {len(b[1].rows)} rows are in `{b[1].name}.csv`.)", ""]
        elif b[0] == "table":
            t = b[1]
            columns, rows = t.visible()
            out.append("| " + " | ".join(_md_cell(c) for c in columns) + " |")
            out.append("|" + "---|" * len(columns))
            out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
            if len(rows) < len(t.rows):
                out.append("")
                out.append(f"({len(t.rows) - len(rows)} more rows in `{t.name}.csv`.)")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# On paper (print, save as PDF) a table is a table again: on screen it scrolls sideways
# (display:block; overflow-x:auto), which in print cut off every column past the page
# edge (the centrality tables lost eigenvector, closeness and community).
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
code{font-size:90%;background:#f3f3f3;padding:0 .2em}
@media print{body{max-width:none;margin:0;padding:0;font-size:11pt}table{display:table;overflow:visible;font-size:9px;width:100%}th,td{overflow-wrap:break-word;padding:.15rem .25rem}tr,img{break-inside:avoid}h2,h3{break-after:avoid}}
"""


def _inline(text: str) -> str:
    """Escaped text, with Markdown's `code` spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def page(doc: Doc, images: dict[str, bytes]) -> str:
    """One standalone HTML page; `images` maps an img block's file name to its PNG bytes."""
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           # no request of any kind: images are inline, nothing else may load
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
           'img-src data:; style-src \'unsafe-inline\'">',
           f"<title>{e(doc.title)}</title>", f"<style>{CSS.strip()}</style>", "</head>",
           "<body>", f"<h1>{e(doc.title)}</h1>"]
    for b in doc.blocks:
        if b[0] in ("h2", "h3"):
            out.append(f"<{b[0]}>{e(b[1])}</{b[0]}>")
        elif b[0] == "p":
            out.append(f"<p>{_inline(b[1])}</p>")
        elif b[0] == "ul":
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in b[1]) + "</ul>")
        elif b[0] == "img":
            data = base64.b64encode(images[b[1]]).decode("ascii")
            out.append(f'<p><img src="data:image/png;base64,{data}" alt="{e(b[2])}"></p>')
        elif b[0] == "table" and b[1].show == 0:
            out.append(f'<p class="more">(The {len(b[1].rows)} rows are in '
                       f"{e(b[1].name)}.csv.)</p>")
        elif b[0] == "table":
            t = b[1]
            columns, rows = t.visible()
            out.append("<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in columns)
                       + "</tr></thead><tbody>")
            out += ["<tr>" + "".join(f"<td>{e(cell(c))}</td>" for c in r) + "</tr>"
                    for r in rows]
            out.append("</tbody></table>")
            if len(rows) < len(t.rows):
                out.append(f'<p class="more">({len(t.rows) - len(rows)} more rows in '
                           f"{e(t.name)}.csv.)</p>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def csv_text(t: Table) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(t.columns)
    for r in t.rows:
        w.writerow([cell(c) for c in r])
    return buf.getvalue()


def json_text(doc: Doc) -> str:
    body = {"title": doc.title, **doc.meta,
            "tables": {t.name: [dict(zip(t.columns, r, strict=True)) for r in t.rows] for t in doc.tables}}
    # compact (one line): it is read by programs, and the C encoder only runs without indent
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def write(doc: Doc, images: dict, out_dir: Path, formats: set[str]) -> list[Path]:
    """Write the chosen formats ("md", "html", "csv", "json") into out_dir; PNG charts are
    written with md (the Markdown links them), with their record (`charts.json`, see
    kg.analysis.chartcache). images: PNG file name -> bytes, a chartcache.Chart (drawn
    only if out_dir does not already hold its PNG for the same input) or a
    chartcache.Drawn (resolved ahead by chartcache.drawn: taken as it is). Returns the
    paths written, sorted."""
    return write_files(encode(doc, images, out_dir, formats), out_dir)


def encode(doc: Doc, images: dict, out_dir: Path, formats: set[str]) -> dict[str, bytes]:
    """What write writes, made but not written: file name -> bytes (the CSV and JSON texts
    are most of the time at size: 0.75 s at 10k entities). out_dir is read only for the
    charts already there (see write)."""
    from kg.analysis.chartcache import RECORD, resolve

    files: dict[str, bytes] = {}
    record = ""
    if "md" in formats or "html" in formats:
        images, record = resolve(images, out_dir)
    if "md" in formats:
        files["report.md"] = markdown(doc).encode("utf-8")
        files.update(images)
        if record:
            files[RECORD] = record.encode("utf-8")
    if "html" in formats:
        files["report.html"] = page(doc, images).encode("utf-8")
    if "csv" in formats:
        for t in doc.tables:
            files[f"{t.name}.csv"] = csv_text(t).encode("utf-8")
    if "json" in formats:
        files["report.json"] = json_text(doc).encode("utf-8")
    return files


def write_files(files: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write each file (name -> bytes) into out_dir (made if missing), each replaced
    atomically through a .tmp beside it; the paths written, sorted by name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in sorted(files.items()):
        path = out_dir / name
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written.append(path)
    return written
