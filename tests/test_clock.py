"""No test depends on the day it runs, the time zone, the user or the folder it starts in.

conftest.py pins what the code reads ($KG_TODAY, $KG_USER and git's user.name, TZ, the
locale, the hash seed of child processes, the current folder). The tests that read today's
date carry the `clock` marker; here they run again in a subprocess under libfaketime
(Debian's `faketime`), years away from today, in the time zone furthest ahead of UTC
(Pacific/Kiritimati, UTC+14: already the next day) and with another hash seed.
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
import time

import pytest
from hypothesis import settings

from conftest import IN_CI, PINNED_TODAY, PINNED_USER, REPO, WORK_DIR, need_tool
from kg.curate import ops as curate

FAKE_NOW = "2031-06-15 12:00:00"  # read in UTC (the pinned TZ): 2031-06-16 in Kiritimati
FAKE_LOCAL_DAY = "2031-06-16"
# The child reports the day and zone it sees, then runs the clock-marked tests in-process.
CHILD = ("import datetime, sys, time, pytest; "
         "print('clock:', datetime.date.today().isoformat(), time.tzname[0], flush=True); "
         "sys.exit(pytest.main(sys.argv[1:]))")


def faketime_command(*args: str) -> list[str]:
    return [need_tool("faketime"), FAKE_NOW, "env", "TZ=Pacific/Kiritimati",
            "PYTHONHASHSEED=2031", *args]


def real_clock_env() -> dict[str, str]:
    """os.environ without libfaketime, in case the whole suite already runs under faketime
    (a nested faketime would count its offset from the faked day, not from the real one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAKETIME")}
    preload = [lib for lib in env.pop("LD_PRELOAD", "").split() if "faketime" not in lib]
    if preload:
        env["LD_PRELOAD"] = " ".join(preload)
    return env


def test_faketime_reaches_a_python_child_process():
    """libfaketime works by LD_PRELOAD: a statically linked Python would ignore it."""
    out = subprocess.run(faketime_command(sys.executable, "-c", CHILD.split("; sys.exit")[0]),
                         capture_output=True, text=True, timeout=60, env=real_clock_env())
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["clock:", FAKE_LOCAL_DAY, "+14"], (
        f"faketime did not reach {sys.executable} (static build? LD_PRELOAD refused?): "
        f"{out.stdout!r} {out.stderr!r}")


@pytest.mark.slow
def test_date_sensitive_tests_pass_in_2031_in_kiritimati():
    cmd = faketime_command(sys.executable, "-c", CHILD, "-m", "clock", "-q",
                           "-p", "no:cacheprovider", str(REPO / "tests"))
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=600,
                         env=real_clock_env())
    report = out.stdout[-4000:] + out.stderr[-2000:]
    assert out.stdout.startswith(f"clock: {FAKE_LOCAL_DAY} +14"), report  # it ran in 2031
    assert out.returncode == 0, report
    summary = out.stdout.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed[1]) >= 60, summary  # the marker still selects them all
    assert not re.search(r"failed|skipped|error", summary), summary


# -- the pins themselves -----------------------------------------------------------------------
def test_today_and_the_maintainer_are_pinned():
    assert curate.today() == PINNED_TODAY
    assert curate.maintainer_name() == PINNED_USER


def test_without_kg_user_the_name_comes_from_the_pinned_git_config(monkeypatch):
    need_tool("git")
    monkeypatch.delenv("KG_USER")
    assert curate.maintainer_name() == PINNED_USER  # not the machine's own git identity


def test_time_zone_locale_and_folder_are_pinned():
    assert time.tzname[0] == "UTC"
    assert datetime.datetime.now().astimezone().utcoffset() == datetime.timedelta(0)
    assert os.environ["LC_ALL"] == "C.UTF-8"
    assert os.getcwd() == str(WORK_DIR)
    assert not (WORK_DIR / "data").exists()  # so ./data falls back to the repository's
    assert "KG_DATA" not in os.environ


def test_a_child_process_inherits_the_pins():
    probe = ("import os, time, datetime; from kg.curate import ops as curate; "
             "print(curate.today(), curate.maintainer_name(), time.tzname[0], "
             "os.environ['LC_ALL'], os.environ['PYTHONHASHSEED'], sep='|')")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == f"{PINNED_TODAY}|{PINNED_USER}|UTC|C.UTF-8|0"


def test_hypothesis_is_derandomised_in_ci():
    profile = settings()
    assert profile.deadline is None and profile.max_examples <= 200
    assert profile.derandomize == IN_CI
