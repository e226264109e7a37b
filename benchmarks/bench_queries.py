"""The query library on the embedded stores: Oxigraph (the default) against rdflib.

Oxigraph is the baseline measured in the same run; rdflib's time is reported as
a multiple of it, per query, so the ratio survives a noisy machine. Usage:

    python benchmarks/bench_queries.py [--repeat 3] [--extra-models 2000]

--extra-models adds synthetic models (each with a developer, release month,
weights and a source) to a copy of data/, to see how the gap grows with size.
"""

from __future__ import annotations

import argparse
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
from kg.sparql.queries import library, run_query  # noqa: E402
from kg.sparql.store import OxigraphStore, RdflibStore  # noqa: E402


def timed(store, query, repeat: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = len(run_query(store, query))
        times.append(time.perf_counter() - t0)
    return statistics.median(times), rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--extra-models", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(REPO / "data", data)
        if args.extra_models:
            synthesise(data, args.extra_models)
        print("building the graph ...", flush=True)
        ds = load_graph(data).dataset
    stores = {"oxigraph": OxigraphStore.from_dataset(ds), "rdflib": RdflibStore(ds)}
    print(f"{'query':<26} {'rows':>5} {'oxigraph ms':>12} {'rdflib ms':>10} {'ratio':>7}")
    ratios = []
    for q in library():
        ox, rows = timed(stores["oxigraph"], q, args.repeat)
        rd, _ = timed(stores["rdflib"], q, args.repeat)
        ratios.append(rd / ox if ox else float("inf"))
        print(f"{q.name:<26} {rows:>5} {ox * 1000:>12.1f} {rd * 1000:>10.1f} {ratios[-1]:>6.1f}x",
              flush=True)
    print(f"median ratio rdflib/oxigraph: {statistics.median(ratios):.1f}x")


if __name__ == "__main__":
    main()
