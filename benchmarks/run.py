"""Every stage of the pipeline, timed beside its straightforward baseline in the same run.

    python benchmarks/run.py --quick                  # 1k entities, every baseline cut at 1 s
    python benchmarks/run.py --sizes curated 1000 10000 --timebox 120
    python benchmarks/run.py --sizes 100000 --timebox 60 --skip queries,centrality

For each data set (the curated data/, or synthetic data from benchmarks/synth.py) it
times each stage twice: the straightforward way (what a first version would call:
yaml.safe_load, rdflib's writers and SPARQL engine, pySHACL with RDFS inference,
exact betweenness, pyvis's add_edge...) and kg's own path, and reports the ratio
baseline / kg. On a shared machine absolute times are noise; the ratio of two
figures measured minutes apart is the result.

Baselines run in a forked child, time-boxed: one that has not finished in
--timebox seconds is killed and reported as "> T s" (and its ratio as "> r").
kg's stages run in this process, in pipeline order, each on the previous one's
output; "peak MiB" is this process's peak resident memory after the stage (it only
grows), a baseline's is its child's.

Writes a Markdown table per data set to --out (default docs/PERFORMANCE.md, between
the markers <!-- bench:NAME --> ... <!-- /bench:NAME -->, so runs at several sizes
and times can share the file) and prints it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import multiprocessing
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import yaml  # noqa: E402
from synth import generate  # noqa: E402

QUICK_BOX = 1.0  # quick mode: every baseline is cut after this many seconds
QUERY_BOX = 30.0  # each rdflib query baseline is cut here at most (17 of them would take hours)
STAGE_GROUPS = ("shacl", "export", "queries", "centrality", "communities", "explorer",
                "report", "build")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Row:
    stage: str
    baseline: str
    base_s: float | None  # None: not run
    base_timed_out: bool
    fast: str
    fast_s: float
    peak: float
    note: str = ""

    def ratio(self) -> str:
        if self.base_s is None:
            return "n/a"
        r = self.base_s / max(self.fast_s, 1e-6)
        return f"> {r:.1f}" if self.base_timed_out else f"{r:.1f}"

    def base_text(self) -> str:
        if self.base_s is None:
            return "not run"
        return f"> {self.base_s:.0f} s" if self.base_timed_out else seconds(self.base_s)


def seconds(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def _child(fn, conn):
    try:
        gc.collect()
        t0 = time.perf_counter()
        fn()
        conn.send((time.perf_counter() - t0, peak_mib(), None))
    except BaseException as exc:  # noqa: BLE001 - reported, not raised
        conn.send((0.0, peak_mib(), f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def timeboxed(fn: Callable[[], object], limit: float) -> tuple[float, bool, float]:
    """Run fn in a forked child for at most `limit` seconds: (seconds, timed out, peak MiB)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, child), daemon=True)
    t0 = time.perf_counter()
    proc.start()
    child.close()
    if parent.poll(limit):
        elapsed, peak, error = parent.recv()
        proc.join()
        if error:
            raise RuntimeError(f"baseline failed: {error}")
        return elapsed, False, peak
    proc.kill()
    proc.join()
    return time.perf_counter() - t0, True, 0.0


class Bench:
    def __init__(self, timebox: float, skip: set[str], progress: bool = True):
        self.timebox, self.skip, self.rows, self.progress = timebox, skip, [], progress
        self.quick_box: float | None = None  # quick mode: every baseline cut at this

    def say(self, text: str) -> None:
        if self.progress:
            print(f"  {text}", file=sys.stderr, flush=True)

    def stage(self, stage: str, baseline: str, base_fn, fast: str, fast_fn, *,
              timebox: float | None = None, note: str = "", repeat: int = 1):
        """Time fast_fn here (its value is returned; the median of `repeat` runs), base_fn
        in a time-boxed child."""
        times = []
        for _ in range(repeat):
            gc.collect()
            t0 = time.perf_counter()
            value = fast_fn()
            times.append(time.perf_counter() - t0)
        fast_s = statistics.median(times)
        peak = peak_mib()
        base_s, out = None, False
        if base_fn is not None:
            limit = self.quick_box or max(timebox or self.timebox, 2 * fast_s)
            base_s, out, _ = timeboxed(base_fn, limit)
        row = Row(stage, baseline, base_s, out, fast, fast_s, peak, note)
        self.rows.append(row)
        self.say(f"{stage}: {row.base_text()} -> {seconds(fast_s)} ({row.ratio()}x)")
        return value

    def table(self) -> str:
        out = ["| stage | straightforward baseline | baseline | kg | kg time | ratio | peak MiB |",
               "|---|---|---:|---|---:|---:|---:|"]
        for r in self.rows:
            note = f" ({r.note})" if r.note else ""
            out.append(f"| {r.stage} | {r.baseline} | {r.base_text()} | {r.fast}{note} | "
                       f"{seconds(r.fast_s)} | {r.ratio()} | {r.peak:.0f} |")
        return "\n".join(out)


# -- the stages ------------------------------------------------------------------------
def run_stages(bench: Bench, data: Path, quick: bool) -> dict:
    from kg.core.schema import load_schema
    from kg.data import loader
    from kg.data.dataset import read_dataset_info
    from kg.data.validate import validate_dir
    from kg.rdf.graph import build_dataset, build_quads, dataset_binds, union_graph
    from kg.semantics import Semantics

    schema = load_schema()
    files = loader.iter_data_files(data)
    info: dict = {"entities": len(files)}
    skip = bench.skip

    def safe_load_all():
        return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in files]

    bench.stage("parse YAML", "`yaml.safe_load` per file", safe_load_all,
                "C loader (`CSafeLoader` compose), GC paused", lambda: loader.load_records(data))

    def validate_pure():
        loader._Loader = yaml.SafeLoader  # in the child only
        gc.enable()
        import kg.data.loader as L
        L.gc.disable = lambda: None  # the straightforward loader leaves the GC on
        return validate_dir(data, schema, cache=False)

    result = bench.stage("validate (tiers 1-2)", "same checks, pure-Python loader, GC on",
                         validate_pure, "`validate_dir`, no cache",
                         lambda: validate_dir(data, schema, cache=False))
    assert result.ok, [i.format() for i in result.errors[:5]]
    with edit_loop(data) as (copy, edit, _link):
        validate_dir(copy, schema, cache=True)  # the cache warm, as after the last run
        bench.stage("validate after editing one file", "`validate_dir`, no cache",
                    lambda: validate_dir(copy, schema, cache=False),
                    "`validate_dir`, per-file cache",
                    lambda: (edit(), validate_dir(copy, schema, cache=True)), repeat=3)
    sem = Semantics(schema, result.entities, read_dataset_info(data))

    def build_rdflib():
        gc.enable()
        return build_dataset(result.entities, schema, sem)

    quads = bench.stage("build the graph", "rdflib Dataset, GC on (the same triples added "
                        "to rdflib's Memory store)", build_rdflib,
                        "compact quads (`build_quads`), GC paused",
                        lambda: build_quads(result.entities, schema, sem))
    info["triples"] = len(quads)
    need_rdflib = not ({"shacl", "export", "queries"} <= skip)
    ds = quads.dataset(dataset_binds(schema)) if need_rdflib else None  # for the baselines
    g = union_graph(ds) if ds is not None else None

    if "shacl" not in skip:
        from kg.rdf.ontology import build_ontology, build_shapes
        from kg.rdf.shapes import shacl_issues

        def shacl_rdfs():
            import pyshacl

            return pyshacl.validate(g, shacl_graph=build_shapes(schema),
                                    ont_graph=build_ontology(schema), inference="rdfs")

        issues = bench.stage("SHACL", "pySHACL, RDFS inference", shacl_rdfs,
                             "`shacl_issues` (core engine on the quads)",
                             lambda: shacl_issues(quads, schema, entities=result.entities))
        assert not issues, issues[:3]

    if "export" not in skip:
        import tempfile

        from kg.rdf import serialize as S

        def rdflib_four():
            for fmt in ("turtle", "nt", "json-ld"):
                g.serialize(format=fmt)
            ds.serialize(format="trig")

        with tempfile.TemporaryDirectory(prefix="kg-bench-files-") as tmp:
            bench.stage("write the four graph files", "rdflib `serialize` (Turtle, N-Triples, "
                        "JSON-LD of the union; TriG of the dataset)", rdflib_four,
                        "`write_quads_files` (sorted quads streamed; Oxigraph's Turtle and "
                        "TriG writers file to file)", lambda: S.write_quads_files(Path(tmp), quads))
        bench.stage("write Turtle, readable layout", "rdflib `serialize(format='turtle')`",
                    lambda: g.serialize(format="turtle"), "kg's Python writer (ontology files)",
                    lambda: S.turtle(g))

    if "queries" not in skip:
        from kg.sparql.queries import library, run_query
        from kg.sparql.store import OxigraphStore, RdflibStore

        ox = bench.stage("query store", "rdflib (no load)", lambda: RdflibStore(ds),
                         "Oxigraph store from the build's N-Quads",
                         lambda: OxigraphStore.from_nquads(
                             "".join(quads.nquads_lines()).encode("utf-8")))
        rd = RdflibStore(ds)
        qbox = bench.quick_box or min(bench.timebox, QUERY_BOX)
        for q in library():
            # a default of "today" does not bind (changes.rq on main): give the dataset's date
            ps = {p.name: sem.date.isoformat() for p in q.params if p.default == "today"}
            bench.stage(f"query `{q.name}`", "rdflib SPARQL engine",
                        lambda q=q, ps=ps: run_query(rd, q, ps, day=sem.date),
                        "Oxigraph" + ("" if quick else " (median of 3)"),
                        lambda q=q, ps=ps: run_query(ox, q, ps, day=sem.date), timebox=qbox, repeat=1 if quick else 3)

    if {"centrality", "communities", "explorer", "report"} - skip:
        import networkx as nx

        from kg.analysis.network import project, simple

        proj = project(sem)
        G = proj.graph()
        H = simple(G)
        info["nodes"], info["edges"] = H.number_of_nodes(), H.number_of_edges()

    if "centrality" not in skip:
        import scipy.sparse.linalg  # noqa: F401 - its import (~1 s) is not the algorithm's time

        from kg.analysis.centrality import betweenness as kg_betweenness
        from kg.analysis.centrality import eigenvector as kg_eigenvector
        from kg.analysis.centrality import pagerank

        bench.stage("PageRank", "power iteration in Python (`_pagerank_python`)",
                    lambda: nx.algorithms.link_analysis.pagerank_alg._pagerank_python(H),
                    "`kg.analysis.centrality.pagerank` (scipy)", lambda: pagerank(G))
        k = min(500, H.number_of_nodes())
        approx = bench.stage("betweenness", "exact (Brandes)",
                             lambda: nx.betweenness_centrality(H),
                             f"`kg.analysis.centrality.betweenness`, k={k} sampled sources, "
                             "seed 16 (numpy paths engine)",
                             lambda: kg_betweenness(H, k=k, seed=16)[0],
                             timebox=None)
        if H.number_of_nodes() <= 5000:
            exact = nx.betweenness_centrality(H)
            err = max(abs(exact[n] - approx[n]) for n in H)
            top = sorted(exact, key=exact.get, reverse=True)[:20]
            top_a = sorted(approx, key=approx.get, reverse=True)[:20]
            bench.rows[-1].note = (f"max abs error {err:.4f}, top-20 overlap "
                                   f"{len(set(top) & set(top_a))}/20")
        C = H.subgraph(max(nx.connected_components(H), key=len)).copy()
        bench.stage("eigenvector centrality", "power iteration (`eigenvector_centrality`)",
                    lambda: nx.eigenvector_centrality(C, max_iter=1000, tol=1e-6),
                    "`kg.analysis.centrality.eigenvector` (Perron vector per piece)",
                    lambda: kg_eigenvector(C),
                    note=f"largest component, {C.number_of_nodes()} nodes")

    if "communities" not in skip:
        bench.stage("communities", "greedy modularity (Clauset-Newman-Moore)",
                    lambda: nx.community.greedy_modularity_communities(H),
                    "Louvain, seed 16", lambda: nx.community.louvain_communities(H, seed=16),
                    timebox=None)

    if "explorer" not in skip:
        bench_pyvis(bench, G, quick)
        from kg.explorer import write_explorer

        with tempfile.TemporaryDirectory() as out:
            page = Path(out) / "graph.html"
            bench.stage("explorer page (graph.html)", "pyvis `add_node`/`add_edge`, "
                        "`generate_html`", lambda: pyvis_page(G),
                        "`kg.explorer.write_explorer` (layout by NetworkX, vis-network inline)",
                        lambda: write_explorer(sem, page))
            bench.rows[-1].note = f"{page.stat().st_size / 2**20:.1f} MiB"

    if "report" not in skip:
        from kg.analysis.report import write_report

        def straightforward_report():
            C = H.subgraph(max(nx.connected_components(H), key=len))
            nx.betweenness_centrality(H)
            nx.eigenvector_centrality(C, max_iter=5000, tol=1e-12)
            nx.closeness_centrality(H)
            nx.community.greedy_modularity_communities(H)

        with tempfile.TemporaryDirectory() as out:
            bench.stage("report (all formats)", "exact betweenness, power-iteration "
                        "eigenvector, closeness, greedy modularity", straightforward_report,
                        "`kg.analysis.report.write_report`",
                        lambda: write_report(sem, Path(out) / "report"))

    if "build" not in skip:
        from kg.pipeline import build

        with tempfile.TemporaryDirectory() as out:
            parts = ("validate (tiers 1-2)", "build the graph", "SHACL",
                     "write the four graph files", "explorer page (graph.html)",
                     "report (all formats)")
            straightforward = sum(r.base_s or 0 for r in bench.rows if r.stage in parts)
            t0 = time.perf_counter()
            build(data, Path(out))
            fast_s = time.perf_counter() - t0
            timed_out = any(r.base_timed_out for r in bench.rows if r.stage in parts)
            bench.rows.append(Row("whole build, in process", "sum of the baselines above "
                                  "(validate, graph, SHACL, four files, explorer, report)",
                                  straightforward,
                                  timed_out, "`kg.pipeline.build` (peak: the first process; "
                                  "the report's forked process is measured in docs/SCALING.md)",
                                  fast_s, peak_mib()))
            bench.say(f"build: {bench.rows[-1].ratio()}x")
    return info


def pyvis_page(G) -> str:
    """The straightforward explorer: pyvis fed node by node, edge by edge, then its HTML."""
    from pyvis.network import Network

    net = Network(directed=True)
    for n, d in G.nodes(data=True):
        net.add_node(n, label=str(d.get("label", n)), title=str(n))
    for u, v, d in G.edges(data=True):
        net.add_edge(u, v, title=d.get("relation", ""))
    return net.generate_html()


def bench_pyvis(bench: Bench, G, quick: bool) -> None:
    """pyvis fed through add_node/add_edge (each add_edge scans every edge) against filling
    its node and edge lists directly, for the projected network."""
    from pyvis.network import Network

    nodes = [(n, {"label": str(d.get("label", n)), "title": str(n)}) for n, d in G.nodes(data=True)]
    edges = [(u, v, d.get("relation", "")) for u, v, d in G.edges(data=True)]

    def slow():
        net = Network(directed=True)
        for n, d in nodes:
            net.add_node(n, **d)
        for u, v, rel in edges:
            net.add_edge(u, v, title=rel)
        return net

    def fast():
        net = Network(directed=True)
        net.nodes = [{"id": n, "shape": "dot", **d} for n, d in nodes]
        net.node_ids = [n for n, _ in nodes]
        net.node_map = {n["id"]: n for n in net.nodes}
        net.edges = [{"from": u, "to": v, "title": rel, "arrows": "to"} for u, v, rel in edges]
        return net

    bench.stage("explorer: pyvis network", "`add_node`/`add_edge` (quadratic)", slow,
                "node and edge lists filled directly", fast, timebox=None,
                note=f"{len(nodes)} nodes, {len(edges)} edges")


# -- the commands end to end (curated data) -----------------------------------------------
@contextlib.contextmanager
def edit_loop(data: Path):
    """A copy of data/ with a cache folder of its own, and two edits a maintainer makes:
    edit(): each call changes one file's content: its description gets different words
    (so the graph, its files and the explorer change, while the network the report
    analyses does not); a file without a one-line description gets a comment line.
    link(): each call adds a link with `kg link` (the first model's developer: the next
    organisation it is not linked to, citing the first source), so the network changes
    too and the report's measures are computed again. Yields (copy, edit, link)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data, copy)
        victim = sorted((copy / "model").glob("*.yaml"))[0]
        original = victim.read_text(encoding="utf-8")
        count = [0]
        ids = {kind: [f.stem for f in sorted((copy / kind).glob("*.yaml"))]
               for kind in ("organization", "source")}
        targets = iter(o for o in ids["organization"]
                       if not re.search(rf"\b{re.escape(o)}\b", original))

        def link() -> None:
            args = ["link", victim.stem, "developer", next(targets), "--source",
                    ids["source"][0], "--data", str(copy)]
            proc = subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True,
                                  text=True, cwd=REPO)
            if proc.returncode:
                raise RuntimeError(f"kg {' '.join(args)}: {proc.stderr[-500:]}")

        def edit() -> None:
            count[0] += 1
            # inside the quotes of a quoted scalar; block scalars (> or |) are left alone
            edited = re.sub(r"^(description: (?![>|]).*?[^\s\"'])([\"']?)$",
                            rf"\1 (edit {count[0]})\2", original, count=1, flags=re.M)
            if edited == original:
                edited = original + f"# edit {count[0]}\n"
            victim.write_text(edited, encoding="utf-8")

        old = os.environ.get("KG_CACHE_DIR")
        os.environ["KG_CACHE_DIR"] = str(Path(tmp) / "cache")
        try:
            yield copy, edit, link
        finally:
            if old is None:
                os.environ.pop("KG_CACHE_DIR", None)
            else:
                os.environ["KG_CACHE_DIR"] = old


def command_times(data: Path, repeat: int, targets: dict[str, float] | None = None,
                  builds_only: bool = False) -> list[tuple[str, float, float | None]]:
    """Whole-process medians of the commands people wait for: (what, seconds, target).
    "no cache" runs with KG_NO_CACHE=1 (every file read and checked again); "after
    editing one file" runs on a copy of data/ whose per-file cache is warm, one file's
    content changed before each run. targets: the build targets by key ("cold",
    "edit"), the curated ones by default; builds_only: just the two builds (for the
    synthetic sizes)."""
    targets = targets or {"cold": 3.0, "edit": 1.5}
    kg = [sys.executable, "-m", "kg"]
    out = []
    with tempfile.TemporaryDirectory() as tmp, edit_loop(data) as (copy, edit, link):
        build_dir = Path(tmp) / "build"

        def timed(args, target, what, before=None, env=None):
            times = []
            for _ in range(repeat):
                if before:
                    before()
                t0 = time.perf_counter()
                proc = subprocess.run(kg + args, capture_output=True, text=True, cwd=REPO,
                                      env={**os.environ, **(env or {})})
                times.append(time.perf_counter() - t0)
                # a build must succeed (an edit that broke the data would time an early exit)
                if proc.returncode not in ((0,) if args[0] == "build" else (0, 1)):
                    raise RuntimeError(f"{' '.join(args)}: {proc.stderr[-500:]}")
            out.append((what, statistics.median(times), target))

        cold = {"KG_NO_CACHE": "1"}
        timed(["build", "--data", str(data), "--out", str(build_dir)], targets["cold"],
              "`kg build` (cold, no cache)", env=cold)
        for args in (["validate"], ["fmt", "--check"], ["build", "--out", str(build_dir)]):
            if builds_only and args[0] != "build":
                continue
            subprocess.run(kg + args + ["--data", str(copy)], capture_output=True, cwd=REPO)
        timed(["build", "--data", str(copy), "--out", str(build_dir)], targets["edit"],
              "`kg build` after editing one file", before=edit)
        timed(["build", "--data", str(copy), "--out", str(build_dir)], targets["edit"],
              "`kg build` after `kg link` (the network changes: the report's measures are "
              "computed again)", before=link)
        if builds_only:
            return out
        timed(["validate", "--data", str(data)], None, "`kg validate` (no cache)", env=cold)
        timed(["validate", "--data", str(copy)], 1.0, "`kg validate` after editing one file",
              before=edit)
        timed(["validate", "--data", str(copy)], 1.0,
              "`kg validate` again, nothing changed (a file touched, the pre-commit hook)",
              before=lambda: os.utime(sorted((copy / "model").glob("*.yaml"))[-1]))
        one_row = ["query", "--sparql", "SELECT ?s WHERE { ?s a "
                   "<https://w3id.org/ai-race-kg/ontology#Country> } LIMIT 1"]
        timed(one_row + ["--graph", str(build_dir / "graph.trig")], 0.4,
              "one-row `kg query --graph build/graph.trig`")
        timed(one_row + ["--data", str(data)], 0.4, "one-row `kg query` from data/")
        timed(["fmt", "--check", "--data", str(data)], None, "`kg fmt --check` (no cache)",
              env=cold)
        timed(["fmt", "--check", "--data", str(copy)], 1.0,
              "`kg fmt --check` after editing one file", before=edit)
    return out


def commands_table(rows) -> str:
    out = ["| command (whole process, median) | time | target | met |", "|---|---:|---:|---|"]
    for what, s, target in rows:
        met = "" if not target else "yes" if s <= target else "no"
        out.append(f"| {what} | {seconds(s)} | {seconds(target) if target else ''} | {met} |")
    return "\n".join(out)


# -- the report file --------------------------------------------------------------------
def update_section(path: Path, name: str, text: str) -> None:
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{begin}\n{text}\n{end}"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if begin in old and end in old:
        new = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, old,
                     flags=re.S)
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.python_implementation()} {platform.python_version()}, "
            f"{os.cpu_count()} cores, load average {load:.1f} at the start")


def run_size(size: str, args, workdir: Path) -> str:
    if size == "curated":
        data, label = REPO / "data", "curated data/"
    else:
        n = int(size)
        data = workdir / f"synth-{n}"
        t0 = time.perf_counter()
        count = generate(data, n, seed=args.seed)
        label = f"synthetic, {count} entities (seed {args.seed})"
        print(f"generated {count} entities in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    print(f"== {label}", file=sys.stderr, flush=True)
    bench = Bench(args.timebox, set(args.skip), progress=not args.silent)
    bench.quick_box = QUICK_BOX if args.quick else None
    t0 = time.perf_counter()
    # every stage computed, none read back from kg's caches (the report's measures, the
    # explorer's layout, the per-file checks) unless a stage asks for the cache itself
    old_off = os.environ.get("KG_NO_CACHE")
    os.environ["KG_NO_CACHE"] = "1"
    try:
        info = run_stages(bench, data, args.quick)
    finally:
        if old_off is None:
            os.environ.pop("KG_NO_CACHE", None)
        else:
            os.environ["KG_NO_CACHE"] = old_off
    head = (f"### {label}\n\n{info['entities']} entities, {info['triples']} triples"
            + (f"; network {info['nodes']} nodes, {info['edges']} edges" if "nodes" in info else "")
            + f". Run {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {machine()}, "
            f"{time.perf_counter() - t0:.0f} s in all; baselines time-boxed at "
            f"{QUICK_BOX if args.quick else args.timebox:.0f} s (the rdflib query baselines at "
            f"{QUICK_BOX if args.quick else min(args.timebox, QUERY_BOX):.0f} s) "
            f"where marked >.\n\n")
    text = head + bench.table()
    if size == "curated" and args.commands:
        text += "\n\n" + commands_table(command_times(data, args.commands))
    elif args.commands:
        # the issue's targets at 10k; other sizes get the figures without a target
        targets = {"cold": 15.0, "edit": 2.0} if size == "10000" else {"cold": 0, "edit": 0}
        text += "\n\n" + commands_table(command_times(data, args.commands, targets,
                                                        builds_only=True))
    return text


def compile_kg() -> None:
    """kg's modules compiled to bytecode (kg/**/__pycache__), as any install has them, before
    a command is timed. Python writes that cache on first import unless
    PYTHONDONTWRITEBYTECODE is set, as it is on the machines these figures come from: every
    kg command then compiled kg's modules from source first, 0.1 s of CPU in each
    process that imports them. Raises OSError if the folder cannot be written."""
    import compileall

    if not compileall.compile_dir(str(REPO / "kg"), quiet=1):
        raise OSError(f"could not compile {REPO / 'kg'} to bytecode")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="1k synthetic entities; every baseline cut at 1 s (the test runs this)")
    ap.add_argument("--sizes", nargs="+", default=None,
                    help="'curated' and/or entity counts (default: curated 1000 10000)")
    ap.add_argument("--timebox", type=float, default=120.0,
                    help="seconds after which a baseline is stopped and reported as '> T s'")
    ap.add_argument("--skip", type=lambda s: [x for x in s.split(",") if x], default=[],
                    help=f"comma-separated stage groups to skip: {','.join(STAGE_GROUPS)}")
    ap.add_argument("--commands", type=int, default=0, metavar="N",
                    help="also time the commands end to end, median of N (curated: build, validate, query, fmt; synthetic sizes: the cold build and the build after one edit)")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "PERFORMANCE.md",
                    help="the Markdown file to update ('-' prints only)")
    ap.add_argument("--silent", action="store_true", help="no per-stage lines on stderr")
    args = ap.parse_args(argv)
    sizes = args.sizes or (["1000"] if args.quick else ["curated", "1000", "10000"])
    compile_kg()
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            text = run_size(size, args, Path(tmp))
            print(text + "\n")
            if str(args.out) != "-":
                name = ("quick-" if args.quick else "") + size
                update_section(args.out, name, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
