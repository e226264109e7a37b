"""The query library: queries/*.rq by name, their headers, parameters and running them.

A library query starts with a header of `#` comment lines (queries/README.md):

    # title: AI models by developer
    # question: 1. Which AI models has each company released, ...?
    # param: country iri = * -- only developers based in this country, e.g. kgid:china

A parameter is a variable of the query. Every file is correct as it stands, so it can
be pasted into any client: a parameter with a default has its value written in the
file on a marked line, first in the outermost WHERE group,

    VALUES ?date { "2026-04-14"^^<http://www.w3.org/2001/XMLSchema#date> }  # default

and `--param date=2025-11-15` replaces that line's term (`--param date=*` removes the
line: the variable is then free). A parameter whose default is `*` has no line; a
value given for it is written as a new `VALUES` line in the same place. The query stays
one plain string, so Oxigraph runs it (initBindings would send oxrdflib back to
rdflib's engine, TOOLING-NOTES.md) and any endpoint can too. A date default of
`dataset` is the date the graph describes (data/dataset.yaml, kgo:datasetDate in the
graph), never the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache, partial
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.core.errors import KGError, shown_path
from kg.core.model import DATE_RE, DateValue
from kg.core.schema import by_longest_namespace, load_schema, resource_dir, shorten
from kg.sparql.store import QueryError, QueryResult, Store

QUERY_DIR = resource_dir("queries")
DATASET_IRI = "https://w3id.org/ai-race-kg/dataset"
KGO = "https://w3id.org/ai-race-kg/ontology#"
PARAM_TYPES = ("iri", "date", "enddate", "string", "integer", "decimal")
DATE_TYPES = ("date", "enddate")
DEFAULT_LINE = re.compile(
    r"^[ \t]*VALUES \?(?P<name>\w+) \{ (?P<term>.+?) \}[ \t]*# default\b[^\n]*\n?", re.M)
HEADER_RE = re.compile(r"^#\s*(title|question|param):\s*(.*?)\s*$")
PARAM_RE = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\w+)(?:\s+(?P<kind>\w+))?\s*=\s*"
    r"(?P<default>\S+)\s+--\s+(?P<doc>.+)$")
VAR_NAME = r"[A-Za-z_0-9][A-Za-z_0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None  # None: left free (`*` in the header)
    doc: str
    kind: str | None = None  # `# param: blocA iri country = ...`: an IRI of a country

    @property
    def checked_as(self) -> str:
        """What an IRI value is checked as (check_kind, check_scheme): the kind declared
        after its type, else its name (`# param: chip iri`: a chip)."""
        return self.kind or self.name

    @property
    def shown_type(self) -> str:
        return f"{self.type} {self.kind}" if self.kind else self.type

    def describe(self) -> str:
        return f"{self.name} ({self.shown_type}, default {self.default or '*'}): {self.doc}"


@dataclass
class LibraryQuery:
    name: str
    path: Path
    text: str
    title: str = ""
    question: str = ""
    params: list[Param] = field(default_factory=list)

    @property
    def number(self) -> int:
        m = re.match(r"(\d+)", self.question)
        return int(m[1]) if m else 0

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"query {self.name!r} has no parameter {name!r} (its parameters: "
                         f"{known})")

    def bind(self, values: dict[str, str] | None = None, day: date | None = None) -> str:
        """The query text with every parameter given (or defaulted) written in.

        `values`: NAME -> value as typed by a user (`kgid:china`, `2025-12`, `*` for
        none). `day`: the date a `dataset` default stands for (else data/dataset.yaml's,
        else the one the file holds). Raises QueryError for an unknown parameter or a
        value not of its type, and for a `date` parameter after an `enddate` one (the
        start and end of one interval, such as timeline's start and end)."""
        values = dict(values or {})
        for name in values:
            self.param(name)
        terms: dict[str, str | None] = {}
        days: dict[str, tuple[str, date]] = {}  # each date parameter given: (type, day)
        for p in self.params:
            raw = values.get(p.name, p.default)
            if raw is None or raw.strip() == "*":
                terms[p.name] = None
                continue
            if raw in ("dataset", "today") and p.type in DATE_TYPES:  # today: an old name
                day = day or dataset_day()
                if day is None:
                    continue  # the date written in the file stands
                raw = day.isoformat()
            terms[p.name] = rdf_term(raw, p.type, p.name)
            if p.type in DATE_TYPES:
                days[p.name] = (p.type, parse_day(raw.strip(), p.name, last=p.type == "enddate"))
        starts = [(n, d) for n, (t, d) in days.items() if t == "date"]
        for end, (ptype, last) in days.items():
            for start, first in starts:
                if ptype == "enddate" and first > last:  # the library's bounds of one interval
                    raise QueryError(f"parameter {start} ({first}) is after {end} ({last}): no "
                                     f"day lies between them (swap them?)")
        return substitute(self.text, terms)

    def dataset_dated(self, values: dict[str, str] | None = None) -> list[str]:
        """The names of the date parameters `values` leaves to their `dataset` default:
        those that stand for the date of the graph queried."""
        return [p.name for p in self.params if p.type in DATE_TYPES
                and p.default in ("dataset", "today") and p.name not in (values or {})]

    def written_defaults(self) -> dict[str, str]:
        """NAME -> the term on each marked default line of the file."""
        return {m["name"]: m["term"] for m in DEFAULT_LINE.finditer(self.text)}


def write_dataset_defaults(day: date, query_dir: Path | None = None) -> list[Path]:
    """Rewrite the marked default line of every `dataset`-defaulted date parameter in the
    library to `day` (after `kg dataset --date`), so each file stays correct as it stands.
    Returns the files changed (written atomically)."""
    changed = []
    for q in library(query_dir):
        names = {p.name for p in q.params if p.default == "dataset" and p.type in DATE_TYPES}
        if not names:
            continue
        term = rdf_term(day.isoformat(), "date")

        def swap(m, names=names, term=term):
            return m.group(0).replace(m["term"], term) if m["name"] in names else m.group(0)

        text = DEFAULT_LINE.sub(swap, q.text)
        if text != q.text:
            tmp = q.path.with_name(q.path.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(q.path)
            changed.append(q.path)
    return changed


def dataset_day(data_dir: Path | None = None) -> date | None:
    """The date the graph describes (data/dataset.yaml's `date`), or None where the data
    folder has no dataset.yaml (the date written in the file then stands)."""
    from kg.data.dataset import read_dataset_info
    from kg.data.loader import resolve_data_dir

    try:
        return read_dataset_info(resolve_data_dir(data_dir)).date
    except KGError:
        return None


def store_day(store: Store) -> date | None:
    """The date the store's graph describes (kgo:datasetDate of the dataset), or None."""
    rows = store.query(f"SELECT ?day WHERE {{ <{DATASET_IRI}> <{KGO}datasetDate> ?day }}").rows
    try:
        return date.fromisoformat(str(rows[0][0])) if rows else None
    except ValueError:
        return None


# -- header ------------------------------------------------------------------------
def parse_header(text: str, where: str = "query") -> tuple[str, str, list[Param]]:
    """Title, question and parameters from the leading comment lines."""
    title = question = ""
    params: list[Param] = []
    problems: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = HEADER_RE.match(line)
        if not m:
            continue
        key, value = m[1], m[2]
        if key == "title":
            title = value
        elif key == "question":
            question = value
        else:
            pm = PARAM_RE.match(value)
            if not pm:
                problems.append(f"{where}:{n}: a param line reads `# param: NAME TYPE = DEFAULT "
                                f"-- description` (an IRI's kind after its type: `NAME iri "
                                f"country = ...`), not {value!r}")
                continue
            if pm["type"] not in PARAM_TYPES:
                problems.append(f"{where}:{n}: param {pm['name']}: type {pm['type']!r} is not "
                                f"one of {', '.join(PARAM_TYPES)}")
                continue
            kind = pm["kind"]
            if kind and (pm["type"] != "iri" or kind not in param_kinds()):
                problems.append(f"{where}:{n}: param {pm['name']}: {kind!r} is not a kind an "
                                f"iri parameter can be checked as (one of "
                                f"{', '.join(param_kinds())})" if pm["type"] == "iri" else
                                f"{where}:{n}: param {pm['name']}: only an iri parameter "
                                f"declares a kind, not a {pm['type']} one")
                continue
            default = None if pm["default"] == "*" else pm["default"]
            params.append(Param(pm["name"], pm["type"], default, pm["doc"], kind))
    if not title:
        problems.append(f"{where}: no `# title:` line in the header")
    if not question:
        problems.append(f"{where}: no `# question:` line in the header")
    if problems:
        raise QueryError("\n".join(problems))
    return title, question, params


def param_kinds() -> list[str]:
    """The kinds an iri parameter can declare (`# param: blocA iri country`): the schema's
    kinds of entity, and the concept schemes of the ontology (bloc, dimension)."""
    return [k for k in load_schema().kinds if k != "tombstone"] + list(SCHEMES)


SCHEMES = ("bloc", "dimension")  # kgo:blocScheme, kgo:dimensionScheme (check_scheme)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QueryError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise QueryError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def load_query(path: Path) -> LibraryQuery:
    path = Path(path)
    text = _read(path)
    title, question, params = parse_header(text, str(path))
    return LibraryQuery(path.stem, path, text, title, question, params)


def library(query_dir: Path | None = None) -> list[LibraryQuery]:
    """Every query of the library, in the order of the competency questions."""
    qs = [load_query(p) for p in sorted(Path(query_dir or QUERY_DIR).glob("*.rq"))]
    return sorted(qs, key=lambda q: (q.number, q.name))


def find_query(name_or_path: str, query_dir: Path | None = None) -> LibraryQuery:
    """A library query by name (`models-by-developer`), or any .rq file by path."""
    path = Path(name_or_path)
    if path.suffix == ".rq" or path.exists():
        if not path.exists():
            raise QueryError(f"{path}: no such file")
        text = _read(path)
        try:
            title, question, params = parse_header(text, str(path))
        except QueryError:  # a plain .rq file without a library header is fine
            return LibraryQuery(path.stem, path, text)
        return LibraryQuery(path.stem, path, text, title, question, params)
    qdir = Path(query_dir or QUERY_DIR)
    candidate = qdir / f"{name_or_path}.rq"
    if candidate.exists():
        return load_query(candidate)
    names = sorted(p.stem for p in qdir.glob("*.rq"))
    import difflib

    close = difflib.get_close_matches(name_or_path, names, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise QueryError(f"no query named {name_or_path!r} in {qdir}{hint}; "
                     "`kg query --list` shows the library")


# -- parameters --------------------------------------------------------------------
def rdf_term(raw: str, ptype: str, name: str = "value") -> str:
    """A user's value as an escaped RDF term in SPARQL syntax, checked against its type.

    Dates take the precisions the data uses: `2025`, `2025-12` or `2025-12-08`. For a
    `date` a year or month stands for its first day, for an `enddate` its last day;
    either way the term is an xsd:date. Raises QueryError for a value not of its type."""
    raw = raw.strip()
    if ptype == "iri":
        return URIRef(expand_iri(raw, name)).n3()
    if ptype in DATE_TYPES:
        return Literal(parse_day(raw, name, last=ptype == "enddate").isoformat(),
                       datatype=XSD.date).n3()
    if ptype == "integer":
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise QueryError(f"parameter {name}: {raw!r} is not an integer")
        return Literal(raw, datatype=XSD.integer).n3()
    if ptype == "decimal":
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", raw):
            raise QueryError(f"parameter {name}: {raw!r} is not a decimal number")
        return Literal(raw, datatype=XSD.decimal).n3()
    if ptype == "string":
        return Literal(raw).n3()
    raise QueryError(f"parameter {name}: unknown type {ptype!r}")


def parse_day(raw: str, name: str = "value", last: bool = False) -> date:
    """`2025`, `2025-12` or `2025-12-08` -> its first day (its last day if `last`), by the
    data's own rule (kg.core.model.DateValue). Raises QueryError for anything else,
    saying why (`2025-02-30`: February 2025 has 28 days)."""
    try:
        value = DateValue.parse(raw)
    except ValueError as exc:
        if not DATE_RE.match(raw.strip()):
            raise QueryError(f"parameter {name}: {raw!r} is not a date (YYYY, YYYY-MM or "
                             "YYYY-MM-DD)") from None
        raise QueryError(f"parameter {name}: {raw!r} is not a valid date: {exc}") from None
    return value.end if last else value.start


def expand_iri(raw: str, name: str = "value") -> str:
    """`kgid:china`, `<https://...>`, `https://...` or a bare id (`china`) -> a full IRI."""
    namespaces = load_schema().namespaces
    if raw.startswith("<") and raw.endswith(">"):
        iri = raw[1:-1]
    elif re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", raw):
        iri = raw
    elif re.match(r"^[A-Za-z][\w.-]*:", raw):  # a prefixed name (not `<http://x/> }`)
        prefix, _, local = raw.partition(":")
        if prefix not in namespaces:
            raise QueryError(f"parameter {name}: unknown prefix {prefix!r} in {raw!r} (known: "
                             f"{', '.join(sorted(namespaces))})")
        iri = namespaces[prefix] + local
    elif ID_RE.match(raw):
        iri = namespaces["kgid"] + raw
    else:
        raise QueryError(f"parameter {name}: {raw!r} is not an IRI, a CURIE such as "
                         "kgid:china or an entity id")
    if not iri or IRI_BAD.search(iri):
        raise QueryError(f"parameter {name}: {raw!r} holds characters an IRI cannot hold")
    return iri


_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                  |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$]""" + VAR_NAME + r""")
      | (?P<word>[A-Za-z_][\w-]*(?::[\w.-]*)?)
      | (?P<brace>\{)""",
    re.VERBOSE | re.DOTALL)


def where_brace(text: str) -> int:
    """The offset of the `{` opening the query's outermost WHERE group.

    Tokens inside comments, strings and IRIs are skipped, so a `{` or `WHERE` there
    cannot mislead it. Without a WHERE keyword (`ASK { ... }`), the first `{`.
    """
    first_brace, seen_where = -1, False
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "word" and m.group().upper() == "WHERE":
            seen_where = True
        elif kind == "brace":
            if seen_where:
                return m.start()
            if first_brace < 0:
                first_brace = m.start()
    if first_brace < 0:
        raise QueryError("the query has no WHERE group to put parameters in")
    return first_brace


def substitute(text: str, terms: dict[str, str | None]) -> str:
    """Bind each variable in `terms` to its (escaped) term; None frees it.

    A variable with a marked default line (`VALUES ?name { term }  # default ...`) has
    that line's term replaced (or the line emptied, for None). Any other variable gets
    one `VALUES ?name { term }` first in the outermost WHERE group, on the line of its
    brace, so it is bound for every pattern, BIND and FILTER of that group and joins with
    nested groups; it stays a variable, so it can still be selected and ordered by.
    Every line keeps its number, so a syntax error's line is the file's line.
    """
    written = {m["name"] for m in DEFAULT_LINE.finditer(text)}

    def replace(m: re.Match) -> str:
        name = m["name"]
        if name not in terms:
            return m.group()
        if terms[name] is None:
            return "\n" if m.group().endswith("\n") else ""
        line = m.group()
        return line[:m.start("term") - m.start()] + terms[name] + line[m.end("term") - m.start():]

    text = DEFAULT_LINE.sub(replace, text)
    new = {k: v for k, v in terms.items() if v is not None and k not in written}
    if not new:
        return text
    at = where_brace(text) + 1
    values = "".join(f" VALUES ?{name} {{ {term} }}" for name, term in new.items())
    return text[:at] + values + text[at:]


def parse_params(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`key=value` strings (the --param option) -> a dict."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param {pair!r}: write it as key=value")
        out[key.strip()] = value
    return out


def with_prefixes(text: str) -> tuple[str, int]:
    """--sparql text with the project's prefixes declared (unless it declares its own),
    all on one first line; and the number of lines added, for error messages."""
    declared = {m.lower() for m in re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", text)}
    decls = [f"PREFIX {p}: <{ns}>" for p, ns in load_schema().namespaces.items()
             if p.lower() not in declared]
    if not decls:
        return text, 0
    return " ".join(decls) + "\n" + text, 1


# -- running -----------------------------------------------------------------------
def run_query(store: Store, query: LibraryQuery | str, params: dict[str, str] | None = None,
              max_rows: int | None = None, day: date | None = None) -> QueryResult:
    """Run a library query (with parameters) or a query string on a store.

    An IRI given as a parameter must name something in the graph: a misspelt one is a
    QueryError ("no entity kgid:x (did you mean kgid:y?)"), not an empty result; and
    one given for a parameter named after a kind (chip, model, country, source, measure:
    see check_kind) must name an entity of that kind."""
    if isinstance(query, LibraryQuery):
        if day is None and query.dataset_dated(params):
            day = store_day(store)  # the date of the graph queried, wherever it is
        text = query.bind(params, day=day)
        for name, raw in (params or {}).items():
            if query.param(name).type == "iri" and raw.strip() != "*":
                iri = expand_iri(raw.strip(), name)
                check_iri(store, iri)
                check_retired(store, iri, name)
                kind = query.param(name).checked_as
                check_kind(store, iri, name, kind)
                check_scheme(store, iri, name, kind)
    else:
        if params:
            raise QueryError("--param needs a library query or a .rq file with `# param:` "
                             "lines; put values into a --sparql query directly")
        text = query
    try:
        return store.query(text, max_rows=max_rows)
    except QueryError as exc:
        if isinstance(query, LibraryQuery) and exc.line:  # (its lines are the file's)
            raise QueryError(f"{shown_path(query.path)}: {exc}", exc.line, exc.column,
                             exc.detail) from None
        raise


def project(text: str, var: str) -> str:
    """The query `text` asking only for the distinct values of ?var: its outermost SELECT
    clause becomes `SELECT DISTINCT ?var` (its pattern, order and limits stay), so one
    query answers which values of a parameter would give rows."""
    select = None
    for m in _TOKEN.finditer(text):
        kind, word = m.lastgroup, m.group().upper()
        if kind == "word" and word == "SELECT" and select is None:
            select = m.end()
        elif select is not None and (kind == "brace" or (kind == "word" and word == "WHERE")):
            return f"{text[:select]} DISTINCT ?{var} {text[m.start():]}"
    raise QueryError("only a SELECT query can be asked which values give rows")


def empty_answer_notes(store: Store, query: LibraryQuery, values: dict[str, str] | None = None,
                       limit: int = 5) -> list[str]:
    """Why a library query gave no rows, and what to ask instead: one line each (a
    researcher's trial: `quotes --param speaker=...` of a person never quoted, `timeline
    --param start=2030-01-01` and `between-blocs` on the dataset's date answered nothing,
    with no word or a word that named no day that works). Rules, in order, at most a
    query or two each:

    - an entity parameter naming an entity the query's pattern never reaches: the query
      with that parameter free says which values would give rows;
    - date parameters given outside the dates the query answers with them free (after
      the last, or before the first);
    - a date parameter left to the dataset's date: the nearest days on which the query
      does give rows, tried on the days the time-bound statements start and end
      (kgo:holdsFrom, kgo:holdsUntil: kg/semantics/time.py's rule, as the explorer and
      report use), and `*` for any day."""
    values = dict(values or {})
    day = store_day(store) if query.dataset_dated(values) else None
    for name, raw in values.items():
        if query.param(name).type == "iri" and raw.strip() != "*":
            note = _entity_note(store, query, values, name, day, limit)
            if note:
                return [note]
    note = _date_note(store, query, values, day)
    if note:
        return [note]
    dated = query.dataset_dated(values)
    if dated:
        return [_other_day_note(store, query, values, dated, day, limit)]
    return []


# prefixes whose names are no vocabulary's terms: entities and files (check_iri's),
# datatypes (xsd:date after ^^ or as a cast occurs in no triple), Wikidata's items
NOT_VOCABULARIES = ("kgid", "kgfile", "xsd", "wd")
PREFIX_DECL = re.compile(r"(?i)\bPREFIX\s+([\w.-]*):\s*<([^<>\s]*)>")


@lru_cache(maxsize=1)
def ontology_terms() -> frozenset[str]:
    """Every IRI ontology/ontology.ttl declares or uses (its classes, properties and
    concepts; schema.org's, PROV's... terms it maps to), and the schema's class and field
    IRIs (kg.core.schema)."""
    from rdflib import Graph

    graph = Graph().parse(resource_dir("ontology") / "ontology.ttl", format="turtle")
    terms = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    schema = load_schema()
    for kind in schema.kinds.values():
        terms.add(schema.expand(kind.cls))
        terms.update(schema.expand(f.curie) for f in kind.fields.values() if f.curie)
    return frozenset(terms)


def unknown_term_notes(store: Store, text: str) -> list[str]:
    """After no rows: each term of the project's vocabularies the query names that is
    neither in the ontology nor anywhere in the graph, with the ontology's term it most
    likely means (a fresh user's trial: `kgo:exportstatus`, wrong case, answered 0 rows
    and no word). A kgo: term is checked against the ontology; a term of another
    vocabulary (schema:, prov:, skos:...) against the terms the ontology uses of it, as
    the graph uses no other. Entities (kgid:) are check_iri's; datatypes (xsd:) are left
    alone. An entity of kgid: found nowhere in the graph is said as check_iri says it.
    One line each, in the order the query names them."""
    import difflib

    from kg.sparql.syntax import tokens

    namespaces = load_schema().namespaces
    declared = {p: ns for p, ns in PREFIX_DECL.findall(text)}
    vocabularies = {ns: p for p, ns in namespaces.items() if p not in NOT_VOCABULARIES}
    body = PREFIX_DECL.sub(" ", text)
    toks = tokens(body)
    named: dict[str, None] = {}
    for i, (kind, value, _) in enumerate(toks):
        if i and toks[i - 1][1] == "^^":  # a datatype
            continue
        if kind == "iri":
            named[value[1:-1]] = None
        elif kind == "pname" and value.partition(":")[0] in declared:
            prefix, _, local = value.partition(":")
            if local:
                named[declared[prefix] + local] = None
    terms = ontology_terms()
    notes = []
    for iri in named:
        if iri.startswith(namespaces["kgid"]) and "/statement/" not in iri:
            try:  # an entity: check_iri's rule ("no entity kgid:x (did you mean ...?)")
                check_iri(store, iri)
            except QueryError as exc:
                notes.append(f"note: no rows: {exc}")
            continue
        ns = max((n for n in vocabularies if iri.startswith(n)), key=len, default=None)
        if ns is None or iri in terms:
            continue
        if store.query(f"ASK {{ {{ {URIRef(iri).n3()} ?p ?o }} UNION {{ ?s {URIRef(iri).n3()} "
                       f"?o }} UNION {{ ?s ?p {URIRef(iri).n3()} }} }}").boolean:
            continue
        local = iri[len(ns):]
        own = sorted(t[len(ns):] for t in terms if t.startswith(ns) and "/" not in t[len(ns):]
                     and "#" not in t[len(ns):])
        same = [t for t in own if t.lower() == local.lower()]
        close = same or difflib.get_close_matches(local, own, n=1, cutoff=0.75)
        prefix = vocabularies[ns]
        what = ("is not a term of the ontology" if prefix == "kgo"
                else "is not a term the ontology uses, nor in the graph")
        notes.append(f"note: no rows: {prefix}:{local} {what}"
                     + (f"; did you mean {prefix}:{close[0]}?" if close else
                        " (`kg docs` writes the ontology's reference: its classes and "
                        "properties)"))
    return notes


def curie(iri: str) -> str:
    """An IRI of one of the project's namespaces as a CURIE (kgid:china), else <iri>
    (kg.core.schema.shorten over the schema's namespaces)."""
    return shorten(iri, by_longest_namespace(load_schema().namespaces))


def _entity_note(store, query, values, name, day, limit) -> str | None:
    given = curie(expand_iri(values[name].strip(), name))
    text = project(query.bind({**values, name: "*"}, day=day), name)
    found = sorted({str(r[0]) for r in store.query(text).rows if r[0] is not None})
    if not found:
        return None
    shown = ", ".join(curie(i) for i in found[:limit]) + (", ..." if len(found) > limit else "")
    return (f"note: no rows: no row of {query.name} {_has(name, given)}; the values of "
            f"{name} that have rows ({len(found)}): {shown} (e.g. --param "
            f"{name}={curie(found[0])})")


def _has(name: str, value: str) -> str:
    """What a row does with a parameter's value, in words: "is about kgid:nvidia", "cites
    kgid:x", "has kgid:x as its speaker" (a researcher's trial: "kgid:nvidia-h200 is the
    about of no row of disputed-figures")."""
    verbs = {"about": "is about {}", "source": "cites {}", "kind": "is of the kind {}",
             "blocA": "has {} on one side", "blocB": "has {} on the other side"}
    return verbs.get(name, f"has {{}} as its {name}").format(value)


def _date_note(store, query, values, day) -> str | None:
    """A note when the date parameters given lie outside the dates the query answers
    without them: a lower bound (a `date`) not before the last of those dates, or an upper
    bound (an `enddate`) not after the first. Those dates come from the query with the
    given date parameters free, else (a query whose interval needs its end, such as
    changes) at their defaults. The value it suggests is one it has asked the query with
    and got rows: the last date as it stands (an inclusive bound, timeline's start), else
    the period before it at its precision (an exclusive one, changes' since: a month given
    as since counts from its last day, so since=2026-02 is what lets a 2026-03 change in).
    A researcher's trial: `changes --param since=2026-04-14` suggested since=2026-03,
    which has no rows; `since=2030-01-01 --param date=2031` had no note at all."""
    given = {n: v.strip() for n, v in values.items()
             if query.param(n).type in DATE_TYPES and v.strip() != "*"}
    if not given:
        return None
    dates, free = _answer_dates(store, query, values, given, day)
    if not dates:
        return None
    first, last = dates[0], dates[-1]
    lows = [n for n, raw in given.items()
            if query.param(n).type == "date" and parse_day(raw, n) >= last.start]
    highs = [n for n, raw in given.items()
             if query.param(n).type == "enddate" and parse_day(raw, n, last=True) < first.end]
    for names, edge, side, tries, word in (
            (lows, last, "after", _next_to(last, later=False), "earlier"),
            (highs, first, "before", _next_to(first, later=True), "later")):
        if not names:
            continue
        name = names[0]
        kinds = [query.param(n).type for n in given]
        if "date" in kinds and "enddate" in kinds:  # both ends: the whole interval
            bounds = sorted(given, key=lambda n: query.param(n).type != "date")
            what = (f"the interval {' to '.join(f'{n} {given[n]}' for n in bounds)} lies "
                    f"wholly {side}")
        elif side == "after":
            strict = parse_day(given[name], name) > last.end
            what = f"{name} {given[name]} is {'after' if strict else 'not before'}"
        else:
            strict = parse_day(given[name], name, last=True) < first.start
            what = f"{name} {given[name]} is {'before' if strict else 'not after'}"
        head = (f"note: no rows: {what} the {'last' if side == 'after' else 'first'} date in "
                f"the answer of {query.name} with {free} ({edge}; the "
                f"{'first' if side == 'after' else 'last'} is {first if side == 'after' else last})")
        for value in tries:
            n = len(store.query(query.bind({**values, name: value}, day=day)).rows)
            if n:
                return (f"{head}; ask a{'n' if word[0] in 'aeiou' else ''} {word} {name}, e.g. "
                        f"--param {name}={value} ({n} row{'s' if n != 1 else ''})")
        return f"{head}; no {word} {name} next to it gives rows with the other values as given"
    return None


def _answer_dates(store, query, values, given, day) -> tuple[list[DateValue], str]:
    """The date values in the answer of the query with the `given` date parameters free
    (`*`), else at their defaults, sorted by first day; and which of the two it was, as
    --param values (`since=* date=dataset`)."""
    from kg.rdf.graph import DATE_TYPES as GRAPH_DATE_TYPES  # (the builder's: imported late)

    datatypes = frozenset(GRAPH_DATE_TYPES.values())
    tries = [{**values, **dict.fromkeys(given, "*")},
             {k: v for k, v in values.items() if k not in given}]
    for i, asked in enumerate(tries):
        rows = store.query(query.bind(asked, day=day)).rows
        found = {v.text: v for row in rows for t in row if (v := _date_value(t, datatypes)) is not None}
        if found:
            free = " ".join(f"{n}=*" if i == 0 else f"{n}={query.param(n).default or '*'}"
                            for n in given)
            return sorted(found.values(), key=lambda v: (v.start, v.end)), free
    return [], ""


def _next_to(value: DateValue, later: bool) -> list[str]:
    """A bound's values to try beside the date `value` (a lower bound after the last date,
    later=False; an upper bound before the first, later=True): it as it stands (an
    inclusive bound), the period before (after) it at its precision (an exclusive one),
    the day before its first day (after its last)."""
    step = timedelta(days=1 if later else -1)
    edge = (value.end if later else value.start) + step
    period = {"year": f"{(value.end if later else value.start).year + (1 if later else -1)}",
              "month": edge.isoformat()[:7], "day": edge.isoformat()}[value.precision]
    return list(dict.fromkeys([value.text, period, edge.isoformat()]))


def _date_value(term, datatypes) -> DateValue | None:
    """A date literal of a result (at its precision; datatypes: the graph's date datatypes,
    kg.rdf.graph.DATE_TYPES), else None."""
    if not isinstance(term, Literal) or term.datatype not in datatypes:
        return None
    try:
        return DateValue.parse(str(term))
    except ValueError:
        return None


def _other_day_note(store, query, values, dated, day, limit) -> str:
    name = dated[0]
    head = (f"note: no rows on {day or 'the dataset date'}, the dataset's date (the default of "
            f"{', '.join(dated)})")
    # `*` only where it was asked and gave rows (a researcher's trial: `changes --param
    # since=2026-03` was told date=* asks for any day, which gave none either)
    anyday = bool(store.query(query.bind({**values, name: "*"}, day=day)).rows)
    any_day = (f"--param {name}=* asks for any day" if anyday
               else f"--param {name}=* (any day) has no rows either")
    if day is None or len(dated) > 1:
        return f"{head}; to ask another day: --param {name}=YYYY-MM-DD" + (
            f", or {any_day}" if anyday else f"; {any_day}")
    before, after = _days_with_rows(store, query, values, name, day, limit)
    found = [f"the last before it: {before} (--param {name}={before})"] if before else []
    found += [f"the first after it: {after}"] if after else []
    if not found:
        return (f"{head}; nor on the {4 * limit} days nearest it on which a time-bound "
                f"statement starts or ends; {any_day}")
    return f"{head}; days with rows: {'; '.join(found)}; " + ("or " if anyday else "") + any_day


def _days_with_rows(store, query, values, name, day, limit) -> tuple[str | None, str | None]:
    """The nearest day before `day` and after it on which the query has rows: one query
    for the days time-bound statements end and start on, one for the query on the
    nearest of them (`limit` * 4 each side). Before `day` the last day with rows is one on
    which some statement holds for the last time (kgo:holdsUntil), after it the first is
    one on which some statement starts to hold (kgo:holdsFrom): the answer of a query
    whose date only picks the statements that hold changes on no other day."""
    rows = store.query(f"SELECT DISTINCT ?end ?start WHERE {{ {{ ?s <{KGO}holdsUntil> ?end }} "
                       f"UNION {{ ?s <{KGO}holdsFrom> ?start }} }}").rows
    ends, starts = set(), set()
    for end, start in rows:
        try:
            (ends.add(date.fromisoformat(str(end))) if end is not None
             else starts.add(date.fromisoformat(str(start))))
        except ValueError:
            continue
    earlier = sorted(d for d in ends if d < day)[-limit * 4:]
    later = sorted(d for d in starts if d > day)[:limit * 4]
    if not earlier + later:
        return None, None
    terms = " ".join(Literal(d.isoformat(), datatype=XSD.date).n3() for d in earlier + later)
    text = substitute(query.bind({**values, name: "*"}, day=day), {name: terms})
    found = {date.fromisoformat(str(r[0])) for r in store.query(project(text, name)).rows
             if r[0] is not None}
    before = max((d for d in found if d < day), default=None)
    after = min((d for d in found if d > day), default=None)
    return (before.isoformat() if before else None, after.isoformat() if after else None)


def check_retired(store: Store, iri: str, name: str) -> None:
    """Raise QueryError when the IRI is a tombstone (a renamed, merged or withdrawn
    entity): the graph keeps it so that a cited IRI resolves, but no fact is about it any
    more, so the query could only answer no rows (a researcher's trial: `--param
    developer=moonshot-ai` after `kg rename moonshot-ai moonshot` gave 0 rows, no word)."""
    kgo, dct = load_schema().namespaces["kgo"], "http://purl.org/dc/terms/"
    ref = URIRef(iri).n3()
    rows = store.query(f"SELECT ?by ?why WHERE {{ {ref} a <{kgo}Tombstone> "
                       f"OPTIONAL {{ {ref} <{dct}isReplacedBy> ?by }} "
                       f"OPTIONAL {{ {ref} <{kgo}withdrawn> ?why }} }}").rows
    if not rows:
        return
    by, why = rows[0]
    short = curie(iri)
    if by is not None:
        new = curie(str(by))
        raise QueryError(f"parameter {name}: {short} was replaced by {new}: ask with "
                         f"--param {name}={new}")
    raise QueryError(f"parameter {name}: {short} was withdrawn" + (f" ({why})" if why else "")
                     + ": no fact is about it any more")


def check_kind(store: Store, iri: str, name: str, kind: str | None = None) -> None:
    """For a parameter checked as a kind of the schema (named after it, `# param: chip
    iri`, or declaring it, `# param: blocA iri country`), raise QueryError unless the IRI
    names an entity of that kind: "parameter chip: kgid:huawei is an organisation, not a
    chip (chips like it: kgid:huawei-ascend-910, ...)", "parameter blocA: kgo:bloc-us is a
    bloc, not a country; the countries of that bloc: kgid:united-states". Such a value
    could only ever answer no rows. Other parameters (entity, about, speaker...) take any
    kind and are not checked."""
    import difflib

    from kg.data.validate import a

    kind = kind or name
    schema = load_schema()
    if schema.kinds.get(kind) is None or kind == "tombstone":
        return
    label = schema.kinds[kind].label
    plural = _plural(label)
    ns = schema.namespaces
    cls = {k: schema.expand(v.cls) for k, v in schema.kinds.items()}
    ref = URIRef(iri).n3()
    types = {str(r[0]) for r in store.query(f"SELECT ?t WHERE {{ {ref} a ?t }}").rows}
    if cls[kind] in types:
        return
    kinds = [k for k in schema.kinds if cls[k] in types]
    schemes = [str(r[0])[len(KGO):-len("Scheme")] for r in store.query(
        f"SELECT ?s WHERE {{ {ref} <{SKOS}inScheme> ?s }}").rows
        if str(r[0]).startswith(KGO) and str(r[0]).endswith("Scheme")]
    what = (f"is {a(schema.kinds[kinds[0]].label)}" if kinds
            else f"is {a(_words(schemes[0]))}" if schemes
            else "is not an entity of any kind")
    head = f"parameter {name}: {curie(iri)} {what}, not {a(label)}"
    if schemes:  # a concept: the entities of the kind asked for that have it
        members = sorted(str(r[0]) for r in store.query(
            f"SELECT DISTINCT ?s WHERE {{ ?s <{KGO}{schemes[0]}> {ref} ; a <{cls[kind]}> }}").rows)
        raise QueryError(f"{head}; the {plural} of that {_words(schemes[0])}: "
                         f"{', '.join(curie(m) for m in members)}" if members else
                         f"{head}; no {label} is in that {_words(schemes[0])}")
    if kind == "country" and kinds:  # an entity based somewhere: its country
        own = sorted(str(r[0]) for r in store.query(
            f"SELECT DISTINCT ?c WHERE {{ {ref} <{KGO}country> ?c }}").rows)
        if own:
            raise QueryError(f"{head}; its country is {', '.join(curie(c) for c in own)}")
    kgid = ns["kgid"]
    ids = sorted(str(r[0])[len(kgid):] for r in store.query(
        f"SELECT DISTINCT ?s WHERE {{ ?s a <{cls[kind]}> FILTER(STRSTARTS(STR(?s), "
        f"{Literal(kgid).n3()})) }}").rows)
    given = iri[len(kgid):] if iri.startswith(kgid) else iri.rsplit("/", 1)[-1].rsplit("#")[-1]
    close = [i for i in ids if given and given in i][:3] or difflib.get_close_matches(
        given, ids, n=3, cutoff=0.5)
    hint = f" ({plural} like it: {', '.join(curie(kgid + c) for c in close)})" if close else ""
    raise QueryError(f"{head}{hint}")


SKOS = "http://www.w3.org/2004/02/skos/core#"


def _plural(label: str) -> str:
    """a country: countries; a policy: policies; a chip: chips."""
    return label[:-1] + "ies" if label.endswith("y") and label[-2:-1] not in "aeiou" \
        else label + "s"


def _words(name: str) -> str:
    """checkStatus -> check status."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def check_scheme(store: Store, iri: str, name: str, kind: str | None = None) -> None:
    """For a parameter checked as a concept scheme of the ontology (`# param: bloc iri`:
    kgo:blocScheme), raise QueryError unless the IRI is one of its concepts: "parameter
    bloc: kgid:china is a country, not a bloc; its bloc is kgo:bloc-china (the blocs:
    ...)". Such a value could only ever answer no rows (a researcher's trial: `kg query
    blocs --param bloc=kgid:china` gave 0 rows, no word)."""
    from kg.data.validate import a

    kind = kind or name
    schema = load_schema()
    if kind in schema.kinds:
        return  # check_kind's
    scheme = URIRef(f"{KGO}{kind}Scheme").n3()
    members = sorted(str(r[0]) for r in store.query(
        f"SELECT DISTINCT ?c WHERE {{ ?c <{SKOS}inScheme> {scheme} }}").rows)
    if not members or iri in members:
        return
    ref = URIRef(iri).n3()
    cls = {schema.expand(k.cls): k.label for k in schema.kinds.values()}
    kinds = [cls[str(r[0])] for r in store.query(f"SELECT ?t WHERE {{ {ref} a ?t }}").rows
             if str(r[0]) in cls]
    what = f"is {a(kinds[0])}, not {a(kind)}" if kinds else f"is not {a(kind)}"
    own = sorted(str(r[0]) for r in store.query(
        f"SELECT DISTINCT ?c WHERE {{ {ref} <{KGO}{kind}> ?c }}").rows if str(r[0]) in members)
    its = f"; its {kind} is {', '.join(curie(c) for c in own)}" if own else ""
    raise QueryError(f"parameter {name}: {curie(iri)} {what}{its} (the "
                     f"{_plural(kind)}: {', '.join(curie(c) for c in members)})")


def check_iri(store: Store, iri: str) -> None:
    """Raise QueryError unless the IRI occurs in the graph (as subject or object),
    suggesting the closest IRIs of the same namespace (`_known_names`: a bounded set of
    them, not a scan of every subject: that took 15-47 s of a misspelt id at 100k)."""
    import difflib

    ref = URIRef(iri).n3()
    found = store.query(f"ASK {{ {{ {ref} ?p ?o }} UNION {{ ?s ?p {ref} }} }}")
    if found.boolean:
        return
    namespaces = load_schema().namespaces
    ns = max((n for n in namespaces.values() if iri.startswith(n)), key=len, default="")
    prefix = next((p for p, n in namespaces.items() if n == ns), "")
    close: list[str] = []
    if ns:
        known = _known_names(store, ns, iri[len(ns):])
        close = [ns + c for c in difflib.get_close_matches(iri[len(ns):], known, n=3)]
    what = "no entity" if prefix == "kgid" else "nothing in the graph is"
    hint = f" (did you mean {', '.join(curie(c) for c in close)}?)" if close else ""
    raise QueryError(f"{what} {curie(iri)}{hint}")


# a namespace with up to this many named things: a misspelt name is matched against all of
# them; with more, against those sharing four characters in a row with it
SUGGEST_ALL = 2000
OWL = "http://www.w3.org/2002/07/owl#"


def _known_names(store: Store, ns: str, given: str) -> list[str]:
    """The local names in namespace ns that a misspelt `given` is matched against: the
    things the graph types with a class of the schema, a concept or scheme, or a term of
    the ontology (every subject of the namespace but the reified statements). Asked from
    the type index, at most SUGGEST_ALL + 1 rows; beyond that (100k entities), only the
    names sharing a run of four characters with `given` (a regex the engine applies)."""
    schema = load_schema()
    classes = sorted({schema.expand(k.cls) for k in schema.kinds.values()}
                     | {f"{SKOS}Concept", f"{SKOS}ConceptScheme", f"{OWL}Class",
                        f"{OWL}ObjectProperty", f"{OWL}DatatypeProperty", f"{OWL}Ontology"})
    head = (f"SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ {' '.join(f'<{c}>' for c in classes)} }} "
            f"?s a ?t ")
    rows = store.query(f"{head}FILTER(STRSTARTS(STR(?s), {Literal(ns).n3()})) }} "
                       f"LIMIT {SUGGEST_ALL + 1}").rows
    if len(rows) > SUGGEST_ALL:
        if not given:
            return []
        size = min(4, len(given))
        grams = sorted({given[i:i + size] for i in range(len(given) - size + 1)})
        quote = partial(re.compile(r"[\\.^$*+?()\[\]{}|]").sub, lambda m: "\\" + m.group())
        pattern = f"^{quote(ns)}.*({'|'.join(quote(g) for g in grams)})"
        rows = store.query(f"{head}FILTER(REGEX(STR(?s), {Literal(pattern).n3()})) }}").rows
    return sorted(str(r[0])[len(ns):] for r in rows
                  if str(r[0]).startswith(ns) and "/statement/" not in str(r[0]))


__all__ = ["QUERY_DIR", "LibraryQuery", "Param", "check_iri", "check_retired", "check_scheme", "empty_answer_notes", "dataset_day", "expand_iri", "store_day", "find_query", "library",
           "load_query", "parse_day", "parse_header", "parse_params", "rdf_term", "run_query", "substitute", "unknown_term_notes",
           "with_prefixes"]
