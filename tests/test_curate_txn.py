"""Nothing lost: a change to several files is all or nothing, whatever fails and wherever.

Deterministic fault injection fails a rename and a merge at each of their
write steps in turn and checks data/ is byte-for-byte unchanged; a real
`kg rename` process is killed mid-change and the next command finishes it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from curate_support import ENV, assert_valid, copy_fixture, snapshot

from conftest import wait_for_line
from kg.core.errors import KGError
from kg.curate import ops as curate
from kg.curate import txn

KG = [sys.executable, "-c", "from kg.cli import main; main()"]  # the `kg` command, in this Python
# rename and merge date their tombstones today; test_clock.py runs these again in 2031
pytestmark = pytest.mark.clock


def plan_rename(ws):
    return curate.rename(ws, "huawei", "huawei-co")


def plan_merge(ws):
    return curate.merge(ws, "huawei-technologies-co", "huawei")


OPERATIONS = [pytest.param(plan_rename, id="rename"), pytest.param(plan_merge, id="merge")]


def steps_of(tmp_path, plan_of) -> tuple[list[str], dict[str, bytes]]:
    """Run the change once without faults: the steps it announces and the files it leaves."""
    data = copy_fixture(tmp_path / "reference")
    seen: list[str] = []
    curate.commit(plan_of(curate.Workspace(data)), hook=lambda n, what: seen.append(what))
    assert_valid(data)
    return seen, snapshot(data)


class Boom(Exception):
    pass


@pytest.mark.parametrize("plan_of", OPERATIONS)
def test_a_failure_at_any_write_step_leaves_data_unchanged(tmp_path, plan_of):
    steps, intended = steps_of(tmp_path, plan_of)
    assert len(steps) >= 6, steps  # several files: temporaries, journal, replacements, cleanup
    for n, what in enumerate(steps, 1):
        data = copy_fixture(tmp_path / f"fail-{n}")
        before = snapshot(data)
        ws = curate.Workspace(data)

        def hook(step, _what, n=n):
            if step == n:
                raise Boom(f"step {step}")

        with pytest.raises(Boom):
            curate.commit(plan_of(ws), hook=hook)
        assert snapshot(data) == before, f"data/ changed after a failure at step {n} ({what})"
    # and with no failure, it is exactly as intended
    data = copy_fixture(tmp_path / "clean")
    curate.commit(plan_of(curate.Workspace(data)))
    assert snapshot(data) == intended


@pytest.mark.parametrize("plan_of", OPERATIONS)
def test_ctrl_c_in_the_middle_rolls_back(tmp_path, plan_of):
    steps, _ = steps_of(tmp_path, plan_of)
    middle = len(steps) // 2 + 1  # after the journal: some files are already replaced
    data = copy_fixture(tmp_path / "data-c")
    before = snapshot(data)

    def hook(step, what):
        if step == middle:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        curate.commit(plan_of(curate.Workspace(data)), hook=hook)
    assert snapshot(data) == before


def test_injected_fault_through_the_environment(tmp_path, monkeypatch):
    data = copy_fixture(tmp_path)
    before = snapshot(data)
    monkeypatch.setenv(txn.FAULT_ENV, "3")
    with pytest.raises(txn.InjectedFault, match="injected fault before step 3"):
        curate.commit(plan_rename(curate.Workspace(data)))
    assert snapshot(data) == before


def run_kg_until_paused(data, args, step):
    env = {**os.environ, **ENV, "KG_DATA": str(data), txn.PAUSE_ENV: str(step),
           "KG_PAUSE_SECONDS": "60"}
    proc = subprocess.Popen([*KG, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_line(proc, f"kg: paused before step {step} (", timeout=180)
    return proc


@pytest.mark.parametrize("where", ["after-the-journal", "before-the-journal"])
def test_a_killed_rename_is_finished_or_undone_by_the_next_command(tmp_path, where, monkeypatch):
    monkeypatch.setenv("KG_TODAY", ENV["KG_TODAY"])  # the tombstone's date, as the subprocess's
    steps, intended = steps_of(tmp_path, plan_rename)
    journal_step = steps.index("write the journal") + 1
    # pause half-way through the replacements, or while writing temporary files
    step = journal_step + 3 if where == "after-the-journal" else journal_step - 1
    data = copy_fixture(tmp_path / "data-k")
    before = snapshot(data)
    proc = run_kg_until_paused(data, ["rename", "huawei", "huawei-co"], step)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()
    assert (data / txn.JOURNAL).exists() == (where == "after-the-journal")
    if where == "after-the-journal":  # half-done: some files new, some old
        half = snapshot(data)
        assert half not in (before, intended)
        # reading commands say so and change nothing (kg fmt --check replays nothing)
        for args in (["validate", "--no-shacl"], ["fmt", "--check"], ["show", "huawei"]):
            out = subprocess.run([*KG, *args], capture_output=True, text=True,
                                 env={**os.environ, "KG_DATA": str(data)}, timeout=300)
            assert out.returncode == 1, out.stdout + out.stderr
            assert "an interrupted change is pending: run `kg recover`" in out.stderr
            assert "create that entity first" not in out.stderr
            assert snapshot(data) == half
    out = subprocess.run([*KG, "recover"], capture_output=True,
                         text=True, env={**os.environ, "KG_DATA": str(data)}, check=True,
                         timeout=300)
    assert ("completed an interrupted change" if where == "after-the-journal"
            else "discarded an interrupted change") in out.stdout
    assert_valid(data)  # every file validates
    expected = intended if where == "after-the-journal" else before
    assert snapshot(data) == expected


def test_sigterm_rolls_back_like_ctrl_c(tmp_path):
    steps, _ = steps_of(tmp_path, plan_rename)
    data = copy_fixture(tmp_path / "data-t")
    before = snapshot(data)
    proc = run_kg_until_paused(data, ["rename", "huawei", "huawei-co"],
                               steps.index("write the journal") + 3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Interrupted: data/ is as it was; nothing was written." in err
    assert snapshot(data) == before


def test_recovery_replays_a_journal_and_is_idempotent(tmp_path):
    data = copy_fixture(tmp_path)
    tmp = data / "model" / ".deepseek-r1.yaml.1.kg-tmp"
    new_text = (data / "model" / "deepseek-r1.yaml").read_text().replace("open weights", "weights")
    tmp.write_text(new_text)
    (data / txn.JOURNAL).write_text(json.dumps({"ops": [
        {"path": "model/deepseek-r1.yaml", "tmp": "model/.deepseek-r1.yaml.1.kg-tmp"},
        {"path": "model/gone.yaml", "tmp": None}]}))
    with txn.locked(data):
        assert txn.recover(data) == "completed an interrupted change to 2 file(s)"
        assert txn.recover(data) is None
    assert (data / "model" / "deepseek-r1.yaml").read_text() == new_text
    assert not (data / txn.JOURNAL).exists() and not txn.stray_temporaries(data)


def test_a_file_changed_by_someone_else_meanwhile_is_not_overwritten(tmp_path):
    data = copy_fixture(tmp_path)
    ws = curate.Workspace(data)
    plan = plan_rename(ws)
    path = data / "chip" / "huawei-ascend-910c.yaml"  # a file the rename rewrites
    path.write_text(path.read_text() + "# a curator's edit\n")
    before = snapshot(data)
    with pytest.raises(txn.ConcurrentChange, match="changed while this command ran"):
        curate.commit(plan)
    assert snapshot(data) == before


def test_a_second_writer_waits_for_the_lock_then_gives_up(tmp_path, capsys):
    data = copy_fixture(tmp_path)

    class Clock:  # each reading 0.1 s after the last; sleeps are counted, not slept
        now, sleeps = 0.0, []

        def monotonic(self):
            self.now += 0.1
            return self.now

        def sleep(self, seconds):
            self.sleeps.append(seconds)

    clock = Clock()
    with txn.locked(data):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(txn, "time", clock)
            with pytest.raises(KGError, match="another kg command is writing"):
                with txn.locked(data, timeout=0.2):
                    pass
        # the deadline read at 0.1 s is 0.3 s: tries at 0.2 and 0.3 wait 0.05 s each,
        # the try at 0.4 s gives up
        assert clock.sleeps == [0.05, 0.05]
    # it says it waits (a fresh-user review: `kg edit` beside a running `kg rename` sat
    # silent for 30 s), once, on stderr
    assert capsys.readouterr().err == (f"kg: another kg command is writing {data}: waiting for "
                                       "it to finish (up to 0.2 s)\n")
    with txn.locked(data):  # free: no word
        pass
    assert capsys.readouterr().err == ""
