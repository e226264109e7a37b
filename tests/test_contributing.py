"""CONTRIBUTING.md's walkthrough is true: every `$ kg ...` line in its console blocks runs,
in order, on a copy of the fixture data set, with the exit code and output the doc shows.

A command line ending in `# exit N` must exit N (else 0). The lines after a
command are output that must appear, in order, among the lines the command
printed; `...` stands for any number of lines.
"""

from __future__ import annotations

import re
import shlex

import pytest
from curate_support import ENV, copy_fixture

from conftest import REPO
from kg.cli import main

DOC = REPO / "CONTRIBUTING.md"
# the walkthrough verifies facts (today's date); test_clock.py runs it again in 2031
pytestmark = pytest.mark.clock


def walkthrough() -> list[tuple[str, int, list[str]]]:
    steps = []
    for block in re.findall(r"```console\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                command, _, comment = line[2:].partition("   #")
                code = re.search(r"exit (\d+)", comment)
                steps.append((command.strip(), int(code.group(1)) if code else 0, []))
            else:
                steps[-1][2].append(line.rstrip())
    return steps


def shown_in(expected: list[str], printed: list[str]) -> bool:
    """Do the expected lines appear in order, `...` matching any run of lines?"""
    pos, gap = 0, False
    for want in expected:
        if want == "...":
            gap = True
            continue
        while pos < len(printed) and printed[pos] != want:
            if not gap:
                return False
            pos += 1
        if pos == len(printed):
            return False
        pos, gap = pos + 1, False
    return gap or pos == len(printed)


def test_the_doc_has_a_walkthrough_of_every_maintainer_task():
    commands = [c for c, _, _ in walkthrough()]
    for needed in ("kg source add", "kg add model", "kg link", "kg edit", "kg verify",
                   "kg unchecked", "kg merge", "kg rename", "kg rm", "kg fmt --check",
                   "kg validate"):
        assert any(c.startswith(needed) for c in commands), needed
    assert all(c.startswith("kg ") for c in commands)


def test_every_command_in_the_walkthrough_runs_as_shown(tmp_path, monkeypatch):
    from click.testing import CliRunner

    copy_fixture(tmp_path)
    monkeypatch.chdir(tmp_path)  # the doc's commands find ./data
    monkeypatch.delenv("KG_DATA", raising=False)
    runner = CliRunner()
    for command, code, expected in walkthrough():
        args = shlex.split(command)[1:]
        result = runner.invoke(main, args, env={**ENV, "KG_USER": None}, catch_exceptions=False)
        printed = [ln.rstrip() for ln in result.output.splitlines()]
        assert result.exit_code == code, f"$ {command}\n{result.output}"
        if expected and not shown_in(expected, printed):
            pytest.fail(f"$ {command}\nthe doc shows:\n" + "\n".join(expected)
                        + "\nbut it printed:\n" + result.output)


@pytest.mark.parametrize("expected,printed,ok", [
    (["a", "b"], ["a", "b"], True),
    (["a", "..."], ["a", "b", "c"], True),
    (["...", "c"], ["a", "b", "c"], True),
    (["a", "c"], ["a", "b", "c"], False),
    (["a"], ["a", "b"], False),
])
def test_output_matching(expected, printed, ok):
    assert shown_in(expected, printed) is ok
