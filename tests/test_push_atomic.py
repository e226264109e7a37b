"""`kg push` is all or nothing as a real `oxigraph serve` sees it: a push that fails half-way
leaves the server's answers unchanged, and a push removes the graphs of deleted files."""

from __future__ import annotations

import itertools
import json
import threading
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


def select_rows(server, q: str) -> list[tuple]:
    """A SELECT's rows on the server, each a sorted tuple of (variable, value)."""
    req = urllib.request.Request(server["query"], data=q.encode(), method="POST", headers={
        "Content-Type": "application/sparql-query",
        "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        rows = json.loads(resp.read())["results"]["bindings"]
    return sorted(tuple(sorted((k, v["value"]) for k, v in r.items())) for r in rows)


def answers(server) -> dict:
    """Every quad the server holds, and what a plain query of the default graph sees."""
    def select(q):
        return select_rows(server, q)

    return {"named": select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"),
            "data": select(f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                           f"FILTER(STRSTARTS(STR(?g), '{FILE}')) }}"),
            "default": select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")}


def graph_names(server) -> set[str]:
    """The named graphs the server holds; the marker graph of the push that wrote the
    record (urn:kg-push:generation:<token>, the token the record names) as "marker"."""
    names = {dict(r)["g"] for r in answers(server)["named"]}
    markers = {g for g in names if g.startswith("urn:kg-push:generation:")}
    token = select_rows(server, "SELECT ?t WHERE { GRAPH <urn:kg-push:state> { "
                                "<urn:kg-push:generation> <urn:kg-push:key> ?t } }")
    assert markers == {f"urn:kg-push:generation:{dict(r)['t']}" for r in token}, (markers, token)
    return (names - markers) | {"marker"}


def server_update(server, text: str) -> None:
    """Change the server by a SPARQL Update of our own, as someone else would."""
    req = urllib.request.Request(server["update"], method="POST", data=text.encode(),
                                 headers={"Content-Type": "application/sparql-update"})
    urllib.request.urlopen(req, timeout=30).close()


def fail_at(n):
    def hook(step, what):
        if step == n:
            raise PushFault(f"injected fault before request {n} ({what})")
    return hook


# (batch, full, the request that fails, how many uploads had gone, of how many). A push
# after v1 sends a and b (changed) and removes c: the record of the last push 1, the old
# triples of a, b and c 2, then as N-Quads the one-quad test 3, where it went 4, one
# upload 5, or graph by graph a 3 and b 4; the listing and the switch. A full push reads
# no record, asks whether the server holds data 1 and sends a, b and the union: the
# test 2, where it went 3, the upload 4, the listing 5, the switch 6
@pytest.mark.parametrize("batch, full, step, uploaded, of", [
    *[(True, False, step, 2 if step > 5 else 0, 2) for step in range(1, 8)],
    *[(False, False, step, max(0, min(step - 3, 2)), 2) for step in range(1, 7)],
    *[(True, True, step, 3 if step > 4 else 0, 3) for step in range(1, 7)]])
def test_a_push_that_fails_half_way_leaves_the_servers_answers_unchanged(oxigraph, batch, full,
                                                                         step, uploaded, of):
    # a first push: the record (none), its marker of what it read, whether the server
    # holds data (none), then in place
    report = push_dataset(dataset("v1"), oxigraph["store"], file_namespace=FILE, batch=batch)
    assert report == {"graphs": 3, "triples": 3, "default": True, "removed": [],
                      "requests": 9 if batch else 10, "sent": 3}
    before = answers(oxigraph)
    assert len(before["named"]) == 3 + 5 + 1 and len(before["default"]) == 3  # record, marker
    with pytest.raises(QueryError) as err:
        push_dataset(dataset("v2", files=("a", "b")), oxigraph["store"], file_namespace=FILE,
                     hook=fail_at(step), batch=batch, full=full)
    message = str(err.value)
    assert message.startswith(f"push failed: injected fault before request {step}")
    went = (f"{uploaded} of {of} uploads had gone to temporary graphs" if step > 1
            else "nothing had been uploaded)")  # what to send not known yet
    assert f"Nothing was changed on the server: the live graphs are as they were ({went}" \
        in message
    assert answers(oxigraph) == before  # no new value, no temporary graph, nothing removed


def test_a_push_replaces_every_graph_and_removes_those_of_deleted_files(oxigraph):
    push_dataset(dataset("v1"), oxigraph["store"], file_namespace=FILE)
    report = push_dataset(dataset("v2", files=("a", "b")), oxigraph["store"],
                          file_namespace=FILE)
    assert report["removed"] == [f"{FILE}data/c.yaml"]
    now = answers(oxigraph)
    assert [dict(r)["o"] for r in now["data"]] == ["a v2", "b v2"]
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
    # the record of the last push (none: a push of everything), the marker of what it
    # read (the record names no push), whether the server holds any data, the one-quad test
    # and where it went, one upload of a, b and the union (in place), the listing, the
    # switch, the check that no other push switched at the same time
    assert counts == [(0, 2), (1, 3), (2, 3), (3, 9), (4, 9), (5, 9), (6, 9), (7, 9), (8, 9),
                      (9, 9)]


def test_a_graph_store_address_with_a_trailing_slash_pushes_to_the_store_itself(oxigraph):
    # Oxigraph reads /store/ as a graph of its own (direct identification): every upload
    # went into <.../store/> and the switch then moved missing graphs onto the live ones,
    # emptying the server while `kg push` said it had pushed
    push_dataset(dataset("v1"), oxigraph["store"], file_namespace=FILE)
    report = push_dataset(dataset("v2"), oxigraph["store"] + "/", file_namespace=FILE)
    assert report == {"graphs": 3, "triples": 3, "default": True, "removed": [],
                      "requests": 8, "sent": 3}
    now = answers(oxigraph)
    assert [(dict(r)["g"], dict(r)["o"]) for r in now["data"]] == [
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
        f"push failed: the server does not hold the 3 graph(s) uploaded to {elsewhere} "
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
    # 6 triples in graphs and their union: 12 quads, 6 uploads of 2, beside the record of
    # the last push (none), the marker of what it read, whether the server holds data, the
    # test, where it went, the listing and the switch
    assert report == {"graphs": 3, "triples": 6, "default": True, "removed": [],
                      "requests": 14, "sent": 3}
    now = answers(oxigraph)
    assert [(dict(r)["g"].rsplit("/", 1)[-1], dict(r)["o"]) for r in now["data"]] == [
        ("a.yaml", "a 0"), ("a.yaml", "a 1"), ("a.yaml", "a 2"), ("b.yaml", "b 0"),
        ("c.yaml", "c 0"), ("c.yaml", "c 1")]
    assert [dict(r)["o"] for r in now["default"]] == ["a 0", "a 1", "a 2", "b 0", "c 0", "c 1"]


def proxy(oxigraph, change):
    """A server in front of the Oxigraph server that passes every request on, after
    `change(path, body, content_type)` -> (target URL, body, content type); an HTTP status:
    refuse it with that; or None: pass it on, then close the connection without an
    answer (an answer lost on the way).
    Yields its {"store", "query", "update"} addresses."""
    import http.server
    import threading

    base = oxigraph["store"].rsplit("/", 1)[0]

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            self.forward("POST")

        def do_PUT(self):  # noqa: N802
            self.forward("PUT")

        def forward(self, method):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            kind = self.headers.get("Content-Type", "")
            changed = change(self.path, body, kind)
            if isinstance(changed, int):  # refused with that HTTP status
                self.send_response(changed)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            target, body, kind = changed or (base + self.path, body, kind)
            req = urllib.request.Request(target, data=body, method=method,
                                         headers={"Content-Type": kind})
            with urllib.request.urlopen(req, timeout=30) as resp:
                answer, code = resp.read(), resp.status
            if changed is None:  # done on the server; its answer lost
                self.close_connection = True
                return
            self.send_response(code)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    here = f"http://127.0.0.1:{server.server_address[1]}"
    yield {"store": here + "/store", "query": here + "/query", "update": here + "/update"}
    server.shutdown()


@pytest.fixture
def graph_names_dropped(oxigraph):
    """A Graph Store in front of the Oxigraph server that takes N-Quads but puts every
    triple into its default graph (the graph names dropped), as a server might; every
    other request is passed on as it is."""
    from rdflib import Dataset as Quads

    base = oxigraph["store"].rsplit("/", 1)[0]

    def change(path, body, kind):
        if kind.startswith("application/n-quads"):
            quads = Quads()
            quads.parse(data=body.decode(), format="nquads")
            body = "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n"
                           for s, p, o, _ in quads.quads()).encode()
            return oxigraph["store"] + "?default", body, "application/n-triples"
        return base + path, body, kind

    yield from proxy(oxigraph, change)


def test_a_server_that_drops_the_graph_names_gets_the_graphs_one_by_one(oxigraph,
                                                                         graph_names_dropped):
    push_dataset(dataset("v1"), oxigraph["store"], file_namespace=FILE)
    report = push_dataset(dataset("v2"), graph_names_dropped["store"], file_namespace=FILE)
    # the record of the last push, the old triples of a, b and c, the test, where it went
    # (the default graph), its removal, the 3 changed graphs, the listing, the switch
    assert report["requests"] == 11 and report["sent"] == 3
    now = answers(oxigraph)
    assert [(dict(r)["g"], dict(r)["o"]) for r in now["data"]] == [
        (f"{FILE}data/{f}.yaml", f"{f} v2") for f in "abc"]
    assert [dict(r)["o"] for r in now["default"]] == ["a v2", "b v2", "c v2"]  # no test quad


def versioned(files: dict[str, list[str]]) -> Dataset:
    """A dataset of files, each a list of values of one subject (a value may stand in
    several files: the union holds it once)."""
    ds = Dataset()
    for f, values in files.items():
        g = ds.graph(URIRef(f"{FILE}data/{f}.yaml"))
        for v in values:
            g.add((URIRef("https://w3id.org/ai-race-kg/id/x"), P, Literal(v)))
    return ds


def server_holds(server) -> tuple[dict, list]:
    """(data file -> its values, the default graph's values), as the server answers."""
    now = answers(server)
    named: dict = {}
    for r in now["data"]:
        named.setdefault(dict(r)["g"].rsplit("/", 1)[-1], []).append(dict(r)["o"])
    return named, [dict(r)["o"] for r in now["default"]]


# each version of the data, and how many graphs a push of it sends after the one before
VERSIONS = [
    ({"a": ["1", "shared"], "b": ["2", "shared"], "c": ["3"]}, 3),   # a first push: all
    ({"a": ["1", "shared"], "b": ["2", "shared"], "c": ["3"]}, 0),   # nothing changed
    ({"a": ["1"], "b": ["2", "shared"], "c": ["3"]}, 1),             # b still says "shared"
    ({"a": ["1"], "b": ["2"], "c": ["3"]}, 1),                       # now no file does
    ({"a": ["1", "3"], "b": ["2"]}, 1),                              # c deleted: "3" stays
    ({"a": ["1", "3"], "b": ["2"], "d": ["4", "1"]}, 1),             # d added
    ({"b": ["2"], "d": ["4"]}, 1),                                   # a deleted, d changed
]


def push_versions(url: str, server) -> None:
    """Push VERSIONS in turn to the Graph Store `url` (in front of `server`), checking
    after each what was sent and what the server holds."""
    for files, sent in VERSIONS:
        report = push_dataset(versioned(files), url, file_namespace=FILE)
        assert report["sent"] == sent, files
        named, default = server_holds(server)
        assert named == {f"{f}.yaml": sorted(v) for f, v in files.items()}, files
        assert default == sorted({v for values in files.values() for v in values}), files


def test_a_push_sends_only_the_graphs_that_changed_and_brings_the_union_along(oxigraph):
    push_versions(oxigraph["store"], oxigraph)


def test_a_full_push_repairs_a_graph_edited_on_the_server(oxigraph):
    files = {"a": ["1"], "b": ["2"]}
    push_dataset(versioned(files), oxigraph["store"], file_namespace=FILE)
    server_update(oxigraph,
                  f'INSERT DATA {{ GRAPH <{FILE}data/a.yaml> {{ <urn:x> <urn:y> "by hand" }} }}')
    assert push_dataset(versioned(files), oxigraph["store"], file_namespace=FILE)["sent"] == 0
    assert server_holds(oxigraph)[0]["a.yaml"] == ["1", "by hand"]  # a push trusts its record
    assert push_dataset(versioned(files), oxigraph["store"], file_namespace=FILE,
                        full=True)["sent"] == 2
    assert server_holds(oxigraph) == ({"a.yaml": ["1"], "b.yaml": ["2"]}, ["1", "2"])


def test_a_push_of_the_union_after_one_without_it_sends_everything(oxigraph):
    files = {"a": ["1"], "b": ["2"]}
    push_dataset(versioned(files), oxigraph["store"], file_namespace=FILE, default_graph=False)
    assert server_holds(oxigraph) == ({"a.yaml": ["1"], "b.yaml": ["2"]}, [])
    report = push_dataset(versioned(files), oxigraph["store"], file_namespace=FILE)
    assert report["sent"] == 2
    assert server_holds(oxigraph) == ({"a.yaml": ["1"], "b.yaml": ["2"]}, ["1", "2"])


def test_kg_push_says_which_graphs_it_did_not_send_again_and_full_sends_them(oxigraph,
                                                                            tmp_path):
    trig = tmp_path / "g.trig"
    versioned({"a": ["1"], "b": ["2"]}).serialize(trig, format="trig")
    push = ["push", "--graph-store", oxigraph["store"], "--graph", str(trig)]
    first = CliRunner().invoke(main, push)
    assert first.output.splitlines()[-1] == (
        "pushed 2 named graphs (2 triples), and the union into the default graph to "
        f"{oxigraph['store']}")
    versioned({"a": ["1"], "b": ["3"]}).serialize(trig, format="trig")
    again = CliRunner().invoke(main, push)
    assert again.output.splitlines()[-1].endswith(
        f"to {oxigraph['store']}; 1 of them unchanged since the last push, not sent again")
    assert server_holds(oxigraph) == ({"a.yaml": ["1"], "b.yaml": ["3"]}, ["1", "3"])
    full = CliRunner().invoke(main, push + ["--full"])
    assert full.exit_code == 0 and full.output.splitlines()[-1].endswith(oxigraph["store"])
    assert server_holds(oxigraph) == ({"a.yaml": ["1"], "b.yaml": ["3"]}, ["1", "3"])


@pytest.mark.parametrize("full", [False, True])
def test_a_push_without_the_union_after_one_with_it_leaves_no_stale_union(oxigraph, full):
    # the default graph held the union of the last push and kept it, so a plain query
    # answered from the old data ("1") where a fresh push of the new data answers nothing
    push_dataset(versioned({"a": ["1"], "b": ["2"]}), oxigraph["store"], file_namespace=FILE)
    push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"], file_namespace=FILE,
                 default_graph=False, full=full)
    assert server_holds(oxigraph) == ({"a.yaml": ["3"], "b.yaml": ["2"]}, [])
    push_dataset(versioned({"a": ["3"], "b": ["4"]}), oxigraph["store"], file_namespace=FILE)
    assert server_holds(oxigraph) == ({"a.yaml": ["3"], "b.yaml": ["4"]}, ["3", "4"])


def test_a_push_without_the_union_leaves_a_default_graph_it_did_not_fill(oxigraph):
    server_update(oxigraph, 'INSERT DATA { <urn:x> <urn:y> "theirs" }')
    push_dataset(versioned({"a": ["1"]}), oxigraph["store"], file_namespace=FILE,
                 default_graph=False)
    push_dataset(versioned({"a": ["2"]}), oxigraph["store"], file_namespace=FILE,
                 default_graph=False)
    assert server_holds(oxigraph) == ({"a.yaml": ["2"]}, ["theirs"])


@pytest.fixture
def switch_answer_lost(oxigraph):
    """The Oxigraph server behind a proxy that passes the switch (the update that MOVEs
    the graphs) on and then closes the connection without its answer, as a timeout, a
    dropped connection or Ctrl-C while the server works would."""
    base = oxigraph["store"].rsplit("/", 1)[0]

    def change(path, body, kind):
        if kind.startswith("application/sparql-update") and b"MOVE " in body:
            return None
        return base + path, body, kind

    yield from proxy(oxigraph, change)


def test_a_push_whose_switch_went_unanswered_does_not_say_nothing_changed(oxigraph,
                                                                          switch_answer_lost):
    # the server applied the switch but its answer never came: the push said "Nothing
    # was changed on the server: the live graphs are as they were" over the new graphs
    push_dataset(versioned({"a": ["1"], "b": ["2"]}), oxigraph["store"], file_namespace=FILE)
    with pytest.raises(QueryError) as err:
        push_dataset(versioned({"a": ["3"], "b": ["2"]}), switch_answer_lost["store"],
                     file_namespace=FILE)
    message = str(err.value)
    assert message.startswith(f"push failed: cannot reach {switch_answer_lost['update']}: ")
    assert "Nothing was changed" not in message
    assert ". The switch to the new graphs was sent but not answered: the server may still " \
           "apply it, all at once, or not at all, and until then its answers are as they " \
           "were; ask it later whether the record of this push is there (ASK { GRAPH " \
           f"<urn:kg-push:state> {{ <{FILE}data/a.yaml> ?p \"" in message
    assert message.endswith("), or push again: it sends what the server's record of the last "
                            "push says is missing")
    assert server_holds(oxigraph) == ({"a.yaml": ["3"], "b.yaml": ["2"]}, ["2", "3"])
    # it did apply it, and the question the message gives says so
    ask = "ASK " + message.split("(ASK ", 1)[1].split("), or push again", 1)[0]
    req = urllib.request.Request(oxigraph["query"], data=ask.encode(), method="POST", headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert json.loads(resp.read())["boolean"] is True
    again = push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"],
                         file_namespace=FILE)
    assert again["sent"] == 0
    assert graph_names(oxigraph) == {  # no temporary graph
        f"{FILE}data/a.yaml", f"{FILE}data/b.yaml", "urn:kg-push:state", "marker"}


def killed_at(what: str):
    """A hook that ends the push as a kill would (nothing caught, nothing cleaned up)
    before the request for `what`."""
    def hook(step, doing):
        if doing.startswith(what):
            raise SystemExit(f"killed before {doing}")
    return hook


def file_of(server, value: str) -> list[str]:
    """The graphs that say x says `value`: "which file says this", as unchecked-facts asks."""
    return [dict(r)["g"] for r in answers(server)["named"] if dict(r)["o"] == value]


def test_the_push_after_a_killed_one_removes_its_temporary_graphs(oxigraph):
    # a push killed after its uploads left urn:kg-push:<token>:<n> on the server for
    # good: GRAPH ?g queries (the library's unchecked-facts) answered with them too
    push_dataset(versioned({"a": ["1"], "b": ["2"]}), oxigraph["store"], file_namespace=FILE)
    with pytest.raises(SystemExit):
        push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"],
                     file_namespace=FILE, hook=killed_at("the switch"))
    assert [g.split(":")[:2] for g in file_of(oxigraph, "3")] == [["urn", "kg-push"]]
    report = push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"],
                          file_namespace=FILE)
    assert report["sent"] == 1
    assert file_of(oxigraph, "3") == [f"{FILE}data/a.yaml"]
    assert graph_names(oxigraph) == {
        f"{FILE}data/a.yaml", f"{FILE}data/b.yaml", "urn:kg-push:state", "marker"}
    assert server_holds(oxigraph) == ({"a.yaml": ["3"], "b.yaml": ["2"]}, ["2", "3"])


def test_a_push_whose_temporary_graphs_went_meanwhile_fails_and_changes_nothing(oxigraph):
    # another push switched in between this one's listing and its switch, and removed
    # this one's temporary graphs as left over: the switch must fail whole, not move
    # missing graphs onto the live ones (emptying them)
    push_dataset(versioned({"a": ["1"], "b": ["2"]}), oxigraph["store"], file_namespace=FILE)

    def other_push_first(step, what):
        if what == "the switch to the new graphs":
            push_dataset(versioned({"a": ["5"], "b": ["6"]}), oxigraph["store"],
                         file_namespace=FILE, full=True)

    with pytest.raises(QueryError) as err:
        push_dataset(versioned({"a": ["3"], "b": ["4"]}), oxigraph["store"],
                     file_namespace=FILE, hook=other_push_first)
    assert "refused the switch to the new graphs" in str(err.value)
    assert "Another push switched the server's graphs after this one read the record of " \
           "the last push" in str(err.value)
    assert "Nothing was changed by this push: the server holds the other push's graphs" \
        in str(err.value)
    assert server_holds(oxigraph) == ({"a.yaml": ["5"], "b.yaml": ["6"]}, ["5", "6"])


@pytest.mark.parametrize("other_full", [False, True])
def test_a_push_overtaken_by_another_fails_whole_and_the_next_push_sets_it_right(oxigraph,
                                                                                  other_full):
    # two pushes overlap (CI and a maintainer): the second read the record before the
    # first switched. It sent a alone (b unchanged since the record) and said it had
    # succeeded, while b held the other push's value (the push after it did send b again)
    push_dataset(versioned({"a": ["1"], "b": ["2"]}), oxigraph["store"], file_namespace=FILE)
    done = []

    def other_push_meanwhile(step, what):
        if not done and step > 1:  # after the record was read, before anything is sent
            done.append(what)
            push_dataset(versioned({"a": ["1"], "b": ["5"]}), oxigraph["store"],
                         file_namespace=FILE, full=other_full)

    with pytest.raises(QueryError) as err:
        push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"],
                     file_namespace=FILE, hook=other_push_meanwhile)
    assert done
    message = str(err.value)
    assert message.startswith(f"push failed: {oxigraph['update']} refused the switch to the "
                              "new graphs: ")
    assert ". Another push switched the server's graphs after this one read the record of the " \
           "last push, so what this push would send was worked out against graphs no longer " \
           "there. Nothing was changed by this push: the server holds the other push's graphs " \
           "(1 of 1 uploads had gone to temporary graphs, since removed). Push again: it sends " \
           "what differs from them" in message
    assert server_holds(oxigraph) == ({"a.yaml": ["1"], "b.yaml": ["5"]}, ["1", "5"])
    assert graph_names(oxigraph) == {f"{FILE}data/a.yaml", f"{FILE}data/b.yaml",
                                     "urn:kg-push:state", "marker"}  # nothing of this push
    report = push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"],
                          file_namespace=FILE)
    assert report["sent"] == 2
    assert server_holds(oxigraph) == ({"a.yaml": ["3"], "b.yaml": ["2"]}, ["2", "3"])


@pytest.fixture
def n_quads_refused(oxigraph):
    """A Graph Store in front of the Oxigraph server that answers a POST of N-Quads with
    415, as Fuseki's /<dataset>/data may, and passes every other request on."""
    base = oxigraph["store"].rsplit("/", 1)[0]

    def change(path, body, kind):
        return 415 if kind.startswith("application/n-quads") else (base + path, body, kind)

    yield from proxy(oxigraph, change)


def test_a_server_that_refuses_n_quads_gets_the_changed_graphs_one_by_one(oxigraph,
                                                                          n_quads_refused):
    push_versions(n_quads_refused["store"], oxigraph)
    assert graph_names(oxigraph) == {
        f"{FILE}data/b.yaml", f"{FILE}data/d.yaml", "urn:kg-push:state", "marker"}  # no test quad


def test_a_push_interrupted_by_ctrl_c_says_so_and_the_next_push_completes(oxigraph):
    # the message read "push failed: . Nothing was changed..." (a KeyboardInterrupt has
    # no text)
    push_dataset(versioned({"a": ["1"], "b": ["2"]}), oxigraph["store"], file_namespace=FILE)

    def ctrl_c(step, what):
        if what.startswith("the upload"):
            raise KeyboardInterrupt

    with pytest.raises(QueryError) as err:
        push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"],
                     file_namespace=FILE, hook=ctrl_c)
    assert str(err.value) == ("push failed: interrupted. Nothing was changed on the server: "
                              "the live graphs are as they were (0 of 1 uploads had gone to "
                              "temporary graphs)")
    assert server_holds(oxigraph) == ({"a.yaml": ["1"], "b.yaml": ["2"]}, ["1", "2"])
    assert push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"],
                        file_namespace=FILE)["sent"] == 1
    assert server_holds(oxigraph) == ({"a.yaml": ["3"], "b.yaml": ["2"]}, ["2", "3"])


def test_kg_push_from_another_data_folder_says_it_replaced_that_folders_graphs(oxigraph,
                                                                               tmp_path):
    # graph names carry the data folder's name (file/<folder>/<kind>/<file>.yaml): a push
    # from a copy named otherwise replaced every graph and said they were "of data files
    # that no longer exist"
    ontology = URIRef(f"{FILE}ontology/ontology.ttl")  # in every build, whatever the folder
    ds = versioned({"a": ["1"], "b": ["2"]})
    ds.graph(ontology).add((P, P, Literal("ontology")))
    push_dataset(ds, oxigraph["store"], file_namespace=FILE)
    trig = tmp_path / "g.trig"
    push = ["push", "--graph-store", oxigraph["store"], "--graph", str(trig)]
    copy = Dataset()
    for f in ("a", "c"):
        copy.graph(URIRef(f"{FILE}copy/{f}.yaml")).add((P, P, Literal(f)))
    copy.graph(ontology).add((P, P, Literal("ontology")))
    copy.serialize(trig, format="trig")
    r = CliRunner().invoke(main, push)
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[1:] == [
        "removed 2 graph(s) pushed from another data folder (data/): the server now holds "
        f"this one's: {FILE}data/a.yaml, {FILE}data/b.yaml"]
    copy.remove_graph(copy.graph(URIRef(f"{FILE}copy/c.yaml")))
    copy.serialize(trig, format="trig")
    r = CliRunner().invoke(main, push)
    assert r.output.splitlines()[1:] == [
        f"removed 1 graph(s) of data files that no longer exist: {FILE}copy/c.yaml"]


def test_a_push_after_one_with_a_blank_node_succeeds(oxigraph):
    # the last push had a blank node in a.yaml, this one has none: the old triples read
    # back for the default graph's change held the blank node, and DELETE DATA may not
    # hold one, so the switch was refused, and so was every push after it until --full
    from rdflib import BNode

    ds = versioned({"a": ["1"], "b": ["2"]})
    ds.graph(URIRef(f"{FILE}data/a.yaml")).add((BNode(), P, Literal("blank")))
    push_dataset(ds, oxigraph["store"], file_namespace=FILE)
    assert server_holds(oxigraph)[1] == ["1", "2", "blank"]
    report = push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"],
                          file_namespace=FILE)
    assert report["sent"] == 2  # all: the last push's record says so
    assert server_holds(oxigraph) == ({"a.yaml": ["3"], "b.yaml": ["2"]}, ["2", "3"])
    report = push_dataset(versioned({"a": ["4"], "b": ["2"]}), oxigraph["store"],
                          file_namespace=FILE)
    assert report["sent"] == 1  # and the push after that the changed one again
    assert server_holds(oxigraph) == ({"a.yaml": ["4"], "b.yaml": ["2"]}, ["2", "4"])


def test_a_push_after_one_with_default_graph_triples_of_its_own_drops_them(oxigraph):
    # triples in the dataset's default graph went into the server's with the union; the
    # next push, without them, sent the changed graphs only and left them there
    ds = versioned({"a": ["1"], "b": ["2"]})
    ds.default_graph.add((URIRef("https://w3id.org/ai-race-kg/id/x"), P, Literal("loose")))
    push_dataset(ds, oxigraph["store"], file_namespace=FILE)
    assert server_holds(oxigraph)[1] == ["1", "2", "loose"]
    push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"], file_namespace=FILE)
    assert server_holds(oxigraph) == ({"a.yaml": ["3"], "b.yaml": ["2"]}, ["2", "3"])


@pytest.mark.parametrize("step", range(1, 9))
def test_a_first_push_fills_the_graphs_in_place_and_a_failure_empties_them(oxigraph, step):
    # the record 1, the marker of what it read 2, whether the server holds data 3, the test
    # 4, where it went 5, the upload straight into a, b, c and the default graph 6, the
    # listing 7, the switch (the record) 8
    with pytest.raises(QueryError) as err:
        push_dataset(dataset("v1"), oxigraph["store"], file_namespace=FILE, hook=fail_at(step))
    message = str(err.value)
    assert message.startswith(f"push failed: injected fault before request {step}")
    if step > 6:
        assert "the live graphs are as they were (it held none of the data; 4 of 4 graphs " \
               "had been filled in place, and were emptied again)" in message
    assert answers(oxigraph) == {"named": [], "data": [], "default": []}
    report = push_dataset(dataset("v1"), oxigraph["store"], file_namespace=FILE)
    assert report["requests"] == 9
    assert server_holds(oxigraph) == ({f"{f}.yaml": [f"{f} v1"] for f in "abc"},
                                      ["a v1", "b v1", "c v1"])


def test_every_n_quads_upload_is_read_back_by_rapper(oxigraph):
    """The N-Quads payloads, read by rapper (raptor), a strict parser independent of the
    writer: the tricky literal arrives exactly, in its graph and in the union."""
    import subprocess

    from conftest import need_tool

    tricky = 'line one\nends with a backslash and quote \\" and 中文'
    bodies = []

    def change(path, body, kind):
        if kind.startswith("application/n-quads"):
            bodies.append(body)
        return oxigraph["store"].rsplit("/", 1)[0] + path, body, kind

    server = proxy(oxigraph, change)
    urls = next(server)
    ds = dataset("v1")
    ds.graph(URIRef(f"{FILE}data/a.yaml")).add(
        (URIRef("https://w3id.org/ai-race-kg/id/a"), P, Literal(tricky, lang="en")))
    try:
        push_dataset(ds, urls["store"], file_namespace=FILE)
    finally:
        server.close()
    assert len(bodies) == 2  # the one-quad test, then every graph and the union at once
    done = subprocess.run([need_tool("rapper"), "-q", "-i", "nquads", "-o", "nquads", "-",
                           "http://base/"], input=bodies[1], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    escaped = '"line one\\nends with a backslash and quote \\\\\\" and \\u4E2D\\u6587"@en'
    # in place: in its own graph's name, and in the default graph (the union)
    assert sorted(line.split(escaped, 1)[1] for line in done.stdout.decode().splitlines()
                  if escaped in line) == [" .", f" <{FILE}data/a.yaml> ."]
    named, default = server_holds(oxigraph)
    assert tricky in named["a.yaml"] and tricky in default


def fresh_answers(server, files, **kw) -> str:
    """What the server answers after a fresh push of files (into it, emptied first), the
    marker's token written as TOKEN: what any sequence of pushes ending with an ordinary
    push of files must leave."""
    server_update(server, "DROP ALL")
    push_dataset(versioned(files), server["store"], file_namespace=FILE, **kw)
    return tokenless(answers(server))


def tokenless(found: dict) -> dict:
    """answers() with the token of every marker graph written as TOKEN."""
    tokens = {dict(r)["g"].rsplit(":", 1)[1] for r in found["named"]
              if dict(r)["g"].startswith("urn:kg-push:generation:")}

    def clean(row):
        text = repr(row)
        for t in tokens:
            text = text.replace(t, "TOKEN")
        return text
    return {k: sorted(map(clean, rows)) for k, rows in found.items()}


OLD_RECORD = ("DELETE WHERE { GRAPH <urn:kg-push:state> { <urn:kg-push:generation> ?p ?o } } ;\n"
              "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } "
              "FILTER(STRSTARTS(STR(?g), 'urn:kg-push:generation:')) }")
PUSH_KINDS = {"incremental": {}, "full": {"full": True}, "no union": {"default_graph": False},
              "full, no union": {"full": True, "default_graph": False}}


@pytest.mark.parametrize("before", ["a record", "an old record", "nothing"])
@pytest.mark.parametrize("mine", list(PUSH_KINDS))
def test_two_pushes_at_every_step_then_one_more_leave_what_a_fresh_push_does(oxigraph, before,
                                                                              mine):
    # a record written before pushes named their generation (no generation line), or an
    # empty server (both pushes fill it in place): the push that switched second read no
    # generation, so it had no marker to move, switched as if alone and recorded its keys
    # over graphs the other push had changed, or over graphs both had filled in place;
    # the push after it sent nothing, or failed for good on a generation without a marker
    v0, mine_files = {"a": ["1"], "b": ["2"], "c": ["3"]}, {"a": ["3a"], "b": ["2"], "c": ["3"],
                                                            "d": ["4a"]}
    theirs = {"a": ["1"], "b": ["5b"], "e": ["6"]}
    want = fresh_answers(oxigraph, mine_files)
    for other in PUSH_KINDS:
        for step in itertools.count(1):
            server_update(oxigraph, "DROP ALL")
            if before != "nothing":
                push_dataset(versioned(v0), oxigraph["store"], file_namespace=FILE)
            if before == "an old record":
                server_update(oxigraph, OLD_RECORD)
            ran = []

            def other_push(n, what, step=step, other=other, ran=ran):
                if n == step and not ran:
                    ran.append(what)
                    push_dataset(versioned(theirs), oxigraph["store"], file_namespace=FILE,
                                 **PUSH_KINDS[other])
                    ran.append(tokenless(answers(oxigraph)))

            try:
                push_dataset(versioned(mine_files), oxigraph["store"], file_namespace=FILE,
                             hook=other_push, **PUSH_KINDS[mine])
            except QueryError as exc:
                message = str(exc)
                case = (other, step, ran[0], message)
                # a full push read no record: it tells that its temporary graphs went, at
                # its switch, or that another push may have dropped them, at its listing
                assert "Another push switched the server's graphs after this one " in message \
                    or PUSH_KINDS[mine].get("full") and any(said in message for said in (
                        ": this push's temporary graphs were dropped meanwhile, as another "
                        "push's switch drops those it takes for a killed push's. ",
                        ": another push may have switched meanwhile and dropped them as left "
                        "over by a killed push, or it may not be a SPARQL 1.1 Graph Store "
                        "address")), case
                if "in place, so the other push" in message:  # its graphs may hold them too
                    assert "Nothing was changed" not in message, case
                else:  # it changed nothing: the server holds the other push's graphs
                    assert "Nothing was changed by this push" in message, case
                    assert tokenless(answers(oxigraph)) == ran[1], case
            if not ran:
                break
            push_dataset(versioned(mine_files), oxigraph["store"], file_namespace=FILE)
            assert tokenless(answers(oxigraph)) == want, (other, step, ran[0])


@pytest.mark.parametrize("before", ["an old record", "a lost marker"])
def test_a_push_that_made_its_marker_after_anothers_listing_still_fails_at_its_switch(oxigraph,
                                                                                      before):
    # push B reads the record (naming no push, or a push whose marker is lost) and makes its
    # marker after push A listed the graphs but before A switched: A's switch, which drops
    # the markers its listing showed, did not know B's, so B switched as if alone over the
    # graphs A had just changed, and said it had succeeded. Both now make the same marker
    # (the one of the record they read): A's switch takes it, and B fails at its own
    push_dataset(versioned({"a": ["1"], "b": ["2"]}), oxigraph["store"], file_namespace=FILE)
    if before == "an old record":
        server_update(oxigraph, OLD_RECORD)
    else:
        server_update(oxigraph, "DROP GRAPH <" + next(
            g for g in {dict(r)["g"] for r in answers(oxigraph)["named"]}
            if g.startswith("urn:kg-push:generation:")) + ">")
    marker_made, go_on, failed = threading.Event(), threading.Event(), []

    def push_b():
        def hook(step, what):
            if what.startswith(("the upload", "a test of a dataset upload")):
                marker_made.set()  # its marker is made: wait until A has switched
                go_on.wait(60)
        try:
            push_dataset(versioned({"a": ["1"], "b": ["5"]}), oxigraph["store"],
                         file_namespace=FILE, hook=hook)
        except QueryError as exc:
            failed.append(str(exc))

    b = threading.Thread(target=push_b)

    def start_b_before_the_switch(step, what):
        if what == "the switch to the new graphs" and not b.is_alive():
            b.start()  # after A's listing of the graphs
            assert marker_made.wait(60)

    push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"], file_namespace=FILE,
                 hook=start_b_before_the_switch)
    go_on.set()
    b.join(60)
    assert len(failed) == 1 and "Another push switched the server's graphs after this one " \
        "read the record of the last push" in failed[0], failed
    assert server_holds(oxigraph) == ({"a.yaml": ["3"], "b.yaml": ["2"]}, ["2", "3"])
    push_dataset(versioned({"a": ["1"], "b": ["5"]}), oxigraph["store"], file_namespace=FILE)
    assert tokenless(answers(oxigraph)) == fresh_answers(oxigraph, {"a": ["1"], "b": ["5"]})


def test_a_push_whose_shared_marker_a_failed_push_removed_says_so(oxigraph):
    # two pushes read a record naming no push and share its marker; one fails and removes
    # it (a failed push leaves nothing): the other fails at its switch, and says that no
    # push switched but one gave up, not that another push's graphs are on the server
    push_dataset(versioned({"a": ["1"], "b": ["2"]}), oxigraph["store"], file_namespace=FILE)
    server_update(oxigraph, OLD_RECORD)
    before = answers(oxigraph)

    def other_push_fails_first(step, what):
        if what == "the switch to the new graphs":
            with pytest.raises(QueryError):
                push_dataset(versioned({"a": ["1"], "b": ["5"]}), oxigraph["store"],
                             file_namespace=FILE, hook=killed_before_upload)

    def killed_before_upload(step, what):
        if what.startswith(("the upload", "a test of a dataset upload")):
            raise PushFault("injected fault")

    with pytest.raises(QueryError) as err:
        push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"],
                     file_namespace=FILE, hook=other_push_fails_first)
    assert ". Another push that read the same record of the last push gave up and removed " \
           "the marker both relied on. Nothing was changed by this push (1 of 1 uploads had " \
           "gone to temporary graphs, since removed). Push again" in str(err.value)
    assert answers(oxigraph) == before
    assert push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"],
                        file_namespace=FILE)["sent"] == 1
    assert tokenless(answers(oxigraph)) == fresh_answers(oxigraph, {"a": ["3"], "b": ["2"]})


def test_two_switches_the_server_ran_at_once_are_told_and_the_next_push_sends_everything(
        oxigraph):
    # two real first pushes at 10k entities into an empty `oxigraph serve`: both switched at
    # about the same time, the server ran each update on its own snapshot, and both
    # succeeded; its record then named both pushes and held two keys for the graph that
    # differed, and the push after them sent nothing over graphs holding both versions
    push_dataset(versioned({"a": ["1"], "b": ["2"]}), oxigraph["store"], file_namespace=FILE)

    def other_switch_at_once(step, what):
        if what == "whether another push switched at the same time":
            server_update(oxigraph, 'INSERT DATA { GRAPH <urn:kg-push:state> { '
                                    '<urn:kg-push:generation> <urn:kg-push:key> "0123456789abcdef" '
                                    f'. <{FILE}data/b.yaml> <urn:kg-push:key> "other" }} }}')

    with pytest.raises(QueryError) as err:
        push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"],
                     file_namespace=FILE, hook=other_switch_at_once)
    assert str(err.value) == (
        "push failed: another push switched the server's graphs at the same time as this one, "
        "and the server applied both at once: its record of the last push names both, and "
        "which graphs hold which push's triples is not known; the record now says so: push "
        "again, and it sends every graph")
    report = push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"],
                          file_namespace=FILE)
    assert report["sent"] == 2
    assert tokenless(answers(oxigraph)) == fresh_answers(oxigraph, {"a": ["3"], "b": ["2"]})


def test_a_push_whose_record_names_a_lost_marker_still_pushes(oxigraph):
    # two pushes at 10k entities (one incremental, one with --no-default-graph) left a record
    # naming a push whose marker graph was gone; every push after it then failed, saying
    # that another push had switched meanwhile, which none had
    push_dataset(versioned({"a": ["1"], "b": ["2"]}), oxigraph["store"], file_namespace=FILE)
    server_update(oxigraph, "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } "
                            "FILTER(STRSTARTS(STR(?g), 'urn:kg-push:generation:')) }")
    report = push_dataset(versioned({"a": ["3"], "b": ["2"]}), oxigraph["store"],
                          file_namespace=FILE)
    assert report["sent"] == 1
    assert push_dataset(versioned({"a": ["3"], "b": ["4"]}), oxigraph["store"],
                        file_namespace=FILE)["sent"] == 1
    assert tokenless(answers(oxigraph)) == fresh_answers(oxigraph, {"a": ["3"], "b": ["4"]})
