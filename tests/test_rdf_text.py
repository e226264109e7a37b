"""One serialiser for every RDF text the project prints (issue 11, case 2): CONSTRUCT
and DESCRIBE from `kg query`, and every payload `kg push` sends, read back exactly by
pyoxigraph and by rapper (raptor), two strict parsers independent of the writer."""

from __future__ import annotations

import json
import subprocess
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from sparql_support import KGID

from conftest import need_tool
from kg.cli import main

TRICKY = 'line one\nends with a backslash and quote \\"'  # YAML: "...quote \\\""
TRICKY_YAML = '"line one\\nends with a backslash and quote \\\\\\""'
DESCRIPTION = "http://purl.org/dc/terms/description"
SYNTAXES = {"turtle": ("turtle", "TURTLE"), "nt": ("ntriples", "N_TRIPLES"),
            "xml": ("rdfxml", "RDF_XML"), "jsonld": (None, "JSON_LD")}


@pytest.fixture
def tricky_data(make_data):
    return make_data({"organization/deepseek.yaml": f"""
        id: deepseek
        name: DeepSeek
        org_type: lab
        country: china
        description: {TRICKY_YAML}
        sources: [src-a]
    """})


def rapper(text: bytes, syntax: str) -> list[str]:
    done = subprocess.run([need_tool("rapper"), "-q", "-i", syntax, "-o", "ntriples", "-",
                           "http://base/"], input=text, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode().splitlines()


def descriptions(text: bytes, syntax: str) -> tuple[list[str], list[str]]:
    """The description literals as pyoxigraph reads them, and rapper's N-Triples lines."""
    import pyoxigraph as ox

    rapper_syntax, ox_name = SYNTAXES[syntax]
    quads = list(ox.parse(text, format=getattr(ox.RdfFormat, ox_name)))
    values = [q.object.value for q in quads if q.predicate.value == DESCRIPTION
              and q.subject.value == KGID + "deepseek"]
    lines = []
    if rapper_syntax:
        lines = [line for line in rapper(text, rapper_syntax)
                 if line.startswith(f"<{KGID}deepseek> <{DESCRIPTION}>")]
    return values, lines


RAPPER_LINE = (f'<{KGID}deepseek> <{DESCRIPTION}> '
               '"line one\\nends with a backslash and quote \\\\\\"" .')


@pytest.mark.parametrize("syntax", list(SYNTAXES))
@pytest.mark.parametrize("query", [
    f"CONSTRUCT {{ ?s <{DESCRIPTION}> ?d }} WHERE {{ ?s <{DESCRIPTION}> ?d }}",
    "DESCRIBE kgid:deepseek"], ids=["construct", "describe"])
def test_kg_query_prints_rdf_strict_parsers_read_back(tricky_data, syntax, query):
    result = CliRunner().invoke(main, ["query", "--sparql", query, "--rdf-format", syntax,
                                       "--data", str(tricky_data)])
    assert result.exit_code == 0, result.output
    values, lines = descriptions(result.output.encode(), syntax)
    assert values == [TRICKY]
    if SYNTAXES[syntax][0]:
        assert lines == [RAPPER_LINE]


class Capture(BaseHTTPRequestHandler):
    """A Graph Store (/store) that keeps every PUT body and accepts it and refuses a POST
    of a whole dataset (so kg push sends graph by graph), with a query address (/query:
    the named graphs PUT so far, as a real store lists them: kg push checks that the server
    holds what it uploaded before it switches) and an update address (/update: accepts)."""

    bodies: list[tuple[str, str, bytes]] = []

    def do_PUT(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.bodies.append((self.path, self.headers["Content-Type"], body))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.path.startswith("/store"):
            self.send_response(415)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        held = [{"g": {"type": "uri", "value": urllib.parse.unquote(p.split("graph=", 1)[1])}}
                for p, _, _ in self.bodies if "graph=" in p]
        answer = json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": held}}).encode() \
            if self.path.startswith("/query") else b""
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def test_every_push_payload_is_read_back_by_strict_parsers(tricky_data):
    Capture.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/store"
        result = CliRunner().invoke(main, ["push", "--graph-store", url,
                                           "--data", str(tricky_data)])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert result.exit_code == 0, result.output
    # a first push into a server without the data: every graph straight to its name, and
    # the union to the default graph
    paths = [p for p, _, _ in Capture.bodies]
    assert len(paths) == 6 and all(p.startswith("/store?graph=https%3A%2F%2Fw3id.org%2F")
                                   for p in paths[:-1])
    assert paths[-1] == "/store?default"
    carrying = []
    for path, ctype, body in Capture.bodies:
        assert ctype == "text/turtle; charset=utf-8"
        for syntax in ("turtle", "nt"):  # N-Triples, sent as Turtle: both must read it
            values, lines = descriptions(body, syntax)
            assert (values, lines) in (([], []), ([TRICKY], [RAPPER_LINE])), path
            if values:
                carrying.append((path, syntax))
    # the organisation's own graph and the default graph (the union), in both readings
    assert len(carrying) == 4
    assert sum(path == "/store?default" for path, _ in carrying) == 2
