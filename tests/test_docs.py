"""`kg docs`: the ontology reference lists every term of ontology.ttl with its label
and comment, in Markdown and HTML, with examples from the data."""

from __future__ import annotations

import html

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from conftest import REPO
from kg.cli import main

ONTOLOGY = Graph().parse(REPO / "ontology" / "ontology.ttl")
KGO = "https://w3id.org/ai-race-kg/ontology#"
TERMS = sorted(s for cls in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                             SKOS.ConceptScheme)
               for s in ONTOLOGY.subjects(RDF.type, cls))


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    result = CliRunner().invoke(main, ["docs", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return {"md": (out / "ontology.md").read_text(encoding="utf-8"),
            "html": (out / "ontology.html").read_text(encoding="utf-8")}


def test_every_term_appears_with_its_label_and_comment(docs):
    assert len(TERMS) > 100
    for term in TERMS:
        curie = "kgo:" + str(term)[len(KGO):]
        label = str(ONTOLOGY.value(term, RDFS.label))
        comment = str(ONTOLOGY.value(term, RDFS.comment))
        assert f"### {curie}\n\n**{label}**: {comment}" in docs["md"], curie
        assert f"<code>{html.escape(curie)}</code>" in docs["html"], curie
        assert f"<b>{html.escape(label)}</b>: {html.escape(comment)}" in docs["html"], curie


def test_domain_range_and_examples_from_the_data(docs):
    section = docs["md"].split("### kgo:exportStatus\n", 1)[1].split("###", 1)[0]
    assert "- domain: kgo:Chip" in section
    assert "- example: `kgid:" in section and "kgo:export-status-" in section
    by = docs["md"].split("### kgo:by\n", 1)[1].split("###", 1)[0]
    assert "kgo:Event, kgo:Policy" in by and "(a statement about kgid:" in by
    # the vocabularies list their concepts
    assert "kgo:export-status-allowed-vetted-buyers (allowed-vetted-buyers)" in docs["md"]


def test_reused_properties_are_documented(docs):
    creator = docs["md"].split("### schema:creator\n", 1)[1].split("###", 1)[0]
    assert "**developer**" in creator and "field `developer`" in creator
    assert "kgid:" in creator  # an example
    assert "### prov:wasDerivedFrom" in docs["md"]


def test_html_is_one_offline_page(docs):
    page = docs["html"]
    assert page.startswith("<!doctype html>") and "<script" not in page
    assert "<link" not in page and 'src="http' not in page


def test_readme_sparql_examples_run_and_answer():
    import re

    from sparql_support import oxigraph_store

    from kg.sparql.queries import with_prefixes

    text = (REPO / "README.md").read_text(encoding="utf-8").split("## For researchers", 1)[1]
    block = re.search(r"```sparql\n(.+?)```", text, re.S)[1]
    examples = [q for q in block.split("\n\n") if q.strip()]
    assert len(examples) == 3
    answers = [oxigraph_store().query(with_prefixes(q)[0]) for q in examples]
    assert all(a.rows for a in answers)
    # the disagreement example finds BitBiased's two Ascend 910C estimates
    assert {str(r[2]) for r in answers[1].rows} >= {"200000", "450000"}
    # it lists figures that differ, which are not all disputes (a fresh user read its old
    # title, "Figures that disagree", and found "at most 120" beside 48 months): the
    # example says so and names the library query that applies the dispute rule
    assert examples[1].lstrip().startswith("# Figures that differ")
    assert "`kg query disputed-figures`" in examples[1]


def test_examples_from_the_build_quads_equal_those_from_its_rdflib_graph(tmp_path):
    """A build passes its compact quads (no rdflib graph is made): same bytes as from the
    union graph, on the real data."""
    from kg.rdf.docs import write_docs
    from kg.rdf.load import load_graph

    built = load_graph(REPO / "data")
    from_quads = write_docs(tmp_path / "q", graph=built.quads)
    from_graph = write_docs(tmp_path / "g", graph=built.graph)
    assert [p.name for p in from_quads] == ["ontology.md", "ontology.html"]
    for q, g in zip(from_quads, from_graph, strict=True):
        assert q.read_bytes() == g.read_bytes(), q.name
    assert "(a statement about kgid:" in from_quads[0].read_text(encoding="utf-8")


def test_kg_docs_on_a_terminal_says_its_stages_and_writes_the_same(docs, tmp_path, monkeypatch):
    """kg docs loads the graph of data/ for its examples (tens of seconds at 100k
    entities): on a terminal the stages show, and the pages are those written without."""
    import kg.cli

    said = []

    class Said:
        def begin(self, what):
            said.append(("running", what))

        def __call__(self, message):
            said.append(("done", message.split(" (")[0] if "entities" in message
                         else message.split(" triples)")[0]))

    monkeypatch.setattr(kg.cli, "on_terminal", lambda: Said())
    result = CliRunner().invoke(main, ["docs", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ontology.md").read_text(encoding="utf-8") == docs["md"]
    assert (tmp_path / "ontology.html").read_text(encoding="utf-8") == docs["html"]
    assert [kind for kind, _ in said] == ["running", "done", "running", "done"]
    n = said[1][1].split()[1]
    assert said[0] == ("running", "validating the data files")
    assert said[1] == ("done", f"validated {n} entities")
    assert said[2] == ("running", f"building the graph of {n} entities")
    assert said[3][1].startswith("built the graph (")


def test_a_property_shared_by_fields_has_one_label():
    """A researcher's trial: `kg query neighbourhood` called a chip's family "model family"
    (kgo:family's rdfs:label was its first field's, the model's) where the explorer said
    "chip family" (the chip field's label). Every kgo: property whose fields (and
    qualifiers) share it has one label, so every output says the same; kgo:by, the
    policy or event a status follows (or the event that reports it), says "following"."""
    from kg.core.schema import load_schema
    from kg.rdf.ontology import _fields_by_property

    schema = load_schema()
    mixed = {curie: sorted({f.label for _, f in uses})
             for curie, uses in _fields_by_property(schema).items()
             if curie.startswith("kgo:") and len({f.label for _, f in uses}) > 1}
    assert mixed == {}
    assert str(ONTOLOGY.value(URIRef(KGO + "family"), RDFS.label)) == "family"
    assert str(ONTOLOGY.value(URIRef(KGO + "by"), RDFS.label)) == "following"
