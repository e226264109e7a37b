"""Build speed and memory at scale, as ratios against a baseline measured in the same run.

The baseline is the cheapest thing the build must do anyway: reading every file
with PyYAML's C loader. Each stage is reported as a multiple of it, so numbers
from noisy machines stay comparable. Usage:

    python benchmarks/bench_build.py --entities 1000 5000 [--shacl]

It copies data/ into a temporary folder, adds synthetic models (each with a
developer, a release month, weights, parameters and a source) and prints, per
size: seconds and peak MiB for parse-only, validate (tiers 1-2), graph build,
SHACL (optional) and serialisation.
"""

from __future__ import annotations

import argparse
import gc
import shutil
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--shacl", action="store_true", help="also time the SHACL pass")
    args = ap.parse_args()
    for n in args.entities:
        run(n, args.shacl)


if __name__ == "__main__":
    main()
