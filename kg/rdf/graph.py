"""Validated entities -> an RDF dataset: one named graph per data file.

Every entity is kgid:<id>. Every sourced value becomes a statement node
(rdf:Statement + kgo:Statement) naming subject, property, value, time and
sources (prov:wasDerivedFrom), with a stable IRI derived from its content,
plus a plain shortcut triple for the current, preferred value, as Wikidata's
"truthy" triples do. "Which source supports this link?" is plain SPARQL 1.1:

    ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?src .
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, XSD

from kg.core.model import DateValue, Entity, Statement, as_decimal_text, check_status
from kg.core.schema import Field, Kind, Schema, camel, load_schema
from kg.data.loader import gc_paused
from kg.rdf.ontology import IRI_FIELDS, LANG_FIELDS, PROV, build_ontology, concept, kgo
from kg.rdf.quads import Quads
from kg.semantics import Semantics
from kg.semantics.links import derived_links

DATASET_IRI = "https://w3id.org/ai-race-kg/dataset"
DATASET_FILE = "data/dataset.yaml"  # the graph names of the dataset's date and the ontology
ONTOLOGY_FILE = "ontology/ontology.ttl"
NO_BLOC_KINDS = frozenset({"source", "measure", "tombstone"})

CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
DATE_TYPES = {"year": XSD.gYear, "month": XSD.gYearMonth, "day": XSD.date}


def entity_iri(schema: Schema, entity_id: str) -> URIRef:
    return URIRef(schema.namespaces["kgid"] + entity_id)


def file_graph_iri(schema: Schema, rel_path: str) -> URIRef:
    return URIRef(schema.namespaces["kgfile"] + rel_path)


def day_bound_terms(schema: Schema, field_name: str) -> tuple[URIRef, URIRef]:
    """kgo:<field>Start / kgo:<field>End: a date field's first and last day as xsd:date."""
    K = kgo(schema)
    base = camel(field_name)
    return K[f"{base}Start"], K[f"{base}End"]


XSD_NS = str(XSD)
XSD_DECIMAL, XSD_INTEGER, XSD_BOOLEAN, XSD_DATE = (XSD_NS + n for n in (
    "decimal", "integer", "boolean", "date"))
DATE_TYPE_IRIS = {k: str(v) for k, v in DATE_TYPES.items()}


def dataset_binds(schema: Schema) -> dict[str, str]:
    """prefix -> namespace as the built dataset binds them (the schema's over rdflib's)."""
    hit = _BINDS.get(id(schema))
    if hit is None or hit[0] is not schema:
        ds = Dataset()
        for prefix, ns in schema.namespaces.items():
            ds.bind(prefix, Namespace(ns), override=True, replace=True)
        hit = _BINDS[id(schema)] = (schema, {p: str(ns) for p, ns in
                                             ds.namespace_manager.namespaces()})
    return hit[1]


_BINDS: dict[int, tuple] = {}


class GraphBuilder:
    """Entities -> quads (kg.rdf.quads.Quads): one named graph per data file, the
    dataset's date and the ontology in graphs of their own."""

    def __init__(self, schema: Schema, entities: dict[str, Entity],
                 sem: Semantics | None = None, quads: Quads | None = None):
        """quads: the Quads to add to (kg.rdf.graphcache passes one holding an earlier
        build's terms); by default a new one with the schema's prefixes."""
        self.schema, self.entities = schema, entities
        self.sem = sem or Semantics(schema, entities)
        self.K = kgo(schema)
        self.q = quads if quads is not None else Quads(dataset_prefixes(schema))
        q, K = self.q, self.K
        self.kgid = schema.namespaces["kgid"]
        iri = q.iri
        self.T = {name: iri(str(t)) for name, t in {
            "type": RDF.type, "Statement": RDF.Statement, "KStatement": K.Statement,
            "subject": RDF.subject, "predicate": RDF.predicate, "object": RDF.object,
            "field": K.field, "sourceLine": K.sourceLine, "derived": PROV.wasDerivedFrom,
            "checkStatus": K.checkStatus, "best": K.bestSourceReliability,
            "startDate": K.startDate, "endDate": K.endDate,
            "asOf": K.asOf, "holdsFrom": K.holdsFrom, "holdsUntil": K.holdsUntil,
            "from": K["from"], "validFrom": K.validFrom, "to": K.to,
            "validUntil": K.validUntil, "confidence": K.confidence, "rank": K.rank,
            "asWritten": K.asWritten, "note": K.note, "checkedBy": K.checkedBy,
            "checkedOn": K.checkedOn, "checkedAgainst": K.checkedAgainst,
            "derivedUrl": K.derivedUrl, "bloc": K.bloc, "blocRule": K.blocRule,
            "disputedBy": K.disputedBy,
            "deprecated": OWL.deprecated}.items()}
        self._concepts: dict = {}
        self._props: dict = {}
        self._field_props: dict[int, tuple[Field, int]] = {}
        self._statuses: dict[tuple, int] = {}
        self._bounds: dict = {}
        self._days: dict = {}

    # -- terms -------------------------------------------------------------
    def entity(self, entity_id: str) -> int:
        return self.q.iri(self.kgid + entity_id)

    def concept(self, enum: str, value: str) -> int:
        key = (enum, value)
        i = self._concepts.get(key)
        if i is None:
            i = self._concepts[key] = self.q.iri(str(concept(self.schema, enum, value)))
        return i

    def prop(self, curie: str) -> int:
        i = self._props.get(curie)
        if i is None:
            i = self._props[curie] = self.q.iri(self.schema.expand(curie))
        return i

    def day(self, d) -> int:
        i = self._days.get(d)
        if i is None:
            i = self._days[d] = self.q.literal(d.isoformat(), XSD_DATE)
        return i

    def date_literal(self, d: DateValue) -> int:
        return self.q.literal(d.text, DATE_TYPE_IRIS[d.precision])

    def line(self, n) -> int:
        return self.q.literal(str(n), XSD_INTEGER) if type(n) is int else self.q.term(Literal(n))

    def value_terms(self, f: Field, value) -> list[int]:
        t, q = f.type, self.q
        if t == "ref":
            return [self.entity(value)]
        if t == "enum":
            return [self.concept(f.enum, value)]
        if t == "date":
            return [self.date_literal(value)]
        if t == "number":
            return [q.literal(as_decimal_text(value), XSD_DECIMAL)]
        if t == "integer":
            return [q.literal(str(value), XSD_INTEGER)]
        if t == "bool":
            return [q.literal("true" if value else "false", XSD_BOOLEAN)]
        if t == "url":
            return [q.iri(value)]
        if t == "langmap":
            return [q.literal(name, lang=tag) for tag, name in sorted(value.items())]
        if f.name in LANG_FIELDS:
            return [q.literal(value, lang="zh" if CJK_RE.search(value) else "en")]
        if f.name in IRI_FIELDS:
            return [q.iri(self.schema.namespaces["wd"] + value)]
        return [q.literal(value) if type(value) is str else q.term(Literal(value))]

    def field_prop(self, f: Field) -> int:
        """The id of a field's property (its curie, computed once per field)."""
        got = self._field_props.get(id(f))
        if got is None or got[0] is not f:
            got = self._field_props[id(f)] = (f, self.prop(f.curie))
        return got[1]

    def check_status(self, sources: tuple[str, ...], checked) -> int:
        """The check status concept of a fact with these sources and check (once per
        distinct pair: most facts cite the same few sources)."""
        key = (sources, bool(checked))
        got = self._statuses.get(key)
        if got is None:
            got = self._statuses[key] = self.concept(
                "check-status", check_status(self.entities, sources, checked))
        return got

    def add_support(self, node: int, sources: tuple[str, ...]) -> None:
        """kgo:bestSourceReliability: the reliability concept of the most reliable of a
        fact's sources (kg.semantics.Semantics.best_reliability; none without one)."""
        best = self.sem.best_reliability(sources)  # kept per sources by the semantic layer
        if best is not None:
            self.q.add(node, self.T["best"], self.concept("reliability", best))

    # -- statements ----------------------------------------------------------
    def statement_iri(self, entity: Entity, f: Field, st: Statement) -> str:
        key = "|".join([
            entity.id, f.name, repr(st.value if not isinstance(st.value, Decimal)
                                    else as_decimal_text(st.value)),
            str(st.valid_from or ""), str(st.valid_to or ""), str(st.as_of or ""),
            repr(sorted(st.qualifiers.items(), key=lambda kv: kv[0])),
        ])
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
        return f"{self.kgid}{entity.id}/statement/{f.name}-{digest}"

    def shortcut_statements(self, entity: Entity, f: Field) -> list[Statement]:
        """Which statements give the plain triple: those current on the dataset's date
        (kg.semantics.time: the one rule), preferred beating normal."""
        return self.sem.timeline.current(entity, f.name, self.sem.date)

    def add_statement(self, entity: Entity, f: Field, st: Statement) -> None:
        T, q = self.T, self.q
        add = q.add
        subj = self.entity(entity.id)
        node = q.iri(self.statement_iri(entity, f, st))
        add(node, T["type"], T["Statement"])
        add(node, T["type"], T["KStatement"])
        add(node, T["subject"], subj)
        add(node, T["predicate"], self.field_prop(f))
        for obj in self.value_terms(f, st.value):
            add(node, T["object"], obj)
        add(node, T["field"], q.literal(f.name))
        add(node, T["sourceLine"], self.line(st.line))
        sources = entity.sources_of(st)
        for src in sources:
            add(node, T["derived"], self.entity(src))
        checked = entity.checked_of(st)
        add(node, T["checkStatus"], self.check_status(sources, checked))
        self.add_support(node, sources)
        if checked:
            self.add_check(node, checked)
        if isinstance(st.value, DateValue):
            add(node, T["startDate"], self.day(st.value.start))
            add(node, T["endDate"], self.day(st.value.end))
        elif st.as_of:
            add(node, T["startDate"], self.day(st.as_of.start))
            add(node, T["endDate"], self.day(st.as_of.end))
        if st.as_of:
            add(node, T["asOf"], self.date_literal(st.as_of))
        held = self.sem.timeline.window(entity, f.name, st)
        if held.basis != "never":
            if held.start is not None:
                add(node, T["holdsFrom"], self.day(held.start))
            if held.end is not None:
                add(node, T["holdsUntil"], self.day(held.end))
        if st.valid_from:
            add(node, T["from"], self.date_literal(st.valid_from))
            add(node, T["validFrom"], self.day(st.valid_from.start))
        if st.valid_to:
            add(node, T["to"], self.date_literal(st.valid_to))
            add(node, T["validUntil"], self.day(st.valid_to.end))
        if st.confidence:
            add(node, T["confidence"], self.concept("confidence", st.confidence))
        add(node, T["rank"], self.concept("rank", st.rank))
        if st.as_written:
            add(node, T["asWritten"], q.literal(st.as_written))
        if st.note:
            add(node, T["note"], q.literal(st.note))
        for qname, qvalue in sorted(st.qualifiers.items()):
            qf = f.qualifiers[qname]
            qprop = self.field_prop(qf)
            for obj in self.value_terms(qf, qvalue):
                add(node, qprop, obj)

    def add_check(self, node: int, check) -> None:
        T, add = self.T, self.q.add
        add(node, T["checkedBy"], self.q.literal(check.by))
        add(node, T["checkedOn"], self.day(check.on.start))
        if check.against:
            add(node, T["checkedAgainst"], self.entity(check.against))

    def date_bounds(self, field_name: str) -> tuple[int, int]:
        got = self._bounds.get(field_name)
        if got is None:
            first, last = day_bound_terms(self.schema, field_name)
            got = self._bounds[field_name] = (self.q.iri(str(first)), self.q.iri(str(last)))
        return got

    # -- entities ------------------------------------------------------------
    def add_entity(self, entity: Entity) -> None:
        kind: Kind = self.schema.kinds[entity.kind]
        T, q = self.T, self.q
        add = q.add
        subj = self.entity(entity.id)
        add(subj, T["type"], self.prop(kind.cls))
        add(subj, T["sourceLine"], self.line(entity.line))
        for name, sts in entity.facts.items():
            f = kind.fields[name]
            if f.type == "check":
                continue
            prop = self.field_prop(f)
            if f.sourced:
                for st in sts:
                    self.add_statement(entity, f, st)
                shortcut = self.shortcut_statements(entity, f)
            else:
                shortcut = sts
            for st in shortcut:
                for obj in self.value_terms(f, st.value):
                    add(subj, prop, obj)
                if f.type == "date":  # the same date as xsd:date bounds, for any engine
                    first, last = self.date_bounds(f.name)
                    add(subj, first, self.day(st.value.start))
                    add(subj, last, self.day(st.value.end))
        if entity.kind == "source":  # resolver links derived from identifiers, marked so
            for link in derived_links(entity):
                add(subj, T["derivedUrl"], q.iri(link.url))
        if entity.kind not in NO_BLOC_KINDS:
            add(subj, T["bloc"], self.concept("bloc", self.sem.bloc(entity.id)))
            add(subj, T["blocRule"], self.q.literal(self.sem.bloc_rule(entity.id)))
        for other in self.sem.disputed.get(entity.id, ()):
            add(subj, T["disputedBy"], self.entity(other))
        checked = entity.first("checked")
        if checked:
            self.add_check(subj, checked)
        if kind.needs_sources:
            add(subj, T["checkStatus"], self.check_status(entity.sources, checked))
            self.add_support(subj, entity.sources)
        # a figure or judgement is itself a dated fact: give it the normalised bounds
        as_of = entity.first("as_of") if "as_of" in kind.fields else None
        if as_of:
            add(subj, T["startDate"], self.day(as_of.start))
            add(subj, T["endDate"], self.day(as_of.end))
        if entity.kind == "tombstone":
            add(subj, T["deprecated"], q.literal("true", XSD_BOOLEAN))

    def add_file(self, path: str, entities: list[Entity]) -> None:
        """The named graph of one data file (path as entities show it): its entities'
        quads, in the order given."""
        self.q.use_graph(str(file_graph_iri(self.schema, path)))
        for entity in entities:
            self.add_entity(entity)

    def add_dataset(self) -> None:
        """data/dataset.yaml's graph (the day the graph describes, the as-of horizon), if
        the data has that file."""
        q, K, info = self.q, self.K, self.sem.info
        if info.path is not None:
            q.use_graph(str(file_graph_iri(self.schema, DATASET_FILE)))
            ds = q.iri(DATASET_IRI)
            q.add(ds, q.iri(str(K.datasetDate)), self.day(self.sem.date))
            q.add(ds, q.iri(str(K.asOfHorizonDays)),
                  q.literal(str(info.horizon_days), XSD_INTEGER))

    def add_ontology(self) -> None:
        """The ontology's graph (ontology/ontology.ttl's triples, from the schema)."""
        self.q.add_triples(str(file_graph_iri(self.schema, ONTOLOGY_FILE)),
                           build_ontology(self.schema))

    def build(self) -> Quads:
        """The quads of every entity (by file path), the dataset's date, the ontology."""
        for path, entities in files_of(self.entities):
            self.add_file(path, entities)
        self.add_dataset()
        self.add_ontology()
        return self.q


def files_of(entities: dict[str, Entity]) -> list[tuple[str, list[Entity]]]:
    """(path, its entities) per data file, by path: the order the graph is built in."""
    out: list[tuple[str, list[Entity]]] = []
    ordered = list(entities.values())
    paths = [e.path for e in ordered]
    if any(a > b for a, b in zip(paths, paths[1:], strict=False)):  # (most often they come in order)
        ordered.sort(key=lambda e: e.path)
    for entity in ordered:
        if out and out[-1][0] == entity.path:
            out[-1][1].append(entity)
        else:
            out.append((entity.path, [entity]))
    return out


def dataset_prefixes(schema: Schema) -> list[tuple[str, str]]:
    """The (prefix, namespace) pairs a built dataset's Quads carries, sorted."""
    return sorted((p, ns) for p, ns in dataset_binds(schema).items() if p)


def build_quads(entities: dict[str, Entity], schema: Schema | None = None,
                sem: Semantics | None = None) -> Quads:
    """The dataset as compact quads (kg.rdf.quads): one named graph per data file, plus
    the dataset's date (data/dataset.yaml) and the ontology's graph.

    sem: the semantic layer for these entities (its date decides the shortcut triples);
    without it, one is made with the data's fallback date (the newest source date).
    Raises KGError if a value cannot be written as RDF (an IRI with a space...).
    """
    with gc_paused():  # millions of small objects, none garbage until the end
        return GraphBuilder(schema or load_schema(), entities, sem).build()


def build_dataset(entities: dict[str, Entity], schema: Schema | None = None,
                  sem: Semantics | None = None) -> Dataset:
    """The same dataset as an rdflib Dataset (build_quads, then converted)."""
    schema = schema or load_schema()
    return build_quads(entities, schema, sem).dataset(dataset_binds(schema))


def union_graph(ds: Dataset) -> Graph:
    """All triples of all named graphs in one graph, with the dataset's prefixes."""
    g = Graph()
    for prefix, ns in ds.namespace_manager.namespaces():
        g.bind(prefix, ns, override=True, replace=True)
    with gc_paused():
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
    return g

