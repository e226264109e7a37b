"""The kill loop: `kill -9` a kg command mid-change, again and again, and check nothing is lost.

For each operation (rename, merge, add, edit) it kills the command once before every write
step (KG_PAUSE_AT pauses it there, announced on stderr), and then `--random N` more times at
a random moment. After each kill it checks that:

- every reading command says so while a journal is pending (`kg validate` names only
  "an interrupted change is pending: run `kg recover`") and changes nothing;
- `kg recover` leaves data/ exactly as before the command or exactly as the command intended
  (byte for byte), and data/ validates.

    python benchmarks/kill_loop.py --random 40
prints the figures docs/RELIABILITY.md reports.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "curate" / "data"
KG = [sys.executable, "-c", "from kg.cli import main; main(prog_name='kg')"]
ENV = {"KG_TODAY": "2026-11-23", "KG_USER": "Kill Loop"}
OPERATIONS = {
    "rename": ["rename", "huawei", "huawei-co"],
    "merge": ["merge", "huawei-technologies-co", "huawei"],
    "add": ["add", "model", "--name", "DeepSeek-V2", "--model-type", "model", "--developer",
            "deepseek", "--source", "deepseek-2024-12-v3-technical-report", "--no-input"],
    "edit": ["edit", "deepseek-r1", "--set", "parameters=671000000000", "--source",
             "deepseek-2024-12-v3-technical-report"],
}


def snapshot(data: Path) -> dict[str, bytes]:
    return {p.relative_to(data).as_posix(): p.read_bytes()
            for p in sorted(data.rglob("*")) if p.is_file() and p.name != ".kg-lock"}


def kg(data: Path, *args: str, **extra) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], capture_output=True, text=True,
                          env={**os.environ, **ENV, "KG_DATA": str(data), **extra}, check=False)


def fresh(tmp: Path, name: str) -> Path:
    data = tmp / name / "data"
    shutil.rmtree(data.parent, ignore_errors=True)
    shutil.copytree(FIXTURE, data)
    return data


def intended(tmp: Path, op: str) -> tuple[dict, int]:
    """What the command leaves when it runs to the end, and how many steps it announces."""
    data = fresh(tmp, f"ref-{op}")
    out = kg(data, *OPERATIONS[op], KG_PAUSE_AT="999")
    assert out.returncode == 0, out.stderr
    steps = 0
    while True:  # count the steps: pause at each until one is not reached
        probe = fresh(tmp, f"probe-{op}")
        p = subprocess.Popen([*KG, *OPERATIONS[op]], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env={**os.environ, **ENV, "KG_DATA": str(probe),
                                             "KG_PAUSE_AT": str(steps + 1),
                                             "KG_PAUSE_SECONDS": "0"})
        _, err = p.communicate(timeout=120)
        if "paused before step" not in err:
            break
        steps += 1
    return snapshot(data), steps


def check_after_kill(data: Path, before: dict, after: dict, figures: Counter) -> None:
    half = snapshot(data)
    pending = (data / ".kg-journal.json").exists()
    figures["journal pending after the kill" if pending else "no journal after the kill"] += 1
    if pending:
        v = kg(data, "validate", "--no-shacl")
        assert v.returncode == 1 and "an interrupted change is pending: run `kg recover`" in v.stderr
        assert "create that entity first" not in v.stderr, v.stderr
        f = kg(data, "fmt", "--check")
        assert f.returncode == 1 and "pending" in f.stderr, f.stderr
        assert snapshot(data) == half, "a reading command changed data/"
        figures["reading commands that refused a pending journal"] += 2
    r = kg(data, "recover")
    assert r.returncode == 0, r.stderr
    now = snapshot(data)
    if now == before:
        figures["ended as before the command"] += 1
    elif now == after:
        figures["ended as the command intended"] += 1
    else:
        raise AssertionError(f"{data}: neither before nor after the change")
    v = kg(data, "validate", "--no-shacl")
    assert v.returncode == 0, v.stdout + v.stderr


def kill_at_step(tmp: Path, op: str, step: int, before, after, figures: Counter) -> None:
    data = fresh(tmp, f"k-{op}-{step}")
    p = subprocess.Popen([*KG, *OPERATIONS[op]], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env={**os.environ, **ENV, "KG_DATA": str(data),
                                         "KG_PAUSE_AT": str(step), "KG_PAUSE_SECONDS": "60"})
    line = p.stderr.readline()
    assert "paused before step" in line, line
    p.send_signal(signal.SIGKILL)
    p.wait(30)
    p.stdout.close()
    p.stderr.close()
    figures["kills at an announced step"] += 1
    check_after_kill(data, before, after, figures)


def kill_at_random(tmp: Path, op: str, i: int, before, after, rng, figures: Counter) -> None:
    data = fresh(tmp, f"r-{op}-{i}")
    p = subprocess.Popen([*KG, *OPERATIONS[op]], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env={**os.environ, **ENV, "KG_DATA": str(data)})
    time.sleep(rng.uniform(0.0, 1.5))
    p.send_signal(signal.SIGKILL)
    p.wait(30)
    figures["kills at a random moment"] += 1
    check_after_kill(data, before, after, figures)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--random", type=int, default=20, help="random-moment kills per operation")
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    figures: Counter = Counter()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kg-kill-loop-") as t:
        tmp = Path(t)
        for op in OPERATIONS:
            before = snapshot(fresh(tmp, "before"))
            after, steps = intended(tmp, op)
            figures[f"{op}: write steps"] = steps
            for step in range(1, steps + 1):
                kill_at_step(tmp, op, step, before, after, figures)
            for i in range(args.random):
                kill_at_random(tmp, op, i, before, after, rng, figures)
    figures["kills"] = figures["kills at an announced step"] + figures["kills at a random moment"]
    figures["files lost or half-written"] = 0
    for k, v in sorted(figures.items()):
        print(f"{v:>6}  {k}")
    print(f"{time.monotonic() - started:>6.0f}  seconds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
