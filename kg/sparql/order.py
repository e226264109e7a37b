"""A query's closing `ORDER BY ?a ?b ...`, applied in Python instead of by Oxigraph.

Oxigraph sorts by looking each IRI's text up again at every comparison: ordering the
76,500 rows of `blocs` at 100k entities costs it about a second, more than finding
them. Python sorts the same rows by keys made once per distinct term, in tens of
milliseconds. The order must be Oxigraph's to the row, so Python only sorts where
SPARQL's order (and Oxigraph's) is certain:

- the query selects plain variables, and its last clause orders by exactly those
  (no `DESC`, no expression, no LIMIT or OFFSET after it; ties among different rows
  would be left to the engine, whose sort is not stable): `split_order_by`;
- every comparison that decides the order of two neighbouring rows is between
  unbound (lowest), IRIs (by their text, below every literal), or two literals of one
  family: strings without a language (by text), integers and decimals (by value),
  `xsd:date`s without a time zone (by value), booleans; rows that tie on every key
  are the same row: `sparql_sorted`.

Anything else (a blank node, a language tag, a double, a date beside a gYearMonth, two
different rows that tie) makes `sparql_sorted` return None, and the store runs the
query with its ORDER BY as written.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef
from rdflib.term import Node

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMBERS = {XSD + "integer", XSD + "decimal"}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TAIL = re.compile(r"ORDER\s+BY((?:\s+\?[A-Za-z_][A-Za-z_0-9]*)+)\s*", re.I)
PROJECTION = re.compile(r"((?:\s+\?[A-Za-z_][A-Za-z_0-9]*)+)\s*(?:WHERE\s*)?", re.I)
UNSURE = 9  # the kind of a term whose place in SPARQL's order is not certain here


def split_order_by(text: str) -> tuple[str, list[str]] | None:
    """(the query without its closing ORDER BY, the variables it orders by) when the
    query selects plain variables (`SELECT [DISTINCT] ?a ?b ... WHERE`) and ends in
    `ORDER BY` the same variables, outside comments and strings; else None."""
    from kg.sparql.store import keywords

    words = list(keywords(text))
    select = next((i for i, (w, _) in enumerate(words) if w == "SELECT"), None)
    last = max((at for w, at in words if w == "ORDER"), default=None)
    if select is None or last is None:
        return None
    start = words[select][1] + len("SELECT")
    if select + 1 < len(words) and words[select + 1][0] in ("DISTINCT", "REDUCED"):
        start = words[select + 1][1] + len(words[select + 1][0])
    end = text.find("{", start)
    where = PROJECTION.fullmatch(text, start, end if end >= 0 else len(text))
    m = TAIL.fullmatch(text, last)
    if where is None or m is None:
        return None
    ordered = [v[1:] for v in m[1].split()]
    if sorted(ordered) != sorted(v[1:] for v in where[1].split()):
        return None
    return text[:last], ordered


def order_key(t: Node | None) -> tuple:
    """(kind, family, value): unbound 0, IRI 2, literal 3, anything uncertain UNSURE."""
    if t is None:
        return (0, "", "")
    if type(t) is URIRef:
        return (2, "", str(t))
    if isinstance(t, Literal) and not t.language:
        dt = str(t.datatype) if t.datatype is not None else None
        text = str(t)
        if dt is None or dt == XSD + "string":
            return (3, "string", text)
        if dt in NUMBERS:
            try:
                return (3, "number", Decimal(text))
            except InvalidOperation:
                pass
        elif dt == XSD + "date" and DATE.fullmatch(text):
            return (3, "date", text)
        elif dt == XSD + "boolean" and text in ("true", "false"):
            return (3, "boolean", text == "true")
    return (UNSURE, "", str(t))


def sparql_sorted(rows: list[tuple], columns: list[int]) -> list[tuple] | None:
    """`rows` in SPARQL's ascending order of the given columns, or None where this
    module cannot be sure of that order (see the module's text). Terms that are equal
    must be the same object (as the stores' converters give them)."""
    keyed = []
    for i in columns:
        cache: dict[int, tuple] = {}
        col = []
        for row in rows:
            t = row[i]
            k = cache.get(id(t))
            if k is None:
                k = cache[id(t)] = order_key(t)
            col.append(k)
        keyed.append(col)
    keys = list(zip(*keyed, strict=True)) if keyed else [()] * len(rows)
    order = sorted(range(len(rows)), key=keys.__getitem__)
    for a, b in zip(order, order[1:], strict=False):
        ka, kb = keys[a], keys[b]
        if ka == kb:
            if any(x is not y for x, y in zip(rows[a], rows[b], strict=True)):
                return None  # two rows the clause does not order: the engine's choice
            continue
        j = next(j for j in range(len(ka)) if ka[j] != kb[j])
        if UNSURE in (ka[j][0], kb[j][0]) or (ka[j][0] == 3 and kb[j][0] == 3
                                               and ka[j][1] != kb[j][1]):
            return None
    return [rows[i] for i in order]
