"""`kg query`: library names, files, --sparql, parameters, formats, errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from sparql_support import KGID, KGO, build_dir

from conftest import REPO
from kg.cli import main


@pytest.fixture(scope="module")
def graph_file():
    return str(build_dir() / "graph.trig")


def kg(*args, graph=None):
    argv = [*args] + (["--graph", graph] if graph else [])
    return CliRunner().invoke(main, argv, catch_exceptions=False)


def test_list_shows_the_library_with_titles():
    result = kg("query", "--list")
    assert result.exit_code == 0, result.output
    assert " 1. models-by-developer" in result.output
    assert "AI models by developer" in result.output
    assert "--param country=" in result.output
    assert "18. unchecked-facts" in result.output
    # the numbers are the competency questions, and the list says which have no query (a
    # fresh user asked why it skips from 14 to 18): read from docs/competency-questions.md
    import re


    asked = {int(n) for n in re.findall(r"^(\d+)\. ", (REPO / "docs" / "competency-questions.md")
                                         .read_text(encoding="utf-8"), re.M)}
    listed = {int(n) for n in re.findall(r"^ ?(\d+)\. ", result.output, re.M)}
    assert sorted(asked - listed) == [15, 16, 17]
    assert result.output.splitlines()[0] == (
        "Each query's number is the competency question it answers "
        "(docs/competency-questions.md); questions 15, 16 and 17 have no query: the report "
        "and `kg validate`, `kg lint`, `kg find` answer them (queries/README.md).")


def test_table_shows_labels_and_fits_the_width(graph_file):
    result = kg("query", "chip-export-status", "--param", "chip=kgid:nvidia-h200",
                "--width", "80", graph=graph_file)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert lines[-1].endswith("rows)")
    wide = kg("query", "chip-export-status", "--param", "chip=kgid:nvidia-h200",
              "--width", "250", graph=graph_file).output
    assert "NVIDIA H200" in wide and "allowed-vetted-buyers" in wide
    assert "Trump administration" in wide
    assert KGID not in wide and "https://" not in wide


def test_a_table_written_to_a_file_keeps_every_cell_whole_and_fits_a_terminal(graph_file,
                                                                              tmp_path):
    """A fresh researcher's `kg query ... > rows.txt` had cells cut ("Huawei A…", "chips
    pr…") to a width no terminal asked for: written to a pipe (no --width), every cell is
    whole; on a terminal (a real pseudo-terminal, 100 columns) the table still fits it."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    args = ["query", "quotes", "-p", "speaker=scott-singer"]
    piped = kg(*args, graph=graph_file).output
    quotes = [r["text"] for r in csv.DictReader(io.StringIO(
        kg(*args, "--format", "csv", graph=graph_file).output))]
    assert quotes and max(map(len, quotes)) > 100
    # (a table cell shows a line break as a space)
    assert all(" ".join(q.split()) in piped for q in quotes) and "\u2026" not in piped
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen([sys.executable, "-m", "kg", *args, "--graph", graph_file],
                            stdout=follower, stderr=subprocess.PIPE, env=env)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 1 << 16)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    lines = out.decode("utf-8").replace("\r\n", "\n").splitlines()
    assert lines and all(len(line) <= 100 for line in lines), max(lines, key=len)
    assert "\u2026" in out.decode("utf-8")  # the long quotes are cut to fit


def test_json_is_the_w3c_results_format(graph_file):
    result = kg("query", "disputed-figures", "-p", "about=huawei-ascend-910c",
                "--format", "json", graph=graph_file)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert "about" in doc["head"]["vars"]
    values = sorted(float(b["value"]["value"]) for b in doc["results"]["bindings"])
    assert values == [200000, 450000]
    b = doc["results"]["bindings"][0]
    assert b["about"] == {"type": "uri", "value": KGID + "huawei-ascend-910c"}
    assert b["value"]["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"


def test_csv_and_markdown(graph_file):
    result = kg("query", "quotes", "-p", "speaker=scott-singer", "--format", "csv",
                graph=graph_file)
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and rows[0]["speaker"] == KGID + "scott-singer"
    tsv = kg("query", "quotes", "-p", "speaker=scott-singer", "--format", "tsv",
             graph=graph_file).stdout.splitlines()
    assert tsv[0].startswith("?speaker\t?affiliation\t")
    assert tsv[1].startswith(f"<{KGID}scott-singer>\t") and len(tsv) == len(rows) + 1
    from kg.cli.sparql import FORMATS as CLI_FORMATS
    from kg.sparql.results import FORMATS

    assert CLI_FORMATS == FORMATS  # (the CLI's copy: it does not import rdflib to start)
    md = kg("query", "quotes", "-p", "speaker=scott-singer", "--format", "md", graph=graph_file)
    assert md.output.startswith("| speaker | affiliation |")
    assert "| Scott Singer | Carnegie Endowment for International Peace |" in md.output
    # a value is text in Markdown, never HTML a renderer would run (a researcher's trial)
    md = kg("query", "--sparql", 'SELECT ?x WHERE { BIND("<script>a|b</script> & c" AS ?x) }',
            "--format", "md", graph=graph_file)
    assert md.output.splitlines()[2] == "| &lt;script&gt;a\\|b&lt;/script&gt; & c |"
    # the report's rule (kg.core.markdown): an "&" is escaped only where it would start a
    # character reference, so "R&D" reads as it is and "&lt;" is shown, not turned into "<"
    md = kg("query", "--sparql", 'SELECT ?x WHERE { BIND("R&D &lt; &#60;" AS ?x) }',
            "--format", "md", graph=graph_file)
    assert md.output.splitlines()[2] == "| R&D &amp;lt; &amp;#60; |"
    # Markdown in a value is text, never a link or emphasis (report.md's rule too)
    md = kg("query", "--sparql", 'SELECT ?x WHERE { BIND("[x](javascript:alert(8)) *em*" '
            'AS ?x) }', "--format", "md", graph=graph_file)
    assert md.output.splitlines()[2] == r"| \[x\](javascript:alert(8)) \*em\* |"


def test_csv_keeps_a_formula_as_it_is_and_the_readme_says_how_to_open_it(graph_file):
    """SPARQL's CSV is a standard format read by programs: a value a spreadsheet would run
    ('=HYPERLINK(...)', "@SUM(1+1)*cmd") comes out exactly, not prefixed as in the report's
    CSV files; the README's section on `kg query` says so and how to open such a file (a
    maintainer's trial found the two CSVs differ without a word)."""
    values = ['=HYPERLINK("http://evil.example","Trial")', "@SUM(1+1)*cmd"]
    text = " ".join(json.dumps(v) for v in values)
    result = kg("query", "--sparql", f"SELECT ?x WHERE {{ VALUES ?x {{ {text} }} }}",
                "--format", "csv", graph=graph_file)
    assert [r["x"] for r in csv.DictReader(io.StringIO(result.output))] == values
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = " ".join(readme.split("## For researchers", 1)[1].split("\n## ", 1)[0].split())
    assert "CSV values are written exactly as the graph holds them" in section
    assert "Import it instead with every column typed as text" in section
    assert "`kg lint` warns of such values" in section


def test_a_query_file_and_sparql_text(tmp_path, graph_file):
    rq = tmp_path / "mine.rq"
    rq.write_text("PREFIX kgo: <https://w3id.org/ai-race-kg/ontology#>\n"
                  "SELECT ?chip WHERE { ?chip a kgo:Chip } ORDER BY ?chip", encoding="utf-8")
    result = kg("query", str(rq), "--format", "csv", graph=graph_file)
    assert result.exit_code == 0, result.output
    assert KGID + "nvidia-h200" in result.output
    # --sparql gets the project's prefixes for free
    result = kg("query", "--sparql", "SELECT ?m WHERE { ?m schema:creator kgid:alibaba }",
                "--format", "csv", graph=graph_file)
    assert KGID + "qwen" in result.output.splitlines()


def test_ask_construct_and_describe(graph_file):
    assert kg("query", "--sparql", "ASK { kgid:qwen a kgo:AIModel }",
              graph=graph_file).output.strip() == "true"
    assert kg("query", "--sparql", "ASK { kgid:qwen a kgo:Chip }", "--format", "json",
              graph=graph_file).output.strip().endswith('"boolean": false\n}'.strip())
    result = kg("query", "--sparql",
                "CONSTRUCT { ?m schema:creator ?d } WHERE { ?m schema:creator ?d }",
                "--rdf-format", "nt", graph=graph_file)
    assert f"<{KGID}qwen> <https://schema.org/creator> <{KGID}alibaba> ." in result.output
    result = kg("query", "--sparql", "DESCRIBE kgid:qwen", graph=graph_file)
    assert "kgid:qwen" in result.output and "@prefix kgo:" in result.output


def test_show_prints_the_filled_query():
    result = kg("query", "as-of", "--show", "-p", "date=2025-11-15", "-p", "entity=nvidia-h200")
    assert 'VALUES ?date { "2025-11-15"^^<http://www.w3.org/2001/XMLSchema#date> }' in \
        result.output
    assert f"VALUES ?entity {{ <{KGID}nvidia-h200> }}" in result.output


def test_no_rows_on_the_default_date_names_the_days_that_have_rows(graph_file):
    """A researcher's trial: `kg query between-blocs` gave 0 rows on the dataset's date
    (in the curated data no supply or partnership link crosses the blocs then) and a note
    that named no day that works. TSMC supplied Sophgo until October 2024 (its `to:
    2024-10`) and NVIDIA throughout: the last day between the blocs is 2024-10-31."""
    result = kg("query", "between-blocs", graph=graph_file)
    assert "(0 rows)" in result.output
    assert ("note: no rows on 2026-04-14, the dataset's date (the default of date); days with "
            "rows: the last before it: 2024-10-31 (--param date=2024-10-31); or --param date=* "
            "asks for any day\n") in result.output
    # the day it names has rows, the next has none, and `*` (any day) has rows
    assert "(4 rows)" in kg("query", "between-blocs", "-p", "date=2024-10-31",
                            graph=graph_file).output
    assert "(0 rows)" in kg("query", "between-blocs", "-p", "date=2024-11-01",
                            graph=graph_file).output
    assert "(7 rows)" in kg("query", "between-blocs", "-p", "date=*", graph=graph_file).output
    result = kg("query", "between-blocs", "-p", "date=2024-06-01", graph=graph_file)
    assert "(4 rows)" in result.output and "note:" not in result.output
    # a fresh user's trial: with --format csv or json it said nothing. stdout is the
    # answer alone (for programs), the note goes to stderr in every format
    note = ("note: no rows on 2026-04-14, the dataset's date (the default of date); days with "
            "rows: the last before it: 2024-10-31 (--param date=2024-10-31); or --param date=* "
            "asks for any day\n")
    for fmt, empty in (("csv", "actor,actorCountry,link,counterpart,counterpartCountry,"
                               "validUntil,source\n"),
                       ("tsv", "?actor\t?actorCountry\t?link\t?counterpart\t"
                               "?counterpartCountry\t?validUntil\t?source\n"),
                       ("json", None), ("md", None), ("table", None)):
        result = kg("query", "between-blocs", "--format", fmt, graph=graph_file)
        assert result.stderr == note, fmt
        assert "note:" not in result.stdout
        if empty:
            assert result.stdout == empty
    assert json.loads(kg("query", "between-blocs", "--format", "json",
                         graph=graph_file).stdout)["results"]["bindings"] == []


def test_an_entity_no_row_reaches_is_said_with_the_ones_that_do(graph_file):
    """A researcher's trial: `--param speaker=` a person never quoted answered (0 rows) and
    nothing else. The rule is any entity parameter's: the query with it left free says
    which values have rows."""
    result = kg("query", "quotes", "-p", "speaker=kgid:jensen-huang", graph=graph_file)
    assert result.exit_code == 0 and "(0 rows)" in result.output
    assert ("note: no rows: no row of quotes has kgid:jensen-huang as its speaker; the values "
            "of speaker that have rows (12): kgid:caisi, kgid:china-ai-plus-initiative, "
            "kgid:china-global-ai-governance-action-plan-2025, kgid:elon-musk, "
            "kgid:foreign-affairs, ... (e.g. --param speaker=kgid:caisi)\n") in result.output
    assert "(0 rows)" not in kg("query", "quotes", "-p", "speaker=kgid:caisi",
                                graph=graph_file).output
    result = kg("query", "disputed-figures", "-p", "about=kgid:nvidia", graph=graph_file)
    assert result.output.endswith(
        "(0 rows)\nnote: no rows: no row of disputed-figures is about kgid:nvidia; the values "
        "of about that have rows (1): kgid:huawei-ascend-910c (e.g. --param "
        "about=kgid:huawei-ascend-910c)\n")
    result = kg("query", "quotes", "-p", "speaker=kgid:jensen-huang", "--format", "csv",
                graph=graph_file)
    assert result.stdout.splitlines() == [
        "speaker,affiliation,date,text,occasion,about,quote,source,sourceDate"]
    assert result.stderr.startswith("note: no rows: no row of quotes has kgid:jensen-huang as "
                                    "its speaker;")


@pytest.mark.parametrize("args, note", [
    (["timeline", "-p", "start=2030-01-01"],
     "note: no rows: start 2030-01-01 is after the last date in the answer of timeline with "
     "start=* (2026-03; the first is 1993); ask an earlier start, e.g. --param start=2026-03 "
     "(2 rows)\n"),
    (["timeline", "-p", "end=1900"],
     "note: no rows: end 1900 is before the first date in the answer of timeline with end=* "
     "(1993; the last is 2026-03); ask a later end, e.g. --param end=1993 (1 row)\n"),
    # a researcher's second trial: since=2026-04-14 was told "e.g. --param since=2026-03",
    # which has no rows (a month as since counts from its last day; a 2026-03 change lies
    # wholly after since=2026-02 only)
    (["changes", "-p", "since=2026-04-14"],
     "note: no rows: since 2026-04-14 is after the last date in the answer of changes with "
     "since=* (2026-03; the first is 1993-01-01); ask an earlier since, e.g. --param "
     "since=2026-02 (2 rows)\n"),
    # ... and since=2026-03 itself was told `date=*` asks for any day (no rows either)
    (["changes", "-p", "since=2026-03"],
     "note: no rows: since 2026-03 is not before the last date in the answer of changes with "
     "since=* (2026-03; the first is 1993-01-01); ask an earlier since, e.g. --param "
     "since=2026-02 (2 rows)\n"),
    # an interval wholly outside the data's dates had no note at all (timeline had one)
    (["changes", "-p", "since=2030-01-01", "-p", "date=2031"],
     "note: no rows: the interval since 2030-01-01 to date 2031 lies wholly after the last "
     "date in the answer of changes with since=* date=dataset (2026-03; the first is "
     "1993-01-01); ask an earlier since, e.g. --param since=2026-02 (2 rows)\n"),
    (["changes", "-p", "since=1900", "-p", "date=1950"],
     "note: no rows: the interval since 1900 to date 1950 lies wholly before the first date "
     "in the answer of changes with since=* date=dataset (1993-01-01; the last is 2026-03); "
     "ask a later date, e.g. --param date=1993-01-01 (1 row)\n"),
])
def test_a_date_outside_the_answers_dates_is_said(args, note, graph_file):
    """A researcher's trial: `timeline --param start=2030-01-01` (after the dataset's date
    and its horizon) answered (0 rows), no word. The value the note suggests, with the
    other values as given, has the rows it says."""
    result = kg("query", *args, graph=graph_file)
    assert result.output.endswith("(0 rows)\n" + note)
    suggested, rows = note.split("e.g. --param ")[1].strip().split(" (")
    name = suggested.split("=")[0]
    kept = [a for a in args[1:] if a != "-p" and not a.startswith(name + "=")]
    asked = [args[0], "-p", suggested, *(x for k in kept for x in ("-p", k))]
    assert f"({rows}\n" in kg("query", *asked, graph=graph_file).output
    for fmt in ("json", "csv", "tsv"):  # the note on stderr, the answer alone on stdout
        result = kg("query", *args, "--format", fmt, graph=graph_file)
        assert result.stderr == note and "note:" not in result.stdout


def test_a_syntax_error_in_a_query_file_names_the_file_and_its_line(tmp_path, graph_file):
    """A researcher's trial: with -p the error's line was one past the file's end, and
    the message did not name the file."""

    lines = (REPO / "queries" / "models-by-developer.rq").read_text(encoding="utf-8") \
        .splitlines(keepends=True)
    broken = next(i for i, line in enumerate(lines) if line.startswith("  FILTER("))
    lines[broken] = "  FILTER(?a ?b)\n"  # Oxigraph finds it inside the next FILTER, a line on
    path = tmp_path / "broken.rq"
    path.write_text("".join(lines), encoding="utf-8")
    messages = []
    for params in ([], ["-p", "country=kgid:china"], ["-p", "country=kgid:china", "-p",
                                                      "developer=kgid:alibaba"]):
        result = kg("query", str(path), *params, graph=graph_file)
        assert result.exit_code == 1
        messages.append(result.output)
    for message in messages:
        assert f"{path}: syntax error at line {broken + 2}, column 7: " in message, message
    assert len(set(messages)) == 1


def test_show_fills_the_dataset_date_of_the_graph_it_would_query(tmp_path, graph_file):
    """A researcher's trial: after `kg dataset --data ds --date 2026-06-30`, `kg query
    --data ds as-of` answered for 2026-06-30 while `--show` printed the repository's
    date (run with --sparql, that text gave other rows)."""
    import shutil

    from kg.sparql.server import _library_texts

    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    text = (data / "dataset.yaml").read_text(encoding="utf-8")
    (data / "dataset.yaml").write_text(text.replace("date: 2026-04-14", "date: 2026-06-30"),
                                       encoding="utf-8")
    result = kg("query", "as-of", "--show", "--data", str(data))
    assert 'VALUES ?date { "2026-06-30"^^<http://www.w3.org/2001/XMLSchema#date> }' in \
        result.output
    result = kg("query", "as-of", "--show", graph=graph_file)  # the built graph's date
    assert 'VALUES ?date { "2026-04-14"^^<http://www.w3.org/2001/XMLSchema#date> }' in \
        result.output
    # kg serve's page: its queries' date defaults are the served graph's date
    import datetime as dt

    assert '"2026-06-30"^^<http://www.w3.org/2001/XMLSchema#date>' in \
        _library_texts(dt.date(2026, 6, 30))["as-of"]


@pytest.mark.parametrize("store", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("text, message", [
    # a fresh user's trial: Oxigraph said "expected CONSTRUCT", at column 10
    ("SELEC ?x WHERE {?x ?y ?z}",
     "syntax error at line 1, column 1: SELEC is no SPARQL keyword: did you mean SELECT? "
     "(before the query form a query takes PREFIX, BASE, SELECT, CONSTRUCT, DESCRIBE or ASK) "
     "(the parser said: expected CONSTRUCT)"),
    # ... "expected one of HAVING, OFFSET, OPTIONAL, VALUES", no LIMIT among them
    ("SELECT ?x WHERE {?x ?y ?z} LIMT 3",
     "syntax error at line 1, column 28: LIMT is no SPARQL keyword: did you mean LIMIT? "
     "(after the WHERE group a query takes GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or "
     "VALUES) (the parser said: expected one of HAVING, OFFSET, OPTIONAL, VALUES)"),
    # ... "expected one of LATERAL, SERVICE"
    ("SELECT ?x WHERE { ?x ?y }",
     "syntax error at line 1, column 26: the triple pattern `?x ?y` has no object (the "
     "parser said: expected one of LATERAL, SERVICE, [_])"),
    # the modifiers already given are not offered again; the word's own line is named
    ("SELECT ?x\nWHERE { ?x ?y ?z }\nLIMIT 3\n  OFSET 2",
     "syntax error at line 4, column 3: OFSET is no SPARQL keyword: did you mean OFFSET? "
     "(after the WHERE group a query takes OFFSET or VALUES) (the parser said: expected one "
     "of OFFSET, VALUES)"),
    ("SELECT ?x WHERE { ?x ?y ?z FILTR(?x) }",
     "syntax error at line 1, column 28: FILTR is no SPARQL keyword: did you mean FILTER? "
     "(inside a group a query takes a triple pattern, OPTIONAL, FILTER, BIND, UNION, MINUS, "
     "VALUES, GRAPH, { or }) (the parser said: expected OPTIONAL)"),
    # no keyword near the word: the parser's partial list, then the whole one
    ("SELECT ?x WHERE { ?x ?y ?z } foo",
     "syntax error at line 1, column 33: expected one of GRAPH, MINUS, [_]; after the WHERE "
     "group a query takes GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or VALUES"),
])
def test_a_syntax_error_names_the_keyword_meant_and_what_may_stand_there(text, message, store,
                                                                         graph_file):
    result = kg("query", "--sparql", text, "--store", store, graph=graph_file)
    assert result.exit_code == 1
    assert result.output == f"Error: {message}\n"


def test_a_term_of_the_vocabularies_that_does_not_exist_is_said_after_no_rows(graph_file):
    """A fresh user's trial: `kgo:exportstatus` (wrong case) answered 0 rows and no word.
    The note names the ontology's term meant, in every format; a term of another
    vocabulary is checked against those the ontology uses; a term that exists is not
    named, though the answer is empty."""
    for fmt in ("table", "csv", "json"):
        result = kg("query", "--sparql", "SELECT ?chip ?s WHERE { ?chip kgo:exportstatus ?s }",
                    "--format", fmt, graph=graph_file)
        assert result.stderr == ("note: no rows: kgo:exportstatus is not a term of the "
                                 "ontology; did you mean kgo:exportStatus?\n"), fmt
    result = kg("query", "--sparql", "SELECT ?c WHERE { ?c a kgo:chip ; schema:Manufacturer "
                "?d ; kgo:exportStatus kgo:export-status-bannd ; kgo:zzzqqq ?z . FILTER(?z = "
                "'1'^^xsd:dte) }", graph=graph_file)
    assert result.stderr.splitlines() == [
        "note: no rows: kgo:chip is not a term of the ontology; did you mean kgo:Chip?",
        "note: no rows: schema:Manufacturer is not a term the ontology uses, nor in the graph; "
        "did you mean schema:manufacturer?",
        "note: no rows: kgo:export-status-bannd is not a term of the ontology; did you mean "
        "kgo:export-status-banned?",
        "note: no rows: kgo:zzzqqq is not a term of the ontology (`kg docs` writes the "
        "ontology's reference: its classes and properties)"]
    result = kg("query", "--sparql", "SELECT ?c WHERE { ?c kgo:exportStatus kgid:nvidia-h2000 }",
                "--format", "csv", graph=graph_file)
    assert result.stderr == ("note: no rows: no entity kgid:nvidia-h2000 (did you mean "
                             "kgid:nvidia-h200, kgid:nvidia-h20, kgid:nvidia-h800?)\n")
    # every term right, no row all the same: no note on terms
    result = kg("query", "--sparql", "SELECT ?c WHERE { ?c a kgo:Chip ; kgo:exportStatus "
                "kgo:export-status-banned ; schema:manufacturer kgid:google }", graph=graph_file)
    assert "(0 rows)" in result.stdout and result.stderr == ""


@pytest.mark.parametrize("args,message", [
    (["query", "--sparql", "SELECT * WHERE {\n  ?s ?p }"],
     "syntax error at line 2, column "),
    (["query", "--sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"],
     "SERVICE <http://127.0.0.1:9/> is refused"),
    (["query", "--sparql", "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE SILENT "
      "<http://example.org/sparql> { ?s ?p ?o } } }"], "is refused"),
    (["query", "--sparql", "SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }"],
     "FROM <http://example.org/data.ttl> is refused"),
    (["query", "--sparql", "INSERT DATA { kgid:a kgid:b kgid:c }"], "read-only"),
    (["query", "nope"], "no query named 'nope'"),
    (["query", "as-of", "-p", "date=soon"], "not a date"),
    (["query", "as-of", "-p", "colour=red"], "has no parameter 'colour'"),
    (["query", "as-of", "-p", "date"], "write it as key=value"),
    # a fresh-user review: a reversed interval gave "(0 rows)" as if nothing had happened
    (["query", "timeline", "-p", "start=2026-02", "-p", "end=2025-01"],
     "Error: parameter start (2026-02-01) is after end (2025-01-31): no day lies between "
     "them (swap them?)\n"),
    (["query", "changes", "-p", "since=2026", "-p", "date=2025-06"],
     "Error: parameter since (2026-01-01) is after date (2025-06-30)"),
    # a fresh-user review: this said "unknown prefix '<http' in ..."
    (["query", "quotes", "-p", "speaker=<http://x/> }"],
     "Error: parameter speaker: '<http://x/> }' is not an IRI, a CURIE such as kgid:china or "
     "an entity id\n"),
    (["query", "quotes", "-p", "speaker=foo:bar"], "unknown prefix 'foo' in 'foo:bar'"),
])
def test_errors_are_messages_not_tracebacks(args, message, graph_file):
    result = kg(*args, graph=graph_file)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("where", [
    "?s a foo:Thing",                       # object: Oxigraph said "expected one of Prefix not found, [...]"
    "foo:Thing ?p ?o",                      # subject: Oxigraph said "expected OPTIONAL"
    "?s ?p ?o FILTER(?o = foo:Thing)",      # in an expression: "expected one of COALESCE, ..."
])
def test_an_undeclared_prefix_is_named(where, graph_file):
    """A new user's typo in a prefix: the error names the prefix and the fix, wherever the
    name stands (Oxigraph's own message named neither)."""
    result = kg("query", "--sparql", "SELECT * WHERE { " + where + " }", graph=graph_file)
    assert result.exit_code == 1, result.output
    assert result.output == ("Error: syntax error: prefix 'foo:' is not declared (in "
                             "foo:Thing): add PREFIX foo: <namespace IRI> before the query\n")


def test_every_undeclared_prefix_is_named_in_order_and_declared_ones_are_not(graph_file):
    text = "PREFIX : <http://example.org/> SELECT * WHERE { ?s a :T ; bar:p ?o FILTER(?o = baz:) }"
    result = kg("query", "--sparql", text, graph=graph_file)
    assert result.exit_code == 1, result.output
    assert result.output == (
        "Error: syntax error: prefix 'bar:' is not declared (in bar:p): add PREFIX bar: "
        "<namespace IRI> before the query; prefix 'baz:' is not declared (in baz:): add "
        "PREFIX baz: <namespace IRI> before the query\n")


def test_a_service_in_a_comment_or_string_is_no_service(graph_file):
    result = kg("query", "--sparql", 'SELECT ?x WHERE { # SERVICE <http://a/> { }\n'
                'BIND("SERVICE <http://a/> {}" AS ?x) }', "--format", "csv", graph=graph_file)
    assert result.exit_code == 0, result.output
    assert "SERVICE <http://a/> {}" in result.output


@pytest.mark.parametrize("use_graph", [True, False], ids=["graph-file", "data-folder"])
@pytest.mark.parametrize("args, message", [
    # a fresh-user review: an organisation given for the chip answered "(0 rows)"
    (["chip-export-status", "-p", "chip=kgid:huawei"],
     "Error: parameter chip: kgid:huawei is an organisation, not a chip (chips like it: "
     "kgid:huawei-ascend, kgid:huawei-ascend-910, kgid:huawei-ascend-910b)\n"),
    (["models-by-developer", "-p", "country=kgid:nvidia-h200"],
     "Error: parameter country: kgid:nvidia-h200 is a chip, not a country\n"),
    # a review: "countrys like it"; an entity based in a country: that country
    (["policies", "-p", "country=kgid:china-customs"],
     "Error: parameter country: kgid:china-customs is an organisation, not a country; its "
     "country is kgid:china\n"),
    # a researcher's second trial: a full IRI, "<https://w3id.org/ai-race-kg/ontology#bloc-us>
    # is not an entity of any kind, not a country", with nothing to use instead
    (["models-by-developer", "-p", "country=kgo:bloc-us"],
     "Error: parameter country: kgo:bloc-us is a bloc, not a country; the countries of that "
     "bloc: kgid:united-states\n"),
    # between-blocs' sides took any IRI and answered (0 rows) with a false note: they are
    # declared countries (`# param: blocA iri country = ...`)
    (["between-blocs", "-p", "blocA=kgo:bloc-us"],
     "Error: parameter blocA: kgo:bloc-us is a bloc, not a country; the countries of that "
     "bloc: kgid:united-states\n"),
    (["between-blocs", "-p", "blocB=kgid:huawei"],
     "Error: parameter blocB: kgid:huawei is an organisation, not a country; its country is "
     "kgid:china\n"),
    (["between-blocs", "-p", "blocA=kgo:bloc-multinational"],
     "Error: parameter blocA: kgo:bloc-multinational is a bloc, not a country; no country is "
     "in that bloc\n"),
    (["chip-export-status", "-p", "chip=kgid:huawai"],
     "Error: no entity kgid:huawai (did you mean kgid:huawei?)\n"),
])
def test_a_parameter_naming_an_entity_of_another_kind_is_an_error(args, message, use_graph,
                                                                   graph_file):
    result = kg("query", *args, graph=graph_file if use_graph else None)
    assert (result.exit_code, result.output) == (1, message)


@pytest.mark.parametrize("value, message", [
    # a researcher's trial: a country given for the bloc answered (0 rows), no word
    ("kgid:china", "Error: parameter bloc: kgid:china is a country, not a bloc; its bloc is "
     "kgo:bloc-china (the blocs: kgo:bloc-china, kgo:bloc-multinational, kgo:bloc-other, "
     "kgo:bloc-us)\n"),
    ("kgo:topic-chips", "Error: parameter bloc: kgo:topic-chips is not a bloc (the blocs: "
     "kgo:bloc-china, kgo:bloc-multinational, kgo:bloc-other, kgo:bloc-us)\n"),
])
def test_a_parameter_named_after_a_concept_scheme_takes_only_its_concepts(value, message,
                                                                          graph_file):
    result = kg("query", "blocs", "-p", f"bloc={value}", graph=graph_file)
    assert (result.exit_code, result.output) == (1, message)
    result = kg("query", "blocs", "-p", "bloc=kgo:bloc-china", "--format", "csv",
                graph=graph_file)
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and {r["bloc"] for r in rows} == {KGO + "bloc-china"}
    # between-blocs' blocA and blocB take countries, as before
    assert "(4 rows)" in kg("query", "between-blocs", "-p", "blocA=kgid:united-states",
                            "-p", "date=2024-06-01", graph=graph_file).output


def test_the_blocs_table_names_each_bloc_once_a_row(graph_file):
    """A researcher's trial: `kg query blocs` showed "china  china" on every row (the bloc,
    by its label, and its label again)."""
    result = kg("query", "blocs", "-p", "bloc=kgo:bloc-us", "-p", "kind=kgo:Chip", "--format",
                "md", graph=graph_file)
    lines = result.output.splitlines()
    assert [c.strip() for c in lines[0].strip("|").split("|")] == ["entity", "kind", "bloc",
                                                                   "rule"]
    assert "| NVIDIA H200 | chip | us | designer |" in [" ".join(line.split()) for line in lines]


def test_a_parameter_of_the_right_kind_still_answers(graph_file):
    result = kg("query", "chip-export-status", "-p", "chip=kgid:nvidia-h200", "--format",
                "csv", graph=graph_file)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and {r["chip"] for r in rows} == {KGID + "nvidia-h200"}


def test_usage_errors_exit_2():
    assert kg("query").exit_code == 2
    assert kg("query", "quotes", "--sparql", "ASK {}").exit_code == 2


def test_both_stores_and_the_default_data_folder():
    # no --graph: data/ is built in memory; --store rdflib is the cross-check
    fast = kg("query", "models-by-developer", "-p", "developer=alibaba", "--format", "csv")
    slow = kg("query", "models-by-developer", "-p", "developer=alibaba", "--format", "csv",
              "--store", "rdflib")
    assert fast.exit_code == 0 and slow.exit_code == 0, fast.output + slow.output
    assert sorted(fast.output.splitlines()) == sorted(slow.output.splitlines())
    assert any(line.startswith(KGID + "alibaba,") for line in fast.output.splitlines())


@pytest.mark.parametrize("command", [
    ["query", "models-by-developer"],
    ["query", "models-by-developer", "--store", "rdflib"],
    ["push", "--graph-store", "http://127.0.0.1:9/store"],
    ["serve", "--port", "0"],
], ids=["query", "query-rdflib", "push", "serve"])
def test_a_missing_or_broken_graph_file_is_a_message(tmp_path, command):
    broken = tmp_path / "graph.ttl"
    broken.write_text("garbage <<\n", encoding="utf-8")
    for graph, message in ((tmp_path / "missing.trig", "no such file (run `kg build` first?)"),
                           (broken, "cannot load the graph")):
        result = kg(*command, graph=str(graph))
        assert result.exit_code == 1, result.output
        assert f"{graph}: {message}" in result.output


def test_an_unreadable_query_file_is_a_message(tmp_path, graph_file):
    folder = tmp_path / "folder.rq"
    folder.mkdir()
    latin1 = tmp_path / "latin1.rq"
    latin1.write_bytes(b"# caf\xe9\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n")
    for path, message in ((folder, "cannot read"), (latin1, "not UTF-8 text")):
        result = kg("query", str(path), graph=graph_file)
        assert result.exit_code == 1, result.output
        assert f"{path}: {message}" in result.output


# -- what a query costs before it runs -------------------------------------------------
@pytest.mark.parametrize("text", [
    'SELECT ?x WHERE { BIND("SERVICE <http://a/> { }" AS ?x) }',
    "SELECT ?x WHERE { BIND('''a\nservice <http://a/> {}''' AS ?x) }",
    "SELECT ?x WHERE { <http://example.org/SERVICE> ?p ?x }",
    "PREFIX ex: <http://example.org/>\nSELECT ?service WHERE { ?service a ex:Service }",
    "# SERVICE <http://a/> { }\nSELECT * WHERE { ?s ?p ?o } LIMIT 1",
    "ASK { ?s <http://example.org/from> ?o }",
])
def test_a_service_only_in_words_that_are_not_keywords_takes_the_cheap_check(text):
    from kg.sparql.store import check_query, quick_form

    assert quick_form(text) in ("SELECT", "ASK")
    assert check_query(text).type == quick_form(text)


@pytest.mark.parametrize("text,message", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
     "SERVICE <http://127.0.0.1:9/> is refused: queries may not make this process call "
     "other addresses"),
    ('SELECT ?x WHERE { BIND("a" AS ?x) service <http://127.0.0.1:9/> { ?s ?p ?o } }',
     "SERVICE <http://127.0.0.1:9/> is refused"),
    ("SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE SILENT ?where { ?s ?p ?o } } }",
     "is refused: queries may not make this process call other addresses"),
    ("PREFIX service: <http://127.0.0.1:9/>\nSELECT * WHERE { SERVICE service: { ?s ?p ?o } }",
     "is refused: queries may not make this process call other addresses"),
    ("SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
     "SERVICE <http://127.0.0.1:9/> is refused"),
    ("SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }",
     "FROM <http://example.org/data.ttl> is refused"),
    # a prefixed name or a relative IRI is named as the IRI it stands for
    ("PREFIX service: <http://example.org/>\nSELECT * WHERE { SERVICE service:x { ?s ?p ?o } }",
     "SERVICE <http://example.org/x> is refused: queries may not make this process call "
     "other addresses"),
    ("SELECT * WHERE { SERVICE SILENT ?where { ?s ?p ?o } }",
     "SERVICE ?where is refused"),
    ("BASE <http://example.org/>\nSELECT * FROM <data.ttl> WHERE { ?s ?p ?o }",
     "FROM <http://example.org/data.ttl> is refused"),
    ("PREFIX ex: <http://example.org/>\nSELECT * FROM NAMED ex:g WHERE { ?s ?p ?o }",
     "FROM NAMED <http://example.org/g> is refused"),
])
def test_a_real_service_is_refused_as_before(text, message):
    from kg.sparql.store import QueryError, check_query, quick_form

    assert quick_form(text) is None  # the full check looks at it
    with pytest.raises(QueryError) as caught:
        check_query(text)
    assert message in str(caught.value)


def test_a_one_row_query_imports_neither_the_curation_code_nor_a_sparql_parser(graph_file):
    """`kg query` imports only its own command module, and a plain query is checked
    without rdflib's SPARQL parser (pyparsing): both cost a one-row query its time."""
    import subprocess
    import sys


    probe = (
        "import sys\nfrom kg.cli import main\n"
        "try:\n    main(['query', '--sparql', 'SELECT ?l WHERE { kgid:nvidia-h200 rdfs:label ?l "
        "BIND(\"service\" AS ?s) }', '--format', 'csv', '--graph', sys.argv[1]])\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "loaded = [m for m in ('kg.cli.curate', 'kg.curate', 'kg.cli.report', 'kg.cli.viz', "
        "'rdflib.plugins.sparql.parser', 'pyparsing') if m in sys.modules]\n"
        "print('loaded:', ' '.join(loaded))\n")
    run = subprocess.run([sys.executable, "-c", probe, graph_file], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "NVIDIA H200" in run.stdout
    assert run.stdout.splitlines()[-1].strip() == "loaded:", run.stdout


def test_every_command_is_registered_under_the_module_that_defines_it():
    import importlib

    from kg.cli import LAZY_COMMANDS, main

    for module in sorted(set(LAZY_COMMANDS.values())):
        names = {c.name for c in importlib.import_module(module).COMMANDS}
        assert names == {n for n, m in LAZY_COMMANDS.items() if m == module}, module
    assert set(LAZY_COMMANDS) <= set(main.commands)
    assert main.list_commands(None) == sorted(main.commands)


def test_from_a_prefixed_name_of_the_datasets_own_graph_is_accepted():
    from kg.sparql.store import check_query

    text = ("PREFIX kgfile: <https://w3id.org/ai-race-kg/file/>\n"
            "SELECT * FROM kgfile:build_void.ttl WHERE { ?s ?p ?o }")
    assert check_query(text).type == "SELECT"


@pytest.mark.parametrize("store", ["oxigraph", "rdflib"])
def test_from_one_files_graph_queries_that_graph_not_the_union(graph_file, store):
    """A fresh-user review: FROM <kgfile:data/chip/nvidia-h200.yaml> counted 25,933 triples
    on Oxigraph (the whole union: asked for the union default graph, it ignores FROM) and
    160 on rdflib. FROM names the default graph: now both answer from that file alone."""
    h200 = "<https://w3id.org/ai-race-kg/file/data/chip/nvidia-h200.yaml>"
    h100 = "<https://w3id.org/ai-race-kg/file/data/chip/nvidia-h100.yaml>"

    def rows(text):
        r = kg("query", "--sparql", text, "--format", "csv", "--store", store, graph=graph_file)
        assert r.exit_code == 0, r.output
        return sorted(r.output.splitlines()[1:])

    in_file = rows(f"SELECT ?s ?p ?o WHERE {{ GRAPH {h200} {{ ?s ?p ?o }} }}")
    assert 100 < len(in_file) < 1000
    assert rows(f"SELECT ?s ?p ?o FROM {h200} WHERE {{ ?s ?p ?o }}") == in_file
    both = rows(f"SELECT ?s ?p ?o WHERE {{ {{ GRAPH {h200} {{ ?s ?p ?o }} }} UNION "
                f"{{ GRAPH {h100} {{ ?s ?p ?o }} }} }}")
    assert rows(f"SELECT DISTINCT ?s ?p ?o FROM {h200} FROM {h100} WHERE {{ ?s ?p ?o }}") == \
        sorted(set(both))
    assert rows(f"SELECT DISTINCT ?g FROM NAMED {h200} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == [
        h200[1:-1]]
    assert int(rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]) > 20 * len(in_file)


@pytest.mark.parametrize("text, option, message", [
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", ["--format", "csv"],
     "Error: --format csv is for SELECT and ASK results; a CONSTRUCT query gives RDF: choose "
     "its syntax with --rdf-format turtle|nt|jsonld|xml"),
    ("DESCRIBE kgid:nvidia-h200", ["--format", "table"],
     "Error: --format table is for SELECT and ASK results; a DESCRIBE query gives RDF: "
     "choose its syntax with --rdf-format turtle|nt|jsonld|xml"),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", ["--rdf-format", "nt"],
     "Error: --rdf-format nt is for CONSTRUCT and DESCRIBE results; a SELECT query gives "
     "rows: choose its form with --format table|csv|tsv|json|md"),
    ("ASK { ?s ?p ?o }", ["--rdf-format", "turtle"],
     "Error: --rdf-format turtle is for CONSTRUCT and DESCRIBE results; an ASK query gives "
     "true or false: choose its form with --format table|csv|tsv|json|md"),
])
def test_a_format_for_the_other_kind_of_result_is_a_usage_error(graph_file, text, option,
                                                                 message):
    """A fresh-user review: `--format csv` on a CONSTRUCT printed Turtle, saying nothing."""
    r = kg("query", "--sparql", text, *option, graph=graph_file)
    assert r.exit_code == 2 and r.output.splitlines()[-1] == message, r.output
    r = kg("query", "--sparql", text, graph=graph_file)  # the defaults fit either kind
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("command, verb", [("query", "Query"), ("serve", "Serve"),
                                           ("push", "Push")])
def test_the_graph_option_says_what_the_command_does_with_the_file(command, verb):
    r = CliRunner().invoke(main, [command, "--help"], terminal_width=200)
    assert f"{verb} a built graph file (build/graph.trig, .nq, .ttl) instead of the (cached) " \
           "graph of data/." in r.output


def test_a_retired_entity_as_a_parameter_says_what_became_of_it(graph_file):
    """A researcher's trial: `--param developer=moonshot-ai` after `kg rename moonshot-ai
    moonshot` gave 0 rows and no word, though the graph keeps the tombstone. A renamed or
    merged entity names what it became; a withdrawn one says why."""
    r = CliRunner().invoke(main, ["query", "as-of", "-p", "entity=transmission-approval-time",
                                  "--graph", graph_file])
    assert r.exit_code == 1
    assert r.output == (
        "Error: parameter entity: kgid:transmission-approval-time was replaced by "
        "kgid:energy-permitting-time: ask with --param entity=kgid:energy-permitting-time\n")
    r = CliRunner().invoke(main, ["query", "disputed-figures", "-p",
                                  "about=compute-advantage-ratio", "--graph", graph_file])
    assert r.exit_code == 1
    assert r.output.startswith("Error: parameter about: kgid:compute-advantage-ratio was "
                               "withdrawn (split into two scenario measures")
    assert r.output.endswith("): no fact is about it any more\n")


def test_a_cell_of_joined_iris_shows_their_labels(graph_file):
    """A researcher's trial: `kg query policies` gave a row per target or topic, so rows
    looked doubled where those columns fell off the screen. A row per policy and issuing
    body now holds its targets and topics each in one cell (IRIs joined by spaces): a
    table shows their labels joined by commas, csv keeps the IRIs."""
    result = kg("query", "policies", "-p", "country=kgid:united-states", graph=graph_file)
    line = next(x for x in result.output.splitlines()
                if "Bureau of Industry and Security" in x
                and "US export controls on advanced AI chips" in x)
    import re

    assert re.search(r"  China, NVIDIA B200, NVIDIA Blackwell, NVIDIA H100, NVIDIA Rubin +"
                     r"chipmaking-tools, chips, countries$", line.rstrip()), line
    rows = list(csv.DictReader(io.StringIO(kg("query", "policies", "--format", "csv",
                                              graph=graph_file).output)))
    assert len(rows) == 75
    assert [r["targets"] for r in rows if r["policy"] == KGID + "us-ai-chip-export-controls"
            and r["issuedBy"] == KGID + "bis"] == [" ".join(KGID + i for i in (
                "china", "nvidia-b200", "nvidia-blackwell", "nvidia-h100", "nvidia-rubin"))]
    # text that is not only IRIs stays as it is
    from rdflib import Literal

    from kg.sparql.results import joined_iris

    assert joined_iris(Literal("see https://w3id.org/ai-race-kg/id/china")) == []
    assert joined_iris(Literal("https://w3id.org/ai-race-kg/id/china", lang="en")) == []


def test_neighbourhood_says_following_and_family(graph_file):
    """A journalist's trial: the H20's licences-granted status was linked "set by" to
    "NVIDIA says the US will grant H20 export licences" (an event that reports the US
    decision: data/chip/nvidia-h20.yaml, `by`), and its family was "model family" where
    the explorer said "chip family": one label each, "following" and "family"."""
    out = kg("query", "neighbourhood", "-p", "entity=kgid:nvidia-h20", "--format", "md",
             graph=graph_file).output
    rows = {tuple(c.strip() for c in line.strip("|").split("|")[:4])
            for line in out.splitlines() if line.startswith("| 1 ")}
    assert ("1", "NVIDIA H20", "following",
            "NVIDIA says the US will grant H20 export licences") in rows
    assert ("1", "NVIDIA H20", "following", "US licence requirement on NVIDIA H20 and AMD "
            "MI308 exports to China (April 2025)") in rows
    assert ("1", "NVIDIA H20", "family", "NVIDIA Hopper") in rows
    assert not {r for r in rows if r[2] in ("set by", "model family", "chip family")}
