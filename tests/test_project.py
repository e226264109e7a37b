"""The project's own contract: README's commands, CI, help texts, packaging."""

from __future__ import annotations

import re

import click
from click.testing import CliRunner

from conftest import REPO
from kg.cli import main


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1]
    return re.findall(r"```sh\n(.+?)\n```", quick, flags=re.S)[:2]


def test_readme_starts_with_the_two_commands():
    build_cmd, test_cmd = readme_commands()
    assert "kg build" in build_cmd
    assert "pytest" in test_cmd and "ruff check" in test_cmd


def test_ci_runs_exactly_the_readme_test_command():
    _, test_cmd = readme_commands()
    lines = [ln.strip() for ln in (REPO / ".ci" / "run").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert lines[-1] == test_cmd


def all_commands(group: click.Group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, prefix + (name,))


def test_every_command_explains_itself_with_an_example():
    runner = CliRunner()
    checked = []
    for path, _cmd in all_commands(main):
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Example:" in result.output, f"`kg {' '.join(path)} --help` has no Example:"
        checked.append(path)
    assert ("validate",) in checked and ("build",) in checked


def test_every_file_or_folder_a_help_example_reads_exists():
    """An example names a folder or file of the repository it reads (`--data DIR`, a
    data file, a .rq, a source by id): it must be there, so the example runs as written."""
    import shlex

    runner = CliRunner()
    named = []
    for path, _cmd in all_commands(main):
        text = runner.invoke(main, [*path, "--help"]).output.split("Example:", 1)[1]
        for line in text.split("\n\n", 1)[0].splitlines():
            words = shlex.split(line.split("  #", 1)[0].rstrip(" \\"))
            named += [w for w in words
                      if w.split("/", 1)[0] in ("data", "tests", "queries", "ontology")]
            # a source an example cites (not a placeholder such as SOURCE-ID) is one of
            # data/'s, and should state the fact
            named += [f"data/source/{b}.yaml" for a, b in zip(words, words[1:], strict=False)
                      if a == "--source" and b != b.upper()]
    assert "queries/chip-export-status.rq" in named
    assert "data/source/deepseek-2025-01-20-r1-release.yaml" in named
    assert [w for w in named if not (REPO / w).exists()] == []


def test_licences_and_citation_exist():
    assert "MIT License" in (REPO / "LICENSE").read_text()
    assert "CC BY 4.0" in (REPO / "LICENSE-DATA").read_text()
    assert "cff-version" in (REPO / "CITATION.cff").read_text()


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(main, ["bulid"])
    assert result.exit_code == 2
    assert "No such command 'bulid'" in result.output


def test_nothing_points_outside_the_repository():
    """A fresh clone has no folder beside it: code, tests, queries and docs name none.
    (scripts/fingerprint-articles.py alone reads the articles, from a folder it is given.)"""
    outside = re.compile("|".join(re.escape(a + b) for a, b in [
        ("../", "shared"), ("/work", "/"), ("shared/", "sources"), ("COMPETENCY-", "QUESTIONS")]))
    files = [REPO / "README.md", REPO / "CONTRIBUTING.md"]
    for folder in ("kg", "tests", "queries", "docs"):
        files += [p for p in sorted((REPO / folder).rglob("*"))
                  if p.is_file() and p.suffix in (".py", ".md", ".rq", ".yaml", ".json", ".txt")]
    found = [f"{p.relative_to(REPO)}:{n}: {line.strip()}" for p in files
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if outside.search(line)]
    assert not found, "\n".join(found)
