"""SHACL validation of the built graph, each violation mapped back to its file and line.

Two engines give the same results (tests/test_shapes.py runs both on every kind of
violation and compares):

- `core`: the part of SHACL Core that ontology/shapes.ttl uses (sh:targetClass; property
  shapes with one IRI path and sh:minCount, sh:maxCount, sh:class, sh:datatype,
  sh:nodeKind, sh:in, sh:or of sh:class or sh:datatype alternatives, one sh:message),
  evaluated with one pass per property over the store's predicate index. It needs no
  union graph and no pySHACL import: about 20x faster on the curated data.
- `pyshacl`: the full engine, used for any shapes graph that says more than that
  (`engine="auto"` decides per shapes graph).

pySHACL cannot point into YAML, so the mapping uses what the graph itself records:
each entity's and statement's kgo:sourceLine, and the named graph (one per data
file) that holds it.

Kept between checks (`shacl_issues(..., keep=data folder)`, what `kg validate` and
`kg build` do while caches are on): the core engine's results on the schema's shapes,
per data folder, in the cache folder (`shacl/shacl-<folder hash>.json`, the newest 8
kept; plain JSON with a checksum; an entry from another engine source or other shapes,
cut short or edited is not used: the full check runs). The rule, exact for every
shape the core engine runs (it has no sh:node, no inverse paths, no counts over
anything but a focus node's own values):
- the results about a focus node depend on its own triples (in whichever graphs: its
  rdf:types decide which shapes target it, its values are checked), on the rdf:types
  of its values (sh:class), and on the rdfs:subClassOf triples (the ontology's graph);
  nothing else.
- a graph has changed when its key differs from the kept one, or it is new, or it is
  gone. The key: the builder's quads.known_graph_keys (as kg.rdf.quads.graph_keys
  gives them), else a hash of the graph's triples (kg.rdf.quads.hashed_keys). If the subClassOf
  triples changed: the full check.
- checked again: every subject of a changed graph; every subject the kept check saw in
  two or more graphs, one of them changed (its triples may have left that graph); every
  subject with an sh:class-checked value typed in a changed graph, now or as kept (the
  entry lists, per graph, the subjects it types that are such values).
- every other kept result is reused (kept as N-Triples text, so term ids may differ
  from build to build); the file, line and message of every result are worked out
  afresh, so an issue reads as a full check's.
`kg build` checks the quads with its VoID graph (build/void.ttl) added, `kg validate`
without: no shape targets a VoID node, so the issues are the same, and the kept entry
serves both (the VoID graph is one graph more or less: its few subjects are checked).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.core.errors import Issue
from kg.core.schema import Schema, load_schema
from kg.rdf.graph import union_graph
from kg.rdf.ontology import SH, build_shapes, kgo
from kg.rdf.quads import graph_keys

# (focus node, path, message, value or None): what a validation result says
Result = tuple


def shacl_issues(ds, schema: Schema | None = None, shapes: Graph | None = None,
                 entities: dict | None = None, engine: str = "auto",
                 keep=None) -> list[Issue]:
    """Run SHACL over the dataset; return one Issue per violation, with file and line.

    ds: an rdflib Dataset, or the build's quads (kg.rdf.quads.Quads, or the LazyDataset
    `check` returns), which the core engine reads without making rdflib objects.
    engine: "core" (the fast subset; raises ValueError if the shapes need more),
    "pyshacl", or "auto" (core when it can, else pyshacl).
    keep: the data folder (a Path) the quads were built from: the check is kept in the
    cache folder, and the next check of that folder re-validates only what can have
    changed (see _kept_check: the same issues as a full check). Used for the core engine
    on quads with the schema's own shapes, while caches are on; else ignored.
    """
    schema = schema or load_schema()
    quads = _quads_of(ds)
    if shapes is None and engine != "pyshacl":
        compiled = _schema_shapes(schema)
    else:
        shapes = shapes if shapes is not None else build_shapes(schema)
        compiled = compile_shapes(shapes) if engine != "pyshacl" else None
    if compiled is None and engine == "core":
        raise ValueError("these shapes use SHACL beyond what the core engine evaluates")
    if compiled is None and shapes is None:
        shapes = build_shapes(schema)
    if quads is not None and compiled is not None:
        from kg.data.loader import gc_paused

        with gc_paused():
            if keep is not None and shapes is None:
                results = _kept_check(compiled, quads, keep)
            else:
                results = compiled.validate_quads(quads)
        return _issues(_QuadsView(quads, schema, {r[0] for r in results}), schema, results,
                       entities) if results else []
    if quads is not None:  # pySHACL reads rdflib
        ds = ds.materialise() if hasattr(ds, "materialise") else quads.dataset(
            dict(quads.prefixes))
    results = compiled.validate(ds) if compiled is not None else _pyshacl_results(ds, shapes)
    if not results:
        return []
    return _issues(_DatasetView(ds), schema, results, entities)


def _quads_of(ds):
    """The Quads behind ds, if ds is quads or a LazyDataset not yet made into rdflib."""
    from kg.rdf.quads import Quads

    if isinstance(ds, Quads):
        return ds
    source = getattr(type(ds), "materialise", None) and ds.__dict__.get("quads_source")
    if source is not None and ds.made is None:
        return source
    return None


class _DatasetView:
    """What _issues asks of the data, answered from an rdflib Dataset."""

    def __init__(self, ds: Dataset):
        self.ds = ds

    def graphs_of(self, nodes: set) -> dict:
        out: dict = {}
        for s in nodes:
            if s is None:
                continue
            for _, contexts in self.ds.store.triples((s, None, None), None):
                for ctx in contexts:
                    out.setdefault(s, []).append(str(getattr(ctx, "identifier", ctx)))
        return out

    def source_line(self, node, prop):
        return next(iter(_objects(self.ds, node, prop)), None)

    def normalize(self, path) -> str:
        return self.ds.namespace_manager.normalizeUri(path)


class _QuadsView:
    """What _issues asks of the data, answered from the build's quads."""

    def __init__(self, quads, schema: Schema, nodes=()):
        self.q, self.nodes = quads, nodes  # nodes: those whose source lines are asked for
        self.lines: dict | None = None
        self.nm = Graph()
        for prefix, ns in quads.prefixes:
            self.nm.bind(prefix, ns, override=True, replace=True)

    def graphs_of(self, nodes: set) -> dict:
        ids = {self.q.find(n): n for n in nodes if n is not None}
        ids.pop(None, None)
        got = self.q.graphs_of(set(ids))
        return {ids[i]: [self.q.terms[g][1:-1] for g in gs] for i, gs in got.items()}

    def source_line(self, node, prop):
        if self.lines is None:  # the lines of the result's nodes only (a few, usually)
            import numpy as np

            pid = self.q.find(prop)
            rows = self.q.row_array()
            rows = rows[rows[:, 2] == pid] if pid is not None else rows[:0]
            nodes = [i for i in map(self.q.find, self.nodes) if i is not None]
            self.lines = _Rows(self.q, rows[np.isin(rows[:, 1], nodes)]).by_predicate(pid)
        got = self.lines.get(self.q.find(node), ())
        return self.q.rdflib_term(next(iter(got))) if got else None

    def normalize(self, path) -> str:
        return self.nm.namespace_manager.normalizeUri(path)


_COMPILED: dict[int, tuple[Schema, CompiledShapes | None]] = {}


def _schema_shapes(schema: Schema) -> CompiledShapes | None:
    """The schema's own shapes, compiled once per schema object, and kept in the cache
    folder (shacl/shapes-<key>.json, keyed by this module's and kg.rdf.ontology's source
    and the schema) so that a new process reads them instead of building the shapes
    graph and compiling it (0.08 s)."""
    hit = _COMPILED.get(id(schema))
    if hit is None or hit[0] is not schema:
        import sys

        from kg.data.filecache import fingerprint, remembered
        from kg.rdf import ontology

        key = fingerprint([sys.modules[__name__], ontology], "shapes", schema)
        compiled = remembered("shapes", key,
                              lambda: _encode_shapes(compile_shapes(build_shapes(schema))),
                              _decode_shapes, folder=KEPT_FOLDER)
        hit = _COMPILED[id(schema)] = (schema, compiled)
    return hit[1]


def _encode_term(t) -> list:
    if isinstance(t, Literal):
        return ["l", str(t), t.language, str(t.datatype) if t.datatype is not None else None]
    if isinstance(t, URIRef):
        return ["i", str(t)]
    raise TypeError(f"a shape names a {type(t).__name__}")  # not kept: compiled each time


def _decode_term(x: list):
    if x[0] == "l":
        return Literal(x[1], lang=x[2], datatype=URIRef(x[3]) if x[3] is not None else None)
    if x[0] == "i":
        return URIRef(x[1])
    raise ValueError(x[0])


def _encode_shapes(shapes: CompiledShapes | None):
    """CompiledShapes as plain JSON (None stays None); _decode_shapes reads it back."""
    def check(c: Check) -> list:
        arg = (sorted((_encode_term(a) for a in c.arg), key=str) if c.kind == "in"
               else _encode_term(c.arg))
        return [c.kind, arg]

    if shapes is None:
        return None
    return [[_encode_term(cls), [[_encode_term(ps.path), _encode_term(ps.message),
                                  ps.min_count, ps.max_count, [check(c) for c in ps.checks],
                                  [[check(c) for c in alt] for alt in ps.alternatives]]
                                 for ps in props]] for cls, props in shapes.targets]


def _decode_shapes(x) -> CompiledShapes | None:
    def check(c: list) -> Check:
        return Check(c[0], frozenset(map(_decode_term, c[1])) if c[0] == "in"
                     else _decode_term(c[1]))

    if x is None:
        return None
    targets = []
    for cls, props in x:
        pss = []
        for path, message, low, high, checks, alternatives in props:
            if not (isinstance(low, int) and (high is None or isinstance(high, int))):
                raise TypeError("not a count")
            pss.append(PropertyShape(_decode_term(path), _decode_term(message), low, high,
                                     [check(c) for c in checks],
                                     [[check(c) for c in alt] for alt in alternatives]))
        targets.append((_decode_term(cls), pss))
    return CompiledShapes(targets)


def _pyshacl_results(ds: Dataset, shapes: Graph) -> set[Result]:
    import pyshacl  # imported here: only shapes beyond the core engine need it

    # Entities carry exactly their kind's class, so sh:class needs no RDFS inference
    # (which tripled the time); the union graph already holds the ontology.
    data = union_graph(ds)
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                           advanced=False, allow_warnings=True)
    if conforms:
        return set()
    return {(report.value(r, SH.focusNode), report.value(r, SH.resultPath),
             report.value(r, SH.resultMessage), report.value(r, SH.value))
            for r in report.subjects(RDF.type, SH.ValidationResult)}


def _issues(view, schema: Schema, results: set[Result], entities) -> list[Issue]:
    K = kgo(schema)
    where = _locations(view, schema, {r[0] for r in results})
    issues = []
    for focus, path, message, value in results:
        rel, line, entity = where.get(focus, ("(graph)", 0, str(focus)))
        if isinstance(focus, URIRef):
            src_line = view.source_line(focus, K.sourceLine)
            line = int(src_line) if src_line is not None else line
        prop = view.normalize(path) if isinstance(path, URIRef) else str(path)
        ent = (entities or {}).get(entity)
        if ent is not None and "/statement/" not in str(focus):
            fields = schema.kinds[ent.kind].fields
            for name, f in fields.items():
                if isinstance(path, URIRef) and schema.expand(f.curie) == str(path):
                    line = ent.field_lines.get(name, line)
                    prop = f"{name} ({prop})"
                    break
        detail = f" (value {value})" if value is not None else ""
        issues.append(Issue(rel, line, 0, entity, f"SHACL: {prop}: {message}{detail}",
                            "correct the field so the graph satisfies ontology/shapes.ttl",
                            rule="shacl"))
    return sorted(set(issues))


def _objects(ds: Dataset, s, p) -> set:
    """Objects of (s, p, ?) in any named graph (the union, without building it)."""
    return {t[2] for t, _ in ds.store.triples((s, p, None), None)}


def _locations(view, schema: Schema, nodes: set) -> dict[URIRef, tuple[str, int, str]]:
    """node IRI -> (file, line, entity id) for the given entity and statement nodes."""
    file_ns = schema.namespaces["kgfile"]
    id_ns = schema.namespaces["kgid"]
    out = {}
    for s, names in view.graphs_of(nodes).items():
        for name in names:
            if name.startswith(file_ns + "data/"):
                entity = (str(s)[len(id_ns):].split("/", 1)[0] if str(s).startswith(id_ns)
                          else str(s))
                out[s] = (name[len(file_ns):], 0, entity)
                break
    return out


# -- the core engine --------------------------------------------------------------------
NODE_SHAPE_KEYS = {RDF.type, RDFS.label, RDFS.comment, SH.targetClass, SH.property}
PROPERTY_KEYS = {RDF.type, RDFS.label, RDFS.comment, SH.path, SH.message, SH.minCount,
                 SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH["or"],
                 SH.name, SH.description}
ALTERNATIVE_KEYS = {RDF.type, SH["class"], SH.datatype}
LIST_KEYS = {RDF.first, RDF.rest}
PYTHON_TYPES = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int,
                XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: dt.date,
                XSD.time: dt.time, XSD.dateTime: dt.datetime}


@dataclass
class Check:
    """One value test: sh:class, sh:datatype, sh:nodeKind or sh:in."""

    kind: str
    arg: object

    def ok(self, v, types_of, supers) -> bool:
        if self.kind == "class":
            if isinstance(v, Literal):
                return False
            return any(self.arg in supers(t) for t in types_of(v))
        if self.kind == "datatype":
            return _datatype_ok(v, self.arg)
        if self.kind == "nodeKind":
            return _node_kind_ok(v, self.arg)
        return v in self.arg  # sh:in


@dataclass
class PropertyShape:
    path: URIRef
    message: Literal
    min_count: int = 0
    max_count: int | None = None
    checks: list[Check] = field(default_factory=list)
    alternatives: list[list[Check]] = field(default_factory=list)  # sh:or


@dataclass
class CompiledShapes:
    targets: list[tuple[URIRef, list[PropertyShape]]]  # (target class, its property shapes)

    def validate(self, ds: Dataset) -> set[Result]:
        store = ds.store
        types: dict = {}
        for (s, _, o), _ in store.triples((None, RDF.type, None), None):
            types.setdefault(s, set()).add(o)
        sub: dict = {}
        for (s, _, o), _ in store.triples((None, RDFS.subClassOf, None), None):
            sub.setdefault(s, set()).add(o)
        supers = _superclasses(sub)

        def types_of(v):
            return types.get(v, ())

        values_by_path: dict = {}

        def values(path):
            got = values_by_path.get(path)
            if got is None:
                got = values_by_path[path] = {}
                for (s, _, o), _ in store.triples((None, path, None), None):
                    got.setdefault(s, set()).add(o)
            return got

        instances = _instances(types, supers)
        results: set[Result] = set()
        for cls, props in self.targets:
            focus_nodes = instances.get(cls, ())
            for ps in props:
                _violations(results, focus_nodes, values(ps.path), ps, ps.checks,
                            ps.alternatives, lambda c, v: c.ok(v, types_of, supers))
        return results

    def validate_quads(self, q) -> set[Result]:
        """validate() over the build's quads (kg.rdf.quads.Quads), the same results."""
        return _validate_quads(self, q)

    def results(self, found, q) -> set[Result]:
        """_validate_ids' violations (focus id, target index, property index, value id or
        None) as results (focus node, path, message, value or None) in rdflib terms."""
        term, out = q.rdflib_term, set()
        for f, ti, pi, v in found:
            ps = self.targets[ti][1][pi]
            out.add((term(f), ps.path, ps.message, term(v) if v is not None else None))
        return out


def _violations(found: set, focus_nodes, vals: dict, ps: PropertyShape, checks: list,
                alternatives: list[list], ok, key: tuple | None = None) -> None:
    """Add to found, for one property shape, (focus node, *key, None) for each focus node
    whose number of values is outside ps's min/max count, and (focus node, *key, value)
    for each value that fails one of checks or every group of alternatives (sh:or).
    key: what names the shape in a result, by default (path, message). vals: focus node
    -> its values; ok(check, value) -> bool. The one rule of both engines (validate on
    rdflib's store, _validate_quads on quads)."""
    key = (ps.path, ps.message) if key is None else key
    verdicts: dict = {}  # value -> whether it fails (values repeat: sources, concepts)
    if not ps.min_count and ps.max_count is None:  # only nodes with values can fail
        focus_nodes = vals.keys() & (focus_nodes if isinstance(focus_nodes, set)
                                     else set(focus_nodes))
    for f in focus_nodes:
        vs = vals.get(f, ())
        if len(vs) < ps.min_count or (ps.max_count is not None and len(vs) > ps.max_count):
            found.add((f, *key, None))
        for v in vs:
            bad = verdicts.get(v)
            if bad is None:
                bad = any(not ok(c, v) for c in checks)
                if not bad and alternatives:
                    bad = not any(all(ok(c, v) for c in alt) for alt in alternatives)
                verdicts[v] = bad
            if bad:
                found.add((f, *key, v))


def _superclasses(sub: dict):
    """supers(c): c and every class it is a subclass of, transitively (sub: class -> its
    direct superclasses), memoised."""
    closure: dict = {}

    def supers(c):
        out = closure.get(c)
        if out is None:
            out, todo = {c}, [c]
            while todo:
                for parent in sub.get(todo.pop(), ()):
                    if parent not in out:
                        out.add(parent)
                        todo.append(parent)
            closure[c] = out
        return out

    return supers


def _instances(types: dict, supers) -> dict:
    """class -> its SHACL instances (those of its subclasses included)."""
    instances: dict = {}
    for s, ts in types.items():
        for c in {c for t in ts for c in supers(t)}:
            instances.setdefault(c, []).append(s)
    return instances


def _quad_checks(checks: list[Check], q) -> list[tuple[str, object]]:
    """The checks with their arguments as term ids (None: a term the data never uses)."""
    out = []
    for c in checks:
        if c.kind == "class":
            out.append(("class", q.find(c.arg)))
        elif c.kind == "in":
            out.append(("in", frozenset(i for i in map(q.find, c.arg) if i is not None)))
        else:
            out.append((c.kind, c.arg))
    return out


PLAIN_OK = frozenset({RDFS.Literal, XSD.string})
LANG_OK = frozenset({RDFS.Literal, RDF.langString})


def _validate_quads(shapes: CompiledShapes, q) -> set[Result]:
    """CompiledShapes.validate over kg.rdf.quads.Quads: the same tests on term ids (each
    literal's datatype checked once, plain and language-tagged strings without rdflib)."""
    return shapes.results(_validate_ids(shapes, q), q)


def _validate_ids(shapes: CompiledShapes, q, focus: set | None = None) -> set[tuple]:
    """The violations in q as (focus id, target index, property index, value id or None):
    the shape is shapes.targets[target index][1][property index]. q: Quads, or a _Rows
    view of some of them; focus: the only focus node ids to check (None: all)."""
    terms = q.terms
    tid, sid = q.find(RDF.type), q.find(RDFS.subClassOf)
    pids = {ps.path: q.find(ps.path) for _, props in shapes.targets for ps in props}
    by_pid = _by_predicates(q, {tid, sid, *pids.values()} - {None})
    types, sub = by_pid.get(tid, {}), by_pid.get(sid, {})
    supers = _superclasses(sub)

    datatype_memo: dict = {}

    def datatype_ok(v, rule) -> bool:
        key = (v, rule)
        got = datatype_memo.get(key)
        if got is None:
            nt = terms[v]
            if nt[0] != '"':
                got = False
            elif nt[-1] == '"':
                got = rule in PLAIN_OK
            elif '"@' in nt and "^^<" not in nt[nt.rindex('"'):]:
                got = rule in LANG_OK
            else:
                got = _datatype_ok(q.rdflib_term(v), rule)
            datatype_memo[key] = got
        return got

    kinds = {SH.IRI: "<", SH.Literal: '"', SH.BlankNode: "_"}

    def ok(check, v) -> bool:
        kind, arg = check
        if kind == "class":
            return arg is not None and terms[v][0] != '"' and any(
                arg in supers(t) for t in types.get(v, ()))
        if kind == "datatype":
            return datatype_ok(v, arg)
        if kind == "nodeKind":
            first = terms[v][0]
            if arg in kinds:
                return first == kinds[arg]
            return {SH.BlankNodeOrIRI: first in "<_", SH.BlankNodeOrLiteral: first in '_"',
                    SH.IRIOrLiteral: first in '<"'}.get(arg, False)
        return v in arg  # sh:in

    instances = _instances(types, supers)
    found: set = set()
    for ti, (cls, props) in enumerate(shapes.targets):
        cid = q.find(cls)
        focus_nodes = instances.get(cid, ()) if cid is not None else ()
        if focus is not None:
            focus_nodes = [f for f in focus_nodes if f in focus]
        for pi, ps in enumerate(props):
            vals = by_pid.get(pids[ps.path], {})
            _violations(found, focus_nodes, vals, ps, _quad_checks(ps.checks, q),
                        [_quad_checks(alt, q) for alt in ps.alternatives], ok, (ti, pi))
    return found


def _by_predicates(q, pids: set[int]) -> dict[int, dict[int, set[int]]]:
    """predicate id -> q.by_predicate(id) for each of pids (those q uses), from one
    selection of the rows instead of one pass over every row per predicate."""
    import numpy as np

    rows = q.row_array()
    sel = rows[np.isin(rows[:, 2], sorted(pids))]
    sel = sel[np.argsort(sel[:, 2], kind="stable")]
    used, starts = np.unique(sel[:, 2], return_index=True)
    ends = [*starts[1:].tolist(), len(sel)]
    return {p: _Rows(q, sel[a:b]).by_predicate(p)
            for p, a, b in zip(used.tolist(), starts.tolist(), ends, strict=True)}


def _datatype_ok(v, rule) -> bool:
    """pySHACL's sh:datatype test: a literal of that datatype, well-formed where checkable."""
    if not isinstance(v, Literal):
        return False
    datatype, lang = v.datatype, v.language
    if datatype == rule:
        return getattr(v, "ill_typed", None) is not True and _python_type_ok(v, rule)
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and datatype:
        return True
    if datatype is None and lang is None and rule == XSD.string:
        return _python_type_ok(v, rule)
    if rule == RDF.langString and lang:
        return _python_type_ok(v, rule)
    return False


def _python_type_ok(v: Literal, rule) -> bool:
    want = PYTHON_TYPES.get(rule)
    return True if want is None else isinstance(v.value, want)


def _node_kind_ok(v, kind) -> bool:
    iri, blank, lit = isinstance(v, URIRef), isinstance(v, BNode), isinstance(v, Literal)
    return {SH.IRI: iri, SH.BlankNode: blank, SH.Literal: lit, SH.BlankNodeOrIRI: iri or blank,
            SH.BlankNodeOrLiteral: blank or lit, SH.IRIOrLiteral: iri or lit}.get(kind, False)


def compile_shapes(shapes: Graph) -> CompiledShapes | None:
    """The shapes as the core engine runs them, or None if they use anything else."""
    def keys(node) -> set:
        return set(shapes.predicates(node, None))

    def one(node, pred):
        vals = list(shapes.objects(node, pred))
        if len(vals) > 1:
            raise _Unsupported
        return vals[0] if vals else None

    def rdf_list(head) -> list:
        out, seen = [], set()
        while head != RDF.nil:
            if head in seen or not keys(head) <= LIST_KEYS:
                raise _Unsupported
            seen.add(head)
            out.append(one(head, RDF.first))
            head = one(head, RDF.rest)
            if head is None:
                raise _Unsupported
        return out

    def value_checks(node) -> list[Check]:
        out = []
        if (c := one(node, SH["class"])) is not None:
            out.append(Check("class", c))
        if (d := one(node, SH.datatype)) is not None:
            out.append(Check("datatype", d))
        return out

    try:
        handled: set = set()
        targets = []
        node_shapes = set(shapes.subjects(SH.targetClass, None)) | set(
            shapes.subjects(RDF.type, SH.NodeShape))
        for ns in sorted(node_shapes, key=str):
            if not keys(ns) <= NODE_SHAPE_KEYS or set(shapes.objects(ns, RDF.type)) - {SH.NodeShape}:
                raise _Unsupported  # node-level constraints, implicit class targets...
            handled.add(ns)
            props = []
            for p in shapes.objects(ns, SH.property):
                if not keys(p) <= PROPERTY_KEYS or not isinstance(one(p, SH.path), URIRef):
                    raise _Unsupported
                message = one(p, SH.message)
                if message is None:  # pySHACL would write its own message
                    raise _Unsupported
                handled.add(p)
                ps = PropertyShape(one(p, SH.path), message)
                if (n := one(p, SH.minCount)) is not None:
                    ps.min_count = int(n)
                if (n := one(p, SH.maxCount)) is not None:
                    ps.max_count = int(n)
                ps.checks = value_checks(p)
                if (k := one(p, SH.nodeKind)) is not None:
                    ps.checks.append(Check("nodeKind", k))
                if (lst := one(p, SH["in"])) is not None:
                    ps.checks.append(Check("in", frozenset(rdf_list(lst))))
                if (lst := one(p, SH["or"])) is not None:
                    for alt in rdf_list(lst):
                        if not keys(alt) <= ALTERNATIVE_KEYS or set(
                                shapes.objects(alt, RDF.type)) - {SH.NodeShape}:
                            raise _Unsupported
                        ps.alternatives.append(value_checks(alt))
                        handled.add(alt)
                props.append(ps)
            for cls in shapes.objects(ns, SH.targetClass):
                targets.append((cls, props))
        # any other node that speaks SHACL is something this engine does not run
        for s, p, _ in shapes:
            if str(p).startswith(str(SH)) and s not in handled:
                raise _Unsupported
        return CompiledShapes(targets)
    except _Unsupported:
        return None


class _Unsupported(Exception):
    pass


# -- the check kept between runs: only the focus nodes whose results can have changed -----
KEPT_PURPOSE = "shacl"
KEPT_FOLDER = "shacl"


class _Rows:
    """Some of a Quads' rows with all of its terms: what _validate_ids reads (terms, find,
    by_predicate, rdflib_term), so that it checks a few focus nodes without the rest."""

    def __init__(self, q, rows):
        from kg.rdf.quads import Quads

        self.terms, self.find, self.rdflib_term = q.terms, q.find, q.rdflib_term
        self.row_array = lambda: rows
        self.by_predicate = Quads.by_predicate.__get__(self)


def _kept_fingerprint(shapes: CompiledShapes) -> str:
    """What kept results depend on besides the data: this engine's source, the shapes
    (their text, in a canonical order), kg's, PyYAML's and Python's versions."""
    hit = _FINGERPRINTS.get(id(shapes))
    if hit is None or hit[0] is not shapes:
        import sys

        from kg.data.filecache import fingerprint

        def check(c):
            arg = sorted(map(str, c.arg)) if c.kind == "in" else str(c.arg)
            return [c.kind, arg]

        text = [[str(cls), [[str(ps.path), ps.message.n3(), ps.min_count, ps.max_count,
                              [check(c) for c in ps.checks],
                              [[check(c) for c in alt] for alt in ps.alternatives]]
                             for ps in props]] for cls, props in shapes.targets]
        hit = _FINGERPRINTS[id(shapes)] = (shapes, fingerprint(
            [sys.modules[__name__]], "shacl", text))
    return hit[1]


_FINGERPRINTS: dict[int, tuple[CompiledShapes, str]] = {}


def _kept_name(data_dir) -> str:
    import hashlib
    from pathlib import Path

    where = str(Path(data_dir).resolve()).encode("utf-8", "surrogatepass")
    return hashlib.sha256(where).hexdigest()[:24]


def _class_paths(shapes: CompiledShapes, q) -> list[int]:
    """The ids of the paths whose values some shape checks with sh:class (the only check
    that reads beyond the focus node's own triples: the value's rdf:type)."""
    out = set()
    for _, props in shapes.targets:
        for ps in props:
            if any(c.kind == "class" for c in ps.checks) or any(
                    c.kind == "class" for alt in ps.alternatives for c in alt):
                pid = q.find(ps.path)
                if pid is not None:
                    out.add(pid)
    return sorted(out)


def _subclass_digest(q, rows, sid) -> str:
    """A digest of every rdfs:subClassOf triple (the class hierarchy sh:class reads)."""
    import hashlib

    t = q.terms
    h = hashlib.sha1()
    if sid is not None:
        sel = rows[rows[:, 2] == sid]
        for line in sorted({f"{t[s]} {t[o]}\n" for s, o in zip(sel[:, 1].tolist(),
                                                                sel[:, 3].tolist(), strict=True)}):
            h.update(line.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _homes(rows, subjects) -> dict[int, list[int]]:
    """subject id -> the ids of the graphs holding a triple about it (sorted), for the
    given subject ids, read from rows (an (n, 4) array)."""
    import numpy as np

    if not subjects:
        return {}
    sel = rows[np.isin(rows[:, 1], np.fromiter(subjects, dtype=np.intc, count=len(subjects)))]
    out: dict[int, set] = {}
    for g, s in zip(sel[:, 0].tolist(), sel[:, 1].tolist(), strict=True):
        out.setdefault(s, set()).add(g)
    return {s: sorted(gs) for s, gs in out.items()}


def _kept_check(shapes: CompiledShapes, q, data_dir) -> set[Result]:
    """shapes' results on q, re-validating only the focus nodes whose results can differ
    from the check kept for data_dir (written again here), by the rule in this module's
    docstring; the full check when none is kept, it is unreadable or from other shapes,
    or caches are off (KG_NO_CACHE, then nothing is kept either)."""
    import json

    from kg.data.filecache import enabled, read_result, write_result

    if not enabled():
        return shapes.results(_validate_ids(shapes, q), q)
    fp, name = _kept_fingerprint(shapes), _kept_name(data_dir)
    tag = f"kg-shacl {fp}"
    keys = graph_keys(q)
    rows, t = q.row_array(), q.terms
    tid, sid = q.find(RDF.type), q.find(RDFS.subClassOf)
    classes = _subclass_digest(q, rows, sid)
    kept = read_result(KEPT_PURPOSE, name, folder=KEPT_FOLDER, tag=tag)
    state = None
    if isinstance(kept, dict) and kept.get("classes") == classes:
        try:
            state = _incremental(shapes, q, keys, kept, tid)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            state = None  # an entry cut short or edited: the full check
    full = state is None
    if full:
        state = _full(shapes, q, keys, tid)
    found, homes, multi, refs = state
    if not full and kept["keys"] == keys:  # nothing changed: the entry already says this
        return shapes.results(found, q)
    body = {
        "classes": classes, "keys": keys, "refs": refs,
        "results": sorted(([t[f], ti, pi, t[v] if v is not None else None, homes[f]]
                           for f, ti, pi, v in found), key=lambda r: (r[:3], r[3] or "")),
        "multi": multi}
    write_result(KEPT_PURPOSE, name, json.dumps(body, separators=(",", ":")).encode("ascii"),
                 folder=KEPT_FOLDER, tag=tag)
    return shapes.results(found, q)


def _full(shapes: CompiledShapes, q, keys: dict, tid):
    """The full check, and what the next check needs kept: (violations as
    _validate_ids gives them, focus id -> its graphs' IRIs, multi, refs)."""
    import numpy as np

    rows, t = q.row_array(), q.terms
    found = _validate_ids(shapes, q)
    homes = _graph_names(t, _homes(rows, {r[0] for r in found}))
    pairs = np.unique((rows[:, 1].astype(np.int64) << 32) | rows[:, 0].astype(np.int64))
    subj = pairs >> 32
    multi_ids = set(subj[np.flatnonzero(subj[1:] == subj[:-1])].tolist())
    multi = {t[s]: gs for s, gs in _graph_names(t, _homes(rows, multi_ids)).items()}
    return found, homes, multi, _refs(shapes, q, rows, rows, tid)


def _graph_names(t, homes: dict) -> dict:
    return {s: [t[g][1:-1] for g in gs] for s, gs in homes.items()}


def _refs(shapes, q, rows, within, tid, join: bool = True) -> dict:
    """graph IRI -> the subjects it types (rdf:type) that are values of an sh:class-checked
    path in rows, for the typed triples in `within` (rows, or the rows of some graphs):
    their N-Triples texts sorted and space-separated (IRIs hold no space), or (join
    False) as a set."""
    import numpy as np

    t = q.terms
    paths = _class_paths(shapes, q)
    if tid is None or not paths:
        return {}
    values = np.unique(rows[np.isin(rows[:, 2], paths), 3])
    typed = within[within[:, 2] == tid]
    typed = typed[np.isin(typed[:, 1], values)]
    out: dict[str, set] = {}
    for g, s in zip(typed[:, 0].tolist(), typed[:, 1].tolist(), strict=True):
        out.setdefault(t[g][1:-1], set()).add(t[s])
    return {g: " ".join(sorted(ss)) for g, ss in out.items()} if join else out


def _incremental(shapes: CompiledShapes, q, keys: dict, kept: dict, tid):
    """The check re-validating what can have changed since `kept` (see _kept_check);
    the same tuple as _full. Raises KeyError, TypeError, ValueError... on an entry that
    does not hold what _kept_check writes."""
    import numpy as np

    rows, t, ids = q.row_array(), q.terms, q.ids
    old_keys, old_refs, multi = kept["keys"], kept["refs"], kept["multi"]
    if not all(isinstance(x, dict) for x in (old_keys, old_refs, multi)):
        raise TypeError("not a kept SHACL check")
    changed = {g for g, k in keys.items() if old_keys.get(g) != k}
    changed.update(old_keys.keys() - keys.keys())
    now = [ids[f"<{g}>"] for g in changed if g in keys]
    touched = rows[np.isin(rows[:, 0], now)] if now else rows[:0]
    focus = set(touched[:, 1].tolist())
    for s, gs in multi.items():
        if changed.intersection(gs) and (i := ids.get(s)) is not None:
            focus.add(i)
    # values whose rdf:types may have changed, and who points at them
    values = set(touched[touched[:, 2] == tid, 1].tolist()) if tid is not None else set()
    for g in changed:
        values.update(i for s in old_refs.get(g, "").split() if (i := ids.get(s)) is not None)
    paths = _class_paths(shapes, q)
    if values and paths:
        sel = rows[np.isin(rows[:, 3], list(values))]
        focus.update(sel[np.isin(sel[:, 2], paths), 1].tolist())
    # the rows those focus nodes' results read: their own, their values' types, the hierarchy
    own = rows[np.isin(rows[:, 1], list(focus))] if focus else rows[:0]
    typed = rows[rows[:, 2] == tid] if tid is not None else rows[:0]
    sub = np.concatenate([own, typed[np.isin(typed[:, 1], np.unique(own[:, 3]))],
                          rows[rows[:, 2] == q.find(RDFS.subClassOf)]])
    found = _validate_ids(shapes, _Rows(q, sub), focus)
    homes = _graph_names(t, _homes(own, {r[0] for r in found}))
    for f_nt, ti, pi, v_nt, gs in kept["results"]:
        f = ids.get(f_nt)
        if f is None or f in focus or changed.intersection(gs):
            continue  # re-validated above, or no longer in the graph
        v = ids[v_nt] if v_nt is not None else None  # KeyError: not the data it says
        shapes.targets[ti][1][pi]  # noqa: B018  (IndexError: other shapes)
        found.add((f, ti, pi, v))
        homes[f] = list(gs)
    new_multi = {s: gs for s, gs in multi.items() if s in ids and ids[s] not in focus}
    for s, gs in _homes(own, focus).items():
        if len(gs) > 1:
            new_multi[t[s]] = [t[g][1:-1] for g in gs]
    # per graph: the key and the typed values; recomputed for the changed graphs, and
    # added to where a changed graph now points at a value typed in an unchanged one
    refs = {g: ss for g, ss in old_refs.items() if g not in changed and g in keys}
    grown = _refs(shapes, q, rows, touched, tid, join=False)
    if paths and tid is not None and len(touched):
        vals = np.unique(touched[np.isin(touched[:, 2], paths), 3])
        extra = typed[np.isin(typed[:, 1], vals) & ~np.isin(typed[:, 0], now)]
        for g, s in zip(extra[:, 0].tolist(), extra[:, 1].tolist(), strict=True):
            name = t[g][1:-1]
            grown.setdefault(name, set(refs.get(name, "").split())).add(t[s])
    refs.update((g, " ".join(sorted(ss))) for g, ss in grown.items())
    return found, homes, new_multi, refs
