"""`kg query`, `kg serve`, `kg push` and `kg docs`: SPARQL for researchers.

Each command is a few lines over kg.sparql.store, kg.sparql.queries, kg.sparql.results, kg.sparql.server and
kg.rdf.docs; library errors (KGError) become a message and exit 1.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from kg.cli.options import data_option, echo, fail
from kg.core.errors import KGError

STORE_CHOICE = click.Choice(["oxigraph", "rdflib"])
FORMATS = ("table", "csv", "tsv", "json", "md")  # kg.sparql.results.FORMATS (not imported: rdflib)


def format_option(f):
    """The shared --format option of commands that print tables."""
    return click.option("--format", "fmt", type=click.Choice(FORMATS),
                        default="table", show_default=True,
                        help="table: aligned, with labels, fits the terminal; csv, tsv and "
                             "json: the W3C SPARQL 1.1 results formats (values exactly as in "
                             "the graph: import a CSV into a spreadsheet with its columns as "
                             "text); md: a Markdown table. A note on why an answer has no rows "
                             "goes to stderr in every format.")(f)


def graph_option(f=None, *, verb: str = "Query"):
    """The shared --graph option; `verb` says what the command does with the file (its help
    said "Query a built graph file" on kg push too)."""
    option = click.option("--graph", "graph_file",
                          type=click.Path(dir_okay=False, path_type=Path), default=None,
                          help=f"{verb} a built graph file (build/graph.trig, .nq, .ttl) instead "
                               "of the (cached) graph of data/.")
    return option(f) if f is not None else option


def store_option(f):
    return click.option("--store", "store_kind", type=STORE_CHOICE, default="oxigraph",
                        show_default=True,
                        help="The embedded engine: oxigraph (fast) or rdflib (the cross-check).")(f)


def _open(store_kind, data_dir, graph_file, endpoint=None):
    import sys

    # a cold cache builds the graph first (seconds at 10k entities): on a terminal, its
    # stages show on stderr; pipes and scripts see only the answer
    from kg.cli import progress
    from kg.sparql.store import open_store

    # `kg query --graph big.trig`: from a store on disk made once per content of the file
    return open_store(store_kind, data_dir=data_dir, graph_file=graph_file, endpoint=endpoint,
                      progress=progress if sys.stderr.isatty() else None, file_on_disk=True)


def complete_query_names(ctx, param, incomplete):
    """`kg query <TAB>`: the library's query names (the file names in queries/), with
    their titles; a path (anything with a /) is left to the shell's file completion."""
    from click.shell_completion import CompletionItem

    from kg.sparql.queries import library

    if "/" in incomplete:
        return [CompletionItem(incomplete, type="file")]
    return [CompletionItem(q.name, help=q.title) for q in sorted(library(), key=lambda q: q.name)
            if q.name.startswith(incomplete)]


@click.command()
@click.argument("name", required=False, shell_complete=complete_query_names)
@click.option("--sparql", "sparql_text", default=None, help="Run this query text instead.")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="Fill a parameter of a library query (repeatable), e.g. country=kgid:china.")
@format_option
@click.option("--rdf-format", default="turtle", show_default=True,
              type=click.Choice(["turtle", "nt", "jsonld", "xml"]),
              help="The RDF syntax for CONSTRUCT and DESCRIBE results.")
@store_option
@click.option("--endpoint", default=None, metavar="URL",
              help="Run on a SPARQL 1.1 query address instead (/query on Oxigraph, /sparql on "
                   "`kg serve`).")
@click.option("--list", "list_queries", is_flag=True, help="List the query library and exit.")
@click.option("--show", is_flag=True, help="Print the query text (parameters filled) and exit.")
@click.option("--width", type=int, default=None,
              help="Table width (default: the terminal's; written to a file or a pipe, "
                   "no limit, every cell whole).")
@data_option
@graph_option
def query(name, sparql_text, params, fmt, rdf_format, store_kind, endpoint, list_queries, show,
          width, data_dir, graph_file):
    """Run a SPARQL query: a library query by NAME, a .rq FILE, or --sparql TEXT.

    SELECT prints a table (or csv, tsv, json, md); ASK prints true or false; CONSTRUCT and
    DESCRIBE print RDF. Queries run on an embedded Oxigraph store holding the graph of
    data/ (built once and cached until data/, ontology/ or kg itself change; no server
    needed); --store rdflib cross-checks on rdflib's engine; --endpoint runs on any
    SPARQL endpoint. SERVICE and FROM <outside address> are refused. Date parameters
    take 2025, 2025-12 or 2025-12-08.

    \b
    Example:
        kg query --list
        kg query models-by-developer --param country=kgid:china
        kg query as-of --param date=2025-11-15 --param entity=nvidia-h200 --format md
        kg query --sparql 'SELECT ?m WHERE { ?m a kgo:AIModel }' --format csv
        kg query chip-export-status --endpoint http://127.0.0.1:7878/query
    """
    from kg.sparql.queries import find_query, library, parse_params, run_query, with_prefixes
    from kg.sparql.results import render, render_chunks
    from kg.sparql.store import QueryError

    try:
        if list_queries:
            _print_library(library())
            return
        if bool(name) == bool(sparql_text):
            raise click.UsageError("give a query NAME or FILE, or --sparql TEXT (one of them); "
                                   "`kg query --list` shows the library")
        values = parse_params(params)
        added = 0
        if sparql_text:
            target, added = with_prefixes(sparql_text)
        else:
            target = find_query(name)
        if show:
            # a `dataset` date default stands for the date of the graph the query would
            # run on (--data's dataset.yaml, or the --graph file's or endpoint's graph)
            if isinstance(target, str):
                click.echo(target)
            elif graph_file or endpoint:
                from kg.sparql.queries import store_day

                click.echo(target.bind(values, day=store_day(
                    _open(store_kind, data_dir, graph_file, endpoint))))
            else:
                from kg.sparql.queries import dataset_day

                click.echo(target.bind(values, day=dataset_day(data_dir)))
            return
        store = _open(store_kind, data_dir, graph_file, endpoint)
        try:
            result = run_query(store, target, values)
        except QueryError as exc:
            raise exc.shifted(added) from None
        _formats_fit(result.type, fmt, rdf_format)
        # fitted to a terminal; written to a file or a pipe, every cell whole (a fresh
        # researcher's `kg query as-of > rows.txt` had "Huawei A…" and "chips pr…")
        if not width and sys.stdout.isatty():
            width = shutil.get_terminal_size((100, 24)).columns
        # json, csv and tsv written a chunk of rows at a time, not built whole first
        chunks = render_chunks(result, fmt)
        out = "" if chunks is not None else render(result, fmt, store, width=width,
                                                   rdf_format=rdf_format)
    except KGError as exc:
        fail(exc, data_dir)
    if chunks is not None:
        _echo_chunks(chunks)
    else:
        # a table is for a terminal: a control character in a result (a query can make
        # one) is shown escaped; csv, tsv, json and RDF are for programs and stay exact
        (echo if fmt in ("table", "md") and result.type == "SELECT" else click.echo)(
            out.rstrip("\n"))
    # on stderr in every format: stdout stays the answer alone, and a researcher who
    # asked for csv or json is told why it is empty too (a fresh user's trial:
    # `between-blocs --format csv` printed a header and nothing else, no word)
    if result.type == "SELECT" and not result.rows:
        _why_empty(target, values, store)


def _echo_chunks(chunks) -> None:
    """click.echo("".join(chunks).rstrip("\\n")), the bytes the whole text gave, written a
    chunk at a time (at 100k entities `unchecked-facts --format json` built 230 MB of
    text, 2.6 GB of memory): line ends at the very end are held back and written as one."""
    held = ""
    for chunk in chunks:
        body = chunk.rstrip("\n")
        if body:
            click.echo(held + body, nl=False)
            held = chunk[len(body):]
        else:
            held += chunk
    click.echo("")


def _why_empty(query, values: dict, store) -> None:
    """After no rows, say on stderr why and what to ask instead: a term of the project's
    vocabularies that does not exist (kg.sparql.queries.unknown_term_notes, any query),
    else for a library query kg.sparql.queries.empty_answer_notes (an entity the query
    never reaches, a date outside the data's, or the days with rows when the dataset's
    date has none)."""
    from kg.sparql.queries import empty_answer_notes, unknown_term_notes

    try:
        notes = unknown_term_notes(store, query if isinstance(query, str) else query.text)
        if not notes and not isinstance(query, str):
            notes = empty_answer_notes(store, query, values)
    except KGError:  # a note is a courtesy: the answer (no rows) stands without one
        return
    for note in notes:
        click.echo(note, err=True)


def _formats_fit(kind: str, fmt: str, rdf_format: str) -> None:
    """A --format given for a CONSTRUCT or DESCRIBE result (RDF), or an --rdf-format for a
    SELECT or ASK one, is a usage error, not silently ignored (`--format csv` printed
    Turtle). Raises click.UsageError."""
    given = click.get_current_context().get_parameter_source
    rdf = kind in ("CONSTRUCT", "DESCRIBE")
    if rdf and given("fmt") is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError(f"--format {fmt} is for SELECT and ASK results; a {kind} query "
                               "gives RDF: choose its syntax with --rdf-format "
                               "turtle|nt|jsonld|xml")
    if not rdf and given("rdf_format") is not click.core.ParameterSource.DEFAULT:
        gives = "an ASK query gives true or false" if kind == "ASK" else "a SELECT query gives rows"
        raise click.UsageError(f"--rdf-format {rdf_format} is for CONSTRUCT and DESCRIBE "
                               f"results; {gives}: choose its form with --format "
                               + "|".join(FORMATS))


def _print_library(queries) -> None:
    numbers = sorted(q.number for q in queries if q.number)
    if numbers:
        # (a fresh user asked why the list skips from 14 to 18)
        gaps = [n for n in range(1, numbers[-1]) if n not in numbers]
        click.echo("Each query's number is the competency question it answers "
                   "(docs/competency-questions.md)" + (
                       f"; {_numbers_words(gaps)} {'have' if len(gaps) > 1 else 'has'} no "
                       "query: the report and `kg validate`, `kg lint`, `kg find` answer "
                       "them (queries/README.md)" if gaps else "") + ".")
    for q in queries:
        num = f"{q.number:>2}." if q.number else "   "
        click.echo(f"{num} {q.name:<26} {q.title}")
        for p in q.params:
            click.echo(f"      --param {p.name}=…  ({p.shown_type}, default {p.default or '*'}) {p.doc}")


def _numbers_words(numbers: list[int]) -> str:
    """[15, 16, 17] -> "questions 15, 16 and 17"; [15] -> "question 15"."""
    if len(numbers) == 1:
        return f"question {numbers[0]}"
    return "questions " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to bind; anything but loopback exposes the endpoint.")
@click.option("--port", default=7878, show_default=True, type=int)
@store_option
@click.option("--timeout", default=10.0, show_default=True, type=float,
              help="Seconds a query may run; the worker running it is killed at the limit.")
@click.option("--max-rows", default=10000, show_default=True, type=int,
              help="The largest result (rows, or triples for CONSTRUCT) sent back; a larger "
                   "one is refused (400), never cut short.")
@click.option("--workers", default=4, show_default=True, type=int,
              help="Queries run at once (one process each).")
@data_option
@graph_option(verb="Serve")
def serve(host, port, store_kind, timeout, max_rows, workers, data_dir, graph_file):
    """Serve the graph as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql.

    GET or POST queries; results as SPARQL JSON, XML, CSV or TSV (Turtle, N-Triples,
    RDF/XML or JSON-LD for CONSTRUCT/DESCRIBE) by content negotiation; CORS for
    browser clients; a service
    description at /sparql without a query; a page to type queries at /. Each query
    runs in a worker process that is killed at --timeout. It serves the graph as it
    was when it started: restart it after editing data/ (or run `kg push` against a
    server that stays up).

    \b
    Example:
        kg serve                      # http://127.0.0.1:7878/
        kg serve --port 8890 --timeout 30 --graph build/graph.trig
    """
    from kg.sparql.server import serve as run_server

    try:
        run_server(host=host, port=port, store_kind=store_kind, timeout=timeout,
                   max_rows=max_rows, workers=workers,
                   data_dir=data_dir, graph_file=graph_file,
                   log=lambda msg: click.echo(msg, err=True))
    except KGError as exc:
        fail(exc, data_dir)


@click.command()
@click.option("--graph-store", "graph_store", required=True, metavar="URL",
              help="The SPARQL 1.1 Graph Store address (/store on Oxigraph, /<dataset>/data on "
                   "Fuseki).")
@click.option("--no-default-graph", is_flag=True,
              help="Do not also load the union of all triples into the default graph (the "
                   "union an earlier push put there is removed).")
@click.option("--user", default=None, help="user:password for HTTP basic authentication.")
@click.option("--full", is_flag=True,
              help="Send every graph, whatever the server's record of the last push says "
                   "(after its graphs were edited by other means).")
@data_option
@graph_option(verb="Push")
def push(graph_store, no_default_graph, user, full, data_dir, graph_file):
    """Load the built graph into a SPARQL 1.1 Graph Store (Oxigraph, Fuseki, GraphDB...).

    Each data file's named graph is replaced, and the union of all triples goes into
    the default graph, so plain queries work on servers whose default graph is not the
    union; the graphs of data files that no longer exist are removed (and those pushed
    from a data folder of another name: graph names carry the folder's). Only the graphs
    that changed since the last push are sent: the server keeps a record of it (a key
    per graph, in the graph urn:kg-push:state), and the default graph is brought along
    by the triples that came or went. All or nothing: the graphs are uploaded into
    temporary graphs, then one SPARQL Update switches them in, so a failed push leaves
    the server's answers as they were. The uploads are N-Quads, 100,000 quads a
    request, where the server takes a whole dataset at that address (Oxigraph does; a
    one-quad test says), else one HTTP PUT per graph. A server that holds none of the
    data is filled in place instead, a transaction a request (one of a large graph is
    more than a server holds in memory): queries during that first push see part of
    it, and a failure empties it again. Of two pushes that overlap, the one that
    switches second fails whole and says so (the record names the push that wrote it):
    push again.

    \b
    Example:
        oxigraph serve --location store/ --bind 127.0.0.1:7878 &
        kg push --graph-store http://127.0.0.1:7878/store
        kg query models-by-developer --endpoint http://127.0.0.1:7878/query
    """
    from kg.cli import on_terminal
    from kg.data.validate import Steps
    from kg.sparql.store import open_store, push_dataset

    shown = on_terminal()  # at 100k entities: a minute to build, then the uploads
    try:
        store = open_store("oxigraph", data_dir=data_dir, graph_file=graph_file, progress=shown)
        step = Steps(shown)
        n = sum(1 for _ in store.ox.named_graphs())
        step.begin(f"uploading {n} graphs to {graph_store}")
        report = push_dataset(store, graph_store, default_graph=not no_default_graph, auth=user,
                              progress=step.advance, full=full)  # requests done, of planned
        step(f"uploaded {report['sent']} graphs and switched them in "
             f"({report['requests']} requests)")
    except KGError as exc:
        fail(exc, data_dir)
    unchanged = report["graphs"] - report["sent"]
    if not report["sent"] and not report["removed"]:
        # (a researcher's trial: "pushed 765 named graphs ...; 765 of them unchanged")
        click.echo(f"nothing to push: the {report['graphs']} named graphs "
                   f"({report['triples']} triples)"
                   + (" and the union in the default graph" if report["default"] else "")
                   + f" on {graph_store} are as the last push left them; nothing was sent "
                   "(--full sends every graph again)")
    else:
        click.echo(f"pushed {report['graphs']} named graphs ({report['triples']} triples)"
                   + (", and the union into the default graph" if report["default"] else "")
                   + f" to {graph_store}"
                   + (f"; {unchanged} of them unchanged since the last push, not sent again"
                      if unchanged else ""))
    if report["removed"]:
        # graph names carry the data folder's name: those of another folder are not files
        # that no longer exist but another copy's, which this push replaced
        fixed = _fixed_graphs()
        folders = {_folder(g.value) for g in store.ox.named_graphs() if g.value not in fixed}
        gone = [g for g in report["removed"] if _folder(g) in folders]
        other = [g for g in report["removed"] if _folder(g) not in folders]
        if gone:
            click.echo(f"removed {len(gone)} graph(s) of data files that no longer exist: "
                       + ", ".join(gone))
        if other:
            click.echo(f"removed {len(other)} graph(s) pushed from another data folder ("
                       + ", ".join(sorted({_folder(g) + "/" for g in other}))
                       + "): the server now holds this one's: " + ", ".join(other))


def _fixed_graphs() -> set[str]:
    """The graphs every build has, whatever its data folder is called."""
    from kg.rdf.graph import DATASET_FILE, ONTOLOGY_FILE
    from kg.sparql.store import KGFILE

    return {KGFILE + f for f in (DATASET_FILE, ONTOLOGY_FILE, "build/void.ttl")}


def _folder(graph: str) -> str:
    """The folder a file's graph name starts with: data for <file/data/chip/x.yaml>."""
    from kg.sparql.store import KGFILE

    return graph[len(KGFILE):].split("/", 1)[0] if graph.startswith(KGFILE) else ""


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build/docs"), show_default=True, help="Where to write the reference.")
@data_option
def docs(out_dir, data_dir):
    """Write the ontology reference (ontology.md and ontology.html) from ontology/.

    Every class and property with its label, comment, domain, range and an example
    from the data, so the reference never drifts from the ontology.

    \b
    Example:
        kg docs --out build/docs
    """
    from kg.cli import on_terminal
    from kg.rdf.docs import write_docs
    from kg.rdf.load import load_graph

    try:  # the examples come from the graph of data/: on a terminal its stages show
        written = write_docs(out_dir, data_dir=data_dir,
                             graph=load_graph(data_dir, progress=on_terminal()).quads)
    except KGError as exc:
        fail(exc, data_dir)
    for path in written:
        click.echo(f"wrote {path}")


COMMANDS = [query, serve, push, docs]
