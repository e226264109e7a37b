"""SHACL validation of the built graph, each violation mapped back to its file and line.

pySHACL cannot point into YAML, so the mapping uses what the graph itself
records: each entity's and statement's kgo:sourceLine, and the named graph
(one per data file) that holds it.
"""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from kg.core.errors import Issue
from kg.core.schema import Schema, load_schema
from kg.rdf.graph import union_graph
from kg.rdf.ontology import SH, build_shapes, kgo


def shacl_issues(ds: Dataset, schema: Schema | None = None, shapes: Graph | None = None,
                 entities: dict | None = None) -> list[Issue]:
    """Run SHACL over the dataset; return one Issue per violation, with file and line."""
    import pyshacl  # imported here: only validation and build need it

    schema = schema or load_schema()
    # Entities carry exactly their kind's class, so sh:class needs no RDFS inference
    # (which tripled the time); the union graph already holds the ontology.
    data = union_graph(ds)
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes if shapes is not None else build_shapes(schema),
        inference="none", advanced=False,
        allow_warnings=True)
    if conforms:
        return []
    K = kgo(schema)
    where = _locations(ds, schema)
    issues = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        rel, line, entity = where.get(focus, ("(graph)", 0, str(focus)))
        line = int(data.value(focus, K.sourceLine) or line) if isinstance(focus, URIRef) else line
        prop = data.namespace_manager.normalizeUri(path) if isinstance(path, URIRef) else str(path)
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


def _locations(ds: Dataset, schema: Schema) -> dict[URIRef, tuple[str, int, str]]:
    """node IRI -> (file, line, entity id) for every entity and statement node."""
    file_ns = schema.namespaces["kgfile"]
    id_ns = schema.namespaces["kgid"]
    out = {}
    for g in ds.graphs():
        name = str(g.identifier)
        if not name.startswith(file_ns + "data/"):
            continue
        rel = name[len(file_ns):]
        for s in set(g.subjects()):
            entity = str(s)[len(id_ns):].split("/", 1)[0] if str(s).startswith(id_ns) else str(s)
            out[s] = (rel, 0, entity)
    return out
