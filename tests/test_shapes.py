"""The core SHACL engine gives pySHACL's answers: the same issues, for every kind of violation.

A synthetic graph is broken in one way per constraint the generated shapes use
(min/max count, class, class alternatives, datatype and datatype alternatives,
ill-typed literals, node kind, enumerations, statements), and both engines must
report exactly the same issues (file, line, entity, message). Shapes the core
engine does not run fall back to pySHACL.
"""

from __future__ import annotations

import sys

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from conftest import REPO
from kg.core.schema import load_schema
from kg.rdf.graph import entity_iri, file_graph_iri
from kg.rdf.load import load_graph
from kg.rdf.ontology import build_shapes, kgo
from kg.rdf.quads import Quads
from kg.rdf.shapes import compile_shapes, shacl_issues

sys.path.insert(0, str(REPO / "benchmarks"))
from synth import generate  # noqa: E402

PROV = "http://www.w3.org/ns/prov#"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data = tmp_path_factory.mktemp("synth") / "data"
    generate(data, 250, seed=5)
    return load_graph(data)


def first(built, kind):
    return next(e for e in sorted(built.entities.values(), key=lambda e: e.id) if e.kind == kind)


def prop(schema, kind, field):
    return URIRef(schema.expand(schema.kinds[kind].fields[field].curie))


def both(ds, **kw):
    core = shacl_issues(ds, engine="core", **kw)
    full = shacl_issues(ds, engine="pyshacl", **kw)
    assert core == full
    return core


def test_clean_graph_no_issues_from_either(built):
    assert both(built.dataset, entities=built.entities) == []
    assert shacl_issues(built.quads, entities=built.entities) == []


def test_every_violation_the_same_as_pyshacl(built):
    schema = load_schema()
    K = kgo(schema)
    ds = built.dataset
    org, model, chip = first(built, "organization"), first(built, "model"), first(built, "chip")
    policy, source = first(built, "policy"), first(built, "source")

    def graph(e):
        return ds.graph(file_graph_iri(schema, e.path))

    o, m = entity_iri(schema, org.id), entity_iri(schema, model.id)
    changes = [
        # minCount: an organisation without sources
        lambda: [graph(org).remove((o, URIRef(PROV + "wasDerivedFrom"), None))],
        # maxCount and sh:in: a second organisation type, outside the scale
        lambda: graph(org).add((o, prop(schema, "organization", "org_type"), K["org-type-nope"])),
        # sh:class: a country that is a model; a literal where an entity belongs
        lambda: graph(org).add((o, prop(schema, "organization", "country"), m)),
        lambda: graph(model).add((m, prop(schema, "model", "developer"), Literal("OpenAI"))),
        # sh:or of classes: a policy issued by a chip
        lambda: graph(policy).add((entity_iri(schema, policy.id),
                                   prop(schema, "policy", "issued_by"),
                                   entity_iri(schema, chip.id))),
        # sh:datatype: a string, an ill-typed integer, a plain alias (not rdf:langString)
        lambda: graph(model).add((m, prop(schema, "model", "parameters"), Literal("many"))),
        lambda: graph(model).add((m, prop(schema, "model", "parameters"),
                                  Literal("7B", datatype=XSD.integer))),
        lambda: graph(model).add((m, prop(schema, "model", "aliases"), Literal("plain"))),
        # sh:or of datatypes: a date as xsd:string, and as an ill-typed xsd:date
        lambda: graph(model).add((m, prop(schema, "model", "released"), Literal("soon"))),
        lambda: graph(model).add((m, prop(schema, "model", "released"),
                                  Literal("2025-13-40", datatype=XSD.date))),
        # sh:nodeKind sh:IRI: a URL as a literal
        lambda: graph(source).add((entity_iri(schema, source.id),
                                   prop(schema, "source", "url"), Literal("https://x.org"))),
        # statements: one without a check status, one with two subjects
        lambda: [graph(model).remove((st, K.checkStatus, None))
                 for st in list(graph(model).subjects(RDF.type, K.Statement))[:1]],
        lambda: [graph(model).add((st, RDF.subject, o))
                 for st in list(graph(model).subjects(RDF.type, K.Statement))[1:2]],
        # a label that is a number
        lambda: graph(org).add((o, RDFS.label, Literal(5))),
    ]
    for change in changes:
        change()
    found = both(ds, entities=built.entities)
    # the build runs the core engine on its quads, not on rdflib: the same issues
    assert shacl_issues(Quads.from_dataset(ds), entities=built.entities) == found
    messages = "\n".join(i.format() for i in found)
    for word in ("needs at least one source", "org_type", "country", "developer",
                 "issued_by", "parameters", "aliases", "released", "url", "check status",
                 f"{model.path}"):
        assert word in messages, messages
    assert len(found) >= 13, messages


def test_a_blank_node_shape_with_a_message_runs_on_the_core_engine(built):
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix kgo: <https://w3id.org/ai-race-kg/ontology#> .
        kgo:needsHq a sh:NodeShape ; sh:targetClass kgo:Organization ;
            sh:property [ sh:path kgo:headquarters ; sh:minCount 1 ;
                          sh:message "an organisation needs a headquarters" ] .
    """, format="turtle")
    assert compile_shapes(shapes) is not None
    found = both(built.dataset, shapes=shapes, entities=built.entities)
    assert found and all("headquarters" in i.message for i in found)


@pytest.mark.parametrize("extra", [
    "sh:pattern '^x' ; sh:message 'm'",  # a constraint the core engine does not know
    "sh:minCount 1",  # no sh:message: pySHACL writes its own
])
def test_other_shapes_fall_back_to_pyshacl(built, extra):
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix kgo: <https://w3id.org/ai-race-kg/ontology#> .
        kgo:s a sh:NodeShape ; sh:targetClass kgo:Organization ;
            sh:property [ sh:path kgo:ticker ; {extra} ] .
    """, format="turtle")
    assert compile_shapes(shapes) is None
    with pytest.raises(ValueError):
        shacl_issues(built.dataset, shapes=shapes, engine="core")
    assert shacl_issues(built.dataset, shapes=shapes) == shacl_issues(
        built.dataset, shapes=shapes, engine="pyshacl")


def test_the_generated_shapes_run_on_the_core_engine():
    assert compile_shapes(build_shapes(load_schema())) is not None
