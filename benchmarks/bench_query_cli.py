"""End-to-end time of a one-row `kg query` (a new process each run, as a user types
it), with the graph cache warm: the median of N runs.

    python benchmarks/bench_query_cli.py [--runs 15] [--kg-path /tmp/kg-before]

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--kg-path", default=None)
    ap.add_argument("--extra", nargs="*", default=[], help="more `kg query` arguments")
    args = ap.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached
    env["KG_CACHE_DIR"] = tempfile.mkdtemp(prefix="kg-bench-cache-")
    if args.kg_path:
        env["PYTHONPATH"] = args.kg_path
    cmd = [sys.executable, "-m", "kg", "query", "--sparql", ONE_ROW, "--format", "csv",
           *args.extra]
    cwd = args.kg_path or str(REPO)
    first = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if first.returncode != 0 or "NVIDIA H200" not in first.stdout:
        raise SystemExit(f"kg query failed: {first.stdout}{first.stderr}")
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    print(f"one-row kg query, {args.runs} runs after a warm-up: median "
          f"{statistics.median(times):.3f} s, min {min(times):.3f} s, max {max(times):.3f} s")


if __name__ == "__main__":
    main()
