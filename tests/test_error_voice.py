"""Every command's failure path: the last line on stderr starts `Error: ` (click's convention),
exit 1 for a data error and 2 for wrong usage; kg validate's per-problem lines stay
`file:line: error: …`. And no command reads a half-applied change or replays it while only
reading: each says "an interrupted change is pending: run `kg recover`"."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from click.testing import CliRunner
from curate_support import ENV, copy_fixture, snapshot

from kg.cli import main
from kg.curate import txn

DW = "dw-2026-01-24-us-china-ai-race"


def run(data, *args):
    with contextlib.chdir(data.parent):  # beside data/, as a maintainer runs kg
        return CliRunner().invoke(main, list(args), env={**ENV, "KG_DATA": str(data)},
                                  catch_exceptions=False)


def last_error_line(r) -> str:
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert lines, r.output
    return lines[-1]


@pytest.fixture
def data(tmp_path):
    return copy_fixture(tmp_path)


@pytest.fixture
def broken(tmp_path):
    data = copy_fixture(tmp_path / "broken")
    path = data / "model/deepseek-r1.yaml"
    path.write_text(path.read_text().replace("developer: deepseek", "developer: no-such-org"))
    return data


DATA_ERRORS = [  # (args, the start of the last line after "Error: ")
    (["add", "model", "--name", "X", "--model-type", "model", "--developer", "nobody",
      "--source", DW, "--no-input"], "kg add model: nothing was written."),
    (["source", "add", "--title", "T", "--publisher", "P", "--date", "2025-13",
      "--source-type", "news", "--reliability", "high", "--no-input"],
     "kg add source: nothing was written."),
    (["edit", "deepseek-r1", "--set", "parameters=lots"], "kg edit deepseek-r1: nothing was"),
    (["edit", "nothing-here", "--set", "name=x"], "id 'nothing-here' is not a known entity"),
    (["link", "deepseek-r1", "developer", "nvidia-h100", "--source", DW],
     "developer of an AI model must be"),
    (["rename", "huawei", "deepseek"], "id 'deepseek' is taken"),
    (["merge", "huawei", "deepseek-r1"], "cannot merge an organization"),
    (["rm", "deepseek-v3", "--reason", "x"], "deepseek-v3 is referred to"),
    (["verify", "deepseek-r1", "--against", "nope"], "deepseek-r1 cites"),
    (["show", "no-such-id"], "id 'no-such-id' is not a known entity"),
    (["find", "zzzzqqqq"], "nothing like 'zzzzqqqq'"),
    (["query", "no-such-query"], ""),
    (["query", "--sparql", "SELECT ?x WHERE { ?x ?y }"], ""),
    (["push", "--graph-store", "ftp://x/store"], "graph store must be an http(s) URL"),
    (["serve", "--graph", "/nonexistent/graph.trig"], ""),
]


@pytest.mark.parametrize("args,start", DATA_ERRORS, ids=[" ".join(a[:2]) for a, _ in DATA_ERRORS])
def test_a_data_error_ends_with_an_error_line_and_exit_1(data, args, start):
    before = snapshot(data)
    r = run(data, *args)
    assert r.exit_code == 1, r.output
    lines = r.stderr.splitlines()
    starts = [i for i, x in enumerate(lines) if x.startswith("Error: ")]
    assert starts, r.output
    assert lines[starts[-1]].startswith("Error: " + start), r.output
    # what follows the error line is its own detail (the referrers kg rm lists), indented
    assert all(x.startswith("  ") or x.startswith("Change ") for x in lines[starts[-1] + 1:])
    assert "Traceback" not in r.output
    assert snapshot(data) == before


@pytest.mark.parametrize("args", [["validate"], ["validate", "--no-shacl"], ["build"],
                                  ["stats"], ["query", "models-by-developer"],
                                  ["push", "--graph-store", "http://127.0.0.1:9/store"]])
def test_commands_on_invalid_data_end_with_an_error_line(broken, args, tmp_path):
    if args == ["build"]:
        args = ["build", "--out", str(tmp_path / "out")]
    r = run(broken, *args)
    assert r.exit_code == 1, r.output
    assert "data/model/deepseek-r1.yaml:6: error: [deepseek-r1] developer 'no-such-org' is " \
               "not a known id" in r.output
    assert last_error_line(r).startswith("Error: "), r.output


def test_validate_keeps_its_per_problem_lines(broken):
    r = run(broken, "validate", "--no-shacl")
    assert r.stderr.splitlines() == [
        "data/model/deepseek-r1.yaml:6: error: [deepseek-r1] developer 'no-such-org' is not a "
        "known id Fix: create that entity first (`kg add`) or correct the id",
        "Error: 1 error(s), 0 warning(s) in 18 entities."]


def test_lint_errors_end_with_an_error_line(data):
    path = data / "organization/huawei.yaml"
    path.write_text(path.read_text().replace("AI chips.", "AI chips â€” mojibake."))
    r = run(data, "lint", "--no-unchecked")
    assert r.exit_code == 1
    assert last_error_line(r) == "Error: 1 error(s), 0 warning(s)."


@pytest.mark.parametrize("args", [["edit"], ["link", "a"], ["add", "nokind"],
                                  ["unchecked", "--limit", "x"], ["query", "--format", "bad"],
                                  ["fmt", "--nope"], ["edit", "huawei", "--set", "noequals"]])
def test_wrong_usage_exits_2_with_an_error_line(data, args):
    r = run(data, *args)
    assert r.exit_code == 2, r.output
    assert last_error_line(r).startswith("Error: "), r.output


def test_fmt_check_fails_on_a_file_it_could_not_read(data):
    path = data / "organization/huawei.yaml"
    path.write_text(path.read_text() + "name: Again\n")
    r = run(data, "fmt", "--check")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        "data/organization/huawei.yaml:8:1: error: [huawei] duplicate key 'name' (first at line 2) Fix: "
        "keep one 'name:' line; YAML would silently drop the other",
        "Error: 1 file(s) could not be read, so were not checked; fix them first (`kg validate "
        "--data data`)"]  # the --data it was given (KG_DATA here)
    assert "all files in canonical form" not in r.output
    r = run(data, "fmt")
    assert r.exit_code == 1 and "all files in canonical form" not in r.output


# -- a pending journal -----------------------------------------------------------------------
def pending(data):
    """What a kg edit killed after its journal leaves: the journal and a temporary file."""
    tmp = data / "organization" / ".huawei.yaml.1.kg-tmp"
    tmp.write_text((data / "organization/huawei.yaml").read_text().replace("AI chips.",
                                                                             "AI chips (edited)."))
    (data / txn.JOURNAL).write_text(json.dumps({"ops": [
        {"path": "organization/huawei.yaml", "tmp": "organization/.huawei.yaml.1.kg-tmp"}]}))
    return snapshot(data)


PENDING = "an interrupted change is pending: run `kg recover`"


@pytest.mark.parametrize("args", [["validate"], ["build"], ["stats"], ["query", "models-by-developer"],
                                  ["show", "huawei"], ["find", "huawei"], ["unchecked"], ["lint"],
                                  ["fmt", "--check"]])
def test_a_reading_command_sees_a_pending_journal_and_changes_nothing(data, args, tmp_path):
    before = pending(data)
    if args == ["build"]:
        args = ["build", "--out", str(tmp_path / "out")]
    r = run(data, *args)
    assert r.exit_code == 1, r.output
    assert PENDING in r.output, r.output
    assert "create that entity first" not in r.output
    assert last_error_line(r).startswith("Error: "), r.output
    assert snapshot(data) == before  # the journal is still there: a check changes nothing


def test_validate_on_a_pending_journal_says_only_that(data):
    pending(data)
    r = run(data, "validate", "--no-shacl")
    assert r.stderr.splitlines() == [
        "data/.kg-journal.json: error: an interrupted change is pending: run `kg recover` Fix: a "
        "kg command was killed half-way, so data/ may be half-changed; `kg recover` finishes the "
        "change (or undoes it), then run this command again",
        "Error: 1 error(s), 0 warning(s) in 0 entities."]
    r = run(data, "recover")
    assert r.output == "completed an interrupted change to 1 file(s)\n"
    assert run(data, "validate", "--no-shacl").exit_code == 0
    assert "AI chips (edited)." in (data / "organization/huawei.yaml").read_text()


def test_a_writing_command_finishes_the_pending_change_first(data):
    pending(data)
    r = run(data, "edit", "huawei", "--set", "headquarters=Shenzhen")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("note: completed an interrupted change to 1 file(s)\n")
    assert "AI chips (edited)." in (data / "organization/huawei.yaml").read_text()


class Terminal(io.StringIO):
    """A stderr that says it is a terminal (the stage bar draws on it)."""

    def isatty(self):
        return True


def test_an_error_on_a_terminal_starts_its_own_line_after_a_stage_bar(monkeypatch):
    """`kg viz --query bad.rq` on a terminal: the stage "laying out and writing the
    explorer page" had begun, so its bar was still drawn, and the error was written on
    the bar's line ("... laying out ... 00:00Error: syntax error ..."). The bar is now
    cleared first: what the terminal shows last is the error, alone on its line."""
    import sys

    from kg.cli import progress
    from kg.cli.options import fail
    from kg.core.errors import KGError

    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    try:
        progress.begin("laying out and writing the explorer page")
        with pytest.raises(SystemExit) as exc:
            fail(KGError("syntax error at line 3"))
    finally:
        progress.close()
    assert exc.value.code == 1
    shown = err.getvalue().split("\n")
    assert shown[-1] == ""
    assert shown[-2].split("\r")[-1] == "Error: syntax error at line 3"  # what stays on screen


def test_ctrl_c_on_a_terminal_clears_the_stage_bar_before_aborted(monkeypatch):
    """Ctrl-C in a stage: click's "Aborted!" was written on the bar's line ("...
    validating the data files 00:03Aborted!"), the bar never cleared. It is cleared
    first now, as for an error."""
    import sys

    import click

    from kg.cli import progress

    @click.command()
    def stage():
        progress.begin("validating the data files")
        raise KeyboardInterrupt

    import kg.cli

    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setitem(main.commands, "stage", stage)
    monkeypatch.setattr(kg.cli, "_INTERRUPTED", [])  # (noted here, not for this process)
    try:
        with pytest.raises(SystemExit) as exc:
            main.main(["stage"])
    finally:
        progress.close()
    assert exc.value.code == 1
    shown = err.getvalue().split("\n")
    assert shown[-1] == ""
    assert shown[-2].split("\r")[-1] == "Aborted!"


def test_a_broken_source_cited_by_several_entities_is_told_first_and_its_follow_ons_counted(
        data):
    """A scale trial: a YAML syntax error in a widely cited source printed 143 follow-on
    errors ("'src' is the entity of ..., which could not be read") before the root cause,
    last. Now its own error comes first, and the follow-ons are one line that counts them
    (kg validate --json still lists each); the same in kg build's and a curation
    command's error."""
    src = data / "source" / "dw-2026-01-24-us-china-ai-race.yaml"
    citing = sorted(p.relative_to(data.parent).as_posix() for p in data.rglob("*.yaml")
                    if p != src and "dw-2026-01-24-us-china-ai-race" in p.read_text())
    assert len(citing) >= 4
    src.write_text('id: dw-2026-01-24-us-china-ai-race\ntitle: "unclosed\n', encoding="utf-8")
    r = run(data, "validate", "--no-shacl")
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert lines[0].startswith("data/source/dw-2026-01-24-us-china-ai-race.yaml:3:1: error: "
                               "[dw-2026-01-24-us-china-ai-race] YAML syntax error")
    follow = [x for x in r.stderr.splitlines() if "which could not be read" in x]
    assert follow == []  # counted, not listed
    n = int(lines[1].split()[2])
    assert n >= len(citing)
    assert lines[1] == (
        f"... and {n} error(s) that follow from the file(s) above that could not be read: "
        f"references to their entities (the first at {citing[0]}:"
        + lines[1].split(f"(the first at {citing[0]}:")[1])
    assert lines[-1].startswith(f"Error: {n + 1} error(s)")
    listed = json.loads(run(data, "validate", "--no-shacl", "--json").stdout)
    assert sum("which could not be read" in i["message"] for i in listed) == n
    r = run(data, "build", "--out", str(data.parent / "out"))
    lines = [x for x in r.stderr.splitlines() if not x.startswith("... validated")]
    assert r.exit_code == 1
    assert lines[0].startswith("data/source/dw-2026-01-24-us-china-ai-race.yaml:3:1: error:")
    assert lines[1].startswith(f"... and {n} error(s) that follow"), r.stderr
    assert "which could not be read" not in r.stderr
    # a command whose error has the follow-on alone (its cause not among the issues it
    # tells) still names the file to fix
    r = run(data, "verify", "huawei", "--by", "X")
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0].startswith(
        "data/organization/huawei.yaml:8: error: [huawei] checked.against "
        "'dw-2026-01-24-us-china-ai-race' is the entity of "
        "data/source/dw-2026-01-24-us-china-ai-race.yaml, which could not be read")
