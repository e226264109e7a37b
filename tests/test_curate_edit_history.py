"""`kg edit` on a field's dated history (export_status: restricted, then banned): a step is
re-dated, added again for another period, removed by its dates, and never replaced or lost
without the command saying so (a fresh maintainer's trial, each case below)."""

from __future__ import annotations

import pytest
from curate_support import copy_fixture, kg, snapshot

DW = "dw-2026-01-24-us-china-ai-race"
BB = "bitbiased-2026-12-dimensions"
CHIP = "chip/trial-c.yaml"
HEAD = "id: trial-c\nname: Trial C\nchip_type: gpu\ndesigner: nvidia\nexport_status:\n"
TAIL = f"sources: [{DW}]\n"


def step(value: str, *dates: str, sources: str = DW, more: str = "") -> str:
    """One statement of export_status as the file holds it; dates: "from: 2026-03", ..."""
    return (f"  - value: {value}\n" + "".join(f"    {d}\n" for d in dates)
            + f"    sources: [{sources}]\n" + more)


RESTRICTED = step("restricted", "from: 2026-03")
BANNED = step("banned", "from: 2026-04-10")


@pytest.fixture
def data(tmp_path):
    data = copy_fixture(tmp_path)
    (data / CHIP).write_text(HEAD + RESTRICTED + BANNED + TAIL, encoding="utf-8")
    return data


def read(data) -> str:
    return (data / CHIP).read_text(encoding="utf-8")


@pytest.mark.parametrize("order", ["remove first", "add first"])
def test_remove_and_add_again_in_one_command_re_dates_the_step(data, order):
    """The tool's own advice, "to change a statement's dates, --remove it and --add it
    again", in one command: the add found banned there and did nothing, the remove then
    took it, and the command said `wrote` and exited 0 with no banned left. Removes now come
    first, whichever option was given first."""
    remove = ["--remove", "export_status=banned"]
    add = ["--add", "export_status=banned", "--from", "2026-04-10", "--to", "2026-04-13",
           "--source", DW]
    r = kg(data, "edit", "trial-c", *(remove + add if order == "remove first" else add + remove))
    assert r.output == (
        "wrote data/chip/trial-c.yaml\n"
        f"note: trial-c.export_status: removed 1 statement(s): banned (from 2026-04-10) [{DW}]; "
        "the others keep their sources\n"
        f"note: trial-c.export_status: re-dated banned (from 2026-04-10) [{DW}] as banned "
        f"(from 2026-04-10 to 2026-04-13) [{DW}]\n")
    assert read(data) == HEAD + RESTRICTED + step(
        "banned", "from: 2026-04-10", "to: 2026-04-13") + TAIL


def test_a_re_dated_step_keeps_its_note_confidence_and_sources(data):
    """Re-dated, a step is the same fact with other dates: what it said besides its dates
    stays (its sources too, when --source names none); its check, of the old dates, goes and
    the note says so."""
    (data / CHIP).write_text(HEAD + RESTRICTED + step(
        "banned", "from: 2026-04-10", more="    checked: {by: Jane Doe, on: 2026-05-01}\n"
        "    confidence: likely\n    note: The source gives the day.\n") + TAIL,
        encoding="utf-8")
    r = kg(data, "edit", "trial-c", "--remove", "export_status=banned", "--add",
           "export_status=banned", "--from", "2026-04-10", "--to", "2026-04-13")
    assert r.output.splitlines()[-1] == (
        f"note: trial-c.export_status: re-dated banned (from 2026-04-10) [{DW}] (checked) as "
        f"banned (from 2026-04-10 to 2026-04-13) [{DW}] (keeping its sources, confidence, "
        "note); its check was of the old dates: `kg verify` records a new one")
    assert read(data) == HEAD + RESTRICTED + (
        "  - value: banned\n    from: 2026-04-10\n    to: 2026-04-13\n"
        f"    sources: [{DW}]\n    confidence: likely\n    note: The source gives the day.\n"
    ) + TAIL


def test_a_re_dated_step_stays_where_it_was(data):
    """Re-dated, the first step stays first: the diff is its dates' lines."""
    kg(data, "edit", "trial-c", "--add", "export_status=restricted", "--from", "2026-03",
       "--to", "2026-04-09", "--remove", "export_status=restricted")
    assert read(data) == HEAD + step("restricted", "from: 2026-03", "to: 2026-04-09") + BANNED \
        + TAIL


def test_a_value_that_comes_back_is_a_new_step_and_remove_picks_a_step_by_its_dates(data):
    """`--add export_status=banned --from 2026-07` (banned, then licences granted, then
    banned again) said "already has banned / nothing to change", though such a history
    validates and kg link adds a second window of a link; and `--remove export_status=banned`
    removed every step of banned. Now another period is a new step; the same period is
    said to be there; --from/--to pick the step to remove, and without them a value of two
    steps is refused, naming them."""
    kg(data, "edit", "trial-c", "--remove", "export_status=banned", "--add",
       "export_status=banned", "--from", "2026-04-10", "--to", "2026-04-13", "--source", DW)
    kg(data, "edit", "trial-c", "--add", "export_status=licences-granted", "--from",
       "2026-04-14", "--to", "2026-06", "--source", DW)
    r = kg(data, "edit", "trial-c", "--add", "export_status=banned", "--from", "2026-07",
           "--source", DW)
    assert r.output == (
        "wrote data/chip/trial-c.yaml\n"
        "note: trial-c.export_status had banned already, for another period: banned (from "
        f"2026-04-10 to 2026-04-13) [{DW}]; this adds a step of its own (to re-date that one "
        "instead: --remove export_status=banned --add export_status=banned with the dates, in "
        "one command)\n")
    first = step("banned", "from: 2026-04-10", "to: 2026-04-13")
    granted = step("licences-granted", "from: 2026-04-14", "to: 2026-06")
    again = step("banned", "from: 2026-07")
    assert read(data) == HEAD + RESTRICTED + first + granted + again + TAIL
    before = snapshot(data)
    r = kg(data, "edit", "trial-c", "--add", "export_status=banned", "--from", "2026-07",
           "--source", DW)
    assert r.output == (f"note: trial-c.export_status already has banned (from 2026-07) [{DW}]\n"
                        "note: nothing to change\n")
    r = kg(data, "edit", "trial-c", "--add", "export_status=banned", "--source", DW)
    assert r.output == (
        f"note: trial-c.export_status already has banned (from 2026-04-10 to 2026-04-13) "
        f"[{DW}]; banned (from 2026-07) [{DW}]; another period of it is added with its dates "
        "(--from/--to)\nnote: nothing to change\n")
    both = (f"banned (from 2026-04-10 to 2026-04-13) [{DW}]; banned (from 2026-07) [{DW}]")
    r = kg(data, "edit", "trial-c", "--remove", "export_status=banned", code=1)
    assert r.output == (
        f"Error: trial-c.export_status has 2 statements of banned: {both}; say which to "
        "remove by its dates (kg edit trial-c --remove export_status=banned --from 2026-04-10 "
        "--to 2026-04-13); nothing was written\n")
    r = kg(data, "edit", "trial-c", "--remove", "export_status=banned", "--add",
           "export_status=banned", "--from", "2026-08", "--source", DW, code=1)
    assert r.output == (
        f"Error: trial-c.export_status has 2 statements of banned: {both}; say which to "
        "remove by its dates (kg edit trial-c --remove export_status=banned --from 2026-04-10 "
        "--to 2026-04-13); with --add, --from/--to/--as-of date the value added: remove the "
        "step in a command of its own first, then add it again; nothing was written\n")
    r = kg(data, "edit", "trial-c", "--remove", "export_status=banned", "--from", "2026-05",
           code=1)
    assert r.output == (
        "Error: trial-c.export_status has no statement of banned with from 2026-05; its "
        f"statements of banned: {both}; nothing was written\n")
    assert snapshot(data) == before
    r = kg(data, "edit", "trial-c", "--remove", "export_status=banned", "--from", "2026-07")
    assert r.output == (
        "wrote data/chip/trial-c.yaml\n"
        f"note: trial-c.export_status: removed 1 statement(s): banned (from 2026-07) [{DW}]; "
        "the others keep their sources\n")
    assert read(data) == HEAD + RESTRICTED + first + granted + TAIL


def test_set_does_not_replace_a_dated_history_unless_told_to(data):
    """`kg edit C --set export_status=domestic --source S` replaced the whole history, said
    only in a "was:" note. It is refused, naming the steps, how a new step is added, and the
    flag that replaces the history; without --source the same (the refusal said "cites S;
    ... would cite C's own sources (S) instead", two things that contradict)."""
    before = snapshot(data)
    history = (f"restricted (from 2026-03) [{DW}]; banned (from 2026-04-10) [{DW}]")
    refused = (
        f"Error: trial-c.export_status has a dated history: {history}; --set would replace "
        "every step of it by domestic. To record a new step, add it with its date (kg edit "
        "trial-c --add export_status=domestic --from DATE --source SOURCE), ending the step it "
        "follows by re-dating it (--remove export_status=VALUE --add export_status=VALUE --from "
        "... --to ...); to replace the whole history, pass --replace-history; nothing was "
        "written\n")
    for extra in (["--source", BB], []):
        r = kg(data, "edit", "trial-c", "--set", "export_status=domestic", *extra, code=1)
        assert r.output == refused
    r = kg(data, "edit", "trial-c", "--add", "aliases=TC", "--replace-history", code=2)
    assert "Error: --replace-history goes with --set FIELD=VALUE" in r.output
    assert snapshot(data) == before
    r = kg(data, "edit", "trial-c", "--set", "export_status=domestic", "--source", BB,
           "--replace-history")
    assert r.output == ("wrote data/chip/trial-c.yaml\n"
                        f"note: trial-c.export_status was: {history}\n")
    assert read(data) == (HEAD + f"  value: domestic\n  sources: [{BB}]\n" + TAIL)


@pytest.mark.parametrize("text", ["null", "~", "NULL", ""])
def test_set_null_says_unset_clears_a_field(data, text):
    """`kg edit X --set tdp_w=null` said "'null' is quoted: a number is written without
    quotes"; a date, an enum and a reference were told their own wrong things. A field of
    text takes the word as typed (test_hostile_values: `--set name=~` writes '~')."""
    before = snapshot(data)
    for field in ("tdp_w", "released", "fab"):
        r = kg(data, "edit", "trial-c", "--set", f"{field}={text}", code=1)
        assert r.output == (f"Error: --set {field}={text}: to clear a field use `--unset "
                            f"{field}`; nothing was written\n")
    r = kg(data, "edit", "trial-c", "--set", f"chip_type={text}", code=1)
    assert r.output == (f"Error: --set chip_type={text}: chip_type is required for a chip and "
                        "cannot be cleared: set another value; nothing was written\n")
    assert snapshot(data) == before
