"""ai-race-kg: a sourced knowledge graph of the US-China AI race.

The library is the product; the `kg` command is a thin skin over it:

    from kg.build import build, load_graph
    built = load_graph()            # validated entities + rdflib graph
    built = build(out_dir="build")  # and every output written
"""

__version__ = "0.1.0"
