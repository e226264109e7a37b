"""Property-based tests (hypothesis; the `ci` profile in tests/conftest.py is derandomised and
bounded):

- any valid entity written by kg survives YAML -> graph -> Turtle, N-Triples, JSON-LD and
  TriG -> parsed back (pyoxigraph, in-process; `rapper` on a few) with every value, language
  tag and datatype unchanged;
- any mutation of a valid file gives a clear error (file and line) or a valid result, never a
  traceback, in kg validate, kg fmt --check, kg show and kg edit.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner
from curate_support import ENV, FIXTURE
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, XSD

from conftest import BASE_FILES, need_tool
from kg.cli import main
from kg.core.schema import load_schema
from kg.data import yamlio
from kg.data.loader import CONTROL_RE
from kg.data.validate import MAX_STRING, validate_dir
from kg.rdf.graph import build_dataset, union_graph
from kg.rdf.serialize import jsonld, ntriples, trig, turtle

SCHEMA = load_schema()
KGID = "https://w3id.org/ai-race-kg/id/"
SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]

# -- strategies ------------------------------------------------------------------------------
_chars = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
                       blacklist_characters="\ufeff")
one_line = st.text(_chars, min_size=1, max_size=60).map(str.strip).filter(bool)
long_text = st.text(st.one_of(_chars, st.sampled_from("\n\t")), min_size=1, max_size=200) \
    .map(str.strip).filter(bool)
dates = st.one_of(
    st.integers(1900, 2030).map(str),
    st.tuples(st.integers(1900, 2030), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.dates().filter(lambda d: 1900 <= d.year <= 2030).map(lambda d: d.isoformat()))
url_path = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Lo", "Nd"),
                                 max_codepoint=0x9FFF), max_size=12)
organization = st.fixed_dictionaries({
    "name": one_line,
    "aliases": st.lists(one_line, max_size=3, unique_by=str.casefold),
    "names": st.dictionaries(st.sampled_from(["zh", "ja", "fr", "de", "zh-Hans", "ko"]), one_line,
                             max_size=3),
    "description": long_text,
    "headquarters": one_line,
    "founded": dates,
    "url": url_path.map(lambda p: "https://example.org/" + p),
})


def write_entity(data: Path, values: dict) -> str:
    """The entity written by kg's own writer (canonical form, quoting for other readers)."""
    kind = SCHEMA.kinds["organization"]
    doc = yamlio.to_yaml({"id": "org-x", **{k: v for k, v in values.items() if v},
                          "org_type": "company", "country": "china", "sources": ["src-a"]})
    text = yamlio.dump(yamlio.quote_for_other_readers(yamlio.canonical(doc, kind), kind))
    (data / "organization").mkdir(parents=True, exist_ok=True)
    (data / "organization/org-x.yaml").write_text(text, encoding="utf-8")
    return text


def base(tmp: Path) -> Path:
    data = tmp / "data"
    if data.exists():
        shutil.rmtree(data)
    for rel, text in BASE_FILES.items():
        path = data / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return data


def term_key(t) -> tuple:
    """A term as (kind, value, language, datatype), the same for rdflib and pyoxigraph."""
    if isinstance(t, (URIRef, ox.NamedNode)):
        return ("iri", str(t) if isinstance(t, URIRef) else t.value, None, None)
    if isinstance(t, Literal):
        lang = t.language and t.language.lower()  # tags are case-insensitive (RDF 1.1)
        dt = None if lang else str(t.datatype or XSD.string)
        return ("lit", str(t), lang, dt)
    if isinstance(t, ox.Literal):
        lang = t.language and t.language.lower()
        return ("lit", t.value, lang, None if lang else t.datatype.value)
    raise AssertionError(f"unexpected term {t!r}")  # no blank nodes in the graph


def parsed(text: str, fmt) -> set:
    return {(term_key(q.subject), term_key(q.predicate), term_key(q.object))
            for q in ox.parse(text.encode("utf-8"), format=fmt)}


@settings(max_examples=25, suppress_health_check=SLOW, deadline=None)
@given(values=organization)
def test_any_valid_entity_survives_every_export_format_unchanged(tmp_path, values):
    data = base(tmp_path)
    write_entity(data, values)
    result = validate_dir(data)
    assert result.ok, "\n".join(i.format() for i in result.errors)
    ent = result.entities["org-x"]
    # the YAML read back is what was written
    assert ent.name == values["name"]
    assert list(ent.values("aliases")) == values["aliases"]
    assert (ent.first("names") or {}) == values["names"]
    assert ent.first("description") == values["description"]
    ds = build_dataset(result.entities, SCHEMA)
    g = union_graph(ds)
    expected = {(term_key(s), term_key(p), term_key(o)) for s, p, o in g}
    me = URIRef(KGID + "org-x")
    assert (me, RDFS.label, Literal(values["name"], lang="zh" if any(
        "\u4e00" <= c <= "\u9fff" for c in values["name"]) else "en")) in g or \
        any(str(o) == values["name"] for o in g.objects(me, RDFS.label))
    for tag, name in values["names"].items():
        assert any(o.language == tag and str(o) == name for o in g.objects(me, None)
                   if isinstance(o, Literal)), (tag, name)
    assert parsed(turtle(g), ox.RdfFormat.TURTLE) == expected
    assert parsed(ntriples(g), ox.RdfFormat.N_TRIPLES) == expected
    assert parsed(jsonld(g), ox.RdfFormat.JSON_LD) == expected
    quads = {(term_key(q.subject), term_key(q.predicate), term_key(q.object))
             for q in ox.parse(trig(ds).encode("utf-8"), format=ox.RdfFormat.TRIG)}
    assert quads == expected
    # nothing in any output can drive a terminal or break XML
    for text in (turtle(g), ntriples(g), jsonld(g)):
        assert not CONTROL_RE.search(text)


@settings(max_examples=5, suppress_health_check=SLOW, deadline=None)
@given(values=organization)
def test_rapper_reads_the_turtle_and_n_triples_of_any_valid_entity(tmp_path, values):
    rapper = need_tool("rapper")
    data = base(tmp_path)
    write_entity(data, values)
    result = validate_dir(data)
    assert result.ok
    g = union_graph(build_dataset(result.entities, SCHEMA))
    n = len(g)
    for name, text, fmt in (("g.ttl", turtle(g), "turtle"), ("g.nt", ntriples(g), "ntriples")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        out = subprocess.run([rapper, "-q", "-i", fmt, "-o", "ntriples", str(path)],
                             capture_output=True, text=True, check=False, timeout=300)
        assert out.returncode == 0, out.stderr
        assert len([x for x in out.stdout.splitlines() if x.strip()]) == n


# -- mutations -------------------------------------------------------------------------------
SAMPLE = ["model/deepseek-r1.yaml", "organization/huawei.yaml", "claim/ascend-910c-output-2025.yaml",
          "person/ren-zhengfei.yaml", "source/huawei-annual-report-2024.yaml"]
NASTY = [":", "-", " ", "  ", "\n", "\t", "#", "'", '"', "[", "]", "{", "}", "&a", "*a", "!!", "!x",
         "|", ">", "%", "@", "`", ",", "?", "\\", "\\x00", "\\e", "NO", "~", "null", "1e999999999",
         "9" * 400, "\ufeff", "\x85", "\u2028", "é", "华", "<<: *a"]


@st.composite
def mutation(draw):
    rel = draw(st.sampled_from(SAMPLE))
    text = (FIXTURE / rel).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 3))):
        lines = text.split("\n")
        op = draw(st.sampled_from(["insert", "delete", "replace", "dup-line", "drop-line",
                                   "swap-lines", "indent"]))
        pos = draw(st.integers(0, max(0, len(text) - 1)))
        if op == "insert":
            text = text[:pos] + draw(st.sampled_from(NASTY)) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 8)):]
        elif op == "replace":
            text = text[:pos] + draw(st.sampled_from(NASTY)) + text[pos + 1:]
        else:
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == "dup-line":
                lines.insert(i, lines[i])
            elif op == "drop-line":
                del lines[i]
            elif op == "swap-lines":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines[i] = "  " + lines[i]
            text = "\n".join(lines)
    return rel, text


@settings(max_examples=30, suppress_health_check=SLOW, deadline=None)
@given(case=mutation())
def test_any_mutation_of_a_valid_file_gives_a_clear_error_or_a_valid_result(tmp_path, case):
    rel, text = case
    assume(len(text) < MAX_STRING * 50)
    data = tmp_path / "data"
    if data.exists():
        shutil.rmtree(data)
    shutil.copytree(FIXTURE, data)
    (data / rel).write_text(text, encoding="utf-8")
    result = validate_dir(data)  # never raises
    for issue in result.issues:
        assert issue.path and issue.message and not CONTROL_RE.search(issue.format())
        if issue.path == f"data/{rel}" and issue.rule not in ("too-large",):
            assert issue.line >= 1, issue
    runner = CliRunner()
    stem = Path(rel).stem
    for args in (["validate", "--no-shacl"], ["fmt", "--check"], ["show", stem],
                 ["edit", stem, "--set", "description=Changed."], ["lint", "--no-unchecked"]):
        r = runner.invoke(main, args, env={**ENV, "KG_DATA": str(data)}, catch_exceptions=True)
        assert r.exception is None or isinstance(r.exception, SystemExit), (
            args, text, r.output, r.exc_info)
        assert r.exit_code in (0, 1), (args, r.output)
        if r.exit_code == 1:
            assert [x for x in r.output.splitlines() if x.startswith("Error: ")], (args, r.output)
        assert not CONTROL_RE.search(r.output), (args, r.output)


def test_the_files_mutated_are_valid_before_mutation():
    result = validate_dir(FIXTURE)
    assert result.ok and {f"data/{rel}" for rel in SAMPLE} <= {e.path for e in
                                                               result.entities.values()}


@settings(max_examples=300)
@given(st.text(alphabet="abcdehuaw0123 华为", max_size=14),
       st.text(alphabet="abcdehuaw0123 华为", max_size=14),
       st.sampled_from([0.0, 0.5, 0.75, 0.8, 1.0]))
def test_similarity_is_difflibs_ratio_wherever_it_reaches_the_cutoff(a, b, cutoff):
    """kg.data.dedupe.similarity skips difflib's full comparison when its cheap upper
    bounds already fall short of the cutoff (kg find and kg add's duplicate check compare
    every label of 100k entities): the same ratio whenever it can reach the cutoff, a value
    below it otherwise, so every search and duplicate answer is unchanged."""
    import difflib

    from kg.data.dedupe import similarity

    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    got = similarity(a, b, cutoff)
    if ratio >= cutoff:
        assert got == ratio
    else:
        assert got < cutoff
