"""The per-file cache (kg/data/filecache.py): a warm cache gives exactly the answers of a
cold run, never hides an error, ignores entries it cannot trust, and survives two writers."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_validate_rules import CASES, MODEL_OK

from conftest import BASE_FILES, killed_after
from kg.cli import main
from kg.core.schema import load_schema
from kg.data import filecache
from kg.data.validate import check_fingerprint, validate_dir

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder of the test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(filecache.CACHE_ENV, str(folder))
    return folder


def shards(folder: Path, purpose: str = "check") -> list[Path]:
    """The entry shards (not the stamps file)."""
    return sorted(p for p in (folder / "files").glob(f"{purpose}-*.json")
                  if not p.name.endswith(f"-{filecache.STAMPS}.json"))


def stamps_files(folder: Path, purpose: str = "check") -> list[Path]:
    return sorted((folder / "files").glob(f"{purpose}-*-{filecache.STAMPS}.json"))


def body_of(path: Path) -> dict:
    head, _, body = path.read_bytes().partition(b"\n")
    assert head.split()[2].decode() == hashlib.sha256(body).hexdigest()
    return marshal.loads(body)


def entries(folder: Path, purpose: str = "check") -> dict:
    out = {}
    for path in shards(folder, purpose):
        out.update(body_of(path))
    return out


def write(data: Path, files: dict[str, str | None]) -> None:
    """Write each file (None deletes it)."""
    for rel, text in files.items():
        path = data / rel
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def same_as_cold(data: Path, schema=None):
    """validate_dir with the cache, checked against the same call without it."""
    warm = validate_dir(data, schema)
    cold = validate_dir(data, schema, cache=False)
    assert [i.format() for i in warm.issues] == [i.format() for i in cold.issues]
    assert warm.issues == cold.issues
    assert repr(warm.entities) == repr(cold.entities)  # values, types, lines and key order
    return warm


@pytest.mark.parametrize("files, rule, path, line, message, fix", CASES)
def test_an_error_brought_after_a_warm_cache_is_reported_as_cold(
        make_data, cache, files, rule, path, line, message, fix):
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    assert same_as_cold(data).ok
    assert len(entries(cache)) == 4  # one per file
    write(data, files)
    result = same_as_cold(data)
    found = [i for i in result.issues if i.rule == rule and message in i.message]
    assert found, [i.format() for i in result.issues]
    assert (found[0].path, found[0].line) == (path, line)
    assert fix in found[0].fix
    # and back: the cached answers again
    write(data, {rel: None for rel in files} | BASE_FILES | {"model/deepseek-r1.yaml": MODEL_OK})
    assert same_as_cold(data).ok


def test_the_curated_data_warm_is_the_curated_data_cold(cache):
    first = same_as_cold(REPO / "data")
    assert first.ok and len(first.entities) > 500
    assert len(entries(cache)) == len(first.entities)
    second = same_as_cold(REPO / "data")  # now every file from the cache
    assert second.entities.keys() == first.entities.keys()


def test_a_cross_file_error_is_found_with_every_file_cached(make_data, cache):
    """References and ids are checked over everything each time, cached or not."""
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    assert same_as_cold(data).ok
    (data / "organization/deepseek.yaml").unlink()  # the model's developer is gone
    result = same_as_cold(data)
    assert [i.format() for i in result.errors] == [
        "data/model/deepseek-r1.yaml:4: error: [deepseek-r1] developer 'deepseek' is not a "
        "known id (did you mean 'deepseek-r1'?) Fix: create that entity first (`kg add`) or correct the id"]


def test_an_entry_of_another_schema_is_not_used(make_data, cache):
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    schema = load_schema()
    assert same_as_cold(data, schema).ok
    model_type = schema.kinds["model"].fields["model_type"]
    enum = schema.enums[model_type.enum]
    narrower = dataclasses.replace(schema, enums={**schema.enums, enum.name: dataclasses.replace(
        enum, values={k: v for k, v in enum.values.items() if k != "model"})})
    assert narrower.version == schema.version  # the same version number, other content
    assert check_fingerprint(narrower) != check_fingerprint(schema)
    result = same_as_cold(data, narrower)
    assert [i.rule for i in result.errors] == ["bad-enum"]
    assert same_as_cold(data, schema).ok


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip", "empty", "entry"])
def test_a_damaged_cache_is_ignored_and_rewritten(make_data, cache, damage):
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK.replace("model_type: model",
                                                                 "model_type: modle")})
    before = same_as_cold(data)
    assert [i.rule for i in before.errors] == ["bad-enum"]
    for path in shards(cache):
        blob = path.read_bytes()
        head, _, body = blob.partition(b"\n")
        if damage == "truncate":
            path.write_bytes(blob[:len(blob) // 2])
        elif damage == "garbage":
            path.write_bytes(b"\x00\xff not a shard")
        elif damage == "flip":  # the header stands, the body does not match it
            path.write_bytes(head + b"\n" + body.replace(b"modle", b"model"))
        elif damage == "empty":
            path.write_bytes(b"")
        else:  # a well-formed shard whose entries are not what kg writes
            body = marshal.dumps({k: [1, 2] for k in marshal.loads(body)})
            fp = head.split()[1].decode()
            path.write_bytes(f"kg-filecache {fp} {hashlib.sha256(body).hexdigest()}\n".encode()
                             + body)
    after = same_as_cold(data)
    assert after.issues == before.issues
    assert len(entries(cache)) == 4  # rewritten whole


def test_a_file_known_by_its_stamp_is_not_read_and_a_change_is_seen(
        make_data, cache, monkeypatch):
    """A file whose stat stamp is the recorded one is not read; an edit (even one that
    keeps the size and puts the modification time back) is read and checked again."""
    monkeypatch.setattr(filecache, "RACY", -1.0)  # every stamp trusted at once
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    assert same_as_cold(data).ok
    [stamps] = stamps_files(cache)
    assert len(body_of(stamps)) == 4  # one per file
    read = []
    real = Path.read_bytes

    def counted(self):
        if str(self).startswith(str(data)):
            read.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counted)
    warm = validate_dir(data)
    assert read == [] and warm.ok and len(warm.entities) == 4
    model = data / "model" / "deepseek-r1.yaml"
    before = model.stat()
    text = model.read_text(encoding="utf-8")
    model.write_text(text.replace("model_type: model", "model_type: modle"), encoding="utf-8")
    assert model.stat().st_size == before.st_size
    os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))  # the old time, new bytes
    result = same_as_cold(data)
    assert [i.rule for i in result.errors] == ["bad-enum"]
    assert "deepseek-r1.yaml" in read
    # a damaged stamps file is ignored: every file read again, the same answer
    stamps.write_bytes(stamps.read_bytes()[:-3])
    read.clear()
    assert validate_dir(data).issues == result.issues
    assert len(read) == 4


def test_a_recently_changed_file_is_read_every_time(make_data, cache, monkeypatch):
    """Within RACY seconds of its last change a file's stamp is not recorded: a second
    write within the same clock tick could keep size and times with other bytes."""
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    assert same_as_cold(data).ok
    assert stamps_files(cache) == [] or len(body_of(stamps_files(cache)[0])) == 0


def test_two_processes_writing_at_once_leave_whole_shards(tmp_path, cache):
    script = textwrap.dedent("""
        import sys
        from pathlib import Path
        from kg.data.filecache import FileCache
        me = sys.argv[1]
        for n in range(60):
            store = FileCache(Path(sys.argv[2]), "check", "fp")
            for i in range(40):
                key = FileCache.key(f"{me}-{n}-{i}".encode())
                store.put(key, [me, n, i, "x" * 200])
            store.save()
    """)
    env = {**os.environ, filecache.CACHE_ENV: str(cache)}
    procs = [subprocess.Popen([sys.executable, "-c", script, str(k), str(tmp_path)], env=env)
             for k in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    found = entries(cache)  # every shard whole: its checksum holds and it parses
    assert found and all(v[3] == "x" * 200 for v in found.values())
    assert not list((cache / "files").glob(".*.tmp"))  # no temporary file left behind
    store = filecache.FileCache(tmp_path, "check", "fp")
    assert sum(len(s) for s in store.old.values()) == len(found)


def test_no_cache_writes_nothing(make_data, cache, monkeypatch):
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    assert validate_dir(data, cache=False).ok
    monkeypatch.setenv(filecache.OFF_ENV, "1")
    assert validate_dir(data).ok
    assert not cache.exists()
    monkeypatch.delenv(filecache.OFF_ENV)
    result = CliRunner().invoke(main, ["validate", "--no-cache", "--no-shacl", "--data",
                                       str(data)])
    assert result.exit_code == 0, result.output
    assert not cache.exists()
    monkeypatch.delenv(filecache.OFF_ENV)  # --no-cache set it for the process
    result = CliRunner().invoke(main, ["validate", "--no-shacl", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert len(entries(cache)) == 4


def test_fmt_check_after_a_warm_cache_sees_a_change(make_data, cache, monkeypatch):
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    monkeypatch.chdir(data.parent)  # beside data/: messages name data/<kind>/<file>.yaml
    runner = CliRunner()
    first = runner.invoke(main, ["fmt", "--check", "--data", str(data)])
    assert (first.exit_code, first.output) == (0, "all files in canonical form\n")
    assert len(entries(cache, "fmt")) == 4
    model = data / "model/deepseek-r1.yaml"
    model.write_text("name: DeepSeek-R1\n" + MODEL_OK.replace("    name: DeepSeek-R1\n", "")
                     .replace("    ", ""), encoding="utf-8")  # name before id: not canonical
    second = runner.invoke(main, ["fmt", "--check", "--data", str(data)])
    assert second.exit_code == 1
    assert "would reformat data/model/deepseek-r1.yaml" in second.output
    fixed = runner.invoke(main, ["fmt", "--data", str(data), str(model)])
    assert fixed.exit_code == 0, fixed.output
    assert model.read_text(encoding="utf-8").startswith("id: deepseek-r1\n")
    # kg fmt FILE kept the others' verdicts (and the old text's: a whole run prunes it)
    assert len(entries(cache, "fmt")) == 4
    third = runner.invoke(main, ["fmt", "--check", "--data", str(data)])
    assert (third.exit_code, third.output) == (0, "all files in canonical form\n")
    assert len(entries(cache, "fmt")) == 4  # the reformatted file's verdict joins them


def test_fmt_check_keeps_the_verdict_on_a_file_not_in_canonical_form(make_data, cache,
                                                                    monkeypatch):
    """A file that fails `kg fmt --check` is not formatted again on the next run (at 10k
    synthetic files every run re-formatted 7424 of them: 73 s); its canonical text is
    kept, so the answer, and `kg fmt` writing it, stay the same."""
    from kg.curate import ops

    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    model = data / "model/deepseek-r1.yaml"
    model.write_text("name: DeepSeek-R1\n" + MODEL_OK.replace("    name: DeepSeek-R1\n", "")
                     .replace("    ", ""), encoding="utf-8")  # name before id: not canonical
    monkeypatch.chdir(data.parent)
    formatted = []
    real = ops.yamlio.format_text
    monkeypatch.setattr(ops.yamlio, "format_text",
                        lambda text, rel, schema=None: formatted.append(rel) or real(text, rel, schema))
    runner = CliRunner()
    first = runner.invoke(main, ["fmt", "--check", "--data", str(data)])
    assert first.exit_code == 1 and "would reformat data/model/deepseek-r1.yaml" in first.output
    assert "model/deepseek-r1.yaml" in formatted
    formatted.clear()
    second = runner.invoke(main, ["fmt", "--check", "--data", str(data)])
    assert (second.exit_code, second.output) == (first.exit_code, first.output)
    assert formatted == []  # nothing formatted again: every verdict came from the cache
    fixed = runner.invoke(main, ["fmt", "--data", str(data)])
    assert fixed.exit_code == 0, fixed.output
    assert formatted == []
    assert model.read_text(encoding="utf-8").startswith("id: deepseek-r1\n")
    third = runner.invoke(main, ["fmt", "--check", "--data", str(data)])
    assert (third.exit_code, third.output) == (0, "all files in canonical form\n")
    assert formatted == ["model/deepseek-r1.yaml"]  # its new text, once


def test_values_of_every_type_come_back_as_they_were():
    from datetime import date
    from decimal import Decimal

    from kg.core.model import Check, DateValue

    values = ["text", True, False, 0, 671000000000, Decimal("0.60"), Decimal("2.5E+24"),
              DateValue.parse("2025-02"), {"zh": "华为", "en": "Huawei"}, None,
              Check("Ann", DateValue.parse("2026-11-23"), "src-a"), Check("Bo", DateValue(
                  date(2025, 1, 1), date(2025, 12, 31), "2025"))]
    for v in values:
        back = filecache.decode_value(json.loads(json.dumps(filecache.encode_value(v))))
        assert (type(back), repr(back)) == (type(v), repr(v))
    with pytest.raises(TypeError):
        filecache.encode_value(1.5)  # not a type kg gives: that file is not cached


def test_only_the_newest_data_folders_are_kept(tmp_path, cache):
    folders = [tmp_path / f"data-{n}" for n in range(filecache.KEEP_FOLDERS + 3)]
    for n, folder in enumerate(folders):
        store = filecache.FileCache(folder, "check", "fp")
        store.put(filecache.FileCache.key(str(n).encode()), [n])
        store.save()
        for path in (cache / "files").glob(f"{store.base}-*.json"):
            os.utime(path, (1000 + n, 1000 + n))  # written in this order
    kept = {p.name.rsplit("-", 1)[0] for p in shards(cache)}
    assert kept == {filecache.FileCache(f, "check", "fp").base
                    for f in folders[-filecache.KEEP_FOLDERS:]}
    assert sum(len(filecache.FileCache(folders[-1], "check", "fp").old[s])
               for s in filecache.SHARDS) == 1


def test_an_unwritable_cache_folder_is_no_error(make_data, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv(filecache.CACHE_ENV, str(blocker / "cache"))
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK.replace("model_type: model",
                                                                 "model_type: modle")})
    assert [i.rule for i in same_as_cold(data).errors] == ["bad-enum"]
    assert blocker.read_text(encoding="utf-8").startswith("a file")


def test_kg_validate_prints_the_same_with_a_warm_cache(make_data, cache):
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK + "    released: 2025-13\n",
                      "model/other.yaml": MODEL_OK.replace("deepseek-r1", "other")
                      .replace("developer: deepseek", "developer: nobody")})
    runner = CliRunner()
    cold = runner.invoke(main, ["validate", "--no-cache", "--data", str(data)])
    os.environ.pop(filecache.OFF_ENV, None)  # --no-cache set it for the process
    first = runner.invoke(main, ["validate", "--data", str(data)])  # writes the cache
    warm = runner.invoke(main, ["validate", "--data", str(data)])  # reads it
    assert cold.exit_code == first.exit_code == warm.exit_code == 1
    assert cold.output == first.output == warm.output
    assert "data/model/deepseek-r1.yaml:6: error: [deepseek-r1] released '2025-13'" in warm.output
    assert "developer 'nobody' is not a known id" in warm.output


def test_kg_validate_on_unchanged_inputs_answers_from_the_last_run(make_data, cache):
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    runner = CliRunner()
    first = runner.invoke(main, ["validate", "--data", str(data)])
    assert (first.exit_code, first.output) == (0, "OK: 4 entities valid.\n")
    [stored] = (cache / "results").glob("validate-*.json")
    again = runner.invoke(main, ["validate", "--data", str(data)])
    assert (again.exit_code, again.output) == (0, first.output)
    # an edit: another key, so the data is validated again and the error is seen
    (data / "model/deepseek-r1.yaml").write_text(
        textwrap.dedent(MODEL_OK).lstrip() + "released: 2025-13\n", encoding="utf-8")
    edited = runner.invoke(main, ["validate", "--data", str(data)])
    assert edited.exit_code == 1
    assert "data/model/deepseek-r1.yaml:6: error: [deepseek-r1] released '2025-13'" in \
        edited.output
    assert runner.invoke(main, ["validate", "--data", str(data)]).output == edited.output
    # a stored answer that is damaged is not used
    for path in (cache / "results").glob("validate-*.json"):
        path.write_bytes(path.read_bytes().replace(b"2025-13", b"2025-12"))
    damaged = runner.invoke(main, ["validate", "--data", str(data)])
    assert damaged.output == edited.output
    assert stored.exists()


def test_the_inputs_key_follows_every_input(make_data, tmp_path):
    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    key = filecache.inputs_key(data, False)
    assert key == filecache.inputs_key(data, False)
    assert key != filecache.inputs_key(data, True)  # another option
    (data / "dataset.yaml").write_text("date: 2026-01-31\n", encoding="utf-8")
    with_date = filecache.inputs_key(data, False)
    assert with_date != key
    (data / "model/other.yaml").write_text("id: other\n", encoding="utf-8")
    assert filecache.inputs_key(data, False) not in (key, with_date)
    (data / "model/other.yaml").unlink()
    assert filecache.inputs_key(data, False) == with_date
    assert filecache.inputs_key(tmp_path / "missing", False) is None


def test_an_answer_computed_while_a_file_changed_is_not_stored_under_the_old_files(
        make_data, cache, monkeypatch):
    """An editor saves a fix while `kg validate` runs (the run reads the fixed file), and
    the error comes back afterwards: the next run must report it, not the fixed file's
    stored "OK" (review, finding 1)."""
    import kg.rdf.load as load

    bad = MODEL_OK + "    released: 2025-13\n"
    data = make_data({"model/deepseek-r1.yaml": bad})
    path = data / "model" / "deepseek-r1.yaml"
    real = load.check

    def saved_during_the_run(*args, **kwargs):
        path.write_text(textwrap.dedent(MODEL_OK).lstrip("\n"), encoding="utf-8")
        return real(*args, **kwargs)

    monkeypatch.setattr(load, "check", saved_during_the_run)
    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert result.exit_code == 0, result.output  # it read the fixed file
    monkeypatch.setattr(load, "check", real)
    path.write_text(textwrap.dedent(bad).lstrip("\n"), encoding="utf-8")  # the error back
    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert result.exit_code == 1, result.output
    assert "deepseek-r1.yaml:6" in result.output
    assert "released '2025-13' is not a valid date" in result.output


def test_one_hasher_keys_the_graph_and_the_stored_answers(make_data, cache):
    """The graph cache's key and `kg validate`'s stored answer come from one hasher
    (`input_files`): both see a file in a hidden folder (the loader reads those too),
    and both trust an old file's stamp (size, modification time) without reading it."""
    from kg.sparql import cache as graph_cache

    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    graph_key, answer_key = graph_cache.input_key(data), filecache.inputs_key(data, False)
    hidden = data / ".drafts" / "note.yaml"
    hidden.parent.mkdir()
    hidden.write_text("id: note\n", encoding="utf-8")
    assert graph_cache.input_key(data) != graph_key
    assert filecache.inputs_key(data, False) != answer_key
    assert graph_key != answer_key  # what the answer is, is part of its key

    # an old file (past the RACY window) is known by its stamp: content swapped for
    # bytes of the same size under the same time is not read again ...
    model = data / "model" / "deepseek-r1.yaml"
    old = model.stat().st_mtime_ns - 3_600 * 10**9
    os.utime(model, ns=(old, old))
    before = graph_cache.input_key(data)
    text = model.read_text(encoding="utf-8")
    model.write_text(text.replace("DeepSeek", "DeepSeeK"), encoding="utf-8")
    os.utime(model, ns=(old, old))
    assert graph_cache.input_key(data) == before
    # ... while any other time (an editor's save) makes it read
    os.utime(model, ns=(old + 10**9, old + 10**9))
    assert graph_cache.input_key(data) != before
    index = json.loads((cache / "inputs.json").read_text(encoding="utf-8"))
    stamp = index[str(data.resolve())]["model/deepseek-r1.yaml"]
    assert stamp[:2] == [old + 10**9, model.stat().st_size]
    assert stamp[2] == hashlib.sha256(model.read_bytes()).hexdigest()


def test_an_unreadable_input_means_no_key_and_nothing_stored(make_data, cache):
    from kg.sparql import cache as graph_cache

    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    (data / "model" / "gone.yaml").symlink_to(data / "model" / "missing.yaml")
    assert filecache.inputs_key(data, False) is None
    assert graph_cache.input_key(data) is None


def _left_over(folder: Path, target: str, age: float) -> Path:
    """A write_atomic temporary for folder/target, as a process killed between creating
    it and renaming it leaves it, last written age seconds ago."""
    import tempfile
    import time

    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{target}.", suffix=".tmp")
    os.write(fd, b"half of an entry")
    os.close(fd)
    os.utime(name, (time.time() - age,) * 2)
    return Path(name)


@pytest.mark.parametrize("where", ["files", "results", "analysis", "root"])
def test_a_temporary_left_by_a_killed_writer_is_removed_by_the_next_write(cache, tmp_path,
                                                                          where):
    """Every cache folder is written through write_atomic, which removes the temporaries
    over STALE_TMP seconds old that killed writers left beside its target; a fresh one
    (another process writing now) and files not of its naming stay."""
    folder = cache if where == "root" else cache / where
    stale = _left_over(folder, "x.json", filecache.STALE_TMP + 5)
    fresh = _left_over(folder, "y.json", filecache.STALE_TMP - 30)
    (folder / "kept.tmp").write_bytes(b"not a temporary of write_atomic")
    (folder / ".other.tmp").write_bytes(b"another program's, in a shared KG_CACHE_DIR")
    os.utime(folder / ".other.tmp", (0, 0))
    (folder / ".dir.tmp").mkdir()
    if where == "files":
        store = filecache.FileCache(tmp_path, "check", "fp")
        store.put(filecache.FileCache.key(b"a"), ["a"])
        store.save()
    elif where == "root":  # the stat index of input_files, inputs.json
        (tmp_path / "data").mkdir()
        (tmp_path / "data" / "a.yaml").write_bytes(b"a")
        assert [f[1] for f in filecache.input_files([("data", tmp_path / "data")])] == ["a.yaml"]
    else:
        assert filecache.remembered("p", "k", lambda: [1], list, folder=where) == [1]
    assert not stale.exists()
    assert fresh.exists() and (folder / "kept.tmp").exists() and (folder / ".dir.tmp").is_dir()
    assert (folder / ".other.tmp").exists()  # not of mkstemp's shape: not write_atomic's


def test_sweep_temporaries_names_what_it_removed(tmp_path):
    stale = _left_over(tmp_path, "a.idx", 3600)
    _left_over(tmp_path, "b.idx", 0)
    assert filecache.sweep_temporaries(tmp_path) == [stale.name]
    assert filecache.sweep_temporaries(tmp_path / "missing") == []
    assert [p.name.startswith(".b.idx.") for p in tmp_path.iterdir()] == [True]


def test_write_result_stores_what_read_result_gives_back(cache):
    """The public pair kg.rdf.shapes keeps its SHACL check with: the answer comes back
    parsed under the same purpose, folder and tag, and under no other; the newest
    RESULTS_KEEP entries of a purpose are kept."""
    assert filecache.write_result("p", "k1", b'{"a":[1,"x"]}', folder="kept", tag="t 1")
    assert filecache.read_result("p", "k1", folder="kept", tag="t 1") == {"a": [1, "x"]}
    assert filecache.read_result("p", "k1", folder="kept", tag="t 2") is None
    assert filecache.read_result("p", "k1") is None  # another folder
    assert (cache / "kept" / "p-k1.json").read_bytes() == \
        b"t 1 " + hashlib.sha256(b'{"a":[1,"x"]}').hexdigest().encode() + b'\n{"a":[1,"x"]}'
    assert filecache.write_result("p", "k2", b"[2]")  # the default folder and tag
    assert filecache.read_result("p", "k2") == [2]
    for n in range(filecache.RESULTS_KEEP + 2):
        filecache.write_result("q", f"n{n:02d}", b"0")
        os.utime(cache / "results" / f"q-n{n:02d}.json", (n, n))
    assert sorted(p.name for p in (cache / "results").glob("q-*")) == \
        [f"q-n{n:02d}.json" for n in range(2, filecache.RESULTS_KEEP + 2)]


def test_a_writer_killed_before_its_rename_leaves_a_temporary_the_next_process_removes(cache):
    """A real kill (SIGKILL: no clean-up) between write_atomic's write and its rename
    leaves the temporary; once it is over STALE_TMP seconds old, the next process's first
    write into that folder removes it."""
    import time

    target = cache / "graphfiles" / "x.idx"
    code = ("import os, sys, time\nfrom pathlib import Path\nfrom kg.data import filecache\n"
            "def stuck(*args):\n    print('renaming', flush=True)\n    time.sleep(600)\n"
            "os.replace = stuck\nfilecache.write_atomic(Path(sys.argv[1]), b'half')\n")
    with killed_after(code, str(target), said="renaming"):
        pass
    (left,) = target.parent.iterdir()
    assert filecache.is_temporary(left.name) and left.read_bytes() == b"half"
    back = time.time() - filecache.STALE_TMP - 1
    os.utime(left, (back, back))
    assert filecache.write_atomic(target.with_name("y.idx"), b"whole")
    assert sorted(p.name for p in target.parent.iterdir()) == ["y.idx"]


def test_a_scratch_folder_is_locked_while_used_and_a_killed_users_goes_with_the_next(cache):
    """scratch_folder (kg serve's copy of the graph, quads_texts's files): a folder of its
    own under the cache folder's tmp/, locked while its block runs, removed after it. A
    real kill (SIGKILL: no clean-up) leaves it; the next scratch_folder removes it, and
    never one whose process lives (this one's, in its block)."""
    code = ("import sys, time\nfrom kg.data import filecache\n"
            "with filecache.scratch_folder('serve') as f:\n"
            "    (f / 'graph.nq').write_bytes(b'x' * 1000)\n"
            "    print('serving', f, flush=True)\n    time.sleep(600)\n")
    with killed_after(code, said="serving"):
        (theirs,) = (cache / "tmp").iterdir()
        assert theirs.name.startswith("kg-serve.") and filecache.lock_state(theirs) == "held"
        with filecache.scratch_folder("graph") as mine:  # sweeps: theirs lives, stays
            assert mine.parent == cache / "tmp" and mine.name.startswith("kg-graph.")
            assert sorted((cache / "tmp").iterdir()) == sorted([theirs, mine])
        assert not mine.exists()
    assert (theirs / "graph.nq").stat().st_size == 1000  # left by the kill
    assert filecache.lock_state(theirs) == "free"
    with filecache.scratch_folder("graph") as mine:
        with filecache.scratch_folder("serve") as also:  # a live one's is kept
            assert sorted((cache / "tmp").iterdir()) == sorted([mine, also])
    assert list((cache / "tmp").iterdir()) == []


def test_a_scratch_folder_without_a_cache_folder_is_made_in_the_systems(tmp_path, monkeypatch):
    """A cache folder that cannot be made (a file in its place): the scratch folder goes to
    the system's temporary folder, locked and swept the same way."""
    (tmp_path / "file").write_text("", encoding="utf-8")
    monkeypatch.setenv(filecache.CACHE_ENV, str(tmp_path / "file" / "cache"))
    monkeypatch.setattr(filecache.tempfile, "tempdir", str(tmp_path / "sys"))
    (tmp_path / "sys").mkdir()
    with filecache.scratch_folder("serve") as folder:
        assert folder.parent == tmp_path / "sys" and filecache.lock_state(folder) == "held"
    assert list((tmp_path / "sys").iterdir()) == []



def test_a_scratch_folder_in_a_cache_folder_not_writable_is_made_in_the_systems(
        tmp_path, monkeypatch):
    """The cache folder's tmp/ there but not writable (another user's; refused by hand,
    as the tests may run as root): the scratch folder is made in the system's."""
    real = filecache.tempfile.mkdtemp

    def mkdtemp(dir=None, **kw):
        if Path(dir) == tmp_path / "cache" / "tmp":
            raise PermissionError(13, "Permission denied")
        return real(dir=dir, **kw)

    monkeypatch.setattr(filecache.tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setenv(filecache.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(filecache.tempfile, "tempdir", str(tmp_path / "sys"))
    (tmp_path / "sys").mkdir()
    with filecache.scratch_folder("serve") as folder:
        assert folder.parent == tmp_path / "sys" and filecache.lock_state(folder) == "held"
    assert list((tmp_path / "sys").iterdir()) == []
    assert list((tmp_path / "cache" / "tmp").iterdir()) == []


def test_ctrl_c_keeps_the_files_checked_and_formatted_before_it(make_data, cache):
    """A first run at 100k files takes minutes (kg fmt --check 4-5, kg validate 1-1.5): Ctrl-C
    near its end kept nothing, so the next run started from zero. The entries made before
    the interrupt are saved (the KeyboardInterrupt still ends the command); the next run
    gives the answer of a cold run and adds the entries of the rest."""
    from kg.curate.ops import Workspace
    from kg.curate.ops import fmt as plan_fmt
    from kg.data.validate import check_files

    data = make_data({"model/deepseek-r1.yaml": MODEL_OK})
    schema = load_schema()

    def stop_at(n):
        def advance(done, total):
            if done == n:
                raise KeyboardInterrupt
        return advance

    with pytest.raises(KeyboardInterrupt):
        check_files(data, schema, advance=stop_at(2))
    assert len(entries(cache, "check")) == 2  # the two files done before Ctrl-C
    assert validate_dir(data).issues == validate_dir(data, cache=False).issues
    assert len(entries(cache, "check")) == 4

    class Interrupting:  # a progress listener whose count is where Ctrl-C comes
        def __init__(self, n):
            self.advance = stop_at(n)

        def begin(self, what):
            pass

        def __call__(self, message):
            pass

    with pytest.raises(KeyboardInterrupt):
        plan_fmt(Workspace(data, recover=False, progress=Interrupting(3)))
    assert len(entries(cache, "fmt")) == 3
    plan = plan_fmt(Workspace(data, recover=False))
    assert plan.writes() == {} and plan.skipped == [] and len(entries(cache, "fmt")) == 4
