"""RDF as text, from one serialiser: every graph `kg query` prints, `kg serve` answers
and `kg push` sends is written here, by pyoxigraph's serialisers (strict and fast).

rdflib's Turtle writer puts a literal holding a line break and ending in `\\"` into a
long string that strict parsers refuse; pyoxigraph escapes it in a short one. Triples
are sorted first, so the same graph always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

# name -> (pyoxigraph RdfFormat attribute, media type)
RDF_SYNTAXES = {
    "turtle": ("TURTLE", "text/turtle"),
    "nt": ("N_TRIPLES", "application/n-triples"),
    "xml": ("RDF_XML", "application/rdf+xml"),
    "jsonld": ("JSON_LD", "application/ld+json"),
}
ALIASES = {"ttl": "turtle", "n3": "turtle", "ntriples": "nt", "rdfxml": "xml", "rdf+xml": "xml",
           "json-ld": "jsonld"}


def syntax_name(name: str) -> str | None:
    """`turtle`, `ttl`, `nt`, `xml`, `rdf+xml`, `jsonld`, `json-ld`... -> the canonical name
    (turtle, nt, xml, jsonld), or None."""
    name = name.strip().lower()
    name = ALIASES.get(name, name)
    return name if name in RDF_SYNTAXES else None


def to_ox(term):
    """An rdflib term as a pyoxigraph term."""
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype and str(term.datatype) != str(XSD.string):
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"unsupported term: {term!r}")


def _key(t) -> tuple:
    return tuple((type(x).__name__, str(x), str(getattr(x, "datatype", "") or ""),
                  getattr(x, "language", "") or "") for x in t)


def serialize_triples(triples: Iterable, syntax: str = "turtle",
                      prefixes: dict[str, str] | None = None) -> bytes:
    """rdflib triples (s, p, o) as RDF text (UTF-8 bytes), sorted.

    `syntax`: turtle, nt, xml or jsonld (or an alias, see `syntax_name`); `prefixes`
    (prefix -> namespace) are declared in Turtle and RDF/XML, only those used.
    Raises ValueError for an unknown syntax.
    """
    import pyoxigraph as ox

    name = syntax_name(syntax)
    if name is None:
        raise ValueError(f"unknown RDF format {syntax!r}; choose one of "
                         + ", ".join(RDF_SYNTAXES))
    fmt = getattr(ox.RdfFormat, RDF_SYNTAXES[name][0])
    ordered = sorted(triples, key=_key)
    out = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in ordered]
    used = {}
    if prefixes and name in ("turtle", "xml"):
        iris = {str(x) for t in ordered for x in t if isinstance(x, URIRef)}
        iris |= {str(t[2].datatype) for t in ordered
                 if isinstance(t[2], Literal) and t[2].datatype}
        for prefix, ns in sorted(prefixes.items()):
            if any(i.startswith(ns) for i in iris):
                used[prefix] = ns
    return ox.serialize(out, format=fmt, prefixes=used or None)


def ox_ntriples(triples: Iterable) -> bytes:
    """pyoxigraph triples as N-Triples (UTF-8 bytes), one per line, sorted."""
    import pyoxigraph as ox

    return ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES)


def project_prefixes() -> dict[str, str]:
    """The project's prefixes (kgid, kgo, schema, prov...), from the schema."""
    from kg.core.schema import load_schema

    return dict(load_schema().namespaces)


__all__ = ["RDF_SYNTAXES", "ox_ntriples", "project_prefixes", "serialize_triples", "syntax_name", "to_ox"]
