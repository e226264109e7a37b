"""The RDF mapping's rules: shortcut triples hold only the current, preferred values."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from kg import check
from kg.rdf.graph import union_graph

KGO = "https://w3id.org/ai-race-kg/ontology#"
KGID = "https://w3id.org/ai-race-kg/id/"

FILES = {
    "organization/tsmc.yaml": """
        id: tsmc
        name: TSMC
        org_type: company
        supplies:
          - value: deepseek
            to: 2024-10
          - value: acme
        sources: [src-a]
    """,
    "organization/acme.yaml": """
        id: acme
        name: Acme
        org_type: company
        sources: [src-a]
    """,
    "chip/h200.yaml": """
        id: h200
        name: H200
        chip_type: gpu
        export_status:
          - value: restricted
            to: 2025-12
          - value: allowed-vetted-buyers
            from: 2025-12
          - value: banned
            as_of: 2026
          - value: unrestricted
            rank: deprecated
        sources: [src-a]
    """,
    "model/r1.yaml": """
        id: r1
        name: R1
        model_type: model
        released:
          - value: 2025-01
            rank: preferred
          - value: 2025-02
        sources: [src-a]
    """,
}


def objects(g, subject, prop):
    return {str(o).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            for o in g.objects(URIRef(KGID + subject), URIRef(KGO + prop))}


def graph(make_data):
    result, ds = check(make_data(FILES), shacl=True)
    # the h200's two current export statuses are the one issue: a conflict (see below)
    assert [(i.entity, i.rule) for i in result.issues] == [("h200", "conflict")], \
        [i.format() for i in result.issues]
    return union_graph(ds)


def test_a_fact_that_ended_is_history_not_a_shortcut(make_data):
    g = graph(make_data)
    assert objects(g, "tsmc", "supplies") == {"acme"}
    statements = set(g.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"),
                                URIRef(KGID + "tsmc")))
    assert len(statements) == 2  # both links keep their statement node and source


def test_an_as_of_report_never_supersedes_a_dated_change_it_conflicts_with_it(make_data):
    """`banned as_of 2026` is evidence, not a change: beside `allowed from 2025-12` both hold on
    the dataset's date (the newest source's, 2026-01-24), so both are shortcut values and the
    semantic layer reports the conflict for a maintainer to rank (kg lint)."""
    g = graph(make_data)
    assert objects(g, "h200", "exportStatus") == {"export-status-allowed-vetted-buyers",
                                                  "export-status-banned"}
    from kg.core.schema import load_schema
    from kg.semantics import Semantics

    result, _ = check(make_data(FILES), shacl=False)
    sem = Semantics(load_schema(), result.entities)
    assert str(sem.date) == "2026-01-24"
    assert [(c.entity.id, c.field, sorted(s.value for s in c.statements))
            for c in sem.conflicts()] == [("h200", "export_status",
                                           ["allowed-vetted-buyers", "banned"])]
    # an error of `kg validate` and `kg build` too, not of `kg lint` alone (a maintainer's
    # trial: the pre-commit hook's validate let two current values through)
    result, _ = check(make_data(FILES), shacl=True)
    assert not result.ok
    (issue,) = result.issues
    assert issue.level == "error" and issue.path == "data/chip/h200.yaml"
    assert issue.message.endswith("on the dataset's date 2026-01-24.")
    assert issue.fix.startswith("rank the one that stands `rank: preferred`")


def test_a_ranked_statement_resolves_the_conflict(make_data):
    files = dict(FILES)
    files["chip/h200.yaml"] = files["chip/h200.yaml"].replace(
        "            as_of: 2026\n", "            as_of: 2026\n            rank: deprecated\n")
    result, ds = check(make_data(files), shacl=False)
    g = union_graph(ds)
    assert objects(g, "h200", "exportStatus") == {"export-status-allowed-vetted-buyers"}


def test_preferred_rank_wins_and_deprecated_never_shows(make_data):
    g = graph(make_data)
    released = {str(o) for o in g.objects(URIRef(KGID + "r1"),
                                          URIRef("https://schema.org/datePublished"))}
    assert released == {"2025-01"}
    assert "export-status-unrestricted" not in objects(g, "h200", "exportStatus")


def test_check_makes_rdflib_objects_only_when_asked(make_data):
    """kg validate (check with SHACL) runs on the compact quads; the rdflib Dataset it
    returns is made on first use, and holds the same graph the quads do."""
    from kg.rdf.quads import Quads

    result, ds = check(make_data(FILES), shacl=True)
    assert [i.rule for i in result.issues] == ["conflict"]  # (the fixture's h200)
    assert ds.made is None and isinstance(ds.quads_source, Quads)
    names = {str(g.identifier) for g in ds.graphs() if len(g)}  # now made
    assert ds.made is not None
    assert "https://w3id.org/ai-race-kg/file/data/chip/h200.yaml" in names
    assert "https://w3id.org/ai-race-kg/file/ontology/ontology.ttl" in names
    assert len(union_graph(ds)) == len(ds.quads_source)


def test_changed_graphs_names_the_files_whose_triples_differ(make_data):
    """Two builds compared by their quads' texts: the edited file's graph, the added file's
    and the removed file's, and not the graphs whose triples are the same."""
    from kg import load_graph
    from kg.rdf.quads import changed_graphs

    before = load_graph(make_data(FILES)).quads
    assert changed_graphs(before, load_graph(make_data(FILES)).quads) == set()
    edited = dict(FILES)
    edited["organization/acme.yaml"] = FILES["organization/acme.yaml"].replace(
        "name: Acme", "name: Acme Corp")
    edited["organization/newco.yaml"] = """
        id: newco
        name: Newco
        org_type: company
        sources: [src-a]
    """
    edited["model/r1.yaml"] = None
    data = make_data(edited)
    (data / "model" / "r1.yaml").unlink()
    got = changed_graphs(before, load_graph(data).quads)
    kgfile = "https://w3id.org/ai-race-kg/file/"
    assert got == {
        kgfile + "data/organization/acme.yaml", kgfile + "data/organization/newco.yaml",
        kgfile + "data/model/r1.yaml"}


def test_graph_keys_change_with_a_graphs_triples_only(make_data):
    from kg import load_graph
    from kg.rdf.quads import graph_keys

    before = graph_keys(load_graph(make_data(FILES)).quads)
    edited = dict(FILES)
    edited["organization/acme.yaml"] = FILES["organization/acme.yaml"].replace(
        "name: Acme", "name: Acme Corp")
    after = graph_keys(load_graph(make_data(edited)).quads)
    kgfile = "https://w3id.org/ai-race-kg/file/"
    assert before.keys() == after.keys()
    assert {g for g in before if before[g] != after[g]} == {
        kgfile + "data/organization/acme.yaml"}


@pytest.mark.parametrize("pack3", [True, False])
def test_quads_count_distinct_triples_and_quads(monkeypatch, pack3):
    """len() and quad_count() count distinct rows, duplicates and all, whichever way the
    ids are packed into sort keys (three per key below PACK3_MAX_TERMS terms, else two)."""
    import random

    import numpy as np

    import kg.rdf.quads as quads_mod

    if not pack3:
        monkeypatch.setattr(quads_mod, "PACK3_MAX_TERMS", 0)
    rnd = random.Random(7)
    for _ in range(100):
        q = quads_mod.Quads([])
        for i in range(rnd.randint(1, 6)):
            q.iri(f"https://example.org/t{i}")
        k = len(q.terms)
        for _ in range(rnd.randint(0, 40)):
            q.use_graph(f"https://example.org/t{rnd.randrange(k)}")
            q.add(rnd.randrange(k), rnd.randrange(k), rnd.randrange(k))
        rows = np.frombuffer(q.rows, dtype=np.intc).reshape(-1, 4).tolist()
        assert len(q) == len({tuple(r[1:]) for r in rows})
        assert q.quad_count() == len({tuple(r) for r in rows})
        assert len(q) == len(q.triples()) and q.quad_count() == len(q.quads())


def test_summary_counts_each_fact_by_status_and_each_fact_source_pair_once():
    """summary.json's facts by check status and per source, read from the quads' id
    columns: a fact is typed a statement, claim or assessment (a source's own
    prov:wasDerivedFrom is not counted); one without a status counts as "none"; a
    (fact, source) pair found in two named graphs counts once."""
    from rdflib import RDF as R
    from rdflib import URIRef as U

    from kg.core.schema import load_schema
    from kg.rdf.ontology import PROV, kgo
    from kg.rdf.quads import Quads
    from kg.rdf.stats import _facts

    schema = load_schema()
    K = kgo(schema)
    ex = "https://w3id.org/ai-race-kg/id/"
    q = Quads([])
    t = q.term

    def add(graph, s, p, o):  # s and o: an entity's id, or an IRI
        q.use_graph(graph)
        q.add(t(U(ex + s)), t(p), t(o if isinstance(o, U) else U(ex + o)))

    for g in ("https://w3id.org/ai-race-kg/file/a", "https://w3id.org/ai-race-kg/file/b"):
        add(g, "f1", R.type, K.Statement)
        add(g, "f1", PROV.wasDerivedFrom, "src-one")  # the same pair in two graphs
    add("https://w3id.org/ai-race-kg/file/a", "f1", K.checkStatus, K["check-status-unchecked"])
    add("https://w3id.org/ai-race-kg/file/a", "f2", R.type, K.Claim)
    add("https://w3id.org/ai-race-kg/file/a", "f2", K.checkStatus, K["check-status-checked"])
    add("https://w3id.org/ai-race-kg/file/a", "f2", PROV.wasDerivedFrom, "src-one")
    add("https://w3id.org/ai-race-kg/file/a", "f2", PROV.wasDerivedFrom, "src-two")
    add("https://w3id.org/ai-race-kg/file/a", "f3", R.type, K.Assessment)  # no status
    add("https://w3id.org/ai-race-kg/file/a", "src-two", R.type, K.Source)
    add("https://w3id.org/ai-race-kg/file/a", "src-two", PROV.wasDerivedFrom, "src-one")
    status, per_source = _facts(q, schema, K)
    assert dict(status) == {"unchecked": 1, "checked": 1, "none": 1}
    assert dict(per_source) == {"src-one": 2, "src-two": 1}
    pairs = q.pairs(q.find(PROV.wasDerivedFrom)).tolist()
    assert pairs == sorted(pairs)  # by subject id, then object id
    assert sorted((q.terms[s], q.terms[o]) for s, o in pairs) == [  # f1's pair once
        (f"<{ex}f1>", f"<{ex}src-one>"), (f"<{ex}f2>", f"<{ex}src-one>"),
        (f"<{ex}f2>", f"<{ex}src-two>"), (f"<{ex}src-two>", f"<{ex}src-one>")]
