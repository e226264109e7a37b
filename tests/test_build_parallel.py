"""`kg build` on two cores: a forked second process writes the graph files and the explorer
while the first computes the report. The same bytes as one process; a failure or an
interrupt anywhere leaves build/ as the serial build leaves it, and no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kg.analysis.report
import kg.explorer
import kg.pipeline
import kg.rdf.serialize
from conftest import REPO
from kg.core.errors import KGError
from kg.pipeline import build, build_jobs

pytestmark = pytest.mark.slow

GRAPH_OUTPUTS = ("graph.ttl", "graph.nt", "graph.jsonld", "graph.trig", "void.ttl",
                 "summary.json")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_processes_write_the_same_bytes_as_one(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    serial = build(REPO / "data", one, jobs=1)
    forked = build(REPO / "data", two, jobs=2)
    assert snapshot(one) == snapshot(two)
    assert len(snapshot(one)) > 20  # the report's files too
    assert [p.relative_to(one) for p in serial.written] == \
           [p.relative_to(two) for p in forked.written]
    assert forked.numbers == serial.numbers


@pytest.fixture
def old_build(tmp_path, make_data):
    """A finished build whose every file is then marked, so that any rewrite shows."""
    data, out = make_data(), tmp_path / "out"
    build(data, out, jobs=1)
    for path in out.rglob("*"):
        if path.is_file():
            path.write_bytes(b"old " + path.name.encode())
    return data, out, snapshot(out)


def half_written_then(failure: str):
    """A stand-in for the writer of the four files that leaves a half-written file, then
    fails as asked."""

    def broken(quads, tmp, nq):
        tmp["graph.nt"].write_text("<a> <b> ", encoding="utf-8")
        if failure == "disk full":
            raise OSError(28, "No space left on device", str(tmp["graph.nt"]))
        if failure == "bug":
            raise ValueError("a bug in the writer")
        os.kill(os.getpid(), signal.SIGKILL)

    return broken


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_full_disk_is_the_same_error_in_either_process(old_build, monkeypatch, jobs):
    data, out, before = old_build
    monkeypatch.setattr(kg.rdf.serialize, "_write_quads_files", half_written_then("disk full"))
    with pytest.raises(KGError) as err:
        build(data, out, jobs=jobs)
    assert str(err.value) == f"cannot write {out / 'graph.nt.tmp'}: No space left on device"
    assert snapshot(out) == before  # no temporary file; the explorer and report not written


SECOND_PROCESS_FAILS = {
    "bug": r"^writing the graph files and the explorer failed in a second process \(pid \d+\): ValueError: "
           r"a bug in the writer \(its traceback is above\)$",
    "kill": r"^writing the graph files and the explorer failed: its second process "
            r"\(pid \d+\) was killed by signal 9 \(SIGKILL\) before it finished$",
}


@pytest.mark.parametrize("failure", SECOND_PROCESS_FAILS)
def test_a_second_process_that_fails_or_is_killed_is_an_error_naming_it(
        old_build, monkeypatch, capfd, failure):
    data, out, before = old_build
    monkeypatch.setattr(kg.rdf.serialize, "_write_quads_files", half_written_then(failure))
    with pytest.raises(KGError, match=SECOND_PROCESS_FAILS[failure]):
        build(data, out, jobs=2)
    if failure == "bug":
        assert "ValueError: a bug in the writer" in capfd.readouterr().err
    assert snapshot(out) == before  # the half-written file removed, nothing else written


def fail_in(where: str, monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError(f"{where} broke")

    if where == "explorer":
        monkeypatch.setattr(kg.explorer, "explorer_html", boom)
    else:
        monkeypatch.setattr(kg.analysis.report, "report", boom)


@pytest.mark.parametrize("where", ["explorer", "report"])
def test_a_failure_in_the_first_process_leaves_what_the_serial_build_leaves(
        old_build, monkeypatch, tmp_path, where):
    """The serial build has written the graph files (and, before the report, the explorer)
    when these fail: the two-process build leaves the same files."""
    data, out, before = old_build
    fail_in(where, monkeypatch)
    left = {}
    for jobs in (1, 2):
        (tmp_path / f"out{jobs}").mkdir()
        for name, body in before.items():
            (tmp_path / f"out{jobs}" / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / f"out{jobs}" / name).write_bytes(body)
        # the explorer is made by the second process: its bug is named as one there
        error = KGError if (where, jobs) == ("explorer", 2) else RuntimeError
        with pytest.raises(error, match=f"RuntimeError: {where} broke" if error is KGError
                           else f"^{where} broke$"):
            build(data, tmp_path / f"out{jobs}", jobs=jobs)
        left[jobs] = snapshot(tmp_path / f"out{jobs}")
    assert left[1] == left[2]
    new = {name for name in before if left[2][name] != before[name]}
    assert new == set(GRAPH_OUTPUTS) | ({"graph.html"} if where == "report" else set())


def run_until_paused(data: Path, out: Path) -> tuple[subprocess.Popen, int]:
    """`kg build` in a subprocess whose second process pauses while writing the graph
    files; returns the process and the second process's id."""
    env = {**os.environ, "KG_PAUSE_AT": "graph-files", "KG_PAUSE_SECONDS": "60",
           "KG_BUILD_JOBS": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", "--data", str(data),
                             "--out", str(out)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # the stage lines come first
        if line.startswith("kg: paused in graph-files (pid "):
            return proc, int(line.split("(pid ")[1].rstrip(")\n"))
    raise AssertionError(f"never paused: {proc.communicate()}")


def running(pid: int) -> bool:
    """The process exists and is not a zombie (an orphan's is reaped by init, later)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_build_stops_its_second_process(old_build, sig):
    data, out, before = old_build
    proc, child = run_until_paused(data, out)
    assert running(child)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)  # returns once the child's stderr closes too
    if sig == signal.SIGINT:  # Ctrl-C: click's "Aborted!"
        assert proc.returncode == 1, err
        assert err.endswith("Aborted!\n")
    else:  # ends as a build with no handler for SIGTERM did; SIGKILL: the kernel stops it
        assert proc.returncode == -sig, err
    if sig != signal.SIGKILL:
        assert not Path(f"/proc/{child}").exists()  # killed and reaped
    for _ in range(100):  # the kernel's SIGKILL to an orphan is not instant
        if not running(child):
            break
        time.sleep(0.1)
    assert not running(child)
    assert snapshot(out) == before


def test_jobs_come_from_the_argument_then_the_environment(monkeypatch):
    monkeypatch.delenv("KG_BUILD_JOBS", raising=False)
    assert build_jobs() == 2
    assert build_jobs(1) == 1
    assert build_jobs(8) == 2  # one second process: the graph files are the one thing apart
    monkeypatch.setenv("KG_BUILD_JOBS", "1")
    assert build_jobs() == 1
    monkeypatch.setenv("KG_BUILD_JOBS", "two")
    with pytest.raises(KGError, match=r"^KG_BUILD_JOBS must be a whole number \(1: one "
                                      r"process\), not 'two'$"):
        build_jobs()
    monkeypatch.setenv("KG_BUILD_JOBS", "0")
    with pytest.raises(KGError, match=r"^KG_BUILD_JOBS must be at least 1, not 0$"):
        build_jobs()
    monkeypatch.delenv("KG_BUILD_JOBS")
    monkeypatch.setattr(kg.pipeline, "can_fork", lambda: False)
    assert build_jobs() == 1  # no os.fork (Windows): one process


def test_the_build_stage_lines_in_one_process(tmp_path, make_data):
    lines = []
    build(make_data(), tmp_path / "out", progress=lines.append, jobs=1)
    names = [line.rsplit(" (", 1)[0] for line in lines]
    assert names[3].startswith(f"wrote 7 files into {tmp_path / 'out'} (graph.html: the "
                               "explorer; statistics ")
    assert names[-1] == f"wrote the report into {tmp_path / 'out' / 'report'}"


def test_the_benchmark_of_one_process_against_two_runs(make_data):
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_build.py"),
                           "--jobs-ab", str(make_data()), "--runs", "1"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    table = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| KG_BUILD_JOBS | load average | wall s | CPU s |")
    assert [row.split(" | ")[0] for row in table[1:]] == ["| 1", "| 2"]
    one, two = (row.split(" | ") for row in table[1:])
    assert one[5] == "-"  # one process: no second one
    for row in (one, two):  # wall, CPU, the first process's memory, the summed PSS
        assert all(float(row[i]) > 0 for i in (2, 3, 4)) and float(row[6][:-2]) > 0
