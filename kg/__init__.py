"""ai-race-kg: a sourced knowledge graph of the US-China AI race.

The library is the product; the `kg` command is a thin skin over it:

    from kg import build, load_graph
    built = load_graph()            # validated entities + rdflib graph
    built = build(out_dir="build")  # and every output written

The package is laid out by stage, in the order data flows (each stage imports
only the stages before it; tests/test_layout.py checks):

    kg/core/      errors, the schema (the one declaration of kinds and fields), the entity model
    kg/data/      files -> records with file:line -> validated entities; round-trip YAML
    kg/curate/    maintainers' changes to data/ (atomic, journalled), lint
    kg/rdf/       entities -> RDF graph, ontology, SHACL, serialisation, load_graph
    kg/sparql/    stores, the query library, result formats, the HTTP endpoint
    kg/pipeline.py  the main job: every output of `kg build`
    kg/cli/       the click commands, a few lines each over the library
"""

__version__ = "0.1.0"

_LAZY = {"build": "kg.pipeline", "check": "kg.rdf.load", "load_graph": "kg.rdf.load",
         "Built": "kg.rdf.load"}


def __getattr__(name: str):
    # Lazy, so that `import kg` (and `kg --help`) does not pay for rdflib.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


__all__ = ["Built", "build", "check", "load_graph"]
