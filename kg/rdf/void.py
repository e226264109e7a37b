"""The dataset's own description (VoID and DCAT): title, version, licence, counts."""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, XSD

from kg.core.schema import Schema
from kg.rdf.graph import DATASET_IRI
from kg.rdf.load import Built
from kg.rdf.ontology import DCT, term

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")

DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
CODE_LICENSE = "https://opensource.org/licenses/MIT"



def void_graph(schema: Schema, built: Built) -> Graph:
    """A VoID/DCAT description of the dataset. No timestamps, so builds stay identical."""
    g = Graph()
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    g.bind("dct", DCT)
    ds = URIRef(DATASET_IRI)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCT.title, Literal("ai-race-kg: a sourced knowledge graph of the US-China AI race",
                                  lang="en")))
    g.add((ds, DCT.description, Literal(
        "Actors, AI models, chips, policies, quotes and sourced figures of the US-China AI race, "
        "each fact linked to the sources that state it.", lang="en")))
    g.add((ds, OWL.versionInfo, Literal(schema.version)))
    g.add((ds, DCT.license, URIRef(DATA_LICENSE)))
    g.add((ds, VOID.uriSpace, Literal(schema.namespaces["kgid"])))
    g.add((ds, VOID.vocabulary, URIRef(schema.namespaces["kgo"])))
    g.add((ds, VOID.triples, Literal(len(built.quads), datatype=XSD.integer)))
    g.add((ds, VOID.entities, Literal(len(built.entities), datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(len(set(built.counts())), datatype=XSD.integer)))
    for kind, n in sorted(built.counts().items()):
        part = URIRef(f"{DATASET_IRI}/class/{kind}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], term(schema, schema.kinds[kind].cls)))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for name in ("graph.ttl", "graph.nt", "graph.jsonld", "graph.trig"):
        g.add((ds, VOID.dataDump, URIRef(f"{DATASET_IRI}/{name}")))
    return g
