"""The graph files spliced after an edit (kg.rdf.splice): byte for byte a full write.

A small synthetic dataset is written once (the index kept in the test cache), then
edited: a value changed, a graph added, one removed, a subject renamed so that it
moves in the sort, a new namespace, hostile literals, random edits (hypothesis). After
each, the files GraphFiles splices are compared with a full write of the same quads
(quads_texts), and the index it keeps with the one a full write keeps. Anything that
does not match (a file edited by hand, the index cut short or of another version, the
cache off) gives a full write, still the same bytes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

import kg.rdf.splice as splice
from conftest import REPO, need_tool
from kg.core.errors import KGError
from kg.rdf.load import load_graph
from kg.rdf.quads import Quads, changed_graphs
from kg.rdf.serialize import GRAPH_FILES, GraphFiles, quads_texts

sys.path.insert(0, str(REPO / "benchmarks"))
from synth import generate  # noqa: E402

FILE = "https://w3id.org/ai-race-kg/file/data/"
ID = "https://w3id.org/ai-race-kg/id/"
KGO = "https://w3id.org/ai-race-kg/ontology#"
HOSTILE = [
    Literal('a "quoted"\\ back\tslash\nnew line\r'),
    Literal("\u0001 control \u2028 line separator \u0085 next line"),
    Literal("华为 · Ascend — 昇腾", lang="zh-Hans"),
    Literal("} . ; , @prefix x: <y> ."),
    Literal("700000000", datatype=XSD.decimal),
    Literal("+1", datatype=XSD.integer),
    Literal("true", datatype=XSD.boolean),
    Literal("\n]\n", lang="en"),
]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The rdflib Dataset of a small synthetic build and its prefixes."""
    data = tmp_path_factory.mktemp("splice") / "data"
    generate(data, 120, seed=5)
    built = load_graph(data)
    return built.quads.dataset(built.binds), built.binds


def quads_of(ds, binds) -> Quads:
    q = Quads.from_dataset(ds)
    assert dict(q.prefixes) == {p: ns for p, ns in binds.items() if p}
    return q


def copy(ds):
    from rdflib import Dataset

    out = Dataset()
    for prefix, ns in ds.namespace_manager.namespaces():
        out.bind(prefix, ns, override=True, replace=True)
    for s, p, o, g in ds.quads((None, None, None, None)):
        out.graph(g.identifier if hasattr(g, "identifier") else g).add((s, p, o))
    return out


def write(out, quads, jobs=1) -> bool:
    """Write quads' graph files into out as kg build does; True if they were spliced."""
    with GraphFiles(out, quads, jobs, incremental=True) as files:
        files.finish()
    return files.spliced


def assert_full_write(out, quads):
    """out holds the bytes of a full write of quads, and the cache the index a full
    write of them keeps."""
    full = quads_texts(quads)
    for name in GRAPH_FILES:
        assert (out / name).read_bytes() == full[name].encode("utf-8"), name
    kept = splice.load(out)
    assert kept is not None
    ref = splice.index_base(quads)
    for field in ("prefixes", "ttl_prefixes", "trig_prefixes", "subjects", "graphs", "keys"):
        assert getattr(kept, field) == getattr(ref, field), field
    for field in ("masks", "gmasks", "ptr", "idx"):
        assert np.array_equal(getattr(kept, field), getattr(ref, field)), field
    for name in GRAPH_FILES:
        found = splice.blocks(name, full[name].encode("utf-8"),
                              _first_rows(quads) if name == "graph.nt" else None)[0]
        lay = kept.layouts[name]
        assert (lay.head, lay.foot, lay.size) == (found.head, found.foot, found.size), name
        assert np.array_equal(lay.starts, found.starts), name
        assert np.array_equal(lay.ends, found.ends), name
        assert kept.files[name] == splice.stamp(out / name)


def _first_rows(quads):
    s = quads.triples()[:, 0]
    return np.flatnonzero(np.r_[True, s[1:] != s[:-1]])


def graph_with(ds, name: str):
    return ds.graph(URIRef(FILE + name))


def entity_graphs(ds) -> list[str]:
    return sorted(str(g.identifier) for g in ds.graphs()
                  if str(g.identifier).startswith(FILE) and len(g))


def drop(ds, iri: str) -> None:
    ds.remove_graph(ds.graph(URIRef(iri)))


def test_each_kind_of_edit_is_spliced_to_the_bytes_of_a_full_write(base, tmp_path):
    ds, binds = base
    out = tmp_path / "out"
    before = quads_of(ds, binds)
    assert not write(out, before)  # the first write is full, and keeps the index
    assert_full_write(out, before)
    graphs = entity_graphs(ds)
    model = next(g for g in graphs if "/model/" in g)

    def step(edit, spliced=True):
        nonlocal before
        edit()
        after = quads_of(ds, binds)
        assert changed_graphs(before, after)
        assert write(out, after) is spliced
        assert_full_write(out, after)
        before = after

    # a value changed
    def change_value():
        g = ds.graph(URIRef(model))
        s, p, o = next((s, p, o) for s, p, o in g if isinstance(o, Literal) and
                       o.datatype is None and not o.language)
        g.remove((s, p, o))
        g.add((s, p, Literal(str(o) + " (changed)")))

    step(change_value)
    # a file added: a new subject between others, and a new graph
    step(lambda: graph_with(ds, "organization/org-added.yaml").add(
        (URIRef(ID + "org-added"), URIRef(KGO + "name"), Literal("Added"))))
    # a file removed: its subjects go (and those shared with other graphs stay)
    step(lambda: drop(ds, graphs[3]))

    # a subject renamed: its block moves to its new place in the sort
    def rename():
        g = ds.graph(URIRef(model))
        old = next(s for s in g.subjects() if str(s).startswith(ID))
        new = URIRef(ID + "aaa-" + str(old)[len(ID):])
        for s, p, o in list(g):
            g.remove((s, p, o))
            g.add((new if s == old else s, p, new if o == old else o))

    step(rename)
    # hostile literals, in a new graph and in a changed one
    step(lambda: [graph_with(ds, "claim/hostile.yaml").add(
        (URIRef(ID + "hostile"), URIRef(f"{KGO}p{i}"), lit)) for i, lit in enumerate(HOSTILE)])
    step(lambda: ds.graph(URIRef(model)).add(
        (URIRef(ID + "hostile"), URIRef(KGO + "q"), HOSTILE[0])))
    # a subject before every other, and one after every other (the files' first and last
    # blocks, next to their headers and footers), added, then changed, then removed
    edge = [(URIRef("http://aaa.example/first"), "claim/first.yaml"),
            (URIRef("urn:zzz:last"), "claim/last.yaml")]
    step(lambda: [graph_with(ds, g).add((s, URIRef(KGO + "name"), Literal("edge")))
                  for s, g in edge])
    step(lambda: [graph_with(ds, g).add((s, URIRef(KGO + "name"), HOSTILE[-1]))
                  for s, g in edge])
    step(lambda: [drop(ds, FILE + g) for _, g in edge])
    # the last graph (sorted) removed, then a graph after every other added
    step(lambda: drop(ds, entity_graphs(ds)[-1]))
    step(lambda: graph_with(ds, "zzz/last.yaml").add(
        (URIRef(ID + "zzz"), URIRef(KGO + "name"), Literal("last"))))
    # a new namespace: the files' prefixes change, so the files are written in full
    unused = sorted(ns for p, ns in binds.items() if p and ns not in
                    splice.load(out).trig_prefixes.values())
    assert unused
    step(lambda: graph_with(ds, "zzz/last.yaml").add(
        (URIRef(ID + "zzz"), URIRef(KGO + "seeAlso"), URIRef(unused[0] + "x"))), spliced=False)
    # and gone again: written in full again
    step(lambda: drop(ds, FILE + "zzz/last.yaml"), spliced=False)
    step(change_value)  # then spliced again


def test_a_file_changed_in_the_out_folder_is_written_whole(base, tmp_path):
    ds, binds = base
    out = tmp_path / "out"
    q = quads_of(ds, binds)
    write(out, q)
    for name in GRAPH_FILES:
        text = (out / name).read_bytes()
        (out / name).write_bytes(text.replace(b"\n", b"\n ", 1))  # same size, not the same file
        assert not write(out, q), name
        assert_full_write(out, q)
    os.utime(out / "graph.ttl", ns=(0, 0))
    assert not write(out, q)
    assert_full_write(out, q)
    assert write(out, q)  # nothing changed since: the splice rewrites nothing, copies all
    assert_full_write(out, q)


@pytest.mark.parametrize("damage", ["missing", "cut short", "one byte changed", "other version",
                                    "prefixes changed"])
def test_an_index_that_does_not_match_gives_a_full_write(base, tmp_path, monkeypatch, damage):
    ds, binds = base
    out = tmp_path / "out"
    q = quads_of(ds, binds)
    write(out, q)
    path = splice.index_path(out)
    blob = path.read_bytes()
    if damage == "missing":
        path.unlink()
    elif damage == "cut short":
        path.write_bytes(blob[:len(blob) // 2])
    elif damage == "one byte changed":
        path.write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
    elif damage == "other version":
        monkeypatch.setattr(splice, "MAGIC", "kg-graphfiles-2")
    else:
        q.prefixes = [p for p in q.prefixes if p[0] != "brick"]
    ds2 = copy(ds)
    graph_with(ds2, "claim/new.yaml").add((URIRef(ID + "new"), URIRef(KGO + "name"),
                                           Literal("new")))
    after = quads_of(ds2, binds)
    after.prefixes = q.prefixes
    assert splice.plan(out, after) is None
    assert not write(out, after)
    assert_full_write(out, after)


def test_with_the_cache_off_the_files_are_written_whole_and_no_index_kept(base, tmp_path,
                                                                          monkeypatch):
    ds, binds = base
    monkeypatch.setenv("KG_NO_CACHE", "1")
    out = tmp_path / "out"
    q = quads_of(ds, binds)
    assert not write(out, q)
    assert not write(out, q)
    assert not splice.index_path(out).exists()
    full = quads_texts(q)
    assert {n: (out / n).read_text(encoding="utf-8") for n in GRAPH_FILES} == full


def test_a_temporary_left_by_a_killed_save_is_removed_by_the_next_save(base, tmp_path,
                                                                       monkeypatch):
    """A splice child killed while saving its index leaves the temporary of
    filecache.write_atomic in graphfiles/: the next build's save removes it once it is
    over filecache.STALE_TMP seconds old (a fresh one may be another build's, writing
    now)."""
    import tempfile

    from kg.data import filecache

    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    ds, binds = base
    out = tmp_path / "out"
    q = quads_of(ds, binds)
    folder = tmp_path / "cache" / splice.FOLDER
    folder.mkdir(parents=True)
    left = {}
    for age in ("stale", "fresh"):
        fd, name = tempfile.mkstemp(dir=folder, prefix=".0123-4567.idx.", suffix=".tmp")
        os.close(fd)
        back = filecache.STALE_TMP + 5 if age == "stale" else 1
        os.utime(name, (time.time() - back,) * 2)
        left[age] = os.path.basename(name)
    assert not write(out, q)  # the first write of out: whole, then its index saved
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp")) == [left["fresh"]]
    assert_full_write(out, q)


def test_two_processes_splice_the_same_bytes(base, tmp_path):
    ds, binds = base
    out = tmp_path / "out"
    write(out, quads_of(ds, binds), jobs=2)
    ds2 = copy(ds)
    drop(ds2, entity_graphs(ds2)[5])
    graph_with(ds2, "claim/new.yaml").add((URIRef(ID + "new"), URIRef(KGO + "name"),
                                           Literal("new")))
    after = quads_of(ds2, binds)
    assert write(out, after, jobs=2)
    assert_full_write(out, after)


def test_a_full_disk_while_splicing_leaves_the_old_files(base, tmp_path, monkeypatch):
    ds, binds = base
    out = tmp_path / "out"
    write(out, quads_of(ds, binds))
    before = {n: (out / n).read_bytes() for n in GRAPH_FILES}
    ds2 = copy(ds)
    graph_with(ds2, "claim/new.yaml").add((URIRef(ID + "new"), URIRef(KGO + "name"),
                                           Literal("new")))
    real = splice.splice_file

    def full_disk(name, old, new, *args):
        if name == "graph.jsonld":
            new.write_bytes(b"[\n{")
            raise OSError(28, "No space left on device", str(new))
        return real(name, old, new, *args)

    monkeypatch.setattr(splice, "splice_file", full_disk)
    with pytest.raises(KGError, match=r"^cannot write .*graph\.jsonld\.tmp: No space left on "
                                      r"device$"):
        write(out, quads_of(ds2, binds))
    assert sorted(p.name for p in out.iterdir()) == sorted(GRAPH_FILES)
    assert {n: (out / n).read_bytes() for n in GRAPH_FILES} == before


@pytest.mark.parametrize("name,syntax", [("graph.ttl", "turtle"), ("graph.nt", "ntriples"),
                                         ("graph.trig", "trig")])
def test_rapper_reads_the_spliced_files(base, tmp_path, name, syntax):
    from rdflib import Graph
    from rdflib.compare import isomorphic

    rapper = need_tool("rapper")
    ds, binds = base
    out = tmp_path / "out"
    write(out, quads_of(ds, binds))
    ds2 = copy(ds)
    for i, lit in enumerate(HOSTILE):
        graph_with(ds2, "claim/hostile.yaml").add((URIRef(ID + "hostile"),
                                                   URIRef(f"{KGO}p{i}"), lit))
    after = quads_of(ds2, binds)
    assert write(out, after)
    proc = subprocess.run([rapper, "-q", "-i", syntax, "-o", "ntriples", str(out / name)],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stderr
    # the triples as rdflib reads them from a full write (N-Triples lower-cases the
    # language tags the dataset holds as written)
    expected = Graph().parse(data=quads_texts(after)["graph.nt"], format="nt")
    assert (URIRef(ID + "hostile"), URIRef(f"{KGO}p0"), HOSTILE[0]) in expected
    assert isomorphic(Graph().parse(data=proc.stdout, format="nt"), expected)


@st.composite
def edits(draw, graphs: list[str]):
    """A few edits: (graph index, what) with what in drop, add a triple, change a triple."""
    n = draw(st.integers(1, 4))
    return [(draw(st.integers(0, len(graphs) - 1)),
             draw(st.sampled_from(["drop", "add", "change", "new graph"])),
             draw(st.sampled_from(HOSTILE + [Literal("x"), URIRef(ID + "org-0")])),
             draw(st.text("abz0-", min_size=1, max_size=6)),
             # where the subject sorts: among the entities, before or after everything
             draw(st.sampled_from([ID, "http://aaa.example/", "urn:zzz:"])))
            for _ in range(n)]


@pytest.fixture(scope="module")
def hypo_out(base, tmp_path_factory):
    ds, binds = base
    out = tmp_path_factory.mktemp("hypo") / "out"
    return out


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25)
@given(data=st.data())
def test_random_edits_splice_to_the_bytes_of_a_full_write(base, hypo_out, data):
    ds, binds = base
    graphs = entity_graphs(ds)
    write(hypo_out, quads_of(ds, binds))
    ds2 = copy(ds)
    for i, what, value, name, base_iri in data.draw(edits(graphs)):
        g = ds2.graph(URIRef(graphs[i]))
        if what == "drop":
            drop(ds2, graphs[i])
        elif what == "new graph":
            graph_with(ds2, f"claim/{name}.yaml").add((URIRef(base_iri + name),
                                                       URIRef(KGO + "name"), value))
        elif what == "add":
            g.add((URIRef(base_iri + name), URIRef(KGO + "p" + name), value))
        elif len(g):
            s, p, o = sorted(g)[0]
            g.remove((s, p, o))
            g.add((s, p, value))
    after = quads_of(ds2, binds)
    assert write(hypo_out, after)  # every edit keeps to the namespaces used: spliced
    assert_full_write(hypo_out, after)



def test_kg_build_splices_after_an_edit(tmp_path, monkeypatch):
    """`kg build` (two processes) after editing one file: the graph files are spliced,
    and every output is what a build with the caches off writes."""
    from kg.pipeline import build

    data = tmp_path / "data"
    generate(data, 60, seed=7)
    out, ref = tmp_path / "out", tmp_path / "ref"
    build(data, out, jobs=2)
    model = sorted((data / "model").glob("*.yaml"))[0]
    model.write_text(model.read_text(encoding="utf-8").replace(
        "description: ", "description: Edited. ", 1), encoding="utf-8")
    real, marks = splice.splice_file, tmp_path / "spliced"

    def spy(name, *args):  # (in the second process: it leaves a mark where this one sees it)
        with open(marks, "a", encoding="utf-8") as f:
            f.write(name + "\n")
        return real(name, *args)

    monkeypatch.setattr(splice, "splice_file", spy)
    build(data, out, jobs=2)
    assert sorted(marks.read_text(encoding="utf-8").split()) == sorted(GRAPH_FILES)
    monkeypatch.setenv("KG_NO_CACHE", "1")
    build(data, ref, jobs=1)
    for name in (*GRAPH_FILES, "void.ttl", "summary.json"):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_build_interrupted_while_splicing_leaves_the_old_files(tmp_path, make_data, sig):
    """Ctrl-C or SIGTERM while the second process is about to splice: the old files stay,
    no temporary file and no process is left, and the old files' index is kept."""
    from test_build_parallel import children, run_until_paused, running

    from kg.pipeline import build

    data, out = make_data(), tmp_path / "out"
    build(data, out, jobs=2)
    before = {n: (out / n).read_bytes() for n in GRAPH_FILES}
    org = data / "organization" / "deepseek.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace("name: DeepSeek",
                                                           "name: DeepSeek AI"), encoding="utf-8")
    proc, paused = run_until_paused(data, out, "graph files")
    started = [int(pid) for pid in children(proc.pid)]
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == (130 if sig == signal.SIGINT else -sig)
    if sig == signal.SIGINT:
        assert err.endswith(f"Stopped: nothing in {out}/ was replaced; it is as the last "
                            "build left it.\n"), err
    for child in started:
        for _ in range(100):
            if not running(child):
                break
            time.sleep(0.1)
        assert not running(child)
    assert not [p.name for p in out.rglob("*.tmp")]
    assert {n: (out / n).read_bytes() for n in GRAPH_FILES} == before
    assert splice.load(out) is not None  # the old files' index is still there


@pytest.mark.parametrize("why", ["no copy_file_range", "across filesystems"])
def test_without_copy_file_range_the_old_bytes_are_read_and_written(base, tmp_path,
                                                                     monkeypatch, why):
    import errno

    ds, binds = base
    out = tmp_path / "out"
    write(out, quads_of(ds, binds))
    if why == "no copy_file_range":
        monkeypatch.delattr(splice.os, "copy_file_range")
    else:
        def refuse(*args):
            raise OSError(errno.EXDEV, "Invalid cross-device link")

        monkeypatch.setattr(splice.os, "copy_file_range", refuse)
    ds2 = copy(ds)
    graph_with(ds2, "claim/new.yaml").add((URIRef(ID + "new"), URIRef(KGO + "name"),
                                           Literal("new")))
    after = quads_of(ds2, binds)
    assert write(out, after)
    assert_full_write(out, after)
