"""`kg serve` as a real subprocess on a free loopback port, queried by independent
clients (SPARQLWrapper and plain urllib)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from sparql_support import KGID, TODAY, free_port, oxigraph_store, row_bag, stop

from conftest import REPO, sandbox_dir, wait_for_line
from kg.rdf.load import load_graph
from kg.rdf.stats import stats
from kg.sparql.queries import library, run_query

TIMEOUT = 3
MAX_ROWS = 2000
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def endpoint():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--port", str(port), "--timeout", str(TIMEOUT),
         "--max-rows", str(MAX_ROWS), "--workers", "3"],  # data/, through the cache
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        # its log up to the line saying it listens; within 90 s, else it is killed and
        # the test fails with the log
        lines = wait_for_line(proc, "kg serve: SPARQL endpoint ", 90, proc.stdout)
        # keep draining the log so the server never blocks on a full pipe
        threading.Thread(target=lambda: [lines.append(x) for x in proc.stdout], daemon=True).start()
        yield {"url": f"http://127.0.0.1:{port}/sparql", "base": f"http://127.0.0.1:{port}",
               "log": lines}
    finally:
        stop(proc)


def http(url, data=None, headers=None, method=None, timeout=30):
    """(status, headers, body text) without raising on HTTP errors."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8")


def post_query(endpoint, query, accept="application/sparql-results+json", **kw):
    body = urllib.parse.urlencode({"query": query}).encode()
    return http(endpoint["url"], body, {"Content-Type": "application/x-www-form-urlencoded",
                                        "Accept": accept}, **kw)


def term_from_sparqlwrapper(b):
    if b["type"] == "uri":
        return URIRef(b["value"])
    if b["type"] == "bnode":
        return BNode(b["value"])
    if "xml:lang" in b:
        return Literal(b["value"], lang=b["xml:lang"])
    return Literal(b["value"], datatype=URIRef(b["datatype"]) if "datatype" in b else None)


@pytest.mark.parametrize("q", library(), ids=lambda q: q.name)
def test_sparqlwrapper_gets_the_same_answers_as_the_embedded_store(endpoint, q):
    from SPARQLWrapper import JSON, SPARQLWrapper

    from kg.sparql.store import QueryResult

    text = q.bind(day=TODAY)
    client = SPARQLWrapper(endpoint["url"])
    client.setQuery(text)  # no queryType set: SPARQLWrapper reads it from the text
    client.setReturnFormat(JSON)
    doc = client.query().convert()
    names = doc["head"]["vars"]
    rows = [tuple(term_from_sparqlwrapper(b[v]) if v in b else None for v in names)
            for b in doc["results"]["bindings"]]
    served = QueryResult("SELECT", "remote", vars=names, rows=rows)
    embedded = oxigraph_store().query(text)
    assert names == embedded.vars
    assert row_bag(served) == row_bag(embedded)


def test_the_endpoint_answers_at_query_too(endpoint):
    """A researcher's trial: `kg query --endpoint http://127.0.0.1:7878/query` (kg query's
    own example, the path oxigraph serve and Fuseki answer at) met 404 on kg serve."""
    from kg.sparql.queries import run_query
    from kg.sparql.store import open_store

    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    at = {path: run_query(open_store("endpoint", endpoint=endpoint["base"] + path), query).rows
          for path in ("/sparql", "/query")}
    assert at["/query"] == at["/sparql"] and int(at["/sparql"][0][0]) > 20000
    assert post_query(endpoint, "ASK {}")[0] == 200
    status, _, _ = http(endpoint["base"] + "/query", b"ASK {}",
                        {"Content-Type": "application/sparql-query"})
    assert status == 200


def test_the_articles_answer_through_the_endpoint(endpoint):
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(endpoint["url"])
    client.setQuery(next(q for q in library() if q.name == "disputed-figures")
                    .bind({"about": "kgid:huawei-ascend-910c"}))
    client.setReturnFormat(JSON)
    values = sorted(float(b["value"]["value"])
                    for b in client.query().convert()["results"]["bindings"])
    assert values == [200_000, 450_000]  # BitBiased: US officials vs its own estimate


@pytest.mark.parametrize("accept,ctype,check", [
    ("application/sparql-results+xml", "application/sparql-results+xml",
     lambda body: "<sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">" in body
     and f"<uri>{KGID}qwen</uri>" in body),
    ("text/csv", "text/csv", lambda body: body.startswith("m\r\n") and f"{KGID}qwen\r\n" in body),
    ("text/tab-separated-values", "text/tab-separated-values",
     lambda body: body.startswith("?m\n") and f"<{KGID}qwen>" in body),
    ("application/json", "application/sparql-results+json",
     lambda body: json.loads(body)["head"]["vars"] == ["m"]),
    ("*/*", "application/sparql-results+json", lambda body: '"bindings"' in body),
    ("text/html;q=0.9, text/csv;q=0.5", "text/csv", lambda body: "qwen" in body),
])
def test_content_negotiation_for_select(endpoint, accept, ctype, check):
    status, headers, body = post_query(
        endpoint, "SELECT ?m WHERE { ?m <https://schema.org/creator> "
                  f"<{KGID}alibaba> }}", accept=accept)
    assert status == 200, body
    assert headers["Content-Type"].startswith(ctype)
    assert check(body), body[:500]


def test_construct_as_turtle_and_ntriples(endpoint):
    q = (f"CONSTRUCT {{ ?m <https://schema.org/creator> <{KGID}alibaba> }} "
         f"WHERE {{ ?m <https://schema.org/creator> <{KGID}alibaba> }}")
    for accept, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt")):
        status, headers, body = post_query(endpoint, q, accept=accept)
        assert status == 200 and headers["Content-Type"].startswith(accept), body
        g = Graph().parse(data=body, format=fmt)
        assert (URIRef(KGID + "qwen"), URIRef("https://schema.org/creator"),
                URIRef(KGID + "alibaba")) in g
    status, _, body = post_query(endpoint, q, accept="application/sparql-results+json")
    assert status == 406, body


def test_get_with_format_parameter(endpoint):
    url = endpoint["url"] + "?" + urllib.parse.urlencode(
        {"query": f"ASK {{ <{KGID}qwen> ?p ?o }}", "format": "csv"})
    status, headers, body = http(url)
    assert status == 200 and body.strip().splitlines() == ["boolean", "true"]


def test_cors(endpoint):
    def preflight(asked: str):  # what a browser asks before POSTing with these headers
        return http(endpoint["url"], method="OPTIONS",
                    headers={"Origin": "https://example.org",
                             "Access-Control-Request-Method": "POST",
                             "Access-Control-Request-Headers": asked})

    status, headers, _ = preflight("content-type")
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()
    # a browser client sending its own headers is allowed what it asks for
    status, headers, _ = preflight("content-type,queryid")
    assert status == 204
    assert headers["Access-Control-Allow-Headers"] == "content-type, queryid"
    status, headers, _ = post_query(endpoint, "ASK { ?s ?p ?o }")
    assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("body,ctype", [
    ("update=" + urllib.parse.quote(f"INSERT DATA {{ <{KGID}x> <{KGID}y> <{KGID}z> }}"),
     "application/x-www-form-urlencoded"),
    (f"INSERT DATA {{ <{KGID}x> <{KGID}y> <{KGID}z> }}", "application/sparql-update"),
    ("query=" + urllib.parse.quote(f"INSERT DATA {{ <{KGID}x> <{KGID}y> <{KGID}z> }}"),
     "application/x-www-form-urlencoded"),
    ("query=" + urllib.parse.quote("DROP ALL"), "application/x-www-form-urlencoded"),
])
def test_updates_are_refused(endpoint, body, ctype):
    status, _, text = http(endpoint["url"], body.encode(), {"Content-Type": ctype})
    assert status == 403, text
    assert "read-only" in text
    status, _, text = post_query(endpoint, f"ASK {{ <{KGID}x> ?p ?o }}")
    assert json.loads(text)["boolean"] is False


def test_service_is_refused_and_never_called(endpoint):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(1.5)
        port = listener.getsockname()[1]
        status, _, text = post_query(
            endpoint, f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE SILENT "
                      f"<http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }} }}")
        assert status == 403 and "SERVICE" in text and "refused" in text
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody called
    status, _, text = post_query(endpoint, "SELECT * FROM <http://example.org/x.ttl> "
                                           "WHERE { ?s ?p ?o }")
    assert status == 403 and "FROM <http://example.org/x.ttl> is refused" in text


def test_syntax_errors_say_where(endpoint):
    status, _, text = post_query(endpoint, "SELECT * WHERE {\n  ?s ?p }")
    assert status == 400 and "line 2, column" in text
    assert "the triple pattern `?s ?p` has no object" in text
    # a fresh user's trial: "expected one of HAVING, OFFSET, OPTIONAL, VALUES", no LIMIT
    status, _, text = post_query(endpoint, "SELECT ?x WHERE { ?x ?y ?z }\nLIMT 3")
    assert status == 400 and ("syntax error at line 2, column 1: LIMT is no SPARQL keyword: "
                              "did you mean LIMIT?") in text


def test_a_runaway_query_is_stopped_at_the_limit(endpoint):
    started = time.monotonic()
    status, _, text = post_query(endpoint, RUNAWAY, timeout=TIMEOUT + 30)
    elapsed = time.monotonic() - started
    assert status == 503 and "time limit" in text, text
    assert elapsed >= TIMEOUT - 0.5, elapsed  # stopped by the limit, not before it (the
    # client's own timeout, TIMEOUT + 30, bounds it above)
    # the endpoint still answers (a fresh worker replaces the killed one)
    status, _, text = post_query(endpoint, "ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(text)["boolean"] is True


def test_a_client_hanging_up_is_one_line_of_the_log_not_a_traceback(endpoint):
    """A client that gives up on a slow answer (`curl -m 2`) printed a BrokenPipeError
    traceback into the server's log each time: now one line naming the request."""
    import socket
    import struct

    body = urllib.parse.urlencode({"query": RUNAWAY}).encode()
    port = int(endpoint["base"].rsplit(":", 1)[1])
    before = len(endpoint["log"])
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/"
                       b"x-www-form-urlencoded\r\nContent-Length: " + str(len(body)).encode()
                       + b"\r\n\r\n" + body)
        time.sleep(0.5)
        # hang up at once (a reset, as a client killed or timed out leaves it)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    deadline = time.monotonic() + TIMEOUT + 30
    while time.monotonic() < deadline and not any(
            "closed the connection" in line for line in endpoint["log"][before:]):
        time.sleep(0.2)
    time.sleep(0.5)  # (anything the server logs after it)
    logged = endpoint["log"][before:]
    assert [line for line in logged if "closed the connection" in line] == [
        line for line in logged if '"POST /sparql HTTP/1.1": the client closed the connection '
        "before the answer was sent (" in line], logged
    assert sum("closed the connection" in line for line in logged) == 1, logged
    assert not any("Traceback" in line or "BrokenPipe" in line and "closed" not in line
                   for line in logged), logged
    status, _, text = post_query(endpoint, "ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(text)["boolean"] is True


def test_result_size_limit(endpoint):
    status, _, text = post_query(endpoint, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 400 and f"more than {MAX_ROWS} rows" in text
    status, _, text = post_query(endpoint, "SELECT * WHERE { ?s ?p ?o } LIMIT 5")
    assert status == 200 and len(json.loads(text)["results"]["bindings"]) == 5
    # a graph result counts triples, and says so (a researcher's trial read "rows")
    status, _, text = post_query(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
    assert status == 400 and f"more than {MAX_ROWS} triples; add a LIMIT" in text, text


def test_several_clients_at_once(endpoint):
    """While one client's runaway query runs, others are answered at once."""
    expected = row_bag(run_query(oxigraph_store(), next(
        q for q in library() if q.name == "chip-export-status")))
    text = next(q for q in library() if q.name == "chip-export-status").bind()
    with ThreadPoolExecutor(8) as pool:
        runaway = pool.submit(post_query, endpoint, RUNAWAY, timeout=TIMEOUT + 30)
        time.sleep(0.3)
        quick = [pool.submit(post_query, endpoint, text) for _ in range(6)]
        answers = [f.result() for f in quick]
        # ordering, not a stopwatch: every quick answer came while the runaway still ran
        quick_first = not runaway.done()
        assert runaway.result()[0] == 503
    for status, _, body in answers:
        assert status == 200, body
        doc = json.loads(body)
        rows = [tuple(term_from_sparqlwrapper(b[v]) if v in b else None
                      for v in doc["head"]["vars"]) for b in doc["results"]["bindings"]]
        from kg.sparql.store import QueryResult

        assert row_bag(QueryResult("SELECT", "remote", vars=doc["head"]["vars"],
                                   rows=rows)) == expected
    assert quick_first, "the quick queries waited for the runaway one"


def test_service_description(endpoint):
    status, headers, body = http(endpoint["url"], headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(endpoint["url"]), URIRef(sd + "endpoint"), URIRef(endpoint["url"])) in g
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in g
    names = set(g.objects(None, URIRef(sd + "name")))
    assert URIRef("https://w3id.org/ai-race-kg/file/data/chip/nvidia-h200.yaml") in names


def test_the_page_works_offline(endpoint):
    status, headers, body = http(endpoint["base"] + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<textarea" in body and "fetch('sparql'" in body
    assert "<script src" not in body and body.count("<link") == 1
    assert '<link rel="icon" href="data:,">' in body  # no icon: no request for one
    assert "https://cdn" not in body and "//cdn" not in body
    assert 'value="models-by-developer"' in body


def test_the_page_in_a_browser_has_no_console_error_and_its_menu_names_the_query(endpoint):
    """A new user: every browser's console said /favicon.ico was a 404, and the menu said
    "choose a query…" while the box already held models-by-developer."""
    from explorer_support import BROWSER_ARGS, SCREENSHOTS, Recorder, chromium_path
    from playwright.sync_api import sync_playwright

    from kg.sparql.server import _library_texts

    texts = _library_texts()

    assert http(endpoint["base"] + "/favicon.ico")[:1] == (204,)
    chromium = chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        try:
            pg = browser.new_page()
            rec = Recorder(pg)
            pg.goto(endpoint["base"] + "/")
            pg.wait_for_load_state("load")
            chosen = "#library option:checked"
            assert pg.inner_text(chosen) == "models-by-developer"
            assert pg.input_value("#query") == texts["models-by-developer"]
            pg.click("button[type=submit]")
            pg.wait_for_selector("#out table")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(SCREENSHOTS / "serve-page.png"))
            other = sorted(n for n in texts if n != "models-by-developer")[0]
            pg.select_option("#library", other)
            assert pg.input_value("#query") == texts[other]
            assert pg.inner_text(chosen) == other
            pg.type("#query", " ")  # edited: no longer the library's query
            assert pg.inner_text(chosen) == "choose a query…"
            assert rec.console_errors() == []
            assert [u for u in rec.requests if not u.startswith(endpoint["base"] + "/")] == []
        finally:
            browser.close()


def test_listens_on_loopback_by_default():
    import inspect

    from click.testing import CliRunner

    from kg.cli import main
    from kg.sparql.server import App

    result = CliRunner().invoke(main, ["serve", "--help"])
    assert "[default: 127.0.0.1]" in result.output
    assert inspect.signature(App.__init__).parameters["host"].default == "127.0.0.1"


def test_unknown_paths_and_bad_requests(endpoint):
    assert http(endpoint["base"] + "/nothing")[0] == 404
    status, _, text = http(endpoint["url"], b"x=1", {"Content-Type": "text/plain"})
    assert status == 415
    status, _, text = http(endpoint["url"] + "?query=ASK%7B%7D&default-graph-uri=http://x/")
    assert status == 400 and "default-graph-uri" in text
    # a Graph Store client (kg push pointed here, say) got 501 and an HTML page
    for method in ("PUT", "DELETE", "PATCH"):
        status, headers, text = http(endpoint["url"] + "?graph=http://x/", b"<a:b> <a:c> <a:d> .",
                                     {"Content-Type": "application/n-triples"}, method=method)
        assert (status, headers["Allow"], headers["Content-Type"], text) == (
            405, "GET, HEAD, POST, OPTIONS", "text/plain; charset=utf-8",
            f"{method} is not supported: this endpoint is read-only; query it with GET or "
            "POST\n")
    assert post_query(endpoint, "ASK {}")[0] == 200  # and it still answers


def test_a_port_in_use_is_a_message_before_any_loading(tmp_path):
    import socket

    from click.testing import CliRunner

    from kg.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # no data folder at all: listening is tried first, so the port is what fails
        result = CliRunner().invoke(main, ["serve", "--port", str(port), "--data",
                                           str(tmp_path / "none")], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def _never_logs(line: str) -> None:
    raise OSError("the log is closed")


@pytest.mark.parametrize("fails", ["port taken", "graph missing", "log closed"])
def test_serve_failing_in_process_gives_back_sigterm_and_the_port(tmp_path, fails):
    """kg.sparql.server.serve sets a SIGTERM handler for its run: when it fails early (the
    port taken, the graph not loadable, the log unwritable once the workers run) the
    handler before is back, and the port it listened on is free again."""
    import multiprocessing
    import signal
    import socket

    from kg.sparql.server import ServerError, serve
    from kg.sparql.store import QueryError

    graph = tmp_path / "g.trig"
    graph.write_text(f"<{KGID}a> <{KGID}b> <{KGID}c> .\n", encoding="utf-8")

    def mine(signum, frame):
        pass

    before = signal.signal(signal.SIGTERM, mine)
    try:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1] if fails == "port taken" else free_port()
            options = {"port": port, "workers": 1, "graph_file": graph}
            if fails == "port taken":
                with pytest.raises(ServerError, match=f"^cannot listen on 127.0.0.1:{port}: "):
                    serve(**options)
            elif fails == "graph missing":
                with pytest.raises(QueryError, match="missing.trig"):
                    serve(**{**options, "graph_file": tmp_path / "missing.trig"})
            else:
                with pytest.raises(OSError, match="^the log is closed$"):
                    serve(log=_never_logs, **options)
                assert not multiprocessing.active_children()  # its worker stopped
            assert signal.getsignal(signal.SIGTERM) is mine
        with socket.socket() as again:  # closed: the port can be listened on again
            again.bind(("127.0.0.1", port))
    finally:
        signal.signal(signal.SIGTERM, before)


# -- issue 11: every client, every format ------------------------------------------------
TRICKY = 'line one\nends with a backslash and quote \\"'  # "line one\nends ... \\\""
TRICKY_SPARQL = '"line one\\nends with a backslash and quote \\\\\\""'
QWEN_CONSTRUCT = (f"CONSTRUCT {{ ?m <https://schema.org/creator> <{KGID}alibaba> }} "
                  f"WHERE {{ ?m <https://schema.org/creator> <{KGID}alibaba> }}")


def sparqlwrapper_triples(result) -> set:
    """(s, p, o) strings from what SPARQLWrapper's convert() gives for a graph result."""
    from rdflib import Graph as G

    if isinstance(result, bytes):  # Turtle / N3: raw text
        return {tuple(str(x) for x in t) for t in G().parse(data=result.decode(), format="turtle")}
    if isinstance(result, dict) or isinstance(result, list):  # JSON: the JSON-LD document
        return {tuple(str(x) for x in t)
                for t in G().parse(data=json.dumps(result), format="json-ld")}
    return {tuple(str(x) for x in t) for t in result.triples((None, None, None))}


@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
@pytest.mark.parametrize("fmt", [None, "xml", "rdf+xml", "turtle", "n3", "json", "json-ld"])
def test_sparqlwrapper_graph_results_in_every_return_format(endpoint, form, fmt):
    import warnings

    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(endpoint["url"])
    client.setQuery(QWEN_CONSTRUCT if form == "CONSTRUCT" else f"DESCRIBE <{KGID}qwen>")
    if fmt:
        client.setReturnFormat(fmt)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        triples = sparqlwrapper_triples(client.query().convert())
    # a content type other than the one asked for would be warned about
    assert not [w for w in caught if "Format requested" in str(w.message)]
    assert (KGID + "qwen", "https://schema.org/creator", KGID + "alibaba") in triples


@pytest.mark.parametrize("query", ["format=nonsense", "format=html&output=xml"])
def test_an_unknown_format_value_falls_back_to_accept(endpoint, query):
    url = endpoint["url"] + "?" + urllib.parse.urlencode({"query": QWEN_CONSTRUCT}) + "&" + query
    status, headers, body = http(url, headers={"Accept": "application/n-triples"})
    if "output=xml" in query:  # a known value after an unknown one is taken
        assert status == 200 and headers["Content-Type"].startswith("application/rdf+xml")
        return
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples"), body
    assert f"<{KGID}qwen> <https://schema.org/creator> <{KGID}alibaba> ." in body


def parse_with_rapper(text: str, syntax: str) -> list[str]:
    """N-Triples lines from rapper (raptor), an independent strict parser."""
    from conftest import need_tool

    rapper = need_tool("rapper")
    done = subprocess.run([rapper, "-q", "-i", syntax, "-o", "ntriples", "-", "http://base/"],
                          input=text.encode(), capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode().splitlines()


def check_tricky_graph(text: str, media: str) -> None:
    """The one tricky triple, read back exactly by pyoxigraph and (where it reads the
    syntax) by rapper."""
    import pyoxigraph as ox

    fmt = ox.RdfFormat.from_media_type(media)
    values = [q.object.value for q in ox.parse(text.encode(), format=fmt)]
    assert values == [TRICKY]
    rapper_syntax = {"text/turtle": "turtle", "application/n-triples": "ntriples",
                     "application/rdf+xml": "rdfxml"}.get(media)
    if rapper_syntax:
        lines = parse_with_rapper(text, rapper_syntax)
        assert lines == [f'<{KGID}x> <{KGID}note> '
                         '"line one\\nends with a backslash and quote \\\\\\"" .']


@pytest.mark.parametrize("media", ["text/turtle", "application/n-triples", "application/rdf+xml",
                                   "application/ld+json"])
def test_a_tricky_literal_comes_out_of_construct_parseable(endpoint, media):
    query = f"CONSTRUCT {{ <{KGID}x> <{KGID}note> {TRICKY_SPARQL} }} WHERE {{}}"
    status, headers, body = post_query(endpoint, query, accept=media)
    assert status == 200 and headers["Content-Type"].startswith(media), body
    check_tricky_graph(body, media)


TEXTS = ["plain", "tab\there", "line one\nline two", "cr\r\nlf", 'quote " and \\ backslash',
         "emoji \U0001F600 and 汉字", "comma, and \"quotes\"\n"]


def tricky_select() -> str:
    values = " ".join(f"({Literal(t).n3()} {i})" for i, t in enumerate(TEXTS))
    return f"SELECT ?text ?n WHERE {{ VALUES (?text ?n) {{ {values} }} }} ORDER BY ?n"


@pytest.mark.parametrize("fmt", ["tsv", "csv", "json", "xml"])
def test_select_results_keep_newlines_tabs_quotes_and_non_bmp_characters(endpoint, fmt):
    import csv
    import io

    import pyoxigraph as ox

    media = {"tsv": "text/tab-separated-values", "csv": "text/csv",
             "json": "application/sparql-results+json", "xml": "application/sparql-results+xml"}
    status, headers, body = post_query(endpoint, tricky_select(), accept=media[fmt])
    assert status == 200, body
    if fmt == "tsv":
        assert len(body.rstrip("\n").split("\n")) == len(TEXTS) + 1  # one line per row
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body, newline="")))
        assert [r[0] for r in rows[1:]] == TEXTS
        return  # pyoxigraph reads no CSV (the format is lossy)
    parsed = ox.parse_query_results(body.encode(), format=getattr(ox.QueryResultsFormat,
                                                                   fmt.upper()))
    texts = [sol["text"].value for sol in parsed]
    assert texts == TEXTS


def test_a_chunked_post_is_read_and_the_connection_stays_in_step(endpoint):
    import http.client

    port = int(endpoint["base"].rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = f"ASK {{ <{KGID}qwen> ?p ?o }}".encode()
    try:
        conn.request("POST", "/sparql", body=iter([body[:7], body[7:]]),
                     headers={"Content-Type": "application/sparql-query",
                              "Accept": "application/sparql-results+json"},
                     encode_chunked=True)
        resp = conn.getresponse()
        assert resp.status == 200
        assert json.loads(resp.read())["boolean"] is True
        # the same connection answers the next request
        conn.request("POST", "/sparql", body=f"ASK {{ <{KGID}nope> ?p ?o }}".encode(),
                     headers={"Content-Type": "application/sparql-query"})
        resp = conn.getresponse()
        assert resp.status == 200 and json.loads(resp.read())["boolean"] is False
    finally:
        conn.close()


def xml_rows(doc) -> tuple[list[str], list[tuple]]:
    """Variables and rows of a SPARQL XML result (a DOM, as SPARQLWrapper gives it)."""
    names = [v.getAttribute("name") for v in doc.getElementsByTagName("variable")]
    rows = []
    for result in doc.getElementsByTagName("result"):
        cells = {}
        for b in result.getElementsByTagName("binding"):
            node = next(n for n in b.childNodes if n.nodeType == n.ELEMENT_NODE)
            text = "".join(t.data for t in node.childNodes)
            if node.tagName == "uri":
                cells[b.getAttribute("name")] = URIRef(text)
            elif node.tagName == "bnode":
                cells[b.getAttribute("name")] = BNode(text)
            else:
                lang = node.getAttribute("xml:lang") or None
                dt = node.getAttribute("datatype") or None
                cells[b.getAttribute("name")] = Literal(text, lang=lang,
                                                        datatype=URIRef(dt) if dt else None)
        rows.append(tuple(cells.get(n) for n in names))
    return names, rows


@pytest.mark.parametrize("q", library(), ids=lambda q: q.name)
def test_every_library_file_through_sparqlwrapper_with_its_defaults(endpoint, q):
    """The file as it stands, SPARQLWrapper as it comes (GET, XML, query type read from
    the text): the same rows as the embedded store."""
    import warnings

    from SPARQLWrapper import SPARQLWrapper

    from kg.sparql.store import QueryResult

    client = SPARQLWrapper(endpoint["url"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.setQuery(q.text)
        assert client.queryType == "SELECT"
        doc = client.query().convert()
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    names, rows = xml_rows(doc)
    served = QueryResult("SELECT", "remote", vars=names, rows=rows)
    embedded = oxigraph_store().query(q.text)
    assert names == embedded.vars
    assert row_bag(served) == row_bag(embedded)
    # empty on the dataset's date: no fact rests on low-reliability sources alone, none
    # is unchecked, and no organisation holds links to both blocs on that day
    assert len(rows) > 0 or q.name in ("low-reliability-only", "unchecked-facts",
                                       "between-blocs")


def test_the_served_store_holds_the_dataset_description(endpoint):
    status, _, text = post_query(endpoint, "ASK { <https://w3id.org/ai-race-kg/dataset> ?p ?o }")
    assert status == 200 and json.loads(text)["boolean"] is True


def test_the_start_up_line_says_which_triples_are_the_datas(endpoint):
    """The served store holds the VoID description beside the data: the count says so,
    and its data part is the number kg stats and summary.json give."""
    data = stats(load_graph(REPO / "data"))["triples"]
    void = int(json.loads(post_query(endpoint, """SELECT (COUNT(*) AS ?n) WHERE {
        GRAPH <https://w3id.org/ai-race-kg/file/build/void.ttl> { ?s ?p ?o } }""")[2])
               ["results"]["bindings"][0]["n"]["value"])
    assert void > 0
    assert (f"kg serve: {data + void} triples ({data} of the data and {void} of its VoID "
            "description), ") in "".join(endpoint["log"])
    # what takes long on a big graph is said before it starts, in order
    said = [line.strip() for line in endpoint["log"] if line.startswith("kg serve: ")]
    assert said[:2] == ["kg serve: loading the graph from data/",
                        f"kg serve: starting 3 query workers, each loading {data + void} "
                        "triples"]


def test_workers_slow_to_load_are_each_reported_as_they_come(tmp_path, monkeypatch):
    """At 100k entities four workers take 48 s to load beside each other: each one
    ready is said (here with the threshold at 0 s, so that a small graph shows it)."""
    import re

    import kg.sparql.server as server

    nquads = tmp_path / "g.nq"
    nquads.write_text('<https://e/a> <https://e/p> "one" <https://e/g> .\n', encoding="utf-8")
    monkeypatch.setattr(server, "SLOW_START", 0.0)
    said: list[str] = []
    pool = server.WorkerPool("oxigraph", str(nquads), 2, said.append)
    try:
        assert [re.sub(r"\(\d+ s\)", "(N s)", line) for line in said] == [
            "kg serve: query worker 1 of 2 ready (N s)",
            "kg serve: query worker 2 of 2 ready (N s)"]
        status, _, body, _ = pool.run(("ASK { ?s ?p ?o }", "application/sparql-results+json",
                                       None, 10), 10)
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        pool.close()


def _exits_at_once():
    os._exit(3)


def _sleeps(conn):  # holds its end of the pipe, says nothing
    time.sleep(60)


def test_a_worker_still_loading_at_its_limit_is_stopped_and_reported(tmp_path):
    """A worker that hangs alive while loading does not block kg serve for ever: it is
    stopped at its limit (120 s, and 60 s more per 100 MB of the graph's N-Quads)."""
    import multiprocessing as mp

    from kg.sparql.server import ServerError, Worker, load_timeout

    nquads = tmp_path / "g.nq"
    nquads.write_bytes(b"x" * 50_000_000)
    assert load_timeout(str(nquads)) == 150.0 and load_timeout(str(tmp_path / "no")) == 120.0
    ctx = mp.get_context("spawn")
    worker = Worker.__new__(Worker)
    worker.conn, child = ctx.Pipe()
    worker.proc = ctx.Process(target=_sleeps, args=(child,), daemon=True)
    worker.proc.start()
    child.close()
    with pytest.raises(ServerError, match=r"^a query worker was still loading the graph "
                                          r"after 1 s; stopped$"):
        worker.wait_ready(1)
    assert not worker.proc.is_alive()


def test_a_worker_that_stops_while_loading_is_reported_not_waited_for():
    """A worker killed while it loads a big graph (the kernel's out-of-memory killer)
    sends nothing: the server says so at once rather than waiting for it."""
    import multiprocessing as mp

    from kg.sparql.server import ServerError, Worker

    ctx = mp.get_context("spawn")
    worker = Worker.__new__(Worker)
    worker.conn, child = ctx.Pipe()
    worker.proc = ctx.Process(target=_exits_at_once, daemon=True)
    worker.proc.start()
    child.close()
    with pytest.raises(ServerError, match=r"^a query worker stopped while loading the graph "
                                          r"\(exit status 3; out of memory\?\)$"):
        worker.wait_ready(60)


def test_200_library_queries_from_8_clients_without_an_error(endpoint):
    """A bounded load test: 200 library queries (all of them, in turn, with their
    defaults), 8 clients at once, every answer 200 and the right number of rows."""
    queries = library()
    expected = {q.name: len(oxigraph_store().query(q.text).rows) for q in queries}
    jobs = [queries[i % len(queries)] for i in range(200)]

    def one(q):
        status, _, body = post_query(endpoint, q.text, timeout=60)
        return q.name, status, body

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(one, jobs))
    errors = [(n, s, b[:200]) for n, s, b in answers if s != 200]
    assert errors == []
    for name, _, body in answers:
        assert len(json.loads(body)["results"]["bindings"]) == expected[name], name


def test_the_readme_sparqlwrapper_example_runs_as_written(endpoint, monkeypatch):
    """The researcher section's example, with no workaround, against this endpoint."""
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## For researchers (SPARQL)", 1)[1].split("\n## ", 1)[0]
    blocks = [b for b in re.findall(r"```python\n(.*?)```", section, re.S) if "SPARQLWrapper" in b]
    assert len(blocks) == 1
    code = blocks[0]
    assert "queryType" not in code
    monkeypatch.chdir(REPO)
    scope: dict = {}
    exec(code.replace("http://127.0.0.1:7878/sparql", endpoint["url"]), scope)  # noqa: S102
    expected = oxigraph_store().query((REPO / "queries" / "disputed-figures.rq")
                                      .read_text(encoding="utf-8"))
    assert len(scope["rows"]) == len(expected.rows) > 0


def _serve_graph(graph, port, env):
    """`kg serve --graph graph` (one worker, a 1 s limit) on port, once it listens; its
    log drained in the background."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--graph", str(graph), "--port", str(port),
         "--timeout", "1", "--workers", "1"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines = wait_for_line(proc, "kg serve: SPARQL endpoint ", 90, proc.stdout)
    threading.Thread(target=lambda: [lines.append(x) for x in proc.stdout], daemon=True).start()
    return proc


def test_two_servers_at_once_keep_their_copies_and_a_killed_ones_goes(tmp_path):
    """Each `kg serve` loads its workers from a copy of the graph in a scratch folder of
    its own under the cache folder (not /tmp), locked while it runs, and multiprocessing
    makes its forkserver's socket in another (not a pymp-* under /tmp). Two at once both
    answer; one killed outright (SIGKILL: no clean-up) leaves its copy, which the next
    server to start removes, while the other's stays and still serves, a worker that
    replaces one stopped at the time limit included (it loads that copy again)."""
    graph = tmp_path / "g.nt"
    graph.write_text("".join(f'<https://e/s{i}> <https://e/p> "v{i}" .\n' for i in range(300)),
                     encoding="utf-8")
    cache = sandbox_dir("c-")  # a short path: a socket's address must fit in 108 bytes
    scratch = cache / "tmp"
    env = {**os.environ, "KG_CACHE_DIR": str(cache), "PYTHONUNBUFFERED": "1"}
    ports = [free_port() for _ in range(3)]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def answer(port, query=count):
        return post_query({"url": f"http://127.0.0.1:{port}/sparql"}, query,
                          accept="text/csv")[::2]

    def folders():  # each server's copy of the graph and multiprocessing's socket folder
        return sorted(scratch.iterdir())

    procs = [_serve_graph(graph, ports[0], env)]
    try:
        first = folders()
        assert [p.name.split(".")[0] for p in first] == ["kg-mp", "kg-serve"]
        assert sorted(p.name[:9] for p in first[0].iterdir()) == ["kg-writin", "listener-"]
        procs.append(_serve_graph(graph, ports[1], env))
        second = sorted(set(folders()) - set(first))
        assert [answer(p) for p in ports[:2]] == [(200, "n\r\n300\r\n")] * 2
        procs[0].kill()  # SIGKILL
        procs[0].wait(30)
        assert folders() == sorted(first + second)  # left by the kill
        procs.append(_serve_graph(graph, ports[2], env))
        third = sorted(set(folders()) - set(first + second))
        assert len(third) == 2 and folders() == sorted(second + third)
        assert answer(ports[1], RUNAWAY)[0] == 503  # its worker killed and replaced
        for _ in range(60):  # (until the replacement is ready: busy meanwhile)
            status, text = answer(ports[1])
            if "busy" not in text:
                break
            time.sleep(0.5)
        assert (status, text) == (200, "n\r\n300\r\n") == answer(ports[2])
    finally:
        for proc in procs[1:]:
            stop(proc)
        procs[0].kill()
        procs[0].wait(30)
    assert list(scratch.iterdir()) == []  # stopped (SIGTERM): each removed its own


def test_an_empty_answer_from_a_mistyped_term_carries_kg_querys_note(endpoint):
    """A fresh user's trial: `kgo:exportstatus` (for kgo:exportStatus) gave 200 and no rows
    over HTTP with no word, where `kg query` prints a note. The answer stays a standard
    SPARQL result (200, its JSON or CSV alone); the note, as `kg query` says it, is in an
    X-KG-Note header (exposed to other origins' scripts), and the page shows it."""
    from SPARQLWrapper import JSON, SPARQLWrapper

    query = ("PREFIX kgo: <https://w3id.org/ai-race-kg/ontology#>\n"
             "SELECT ?chip ?status WHERE { ?chip kgo:exportstatus ?status }")
    note = ("no rows: kgo:exportstatus is not a term of the ontology; did you mean "
            "kgo:exportStatus?")
    status, headers, body = post_query(endpoint, query)
    assert status == 200 and json.loads(body)["results"]["bindings"] == []
    assert headers.get_all("X-KG-Note") == [note]
    assert "X-KG-Note" in headers["Access-Control-Expose-Headers"]
    status, headers, body = http(endpoint["url"] + "?" + urllib.parse.urlencode(
        {"query": query}), headers={"Accept": "text/csv"})
    assert (status, body, headers.get_all("X-KG-Note")) == (200, "chip,status\r\n", [note])
    # the right term: rows, and no note
    status, headers, body = post_query(endpoint, query.replace("exportstatus", "exportStatus"))
    assert json.loads(body)["results"]["bindings"] and headers.get("X-KG-Note") is None
    # SPARQLWrapper reads the same response as a plain result
    client = SPARQLWrapper(endpoint["url"])
    client.setQuery(query)
    client.setReturnFormat(JSON)
    response = client.query()
    assert response.info()["x-kg-note"] == note
    assert response.convert()["results"]["bindings"] == []
    # README's endpoint section says where the note is, and what it says
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert f"in an `X-KG-Note` response header, `{note}`" in readme


def test_a_note_header_is_ascii_and_gives_the_note_back():
    from kg.sparql.server import header_text

    text = "no rows: no entity kgid:x (did you mean kgid:huawei, 华为?) 100%"
    value = header_text(text)
    assert value.isascii() and urllib.parse.unquote(value) == text
    assert value.startswith("no rows: no entity kgid:x (did you mean kgid:huawei, %E5")


def test_the_page_shows_the_note_of_an_empty_answer(endpoint):
    from explorer_support import BROWSER_ARGS, SCREENSHOTS, chromium_path
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=BROWSER_ARGS)
        try:
            pg = browser.new_page()
            pg.goto(endpoint["base"] + "/")
            pg.fill("#query", "PREFIX kgo: <https://w3id.org/ai-race-kg/ontology#>\n"
                              "SELECT ?c ?s WHERE { ?c kgo:exportstatus ?s }")
            pg.click("button[type=submit]")
            pg.wait_for_selector("#out table")
            assert pg.inner_text("#out .note") == (
                "note: no rows: kgo:exportstatus is not a term of the ontology; did you "
                "mean kgo:exportStatus?")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(SCREENSHOTS / "serve-page-note.png"))
        finally:
            browser.close()
