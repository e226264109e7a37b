"""Entities to RDF: the graph, the ontology and SHACL shapes, serialisation, statistics, and load_graph (what every output calls)."""
