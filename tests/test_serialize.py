"""The Oxigraph writers of `kg build`: deterministic, and the same graph as rdflib's own writers.

Each file is parsed back by rdflib and compared with rdflib.compare (isomorphic), and
read by an independent parser (Debian's rapper) for the formats it knows. The graph
is synthetic (benchmarks/synth.py: every kind, histories, qualifiers, six scripts)
plus literals chosen to trip escaping and number shortcuts.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from conftest import REPO, need_tool
from kg.rdf.load import load_graph
from kg.rdf.serialize import graph_texts, jsonld, ntriples, trig, trig_fast, turtle, turtle_fast

sys.path.insert(0, str(REPO / "benchmarks"))
from synth import generate  # noqa: E402

TRICKY = [
    Literal("700000000", datatype=XSD.decimal),  # no '.': must not become an integer
    Literal("0.5", datatype=XSD.decimal),
    Literal("+1", datatype=XSD.integer),
    Literal("true", datatype=XSD.boolean),
    Literal("2025-01", datatype=XSD.gYearMonth),
    Literal('a "quoted"\\ back\tslash\nnew line'),
    Literal("华为 · Ascend — 昇腾", lang="zh"),
    Literal("\u0001 control"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data = tmp_path_factory.mktemp("synth") / "data"
    generate(data, 300, seed=3)
    b = load_graph(data)
    s = URIRef("https://w3id.org/ai-race-kg/id/tricky")
    for i, lit in enumerate(TRICKY):
        b.graph.add((s, URIRef(f"https://w3id.org/ai-race-kg/ontology#p{i}"), lit))
    return b


@pytest.fixture(scope="module")
def texts(built):
    return graph_texts(built.graph, built.dataset)


@pytest.mark.parametrize("name,fmt", [("graph.ttl", "turtle"), ("graph.nt", "nt"),
                                      ("graph.jsonld", "json-ld")])
def test_each_file_is_the_same_graph(built, texts, name, fmt):
    back = Graph().parse(data=texts[name], format=fmt)
    assert isomorphic(back, built.graph)


def test_trig_holds_each_named_graph(built, texts):
    back = Dataset()
    back.parse(data=texts["graph.trig"], format="trig")
    theirs = {str(g.identifier): g for g in back.graphs() if len(g)}
    ours = {str(g.identifier): g for g in built.dataset.graphs() if len(g)}
    assert set(theirs) == set(ours)
    for name, g in ours.items():
        assert isomorphic(theirs[name], g), name


def test_same_as_the_python_writers(built):
    """The Python writers (kept for ontology/*.ttl) and the Oxigraph ones agree."""
    assert isomorphic(Graph().parse(data=turtle(built.graph), format="turtle"),
                      Graph().parse(data=turtle_fast(built.graph), format="turtle"))
    a, b = Dataset(), Dataset()
    a.parse(data=trig(built.dataset), format="trig")
    b.parse(data=trig_fast(built.dataset), format="trig")
    assert set(a.quads()) == set(b.quads())


def test_byte_identical_across_calls(built, texts):
    assert graph_texts(built.graph, built.dataset) == texts
    assert ntriples(built.graph) == texts["graph.nt"]
    assert jsonld(built.graph) == texts["graph.jsonld"]


def test_turtle_uses_prefixes_and_puts_the_type_first(texts):
    ttl = texts["graph.ttl"]
    assert "@prefix kgid: <https://w3id.org/ai-race-kg/id/> ." in ttl
    assert "@prefix kgo: <https://w3id.org/ai-race-kg/ontology#> ." in ttl
    assert "\nkgid:org-" in ttl and " a kgo:Organization" in ttl
    assert ttl.count("@prefix") == len(set(ttl.split("@prefix")[1:]))  # each prefix once
    assert "@prefix brick:" not in ttl  # rdflib's default bindings stay out


def test_ntriples_lines_are_sorted_and_unique(texts):
    lines = texts["graph.nt"].splitlines()
    assert len(lines) == len(set(lines))


@pytest.mark.parametrize("name,syntax", [("graph.ttl", "turtle"), ("graph.nt", "ntriples"),
                                         ("graph.trig", "trig")])
def test_rapper_reads_every_triple(built, texts, tmp_path, name, syntax):
    rapper = need_tool("rapper")
    path = tmp_path / name
    path.write_text(texts[name], encoding="utf-8")
    proc = subprocess.run([rapper, "-q", "-i", syntax, "-o", "ntriples", str(path)],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stderr
    back = Graph().parse(data=proc.stdout, format="nt")
    expected = built.graph if name != "graph.trig" else Graph()
    if name == "graph.trig":
        for s, p, o, _ in built.dataset.quads((None, None, None, None)):
            expected.add((s, p, o))
    assert isomorphic(back, expected)


def tricky_dataset(built):
    """The built dataset plus a graph of literals chosen to trip escaping, number
    shortcuts and language-tag case."""
    from rdflib import Dataset

    ds = Dataset()
    for prefix, ns in built.dataset.namespace_manager.namespaces():
        ds.bind(prefix, ns, override=True, replace=True)
    for s, p, o, g in built.dataset.quads((None, None, None, None)):
        ds.graph(g.identifier if hasattr(g, "identifier") else g).add((s, p, o))
    odd = ds.graph(URIRef("https://w3id.org/ai-race-kg/file/data/odd.yaml"))
    s = URIRef("https://w3id.org/ai-race-kg/id/tricky")
    for i, lit in enumerate([*TRICKY, Literal("中文", lang="zh-Hans")]):
        odd.add((s, URIRef(f"https://w3id.org/ai-race-kg/ontology#p{i}"), lit))
    return ds


def test_the_quads_writer_gives_the_bytes_of_the_rdflib_path(built):
    """kg build writes from the quads (quads_texts); the same dataset through rdflib
    objects (graph_texts) gives the same four files, byte for byte."""
    from kg.rdf.graph import union_graph
    from kg.rdf.quads import Quads
    from kg.rdf.serialize import quads_texts

    ds = tricky_dataset(built)
    assert quads_texts(Quads.from_dataset(ds)) == graph_texts(union_graph(ds), ds)


def test_the_quads_give_back_the_same_rdflib_terms(built):
    from kg.rdf.quads import Quads

    ds = tricky_dataset(built)
    back = Quads.from_dataset(ds).dataset()
    def named(d):
        return {(s, p, o, str(getattr(g, "identifier", g))) for s, p, o, g in d.quads()
                if not str(getattr(g, "identifier", g)).startswith("urn:x-rdflib:")}

    assert named(back) == named(ds)
    tags = {o.language for _, _, o, _ in back.quads() if isinstance(o, Literal)}
    assert "zh-Hans" in tags  # as written, though N-Triples lower-cases it


def test_quads_texts_writes_in_a_locked_scratch_folder_of_the_cache(tmp_path, monkeypatch):
    """quads_texts writes the files in a scratch folder under the cache folder, locked
    while it writes (a kill leaves it to the next sweep, not under /tmp for ever), and
    removes it."""
    from kg.data import filecache
    from kg.rdf import serialize
    from kg.rdf.quads import Quads

    monkeypatch.setenv(filecache.CACHE_ENV, str(tmp_path / "cache"))
    seen = []
    real = serialize.write_quads_files

    def write(out_dir, quads, jobs=1):
        seen.append((out_dir, filecache.lock_state(out_dir)))
        return real(out_dir, quads, jobs)

    monkeypatch.setattr(serialize, "write_quads_files", write)
    ds = Dataset()
    ds.graph(URIRef("https://e/g")).add((URIRef("https://e/a"), URIRef("https://e/p"),
                                         Literal("one")))
    texts = serialize.quads_texts(Quads.from_dataset(ds))
    assert texts["graph.nt"] == '<https://e/a> <https://e/p> "one" .\n'
    ((out_dir, state),) = seen
    assert out_dir.parent == tmp_path / "cache" / "tmp" and state == "held"
    assert out_dir.name.startswith("kg-graph.") and not out_dir.exists()
