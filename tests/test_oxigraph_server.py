"""A real Oxigraph server (the `oxigraph` PyPI package): `kg push` loads the graph through
the Graph Store Protocol, and the whole library runs there with `--endpoint`, giving
the same answers as the embedded store."""

from __future__ import annotations

import re

import pytest
import sparql_support
from click.testing import CliRunner
from sparql_support import KGID, TODAY, build_dir, free_port, oxigraph_store, row_bag

from kg.cli import main
from kg.sparql.queries import library, run_query
from kg.sparql.store import RemoteStore

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    yield from run_oxigraph(tmp_path_factory)


def run_oxigraph(tmp_path_factory):
    yield from sparql_support.run_oxigraph(tmp_path_factory.mktemp("oxigraph-store"))


@pytest.fixture(scope="module")
def pushed(oxigraph):
    graph = str(build_dir() / "graph.trig")
    runner = CliRunner()
    result = runner.invoke(main, ["push", "--graph-store", oxigraph["store"], "--graph", graph])
    assert result.exit_code == 0, result.output
    assert "named graphs" in result.output and "default graph" in result.output
    # pushing everything again replaces the graphs: nothing doubles
    again = runner.invoke(main, ["push", "--graph-store", oxigraph["store"], "--graph", graph,
                                 "--full"])
    assert again.exit_code == 0 and again.output == result.output
    # and a push of the same graph sends nothing
    same = runner.invoke(main, ["push", "--graph-store", oxigraph["store"], "--graph", graph])
    graphs, triples = re.match(r"pushed (\d+) named graphs \((\d+) triples\)",
                               result.output).groups()
    # (a researcher's trial: it said "pushed 765 named graphs ...; 765 of them unchanged")
    assert same.output == (
        f"nothing to push: the {graphs} named graphs ({triples} triples) and the union in "
        f"the default graph on {oxigraph['store']} are as the last push left them; nothing "
        "was sent (--full sends every graph again)\n")
    return oxigraph


def test_push_loads_every_triple_once(pushed):
    remote = RemoteStore(pushed["query"])
    count = "SELECT (COUNT(*) AS ?n) WHERE { %s }"
    local = oxigraph_store()
    assert int(remote.query(count % "?s ?p ?o").rows[0][0]) == \
        int(local.query(count % "?s ?p ?o").rows[0][0])
    data = "GRAPH ?g { ?s ?p ?o } FILTER(!STRSTARTS(STR(?g), 'urn:kg-push:'))"
    assert int(remote.query(count % data).rows[0][0]) == \
        int(local.query(count % "GRAPH ?g { ?s ?p ?o }").rows[0][0])
    # beside them, the record of the push: a key per graph, and whether the union was sent
    graphs = int(local.query("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
                 .rows[0][0])
    record = remote.query("SELECT ?g ?key WHERE { GRAPH <urn:kg-push:state> { ?g ?p ?key } }").rows
    # and the push that wrote it, whose marker graph is there
    assert len(record) == graphs + 2
    record = {str(g): str(k) for g, k in record}
    assert record["urn:kg-push:state"] == "union"
    marker = f"urn:kg-push:generation:{record['urn:kg-push:generation']}"
    assert remote.query(f"ASK {{ GRAPH <{marker}> {{ ?s ?p ?o }} }}").boolean is True
    # "which file says this" works there too
    g = remote.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{KGID}nvidia-h200> a ?c }} }}").rows
    assert [str(r[0]) for r in g] == ["https://w3id.org/ai-race-kg/file/data/chip/nvidia-h200.yaml"]


@pytest.mark.parametrize("q", library(), ids=lambda q: q.name)
def test_the_library_answers_the_same_on_the_oxigraph_server(pushed, q):
    served = run_query(RemoteStore(pushed["query"]), q, day=TODAY)
    embedded = run_query(oxigraph_store(), q, day=TODAY)
    assert served.engine == "remote"
    assert served.vars == embedded.vars
    assert row_bag(served) == row_bag(embedded)


def test_kg_query_endpoint(pushed):
    result = CliRunner().invoke(main, ["query", "disputed-figures", "--endpoint", pushed["query"],
                                       "-p", "about=huawei-ascend-910c", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert {line.split(",")[3] for line in result.output.splitlines()[1:]} == \
        {"200000", "450000"}
    table = CliRunner().invoke(main, ["query", "quotes", "--endpoint", pushed["query"],
                                      "-p", "speaker=scott-singer", "--format", "md"])
    assert "Carnegie Endowment for International Peace" in table.output  # labels, remotely


def test_errors_from_an_endpoint_are_messages(pushed):
    bad = CliRunner().invoke(main, ["query", "--sparql", "SELECT * WHERE { ?s ?p }",
                                    "--endpoint", pushed["query"]])
    assert bad.exit_code == 1 and "syntax error" in bad.output
    gone = CliRunner().invoke(main, ["query", "quotes", "--endpoint",
                                     f"http://127.0.0.1:{free_port()}/query"])
    assert gone.exit_code == 1 and "cannot reach" in gone.output


def test_push_of_a_tricky_literal_to_oxigraph(tmp_path_factory, make_data):
    """Oxigraph refused rdflib's Turtle for this literal ("Line jumps are not allowed in
    string literals"); the pushed value now reads back exactly."""
    data = make_data({"organization/deepseek.yaml": """
        id: deepseek
        name: DeepSeek
        org_type: lab
        country: china
        description: "line one\\nends with a backslash and quote \\\\\\""
        sources: [src-a]
    """})
    server = run_oxigraph(tmp_path_factory)
    urls = next(server)
    try:
        result = CliRunner().invoke(main, ["push", "--graph-store", urls["store"],
                                           "--data", str(data)])
        assert result.exit_code == 0, result.output
        rows = RemoteStore(urls["query"]).query(
            f"SELECT ?d WHERE {{ <{KGID}deepseek> <http://purl.org/dc/terms/description> ?d }}"
        ).rows
        assert [str(r[0]) for r in rows] == ['line one\nends with a backslash and quote \\"']
    finally:
        server.close()
