"""`kg docs`: the ontology reference, generated from ontology/ so it never drifts.

Every class, property and vocabulary of ontology/ontology.ttl with its label, comment,
domain and range, and an example triple taken from the built data; then the reused
properties (schema.org, PROV, SKOS...) that fields map to in ontology/schema.yaml.
Written as Markdown (ontology.md) and HTML (ontology.html, one self-contained page).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.core.schema import by_longest_namespace, load_schema, shorten
from kg.rdf.ontology import SCHEMA, build_ontology
from kg.rdf.quads import lexical
from kg.rdf.serialize import write_texts

KINDS = (("Classes", OWL.Class), ("Object properties", OWL.ObjectProperty),
         ("Datatype properties", OWL.DatatypeProperty),
         ("Vocabularies (SKOS concept schemes)", SKOS.ConceptScheme))


@dataclass
class Term:
    iri: URIRef
    curie: str
    label: str
    comment: str
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    example: str = ""
    extra: list[str] = field(default_factory=list)  # superclasses, or a scheme's concepts


class Namer:
    """Names terms as CURIEs and finds examples in the built data: an rdflib Graph, the
    build's compact quads (kg.rdf.quads.Quads; no rdflib graph is made), or None."""

    def __init__(self, namespaces: dict[str, str], data):
        self.ns = by_longest_namespace(namespaces)
        self.data = None if data is None else (
            _GraphData(data) if isinstance(data, Graph) else _QuadsData(data))

    def curie(self, term) -> str:
        if isinstance(term, Literal):
            text = str(term)
            text = text if len(text) <= 60 else text[:59] + "…"
            return f'"{text}"' + (f"@{term.language}" if term.language else "")
        return shorten(str(term), self.ns)

    def example(self, prop: URIRef) -> str:
        """One triple of the data that uses the property, the first in sorted order."""
        if self.data is None:
            return ""
        first = self.data.first(prop)
        if first is None:
            return ""
        s, o = first
        if "/statement/" in str(s):  # show the entity a statement is about
            subject = self.data.value(s, RDF.subject)
            return (f"{self.curie(s)} {self.curie(prop)} {self.curie(o)} "
                    f"(a statement about {self.curie(subject)})" if subject else
                    f"{self.curie(s)} {self.curie(prop)} {self.curie(o)}")
        return f"{self.curie(s)} {self.curie(prop)} {self.curie(o)}"

    def members(self, cls: URIRef) -> tuple[int, str | None]:
        """How many subjects have rdf:type cls, and the first IRI of them in text order."""
        return (0, None) if self.data is None else self.data.members(cls)


class _GraphData:
    """Examples read from an rdflib Graph."""

    def __init__(self, graph: Graph):
        self.graph = graph

    def first(self, prop: URIRef):
        """(subject, object) of the triple with predicate prop first by (str(s), str(o))."""
        pairs = ((s, o) for s, _, o in self.graph.triples((None, prop, None)))
        return min(pairs, key=lambda t: (str(t[0]), str(t[1])), default=None)

    def value(self, s, p):
        return self.graph.value(s, p)

    def members(self, cls: URIRef) -> tuple[int, str | None]:
        found = {str(m) for m in self.graph.subjects(RDF.type, cls)}
        return len(found), min(found, default=None)


class _QuadsData:
    """Examples read from the build's quads: the same answers as from their union graph."""

    def __init__(self, quads):
        import numpy as np

        self.q = quads
        rows = quads.row_array()
        # the rows grouped by predicate once: each property's rows are then a slice (the
        # reference asks for about 155 properties; a pass over all rows each was 0.1 s
        # at 10k entities)
        self.rows = rows[np.argsort(rows[:, 2], kind="stable")]
        self.starts = np.searchsorted(self.rows[:, 2], np.arange(len(quads.terms) + 1))
        # each term's rank by its IRI text: subjects are IRIs, so a subject's is its rank by
        # str(); objects' texts are made only for the first subject's rows (making every
        # literal's lexical form and ranking them all was 0.3 s of 0.65 at 10k entities)
        self.iri_rank = quads.iri_ranks()

    def _select(self, p: URIRef):
        pid = self.q.find(p)
        return self.rows[self.starts[pid]:self.starts[pid + 1]] if pid is not None \
            else self.rows[:0]

    def _str(self, i: int) -> str:
        """str() of term i's rdflib term: an IRI's text, a literal's lexical form."""
        t = self.q.terms[i]
        return t[1:-1] if t[0] == "<" else lexical(t)

    def first(self, prop: URIRef):
        sel = self._select(prop)
        if not len(sel):
            return None
        ranks = self.iri_rank[sel[:, 1]]
        rows = sel[ranks == ranks.min()].tolist()  # the first subject's, in row order
        _, s, _, o = min(rows, key=lambda r: self._str(r[3]))  # the first of equal texts
        return self.q.rdflib_term(s), self.q.rdflib_term(o)

    def value(self, s, p):
        sid = self.q.find(s)
        sel = self._select(p)
        hit = sel[sel[:, 1] == sid] if sid is not None else sel[:0]
        return self.q.rdflib_term(int(hit[0, 3])) if len(hit) else None

    def members(self, cls: URIRef) -> tuple[int, str | None]:
        import numpy as np

        cid = self.q.find(cls)
        sel = self._select(RDF.type)
        subjects = np.unique(sel[sel[:, 3] == cid, 1]) if cid is not None else sel[:0, 1]
        if not len(subjects):
            return 0, None
        first = int(subjects[np.argmin(self.iri_rank[subjects])])
        return len(subjects), str(self.q.rdflib_term(first))


def _text(g: Graph, s, p) -> str:
    values = sorted(g.objects(s, p), key=lambda v: (getattr(v, "language", "") != "en", str(v)))
    return str(values[0]) if values else ""


def collect(ontology: Graph, namer: Namer) -> dict[str, list[Term]]:
    out: dict[str, list[Term]] = {}
    for title, cls in KINDS:
        terms = []
        for s in sorted(set(ontology.subjects(RDF.type, cls)), key=str):
            t = Term(s, namer.curie(s), _text(ontology, s, RDFS.label),
                     _text(ontology, s, RDFS.comment))
            t.domain = sorted(namer.curie(d) for d in set(ontology.objects(s, RDFS.domain))
                              | set(ontology.objects(s, SCHEMA.domainIncludes)))
            t.range = sorted(namer.curie(r) for r in set(ontology.objects(s, RDFS.range))
                             | set(ontology.objects(s, SCHEMA.rangeIncludes)))
            if cls == OWL.Class:
                t.extra = sorted(namer.curie(c) for c in ontology.objects(s, RDFS.subClassOf))
                n, first = namer.members(s)
                if n:
                    t.example = f"{namer.curie(URIRef(first))} a {t.curie} ({n} in the data)"
            elif cls == SKOS.ConceptScheme:
                t.extra = sorted(f"{namer.curie(c)} ({_text(ontology, c, RDFS.label)})"
                                 for c in ontology.subjects(SKOS.inScheme, s))
            else:
                t.example = namer.example(s)
            terms.append(t)
        out[title] = terms
    return out


def reused_properties(namer: Namer) -> list[Term]:
    """Fields that map to other vocabularies' properties (schema.yaml `property:`)."""
    schema = load_schema()
    found: dict[str, Term] = {}
    for _name, kind in sorted(schema.kinds.items()):
        for f in kind.fields.values():
            if f.type == "check" or f.curie.startswith("kgo:"):
                continue
            iri = URIRef(schema.expand(f.curie))
            t = found.get(f.curie)
            if t is None:
                t = found[f.curie] = Term(iri, f.curie, f.label, f.comment,
                                          example=namer.example(iri))
            t.domain.append(f"{kind.cls} (field `{f.name}`)")
    return [found[k] for k in sorted(found)]


# -- writers -----------------------------------------------------------------------
def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def markdown(sections: dict[str, list[Term]], reused: list[Term], version: str) -> str:
    lines = [f"# ai-race-kg ontology reference (version {version})", "",
             "Generated by `kg docs` from `ontology/ontology.ttl` and `ontology/schema.yaml`; "
             "examples come from the built data. Do not edit by hand.", "",
             "Namespaces: `kgo:` <https://w3id.org/ai-race-kg/ontology#> (terms), `kgid:` "
             "<https://w3id.org/ai-race-kg/id/> (entities), `kgfile:` "
             "<https://w3id.org/ai-race-kg/file/> (one named graph per data file).", ""]
    for title, terms in [*sections.items(), ("Reused properties", reused)]:
        lines += [f"## {title}", ""]
        for t in terms:
            lines += [f"### {t.curie}", "", f"**{t.label}**: {t.comment}", ""]
            if t.domain:
                lines.append(f"- domain: {', '.join(t.domain)}")
            if t.range:
                lines.append(f"- range: {', '.join(t.range)}")
            if t.extra:
                key = "subclass of" if title == "Classes" else "concepts"
                lines.append(f"- {key}: {', '.join(t.extra)}")
            if t.example:
                lines.append(f"- example: `{_md_cell(t.example)}`")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def html_page(sections: dict[str, list[Term]], reused: list[Term], version: str) -> str:
    e = html.escape
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>ai-race-kg ontology reference {e(version)}</title>",
             "<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;"
             "padding:0 1em;line-height:1.4}code{background:#f4f4f4;padding:0 .2em}"
             "h3{margin-bottom:.2em}dl{margin:.2em 0 1.2em}dt{font-weight:600;float:left;"
             "width:7em}dd{margin-left:7.5em}</style></head><body>",
             f"<h1>ai-race-kg ontology reference <small>{e(version)}</small></h1>",
             "<p>Generated by <code>kg docs</code> from <code>ontology/</code>; examples come "
             "from the built data.</p>", "<nav><ul>"]
    all_sections = [*sections.items(), ("Reused properties", reused)]
    for i, (title, terms) in enumerate(all_sections):
        parts.append(f'<li><a href="#s{i}">{e(title)}</a> ({len(terms)})</li>')
    parts.append("</ul></nav>")
    for i, (title, terms) in enumerate(all_sections):
        parts.append(f'<h2 id="s{i}">{e(title)}</h2>')
        for t in terms:
            anchor = e(t.curie.replace(":", "-"))
            parts.append(f'<h3 id="{anchor}"><code>{e(t.curie)}</code></h3>')
            parts.append(f"<p><b>{e(t.label)}</b>: {e(t.comment)}</p><dl>")
            rows = [("domain", ", ".join(t.domain)), ("range", ", ".join(t.range)),
                    ("subclass of" if title == "Classes" else "concepts", ", ".join(t.extra)),
                    ("example", t.example)]
            for key, value in rows:
                if value:
                    parts.append(f"<dt>{e(key)}</dt><dd><code>{e(value)}</code></dd>")
            parts.append("</dl>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_docs(out_dir: Path, data_dir: Path | None = None, with_examples: bool = True,
               graph=None) -> list[Path]:
    """Write ontology.md and ontology.html into out_dir; return the two paths.

    Examples come from `graph` if given: an rdflib Graph, or the compact quads a build
    made (kg.rdf.quads.Quads, read directly: no rdflib graph is made); else from
    data_dir, loaded here (raises DataError if it does not validate).
    """
    return write_texts(out_dir, reference_texts(data_dir, with_examples, graph))


def reference_texts(data_dir: Path | None = None, with_examples: bool = True,
                    graph=None) -> dict[str, str]:
    """What write_docs writes, made but not written: {"ontology.md": text,
    "ontology.html": text} (`kg build` makes them in a process of their own)."""
    from kg.data.loader import gc_paused

    schema = load_schema()
    # the ontology the graph carries (kg ontology writes ontology/ontology.ttl from the
    # same function, and a test keeps the two equal): 0.02 s, not 0.05-0.2 s of parsing
    with gc_paused():
        ontology = build_ontology(schema)
    data = graph
    if with_examples and data is None:
        from kg.rdf.load import load_graph

        data = load_graph(data_dir).quads
    with gc_paused():  # no cyclic garbage here; a collection walks the whole build's heap
        namer = Namer(schema.namespaces, data)
        sections = collect(ontology, namer)
        reused = reused_properties(namer)
    return {"ontology.md": markdown(sections, reused, schema.version),
            "ontology.html": html_page(sections, reused, schema.version)}
