"""The graph built incrementally (kg/rdf/graphcache.py): after each edit, the quads equal
a whole build's, only the touched graphs are built, and the graph keys change wherever
the triples did."""

from __future__ import annotations

import itertools
import textwrap
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from conftest import BASE_FILES
from kg.core.schema import load_schema
from kg.data.dataset import read_dataset_info
from kg.data.validate import validate_dir
from kg.rdf import graphcache
from kg.rdf.graph import build_quads
from kg.rdf.quads import changed_graphs, graph_keys, graph_triples
from kg.semantics import Semantics

KGFILE = "https://w3id.org/ai-race-kg/file/data/"

FILES = {
    "dataset.yaml": "date: 2026-04-14\nas_of_horizon_days: 730\n",
    "source/src-b.yaml": """
        id: src-b
        name: Source B
        title: Source B
        publisher: Example Press
        date: 2025-06-01
        source_type: news
        reliability: high
    """,
    "country/us.yaml": """
        id: us
        name: United States
        iso_code: US
        sources: [src-a]
    """,
    "organization/openai.yaml": """
        id: openai
        name: OpenAI
        org_type: lab
        country: us
        sources: [src-b]
    """,
    "person/pat.yaml": """
        id: pat
        name: Pat
        affiliation:
          - value: deepseek
            from: 2024-01
        sources: [src-b]
    """,
    "model/r1.yaml": """
        id: r1
        name: R1
        model_type: model
        description: A reasoning model.
        developer: deepseek
        sources: [src-b]
    """,
    "chip/h200.yaml": """
        id: h200
        name: H200
        chip_type: gpu
        export_status:
          - value: restricted
            to: 2025-12
            sources: [src-b]
          - value: banned
            as_of: 2024-05
            sources: [src-b]
        sources: [src-b]
    """,
    "measure/params.yaml": """
        id: params
        name: parameters
        unit: "1"
    """,
    "claim/r1-params-a.yaml": """
        id: r1-params-a
        name: R1's parameters (A)
        about: r1
        measure: params
        value: 600
        estimated_by: openai
        sources: [src-b]
    """,
    "claim/r1-params-b.yaml": """
        id: r1-params-b
        name: R1's parameters (B)
        about: r1
        measure: params
        value: 900
        estimated_by: deepseek
        sources: [src-a]
    """,
}


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def bundle(text: str) -> str:
    assert "bundled_file" not in text, "bundled already"
    return text + "bundled_file: b.txt\n"


# (what the edit is, the file, how its text changes; None deletes the file)
EDITS = [
    ("a value", "model/r1.yaml", lambda t: edit(t, "A reasoning model.", "A reasoning model!")),
    ("a date", "chip/h200.yaml", lambda t: edit(t, "to: 2025-12", "to: 2025-11")),
    ("a source's reliability: the best source reliability of facts elsewhere changes",
     "source/src-b.yaml", lambda t: edit(t, "reliability: high", "reliability: low")),
    ("a source becomes a bundled article: check statuses change elsewhere",
     "source/src-b.yaml", lambda t: bundle(t)),
    ("a country changes bloc: the blocs of what it reaches change",
     "organization/deepseek.yaml", lambda t: edit(t, "country: china", "country: us")),
    ("an affiliation changes", "person/pat.yaml", lambda t: edit(t, "value: deepseek",
                                                                 "value: openai")),
    ("a dispute disappears", "claim/r1-params-b.yaml", lambda t: edit(t, "value: 900",
                                                                      "value: 600")),
    ("a dispute appears", "claim/r1-params-b.yaml", lambda t: edit(t, "value: 600",
                                                                   "value: 1200")),
    ("a statement's own source becomes a bundled one: only its check status changes",
     "chip/h200.yaml", lambda t: edit(t, "as_of: 2024-05\n    sources: [src-b]",
                                      "as_of: 2024-05\n    sources: [src-a]")),
    ("an entity cites a second source", "model/r1.yaml",
     lambda t: edit(t, "sources: [src-b]", "sources: [src-b, src-a]")),
    ("a bundled source stops being one: check statuses change where it is cited",
     "source/src-a.yaml", lambda t: edit(t, "bundled_file: a.txt\n", "")),
    ("a cited source's reliability is dropped to the lowest", "source/src-a.yaml",
     lambda t: edit(t, "reliability: high", "reliability: low")),
    ("a file is added", "organization/newco.yaml",
     lambda t: "id: newco\nname: Newco\norg_type: company\ncountry: china\nsources: [src-a]\n"),
    ("a file is deleted", "person/pat.yaml", lambda t: None),
    ("the dataset's date", "dataset.yaml", lambda t: edit(t, "2026-04-14", "2024-06-01")),
    ("the horizon", "dataset.yaml", lambda t: edit(t, "730", "30")),
    ("a line moves", "chip/h200.yaml", lambda t: "# a comment\n" + t),
]


@pytest.fixture
def trusted(monkeypatch):
    """Files written by the test just before a build are trusted by their stamps (a file
    changed during the build still is not: the build starts after every write)."""
    monkeypatch.setattr(graphcache, "RACY_NS", 0)


def build(data, kept=True):
    """(quads, report) of one build of data: kept (graphcache) or whole (build_quads)."""
    schema = load_schema()
    result = validate_dir(data, schema)
    assert result.ok, result.errors
    sem = Semantics(schema, result.entities, read_dataset_info(data))
    if not kept:
        return build_quads(result.entities, schema, sem), None
    report: dict = {}
    time.sleep(0.01)  # the build starts after the last write, on any clock granularity
    return graphcache.build_quads_kept(data, result.entities, schema, sem, report=report,
                                       file_keys=result.file_keys), report


def kg_build_files(data, out, *args) -> dict[str, bytes]:
    """`kg build --data data --out out [args]`: each file written (path in out -> bytes)."""
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


def write(data, rel, text):
    path = data / rel
    if text is None:
        path.unlink()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_each_edit_builds_what_it_touches_and_gives_the_whole_builds_quads(make_data, trusted):
    data = make_data(FILES)
    first, report = build(data)
    assert report["kept"] == [] and len(report["built"]) == len(graph_triples(first))
    before_whole, _ = build(data, kept=False)
    assert graph_triples(first) == graph_triples(before_whole)
    before_keys = graph_keys(first)
    again, report = build(data)  # nothing changed: everything kept
    assert report["built"] == [] and graph_keys(again) == before_keys
    assert graph_triples(again) == graph_triples(first)
    for what, rel, change in EDITS:
        path = data / rel
        write(data, rel, change(path.read_text(encoding="utf-8") if path.exists() else ""))
        kept, report = build(data)
        whole, _ = build(data, kept=False)
        assert graph_triples(kept) == graph_triples(whole), what
        keys = graph_keys(kept)
        changed = changed_graphs(before_whole, whole)
        moved = {g for g in keys.keys() | before_keys.keys()
                 if keys.get(g) != before_keys.get(g)}
        assert changed <= moved, (what, changed - moved)
        assert set(report["built"]) == moved & keys.keys(), what
        before_whole, before_keys = whole, keys


def test_what_each_edit_builds(make_data, trusted):
    data = make_data(FILES)
    build(data)
    text = (data / "organization/deepseek.yaml").read_text(encoding="utf-8")
    write(data, "organization/deepseek.yaml", edit(text, "country: china", "country: us"))
    _, report = build(data)
    # deepseek's bloc reaches its model, its affiliate and the figures about the model
    assert sorted(report["built"]) == [KGFILE + p for p in (
        "claim/r1-params-a.yaml", "claim/r1-params-b.yaml", "model/r1.yaml",
        "organization/deepseek.yaml", "person/pat.yaml")]
    text = (data / "model/r1.yaml").read_text(encoding="utf-8")
    write(data, "model/r1.yaml", edit(text, "A reasoning model.", "A model."))
    _, report = build(data)
    assert report["built"] == [KGFILE + "model/r1.yaml"]
    text = (data / "claim/r1-params-b.yaml").read_text(encoding="utf-8")
    write(data, "claim/r1-params-b.yaml", edit(text, "value: 900", "value: 600"))
    _, report = build(data)  # the dispute is gone from both figures
    assert sorted(report["built"]) == [KGFILE + "claim/r1-params-a.yaml",
                                       KGFILE + "claim/r1-params-b.yaml"]


def test_a_source_builds_its_own_file_and_the_files_citing_it(make_data, trusted):
    """Adding a source, or changing what facts take from one (reliability, bundled),
    builds the source's own file and the files whose facts cite it; not every file."""
    data = make_data(FILES)
    build(data)
    write(data, "source/src-new.yaml", "id: src-new\nname: New\ntitle: New\n"
          "publisher: Example Press\ndate: 2025-07-01\nsource_type: news\n"
          "reliability: low\n")
    _, report = build(data)
    assert report["built"] == [KGFILE + "source/src-new.yaml"]
    # src-b is cited by these files: by an entity's sources or by a statement's own
    citing_b = sorted(KGFILE + p for p in (
        "chip/h200.yaml", "claim/r1-params-a.yaml", "model/r1.yaml",
        "organization/openai.yaml", "person/pat.yaml", "source/src-b.yaml"))
    text = (data / "source/src-b.yaml").read_text(encoding="utf-8")
    write(data, "source/src-b.yaml", edit(text, "reliability: high", "reliability: low"))
    kept, report = build(data)
    assert sorted(report["built"]) == citing_b
    assert graph_triples(kept) == graph_triples(build(data, kept=False)[0])
    write(data, "source/src-b.yaml", bundle(edit(text, "reliability: high", "reliability: low")))
    kept, report = build(data)
    assert sorted(report["built"]) == citing_b
    assert graph_triples(kept) == graph_triples(build(data, kept=False)[0])
    # a statement's own source: only h200's export status cites src-new
    text = (data / "chip/h200.yaml").read_text(encoding="utf-8")
    write(data, "chip/h200.yaml", edit(text, "as_of: 2024-05\n    sources: [src-b]",
                                        "as_of: 2024-05\n    sources: [src-new]"))
    build(data)
    text = (data / "source/src-new.yaml").read_text(encoding="utf-8")
    write(data, "source/src-new.yaml", edit(text, "reliability: low", "reliability: high"))
    kept, report = build(data)
    assert sorted(report["built"]) == [KGFILE + "chip/h200.yaml", KGFILE + "source/src-new.yaml"]
    assert graph_triples(kept) == graph_triples(build(data, kept=False)[0])


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty", "other version",
                                    "garbage"])
def test_a_damaged_entry_gives_the_whole_build(make_data, trusted, damage):
    data = make_data(FILES)
    build(data)
    entry = graphcache.entry_path(data)
    blob = entry.read_bytes()
    damaged = {"truncated": blob[:len(blob) // 2], "flipped": blob[:-9] + bytes([blob[-9] ^ 1])
               + blob[-8:], "empty": b"",
               "other version": blob.replace(b"kg-graphcache ", b"kg-graphcache 0", 1),
               "garbage": b"kg-graphcache x y\n\x00\x01\x02"}[damage]
    entry.write_bytes(damaged)
    got, report = build(data)
    assert report["kept"] == []
    whole, _ = build(data, kept=False)
    assert graph_triples(got) == graph_triples(whole)
    _, report = build(data)  # rewritten whole: kept again
    assert report["built"] == []


@pytest.mark.parametrize("damage", ["truncated", "flipped", "another entry's"])
def test_a_damaged_delta_gives_the_entrys_build_and_the_right_quads(make_data, trusted,
                                                                    damage):
    data = make_data(FILES)
    build(data)
    entry = graphcache.entry_path(data)
    delta = graphcache.delta_path(entry)
    text = (data / "model/r1.yaml").read_text(encoding="utf-8")
    write(data, "model/r1.yaml", edit(text, "A reasoning model.", "A model."))
    _, report = build(data)
    assert report["built"] == [KGFILE + "model/r1.yaml"] and delta.exists()
    blob = delta.read_bytes()
    delta.write_bytes({"truncated": blob[:-5], "flipped": blob[:-9] + bytes([blob[-9] ^ 1])
                       + blob[-8:], "another entry's": blob.replace(b" ", b" 0", 2)}[damage])
    got, report = build(data)  # the entry alone: r1 as it was there, so built again
    assert report["built"] == [KGFILE + "model/r1.yaml"]
    whole, _ = build(data, kept=False)
    assert graph_triples(got) == graph_triples(whole)


def test_deltas_then_a_new_entry_keep_the_quads_right(make_data, trusted, monkeypatch):
    monkeypatch.setattr(graphcache, "DELTA_SHARE", 0.05)
    data = make_data(FILES)
    build(data)
    entry = graphcache.entry_path(data)
    stamps, deltas = [], []
    rels = sorted(p.relative_to(data).as_posix() for p in data.rglob("*.yaml")
                  if p.name != "dataset.yaml")
    for rel in rels:  # each edit grows the delta, until the entry is written anew
        write(data, rel, "# edited\n" + (data / rel).read_text(encoding="utf-8"))
        got, report = build(data)
        assert report["built"] == [KGFILE + rel]
        whole, _ = build(data, kept=False)
        assert graph_triples(got) == graph_triples(whole), rel
        stamps.append(entry.stat().st_mtime_ns)
        deltas.append(graphcache.delta_path(entry).exists())
    assert len(set(stamps)) > 1 and any(deltas), (stamps, deltas)


def test_a_file_changed_after_the_build_began_is_built_and_not_keyed(make_data):
    data = make_data(FILES)
    schema = load_schema()
    result = validate_dir(data, schema)
    sem = Semantics(schema, result.entities, read_dataset_info(data))
    since = time.time_ns() - 10**9  # every file is younger than the build's start
    report: dict = {}
    q = graphcache.build_quads_kept(data, result.entities, schema, sem, since, report=report)
    entity_graphs = {g for g in graph_triples(q) if not g.endswith(("dataset.yaml",
                                                                     "ontology.ttl"))}
    assert entity_graphs and not entity_graphs & set(q.known_graph_keys)
    report = {}
    graphcache.build_quads_kept(data, result.entities, schema, sem, since, report=report)
    assert entity_graphs <= set(report["built"])


def test_no_cache_builds_whole_and_keeps_nothing(make_data, trusted, monkeypatch):
    monkeypatch.setenv("KG_NO_CACHE", "1")
    data = make_data(FILES)
    q, report = build(data)
    assert q.known_graph_keys is None and report == {}
    assert not graphcache.entry_path(data).exists()


def test_kg_build_writes_the_same_files_with_and_without_the_kept_quads(make_data, trusted,
                                                                        tmp_path):
    data = make_data(FILES)

    def kg_build(out, *args):
        return kg_build_files(data, tmp_path / out, *args)

    kg_build("first")
    assert graphcache.entry_path(data).exists()
    text = (data / "claim/r1-params-b.yaml").read_text(encoding="utf-8")
    write(data, "claim/r1-params-b.yaml", edit(text, "value: 900", "value: 600"))
    time.sleep(0.01)
    kept = kg_build("kept")
    whole = kg_build("whole", "--no-cache")
    assert kept.keys() == whole.keys()
    for name in kept:
        assert kept[name] == whole[name], name


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hs.lists(hs.sampled_from(range(len(EDITS))), min_size=1, max_size=4))
def test_random_edits_give_the_whole_builds_quads(tmp_path, trusted, picks):
    data = tmp_path / f"data-{next(RUNS)}"
    for rel, text in {**BASE_FILES, **FILES}.items():
        write(data, rel, textwrap.dedent(text).lstrip("\n"))
    build(data)
    for i in picks:
        _, rel, change = EDITS[i]
        path = data / rel
        try:
            text = change(path.read_text(encoding="utf-8") if path.exists() else "")
        except AssertionError:  # that edit's text is gone after another edit
            continue
        if text is None and not path.exists():
            continue
        write(data, rel, text)
        kept, _ = build(data)
        whole, _ = build(data, kept=False)
        assert graph_triples(kept) == graph_triples(whole), (picks, i)


RUNS = itertools.count()


def test_a_fresh_copy_is_kept_from_its_second_build_on(make_data):
    """Files written just now (a clone, a copy): keyed by the bytes validation read, the
    second build builds nothing and every graph keeps its key; keyed by stamps alone (no
    file_keys), the files are too new to trust, so the second build builds them again."""
    data = make_data(FILES)
    first, report = build(data)
    assert report["kept"] == []
    again, report = build(data)
    assert report["built"] == [] and graph_keys(again) == graph_keys(first)
    assert set(again.known_graph_keys) == set(graph_triples(again))
    schema = load_schema()
    result = validate_dir(data, schema)
    sem = Semantics(schema, result.entities, read_dataset_info(data))
    report = {}
    graphcache.build_quads_kept(data, result.entities, schema, sem, report=report)
    assert KGFILE + "model/r1.yaml" in report["built"]


def test_a_language_tags_case_is_the_same_kept_or_whole(make_data):
    """rdflib keeps a tag's case (N-Triples lower-cases it): a name first built as
    zh-Hans, then edited to zh-hans, gave zh-Hans from the kept build and zh-hans from a
    whole one. Tags now take RFC 5646's case whatever the data wrote: zh-Hans both ways."""
    org = """
        id: lingyi
        name: Lingyi
        org_type: company
        names: {zh-Hans: 零一万物}
        sources: [src-a]
    """
    data = make_data({"organization/lingyi.yaml": org})
    build(data)
    write(data, "organization/lingyi.yaml", org.replace("zh-Hans", "zh-hans"))
    kept, report = build(data)
    whole, _ = build(data, kept=False)
    assert report["built"] == [KGFILE + "organization/lingyi.yaml"]
    for q in (kept, whole):
        term = q.rdflib_term(q.ids['"零一万物"@zh-hans'])
        assert (str(term), term.language) == ("零一万物", "zh-Hans")


QUOTE = """
    id: q1
    name: Q1
    text: We lead.
    language: en
    speaker:
      - value: pat
        sources: [src-b]
    about:
      - value: r1
        sources: [src-a]
    sources: [src-b]
"""

# what maintainers run, in turn: every command that writes data files, on sources above all
# (a source added, renamed, merged, its reliability and bundled status changed)
COMMANDS = [
    ("source", "add", "--name", "Zeta Gazette", "--title", "Zeta", "--publisher", "Ex",
     "--date", "2025-08-01", "--source-type", "news", "--reliability", "low"),
    ("link", "r1", "developer", "openai", "--source", "ex-2025-08-01-zeta"),
    ("edit", "src-b", "--set", "reliability=medium"),
    ("edit", "ex-2025-08-01-zeta", "--set", "reliability=high"),
    ("verify", "r1", "--by", "Tester", "--on", "2026-01-01"),
    ("verify", "r1", "developer", "--by", "Tester", "--on", "2026-01-02", "--value", "openai"),
    ("rename", "src-b", "src-bb"),
    ("edit", "src-bb", "--set", "reliability=low"),
    ("merge", "ex-2025-08-01-zeta", "src-bb"),
    ("edit", "src-bb", "--set", "bundled_file=b.txt"),
    ("rename", "src-a", "src-aa"),
    ("edit", "src-aa", "--unset", "bundled_file"),
    ("add", "organization", "--name", "Newco Labs", "--org-type", "company", "--country",
     "china", "--source", "src-aa"),
    ("rm", "q1", "--reason", "out of scope"),
    ("rename", "openai", "open-ai"),
    ("merge", "r1-params-b", "r1-params-a"),
    ("dataset", "--date", "2026-06-30"),
    ("edit", "src-bb", "--set", "date=2026-09-01"),
]


def test_each_kg_command_gives_the_whole_builds_quads_and_kg_build_the_same_files(
        make_data, trusted, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from kg.cli import main

    def kg_build(out, *args):
        return kg_build_files(data, tmp_path / out, *args)

    data = make_data({**FILES, "quote/q1.yaml": QUOTE})
    kg_build("kept")  # the graph files of the builds below are spliced from these
    built = set()
    for n, command in enumerate(COMMANDS):
        result = CliRunner().invoke(main, [*command, "--data", str(data)])
        assert result.exit_code == 0, (command, result.output)
        kept, report = build(data)
        whole, _ = build(data, kept=False)
        assert graph_triples(kept) == graph_triples(whole), command
        built.add(len(report["built"]))
        if n % 6 == 5 or n == len(COMMANDS) - 1:
            time.sleep(0.01)
            files, fresh = kg_build("kept"), kg_build(f"whole-{n}", "--no-cache")
            monkeypatch.delenv("KG_NO_CACHE")  # (--no-cache turns caches off for the process)
            assert files.keys() == fresh.keys(), command
            assert [name for name in files if files[name] != fresh[name]] == [], command
    assert min(built) < len(graph_triples(whole)) / 2  # (kept, not rebuilt, mostly)
