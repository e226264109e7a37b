"""End-to-end time of a one-row `kg query` (a new process each run, as a user types
it), with the graph cache warm: the median of N runs.

    python benchmarks/bench_query_cli.py [--runs 15] [--kg-path /tmp/kg-before --kg-path .]

The first run fills the cache (and Python's bytecode cache) and is not counted.
--kg-path runs another copy of the package (e.g. `git archive` of an older commit
unpacked there), to compare before and after on the same machine. Results:
benchmarks/endpoint-results.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ONE_ROW = "SELECT ?label WHERE { kgid:nvidia-h200 rdfs:label ?label } LIMIT 1"


def main(scratch: Path) -> None:
    """Time the one-row query; each kg path's cache folder is made in scratch."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--kg-path", action="append", default=[],
                    help="another copy of the package; repeat to compare several (the runs "
                         "alternate between them, so they share the machine's load); `.` "
                         "is this checkout")
    ap.add_argument("--baseline", action="store_true",
                    help="also time a bare pyoxigraph script loading build/graph.nt and "
                         "asking the same (the floor: no kg at all)")
    args = ap.parse_args()
    paths = args.kg_path or ["."]
    setups = []
    if args.baseline:
        nt = REPO / "build" / "graph.nt"
        if not nt.is_file():
            raise SystemExit("--baseline needs build/graph.nt: run `kg build` first")
        script = ("import pyoxigraph as ox; s = ox.Store(); "
                  f"s.load(path={str(nt)!r}, format=ox.RdfFormat.N_TRIPLES); "
                  "print(list(s.query('SELECT ?l WHERE { <https://w3id.org/ai-race-kg/id/"
                  "nvidia-h200> <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 1')))")
        setups.append(("bare pyoxigraph on build/graph.nt", [sys.executable, "-c", script],
                       str(REPO), dict(os.environ), []))
    for path in paths:
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached
        env["KG_CACHE_DIR"] = tempfile.mkdtemp(prefix="kg-bench-cache-", dir=scratch)
        cwd = str(REPO) if path == "." else path
        if path != ".":
            env["PYTHONPATH"] = path
        cmd = [sys.executable, "-m", "kg", "query", "--sparql", ONE_ROW, "--format", "csv"]
        first = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        if first.returncode != 0 or "NVIDIA H200" not in first.stdout:
            raise SystemExit(f"kg query failed in {path}: {first.stdout}{first.stderr}")
        setups.append((path, cmd, cwd, env, []))
    for _ in range(args.runs):
        for _, cmd, cwd, env, times in setups:
            t0 = time.perf_counter()
            subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True)
            times.append(time.perf_counter() - t0)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    for path, _, _, _, times in setups:
        print(f"{path}: one-row kg query, {args.runs} runs after a warm-up: median "
              f"{statistics.median(times):.3f} s, min {min(times):.3f} s, "
              f"max {max(times):.3f} s (load average {load:.1f}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as scratch:
        main(Path(scratch))
