"""`kg build` on two cores: a forked second process computes the report while the first
builds the graph; once the graph is built a third writes graph.trig and graph.jsonld while
the first checks SHACL and writes the other files and the explorer. The same bytes as one
process; a failure or an interrupt anywhere leaves build/ as it was (the outputs are put
in place together, once all are ready), and no process behind."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

import kg.analysis.chartcache
import kg.analysis.report
import kg.core.forked
import kg.explorer
import kg.pipeline
import kg.rdf.serialize
import kg.rdf.shapes
from conftest import REPO, wait_for_line
from kg.core.errors import DataError, Issue, KGError
from kg.pipeline import build, build_jobs

pytestmark = pytest.mark.slow

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
    build(REPO / "data", one, jobs=2)  # again: the charts now read back, not drawn
    assert snapshot(one) == snapshot(two)


@pytest.fixture
def old_build(tmp_path, make_data):
    """A finished build whose every file is then marked, so that any rewrite shows."""
    data, out = make_data(), tmp_path / "out"
    build(data, out, jobs=1)
    for path in out.rglob("*"):
        if path.is_file():
            path.write_bytes(b"old " + path.name.encode())
    return data, out, snapshot(out)


WRITE_QUADS_FILES = kg.rdf.serialize._write_quads_files


def full_disk_at(name: str, kill: bool = False):
    """A stand-in for the writer of the graph files: when it is asked for name, a
    half-written file, then a full disk (or, kill=True, its process killed); the other
    files are written as usual."""
    def write(quads, tmp, nq):
        if name not in tmp:
            return WRITE_QUADS_FILES(quads, tmp, nq)
        tmp[name].write_text("<a> <b> ", encoding="utf-8")
        if kill:
            os.kill(os.getpid(), signal.SIGKILL)
        raise OSError(28, "No space left on device", str(tmp[name]))

    return write


def fail_in(where: str, monkeypatch) -> None:
    def boom(*args, **kwargs):
        if where == "killed report":
            os.kill(os.getpid(), signal.SIGKILL)
        raise RuntimeError(f"{where} broke")

    if where == "graph files":
        monkeypatch.setattr(kg.rdf.serialize, "_write_quads_files", full_disk_at("graph.nt"))
    elif where == "graph files, third process":
        monkeypatch.setattr(kg.rdf.serialize, "_write_quads_files", full_disk_at("graph.trig"))
    elif where == "killed graph files":
        monkeypatch.setattr(kg.rdf.serialize, "_write_quads_files",
                            full_disk_at("graph.jsonld", kill=True))
    elif where == "explorer":
        monkeypatch.setattr(kg.explorer, "explorer_html", boom)
    elif where == "ontology reference":
        monkeypatch.setattr(kg.pipeline, "reference_texts", boom)
    elif where == "charts":
        monkeypatch.setattr(kg.analysis.chartcache.Chart, "draw", boom)
    elif where == "SHACL":
        monkeypatch.setattr(kg.rdf.shapes, "shacl_issues", lambda *a, **k: [
            Issue("data/x.yaml", 1, message="a shape broke")])
    else:
        monkeypatch.setattr(kg.analysis.report, "report", boom)


# where it fails: (the error in one process, in two). Every output is put in place only
# once all are ready (kg.pipeline._Outputs): a failure anywhere rewrites nothing (graph.*,
# void.ttl, summary.json and graph.html were new beside the old report and docs/)
FAILURES = {
    "SHACL": (r"^data/x\.yaml:1: error: a shape broke$", None),
    "graph files": (r"^cannot write .*graph\.nt\.tmp: No space left on device$", None),
    # the third process's error comes back as it is
    "graph files, third process": (r"^cannot write .*graph\.trig\.tmp: No space left on "
                                   r"device$", None),
    "killed graph files": (None, r"^writing graph\.trig and graph\.jsonld failed: its second "
                           r"process \(pid \d+\) was killed by signal 9 \(SIGKILL\) before "
                           r"it finished$"),
    "explorer": (r"^explorer broke$", None),
    "report": (r"^report broke$", r"^computing the report failed in a second process \(pid "
               r"\d+\): RuntimeError: report broke \(its traceback is above\)$"),
    # the last output, after the report, in either case
    "ontology reference": (r"^ontology reference broke$", r"^making the ontology reference "
                           r"failed in a second process \(pid \d+\): RuntimeError: ontology "
                           r"reference broke \(its traceback is above\)$"),
    # the report's charts, drawn in a process of the report's own (old_build's PNGs and
    # record do not match: drawn again)
    "charts": (r"^charts broke$", r"^drawing the report's charts failed in a second process "
               r"\(pid \d+\): RuntimeError: charts broke \(its traceback is above\)$"),
    "killed report": (None, r"^computing the report failed: its second process \(pid \d+\) "
                      r"was killed by signal 9 \(SIGKILL\) before it finished$"),
}


@pytest.mark.parametrize("where", FAILURES)
def test_a_failure_anywhere_leaves_the_output_folder_as_it_was(old_build, monkeypatch,
                                                               tmp_path, capfd, where):
    """Each failure in one process and in two: the same error (or one naming the second
    process), no file rewritten, no temporary file, no process left."""
    data, _, before = old_build
    fail_in(where, monkeypatch)
    serial, forked = FAILURES[where]
    for jobs, expected in ((1, serial), (2, forked or serial)):
        if expected is None:  # a process killing itself is for the second process only
            continue
        out = tmp_path / f"out{jobs}"
        for name, body in before.items():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_bytes(body)
        error = DataError if where == "SHACL" else KGError if expected != serial or \
            where.startswith("graph files") else RuntimeError
        with pytest.raises(error, match=expected):
            build(data, out, jobs=jobs)
        assert snapshot(out) == before  # nothing rewritten, no temporary file
        assert not children()  # the other processes are gone
    if where == "report":
        assert "RuntimeError: report broke" in capfd.readouterr().err  # its traceback


def children(pid: int | None = None) -> list[str]:
    """The ids of the processes pid has started and not reaped; by default those this
    test's process has started since the test began (`_children_before`: a browser or
    server that a fixture of another test file started in the same process, as under
    pytest-xdist, is not this test's)."""
    if pid is not None:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    me = os.getpid()
    return [c for c in Path(f"/proc/{me}/task/{me}/children").read_text().split()
            if c not in _BEFORE]


_BEFORE: set[str] = set()


@pytest.fixture(autouse=True)
def _children_before():
    """The processes this one had already started when the test began."""
    me = os.getpid()
    _BEFORE.clear()
    _BEFORE.update(Path(f"/proc/{me}/task/{me}/children").read_text().split())
    yield


STOPPERS = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def stoppable():
    """Ctrl-C and SIGTERM at their defaults and let through in this process meanwhile, so
    that a command started in the block gets them so, as a terminal's foreground command
    does. A test run started with SIGINT ignored (`pytest ... &` in a script: a shell
    without job control ignores SIGINT in its background commands) would hand that on,
    and the build, which keeps an inherited SIG_IGN as every Python does, would never see
    its Ctrl-C: the interrupt tests waited for it until their timeout."""
    handlers = {sig: signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT
                                   else signal.SIG_DFL) for sig in STOPPERS}
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPERS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def run_until_paused(data: Path, out: Path, where: str) -> tuple[subprocess.Popen, int]:
    """`kg build` in a subprocess (Ctrl-C and SIGTERM at their defaults) whose process for
    where ("report": before it writes the report; "graph files": before it writes
    graph.trig; "started ...": the build itself, once that process started) pauses;
    returns the build's process and the paused process's id."""
    env = {**os.environ, "KG_PAUSE_AT": where, "KG_PAUSE_SECONDS": "60",
           "KG_BUILD_JOBS": "2"}
    with stoppable():
        proc = subprocess.Popen([sys.executable, "-m", "kg", "build", "--data", str(data),
                                 "--out", str(out)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return proc, wait_until_paused(proc, where)


PAUSE_WAIT = 180.0  # seconds: a build reaches its pause point in a few, in a loaded suite more


def wait_until_paused(proc: subprocess.Popen, where: str, timeout: float = PAUSE_WAIT) -> int:
    """The id of the process that says on proc's stderr that it paused in where
    (kg.core.forked.pause_point), by conftest.wait_for_line: if none says so within
    timeout seconds, proc is killed and the test fails with its stderr."""
    said = f"kg: paused in {where} (pid "
    return int(wait_for_line(proc, said, timeout)[-1][len(said):].rstrip(")\n"))


def _child(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


STAGE = "import os, sys, time; sys.stderr.write('kg: a stage\\n'); sys.stderr.flush(); "


@pytest.mark.parametrize("how", ["hangs", "closes its stderr and hangs"])
def test_a_build_that_never_pauses_fails_the_test_with_its_stderr(how):
    """run_until_paused's wait: a build that hangs before its pause point (or closes its
    stderr and goes on) is killed and fails the test within the timeout, its stderr in
    the message."""
    close = "os.close(2); " if how.startswith("closes") else ""
    proc = _child(STAGE + close + "time.sleep(600)")
    with pytest.raises(AssertionError) as failed:  # (10 s: a loaded machine's start)
        wait_until_paused(proc, "report", timeout=10)
    why = ("its output ended without a line 'kg: paused in report (pid '" if close
           else "no line 'kg: paused in report (pid ' within 10 s")
    assert str(failed.value) == f"{why}; its output:\nkg: a stage\n"
    assert proc.returncode == -signal.SIGKILL


def test_the_wait_gives_the_id_of_the_paused_process():
    # "after" only once the wait has returned (told on stdin): written earlier, it could
    # come in one read with the pause line and stay in the reader's buffer (a review)
    proc = _child(STAGE + "sys.stderr.write('kg: paused in report (pid 123)\\n'); "
                  "sys.stderr.flush(); sys.stdin.readline(); sys.stderr.write('after\\n')")
    assert wait_until_paused(proc, "report", timeout=60) == 123
    assert proc.communicate("go\n", timeout=60) == ("", "after\n")


@pytest.fixture
def paused_build():
    """run_until_paused, whose builds are killed when the test ends if they still run (a
    build that a failed test left would fail the next tests' count of children)."""
    procs = []

    def run(data: Path, out: Path, where: str) -> tuple[subprocess.Popen, int]:
        proc, paused = run_until_paused(data, out, where)
        procs.append(proc)
        return proc, paused

    yield run
    for proc in procs:
        if proc.poll() is None:
            proc.kill()  # its children die with it (kg.core.forked: PR_SET_PDEATHSIG)
        proc.communicate(timeout=60)


def running(pid: int) -> bool:
    """The process exists and is not a zombie (an orphan's is reaped by init, later)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("where", ["report", "graph files"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_build_stops_its_other_processes(old_build, paused_build, sig, where):
    data, out, before = old_build
    proc, paused = paused_build(data, out, where)
    started = [int(pid) for pid in children(proc.pid)]
    assert paused in started and running(paused)
    if where == "graph files":  # the report's process runs beside it, and the ontology
        # reference's until the first process has joined it (it may have, by now)
        assert len(started) in (2, 3)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)  # returns once the children's stderr closes too
    if sig == signal.SIGINT:  # Ctrl-C: what out holds now, and status 130 (never SIGINT's
        # -2: see test_build.py's test_a_ctrl_c_ends_kg_with_status_1_wherever_it_lands)
        assert proc.returncode == 130, err
        assert err.endswith(stop_message(out, before)), err
    else:  # ends as a build with no handler for SIGTERM did; SIGKILL: the kernel stops it
        assert proc.returncode == -sig, err
    for child in started:
        if sig != signal.SIGKILL:
            assert not Path(f"/proc/{child}").exists()  # killed and reaped
        for _ in range(100):  # the kernel's SIGKILL to an orphan is not instant
            if not running(child):
                break
            time.sleep(0.1)
        assert not running(child)
    left = snapshot(out)  # the first process may have written its files by then, under
    # temporary names: nothing is put in place before the report is written
    if sig == signal.SIGINT:  # Ctrl-C unwinds: the temporary files are removed (SIGTERM
        # and SIGKILL end the first process where it is, as they did with one process)
        assert left == before
    assert {name: body for name, body in left.items() if not name.endswith(".tmp")} == before


def stop_message(out: Path, before: dict[str, bytes]) -> str:
    """The last line of a build of out stopped by Ctrl-C before its outputs were put in
    place, which left out as it was (before: its files when the build began)."""
    assert snapshot(out) == before
    return f"Stopped: nothing in {out}/ was replaced; it is as the last build left it.\n"


def stopped_by(proc: subprocess.Popen, sig: int, out: Path, before: dict[str, bytes]) -> None:
    """Send sig to the build proc of out: it ends as a build stopped by it ends (Ctrl-C:
    status 130 and what out holds: see test_an_interrupted_build_stops_its_other_processes)."""
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and err.endswith(stop_message(out, before)), err
    else:
        assert proc.returncode == -sig, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_build_stops_the_charts_process(old_build, paused_build, sig):
    """The report's charts are drawn by a process the report's process started: a build
    stopped while that one runs (paused with the charts in hand) leaves no process
    behind, and the report as it was."""
    data, out, before = old_build
    proc, paused = paused_build(data, out, "charts")
    report = [int(pid) for pid in children(proc.pid) if str(paused) in children(int(pid))]
    assert len(report) == 1 and running(paused)
    stopped_by(proc, sig, out, before)
    for pid in (*report, paused):
        for _ in range(100):  # the kernel's SIGKILL to an orphan is not instant
            if not running(pid):
                break
            time.sleep(0.1)
        assert not running(pid)
    left = snapshot(out)
    assert {name: body for name, body in left.items() if name.startswith("report/")} == \
           {name: body for name, body in before.items() if name.startswith("report/")}


def test_a_ctrl_c_after_the_graph_files_leaves_out_as_it_was(old_build, paused_build,
                                                             tmp_path):
    """Ctrl-C once the first process has written its files (the graph files, void.ttl,
    summary.json, graph.html) while the report waits: it said only "Aborted!" (status 1),
    and out held new graph files beside the old report. They wait under temporary names
    now, and go: out is as it was, the build says so with status 130, and the next build
    gives the bytes of a clean one."""
    data, out, before = old_build
    proc, _ = paused_build(data, out, "report")
    for _ in range(600):  # the first process writes the explorer, then waits for the report
        if (out / "graph.html.tmp").exists():
            break
        time.sleep(0.1)
    time.sleep(0.5)  # (the explorer written: the first process waits in the join)
    assert (out / "graph.html.tmp").exists() and (out / "graph.ttl.tmp").exists()
    stopped_by(proc, signal.SIGINT, out, before)  # (nothing replaced, no temporary file)
    assert proc.returncode == 130
    build(data, out, jobs=2)
    build(data, tmp_path / "clean", jobs=1)
    assert snapshot(out) == snapshot(tmp_path / "clean")


def test_a_ctrl_c_while_the_outputs_are_put_in_place_waits_for_the_last(old_build,
                                                                        monkeypatch, tmp_path):
    """The renames that put the outputs in place hold Ctrl-C back: one that comes at the
    first is raised after the last (Stopped.written), so out is the new build in full,
    and kg build says so."""
    from kg.pipeline import Stopped, stopped_message

    data, out, _ = old_build
    replace, put, renamed = os.replace, kg.pipeline._Outputs.put_in_place, []

    def ctrl_c_at_the_first(src, dst):
        if not renamed:
            os.kill(os.getpid(), signal.SIGINT)
        renamed.append(dst)
        return replace(src, dst)

    def put_with_a_ctrl_c(self):
        monkeypatch.setattr(os, "replace", ctrl_c_at_the_first)
        try:
            put(self)
        finally:
            monkeypatch.setattr(os, "replace", replace)

    monkeypatch.setattr(kg.pipeline._Outputs, "put_in_place", put_with_a_ctrl_c)
    with stoppable(), pytest.raises(Stopped) as stopped:
        build(data, out, jobs=1)
    assert stopped.value.written and len(renamed) > 20
    monkeypatch.undo()
    build(data, tmp_path / "clean", jobs=1)
    assert snapshot(out) == snapshot(tmp_path / "clean")
    assert stopped_message(out, True) == f"Stopped: {out}/ holds every output of this build " \
        "(they were in place)."


def test_a_build_started_with_ctrl_c_ignored_ignores_it_in_every_process(old_build,
                                                                         tmp_path):
    """A build started with SIGINT ignored (`kg build &` in a script) and a Ctrl-C sent to
    its process group: its processes ignore it too, and the build ends as it would have.
    They set it back to the default: the report's process died of it and the build
    failed with "computing the report failed: its second process (pid N) was killed by
    signal 2 (SIGINT)"."""
    data, out, _ = old_build
    env = {**os.environ, "KG_PAUSE_AT": "report", "KG_PAUSE_SECONDS": "2",
           "KG_BUILD_JOBS": "2"}
    with stoppable():
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "build", "--data", str(data), "--out", str(out)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        wait_until_paused(proc, "report")
        os.killpg(proc.pid, signal.SIGINT)  # the paused report's process included
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    build(data, tmp_path / "clean", jobs=1)
    assert snapshot(out) == snapshot(tmp_path / "clean")


def test_a_child_stopped_by_ctrl_c_is_an_interruption_not_a_failure():
    """A forked child killed by SIGINT (a Ctrl-C that reached it, not this process): join
    raises KeyboardInterrupt, as a Ctrl-C here would, not KGError "killed by signal 2"."""
    with stoppable(), kg.core.forked.Forked("sleeping", time.sleep, 60) as child:
        os.kill(child.pid, signal.SIGINT)
        with pytest.raises(KeyboardInterrupt):
            child.join()
    assert not Path(f"/proc/{child.pid}").exists()


@pytest.mark.parametrize("what", ["computing the report",
                                  "writing graph.trig and graph.jsonld"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_just_after_a_process_started_stops_it(old_build, paused_build, sig,
                                                             what):
    """Ctrl-C (or SIGTERM) just after the build started its second or third process,
    before the build's stack could hold it (the pause ends Forked.__enter__): the build
    still stops and reaps it, and out is as it was (the graph files' process has written
    its two temporary files by then: they are removed)."""
    data, out, before = old_build
    proc, paused = paused_build(data, out, f"started {what}")
    assert paused == proc.pid  # the build pauses; its processes run on
    started = [int(pid) for pid in children(proc.pid)]
    if what.startswith("writing"):  # wait for the third process to end (not reaped)
        for _ in range(600):
            if not all(running(pid) for pid in started):
                break
            time.sleep(0.1)
        assert sorted(p.name for p in out.glob("*.tmp")) == ["graph.jsonld.tmp",
                                                             "graph.trig.tmp"]
    stopped_by(proc, sig, out, before)
    for child in started:
        assert not Path(f"/proc/{child}").exists()  # stopped and reaped by the build
    assert snapshot(out) == before


STACK_AND_STOP = """
import signal
from kg.core import forked
from kg.core.forked import Forked, Stack


class Fails:
    def __enter__(self):
        raise KeyboardInterrupt  # as if Ctrl-C came in the middle of it

    def __exit__(self, *exc):
        print("exit", exc[0].__name__)


try:
    with Stack() as stack:
        stack.enter_context(Fails())
except KeyboardInterrupt:
    print("raised")
Forked("never started", print).__exit__(KeyboardInterrupt, None, None)
Forked("never started", print).stop()

mask, sigmask = signal.pthread_sigmask(signal.SIG_BLOCK, ()), signal.pthread_sigmask


def late(how, signals):  # a Ctrl-C that came just before: raised once the mask is set
    before = sigmask(how, signals)
    if how == signal.SIG_BLOCK and signals:
        raise KeyboardInterrupt
    return before


signal.pthread_sigmask = late
try:
    forked._block(True)
except KeyboardInterrupt:
    print("raised")
signal.pthread_sigmask = sigmask
print("mask kept" if sigmask(signal.SIG_BLOCK, ()) == mask else "mask changed")
"""


def test_what_a_ctrl_c_that_comes_while_entering_leaves():
    """A Stack exits a context whose __enter__ raised (a Ctrl-C in the middle of it); a
    Forked never started stops nothing (os.kill(0) would kill its whole process group:
    hence a process in a session of its own); a Ctrl-C run as Ctrl-C and SIGTERM are
    held back leaves the mask as it was (it was left holding them back for good)."""
    run = subprocess.run([sys.executable, "-c", STACK_AND_STOP], capture_output=True,
                         text=True, start_new_session=True, timeout=120)
    assert run.stdout == "exit KeyboardInterrupt\nraised\nraised\nmask kept\n", run.stderr


DROPPED_CTRL_C = """
import os, signal, time
from kg.core.forked import Forked


class Finalizer:
    def __del__(self):  # Python drops what is raised here ("Exception ignored in ...")
        os.kill(os.getpid(), signal.SIGINT)


t0 = time.monotonic()
with Forked("sleeping", time.sleep, 60) as child:
    Finalizer()  # gone at once: its Ctrl-C's KeyboardInterrupt is dropped
    print("went on", flush=True)
    try:
        child.join()
        print("joined")
    except KeyboardInterrupt:
        print("interrupted", "at once" if time.monotonic() - t0 < 30 else "late")
print("child running" if os.path.exists(f"/proc/{child.pid}") else "child gone")
print("handler back" if signal.getsignal(signal.SIGINT) is signal.default_int_handler
      else "handler changed")
"""


def test_a_ctrl_c_that_python_dropped_still_stops_the_build():
    """A Ctrl-C whose KeyboardInterrupt is raised inside a finalizer (or a weakref
    callback, as an import's module lock has: what CI once met) is dropped by Python, and
    the build went on to wait for a child paused 60 s. The child is stopped by the
    Ctrl-C itself, and the join raises KeyboardInterrupt at once. (Started `stoppable`:
    a test run in a script's background hands on an ignored SIGINT, and this test then
    saw no Ctrl-C at all.)"""
    with stoppable():
        run = subprocess.run([sys.executable, "-c", DROPPED_CTRL_C], capture_output=True,
                             text=True, start_new_session=True, timeout=120)
    assert "Exception ignored in" in run.stderr  # (Python did drop it)
    assert run.stdout == "went on\ninterrupted at once\nchild gone\nhandler back\n", \
        run.stderr


@pytest.mark.parametrize("most", [None, 10])
def test_the_graph_files_process_only_up_to_a_size(tmp_path, make_data, monkeypatch, most):
    """Up to FILES_PROCESS_MAX_QUADS quads a third process writes graph.trig and
    graph.jsonld and a fourth makes the ontology reference; above it (lowered here to
    10) the first process does both; the same bytes either way."""
    if most is not None:
        monkeypatch.setattr(kg.pipeline, "FILES_PROCESS_MAX_QUADS", most)
    started = []
    enter = kg.core.forked.Forked.__enter__

    def spy(self):
        started.append(self.what)
        return enter(self)

    monkeypatch.setattr(kg.core.forked.Forked, "__enter__", spy)
    data = make_data()
    build(data, tmp_path / "two", jobs=2)
    assert started == ["computing the report"] + (
        ["writing graph.trig and graph.jsonld", "making the ontology reference"]
        if most is None else [])
    build(data, tmp_path / "one", jobs=1)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


@pytest.mark.parametrize("jobs", [1, 2])
def test_bad_data_leaves_no_new_output_folder(tmp_path, make_data, monkeypatch, jobs):
    """The graph files are begun before SHACL (GraphFiles makes the folder for them): a
    SHACL failure still leaves no folder where there was none, as the serial build did
    before (its parents included), and no process."""
    fail_in("SHACL", monkeypatch)
    with pytest.raises(DataError, match=r"a shape broke"):
        build(make_data(), tmp_path / "new" / "build", jobs=jobs)
    assert not (tmp_path / "new").exists()
    assert not children()


@pytest.mark.parametrize("jobs", [1, 2])
def test_graph_files_left_without_finish_leave_nothing_behind(tmp_path, make_data, jobs):
    """A GraphFiles block left without finish() (and without an exception) stops its
    process and removes its temporary files, and the folders it made while they are
    empty: a folder that was there stays, with its files, and so does one that something
    else wrote into meanwhile."""
    from kg.rdf.load import load_graph
    from kg.rdf.serialize import GraphFiles

    quads = load_graph(make_data()).quads
    kept, shared = tmp_path / "kept", tmp_path / "shared"
    kept.mkdir()
    (kept / "graph.nt").write_text("old", encoding="utf-8")
    for out in (tmp_path / "fresh" / "build", kept, shared / "build"):
        with GraphFiles(out, quads, jobs) as files:
            assert out.is_dir() and (files.child is not None) == (jobs == 2)
            if out.parent == shared:
                (shared / "notes.txt").write_text("mine", encoding="utf-8")
        assert not children()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "kept", "shared"]
    assert snapshot(kept) == {"graph.nt": b"old"}
    assert snapshot(shared) == {"notes.txt": b"mine"}


def test_a_folder_made_in_part_is_removed(tmp_path, make_data, monkeypatch):
    """The disk fills while the output folder is made (its parent made, itself not): the
    error names it, and the parent made for it is removed again."""
    out = tmp_path / "new" / "build"
    mkdir = Path.mkdir

    def full(self, mode=0o777, parents=False, exist_ok=False):
        if self == out:
            mkdir(out.parent)
            raise OSError(28, "No space left on device", str(out))
        return mkdir(self, mode, parents, exist_ok)

    monkeypatch.setattr(Path, "mkdir", full)
    with pytest.raises(KGError, match=rf"^cannot write {out}: No space left on device$"):
        build(make_data(), out, jobs=2)
    assert not (tmp_path / "new").exists()
    assert not children()


@pytest.mark.parametrize("fails", [False, True])
def test_a_build_gives_back_the_signals_and_the_collector(tmp_path, make_data, monkeypatch,
                                                         fails):
    """After a build in three processes, done or failed (bad data in SHACL): this
    process's SIGTERM and Ctrl-C handlers and its signal mask are those it had, and the
    collector has every object back (none left frozen)."""
    def state():
        return (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT),
                signal.pthread_sigmask(signal.SIG_BLOCK, ()), gc.get_freeze_count())

    if fails:
        fail_in("SHACL", monkeypatch)
    before = state()
    try:
        build(make_data(), tmp_path / "out", jobs=2)
    except DataError:
        assert fails
    assert state() == before
    assert not children()


def test_jobs_come_from_the_argument_then_the_environment(monkeypatch):
    monkeypatch.delenv("KG_BUILD_JOBS", raising=False)
    assert build_jobs() == 2
    assert build_jobs(1) == 1
    assert build_jobs(8) == 2  # one second process: the report is the one thing apart
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
                               "explorer; statistics and VoID ")
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


class Stopped(Exception):
    pass


def test_sigterm_raises_the_callers_error_in_the_block_and_puts_the_handler_back():
    """kg.core.forked.sigterm_raises (kg serve's and the data changes' one SIGTERM
    helper): a SIGTERM in the block raises error(signum); after the block, whether it
    ended by that error, by another or normally, SIGTERM's handler is the one before."""

    def mine(signum, frame):
        raise AssertionError("the handler before ran inside the block")

    before = signal.signal(signal.SIGTERM, mine)
    try:
        with pytest.raises(Stopped) as caught, kg.core.forked.sigterm_raises(Stopped):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the signal is handled before this ends
        assert caught.value.args == (signal.SIGTERM,)
        assert signal.getsignal(signal.SIGTERM) is mine
        with pytest.raises(ValueError, match="other"), kg.core.forked.sigterm_raises(Stopped):
            assert signal.getsignal(signal.SIGTERM) is not mine
            raise ValueError("other")
        assert signal.getsignal(signal.SIGTERM) is mine
        with kg.core.forked.sigterm_raises(lambda signum: KeyboardInterrupt()):
            pass
        assert signal.getsignal(signal.SIGTERM) is mine
        with pytest.raises(KeyboardInterrupt), kg.core.forked.sigterm_raises(lambda signum: KeyboardInterrupt()):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, before)


# A child whose SIGTERM handler was set outside Python (by C: here libc's getpid, which
# does nothing with the signal), as a C library or an embedding program can: the _signal
# module, imported again, reads it and getsignal gives None for it.
FOREIGN_HANDLER = """
import ctypes, importlib, os, signal, sys
import kg.core.forked

class Stopped(Exception):
    pass

libc = ctypes.CDLL(None)
libc.signal.restype = ctypes.c_void_p
libc.signal.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.signal(signal.SIGTERM, ctypes.cast(libc.getpid, ctypes.c_void_p).value)
del sys.modules["_signal"]
importlib.import_module("_signal")
print("before:", signal.getsignal(signal.SIGTERM), flush=True)
os.kill(os.getpid(), signal.SIGTERM)  # the C handler takes it: the process goes on
print("survived", flush=True)
try:
    with kg.core.forked.sigterm_raises(Stopped):
        os.kill(os.getpid(), signal.SIGTERM)
        signal.sigtimedwait([], 5)  # (the signal is handled before this ends)
except Stopped as exc:
    print("raised:", exc.args, flush=True)
print("after:", "SIG_DFL" if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL else
      signal.getsignal(signal.SIGTERM), flush=True)
os.kill(os.getpid(), signal.SIGTERM)
print("not reached", flush=True)
"""


def test_sigterm_raises_puts_back_the_default_for_a_handler_set_outside_python():
    """The branch for a SIGTERM handler Python did not set (signal.getsignal gives None:
    it cannot be put back from Python): in the block SIGTERM raises the error as
    always; after it SIGTERM's handler is SIG_DFL, so a SIGTERM then ends the process
    (the foreign handler, which swallowed it before the block, is gone)."""
    run = subprocess.run([sys.executable, "-c", FOREIGN_HANDLER], capture_output=True,
                         text=True, timeout=60)
    assert run.stdout.splitlines() == [
        "before: None", "survived", f"raised: ({int(signal.SIGTERM)},)",
        "after: SIG_DFL"], run.stdout + run.stderr
    assert run.returncode == -signal.SIGTERM, run.stderr


def test_sigterm_raises_changes_nothing_outside_the_main_thread():

    seen = []

    def run():
        with kg.core.forked.sigterm_raises(Stopped):
            seen.append(signal.getsignal(signal.SIGTERM))

    handler = signal.getsignal(signal.SIGTERM)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    assert seen == [handler] and signal.getsignal(signal.SIGTERM) is handler


# -- the report's measures on two cores -------------------------------------------------
@pytest.fixture
def curated_semantics():
    from kg.rdf.load import load_graph

    return load_graph(REPO / "data").semantics


def test_the_measures_split_over_two_processes_give_the_same_report(
        tmp_path, monkeypatch, curated_semantics):
    """Above MEASURES_FORK_MIN_NODES nodes (lowered here so the curated network forks),
    jobs=2 computes the communities and the bloc measures in a second process: the same
    bytes as one process; below it, and with jobs=1, nothing is forked."""
    report = kg.analysis.report
    monkeypatch.setenv("KG_NO_CACHE", "1")
    one, two, small = [], [], []
    report.write_report(curated_semantics, tmp_path / "small", jobs=2, progress=small.append)
    monkeypatch.setattr(report, "MEASURES_FORK_MIN_NODES", 0)
    report.write_report(curated_semantics, tmp_path / "one", jobs=1, progress=one.append)
    report.write_report(curated_semantics, tmp_path / "two", jobs=2, progress=two.append)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two") \
        == snapshot(tmp_path / "small")
    assert len(snapshot(tmp_path / "one")) > 20
    forked = [line for line in two if "in a second process" in line]
    assert len(forked) == 1
    assert " communities (louvain, seed 42), centrality within each bloc; " in forked[0]
    assert not any("second process" in line for line in one + small)


def test_a_failure_in_the_measures_second_process_is_the_reports_error(
        tmp_path, monkeypatch, curated_semantics):
    report = kg.analysis.report
    monkeypatch.setenv("KG_NO_CACHE", "1")
    monkeypatch.setattr(report, "MEASURES_FORK_MIN_NODES", 0)

    def broken(*args, **kwargs):
        raise RuntimeError("Louvain broke")

    monkeypatch.setattr(report, "communities", broken)
    with pytest.raises(KGError, match=r"^computing the communities and the bloc measures "
                                      r"failed in a second process \(pid \d+\): "
                                      r"RuntimeError: Louvain broke"):
        report.write_report(curated_semantics, tmp_path / "out", jobs=2)
    assert kg.core.forked._children_sharing == 0  # reaped: the collector is back
    assert not (tmp_path / "out").exists()


def test_the_charts_process_gives_the_charts_drawn_here(tmp_path, monkeypatch,
                                                       curated_semantics):
    """kg build's report draws its charts in a process of its own (pipeline._Charts),
    matplotlib imported there once told (warm): the same PNG bytes and record entries as
    chartcache.drawn in this process; a chart that fails there is the build's error."""
    from kg.analysis.chartcache import drawn

    monkeypatch.setenv("KG_NO_CACHE", "1")
    _, images = kg.analysis.report.report(curated_semantics)
    assert len(images) == 4
    for warm in (False, True):
        with kg.core.forked.Stack() as stack:
            charts = kg.pipeline._Charts(tmp_path, stack)
            if warm:
                charts.warm()
                charts.warm()  # (once is enough)
            charts.draw(images)
            got = charts.join()
        assert got == drawn(images, tmp_path)
        assert kg.core.forked._children_sharing == 0  # reaped
    monkeypatch.setattr(kg.analysis.chartcache.Chart, "draw", lambda self: 1 / 0)
    with pytest.raises(KGError, match=r"^drawing the report's charts failed in a second "
                                      r"process \(pid \d+\): ZeroDivisionError"):
        with kg.core.forked.Stack() as stack:
            charts = kg.pipeline._Charts(tmp_path, stack)
            charts.draw(images)
            charts.join()
    assert kg.core.forked._children_sharing == 0


def test_kg_report_takes_its_jobs_from_kg_build_jobs(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kg", "report", "--out", str(tmp_path / "r")],
                          capture_output=True, text=True, cwd=REPO, timeout=300,
                          env={**os.environ, "KG_BUILD_JOBS": "two"})
    assert proc.returncode != 0
    assert "KG_BUILD_JOBS must be a whole number (1: one process), not 'two'" in proc.stderr
    assert not (tmp_path / "r").exists()
