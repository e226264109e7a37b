"""The query library on the embedded stores: Oxigraph (the default) against rdflib.

Oxigraph is the baseline measured in the same run; rdflib's time is reported as
a multiple of it, per query, so the ratio survives a noisy machine. Usage:

    python benchmarks/bench_queries.py [--repeat 3] [--extra-models 2000]
    python benchmarks/bench_queries.py --graph /tmp/synth.nq --engines oxigraph \
        --before /tmp/queries-before

--extra-models adds synthetic models (each with a developer, release month,
weights and a source) to a copy of data/, to see how the gap grows with size.
--graph times a built graph file instead (a .nq from kg.sparql.cache.build_nquads,
or build/graph.trig; e.g. of `benchmarks/synth.py` data at 10k entities).
--before DIR also times the library as it is in DIR (say, `git archive` of an older
commit's queries/), query by query in the same run, and prints before/after; a query
whose answer differs (other rows, or the same rows in another order) is marked.
Every query runs with the dataset's date of the graph it is asked of. Each time is the
median of --repeat runs, wall clock and this process's CPU time (`cpu ms`): on a shared
machine the CPU time moves far less with the load than the wall clock does.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_build import synthesise  # noqa: E402

from kg import load_graph  # noqa: E402
from kg.sparql.queries import library, run_query, store_day  # noqa: E402
from kg.sparql.store import OxigraphStore, QueryResult, RdflibStore  # noqa: E402


def timed(store, query, repeat: int, day, params=None) -> tuple[float, float, QueryResult]:
    """(median seconds, median CPU seconds of this process, the last answer) of
    `repeat` runs of a library query."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = run_query(store, query, params or None, day=day)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), statistics.median(cpu), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--extra-models", type=int, default=0)
    ap.add_argument("--graph", type=Path, default=None,
                    help="a built graph file (.nq, .trig) to query instead of data/")
    ap.add_argument("--engines", default="oxigraph,rdflib",
                    help="comma-separated: oxigraph, rdflib (default both)")
    ap.add_argument("--before", type=Path, default=None,
                    help="another queries/ folder to time in the same run (before -> after)")
    ap.add_argument("--only", default="", help="comma-separated query names (default: all)")
    ap.add_argument("--param", action="append", default=[], metavar="QUERY:KEY=VALUE",
                    help="a parameter for one query (repeatable), e.g. "
                         "between-blocs:blocA=kgid:cty-kaka-000 for synth.py's blocs")
    args = ap.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    ds = None
    if args.graph is None:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            shutil.copytree(REPO / "data", data)
            if args.extra_models:
                synthesise(data, args.extra_models)
            print("building the graph ...", flush=True)
            ds = load_graph(data).dataset
        stores = {"oxigraph": OxigraphStore.from_dataset(ds)}
    else:
        stores = {"oxigraph": OxigraphStore.from_file(args.graph)}
    if "rdflib" in engines:
        stores["rdflib"] = RdflibStore(ds) if ds is not None else RdflibStore.from_file(args.graph)
    day = store_day(stores["oxigraph"])
    only = {n for n in args.only.split(",") if n}
    params: dict[str, dict[str, str]] = {}
    for spec in args.param:
        name, _, pair = spec.partition(":")
        key, _, value = pair.partition("=")
        params.setdefault(name, {})[key] = value
    before = {q.name: q for q in library(args.before)} if args.before else {}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} at the start; dataset date {day}")
    head = f"{'query':<26} {'rows':>5}"
    if before:
        head += f" {'before ms':>10} {'before cpu':>10}"
    head += "".join(f" {e + ' ms':>12}" for e in engines) + f" {'cpu ms':>8}"
    if "rdflib" in engines and "oxigraph" in engines:
        head += f" {'ratio':>7}"
    print(head)
    ratios, speedups = [], []
    for q in library():
        if only and q.name not in only:
            continue
        line, got = f"{q.name:<26}", {}
        for e in engines:
            got[e] = timed(stores[e], q, args.repeat, day, params.get(q.name))
        answer = got[engines[0]][2]
        line += f" {len(answer):>5}"
        if before:
            if q.name in before:
                old, old_cpu, old_answer = timed(stores[engines[0]], before[q.name],
                                                 args.repeat, day, params.get(q.name))
                mark = ("" if (old_answer.vars, old_answer.rows) == (answer.vars, answer.rows)
                        else f" (before: {len(old_answer)} rows, another answer!)")
                line += f" {old * 1000:>10.1f} {old_cpu * 1000:>10.1f}"
                speedups.append(old / got[engines[0]][0] if got[engines[0]][0] else float("inf"))
            else:
                line += f" {'-':>10} {'-':>10}"
                mark = ""
        line += "".join(f" {got[e][0] * 1000:>12.1f}" for e in engines)
        line += f" {got[engines[0]][1] * 1000:>8.1f}"
        if "rdflib" in got and "oxigraph" in got:
            ratios.append(got["rdflib"][0] / got["oxigraph"][0] if got["oxigraph"][0] else
                          float("inf"))
            line += f" {ratios[-1]:>6.1f}x"
        print(line + (mark if before else ""), flush=True)
    if ratios:
        print(f"median ratio rdflib/oxigraph: {statistics.median(ratios):.1f}x")
    if speedups:
        print(f"median speed-up before/after: {statistics.median(speedups):.1f}x")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} at the end")


if __name__ == "__main__":
    main()
