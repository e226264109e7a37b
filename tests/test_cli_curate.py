"""The maintainer's commands, through click's CliRunner on a copy of the fixture data set.

Every call goes through `kg()` (tests/curate_support.py), which asserts the exit
code and that data/ still passes structural validation afterwards; the full
SHACL run happens once, at the end of a sequence of changes.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner
from curate_support import ENV, PINNED_TODAY, copy_fixture, kg, read, snapshot
from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL

from conftest import REPO
from kg import check
from kg.cli import main
from kg.data.yamlio import format_text
from kg.rdf.graph import union_graph

KG = [sys.executable, "-c", "from kg.cli import main; main(prog_name='kg')"]
DW = "dw-2026-01-24-us-china-ai-race"
PAPER = "deepseek-2024-12-v3-technical-report"
# verify, rm, rename and merge write today's date; test_clock.py runs these again in 2031
pytestmark = pytest.mark.clock


@pytest.fixture
def data(tmp_path):
    return copy_fixture(tmp_path)


# -- add ---------------------------------------------------------------------------------------
def test_add_writes_a_canonical_file_and_prints_its_path(data):
    r = kg(data, "add", "model", "--name", "DeepSeek-V2", "--model-type", "model",
           "--developer", "deepseek", "--released", "2024-05", "--weights", "open",
           "--source", PAPER)
    assert r.output == "wrote data/model/deepseek-v2.yaml\n"
    text = read(data, "model/deepseek-v2.yaml")
    assert text == ("id: deepseek-v2\nname: DeepSeek-V2\nmodel_type: model\ndeveloper: deepseek\n"
                    f"released: 2024-05\nweights: open\nsources: [{PAPER}]\n")
    assert format_text(text, "model/deepseek-v2.yaml") == text


def test_add_asks_for_what_is_missing_and_asks_again_on_a_bad_id(data):
    r = kg(data, "add", "model", "--name", "Kimi K2",
           input="model\nno-such-source\n" + PAPER + "\n")
    assert "model type (model, family, application): model\n" in r.output
    assert "sources, ids separated by commas: no-such-source\n" in r.output
    assert "Error: 'no-such-source' is not a known source" in r.output
    assert "wrote data/model/kimi-k2.yaml" in r.output
    assert "model_type: model" in read(data, "model/kimi-k2.yaml")


def test_add_offers_the_choices_of_an_enumeration(data):
    r = kg(data, "add", "model", "--name", "Kimi K2", "--source", DW, input="modle\nfamily\n")
    assert "Error: 'modle' is not one of 'model', 'family', 'application'." in r.output
    assert "model_type: family" in read(data, "model/kimi-k2.yaml")


def test_add_without_input_names_every_missing_option(data):
    r = kg(data, "add", "model", "--name", "Kimi K2", "--no-input", code=2)
    assert "missing --model-type, --source (or leave out --no-input to be asked)" in r.output


@pytest.mark.parametrize("kind,args,existing", [
    pytest.param("organization", ["--name", "华为", "--org-type", "company"], "huawei",
                 id="chinese-name-meets-english"),
    pytest.param("organization", ["--name", "Hua Wei", "--org-type", "company"], "huawei",
                 id="spaced-transliteration"),
    pytest.param("organization", ["--name", "Huawei Corp.", "--org-type", "company"], "huawei",
                 id="corporate-suffix"),
    pytest.param("model", ["--name", "DeepSeek R1", "--model-type", "model"], "deepseek-r1",
                 id="space-for-hyphen"),
    pytest.param("model", ["--name", "Deepseek-V3", "--model-type", "model"], "deepseek-v3",
                 id="case"),
    pytest.param("organization", ["--name", "Nvidea", "--org-type", "company"], "nvidia",
                 id="misspelling"),
    pytest.param("organization", ["--name", "Deep Seek", "--org-type", "lab",
                                  "--name-in", "zh=深度求索"], "deepseek", id="other-language-name"),
])
def test_add_finds_probable_duplicates_and_asks(data, kind, args, existing):
    before = snapshot(data)
    r = kg(data, "add", kind, *args, "--source", DW, input="n\n", code=1)
    assert "Probable duplicates:" in r.output and f"  {existing} ({kind})" in r.output
    assert "Error: nothing was written. Edit the existing entity instead" in r.output
    assert snapshot(data) == before


@pytest.mark.parametrize("url", ["https://p.dw.com/p/57FGg", "http://www.P.DW.com/p/57FGg/"])
def test_source_add_finds_a_source_with_the_same_url(data, url):
    """A fresh-user review: the DW article added again under a shorter title (same URL,
    same day, same publisher) was written as a new source, with no word of the one there."""
    before = snapshot(data)
    r = kg(data, "source", "add", "--title", "Where is the US-China AI race", "--publisher",
           "DW", "--date", "2026-01-24", "--url", url, "--source-type", "news",
           "--reliability", "high", "--no-input", code=1)
    assert r.output == (
        "Probable duplicates:\n"
        f"  {DW} (source) DW: Where is the US-China AI 'race' heading in 2026?: same url: "
        "https://p.dw.com/p/57FGg\n"
        f"Error: nothing was written. Cite the existing source instead ({DW}), or pass --yes "
        "if it really is a different one\n")
    assert snapshot(data) == before
    r = kg(data, "source", "add", "--title", "Where is the US-China AI race", "--publisher",
           "DW", "--date", "2026-01-24", "--url", "https://p.dw.com/p/57FGh", "--source-type",
           "news", "--reliability", "high", "--no-input")  # another page: no lookalike
    assert r.output == "wrote data/source/dw-2026-01-24-where-is-the-us-china-ai-race.yaml\n"


def test_add_goes_ahead_when_told_the_lookalike_is_different(data):
    r = kg(data, "add", "organization", "--name", "Huawei Cloud", "--org-type", "company",
           "--id", "huawei-cloud", "--source", DW, input="y\n")
    assert "wrote data/organization/huawei-cloud.yaml" in r.output
    kg(data, "add", "model", "--name", "DeepSeek R1", "--model-type", "model", "--id",
       "deepseek-r1-distill", "--source", DW, "--yes", "--no-input")


def test_add_does_not_mistake_another_chip_number_for_a_duplicate(data):
    r = kg(data, "add", "chip", "--name", "Huawei Ascend 910B", "--chip-type", "npu",
           "--designer", "huawei", "--source", DW, "--no-input")
    assert "Probable duplicates" not in r.output


@pytest.mark.parametrize("name", ["华为云", "Huawei Cloud"])
def test_add_does_not_mistake_a_name_plus_a_word_for_a_duplicate(data, name):
    """A new user: 华为云 (Huawei Cloud) was a 0.8 "spelling variant" of 华为 (Huawei),
    though 云 (cloud) is a whole word, as "Cloud" is in "Huawei Cloud"."""
    r = kg(data, "add", "organization", "--name", name, "--org-type", "company",
           "--id", "huawei-cloud", "--source", DW, "--no-input")
    assert "Probable duplicates" not in r.output
    assert "wrote data/organization/huawei-cloud.yaml" in r.output


def test_add_refuses_a_taken_id_and_an_invalid_value(data):
    r = kg(data, "add", "model", "--name", "X", "--id", "deepseek-r1", "--model-type", "model",
           "--source", DW, "--yes", code=1)
    assert "Error: id 'deepseek-r1' is taken (data/model/deepseek-r1.yaml); choose another" in r.output
    before = snapshot(data)
    r = kg(data, "add", "model", "--name", "Kimi K2", "--model-type", "model", "--released",
           "2025-13", "--developer", "deepseek-ai", "--source", DW, code=1)
    assert "data/model/kimi-k2.yaml:5: error: [kimi-k2] released '2025-13' is not a valid date" \
        in r.output
    assert "developer 'deepseek-ai' is not a known id (did you mean 'deepseek'?)" in r.output
    assert "kg add model: nothing was written." in r.output
    assert snapshot(data) == before


def test_source_add_derives_name_and_id(data):
    r = kg(data, "source", "add", "--title", "DeepSeek-R1 paper", "--publisher", "DeepSeek-AI",
           "--date", "2025-01", "--url", "https://arxiv.org/abs/2501.12948", "--source-type",
           "paper", "--reliability", "high")
    assert r.output == "wrote data/source/deepseek-ai-2025-01-deepseek-r1-paper.yaml\n"
    text = read(data, "source/deepseek-ai-2025-01-deepseek-r1-paper.yaml")
    assert "name: 'DeepSeek-AI: DeepSeek-R1 paper'\n" in text
    assert "date: 2025-01\nurl: https://arxiv.org/abs/2501.12948\n" in text


# -- edit, link ----------------------------------------------------------------------------------
def test_edit_keeps_comments_order_and_layout(data):
    r = kg(data, "edit", "deepseek-r1", "--set", "released=2025-01-20", "--add",
           "aliases=R1", "--set", "names.zh=深度求索R1")
    assert r.output.startswith("wrote data/model/deepseek-r1.yaml\n")
    assert read(data, "model/deepseek-r1.yaml") == (
        "# DeepSeek's reasoning model (January 2025).\n"
        "id: deepseek-r1\n"
        "name: DeepSeek-R1\n"
        "aliases: [DeepSeek R1, R1] # as DW writes it\n"
        "names: {zh: 深度求索R1}\n"
        "model_type: model\n"
        "developer: deepseek\n"
        "base_model: deepseek-v3\n"
        "released: 2025-01-20\n"
        "weights: open\n"
        "description: DeepSeek's reasoning model with open weights.\n"
        "sources: [bitbiased-2026-12-dimensions]\n")


def test_edit_with_a_source_writes_the_long_form(data):
    kg(data, "edit", "deepseek-r1", "--set", "weights=closed", "--source", DW)
    assert "weights:\n  value: closed\n  sources: [dw-2026-01-24-us-china-ai-race]\n" in read(
        data, "model/deepseek-r1.yaml")


def test_edit_setting_the_same_fact_again_keeps_its_check(data):
    # a new-user trial: `kg edit deepseek-r1 --set released=2025-01-20 --source S`, the
    # value and source already there, dropped the `checked` record of a verified fact
    report = "deepseek-2024-12-v3-technical-report"
    kg(data, "verify", "deepseek-v3", "released", "--by", "Jane Doe")
    verified = read(data, "model/deepseek-v3.yaml")
    assert "checked:" in verified
    r = kg(data, "edit", "deepseek-v3", "--set", "released=2024-12", "--source", report)
    assert r.exit_code == 0
    assert (f"note: deepseek-v3.released is already 2024-12 citing {report}: left as it was"
            in r.output)
    assert read(data, "model/deepseek-v3.yaml") == verified
    # another value is another fact: it is written unchecked, and the old one is named
    r = kg(data, "edit", "deepseek-v3", "--set", "released=2024-12-26", "--source", report)
    assert f"note: deepseek-v3.released was: 2024-12 [{report}] (checked)\n" in r.output
    assert (f"released:\n  value: 2024-12-26\n  sources: [{report}]\nparameters:"
            in read(data, "model/deepseek-v3.yaml"))


def test_edit_setting_a_value_it_holds_with_another_source_adds_that_source(data):
    """A researcher's trial: `kg edit kimi-k2 --set released=2025-07-11 --source DW`, the
    value already there citing Moonshot's paper, dropped the paper (and the fact's check
    status moved to DW's "from-article"); the note was a raw mapping. The same value from
    another source is a second source for it: added, and said so; a plain value keeps the
    entity's own sources, which gave it; another value still replaces it, named in words."""
    kg(data, "edit", "deepseek-v3", "--set", "released=2024-12", "--source", PAPER)
    r = kg(data, "edit", "deepseek-v3", "--set", "released=2024-12", "--source", DW)
    assert r.output.splitlines()[-1] == (
        f"note: deepseek-v3.released is already 2024-12: added {DW} to the sources it cites "
        f"(was: 2024-12 [{PAPER}]); to cite only {DW}, --unset released first")
    assert f"released:\n  value: 2024-12\n  sources: [{PAPER}, {DW}]\n" in read(
        data, "model/deepseek-v3.yaml")
    r = kg(data, "edit", "deepseek-v3", "--set", "released=2024-12", "--source", DW)
    assert f"is already 2024-12 citing {DW}: left as it was" in r.output
    assert f"sources: [{PAPER}, {DW}]" in read(data, "model/deepseek-v3.yaml")
    r = kg(data, "edit", "deepseek-r1", "--set", "weights=open", "--source", DW)
    assert "weights:\n  value: open\n  sources: [bitbiased-2026-12-dimensions, " + DW + "]\n" \
        in read(data, "model/deepseek-r1.yaml")
    r = kg(data, "edit", "deepseek-v3", "--set", "released=2024-12-26", "--source", DW)
    assert f"note: deepseek-v3.released was: 2024-12 [{PAPER}, {DW}]\n" in r.output
    # a field with a history keeps it (dates, other steps), and the way to cite only the new
    # source is not --unset, which would drop the whole history
    bb = "bitbiased-2026-12-dimensions"
    r = kg(data, "edit", "nvidia-h100", "--set", "export_status=banned", "--source", bb)
    assert r.output.splitlines()[-1] == (
        f"note: nvidia-h100.export_status is already banned: added {bb} to the sources it "
        f"cites (was: banned (as_of 2026-01) [{DW}]); to cite only {bb}, --remove "
        "export_status=banned and --add it again with --source (its dates with "
        "--from/--to/--as-of)")
    assert (f"  - value: banned\n    as_of: 2026-01\n    sources: [{DW}, {bb}]\n"
            ) in read(data, "chip/nvidia-h100.yaml")


def test_edit_add_dates_a_step_of_a_history_and_says_when_a_step_has_no_date(data):
    """A researcher's trial: kg edit had no --from/--to/--as-of, so a new export status
    could not be dated without editing the YAML (README: routine work never needs it),
    and an undated one was silently the oldest step. --add now takes the dates kg link
    takes, refuses them where kg link does, and an undated step beside dated ones says
    where it goes."""
    # open-ended, it would hold beside the fixture's "banned as of 2026-01" on the dataset's
    # date: two current values, an error of kg validate, so the change is refused
    before = snapshot(data)
    r = kg(data, "edit", "nvidia-h100", "--add", "export_status=restricted", "--from",
           "2022-09", "--source", DW, code=1)
    assert ("data/chip/nvidia-h100.yaml:7: error: [nvidia-h100] export_status has 2 current "
            "values: banned (line 7), restricted (line 10) on the dataset's date 2026-04-14."
            ) in r.output
    assert r.output.endswith("\nError: kg edit nvidia-h100: nothing was written.\n")
    assert snapshot(data) == before
    r = kg(data, "edit", "nvidia-h100", "--add", "export_status=restricted", "--from",
           "2022-09", "--to", "2025-12", "--source", DW)
    assert r.output == "wrote data/chip/nvidia-h100.yaml\n"
    assert ("  - value: restricted\n    from: 2022-09\n    to: 2025-12\n    sources: [" + DW
            + "]\n") in read(data, "chip/nvidia-h100.yaml")
    r = kg(data, "edit", "nvidia-h100", "--add", "export_status=unrestricted", "--source", DW)
    assert r.output.splitlines()[-1] == (
        "note: nvidia-h100.export_status = unrestricted has no date, beside dated values: it "
        "counts as the first step of the field's history (it holds until the first dated "
        "value starts); if it is a later step, add it with --from DATE instead")
    before = snapshot(data)
    for args, said in (
            (["--set", "name=H100", "--from", "2026"],
             "Error: --from, --to and --as-of date the values --add writes (a step in a "
             "field's history), or pick by its dates the statement --remove removes; to change "
             "a statement's dates, --remove it and --add it again with them\n"),
            (["--add", "aliases=GH100", "--from", "2026"],
             "Error: aliases is not temporal: --from/--to do not apply (use --as-of)\n"),
            (["--add", "export_status=banned", "--to", "2026-13", "--source", DW],
             "Error: --to '2026-13' is not a valid date: month 13 is not 01 to 12 (write the "
             "date at the precision the source gives: 2025, 2025-12 or 2025-12-08)\n")):
        assert kg(data, "edit", "nvidia-h100", *args, code=1).output == said
    assert snapshot(data) == before
    # and kg lint says the same of the undated step in the file, at its line
    lines = read(data, "chip/nvidia-h100.yaml").splitlines()
    at = lines.index("  - value: unrestricted") + 1
    lint = kg(data, "lint", "--no-unchecked").output
    assert (f"data/chip/nvidia-h100.yaml:{at}: warning: [nvidia-h100] export_status = "
            "unrestricted has no date beside dated values: it counts as the first step of the "
            "field's history, holding until 2022-08-31 Fix: if it is a later step, date it: "
            "`kg edit nvidia-h100 --remove export_status=unrestricted`, then `kg edit "
            "nvidia-h100 --add export_status=unrestricted --from DATE --source SOURCE`"
            ) in lint.splitlines()


def test_edit_never_moves_a_fact_to_the_entitys_sources_without_saying_so(data):
    """A fresh-user review: `kg edit deepseek-v3 --set parameters=672000000000` replaced the
    statement citing the technical report by a plain value, which cites the entity's own
    sources: `kg show` then gave the new figure as that source's. Now a fact that cites its
    own sources is only replaced with --source, and a fact set without --source says whose
    it becomes (and its check status: from the bundled BitBiased article here)."""
    before = snapshot(data)
    r = kg(data, "edit", "deepseek-v3", "--set", "parameters=672000000000", code=1)
    # (a maintainer's trial: where the fact cites the entity's own sources, the message said
    # "cites S; ... would cite deepseek-v3's own sources (S) instead": one clear thing now)
    assert r.output == (
        f"Error: deepseek-v3.parameters cites {PAPER}: name the source that gives "
        "672000000000 with --source (kg edit deepseek-v3 --set parameters=672000000000 "
        "--source SOURCE)\n")
    assert snapshot(data) == before
    # a fact citing another source than the entity's would move to them: that is said
    text = read(data, "model/deepseek-v3.yaml")
    (data / "model/deepseek-v3.yaml").write_text(text.replace(
        f"parameters:\n  value: 671000000000\n  sources: [{PAPER}]",
        f"parameters:\n  value: 671000000000\n  sources: [{DW}]"), encoding="utf-8")
    before = snapshot(data)
    r = kg(data, "edit", "deepseek-v3", "--set", "parameters=672000000000", code=1)
    assert r.output == (
        f"Error: deepseek-v3.parameters cites {DW}; set without --source, 672000000000 "
        f"would cite deepseek-v3's own sources ({PAPER}) instead: name the source that "
        "gives it (kg edit deepseek-v3 --set parameters=672000000000 --source SOURCE)\n")
    assert snapshot(data) == before
    (data / "model/deepseek-v3.yaml").write_text(text, encoding="utf-8")
    r = kg(data, "edit", "deepseek-v3", "--set", "parameters=672000000000", "--source", PAPER)
    assert "parameters:\n  value: 672000000000\n  sources: [" + PAPER + "]\n" in read(
        data, "model/deepseek-v3.yaml")
    r = kg(data, "edit", "deepseek-r1", "--set", "weights=closed")
    assert r.output.splitlines()[-1] == (
        "note: deepseek-r1.weights = closed cites deepseek-r1's own sources "
        "(bitbiased-2026-12-dimensions; from-article); if another source gives it, pass "
        "--source SOURCE")
    r = kg(data, "edit", "deepseek-r1", "--add", "aliases=R1")  # a plain field: no note
    assert r.output == "wrote data/model/deepseek-r1.yaml\n"


def test_a_change_to_data_that_was_already_invalid_says_it_still_is(data, monkeypatch):
    """A fresh-user review: with an unknown reference in deepseek-r1.yaml, `kg edit
    deepseek-v3 ...` said only "wrote ...": a change is refused only for errors it brings,
    so it was written, and nothing said that data/ still did not validate."""
    path = data / "model" / "deepseek-r1.yaml"
    path.write_text(read(data, "model/deepseek-r1.yaml").replace(
        "developer: deepseek", "developer: deepseeek"), encoding="utf-8")
    monkeypatch.chdir(data.parent)
    r = CliRunner().invoke(main, ["edit", "deepseek-v3", "--add", "aliases=DS-V3"],
                           env={**ENV, "KG_DATA": str(data)})
    assert r.exit_code == 0, r.output
    assert r.output == ("wrote data/model/deepseek-v3.yaml\n"
                        "note: data/ still has 1 error(s), none of them from this change: "
                        "`kg validate` lists them\n")
    r = kg(data, "edit", "deepseek-r1", "--set", "developer=deepseek")  # the fix: no such note
    assert "still has" not in r.output


def test_edit_deprecate_ranks_a_statement_down_with_its_note_and_sources(data):
    """A fresh-user review: `rank: deprecated` (a superseded statement, kept with its note:
    docs/semantics.md) could only be written by hand, though routine work needs no
    hand-edited YAML."""
    r = kg(data, "edit", "deepseek-v3", "--deprecate", "released=2024-12", "--note",
           "the paper gives 2024-12-26")
    assert r.output.splitlines()[-1] == (
        "note: deepseek-v3.released: 1 statement(s) of 2024-12 ranked deprecated; they stay "
        "in the graph but no longer hold")
    assert "released:\n  value: 2024-12\n  rank: deprecated\n" in read(data, "model/deepseek-v3.yaml")
    assert (f"  sources: [{PAPER}]\n  note: the paper gives 2024-12-26\n"
            in read(data, "model/deepseek-v3.yaml"))
    kg(data, "edit", "deepseek-r1", "--deprecate", "weights=open", "--note", "closed now")
    from kg.curate import ops

    status = {(f.field, str(f.value)): (f.sources, f.status)
              for f in ops.facts(ops.Workspace(data)) if f.entity == "deepseek-r1"}
    assert status[("weights", "open")] == (("bitbiased-2026-12-dimensions",), "from-article")
    before = snapshot(data)
    for args, code, message in [
        (["--deprecate", "weights=open", "--note", "x"], 1,
         "Error: deepseek-r1.weights has no value 'open' that is not deprecated already; it "
         "has: open"),
        (["--deprecate", "released=2025-01-20"], 1, "Error: say why it is deprecated: --note"),
        (["--deprecate", "description=x", "--note", "x"], 1,
         "Error: description is a plain field: only a sourced fact has a rank"),
        (["--set", "weights=open", "--note", "x"], 2, "Error: --note goes with --deprecate"),
    ]:
        r = kg(data, "edit", "deepseek-r1", *args, code=code)
        assert r.output.splitlines()[-1].startswith(message), r.output
    assert snapshot(data) == before


def test_edit_unset_and_its_errors(data):
    r = kg(data, "edit", "deepseek-r1", "--unset", "description")
    assert "note: deepseek-r1.description was: DeepSeek's reasoning model" in r.output
    assert "description" not in read(data, "model/deepseek-r1.yaml")
    cases = [
        (["--set", "develper=x"], 1, "unknown field 'develper' for an AI model (did you mean "
                                     "'developer'?)"),
        (["--set", "id=r1"], 1, "id cannot be set with kg edit: use `kg rename OLD NEW`"),
        (["--unset", "model_type"], 1, "model_type is required for an AI model"),
        (["--add", "weights=open"], 1, "weights holds one value: use --set weights=..."),
        (["--set", "released"], 2, "--set takes FIELD=VALUE, not 'released'"),
        ([], 2, "say what to change"),
        (["--set", "weights=opne"], 1, "weights 'opne' is not one of: open, closed, mixed "
                                      "(did you mean 'open'?)"),
    ]
    for args, code, message in cases:
        r = kg(data, "edit", "deepseek-r1", *args, code=code)
        assert message in r.output, (args, r.output)
    r = kg(data, "edit", "deepseek-r2", "--set", "weights=open", code=1)
    assert "Error: id 'deepseek-r2' is not a known entity (did you mean 'deepseek-r1'?)" in r.output


def test_link_adds_a_sourced_dated_statement(data):
    r = kg(data, "link", "ren-zhengfei", "affiliation", "huawei", "--source",
           "huawei-annual-report-2024", "--from", "1987")
    assert r.output == "wrote data/person/ren-zhengfei.yaml\n"
    assert ("  - value: huawei\n    from: 1987\n    sources: [huawei-annual-report-2024]\n"
            in read(data, "person/ren-zhengfei.yaml"))
    kg(data, "link", "deepseek-r1", "developer", "deepseek", "--source", DW)
    assert ("developer:\n  - value: deepseek\n    sources: [bitbiased-2026-12-dimensions, "
            "dw-2026-01-24-us-china-ai-race]\n") in read(data, "model/deepseek-r1.yaml")


@pytest.mark.parametrize("args,code,message", [
    (["deepseek-r1", "developer", "nvidia-h100", "--source", DW], 1,
     "developer of an AI model must be an organization, but 'nvidia-h100' is a chip"),
    (["deepseek-r1", "weights", "deepseek", "--source", DW], 1,
     "weights is not a relation of an AI model; relations: developer, family, base_model"),
    (["deepseek-r1", "developer", "deepseek", "--source", DW, "--from", "2024"], 1,
     "developer is not temporal: --from/--to do not apply (use --as-of)"),
    (["deepseek-r1", "developer", "deepseek", "--source", "huawei"], 1,
     "'huawei' is an organization, not a source"),
    (["deepseek-r1", "developer", "deepseek"], 2, "Missing option '--source'"),
])
def test_link_errors(data, args, code, message):
    r = kg(data, "link", *args, code=code)
    assert message in r.output


# -- rename, merge, rm -------------------------------------------------------------------------
def test_rename_moves_the_file_rewrites_references_and_leaves_a_tombstone(data):
    r = kg(data, "rename", "huawei", "huawei-co")
    assert r.output.splitlines() == [
        "wrote data/chip/huawei-ascend-910c.yaml",
        "wrote data/organization/huawei-co.yaml",
        "deleted data/organization/huawei.yaml",
        "wrote data/tombstone/huawei.yaml",
        "note: rewrote 1 reference(s) to huawei; left a tombstone for huawei"]
    assert "designer: huawei-co\n" in read(data, "chip/huawei-ascend-910c.yaml")
    assert read(data, "tombstone/huawei.yaml") == (
        "id: huawei\nname: Huawei\nreplaced_by: huawei-co\ndate: 2026-11-23\n")
    assert read(data, "organization/huawei-co.yaml").startswith("id: huawei-co\nname: Huawei\n")
    # and back: the tombstone of the new name goes, the old one points the other way
    kg(data, "rename", "huawei-co", "huawei")
    assert not (data / "tombstone" / "huawei.yaml").exists()
    assert "replaced_by: huawei" in read(data, "tombstone/huawei-co.yaml")


def test_rename_errors(data):
    r = kg(data, "rename", "huawei", "deepseek", code=1)
    assert "Error: id 'deepseek' is taken (data/organization/deepseek.yaml)" in r.output
    r = kg(data, "rename", "huawei", "Huawei Co", code=1)
    assert "'Huawei Co' is not an id: ids are lower-case words joined by hyphens" in r.output
    # its own id: it suggested `kg merge huawei huawei`
    r = kg(data, "rename", "huawei", "huawei", code=1)
    assert r.output == "Error: 'huawei' already has the id 'huawei': nothing to rename\n"


def test_merge_folds_names_facts_references_and_sources(data):
    r = kg(data, "merge", "huawei-technologies-co", "huawei")
    assert "deleted data/organization/huawei-technologies-co.yaml" in r.output
    assert ("note: new aliases of huawei: 华为技术有限公司, Huawei Technologies Co., Ltd."
            in r.output)
    assert ("note: huawei-technologies-co's plain fields url: https://www.huawei.com/ rest on its own "
            "sources (huawei-annual-report-2024), not huawei's, so they were not moved: its "
            "tombstone records them (add them to huawei with `kg edit` once checked)\n"
            in r.output)
    keep = yaml.safe_load(read(data, "organization/huawei.yaml"))
    assert keep["aliases"] == ["华为技术有限公司", "Huawei Technologies Co., Ltd."]
    assert keep["names"] == {"zh": "华为"}
    # its facts keep their own source; huawei's own facts and sources are untouched
    assert keep["founded"] == {"value": 1987, "sources": ["huawei-annual-report-2024"]}
    assert keep["country"] == "china"
    assert keep["sources"] == [DW]
    assert "url" not in keep  # a plain field of the duplicate's unchecked source
    assert "  - value: huawei\n" in read(data, "person/ren-zhengfei.yaml")
    assert read(data, "tombstone/huawei-technologies-co.yaml") == (
        "id: huawei-technologies-co\nname: Huawei Technologies Co., Ltd.\nreplaced_by: huawei\n"
        "date: 2026-11-23\ndescription: 'Not moved to huawei, whose sources differ (these cite "
        "huawei-annual-report-2024): url: https://www.huawei.com/'\n")


def status_by_fact(data):
    """(entity, field, value) -> (sources, status) for every fact kg unchecked knows."""
    from kg.curate import ops

    return {(f.field, str(f.value)): (f.sources, f.status)
            for f in ops.facts(ops.Workspace(data)) if f.entity in ("huawei",
                                                                     "huawei-technologies-co")}


def test_a_merge_never_changes_a_facts_check_status_or_sources(data):
    before = status_by_fact(data)
    kg(data, "merge", "huawei-technologies-co", "huawei")
    after = status_by_fact(data)
    assert after[(None, "Huawei")] == before[(None, "Huawei")] == (
        (DW,), "from-article")  # huawei's plain fields: still its own source
    assert after[("founded", "1987")] == before[("founded", "1987")] == (
        ("huawei-annual-report-2024",), "unchecked")
    assert after[("country", "china")] == before[("country", "china")]


def test_a_merge_carries_the_duplicates_check_with_its_facts(tmp_path):
    data = copy_fixture(tmp_path)
    kg(data, "verify", "huawei-technologies-co", "--by", "Jane Doe")
    before = status_by_fact(data)
    assert before[("founded", "1987")] == (("huawei-annual-report-2024",), "checked")
    kg(data, "merge", "huawei-technologies-co", "huawei")
    after = status_by_fact(data)
    assert after[("founded", "1987")] == (("huawei-annual-report-2024",), "checked")
    assert after[(None, "Huawei")] == before[(None, "Huawei")]
    assert yaml.safe_load(read(data, "organization/huawei.yaml"))["founded"] == {
        "value": 1987, "sources": ["huawei-annual-report-2024"],
        "checked": {"by": "Jane Doe", "on": datetime.date(2026, 11, 23),
                    "against": "huawei-annual-report-2024"}}


def test_a_merge_of_two_entities_stating_the_same_fact_adds_the_sources(data):
    """A fresh-user review: two entries for one model both name its developer (the reason
    they are duplicates). kg merge made two statements of `developer: deepseek`, which the
    validation refused ("developer 'deepseek' is given twice ... Fix: keep one"), so no
    merge of real duplicates could succeed. Now the duplicate's sources join keep's
    statement of the same fact, whose check status does not change."""
    (data / "model" / "deepseek-v3-chat.yaml").write_text(
        "id: deepseek-v3-chat\nname: DeepSeek V3 Chat\nmodel_type: model\ndeveloper: deepseek\n"
        "parameters: 671000000000\nweights: open\nsources: [huawei-annual-report-2024]\n",
        encoding="utf-8")
    r = kg(data, "merge", "deepseek-v3-chat", "deepseek-v3")
    assert ("note: deepseek-v3.developer: 1 statement(s) of deepseek-v3-chat state what "
            "deepseek-v3 already states: their sources were added to deepseek-v3's\n") in r.output
    assert read(data, "model/deepseek-v3.yaml") == (
        "id: deepseek-v3\nname: DeepSeek-V3\naliases: [DeepSeek V3, DeepSeek V3 Chat]\n"
        "model_type: model\ndeveloper:\n  value: deepseek\n"
        f"  sources: [{PAPER}, huawei-annual-report-2024]\n"
        f"released:\n  value: 2024-12\n  sources: [{PAPER}]\n"
        f"weights:\n  value: open\n  sources: [huawei-annual-report-2024]\n"
        f"parameters:\n  value: 671000000000\n  sources: [{PAPER}, huawei-annual-report-2024]\n"
        f"sources: [{PAPER}]\n")
    from kg.curate import ops

    status = {(f.field, str(f.value)): (f.sources, f.status)
              for f in ops.facts(ops.Workspace(data)) if f.entity == "deepseek-v3"}
    assert status[("developer", "deepseek")] == ((PAPER, "huawei-annual-report-2024"), "unchecked")


def test_a_merge_of_a_fact_stated_by_both_but_checked_otherwise_leaves_it_to_the_tombstone(data):
    """A fresh-user review: when keep and the duplicate state the same fact with different
    check statuses (here keep's from an unchecked paper, the duplicate's from an article),
    it could not be folded, so kg merge wrote it twice and refused its own result with
    "developer 'deepseek' is given twice (also at line 5)" at a line the file on disk did
    not have: two real duplicates could not be merged. Now keep's statement stays as it
    was and the duplicate's is recorded in its tombstone."""
    (data / "model" / "deepseek-v3-chat.yaml").write_text(
        "id: deepseek-v3-chat\nname: DeepSeek V3 Chat\nmodel_type: model\ndeveloper: deepseek\n"
        f"sources: [{DW}]\n", encoding="utf-8")
    before = read(data, "model/deepseek-v3.yaml")
    r = kg(data, "merge", "deepseek-v3-chat", "deepseek-v3")
    assert (f"note: deepseek-v3-chat's statement(s) developer: deepseek (citing {DW}) repeat "
            "facts deepseek-v3 already states but differ in check status, check or note, so "
            "their sources were not added to deepseek-v3's (a merge never changes whether a "
            "fact was checked): the tombstone of deepseek-v3-chat records them; add the sources "
            "to deepseek-v3 with `kg link` or `kg edit --source` once checked\n") in r.output
    assert read(data, "model/deepseek-v3.yaml") == before.replace(
        "aliases: [DeepSeek V3]", "aliases: [DeepSeek V3, DeepSeek V3 Chat]")
    assert yaml.safe_load(read(data, "tombstone/deepseek-v3-chat.yaml"))["description"] == (
        "Stated by deepseek-v3 too, but checked otherwise, so not added to its statements: "
        f"developer: deepseek (citing {DW})")


def test_merge_errors(data):
    r = kg(data, "merge", "huawei", "deepseek-r1", code=1)
    assert "Error: cannot merge an organization (huawei) into a model (deepseek-r1)" in r.output
    r = kg(data, "merge", "huawei", "huawei", code=1)
    assert "an entity cannot be merged into itself" in r.output


def test_rm_refuses_while_referred_to_and_lists_the_referrers(data):
    before = snapshot(data)
    r = kg(data, "rm", "deepseek-v3", "--reason", "test", code=1)
    assert r.output == (
        "Error: deepseek-v3 is referred to 1 time(s); nothing was removed:\n"
        "  data/model/deepseek-r1.yaml:7: deepseek-r1 (base_model)\n"
        "Change those first, merge it (`kg merge deepseek-v3 OTHER`), or pass --drop-references "
        "to remove the references too\n")
    assert snapshot(data) == before
    kg(data, "rm", "deepseek-v3", "--drop-references", input="superseded in this data set\n")
    assert "base_model" not in read(data, "model/deepseek-r1.yaml")
    assert read(data, "tombstone/deepseek-v3.yaml") == (
        "id: deepseek-v3\nname: DeepSeek-V3\nwithdrawn: superseded in this data set\n"
        "date: 2026-11-23\n")


def test_rm_refuses_when_dropping_references_would_break_a_required_field(data):
    before = snapshot(data)
    r = kg(data, "rm", "huawei-ascend-910c", "--reason", "x", "--drop-references", code=1)
    assert r.output == (  # (a trial: "missing required field 'about' Fix: add `about: <id>`")
        "Error: the claim ascend-910c-output-2025 (data/claim/ascend-910c-output-2025.yaml:3) "
        "depends on huawei-ascend-910c (required field about): remove or merge it first; "
        "nothing was removed\n")
    assert snapshot(data) == before


def test_rm_of_a_source_removes_the_statements_it_alone_gave(data):
    """A maintainer's trial: `kg rm SOURCE --drop-references` kept `parameters: {value:
    ...}` with no sources, so the figure silently cited the entity's other sources (and
    `kg verify` then recorded a check against a source that never gave it). A statement
    whose only source goes is removed, and said so; the entity's own sources stay."""
    path = data / "model" / "deepseek-v3.yaml"
    path.write_text(read(data, "model/deepseek-v3.yaml").replace(
        "\nsources: [deepseek-2024-12-v3-technical-report]\n",
        "\nsources: [deepseek-2024-12-v3-technical-report, dw-2026-01-24-us-china-ai-race]\n"),
        encoding="utf-8")
    r = kg(data, "rm", "deepseek-2024-12-v3-technical-report", "--reason", "retracted",
           "--drop-references")
    assert "removed deepseek-v3.released = 2024-12: deepseek-2024-12-v3-technical-report " \
           "was its only source" in r.output
    assert "removed deepseek-v3.parameters = 671000000000: " \
           "deepseek-2024-12-v3-technical-report was its only source" in r.output
    assert read(data, "model/deepseek-v3.yaml") == (
        "id: deepseek-v3\nname: DeepSeek-V3\naliases: [DeepSeek V3]\nmodel_type: model\n"
        "developer: deepseek\nsources: [dw-2026-01-24-us-china-ai-race]\n")
    kg(data, "validate")


# -- verify, unchecked ----------------------------------------------------------------------
def test_unchecked_lists_oldest_first_and_verify_records_checks(data):
    r = kg(data, "unchecked")
    lines = r.output.splitlines()
    assert lines[0].startswith("2024-12     data/model/deepseek-v3.yaml:1  deepseek-v3  plain fields")
    assert lines[-1] == (
        "8 unchecked fact(s): 5 sourced statement(s), 0 figure(s) and verdict(s), and the plain "
        "fields of 3 entities (kg stats and kg build count the 5 statements, figures and "
        "verdicts). Record a check with `kg verify ID [FIELD]`.")
    r = kg(data, "verify", "deepseek-v3", "released", "--by", "Jane Doe", "--on", "2026-11-20")
    assert "note: deepseek-v3.released: 1 statement(s) checked by Jane Doe on 2026-11-20" in r.output
    assert ("released:\n  value: 2024-12\n  sources: [deepseek-2024-12-v3-technical-report]\n"
            "  checked: {by: Jane Doe, 'on': 2026-11-20, against: "
            "deepseek-2024-12-v3-technical-report}\n") in read(data, "model/deepseek-v3.yaml")
    kg(data, "verify", "deepseek-v3")  # by KG_USER, today (KG_TODAY)
    assert ("checked: {by: Test Maintainer, 'on': 2026-11-23, against: "
            "deepseek-2024-12-v3-technical-report}\n") in read(data, "model/deepseek-v3.yaml")
    r = kg(data, "unchecked", "--json")
    left = [(f["entity"], f["field"]) for f in json.loads(r.output)]
    # parameters names its own source, so the entity's check does not cover it
    assert left == [("deepseek-v3", "parameters"), ("huawei-technologies-co", None),
                    ("huawei-technologies-co", "founded"), ("ren-zhengfei", None),
                    ("ren-zhengfei", "affiliation")]


def test_unchecked_narrows_by_kind_and_source_and_says_when_it_lists_a_part(data):
    """At 100k entities kg unchecked lists 244k facts: --kind and --source keep a part, the
    count on the last line is of that part, and --limit says what it left out."""
    r = kg(data, "unchecked", "--kind", "person")
    assert r.output.splitlines() == [
        "2025-03     data/person/ren-zhengfei.yaml:1  ren-zhengfei  plain fields (name, "
        "description, ...)  [huawei-annual-report-2024]",
        "2025-03     data/person/ren-zhengfei.yaml:5  ren-zhengfei  affiliation = "
        "huawei-technologies-co  [huawei-annual-report-2024]",
        "2 unchecked fact(s): 1 sourced statement(s), 0 figure(s) and verdict(s), and the "
        "plain fields of 1 entity (kg stats and kg build count the 1 statements, figures and "
        "verdicts). Record a check with `kg verify ID [FIELD]`."]
    r = kg(data, "unchecked", "--source", PAPER, "--json")
    assert {(f["entity"], f["field"]) for f in json.loads(r.output)} == {
        ("deepseek-v3", None), ("deepseek-v3", "released"), ("deepseek-v3", "parameters"),
        ("deepseek-v3", "developer")}
    r = kg(data, "unchecked", "--limit", "1")
    lines = r.output.splitlines()
    assert len(lines) == 3 and lines[1].startswith("8 unchecked fact(s)")
    assert lines[2] == ("(listed the first 1: --limit 0 lists all; --kind and --source "
                        "narrow the list)")
    assert kg(data, "unchecked", "--kind", "chip").output.splitlines() == [
        "0 unchecked fact(s)."]


def test_verify_of_the_entity_names_the_facts_that_keep_their_own_check(data):
    """A fresh-user review: after `kg verify deepseek-v3` said "plain fields and facts
    citing its sources checked", `kg show` still gave released and parameters, which cite
    the same technical report in long form, as unchecked; nothing said why."""
    r = kg(data, "verify", "deepseek-v3", "--by", "Jane Doe")
    assert r.output.splitlines()[1:] == [
        "note: deepseek-v3: plain fields and facts citing its sources checked by Jane Doe "
        f"on {PINNED_TODAY}",
        "note: deepseek-v3: released, parameters cite sources of their own and stay "
        "unchecked: `kg verify deepseek-v3 FIELD` records a check of one"]
    kg(data, "verify", "deepseek-v3", "released", "--by", "Jane Doe")
    r = kg(data, "verify", "deepseek-v3", "--by", "John Roe")
    assert r.output.splitlines()[-1] == (
        "note: deepseek-v3: parameters cites sources of its own and stays unchecked: "
        "`kg verify deepseek-v3 FIELD` records a check of one")


def test_verify_converts_a_short_value_and_its_errors(data):
    kg(data, "verify", "ren-zhengfei", "affiliation")
    assert ("    role: founder and CEO\n    checked: {by: Test Maintainer, 'on': 2026-11-23, "
            "against: huawei-annual-report-2024}\n") in read(data, "person/ren-zhengfei.yaml")
    cases = [
        (["deepseek-v3", "released", "--against", DW], "deepseek-v3.released = 2024-12 cites "
         "deepseek-2024-12-v3-technical-report; 'dw-2026-01-24-us-china-ai-race' is not one of them"),
        (["deepseek-v3", "description"], "description is a plain field of an AI model: plain "
         "fields are checked with the entity (`kg verify deepseek-v3`)"),
        (["deepseek-v3", "developer", "--value", "nvidia"], "deepseek-v3.developer has no value "
         "'nvidia'; it has: deepseek"),
    ]
    for args, message in cases:
        r = kg(data, "verify", *args, code=1)
        assert message in r.output


@pytest.mark.parametrize("by, says", [("", "--by is empty"), ("   ", "--by is only spaces")])
def test_verify_refuses_an_empty_by_and_writes_nothing(data, by, says):
    """An explicit empty --by is not the default: git's user name is never recorded."""
    before = snapshot(data)
    r = kg(data, "verify", "deepseek-v3", "released", "--by", by, code=1)
    assert (f"{says}: pass the name of who checked it, e.g. --by \"Jane Doe\", or leave "
            "--by out to record $KG_USER, else git's user.name") in r.output
    assert snapshot(data) == before


def test_verify_asks_which_source_when_there_are_several(data):
    kg(data, "edit", "huawei", "--add", f"sources={PAPER}")
    r = kg(data, "verify", "huawei", code=1)
    assert ("huawei cites 2 sources (dw-2026-01-24-us-china-ai-race, "
            "deepseek-2024-12-v3-technical-report): say which one you checked with --against") \
        in r.output
    kg(data, "verify", "huawei", "--against", PAPER)


# -- show, find ---------------------------------------------------------------------------------
def test_show_gives_facts_links_and_sources(data):
    r = kg(data, "show", "huawei")
    assert r.output.splitlines() == [
        "huawei: Huawei (organisation, data/organization/huawei.yaml)",
        "  names: zh: 华为",
        "  org_type: company",
        "  description: Chinese technology company that designs the Ascend series of AI chips.",
        "links out:",
        "  country -> china (China)  [dw-2026-01-24-us-china-ai-race; from-article]",
        "links in:",
        "  huawei-ascend-910c (chip) designer -> huawei",
        "sources:",
        "  dw-2026-01-24-us-china-ai-race: DW: Where is the US-China AI 'race' heading in 2026?, "
        "2026-01-24",
        "check status of its plain fields: from-article"]
    kg(data, "rename", "deepseek-v3", "deepseek-v3-base")
    r = kg(data, "show", "deepseek-v3")
    assert "replaced by deepseek-v3-base on 2026-11-23 (see `kg show deepseek-v3-base`)" in r.output


@pytest.mark.parametrize("text,first", [
    ("华为", "huawei"), ("huawei", "huawei"), ("deepseek r1", "deepseek-r1"),
    ("深度求索", "deepseek"), ("英伟达", "nvidia"), ("Ascend 910C", "huawei-ascend-910c"),
    ("nvidea", "nvidia"),
    ("深度求索公司", "deepseek"), ("英伟达公司", "nvidia"),  # with a Chinese corporate suffix
])
def test_find_searches_every_language_and_spelling(data, text, first):
    r = kg(data, "find", text)
    assert r.output.split()[0] == first, r.output


def test_find_searches_short_names():
    """A new-user trial: `kg find "CHIPS Act"` missed the US CHIPS and Science Act, whose
    `short_name` it is (the explorer's search already found it). On the curated data."""
    curated = REPO / "data"
    lines = kg(curated, "find", "CHIPS Act").output.splitlines()
    assert "us-chips-and-science-act-2022  policy  CHIPS and Science Act  (matched 'CHIPS Act')" \
        in lines[:2]
    r = kg(curated, "find", "AI Diffusion rule")
    assert r.output.split()[0] == "us-bis-ai-diffusion-rule-2025-01", r.output


def test_an_unknown_id_that_is_a_name_suggests_the_entity_named_so(data):
    """A fresh-user review: `kg show huawei-technologies` (an alias of huawei, written as an
    id) suggested 'mit-technology-review', and `kg show 华为` nothing: only ids were compared."""
    r = kg(data, "show", "深度求索", code=1)
    assert r.output == ("Error: id '深度求索' is not a known entity (did you mean 'deepseek', "
                        "named '深度求索'?) (`kg find TEXT` searches names)\n")
    r = kg(data, "link", "deepseek-r1", "base_model", "DeepSeek V3", "--source", DW, code=1)
    assert r.output == ("Error: object 'DeepSeek V3' is not a known entity (did you mean "
                        "'deepseek-v3', named 'DeepSeek-V3'?) (`kg find TEXT` searches names)\n")
    r = kg(data, "show", "deepseek-r", code=1)  # no such name: the closest id, as before
    assert "(did you mean 'deepseek-r1'?)" in r.output


def test_find_says_when_nothing_matches(data):
    r = kg(data, "find", "zzzzzz", code=1)
    assert "nothing like 'zzzzzz'" in r.output


# -- fmt, lint -------------------------------------------------------------------------------------
MESSY = """\
sources: [dw-2026-01-24-us-china-ai-race]
# the lab's own name
name: Kestrel
id: kestrel
org_type: lab   # not a company
country: china
"""


def test_fmt_check_and_rewrite(data):
    kg(data, "fmt", "--check")
    (data / "organization" / "kestrel.yaml").write_text(MESSY)
    r = kg(data, "fmt", "--check", code=1)
    assert "would reformat data/organization/kestrel.yaml" in r.output
    assert "1 file(s) not in canonical form; run `kg fmt --data data`" in r.output
    r = kg(data, "fmt")
    assert r.output == "reformatted data/organization/kestrel.yaml\n"
    assert read(data, "organization/kestrel.yaml") == (
        "id: kestrel\n# the lab's own name\nname: Kestrel\norg_type: lab   # not a company\n"
        "country: china\nsources: [dw-2026-01-24-us-china-ai-race]\n")
    kg(data, "fmt", "--check", str(data / "organization" / "kestrel.yaml"))


def test_lint_flags_mojibake_and_whitespace(data):
    kg(data, "lint", "--no-unchecked")
    path = data / "organization" / "deepseek.yaml"
    path.write_text(read(data, "organization/deepseek.yaml")
                    + "description: 'A lab â€” in Hangzhou '\n")
    r = kg(data, "lint", "--no-unchecked", code=1)
    assert ("data/organization/deepseek.yaml:7: error: [deepseek] mojibake 'â€”' (probably '—'): "
            "text decoded with the wrong encoding") in r.output
    assert "description 'A lab â€” in Hangzhou ' has leading or trailing whitespace" in r.output
    r = kg(data, "lint", code=1)
    assert "warning: [deepseek-v3] 4 unchecked fact(s)" in r.output


def test_lint_reports_a_file_it_cannot_read_instead_of_passing_it(data):
    """A fresh-user review: with a YAML syntax error in one file, kg lint said
    "0 error(s)" and exited 0."""
    (data / "model" / "broken.yaml").write_text("id: broken\nname: [Broken\n",
                                                encoding="utf-8")
    r = CliRunner().invoke(main, ["lint", "--no-unchecked"], env={**ENV, "KG_DATA": str(data)})
    assert r.exit_code == 1, r.output
    assert "data/model/broken.yaml:3:1: error: [broken] YAML syntax error" in r.output
    assert "Fix: correct the YAML at this line" in r.output
    assert r.output.rstrip().endswith("Error: 1 error(s), 0 warning(s).")


def test_lint_warnings_alone_pass(data):
    r = kg(data, "lint")
    assert r.output.endswith("0 error(s), 3 warning(s).\n")
    # a maintainer's trial: 403 lines on a clean clone; the line before the count says
    # what they are, by rule, most first
    assert r.output.splitlines()[-2] == (
        "3 warning(s) by rule: 3 unchecked (entities with unchecked facts: `kg unchecked --data "
        "data` lists "
        "the facts; --no-unchecked leaves these out)")
    src = data / "source" / "huawei-annual-report-2024.yaml"
    src.write_text("\n".join(line for line in src.read_text(encoding="utf-8").splitlines()
                             if not line.startswith(("url:", "date:"))) + "\n", encoding="utf-8")
    r = kg(data, "lint", "--no-unchecked")
    assert r.output.splitlines()[-2:] == [
        "2 warning(s) by rule: 1 no-link, 1 undated-source", "0 error(s), 2 warning(s)."]


FORMULAS = ('=HYPERLINK("http://evil.example","Trial")', "@SUM(1+1)*cmd")


def test_lint_add_and_edit_warn_of_a_value_a_spreadsheet_would_run(data):
    """A maintainer's trial: a model named '=HYPERLINK("http://evil.example","Trial")'
    (or an alias "@SUM(1+1)*cmd") passed kg add, kg edit and kg lint without a word, and
    `kg query --format csv` writes it as it is (SPARQL's CSV): a live formula in Excel."""
    r = kg(data, "add", "model", "--name", FORMULAS[0], "--model-type", "model",
           "--developer", "deepseek", "--released", "2024-05", "--weights", "open",
           "--source", PAPER, "--id", "trial-model")
    assert r.output.splitlines() == [
        "wrote data/model/trial-model.yaml",
        f"data/model/trial-model.yaml:2: warning: [trial-model] name '{FORMULAS[0]}' starts "
        "like a spreadsheet formula: a CSV of `kg query` holding it runs it when opened in "
        "Excel or LibreOffice Fix: if it is not the real text, correct it; if it is, open "
        "such CSV files with the columns as text (the report's CSV files put a ' before it)"]
    r = kg(data, "edit", "trial-model", "--add", f"aliases={FORMULAS[1]}")
    warned = [line for line in r.output.splitlines() if "warning:" in line]
    assert len(warned) == 1  # the alias the edit brings; the name was there before it
    assert warned[0].startswith(f"data/model/trial-model.yaml:3: warning: [trial-model] "
                                f"aliases '{FORMULAS[1]}' starts like a spreadsheet formula")
    r = kg(data, "lint", "--no-unchecked")
    assert [line.split(" starts like")[0] for line in r.output.splitlines()
            if "spreadsheet formula" in line] == [
        f"data/model/trial-model.yaml:2: warning: [trial-model] name '{FORMULAS[0]}'",
        f"data/model/trial-model.yaml:3: warning: [trial-model] aliases '{FORMULAS[1]}'"]
    assert r.output.splitlines()[-2] == "2 warning(s) by rule: 2 formula"
    # a name that only starts with a sign is no formula
    r = kg(data, "edit", "trial-model", "--set", "name=+1 Labs model", "--unset", "aliases")
    assert "warning" not in r.output
    assert "formula" not in kg(data, "lint", "--no-unchecked").output


# -- completion, recovery, subprocess, pre-commit ---------------------------------------------
def test_shell_completion_of_commands_and_ids_in_a_real_process(data):
    env = {**os.environ, "KG_DATA": str(data), "_KG_COMPLETE": "bash_complete"}
    out = subprocess.run(KG, env={**env, "COMP_WORDS": "kg sh", "COMP_CWORD": "1"},
                         capture_output=True, text=True, check=True, timeout=300)
    assert "plain,show" in out.stdout
    out = subprocess.run(KG, env={**env, "COMP_WORDS": "kg show huawei", "COMP_CWORD": "2"},
                         capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.split() == ["plain,huawei", "plain,huawei-annual-report-2024",
                                  "plain,huawei-ascend-910c", "plain,huawei-technologies-co"]
    out = subprocess.run(KG, env={**env, "COMP_WORDS": "kg link deepseek-r1 developer dee",
                                  "COMP_CWORD": "4"}, capture_output=True, text=True, check=True,
                                  timeout=300)
    assert out.stdout.split() == ["plain,deepseek"]  # developer: organisations only
    out = subprocess.run(KG, env={**env, "COMP_WORDS": "kg query chip-", "COMP_CWORD": "2"},
                         capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.split() == ["plain,chip-export-status", "plain,chip-makers-comparisons"]
    r = kg(data, "completion", "bash")
    assert "_KG_COMPLETE=bash_complete" in r.output


def test_add_through_a_real_subprocess(data):
    out = subprocess.run([*KG, "add", "country", "--name", "Japan", "--iso-code", "JP",
                          "--source", DW, "--no-input"], capture_output=True, text=True,
                         env={**os.environ, **ENV, "KG_DATA": str(data)}, timeout=300,
                         cwd=data.parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "wrote data/country/japan.yaml\n"


def test_recover_reports_when_there_is_nothing_to_do(data):
    assert kg(data, "recover").output == "nothing to recover\n"


def test_pre_commit_hooks_run_validate_and_fmt_check(data):
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert set(hooks) == {"kg-validate", "kg-fmt"}
    for hook in hooks.values():
        assert hook["files"] == r"^data/.*\.ya?ml$"
        args = hook["entry"].split()[1:]
        if hook.get("pass_filenames", True):
            args.append(str(data / "model" / "deepseek-r1.yaml"))
        kg(data, *args)
    (data / "model" / "deepseek-r1.yaml").write_text(read(data, "model/deepseek-r1.yaml")
                                                    .replace("id: deepseek-r1\n", "") + "id: x\n")
    r = CliRunnerless = subprocess.run([*KG, *hooks["kg-fmt"]["entry"].split()[1:]],
                                       capture_output=True, text=True,
                                       env={**os.environ, "KG_DATA": str(data)}, timeout=300)
    assert CliRunnerless.returncode == 1 and "would reformat" in r.stdout


# -- the whole graph still holds after a sequence of changes (SHACL, once) -----------------
def test_after_rename_merge_rm_the_graph_passes_shacl(data):
    kg(data, "rename", "deepseek-v3", "deepseek-v3-base")
    kg(data, "merge", "huawei-technologies-co", "huawei")
    kg(data, "rm", "deepseek-r1", "--reason", "test")
    result, ds = check(data, shacl=True)
    assert result.ok, "\n".join(i.format() for i in result.errors)
    graph = union_graph(ds)
    kgid = "https://w3id.org/ai-race-kg/id/"
    assert (URIRef(kgid + "huawei-technologies-co"), DCTERMS.isReplacedBy,
            URIRef(kgid + "huawei")) in graph
    assert (URIRef(kgid + "deepseek-v3"), DCTERMS.isReplacedBy,
            URIRef(kgid + "deepseek-v3-base")) in graph
    assert (URIRef(kgid + "deepseek-r1"), OWL.deprecated, None) in graph


def test_dry_run_validates_and_writes_nothing(data):
    before = snapshot(data)
    r = kg(data, "rename", "huawei", "huawei-co", "--dry-run")
    assert "would have wrote" not in r.output
    assert "would have written data/organization/huawei-co.yaml" in r.output
    assert "note: dry run: nothing was written" in r.output
    r = kg(data, "add", "country", "--name", "Japan", "--iso-code", "JP", "--source", DW,
           "--dry-run")
    assert r.output.startswith("id: japan\nname: Japan\niso_code: JP\n")
    assert snapshot(data) == before


def test_lint_json_and_find_by_kind(data):
    issues = json.loads(kg(data, "lint", "--json").output)
    assert {i["rule"] for i in issues} == {"unchecked"}
    assert all(i["level"] == "warning" for i in issues)
    r = kg(data, "find", "huawei", "--kind", "chip")
    assert r.output.split()[0] == "huawei-ascend-910c"


def test_json_paths_open_from_the_current_folder(data, tmp_path, monkeypatch):
    # validate, lint and unchecked --json name each file as their text lines do: from a
    # folder beside the data, "data/..." would be another file (or none)
    from click.testing import CliRunner

    from kg.cli import main

    (data / "organization" / "huawei.yaml").write_text(
        read(data, "organization/huawei.yaml") + "name: again\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    runner = CliRunner()
    found = {}
    for args in (["validate", "--no-shacl"], ["lint"], ["unchecked"]):
        r = runner.invoke(main, [*args, "--json", "--data", str(data)], env=ENV)
        found[args[0]] = {i["path"] for i in json.loads(r.output)}
    huawei = (data / "organization" / "huawei.yaml").as_posix()  # outside: absolute
    assert found["validate"] == {huawei}
    assert huawei in found["lint"]
    assert found["unchecked"] and all(p.startswith(data.as_posix() + "/") and os.path.isfile(p)
                                      for p in found["unchecked"])
    text = runner.invoke(main, ["validate", "--no-shacl", "--data", str(data)], env=ENV)
    assert text.output.startswith(huawei + ":8:1: error: [huawei] duplicate key")
    # beside the data folder the paths stay as they were
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(main, ["validate", "--no-shacl", "--json", "--data", "data"], env=ENV)
    assert {i["path"] for i in json.loads(r.output)} == {"data/organization/huawei.yaml"}


def test_edit_one_language_name(data):
    kg(data, "edit", "smic", "--unset", "names.zh")
    assert "names" not in read(data, "organization/smic.yaml")
    r = kg(data, "edit", "smic", "--unset", "names.ja", code=1)
    assert "smic has no names.ja" in r.output
    r = kg(data, "edit", "smic", "--set", "names=中芯", code=1)
    assert "set one language at a time: --set names.zh=<name>" in r.output


def test_a_dotted_field_other_than_names_is_refused_and_the_file_kept(data):
    """A maintainer's trial: `kg edit X --set affiliation.role=CEO` was told to run that
    very command with --source, and `--set affiliation.since=alibaba --source S` replaced
    the whole affiliation (its sources and note) by alibaba."""
    before = read(data, "person/ren-zhengfei.yaml")
    for args in (["--set", "affiliation.role=CEO"],
                 ["--set", "affiliation.since=huawei", "--source", "huawei-annual-report-2024"]):
        r = kg(data, "edit", "ren-zhengfei", *args, code=1)
        name, _, text = args[1].partition("=")
        assert (f"--set {name}={text}: a dot names a language, and only on a field of "
                "names (--set names.zh=...); affiliation is set whole: --set "
                "affiliation=VALUE. Its qualifiers (role) are written in the file's long "
                "form (see ontology/schema.yaml), not with --set") in r.output
        assert "--source SOURCE" not in r.output
        assert read(data, "person/ren-zhengfei.yaml") == before


def test_paths_open_from_the_current_folder_not_the_data_folders_parent(tmp_path, monkeypatch):
    """A fresh-user review: from /tmp with --data /tmp/x/mydata, kg printed
    'wrote mydata/country/japan.yaml', which does not open from /tmp. Under the current
    folder a path is printed relative to it, elsewhere in full."""
    data = tmp_path / "x" / "mydata"
    shutil.copytree(copy_fixture(tmp_path / "fixture"), data)

    def run(*args, code=0):
        r = CliRunner().invoke(main, [*args, "--data", str(data)], env=ENV,
                               catch_exceptions=False)
        assert r.exit_code == code, r.output
        return r

    monkeypatch.chdir(tmp_path)
    r = run("add", "country", "--name", "Japan", "--iso-code", "JP", "--source", DW,
            "--no-input")
    assert r.output == "wrote x/mydata/country/japan.yaml\n"
    assert (tmp_path / "x/mydata/country/japan.yaml").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    r = run("verify", "deepseek-v3", "--by", "Jane Doe")
    assert r.output.splitlines()[0] == f"wrote {data.as_posix()}/model/deepseek-v3.yaml"
    (data / "model/deepseek-v3.yaml").write_text(
        (data / "model/deepseek-v3.yaml").read_text(encoding="utf-8").replace(
            "id: deepseek-v3", "id: deepseek-r1"), encoding="utf-8")
    r = run("validate", "--no-shacl", code=1)
    assert (f"{data.as_posix()}/model/deepseek-v3.yaml:1: error: [deepseek-v3] duplicate id "
            f"'deepseek-r1': already used by {data.as_posix()}/model/deepseek-r1.yaml:2 Fix: ")\
        in r.output
    # a missing source's fix names this data folder, not "data/" (a maintainer's trial)
    r = run("add", "country", "--name", "Korea", "--iso-code", "KR", "--source", "nosuch",
            "--no-input", code=1)
    assert f"Fix: add it under {data.as_posix()}/source/ (`kg source add`)" in r.output


def test_an_issue_with_an_absolute_path_keeps_the_paths_of_its_message(tmp_path, monkeypatch):
    """A review: an issue whose path is absolute (data/ a symbolic link elsewhere, or a
    stored answer for another spelling of the folder) had every '/' after a space turned
    into './' ('already used by ./tmp/...', 'https:.//example.com'). Its message's
    paths are left as they are; a relative one is still shown from the current folder."""
    from kg.core.errors import Issue, shown_path

    real = tmp_path / "real" / "data"
    (real / "model").mkdir(parents=True)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "data").symlink_to(real, target_is_directory=True)
    monkeypatch.chdir(repo)
    other = f"{real.as_posix()}/model/deepseek.yaml"
    issue = Issue(f"{real.as_posix()}/model/x.yaml", 1, 0, "x",
                  f"duplicate id 'deepseek': already used by {other}:1",
                  "see https://example.com/ids, then kg merge")
    assert issue.format(repo) == (
        f"{real.as_posix()}/model/x.yaml:1: error: [x] duplicate id 'deepseek': already used "
        f"by {other}:1 Fix: see https://example.com/ids, then kg merge")
    # a path given relative to the data folder's parent opens from here, through the link
    assert shown_path("data/model/x.yaml", repo) == "data/model/x.yaml"
    monkeypatch.chdir(real)
    assert shown_path("data/model/x.yaml", repo) == f"{repo.as_posix()}/data/model/x.yaml"
    assert shown_path("model/x.yaml", real) == "model/x.yaml"
    assert shown_path(real) == "."


def test_issues_root_is_the_parent_of_the_data_folder_given_or_found(tmp_path, monkeypatch):
    """Every command prints an issue's path from the data folder's parent
    (kg.data.loader.issues_root): the --data given, else ./data when there is one, else
    the repository's data/."""
    from kg.data.loader import REPO_ROOT, issues_root

    assert issues_root(tmp_path / "x" / "mydata") == tmp_path / "x"
    assert issues_root(str(tmp_path / "mydata")) == tmp_path
    monkeypatch.chdir(tmp_path)
    assert issues_root() == REPO_ROOT  # no ./data here
    (tmp_path / "data").mkdir()
    assert issues_root() == tmp_path
    assert issues_root("") == tmp_path  # an empty --data/KG_DATA is the default


# -- progress on a terminal ------------------------------------------------------------------
class Said:
    """A recording progress object (kg.cli.progress's interface): ("running", stage) for
    each begin, ("done", line) for each finished stage; counts are not recorded."""

    def __init__(self):
        self.said = []

    def begin(self, what):
        self.said.append(("running", what))

    def advance(self, done, total):
        assert 0 <= done < total

    def __call__(self, message):
        self.said.append(("done", message))


def _stages(said, *expected):
    """said matches expected: (kind, text) pairs, a "done" text matched up to its ' (N s)'."""
    assert [kind for kind, _ in said] == [kind for kind, _ in expected], said
    for (kind, text), (_, want) in zip(said, expected, strict=True):
        if kind == "done":
            assert text.startswith(want + " (") and text.endswith(" s)"), (text, want)
        else:
            assert text == want


def test_the_maintainers_commands_say_what_they_read_on_a_terminal(data, monkeypatch):
    """At 100k files reading and checking data/ takes seconds before any answer (kg show
    was silent for 5-7 s with the per-file cache, about 20 s without): on a terminal each such command shows the stage
    (tqdm, with the files done) and then its line; in a pipe, nothing (the tests' output)."""
    import kg.cli as cli
    from kg.data.loader import iter_data_files

    n = len(iter_data_files(data))  # one entity a file in the fixture
    said = Said()
    monkeypatch.setattr(cli, "on_terminal", lambda: said)
    kg(data, "show", "deepseek")
    _stages(said.said, ("running", "reading and checking the data files of data/"),
            ("done", f"read and checked {n} data files"))
    said.said.clear()
    kg(data, "find", "deepseek", "--kind", "model")
    models = sum(1 for p in iter_data_files(data) if p.parent.name == "model")
    _stages(said.said, ("running", "reading and checking the data files of data/"),
            ("done", f"read and checked {n} data files"),
            ("running", f"searching the names of {models} entities"),
            ("done", f"searched the names of {models} entities"))
    said.said.clear()
    kg(data, "add", "model", "--name", "DeepSeek-V2", "--model-type", "model",
       "--developer", "deepseek", "--released", "2024-05", "--source", PAPER, "--dry-run")
    _stages(said.said, ("running", "reading and checking the data files of data/"),
            ("done", f"read and checked {n} data files"),
            ("running", "looking for entities like the new model"),
            ("done", "looked for entities like the new model"))
    said.said.clear()
    kg(data, "lint", "--no-unchecked")  # the checks (kept per file), then the YAML itself
    _stages(said.said, ("running", "reading and checking the data files of data/"),
            ("done", f"read and checked {n} data files"),
            ("running", "reading the data files of data/"),
            ("done", f"read {n} data files"),
            ("running", f"checking the style of {n} data files"),
            ("done", f"checked the style of {n} data files"),
            ("running", "finding conflicting values and sources without a link"),
            ("done", "found the conflicting values and sources without a link"))
    said.said.clear()
    kg(data, "fmt", "--check", "--no-cache")
    _stages(said.said, ("running", f"checking the form of {n} data file(s)"),
            ("done", f"checked the form of {n} data file(s), {n} not known from an "
                     "earlier run"))
    kg(data, "fmt", "--check")
    said.said.clear()
    kg(data, "fmt", "--check")  # the files the run before found canonical are not read again
    _stages(said.said, ("running", f"checking the form of {n} data file(s)"),
            ("done", f"checked the form of {n} data file(s), 0 not known from an earlier "
                     "run"))
    said.said.clear()
    kg(data, "validate", "--no-cache")
    _stages(said.said, ("running", "validating the data files"),
            ("done", f"validated {n} entities (fields, types, references)"),
            ("running", f"building the graph of {n} entities"),
            ("done", "built the graph"), ("running", "checking the SHACL shapes"),
            ("done", "checked the SHACL shapes"))


def test_not_on_a_terminal_no_stage_is_said(data):
    """kg.cli.on_terminal is None when stderr is not a terminal: a script reading the
    maintainer's commands' stderr sees only their messages."""
    from kg.cli import on_terminal

    assert on_terminal() is None
    assert kg(data, "show", "deepseek").stderr == ""


def test_edit_setting_a_value_that_has_ended_does_not_keep_its_end(data):
    # `kg edit nvidia-h200 --set export_status=restricted --source S` on the real data,
    # where S gave "restricted, to 2025-12": the set kept that ended statement (its `to`
    # too), so the status just set held only before December 2025, and none after
    (data / "chip/nvidia-h100.yaml").write_text(
        "id: nvidia-h100\nname: NVIDIA H100\naliases: [H100]\nchip_type: gpu\n"
        "designer: nvidia\nexport_status:\n"
        f"  - value: restricted\n    to: 2025-12\n    sources: [{DW}]\n"
        f"  - value: banned\n    from: 2025-12\n    sources: [{DW}]\n"
        f"sources: [{DW}]\n", encoding="utf-8")
    # (a dated history is only replaced when the command says so: --replace-history)
    r = kg(data, "edit", "nvidia-h100", "--set", "export_status=restricted", "--source", DW,
           "--replace-history")
    assert r.exit_code == 0, r.output
    assert (f"export_status:\n  value: restricted\n  sources: [{DW}]\nsources:"
            in read(data, "chip/nvidia-h100.yaml"))
