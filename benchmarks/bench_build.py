"""Build speed and memory at scale, as ratios against a baseline measured in the same run.

The baseline is the cheapest thing the build must do anyway: reading every file
with PyYAML's C loader. Each stage is reported as a multiple of it, so numbers
from noisy machines stay comparable. Usage:

    python benchmarks/bench_build.py --entities 1000 5000 [--shacl]

It copies data/ into a temporary folder, adds synthetic models (each with a
developer, a release month, weights, parameters and a source) and prints, per
size: seconds and peak MiB for parse-only, validate (tiers 1-2), graph build,
SHACL (optional) and serialisation.

    python benchmarks/bench_build.py --jobs-ab DATA [--runs 3] [--warm]

times whole `kg build` processes on DATA (e.g. a benchmarks/synth.py folder) with
KG_BUILD_JOBS=1 (one process) and 2 (the report in a forked second process, and
graph.trig and graph.jsonld in a third once the graph is built), alternated so both
see the same machine, each with an empty parse cache unless --warm. Per run: the load
average before it, wall and CPU seconds (all processes), the peak resident memory of
the first process and of the second (the next-lowest process id: the report's) and the
peak of all their summed PSS (shared pages counted once), sampled from /proc every
0.05 s (Linux); then the medians as a Markdown table.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.data.loader import iter_data_files  # noqa: E402
from kg.data.validate import validate_dir  # noqa: E402
from kg.rdf.graph import build_dataset, union_graph  # noqa: E402
from kg.rdf.serialize import ntriples, turtle  # noqa: E402


def synthesise(data: Path, n: int) -> None:
    out = data / "model"
    for i in range(n):
        (out / f"bench-model-{i}.yaml").write_text(
            f"id: bench-model-{i}\nname: Bench model {i}\nmodel_type: model\n"
            f"developer: deepseek\nreleased: 2025-{i % 12 + 1:02d}\nweights: open\n"
            f"parameters: {1000 + i}\nsources: [dw-2026-01-24-us-china-ai-race]\n",
            encoding="utf-8")


def measure(fn):
    """Time a stage untraced, then run it again under tracemalloc for its peak memory."""
    gc.collect()
    t0 = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - t0
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return value, seconds, peak


def run(n: int, shacl: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(REPO / "data", data)
        synthesise(data, n)
        files = iter_data_files(data)
        print(f"\n{len(files)} entities", flush=True)

        def parse_only():
            return [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
                    for p in files]

        _, base, base_mem = measure(parse_only)
        print(f"  {'baseline: parse only':<24} {base:7.2f} s  {base_mem:7.1f} MiB   1.0x", flush=True)
        result, t, m = measure(lambda: validate_dir(data))
        print(f"  {'validate (tiers 1-2)':<24} {t:7.2f} s  {m:7.1f} MiB  {t / base:5.1f}x", flush=True)
        ds, t, m = measure(lambda: build_dataset(result.entities))
        print(f"  {'graph build':<24} {t:7.2f} s  {m:7.1f} MiB  {t / base:5.1f}x", flush=True)
        if shacl:
            from kg.rdf.shapes import shacl_issues

            _, t, m = measure(lambda: shacl_issues(ds, entities=result.entities))
            print(f"  {'SHACL':<24} {t:7.2f} s  {m:7.1f} MiB  {t / base:5.1f}x", flush=True)
        g = union_graph(ds)
        _, t, m = measure(lambda: (turtle(g), ntriples(g)))
        print(f"  {'Turtle + N-Triples':<24} {t:7.2f} s  {m:7.1f} MiB  {t / base:5.1f}x   "
              f"({len(g)} triples)", flush=True)


def _tree(root: int) -> list[int]:
    """root and its descendants (Linux /proc)."""
    try:
        kids = Path(f"/proc/{root}/task/{root}/children").read_text().split()
    except OSError:
        return []
    return [root] + [pid for kid in kids for pid in _tree(int(kid))]


def _kib(pid: int, name: str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def whole_build(data: Path, out: Path, jobs: int, warm_cache: Path | None) -> dict:
    """One `kg build` process on data: seconds, CPU, and memory as the module doc says."""
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cold:
        env = {**os.environ, "KG_BUILD_JOBS": str(jobs),
               "KG_CACHE_DIR": str(warm_cache or cold)}
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "kg", "build", "--data", str(data),
                                 "--out", str(out)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        peaks: dict[int, int] = {}
        pss = 0
        while proc.poll() is None:
            pids = _tree(proc.pid)
            for pid in pids:
                peaks[pid] = max(peaks.get(pid, 0), _kib(pid, "status", "VmHWM:"))
            pss = max(pss, sum(_kib(pid, "smaps_rollup", "Pss:") for pid in pids))
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        err = proc.stderr.read()
        if proc.returncode:
            raise SystemExit(f"kg build failed:\n{err}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # cumulative: the caller subtracts
    rss = [peaks[pid] / 2**20 for pid in sorted(peaks)] + [0.0]
    return {"jobs": jobs, "load": load, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss1": rss[0], "rss2": rss[1] if jobs > 1 else 0.0, "pss": pss / 2**20}


def jobs_ab(data: Path, runs: int, warm: bool) -> None:
    rows = []
    cpu_before = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as tmp:
        warm_cache = Path(tmp) / "cache" if warm else None
        if warm:  # fill the parse cache once, untimed
            whole_build(data, Path(tmp) / "warmup", 1, warm_cache)
            cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu_before = cpu_before.ru_utime + cpu_before.ru_stime
        for i in range(runs):
            for jobs in (1, 2):
                row = whole_build(data, Path(tmp) / f"out{jobs}", jobs, warm_cache)
                row["cpu"], cpu_before = row["cpu"] - cpu_before, row["cpu"]
                rows.append(row)
                print(f"run {i + 1} jobs={jobs}: load {row['load']:.2f}, {row['wall']:.1f} s "
                      f"wall, {row['cpu']:.1f} s CPU, peak RSS {row['rss1']:.2f} + "
                      f"{row['rss2']:.2f} GiB, summed PSS {row['pss']:.2f} GiB", flush=True)
    print(f"\n`kg build --data {data}`, {runs} runs each, alternated, "
          f"{'warm' if warm else 'empty'} parse cache; medians:\n")
    print("| KG_BUILD_JOBS | load average | wall s | CPU s | peak RSS, first process GiB "
          "| peak RSS, second process GiB | peak summed PSS GiB |")
    print("|---|---|---|---|---|---|---|")
    for jobs in (1, 2):
        mine = [r for r in rows if r["jobs"] == jobs]
        med = {k: statistics.median(r[k] for r in mine) for k in mine[0]}
        loads = [r["load"] for r in mine]
        print(f"| {jobs} | {min(loads):.1f}-{max(loads):.1f} | {med['wall']:.1f} | "
              f"{med['cpu']:.1f} | {med['rss1']:.2f} | "
              f"{med['rss2']:.2f} | {med['pss']:.2f} |".replace("| 0.00 |", "| - |"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--shacl", action="store_true", help="also time the SHACL pass")
    ap.add_argument("--jobs-ab", type=Path, metavar="DATA",
                    help="time whole builds of DATA, one process against two (above)")
    ap.add_argument("--runs", type=int, default=3, help="runs of each, with --jobs-ab")
    ap.add_argument("--warm", action="store_true",
                    help="with --jobs-ab: a warm parse cache (the build after an edit)")
    args = ap.parse_args()
    if args.jobs_ab:
        jobs_ab(args.jobs_ab, args.runs, args.warm)
        return
    for n in args.entities:
        run(n, args.shacl)


if __name__ == "__main__":
    main()
