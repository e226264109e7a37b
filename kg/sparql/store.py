"""Where SPARQL queries run: an embedded Oxigraph store (the default), rdflib's own
engine (the cross-check), or a remote SPARQL 1.1 endpoint, behind one small interface.

Every query passes `check_query` first: it is parsed (rdflib's SPARQL parser), and
refused if it could make this process call out (`SERVICE`, or `FROM`/`FROM NAMED`
naming anything but one of the dataset's own graphs) or if it is an update. The check
walks the parse tree, so a `SERVICE` hidden in a comment or a string is no trigger and
one nested deep in a `FILTER EXISTS` is still found.

Results come back as a `QueryResult` holding rdflib terms, whichever engine ran, and
say which engine that was (`engine`): oxrdflib silently falls back to rdflib's slow
engine for prepared queries or `initBindings` (TOOLING-NOTES.md), so this module talks
to pyoxigraph directly, with query strings only.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDFS
from rdflib.term import Node

from kg.core.errors import KGError
from kg.rdf.quads import XSD_STRING, term_from_nt
from kg.sparql.order import OrderBy, sorted_order, split_order_by, values_query
from kg.sparql.rdftext import ox_ntriples, to_ox

KGFILE = "https://w3id.org/ai-race-kg/file/"
STORES = ("oxigraph", "rdflib")
USER_AGENT = "ai-race-kg (kg query)"


class QueryError(KGError):
    """A query that cannot run: bad syntax (with line and column), refused, or failed."""

    def __init__(self, message: str, line: int = 0, column: int = 0, detail: str = ""):
        super().__init__(message)
        self.line, self.column, self.detail = line, column, detail

    def shifted(self, lines: int) -> QueryError:
        """The same syntax error for a text that had `lines` lines prepended."""
        if not self.line or not lines:
            return self
        return syntax_error(self.line - lines, self.column, self.detail)


def syntax_error(line: int, column: int, detail: str, text: str | None = None) -> QueryError:
    """The error for a syntax error at a line and column; given the query's `text`, made
    plainer (kg.sparql.syntax.explain: "did you mean LIMIT?", what may stand there)."""
    if text is not None:
        from kg.sparql.syntax import explain

        line, column, detail = explain(text, line, column, detail)
    return QueryError(f"syntax error at line {line}, column {column}: {detail}", line, column,
                      detail)


class QueryRefused(QueryError):
    """A query this process will not run (SERVICE, FROM an outside graph, an update)."""


class QueryTimeout(QueryError):
    """A query stopped at the time limit."""


class ResultTooLarge(QueryError):
    """A result with more rows than the limit allows."""


# -- checking ----------------------------------------------------------------------
@dataclass(frozen=True)
class CheckedQuery:
    text: str
    type: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    # the query names its dataset (FROM, FROM NAMED): then that is its default graph,
    # not the union of every graph
    dataset: bool = False


_QUERY_TYPES = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
                "DescribeQuery": "DESCRIBE"}
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE",
                          "COPY", "WITH"})

# SPARQL tokens, enough to find the query form and a FROM clause: comments, strings,
# IRIs, variables and prefixed names are skipped whole, so a keyword inside them is no
# keyword. (A `<` used as an operator may read as an IRI here; that only hides text
# from the FROM scan, which is a policy check: see check_query.)
TOKEN_TERMS = r"""(?P<comment>\#[^\n]*)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                  |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$]\w+)
      | (?P<pname>(?:[^\W\d][\w.-]*)?:[\w.:%\\-]*)"""  # (kg.sparql.syntax reads more kinds)
TOKEN = re.compile(TOKEN_TERMS + r"""
      | (?P<word>[A-Za-z_][\w-]*)
      | (?P<brace>\{)""", re.VERBOSE | re.DOTALL)


def keywords(text: str) -> Iterable[tuple[str, int]]:
    """The bare words of a query (upper-cased) with their offsets: what is left once
    comments, strings, IRIs, variables and prefixed names are skipped."""
    for m in TOKEN.finditer(text):
        if m.lastgroup == "word":
            yield m.group().upper(), m.start()


def _walk(node) -> Iterable:
    """Every CompValue in an rdflib parse tree, depth first."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, CompValue):
            yield n
            stack.extend(n.values())
        elif isinstance(n, (list, tuple)) or type(n).__name__ == "ParseResults":
            stack.extend(list(n))
        elif isinstance(n, dict):
            stack.extend(n.values())


ESCAPE = re.compile(r"\\[uU]")
CALLING_WORDS = ("SERVICE", "FROM")  # what quick_form leaves to the full check


def quick_form(text: str) -> str | None:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE) when a cheap scan can vouch that
    the query needs no closer look, else None.

    None when a bare word or a prefixed name of the text starts with SERVICE or FROM
    (in any case; `service` inside a comment, a string, an IRI or a variable is no
    keyword, nor is `ex:service`; `service:x` is looked at closely, since a parser could
    read it as SERVICE :x), an update keyword is its form, it has no form at all, or it
    holds a `\\u`/`\\U` escape anywhere (SPARQL lets one spell a keyword with those).
    """
    if ESCAPE.search(text):
        return None
    form = None
    for m in TOKEN.finditer(text):
        if m.lastgroup not in ("word", "pname"):
            continue
        word = m.group().upper()
        if word.startswith(CALLING_WORDS):
            return None
        if m.lastgroup == "word" and form is None and (word in QUERY_FORMS
                                                        or word in UPDATE_WORDS):
            if word in UPDATE_WORDS:
                return None
            form = word
    return form


def check_query(text: str) -> CheckedQuery:
    """Refuse what could call out or write; the query's form (SELECT, ASK, CONSTRUCT,
    DESCRIBE). Raises QueryRefused (SERVICE, FROM an outside graph, an update) or
    QueryError (empty, or a syntax error with line and column).

    Most queries take the cheap path (`quick_form`), which imports no parser: no SERVICE
    or FROM keyword outside comments, strings, IRIs and names, no `\\u` escape, a query
    form first. That is sound: a SERVICE call needs the keyword, and an update is no
    query to the engines' query functions (Oxigraph and rdflib refuse to run one there);
    syntax is then checked by the engine that runs it.
    Anything else is parsed with rdflib's parser and its tree is walked, so a SERVICE
    in a comment or a string is no trigger and one deep in a FILTER EXISTS is found.
    """
    if not text or not text.strip():
        raise QueryError("empty query")
    form = quick_form(text)
    if form:
        return CheckedQuery(text, form)
    return parse_check(text)


def parse_check(text: str) -> CheckedQuery:
    """The full check of `check_query`, on rdflib's parse tree."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except ParseException as exc:
        if _is_update(text):
            raise QueryRefused("SPARQL Update is refused: this store is read-only") from None
        raise syntax_message(text, exc) from None
    except Exception as exc:  # rdflib raises a few other types on odd input
        raise QueryError(f"syntax error: {exc}") from None
    qtype = _QUERY_TYPES.get(getattr(tree[1], "name", ""), "")
    if not qtype:
        raise QueryRefused("only SELECT, ASK, CONSTRUCT and DESCRIBE queries are accepted "
                           "(this store is read-only)")
    from rdflib.plugins.sparql.algebra import translatePrologue

    prologue = translatePrologue(tree[0], None)

    def name(term) -> str:  # an IRI as written (<...>, prefix:name, relative to BASE) or ?var
        try:
            return str(prologue.absolutize(term))
        except Exception:  # an undeclared prefix: the engine reports it
            return str(term)

    dataset = False
    for node in _walk(tree):
        if node.name == "ServiceGraphPattern":
            term = dict.get(node, "term", "")
            shown = f"?{term}" if isinstance(term, Variable) else f"<{name(term)}>"
            raise QueryRefused(f"SERVICE {shown} is refused: queries may not make "
                               "this process call other addresses")
        if node.name == "DatasetClause":
            key = "default" if "default" in node else "named"
            iri = name(dict.get(node, key, ""))
            if not iri.startswith(KGFILE):
                raise QueryRefused(
                    f"FROM {'NAMED ' if key == 'named' else ''}<{iri}> is refused: FROM and FROM NAMED may only name the dataset's "
                    f"own graphs (<{KGFILE}...>); queries may not load other addresses")
            dataset = True
    return CheckedQuery(text, qtype, dataset)


def engine_syntax_error(text: str, message: str) -> QueryError:
    """The error for a query an engine would not parse (it passed the cheap check):
    QueryRefused for an update, else a syntax error with line and column."""
    try:
        parse_check(text)
    except QueryError as exc:
        return exc
    undeclared = _undeclared_prefixes(text)
    if undeclared:
        return QueryError("syntax error: " + "; ".join(
            f"prefix '{p}:' is not declared (in {n}): add PREFIX {p}: <namespace IRI> "
            "before the query" for p, n in undeclared))
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if m:
        return syntax_error(int(m[1]), int(m[2]), m[3], text)
    return QueryError(f"syntax error: {message}")


def _undeclared_prefixes(text: str) -> list[tuple[str, str]]:
    """The prefixes a query uses in prefixed names (`foo:x`) without declaring them, each
    once with its first such name, in the order they first appear in the text; [] when
    rdflib cannot parse the query. Oxigraph's error for them names no prefix ("expected
    OPTIONAL" for one in a subject)."""
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except Exception:  # the caller gives the engine's own error
        return []
    def part(node, key: str) -> str:  # CompValue.get answers a missing key with its name
        return str(dict.get(node, key) or "")

    declared = {part(n, "prefix") for n in _walk(tree[0]) if n.name == "PrefixDecl"}
    used: dict[str, str] = {}
    for n in _walk(tree[1:]):
        if n.name == "pname" and part(n, "prefix") not in declared:
            prefix = part(n, "prefix")
            used.setdefault(prefix, f"{prefix}:{part(n, 'localname')}")
    return sorted(used.items(), key=lambda kv: (text.find(kv[1]) % (len(text) + 1), kv[0]))


def _is_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:  # noqa: BLE001 - not an update either
        return False
    return True


def syntax_message(text: str, exc) -> QueryError:
    """The clearest parser message available, with line and column.

    rdflib's parser (pyparsing) reports where its last alternative failed, which can be
    a token early; Oxigraph's parser names the exact spot and what it expected. Ask
    Oxigraph for its message when the text holds no `service` at all (so nothing can
    call out), on an empty store, without reading any result.
    """
    if "service" in text.lower():
        return syntax_error(exc.lineno, exc.col, exc.msg)
    fallback = syntax_error(exc.lineno, exc.col, exc.msg, text)
    try:
        import pyoxigraph

        pyoxigraph.Store().query(text)
    except SyntaxError as ox:
        m = re.match(r"error at (\d+):(\d+): (.*)", str(ox), re.S)
        if m:
            return syntax_error(int(m[1]), int(m[2]), m[3], text)
    except Exception:  # noqa: BLE001 - only a better message was at stake
        pass
    return fallback


# -- results -----------------------------------------------------------------------
@dataclass
class QueryResult:
    """What a query returned, as rdflib terms, whichever engine ran it."""

    type: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    engine: str  # the engine that really ran: oxigraph | rdflib | remote
    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def dicts(self) -> list[dict[str, Node]]:
        return [{v: t for v, t in zip(self.vars, row, strict=True) if t is not None} for row in self.rows]

    def __len__(self) -> int:
        if self.graph is not None:
            return len(self.graph)
        return len(self.rows)


def _limit_rows(rows: Iterable, max_rows: int | None, what: str = "rows") -> list:
    """rows as a list; ResultTooLarge past max_rows (None: no limit). what: "rows", or
    "triples" for a CONSTRUCT or DESCRIBE result (a researcher read "rows" there)."""
    out = []
    for row in rows:
        out.append(row)
        if max_rows is not None and len(out) > max_rows:
            raise ResultTooLarge(f"the result has more than {max_rows} {what}; add a LIMIT "
                                 "or narrow the query")
    return out


# -- stores ------------------------------------------------------------------------
def existing_graph_file(path: Path | str) -> Path:
    """The path of a built graph file, or a QueryError saying it is missing."""
    path = Path(path)
    if not path.is_file():
        raise QueryError(f"{path}: no such file (run `kg build` first?)")
    return path


def read_dataset(path: Path | str) -> Dataset:
    """A built graph file (.trig, .nq, .ttl, .nt, .jsonld) as an rdflib Dataset."""
    path = existing_graph_file(path)
    ds = Dataset()
    try:
        ds.parse(str(path))
    except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise many types
        raise QueryError(f"{path}: cannot load the graph: {type(exc).__name__}: {exc}") from None
    return ds


class Store:
    """Runs checked SPARQL query strings. Subclasses: OxigraphStore, RdflibStore,
    RemoteStore."""

    name = "store"

    def query(self, text: str, max_rows: int | None = None) -> QueryResult:
        checked = check_query(text)
        return self._run(checked, max_rows)

    def _run(self, q: CheckedQuery, max_rows: int | None) -> QueryResult:  # pragma: no cover
        raise NotImplementedError

    def labels(self, iris: Iterable[URIRef], lang: str = "en") -> dict[URIRef, str]:
        """The rdfs:label of each IRI (English first, then untagged, then any)."""
        iris = sorted({i for i in iris if isinstance(i, URIRef)}, key=str)  # str's own <
        found: dict[URIRef, tuple[int, str]] = {}
        for start in range(0, len(iris), 500):
            chunk = iris[start:start + 500]
            text = ("SELECT ?s ?label WHERE { VALUES ?s { "
                    + " ".join(i.n3() for i in chunk)
                    + f" }} ?s <{RDFS.label}> ?label }}")
            for s, label in self.query(text).rows:
                tag = getattr(label, "language", None) or ""
                rank = 0 if tag == lang else 1 if not tag else 2
                if s not in found or (rank, str(label)) < found[s]:
                    found[s] = (rank, str(label))
        return {s: v for s, (_, v) in found.items()}

    def close(self) -> None:
        pass


def _to_rdflib(term) -> Node | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise QueryError(f"unsupported term in a result: {term!r}")


class _Terms(dict):
    """pyoxigraph term (or None) -> the rdflib term, converted on first use."""

    def __missing__(self, term):
        value = self[term] = _to_rdflib(term)
        return value


XSD = "http://www.w3.org/2001/XMLSchema#"
# A bare term of Oxigraph's TSV: the canonical form of a boolean, an integer or a
# decimal (a double is always written quoted with its datatype; its exponent is a guess)
_BARE = {"true": XSD + "boolean", "false": XSD + "boolean"}


def _from_tsv(cell: str) -> Node | None:
    """One cell of SPARQL 1.1 TSV as Oxigraph writes it -> the rdflib term `_to_rdflib`
    gives for the same solution (empty: unbound). IRIs, blank nodes and quoted literals
    are N-Triples text, decoded by kg.rdf.quads.term_from_nt (the quads' decoder); a
    bare number or boolean here. Raises QueryError for what neither converts (an
    RDF-star triple)."""
    try:
        return term_from_nt(cell)
    except ValueError:
        pass
    if not cell:
        return None
    if cell[0] in "+-.0123456789" or cell in _BARE:
        dt = _BARE.get(cell) or (XSD + ("double" if "e" in cell or "E" in cell
                                        else "decimal" if "." in cell else "integer"))
        return Literal(cell, datatype=URIRef(dt))
    raise QueryError(f"unsupported term in a result: {cell[:200]}")


def _tsv_lines(res) -> list[str]:
    """A SELECT's solutions as Oxigraph's TSV writer gives them: the header line, then
    one line per solution (cells split by tabs), in the engine's order."""
    import pyoxigraph as ox

    lines = res.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _tsv_table(lines: list[str], width: int):
    """Every solution of a SELECT (`_tsv_lines`) as rdflib terms, and the same rows as
    positions: (rows, index, terms), where `index` is a (rows, width) numpy int array of
    positions in `terms`, the distinct cells converted (kg.sparql.order.sorted_order
    sorts by them). Each distinct cell is converted once, and the cells are split,
    counted and mapped by C code (str.split, dict, map, zip), not a Python loop per row:
    2-3x faster than reading Oxigraph's solutions one Python object at a time at 100k
    rows. Raises QueryError if the cells do not fill rows of `width`."""
    import numpy as np

    count = len(lines) - 1
    cells = "\t".join(lines[1:]).split("\t") if count > 0 else []
    if len(cells) != count * width:
        raise QueryError("query failed (Oxigraph): a TSV row does not match its header")
    first: dict[str, int] = {}  # each distinct cell -> where it first occurs
    at = np.fromiter(map(first.setdefault, cells, itertools.count()), dtype=np.int64,
                     count=len(cells))
    dense = np.empty(len(cells), dtype=np.int64)  # a first occurrence -> its position
    dense[np.fromiter(first.values(), dtype=np.int64, count=len(first))] = np.arange(len(first))
    index = dense[at].reshape(count, width)
    terms = list(map(_from_tsv, first))
    cells_terms = map(terms.__getitem__, index.ravel().tolist())
    rows = list(zip(*[cells_terms] * width, strict=True)) if width else []
    return rows, index, terms


def _tsv_rows(lines: list[str], width: int) -> list[tuple[Node | None, ...]]:
    """Every solution of a SELECT (`_tsv_lines`) as rdflib terms (`_tsv_table`'s rows).
    Raises QueryError if a row does not have `width` cells."""
    return _tsv_table(lines, width)[0]


class OxigraphStore(Store):
    """pyoxigraph (in memory, or a given pyoxigraph.Store such as the cache's read-only
    one on disk); the default graph is the union of the named graphs."""

    name = "oxigraph"

    def __init__(self, ox_store=None):
        import pyoxigraph

        self.ox = ox_store if ox_store is not None else pyoxigraph.Store()

    @classmethod
    def from_dataset(cls, ds: Dataset) -> OxigraphStore:
        import pyoxigraph as ox

        store = cls()
        quads = []
        for s, p, o, g in ds.quads((None, None, None, None)):
            gname = g.identifier if isinstance(g, Graph) else g
            graph = (ox.DefaultGraph() if gname is None or str(gname).startswith("urn:x-rdflib:")
                     else to_ox(gname))
            quads.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph))
        store.ox.extend(quads)
        return store

    @classmethod
    def from_nquads(cls, data: bytes) -> OxigraphStore:
        """A store holding these N-Quads (UTF-8)."""
        import pyoxigraph as ox

        store = cls()
        # lenient: the cache's N-Quads were written by pyoxigraph and match their hash
        store.ox.load(data, format=ox.RdfFormat.N_QUADS, lenient=True)
        return store

    @classmethod
    def from_file(cls, path: Path, on_disk: bool = False, progress=None) -> OxigraphStore:
        """The graph of an RDF file (.trig, .nq, .ttl, .nt) in memory; with on_disk, from
        the on-disk store kg.sparql.cache.file_store keeps per content of a big file (a
        one-off command then opens it instead of parsing it; its queries run slower than
        in memory, so a server loads the file). Raises QueryError."""
        import pyoxigraph as ox

        from kg.sparql.cache import file_store

        path = existing_graph_file(path)
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".") or "trig")
        if fmt is None:
            raise QueryError(f"{path}: unknown RDF file type (use .trig, .nq, .ttl or .nt)")
        try:
            # an on-disk store made once per content of the file (kg.sparql.cache), else
            # the file loaded into memory
            stored = file_store(path, fmt, progress) if on_disk else None
            if stored is not None:
                return cls(stored)
            store = cls()
            store.ox.load(path=str(path), format=fmt)
        except (SyntaxError, OSError, ValueError) as exc:
            raise QueryError(f"{path}: cannot load the graph: {exc}") from None
        return store

    def _run(self, q: CheckedQuery, max_rows: int | None) -> QueryResult:
        import pyoxigraph as ox

        try:
            # a closing ORDER BY of plain variables is applied in Python (kg.sparql.order),
            # else by Oxigraph to the rows found (_engine_sorted)
            order = split_order_by(q.text) if max_rows is None and q.type == "SELECT" else None
            started = time.perf_counter()  # (evaluation is lazy: it runs while TSV is written)
            # the default graph is the union of the files' graphs, unless the query names
            # its own (FROM <kgfile:...>), which Oxigraph ignores when asked for the union
            res = self.ox.query(order.body if order else q.text,
                                use_default_graph_as_union=not q.dataset)
            if isinstance(res, ox.QueryBoolean):
                return QueryResult("ASK", self.name, boolean=bool(res))
            terms = _Terms()  # a result repeats its terms: each is converted once
            if isinstance(res, ox.QueryTriples):
                g = Graph()
                for t in _limit_rows(res, max_rows, "triples"):
                    g.add((terms[t.subject], terms[t.predicate], terms[t.object]))
                return QueryResult(q.type, self.name, graph=g)
            names = [v.value for v in res.variables]  # = order.variables (split_order_by)
            convert = terms.__getitem__
            # every row and term is a new object: a collection pass over them costs
            # more than the conversion at 100k rows (kg.data.loader.gc_paused)
            from kg.data.loader import gc_paused

            with gc_paused():
                if max_rows is None and names:
                    lines = _tsv_lines(res)
                    evaluated = time.perf_counter() - started
                    rows, index, terms = _tsv_table(lines, len(names))
                else:  # one solution at a time, to stop at the limit
                    rows = [tuple(map(convert, sol)) for sol in _limit_rows(res, max_rows)]
                if order:
                    at = sorted_order(index, terms, [names.index(v) for v in order.variables])
                    rows = (list(map(rows.__getitem__, at.tolist())) if at is not None
                            # an order only the engine can tell: ask it
                            else self._engine_sorted(q, lines, order, evaluated))
                    if order.hidden:  # the columns selected only to sort by: dropped
                        names = names[:len(names) - len(order.hidden)]
                        rows = [row[:len(names)] for row in rows]
            return QueryResult("SELECT", self.name, vars=names, rows=rows)
        except SyntaxError as exc:
            raise engine_syntax_error(q.text, str(exc)) from None
        except (OSError, RuntimeError, ValueError, TypeError) as exc:
            raise QueryError(f"query failed (Oxigraph): {exc}") from None

    def _engine_sorted(self, q: CheckedQuery, lines: list[str], order: OrderBy,
                       evaluated: float) -> list[tuple[Node | None, ...]]:
        """The rows of `lines` (the TSV result of order.body, which took `evaluated`
        seconds) in Oxigraph's order for the query `q`. Sorted by Oxigraph as VALUES in
        an empty store, without evaluating the query again (kg.sparql.order.values_query),
        when that is the cheaper way: up to VALUES_CELLS cells, or when evaluating took
        longer than VALUES_CELL_SECONDS a cell (what sorting as VALUES costs beyond
        Oxigraph's own ORDER BY). Else, and where VALUES cannot give the query's own
        order (a blank node; under DISTINCT, two different terms that could rank equal,
        such as 1 and 1.0), q's text itself is run, ORDER BY and all. The same rows in the
        same order either way. Raises what pyoxigraph raises for q's text."""
        import pyoxigraph as ox

        width = len(lines[0].split("\t"))
        cells = (len(lines) - 1) * width
        again = (values_query(lines, order)
                 if cells <= VALUES_CELLS or evaluated >= cells * VALUES_CELL_SECONDS
                 else None)
        if again is not None:
            try:
                return _tsv_rows(_tsv_lines(ox.Store().query(again)), width)
            except SyntaxError:  # a term the TSV writer and the parser disagree on
                pass
        res = self.ox.query(q.text, use_default_graph_as_union=not q.dataset)
        hidden = len(order.hidden)  # q's own rows lack them: as wide as the VALUES' rows
        return [row + (None,) * hidden for row in _tsv_rows(_tsv_lines(res), width - hidden)]


# An order Python cannot tell (kg.sparql.order): the rows are sorted by Oxigraph as
# VALUES rather than by evaluating the query again where there are at most VALUES_CELLS
# cells, or where evaluating took longer than VALUES_CELL_SECONDS a cell. Sorting as
# VALUES measured 3-6 µs a cell in a fresh process (2k-480k cells) but 11-19 µs in a
# process holding the 100k graph in memory (as `kg serve` does); Oxigraph's own ORDER BY
# over the store costs 2-3 µs a cell. So VALUES is kept for a query that searched much
# to find few rows (neighbourhood-like), where it saves a whole evaluation.
VALUES_CELLS = 1_000
VALUES_CELL_SECONDS = 20e-6


class RdflibStore(Store):
    """rdflib's own SPARQL engine over the dataset: slow, kept as the cross-check."""

    name = "rdflib"

    def __init__(self, ds: Dataset):
        import rdflib.plugins.sparql as rdflib_sparql

        # Never fetch the IRI named in FROM (check_query refuses those anyway).
        rdflib_sparql.SPARQL_LOAD_GRAPHS = False
        self.ds = ds
        self.ds.default_union = True

    @classmethod
    def from_file(cls, path: Path) -> RdflibStore:
        return cls(read_dataset(path))

    def _run(self, q: CheckedQuery, max_rows: int | None) -> QueryResult:
        try:
            res = self.ds.query(q.text)
            if res.type == "ASK":
                return QueryResult("ASK", self.name, boolean=bool(res.askAnswer))
            if res.type in ("CONSTRUCT", "DESCRIBE"):
                g = Graph()
                for t in _limit_rows(res, max_rows, "triples"):
                    g.add(t)
                return QueryResult(res.type, self.name, graph=g)
            names = [str(v) for v in res.vars]
            rows = [tuple(row) for row in _limit_rows(res, max_rows)]
            return QueryResult("SELECT", self.name, vars=names,
                               rows=_sparql_order(q, names, rows) if max_rows is None else rows)
        except QueryError:
            raise
        except Exception as exc:  # rdflib raises many types while evaluating
            if type(exc).__name__ == "ParseException":
                raise engine_syntax_error(q.text, str(exc)) from None
            raise QueryError(f"query failed (rdflib): {type(exc).__name__}: {exc}") from None


def _sparql_order(q: CheckedQuery, names: list[str], rows: list[tuple]) -> list[tuple]:
    """rdflib's rows of a SELECT put in SPARQL's order by the one rule the Oxigraph store
    uses (kg.sparql.order.sorted_order), where the query ends with an ORDER BY of plain
    variables it selects and that order is certain; else as rdflib gave them. rdflib
    sorts each key with Python's comparison of its terms, which is no total order across
    literal types: rows tied on one key could come out in an order that followed the
    hash seed (unchecked-facts, 2 seeds of 4)."""
    import numpy as np

    order = split_order_by(q.text) if q.type == "SELECT" else None
    if order is None or order.hidden or len(rows) < 2:
        return rows
    where: dict = {}
    terms: list = []
    index = np.empty((len(rows), len(names)), dtype=np.int64)
    for i, row in enumerate(rows):
        for j, t in enumerate(row):
            k = where.get(t)
            if k is None:
                k = where[t] = len(terms)
                terms.append(t)
            index[i, j] = k
    at = sorted_order(index, terms, [names.index(v) for v in order.variables])
    return rows if at is None else [rows[i] for i in at.tolist()]


# -- remote ------------------------------------------------------------------------
def _term_from_json(b: dict) -> Node:
    t = b.get("type")
    if t == "uri":
        return URIRef(b["value"])
    if t == "bnode":
        return BNode(b["value"])
    if t in ("literal", "typed-literal"):
        if b.get("xml:lang"):
            return Literal(b["value"], lang=b["xml:lang"])
        dt = b.get("datatype")
        if dt and dt != XSD_STRING:
            return Literal(b["value"], datatype=URIRef(dt))
        return Literal(b["value"])
    raise QueryError(f"unsupported term in the endpoint's answer: {b!r}")


class _JsonTerms(dict):
    """A term of SPARQL 1.1 JSON results (`{"type": ..., "value": ...}`) -> the rdflib
    term `_term_from_json` makes of it, each distinct term made once: a result repeats its
    terms, and making an rdflib Literal costs about 5 us (12 s of the 2.2M cells of
    `unchecked-facts` at 100k entities)."""

    def term(self, b: dict) -> Node:
        key = (b.get("type"), b.get("value"), b.get("xml:lang"), b.get("datatype"))
        found = self.get(key)
        if found is None:
            found = self[key] = _term_from_json(b)
        return found


class RemoteStore(Store):
    """A SPARQL 1.1 Protocol query address (`/query` on Oxigraph, `/sparql` on `kg serve`)."""

    name = "remote"

    def __init__(self, url: str, timeout: float = 60.0):
        if not re.match(r"https?://", url):
            raise QueryError(f"endpoint must be an http(s) URL, not {url!r}")
        self.url, self.timeout = url, timeout

    def query(self, text: str, max_rows: int | None = None) -> QueryResult:
        # Parsed here in full (whatever the cheap check says): a syntax error is then
        # reported with line and column, whatever the endpoint's own message.
        if not text or not text.strip():
            raise QueryError("empty query")
        return self._run(parse_check(text), max_rows)

    def _run(self, q: CheckedQuery, max_rows: int | None) -> QueryResult:
        graph_query = q.type in ("CONSTRUCT", "DESCRIBE")
        accept = "application/n-triples" if graph_query else "application/sparql-results+json"
        body = urllib.parse.urlencode({"query": q.text}).encode("utf-8")
        req = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept,
            "User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                payload = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()[:2000]
            raise QueryError(f"{self.url} answered {exc.code} {exc.reason}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise QueryError(f"cannot reach {self.url}: {exc}") from None
        # Oxigraph streams: an error can arrive after 200 as a truncated body.
        try:
            if graph_query:
                g = Graph()
                g.parse(data=payload.decode("utf-8"), format="nt")
                if max_rows is not None and len(g) > max_rows:
                    _limit_rows(g, max_rows, "triples")
                return QueryResult(q.type, self.name, graph=g)
            data = json.loads(payload.decode("utf-8"))
        except Exception as exc:
            raise QueryError(f"{self.url} sent an answer that does not parse (truncated by an "
                             f"error?): {exc}") from None
        if "boolean" in data:
            return QueryResult("ASK", self.name, boolean=bool(data["boolean"]))
        names = list(data.get("head", {}).get("vars", []))
        term = _JsonTerms().term
        rows = [tuple(term(b[v]) if v in b else None for v in names)
                for b in _limit_rows(data.get("results", {}).get("bindings", []), max_rows)]
        return QueryResult("SELECT", self.name, vars=names, rows=rows)


# -- pushing to a Graph Store -------------------------------------------------------
class PushFault(KGError):
    """A failure a test injects into a push (the hook of push_dataset)."""


class PushRefused(QueryError):
    """The server answered a request of a push with an HTTP error."""


class PushTimeout(QueryError):
    """The server did not answer a request of a push in time."""


def _sibling(url: str, service: str) -> str | None:
    """The query or update address beside a Graph Store address: Oxigraph's /store and
    Fuseki's /<dataset>/data have /query and /update beside them."""
    m = re.match(r"^(https?://[^?#]*?)/(store|data)/?(?:[?#].*)?$", url)
    return f"{m.group(1)}/{service}" if m else None


def push_dataset(ds: Dataset | OxigraphStore, url: str, default_graph: bool = True,
                 auth: str | None = None, timeout: float = 120.0, *,
                 update_url: str | None = None, query_url: str | None = None,
                 file_namespace: str = KGFILE, hook=None, progress=None,
                 batch: bool = True, full: bool = False) -> dict:
    """Load the dataset into a SPARQL 1.1 server, all or nothing as the server sees it,
    sending only the named graphs that changed since the last push.

    0. the server's record of the last push (PUSH_STATE: each graph's key, a hash of its
       sorted triples, and whether the union went into the default graph) says which
       graphs changed; without one (a first push, a server filled otherwise), with
       `full`, where a graph has a blank node or the default graph triples of its own,
       and after a push that had either, every graph is sent;
    1. every changed named graph (and, on a full push, the union for the default graph)
       is uploaded into a fresh temporary graph, `urn:kg-push:<token>:<n>`, which no
       query of the data reads; into a server that holds none of the data (no graph under
       `file_namespace`, an empty default graph), straight into its own name and the
       default graph instead, so that no transaction holds the whole graph (queries
       during such a first push see part of it; a failure empties the server again):
       - where the server takes a whole dataset at its Graph Store address (a POST of
         N-Quads, as Oxigraph does), in requests of up to BATCH_QUADS quads whose graph
         names are the temporary ones. A probe comes first: one quad of a subject used
         nowhere else, which must then be found in its temporary graph; if the server
         refused it or put it anywhere else, it is deleted wherever it landed and the
         push goes on as below;
       - else one Graph Store Protocol request per graph (PUT ?graph=IRI, sorted
         N-Triples sent as text/turtle, which it also is), as with `batch=False`;
    2. one SPARQL Update request then moves each temporary graph onto its real name
       (MOVE replaces the graph; one gone meanwhile fails the whole update), drops the
       graphs under `file_namespace` that the build no longer has and the temporary
       graphs a killed push left, brings the default graph from the old union to the new one (on a
       push of some graphs: the triples only the changed graphs had, deleted, and those
       only they have now, inserted; the old graphs' triples are read from the server
       first) and records the new keys. The server applies one update request as one
       transaction, so queries see the old graphs or the new ones, never a mix. A push
       without the union (`default_graph=False`) empties the default graph where the
       record says the last push put the union there, and leaves it alone otherwise. At 10k
       entities a full push took 91 s against Oxigraph, 68 s of it that transaction.

    Pushes may overlap (CI and a maintainer): the record names the push that wrote it
    (PUSH_GENERATION), and a push that relies on what it read (the record, or a server
    holding none of the data) fails whole and says so if another switches first; where
    the record names no push (a first push, a record written before pushes named
    themselves) the push makes a marker of its own to the same end (one request more).
    Pushing again then sends what differs from the other push's graphs; after a push
    that had filled an empty server in place when another switched, every graph (the
    record says so). A push assumes no one else writes these graphs: one edited on the
    server by other means keeps its edit until its file changes or a `full` push. If
    anything fails before the switch, the temporary graphs are dropped and the error
    says that the live graphs were not touched; if the switch was sent and its answer
    lost (a timeout, a dropped connection, Ctrl-C), the error says the server may have
    applied it, and a push again sets it right either way. `hook(step, what)` is called
    before each request (tests inject faults there); `progress(done, total)` too, with
    the number of requests planned.
    Each request may take `timeout` seconds, an update SWITCH_SECONDS more per quad it
    writes; a switch that still does not answer raises a QueryError that says the server
    may yet apply it, not that nothing changed. Raises QueryError for any failure.
    Returns {"graphs", "triples", "default", "removed", "requests", "sent"}: the named
    graphs and their triples, whether the union went into the default graph, the graphs
    removed, the requests made, and how many graphs were sent (the rest were unchanged)."""
    import base64
    import secrets

    import pyoxigraph as ox

    if not re.match(r"https?://", url):
        raise QueryError(f"graph store must be an http(s) URL, not {url!r}")
    # /store/ (or /data/) is not the Graph Store but a graph of its own on Oxigraph (direct
    # identification): every upload would land in that one graph
    url = re.sub(r"/(store|data)/+(?=(?:[?#].*)?$)", r"/\1", url)
    update_url = update_url or _sibling(url, "update")
    query_url = query_url or _sibling(url, "query")
    if update_url is None or query_url is None:
        raise QueryError(f"cannot tell the SPARQL query and update addresses beside {url}: a push "
                         "loads temporary graphs and switches them in with one update; give the "
                         "Graph Store address ending in /store (Oxigraph) or /data (Fuseki)")
    base_headers = {"User-Agent": USER_AGENT}
    if auth:
        base_headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    sep = "&" if "?" in url else "?"
    step = 0
    planned = 0
    unanswered = ""  # what the request sent and not (yet) answered was for

    def request(target: str, body: bytes, method: str, content_type: str, what: str,
                accept: dict | None = None, wait: float = 0.0) -> bytes:
        nonlocal step, unanswered
        step += 1
        if progress is not None:
            progress(step - 1, max(planned, step))
        if hook is not None:
            hook(step, what)
        req = urllib.request.Request(target, data=body, method=method,
                                     headers={**base_headers, "Content-Type": content_type,
                                              **(accept or {})})
        unanswered = what
        try:
            with urllib.request.urlopen(req, timeout=timeout + wait) as resp:  # noqa: S310
                answer = resp.read()
        except urllib.error.HTTPError as exc:
            unanswered = ""  # refused: the server did nothing with it
            detail = exc.read().decode("utf-8", "replace").strip()[:2000]
            raise PushRefused(f"{target.split('?')[0]} refused {what}: {exc.code} {exc.reason}: "
                              f"{detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            if isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None),
                                                           TimeoutError):
                raise PushTimeout(f"{target.split('?')[0]} did not answer {what} within "
                                  f"{timeout + wait:.0f} s") from None
            raise QueryError(f"cannot reach {target.split('?')[0]}: {exc}") from None
        unanswered = ""
        return answer

    def update(text: str, what: str, quads: int = 0) -> None:
        """An update request; one that writes `quads` quads is given SWITCH_SECONDS a quad
        beyond the timeout (one transaction of them all on the server)."""
        request(update_url, text.encode("utf-8"), "POST", "application/sparql-update", what,
                wait=quads * SWITCH_SECONDS)

    def select(text: str, what: str) -> list[dict]:
        answer = request(query_url, text.encode("utf-8"), "POST", "application/sparql-query",
                         what, {"Accept": "application/sparql-results+json"})
        try:
            return json.loads(answer)["results"]["bindings"]
        except (ValueError, KeyError, TypeError):
            raise QueryError(f"{query_url} answered {what} with something other than SPARQL "
                             "JSON results") from None

    store = ds if isinstance(ds, OxigraphStore) else OxigraphStore.from_dataset(ds)
    token = secrets.token_hex(8)
    # every quad once, the blank-node check with it (at 100k entities 11.0 s, against
    # 14.1 s for a lookup per graph and a second pass)
    found: dict[str, set] = {}  # named graph -> its triples (pyoxigraph)
    loose: set = set()  # the default graph's own triples
    blank = False
    blank_node, default = ox.BlankNode, ox.DefaultGraph
    for q in store.ox.quads_for_pattern(None, None, None, None):
        t = q.triple
        if isinstance(t.subject, blank_node) or isinstance(t.object, blank_node):
            blank = True
        if isinstance(q.graph_name, default):
            loose.add(t)
        else:
            found.setdefault(q.graph_name.value, set()).add(t)
    graphs = dict(sorted(found.items()))
    keys = {name: _graph_key(content) for name, content in graphs.items()}

    uploads: list[tuple[str, str | None, set]] = []  # (temporary graph, real graph, triples)
    loaded: list[str] = []  # the temporary graphs uploaded
    sent: list[str] = []  # and those a request was made for: all dropped if the push fails
    probed = False  # the probe may be on the server: dropped with the temporary graphs
    probe = f"urn:kg-push:{token}:probe"  # the probe's subject and temporary graph
    in_place = False  # the graphs go straight to their names (a server without the data)
    gone_triples: set = set()
    came: set = set()
    quads = 0  # the quads uploaded (to temporary graphs, or in place)
    guard = None  # the marker graph this push's switch moves to its own (PUSH_GENERATION)
    own = f"{PUSH_GENERATION}:{token}:read"  # the marker of a full push that read no record
    pending = own  # the marker this push made (make_pending), where it read none to move
    made_pending = False  # the update that makes `pending` was sent
    state: dict = {}  # the record of the last push, as this push read it
    switching = False  # the switch was sent
    overtaken = False  # another push switched after this one read what it relies on
    maybe_overtaken = False  # or may have: this one's temporary graphs went, and it read no record

    def holds_no_data() -> bool:
        return not select(
            f"SELECT ?s WHERE {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} "
            f"FILTER(STRSTARTS(STR(?g), {json.dumps(file_namespace)})) }} }} LIMIT 1",
            "whether it holds any of the data")

    def make_pending(names: str | None = None) -> None:
        """The marker this push's switch moves, made while the record names no push (names
        None: `<PUSH_GENERATION>:none`) or the push `names` (its marker, lost, made again),
        or (names "": a full push that read no record) its own whatever the record says.
        The first two are shared by every push that read the same record, so that the
        first of them to switch takes it and every other fails, even one that made it
        after that switch's listing of the graphs (which a marker of its own escaped)."""
        nonlocal made_pending, guard, planned, pending
        pending = (own if names == "" else f"{PUSH_GENERATION}:{names or 'none'}")
        made_pending, guard = True, pending
        planned += 1
        record = f"GRAPH <{PUSH_STATE}> {{ <{PUSH_GENERATION}> <{PUSH_KEY}> "
        where = ("{}" if names == "" else f"{{ FILTER NOT EXISTS {{ {record}?t }} }} }}"
                 if names is None else f"{{ {record}{json.dumps(names)} }} }}")
        update(f"INSERT {{ GRAPH <{pending}> {{ {MARKER_TRIPLE} }} }} WHERE {where}",
               "the marker of what this push read")

    try:
        planned = 2  # the record of the last push, and whether the server holds any data
        state = {} if full else _push_state(select)
        guard = state.get(PUSH_GENERATION)
        mode = "union" if default_graph else "named"
        # a push of some graphs changes the default graph by the triples of those graphs
        # alone: not after one whose union held blank nodes (DELETE DATA cannot name them)
        # or triples of no named graph (no graph's change would remove them)
        keep = (not blank and not loose and state.get(PUSH_STATE) == mode
                and PUSH_ALL_NEXT not in state)
        # What a push sends depends on what it read where it sends some graphs (those the
        # record says changed) or fills the server in place (it held none of the data): such
        # a push must fail if another switches after that read. Its switch moves the marker
        # of the push whose record it read; where the record names none (a first push, a
        # record written before pushes named themselves, a full push that read no record)
        # it makes a marker of its own first, only while the record still names no push.
        if not full and guard is None:
            make_pending()  # before the check below: it may fill in place
        # a server holding none of the data (no graph under file_namespace, an empty default
        # graph) is filled in place: the graphs go straight to their names, a transaction a
        # batch, since one transaction of a large graph is more than a server holds (at 100k
        # entities, 7.8M quads, `oxigraph serve` grew to 15 GB and was killed)
        in_place = not keep and holds_no_data()
        if in_place and full and not made_pending:
            # a full push read no record: its marker, then the check again (a push that
            # filled the server since the first check has switched before the marker)
            make_pending("")
            planned += 1
            in_place = holds_no_data()
        changed = [n for n in graphs if not keep or state.get(n) != keys[n]]
        changed_set = set(changed)
        recorded = sorted(n for n in state if n != PUSH_STATE)
        old: set = set()
        gone = [n for n in recorded if n not in graphs and n.startswith(file_namespace)]
        uploads = [(n if in_place else f"urn:kg-push:{token}:{i}", n, graphs[n])
                   for i, n in enumerate(changed)]
        if default_graph and not keep:
            union = set(loose)
            for content in graphs.values():
                union |= content
            uploads.append((None if in_place else f"urn:kg-push:{token}:default", None, union))
        # a push of some graphs reads the old triples of those it sends or removes, for the
        # default graph's change
        read_old = keep and default_graph and bool(changed or gone)
        planned = step + read_old
        quads = sum(len(content) for _, _, content in uploads)
        batches = -(-quads // BATCH_QUADS) if batch and quads else 0
        # requests: the probe and its check, the batches, the list of graphs, the switch and
        # the check that no other push's switch ran at the same time
        planned += (2 + batches if batches else len(uploads)) + 3
        if read_old:
            old = _graph_triples(select, [n for n in changed if n in state] + gone)
        if batches:
            probed = True
            try:
                request(url, f"<{probe}> <{probe}> \"probe\" <{probe}> .\n".encode(), "POST",
                        "application/n-quads", "a test of a dataset upload (one quad)")
            except PushRefused:  # an HTTP error: no dataset upload at this address
                probed = False
            if probed:
                went = select(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{probe}> ?p ?o }} }}",
                              "where the test quad went")
                if [r.get("g", {}).get("value") for r in went] != [probe]:
                    update(f"DELETE WHERE {{ GRAPH ?g {{ <{probe}> ?p ?o }} }} ;\n"
                           f"DELETE WHERE {{ <{probe}> ?p ?o }}",
                           "the removal of the test quad, put elsewhere than its graph")
                    probed = False
            if not probed:  # graph by graph: the server takes no whole dataset
                batches = 0
                planned = step + len(uploads) + 3
        if batches:
            for names_in, body in _nquads_chunks(uploads, BATCH_QUADS):
                sent += [n for n in names_in if n not in sent[-1:]]  # one may span two
                request(url, body, "POST", "application/n-quads; charset=utf-8",
                        f"the upload of {len(names_in)} graph(s) as N-Quads")
                loaded += [n for n in names_in if n not in loaded[-1:]]
        else:
            for tmp, name, content in uploads:
                sent.append(tmp)
                request(url + sep + ("default" if tmp is None else
                                     "graph=" + urllib.parse.quote(tmp, safe="")),
                        ox_ntriples(content), "PUT", "text/turtle; charset=utf-8",
                        f"the upload of {name or 'the default graph'}")
                loaded.append(tmp)
        rows = select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "the list of graphs")
        on_server = {r["g"]["value"] for r in rows if "g" in r}
        missing = [t for t in loaded if t is not None and t not in on_server]
        if missing and guard is not None and _guard_graph(guard, pending) not in on_server:
            # another push switched since this one read the record (its switch took this
            # push's temporary graphs for those of a killed push, and dropped them)
            overtaken = True
            raise QueryError(f"the server no longer holds the {len(missing)} graph(s) this push "
                             f"uploaded to {url}, dropped by another push's switch")
        if missing:  # a MOVE from a missing graph would empty the live one
            # (a push that read no record cannot tell whether another switched meanwhile)
            maybe_overtaken = guard is None and any(g.startswith(PUSH_GENERATION + ":")
                                                    for g in on_server)
            raise QueryError(
                f"the server does not hold the {len(missing)} graph(s) uploaded to {url} "
                f"({', '.join(missing[:2])}{', ...' if len(missing) > 2 else ''}): "
                + ("another push may have switched meanwhile and dropped them as left over by a "
                   "killed push, or it " if maybe_overtaken else "it ")
                + "may not be a SPARQL 1.1 Graph Store address (/store on Oxigraph, "
                "/<dataset>/data on Fuseki)")
        if guard not in (None, pending) and f"{PUSH_GENERATION}:{guard}" not in on_server:
            # the marker of the push whose record this one read is gone: another push
            # switched since (then the record names another), or it was lost (two updates the
            # server ran at once, someone's cleaning): that marker made again, only while
            # the record still names that push, so that such a loss fails no push (shared by
            # every push that read this record: the first to switch takes it)
            make_pending(guard)
        stale = sorted(g for g in on_server
                       if g.startswith(file_namespace) and g not in graphs)
        # first, this push's marker: the one of the push whose record it read, moved (it
        # fails the whole update if another push switched since), else a new one
        marker = f"{PUSH_GENERATION}:{token}"
        ops = ([f"MOVE GRAPH <{_guard_graph(guard, pending)}> TO GRAPH <{marker}>"] if guard else
               [f"INSERT DATA {{ GRAPH <{marker}> {{ {MARKER_TRIPLE} }} }}"])
        # every other push's marker the listing showed is dropped below with the leftover
        # urn:kg-push: graphs (DROP, so that it no longer exists: a MOVE from a graph
        # emptied by DELETE still succeeds on Oxigraph), so that a push that read before
        # this switch fails at its own. One made between this push's listing and its
        # switch is not seen (a scan of every quad for it took 1.4 s at 100k entities, in
        # the switch's transaction, and emptied it without making its MOVE fail)
        ops.append(f"DELETE WHERE {{ GRAPH <{PUSH_STATE}> {{ <{PUSH_GENERATION}> <{PUSH_KEY}> "
                   "?t } }")  # (the record names one push: this one, below)
        # MOVE without SILENT: a temporary graph gone meanwhile (another push took it for
        # a leftover) fails the whole update rather than emptying the live graph
        ops += [f"MOVE {'' if content else 'SILENT '}GRAPH <{tmp}> TO "
                + ("DEFAULT" if name is None else f"GRAPH <{name}>")
                for tmp, name, content in uploads if not in_place]
        ops += [_drop_graph(g) for g in stale]
        # the temporary graphs of pushes killed before they could drop them
        ops += [_drop_graph(g) for g in sorted(on_server)
                if g.startswith("urn:kg-push:") and g != PUSH_STATE
                and not g.startswith(f"urn:kg-push:{token}:")]
        ops += [_drop_graph(probe)] if probed else []
        if keep and default_graph:  # the default graph from the old union to the new one
            unchanged = _in_graphs_other_than(store, changed_set)
            new = set().union(*(graphs[n] for n in changed))
            gone_triples = {t for t in old - new if not unchanged(t)}
            came = {t for t in new - old if not unchanged(t)}
            ops += [f"DELETE DATA {{ {_nt(gone_triples)} }}"] if gone_triples else []
            ops += [f"INSERT DATA {{ {_nt(came)} }}"] if came else []
        if not default_graph and state.get(PUSH_STATE) != "named":
            # the union the last push put there, where its record says so (read here on a
            # full push, which has not read the record)
            ops.append(f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{PUSH_STATE}> "
                       f"{{ <{PUSH_STATE}> <{PUSH_KEY}> \"union\" }} ?s ?p ?o }}")
        ops.append(_state_update(state if keep else {}, {**keys, PUSH_GENERATION: token},
                                 mode, stale, all_next=blank or bool(loose)))
        switching = True
        update(" ;\n".join(ops), SWITCH,
               quads=(0 if in_place else 2 * quads) + len(gone_triples) + len(came))
    except (KGError, KeyboardInterrupt) as exc:
        switched = unanswered == SWITCH  # sent, its answer lost: applied or not, who knows
        # refused: was it because another push switched after this one read the record?
        if switching and guard and isinstance(exc, PushRefused):
            with contextlib.suppress(KGError):
                overtaken = not select(f"SELECT ?o WHERE {{ GRAPH <{_guard_graph(guard, pending)}>"
                                       " { ?s ?p ?o } } LIMIT 1", "whether another push switched")
        elif switching and isinstance(exc, PushRefused) and any(t for t in loaded) \
                and not in_place:
            # a push that read no record: were its temporary graphs dropped meanwhile, as
            # another push's switch drops those it takes for a killed push's?
            with contextlib.suppress(KGError):
                # (in the graphs it uploaded, by name: not a scan of every quad, 1.4 s at 100k)
                named = " ".join(f"<{t}>" for t in loaded if t is not None)
                maybe_overtaken = not select(
                    f"SELECT ?g WHERE {{ VALUES ?g {{ {named} }} GRAPH ?g {{ ?s ?p ?o }} }} "
                    "LIMIT 1", "whether its graphs are there")
            if maybe_overtaken:
                exc = QueryError(f"{exc}: this push's temporary graphs were dropped meanwhile, "
                                 "as another push's switch drops those it takes for a killed "
                                 "push's")
        left = ""
        # not the graphs filled in place once the switch (writing the record) was sent (the
        # record may say they are there), nor once another push switched (they are its
        # graphs now, holding this push's triples too: the record then says to send every
        # graph next time)
        mixed = in_place and overtaken and bool(sent)
        drop = [] if mixed or (switched and in_place) else sent
        drop += [probe] if probed else []
        # (a shared marker too, so that a failed push leaves nothing: a push that read the
        # same record and relies on it then fails at its switch and says why)
        drop += [pending] if made_pending and not switched else []
        if drop or mixed:
            try:
                update(" ;\n".join([("DROP SILENT DEFAULT" if t is None else _drop_graph(t))
                                    for t in drop]
                                    + ([f"INSERT DATA {{ GRAPH <{PUSH_STATE}> {{ <{PUSH_ALL_NEXT}>"
                                        f" <{PUSH_KEY}> \"yes\" }} }}"] if mixed else [])),
                       "the removal of the graphs uploaded", quads=0 if mixed else quads)
            except KGError:
                left = (f"; {len(loaded)} temporary graph(s) are left on the server, which no "
                        f"query of the data reads: {_drop_hint(token)}" if not in_place else
                        "; the graphs filled in place could not be emptied: push again with "
                        "--full" if not mixed else
                        "; the record could not be told so: push again with --full")
        went = (f"{len(loaded)} of {len(uploads)} uploads had gone to temporary graphs"
                f"{', since removed' if loaded and not left else ''}" if uploads
                else "nothing had been uploaded")
        if in_place and loaded:
            went = (f"it held none of the data; {len(loaded)} of {len(uploads)} graphs had been "
                    "filled in place" + (", and were emptied again" if not left else ""))
        why = str(exc) or ("interrupted" if isinstance(exc, KeyboardInterrupt) else repr(exc))
        if switched:
            ask = "push again: it sends what the server's record of the last push says is missing"
            if changed:
                ask = (f"ask it later whether the record of this push is there (ASK {{ GRAPH "
                       f"<{PUSH_STATE}> {{ <{changed[0]}> ?p {json.dumps(keys[changed[0]])} }} "
                       f"}}), or {ask}")
            raise QueryError(f"push failed: {why}. The switch to the new graphs was sent but "
                             "not answered: the server may still apply it, all at once, or not "
                             f"at all, and until then its answers are as they were; {ask}"
                             f"{left}") from None
        if mixed:
            raise QueryError(
                f"push failed: {why}. Another push switched the server's graphs after this one "
                f"found the server empty: this one had filled {len(loaded)} of {len(uploads)} "
                "graphs in place, so the other push's graphs may hold this push's triples "
                "too{}. Push again: it sends every graph".format(
                    left or "; the record of the last push now says so, so the next push "
                    "sends every graph")) from None
        gave_up = False  # the marker went, yet no push switched: a sharer removed it
        if overtaken and not mixed and state:
            with contextlib.suppress(KGError):
                gave_up = _push_state(select).get(PUSH_GENERATION) == state.get(PUSH_GENERATION)
        if gave_up:
            raise QueryError(
                f"push failed: {why}. Another push that read the same record of the last push "
                "gave up and removed the marker both relied on. Nothing was changed by this "
                f"push ({went}){left}. Push again") from None
        if overtaken:
            raise QueryError(
                f"push failed: {why}. Another push switched the server's graphs after this one "
                "read the record of the last push, so what this push would send was worked out "
                "against graphs no longer there. Nothing was changed by this push: the server "
                f"holds the other push's graphs ({went}){left}. Push again: it sends what "
                "differs from them") from None
        if maybe_overtaken:  # the live graphs may be another push's, switched meanwhile
            raise QueryError(f"push failed: {why}. Nothing was changed by this push ({went})"
                             f"{left}") from None
        raise QueryError(f"push failed: {why}. Nothing was changed on the server: the live graphs "
                         f"are as they were ({went}){left}") from None
    _check_alone(select, update, token)
    if progress is not None:
        progress(step, step)
    return {"graphs": len(graphs), "triples": sum(len(c) for c in graphs.values()),
            "default": default_graph, "removed": stale, "requests": step,
            "sent": len(changed)}


def _check_alone(select, update, token: str) -> None:
    """After a push's switch: the record names this push alone, or a later one. Two switches
    that the server ran at the same time (`oxigraph serve` 0.5 applies concurrent updates
    each to its own snapshot, so each moved its marker and both records merged) leave it
    naming both; then the record is told to have every graph sent next time and a
    QueryError says so."""
    rows = select(f"SELECT ?t WHERE {{ GRAPH <{PUSH_STATE}> {{ <{PUSH_GENERATION}> <{PUSH_KEY}> "
                  "?t } }", "whether another push switched at the same time")
    named = {r["t"]["value"] for r in rows if "t" in r}
    if token not in named or len(named) == 1:
        return  # this push's record, or a later push's, made from it
    fix = "the record now says so: push again, and it sends every graph"
    try:  # the record names this push alone (its marker there) and asks for every graph
        update(f"DELETE WHERE {{ GRAPH <{PUSH_STATE}> {{ <{PUSH_GENERATION}> <{PUSH_KEY}> ?t }} "
               f"}} ;\nINSERT DATA {{ GRAPH <{PUSH_GENERATION}:{token}> {{ {MARKER_TRIPLE} }} GRAPH <{PUSH_STATE}> {{ <{PUSH_GENERATION}> "
               f"<{PUSH_KEY}> \"{token}\" . <{PUSH_ALL_NEXT}> <{PUSH_KEY}> \"yes\" }} }}",
               "the note that the next push sends every graph")
    except KGError:
        fix = "push again with --full"
    raise QueryError(f"push failed: another push switched the server's graphs at the same time "
                     f"as this one, and the server applied both at once: its record of the last "
                     f"push names both, and which graphs hold which push's triples is not known; "
                     f"{fix}")


def _drop_graph(name: str) -> str:
    """The update part that removes a named graph and every quad in it: DROP, then the quads
    by pattern. On `oxigraph serve` (0.5) a graph dropped while another request was
    uploading into it can keep quads that DROP, CLEAR and MOVE onto it no longer see (two
    overlapping pushes: one's switch dropping the other's temporary graphs mid-upload)."""
    return f"DROP SILENT GRAPH <{name}> ;\nDELETE WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"


def _guard_graph(guard: str, pending: str) -> str:
    """The marker graph a push's switch moves: its own (`pending`, made where the record
    named no push), or that of the push whose record it read."""
    return pending if guard == pending else f"{PUSH_GENERATION}:{guard}"


def _drop_hint(token: str) -> str:
    """How to drop the temporary graphs a failed push left (one SPARQL update)."""
    return (f"drop them with the update DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g "
            f"{{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"urn:kg-push:{token}:\")) }}")


# The time an update of `kg push` is given beyond its timeout, per quad it writes: the
# switch of a full push at 10k entities (788k quads moved: every graph and the union) took
# 68 s in one transaction of `oxigraph serve`, 86 µs a quad; at 100k (7.8M) it did not
# answer within the 120 s it had then. Three times that, for a loaded machine.
SWITCH_SECONDS = 250e-6

SWITCH = "the switch to the new graphs"  # what push_dataset's one update is called

# The graph where `kg push` records what it pushed: <graph> PUSH_KEY "key" per named graph,
# and <PUSH_STATE> PUSH_KEY "union" or "named" (whether the union went into the default
# graph). Not under the data's namespaces, so no query of the data reads it by accident.
PUSH_STATE = "urn:kg-push:state"
PUSH_KEY = "urn:kg-push:key"
# <PUSH_ALL_NEXT> PUSH_KEY "yes": the last push had blank nodes or default-graph triples of
# its own, so the next one sends every graph
PUSH_ALL_NEXT = "urn:kg-push:send-all-next"
# <PUSH_GENERATION> PUSH_KEY "token": the push that wrote the record, whose marker graph
# <PUSH_GENERATION:token> holds one triple. A push that read the record moves that graph to
# its own marker first thing in its switch (MOVE without SILENT), and drops every other
# marker: if another push switched meanwhile, the marker is gone and the whole switch
# fails, changing nothing, instead of recording keys computed against graphs that are no
# longer there. Where the record names no push, a push makes <PUSH_GENERATION:token:read>
# first (only while the record still names none) and moves that.
PUSH_GENERATION = "urn:kg-push:generation"
MARKER_TRIPLE = f'<{PUSH_GENERATION}> <{PUSH_KEY}> "marker"'  # the one triple of a marker graph


def _graph_key(content: set) -> str:
    """A named graph's key: blake2b of its triples' N-Triples lines, sorted."""
    h = hashlib.blake2b(digest_size=16)
    for line in sorted(map(str, content)):
        h.update(line.encode("utf-8") + b"\n")
    return h.hexdigest()


def _push_state(select) -> dict[str, str]:
    """The record of the last push on the server: graph IRI -> key, PUSH_STATE -> mode."""
    rows = select(f"SELECT ?g ?key WHERE {{ GRAPH <{PUSH_STATE}> {{ ?g <{PUSH_KEY}> ?key }} }}",
                  "the record of the last push")
    return {r["g"]["value"]: r["key"]["value"] for r in rows
            if r.get("g", {}).get("type") == "uri" and "key" in r}


def _state_update(state: dict[str, str], keys: dict[str, str], mode: str,
                  stale: list[str], all_next: bool = False) -> str:
    """The update part that records this push: the keys that changed (all, where `state`
    is empty: the record is written anew, with PUSH_ALL_NEXT if `all_next`)."""
    def line(g: str, key: str) -> str:
        return f"<{g}> <{PUSH_KEY}> {json.dumps(key)} ."

    if not state:
        body = "\n".join([line(PUSH_STATE, mode)] + [line(g, k) for g, k in keys.items()]
                         + ([line(PUSH_ALL_NEXT, "yes")] if all_next else []))
        return f"DROP SILENT GRAPH <{PUSH_STATE}> ;\nINSERT DATA {{ GRAPH <{PUSH_STATE}> {{\n{body}\n}} }}"
    old = [line(g, state[g]) for g in stale if g in state]
    old += [line(g, state[g]) for g, k in keys.items() if g in state and state[g] != k]
    new = [line(g, k) for g, k in keys.items() if state.get(g) != k]
    parts = [f"DELETE DATA {{ GRAPH <{PUSH_STATE}> {{\n" + "\n".join(old) + "\n} }"] if old else []
    parts += [f"INSERT DATA {{ GRAPH <{PUSH_STATE}> {{\n" + "\n".join(new) + "\n} }"] if new else []
    return " ;\n".join(parts) or f"DELETE DATA {{ GRAPH <{PUSH_STATE}> {{ }} }}"


def _graph_triples(select, names: list[str]) -> set:
    """The triples the server holds in these named graphs (pyoxigraph), read in groups
    of 500 graphs."""
    import pyoxigraph as ox

    def term(b: dict):
        if b["type"] == "uri":
            return ox.NamedNode(b["value"])
        if b["type"] == "bnode":
            return ox.BlankNode(b["value"])
        if "xml:lang" in b:
            return ox.Literal(b["value"], language=b["xml:lang"])
        return ox.Literal(b["value"], datatype=ox.NamedNode(b["datatype"])
                          if "datatype" in b else None)

    out: set = set()
    for i in range(0, len(names), 500):
        values = " ".join(f"<{n}>" for n in names[i:i + 500])
        for r in select(f"SELECT ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} "
                        "GRAPH ?g { ?s ?p ?o } }", "the old triples of the changed graphs"):
            out.add(ox.Triple(term(r["s"]), term(r["p"]), term(r["o"])))
    return out


def _in_graphs_other_than(store: OxigraphStore, names: set[str]):
    """A test: does a triple stand in some named graph of the store not in `names`?"""
    import pyoxigraph as ox

    def test(t) -> bool:
        return any(isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in names
                   for q in store.ox.quads_for_pattern(t.subject, t.predicate, t.object, None))
    return test


def _nt(triples: set) -> str:
    """Triples as N-Triples text (sorted), for INSERT DATA and DELETE DATA."""
    return "\n".join(sorted(f"{t} ." for t in triples))


# Quads in one dataset upload of `kg push` at most: about 15 MB of N-Quads of our graphs
# (a request a few seconds long against Oxigraph, far inside push_dataset's timeout).
BATCH_QUADS = 100_000


def _nquads_chunks(uploads: list[tuple[str, str | None, set]],
                   limit: int) -> Iterable[tuple[list[str], bytes]]:
    """The uploads (temporary graph, real graph, pyoxigraph triples) as N-Quads payloads of
    at most `limit` quads each (made one at a time), every quad in its temporary graph
    (None: the default graph),
    each graph's triples sorted, graph after graph (a graph larger than `limit` spans
    several payloads): (the temporary graphs the payload holds quads of, UTF-8 N-Quads)."""
    import pyoxigraph as ox

    quads: list = []
    names: list = []
    for tmp, _name, content in uploads:
        graph = ox.DefaultGraph() if tmp is None else ox.NamedNode(tmp)
        for t in sorted(content, key=str):
            if len(quads) == limit:
                yield names, ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
                quads, names = [], []
            if not names or names[-1] != tmp:
                names.append(tmp)
            quads.append(ox.Quad(t.subject, t.predicate, t.object, graph))
    if quads:
        yield names, ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


# -- opening -----------------------------------------------------------------------
def open_store(kind: str = "oxigraph", *, data_dir: Path | None = None,
               graph_file: Path | None = None, endpoint: str | None = None,
               progress=None, file_on_disk: bool = False) -> Store:
    """The store to query: a remote endpoint, a built graph file, or the graph of data/
    (from the cache of built graphs, kg.sparql.cache; built and cached when stale).

    Raises QueryError (bad endpoint, missing or unreadable file, unknown store) or
    DataError (data/ does not validate). progress: told each stage of a build when
    the cache has no graph for data/ (kg.rdf.load.Steps), and when the on-disk store of
    a big graph file is made (kg.sparql.cache.file_store). file_on_disk: a big graph
    file from its on-disk store (OxigraphStore.from_file), for one-off commands."""
    if endpoint:
        return RemoteStore(endpoint)
    if kind not in STORES:
        raise QueryError(f"unknown store {kind!r}; choose one of: {', '.join(STORES)}")
    if graph_file:
        if kind == "oxigraph":
            return OxigraphStore.from_file(graph_file, on_disk=file_on_disk, progress=progress)
        return RdflibStore.from_file(graph_file)
    from kg.sparql.cache import graph_nquads, oxigraph_store

    if kind == "oxigraph":
        return OxigraphStore(oxigraph_store(data_dir, progress=progress))
    _, nquads = graph_nquads(data_dir, progress=progress)
    ds = Dataset()
    ds.parse(data=nquads.decode("utf-8"), format="nquads")
    return RdflibStore(ds)


__all__ = ["CheckedQuery", "OxigraphStore", "QueryError", "QueryRefused", "QueryResult",
           "QueryTimeout", "RdflibStore", "RemoteStore", "ResultTooLarge", "Store", "check_query",
           "open_store", "push_dataset", "read_dataset"]
