"""Validated entities -> an RDF dataset: one named graph per data file.

Every entity is kgid:<id>. Every sourced value becomes a statement node
(rdf:Statement + kgo:Statement) naming subject, property, value, time and
sources (prov:wasDerivedFrom), with a stable IRI derived from its content,
plus a plain shortcut triple for the current, preferred value, as Wikidata's
"truthy" triples do. "Which source supports this link?" is plain SPARQL 1.1:

    ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?src .
"""

from __future__ import annotations

import gc
import hashlib
import re
from contextlib import contextmanager
from decimal import Decimal

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, XSD

from kg.core.model import DateValue, Entity, Statement, as_decimal_text, check_status
from kg.core.schema import Field, Kind, Schema, camel, load_schema
from kg.rdf.ontology import IRI_FIELDS, LANG_FIELDS, PROV, build_ontology, concept, kgo, term
from kg.semantics import Semantics
from kg.semantics.links import derived_links

DATASET_IRI = "https://w3id.org/ai-race-kg/dataset"
NO_BLOC_KINDS = frozenset({"source", "measure", "tombstone"})

CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
DATE_TYPES = {"year": XSD.gYear, "month": XSD.gYearMonth, "day": XSD.date}


def entity_iri(schema: Schema, entity_id: str) -> URIRef:
    return URIRef(schema.namespaces["kgid"] + entity_id)


def file_graph_iri(schema: Schema, rel_path: str) -> URIRef:
    return URIRef(schema.namespaces["kgfile"] + rel_path)


def date_literal(d: DateValue) -> Literal:
    return Literal(d.text, datatype=DATE_TYPES[d.precision])


def day(d) -> Literal:
    return Literal(d.isoformat(), datatype=XSD.date)


def day_bound_terms(schema: Schema, field_name: str) -> tuple[URIRef, URIRef]:
    """kgo:<field>Start / kgo:<field>End: a date field's first and last day as xsd:date."""
    K = kgo(schema)
    base = camel(field_name)
    return K[f"{base}Start"], K[f"{base}End"]


class GraphBuilder:
    def __init__(self, schema: Schema, entities: dict[str, Entity],
                 sem: Semantics | None = None):
        self.schema, self.entities = schema, entities
        self.sem = sem or Semantics(schema, entities)
        self.K = kgo(schema)

    # -- terms -------------------------------------------------------------
    def value_terms(self, f: Field, value) -> list:
        t = f.type
        if t == "ref":
            return [entity_iri(self.schema, value)]
        if t == "enum":
            return [concept(self.schema, f.enum, value)]
        if t == "date":
            return [date_literal(value)]
        if t == "number":
            return [Literal(as_decimal_text(value), datatype=XSD.decimal)]
        if t == "integer":
            return [Literal(str(value), datatype=XSD.integer)]
        if t == "bool":
            return [Literal("true" if value else "false", datatype=XSD.boolean)]
        if t == "url":
            return [URIRef(value)]
        if t == "langmap":
            return [Literal(name, lang=tag) for tag, name in sorted(value.items())]
        if f.name in LANG_FIELDS:
            return [Literal(value, lang="zh" if CJK_RE.search(value) else "en")]
        if f.name in IRI_FIELDS:
            return [URIRef(self.schema.namespaces["wd"] + value)]
        return [Literal(value)]

    def check_status(self, sources: tuple[str, ...], checked) -> URIRef:
        return concept(self.schema, "check-status", check_status(self.entities, sources, checked))

    # -- statements ----------------------------------------------------------
    def statement_iri(self, entity: Entity, f: Field, st: Statement) -> URIRef:
        key = "|".join([
            entity.id, f.name, repr(st.value if not isinstance(st.value, Decimal)
                                    else as_decimal_text(st.value)),
            str(st.valid_from or ""), str(st.valid_to or ""), str(st.as_of or ""),
            repr(sorted(st.qualifiers.items(), key=lambda kv: kv[0])),
        ])
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
        return URIRef(f"{entity_iri(self.schema, entity.id)}/statement/{f.name}-{digest}")

    def shortcut_statements(self, entity: Entity, f: Field) -> list[Statement]:
        """Which statements give the plain triple: those current on the dataset's date
        (kg.semantics.time: the one rule), preferred beating normal."""
        return self.sem.timeline.current(entity, f.name, self.sem.date)

    def add_statement(self, g: Graph, entity: Entity, f: Field, st: Statement) -> None:
        K, subj = self.K, entity_iri(self.schema, entity.id)
        node = self.statement_iri(entity, f, st)
        prop = term(self.schema, f.curie)
        g.add((node, RDF.type, RDF.Statement))
        g.add((node, RDF.type, K.Statement))
        g.add((node, RDF.subject, subj))
        g.add((node, RDF.predicate, prop))
        for obj in self.value_terms(f, st.value):
            g.add((node, RDF.object, obj))
        g.add((node, K.field, Literal(f.name)))
        g.add((node, K.sourceLine, Literal(st.line)))
        sources = entity.sources_of(st)
        for src in sources:
            g.add((node, PROV.wasDerivedFrom, entity_iri(self.schema, src)))
        checked = entity.checked_of(st)
        g.add((node, K.checkStatus, self.check_status(sources, checked)))
        if checked:
            self.add_check(g, node, checked)
        if isinstance(st.value, DateValue):
            g.add((node, K.startDate, day(st.value.start)))
            g.add((node, K.endDate, day(st.value.end)))
        elif st.as_of:
            g.add((node, K.startDate, day(st.as_of.start)))
            g.add((node, K.endDate, day(st.as_of.end)))
        if st.as_of:
            g.add((node, K.asOf, date_literal(st.as_of)))
        held = self.sem.timeline.window(entity, f.name, st)
        if held.basis != "never":
            if held.start is not None:
                g.add((node, K.holdsFrom, day(held.start)))
            if held.end is not None:
                g.add((node, K.holdsUntil, day(held.end)))
        if st.valid_from:
            g.add((node, K["from"], date_literal(st.valid_from)))
            g.add((node, K.validFrom, day(st.valid_from.start)))
        if st.valid_to:
            g.add((node, K.to, date_literal(st.valid_to)))
            g.add((node, K.validUntil, day(st.valid_to.end)))
        if st.confidence:
            g.add((node, K.confidence, concept(self.schema, "confidence", st.confidence)))
        g.add((node, K.rank, concept(self.schema, "rank", st.rank)))
        if st.as_written:
            g.add((node, K.asWritten, Literal(st.as_written)))
        if st.note:
            g.add((node, K.note, Literal(st.note)))
        for qname, qvalue in sorted(st.qualifiers.items()):
            qf = f.qualifiers[qname]
            for obj in self.value_terms(qf, qvalue):
                g.add((node, term(self.schema, qf.curie), obj))

    def add_check(self, g: Graph, node: URIRef, check) -> None:
        g.add((node, self.K.checkedBy, Literal(check.by)))
        g.add((node, self.K.checkedOn, day(check.on.start)))
        if check.against:
            g.add((node, self.K.checkedAgainst, entity_iri(self.schema, check.against)))

    # -- entities ------------------------------------------------------------
    def add_entity(self, g: Graph, entity: Entity) -> None:
        kind: Kind = self.schema.kinds[entity.kind]
        K, subj = self.K, entity_iri(self.schema, entity.id)
        g.add((subj, RDF.type, term(self.schema, kind.cls)))
        g.add((subj, K.sourceLine, Literal(entity.line)))
        for name, sts in entity.facts.items():
            f = kind.fields[name]
            if f.type == "check":
                continue
            prop = term(self.schema, f.curie)
            if f.sourced:
                for st in sts:
                    self.add_statement(g, entity, f, st)
                shortcut = self.shortcut_statements(entity, f)
            else:
                shortcut = sts
            for st in shortcut:
                for obj in self.value_terms(f, st.value):
                    g.add((subj, prop, obj))
                if f.type == "date":  # the same date as xsd:date bounds, for any engine
                    first, last = day_bound_terms(self.schema, f.name)
                    g.add((subj, first, day(st.value.start)))
                    g.add((subj, last, day(st.value.end)))
        if entity.kind == "source":  # resolver links derived from identifiers, marked so
            for link in derived_links(entity):
                g.add((subj, K.derivedUrl, URIRef(link.url)))
        if entity.kind not in NO_BLOC_KINDS:
            g.add((subj, K.bloc, concept(self.schema, "bloc", self.sem.bloc(entity.id))))
        for other in self.sem.disputed.get(entity.id, ()):
            g.add((subj, K.disputedBy, entity_iri(self.schema, other)))
        checked = entity.first("checked")
        if checked:
            self.add_check(g, subj, checked)
        if kind.needs_sources:
            g.add((subj, K.checkStatus, self.check_status(entity.sources, checked)))
        # a figure or judgement is itself a dated fact: give it the normalised bounds
        as_of = entity.first("as_of") if "as_of" in kind.fields else None
        if as_of:
            g.add((subj, K.startDate, day(as_of.start)))
            g.add((subj, K.endDate, day(as_of.end)))
        if entity.kind == "tombstone":
            g.add((subj, OWL.deprecated, Literal("true", datatype=XSD.boolean)))

    def build(self) -> Dataset:
        ds = Dataset()
        for prefix, ns in self.schema.namespaces.items():
            ds.bind(prefix, Namespace(ns), override=True, replace=True)
        for entity in sorted(self.entities.values(), key=lambda e: e.path):
            g = ds.graph(file_graph_iri(self.schema, entity.path))
            self.add_entity(g, entity)
        info = self.sem.info
        if info.path is not None:  # data/dataset.yaml: the day the graph describes
            g = ds.graph(file_graph_iri(self.schema, "data/dataset.yaml"))
            g.add((URIRef(DATASET_IRI), self.K.datasetDate, day(self.sem.date)))
            g.add((URIRef(DATASET_IRI), self.K.asOfHorizonDays,
                   Literal(str(info.horizon_days), datatype=XSD.integer)))
        onto = ds.graph(file_graph_iri(self.schema, "ontology/ontology.ttl"))
        for t in build_ontology(self.schema):
            onto.add(t)
        return ds


def build_dataset(entities: dict[str, Entity], schema: Schema | None = None,
                  sem: Semantics | None = None) -> Dataset:
    """One named graph per data file, plus the ontology's graph.

    sem: the semantic layer for these entities (its date decides the shortcut triples);
    without it, one is made with the data's fallback date (the newest source date).
    """
    with gc_paused():  # rdflib makes millions of small objects; the GC's scans dominated
        return GraphBuilder(schema or load_schema(), entities, sem).build()


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector (nothing built here is garbage until the end)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def union_graph(ds: Dataset) -> Graph:
    """All triples of all named graphs in one graph, with the dataset's prefixes."""
    g = Graph()
    for prefix, ns in ds.namespace_manager.namespaces():
        g.bind(prefix, ns, override=True, replace=True)
    with gc_paused():
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
    return g

