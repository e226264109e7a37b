"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the graph.

- GET and POST at /sparql, and at /query too (the path `oxigraph serve` and Fuseki
  answer at, which `kg query --endpoint` examples use) (query= in the URL or a form, or an application/sparql-query
  body, with a Content-Length or chunked); results by content negotiation: SPARQL
  JSON, XML, CSV, TSV for SELECT/ASK, and Turtle, N-Triples, RDF/XML or JSON-LD for
  CONSTRUCT/DESCRIBE (one serialiser, kg.sparql.rdftext). `format=` (also `output=`,
  `results=`: SPARQLWrapper sends all three) names a format or a media type and
  overrides the Accept header; a value not known for the result is passed over, so
  the Accept header decides rather than a 406. GET /sparql without a query returns
  the service description.
- Read-only: updates are refused (403), and so are SERVICE and FROM <outside address>
  (kg.sparql.store.check_query, a cheap scan that falls back to a full parse only when
  the text says `service`, FROM or an update), so a query cannot make the server call
  out.
- CORS headers on every answer, and a preflight allows whatever headers the browser
  asks for (the endpoint is read-only and takes no credentials).
- The time limit is enforced while the query runs: every query runs in one of a pool
  of worker processes (each holding its own copy of the store), and a worker still
  busy at the limit is killed (SIGKILL) and replaced; the client gets 503. pyoxigraph
  has no way to cancel a running query from another thread, so a process is the unit
  that can be stopped. The pool serves several clients at once.
- The result-size limit: a worker stops reading results past --max-rows and answers
  with an error, never with a silently truncated result.
- GET / is a plain HTML page to type a query; it loads nothing from the network.
"""

from __future__ import annotations

import html
import json
import multiprocessing as mp
import os
import queue
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg.core.errors import KGError, shown_path
from kg.core.forked import sigterm_raises
from kg.data.filecache import scratch_folder

MAX_REQUEST_BYTES = 1_000_000
# the endpoint's paths: /sparql, and /query, where `oxigraph serve` and Fuseki answer (a
# researcher's trial: `kg query --endpoint http://127.0.0.1:7878/query`, kg query's own
# example, met 404 on kg serve's default port)
ENDPOINT_PATHS = ("/sparql", "/query")
SELECT_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "text/javascript": "json", "application/javascript": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle", "application/turtle": "turtle", "application/x-turtle": "turtle",
    "text/n3": "turtle", "text/rdf+n3": "turtle", "application/n3": "turtle",
    "application/n-triples": "nt", "text/plain": "nt",
    "application/rdf+xml": "rdfxml", "application/xml": "rdfxml", "text/xml": "rdfxml",
    "application/ld+json": "jsonld", "application/x-json+ld": "jsonld",
    "application/json": "jsonld",
}
CONTENT_TYPES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
    "turtle": "text/turtle", "nt": "application/n-triples", "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
# format= values (also output= and results=, which SPARQLWrapper sends too), by result
# kind; a media type is understood as well. Anything else: the Accept header decides.
SELECT_PARAM = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv",
                "tsv": "tsv"}
GRAPH_PARAM = {"turtle": "turtle", "ttl": "turtle", "n3": "turtle", "nt": "nt",
               "ntriples": "nt", "n-triples": "nt", "xml": "rdfxml", "rdf": "rdfxml",
               "rdfxml": "rdfxml", "rdf+xml": "rdfxml", "rdf/xml": "rdfxml", "json": "jsonld",
               "jsonld": "jsonld", "json-ld": "jsonld"}
FORMAT_PARAMS = ("format", "output", "results")
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# the header that carries a note on an empty answer (empty_notes), as `kg query` prints it
NOTE_HEADER = "X-KG-Note"


class ServerError(KGError):
    """The endpoint could not start."""


class RequestTooLarge(Exception):
    """A request body past MAX_REQUEST_BYTES."""


# -- content negotiation -------------------------------------------------------------
def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q values, best first (a missing header accepts anything)."""
    out = []
    for i, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        out.append((fields[0].lower(), q, -i))
    out.sort(key=lambda t: (-t[1], -t[2]))
    return [(m, q) for m, q, _ in out if q > 0]


def negotiate(accept: str | None, graph_result: bool,
              override: str | list[str] | None = None) -> str | None:
    """The result format for a request, or None (then 406).

    `override`: the values of format= (a name such as json, xml, turtle, or a media
    type); the first one known for this kind of result wins, an unknown one is passed
    over. Else the Accept header, best q first. Names returned: json, xml, csv, tsv for
    SELECT/ASK; turtle, nt, rdfxml, jsonld for CONSTRUCT/DESCRIBE.
    """
    table = GRAPH_TYPES if graph_result else SELECT_TYPES
    names = GRAPH_PARAM if graph_result else SELECT_PARAM
    default = "turtle" if graph_result else "json"
    values = [override] if isinstance(override, str) else list(override or [])
    for value in values:
        value = value.strip().lower()
        fmt = names.get(value) or table.get(value.split(";")[0].strip())
        if fmt:
            return fmt
    for media, _ in parse_accept(accept):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*"):
            major = media.split("/")[0]
            if major == "*" or CONTENT_TYPES[default].startswith(major):
                return default
            for mt, fmt in table.items():
                if mt.startswith(major + "/"):
                    return fmt
    return None


# -- the worker ----------------------------------------------------------------------
def _open_worker_store(store_kind: str, nquads: str):
    import pyoxigraph as ox

    from kg.sparql.store import OxigraphStore, RdflibStore

    if store_kind == "rdflib":
        return RdflibStore.from_file(Path(nquads))
    store = OxigraphStore()
    # lenient: the server's own copy, written by pyoxigraph (App) a moment ago; 20% less
    # CPU than checking every term again (8 s against 10 s a worker at 100k entities)
    store.ox.load(path=nquads, format=ox.RdfFormat.N_QUADS, lenient=True)
    return store


def _answer(store, text: str, accept: str | None, override: str | None, max_rows: int):
    """(status, content type, body) for one query, run in a worker process."""
    from kg.sparql.results import graph_text, to_csv, to_json, to_tsv, to_xml
    from kg.sparql.store import QueryError, QueryRefused, ResultTooLarge, check_query

    try:
        checked = check_query(text)
    except QueryRefused as exc:
        return 403, "text/plain; charset=utf-8", str(exc).encode()
    except QueryError as exc:
        return 400, "text/plain; charset=utf-8", str(exc).encode()
    graph_result = checked.type in ("CONSTRUCT", "DESCRIBE")
    fmt = negotiate(accept, graph_result, override)
    if fmt is None:
        wanted = ", ".join(sorted(GRAPH_TYPES if graph_result else SELECT_TYPES))
        return 406, "text/plain; charset=utf-8", \
            f"cannot answer a {checked.type} query in {accept}; ask for one of: " \
            f"{wanted}".encode()
    try:
        result = store.query(text, max_rows=max_rows)
    except ResultTooLarge as exc:
        return 400, "text/plain; charset=utf-8", f"result too large: {exc}".encode()
    except QueryError as exc:
        return 400, "text/plain; charset=utf-8", str(exc).encode()
    if graph_result:
        body = graph_text(result, "xml" if fmt == "rdfxml" else fmt)
    else:
        body = {"json": lambda r: to_json(r, indent=None), "xml": to_xml, "csv": to_csv,
                "tsv": to_tsv}[fmt](result)
    ctype = CONTENT_TYPES[fmt] + "; charset=utf-8"
    notes = empty_notes(store, text) if result.type == "SELECT" and not result.rows else []
    return 200, ctype, body.encode("utf-8"), [(NOTE_HEADER, header_text(n)) for n in notes]



def empty_notes(store, text: str) -> list[str]:
    """After a SELECT with no rows, what `kg query` says on stderr of a term of the
    project's vocabularies that does not exist (kg.sparql.queries.unknown_term_notes: "no
    rows: kgo:exportstatus is not a term of the ontology; did you mean kgo:exportStatus?"),
    without its "note: ". The answer stays a standard SPARQL result; the notes go in
    X-KG-Note headers (a fresh user's trial: over HTTP the same query gave 200, no rows,
    no word). A note is a courtesy: none when finding one fails."""
    from kg.core.errors import KGError
    from kg.sparql.queries import unknown_term_notes

    try:
        notes = unknown_term_notes(store, text)
    except KGError:
        return []
    return [n.removeprefix("note: ") for n in notes]


def header_text(note: str) -> str:
    """A note as an HTTP header value: printable ASCII, each other character and "%"
    percent-encoded as UTF-8 (decodeURIComponent gives the note back)."""
    return "".join(c if " " <= c <= "~" and c != "%" else urllib.parse.quote(c, safe="")
                   for c in note)


def _worker_main(conn, store_kind: str, nquads: str) -> None:
    """Load the store, then answer queries from the pipe until it closes."""
    try:
        store = _open_worker_store(store_kind, nquads)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which gives up
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    try:  # the ontology's terms, which a note on an empty answer reads (empty_notes): read
        # once here, not in a query's time (2 s on a busy machine, past a 3 s --timeout)
        from kg.sparql.queries import ontology_terms

        ontology_terms()
    except Exception:  # noqa: BLE001, S110 - the note is a courtesy; its own try says none
        pass
    conn.send(("ready", ""))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(_answer(store, *job))
        except Exception as exc:  # noqa: BLE001 - one bad query must not kill the worker
            conn.send((500, "text/plain; charset=utf-8",
                       f"internal error: {type(exc).__name__}: {exc}".encode()))


class Worker:
    def __init__(self, ctx, store_kind: str, nquads: str):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, store_kind, nquads),
                                daemon=True)
        self.proc.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        """Wait until the worker has loaded the graph or has stopped, for at most timeout
        seconds (`load_timeout`: a big graph's load grows with the graph and with the
        other workers loading beside it). Raises ServerError if it stopped, could not
        load the graph, or is still loading at the limit (then it is stopped)."""
        limit = time.monotonic() + timeout
        try:
            while not self.conn.poll(1.0):
                if not self.proc.is_alive() and not self.conn.poll(0):
                    raise EOFError
                if time.monotonic() > limit:
                    self.kill()
                    raise ServerError(f"a query worker was still loading the graph after "
                                      f"{timeout:.0f} s; stopped")
            status, detail = self.conn.recv()
        except (EOFError, OSError):  # it stopped before saying it was ready
            # its end of the pipe can close before the process has ended (a spawned one
            # still starting on a loaded machine gave exit status None after 5 s): wait
            # for its status, which comes at once from a process already dead
            self.proc.join(60)
            code = self.proc.exitcode
            self.kill()
            raise ServerError(f"a query worker stopped while loading the graph (exit "
                              f"status {code}; out of memory?)") from None
        if status != "ready":
            self.kill()
            raise ServerError(f"a query worker could not load the graph: {detail}")

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


_MP_SCRATCH = ExitStack()  # this process's scratch folder for multiprocessing's files
SOCKET_PATH_MAX = 88  # bytes of folder: + "/listener-<8>" and a NUL within a socket's 108


def multiprocessing_scratch() -> Path | None:
    """Have multiprocessing make its files (the forkserver's socket) in a scratch folder of
    this process (kg.data.filecache.scratch_folder, kept until the process exits)
    rather than in a `pymp-*` folder under /tmp, which a SIGKILL leaves for ever; after
    a kill, the next scratch folder made removes it. Returns that folder, or None, with
    nothing changed, when multiprocessing already has its folder, none can be made, or
    its path is over SOCKET_PATH_MAX bytes (a socket's address must fit in 108)."""
    import atexit

    config = mp.current_process()._config  # where multiprocessing.util.get_temp_dir looks
    if config.get("tempdir"):
        return None
    try:
        folder = _MP_SCRATCH.enter_context(scratch_folder("mp"))
    except OSError:
        return None
    if len(os.fsencode(folder)) > SOCKET_PATH_MAX:
        _MP_SCRATCH.close()
        return None
    config["tempdir"] = str(folder)
    atexit.register(_MP_SCRATCH.close)
    return folder


SLOW_START = 2.0  # seconds: workers that take longer to load the graph are each reported


def load_timeout(nquads: str) -> float:
    """Seconds a worker may take to load the N-Quads file: 120, and 60 more for each
    100 MB (at 100k entities, 600 MB: 480 s, where four workers on two cores took 48 s
    at load 2). A worker that dies while loading is reported at once, not at this
    limit; the limit is for one that hangs alive."""
    try:
        size = os.path.getsize(nquads)
    except OSError:
        size = 0
    return 120.0 + 60.0 * size / 100e6


class WorkerPool:
    """Worker processes, each with the whole store; one query at a time per worker."""

    def __init__(self, store_kind: str, nquads: str, size: int, log: Callable[[str], None]):
        multiprocessing_scratch()  # before the forkserver starts: its socket goes there
        methods = mp.get_all_start_methods()
        self.ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            self.ctx.set_forkserver_preload(["kg.sparql.server", "kg.sparql.store", "kg.sparql.results"])
        self.store_kind, self.nquads, self.log = store_kind, nquads, log
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.closed = False
        started = time.monotonic()
        workers = [Worker(self.ctx, store_kind, nquads) for _ in range(max(1, size))]
        try:
            for i, w in enumerate(workers, 1):
                w.wait_ready(load_timeout(nquads))
                self.idle.put(w)
                took = time.monotonic() - started
                if took >= SLOW_START:  # a big graph: each one said, as they come
                    log(f"kg serve: query worker {i} of {len(workers)} ready ({took:.0f} s)")
        except BaseException:  # one failed, or Ctrl-C while they load: stop them all
            for w in workers:
                w.kill()
            raise

    def _replace(self) -> None:
        def start():
            try:
                w = Worker(self.ctx, self.store_kind, self.nquads)
                w.wait_ready(load_timeout(self.nquads))
            except ServerError as exc:
                self.log(f"kg serve: {exc}")
                return
            if self.closed:
                w.kill()
            else:
                self.idle.put(w)

        threading.Thread(target=start, daemon=True).start()

    def run(self, job: tuple, timeout: float) -> tuple[int, str, bytes, list]:
        """(status, content type, body, extra headers: a list of (name, value), such as
        X-KG-Note) of one query."""
        deadline = time.monotonic() + timeout
        try:
            worker = self.idle.get(timeout=timeout)
        except queue.Empty:
            return 503, "text/plain; charset=utf-8", \
                b"all query workers are busy; try again shortly", []
        try:
            worker.conn.send(job)
            left = max(0.0, deadline - time.monotonic())
            if worker.conn.poll(left):
                answer = worker.conn.recv()
                self.idle.put(worker)
                return (*answer, []) if len(answer) == 3 else answer
        except (EOFError, OSError, BrokenPipeError):
            pass
        # At the limit (or the worker died): stop it now, start a fresh one.
        worker.kill()
        self._replace()
        return 503, "text/plain; charset=utf-8", \
            f"query stopped at the time limit ({timeout:g} s); narrow it or add a LIMIT".encode(), []

    def close(self) -> None:
        self.closed = True
        while True:
            try:
                self.idle.get_nowait().kill()
            except queue.Empty:
                return


# -- the service description and the page ---------------------------------------------
def service_description(endpoint: str, triples: int, graphs: list[str]) -> str:
    lines = [
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .",
        "@prefix formats: <http://www.w3.org/ns/formats/> .",
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "",
        f"<{endpoint}> a sd:Service ;",
        f"    sd:endpoint <{endpoint}> ;",
        "    dct:title \"ai-race-kg: the sourced knowledge graph of the US-China AI race\" ;",
        "    sd:supportedLanguage sd:SPARQL11Query ;",
        "    sd:feature sd:UnionDefaultGraph ;",
        "    sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML,",
        "        formats:SPARQL_Results_CSV, formats:SPARQL_Results_TSV, formats:Turtle,",
        "        formats:N-Triples, formats:RDF_XML, formats:JSON-LD ;",
        "    sd:defaultDataset [",
        "        a sd:Dataset ;",
        f"        sd:defaultGraph [ a sd:Graph ; void:triples {triples} ]"
        + (" ;" if graphs else ""),
    ]
    for i, g in enumerate(graphs):
        end = " ;" if i < len(graphs) - 1 else ""
        lines.append(f"        sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ]{end}")
    lines += ["    ] .", ""]
    return "\n".join(lines)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>ai-race-kg SPARQL</title>
<link rel="icon" href="data:,">
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;max-width:80em}
textarea{width:100%;height:16em;font-family:monospace;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin-top:1em}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
#status{margin:.5em 0;color:#555} .error{color:#a00;white-space:pre-wrap}
.note{color:#7a4b00;background:#fff6e0;padding:.3em .5em}
</style></head><body>
<h1>ai-race-kg SPARQL endpoint</h1>
<p>Endpoint: <code>/sparql</code> (SPARQL 1.1 Protocol, read-only). Library:
<select id="library"><option value="">choose a query…</option>@@OPTIONS@@</select></p>
<form id="form"><textarea id="query" name="query" spellcheck="false">@@EXAMPLE@@</textarea>
<p><button type="submit">Run</button> <span id="status"></span></p></form>
<div id="out"></div>
<script>
const LIBRARY = @@LIBRARY@@;
const q = document.getElementById('query'), out = document.getElementById('out'),
      status = document.getElementById('status');
const menu = document.getElementById('library');
menu.onchange = e => { if (e.target.value) q.value = LIBRARY[e.target.value]; };
// the menu names the query the box holds: none once it is edited away from it
q.oninput = () => { if (menu.value && LIBRARY[menu.value] !== q.value) menu.value = ''; };
function cell(t) { if (!t) return ''; return t.value; }
document.getElementById('form').onsubmit = async e => {
  e.preventDefault(); out.textContent = ''; status.textContent = 'running…';
  const started = performance.now();
  try {
    const r = await fetch('sparql', {method: 'POST',
      headers: {'Content-Type': 'application/x-www-form-urlencoded',
                'Accept': 'application/sparql-results+json, text/turtle;q=0.9'},
      body: new URLSearchParams({query: q.value})});
    const text = await r.text();
    status.textContent = r.status + ' in ' + Math.round(performance.now() - started) + ' ms';
    // a note on an empty answer (the X-KG-Note header: a mistyped term of the ontology)
    const note = r.headers.get('X-KG-Note');
    if (note) { const p = document.createElement('p'); p.className = 'note'; p.textContent = 'note: ' + decodeURIComponent(note); out.appendChild(p); }
    if (!r.ok) { const p = document.createElement('p'); p.className = 'error'; p.textContent = text; out.appendChild(p); return; }
    if (!(r.headers.get('Content-Type') || '').includes('json')) { const pre = document.createElement('pre'); pre.textContent = text; out.appendChild(pre); return; }
    const data = JSON.parse(text);
    if ('boolean' in data) { out.textContent = String(data.boolean); return; }
    const table = document.createElement('table'), head = table.insertRow();
    for (const v of data.head.vars) { const th = document.createElement('th'); th.textContent = v; head.appendChild(th); }
    for (const b of data.results.bindings) { const tr = table.insertRow();
      for (const v of data.head.vars) tr.insertCell().textContent = cell(b[v]); }
    out.appendChild(table);
    status.textContent += ', ' + data.results.bindings.length + ' rows';
  } catch (err) { status.textContent = 'failed: ' + err; }
};
</script></body></html>
"""


def page(library: dict[str, str]) -> str:
    """The endpoint's HTML page (one self-contained document, no outside request): a menu
    of the library (name -> query text), the box holding models-by-developer (the menu
    showing it), and a script that runs the box's query against /sparql."""
    names = sorted(library)
    shown = "models-by-developer" if "models-by-developer" in library else None
    example = library[shown] if shown else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
    # the menu shows the query the box starts with (not "choose a query…" beside it)
    options = "".join(f'<option value="{html.escape(n)}"{" selected" if n == shown else ""}>'
                      f'{html.escape(n)}</option>' for n in names)
    # </script> cannot appear inside the JSON: escape every "<"
    lib_json = json.dumps(library, ensure_ascii=False).replace("<", "\\u003c")
    return (PAGE.replace("@@OPTIONS@@", options).replace("@@LIBRARY@@", lib_json)
            .replace("@@EXAMPLE@@", html.escape(example)))


# -- HTTP --------------------------------------------------------------------------
class Handler(BaseHTTPRequestHandler):
    server_version = "ai-race-kg"
    protocol_version = "HTTP/1.1"
    app: App  # set on the subclass made by App

    def log_message(self, fmt, *args):  # one short line per request, through our log
        self.app.log(f"{self.address_string()} {fmt % args}")

    def handle(self) -> None:
        """A client that hangs up before its answer is written (`curl -m 2` on a slow
        query) is one line of the log, not socketserver's traceback of the
        BrokenPipeError (a fresh user's trial saw one per such request)."""
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError) as exc:
            request = getattr(self, "requestline", "") or "a request"
            self.app.log(f"{self.address_string()} \"{request}\": the client closed the "
                         f"connection before the answer was sent ({type(exc).__name__})")

    def _send(self, status: int, ctype: str, body: bytes,
              extra: dict | list[tuple[str, str]] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", f"Content-Type, {NOTE_HEADER}")
        self.send_header("Vary", "Accept")
        for k, v in (extra.items() if isinstance(extra, dict) else extra or []):
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str, extra: dict | None = None) -> None:
        self._send(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"), extra)

    def do_OPTIONS(self):  # noqa: N802 - CORS preflight
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        # A read-only endpoint with no credentials: allow every header a client asks for.
        asked = self.headers.get("Access-Control-Request-Headers") or ""
        allowed = ", ".join(h for h in (x.strip() for x in asked.split(","))
                            if h and HEADER_NAME.fullmatch(h)) or "Content-Type, Accept"
        self.send_header("Access-Control-Allow-Headers", allowed)
        self.send_header("Vary", "Access-Control-Request-Headers")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if url.path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", self.app.page.encode("utf-8"))
        elif url.path == "/favicon.ico":  # the page declares none; a browser asking anyway
            self._send(204, "image/x-icon", b"")  # gets no error in its console
        elif url.path in ENDPOINT_PATHS:
            if "update" in params:
                self._text(403, "SPARQL Update is refused: this endpoint is read-only")
            elif "query" in params:
                self._query(params)
            else:
                self._send(200, "text/turtle; charset=utf-8",
                           self.app.description(self._base()).encode("utf-8"))
        else:
            self._text(404, f"nothing at {url.path}; the endpoint is /sparql")

    do_HEAD = do_GET

    def do_POST(self):  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        if url.path not in ENDPOINT_PATHS:
            self._text(404, f"nothing at {url.path}; the endpoint is /sparql")
            return
        try:
            raw = self._body()
        except RequestTooLarge:
            self._text(413, f"request larger than {MAX_REQUEST_BYTES} bytes")
            self.close_connection = True
            return
        except ValueError as exc:
            self._text(400, f"bad request body: {exc}")
            self.close_connection = True
            return
        body = raw.decode("utf-8", "replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if ctype == "application/x-www-form-urlencoded":
            params.update(urllib.parse.parse_qs(body, keep_blank_values=True))
        elif ctype == "application/sparql-query":
            params["query"] = [body]
        elif ctype == "application/sparql-update":
            self._text(403, "SPARQL Update is refused: this endpoint is read-only")
            return
        else:
            self._text(415, "send application/sparql-query, or a form "
                            "(application/x-www-form-urlencoded) with query=")
            return
        if "update" in params:
            self._text(403, "SPARQL Update is refused: this endpoint is read-only")
        elif "query" not in params:
            self._text(400, "no query= given")
        else:
            self._query(params)

    def _not_allowed(self) -> None:
        """PUT, DELETE, PATCH...: 405 with the methods there are, in plain text like every
        other refusal (BaseHTTPRequestHandler answered 501 with an HTML page). The body
        is not read, so the connection closes."""
        self.close_connection = True
        self._text(405, f"{self.command} is not supported: this endpoint is read-only; query "
                        "it with GET or POST", {"Allow": "GET, HEAD, POST, OPTIONS"})

    do_PUT = do_DELETE = do_PATCH = _not_allowed

    def _body(self) -> bytes:
        """The request body: Content-Length bytes, or every chunk of a chunked body (so
        the connection stays in step for the next request). Raises RequestTooLarge past
        MAX_REQUEST_BYTES, ValueError for a malformed length or chunk."""
        coding = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in coding:
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1026)
                size_text = line.split(b";", 1)[0].strip()
                if not line.endswith(b"\n") or not size_text:
                    raise ValueError("a chunk size line is missing or too long")
                size = int(size_text, 16)
                if size == 0:
                    break
                total += size
                if total > MAX_REQUEST_BYTES:
                    raise RequestTooLarge
                chunk = self.rfile.read(size)
                if len(chunk) != size or self.rfile.readline(3).strip():
                    raise ValueError("a chunk is shorter than its size says")
                chunks.append(chunk)
            while True:  # trailer fields, up to the empty line
                line = self.rfile.readline(8192)
                if line in (b"\r\n", b"\n", b""):
                    break
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        if length > MAX_REQUEST_BYTES:
            raise RequestTooLarge
        return self.rfile.read(length)

    def _base(self) -> str:
        host = self.headers.get("Host") or f"{self.app.host}:{self.app.port}"
        return f"http://{host}/sparql"

    def _query(self, params: dict[str, list[str]]) -> None:
        if len(params["query"]) != 1:
            self._text(400, "give exactly one query=")
            return
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            self._text(400, "default-graph-uri and named-graph-uri are not supported: the "
                            "default graph is the union of all graphs; use GRAPH ?g { } to "
                            "select one file's graph")
            return
        override = [v for k in FORMAT_PARAMS for v in params.get(k, [])]
        job = (params["query"][0], self.headers.get("Accept"), override, self.app.max_rows)
        status, ctype, body, headers = self.app.pool.run(job, self.app.timeout)
        self._send(status, ctype, body, headers)


class App:
    """The endpoint: the store's data on disk, the worker pool, the HTTP server."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 7878, store_kind: str = "oxigraph",
                 timeout: float = 10.0, max_rows: int = 10000, workers: int = 4,
                 data_dir: Path | None = None, graph_file: Path | None = None,
                 log: Callable[[str], None] = print):
        import pyoxigraph as ox

        from kg.sparql.store import open_store

        self.host, self.port, self.timeout, self.max_rows, self.log = \
            host, port, timeout, max_rows, log
        self.tmp = self.pool = None
        # Listen first: a port in use is reported at once, before the graph is loaded
        # and the workers are started (seconds of work for nothing).
        handler = type("BoundHandler", (Handler,), {"app": self})
        try:
            self.httpd = ThreadingHTTPServer((host, port), handler)
        except OSError as exc:
            raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        try:
            # what takes long on a big graph is said before it starts (64 s in all at 100k
            # entities, load 2: 15 s the graph, its copy and counts, 48 s four workers
            # loading that copy on two cores)
            from kg.data.loader import resolve_data_dir

            source = shown_path(graph_file) if graph_file else \
                f"{shown_path(resolve_data_dir(data_dir))}/"
            log(f"kg serve: loading the graph from {source}")
            store = open_store("oxigraph", data_dir=data_dir, graph_file=graph_file)
            # the workers (those that replace one stopped at the time limit too) load
            # this copy; under the cache folder, locked while this server runs, so that
            # the next one removes it if this one is killed (a sweep leaves a live one's)
            self.tmp = ExitStack()
            nquads = str(self.tmp.enter_context(scratch_folder("serve")) / "graph.nq")
            store.ox.dump(output=nquads, format=ox.RdfFormat.N_QUADS)
            self.triples = int(store.query(
                "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0])
            # the dataset's VoID description: a named graph of its own, which graph.trig
            # and the query cache's store carry beside the data's
            from kg.core.schema import load_schema
            from kg.rdf.graph import file_graph_iri

            void = file_graph_iri(load_schema(), "build/void.ttl")
            self.void_triples = int(store.query(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{void}> {{ ?s ?p ?o }} }}").rows[0][0])
            self.graphs = sorted(str(r[0]) for r in store.query(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }").rows)
            from kg.sparql.queries import store_day

            self.page = page(_library_texts(store_day(store)))
            log(f"kg serve: starting {max(1, workers)} query "
                f"worker{'s' if max(1, workers) > 1 else ''}, each loading "
                f"{triples_in_words(self.triples, 0)}")
            self.pool = WorkerPool(store_kind, nquads, workers, log)
        except BaseException:
            self.close()
            raise

    def description(self, endpoint: str) -> str:
        return service_description(endpoint, self.triples, self.graphs)

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def close(self) -> None:
        self.httpd.server_close()
        if self.pool is not None:
            self.pool.close()
        if self.tmp is not None:
            self.tmp.close()


def triples_in_words(triples: int, void_triples: int) -> str:
    """The served triples, saying how many are the data's (the number summary.json,
    kg stats and void:triples give) and how many its VoID description's: "25933 triples
    (25879 of the data and 54 of its VoID description)", or "N triples" without one."""
    if not void_triples:
        return f"{triples} triples"
    return (f"{triples} triples ({triples - void_triples} of the data and {void_triples} "
            "of its VoID description)")


def _library_texts(day: date | None = None) -> dict[str, str]:
    """Each library query's text with its defaults written in, a `dataset` date default as
    `day` (the served graph's date: kg.sparql.queries.store_day), so that the page's
    queries answer for the graph served, as `kg query` does on it."""
    from kg.sparql.queries import library

    try:
        return {q.name: q.bind(day=day) for q in library()}
    except KGError:
        return {}


def serve(log: Callable[[str], None] = print, **options) -> None:
    """Run the endpoint until interrupted (Ctrl-C or SIGTERM), then close it (the port,
    the workers, the temporary N-Quads). Raises ServerError (the port cannot be listened
    on, a worker did not start), QueryError or DataError (the graph cannot be loaded),
    or what log raises, after closing what was opened. SIGTERM's handler is this
    process's own again when it returns or raises."""
    with sigterm_raises(lambda signum: KeyboardInterrupt()):
        app = App(log=log, **options)
        try:
            if app.host not in ("127.0.0.1", "localhost", "::1"):
                log(f"kg serve: listening on {app.host}: reachable from other machines")
            log(f"kg serve: {triples_in_words(app.triples, app.void_triples)}, "
                f"{len(app.graphs)} graphs, "
                f"{len(app.pool.idle.queue)} workers, time limit {app.timeout:g} s, "
                f"max {app.max_rows} rows")
            log(f"kg serve: SPARQL endpoint http://{app.host}:{app.port}/sparql "
                f"(page: http://{app.host}:{app.port}/)")
            log("kg serve: it serves the graph as it is now; restart it after editing the data")
            app.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            app.close()
