"""A built dataset held compactly: every term once, as its N-Triples text; each quad four ints.

rdflib's in-memory store keeps ~1.7 KiB per triple and takes ~15 µs per `add`; at 100k
entities (3.7M triples) that was 6.5 GiB and minutes. `Quads` keeps a term table (one
string per distinct term, in Oxigraph's canonical N-Triples form) and one `array('i')` of
(graph, subject, predicate, object) ids: 16 bytes per quad plus the distinct terms, and
~1 µs per quad. SHACL (kg.rdf.shapes), the statistics, VoID and the four graph files
(kg.rdf.serialize) read it directly; `dataset()` and `union()` make rdflib objects from
it for callers that still want rdflib.
"""

from __future__ import annotations

import re
from array import array

from kg.core.errors import KGError

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ESCAPE = re.compile(r'\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))', re.DOTALL)
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'",
           "\\": "\\"}


def _unescape(m: re.Match) -> str:
    code = m.group(1) or m.group(2)
    return chr(int(code, 16)) if code else _SIMPLE.get(m.group(3), "\\" + m.group(3))


def unescape(body: str) -> str:
    """A quoted string's body with its escapes resolved: N-Triples', Turtle's and SPARQL
    TSV's (`\\t \\b \\n \\r \\f \\" \\' \\\\`, `\\uXXXX`, `\\UXXXXXXXX`); any other
    backslash is kept as written."""
    return _ESCAPE.sub(_unescape, body) if "\\" in body else body


def literal_parts(nt: str) -> tuple[str, str | None, str | None]:
    """A literal as Oxigraph writes it (N-Triples, or a cell of SPARQL TSV results) ->
    (lexical form unescaped, language tag as written or None, datatype IRI or None):
    `"a\\nb"@en` -> ('a\\nb', 'en', None). Raises ValueError if `nt` is not a literal."""
    end = nt.rfind('"')
    if end > 0 and nt[0] == '"':
        lex, rest = unescape(nt[1:end]), nt[end + 1:]
        if not rest:
            return lex, None, None
        if rest[0] == "@" and len(rest) > 1:
            return lex, rest[1:], None
        if rest.startswith("^^<") and rest[-1] == ">":
            return lex, None, rest[3:-1]
    raise ValueError(f"not an N-Triples literal: {nt[:200]!r}")


def lexical(nt: str) -> str:
    """The lexical form of a literal's N-Triples text, unescaped (`"a\\nb"@en` -> 'a\\nb').
    Raises ValueError if it is not a literal."""
    return literal_parts(nt)[0]


def term_from_nt(nt: str, tag: str | None = None):
    """One term as Oxigraph writes it, in N-Triples or in a cell of SPARQL TSV results
    (`<iri>`, `_:label`, `"lexical"`, `"lexical"@lang`, `"lexical"^^<datatype>`) -> the
    rdflib URIRef, BNode or Literal (an xsd:string literal is a plain Literal, as rdflib
    reads one). tag: the language tag to give the literal instead of the one written
    (N-Triples has it in lower case). The IRI is taken as Oxigraph wrote it, unchecked.
    The one decoder of such text: kg.rdf.quads (the quads' terms) and kg.sparql.store
    (query results read through TSV). Raises ValueError for anything else (a bare TSV
    number, an RDF-star triple)."""
    if not _RDFLIB:  # imported on first use (kg.rdf.quads itself does not need rdflib)
        from rdflib import BNode, Literal, URIRef

        _RDFLIB.extend((URIRef, Literal, BNode))
    first = nt[:1]
    if first == "<" and nt[-1] == ">" and nt[1:2] != "<":
        return str.__new__(_RDFLIB[0], nt[1:-1])
    uriref, literal, bnode = _RDFLIB
    if first == '"':
        lex, lang, datatype = literal_parts(nt)
        if lang is not None:
            return literal(lex, lang=tag or lang)
        if datatype is None or datatype == XSD_STRING:
            return literal(lex)
        return literal(lex, datatype=uriref(datatype))
    if nt.startswith("_:"):
        return bnode(nt[2:])
    raise ValueError(f"not an N-Triples term: {nt[:200]!r}")


_RDFLIB: list = []  # rdflib's URIRef, Literal and BNode, once term_from_nt has run
PACK3_MAX_TERMS = 1 << 21  # below it, a triple's three ids fit one 64-bit key (Quads._count)


class Quads:
    """Quads of one dataset: `terms[i]` is term i's N-Triples text; `rows` holds
    (graph, subject, predicate, object) ids, four ints per quad, duplicates allowed
    (they are dropped when the quads are read sorted).

    prefixes: the (prefix, namespace) pairs the dataset binds, sorted (the writers choose
    from them). Add terms with `iri`, `literal` or `term` (an rdflib term), pick the named
    graph with `use_graph`, then `add(s, p, o)`. `ids` maps a term's text to its id;
    `tags` maps the id of a literal whose language tag is not written in lower case to
    the tag as written (N-Triples holds it in lower case; rdflib terms keep the case).
    """

    def __init__(self, prefixes: list[tuple[str, str]]):
        import numpy  # noqa: F401  (fail here, not halfway through a build)

        self.prefixes = prefixes
        self.terms: list[str] = []
        self.ids: dict[str, int] = {}
        self._iris: dict[str, int] = {}
        self._plain: dict[str, int] = {}
        self._typed: dict[tuple, int] = {}
        self.tags: dict[int, str] = {}
        self.rows = array("i")
        self.graph = -1
        self._cache: dict = {}
        # named graph IRI -> a digest that changes whenever that graph's quads may have
        # changed; set by a builder that knows its inputs (see graph_keys), else None
        self.known_graph_keys: dict[str, str] | None = None

    @classmethod
    def from_dataset(cls, ds) -> Quads:
        """The quads of an rdflib Dataset's named graphs (its default graph left out, as
        the writers leave it out), with its prefixes. Raises ValueError for a blank node."""
        q = cls(sorted((p, str(ns)) for p, ns in ds.namespace_manager.namespaces() if p))
        for g in ds.graphs():
            name = str(g.identifier)
            if not name.startswith("urn:x-rdflib:") and len(g):
                q.add_triples(name, g)
        return q

    # -- terms ------------------------------------------------------------------------
    def term_id(self, nt: str) -> int:
        """The id of the term whose N-Triples text is nt, added if new. nt is not checked:
        it must be a term's text as `terms` holds them (one of another Quads', say)."""
        i = self.ids.get(nt)
        if i is None:
            i = self.ids[nt] = len(self.terms)
            self.terms.append(nt)
        return i

    def iri(self, text: str) -> int:
        """The id of the IRI `text`. Raises KGError if it is not an IRI RDF can hold."""
        i = self._iris.get(text)
        if i is None:
            import pyoxigraph as ox

            try:
                nt = str(ox.NamedNode(text))
            except ValueError as exc:
                raise KGError(f"cannot write <{text}> as RDF: {exc}") from None
            i = self._iris[text] = self.term_id(nt)
        return i

    def literal(self, lex: str, datatype: str | None = None, lang: str | None = None) -> int:
        """The id of a literal: plain, with a datatype IRI, or with a language tag."""
        if datatype is None and lang is None:
            i = self._plain.get(lex)
            if i is None:
                i = self._plain[lex] = self.term_id(self._literal_nt(lex, None, None))
            return i
        key = (lex, datatype, lang)
        i = self._typed.get(key)
        if i is None:
            i = self._typed[key] = self.term_id(self._literal_nt(lex, datatype, lang))
            if lang:  # N-Triples has it in lower case; rdflib keeps the case it is given
                tag = canonical_tag(lang)
                if tag != lang.lower():
                    self.tags[i] = tag
        return i

    @staticmethod
    def _literal_nt(lex: str, datatype: str | None, lang: str | None) -> str:
        import pyoxigraph as ox

        try:
            if lang:
                return str(ox.Literal(lex, language=lang))
            if datatype is not None:
                return str(ox.Literal(lex, datatype=ox.NamedNode(datatype)))
            return str(ox.Literal(lex))
        except ValueError as exc:
            raise KGError(f"cannot write {lex!r} ({datatype or lang}) as RDF: {exc}") from None

    def term(self, t) -> int:
        """The id of an rdflib URIRef or Literal. Raises ValueError for a blank node."""
        from rdflib import Literal, URIRef

        if isinstance(t, URIRef):
            return self.iri(str(t))
        if isinstance(t, Literal):
            return self.literal(str(t), str(t.datatype) if t.datatype is not None else None,
                                t.language)
        raise ValueError(f"blank nodes are not allowed in the graph: {t!r}")

    def find(self, t) -> int | None:
        """The id of an rdflib term if the dataset uses it, else None."""
        from rdflib import Literal, URIRef

        if isinstance(t, URIRef):
            i = self._iris.get(str(t))
            if i is not None:
                return i
        if not isinstance(t, (URIRef, Literal)):
            return None
        from kg.rdf.serialize import nt_term

        try:
            return self.ids.get(nt_term(t))
        except KGError:
            return None

    def set_terms(self, terms: list[str], tags: dict[int, str]) -> None:
        """Replace every term at once: terms (N-Triples texts, ids by position; the list
        is kept, not copied) and their language tags as written (see the class). The
        lookups of `iri` and `literal` start again from `ids`; what was computed from
        the old terms is dropped (`rows_replaced`). For a caller that renumbers terms
        (kg.rdf.graphcache's compaction, or the terms read back from its entry)."""
        self.terms = terms
        self.ids = dict(zip(terms, range(len(terms)), strict=True))
        self.tags = tags
        self._iris, self._plain, self._typed = {}, {}, {}
        self.rows_replaced()

    # -- quads ------------------------------------------------------------------------
    def use_graph(self, iri: str) -> None:
        """Add the next quads to the named graph `iri`."""
        self.graph = self.iri(iri)

    def add(self, s: int, p: int, o: int) -> None:
        self.rows.extend((self.graph, s, p, o))
        if self._cache:
            self._cache.clear()

    def add_triples(self, graph_iri: str, triples) -> None:
        """Add rdflib triples to the named graph graph_iri."""
        self.use_graph(graph_iri)
        term = self.term
        for s, p, o in triples:
            self.add(term(s), term(p), term(o))

    def rows_replaced(self) -> None:
        """Drop what was computed from `rows` and `terms` (the arrays of row_array,
        triples, quads, the ranks): call after replacing or editing them other than by
        `add`, which does it itself."""
        self._cache.clear()

    # -- reading --------------------------------------------------------------------------
    def row_array(self):
        """The quads as an (n, 4) numpy int array (graph, subject, predicate, object ids),
        in the order added, duplicates kept; computed once until the rows change (a copy:
        `rows` stays growable)."""
        import numpy as np

        got = self._cache.get("rows")
        if got is None:
            got = self._cache["rows"] = np.frombuffer(self.rows, dtype=np.intc).reshape(-1, 4).copy()
        return got

    def ranks(self):
        """Each term's rank in the writers' order: (subject/predicate rank, object rank),
        two int64 arrays indexed by term id. Subjects and predicates sort by IRI with
        rdf:type first; objects by N-Triples text. Computed once until the terms change."""
        import numpy as np

        got = self._cache.get("ranks")
        if got is None:
            terms = self.terms
            # the IRI order with rdf:type moved to the front (one sort fewer)
            order = self.iri_ranks().copy()
            t = self.ids.get(f"<{RDF_TYPE}>")
            if t is not None:
                order[order < order[t]] += 1
                order[t] = 0
            n = len(terms)
            text = np.empty(n, dtype=np.int64)
            text[sorted(range(n), key=terms.__getitem__)] = np.arange(n)
            got = self._cache["ranks"] = (order, text)
        return got

    def iri_ranks(self):
        """Each term's rank by its IRI (or text) alone, rdf:type among the others: an
        int64 array indexed by term id. Computed once until the terms change."""
        import numpy as np

        got = self._cache.get("iri_ranks")
        if got is None:
            terms = self.terms
            keys = [t[1:-1] if t[0] == "<" else t for t in terms]
            got = np.empty(len(terms), dtype=np.int64)
            got[sorted(range(len(terms)), key=keys.__getitem__)] = np.arange(len(terms))
            self._cache["iri_ranks"] = got
        return got

    def triples(self):
        """The union's distinct triples as an (n, 3) id array, in the writers' order
        (subjects by IRI, an entity before its statements, rdf:type first, then predicates
        by IRI, objects by N-Triples text)."""
        return self._sorted("triples", 1)

    def quads(self):
        """The distinct quads as an (n, 4) id array: graphs by IRI, then as triples()."""
        return self._sorted("quads", 0)

    def _sorted(self, name: str, first: int):
        """rows[:, first:] sorted (graph and subject and predicate by order rank, object by
        text rank), duplicates dropped; cached under name."""
        import numpy as np

        got = self._cache.get(name)
        if got is None:
            rows = self.row_array()
            order, text = self.ranks()
            keys = [text[rows[:, 3]]] + [order[rows[:, c]] for c in (2, 1, 0)[:3 - first]]
            got = rows[np.lexsort(keys), first:]
            if len(got):
                keep = np.ones(len(got), dtype=bool)
                keep[1:] = (got[1:] != got[:-1]).any(axis=1)
                got = got[keep]
            self._cache[name] = got
        return got

    def __len__(self) -> int:
        """The number of distinct triples in the union of the graphs."""
        got = self._cache.get("triples")
        return len(got) if got is not None else self._count(1)

    def quad_count(self) -> int:
        """The number of distinct quads (the sum of the named graphs' sizes)."""
        got = self._cache.get("quads")
        return len(got) if got is not None else self._count(0)

    def _count(self, first: int) -> int:
        """Distinct rows of rows[:, first:], counted by sorting the raw ids packed into
        64-bit keys (no term ranks, which need the terms' strings sorted: the writers make
        those once, at the end); kept until the next add."""
        import numpy as np

        name = f"count{first}"
        got = self._cache.get(name)
        if got is not None:
            return got
        rows = self.row_array()[:, first:].astype(np.int64)
        if not len(rows):
            got = 0
        elif first == 1 and len(self.terms) < PACK3_MAX_TERMS:  # three ids in one key
            key = (rows[:, 0] << 42) | (rows[:, 1] << 21) | rows[:, 2]
            key.sort()
            got = int(1 + (key[1:] != key[:-1]).sum())
        else:  # two ids per key (the ids are below 2**31)
            keys = [(rows[:, c] << 32) | rows[:, c + 1] for c in range(0, rows.shape[1] - 1, 2)]
            if rows.shape[1] % 2:
                keys.append(rows[:, -1])
            order = np.lexsort(keys[::-1])
            new = np.zeros(len(rows) - 1, dtype=bool)
            for k in keys:
                k = k[order]
                new |= k[1:] != k[:-1]
            got = int(1 + new.sum())
        self._cache[name] = got
        return got

    def nquads_lines(self) -> list[str]:
        """The named graphs as N-Quads lines, graphs by IRI, each graph's triples sorted."""
        t = self.terms
        return [f"{t[s]} {t[p]} {t[o]} {t[g]} .\n" for g, s, p, o in rows_of(self.quads())]

    def by_predicate(self, p: int) -> dict[int, set[int]]:
        """subject id -> its object ids for predicate id p, over all graphs."""
        rows = self.row_array()
        sel = rows[rows[:, 2] == p]
        out: dict[int, set[int]] = {}
        for s, o in zip(sel[:, 1].tolist(), sel[:, 3].tolist(), strict=True):
            got = out.get(s)
            if got is None:
                out[s] = {o}
            else:
                got.add(o)
        return out

    def pairs(self, p: int):
        """The distinct (subject id, object id) pairs of predicate id p over all graphs: an
        (n, 2) numpy int64 array sorted by subject, then object (the rows of by_predicate
        without a Python object per quad)."""
        import numpy as np

        rows = self.row_array()
        sel = rows[rows[:, 2] == p]
        packed = np.unique(sel[:, 1].astype(np.int64) << 32 | sel[:, 3].astype(np.int64))
        return np.stack([packed >> 32, packed & 0xFFFFFFFF], axis=1)

    def graphs_of(self, subjects: set[int]) -> dict[int, list[int]]:
        """subject id -> the ids of the graphs that hold a quad about it, in quad order."""
        import numpy as np

        rows = self.row_array()
        sel = rows[np.isin(rows[:, 1], np.fromiter(subjects, dtype=np.intc, count=len(subjects)))]
        out: dict[int, list[int]] = {}
        for g, s in zip(sel[:, 0].tolist(), sel[:, 1].tolist(), strict=True):
            seen = out.setdefault(s, [])
            if g not in seen:
                seen.append(g)
        return out

    # -- rdflib views -------------------------------------------------------------------------
    def rdflib_term(self, i: int):
        """Term i as an rdflib URIRef or Literal (memoised)."""
        memo = self._cache.setdefault("rdflib", {})
        got = memo.get(i)
        if got is None:
            got = memo[i] = term_from_nt(self.terms[i], self.tags.get(i))
        return got

    def union(self, binds: dict[str, str] | None = None):
        """All triples of all graphs as one rdflib Graph (with the dataset's prefixes)."""
        from rdflib import Graph

        g = Graph()
        self._fill(g, binds, lambda _: g, rows_of(self.triples()))
        return g

    def dataset(self, binds: dict[str, str] | None = None):
        """The quads as an rdflib Dataset: one named graph per graph IRI."""
        from rdflib import Dataset, URIRef

        ds = Dataset()
        contexts: dict = {}

        def context(g):
            ctx = contexts.get(g)
            if ctx is None:
                ctx = contexts[g] = ds.graph(URIRef(self.terms[g][1:-1]))
            return ctx

        self._fill(ds, binds, context, rows_of(self.quads()))
        return ds

    def _fill(self, target, binds, context, rows) -> None:
        from kg.data.loader import gc_paused

        for prefix, ns in (binds or {}).items():
            target.bind(prefix, ns, override=True, replace=True)
        conv = self.rdflib_term
        with gc_paused():
            for row in rows:
                g, s, p, o = row if len(row) == 4 else (None, *row)
                context(g).add((conv(s), conv(p), conv(o)))


def graph_triples(quads: Quads) -> dict[str, frozenset[tuple[str, str, str]]]:
    """Each named graph's IRI (without its angle brackets) -> its triples, each as three
    N-Triples texts (subject, predicate, object). Term ids differ between two Quads; these
    texts do not, so two builds compare by them."""
    t = quads.terms
    out: dict[str, set] = {}
    for g, s, p, o in rows_of(quads.row_array()):
        got = out.get(t[g])
        if got is None:
            got = out[t[g]] = set()
        got.add((t[s], t[p], t[o]))
    return {g[1:-1]: frozenset(v) for g, v in out.items()}


def graph_keys(quads: Quads) -> dict[str, str]:
    """Each named graph's IRI (without angle brackets) -> a key (text) that is equal for
    two builds whenever that graph's triples are equal, so that work per graph (SHACL,
    the graph files' blocks) can be kept from one build to the next (a key may change
    where the triples did not, never the reverse). The builder's quads.known_graph_keys
    where it set them, else hashed_keys (0.14 s for 10k entities' 367k quads)."""
    import numpy as np

    rows, t = quads.row_array(), quads.terms
    known = quads.known_graph_keys or {}
    out, unknown = {}, []
    for g in np.unique(rows[:, 0]).tolist():
        name = t[g][1:-1]
        key = out[name] = known.get(name)
        if key is None:
            unknown.append(g)
    if unknown:
        out.update(hashed_keys(quads, rows if len(unknown) == len(out) else
                               rows[np.isin(rows[:, 0], unknown)]))
    return out


MIX = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xBF58476D1CE4E5B9)


def hashed_keys(q: Quads, rows) -> dict[str, str]:
    """Graph IRI -> a key for each graph in rows (an (n, 4) array of q's ids): the count
    of its rows and the sum (mod 2**64) of a 64-bit hash of each row's three terms'
    N-Triples texts (BLAKE2b of each text, mixed by position), so equal triples give
    equal keys, whatever the term ids; a triple listed twice changes the key (the check
    is then merely done again). Prefixed "h" so it never equals a builder's key."""
    import hashlib

    import numpy as np

    t = q.terms
    used = np.unique(rows[:, 1:])
    h = np.zeros(len(t), dtype=np.uint64)
    h[used] = np.frombuffer(b"".join(
        hashlib.blake2b(t[i].encode("utf-8", "surrogatepass"), digest_size=8).digest()
        for i in used.tolist()), dtype="<u8")
    k1, k2, k3, k4 = (np.uint64(m) for m in MIX)
    with np.errstate(over="ignore"):
        x = h[rows[:, 1]] * k1 + h[rows[:, 2]] * k2 + h[rows[:, 3]] * k3
        x ^= x >> np.uint64(31)
        x *= k4
        x ^= x >> np.uint64(29)
        order = np.argsort(rows[:, 0], kind="stable")
        graphs, starts, counts = np.unique(rows[order, 0], return_index=True,
                                           return_counts=True)
        sums = np.add.reduceat(x[order], starts) if len(order) else x[:0]
    return {t[g][1:-1]: f"h{int(n):x}-{int(v):016x}"
            for g, n, v in zip(graphs.tolist(), counts.tolist(), sums.tolist(), strict=True)}


def changed_graphs(old: Quads, new: Quads) -> set[str]:
    """The IRIs of the named graphs whose triples differ between two builds: graphs only
    in one of them included. Compares every quad's text (about 1 s per million quads):
    the reference that incremental builds are checked against."""
    a, b = graph_triples(old), graph_triples(new)
    return {g for g in a.keys() | b.keys() if a.get(g) != b.get(g)}


def canonical_tag(tag: str) -> str:
    """A BCP 47 language tag in the case RFC 5646 recommends (`zh-hans` -> `zh-Hans`,
    `en-gb` -> `en-GB`): the same term whichever case the data spelled it in, so that a
    build's rdflib views do not depend on which file, or which earlier build, named the
    literal first. Subtags after a singleton (`x-...`) stay in lower case."""
    parts = tag.split("-")
    out = [parts[0].lower()]
    singleton = False
    for part in parts[1:]:
        if singleton or len(part) == 1:
            singleton = True
            out.append(part.lower())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def rows_of(arr):
    """The rows of a 2-D int array as tuples of Python ints. One flat list per column
    (ints are not tracked by the garbage collector; a list per row would be, and at
    millions of rows the collector's passes cost more than the work)."""
    return zip(*(arr[:, c].tolist() for c in range(arr.shape[1])), strict=True)


__all__ = ["Quads", "changed_graphs", "graph_keys", "graph_triples", "hashed_keys", "lexical", "literal_parts", "rows_of", "term_from_nt", "unescape"]
