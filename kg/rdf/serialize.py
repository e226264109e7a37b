"""Deterministic serialisations: the same graph always gives the same bytes.

rdflib promises no order for its writers (and is slow: 40 s for Turtle at 10k
entities). Here every term is rendered once and the triples are put in a fixed
order; `kg build` then has Oxigraph write graph.ttl, .nt, .jsonld and .trig from
that order (graph_texts), and the small files (ontology/*.ttl, void.ttl) keep the
Python writer's layout (turtle, trig): one block per subject, literals as written.
"""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.core.errors import KGError
from kg.data.loader import gc_paused
from kg.rdf.quads import rows_of

PN_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


def _prefixes(g: Graph) -> list[tuple[str, str]]:
    return sorted((p, str(ns)) for p, ns in g.namespace_manager.namespaces() if p)


class _Terms:
    """Each term written once: its CURIE (or <IRI>), sort key and N-Triples text are
    computed the first time it is met and looked up after (terms repeat ~10x)."""

    def __init__(self, prefixes: list[tuple[str, str]]):
        self.prefixes, self.used = prefixes, set()
        self.text: dict = {}
        self.key: dict = {}
        self.sort: dict = {}
        self.nt: dict = {}
        self.key_by_id: dict = {}
        self.nt_by_id: dict = {}

    def iri(self, term: URIRef) -> str:
        """The IRI as a CURIE where one fits (noting its prefix as used), else <...>."""
        text = str(term)
        best = None
        for prefix, ns in self.prefixes:
            if text.startswith(ns) and (best is None or len(ns) > len(best[1])):
                local = text[len(ns):]
                if PN_LOCAL.match(local):
                    best = (prefix, ns, local)
        if best:
            self.used.add(best[0])
            return f"{best[0]}:{best[2]}"
        return term.n3()

    def __call__(self, term) -> str:
        """The term as Turtle (memoised; the prefix it needs is noted on first use)."""
        out = self.text.get(term)
        if out is None:
            out = self.text[term] = self._render(term)
        return out

    def _render(self, term) -> str:
        if isinstance(term, URIRef):
            return self.iri(term)
        if isinstance(term, Literal):
            if term.language:
                return _string(str(term)) + "@" + term.language
            if term.datatype is not None and str(term.datatype) != XSD_STRING:
                return _string(str(term)) + "^^" + self.iri(term.datatype)
            return _string(str(term))
        raise ValueError(f"blank nodes are not allowed in the graph: {term!r}")

    def sort_key(self, term) -> tuple:
        out = self.sort.get(term)
        if out is None:
            out = self.sort[term] = _sort_key(term)
        return out

    # Both look a term up by its id first (rdflib's __hash__/__eq__ are Python code and a
    # graph holds many equal term objects); the entry keeps the object, so ids stay unique.
    def order(self, term) -> str:
        """A string that sorts subjects by IRI and puts rdf:type before other predicates."""
        hit = self.key_by_id.get(id(term))
        if hit is not None and hit[0] is term:
            return hit[1]
        out = self.key.get(term)
        if out is None:
            out = self.key[term] = "\0" if term == RDF.type else "\1" + str(term)
        self.key_by_id[id(term)] = (term, out)
        return out

    def ntriples(self, term) -> str:
        """The term in canonical N-Triples (Oxigraph's escaping), memoised."""
        hit = self.nt_by_id.get(id(term))
        if hit is not None and hit[0] is term:
            return hit[1]
        out = self.nt.get(term)
        if out is None:
            out = self.nt[term] = nt_term(term)
        self.nt_by_id[id(term)] = (term, out)
        return out


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _string(text: str) -> str:
    out = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
           .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{out}"'


def _sort_key(term) -> tuple:
    return (0 if isinstance(term, URIRef) else 1, str(term),
            str(getattr(term, "datatype", "") or ""), getattr(term, "language", "") or "")


def _body(triples, terms: _Terms, indent: str = "") -> list[str]:
    by_subject: dict = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, set()).add(o)
    key = terms.sort_key
    lines = []
    for s in sorted(by_subject, key=key):
        preds = by_subject[s]
        ordered = sorted(preds, key=lambda p: (p != RDF.type, str(p)))
        parts = []
        for p in ordered:
            pred = "a" if p == RDF.type else terms(p)
            objs = ", ".join(terms(o) for o in sorted(preds[p], key=key))
            parts.append(f"{indent}    {pred} {objs}")
        lines.append(f"{indent}{terms(s)}\n" + " ;\n".join(parts) + " .\n")
    return lines


def _head(terms: _Terms) -> str:
    """Declare only the prefixes the body used."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in terms.prefixes if p in terms.used)


def turtle(g: Graph) -> str:
    """The readable Turtle of small graphs (ontology/*.ttl, void.ttl): one subject per
    block, predicates and objects sorted, literals quoted as written."""
    terms = _Terms(_prefixes(g))
    body = "\n".join(_body(g, terms))
    return _head(terms) + "\n" + body


def trig(ds: Dataset) -> str:
    """TriG in the same layout as turtle(), one block per named graph (Python writer)."""
    terms = _Terms(_prefixes(ds))
    out = []
    graphs = sorted((g for g in ds.graphs() if len(g)), key=lambda g: str(g.identifier))
    for g in graphs:
        name = g.identifier
        if str(name) == "urn:x-rdflib:default":
            continue
        out.append(f"\n{terms(URIRef(name))} {{\n")
        out.append("\n".join(_body(g, terms, "    ")))
        out.append("}\n")
    return _head(terms) + "".join(out)


# -- Oxigraph writers: what `kg build` writes --------------------------------------------
# The triples are put in a fixed order here (their N-Triples lines, sorted), then
# Oxigraph's serialisers (Rust, streaming) write them in that order: the same graph
# always gives the same bytes, about 10x faster than the Python writers above and
# 50x faster than rdflib's own. Every file parses back to the same graph
# (tests/test_serialize.py checks it with rdflib.compare and rapper).


def nt_term(term) -> str:
    """One rdflib term (URIRef or Literal) in N-Triples form, as Oxigraph writes it (the
    text of a term id in kg.rdf.quads.Quads): `<iri>`, `"text"`, `"text"@lang` or
    `"text"^^<datatype>`. Raises KGError for an IRI or literal Oxigraph refuses (the
    message names the term) and ValueError for a blank node (none are allowed)."""
    import pyoxigraph as ox

    try:
        if isinstance(term, URIRef):
            return str(ox.NamedNode(str(term)))
        if isinstance(term, Literal):
            if term.language:
                return str(ox.Literal(str(term), language=term.language))
            if term.datatype is not None:
                return str(ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype))))
            return str(ox.Literal(str(term)))
    except ValueError as exc:
        raise KGError(f"cannot write {term!r} as RDF: {exc}") from None
    raise ValueError(f"blank nodes are not allowed in the graph: {term!r}")


def _nt_lines(triples, terms: _Terms, graph: str = "") -> list[str]:
    """De-duplicated N-Triples (or N-Quads, with graph) lines, in the Turtle writer's order:
    subjects by IRI (an entity before its statements), rdf:type first, then by predicate."""
    nt, order = terms.ntriples, terms.order
    tail = f" {graph} .\n" if graph else " .\n"
    lines = {}
    with gc_paused():  # the memo's tuples would make the GC rescan the whole graph, often
        for s, p, o in triples:
            no = nt(o)
            lines[f"{order(s)}\0{order(p)}\0{no}"] = f"{nt(s)} {nt(p)} {no}{tail}"
    return [lines[k] for k in sorted(lines)]


def _used_prefixes(terms: _Terms, extra_iris=()) -> dict[str, str]:
    """prefix -> namespace for every namespace an IRI of the graph starts with (one prefix per
    namespace, the first by name, as turtle() chooses), in prefix order."""
    first: dict[str, str] = {}
    for prefix, ns in terms.prefixes:
        first.setdefault(ns, prefix)
    iris = [t[1:-1] for t in terms.nt.values() if t.startswith("<")]
    iris += [t.rsplit("^^<", 1)[1][:-1] for t in terms.nt.values() if t.endswith(">")
             and "^^<" in t]
    iris += list(extra_iris)
    used = {prefix for ns, prefix in first.items() if any(i.startswith(ns) for i in iris)}
    return {p: ns for p, ns in terms.prefixes if p in used and first[ns] == p}


def _ox_write(text: str, source_format, target_format, prefixes: dict[str, str]) -> str:
    import pyoxigraph as ox

    data = ox.parse(text.encode("utf-8"), format=source_format)
    return ox.serialize(data, format=target_format, prefixes=prefixes).decode("utf-8")


def ntriples_fast(g: Graph, terms: _Terms | None = None) -> str:
    """Canonical N-Triples, one line per triple, lines sorted."""
    terms = terms or _Terms(_prefixes(g))
    return "".join(_nt_lines(g, terms))


def turtle_fast(g: Graph, terms: _Terms | None = None, lines: list[str] | None = None) -> str:
    """Turtle by Oxigraph: subjects in order, prefixes for every namespace the graph uses."""
    import pyoxigraph as ox

    terms = terms or _Terms(_prefixes(g))
    lines = _nt_lines(g, terms) if lines is None else lines
    return _ox_write("".join(lines), ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE,
                     _used_prefixes(terms))


def jsonld_fast(g: Graph, terms: _Terms | None = None, lines: list[str] | None = None) -> str:
    """Expanded JSON-LD by Oxigraph, one node per line (sorted keys), nodes in subject order."""

    terms = terms or _Terms(_prefixes(g))
    lines = _nt_lines(g, terms) if lines is None else lines
    return _jsonld_of("".join(lines))


def trig_fast(ds: Dataset, terms: _Terms | None = None) -> str:
    """TriG by Oxigraph: one block per named graph, graphs and triples in order."""
    import pyoxigraph as ox

    terms = terms or _Terms(_prefixes(ds))
    lines: list[str] = []
    for g in sorted(ds.graphs(), key=lambda g: str(g.identifier)):
        name = str(g.identifier)
        if name.startswith("urn:x-rdflib:") or not len(g):
            continue
        lines.extend(_nt_lines(g, terms, terms.ntriples(URIRef(name))))
    return _ox_write("".join(lines), ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG,
                     _used_prefixes(terms))


def _dataset_lines(ds: Dataset, terms: _Terms) -> tuple[list[str], list[str]]:
    """One pass over the dataset: the union's N-Triples lines and the named graphs'
    N-Quads lines, each sorted as _nt_lines sorts (graphs by name first)."""
    union: dict[str, str] = {}
    quads: dict[str, str] = {}
    names: dict = {}
    with gc_paused():
        _fill(ds, terms, union, quads, names)
    graph_names = [n[0] for n in names.values() if n]
    return [union[k] for k in sorted(union)], [quads[k] for k in sorted(quads)], graph_names


def _fill(ds: Dataset, terms: _Terms, union: dict, quads: dict, names: dict) -> None:
    nt, order = terms.ntriples, terms.order
    for (s, p, o), contexts in ds.store.triples((None, None, None), None):
        key = f"{order(s)}\0{order(p)}\0{nt(o)}"
        line = f"{nt(s)} {nt(p)} {nt(o)}"
        union[key] = line + " .\n"
        for ctx in contexts:
            name = names.get(ctx)
            if name is None:
                ident = str(getattr(ctx, "identifier", ctx))
                name = names[ctx] = ("" if ident.startswith("urn:x-rdflib:")
                                     else (ident, nt_term(URIRef(ident))))
            if name:
                quads[f"{name[0]}\0{key}"] = f"{line} {name[1]} .\n"


def graph_texts(g: Graph, ds: Dataset) -> dict[str, str]:
    """graph.ttl, graph.nt, graph.jsonld (the graph g) and graph.trig (the dataset's named
    graphs), from one pass over the terms when g is the union of ds (as in kg build)."""
    import pyoxigraph as ox

    terms = _Terms(_prefixes(g))
    lines, quads, graph_names = _dataset_lines(ds, terms)
    if len(lines) != len(g):  # g is not ds's union: write it on its own
        lines = _nt_lines(g, terms)
    trig_text = _ox_write("".join(quads), ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG,
                          _used_prefixes(terms, graph_names))
    return {
        "graph.ttl": turtle_fast(g, terms, lines),
        "graph.nt": "".join(lines),
        "graph.jsonld": jsonld_fast(g, terms, lines),
        "graph.trig": trig_text,
    }


def _namespaces_used(prefixes: list[tuple[str, str]], iris: list[str]) -> dict[str, str]:
    """_used_prefixes for a list of IRIs: prefix -> namespace for each namespace some IRI
    starts with (one prefix per namespace, the first by name), in prefix order."""
    from bisect import bisect_left

    first: dict[str, str] = {}
    for prefix, ns in prefixes:
        first.setdefault(ns, prefix)
    iris = sorted(iris)
    used = set()
    for ns, prefix in first.items():
        i = bisect_left(iris, ns)  # the IRIs starting with ns sort together, from ns on
        if i < len(iris) and iris[i].startswith(ns):
            used.add(prefix)
    return {p: ns for p, ns in prefixes if p in used and first[ns] == p}


def _iris_of(quads, ids) -> list[str]:
    """The IRIs among the terms ids, and the datatype IRIs of the literals among them."""
    terms = quads.terms
    out = []
    for i in ids:
        t = terms[i]
        if t[0] == "<":
            out.append(t[1:-1])
        elif t[-1] == ">" and "^^<" in t:
            out.append(t.rsplit("^^<", 1)[1][:-1])
    return out


GRAPH_FILES = ("graph.ttl", "graph.nt", "graph.jsonld", "graph.trig")
CHUNK = 100_000  # lines per write: the files stream out, never whole in memory


def quads_texts(quads) -> dict[str, str]:
    """graph.ttl, graph.nt, graph.jsonld (the union of the graphs) and graph.trig (the named
    graphs) of the build's quads (kg.rdf.quads.Quads) as text: the same bytes graph_texts
    gives for the same dataset. (write_quads_files writes them without holding them.)"""
    from kg.data.filecache import scratch_folder

    with scratch_folder("graph") as tmp:  # a kill leaves it to the next one's sweep
        paths = write_quads_files(tmp, quads)
        return {p.name: p.read_text(encoding="utf-8") for p in paths}


def write_quads_files(out_dir: Path, quads, jobs: int = 1) -> list[Path]:
    """Write graph.ttl, graph.nt, graph.jsonld and graph.trig of the build's quads into
    out_dir, each replaced atomically; returns their paths (in that order).

    Streamed: N-Triples and JSON-LD lines are written in chunks from the sorted quads,
    and Oxigraph turns graph.nt (and a temporary N-Quads file) into Turtle and TriG
    file to file, so memory stays at the quads', not the texts'. jobs=2: TriG and
    JSON-LD in a forked process (GraphFiles). Raises KGError, not a traceback, when
    the folder cannot be made or written. The four files are renamed into place once
    all are written; a failed or interrupted write leaves no temporary file.
    """
    with GraphFiles(out_dir, quads, jobs) as files:
        return files.finish()


FORKED_FILES = ("graph.trig", "graph.jsonld")  # GraphFiles's second process writes these


class GraphFiles:
    """The four graph files of some quads, begun now and finished later, so that the
    caller can do other work in between (`kg build` checks SHACL, counts its statistics).

    `with GraphFiles(out_dir, quads, jobs) as files:` makes out_dir and, with jobs=2
    (and os.fork), starts a forked process writing graph.trig and graph.jsonld into
    temporary files; `files.finish()` writes graph.nt and graph.ttl in this process (all
    four with jobs=1; none when the other process splices all four, incremental below),
    waits for the other process, and renames the four into place
    together; it returns their paths (GRAPH_FILES order). The quads must not change
    once the block is entered. Leaving the block by an exception (Ctrl-C included) or
    without finish(), or a failure in either process, stops the other process and
    removes every temporary file, so out_dir keeps the files it had; the folders the
    block made (out_dir and its missing parents) are removed again while empty, so a
    build that fails before its files (bad data in SHACL) leaves no new folder. An
    __enter__ that fails undoes itself so, and __exit__ may still be called after it
    (kg.core.forked.Stack does). Raises KGError naming the file that could not be
    written (or the second process's failure).

    incremental=True (`kg build`; off with the caches, kg.data.filecache.enabled): an
    index of the files is kept in the cache, and when it matches the files out_dir holds,
    the files are spliced from them instead, rewriting only the blocks of the graphs
    whose keys changed (kg.rdf.splice: the same bytes). The process given graph.trig
    (the second, with jobs=2, while the first checks SHACL) makes the plan and splices
    all four; `spliced` says, once finish() returned, whether they were. Raises nothing
    more.
    """

    _made: tuple[Path, ...] = ()  # the folders __enter__ made, deepest first
    _finished = False  # finish() put the four files in place: __exit__ leaves them

    def __init__(self, out_dir: Path, quads, jobs: int = 1, incremental: bool = False):
        from kg.core.forked import can_fork
        from kg.data.filecache import enabled

        self.out_dir, self.quads, self.jobs = Path(out_dir), quads, jobs
        self.child = None
        self.tmp = {name: _tmp(self.out_dir, name) for name in GRAPH_FILES}
        # incremental: an index of the files kept in the cache, and the files spliced
        # from the old ones when it matches (kg.rdf.splice)
        self.incremental = incremental and enabled()
        self.plan = None  # the splice (kg.rdf.splice.Plan), in the process that makes it
        self.spliced = False  # known in this process once _write ran
        # with a second process, it makes the plan (while this one checks SHACL) and
        # says through this pipe whether it splices all four files or writes its two
        self.verdict = os.pipe() if self.incremental and self.jobs > 1 and can_fork() \
            else None
        self.made: dict = {}  # name -> (Layout, its header's prefixes, its stamp)
        self.base = None  # the index of a full write, but the layouts and stamps

    def __enter__(self) -> GraphFiles:
        from kg.core.forked import Forked, can_fork

        try:
            made, folder = [], self.out_dir
            while not folder.exists() and folder != folder.parent:
                made.append(folder)
                folder = folder.parent
            self._made = tuple(made)  # known before they are made
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _remove_empty(self._made)  # the parents made before the failure
            raise KGError(f"cannot write {exc.filename or self.out_dir}: "
                          f"{exc.strerror}") from None
        if self.jobs > 1 and can_fork():
            # held before it starts, so that __exit__ can stop it whenever it comes (an
            # ExitStack must be a kg.core.forked.Stack: it holds __exit__ before __enter__)
            self.child = Forked("writing graph.trig and graph.jsonld", self._write,
                                FORKED_FILES, "graph files", on_stop=self._remove_partial)
            try:
                self.child.__enter__()
            except BaseException:  # (Ctrl-C included): as if the block were left
                self.__exit__(None, None, None)
                raise
        return self

    def finish(self, stage: list | None = None) -> list[Path]:
        """Write the four files and put them in place; stage: a list, to add (temporary,
        path) to it instead (see write_texts). Their index is kept either way: it is
        keyed on the files' stamps, which a rename keeps."""
        here = GRAPH_FILES if self.child is None else \
            tuple(name for name in GRAPH_FILES if name not in FORKED_FILES)
        self.made.update(self._write(here))
        if self.child is not None:
            self.made.update(self.child.join()[0])  # (a failure stops it)
            self.child = None  # (not before: a Ctrl-C until join's own guard is __exit__'s)
        try:
            for name, path in self.tmp.items():
                if stage is None:
                    path.replace(self.out_dir / name)
                else:
                    stage.append((path, self.out_dir / name))
        except OSError as exc:
            raise KGError(f"cannot write {exc.filename or self.out_dir}: "
                          f"{exc.strerror}") from None
        self._finished = True
        self._save_index()
        return [self.out_dir / name for name in GRAPH_FILES]

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._finished:
            return
        if self.child is not None:
            self.child.stop()  # its on_stop removes every temporary file (idempotent)
            self.child = None
        self._remove_partial()
        _remove_empty(self._made)

    def _write(self, names, pause: str = "") -> dict:
        """Write the files names into their temporary paths (KGError when one cannot be):
        spliced from the old files when there is a plan (by the call given graph.trig; the
        other does nothing), else in full. Returns, after a full write with incremental,
        name -> (its Layout, its header's prefixes, its stamp) for the index; else {}."""
        from kg.core.forked import pause_point

        pause_point(pause)
        try:
            with gc_paused():
                if self.incremental and "graph.trig" in names:  # one process splices all four
                    self.plan = self._plan()
                    self._say(self.plan is not None)
                    if self.plan is not None:
                        self.spliced = True
                        return self._splice()
                elif self.verdict is not None and self._hear():
                    self.spliced = True  # the second process splices them all
                    return {}
                _write_quads_files(self.quads, {name: self.tmp[name] for name in names},
                                   _tmp(self.out_dir, NQ_TMP))
                return self._laid_out(names)
        except OSError as exc:
            raise KGError(f"cannot write {exc.filename or self.out_dir}: "
                          f"{exc.strerror}") from None

    def _plan(self):
        """The splice from the files out_dir holds, or None (a full write)."""
        from kg.rdf import splice

        try:
            return splice.plan(self.out_dir, self.quads)
        except (ValueError, KeyError, IndexError):  # an index that does not fit: full
            return None

    def _say(self, splicing: bool) -> None:
        """(The process that makes the plan) tell the other whether it splices."""
        if self.verdict is not None:
            os.write(self.verdict[1], b"s" if splicing else b"f")
            self._close_verdict()

    def _hear(self) -> bool:
        """(The first process) wait for the second's word: True when it splices all four
        files; False when it writes its two in full, or ended without a word (its join
        says why)."""
        os.close(self.verdict[1])  # so that a second process that died reads as the end
        self.verdict = (self.verdict[0], None)
        try:
            return os.read(self.verdict[0], 1) == b"s"
        finally:
            self._close_verdict()

    def _close_verdict(self) -> None:
        for fd in self.verdict or ():
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:  # pragma: no cover - closed already
                    pass
        self.verdict = None

    def _laid_out(self, names) -> dict:
        """After a full write (incremental): each file's blocks (graph.nt's from its terms'
        lengths, the others' found in their bytes); and, in the process that writes
        graph.nt, the rest of the index (graph keys, subjects of each graph, namespaces)."""
        import mmap

        from kg.rdf import splice

        if not self.incremental:
            return {}
        out = {}
        for name in names:
            path = self.tmp[name]
            if name == "graph.nt":  # its lines' lengths are known: no need to read it
                got = (splice.nt_layout(self.quads), None)
                if got[0].size != os.stat(path).st_size:
                    return {}
            else:
                with open(path, "rb") as f:
                    if not os.fstat(f.fileno()).st_size:
                        return {}
                    with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
                        got = splice.blocks(name, buf)
            if got is None:
                return {}
            out[name] = (*got, splice.stamp(path))
        if "graph.nt" in names:
            self.base = splice.index_base(self.quads)
        return out

    def _splice(self) -> dict:
        """The four files spliced from the old ones by self.plan and their index kept (in
        the cache, under the new files' stamps: the old files' index stays until they are
        replaced). The process given graph.trig does it (the second one, with jobs=2: it
        takes a fraction of a second, while the first checks SHACL). Should a file's new
        blocks not come out one per subject or graph, the four are written in full."""
        from kg.rdf import splice

        out = {}
        for name in GRAPH_FILES:
            q = self.plan.named if name == "graph.trig" else self.plan.union
            index = self.plan.index
            prefixes = index.trig_prefixes if name == "graph.trig" else index.ttl_prefixes
            fresh = _fresh_bytes(name, q, prefixes) if len(q.rows) else b""
            got = splice.blocks(name, fresh, _subject_rows(q) if name == "graph.nt"
                                else None) if fresh else None
            try:
                made = splice.splice_file(name, self.out_dir / name, self.tmp[name],
                                          self.plan, fresh, got[0] if got else splice.EMPTY)
            except ValueError:
                _write_quads_files(self.quads, self.tmp, _tmp(self.out_dir, NQ_TMP))
                return {}
            out[name] = (made, None, splice.stamp(self.tmp[name]))
        splice.save(self.out_dir, splice.new_index(
            self.plan, {name: got[0] for name, got in out.items()},
            {name: got[2] for name, got in out.items()}))
        return {}  # nothing for _save_index to do

    def _save_index(self) -> None:
        """Keep the index of the files just written (incremental builds only)."""
        from kg.rdf import splice

        if not self.incremental or self.spliced or set(self.made) != set(GRAPH_FILES):
            return  # (a splice keeps its index itself)
        layouts = {name: got[0] for name, got in self.made.items()}
        stamps = {name: got[2] for name, got in self.made.items()}
        found = {name: got[1] for name, got in self.made.items()}
        base = self.base if self.base is not None else splice.index_base(self.quads)
        index = splice.with_files(base, layouts, stamps, found) if base else None
        if index is not None:
            splice.save(self.out_dir, index)

    def _remove_partial(self) -> None:
        self._close_verdict()
        remove_partial(self.out_dir, GRAPH_FILES)


NQ_TMP = "graph.nq"  # write_quads_files's N-Quads, from which Oxigraph writes the TriG


def _subject_rows(quads):
    """The index in quads.triples() of each subject's first triple."""
    import numpy as np

    s = quads.triples()[:, 0]
    return np.flatnonzero(np.r_[True, s[1:] != s[:-1]]) if len(s) else np.zeros(0, np.int64)


def _fresh_bytes(name: str, quads, prefixes: dict[str, str]) -> bytes:
    """The file name of (a few) quads as a full write makes it, in memory."""
    import pyoxigraph as ox

    t = quads.terms
    if name == "graph.jsonld":
        nodes = [node for chunk in _jsonld_chunks(quads) for node in chunk]
        return ("[\n" + ",\n".join(nodes) + "\n]\n").encode("utf-8")
    if name == "graph.trig":
        return ox.serialize(ox.parse("".join(quads.nquads_lines()).encode("utf-8"),
                                     format=ox.RdfFormat.N_QUADS),
                            format=ox.RdfFormat.TRIG, prefixes=prefixes)
    nt = "".join([f"{t[s]} {t[p]} {t[o]} .\n" for s, p, o in rows_of(quads.triples())])
    if name == "graph.nt":
        return nt.encode("utf-8")
    return ox.serialize(ox.parse(nt.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES),
                        format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def _tmp(out_dir: Path, name: str) -> Path:
    """Where a file is written before it replaces out_dir/name."""
    return out_dir / (name + ".tmp")


def remove_partial(out_dir: Path, names) -> None:
    """Remove the temporary files that writing names into out_dir (write_quads_files,
    write_texts) may have left when it was stopped: the finished files are untouched."""
    for name in (*names, NQ_TMP):
        try:
            _tmp(Path(out_dir), name).unlink(missing_ok=True)
        except OSError:  # pragma: no cover - the folder itself went away
            pass


@contextmanager
def _partial_removed(out_dir: Path, names):
    """A block that removes its temporary files if it fails (or is interrupted)."""
    try:
        yield
    except BaseException:
        remove_partial(out_dir, names)
        raise


def _remove_empty(folders) -> None:
    """Remove folders (each inside the next: deepest first; those missing passed over)
    up to the first that is not empty, or cannot be removed."""
    for folder in folders:
        try:
            folder.rmdir()
        except FileNotFoundError:  # not made: the failure came first
            continue
        except OSError:
            return


def _write_lines(path: Path, rows, line) -> None:
    """Write line(*row) for each row of an int array, in chunks of CHUNK rows."""
    from kg.rdf.quads import rows_of

    with open(path, "w", encoding="utf-8", newline="") as f:
        for start in range(0, len(rows), CHUNK):
            f.write("".join([line(*r) for r in rows_of(rows[start:start + CHUNK])]))


def _write_quads_files(quads, tmp: dict[str, Path], nq: Path) -> None:
    """Write, of the four graph files, those tmp names, each to its path in tmp (Turtle
    needs N-Triples: graph.ttl comes with graph.nt). nq: where the N-Quads that Oxigraph
    turns into TriG go meanwhile (removed after)."""
    import numpy as np
    import pyoxigraph as ox

    t = quads.terms
    triples = quads.triples()
    iris = _iris_of(quads, np.unique(triples).tolist())
    if "graph.nt" in tmp:
        _write_lines(tmp["graph.nt"], triples, lambda s, p, o: f"{t[s]} {t[p]} {t[o]} .\n")
    if "graph.ttl" in tmp:
        ox.serialize(ox.parse(path=str(tmp["graph.nt"]), format=ox.RdfFormat.N_TRIPLES),
                     output=str(tmp["graph.ttl"]), format=ox.RdfFormat.TURTLE,
                     prefixes=_namespaces_used(quads.prefixes, iris))
    if "graph.trig" in tmp:
        graphs = np.unique(quads.quads()[:, 0]).tolist()
        try:
            _write_lines(nq, quads.quads(),
                         lambda g, s, p, o: f"{t[s]} {t[p]} {t[o]} {t[g]} .\n")
            ox.serialize(ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS),
                         output=str(tmp["graph.trig"]), format=ox.RdfFormat.TRIG,
                         prefixes=_namespaces_used(quads.prefixes,
                                                   iris + _iris_of(quads, graphs)))
        finally:
            nq.unlink(missing_ok=True)
    if "graph.jsonld" in tmp:
        with open(tmp["graph.jsonld"], "w", encoding="utf-8", newline="") as f:
            f.write("[\n")
            first = True
            for chunk in _jsonld_chunks(quads):
                f.write(("" if first else ",\n") + ",\n".join(chunk))
                first = False
            f.write("\n]\n")


def _jsonld_chunks(quads):
    """The union's expanded JSON-LD as jsonld_fast writes it (one node per line, keys sorted,
    nodes in subject order, values in object order), made straight from the sorted quads
    (each term's JSON once) and yielded as lists of node lines."""
    import numpy as np

    from kg.rdf.quads import literal_parts

    terms = quads.terms
    dumps = json.dumps

    def value(t: str) -> str:
        if t[0] == "<":
            return dumps({"@id": t[1:-1]}, ensure_ascii=False)
        lex, tag, datatype = literal_parts(t)
        if tag:
            return dumps({"@language": tag, "@value": lex}, ensure_ascii=False)
        if datatype:
            return dumps({"@type": datatype, "@value": lex}, ensure_ascii=False)
        return dumps({"@value": lex}, ensure_ascii=False)

    spo = quads.triples()
    if not len(spo):
        return
    # JSON-LD keys sort by IRI alone (rdf:type among the others): re-sort each subject's
    # predicates by IRI, keeping subjects and, within a predicate, objects in order
    order, _ = quads.ranks()
    iri_rank = quads.iri_ranks()
    spo = spo[np.lexsort((np.arange(len(spo)), iri_rank[spo[:, 1]], order[spo[:, 0]]))]
    objs = np.unique(spo[:, 2])
    memo = dict(zip(objs.tolist(), (value(terms[o]) for o in objs.tolist()), strict=True))
    preds = np.unique(spo[:, 1]).tolist()
    keys = {p: dumps(terms[p][1:-1], ensure_ascii=False) for p in preds}
    n = len(spo)
    new_sp = np.ones(n, dtype=bool)
    new_sp[1:] = (spo[1:, :2] != spo[:-1, :2]).any(axis=1)
    new_s = np.ones(n, dtype=bool)
    new_s[1:] = spo[1:, 0] != spo[:-1, 0]
    group_starts = np.flatnonzero(new_sp)
    node_starts = np.flatnonzero(new_s)
    group_ends = np.append(group_starts[1:], n).tolist()
    # which group each node starts with, and ends before
    node_groups = np.searchsorted(group_starts, node_starts).tolist() + [len(group_starts)]
    subjects = spo[:, 0].tolist()
    gp = spo[group_starts, 1].tolist()
    group_starts = group_starts.tolist()
    for c0 in range(0, len(node_starts), CHUNK // 10):
        c1 = min(c0 + CHUNK // 10, len(node_starts))
        lo, hi = group_starts[node_groups[c0]], group_ends[node_groups[c1] - 1]
        vals = [memo[o] for o in spo[lo:hi, 2].tolist()]
        out = []
        for k in range(c0, c1):
            g0, g1 = node_groups[k], node_groups[k + 1]
            body = ", ".join([f"{keys[gp[g]]}: [{', '.join(vals[group_starts[g] - lo:group_ends[g] - lo])}]"
                              for g in range(g0, g1)])
            out.append('{"@id": ' + dumps(terms[subjects[group_starts[g0]]][1:-1],
                                          ensure_ascii=False) + ", " + body + "}")
        yield out


def _jsonld_of(nt_text: str) -> str:
    import pyoxigraph as ox

    doc = json.loads(ox.serialize(ox.parse(nt_text.encode("utf-8"),
                                           format=ox.RdfFormat.N_TRIPLES),
                                  format=ox.RdfFormat.JSON_LD))
    nodes = doc.get("@graph", [doc]) if isinstance(doc, dict) else doc
    return "[\n" + ",\n".join(json.dumps(n, sort_keys=True, ensure_ascii=False)
                               for n in nodes) + "\n]\n"


def ntriples(g: Graph) -> str:
    """Canonical N-Triples, sorted lines (the Oxigraph path; rdflib's writer is 10x slower)."""
    return ntriples_fast(g)


def jsonld(g: Graph) -> str:
    """Expanded JSON-LD, one node per line (the Oxigraph path)."""
    return jsonld_fast(g)


def write_texts(out_dir: Path, texts: dict[str, str],
                stage: list | None = None) -> list[Path]:
    """Write each file (name -> text) into out_dir as UTF-8, each replaced atomically.
    stage: a list, to leave each file under its temporary name and add (temporary,
    path) to it instead: the caller puts them in place (kg.pipeline: all the build's
    outputs together).

    Raises KGError, not a traceback, when the folder cannot be made or written; a failed
    or interrupted write leaves no temporary file (the files already replaced stay).
    """
    out_dir = Path(out_dir)
    written = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with _partial_removed(out_dir, texts):
            for name, text in texts.items():
                path = out_dir / name
                tmp = _tmp(out_dir, name)
                tmp.write_text(text, encoding="utf-8")
                if stage is None:
                    tmp.replace(path)
                else:
                    stage.append((tmp, path))
                written.append(path)
    except OSError as exc:
        raise KGError(f"cannot write {exc.filename or out_dir}: {exc.strerror}") from None
    return written
