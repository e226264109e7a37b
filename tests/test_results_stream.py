"""`kg query --format json|csv|tsv` writes its answer a chunk of rows at a time (at 100k
entities `unchecked-facts --format json` built 230 MB of text in 2.6 GB of memory): the
same bytes as the whole text the formats were built as before, for every library query."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from rdflib import BNode, Literal, URIRef
from sparql_support import oxigraph_store

from kg.cli import main
from kg.sparql.queries import library, run_query
from kg.sparql.results import csv_chunks, json_chunks, term_json, tsv_chunks, tsv_term
from kg.sparql.store import QueryResult


def whole(result: QueryResult, fmt: str) -> str:
    """The text as the writers built it whole before (kg.sparql.results at main)."""
    if fmt == "json":
        return json.dumps({"head": {"vars": result.vars},
                           "results": {"bindings": [{v: term_json(t) for v, t in row.items()}
                                                    for row in result.dicts()]}},
                          indent=1, ensure_ascii=False)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(result.vars)
        w.writerows([["" if t is None else f"_:{t}" if isinstance(t, BNode) else str(t)
                      for t in row] for row in result.rows])
        return buf.getvalue()
    lines = ["\t".join(f"?{v}" for v in result.vars)]
    lines += ["\t".join(tsv_term(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


CHUNKS = {"json": json_chunks, "csv": csv_chunks, "tsv": tsv_chunks}


@pytest.mark.parametrize("query", library(), ids=lambda q: q.name)
def test_every_library_answer_in_chunks_is_the_whole_text(query):
    result = run_query(oxigraph_store(), query)
    for fmt, chunks in CHUNKS.items():
        expected = whole(result, fmt)
        for size in (1, 2, 1000):  # chunk boundaries anywhere
            assert "".join(chunks(result, rows_per_chunk=size)) == expected, (fmt, size)


def test_no_rows_and_rows_ending_in_empty_cells_are_written_as_before(tmp_path):
    one = URIRef("https://e/a")
    odd = [(Literal('a"b\\c\t\u2028\x01华为😀', lang="zh"),), (Literal("1", datatype=one),),
           (BNode("b0"),)]
    for rows in ([], [(one,), (None,)], [(None,), (None,)], [(Literal("x\ny"),), (None,)], odd):
        result = QueryResult(type="SELECT", engine="oxigraph", vars=["v"], rows=rows)
        for fmt, chunks in CHUNKS.items():
            assert "".join(chunks(result, rows_per_chunk=1)) == whole(result, fmt), (fmt, rows)


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv"])
def test_kg_query_prints_the_same_bytes_as_the_whole_text(fmt):
    """Through the CLI: the whole text less its final line ends, and one line end (what
    click.echo(text.rstrip("\\n")) printed)."""
    name = "unchecked-facts"  # (many rows)
    [query] = [q for q in library() if q.name == name]
    result = run_query(oxigraph_store(), query)
    assert len(result.rows) > 50
    printed = CliRunner().invoke(main, ["query", name, "--format", fmt])
    assert printed.exit_code == 0, printed.output
    # (stdout_bytes: Result.stdout turns CSV's CRLF into LF)
    assert printed.stdout_bytes.decode() == whole(result, fmt).rstrip("\n") + "\n"
