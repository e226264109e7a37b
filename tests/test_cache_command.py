"""`kg cache info` and `kg cache clear` (kg/cli/cache.py over kg.data.filecache's parts), on
real files: a real `kg build`, `kg validate` and `kg query` of a small data set fill a
temporary cache folder; clearing it, or a part of it, removes exactly that part, never a
folder a live process holds, never what is not kg's; the next build writes the same bytes."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import killed_after
from kg.cli import main
from kg.cli.cache import human_size
from kg.data import filecache

SERVING = ("import time\nfrom kg.data import filecache\n"
           "with filecache.scratch_folder('serve') as f:\n"
           "    (f / 'graph.nq').write_bytes(b'x' * 1000)\n"
           "    print('serving', f, flush=True)\n    time.sleep(600)\n")


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder of the test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(filecache.CACHE_ENV, str(folder))
    monkeypatch.delenv(filecache.OFF_ENV, raising=False)
    return folder


def kg(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def filled(cache, make_data, tmp_path):
    """A cache folder after `kg build`, `kg validate` and `kg query` of a small data set:
    (data folder, output folder)."""
    data, out = make_data(), tmp_path / "out"
    kg("build", "--data", str(data), "--out", str(out))
    kg("validate", "--data", str(data))
    kg("query", "--data", str(data), "--format", "csv", "--sparql",
       "SELECT ?s WHERE { ?s a kgo:Country }")
    return data, out


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file under folder (relative path -> bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def info() -> dict:
    return json.loads(kg("cache", "info", "--json"))


def entries(part: str) -> int:
    return next(p["entries"] for p in info()["parts"] if p["name"] == part)


def test_info_names_every_part_with_what_a_build_validate_and_query_left(filled, cache):
    shown = info()
    assert (shown["folder"], shown["from"], shown["enabled"]) == \
        (str(cache), "$KG_CACHE_DIR", True)
    assert [p["name"] for p in shown["parts"]] == list(filecache.PART_NAMES) == [
        "files", "inputs", "results", "graph", "shacl", "graphfiles", "analysis", "query",
        "tmp"]
    counts = {p["name"]: p["entries"] for p in shown["parts"]}
    assert all(n > 0 for name, n in counts.items() if name != "tmp"), counts
    assert counts["tmp"] == 0  # nothing runs now
    assert counts["query"] == 2  # the N-Quads entry and its store
    # the shards the 3 files' entries fell in, and their stamps
    assert counts["files"] == len(os.listdir(cache / "files")) >= 2
    # sizes are the bytes on disk; nothing in the folder is unaccounted for
    assert shown["other"] == []
    on_disk = sum(len(b) for b in files_under(cache).values())
    assert shown["total"] == {"entries": sum(counts.values()),
                              "bytes": sum(p["bytes"] for p in shown["parts"])}
    assert shown["total"]["bytes"] == on_disk
    query = sum(len(b) for name, b in files_under(cache).items()
                if name.startswith(("graph-", "store-")))
    assert next(p["bytes"] for p in shown["parts"] if p["name"] == "query") == query
    text = kg("cache", "info").splitlines()
    assert text[:3] == [f"cache folder: {cache} (from $KG_CACHE_DIR)", "caching: on",
                        "part        entries       size  holds"]
    assert [line.split()[:2] for line in text[3:]] == \
        [[p["name"], str(p["entries"])] for p in shown["parts"]] + \
        [["total", str(shown["total"]["entries"])]]
    assert text[3].endswith("each data file's parse and checks (kg validate, fmt, build)")


def test_info_says_why_this_folder_and_whether_caching_is_on(tmp_path, monkeypatch):
    monkeypatch.delenv(filecache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv(filecache.OFF_ENV, "1")
    head = kg("cache", "info").splitlines()[:2]
    assert head == [f"cache folder: {tmp_path / 'xdg' / 'ai-race-kg'} (from "
                    "$XDG_CACHE_HOME/ai-race-kg); it does not exist yet",
                    "caching: off ($KG_NO_CACHE is set): every command computes everything "
                    "again and keeps nothing here (but a running kg serve's copy of the graph, "
                    "in tmp/)"]
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    shown = info()
    assert (shown["folder"], shown["from"], shown["enabled"]) == \
        (str(tmp_path / "home" / ".cache" / "ai-race-kg"), "default", False)
    assert kg("cache", "info").splitlines()[0] == (
        f"cache folder: {tmp_path / 'home' / '.cache' / 'ai-race-kg'} (from the default: "
        "no $KG_CACHE_DIR or $XDG_CACHE_HOME); it does not exist yet")
    assert shown["total"] == {"entries": 0, "bytes": 0}


def test_clear_query_removes_that_part_and_nothing_else(filled, cache):
    before = files_under(cache)
    said = kg("cache", "clear", "query").splitlines()
    query = {n: b for n, b in before.items() if n.startswith(("graph-", "store-"))}
    size = human_size(sum(len(b) for b in query.values()))
    assert said == [f"query: removed 2 entries ({size})",
                    f"removed 2 entries ({size}) from {cache}"]
    assert files_under(cache) == {n: b for n, b in before.items() if n not in query}
    assert entries("query") == 0 and entries("files") == len(os.listdir(cache / "files"))


def test_clear_removes_everything_but_a_folder_a_live_process_holds(filled, cache):
    """A running `kg serve`'s scratch folder (a real child process holding its lock) is
    left and named with why; one whose process was killed is removed with the rest; the
    next build writes the same bytes as the one before the clear."""
    data, out = filled
    built = files_under(out)
    kept = {p["name"]: p["entries"] for p in info()["parts"]}
    with killed_after(SERVING, said="serving"):
        (live,) = (cache / "tmp").iterdir()
        with killed_after(SERVING, said="serving"):  # made while the first lives: both stay
            (dead,) = [p for p in (cache / "tmp").iterdir() if p != live]
        assert filecache.lock_state(dead) == "free" and filecache.lock_state(live) == "held"
        said = kg("cache", "clear").splitlines()
        assert said[-3:] == [
            "tmp: removed 1 entry (1000 B); left 1:",
            f"  {live.name}: a running kg process uses it (its lock is held); it goes once "
            "that ends",
            f"removed {sum(kept.values()) + 1} entries ({said[-1].split('(')[1].split(')')[0]}"
            f") from {cache}; left 1 in use"]
        assert said[:-3] == [f"{name}: removed {n} entr{'y' if n == 1 else 'ies'} "
                             f"({line.split('(')[1]}"
                             for (name, n), line in zip(list(kept.items())[:-1], said[:-3],
                                                        strict=True)]
        assert not dead.exists() and (live / "graph.nq").stat().st_size == 1000
        assert [p.relative_to(cache).as_posix() for p in cache.rglob("*") if p.is_file()] \
            == [f"tmp/{live.name}/{name}" for name in sorted(["graph.nq", filecache.LOCK])]
        shown = info()
        assert {p["name"]: p["entries"] for p in shown["parts"] if p["entries"]} == {"tmp": 1}
    assert kg("cache", "clear", "tmp").splitlines()[0] == "tmp: removed 1 entry (1000 B)"
    kg("build", "--data", str(data), "--out", str(out))
    assert files_under(out) == built
    # and filled the build's parts again (the shapes compiled: in this process's memory)
    assert all(entries(part) > 0 for part in ("files", "graph", "shacl", "graphfiles",
                                              "analysis"))


def test_clear_leaves_what_is_not_kgs(cache):
    """$KG_CACHE_DIR may be a folder with other things in it: only names of kg's shapes
    are removed; the others are shown by info as not kg's."""
    (cache / "files").mkdir(parents=True)
    (cache / "notes.txt").write_text("mine", encoding="utf-8")
    (cache / "files" / "readme").write_text("mine", encoding="utf-8")
    (cache / "store-old").mkdir()
    (cache / "files" / f"check-{'a' * 24}-3.json").write_bytes(b"kg's")
    (cache / "files" / f".check-{'a' * 24}-3.json.k1l2m3n4.tmp").write_bytes(b"kg's too")
    assert info()["other"] == ["notes.txt", "store-old", "files/readme"]
    assert entries("files") == 2
    assert kg("cache", "clear", "files").splitlines()[0] == "files: removed 2 entries (12 B)"
    assert sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*")) == \
        ["files", "files/readme", "notes.txt", "store-old"]
    assert kg("cache", "info").splitlines()[-1] == \
        "not kg's (kg cache clear leaves them): notes.txt, store-old, files/readme"


def test_an_unknown_part_is_an_error_naming_the_parts(cache):
    result = CliRunner().invoke(main, ["cache", "clear", "query", "sparql"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for '[PART]...': 'sparql' is not one of 'files', 'inputs', "
        "'results', 'graph', 'shacl', 'graphfiles', 'analysis', 'query', 'tmp'.")
    with pytest.raises(ValueError) as caught:
        filecache.clear_parts(["sparql", "query"])
    assert str(caught.value) == ("no cache part 'sparql'; the parts are: files, inputs, "
                                 "results, graph, shacl, graphfiles, analysis, query, tmp")


def test_a_store_is_moved_out_of_its_name_before_it_is_deleted(filled, cache, monkeypatch):
    """A reader never finds half a store under its name: it is renamed (one step) into a
    locked folder of tmp/ and deleted there; the N-Quads entry is one unlink."""
    (store,) = cache.glob("store-*")
    seen = []
    real = shutil.rmtree

    def rmtree(path, *args, **kwargs):
        seen.append((Path(path).parent, os.path.exists(store),
                     filecache.lock_state(Path(path)), sorted(os.listdir(path))))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(filecache.shutil, "rmtree", rmtree)
    filecache.clear_parts(["query"])
    [(parent, there, state, inside)] = seen
    assert (parent, there, state) == (cache / "tmp", False, "held")
    assert inside == [filecache.LOCK, store.name]
    assert list((cache / "tmp").iterdir()) == []


def test_human_size():
    assert [human_size(n) for n in (0, 999, 1023, 1024, 1536, 10 * 1024 - 1, 832 * 1024,
                                     14_900_000, 3 * 2**30)] == \
        ["0 B", "999 B", "1023 B", "1.0 KiB", "1.5 KiB", "10.0 KiB", "832 KiB", "14 MiB",
         "3.0 GiB"]


def test_a_folder_not_locked_yet_is_left_while_it_is_new(cache):
    """A scratch folder without a lock may be one a process made a moment ago and is about
    to lock: left (and said why) while it is under filecache.STALE_TMP seconds old, removed
    once older (a process killed before locking it)."""
    young = cache / "tmp" / "kg-serve.a1b2c3d4.tmp"
    young.mkdir(parents=True)
    (young / "graph.nq").write_bytes(b"x" * 10)
    assert kg("cache", "clear", "tmp").splitlines() == [
        "tmp: nothing to remove; left 1:",
        f"  {young.name}: made under 60 s ago and not locked: maybe being made now; run "
        "this again in a minute",
        f"removed 0 entries (0 B) from {cache}; left 1 in use"]
    old = time.time() - filecache.STALE_TMP - 5
    os.utime(young, (old, old))
    assert kg("cache", "clear", "tmp").splitlines()[0] == "tmp: removed 1 entry (10 B)"
    assert not young.exists()
