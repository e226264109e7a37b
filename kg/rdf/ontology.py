"""ontology/schema.yaml -> OWL terms (ontology.ttl) and SHACL shapes (shapes.ttl).

Both Turtle files are generated and committed so that any tool can read them;
`kg ontology` rewrites them and a test fails while they drift from the schema.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from kg.core.schema import Field, Schema, camel, load_schema, resource_dir

ONTOLOGY_DIR = resource_dir("ontology")
SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
DCT = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")

XSD_OF = {
    "string": XSD.string, "text": XSD.string, "number": XSD.decimal, "integer": XSD.integer,
    "bool": XSD.boolean,
}

# Plain fields whose RDF values are language-tagged strings or IRIs, not xsd:string.
LANG_FIELDS = frozenset({"name", "aliases"})
IRI_FIELDS = frozenset({"wikidata"})

# Terms the RDF mapping adds beyond the schema's fields: (local name, label, comment, range).
EXTRA_TERMS = [
    ("Statement", "statement", "A sourced fact about an entity: subject, property, value, its "
     "time and the sources that state it (an rdf:Statement).", None),
    ("startDate", "start date", "The first day of the date a fact carries, as xsd:date, so that "
     "comparisons work at any precision.", XSD.date),
    ("endDate", "end date", "The last day of the date a fact carries, as xsd:date.", XSD.date),
    ("validFrom", "valid from (day)", "The first day from which a fact holds, as xsd:date.",
     XSD.date),
    ("validUntil", "valid until (day)", "The last day on which a fact holds, as xsd:date.",
     XSD.date),
    ("checkStatus", "check status", "Whether the fact comes from a bundled article, was checked "
     "by a maintainer, or is still unchecked.", SKOS.Concept),
    ("bestSourceReliability", "best source reliability", "The reliability of the most "
     "reliable source the fact cites (kgo:reliability-low: it rests only on low-reliability "
     "sources), by the rule of docs/semantics.md.", SKOS.Concept),
    ("checkedBy", "checked by", "The maintainer who checked the fact.", XSD.string),
    ("checkedOn", "checked on", "When the fact was checked.", XSD.date),
    ("checkedAgainst", "checked against", "The source the fact was checked against.", None),
    ("holdsFrom", "holds from", "The first day on which a statement holds by the rule of "
     "docs/semantics.md (absent: since before the sources say), as xsd:date.", XSD.date),
    ("holdsUntil", "holds until", "The last day on which a statement holds by the rule of "
     "docs/semantics.md (a `to`, the next value's start, or the end of an as-of horizon; "
     "absent: still holds), as xsd:date.", XSD.date),
    ("bloc", "bloc", "The bloc of the race an entity belongs to (United States, China, "
     "multinational, other), by the rule of docs/semantics.md.", SKOS.Concept),
    ("blocRule", "bloc rule", "The step of the rule of docs/semantics.md that gave the "
     "entity its kgo:bloc, in words: its ISO code (a country), country, parent or being an "
     "international organisation (an organisation), affiliation, last affiliation, "
     "citizenship or affiliation reported later (a person), developer (a model), designer "
     "(a chip), jurisdiction or issuer (a policy), actors (an event), speaker (a quote), "
     "about (a figure), leader (an assessment), or 'no rule applies' (other by default).",
     XSD.string),
    ("disputedBy", "disputed by", "Another figure of the same measure, subject and period "
     "whose value, from another claimant, does not meet this one's (docs/semantics.md).",
     None),
    ("datasetDate", "dataset date", "The day the graph describes (data/dataset.yaml): its "
     "current values and the query library's date defaults are for this day.", XSD.date),
    ("asOfHorizonDays", "as-of horizon (days)", "How many days a fact known only as of a day "
     "is taken to hold after it, unless ended or superseded (docs/semantics.md).", XSD.integer),
    ("derivedUrl", "derived link", "A resolver link the build derives from the source's "
     "standard identifier (arXiv id, DOI, Federal Register document number, CELEX number); "
     "not a URL the data states (kg/semantics/links.py).", None),
    ("field", "YAML field", "The name of the YAML field a statement comes from.", XSD.string),
    ("sourceLine", "source line", "The line of the data file where the entity or statement "
     "starts.", XSD.integer),
]


def kgo(schema: Schema) -> Namespace:
    return Namespace(schema.namespaces["kgo"])


def term(schema: Schema, curie: str) -> URIRef:
    return URIRef(schema.expand(curie))


def concept(schema: Schema, enum: str, value: str) -> URIRef:
    return kgo(schema)[f"{enum}-{value}"]


def _bind(g: Graph, schema: Schema) -> None:
    for prefix, ns in schema.namespaces.items():
        g.bind(prefix, Namespace(ns), override=True, replace=True)


def _fields_by_property(schema: Schema) -> dict[str, list[tuple[str, Field]]]:
    """Every field and qualifier, grouped by the property it maps to."""
    out: dict[str, list[tuple[str, Field]]] = {}
    for kname, kind in schema.kinds.items():
        for f in kind.fields.values():
            if f.type == "check" or f.name == "id":
                continue
            out.setdefault(f.curie, []).append((kname, f))
            for q in f.qualifiers.values():
                out.setdefault(q.curie, []).append(("statement", q))
    for f in schema.statement_keys.values():
        if f.type != "check":
            out.setdefault(f.curie, []).append(("statement", f))
    return out


def range_of(schema: Schema, f: Field) -> list[URIRef]:
    if f.type == "ref":
        kinds = [k for k in f.to if k != "any"]
        return [term(schema, schema.kinds[k].cls) for k in kinds] if kinds else [RDFS.Resource]
    if f.type == "enum":
        return [SKOS.Concept]
    if f.type == "date":
        return [XSD.date, XSD.gYearMonth, XSD.gYear]
    if f.type == "url":
        return [RDFS.Resource]
    if f.type == "langmap":
        return [RDF.langString]
    return [XSD_OF[f.type]]


def build_ontology(schema: Schema | None = None) -> Graph:
    schema = schema or load_schema()
    K = kgo(schema)
    g = Graph()
    _bind(g, schema)
    onto = URIRef(schema.namespaces["kgo"].rstrip("#"))
    g.add((onto, RDF.type, OWL.Ontology))
    g.add((onto, RDFS.label, Literal("ai-race-kg ontology", lang="en")))
    g.add((onto, RDFS.comment, Literal(
        "Terms of the ai-race-kg knowledge graph of the US-China AI race, generated from "
        "ontology/schema.yaml.", lang="en")))
    g.add((onto, OWL.versionInfo, Literal(schema.version)))
    g.add((onto, DCT.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))

    for kind in schema.kinds.values():
        cls = term(schema, kind.cls)
        g.add((cls, RDF.type, OWL.Class))
        g.add((cls, RDFS.label, Literal(kind.label, lang="en")))
        g.add((cls, RDFS.comment, Literal(kind.comment, lang="en")))
        for sup in kind.super:
            g.add((cls, RDFS.subClassOf, term(schema, sup)))

    for local, label, comment, rng in EXTRA_TERMS:
        t = K[local]
        is_class = local[0].isupper()
        g.add((t, RDF.type, OWL.Class if is_class else (
            OWL.DatatypeProperty if rng is not None and str(rng).startswith(str(XSD)) else
            OWL.ObjectProperty)))
        g.add((t, RDFS.label, Literal(label, lang="en")))
        g.add((t, RDFS.comment, Literal(comment, lang="en")))
        if rng is not None:
            g.add((t, RDFS.range, rng))
    g.add((K.Statement, RDFS.subClassOf, RDF.Statement))
    date_fields = sorted({f.name for kind in schema.kinds.values() for f in kind.fields.values()
                          if f.type == "date"})
    for name in date_fields:
        for edge, which in (("Start", "first"), ("End", "last")):
            t = K[f"{camel(name)}{edge}"]
            g.add((t, RDF.type, OWL.DatatypeProperty))
            g.add((t, RDFS.label, Literal(f"{name.replace('_', ' ')} ({which} day)", lang="en")))
            g.add((t, RDFS.comment, Literal(
                f"The {which} day of the `{name}` date, as xsd:date whatever the source's "
                "precision, so filters and ORDER BY compare alike on every engine.", lang="en")))
            g.add((t, RDFS.range, XSD.date))

    own = schema.namespaces["kgo"]
    for curie, uses in sorted(_fields_by_property(schema).items()):
        prop = term(schema, curie)
        if not str(prop).startswith(own):
            continue  # reused terms are documented by their own vocabularies
        _, first = uses[0]
        literal = first.type not in ("ref", "enum", "url")
        g.add((prop, RDF.type, OWL.DatatypeProperty if literal else OWL.ObjectProperty))
        g.add((prop, RDFS.label, Literal(first.label, lang="en")))
        g.add((prop, RDFS.comment, Literal(first.comment, lang="en")))
        domains = sorted({u[0] for u in uses})
        for d in domains:
            cls = K.Statement if d == "statement" else term(schema, schema.kinds[d].cls)
            g.add((prop, SCHEMA.domainIncludes, cls))
        ranges = sorted({r for _, f in uses for r in range_of(schema, f)})
        for r in ranges:
            g.add((prop, SCHEMA.rangeIncludes, r))
        if len(domains) == 1 and domains[0] != "statement":
            g.add((prop, RDFS.domain, term(schema, schema.kinds[domains[0]].cls)))
        if len(ranges) == 1:
            g.add((prop, RDFS.range, ranges[0]))

    for ename, enum in schema.enums.items():
        scheme = K[camel(ename.replace("-", "_")) + "Scheme"]
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        g.add((scheme, RDFS.label, Literal(enum.label, lang="en")))
        g.add((scheme, RDFS.comment, Literal(enum.comment, lang="en")))
        for value, meaning in enum.values.items():
            c = concept(schema, ename, value)
            g.add((c, RDF.type, SKOS.Concept))
            g.add((c, SKOS.inScheme, scheme))
            g.add((c, SKOS.prefLabel, Literal(value, lang="en")))
            g.add((c, RDFS.label, Literal(value, lang="en")))
            g.add((c, RDFS.comment, Literal(meaning, lang="en")))
            g.add((c, SKOS.definition, Literal(meaning, lang="en")))
            g.add((c, SKOS.notation, Literal(value)))
    return g


def _shape_id(schema: Schema, name: str) -> URIRef:
    return URIRef(schema.namespaces["kgo"] + "shape-" + name)


def build_shapes(schema: Schema | None = None) -> Graph:
    """SHACL shapes derived from the schema, as far as SHACL can say it."""
    schema = schema or load_schema()
    K = kgo(schema)
    g = Graph()
    _bind(g, schema)
    for kname, kind in schema.kinds.items():
        shape = _shape_id(schema, kname)
        g.add((shape, RDF.type, SH.NodeShape))
        g.add((shape, SH.targetClass, term(schema, kind.cls)))
        g.add((shape, RDFS.label, Literal(f"{kind.label} shape", lang="en")))
        g.add((shape, RDFS.comment, Literal(f"What every {kind.label} must have.", lang="en")))
        if kind.needs_sources:
            _prop_shape(g, shape, PROV.wasDerivedFrom, min_count=1,
                        cls=term(schema, schema.kinds["source"].cls),
                        message=f"a {kind.label} needs at least one source")
        for f in kind.fields.values():
            if f.type in ("check",) or f.name in ("id", "sources"):
                continue
            if f.name == "name":
                _prop_shape(g, shape, RDFS.label, min_count=1,
                            message=f"a {kind.label} needs a name (rdfs:label)")
                continue
            if f.type == "langmap":
                continue
            path = term(schema, f.curie)
            kwargs: dict = {}
            if f.required and not f.sourced:
                kwargs["min_count"] = 1
            if f.type == "ref":
                kinds = [k for k in f.to if k != "any"]
                if len(kinds) == 1:
                    kwargs["cls"] = term(schema, schema.kinds[kinds[0]].cls)
                elif kinds:
                    kwargs["any_cls"] = [term(schema, schema.kinds[k].cls) for k in kinds]
                kwargs["node_kind"] = SH.IRI
            elif f.type == "enum":
                kwargs["values"] = [concept(schema, f.enum, v) for v in schema.enums[f.enum].values]
            elif f.type == "url" or f.name in IRI_FIELDS:
                kwargs["node_kind"] = SH.IRI
            elif f.name in LANG_FIELDS:
                kwargs["datatype"] = RDF.langString
            elif f.type == "date":
                kwargs["any_datatype"] = [XSD.date, XSD.gYearMonth, XSD.gYear]
            else:
                kwargs["datatype"] = XSD_OF[f.type]
            if not f.many and not f.temporal and not f.sourced:
                kwargs["max_count"] = 1
            _prop_shape(g, shape, path, message=f"{kind.label}.{f.name}: {f.comment}", **kwargs)

    st = _shape_id(schema, "statement")
    g.add((st, RDF.type, SH.NodeShape))
    g.add((st, SH.targetClass, K.Statement))
    g.add((st, RDFS.label, Literal("statement shape", lang="en")))
    g.add((st, RDFS.comment, Literal("Every statement names its subject, property, value and at "
                                     "least one source.", lang="en")))
    _prop_shape(g, st, PROV.wasDerivedFrom, min_count=1,
                cls=term(schema, schema.kinds["source"].cls),
                message="a fact needs at least one source")
    for p in (RDF.subject, RDF.predicate, RDF.object):
        _prop_shape(g, st, p, min_count=1, max_count=1, message=f"a statement needs one {p}")
    _prop_shape(g, st, K.checkStatus, min_count=1, max_count=1,
                values=[concept(schema, "check-status", v)
                        for v in schema.enums["check-status"].values],
                message="a statement needs a check status")
    _prop_shape(g, st, K.bestSourceReliability, max_count=1,
                values=[concept(schema, "reliability", v)
                        for v in schema.enums["reliability"].values],
                message="a statement has at most one best source reliability, a value of "
                        "the reliability scale")
    return g


def _prop_shape(g: Graph, shape: URIRef, path: URIRef, *, message: str, min_count: int = 0,
                max_count: int = 0, cls: URIRef | None = None, any_cls: list | None = None,
                datatype: URIRef | None = None, any_datatype: list | None = None,
                node_kind: URIRef | None = None, values: list | None = None) -> None:
    # A stable IRI (not a blank node) keeps the file byte-identical between runs.
    local = str(path).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    ps = URIRef(f"{shape}-{local}")
    g.add((shape, SH.property, ps))
    g.add((ps, SH.path, path))
    g.add((ps, SH.message, Literal(message, lang="en")))
    if min_count:
        g.add((ps, SH.minCount, Literal(min_count)))
    if max_count:
        g.add((ps, SH.maxCount, Literal(max_count)))
    if cls is not None:
        g.add((ps, SH["class"], cls))
    if datatype is not None:
        g.add((ps, SH.datatype, datatype))
    if node_kind is not None:
        g.add((ps, SH.nodeKind, node_kind))
    for name, items, pred in (("or", any_cls, SH["class"]), ("dt", any_datatype, SH.datatype)):
        if items:
            alts = []
            for i, item in enumerate(items):
                alt = URIRef(f"{ps}-{name}{i}")
                g.add((alt, pred, item))
                alts.append(alt)
            g.add((ps, SH["or"], rdf_list(g, URIRef(f"{ps}-{name}"), alts)))
    if values:
        g.add((ps, SH["in"], rdf_list(g, URIRef(f"{ps}-in"), values)))


def rdf_list(g: Graph, head: URIRef, items: list) -> URIRef:
    """An RDF list whose cells have stable IRIs (rdflib's Collection mints blank nodes)."""
    cells = [head] + [URIRef(f"{head}-{i}") for i in range(1, len(items))]
    for i, (cell, item) in enumerate(zip(cells, items, strict=False)):
        g.add((cell, RDF.first, item))
        g.add((cell, RDF.rest, cells[i + 1] if i + 1 < len(cells) else RDF.nil))
    return head


def regenerate(out_dir: Path = ONTOLOGY_DIR, write: bool = True) -> list[Path]:
    """The files of ontology.ttl and shapes.ttl that differ from what the schema generates
    (stale); with `write`, rewritten."""
    from kg.rdf.serialize import turtle

    stale = []
    for name, g in (("ontology.ttl", build_ontology()), ("shapes.ttl", build_shapes())):
        path = out_dir / name
        text = turtle(g)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if write:
                path.write_text(text, encoding="utf-8")
    return stale

