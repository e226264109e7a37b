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

# (focus node, path, message, value or None): what a validation result says
Result = tuple


def shacl_issues(ds, schema: Schema | None = None, shapes: Graph | None = None,
                 entities: dict | None = None, engine: str = "auto") -> list[Issue]:
    """Run SHACL over the dataset; return one Issue per violation, with file and line.

    ds: an rdflib Dataset, or the build's quads (kg.rdf.quads.Quads, or the LazyDataset
    `check` returns), which the core engine reads without making rdflib objects.
    engine: "core" (the fast subset; raises ValueError if the shapes need more),
    "pyshacl", or "auto" (core when it can, else pyshacl).
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
            results = compiled.validate_quads(quads)
        return _issues(_QuadsView(quads, schema), schema, results, entities) if results else []
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

    def __init__(self, quads, schema: Schema):
        self.q = quads
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
        if self.lines is None:
            pid = self.q.find(prop)
            self.lines = self.q.by_predicate(pid) if pid is not None else {}
        got = self.lines.get(self.q.find(node), ())
        return self.q.rdflib_term(next(iter(got))) if got else None

    def normalize(self, path) -> str:
        return self.nm.namespace_manager.normalizeUri(path)


_COMPILED: dict[int, tuple[Schema, CompiledShapes | None]] = {}


def _schema_shapes(schema: Schema) -> CompiledShapes | None:
    """The schema's own shapes, compiled once per schema object."""
    hit = _COMPILED.get(id(schema))
    if hit is None or hit[0] is not schema:
        hit = _COMPILED[id(schema)] = (schema, compile_shapes(build_shapes(schema)))
    return hit[1]


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


def _violations(found: set, focus_nodes, vals: dict, ps: PropertyShape, checks: list,
                alternatives: list[list], ok) -> None:
    """Add to found, for one property shape, (focus node, path, message, None) for each
    focus node whose number of values is outside ps's min/max count, and (focus node,
    path, message, value) for each value that fails one of checks or every group of
    alternatives (sh:or). vals: focus node -> its values; ok(check, value) -> bool. The
    one rule of both engines (validate on rdflib's store, _validate_quads on quads)."""
    for f in focus_nodes:
        vs = vals.get(f, ())
        if len(vs) < ps.min_count or (ps.max_count is not None and len(vs) > ps.max_count):
            found.add((f, ps.path, ps.message, None))
        for v in vs:
            bad = any(not ok(c, v) for c in checks)
            if not bad and alternatives:
                bad = not any(all(ok(c, v) for c in alt) for alt in alternatives)
            if bad:
                found.add((f, ps.path, ps.message, v))


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
    terms = q.terms
    tid, sid = q.find(RDF.type), q.find(RDFS.subClassOf)
    types = q.by_predicate(tid) if tid is not None else {}
    sub = q.by_predicate(sid) if sid is not None else {}
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
    values_by_path: dict = {}
    found: set = set()
    for cls, props in shapes.targets:
        cid = q.find(cls)
        focus_nodes = instances.get(cid, ()) if cid is not None else ()
        for ps in props:
            if ps.path not in values_by_path:
                pid = q.find(ps.path)
                values_by_path[ps.path] = q.by_predicate(pid) if pid is not None else {}
            vals = values_by_path[ps.path]
            _violations(found, focus_nodes, vals, ps, _quad_checks(ps.checks, q),
                        [_quad_checks(alt, q) for alt in ps.alternatives], ok)
    term = q.rdflib_term
    return {(term(f), path, message, term(v) if v is not None else None)
            for f, path, message, v in found}


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
