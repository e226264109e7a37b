"""Edge cases of the maintainer's commands found by a fresh maintainer's trial: a merge that
makes a third entity state one fact twice, ids too long for a file name, a removal that
would empty a required field, blank names, spaces around added values, URLs whose host is
no host name, numbers other YAML readers read, Ctrl-C, and undoing `kg rm`.

Every call goes through `kg()` (tests/curate_support.py), which asserts the exit code and
that data/ still passes structural validation afterwards; a refused command leaves data/
byte for byte as it was.
"""

from __future__ import annotations

import pytest
from curate_support import copy_fixture, kg

DW = "dw-2026-01-24-us-china-ai-race"
REPORT = "huawei-annual-report-2024"
pytestmark = pytest.mark.clock  # merge and rm write today's date


@pytest.fixture
def data(tmp_path):
    return copy_fixture(tmp_path)


def read(data, rel):
    return (data / rel).read_text(encoding="utf-8")


def test_merge_folds_a_third_entitys_two_statements_of_the_kept_entity(data):
    """A trial: `kg merge A B` while a model's `developer` names both A and B failed with
    "data/model/...: error: developer 'B' is given twice" about a file the user never
    named. The two statements now state one fact: they become one citing both sources."""
    path = data / "model/deepseek-r1.yaml"
    path.write_text(read(data, "model/deepseek-r1.yaml").replace(
        "developer: deepseek\n",
        "developer:\n  - deepseek\n"
        f"  - value: huawei-technologies-co\n    sources: [{REPORT}]\n"
        f"  - value: huawei\n    sources: [{DW}]\n"), encoding="utf-8")
    r = kg(data, "merge", "huawei-technologies-co", "huawei")
    assert ("note: deepseek-r1.developer: 1 statement(s) now stated the same fact as another; "
            "folded into one citing the sources of both") in r.output
    assert ("developer:\n  - deepseek\n  - value: huawei\n"
            f"    sources: [{REPORT}, {DW}]\nbase_model:") in read(data, "model/deepseek-r1.yaml")
    assert kg(data, "fmt", "--check").output == "all files in canonical form\n"
