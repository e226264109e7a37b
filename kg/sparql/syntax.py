"""Plainer SPARQL syntax errors: a misspelt keyword named, and what may stand there.

The parsers' own messages can mislead a reader: Oxigraph answers `SELEC ?x WHERE {...}`
with "expected CONSTRUCT", `... LIMT 3` with "expected one of HAVING, OFFSET, OPTIONAL,
VALUES" (no LIMIT), and `{ ?x ?y }` with "expected one of LATERAL, SERVICE" (a fresh
user's trial). Its position is the farthest it read, often the end of the text, not
the word at fault. `explain` adds to such an error:

- "did you mean LIMIT?" for a bare word within a small edit distance of a SPARQL
  keyword or function, at or before the error's position, when the query with that
  word replaced parses (or fails only further on); the error then points at the word;
- what may stand there, from where it is in the query (before the query form, between
  it and WHERE, inside a group, after the WHERE group: the solution modifiers not yet
  given, in their order), when the parser's list leaves some of them out;
- inside a group, a triple pattern short of its object ("?x ?y has no object").
"""

from __future__ import annotations

import re

from kg.sparql.store import TOKEN_TERMS

# the SPARQL 1.1 query grammar's keywords and built-in functions (and Oxigraph's LATERAL)
KEYWORDS = frozenset("""
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED DISTINCT REDUCED AS GROUP BY
    HAVING ORDER ASC DESC LIMIT OFFSET VALUES OPTIONAL UNION MINUS GRAPH SERVICE SILENT
    FILTER BIND UNDEF EXISTS NOT IN A TRUE FALSE LATERAL SEPARATOR
    """.split())
FUNCTIONS = frozenset("""
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT
    STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR
    MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384
    SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX
    SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT
    """.split())
KNOWN = KEYWORDS | FUNCTIONS
# where a word stands -> what may stand there (as a reader writes it)
FORMS = ["PREFIX", "BASE", "SELECT", "CONSTRUCT", "DESCRIBE", "ASK"]
PROJECTION = ["a variable", "*", "DISTINCT", "REDUCED", "(expression AS ?var)", "FROM",
              "WHERE"]
IN_GROUP = ["a triple pattern", "OPTIONAL", "FILTER", "BIND", "UNION", "MINUS", "VALUES",
            "GRAPH", "{", "}"]
MODIFIERS = ["GROUP BY", "HAVING", "ORDER BY", "LIMIT", "OFFSET", "VALUES"]

_TOKEN = re.compile(TOKEN_TERMS + r"""
      | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
      | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
      | (?P<word>[A-Za-z_]\w*)
      | (?P<open>[{(\[])
      | (?P<close>[})\]])
      | (?P<punct>[.;,*]|\^\^)""", re.VERBOSE | re.DOTALL)
TERMS = ("iri", "var", "pname", "number", "string")


def tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of each token that matters here; comments left out."""
    return [(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(text)
            if m.lastgroup != "comment"]


def offset_of(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column (clamped to the text)."""
    lines = text.split("\n")
    line = min(max(line, 1), len(lines))
    return min(sum(len(x) + 1 for x in lines[:line - 1]) + max(column, 1) - 1, len(text))


def line_column(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def distance(a: str, b: str) -> int:
    """The optimal string alignment distance (an adjacent swap counts one edit)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def close_keywords(word: str) -> list[str]:
    """SPARQL keywords and functions within 1 edit of a word of 4 letters or fewer, 2 of a
    longer one; the nearest first."""
    upper = word.upper()
    limit = 1 if len(upper) <= 4 else 2
    found = sorted((distance(upper, k), k) for k in KNOWN
                   if abs(len(k) - len(upper)) <= limit and k != "A")
    return [k for d, k in found if d <= limit]


def _fails_at(text: str) -> int | None:
    """Where the query text stops parsing (an offset), or None when it parses."""
    import pyoxigraph

    try:
        pyoxigraph.Store().query(text)  # an empty store: parsing is the whole work
    except SyntaxError as exc:
        m = re.match(r"error at (\d+):(\d+)", str(exc))
        return offset_of(text, int(m[1]), int(m[2])) if m else 0
    except Exception:  # noqa: BLE001 - it parsed; what an empty store does is no matter
        return None
    return None


def _context(toks: list[tuple[str, str, int]], at: int) -> tuple[str, list[str]]:
    """Where the offset `at` stands in the query, in words, and what may stand there."""
    depth, form, closed, seen = 0, False, False, []
    for kind, value, start in toks:
        if start >= at:
            break
        upper = value.upper()
        if kind == "open" and value == "{":
            depth += 1
        elif kind == "close" and value == "}":
            depth = max(depth - 1, 0)
            closed = closed or (form and depth == 0)
        elif kind == "word" and depth == 0:
            if upper in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK"):
                form = True
            elif closed and upper in ("GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"):
                seen.append(upper)
    if depth:
        return "inside a group", IN_GROUP
    if not form:
        return "before the query form", FORMS
    if not closed:
        return "between the query form and its WHERE group", PROJECTION
    names = [m.split()[0] for m in MODIFIERS]
    after = max((names.index(s) for s in seen), default=-1)
    rest = [m for i, m in enumerate(MODIFIERS) if i > after
            or (names[i] in ("LIMIT", "OFFSET") and names[after] in ("LIMIT", "OFFSET")
                and names[i] not in seen)]
    return "after the WHERE group", rest


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" or {parts[-1]}"


def _named(detail: str) -> set[str]:
    """The keywords a parser's "expected ..." names."""
    m = re.search(r"expected (?:one of )?(.*)", detail, re.S)
    return set(re.findall(r"\b[A-Z][A-Z_]+\b", m[1])) if m else set()


def _short_triple(toks, at: int) -> str | None:
    """A triple pattern short of its predicate or object, ending at the `}` or `.` at
    or just before `at` (`{ ?x ?y }`): what it lacks, in words."""
    ends = [i for i, (k, v, s) in enumerate(toks) if s < at and (v in ("}", "."))]
    if not ends:
        return None
    end = ends[-1]
    start = end
    while start > 0 and toks[start - 1][0] in TOPLEVEL_TERMS:
        start -= 1
    if start == 0 or toks[start - 1][1] not in ("{", "."):
        return None
    terms = [v for _, v, _ in toks[start:end]]
    if len(terms) == 2:
        return f"the triple pattern `{' '.join(terms)}` has no object"
    if len(terms) == 1:
        return f"the triple pattern `{terms[0]}` has no predicate and no object"
    return None


TOPLEVEL_TERMS = TERMS + ("word",)


def explain(text: str, line: int, column: int, detail: str) -> tuple[int, int, str]:
    """A syntax error's line, column and detail, made plainer (the module's rules); as
    given when nothing is found to add. The text is the query as parsed."""
    if "service" in text.lower():  # never run a text that could call out (_fails_at)
        return line, column, detail
    toks = tokens(text)
    at = offset_of(text, line, column)
    unknown = [(v, s) for k, v, s in toks if k == "word" and v.upper() not in KNOWN
               and s <= at]
    guess = None
    for word, start in reversed(unknown):
        for keyword in close_keywords(word):
            fixed = text[:start] + keyword + text[start + len(word):]
            fails = _fails_at(fixed)
            if fails is None or fails >= start + len(keyword):
                guess = (word, start, keyword)
                break
        if guess:
            break
    if guess:
        word, start, keyword = guess
        where, may = _context(toks, start)
        line, column = line_column(text, start)
        said = f"{word} is no SPARQL keyword: did you mean {keyword}?"
        if len(may) > 1:
            said += f" ({where} a query takes {_listed(may)})"
        return line, column, f"{said} (the parser said: {detail})"
    short = _short_triple(toks, at)
    if short:
        return line, column, f"{short} (the parser said: {detail})"
    where, may = _context(toks, at)
    words = {m.split()[0] for m in may if m.split()[0].isupper()}
    if words - _named(detail) and _named(detail):
        return line, column, f"{detail}; {where} a query takes {_listed(may)}"
    return line, column, detail
