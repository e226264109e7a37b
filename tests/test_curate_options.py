"""Options are validated and either applied or refused, never ignored; a change writes a
minimal diff; suggestions point at what exists."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from curate_support import ENV, copy_fixture, kg, read, snapshot

from kg.cli import main

DW = "dw-2026-01-24-us-china-ai-race"
PAPER = "deepseek-2024-12-v3-technical-report"


@pytest.fixture
def data(tmp_path):
    return copy_fixture(tmp_path)


# -- 10. link options --------------------------------------------------------------------------
@pytest.mark.parametrize("option,value,message", [
    ("--as-of", "2025-02-30", "--as-of '2025-02-30' is not a valid date: day 30 is not 01 to 28 "
                              "(February 2025 has 28 days)"),
    ("--as-of", "yesterday", "--as-of 'yesterday' is not a valid date"),
    ("--from", "2025-13", "--from '2025-13' is not a valid date"),
])
def test_link_refuses_an_invalid_date_on_a_new_or_an_existing_link(data, option, value, message):
    before = snapshot(data)
    subject, obj = ("ren-zhengfei", "huawei") if option == "--from" else ("deepseek-r1",
                                                                           "deepseek")
    relation = "affiliation" if option == "--from" else "developer"
    r = kg(data, "link", subject, relation, obj, "--source", PAPER, option, value, code=1)
    assert f"Error: {message}" in r.output
    assert snapshot(data) == before


def test_link_applies_as_of_and_note_to_an_existing_link(data):
    r = kg(data, "link", "deepseek-r1", "developer", "deepseek", "--source", PAPER,
           "--as-of", "2025-07", "--note", "hello")
    assert r.output == ("wrote data/model/deepseek-r1.yaml\nnote: deepseek-r1 developer deepseek "
                        "was already there: added its source, set as_of 2025-07, set note hello\n")
    assert ("developer:\n  - value: deepseek\n    as_of: 2025-07\n    sources: "
            f"[bitbiased-2026-12-dimensions, {PAPER}]\n    note: hello\n") in \
        read(data, "model/deepseek-r1.yaml")
    r = kg(data, "link", "deepseek-r1", "developer", "deepseek", "--source", PAPER,
           "--as-of", "2025-08", code=1)
    assert r.output == ("Error: deepseek-r1 developer deepseek is already there with as_of "
                        "2025-07, not 2025-08: change it with `kg edit`, or leave out --as-of\n")
    r = kg(data, "link", "deepseek-r1", "developer", "deepseek", "--source", PAPER, code=1)
    assert r.output == ("Error: deepseek-r1 developer deepseek is already there with these "
                        "sources and values\n")


def test_link_says_what_it_set_on_a_link_already_in_long_form(data):
    """A maintainer's trial: `kg link ... --note "role: CEO"` on a long-form link printed
    "was already there: " and nothing after it, though it had set the note."""
    r = kg(data, "link", "ren-zhengfei", "affiliation", "huawei-technologies-co", "--source",
           "huawei-annual-report-2024", "--note", "role: founder")
    assert r.output == ("wrote data/person/ren-zhengfei.yaml\nnote: ren-zhengfei affiliation "
                        "huawei-technologies-co was already there: set note role: founder\n")
    assert "    note: 'role: founder'\n" in read(data, "person/ren-zhengfei.yaml")


def test_link_again_on_a_single_valued_relation_keeps_its_sources(data):
    before = read(data, "model/deepseek-r1.yaml")
    assert "base_model: deepseek-v3\n" in before
    kg(data, "link", "deepseek-r1", "base_model", "deepseek-v3", "--source", PAPER)
    assert ("base_model:\n  value: deepseek-v3\n  sources: [bitbiased-2026-12-dimensions, "
            f"{PAPER}]\n") in read(data, "model/deepseek-r1.yaml")


def test_edit_refuses_a_source_that_applies_to_nothing(data):
    r = kg(data, "edit", "huawei", "--set", "url=https://www.huawei.com/", "--source", DW, code=1)
    assert r.output == ("Error: --source cites a source for the facts you --set or --add, but "
                        "url is a plain field (the entity's sources cover it; add one "
                        "with --add sources=ID)\n")


@pytest.mark.parametrize("args,code,message", [
    (["unchecked", "--limit", "-1"], 2, "Invalid value for '--limit': -1 is not in the range x>=0"),
    (["find", "huawei", "--kind", "compny"], 2, "Invalid value for '--kind': 'compny' is not one"),
    (["verify", "huawei", "--value", "x", "--by", "J"], 1,
     "Error: --value picks a statement of a field: name the field (kg verify huawei FIELD "
     "--value x)"),
])
def test_other_options_are_refused_not_ignored(data, args, code, message):
    r = kg(data, *args, code=code)
    assert message in r.output


# -- 12. the smaller ones ----------------------------------------------------------------------
def test_rename_onto_a_taken_id_suggests_what_rename_can_do(data):
    r = kg(data, "rename", "huawei", "smic", code=1)
    assert r.output == ("Error: id 'smic' is taken (data/organization/smic.yaml); choose another "
                        "new id (`kg rename huawei NEW`), or merge the two (`kg merge huawei "
                        "smic`) if they are one entity\n")
    assert "--id" not in r.output


def test_an_unknown_source_suggests_only_sources(data):
    r = kg(data, "link", "deepseek-r1", "developer", "deepseek", "--source", "deepseek-v3",
           code=1)
    assert r.output.startswith("Error: 'deepseek-v3' is a model, not a source")
    r = kg(data, "link", "deepseek-r1", "developer", "deepseek", "--source",
           "huawei-annual-report-2025", code=1)
    assert r.output.startswith("Error: 'huawei-annual-report-2025' is not a known source (did "
                               "you mean 'huawei-annual-report-2024'?)")
    r = kg(data, "edit", "deepseek-r1", "--set", "released=2025", "--source", "deepseek", code=1)
    assert r.output.startswith("Error: 'deepseek' is an organization, not a source")


@pytest.mark.parametrize("bom,eol", [(True, "\n"), (False, "\r\n"), (True, "\r\n")])
def test_edit_of_one_field_keeps_a_bom_and_crlf_a_one_line_diff(data, bom, eol):
    path = data / "organization/huawei.yaml"
    text = read(data, "organization/huawei.yaml")
    raw = (("\ufeff" if bom else "") + text.replace("\n", eol)).encode("utf-8")
    path.write_bytes(raw)
    kg(data, "edit", "huawei", "--set", "headquarters=Shenzhen")
    after = path.read_bytes()
    expected = raw.replace(f"country: china{eol}".encode(),
                           f"country: china{eol}headquarters: Shenzhen{eol}".encode())
    assert after == expected


def test_add_finds_a_duplicate_written_out_or_abbreviated(data):
    kg(data, "add", "organization", "--name", "Allen Institute for AI", "--alias", "Ai2",
       "--org-type", "lab", "--source", DW, "--no-input")
    r = kg(data, "add", "organization", "--name", "Allen Institute for Artificial Intelligence",
           "--org-type", "lab", "--source", DW, "--no-input", code=1)
    assert ("allen-institute-for-ai (organization) Allen Institute for AI: same name, other "
            "spelling: 'Allen Institute for Artificial Intelligence' ~ 'Allen Institute for AI'"
            in r.output)


def test_edit_dry_run_shows_the_new_text_and_writes_nothing(data):
    before = snapshot(data)
    r = kg(data, "edit", "huawei", "--set", "headquarters=Shenzhen", "--dry-run")
    assert r.output == (
        "--- a/data/organization/huawei.yaml\n+++ b/data/organization/huawei.yaml\n"
        "@@ -3,5 +3,6 @@\n names: {zh: 华为}\n org_type: company\n country: china\n"
        "+headquarters: Shenzhen\n description: Chinese technology company that designs the "
        "Ascend series of AI chips.\n sources: [dw-2026-01-24-us-china-ai-race]\n"
        "would have written data/organization/huawei.yaml\n"
        "note: huawei.headquarters = Shenzhen cites huawei's own sources "
        "(dw-2026-01-24-us-china-ai-race; from-article); if another source gives it, pass "
        "--source SOURCE\n"
        "note: dry run: nothing was written\n")
    assert snapshot(data) == before


def test_edit_remove_drops_one_statement_and_keeps_the_others_sources(data):
    path = data / "model/deepseek-v3.yaml"
    text = read(data, "model/deepseek-v3.yaml")
    path.write_text(text.replace(
        "developer: deepseek\n",
        "developer:\n  - value: deepseek\n    sources: [dw-2026-01-24-us-china-ai-race]  # DW\n"
        f"  - value: smic\n    sources: [{PAPER}]\n"))
    kg(data, "edit", "deepseek-v3", "--remove", "developer=smic")
    assert ("developer:\n  - value: deepseek\n    sources: [dw-2026-01-24-us-china-ai-race]  "
            "# DW\nreleased:") in read(data, "model/deepseek-v3.yaml")
    r = kg(data, "edit", "deepseek-v3", "--remove", "developer=smic", code=1)
    assert r.output == "Error: deepseek-v3.developer has no value 'smic'; it has: deepseek\n"
    r = kg(data, "edit", "deepseek-v3", "--remove", "developer=deepseek")
    assert "developer" not in read(data, "model/deepseek-v3.yaml")  # the last one: the field goes
    r = kg(data, "edit", "ascend-910c-output-2025", "--remove", "about=huawei-ascend-910c", code=1)
    assert r.output == "Error: about is required for a figure: set another value instead\n"


def test_unchecked_says_what_it_counts(data):
    r = CliRunner().invoke(main, ["unchecked"], env={**ENV, "KG_DATA": str(data)})
    assert r.output.splitlines()[-1].startswith(
        "8 unchecked fact(s): 5 sourced statement(s), 0 figure(s) and verdict(s), and the "
        "plain fields of 3 entities (kg stats and kg build count the 5 statements")
