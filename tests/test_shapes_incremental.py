"""SHACL kept between checks (kg.rdf.shapes._kept_check) gives a full check's issues.

After every edit of a sequence (each kind of violation the shapes catch, introduced and
fixed; a referenced entity's type changed so that an sh:class check flips; a node's
triples moved to another file's graph; a file added, a file deleted; the class hierarchy
changed) the kept check's issues (text, file, line, order) equal a full check's, on the
quads and through `kg validate` and `kg build`; an entry cut short or edited gives the
full check and the same issues.
"""

from __future__ import annotations

import json
import re
import sys

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

import kg.rdf.shapes as shapes_mod
from conftest import REPO
from kg.cli import main
from kg.core.schema import load_schema
from kg.data.filecache import cache_dir
from kg.rdf.graph import entity_iri, file_graph_iri
from kg.rdf.load import load_graph
from kg.rdf.ontology import build_shapes, kgo
from kg.rdf.quads import Quads, changed_graphs, hashed_keys
from kg.rdf.shapes import compile_shapes, shacl_issues

sys.path.insert(0, str(REPO / "benchmarks"))
from synth import generate  # noqa: E402

PROV = "http://www.w3.org/ns/prov#"
SCHEMA = load_schema()
K = kgo(SCHEMA)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data = tmp_path_factory.mktemp("synth") / "data"
    generate(data, 120, seed=7)
    return load_graph(data)


@pytest.fixture
def full_checks(monkeypatch):
    """A list that gets one entry per full check the kept check falls back to."""
    calls = []
    real = shapes_mod._full

    def spy(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(shapes_mod, "_full", spy)
    return calls


def first(built, kind, n=0):
    return [e for e in sorted(built.entities.values(), key=lambda e: e.id) if e.kind == kind][n]


def prop(kind, field):
    return URIRef(SCHEMA.expand(SCHEMA.kinds[kind].fields[field].curie))


def same(ds, built, keep):
    """The kept check's issues on ds's quads, asserted equal to a full check's."""
    q = Quads.from_dataset(ds)
    full = shacl_issues(q, entities=built.entities)
    kept = shacl_issues(q, entities=built.entities, keep=keep)
    assert [i.format() for i in kept] == [i.format() for i in full]
    assert kept == full
    return full


def test_each_edit_the_same_issues_as_a_full_check(built, tmp_path, full_checks):
    ds = built.quads.dataset(built.binds)
    keep = tmp_path / "somewhere"
    org, model, chip = first(built, "organization"), first(built, "model"), first(built, "chip")
    policy, source = first(built, "policy"), first(built, "source")
    o, m = entity_iri(SCHEMA, org.id), entity_iri(SCHEMA, model.id)

    def graph(e):
        return ds.graph(file_graph_iri(SCHEMA, e.path))

    derived = URIRef(PROV + "wasDerivedFrom")
    sources = list(graph(org).triples((o, derived, None)))
    statement = next(iter(graph(model).subjects(RDF.type, K.Statement)))
    status = list(graph(model).triples((statement, K.checkStatus, None)))
    # (what it breaks, its triples in which entity's graph); each added, checked, and
    # removed again at the end
    breaks = [
        ("sh:maxCount and sh:in", org, (o, prop("organization", "org_type"), K["org-type-nope"])),
        ("sh:class: a country that is a model", org, (o, prop("organization", "country"), m)),
        ("sh:class: a literal", model, (m, prop("model", "developer"), Literal("OpenAI"))),
        ("sh:or of classes", policy, (entity_iri(SCHEMA, policy.id), prop("policy", "issued_by"),
                                      entity_iri(SCHEMA, chip.id))),
        ("sh:datatype", model, (m, prop("model", "parameters"), Literal("many"))),
        ("ill-typed", model, (m, prop("model", "parameters"), Literal("7B", datatype=XSD.integer))),
        ("langString", model, (m, prop("model", "aliases"), Literal("plain"))),
        ("sh:or of datatypes", model, (m, prop("model", "released"), Literal("soon"))),
        ("sh:nodeKind", source, (entity_iri(SCHEMA, source.id), prop("source", "url"),
                                 Literal("https://x.org"))),
        ("a statement with two subjects", model, (statement, RDF.subject, o)),
        ("a label that is a number (no shape checks a label's datatype)", org,
         (o, RDFS.label, Literal(5))),
    ]
    assert same(ds, built, keep) == []
    assert len(full_checks) == 1  # nothing kept yet
    seen = set()
    for what, e, triple in breaks:
        graph(e).add(triple)
        found = same(ds, built, keep)
        assert {i.format() for i in found} >= seen, what
        seen = {i.format() for i in found}
    # minCount: an organisation without sources; a statement without a check status
    graph(org).remove((o, derived, None))
    graph(model).remove((statement, K.checkStatus, None))
    found = same(ds, built, keep)
    text = "\n".join(i.format() for i in found)
    for word in ("needs at least one source", "org_type", "country", "developer", "issued_by",
                 "parameters", "aliases", "released", "url", "check status", model.path):
        assert word in text, text
    for t in sources:
        graph(org).add(t)
    for t in status:
        graph(model).add(t)
    for _what, e, triple in reversed(breaks):
        graph(e).remove(triple)
        same(ds, built, keep)
    assert same(ds, built, keep) == []
    assert len(full_checks) == 1  # every check after the first kept what it could


def test_a_referenced_entity_changes_type_and_the_referrer_flips(built, tmp_path, full_checks):
    """The organisation's graph is unchanged; its country's type changes in the country's
    graph, so the organisation's sh:class check of `country` fails, then passes again."""
    ds = built.quads.dataset(built.binds)
    keep = tmp_path / "k"
    org = next(e for e in sorted(built.entities.values(), key=lambda e: e.id)
               if e.kind == "organization" and e.facts.get("country"))
    cid = org.facts["country"][0].value
    country = built.entities[cid]
    c = entity_iri(SCHEMA, cid)
    cg = ds.graph(file_graph_iri(SCHEMA, country.path))
    assert same(ds, built, keep) == []
    before = Quads.from_dataset(ds)
    cg.remove((c, RDF.type, K.Country))
    cg.add((c, RDF.type, K.AIModel))
    assert changed_graphs(before, Quads.from_dataset(ds)) == {str(cg.identifier)}
    found = same(ds, built, keep)
    assert any(i.entity == org.id and "country" in i.message and i.path == org.path
               for i in found), [i.format() for i in found]
    # the hierarchy changes: a model is now a country, so the check passes again
    ontology = ds.graph(file_graph_iri(SCHEMA, "ontology/ontology.ttl"))
    ontology.add((K.AIModel, RDFS.subClassOf, K.Country))
    assert not any(i.entity == org.id for i in same(ds, built, keep))
    ontology.remove((K.AIModel, RDFS.subClassOf, K.Country))
    assert any(i.entity == org.id for i in same(ds, built, keep))
    cg.remove((c, RDF.type, K.AIModel))
    cg.add((c, RDF.type, K.Country))
    assert same(ds, built, keep) == []
    # a deleted file: the organisation now points at a country that has no type at all
    ds.remove_graph(cg)
    found = same(ds, built, keep)
    assert any(i.entity == org.id and "country" in i.message for i in found)
    for t in Quads.from_dataset(built.dataset).dataset().graph(cg.identifier):
        ds.graph(cg.identifier).add(t)
    assert same(ds, built, keep) == []
    assert len(full_checks) == 3  # the first check, and each change of the hierarchy


def test_triples_in_another_files_graph_and_files_added(built, tmp_path, full_checks):
    """A node whose triples sit in two graphs: removing them from the other graph (its own
    unchanged) changes its results. A new file's graph is checked; so are its values."""
    ds = built.quads.dataset(built.binds)
    keep = tmp_path / "k"
    org, model = first(built, "organization"), first(built, "model")
    o = entity_iri(SCHEMA, org.id)
    og = ds.graph(file_graph_iri(SCHEMA, org.path))
    mg = ds.graph(file_graph_iri(SCHEMA, model.path))
    derived = URIRef(PROV + "wasDerivedFrom")
    assert same(ds, built, keep) == []
    moved = list(og.triples((o, derived, None)))
    for t in moved:
        og.remove(t)
        mg.add(t)
    assert same(ds, built, keep) == []
    for t in moved:
        mg.remove(t)
    found = same(ds, built, keep)
    assert [i.entity for i in found] == [org.id] and "source" in found[0].message
    for t in moved:
        og.add(t)
    assert same(ds, built, keep) == []
    # a new file: an organisation with no sources whose country is a model
    new = URIRef(SCHEMA.namespaces["kgid"] + "org-new")
    ng = ds.graph(file_graph_iri(SCHEMA, "data/organization/org-new.yaml"))
    ng.add((new, RDF.type, K.Organization))
    ng.add((new, RDFS.label, Literal("New")))
    ng.add((new, prop("organization", "org_type"), K["org-type-lab"]))
    ng.add((new, prop("organization", "country"), entity_iri(SCHEMA, model.id)))
    found = same(ds, built, keep)
    assert {i.path for i in found} == {"data/organization/org-new.yaml"}
    assert len(found) == 2, [i.format() for i in found]
    ds.remove_graph(ng)
    assert same(ds, built, keep) == []
    assert len(full_checks) == 1


@pytest.mark.parametrize("damage", ["truncated", "garbage", "edited", "other shapes"])
def test_a_damaged_entry_is_a_full_check_with_the_same_issues(built, tmp_path, full_checks,
                                                              damage):
    ds = built.quads.dataset(built.binds)
    keep = tmp_path / "k"
    org = first(built, "organization")
    o = entity_iri(SCHEMA, org.id)
    og = ds.graph(file_graph_iri(SCHEMA, org.path))
    og.add((o, prop("organization", "org_type"), Literal("lab")))
    expected = same(ds, built, keep)
    assert len(expected) == 2 and len(full_checks) == 1  # sh:maxCount and sh:in
    entries = list((cache_dir() / "shacl").glob("shacl-*.json"))
    entry = next(p for p in entries if shapes_mod._kept_name(keep) in p.name)
    blob = entry.read_bytes()
    if damage == "truncated":
        entry.write_bytes(blob[: len(blob) // 2])
    elif damage == "garbage":
        entry.write_bytes(b"\x00\xff" * 50)
    elif damage == "edited":  # well-formed, every key changed, results the data cannot have
        head, _, body = blob.partition(b"\n")
        state = json.loads(body)
        state["results"] = [[r[0], r[1], r[2], '"not in the data"', r[4]] for r in state["results"]]
        state["keys"] = {g: "0" for g in state["keys"]}
        body = json.dumps(state).encode()
        import hashlib

        tag = head.decode().rsplit(" ", 1)[0]
        entry.write_bytes(f"{tag} {hashlib.sha256(body).hexdigest()}\n".encode() + body)
    else:  # kept under other shapes' fingerprint: not read
        head, _, body = blob.partition(b"\n")
        entry.write_bytes(re.sub(rb"kg-shacl [0-9a-f]+", b"kg-shacl 00", head) + b"\n" + body)
    q = Quads.from_dataset(ds)
    kept = shacl_issues(q, entities=built.entities, keep=keep)
    assert kept == expected
    assert len(full_checks) == (1 if damage == "edited" else 2)
    assert same(ds, built, keep) == expected  # and the entry written again is good


def test_no_cache_is_a_full_check_and_keeps_nothing(built, tmp_path, monkeypatch, full_checks):
    monkeypatch.setenv("KG_NO_CACHE", "1")
    keep = tmp_path / "never-kept"
    assert shacl_issues(built.quads, entities=built.entities, keep=keep) == []
    assert not any(shapes_mod._kept_name(keep) in p.name
                   for p in (cache_dir() / "shacl").glob("*.json"))
    assert full_checks == []  # the plain check: nothing to keep


# -- random edits ---------------------------------------------------------------------------
EDITS = ["label-number", "drop-sources", "country-is-model", "retype-country", "drop-file",
         "move-sources", "bad-date", "restore"]


@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 5)), min_size=1, max_size=6))
def test_random_edits_the_same_issues_as_a_full_check(built, tmp_path_factory, edits):
    ds = built.quads.dataset(built.binds)
    keep = tmp_path_factory.mktemp("keep")
    pristine = {g.identifier: set(g) for g in ds.graphs()}
    orgs = [e for e in sorted(built.entities.values(), key=lambda e: e.id)
            if e.kind == "organization"]
    countries = [e for e in built.entities.values() if e.kind == "country"]
    same(ds, built, keep)
    for edit, n in edits:
        org = orgs[n % len(orgs)]
        o = entity_iri(SCHEMA, org.id)
        og = ds.graph(file_graph_iri(SCHEMA, org.path))
        other = ds.graph(file_graph_iri(SCHEMA, orgs[(n + 1) % len(orgs)].path))
        country = sorted(countries, key=lambda e: e.id)[n % len(countries)]
        cg = ds.graph(file_graph_iri(SCHEMA, country.path))
        c = entity_iri(SCHEMA, country.id)
        if edit == "label-number":
            og.add((o, RDFS.label, Literal(n)))
        elif edit == "drop-sources":
            og.remove((o, URIRef(PROV + "wasDerivedFrom"), None))
        elif edit == "country-is-model":
            og.add((o, prop("organization", "country"), o))
        elif edit == "retype-country":
            cg.remove((c, RDF.type, None))
            cg.add((c, RDF.type, K.Person))
        elif edit == "drop-file":
            ds.remove_graph(cg)
        elif edit == "move-sources":
            for t in list(og.triples((o, URIRef(PROV + "wasDerivedFrom"), None))):
                og.remove(t)
                other.add(t)
        elif edit == "bad-date":
            og.add((o, prop("organization", "founded"), Literal("never")))
        else:  # restore one graph as built
            name = sorted(pristine, key=str)[n * 7 % len(pristine)]
            ds.remove_graph(ds.graph(name))
            for t in pristine[name]:
                ds.graph(name).add(t)
        same(ds, built, keep)


# -- kg validate and kg build, from YAML edits ---------------------------------------------------
EXTRA_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix kgo: <https://w3id.org/ai-race-kg/ontology#> .
kgo:needsHq a sh:NodeShape ; sh:targetClass kgo:Organization ;
    sh:property [ sh:path kgo:headquarters ; sh:minCount 1 ;
                  sh:message "an organisation needs a headquarters" ] .
"""


@pytest.mark.parametrize("command", ["validate", "build"])
def test_kg_validate_and_build_after_yaml_edits(tmp_path, monkeypatch, full_checks, command):
    """The schema's shapes plus one that YAML can break (organisations need a headquarters):
    after each edit (the field added, removed, a file added and deleted) the command's
    output with the kept check is the output with caches off."""
    shapes = build_shapes(SCHEMA) + Graph().parse(data=EXTRA_SHAPE, format="turtle")
    compiled = compile_shapes(shapes)
    assert compiled is not None
    monkeypatch.setattr(shapes_mod, "_schema_shapes", lambda schema: compiled)
    data = tmp_path / "data"
    generate(data, 40, seed=3)
    orgs = [p for p in sorted((data / "organization").glob("*.yaml"))
            if "headquarters:" not in p.read_text()]

    def run():
        args = [command, "--data", str(data)]
        if command == "build":
            args += ["--out", str(tmp_path / "out")]
        kept = CliRunner().invoke(main, args)
        monkeypatch.setenv("KG_NO_CACHE", "1")
        full = CliRunner().invoke(main, args)
        monkeypatch.delenv("KG_NO_CACHE")
        # the build's stage lines ("... checked the SHACL shapes (0.2 s)") carry times
        kept_out, full_out = ("".join(line for line in r.output.splitlines(keepends=True)
                                      if not line.startswith("... ")) for r in (kept, full))
        assert (kept.exit_code, kept_out) == (full.exit_code, full_out)
        return kept_out

    assert len(orgs) > 3
    out = run()
    assert out.count("needs a headquarters") == len(orgs)
    for i, path in enumerate(orgs[:3]):
        path.write_text(path.read_text() + f"headquarters: City {i}\n")
        assert run().count("needs a headquarters") == len(orgs) - i - 1
    added = data / "organization" / "org-zz-new.yaml"
    added.write_text(orgs[-1].read_text().replace(orgs[-1].stem, "org-zz-new"))
    out = run()
    assert "org-zz-new.yaml:1: error: [org-zz-new] SHACL: headquarters" in out
    assert out.count("needs a headquarters") == len(orgs) - 3 + 1
    added.unlink()
    path = orgs[1]
    path.write_text(re.sub(r"headquarters: .*\n", "", path.read_text()))
    out = run()
    assert out.count("needs a headquarters") == len(orgs) - 2
    assert f"{path.name}:" in out
    assert len(full_checks) == 1  # the first run; the others kept what they could


# -- the compiled shapes, kept so that a new process does not compile them again ------------------
def test_the_kept_compiled_shapes_are_the_compiled_shapes(monkeypatch):
    compiled = compile_shapes(build_shapes(SCHEMA))
    monkeypatch.setattr(shapes_mod, "_COMPILED", {})
    assert shapes_mod._schema_shapes(SCHEMA) == compiled  # compiled, then kept
    entries = list((cache_dir() / "shacl").glob("shapes-*.json"))
    assert entries
    monkeypatch.setattr(shapes_mod, "_COMPILED", {})
    assert shapes_mod._schema_shapes(SCHEMA) == compiled  # read back
    for entry in entries:  # damaged: compiled again, the same
        entry.write_bytes(entry.read_bytes()[:100])
    monkeypatch.setattr(shapes_mod, "_COMPILED", {})
    assert shapes_mod._schema_shapes(SCHEMA) == compiled
    assert shapes_mod._decode_shapes(shapes_mod._encode_shapes(compiled)) == compiled


def test_validate_and_build_share_the_kept_check(tmp_path, monkeypatch, full_checks):
    """kg build checks its VoID graph too, kg validate does not: the same issues, and one
    kept entry serves both (the VoID graph comes and goes as one graph)."""
    shapes = build_shapes(SCHEMA) + Graph().parse(data=EXTRA_SHAPE, format="turtle")
    compiled = compile_shapes(shapes)
    monkeypatch.setattr(shapes_mod, "_schema_shapes", lambda schema: compiled)
    data = tmp_path / "data"
    generate(data, 40, seed=4)

    def issues(command):
        args = [command, "--data", str(data)]
        if command == "build":
            args += ["--out", str(tmp_path / "out")]
        out = CliRunner().invoke(main, args).output
        return [line for line in out.splitlines() if ": error: " in line]

    first = issues("validate")
    assert first and all("needs a headquarters" in line for line in first)
    assert issues("build") == first
    assert issues("validate") == first
    assert len(full_checks) == 1


def test_hashed_graph_keys_change_exactly_with_the_triples(built):
    """The keys of graphs the builder did not key: equal for the same triples under other
    term ids, different for each graph changed_graphs reports."""
    ds = built.quads.dataset(built.binds)
    a = Quads.from_dataset(ds)
    b = Quads(a.prefixes)  # the same triples added in reverse: other term ids
    for g, s, p, o in reversed(list(zip(*(a.row_array()[:, c].tolist() for c in range(4)),
                                        strict=True))):
        b.use_graph(a.terms[g][1:-1])
        b.add(*(b.term(a.rdflib_term(x)) for x in (s, p, o)))
    assert b.terms != a.terms
    keys_a = hashed_keys(a, a.row_array())
    assert hashed_keys(b, b.row_array()) == keys_a
    org, model = first(built, "organization"), first(built, "model")
    ds.graph(file_graph_iri(SCHEMA, org.path)).add(
        (entity_iri(SCHEMA, org.id), RDFS.label, Literal("another name")))
    ds.graph(file_graph_iri(SCHEMA, model.path)).remove(
        (entity_iri(SCHEMA, model.id), RDFS.label, None))
    c = Quads.from_dataset(ds)
    keys_c = hashed_keys(c, c.row_array())
    assert {g for g in keys_a if keys_a[g] != keys_c[g]} == changed_graphs(a, c) == {
        str(file_graph_iri(SCHEMA, e.path)) for e in (org, model)}
