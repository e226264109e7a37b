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


def shacl_issues(ds: Dataset, schema: Schema | None = None, shapes: Graph | None = None,
                 entities: dict | None = None, engine: str = "auto") -> list[Issue]:
    """Run SHACL over the dataset; return one Issue per violation, with file and line.

    engine: "core" (the fast subset; raises ValueError if the shapes need more),
    "pyshacl", or "auto" (core when it can, else pyshacl).
    """
    schema = schema or load_schema()
    if shapes is None and engine != "pyshacl":
        compiled = _schema_shapes(schema)
    else:
        shapes = shapes if shapes is not None else build_shapes(schema)
        compiled = compile_shapes(shapes) if engine != "pyshacl" else None
    if compiled is None and engine == "core":
        raise ValueError("these shapes use SHACL beyond what the core engine evaluates")
    if compiled is None and shapes is None:
        shapes = build_shapes(schema)
    results = compiled.validate(ds) if compiled is not None else _pyshacl_results(ds, shapes)
    if not results:
        return []
    return _issues(ds, schema, results, entities)


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


def _issues(ds: Dataset, schema: Schema, results: set[Result], entities) -> list[Issue]:
    K = kgo(schema)
    where = _locations(ds, schema, {r[0] for r in results})
    issues = []
    for focus, path, message, value in results:
        rel, line, entity = where.get(focus, ("(graph)", 0, str(focus)))
        if isinstance(focus, URIRef):
            src_line = next(iter(_objects(ds, focus, K.sourceLine)), None)
            line = int(src_line) if src_line is not None else line
        prop = ds.namespace_manager.normalizeUri(path) if isinstance(path, URIRef) else str(path)
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


def _locations(ds: Dataset, schema: Schema, nodes: set) -> dict[URIRef, tuple[str, int, str]]:
    """node IRI -> (file, line, entity id) for the given entity and statement nodes."""
    file_ns = schema.namespaces["kgfile"]
    id_ns = schema.namespaces["kgid"]
    out = {}
    for s in nodes:
        if s is None:
            continue
        for _, contexts in ds.store.triples((s, None, None), None):
            for ctx in contexts:
                name = str(getattr(ctx, "identifier", ctx))
                if name.startswith(file_ns + "data/"):
                    entity = (str(s)[len(id_ns):].split("/", 1)[0] if str(s).startswith(id_ns)
                              else str(s))
                    out[s] = (name[len(file_ns):], 0, entity)
                    break
            if s in out:
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
        closure: dict = {}

        def supers(c):  # c and every class it is a subclass of (transitively)
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

        instances: dict = {}  # class -> its SHACL instances (subclasses' included)
        for s, ts in types.items():
            for c in {c for t in ts for c in supers(t)}:
                instances.setdefault(c, []).append(s)
        results: set[Result] = set()
        for cls, props in self.targets:
            focus_nodes = instances.get(cls, ())
            for ps in props:
                vals = values(ps.path)
                for f in focus_nodes:
                    vs = vals.get(f, ())
                    if len(vs) < ps.min_count or (ps.max_count is not None
                                                  and len(vs) > ps.max_count):
                        results.add((f, ps.path, ps.message, None))
                    for v in vs:
                        bad = any(not c.ok(v, types_of, supers) for c in ps.checks)
                        if not bad and ps.alternatives:
                            bad = not any(all(c.ok(v, types_of, supers) for c in alt)
                                          for alt in ps.alternatives)
                        if bad:
                            results.add((f, ps.path, ps.message, v))
        return results


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
