"""Hostile values are refused where they enter, with file, line, entity and fix.

Each kind of value is tried on every path it can take in: a data file (kg validate), and
the commands that write one (kg add, kg source add, kg edit). docs/RELIABILITY.md tabulates
the kinds and the number of cases.
"""

from __future__ import annotations

import contextlib

import pytest
import yaml
from click.testing import CliRunner
from curate_support import ENV, copy_fixture, snapshot

from kg.cli import main
from kg.data.loader import CONTROL_RE, MAX_FILE_BYTES
from kg.data.validate import is_iri, percent_encoded, validate_dir
from kg.data.yamlio import format_text, misread


@pytest.fixture
def data(tmp_path):
    return copy_fixture(tmp_path)


def run(data, *args, code=None):
    with contextlib.chdir(data.parent):  # beside data/, as a maintainer runs kg
        r = CliRunner().invoke(main, list(args), env={**ENV, "KG_DATA": str(data)},
                               catch_exceptions=False)
    if code is not None:
        assert r.exit_code == code, r.output
    return r


def errors(data):
    return [i.format() for i in validate_dir(data).errors]


HUAWEI = "organization/huawei.yaml"


def write(data, rel, text):
    (data / rel).write_text(text, encoding="utf-8")


# -- 1. control characters ------------------------------------------------------------------
CONTROLS = ["\x00", "\x1b[31m", "\x0c", "\x07", "\x0b", "\r", "\x7f", "\x85", "\x9b", "\x1b]0;pwn\x07"]


@pytest.mark.parametrize("bad", CONTROLS, ids=[repr(c) for c in CONTROLS])
@pytest.mark.parametrize("where", ["name", "description", "names", "aliases", "key"])
def test_a_control_character_is_refused_in_every_text_field_with_file_and_line(data, bad, where):
    esc = bad.encode("unicode_escape").decode().replace("\\u", "\\x")  # YAML's escape
    body = {"name": f'name: "Hua{esc}wei"',
            "description": f'description: "a {esc} b"',
            "names": f'names: {{zh: "华{esc}为"}}',
            "aliases": f'aliases: [Huawei Co, "x{esc}"]',
            "key": f'"x{esc}": 1'}[where]
    lines = ["id: huawei", "name: Huawei", "org_type: company", "country: china",
             "sources: [dw-2026-01-24-us-china-ai-race]"]
    if where == "name":
        lines[1] = body
    else:
        lines.insert(3, body)
    write(data, HUAWEI, "\n".join(lines) + "\n")
    errs = errors(data)
    hits = [e for e in errs if "control character" in e]
    assert hits, errs
    code = f"U+{ord(bad[0]):04X}"
    line = 2 if where == "name" else 4
    assert hits[0].startswith(f"data/organization/huawei.yaml:{line}:")
    assert f"[huawei] {where if where != 'key' else 'a key'}" in hits[0]
    assert f"contains the control character {code}" in hits[0]
    assert "Fix: delete it" in hits[0]
    for e in errs:  # the message itself shows the character escaped, never raw
        assert not CONTROL_RE.search(e), repr(e)


def test_a_control_character_from_the_command_line_is_refused_and_nothing_is_written(data):
    before = snapshot(data)
    r = run(data, "edit", "huawei", "--set", "description=a\x1b]0;title\x07b", code=1)
    assert "contains the control character U+001B" in r.output
    assert "\x1b" not in r.output and "\x07" not in r.output
    r = run(data, "add", "organization", "--name", "Evil\x00Corp", "--org-type", "company",
            "--country", "china", "--source", "dw-2026-01-24-us-china-ai-race", "--no-input",
            code=1)
    assert "U+0000" in r.output and "\x00" not in r.output
    assert snapshot(data) == before


def test_tab_and_newline_are_text(data):
    run(data, "edit", "huawei", "--set", "description=one\ttwo\nthree", code=0)
    assert not errors(data)


@pytest.mark.parametrize("brk", ["\n", "\u2028", "\u2029"])
def test_a_name_with_a_line_break_of_any_kind_is_refused(data, brk):
    """A maintainer's trial: U+2028 and U+2029 (line and paragraph separators) passed the
    "name must be one line" rule, and `kg show` printed the name on two lines."""
    before = snapshot(data)
    r = run(data, "edit", "huawei", "--set", f"name=Hua{brk}wei", code=1)
    assert "name must be one line" in r.output
    assert snapshot(data) == before


def test_show_and_find_never_print_a_raw_control_character(data):
    r = run(data, "find", "\x1b[2J", code=1)
    assert "\x1b" not in r.output and "\\x1b[2J" in r.output


# -- 2. URLs ---------------------------------------------------------------------------------
BAD_URLS = ["https://example.org/report?ids=1|2", "https://example.org/a b",
            'https://example.org/"q"', "https://example.org/<x>", "https://example.org/{x}",
            "https://example.org/a\\b", "https://example.org/^", "https://example.org/`x`",
            "https://example.org/100%"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_url_that_is_not_an_iri_is_refused_with_its_percent_encoded_form(data, url):
    text = (data / "source/huawei-annual-report-2024.yaml").read_text()
    lines = [x for x in text.splitlines() if not x.startswith("url:")]
    lines.insert(4, "url: '" + url.replace("'", "''") + "'")
    write(data, "source/huawei-annual-report-2024.yaml", "\n".join(lines) + "\n")
    errs = errors(data)
    fixed = percent_encoded(url)
    assert is_iri(fixed) and not is_iri(url)
    assert errs == [
        f"data/source/huawei-annual-report-2024.yaml:5: error: [huawei-annual-report-2024] url "
        f"'{url}' is not a valid IRI (RFC 3987) Fix: write it percent-encoded: {fixed}"]


def test_an_iri_with_non_ascii_letters_is_kept(data):
    assert is_iri("https://例え.jp/パス?q=華為")
    assert percent_encoded("https://example.org/report?ids=1|2") == \
        "https://example.org/report?ids=1%7C2"


def test_source_add_and_edit_write_the_percent_encoded_url_and_build_works(data, tmp_path):
    r = run(data, "source", "add", "--title", "T", "--publisher", "P", "--date", "2025-01-01",
            "--url", "https://example.org/report?ids=1|2", "--source-type", "news",
            "--reliability", "high", code=0)
    assert r.output == ("wrote data/source/p-2025-01-01-t.yaml\nnote: url: wrote the URL "
                        "percent-encoded: https://example.org/report?ids=1%7C2\n")
    assert "url: https://example.org/report?ids=1%7C2\n" in \
        (data / "source/p-2025-01-01-t.yaml").read_text()
    r = run(data, "edit", "p-2025-01-01-t", "--set", "archived_url=https://a.org/x y", code=0)
    assert "archived_url: https://a.org/x%20y\n" in (data / "source/p-2025-01-01-t.yaml").read_text()
    r = run(data, "build", "--out", str(tmp_path / "build"))
    assert r.exit_code == 0, r.output
    assert "<https://example.org/report?ids=1%7C2>" in (tmp_path / "build/graph.nt").read_text()


# -- 3. numbers ------------------------------------------------------------------------------
@pytest.mark.parametrize("field,value,message", [
    ("parameters", "9" * 5000,
     "parameters '99999999999999999999…' (5,000 characters) is not a whole number between 1 "
     "and 10^15"),
    ("parameters", "10000000000000000",
     "parameters 10000000000000000 is out of bounds: parameters is between 1 and 10^15"),
    ("parameters", "0", "parameters 0 is out of bounds: parameters is between 1 and 10^15"),
    ("parameters", "-5", "parameters -5 is out of bounds: parameters is between 1 and 10^15"),
    ("parameters", "1e3", "parameters '1e3' is not a whole number"),
])
def test_edit_refuses_an_integer_outside_the_fields_bounds(data, field, value, message):
    before = snapshot(data)
    r = run(data, "edit", "deepseek-r1", "--set", f"{field}={value}", code=1)
    assert f"error: [deepseek-r1] {message}" in r.output
    assert "Traceback" not in r.output
    assert r.output.rstrip().endswith("Error: kg edit deepseek-r1: nothing was written.")
    assert snapshot(data) == before


@pytest.mark.parametrize("value,message", [
    ("1e999999999", "value 1e999999999 is out of bounds: value is between -10^30 and 10^30"),
    ("-1e999999999", "value -1e999999999 is out of bounds: value is between -10^30 and 10^30"),
    ("NaN", "value 'NaN' is not a number"),
    ("Infinity", "value 'Infinity' is not a number"),
    ("1" * 100, "value '11111111111111111111…' (100 characters) is not a number between -10^30 "
                "and 10^30"),
])
def test_validate_and_build_refuse_a_figure_outside_its_bounds(data, tmp_path, value, message):
    path = data / "claim/ascend-910c-output-2025.yaml"
    path.write_text(path.read_text().replace("value: 450000", f"value: {value}"))
    errs = errors(data)
    assert errs and errs[0].startswith("data/claim/ascend-910c-output-2025.yaml:5: error: "
                                       f"[ascend-910c-output-2025] {message}")
    r = run(data, "build", "--out", str(tmp_path / "b"), code=1)
    assert "Traceback" not in r.output and message in r.output


def test_every_number_field_of_the_schema_declares_its_bounds():
    from kg.core.schema import load_schema

    schema = load_schema()
    numeric = [f for k in schema.kinds.values() for f in
               [*k.fields.values(), *(q for x in k.fields.values() for q in x.qualifiers.values())]
               if f.type in ("number", "integer")]
    assert len(numeric) >= 10
    assert all(f.min is not None and f.max is not None and f.min <= f.max for f in numeric)


def test_a_schema_number_without_bounds_is_refused():
    import copy

    from kg.core.schema import SCHEMA_PATH, _field, parse_schema  # noqa: F401

    raw = yaml.safe_load(SCHEMA_PATH.read_text())
    raw = copy.deepcopy(raw)
    del raw["kinds"]["model"]["fields"]["parameters"]["max"]
    with pytest.raises(ValueError, match="model.parameters is a integer without bounds"):
        parse_schema(raw)


# -- 4. size ---------------------------------------------------------------------------------
def test_an_oversized_file_is_refused_before_parsing(data, monkeypatch):
    path = data / HUAWEI
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("aliases:\n")
        for i in range(2_500_000):  # ~50 MB
            fh.write(f"  - alias number {i}\n")
    size = path.stat().st_size
    parsed, compose = [], yaml.compose  # the length of every text the YAML parser is given

    def counted(text, *args, **kwargs):
        parsed.append(len(text))
        return compose(text, *args, **kwargs)

    monkeypatch.setattr(yaml, "compose", counted)
    errs = errors(data)
    assert all(n <= MAX_FILE_BYTES for n in parsed)  # the 50 MB never reached the parser
    assert [e for e in errs if e.startswith("data/organization/huawei.yaml")] == [
        f"data/organization/huawei.yaml: error: [huawei] the file is {size:,} bytes, more than the "
        f"limit of {MAX_FILE_BYTES:,} Fix: one entity per file: split it, or shorten its values "
        "(entity files are a few kilobytes)"]


def test_an_oversized_value_is_refused(data):
    r = run(data, "edit", "huawei", "--set", "description=" + "x" * 30_000, code=1)
    assert ("description is 30,000 characters long, more than the limit of 20,000 for text "
            "Fix: shorten it") in r.output
    r = run(data, "edit", "huawei", "--add", "aliases=" + "y" * 2_000, code=1)
    assert "aliases is 2,000 characters long, more than the limit of 1,000" in r.output


# -- 5. tags ---------------------------------------------------------------------------------
@pytest.mark.parametrize("tagged,shown", [
    ("name: !!binary aGVsbG8=", "name: the YAML tag '!!binary'"),
    ("name: !custom Huawei", "name: the YAML tag '!custom'"),
    ("name: !!python/object:os.system {}", "name: the YAML tag '!!python/object:os.system'"),
    ("aliases: [!!timestamp x, !ugly y]", "aliases: the YAML tag '!ugly'"),
    ("names: !!omap [{zh: x}]", "names: the YAML tag '!!omap'"),
])
def test_a_yaml_tag_on_any_value_is_refused(data, tagged, shown):
    text = (data / HUAWEI).read_text().replace("name: Huawei\n", "name: Huawei\n" + tagged + "\n")
    if tagged.startswith("name:"):
        text = text.replace("name: Huawei\n", "", 1)
    write(data, HUAWEI, text)
    errs = errors(data)
    assert any(f"{shown} is not allowed Fix: delete the tag" in e for e in errs), errs


# -- 6. quoting for other YAML readers -------------------------------------------------------
@pytest.mark.parametrize("value", ["NO", "no", "yes", "on", "Off", "y", "N", "~", "null", "3.10",
                                   "2025", "1_000", "0x1f", "1:20", "2025-01-20", ".inf", "<<"])
def test_text_written_by_kg_reads_the_same_in_a_yaml_11_reader(data, value):
    assert misread(value)
    run(data, "edit", "huawei", "--set", f"headquarters={value}", "--add", f"aliases={value}",
        code=0)
    text = (data / HUAWEI).read_text()
    plain = yaml.safe_load(text)  # PyYAML: a YAML 1.1 reader
    assert plain["headquarters"] == value and plain["aliases"] == [value]
    assert format_text(text, HUAWEI) == text


@pytest.mark.parametrize("tag", ["no", "yes", "on", "off"])
def test_a_language_tag_key_reads_the_same_in_a_yaml_11_reader(data, tag):
    run(data, "edit", "china", "--set", f"names.{tag}=Kina", "--set", "iso_code=NO", code=0)
    text = (data / "country/china.yaml").read_text()
    assert f"'{tag}': Kina" in text and "iso_code: 'NO'\n" in text
    plain = yaml.safe_load(text)
    assert plain["names"][tag] == "Kina" and plain["iso_code"] == "NO"


def test_dates_and_numbers_stay_plain(data):
    text = (data / "model/deepseek-r1.yaml").read_text()
    assert format_text(text, "model/deepseek-r1.yaml") == text
    assert "released: 2025-01-20" in text or "released:" not in text


@pytest.mark.parametrize("bad", ["\x1b", "\x00", "\x07", "\x85", "\x9b", "\x7f"])
def test_a_raw_control_character_typed_into_a_file_is_refused_at_its_line(data, bad):
    text = (data / HUAWEI).read_text().replace("country: china", f"country: ch{bad}ina")
    write(data, HUAWEI, text)
    assert [e for e in errors(data) if e.startswith("data/organization/huawei.yaml")] == [
        f"data/organization/huawei.yaml:5:12: error: [huawei] the file holds the control "
        f"character U+{ord(bad):04X} Fix: delete it (text may hold tabs and line breaks, but no "
        "other control characters; they corrupt the outputs and drive terminals)"]


def test_a_query_table_never_prints_a_raw_control_character(data):
    r = run(data, "query", "--sparql", 'SELECT ?x WHERE { BIND("a\\u001b]0;pwn\\u0007b" AS ?x) }',
            code=0)
    assert "a\\x1b]0;pwn\\x07b" in r.output and not CONTROL_RE.search(r.output)


# -- 9. a maintainer's trial: the CLI and its checks read a file the same way --------------
# (each case is the trial's own input)
TRIAL = "model/trial-y.yaml"


# 9.1 a YAML null is no value, for validate, fmt and edit alike
NULLS = [
    ("description: null\n", 5, "description is `null`", "`null` is no value: delete the line, "
     "or quote it ('null') if you mean the word"),
    ("description: ~\n", 5, "description is `~`", "`~` is no value"),
    ("aliases: [null, yes]\n", 5, "aliases is `null`", "quote it ('null')"),
    ("names: {zh: NULL}\n", 5, "names zh is `NULL`", "quote it ('NULL')"),
]


@pytest.mark.parametrize("line,at,message,fix", NULLS, ids=[n[0].strip() for n in NULLS])
def test_a_yaml_null_is_refused_by_validate_and_left_as_written_by_fmt(data, line, at,
                                                                          message, fix):
    text = ("id: trial-y\nname: Trial Y\nmodel_type: model\ndeveloper: deepseek\n" + line
            + "sources: [dw-2026-01-24-us-china-ai-race]\n")
    write(data, TRIAL, text)
    errs = errors(data)
    assert len(errs) == 1 and errs[0].startswith(f"data/{TRIAL}:{at}:")
    assert f"error: [trial-y] {message}, which YAML reads as no value" in errs[0]
    assert fix in errs[0]
    # kg fmt reads it as validate does (no value) and leaves it as written
    r = run(data, "fmt", "--check")
    assert "please report" not in r.output and "Traceback" not in r.output
    run(data, "fmt", str(data / TRIAL), code=0)
    after = (data / TRIAL).read_text()
    assert line.split(":")[0] + ":" in after and line.split(": ", 1)[1].replace(
        "yes", "'yes'") in after  # (`yes` quoted for YAML 1.1 readers; the null as written)
    assert [e.split(" error: ")[1] for e in errors(data)] == [errs[0].split(" error: ")[1]]
    run(data, "fmt", "--check", code=0)


def test_the_name_tilde_is_refused_and_an_edit_of_another_field_keeps_it(data):
    write(data, TRIAL, "id: trial-y\nname: ~\nmodel_type: model\ndeveloper: deepseek\n"
                "sources: [dw-2026-01-24-us-china-ai-race]\n")
    assert [e.split(" Fix:")[0] for e in errors(data)] == [
        f"data/{TRIAL}:2:7: error: [trial-y] name is `~`, which YAML reads as no value"]
    run(data, "edit", "trial-y", "--set", "name=~", code=0)  # the word, from the command line
    assert "name: '~'\n" in (data / TRIAL).read_text()
    assert errors(data) == []


# 9.2 no relation links an entity to itself
@pytest.mark.parametrize("relation", ["parent", "supplies", "partners", "invests_in"])
def test_kg_link_refuses_to_link_an_entity_to_itself_and_writes_nothing(data, relation):
    before = snapshot(data)
    r = run(data, "link", "deepseek", relation, "deepseek", "--source",
            "dw-2026-01-24-us-china-ai-race", code=1)
    assert (f"Error: kg link deepseek {relation} deepseek: an entity is not linked to itself"
            in r.output)
    assert snapshot(data) == before


def test_a_self_reference_is_a_validation_error_with_file_line_and_fix(data):
    run(data, "link", "deepseek-r1", "base_model", "deepseek-r1", "--source",
        "dw-2026-01-24-us-china-ai-race", code=1)
    write(data, TRIAL, "id: trial-y\nname: Trial Y\nmodel_type: model\ndeveloper: deepseek\n"
                       "base_model: trial-y\nsources: [dw-2026-01-24-us-china-ai-race]\n")
    assert errors(data) == [
        f"data/{TRIAL}:5:13: error: [trial-y] base_model 'trial-y' is the entity itself: no "
        "relation links an entity to itself Fix: name another entity, or delete the reference"]
    r = run(data, "edit", "deepseek", "--add", "partners=deepseek", "--source",
            "dw-2026-01-24-us-china-ai-race", code=1)
    assert "partners 'deepseek' is the entity itself" in r.output


# 9.3 kg edit writes what kg lint accepts; kg lint's fix for trailing spaces is what works
LONG = " ".join(["word"] * 2000)  # 9,999 characters: the trial's 10k description


def lint_errors(data):
    r = run(data, "lint", "--no-unchecked")
    return [line for line in r.output.splitlines() if ": error: " in line]


def set_description(path, written):
    path.write_text("\n".join(f"description: {written}" if line.startswith("description:")
                              else line for line in path.read_text().splitlines()) + "\n")


def test_a_long_description_set_by_kg_edit_is_one_line_that_lint_accepts(data):
    run(data, "edit", "deepseek", "--set", f"description={LONG}", code=0)
    text = (data / "organization/deepseek.yaml").read_text()
    assert f"description: {LONG}\n" in text
    assert not any(line != line.rstrip() for line in text.splitlines())
    assert lint_errors(data) == []
    run(data, "fmt", "--check", code=0)


def test_a_long_text_wrapped_with_trailing_spaces_is_unwrapped_by_fmt(data):
    path = data / "model/deepseek-r1.yaml"
    wrapped = " ".join(["word"] * 1000) + " \n  " + " ".join(["word"] * 1000)
    set_description(path, wrapped)
    assert "run `kg fmt`" in lint_errors(data)[0]
    run(data, "fmt", str(path), code=0)
    assert f"description: {LONG}\n" in path.read_text()
    assert lint_errors(data) == []


def test_trailing_spaces_inside_a_literal_block_are_not_sent_to_kg_fmt(data):
    path = data / "model/deepseek-r1.yaml"
    set_description(path, "|\n  A lab \n  in Hangzhou.")
    run(data, "fmt", str(path), code=0)  # canonical: the space is the text's
    [err] = lint_errors(data)
    assert "trailing whitespace" in err and "which `kg fmt` keeps as written" in err


# 9.4 a CRLF file: no stray CR survives kg fmt or kg edit; kg lint and kg fmt --check say so
CRLF = ("id: trial-y\r\nname: Trial Y\r\nmodel_type: model\r\ndeveloper: deepseek # c\r\n"
        "sources: [dw-2026-01-24-us-china-ai-race]\r\n")


def test_fmt_writes_a_crlf_file_with_an_inline_comment_with_lf_line_ends(data):
    write(data, TRIAL, CRLF)
    assert "would reformat data/model/trial-y.yaml" in run(data, "fmt", "--check", code=1).output
    assert [e for e in lint_errors(data) if "trial-y" in e] == [
        f"data/{TRIAL}:1: error: [trial-y] a carriage return (CR, as in Windows line ends) "
        "Fix: run `kg fmt`: it writes LF line ends"]
    run(data, "fmt", str(data / TRIAL), code=0)
    assert (data / TRIAL).read_bytes() == CRLF.replace("\r\n", "\n").encode()
    run(data, "fmt", "--check", code=0)
    assert lint_errors(data) == []


def test_an_edit_of_a_crlf_file_keeps_crlf_line_ends_and_adds_no_stray_cr(data):
    write(data, TRIAL, CRLF)
    run(data, "edit", "trial-y", "--set", "name=Trial Z", code=0)
    assert (data / TRIAL).read_bytes() == CRLF.replace("Trial Y", "Trial Z").encode()


# 9.5 an error names what is wrong: the value given, or the file with its line
@pytest.mark.parametrize("option,value", [("--set", "aliases=[a, b"),
                                          ("--add", "aliases=[a, {b: c}]")])
def test_a_list_value_that_does_not_parse_is_named_as_the_value_not_the_file(data, option,
                                                                            value):
    before = snapshot(data)
    r = run(data, "edit", "deepseek", option, value, code=1)
    assert r.output.startswith(f"Error: {option} {value}: the value is not a list of plain "
                               "values: write it as [a, b]")
    assert "not valid YAML" not in r.output and "fix it by hand" not in r.output
    assert snapshot(data) == before


def test_an_edit_of_a_file_with_a_duplicate_key_names_its_path_and_line_as_validate(data):
    write(data, TRIAL, "id: trial-y\nname: Trial Y\nname: Trial Z\nmodel_type: model\n"
                       "developer: deepseek\nsources: [dw-2026-01-24-us-china-ai-race]\n")
    before = snapshot(data)
    r = run(data, "edit", "trial-y", "--set", "description=x", code=1)
    said = errors(data)[0]
    assert said.startswith(f"data/{TRIAL}:3:1: error: [trial-y] duplicate key 'name'")
    assert r.output.splitlines() == [
        said, f"Error: kg edit trial-y: nothing was written (fix data/{TRIAL} by hand first)."]
    assert snapshot(data) == before


# 9.6 a name that gives no id is told so, not "give a name" or "is not an id"
@pytest.mark.parametrize("name,why", [
    ("🤖🤖", "it has no Latin letters or digits"),
    ("محمد", "it has no Latin letters or digits"),
    ("محمد AI", "it gives 'محمد-ai'"),
])
def test_kg_add_says_no_id_can_be_derived_from_the_name_and_to_pass_id(data, name, why):
    before = snapshot(data)
    args = ["add", "model", "--name", name, "--model-type", "model", "--developer", "deepseek",
            "--source", "dw-2026-01-24-us-china-ai-race", "--no-input"]
    r = run(data, *args, code=1)
    assert r.output == (f"Error: no id can be derived from the name '{name}' ({why}): pass "
                        "--id with one (lower-case Latin letters, digits and hyphens, e.g. "
                        "--id deepseek-r1)\n")
    assert snapshot(data) == before
    run(data, *args, "--id", "trial-y", code=0)
    assert f"name: {name}\n" in (data / TRIAL).read_text()


# 9.7 lint and odd characters: a joiner inside an emoji is text; a tab in a name is refused
def test_lint_leaves_a_zero_width_joiner_inside_an_emoji_and_flags_a_stray_one(data):
    run(data, "edit", "deepseek-r1", "--set", "description=A family: 👩\u200d👩\u200d👧.",
        "--set", "name=Deep\u200dSeek-R1", code=0)
    r = run(data, "lint", "--no-unchecked")
    said = [line for line in r.output.splitlines() if "invisible character" in line]
    assert said == ["data/model/deepseek-r1.yaml:3: warning: [deepseek-r1] name contains an "
                    "invisible character (U+200D) Fix: delete it or replace it with a plain "
                    "space"]


def test_a_tab_in_a_name_is_refused_at_kg_add_and_by_validate(data):
    before = snapshot(data)
    r = run(data, "add", "model", "--name", "Trial\ttab", "--id", "trial-y", "--model-type",
            "model", "--developer", "deepseek", "--source", "dw-2026-01-24-us-china-ai-race",
            "--no-input", code=1)
    assert ("data/model/trial-y.yaml:2: error: [trial-y] name holds a tab at position 6: "
            "'Trial\ttab' Fix: replace it with a space") in r.output
    assert snapshot(data) == before
    write(data, TRIAL, 'id: trial-y\nname: "Trial\\ttab"\nmodel_type: model\n'
                       "developer: deepseek\nsources: [dw-2026-01-24-us-china-ai-race]\n")
    assert [e.split(" Fix:")[0] for e in errors(data)] == [
        f"data/{TRIAL}:2: error: [trial-y] name holds a tab at position 6: 'Trial\ttab'"]


# 9.8 a number is digits only, as the fix says
@pytest.mark.parametrize("written,message", [
    ("1_000", "parameters '1_000' is not a whole number"),
    ("+5", "parameters '+5' is not a whole number"),
    ("017", "parameters '017' is not a whole number"),
    ('"1000"', "parameters '1000' is quoted: a number is written without quotes"),
])
def test_an_integer_is_digits_only_as_its_fix_says(data, written, message):
    write(data, TRIAL, f"id: trial-y\nname: Trial Y\nmodel_type: model\ndeveloper: deepseek\n"
                       f"parameters: {written}\nsources: [dw-2026-01-24-us-china-ai-race]\n")
    assert [e.split(" Fix: ")[0] for e in errors(data)] == [
        f"data/{TRIAL}:5: error: [trial-y] {message}"]
    assert "digits only" in errors(data)[0]


@pytest.mark.parametrize("written", ["1_000", "+5", "017", "1e3"])
def test_kg_edit_refuses_a_number_not_written_as_digits(data, written):
    before = snapshot(data)
    r = run(data, "edit", "deepseek-r1", "--set", f"parameters={written}", code=1)
    assert f"parameters '{written}' is not a whole number" in r.output
    assert snapshot(data) == before


@pytest.mark.parametrize("written,ok", [("0.6", True), ("2.5e24", True), ("-3", True),
                                        ("1_000", False), ("+5", False), ("007", False),
                                        ("5.", False), ('"450000"', False)])
def test_a_figure_is_written_as_the_fix_says(data, written, ok):
    path = data / "claim/ascend-910c-output-2025.yaml"
    path.write_text(path.read_text().replace("value: 450000", f"value: {written}"))
    assert (errors(data) == []) is ok
