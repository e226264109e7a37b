"""Shared fixtures: the repository, small data sets written on the fly, tool lookup, and
the surroundings every test runs in (date, user, time zone, locale, git, hash seed, current
directory, hypothesis profile), pinned so no test depends on the machine or the day."""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"

# -- hypothesis: in CI a derandomised, bounded profile (the same examples every run, inside the
# test budget); on a developer's machine the same bound, fresh examples each run -------------
settings.register_profile("ci", derandomize=True, max_examples=40, deadline=None,
                          database=None, print_blob=True)
settings.register_profile("dev", max_examples=40, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "dev"))

# -- what the code may read from its surroundings, pinned ------------------------------------
# kg reads today's date (kg.curate.today, a query's `today` default: $KG_TODAY first), who is
# checking (kg.curate.maintainer_name: $KG_USER, else `git config user.name`), the data folder
# ($KG_DATA, else ./data) and its fault-injection switches. The time zone and locale decide
# what "today" is and how text is encoded in a child process. Each is pinned in os.environ for
# the whole session, so subprocesses started by tests inherit the same pins, and again before
# every test (a test may change them with monkeypatch; it is undone after it).
PINNED_TODAY = "2026-11-23"
PINNED_USER = "Test Maintainer"
PINNED_ENV = {
    "KG_TODAY": PINNED_TODAY,
    "KG_USER": PINNED_USER,
    "TZ": "UTC",
    "LC_ALL": "C.UTF-8",
    "LANG": "C.UTF-8",
    "PYTHONHASHSEED": "0",  # child processes only; test_build varies it on purpose
    "GIT_CONFIG_NOSYSTEM": "1",  # git's identity comes from GIT_CONFIG_GLOBAL alone
}
UNSET_ENV = ("KG_DATA", "KG_NO_CACHE", "KG_FAULT_AT", "KG_PAUSE_AT", "KG_PAUSE_SECONDS", "LANGUAGE",
             "GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME", "GIT_DIR", "GIT_WORK_TREE")
# An empty folder to run every test in (not the caller's folder, which may hold a data/),
# and a git config that names the pinned user; git looks for no repository above it.
_SANDBOX = Path(tempfile.mkdtemp(prefix="kg-tests-"))
WORK_DIR = _SANDBOX / "cwd"
GIT_CONFIG = _SANDBOX / "gitconfig"


def sandbox_dir(prefix: str) -> Path:
    """A new empty folder for files a test session keeps across tests (a build made once):
    in the session's sandbox, removed with it at the end (not left under /tmp)."""
    _SANDBOX.mkdir(exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=_SANDBOX))


def pinned_environment() -> dict[str, str]:
    # KG_CACHE_DIR: kg's caches (the graph cache, the per-file cache) in the sandbox, never
    # the user's own; shared by the session, so most tests also run with a warm cache
    return {**PINNED_ENV, "GIT_CONFIG_GLOBAL": str(GIT_CONFIG),
            "GIT_CEILING_DIRECTORIES": str(_SANDBOX), "KG_CACHE_DIR": str(_SANDBOX / "cache")}


def pytest_configure(config):
    WORK_DIR.mkdir(exist_ok=True)
    GIT_CONFIG.write_text(f"[user]\n\tname = {PINNED_USER}\n", encoding="utf-8")
    for name in UNSET_ENV:
        os.environ.pop(name, None)
    os.environ.update(pinned_environment())
    time.tzset()


def pytest_unconfigure(config):
    shutil.rmtree(_SANDBOX, ignore_errors=True)


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    """Before every test: the pinned environment, and an empty current folder."""
    for name in UNSET_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in pinned_environment().items():
        monkeypatch.setenv(name, value)
    time.tzset()
    monkeypatch.chdir(WORK_DIR)
    yield
    monkeypatch.undo()  # undo the test's own changes first, then read TZ again
    time.tzset()


def need_tool(name: str) -> str:
    """The path of an external tool; skip loudly without it, but fail under CI=true."""
    path = shutil.which(name)
    if path:
        return path
    message = (f"'{name}' is not installed: run `bash scripts/test-deps.sh` "
               "(CI installs it; these tests may only be skipped on a developer's machine)")
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def wait_for_line(proc: subprocess.Popen, said: str, timeout: float,
                  stream=None) -> list[str]:
    """The lines proc writes to stream (a text pipe of proc; default its stderr) up to and
    including the first that starts with said; reading stops there, the rest is left to
    the caller (what came with that line in one read may be lost). If the stream ends
    first, or no such line comes within timeout seconds, proc is killed and the test
    fails (AssertionError) with what proc wrote there: a wrong or hung process fails its
    test, never hangs the suite."""
    stream = proc.stderr if stream is None else stream
    lines: queue.Queue = queue.Queue()

    def read() -> None:  # in a thread: a line read blocks, the wait must not
        for line in stream:
            lines.put(line)
            if line.startswith(said):
                return
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen, deadline = [], time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            why = f"no line {said!r} within {timeout:g} s"
            break
        if line is None:
            why = f"its output ended without a line {said!r}"
            break
        seen.append(line)
        if line.startswith(said):
            return seen
    proc.kill()  # kg's other processes die with it (kg.core.forked: PR_SET_PDEATHSIG)
    reader.join(timeout=30)
    rest = ""
    if not reader.is_alive():  # else it still reads the stream: leave the pipe to it
        with contextlib.suppress(subprocess.TimeoutExpired):
            out, err = proc.communicate(timeout=30)
            rest = (err if stream is proc.stderr else out) or ""
    raise AssertionError(f"{why}; its output:\n{''.join(seen)}{rest}")


@contextlib.contextmanager
def killed_after(code: str, *args: str, said: str):
    """`python -c code *args` in a process of its own, from the moment it prints (to its
    stdout) a line starting with said until the block ends; then killed with SIGKILL (no
    clean-up at all, as a crash or the OOM killer) and reaped. Fails the test (see
    wait_for_line) if it does not print that line within two minutes."""
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            text=True)
    try:
        wait_for_line(proc, said, 120, proc.stdout)
        yield proc
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)


# The smallest valid data set: one source, one country, one organisation.
BASE_FILES = {
    "source/src-a.yaml": """
        id: src-a
        name: Source A
        title: Source A
        publisher: Example Press
        date: 2026-01-24
        source_type: news
        reliability: high
        bundled_file: a.txt
    """,
    "country/china.yaml": """
        id: china
        name: China
        iso_code: CN
        sources: [src-a]
    """,
    "organization/deepseek.yaml": """
        id: deepseek
        name: DeepSeek
        org_type: lab
        country: china
        sources: [src-a]
    """,
}


@pytest.fixture
def make_data(tmp_path):
    """Write BASE_FILES plus the given files (path -> YAML text, None deletes) into tmp data/."""

    def make(files: dict[str, str | None] | None = None, base: bool = True) -> Path:
        data = tmp_path / "data"
        merged = dict(BASE_FILES) if base else {}
        merged.update(files or {})
        for rel, text in merged.items():
            if text is None:
                continue
            path = data / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        data.mkdir(exist_ok=True)
        return data

    return make
