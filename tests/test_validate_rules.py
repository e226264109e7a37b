"""One test per validation rule: the message names the file, the line, the entity and the fix."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg import check
from kg.cli import main
from kg.core.schema import load_schema
from kg.data.validate import validate_dir


def issues_of(data, rule=None):
    result = validate_dir(data)
    return [i for i in result.issues if rule is None or i.rule == rule], result


MODEL_OK = """
    id: deepseek-r1
    name: DeepSeek-R1
    model_type: model
    developer: deepseek
    sources: [src-a]
"""

LONG_ID = "t" * 121
CASES = [
    pytest.param(
        {"model/deepseek-r1.yaml": "id: deepseek-r1\nname: [DeepSeek-R1\nmodel_type: model\n"},
        "yaml-syntax", "data/model/deepseek-r1.yaml", 3, "YAML syntax error", "correct the YAML",
        id="yaml-syntax"),
    pytest.param(
        {"modle/deepseek-r1.yaml": MODEL_OK},
        "unknown-kind", "data/modle/deepseek-r1.yaml", 1,
        "unknown kind: folder 'modle' (did you mean 'model'?)", "move it to data/<kind>/",
        id="unknown-kind"),
    pytest.param(
        {"model/deepseek-r1.yaml": "id: deepseek-r1\nname: DeepSeek-R1\nsources: [src-a]\n"},
        "missing-field", "data/model/deepseek-r1.yaml", 1,
        "missing required field 'model_type'", "add `model_type: model`", id="missing-field"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    developr: deepseek\n"},
        "unknown-field", "data/model/deepseek-r1.yaml", 6,
        "unknown field 'developr' for an AI model (did you mean 'developer'?)", "use one of:",
        id="unknown-field"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK.replace("model_type: model", "model_type: [model]")},
        "wrong-type", "data/model/deepseek-r1.yaml", 3,
        "model_type must be one of the model type values, not a list",
        "write `model_type: model`", id="wrong-type"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    parameters: [671]\n"},
        "wrong-type", "data/model/deepseek-r1.yaml", 6,
        "parameters takes one value; a list is only for competing statements",
        "write `parameters: 671000000000`", id="single-fact-given-a-list"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    released: 2025-13\n"},
        "bad-date", "data/model/deepseek-r1.yaml", 6,
        "released '2025-13' is not a valid date: month 13 is not 01 to 12",
        "2025, 2025-12 or 2025-12-08", id="bad-date"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    released: 2025-02-30\n"},
        "bad-date", "data/model/deepseek-r1.yaml", 6,
        "released '2025-02-30' is not a valid date", "at the precision the source gives",
        id="bad-date-day"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    weights: opne\n"},
        "bad-enum", "data/model/deepseek-r1.yaml", 6,
        "weights 'opne' is not one of: open, closed, mixed (did you mean 'open'?)",
        "use one of the weights access values", id="bad-enum"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    parameters: 671B\n"},
        "bad-number", "data/model/deepseek-r1.yaml", 6,
        "parameters '671B' is not a whole number", "write digits only", id="bad-number"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    url: www.deepseek.com\n"},
        "bad-url", "data/model/deepseek-r1.yaml", 6,
        "url 'www.deepseek.com' is not an http(s) URL",
        "leave the field out if you do not know it exactly", id="bad-url"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK.replace("developer: deepseek",
                                                    "developer: deepseek-ai")},
        "unknown-ref", "data/model/deepseek-r1.yaml", 4,
        "developer 'deepseek-ai' is not a known id (did you mean 'deepseek'?)",
        "create that entity first (`kg add`) or correct the id", id="unknown-ref"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK.replace("developer: deepseek", "developer: china")},
        "wrong-ref-kind", "data/model/deepseek-r1.yaml", 4,
        "developer 'china' is a country, but must be an organization",
        "point it at an entity of the right kind", id="wrong-ref-kind"),
    pytest.param(
        {"organization/deepseek-copy.yaml": None,
         "model/deepseek.yaml": "id: deepseek\nname: DeepSeek\nmodel_type: family\n"
                                "sources: [src-a]\n"},
        "duplicate-id", "data/organization/deepseek.yaml", 1,
        "duplicate id 'deepseek': already used by data/model/deepseek.yaml:1",
        "give one of these entities another id (its `id:` and its file's name together; "
        "`kg rename` cannot tell the two apart while they share one), then, if the two are "
        "the same thing, fold them with `kg merge`", id="duplicate-id"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK, "model/deepseek-r1-copy.yaml": MODEL_OK},
        "duplicate-id", "data/model/deepseek-r1-copy.yaml", 1,
        "duplicate id 'deepseek-r1': already used by data/model/deepseek-r1.yaml:1",
        "give this entity another id: `id: deepseek-r1-copy` to match its file name, or "
        "another one and name its file after it (do not rename the file to "
        "deepseek-r1.yaml: that would overwrite the other entity); then, if the two are "
        "the same thing, fold them with `kg merge deepseek-r1-copy deepseek-r1`",
        id="id-of-another-entity"),
    pytest.param(
        {"model/deepseek-r1.yaml": "id: deepseek-r1\nname: DeepSeek-R1\nmodel_type: model\n"
                                   "developer: deepseek\n"},
        "no-source", "data/model/deepseek-r1.yaml", 4,
        "fact 'developer: deepseek' has no source",
        "give it `sources: [...]` in long form", id="fact-without-source"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK.replace("[src-a]", "[src-b]")},
        "unknown-source", "data/model/deepseek-r1.yaml", 5,
        "sources 'src-b' is not a known source (did you mean 'src-a'?)",
        "add it under data/source/ (`kg source add`)", id="unknown-source"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK.replace("[src-a]", "[china]")},
        "unknown-source", "data/model/deepseek-r1.yaml", 5,
        "sources 'china' is a country, but must be a source", "right kind",
        id="source-of-wrong-kind"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK.replace("id: deepseek-r1", "id: deepseek-r2")},
        "id-mismatch", "data/model/deepseek-r1.yaml", 1,
        "id 'deepseek-r2' does not match the file name 'deepseek-r1.yaml'",
        "rename the file to deepseek-r2.yaml", id="id-mismatch"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    model_type: family\n"},
        "duplicate-key", "data/model/deepseek-r1.yaml", 6,
        "duplicate key 'model_type' (first at line 3)", "keep one 'model_type:' line",
        id="duplicate-key"),
    pytest.param(
        {"chip/nvidia-h200.yaml": """
            id: nvidia-h200
            name: NVIDIA H200
            chip_type: gpu
            export_status:
              - value: banned
                from: 2025-12
                to: 2025-01
            sources: [src-a]
        """},
        "date-order", "data/chip/nvidia-h200.yaml", 5,
        "export_status holds from 2025-12 to 2025-01: the end comes before the start",
        "swap `from` and `to`", id="date-order"),
    pytest.param(
        {"tombstone/deepseek-ai.yaml": "id: deepseek-ai\nname: DeepSeek AI\n"
                                       "replaced_by: deepseek\ndate: 2026-11-01\n",
         "model/deepseek-r1.yaml": MODEL_OK.replace("developer: deepseek",
                                                    "developer: deepseek-ai")},
        "tombstone-ref", "data/model/deepseek-r1.yaml", 4,
        "developer 'deepseek-ai' was replaced", "use 'deepseek' instead", id="tombstone-ref"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    aliases: &a [R1]\n    description: *a\n"},
        "yaml-alias", "data/model/deepseek-r1.yaml", 6,
        "YAML anchors and aliases (&name / *name) are not allowed", "write the value out in full",
        id="yaml-alias"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    description: " + "[" * 60 + "]" * 60 + "\n"},
        "yaml-depth", "data/model/deepseek-r1.yaml", 6,
        "nested more than 50 levels deep", "flatten the structure", id="yaml-depth"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK.replace("developer: deepseek", """developer:
      - value: deepseek
      - value: deepseek
        sources: [src-a]""")},
        "duplicate-fact", "data/model/deepseek-r1.yaml", 6,
        "developer 'deepseek' is given twice (also at line 5)",
        "list all its sources in its `sources`", id="duplicate-fact"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    checked: {by: Jane Doe}\n"},
        "bad-check", "data/model/deepseek-r1.yaml", 6,
        "checked must say who checked it and when", "(or run `kg verify`)", id="bad-check"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK.replace("id: deepseek-r1", "id: DeepSeek_R1")},
        "bad-id", "data/model/deepseek-r1.yaml", 1,
        "id 'DeepSeek_R1' is not a slug", "lower-case words joined by hyphens",
        id="bad-id"),
    pytest.param(  # at most 120 characters: an id names files (a trial: 300 crashed kg)
        {f"model/{LONG_ID}.yaml": MODEL_OK.replace("id: deepseek-r1", f"id: {LONG_ID}")},
        "bad-id", f"data/model/{LONG_ID}.yaml", 1,
        f"id '{LONG_ID}' is not a slug",
        "ids are lower-case words joined by hyphens, at most 120 characters, e.g. deepseek-r1",
        id="bad-id-too-long"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK.replace("developer: deepseek",
                                                    f"developer: {LONG_ID}")},
        "bad-ref", "data/model/deepseek-r1.yaml", 4,
        f"developer '{LONG_ID}' is not an id", "at most 120 characters", id="bad-ref-too-long"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    names: {Chinese: 深度求索}\n"},
        "bad-language", "data/model/deepseek-r1.yaml", 6,
        "'Chinese' in names is not a language tag", "use a BCP 47 tag such as zh",
        id="bad-language"),
    pytest.param(  # (a trial: `--url 'http://exa mple.invalid/'` wrote exa%20mple.invalid)
        {"model/deepseek-r1.yaml": MODEL_OK + "    url: http://exa%20mple.invalid/\n"},
        "bad-url", "data/model/deepseek-r1.yaml", 6,
        "url 'http://exa%20mple.invalid/': its host 'exa%20mple.invalid' is not a valid host "
        "name (letters, digits and hyphens between dots)",
        "write the address as the browser's address bar shows it", id="bad-url-host"),
    pytest.param(  # (a trial: `kg edit X --set names.zh=` gave the graph ""@zh)
        {"model/deepseek-r1.yaml": MODEL_OK + "    names: {zh: ''}\n"},
        "empty-value", "data/model/deepseek-r1.yaml", 6, "names zh is empty",
        "give the name in zh, or delete the line", id="empty-name-in"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    names: {zh: '  '}\n"},
        "empty-value", "data/model/deepseek-r1.yaml", 6, "names zh is only spaces",
        "give the name in zh, or delete the line", id="blank-name-in"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    wikidata: 12345\n"},
        "bad-pattern", "data/model/deepseek-r1.yaml", 6,
        "wikidata '12345' does not match the pattern ^Q[0-9]+$", "write it like `wikidata:",
        id="bad-pattern"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK.replace("developer: deepseek",
                                                    "developer: DeepSeek AI")},
        "bad-ref", "data/model/deepseek-r1.yaml", 4,
        "developer 'DeepSeek AI' is not an id", "ids are lower-case words joined by hyphens",
        id="bad-ref"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    description:\n"},
        "empty-value", "data/model/deepseek-r1.yaml", 6,
        "description is empty", "give description a value or delete the line",
        id="empty-value"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    description: null\n"},
        "null-value", "data/model/deepseek-r1.yaml", 6,
        "description is `null`, which YAML reads as no value",
        "delete the line, or quote it ('null') if you mean the word", id="null-value"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    base_model: deepseek-r1\n"},
        "self-ref", "data/model/deepseek-r1.yaml", 6,
        "base_model 'deepseek-r1' is the entity itself", "name another entity", id="self-ref"),
    pytest.param(
        {"model/deepseek-r1.yaml": "- id: deepseek-r1\n- name: DeepSeek-R1\n"},
        "not-a-mapping", "data/model/deepseek-r1.yaml", 1,
        "the file must hold one mapping of fields", "start the file with `id: ...`",
        id="not-a-mapping"),
    pytest.param(
        {"model/deepseek-r1.yaml": ""},
        "empty-file", "data/model/deepseek-r1.yaml", 1, "the file is empty", "delete the file",
        id="empty-file"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK + "    names: {zh: [深度求索]}\n"},
        "wrong-type", "data/model/deepseek-r1.yaml", 6, "names zh must be a name",
        "write `zh: <name>`", id="langmap-value"),
    pytest.param(
        {"model/deepseek-r1.yaml": MODEL_OK.replace("developer: deepseek", """developer:
      - value: deepseek
        sorces: [src-a]""")},
        "unknown-field", "data/model/deepseek-r1.yaml", 6,
        "'sorces' is not a key of a developer statement (did you mean 'sources'?)",
        "use only: value, sources", id="unknown-statement-key"),
]


@pytest.mark.parametrize("files, rule, path, line, message, fix", CASES)
def test_rule(make_data, files, rule, path, line, message, fix):
    data = make_data(files)
    found, _ = issues_of(data, rule)
    assert found, f"no {rule} issue; got {[i.format() for i in issues_of(data)[0]]}"
    issue = ([i for i in found if message in i.message] or found)[0]
    assert issue.path == path
    assert issue.line == line, issue.format()
    assert message in issue.message, issue.format()
    assert fix in issue.fix, issue.format()
    text = issue.format()
    assert text.startswith(f"{path}:{line}")
    assert "Fix: " in text


def test_an_id_of_another_entity_is_never_told_to_take_its_file_name(make_data):
    """A copied file keeping the original's id: renaming it after its id would overwrite
    the original, so the error is a duplicate id, and no id-mismatch advice is given."""
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK,
                      "model/deepseek-r1-copy.yaml": MODEL_OK})
    found, result = issues_of(data)
    assert [(i.path, i.rule) for i in found if i.level == "error"] == [
        ("data/model/deepseek-r1-copy.yaml", "duplicate-id")]
    assert "do not rename the file to deepseek-r1.yaml" in found[0].fix
    assert list(result.entities).count("deepseek-r1") == 1


def test_a_file_in_no_kind_folder_named_as_another_entity_is_warned_before_moving(make_data):
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK, "modle/deepseek-r1.yaml": MODEL_OK})
    found, _ = issues_of(data, "unknown-kind")
    assert found[0].fix == (
        "move it to data/<kind>/ with kind one of: " + ", ".join(load_schema().kinds)
        + " (but data/model/deepseek-r1.yaml already has the id 'deepseek-r1': give this "
        "entity another id first, its `id:` and its file's name together)")


def test_duplicate_id_names_both_places(make_data):
    data = make_data({"model/deepseek.yaml": "id: deepseek\nname: DeepSeek\nmodel_type: family\n"
                                             "sources: [src-a]\n"})
    found, _ = issues_of(data, "duplicate-id")
    text = found[0].format()
    assert "data/model/deepseek.yaml" in text and "data/organization/deepseek.yaml" in text


def test_a_duplicate_id_across_kinds_is_told_in_both_files_and_nowhere_else(make_data):
    """A maintainer's trial: a new model/zhipu-ai.yaml (id zhipu-ai, as the organisation)
    gave 9 errors: the duplicate stood in the untouched organisation's file alone (model/
    sorts first), and eight models that name it as developer were told it "is a model,
    but must be an organization"."""
    data = make_data({"model/deepseek.yaml": "id: deepseek\nname: DeepSeek\nmodel_type: family\n"
                                             "sources: [src-a]\n",
                      "model/deepseek-r1.yaml": MODEL_OK})  # developer: deepseek
    found, _ = issues_of(data)
    errors = [i for i in found if i.level == "error"]
    assert [(i.path, i.rule) for i in errors] == [
        ("data/model/deepseek.yaml", "duplicate-id"),
        ("data/organization/deepseek.yaml", "duplicate-id")]
    assert [i.message for i in errors] == [
        "duplicate id 'deepseek': also used by data/organization/deepseek.yaml:1",
        "duplicate id 'deepseek': already used by data/model/deepseek.yaml:1"]
    assert not any("must be an organization" in i.message for i in found)


def test_every_problem_reported_at_once_sorted(make_data):
    data = make_data({
        "model/a-model.yaml": "id: a-model\nname: A\nmodel_type: modle\nsources: [src-a]\n",
        "model/b-model.yaml": "id: b-model\nname: B\nmodel_type: model\nreleased: 2025-99\n"
                              "sources: [src-a]\n",
        "chip/c-chip.yaml": "id: c-chip\nname: C\n",
    })
    found, result = issues_of(data)
    assert not result.ok
    where = [(i.path, i.line) for i in found]
    assert where == sorted(where)
    assert {i.rule for i in found} >= {"bad-enum", "bad-date", "missing-field", "no-source"}
    assert {i.path for i in found} == {"data/model/a-model.yaml", "data/model/b-model.yaml",
                                       "data/chip/c-chip.yaml"}


def test_yaml_quirks_are_not_guessed(make_data):
    """PyYAML would read NO as False and 3.10 as 3.1; we keep the text."""
    data = make_data({"country/norway.yaml": "id: norway\nname: Norway\niso_code: NO\n"
                                             "sources: [src-a]\n",
                      "model/v310.yaml": "id: v310\nname: 3.10\nmodel_type: model\n"
                                         "sources: [src-a]\n"})
    result = validate_dir(data)
    assert result.ok, [i.format() for i in result.issues]
    assert result.entities["norway"].first("iso_code") == "NO"
    assert result.entities["v310"].name == "3.10"


def test_statement_keys_are_checked_like_fields(make_data):
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK.replace("developer: deepseek", """developer:
      - value: deepseek
        confidence: sure""")})
    found, _ = issues_of(data, "bad-enum")
    assert "confidence of developer 'sure' is not one of: confident, likely" in found[0].message


def test_clean_data_passes_all_tiers(make_data):
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    result, ds = check(data, shacl=True)
    assert result.ok and not result.issues, [i.format() for i in result.issues]
    assert set(result.entities) == {"src-a", "china", "deepseek", "deepseek-r1"}


def test_shacl_violation_is_mapped_to_file_line_and_entity(make_data):
    """A shape the structural tiers do not know about: SHACL's report comes back with file and line."""
    from rdflib import Graph

    from kg.rdf.shapes import shacl_issues

    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    result, ds = check(data, shacl=False)
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix kgo: <https://w3id.org/ai-race-kg/ontology#> .
        kgo:needsHq a sh:NodeShape ; sh:targetClass kgo:Organization ;
            sh:property [ sh:path kgo:headquarters ; sh:minCount 1 ;
                          sh:message "an organisation needs a headquarters" ] .
    """, format="turtle")
    found = shacl_issues(ds, shapes=shapes, entities=result.entities)
    assert len(found) == 1
    issue = found[0]
    assert (issue.path, issue.entity, issue.rule) == ("data/organization/deepseek.yaml",
                                                      "deepseek", "shacl")
    assert issue.line == 1
    assert "an organisation needs a headquarters" in issue.message


def test_kg_validate_cli_reports_and_exits_1_without_traceback(make_data):
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK.replace("developer: deepseek",
                                                                 "developer: deepseek-ai")})
    result = CliRunner().invoke(main, ["validate", "--data", str(data), "--no-shacl"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert ("data/model/deepseek-r1.yaml:4: error: [deepseek-r1] developer 'deepseek-ai' is not "
            "a known id (did you mean 'deepseek'?)") in result.output
    assert "1 error(s)" in result.output


def test_kg_validate_cli_ok(make_data):
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "OK: 4 entities valid." in result.output


def test_kg_build_cli_bad_data_is_a_message_not_a_traceback(make_data, tmp_path):
    data = make_data({"model/deepseek-r1.yaml": "id: deepseek-r1\nname: [oops\n"})
    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out",
                                       str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert ("data/model/deepseek-r1.yaml:3:1: error: [deepseek-r1] YAML syntax error: did not find expected ',' "
            "or ']' (while parsing a flow sequence that starts at line 2)") in result.output
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_missing_data_folder(tmp_path):
    result = CliRunner().invoke(main, ["validate", "--data", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "the data folder does not exist" in result.output


def test_a_file_that_is_not_utf8_is_named(make_data):
    data = make_data()
    (data / "model").mkdir()
    (data / "model" / "bad.yaml").write_bytes("id: bad\nname: caf\u00e9\n".encode("latin-1"))
    found, _ = issues_of(data, "encoding")
    # the line and column of the bad byte, and the entity (a fresh-user review: it said
    # line 1, whichever line the byte was on)
    assert found[0].format() == (
        "data/model/bad.yaml:2:10: error: [bad] the file is not UTF-8 (invalid continuation "
        "byte: byte 0xe9 at byte 17 of the file) Fix: save the file as UTF-8 (a byte such as "
        "0xe9 is usually Latin-1 or Windows-1252 text: convert it, e.g. iconv -f windows-1252 "
        "-t utf-8)")
    (data / "model" / "bad.yaml").write_bytes(b"\xff\xfeid: bad\n")  # a UTF-16 mark, say
    found, _ = issues_of(data, "encoding")
    assert (found[0].line, found[0].column) == (1, 1)


def test_a_reference_to_an_unreadable_file_says_to_fix_that_file_not_to_create_it(make_data):
    """A fresh-user review: a YAML slip in organization/deepseek.yaml also told every file
    citing deepseek "'deepseek' is not a known id ... Fix: create that entity first
    (`kg add`)", though it exists: creating it would make a duplicate."""
    data = make_data({"organization/deepseek.yaml": "id: deepseek\nname: [DeepSeek\n",
                      "model/deepseek-r1.yaml": MODEL_OK,
                      "source/src-a.yaml": "\t"})
    found, _ = issues_of(data, "unknown-ref")
    assert [i.format() for i in found] == [
        "data/model/deepseek-r1.yaml:4: error: [deepseek-r1] developer 'deepseek' is the "
        "entity of data/organization/deepseek.yaml, which could not be read Fix: fix that "
        "file first (its own errors say how); this reference then resolves"]
    found, _ = issues_of(data, "unknown-source")
    assert {i.format() for i in found} == {
        f"data/{rel}: error: [{who}] sources 'src-a' is the entity of data/source/src-a.yaml, "
        "which could not be read Fix: fix that file first (its own errors say how); this "
        "reference then resolves" for rel, who in (("country/china.yaml:4", "china"),
                                                   ("model/deepseek-r1.yaml:5", "deepseek-r1"))}
    # an id with no file at all is still told to create it
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK.replace("developer: deepseek",
                                                                 "developer: deepseak")})
    found, _ = issues_of(data, "unknown-ref")
    assert found[0].fix == "create that entity first (`kg add`) or correct the id"


def test_a_file_in_another_kinds_folder_is_told_where_it_belongs(make_data):
    """A fresh-user review: a model's file moved into data/chip/ got "missing required field
    'chip_type' Fix: add `chip_type: gpu`" and "unknown field 'developer' for a chip Fix:
    use one of: ..." and no word that it is a model in the wrong folder."""
    data = make_data({"chip/deepseek-r1.yaml": MODEL_OK})
    found, _ = issues_of(data)
    hint = (" (its fields are those of an AI model: if it is one, move the file to "
            "data/model/deepseek-r1.yaml)")
    assert [(i.line, i.rule, i.fix.endswith(hint)) for i in found] == [
        (1, "missing-field", True), (3, "unknown-field", True), (4, "unknown-field", True)]
    assert found[0].fix == "add `chip_type: gpu`" + hint
    # a misspelt field is not a file in the wrong folder
    (data / "chip" / "deepseek-r1.yaml").unlink()
    found, _ = issues_of(make_data({"model/deepseek-r1.yaml": MODEL_OK + "    developr: x\n"}))
    assert [i.fix.endswith(")") for i in found if i.rule == "unknown-field"] == [False]


def test_a_file_that_cannot_be_read_names_its_entity(make_data):
    """A fresh-user review: `kg validate` lines are `file:line: error: [entity] what. Fix:
    how`, but a file that could not be read (YAML syntax, empty, not a mapping, a tag)
    named no entity; it is the one its file name says."""
    data = make_data({"model/a-syntax.yaml": "id: a-syntax\nname: [A\n",
                      "model/b-empty.yaml": "",
                      "model/c-list.yaml": "- id: c-list\n",
                      "model/d-tag.yaml": "id: d-tag\nname: !!binary aGk=\n"})
    found, _ = issues_of(data)
    assert sorted((i.path, i.entity, i.rule) for i in found) == [
        ("data/model/a-syntax.yaml", "a-syntax", "yaml-syntax"),
        ("data/model/b-empty.yaml", "b-empty", "empty-file"),
        ("data/model/c-list.yaml", "c-list", "not-a-mapping"),
        ("data/model/d-tag.yaml", "d-tag", "yaml-tag")]


def test_bool_fields_take_only_true_or_false():
    """No kind has a bool field yet; the type is declared, so its rule is tested directly."""
    from pathlib import Path

    from kg.core.schema import Field, load_schema
    from kg.data.loader import Record, parse_text
    from kg.data.validate import _FileChecker

    data, _ = parse_text("id: x\nfrontier: yes\n", "data/model/x.yaml")
    record = Record(Path("x.yaml"), "data/model/x.yaml", "model", "x", data)
    issues: list = []
    checker = _FileChecker(load_schema(), record, issues, [])
    field = Field("frontier", "bool", "frontier", "Whether it is a frontier model.")
    ok, _ = checker.scalar(field, data["frontier"], "frontier")
    assert not ok
    assert (issues[0].rule, issues[0].line) == ("bad-bool", 2)
    assert issues[0].message == "frontier 'yes' is not true or false"
    assert issues[0].fix == "write `frontier: true` or `frontier: false`"
    assert checker.scalar(field, parse_text("v: true\n", "t")[0]["v"], "frontier") == (True, True)


def test_a_tab_and_a_duplicate_key_are_named_with_their_entity():
    """A maintainer's trial: a tab in the indentation gave "found character that cannot
    start any token" without saying it was a tab, and a duplicate key's error was the only
    one without the [entity] every other error has."""
    from kg.data.loader import parse_text

    _, (issue,) = parse_text("id: x\nname: X\nsources:\n\t- a\n", "data/model/x.yaml")
    assert issue.format() == (
        "data/model/x.yaml:4:1: error: [x] YAML syntax error: found character that cannot "
        "start any token (a tab) Fix: indent with spaces: YAML does not allow tabs for "
        "indentation")
    _, (issue,) = parse_text("id: x\nname: X\nname: Y\n", "data/model/x.yaml")
    assert issue.format().startswith(
        "data/model/x.yaml:3:1: error: [x] duplicate key 'name' (first at line 2)")
