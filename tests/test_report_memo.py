"""The report's network measures are read back from the cache (kg.analysis.memo) when the
network is the one measured before: the same bytes as computing them, computed again
when a link changes, and a damaged entry is computed again, never an error."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from explorer_support import count_calls

from conftest import REPO
from kg.analysis import report as rep
from kg.rdf.load import load_graph


@pytest.fixture
def measured(monkeypatch, tmp_path):
    """A cache of our own, and the number of times the measures were computed."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    return count_calls(monkeypatch, rep, "_measures")


TEXT = ("csv", "json")  # every table and number, without drawing the charts again


def files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def entries(tmp_path) -> list:
    return sorted((tmp_path / "cache" / "analysis").glob("report-*.json"))


def test_measures_read_back_give_the_same_bytes_as_computed(tmp_path, monkeypatch, measured):
    sem = load_graph(REPO / "data").semantics
    monkeypatch.setenv("KG_NO_CACHE", "1")
    rep.write_report(sem, tmp_path / "uncached")
    assert len(measured) == 1 and not (tmp_path / "cache" / "analysis").exists()
    monkeypatch.delenv("KG_NO_CACHE")
    rep.write_report(sem, tmp_path / "first")  # computed and stored
    lines: list[str] = []
    rep.write_report(sem, tmp_path / "second", progress=lines.append)  # read back
    assert len(measured) == 2 and len(entries(tmp_path)) == 1
    assert any("the same network as a run before, read back" in line for line in lines)
    assert files(tmp_path / "uncached") == files(tmp_path / "first") \
        == files(tmp_path / "second")


def test_an_edit_off_the_network_reuses_the_measures_and_a_changed_link_does_not(
        tmp_path, monkeypatch, measured):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    rep.write_report(load_graph(data).semantics, tmp_path / "before", formats=TEXT)
    assert len(measured) == 1

    # a description is not part of the network: the measures are read back
    path = data / "organization" / "alibaba.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("develops the Qwen family", "makes the Qwen family"),
                    encoding="utf-8")
    rep.write_report(load_graph(data).semantics, tmp_path / "described", formats=TEXT)
    assert len(measured) == 1
    assert files(tmp_path / "described") == files(tmp_path / "before")

    # SoftBank partners Microsoft instead of OpenAI: a link moves, the answer changes
    path = data / "organization" / "softbank.yaml"
    text = path.read_text(encoding="utf-8")
    assert "partners:\n  - value: openai\n" in text
    path.write_text(text.replace("partners:\n  - value: openai\n",
                                 "partners:\n  - value: microsoft\n"), encoding="utf-8")
    sem = load_graph(data).semantics
    rep.write_report(sem, tmp_path / "relinked", formats=TEXT)
    assert len(measured) == 2
    monkeypatch.setenv("KG_NO_CACHE", "1")
    rep.write_report(sem, tmp_path / "relinked-uncached", formats=TEXT)
    assert files(tmp_path / "relinked") == files(tmp_path / "relinked-uncached")
    before, after = (json.loads((tmp_path / d / "report.json").read_text(encoding="utf-8"))
                     for d in ("before", "relinked"))
    softbank = [{r["id"]: r for r in t["tables"]["centrality"]}["softbank"]
                for t in (before, after)]
    assert softbank[0]["pagerank"] != softbank[1]["pagerank"]


@pytest.mark.parametrize("damage", ["garbage", "cut short", "well formed, wrong shape",
                                    "another network"])
def test_a_damaged_entry_is_computed_again(tmp_path, measured, damage):
    sem = load_graph(REPO / "data").semantics
    rep.write_report(sem, tmp_path / "good", formats=TEXT)
    [entry] = entries(tmp_path)
    blob = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(b"\x00\xffnot json at all")
    elif damage == "cut short":
        entry.write_bytes(blob[:len(blob) // 2])
    else:  # passes the checksum, then does not decode
        body = json.loads(blob.partition(b"\n")[2])
        if damage == "another network":
            body["cent"]["ids"][0] = "someone-else"
        else:
            body = {"cent": body["cent"], "whys": [["x"]]}
        raw = json.dumps(body).encode("utf-8")
        import hashlib

        entry.write_bytes(b"kg-memo " + hashlib.sha256(raw).hexdigest().encode() + b"\n" + raw)
    rep.write_report(sem, tmp_path / "again", formats=TEXT)
    assert len(measured) == 2
    assert files(tmp_path / "again") == files(tmp_path / "good")
    assert entry.read_bytes() == blob  # written again whole
    rep.write_report(sem, tmp_path / "third", formats=TEXT)
    assert len(measured) == 2


def test_a_parameter_changed_at_run_time_is_another_entry(tmp_path, monkeypatch, measured):
    sem = load_graph(REPO / "data").semantics
    rep.write_report(sem, tmp_path / "one", formats=TEXT)
    monkeypatch.setattr(rep, "BETWEENNESS_EXACT_MAX_NODES", 50)
    rep.write_report(sem, tmp_path / "two", formats=TEXT)
    assert len(measured) == 2 and len(entries(tmp_path)) == 2
    method = [json.loads((tmp_path / d / "report.json").read_text(encoding="utf-8"))
              ["betweenness"]["method"] for d in ("one", "two")]
    assert method == ["exact", "sampled"]


def test_a_report_whose_measures_are_read_back_does_not_import_scipy(tmp_path):
    code = ("import sys\n"
            "from kg.cli import main\n"
            "try:\n"
            f"    main(['report', '--data', {str(REPO / 'data')!r}, '--out', "
            f"{str(tmp_path / 'out')!r}])\n"
            "except SystemExit as e:\n"
            "    assert not e.code, e.code\n"
            "print(sorted(m for m in ('scipy', 'matplotlib') if m in sys.modules))\n")
    env = {**__import__("os").environ, "KG_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env=env,
                           timeout=300).stdout.splitlines()[-1] for _ in range(2)]
    assert runs == ["['matplotlib', 'scipy']", "[]"]


def test_no_cache_computes_the_measures_and_draws_the_charts_again(tmp_path, monkeypatch,
                                                                  measured):
    """`kg report --no-cache` (and `kg build --no-cache`) read nothing back: neither the
    measures from the cache folder nor the charts recorded beside the last report."""
    from click.testing import CliRunner

    from kg.analysis import chartcache
    from kg.cli import main

    monkeypatch.setenv("KG_NO_CACHE", "0")  # on; --no-cache sets it, restored after the test
    drawn = count_calls(monkeypatch, chartcache.Chart, "draw")
    out = tmp_path / "report"
    args = ["report", "--data", str(REPO / "data"), "--out", str(out), "--format", "md"]
    assert CliRunner().invoke(main, args).exit_code == 0
    first = (len(measured), len(drawn))
    assert first[0] == 1 and first[1] >= 4  # the report's four charts at least
    assert CliRunner().invoke(main, args).exit_code == 0  # read back: nothing new
    assert (len(measured), len(drawn)) == first
    result = CliRunner().invoke(main, [*args, "--no-cache"])
    assert result.exit_code == 0, result.output
    assert (len(measured), len(drawn)) == (2, 2 * first[1])


# -- the memo is stored by kg.data.filecache.remembered: its rules hold for the memo ------
def _probe(i: int, calls: list) -> tuple:
    """A memo of input i (value [i, "名前"]) through get(); (the value, whether read back)."""
    from kg.analysis.memo import Memo

    memo = Memo("probe").add(i)

    def compute():
        calls.append(i)
        return [i, "名前"]

    return memo.get(compute, lambda v: (int(v[0]), str(v[1]))), memo.hit, memo.path()


def test_the_memo_keeps_the_newest_entries_and_a_ninth_evicts_the_oldest(tmp_path,
                                                                           monkeypatch):
    import os

    from kg.data import filecache

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    calls: list[int] = []
    paths = []
    for i in range(filecache.RESULTS_KEEP + 1):  # 9 entries, each older than the next
        value, hit, path = _probe(i, calls)
        assert (value, hit) == ((i, "名前"), False)
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
        paths.append(path)
        if i == filecache.RESULTS_KEEP - 1:
            assert all(p.exists() for p in paths)
    assert not paths[0].exists()  # the 9th write evicted the oldest
    assert all(p.exists() for p in paths[1:])
    assert sorted((tmp_path / "cache" / "analysis").iterdir()) == sorted(paths[1:])
    # the eight kept are read back, the evicted one is computed again
    assert [_probe(i, calls)[:2] for i in (8, 1)] == [((8, "名前"), True), ((1, "名前"), True)]
    assert calls == list(range(9))
    assert _probe(0, calls)[:2] == ((0, "名前"), False) and calls[-1] == 0


@pytest.mark.parametrize("damage", ["garbage", "cut short", "body edited", "empty"])
def test_a_corrupt_memo_entry_is_computed_again_not_trusted(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    calls: list[int] = []
    _, _, path = _probe(7, calls)
    good = path.read_bytes()
    assert good.startswith(b"kg-memo ") and b'[7,"\\u540d\\u524d"]' in good
    path.write_bytes({"garbage": b"\x00\xff not an entry",
                      "cut short": good[:-3],
                      "body edited": good.replace(b"[7,", b"[8,"),
                      "empty": b""}[damage])
    assert _probe(7, calls)[:2] == ((7, "名前"), False)  # not the edited 8
    assert calls == [7, 7] and path.read_bytes() == good  # written again whole
    assert _probe(7, calls)[:2] == ((7, "名前"), True) and calls == [7, 7]


def test_the_memo_and_kg_validate_answers_share_one_store(tmp_path, monkeypatch):
    """The same entry format and rule: an entry written by `remembered` under analysis/
    with the memo's tag is what Memo.get reads back, and the reverse."""
    from kg.data import filecache

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    calls: list[int] = []
    _, _, path = _probe(3, calls)
    key = path.stem.rpartition("-")[2]
    assert filecache.read_result("probe", key, folder="analysis", tag="kg-memo") == \
        [3, "名前"]
    path.unlink()
    assert filecache.remembered("probe", key, lambda: [4, "x"], list, folder="analysis",
                                tag="kg-memo") == [4, "x"]
    assert _probe(3, calls)[:2] == ((4, "x"), True) and calls == [3]
    assert filecache.read_result("probe", key) is None  # not under results/, another tag
