"""Shared fixtures: the repository, small data sets written on the fly, tool lookup."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"


def need_tool(name: str) -> str:
    """The path of an external tool; skip loudly without it, but fail under CI=true."""
    path = shutil.which(name)
    if path:
        return path
    message = (f"'{name}' is not installed: run `bash scripts/test-deps.sh` "
               "(CI installs it; these tests may only be skipped on a developer's machine)")
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


# The smallest valid data set: one source, one country, one organisation.
BASE_FILES = {
    "source/src-a.yaml": """
        id: src-a
        name: Source A
        title: Source A
        publisher: Example Press
        date: 2026-01-24
        source_type: news
        reliability: high
        bundled_file: a.txt
    """,
    "country/china.yaml": """
        id: china
        name: China
        iso_code: CN
        sources: [src-a]
    """,
    "organization/deepseek.yaml": """
        id: deepseek
        name: DeepSeek
        org_type: lab
        country: china
        sources: [src-a]
    """,
}


@pytest.fixture
def make_data(tmp_path):
    """Write BASE_FILES plus the given files (path -> YAML text, None deletes) into tmp data/."""

    def make(files: dict[str, str | None] | None = None, base: bool = True) -> Path:
        data = tmp_path / "data"
        merged = dict(BASE_FILES) if base else {}
        merged.update(files or {})
        for rel, text in merged.items():
            if text is None:
                continue
            path = data / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        data.mkdir(exist_ok=True)
        return data

    return make


# hypothesis: in CI a derandomised, bounded profile (the same examples every run, inside the
# test budget); on a developer's machine the same bound, fresh examples each run.
try:
    from hypothesis import settings as _hsettings

    _hsettings.register_profile("ci", derandomize=True, max_examples=40, deadline=None,
                                print_blob=True)
    _hsettings.register_profile("dev", max_examples=40, deadline=None)
    _hsettings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "dev"))
except ImportError:  # pragma: no cover - hypothesis is in the test extras
    pass
