"""The benchmark never rots: its generator makes valid data, and its quick mode runs every stage.

Only ratios and shapes are asserted, never times: the machine is shared.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import REPO
from kg.cli import main
from kg.rdf.load import check

sys.path.insert(0, str(REPO / "benchmarks"))
import run as bench_run  # noqa: E402
from synth import Synth, generate  # noqa: E402

pytestmark = pytest.mark.slow

STAGES = [
    "parse YAML", "validate (tiers 1-2)", "validate after editing one file", "build the graph",
    "SHACL", "write the four graph files", "write Turtle, readable layout", "query store", "PageRank", "betweenness",
    "eigenvector centrality", "communities", "explorer: pyvis network",
    "explorer page (graph.html)", "report (all formats)", "whole build, in process",
]


def test_synthetic_data_passes_every_tier_including_shacl(tmp_path):
    data = tmp_path / "data"
    n = generate(data, 400, seed=7)
    result, _ = check(data, shacl=True)
    assert result.ok and not result.issues, "\n".join(i.format() for i in result.issues[:10])
    assert len(result.entities) == n
    kinds = {e.kind for e in result.entities.values()}
    assert kinds == {"source", "claim", "organization", "model", "policy", "event", "person",
                     "quote", "assessment", "chip", "measure", "country", "tombstone"}
    text = "".join(p.read_text(encoding="utf-8") for p in data.rglob("*.yaml"))
    for needle in ("from: ", "as_of: ", "rank: deprecated", "role: ", "quantity: ", "by: ",
                   "checked: {by:", "zh: ", "ja: ", "ko: ", "ru: ", "ar: ", "bundled_file:"):
        assert needle in text, needle


def test_synthetic_data_is_canonical_and_lint_clean(tmp_path):
    """The project's own generator passes the project's own checks: `kg fmt --check` finds
    nothing to rewrite (keys in canonical order, `'on'` quoted) and lint has no errors
    (no shortened quote ending in a space)."""
    data = tmp_path / "data"
    generate(data, 400, seed=16)
    env = {"KG_DATA": str(data), "KG_NO_CACHE": "1"}
    fmt = CliRunner().invoke(main, ["fmt", "--check"], env=env)
    assert fmt.exit_code == 0, fmt.output[-3000:]
    lint = CliRunner().invoke(main, ["lint", "--no-unchecked"], env=env)
    assert lint.exit_code == 0 and ": error:" not in lint.output, lint.output[-3000:]


def test_generator_is_deterministic_and_sized(tmp_path):
    generate(tmp_path / "a", 300, seed=1)
    generate(tmp_path / "b", 300, seed=1)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.yaml"))
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    for n in (1000, 10_000, 100_000):
        assert abs(sum(Synth(n, 0).counts.values()) - n) <= n * 0.01


def test_quick_mode_reports_every_stage_with_a_ratio(tmp_path):
    out = tmp_path / "PERFORMANCE.md"
    out.write_text("# Performance\n\nkept text\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick",
                           "--silent", "--out", str(out)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert "kept text" in text and "<!-- bench:quick-1000 -->" in text
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0] not in ("stage", "---"):
            rows[cells[0]] = cells
    for stage in STAGES:
        assert stage in rows, f"no row for {stage}"
    queries = [s for s in rows if s.startswith("query `")]
    assert len(queries) >= 10
    for stage, cells in rows.items():
        assert re.fullmatch(r"(> )?\d+(\.\d+)?", cells[5]), f"{stage}: ratio {cells[5]!r}"
        assert re.fullmatch(r"\d+", cells[6]), f"{stage}: peak {cells[6]!r}"
    # running again replaces the section instead of adding a second one
    bench_run.update_section(out, "quick-1000", "replaced")
    assert out.read_text(encoding="utf-8").count("<!-- bench:quick-1000 -->") == 1
    assert "replaced" in out.read_text(encoding="utf-8")


def test_the_edit_loop_edits_a_description_and_adds_a_link(tmp_path):
    """The two edits `kg build` is timed after (benchmarks/run.py edit_loop): edit()
    changes the first model's description; link() gives it a developer it did not have,
    through `kg link`, so the network the report analyses changes too."""
    data = tmp_path / "data"
    generate(data, 300, seed=3)
    with bench_run.edit_loop(data) as (copy, edit, link):
        victim = sorted((copy / "model").glob("*.yaml"))[0]
        before = victim.read_text(encoding="utf-8")
        edit()
        edited = victim.read_text(encoding="utf-8")
        assert "edit 1" in edited and edited != before
        orgs = [f.stem for f in sorted((copy / "organization").glob("*.yaml"))]
        new = next(o for o in orgs if o not in before)
        link()
        linked = victim.read_text(encoding="utf-8")
        assert new not in edited and new in linked
        assert check(copy)[0].ok  # still valid: the timed build is a whole build, not an error
    assert (data / "model" / victim.name).read_text(encoding="utf-8") == before  # a copy
