"""A query's closing `ORDER BY ?a ?b ...`, applied in Python instead of by Oxigraph.

Oxigraph sorts by looking each IRI's text up again at every comparison: ordering the
76,500 rows of `blocs` at 100k entities costs it about a second, more than finding
them. Python sorts the same rows by keys made once per distinct term, in tens of
milliseconds. The order must be Oxigraph's to the row, so Python only sorts where
SPARQL's order (and Oxigraph's) is certain:

- the query selects plain variables, and its last clause orders by every one of
  them, and perhaps by others it does not select (no `DESC`, no expression, no LIMIT
  or OFFSET after it; ties among different rows would be left to the engine, whose
  sort is not stable): `split_order_by`;
- every comparison that decides the order of two neighbouring rows is between
  unbound (lowest), IRIs (by their text, below every literal), or two literals of one
  family: strings without a language (by text), integers and decimals (by value),
  `xsd:date`s without a time zone (by value), booleans; rows that tie on every key
  are the same row: `sparql_sorted`.

Anything else (a blank node, a language tag, a double, a date beside a gYearMonth, two
different rows that tie) makes `sparql_sorted` return None. The store then has Oxigraph
sort the rows it already has (`values_query`: the rows as a VALUES block, in the order
the engine produced them, under the same ORDER BY, in an empty store), rather than
evaluate the query a second time, where that is cheaper (kg.sparql.store.VALUES_CELLS:
a query that took long to find few rows; sorting as VALUES costs several times more per
cell than Oxigraph's ORDER BY over the store). Given the same rows in the same order, Oxigraph's
sort gives the same answer as its ORDER BY over the query (its sort is not stable, but
it is deterministic), so that is the engine's own order, ties included. Two cases
cannot go that way (`values_query` returns None) and the store runs the query again
with its ORDER BY: a blank node (VALUES cannot hold one), and rows of a DISTINCT or
REDUCED query with two different terms that could rank equal: Oxigraph sorts before it
removes duplicates, and it ranks different terms of equal value (1 and 1.0) as a tie,
so their order there follows duplicates the distinct rows no longer have. Strings,
language-tagged strings, IRIs, booleans and canonical numbers of different values never
tie; a quoted typed literal (a double, a date, a datatype of its own) is not trusted.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from itertools import chain
from operator import ne
from typing import NamedTuple

from rdflib import Literal, URIRef
from rdflib.term import Node

XSD = "http://www.w3.org/2001/XMLSchema#"
# the numbers Python orders, each by its XSD lexical form: Oxigraph writes a valid one
# bare and canonical (5, 0.5) and keeps an ill-typed one ("1e5"^^xsd:integer, "NaN"^^
# xsd:decimal) as a literal of its own, which it does not order by value; Decimal reads
# both of those (the first as 100000, the second as a NaN no sort can compare)
NUMBERS = {XSD + "integer": re.compile(r"[+-]?[0-9]+"),  # (\d takes other scripts' digits)
           XSD + "decimal": re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")}
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TAIL = re.compile(r"ORDER\s+BY((?:\s+\?[A-Za-z_][A-Za-z_0-9]*)+)\s*", re.I)
PROJECTION = re.compile(r"((?:\s+\?[A-Za-z_][A-Za-z_0-9]*)+)\s*(?:WHERE\s*)?", re.I)
UNSURE = 9  # the kind of a term whose place in SPARQL's order is not certain here


class OrderBy(NamedTuple):
    """A query's closing ORDER BY, taken off: `split_order_by`'s answer."""

    body: str  # the query without it (selecting `hidden` too, after its own variables)
    variables: list[str]  # the variables it orders by, in order, without '?'
    distinct: bool  # SELECT DISTINCT or SELECT REDUCED
    # variables it orders by that the query does not select: the body selects them
    # last, and the store drops them once the rows are in order
    hidden: tuple[str, ...] = ()


def split_order_by(text: str) -> OrderBy | None:
    """(the query without its closing ORDER BY, the variables it orders by, whether it
    selects DISTINCT or REDUCED, the ones it orders by but does not select) when the
    query selects plain variables (`SELECT [DISTINCT] ?a ?b ... WHERE`) and ends in
    `ORDER BY` every one of them, outside comments and strings; else None.

    It may order by more variables than it selects (`timeline` selects ?date and
    orders by ?day first): the body then selects them too, after its own, so that the
    rows can be sorted by them. Not under DISTINCT or REDUCED (another column would
    keep rows the query drops as duplicates) nor with GROUP BY (a variable outside the
    groups cannot be selected). Rows that tie on the whole clause are then the same
    row of the query's own columns, whatever the hidden ones hold."""
    from kg.sparql.store import keywords

    words = list(keywords(text))
    select = next((i for i, (w, _) in enumerate(words) if w == "SELECT"), None)
    last = max((at for w, at in words if w == "ORDER"), default=None)
    if select is None or last is None:
        return None
    start = words[select][1] + len("SELECT")
    distinct = select + 1 < len(words) and words[select + 1][0] in ("DISTINCT", "REDUCED")
    if distinct:
        start = words[select + 1][1] + len(words[select + 1][0])
    end = text.find("{", start)
    where = PROJECTION.fullmatch(text, start, end if end >= 0 else len(text))
    m = TAIL.fullmatch(text, last)
    if where is None or m is None:
        return None
    ordered = [v[1:] for v in m[1].split()]
    selected = [v[1:] for v in where[1].split()]
    hidden = tuple(v for v in ordered if v not in selected)
    if len(set(ordered)) != len(ordered) or len(selected) != len(ordered) - len(hidden):
        return None  # a variable named twice, or a selected one left out of the order
    if not hidden:
        return OrderBy(text[:last], ordered, distinct)
    if distinct or any(w == "GROUP" for w, _ in words):
        return None
    end = where.end(1)
    return OrderBy(text[:end] + "".join(" ?" + v for v in hidden) + text[end:last],
                   ordered, distinct, hidden)


# Cells of a TSV result (no cell holds a tab or a newline: literals escape them)
_TYPED_CELL = re.compile(r'(?:^|\t)"[^\t\n]*>(?=\t|$)', re.M)  # "x"^^<t>
_NUMBER_CELL = re.compile(r"(?:^|(?<=\t))[-+.0-9][^\t\n]*", re.M)  # 1, -2.5 (canonical)
_EMPTY_CELL = re.compile(r"(?<![^\t\n])(?![^\t\n])")  # unbound


def values_query(lines: list[str], order: OrderBy) -> str | None:
    """A query that has Oxigraph sort the rows of a TSV result (`lines`: the header, then
    one line per row, as the engine produced them for `order.body`) under `order`'s
    ORDER BY, reading no data: `SELECT ?a ?b WHERE { VALUES (?a ?b) { ... } } ORDER BY
    ?b ?a`. None where its answer could differ from the query's own ORDER BY (see the
    module's text): a blank node, or in the rows of a DISTINCT query two different terms
    that could rank equal (`_may_tie`); and for no rows (nothing to sort)."""
    if len(lines) < 2:
        return None
    body = "\n".join(lines[1:])
    edged = f"\n{body}\n"  # (substring tests: C speed, where a regex costs ~1 µs a cell)
    if "\n_:" in edged or "\t_:" in edged or (order.distinct and _may_tie(body)):
        return None
    if "\t\t" in edged or "\n\t" in edged or "\t\n" in edged or "\n\n" in edged:
        body = _EMPTY_CELL.sub("UNDEF", body)
    names = lines[0].replace("\t", " ")
    return (f"SELECT {names} WHERE {{ VALUES ({names}) {{\n("
            + body.replace("\t", " ").replace("\n", ")\n(")
            + ")\n} } ORDER BY " + " ".join("?" + v for v in order.variables))


def _may_tie(body: str) -> bool:
    """Whether two different cells of these TSV rows could rank equal in Oxigraph's
    ORDER BY: a typed literal written quoted (a double, a date, an int, a number not in
    canonical form, a datatype of its own), or two canonical numbers of equal value (1
    and 1.0). IRIs, strings, language-tagged strings and booleans never do."""
    if _TYPED_CELL.search(body):
        return True
    numbers = set(_NUMBER_CELL.findall(body))
    try:
        return len({Decimal(n) for n in numbers}) < len(numbers)
    except InvalidOperation:  # not a number as Oxigraph writes one: not sure
        return True


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
            if NUMBERS[dt].fullmatch(text):  # else ill-typed: the engine's to order
                return (3, "number", Decimal(text))
        elif dt == XSD + "date" and DATE.fullmatch(text):
            return (3, "date", text)
        elif dt == XSD + "boolean" and text in ("true", "false"):
            return (3, "boolean", text == "true")
    return (UNSURE, "", str(t))


def sparql_sorted(rows: list[tuple], columns: list[int]) -> list[tuple] | None:
    """`rows` in SPARQL's ascending order of the given columns, or None where this
    module cannot be sure of that order (see the module's text). Terms that are equal
    must be the same object (as the stores' converters give them). Rows of one width;
    `sorted_order` does the work."""
    import numpy as np

    n = len(rows)
    if n < 2:
        return list(rows)
    flat = list(chain.from_iterable(rows))
    ids = list(map(id, flat))
    by_id = dict(zip(ids, flat, strict=True))  # each distinct term once
    at = dict(zip(by_id, range(len(by_id)), strict=True))
    index = np.fromiter(map(at.__getitem__, ids), dtype=np.int64, count=len(ids))
    order = sorted_order(index.reshape(n, -1), list(by_id.values()), columns)
    return None if order is None else list(map(rows.__getitem__, order.tolist()))


def sorted_order(index, terms: list, columns: list[int]):
    """The permutation (a numpy int array) that puts rows in SPARQL's ascending order
    of the given columns, or None where this module cannot be sure of that order (see
    the module's text). The rows are given as `index`, an (rows, width) int array whose
    cells are positions in `terms`, the distinct terms (rdflib terms, None unbound):
    two cells hold the same term exactly when they hold the same position.

    Each distinct term gets its `order_key` and a rank among them (equal keys, equal
    ranks) once; numpy sorts the rows by the ranks of the columns (a stable sort, as
    Python's sort of key tuples is: the same permutation) and checks every pair of
    neighbours at once: the column that decides a pair must compare two terms whose
    order is certain, and rows it leaves tied must be the same row. At 368k rows of 6
    columns, 0.36-0.40 CPU s where comparing key tuples in Python took 1.05-1.09 s."""
    import numpy as np

    n = index.shape[0]
    if n < 2:
        return np.arange(n)
    keys = list(map(order_key, terms))
    by_key = sorted(range(len(terms)), key=keys.__getitem__)
    ordered = list(map(keys.__getitem__, by_key))
    rank = np.empty(len(terms), dtype=np.int64)  # equal keys, equal ranks
    rank[by_key] = np.cumsum([False, *map(ne, ordered[1:], ordered[:-1])])
    family = np.fromiter(map(_family_code, keys), dtype=np.int8, count=len(keys))
    cells = index[:, columns].T  # (ordered columns, rows)
    ranks = rank[cells]
    order = np.lexsort(ranks[::-1])  # the first column is the primary key
    ranked = ranks[:, order]
    differ = ranked[:, 1:] != ranked[:, :-1]  # (columns, neighbour pairs)
    decided = differ.any(axis=0)
    first = differ.argmax(axis=0)  # the column that decides each pair
    pairs = np.arange(n - 1)
    kinds = family[cells[:, order]]
    a, b = kinds[first, pairs], kinds[first, pairs + 1]
    if (decided & ((a < 0) | (b < 0) | ((a >= 3) & (b >= 3) & (a != b)))).any():
        return None
    rows = index[order]
    if (~decided & (rows[1:] != rows[:-1]).any(axis=1)).any():
        return None  # two different rows the clause does not order: the engine's choice
    return order


_FAMILIES = {"string": 3, "number": 4, "date": 5, "boolean": 6}


def _family_code(key: tuple) -> int:
    """An `order_key`'s kind as one small int for numpy: unbound 0, IRI 2, a literal
    3-6 by family (two literals of different families have no certain order), an
    uncertain term -1."""
    if key[0] == UNSURE:
        return -1
    return _FAMILIES[key[1]] if key[0] == 3 else key[0]
