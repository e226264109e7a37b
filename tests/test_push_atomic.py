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


# (batch, the request that fails, how many of the 3 uploads had gone): as N-Quads, the
# one-quad test 1, where it went 2, the one upload 3, the listing 4, the switch 5;
# graph by graph, the uploads 1-3 (a, b, the union), the listing 4, the switch 5
@pytest.mark.parametrize("batch, step, uploaded", [
    (True, 1, 0), (True, 2, 0), (True, 3, 0), (True, 4, 3), (True, 5, 3),
    (False, 1, 0), (False, 2, 1), (False, 3, 2), (False, 4, 3), (False, 5, 3)])
def test_a_push_that_fails_half_way_leaves_the_servers_answers_unchanged(oxigraph, batch, step,
                                                                         uploaded):
    report = push_dataset(dataset("v1"), oxigraph["store"], file_namespace=FILE, batch=batch)
    assert report == {"graphs": 3, "triples": 3, "default": True, "removed": [],
                      "requests": 5 if batch else 6}
    before = answers(oxigraph)
    assert len(before["named"]) == 3 and len(before["default"]) == 3
    with pytest.raises(QueryError) as err:
        push_dataset(dataset("v2", files=("a", "b")), oxigraph["store"], file_namespace=FILE,
                     hook=fail_at(step), batch=batch)
    message = str(err.value)
    assert message.startswith(f"push failed: injected fault before request {step}")
    assert "Nothing was changed on the server: the live graphs are as they were (" \
           f"{uploaded} of 3 uploads had gone to temporary graphs" in message
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
    # the one-quad test and where it went, one upload of a, b and the union, list, switch
    assert counts == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_a_graph_store_address_with_a_trailing_slash_pushes_to_the_store_itself(oxigraph):
    # Oxigraph reads /store/ as a graph of its own (direct identification): every upload
    # went into <.../store/> and the switch then moved missing graphs onto the live ones,
    # emptying the server while `kg push` said it had pushed
    push_dataset(dataset("v1"), oxigraph["store"], file_namespace=FILE)
    report = push_dataset(dataset("v2"), oxigraph["store"] + "/", file_namespace=FILE)
    assert report == {"graphs": 3, "triples": 3, "default": True, "removed": [],
                      "requests": 5}
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


def test_graphs_go_up_as_n_quads_in_batches_one_graph_spanning_two(oxigraph, monkeypatch):
    import kg.sparql.store as store_module

    monkeypatch.setattr(store_module, "BATCH_QUADS", 2)
    ds = Dataset()
    for f, n in (("a", 3), ("b", 1), ("c", 2)):
        g = ds.graph(URIRef(f"{FILE}data/{f}.yaml"))
        for i in range(n):
            g.add((URIRef(f"https://w3id.org/ai-race-kg/id/{f}"), P, Literal(f"{f} {i}")))
    report = push_dataset(ds, oxigraph["store"], file_namespace=FILE)
    # 6 triples in graphs and their union: 12 quads, 6 uploads of 2, beside the test,
    # where it went, the listing and the switch
    assert report == {"graphs": 3, "triples": 6, "default": True, "removed": [], "requests": 10}
    now = answers(oxigraph)
    assert [(dict(r)["g"].rsplit("/", 1)[-1], dict(r)["o"]) for r in now["named"]] == [
        ("a.yaml", "a 0"), ("a.yaml", "a 1"), ("a.yaml", "a 2"), ("b.yaml", "b 0"),
        ("c.yaml", "c 0"), ("c.yaml", "c 1")]
    assert [dict(r)["o"] for r in now["default"]] == ["a 0", "a 1", "a 2", "b 0", "c 0", "c 1"]


@pytest.fixture
def graph_names_dropped(oxigraph):
    """A Graph Store in front of the Oxigraph server that takes N-Quads but puts every
    triple into its default graph (the graph names dropped), as a server might; every
    other request is passed on as it is."""
    import http.server
    import threading

    from rdflib import Dataset as Quads

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            self.forward("POST")

        def do_PUT(self):  # noqa: N802
            self.forward("PUT")

        def forward(self, method):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            kind = self.headers.get("Content-Type", "")
            target = oxigraph["store"].rsplit("/", 1)[0] + self.path
            if kind.startswith("application/n-quads"):
                quads = Quads()
                quads.parse(data=body.decode(), format="nquads")
                body = "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n"
                               for s, p, o, _ in quads.quads()).encode()
                kind, target = "application/n-triples", oxigraph["store"] + "?default"
            req = urllib.request.Request(target, data=body, method=method,
                                         headers={"Content-Type": kind})
            with urllib.request.urlopen(req, timeout=30) as resp:
                answer, code = resp.read(), resp.status
            self.send_response(code)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield {"store": base + "/store", "query": base + "/query", "update": base + "/update"}
    server.shutdown()


def test_a_server_that_drops_the_graph_names_gets_the_graphs_one_by_one(oxigraph,
                                                                         graph_names_dropped):
    push_dataset(dataset("v1"), oxigraph["store"], file_namespace=FILE)
    report = push_dataset(dataset("v2"), graph_names_dropped["store"], file_namespace=FILE)
    # the test, where it went (the default graph), its removal, 4 uploads, list, switch
    assert report["requests"] == 9
    now = answers(oxigraph)
    assert [(dict(r)["g"], dict(r)["o"]) for r in now["named"]] == [
        (f"{FILE}data/{f}.yaml", f"{f} v2") for f in "abc"]
    assert [dict(r)["o"] for r in now["default"]] == ["a v2", "b v2", "c v2"]  # no test quad
