"""Query results as text: the W3C formats (SPARQL JSON, XML, CSV, TSV) and, for people,
a table that fits the terminal and a Markdown table, both showing labels, not IRIs.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import unicodedata
from collections.abc import Iterator
from json.encoder import encode_basestring
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.core.markdown import table_cell
from kg.core.schema import by_longest_namespace, shorten
from kg.sparql.store import QueryResult, Store

FORMATS = ("table", "csv", "tsv", "json", "md")
NUMERIC = {str(XSD.decimal), str(XSD.integer), str(XSD.double), str(XSD.float),
           str(XSD.nonNegativeInteger), str(XSD.long), str(XSD.int)}
MAX_CELL = 60
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


# -- W3C formats ---------------------------------------------------------------------
def term_json(t: Node) -> dict:
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    out = {"type": "literal", "value": str(t)}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype and str(t.datatype) != XSD_STRING:
        out["datatype"] = str(t.datatype)
    return out


def to_json(result: QueryResult, indent: int | None = 1) -> str:
    """The SPARQL 1.1 Query Results JSON Format; `indent` None: compact (and fast)."""
    if result.type == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, indent=indent)
    if indent == 1:
        return "".join(json_chunks(result))
    doc = {"head": {"vars": result.vars},
           "results": {"bindings": [{v: term_json(t) for v, t in row.items()}
                                    for row in result.dicts()]}}
    return json.dumps(doc, indent=indent, ensure_ascii=False)


def json_chunks(result: QueryResult, rows_per_chunk: int = 1000) -> Iterator[str]:
    """to_json(result) (indent 1) in pieces, a chunk of rows at a time: `kg query --format
    json` writes them as they come instead of building the whole text (at 100k entities
    `unchecked-facts`: 230 MB of JSON took 2.6 GB of memory)."""
    if result.type == "ASK" or not result.rows:
        yield (json.dumps({"head": {}, "boolean": bool(result.boolean)}, indent=1)
               if result.type == "ASK" else
               json.dumps({"head": {"vars": result.vars}, "results": {"bindings": []}},
                          indent=1, ensure_ascii=False))
        return
    # the document around the bindings, as json.dumps writes it with a stand-in binding
    frame = json.dumps({"head": {"vars": result.vars}, "results": {"bindings": [0]}},
                       indent=1, ensure_ascii=False)
    cut = frame.rindex("\n   0\n")
    yield frame[:cut + 1]
    chunk: list[str] = []
    # each binding as json.dumps(..., indent=1) writes it three levels in, written here
    # (its pure-Python indenting encoder took most of the 80 s at 100k), strings by
    # json's own encoder
    names = [f"    {encode_basestring(v)}: {{\n" for v in result.vars]
    for i, row in enumerate(result.rows):
        cells = [name + ",\n".join(f"     {encode_basestring(k)}: {encode_basestring(x)}"
                                   for k, x in term_json(t).items()) + "\n    }"
                 for name, t in zip(names, row, strict=True) if t is not None]
        chunk.append(("   " if i == 0 else ",\n   ")
                     + ("{\n" + ",\n".join(cells) + "\n   }" if cells else "{}"))
        if len(chunk) == rows_per_chunk:
            yield "".join(chunk)
            chunk.clear()
    yield "".join(chunk) + frame[cut + len("\n   0"):]


def xml_text(text: str) -> str:
    """Text as XML character data that any parser reads back exactly: markup escaped, and
    tabs, line breaks and carriage returns (which XML parsers normalise or trim) and a
    leading or trailing space written as character references."""
    out = (escape(text).replace("\t", "&#9;").replace("\n", "&#10;")
           .replace("\r", "&#13;"))
    if out.startswith(" "):
        out = "&#32;" + out[1:]
    if out.endswith(" "):
        out = out[:-1] + "&#32;"
    return out


def to_xml(result: QueryResult) -> str:
    """The SPARQL Query Results XML Format."""
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.type == "ASK":
        out += ["<head/>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>",
                "</sparql>"]
        return "\n".join(out) + "\n"
    out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.vars)
               + "</head>")
    out.append("<results>")
    for row in result.dicts():
        cells = []
        for v, t in row.items():
            if isinstance(t, URIRef):
                inner = f"<uri>{escape(str(t))}</uri>"
            elif isinstance(t, BNode):
                inner = f"<bnode>{escape(str(t))}</bnode>"
            elif t.language:
                inner = f"<literal xml:lang={quoteattr(t.language)}>{xml_text(str(t))}</literal>"
            elif t.datatype and str(t.datatype) != XSD_STRING:
                inner = f"<literal datatype={quoteattr(str(t.datatype))}>{xml_text(str(t))}</literal>"
            else:
                inner = f"<literal>{xml_text(str(t))}</literal>"
            cells.append(f"<binding name={quoteattr(v)}>{inner}</binding>")
        out.append("<result>" + "".join(cells) + "</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV: plain values, CRLF line ends. ASK gives one `boolean` column."""
    return "".join(csv_chunks(result))


def csv_chunks(result: QueryResult, rows_per_chunk: int = 1000) -> Iterator[str]:
    """to_csv(result) in pieces, a chunk of rows at a time (json_chunks' reason)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    if result.type == "ASK":
        w.writerows([["boolean"], ["true" if result.boolean else "false"]])
        yield buf.getvalue()
        return
    w.writerow(result.vars)
    text: dict[int, str] = {id(None): ""}  # a result shares its term objects: each once

    def cell(t: Node | None) -> str:
        key = id(t)
        out = text.get(key)
        if out is None:
            out = text[key] = f"_:{t}" if isinstance(t, BNode) else str(t)
        return out

    rows = result.rows
    for start in range(0, len(rows), rows_per_chunk):
        w.writerows([[cell(t) for t in row] for row in rows[start:start + rows_per_chunk]])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()


def tsv_term(t: Node | None) -> str:
    """A term as SPARQL 1.1 TSV writes it: Turtle syntax on one line, a string's tab,
    line feed and carriage return escaped (\\t, \\n, \\r); unbound is empty."""
    if t is None:
        return ""
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, BNode):
        return f"_:{t}"
    text = (str(t).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))
    if t.language:
        return f'"{text}"@{t.language}'
    if t.datatype and str(t.datatype) != XSD_STRING:
        return f'"{text}"^^<{t.datatype}>'
    return f'"{text}"'


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: `?var` headers, then one line per row, terms in Turtle syntax
    (`tsv_term`), so a literal holding a tab or a line break stays on its row."""
    return "".join(tsv_chunks(result))


def tsv_chunks(result: QueryResult, rows_per_chunk: int = 1000) -> Iterator[str]:
    """to_tsv(result) in pieces, a chunk of rows at a time (json_chunks' reason)."""
    if result.type == "ASK":
        yield "?boolean\n" + ("true" if result.boolean else "false") + "\n"
        return
    yield "\t".join(f"?{v}" for v in result.vars) + "\n"
    rows = result.rows
    for start in range(0, len(rows), rows_per_chunk):
        yield "".join("\t".join(tsv_term(t) for t in row) + "\n"
                      for row in rows[start:start + rows_per_chunk])


# -- for people ----------------------------------------------------------------------
def display_width(s: str) -> int:
    """Terminal columns of `s`: 2 for each wide or full-width character, else 1."""
    if s.isascii():  # most cells: one column a character, no per-character lookup
        return len(s)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def clip(s: str, width: int) -> str:
    """`s` cut to `width` columns, ending in an ellipsis where it was cut."""
    if s.isascii():
        return s if len(s) <= width else s[:max(width - 1, 0)] + "…"
    if display_width(s) <= width:
        return s
    out, w = [], 0
    for c in s:
        cw = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if w + cw > width - 1:
            break
        out.append(c)
        w += cw
    return "".join(out) + "…"


def joined_iris(t: Node | None) -> list[URIRef]:
    """The IRIs of a plain literal that is nothing but IRIs separated by spaces (a
    GROUP_CONCAT of IRIs, such as the policies query's ?targets), else []."""
    if not isinstance(t, Literal) or t.language or \
            (t.datatype is not None and str(t.datatype) != XSD_STRING):
        return []
    parts = str(t).split()
    if parts and all(re.fullmatch(r"https?://[^\s<>\"{}|^`\\]+", p) for p in parts):
        return [URIRef(p) for p in parts]
    return []


class Labeller:
    """Turns terms into short readable text: an entity's label, else a CURIE; a cell
    of IRIs joined by spaces, each so, joined by commas ("Huawei, NVIDIA H200")."""

    def __init__(self, store: Store | None, prefixes: dict[str, str], extra: dict[str, str]):
        self.store, self.extra = store, extra
        self.prefixes = by_longest_namespace(prefixes)
        self.labels: dict[URIRef, str] = {}

    def prepare(self, terms) -> None:
        iris = set()
        for t in terms:
            iris.update([t] if isinstance(t, URIRef) else joined_iris(t))
        iris -= set(self.labels)
        if iris and self.store is not None:
            try:
                self.labels.update(self.store.labels(iris))
            except Exception:  # noqa: BLE001 - labels are a nicety; CURIEs still read well
                pass

    def curie(self, iri: str) -> str:
        return shorten(iri, self.prefixes)

    def text(self, t: Node | None) -> str:
        if t is None:
            return ""
        if isinstance(t, URIRef):
            return self.labels.get(t) or self.extra.get(str(t)) or self.curie(str(t))
        if isinstance(t, BNode):
            return f"_:{t}"
        joined = joined_iris(t)
        if joined:
            return ", ".join(self.text(i) for i in joined)
        s = " ".join(str(t).split())
        if isinstance(t, Literal) and t.datatype and str(t.datatype) in NUMERIC:
            try:
                n = float(s)
                if n.is_integer() and abs(n) >= 10000:
                    return f"{int(n):,}"
            except ValueError:
                pass
        return s


def _cells(result: QueryResult, labeller: Labeller) -> list[list[str]]:
    labeller.prepare(t for row in result.rows for t in row)
    return [[labeller.text(t) for t in row] for row in result.rows]


def to_table(result: QueryResult, labeller: Labeller, width: int | None = 100) -> str:
    """An aligned text table no wider than `width`, long cells cut with an ellipsis (and
    none over MAX_CELL); width None: every cell whole (`kg query` writing to a file or a
    pipe, where a cut cell would be lost)."""
    if result.type == "ASK":
        return "true" if result.boolean else "false"
    rows = _cells(result, labeller)
    heads = list(result.vars)
    if not heads:
        return "(no columns)"
    widths = [min(MAX_CELL if width is not None else sys.maxsize,
                  max([display_width(h)] + [display_width(r[i]) for r in rows]))
              for i, h in enumerate(heads)]
    gap = 2
    floor = 6
    while width is not None and sum(widths) + gap * (len(widths) - 1) > width \
            and max(widths) > floor:
        widest = widths.index(max(widths))
        widths[widest] -= 1

    def line(cells: list[str]) -> str:
        parts = []
        for c, w in zip(cells, widths, strict=True):
            c = clip(c, w)
            parts.append(c + " " * (w - display_width(c)))
        return (" " * gap).join(parts).rstrip()

    out = [line(heads), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def to_markdown(result: QueryResult, labeller: Labeller) -> str:
    if result.type == "ASK":
        return "true" if result.boolean else "false"
    rows = _cells(result, labeller)

    out = ["| " + " | ".join(result.vars) + " |", "|" + "---|" * len(result.vars)]
    out += ["| " + " | ".join(table_cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def graph_text(result: QueryResult, rdf_format: str = "turtle") -> str:
    """A CONSTRUCT or DESCRIBE result as RDF text (turtle, nt, xml, jsonld), from the one
    serialiser (kg.sparql.rdftext), with the project's prefixes. Raises ValueError for an
    unknown format."""
    from kg.sparql.rdftext import project_prefixes, serialize_triples

    return serialize_triples(result.graph, rdf_format, project_prefixes()).decode("utf-8")


def default_labeller(store: Store | None) -> Labeller:
    """Labels from the store, names of reused properties from the schema, CURIEs else."""
    from kg.core.schema import load_schema

    schema = load_schema()
    extra: dict[str, str] = {}
    for kind in schema.kinds.values():
        for f in kind.fields.values():
            if f.curie and not f.curie.startswith("kgo:"):
                extra.setdefault(schema.expand(f.curie), f.label)
    return Labeller(store, schema.namespaces, extra)


def render_chunks(result: QueryResult, fmt: str) -> Iterator[str] | None:
    """render's text in pieces for the formats written as the rows come (json, csv, tsv
    of a SELECT or ASK result), else None."""
    if result.graph is not None:
        return None
    return {"json": json_chunks, "csv": csv_chunks, "tsv": tsv_chunks}.get(
        fmt, lambda result: None)(result)


def render(result: QueryResult, fmt: str, store: Store | None = None,
           width: int | None = 100, rdf_format: str = "turtle") -> str:
    """One entry point for `kg query`: any result in any of FORMATS."""
    if result.graph is not None:
        return graph_text(result, rdf_format)
    if fmt == "json":
        return to_json(result)
    if fmt == "csv":
        return to_csv(result)
    if fmt == "tsv":
        return to_tsv(result)
    if fmt == "md":
        return to_markdown(result, default_labeller(store))
    if fmt == "table":
        return to_table(result, default_labeller(store), width)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
