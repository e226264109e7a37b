"""The cache of the built graph (issue 11, case 12): keyed on the content of data/,
ontology/ and queries/ and the version; the same inputs give the same bytes; a stale
or corrupt entry is rebuilt, never trusted; every read command uses it."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from conftest import killed_after
from kg.cli import main
from kg.data import filecache
from kg.sparql import cache

MODEL = """
    id: deepseek-r1
    name: DeepSeek R1
    developer: deepseek
    model_type: model
    released: 2025-01
    weights: open
    sources: [src-a]
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(where))
    return where


def entries(folder):
    return sorted(p.name for p in folder.glob("graph-*.nq"))


def test_the_folder_comes_from_the_environment(folder, monkeypatch):
    assert cache.cache_dir() == folder
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert str(cache.cache_dir()) == "/somewhere/ai-race-kg"


def test_same_inputs_same_key_and_same_bytes(folder, make_data, tmp_path, monkeypatch):
    data = make_data()
    path, body = cache.graph_nquads(data)
    assert path.parent == folder and entries(folder) == [path.name]
    again_path, again = cache.graph_nquads(data)
    assert (again_path, again) == (path, body)
    # built afresh elsewhere: byte for byte the same
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "other"))
    other_path, other = cache.graph_nquads(data)
    assert other_path.name == path.name and other == body
    assert not list(folder.glob("*.tmp"))  # written atomically: no leftovers


def test_a_changed_data_file_is_a_new_entry(folder, make_data):
    data = make_data()
    first, body = cache.graph_nquads(data)
    (data / "model").mkdir()
    (data / "model" / "deepseek-r1.yaml").write_text(
        "\n".join(line[4:] for line in MODEL.strip("\n").splitlines()) + "\n", encoding="utf-8")
    second, changed = cache.graph_nquads(data)
    assert second != first
    assert b"https://w3id.org/ai-race-kg/id/deepseek-r1" in changed
    assert b"https://w3id.org/ai-race-kg/id/deepseek-r1" not in body


def test_an_edit_keeping_size_and_time_is_still_seen(folder, make_data):
    """The index of file stamps is a shortcut only for files older than a clock tick:
    the same size and modification time with other bytes still changes the key."""
    data = make_data()
    org = data / "organization" / "deepseek.yaml"
    key = cache.input_key(data)
    st = org.stat()
    org.write_text(org.read_text(encoding="utf-8").replace("lab", "lbb"), encoding="utf-8")
    os.utime(org, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert org.stat().st_size == st.st_size and org.stat().st_mtime_ns == st.st_mtime_ns
    assert cache.input_key(data) != key


def test_a_corrupt_entry_is_rebuilt(folder, make_data):
    data = make_data()
    path, body = cache.graph_nquads(data)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])  # cut short
    assert cache.read_entry(path) is None
    again, rebuilt = cache.graph_nquads(data)
    assert again == path and rebuilt == body and path.read_bytes() == raw
    path.write_bytes(raw.replace(b"DeepSeek", b"DeepSeeK"))  # edited, same length
    assert cache.graph_nquads(data)[1] == body


def test_every_read_command_uses_the_cache(folder, make_data, monkeypatch):
    data = make_data()
    runner = CliRunner()
    first = runner.invoke(main, ["query", "--sparql", "SELECT ?n WHERE { kgid:deepseek "
                                 "rdfs:label ?n }", "--format", "csv", "--data", str(data)])
    assert first.exit_code == 0 and first.output.splitlines() == ["n", "DeepSeek"], first.output
    assert len(entries(folder)) == 1

    import kg.rdf.load

    def no_build(*args, **kwargs):
        raise AssertionError("data/ was built again")

    monkeypatch.setattr(kg.rdf.load, "load_graph", no_build)
    again = runner.invoke(main, ["query", "--sparql", "ASK { <https://w3id.org/ai-race-kg/"
                                 "dataset> ?p ?o }", "--data", str(data)])
    assert again.exit_code == 0 and again.output.strip() == "true", again.output
    pushed = runner.invoke(main, ["push", "--graph-store", "http://127.0.0.1:9/store",
                                  "--data", str(data)])
    assert "cannot reach" in pushed.output  # got as far as sending: no build on the way


def test_with_the_cache_off_a_query_builds_again_and_keeps_nothing(folder, make_data,
                                                                    monkeypatch):
    """KG_NO_CACHE (README: "computes everything again"): kg query answers from a graph
    built now, neither reading a stored graph nor writing one into the cache folder."""
    data = make_data()
    runner = CliRunner()
    query = ["query", "--sparql", "SELECT ?n WHERE { kgid:deepseek rdfs:label ?n }",
             "--format", "csv", "--data", str(data)]
    first = runner.invoke(main, query)  # (a stored graph, which the next must not read)
    assert first.exit_code == 0 and len(entries(folder)) == 1, first.output
    stored = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    monkeypatch.setenv("KG_NO_CACHE", "1")
    built = []
    import kg.rdf.load

    real = kg.rdf.load.load_graph
    monkeypatch.setattr(kg.rdf.load, "load_graph", lambda *a, **k: built.append(1) or real(*a, **k))
    off = runner.invoke(main, query)
    assert off.exit_code == 0 and off.output.splitlines() == ["n", "DeepSeek"], off.output
    assert built == [1]  # built again, not read from the cache
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == stored  # nothing new


def test_invalid_data_is_a_message_and_nothing_is_cached(folder, make_data):
    data = make_data({"model/bad.yaml": "id: bad\nname: Bad\ndeveloper: nobody\n"
                                        "sources: [src-a]\n"})
    result = CliRunner().invoke(main, ["query", "--sparql", "ASK { ?s ?p ?o }",
                                       "--data", str(data)])
    assert result.exit_code == 1 and "nobody" in result.output
    assert entries(folder) == []


def test_old_entries_are_pruned(folder, make_data):
    data = make_data()
    names = []
    for i in range(cache.KEEP + 2):
        (data / "country" / "china.yaml").write_text(
            f"id: china\nname: China {i}\niso_code: CN\nsources: [src-a]\n", encoding="utf-8")
        names.append(cache.graph_nquads(data)[0].name)
        time.sleep(0.01)
    assert len(set(names)) == cache.KEEP + 2
    assert entries(folder) == sorted(names[-cache.KEEP:])


def test_the_store_on_disk_is_reused_and_a_damaged_one_rebuilt(folder, make_data):
    from kg.sparql.store import OxigraphStore

    data = make_data()
    ask = "SELECT ?n WHERE { <https://w3id.org/ai-race-kg/id/deepseek> " \
          "<http://www.w3.org/2000/01/rdf-schema#label> ?n }"
    first = OxigraphStore(cache.oxigraph_store(data))
    assert [str(r[0]) for r in first.query(ask).rows] == ["DeepSeek"]
    (db,) = folder.glob("store-*")
    assert db.name == "store-" + cache.input_key(data) and (db / cache.MARK).is_file()
    stamp = (db / cache.MARK).stat().st_mtime_ns
    del first
    OxigraphStore(cache.oxigraph_store(data))
    assert (db / cache.MARK).stat().st_mtime_ns == stamp  # opened, not rebuilt
    sst = max(db.glob("*.sst"), key=lambda p: p.stat().st_size)
    raw = bytearray(sst.read_bytes())
    raw[len(raw) // 3] ^= 0xFF  # one flipped byte, same size
    sst.write_bytes(bytes(raw))
    again = OxigraphStore(cache.oxigraph_store(data))
    assert [str(r[0]) for r in again.query(ask).rows] == ["DeepSeek"]
    assert (db / cache.MARK).stat().st_mtime_ns != stamp  # rebuilt
    (db / cache.MARK).unlink()  # unfinished: rebuilt too
    OxigraphStore(cache.oxigraph_store(data))
    assert (db / cache.MARK).is_file()


def test_a_settled_store_opens_without_reading_every_byte(folder, make_data, monkeypatch):
    """Verified once in full, a store whose files are over a clock tick old records their
    sizes and times; an open that finds them unchanged does not hash the files again,
    and any file rewritten (even to the same size) is hashed again and, if damaged,
    rebuilt."""
    from kg.sparql.store import OxigraphStore

    data = make_data()
    ask = "SELECT ?n WHERE { <https://w3id.org/ai-race-kg/id/deepseek> " \
          "<http://www.w3.org/2000/01/rdf-schema#label> ?n }"
    OxigraphStore(cache.oxigraph_store(data))
    (db,) = folder.glob("store-*")
    assert not (db / cache.STAMPS).exists()  # just written: not settled yet
    old = time.time_ns() - 10 * 10**9
    for path in db.iterdir():
        os.utime(path, ns=(old, old))
    OxigraphStore(cache.oxigraph_store(data))  # verified in full, stamps recorded
    assert (db / cache.STAMPS).is_file()
    assert cache._store_digest(db) == (db / cache.MARK).read_text(encoding="utf-8").strip()

    def no_hashing(_db):
        raise AssertionError("the store was hashed again")

    with monkeypatch.context() as m:
        m.setattr(cache, "_store_digest", no_hashing)
        store = OxigraphStore(cache.oxigraph_store(data))
        assert [str(r[0]) for r in store.query(ask).rows] == ["DeepSeek"]
        del store
    stamp = (db / cache.MARK).stat().st_mtime_ns
    sst = max(db.glob("*.sst"), key=lambda p: p.stat().st_size)
    raw = bytearray(sst.read_bytes())
    raw[len(raw) // 3] ^= 0xFF  # one flipped byte, same size, a new modification time
    sst.write_bytes(bytes(raw))
    again = OxigraphStore(cache.oxigraph_store(data))
    assert [str(r[0]) for r in again.query(ask).rows] == ["DeepSeek"]
    assert (db / cache.MARK).stat().st_mtime_ns != stamp  # rebuilt


def test_the_key_follows_the_code_that_builds_the_graph_not_the_query_library(
        folder, make_data, tmp_path, monkeypatch):
    """An edit to a query file leaves the graph (and its key) as it was; an edit to kg's
    builder must not be answered from the old graph."""
    from kg.core import schema as schema_module

    data = make_data()
    key = cache.input_key(data)
    queries = tmp_path / "queries-copy"
    shutil.copytree(schema_module.resource_dir("queries"), queries)
    real = schema_module.resource_dir
    monkeypatch.setattr(schema_module, "resource_dir",
                        lambda name: queries if name == "queries" else real(name))
    (queries / "README.md").write_text("edited\n", encoding="utf-8")
    assert cache.input_key(data) == key
    code = tmp_path / "kg-copy"
    shutil.copytree(Path(kg.__file__).parent, code,
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(kg, "__file__", str(code / "__init__.py"))
    assert cache.input_key(data) == key  # the same code in another place
    (code / "__pycache__").mkdir()
    (code / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")
    assert cache.input_key(data) == key  # compiled files are not code changes
    graph_py = code / "rdf" / "graph.py"
    graph_py.write_text(graph_py.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert cache.input_key(data) != key


def test_a_graph_built_while_a_file_changed_is_not_stored_under_the_old_files(
        folder, make_data, monkeypatch):
    """A file saved during a cold build: the entry is filed under the files the build
    read (the key is taken again afterwards), so a later query over the first version
    gets the first version's graph (review, finding 2)."""
    data = make_data()
    org = data / "organization" / "deepseek.yaml"
    first = org.read_text(encoding="utf-8")
    second = first.replace("org_type: lab", "org_type: company")
    assert second != first
    key_first = cache.input_key(data)
    real = cache.build_nquads
    calls = []

    def saved_during_the_build(data_dir, **options):
        calls.append(1)
        if len(calls) == 1:
            org.write_text(second, encoding="utf-8")
        return real(data_dir, **options)

    monkeypatch.setattr(cache, "build_nquads", saved_during_the_build)
    def org_type(body: bytes) -> bytes:
        [line] = [x for x in body.split(b"\n") if x.startswith(
            b"<https://w3id.org/ai-race-kg/id/deepseek> <https://w3id.org/ai-race-kg/ontology#orgType>")]
        return line.split(b" ")[2]

    path, body = cache.graph_nquads(data)
    assert len(calls) == 2  # built again from the files as they now are
    assert org_type(body) == b"<https://w3id.org/ai-race-kg/ontology#org-type-company>"
    assert path.name == f"graph-{cache.input_key(data)}.nq"
    assert not (folder / f"graph-{key_first}.nq").exists()
    org.write_text(first, encoding="utf-8")
    _, again = cache.graph_nquads(data)
    assert org_type(again) == b"<https://w3id.org/ai-race-kg/ontology#org-type-lab>"


def test_a_cold_cache_tells_its_stages_a_warm_one_says_nothing(folder, make_data):
    """`kg query` after an edit builds the graph first (15 s at 10k entities): its stages
    go to the CLI's progress on a terminal (review, finding 7)."""
    from kg.sparql.store import open_store

    data = make_data()
    told: list[str] = []
    open_store("oxigraph", data_dir=data, progress=told.append)
    assert [m.split(" (")[0] for m in told] == [
        "validated 3 entities", "built the graph", "made the graph's on-disk store"], told
    told.clear()
    open_store("oxigraph", data_dir=data, progress=told.append)
    assert told == []


def test_a_graph_file_of_the_10k_size_is_queried_from_a_store(folder, tmp_path):
    """The 10k graph.trig (16,080,989 bytes) was just under the 16 MiB threshold, so `kg
    query --graph` parsed it on every query (2.1 s of CPU against 0.3 s opening its
    store). A file of 5 MiB now gets a store (a comment pads it: parsed as one triple)."""
    import pyoxigraph as ox

    graph = tmp_path / "g.nt"
    graph.write_text("<https://e/a> <https://e/p> \"one\" .\n#" + "x" * (5 * 2**20) + "\n",
                     encoding="utf-8")
    stored = cache.file_store(graph, ox.RdfFormat.N_TRIPLES)
    assert stored is not None and [str(q.object) for q in stored] == ['"one"']
    assert len(list(folder.glob("filestore-*"))) == 1


def test_a_graph_file_is_loaded_once_per_content(folder, tmp_path, monkeypatch):
    """`kg query --graph FILE` (and `kg serve --graph`) answer from an on-disk store made
    the first time a file's content is seen: the same answer as loading it, the store
    reused while the file is unchanged, a new one when its content changes, a damaged
    one made again, and nothing stored with the cache off."""
    monkeypatch.setattr(cache, "FILE_STORE_MIN", 0)  # (4 MiB: the curated graph loads faster)
    made = []
    real = cache._made_store
    monkeypatch.setattr(cache, "_made_store", lambda *a: made.append(a[1]) or real(*a))
    graph = tmp_path / "g.trig"
    graph.write_text("<https://e/a> <https://e/p> \"one\" .\n", encoding="utf-8")
    query = ["query", "--graph", str(graph), "--format", "csv", "--sparql",
             "SELECT ?o WHERE { ?s ?p ?o }"]

    def answer():
        result = CliRunner().invoke(main, query)
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    assert answer() == ["o", "one"]
    assert answer() == ["o", "one"] and len(made) == 1  # opened, not loaded again
    [db] = folder.glob("filestore-*")
    assert (db / cache.MARK).is_file()
    graph.write_text("<https://e/a> <https://e/p> \"two\" .\n", encoding="utf-8")
    assert answer() == ["o", "two"] and len(made) == 2
    for f in (folder / made[-1]).iterdir():  # damage the store's data files
        if not f.name.startswith(cache.OWN) and f.stat().st_size:
            f.write_bytes(b"\0" * f.stat().st_size)
    assert answer() == ["o", "two"] and len(made) == 3  # made again, never trusted
    monkeypatch.setenv("KG_NO_CACHE", "1")
    graph.write_text("<https://e/a> <https://e/p> \"three\" .\n", encoding="utf-8")
    assert answer() == ["o", "three"] and len(made) == 3
    assert cache.clear() == (0, ()) and not list(folder.glob("filestore-*"))  # no N-Quads entry
    monkeypatch.delenv("KG_NO_CACHE")
    monkeypatch.setattr(cache, "FILE_STORE_MIN", 16 * 2**20)
    assert answer() == ["o", "three"] and len(made) == 3  # a small file: loaded in memory
    from kg.sparql.store import OxigraphStore

    monkeypatch.setattr(cache, "FILE_STORE_MIN", 0)
    OxigraphStore.from_file(graph)  # a server's load (kg serve): in memory, nothing stored
    assert len(made) == 3 and not list(folder.glob("filestore-*"))


def stages(said: list):
    """A progress listener (kg.cli.progress's shape) that records ("running", what) when
    a stage begins and ("done", message) when its line comes."""
    class Progress:
        def begin(self, what):
            said.append(("running", what))

        def __call__(self, message):
            said.append(("done", message))

    return Progress


def test_making_a_graph_files_store_is_said_opening_it_is_not(folder, tmp_path, monkeypatch):
    """The first `kg query --graph big.trig` makes the on-disk store (43 s of silence at
    100k entities before this): a running stage, then its line; a later query opens the
    store at once and says nothing."""
    import pyoxigraph as ox

    from kg.core.errors import shown_path

    monkeypatch.setattr(cache, "FILE_STORE_MIN", 0)
    graph = tmp_path / "g.trig"
    graph.write_text("<https://e/a> <https://e/p> \"one\" .\n", encoding="utf-8")
    said = []
    Progress = stages(said)

    assert len(cache.file_store(graph, ox.RdfFormat.TRIG, Progress())) == 1
    shown = shown_path(graph)
    assert said[0] == ("running", f"making an on-disk store of {shown} (once per content "
                                  "of the file)")
    assert said[1][0] == "done" and said[1][1].startswith(
        f"made an on-disk store of {shown}: later queries of it open in a moment (")
    said.clear()
    assert len(cache.file_store(graph, ox.RdfFormat.TRIG, Progress())) == 1 and said == []


def test_a_graph_files_store_that_cannot_be_made_ends_its_stage(folder, tmp_path, monkeypatch):
    """The cache folder cannot hold the store (_made_store: None): the stage that began
    gets its line (on a terminal that line clears the bar; without it the bar went on
    ticking over the query's answer) and the caller loads the file into memory."""
    import pyoxigraph as ox

    from kg.core.errors import shown_path

    monkeypatch.setattr(cache, "FILE_STORE_MIN", 0)
    monkeypatch.setattr(cache, "_made_store", lambda *args: None)
    graph = tmp_path / "g.trig"
    graph.write_text("<https://e/a> <https://e/p> \"one\" .\n", encoding="utf-8")
    said = []
    Progress = stages(said)

    assert cache.file_store(graph, ox.RdfFormat.TRIG, Progress()) is None
    shown = shown_path(graph)
    assert said == [("running", f"making an on-disk store of {shown} (once per content of "
                                "the file)"),
                    ("done", f"could not make an on-disk store of {shown} in the cache "
                             "folder (it cannot be written or opened as one): the file is "
                             "loaded into memory")]


def test_a_data_store_that_cannot_be_made_ends_its_stage(folder, make_data, monkeypatch):
    """As for a graph file's store: the query store of data/ that the cache folder cannot
    hold is loaded into memory, and the stage that began gets its line."""
    from kg.sparql.store import OxigraphStore

    data = make_data()
    monkeypatch.setattr(cache, "_made_store", lambda *args: None)
    said = []
    store = OxigraphStore(cache.oxigraph_store(data, progress=stages(said)()))
    assert store.query("ASK { ?s ?p ?o }").boolean
    assert said[-2:] == [
        ("running", "making the graph's on-disk store for queries (once per version of "
                    "the data)"),
        ("done", "could not make the graph's on-disk store in the cache folder (it cannot "
                 "be written or opened as one): the graph is loaded into memory")]


def test_a_stamps_temporary_in_a_store_folder_is_not_part_of_the_store(folder, make_data):
    """write_atomic's temporary for kg-stamps (`.kg-stamps.<random>.tmp`: another process
    writing it now, or a killed one's) is kg's, like the stamps: the store is opened, not
    taken for damaged and rebuilt."""
    from kg.sparql.store import OxigraphStore

    data = make_data()
    OxigraphStore(cache.oxigraph_store(data))
    (db,) = folder.glob("store-*")
    stamp = (db / cache.MARK).stat().st_mtime_ns
    (db / f".{cache.STAMPS}.k1l2m3n4.tmp").write_text('{"mark": "ha', encoding="utf-8")
    OxigraphStore(cache.oxigraph_store(data))
    assert (db / cache.MARK).stat().st_mtime_ns == stamp  # opened, not rebuilt


def test_a_store_whose_making_was_killed_is_removed_by_the_next_prune(folder, make_data):
    """A kill while a store is bulk loaded leaves its temporary folder (hundreds of MB at
    100k entities): the next prune removes those no living process holds the lock of, and
    those without a lock over filecache.STALE_TMP seconds old; one being made now stays."""
    import fcntl

    data = make_data()
    cache.oxigraph_store(data)
    folder.mkdir(exist_ok=True)
    made = {}
    key = {"dead": "d" * 64, "live": "a" * 64, "old": "0" * 64, "new": "e" * 64}
    for name in ("dead", "live", "old", "new"):
        tmp = folder / f"store-{key[name]}.a1b2c3_{name[0]}.tmp"
        (tmp / "db").mkdir(parents=True)
        (tmp / "db" / "000001.sst").write_bytes(b"x" * 1000)
        if name in ("dead", "live"):
            made[name] = os.open(tmp / cache.WRITING, os.O_CREAT | os.O_WRONLY)
        if name == "old":
            back = time.time() - filecache.STALE_TMP - 5
            os.utime(tmp, (back, back))
    (folder / "store-notes.tmp").mkdir()  # not of mkdtemp's shape: not kg's, kept
    os.utime(folder / "store-notes.tmp", (0, 0))
    fcntl.flock(made["live"], fcntl.LOCK_EX)  # its maker is alive: this process
    os.close(made["dead"])  # its maker was killed: nobody holds the lock
    try:
        (data / "country" / "china.yaml").write_text(
            "id: china\nname: China 2\niso_code: CN\nsources: [src-a]\n", encoding="utf-8")
        cache.oxigraph_store(data)  # a new graph, a new store, then the prune
        assert sorted(p.name for p in folder.glob("*.tmp")) == \
            [f"store-{key['live']}.a1b2c3_l.tmp", f"store-{key['new']}.a1b2c3_n.tmp",
             "store-notes.tmp"]
    finally:
        os.close(made["live"])
    assert len([p for p in folder.glob("store-*") if not p.name.endswith(".tmp")]) == 2


def test_a_real_kill_while_a_store_is_made_leaves_a_folder_the_next_sweep_removes(folder):
    """A process making a store (its load still running) holds its folder: a sweep
    leaves it; once that process is killed (SIGKILL: no clean-up at all), a sweep
    removes it."""
    code = ("import sys, time\nfrom pathlib import Path\nfrom kg.sparql import cache\n"
            "def load(store):\n    print('loading', flush=True)\n    time.sleep(600)\n"
            "cache._made_store(Path(sys.argv[1]), 'store-' + 'c' * 64, load)\n")
    with killed_after(code, str(folder), said="loading"):
        (tmp,) = folder.glob("store-*.tmp")
        assert cache._sweep_unfinished(folder) == [] and tmp.is_dir()
    assert tmp.is_dir()  # left by the kill
    assert cache._sweep_unfinished(folder) == [tmp.name]
    assert not tmp.exists()


def test_clear_leaves_a_store_another_process_is_making_and_says_so(folder, make_data):
    """kg.sparql.cache.clear while another process makes a store (its load still running)
    and another serves from a scratch folder: both are left (deleting the store's folder
    would fail its maker), named in the message with why; the finished entries go. Once
    they are killed (SIGKILL), the next clear removes what they left."""
    cache.oxigraph_store(make_data())
    maker = ("import sys, time\nfrom pathlib import Path\nfrom kg.sparql import cache\n"
             "def load(store):\n    print('loading', flush=True)\n    time.sleep(600)\n"
             "cache._made_store(Path(sys.argv[1]), 'store-' + 'c' * 64, load)\n")
    server = ("import time\nfrom kg.data import filecache\n"
              "with filecache.scratch_folder('serve') as f:\n"
              "    print('serving', flush=True)\n    time.sleep(600)\n")
    with killed_after(maker, str(folder), said="loading"), \
            killed_after(server, said="serving"):
        (making,) = folder.glob("store-*.tmp")
        (serving,) = (folder / "tmp").iterdir()
        cleared = cache.clear()
        assert cleared == (1, tuple(sorted([making.name, serving.name])))
        assert cleared.message == (
            "deleted 1 cached graph(s) and their stores; left 2 folder(s) another kg "
            "process is using now (a store being made, or a running `kg serve`'s graph), "
            f"deleting them would break it: {', '.join(cleared.left)}; they go once it ends "
            "(run this again then)")
        assert sorted(p.name for p in folder.glob("*-*")) == [making.name]
        assert making.is_dir() and serving.is_dir()
    assert cache.clear() == (0, ()) and cache.clear().message == \
        "deleted 0 cached graph(s) and their stores"
    assert not making.exists() and not serving.exists()


def test_a_sweep_names_only_what_it_removed(tmp_path):
    """A review: a symbolic link with a store folder's name, pointing at an old folder,
    was reported as removed and was still there (rmtree refuses a link, silently)."""
    from kg.data.filecache import sweep_unfinished
    from kg.sparql.cache import _UNFINISHED

    old = tmp_path / "elsewhere"
    old.mkdir()
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    link = tmp_path / f"store-{'d' * 64}.abcdefgh.tmp"
    link.symlink_to(old, target_is_directory=True)
    gone = tmp_path / f"store-{'e' * 64}.abcdefgh.tmp"
    gone.mkdir()
    os.utime(gone, (time.time() - 7200, time.time() - 7200))
    assert sweep_unfinished(tmp_path, _UNFINISHED) == [gone.name]
    assert link.is_symlink() and old.is_dir() and not gone.exists()
