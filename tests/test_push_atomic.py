"""`kg push` is all or nothing as a real `oxigraph serve` sees it: a push that fails half-way
leaves the server's answers unchanged, and a push removes the graphs of deleted files."""

from __future__ import annotations

import json
import urllib.request

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal, URIRef
from sparql_support import run_oxigraph

from kg.cli import main
from kg.sparql.store import PushFault, QueryError, push_dataset

pytestmark = pytest.mark.server

FILE = "https://w3id.org/ai-race-kg/file/"
P = URIRef("https://w3id.org/ai-race-kg/ontology#says")


@pytest.fixture
def oxigraph(tmp_path):
    yield from run_oxigraph(tmp_path / "store")


def dataset(version: str, files=("a", "b", "c")) -> Dataset:
    ds = Dataset()
    for f in files:
        g = ds.graph(URIRef(f"{FILE}data/{f}.yaml"))
        g.add((URIRef(f"https://w3id.org/ai-race-kg/id/{f}"), P, Literal(f"{f} {version}")))
    return ds


def answers(server) -> dict:
    """Every quad the server holds, and what a plain query of the default graph sees."""
    def select(q):
        req = urllib.request.Request(server["query"], data=q.encode(), method="POST", headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            rows = json.loads(resp.read())["results"]["bindings"]
        return sorted(tuple(sorted((k, v["value"]) for k, v in r.items())) for r in rows)

    return {"named": select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"),
            "default": select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")}


def fail_at(n):
    def hook(step, what):
        if step == n:
            raise PushFault(f"injected fault before request {n} ({what})")
    return hook


@pytest.mark.parametrize("step", [1, 2, 3, 4, 5])  # uploads 1-3, the listing 4, the switch 5
def test_a_push_that_fails_half_way_leaves_the_servers_answers_unchanged(oxigraph, step):
    report = push_dataset(dataset("v1"), oxigraph["store"], file_namespace=FILE)
    assert report == {"graphs": 3, "triples": 3, "default": True, "removed": []}
    before = answers(oxigraph)
    assert len(before["named"]) == 3 and len(before["default"]) == 3
    with pytest.raises(QueryError) as err:
        push_dataset(dataset("v2", files=("a", "b")), oxigraph["store"], file_namespace=FILE,
                     hook=fail_at(step))
    message = str(err.value)
    assert message.startswith(f"push failed: injected fault before request {step}")
    assert "Nothing was changed on the server: the live graphs are as they were (" \
           f"{min(step - 1, 3)} of 3 uploads had gone to temporary graphs" in message
    assert answers(oxigraph) == before  # no new value, no temporary graph, nothing removed


def test_a_push_replaces_every_graph_and_removes_those_of_deleted_files(oxigraph):
    push_dataset(dataset("v1"), oxigraph["store"], file_namespace=FILE)
    report = push_dataset(dataset("v2", files=("a", "b")), oxigraph["store"],
                          file_namespace=FILE)
    assert report["removed"] == [f"{FILE}data/c.yaml"]
    now = answers(oxigraph)
    assert [dict(r)["o"] for r in now["named"]] == ["a v2", "b v2"]
    assert [dict(r)["o"] for r in now["default"]] == ["a v2", "b v2"]


def test_kg_push_says_what_it_removed_and_fails_with_error_voice(oxigraph, tmp_path):
    push_dataset(dataset("v1", files=("a", "b", "zzz")), oxigraph["store"], file_namespace=FILE)
    trig = tmp_path / "g.trig"
    dataset("v2", files=("a", "b")).serialize(trig, format="trig")
    r = CliRunner().invoke(main, ["push", "--graph-store", oxigraph["store"], "--graph", str(trig)])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == ("removed 1 graph(s) of data files that no longer exist: "
                                         f"{FILE}data/zzz.yaml")
    r = CliRunner().invoke(main, ["push", "--graph-store", oxigraph["store"] + "/nowhere",
                                  "--graph", str(trig)])
    assert r.exit_code == 1
    assert r.output.startswith("Error: cannot tell the SPARQL query and update addresses")


def test_kg_push_on_a_terminal_says_its_stages_and_counts_its_uploads(oxigraph, tmp_path,
                                                                      monkeypatch):
    """At 100k entities kg push builds the graph (a minute) and makes one upload a data
    file: on a terminal it shows the stages, the uploads counted (done/total)."""
    import kg.cli

    said, counts = [], []

    class Said:
        def begin(self, what):
            said.append(("running", what))

        def advance(self, done, total):
            counts.append((done, total))

        def __call__(self, message):
            said.append(("done", message))

    monkeypatch.setattr(kg.cli, "on_terminal", lambda: Said())
    trig = tmp_path / "g.trig"
    dataset("v1", files=("a", "b")).serialize(trig, format="trig")
    r = CliRunner().invoke(main, ["push", "--graph-store", oxigraph["store"], "--graph", str(trig)])
    assert r.exit_code == 0, r.output
    assert said[0] == ("running", f"uploading 2 graphs to {oxigraph['store']}")
    assert said[1][0] == "done" and said[1][1].startswith(
        "uploaded 2 graphs and switched them in (")
    assert counts == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5)]  # a, b, the union, list, switch


def test_a_graph_store_address_with_a_trailing_slash_pushes_to_the_store_itself(oxigraph):
    # Oxigraph reads /store/ as a graph of its own (direct identification): every upload
    # went into <.../store/> and the switch then moved missing graphs onto the live ones,
    # emptying the server while `kg push` said it had pushed
    push_dataset(dataset("v1"), oxigraph["store"], file_namespace=FILE)
    report = push_dataset(dataset("v2"), oxigraph["store"] + "/", file_namespace=FILE)
    assert report == {"graphs": 3, "triples": 3, "default": True, "removed": []}
    now = answers(oxigraph)
    assert [(dict(r)["g"], dict(r)["o"]) for r in now["named"]] == [
        (f"{FILE}data/{f}.yaml", f"{f} v2") for f in "abc"]
    assert [dict(r)["o"] for r in now["default"]] == ["a v2", "b v2", "c v2"]


def test_a_push_whose_uploads_the_server_did_not_keep_changes_nothing(oxigraph):
    # a Graph Store that answers 2xx to the uploads but does not hold them as the graphs
    # named by ?graph= (here: each PUT goes to one directly identified graph) must not
    # have the live graphs replaced by missing ones
    push_dataset(dataset("v1"), oxigraph["store"], file_namespace=FILE)
    before = answers(oxigraph)
    elsewhere = oxigraph["store"] + "/other"
    with pytest.raises(QueryError) as err:
        push_dataset(dataset("v2"), elsewhere, file_namespace=FILE,
                     query_url=oxigraph["query"], update_url=oxigraph["update"])
    assert str(err.value).startswith(
        f"push failed: the server does not hold the 4 graph(s) uploaded to {elsewhere} "
        "(urn:kg-push:")
    assert "it may not be a SPARQL 1.1 Graph Store address (/store on Oxigraph, /<dataset>/data " \
           "on Fuseki). Nothing was changed on the server" in str(err.value)
    after = answers(oxigraph)
    assert after["default"] == before["default"]
    assert [r for r in after["named"] if dict(r)["g"] != elsewhere] == before["named"]
