"""SPARQL over the built graph: stores (Oxigraph, rdflib, remote), the query library, result formats, the HTTP endpoint."""
