"""`kg serve` under load: N clients at once send the query library (each file with its
defaults, in turn) until R requests are answered; latency percentiles and errors.

Bounded: R requests in all (default 2,000), 8 clients, and a wall-clock cap
(--max-seconds) after which the clients stop. Usage:

    python benchmarks/bench_endpoint.py [--clients 8] [--requests 2000] [--workers 4]
    python benchmarks/bench_endpoint.py --kg-path /tmp/kg-before   # another checkout's kg

--kg-path runs the server from another copy of the package (e.g. `git archive` of an
older commit unpacked there), to measure before and after on the same machine.
Results: benchmarks/endpoint-results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.sparql.queries import library  # noqa: E402


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, workers: int, kg_path: str | None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if kg_path:
        env["PYTHONPATH"] = kg_path
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port),
                             "--workers", str(workers), "--timeout", "10"],
                            cwd=kg_path or REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "SPARQL endpoint" in line:
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return proc
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit("kg serve did not start")


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument("--kg-path", default=None)
    args = ap.parse_args()
    texts = [(q.name, q.bind()) for q in library()]
    port = free_port()
    proc = start(port, args.workers, args.kg_path)
    url = f"http://127.0.0.1:{port}/sparql"
    lock = threading.Lock()
    issued = [0]
    started = time.monotonic()
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []

    def client(_: int) -> None:
        while True:
            with lock:
                if issued[0] >= args.requests or time.monotonic() - started > args.max_seconds:
                    return
                name, text = texts[issued[0] % len(texts)]
                issued[0] += 1
            body = urllib.parse.urlencode({"query": text}).encode()
            req = urllib.request.Request(url, data=body, headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json"})
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=60) as resp:
                    json.loads(resp.read())
                ok = True
            except (urllib.error.URLError, OSError, ValueError) as exc:
                ok = False
                with lock:
                    errors.append(f"{name}: {exc}")
            elapsed = time.perf_counter() - t0
            if ok:
                with lock:
                    latencies.setdefault(name, []).append(elapsed)

    try:
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(client, range(args.clients)))
    finally:
        proc.terminate()
        proc.wait(15)
    wall = time.monotonic() - started
    every = [x for v in latencies.values() for x in v]
    print(f"{args.clients} clients, {args.workers} workers, {issued[0]} requests in {wall:.1f} s "
          f"({issued[0] / wall:.0f}/s), {len(errors)} errors")
    if every:
        print(f"latency ms: p50 {percentile(every, 50) * 1000:.0f}  p90 "
              f"{percentile(every, 90) * 1000:.0f}  p99 {percentile(every, 99) * 1000:.0f}  "
              f"max {max(every) * 1000:.0f}")
    print(f"{'query':<26} {'n':>5} {'p50 ms':>8} {'p99 ms':>8}")
    for name, values in sorted(latencies.items()):
        print(f"{name:<26} {len(values):>5} {statistics.median(values) * 1000:>8.0f} "
              f"{percentile(values, 99) * 1000:>8.0f}")
    for e in errors[:10]:
        print("error:", e)


if __name__ == "__main__":
    main()
