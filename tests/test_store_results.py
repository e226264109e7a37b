"""Oxigraph's solutions as rdflib terms: read through its TSV writer (the fast path) they
are the same terms, cell for cell, as read one solution at a time (the path a row
limit takes), whatever the literal holds."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.sparql.store import OxigraphStore, QueryError, ResultTooLarge, _Terms

X = "http://www.w3.org/2001/XMLSchema#"
ODD_TEXT = 'a\tb\nc\rd"e\\f\x00g\x01h\x7fi\u2028j\x0bk\x1cl é 中 \\u0041 \\t'
OBJECTS = [
    ox.Literal(ODD_TEXT),
    ox.Literal(""),
    ox.Literal("hi", language="en-GB"),
    ox.Literal("5", datatype=ox.NamedNode(X + "integer")),
    ox.Literal("+05", datatype=ox.NamedNode(X + "integer")),
    ox.Literal("-7", datatype=ox.NamedNode(X + "int")),
    ox.Literal("1.50", datatype=ox.NamedNode(X + "decimal")),
    ox.Literal("1", datatype=ox.NamedNode(X + "decimal")),
    ox.Literal(".5", datatype=ox.NamedNode(X + "decimal")),
    ox.Literal("1e3", datatype=ox.NamedNode(X + "double")),
    ox.Literal("INF", datatype=ox.NamedNode(X + "double")),
    ox.Literal("2.5", datatype=ox.NamedNode(X + "float")),
    ox.Literal("true", datatype=ox.NamedNode(X + "boolean")),
    ox.Literal("0", datatype=ox.NamedNode(X + "boolean")),
    ox.Literal("abc", datatype=ox.NamedNode(X + "integer")),
    ox.Literal(" 5", datatype=ox.NamedNode(X + "integer")),
    ox.Literal("2025-12", datatype=ox.NamedNode(X + "gYearMonth")),
    ox.Literal("2025-12-08", datatype=ox.NamedNode(X + "date")),
    ox.Literal("x", datatype=ox.NamedNode("https://example.org/type#\u00e9")),
    ox.BlankNode("b0"),
    ox.NamedNode("https://example.org/a\u00e9b?q=1#f"),
]


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    s = OxigraphStore()
    for i, o in enumerate(OBJECTS):
        s.ox.add(ox.Quad(ox.NamedNode(f"https://example.org/s{i:02}"),
                         ox.NamedNode("https://example.org/p"), o,
                         ox.NamedNode("https://w3id.org/ai-race-kg/file/t")))
    return s


def shape(t):
    """A term with everything that tells it apart: class, text, datatype, language."""
    return None if t is None else (type(t).__name__, str(t), getattr(t, "datatype", None),
                                   getattr(t, "language", None))


QUERY = "SELECT ?s ?o ?unbound WHERE { ?s ?p ?o } ORDER BY ?s"


def test_the_tsv_path_gives_the_terms_of_the_one_at_a_time_path(store):
    fast = store.query(QUERY)
    one_by_one = store.query(QUERY, max_rows=1000)  # a limit reads solution by solution
    convert = _Terms().__getitem__
    raw = [tuple(map(convert, sol))
           for sol in store.ox.query(QUERY, use_default_graph_as_union=True)]
    assert len(fast.rows) == len(OBJECTS)
    assert [tuple(map(shape, r)) for r in fast.rows] == [tuple(map(shape, r)) for r in raw]
    assert [tuple(map(shape, r)) for r in one_by_one.rows] == [tuple(map(shape, r)) for r in raw]


def test_the_values_are_the_ones_stored(store):
    got = {str(r[0])[-2:]: r[1] for r in store.query(QUERY).rows}
    assert got["00"] == Literal(ODD_TEXT) and str(got["00"]) == ODD_TEXT
    assert got["02"] == Literal("hi", lang="en-gb")  # Oxigraph keeps tags lower-cased
    assert got["04"] == Literal("5", datatype=XSD.integer)  # and numbers canonical
    assert got["05"] == Literal("-7", datatype=XSD.integer)
    assert got["06"] == Literal("1.5", datatype=XSD.decimal)
    assert got["07"] == Literal("1", datatype=XSD.decimal)
    assert got["09"] == Literal("1000", datatype=XSD.double)
    assert got["13"] == Literal("false", datatype=XSD.boolean)
    assert got["14"] == Literal("abc", datatype=XSD.integer)
    assert got["19"] == BNode("b0")
    assert got["20"] == URIRef("https://example.org/a\u00e9b?q=1#f")
    assert all(r[2] is None for r in store.query(QUERY).rows)


def test_no_rows_and_no_columns(store):
    empty = store.query("SELECT ?s WHERE { ?s <https://example.org/none> ?o }")
    assert empty.vars == ["s"] and empty.rows == []
    nothing = store.query("SELECT * WHERE { }")
    assert nothing.vars == [] and nothing.rows == [()]


def test_a_row_limit_still_stops_the_query(store):
    with pytest.raises(ResultTooLarge, match="more than 3 rows"):
        store.query(QUERY, max_rows=3)


def test_a_triple_term_is_refused_by_name():
    from kg.sparql.store import _from_tsv

    with pytest.raises(QueryError, match="unsupported term in a result: << <a> <b> <c> >>"):
        _from_tsv("<< <a> <b> <c> >>")


def _slow_width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


@pytest.mark.parametrize("text", ["", "a", "kgid:huawei", "x" * 70, "a\tb", "华为", "华为 Ascend 910C",
                                  "é" * 10, "ＡＢＣ"])
def test_table_cells_are_measured_and_cut_as_by_the_character_rule(text):
    from kg.sparql.results import clip, display_width

    assert display_width(text) == _slow_width(text)
    for width in range(0, 75):
        cut = clip(text, width)
        if _slow_width(text) <= width:
            assert cut == text
        else:  # the longest prefix that leaves a column for the ellipsis
            assert cut.endswith("…") and text.startswith(cut[:-1])
            assert _slow_width(cut[:-1]) <= max(width - 1, 0)
            assert len(cut) - 1 == len(text) or _slow_width(text[:len(cut)]) > max(width - 1, 0)
