"""All-or-nothing changes to several files in data/, safe against failures, Ctrl-C and kill.

A change is a set of files to write (path -> new text) and to delete. It is
applied in steps, each announced to a hook first (the tests inject faults
there):

1. every new text goes to a temporary file beside its target (`.NAME.kg-tmp`,
   which the loader ignores), flushed to disk;
2. a journal (`data/.kg-journal.json`) listing the planned replacements and
   deletions is written atomically: from here on the change is decided;
3. each temporary file replaces its target (`os.replace`, atomic), each
   deletion is done;
4. the journal is removed.

An error or Ctrl-C (or SIGTERM) in this process at any step rolls everything
back to the files as they were, through a journal of its own, so a crash
during the rollback is finished by the next run. A process killed outright
leaves the journal; the next write command (or `kg recover`) replays it, so
data/ ends exactly as intended, or, if the kill came before the journal was
complete, deletes the temporary files, so data/ is exactly as it was. A lock
file keeps two `kg` writers from interleaving, and a file changed by someone
else since the change was planned is refused, not overwritten.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from kg.core.errors import KGError
from kg.core.forked import sigterm_raises
from kg.data.loader import JOURNAL

assert JOURNAL == ".kg-journal.json"  # the loader and kg validate look for it too
LOCK = ".kg-lock"
TMP_SUFFIX = ".kg-tmp"
FAULT_ENV = "KG_FAULT_AT"  # fail (raise) before step N, 1-based: for tests
PAUSE_ENV = "KG_PAUSE_AT"  # announce and sleep before step N: for the kill test
LOCK_TIMEOUT = 30.0

Hook = Callable[[int, str], None]


class InjectedFault(KGError):
    """The failure a test asked for (KG_FAULT_AT or a hook)."""


class ConcurrentChange(KGError):
    """A file changed on disk between planning a change and applying it."""


def env_hook(step: int, what: str) -> None:
    """The default hook: faults and pauses asked for through the environment."""
    if os.environ.get(FAULT_ENV) == str(step):
        raise InjectedFault(f"injected fault before step {step} ({what})")
    if os.environ.get(PAUSE_ENV) == str(step):
        print(f"kg: paused before step {step} ({what})", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("KG_PAUSE_SECONDS", "60")))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - not every platform opens directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _write_durably(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _tmp_for(target: Path, tag: str = "") -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}{tag}{TMP_SUFFIX}")


def read_text(path: Path) -> str | None:
    """A file's text exactly as it is (a BOM and CRLF line ends included), or None."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


@contextlib.contextmanager
def locked(data_dir: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold data/.kg-lock: one kg writer at a time. While another holds it, says once on
    stderr that it waits (a second command would otherwise sit silent for up to `timeout`
    seconds, LOCK_TIMEOUT by default), then raises KGError if it is still held then."""
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    print(f"kg: another kg command is writing {data_dir}: waiting for it to "
                          f"finish (up to {timeout:g} s)", file=sys.stderr, flush=True)
                    told = True
                if time.monotonic() > deadline:
                    raise KGError(f"another kg command is writing {data_dir} (lock {LOCK}); "
                                  "try again when it has finished") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _replay(data_dir: Path, ops: list[dict]) -> None:
    """Carry out a journal's operations; safe to repeat (each step is idempotent)."""
    dirs = set()
    for op in ops:
        target = data_dir / op["path"]
        if op.get("tmp"):
            tmp = data_dir / op["tmp"]
            if tmp.exists():
                os.replace(tmp, target)
        elif target.exists():
            target.unlink()
        dirs.add(target.parent)
    for d in sorted(dirs):
        _fsync_dir(d)


def stray_temporaries(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.rglob(f".*{TMP_SUFFIX}") if p.is_file())


def needs_recovery(data_dir: Path) -> bool:
    """Is there an interrupted change to finish or undo? (Cheap: no lock taken.)"""
    return (data_dir / JOURNAL).exists() or bool(stray_temporaries(data_dir))


def recover(data_dir: Path) -> str | None:
    """Finish or undo an interrupted change. Call with the lock held. Says what it did."""
    journal = data_dir / JOURNAL
    done = None
    if journal.exists():
        try:
            ops = json.loads(journal.read_text(encoding="utf-8"))["ops"]
        except (ValueError, KeyError) as exc:  # only a torn journal.tmp can be partial
            raise KGError(f"{journal} is unreadable ({exc}); restore data/ with git") from exc
        _replay(data_dir, ops)
        journal.unlink()
        _fsync_dir(data_dir)
        done = f"completed an interrupted change to {len(ops)} file(s)"
    strays = stray_temporaries(data_dir)
    for p in strays:
        p.unlink()
    if strays and not done:
        done = f"discarded an interrupted change ({len(strays)} temporary file(s))"
    return done


def _write_journal(data_dir: Path, ops: list[dict]) -> None:
    journal = data_dir / JOURNAL
    tmp = _tmp_for(journal, ".journal")
    _write_durably(tmp, json.dumps({"ops": ops}, indent=1))
    os.replace(tmp, journal)
    _fsync_dir(data_dir)


class Interrupted(BaseException):
    """SIGTERM, turned into an exception so the change can be rolled back."""


def apply(data_dir: Path, writes: dict[str, str | None], originals: dict[str, str | None],
          hook: Hook | None = None) -> list[str]:
    """Write (text) or delete (None) each file, given relative to data_dir; all or nothing.

    `originals` holds what each file contained when the change was planned
    (None: it did not exist); a file that no longer matches is refused.
    Returns the relative paths changed.
    """
    data_dir = Path(data_dir)
    hook = hook or env_hook
    paths = sorted(writes)
    with locked(data_dir), sigterm_raises(lambda signum: Interrupted(f"signal {signum}")):
        recover(data_dir)
        for rel in paths:
            if read_text(data_dir / rel) != originals.get(rel):
                raise ConcurrentChange(f"{data_dir / rel} changed while this command ran; "
                                       "nothing was written. Run the command again.")
        step = 0

        def announce(what: str) -> None:
            nonlocal step
            step += 1
            hook(step, what)

        ops: list[dict] = []
        journal_written = False
        try:
            for rel in paths:
                if writes[rel] is None:
                    ops.append({"path": rel, "tmp": None})
                    continue
                announce(f"write temporary file for {rel}")
                tmp = _tmp_for(data_dir / rel)
                ops.append({"path": rel, "tmp": tmp.relative_to(data_dir).as_posix()})
                _write_durably(tmp, writes[rel])
            announce("write the journal")
            _write_journal(data_dir, ops)
            journal_written = True
            for op in ops:
                announce(("replace " if op["tmp"] else "delete ") + op["path"])
                _replay(data_dir, [op])
            announce("remove the journal")
            (data_dir / JOURNAL).unlink()
            _fsync_dir(data_dir)
        except BaseException:
            _roll_back(data_dir, ops, originals, journal_written)
            raise
    return paths


def _roll_back(data_dir: Path, ops: list[dict], originals: dict[str, str | None],
               journal_written: bool) -> None:
    """Put every file back as it was, through a journal of its own."""
    if journal_written:
        back = []
        for op in ops:
            rel, before = op["path"], originals.get(op["path"])
            if before is None:
                back.append({"path": rel, "tmp": None})
                continue
            tmp = _tmp_for(data_dir / rel, ".undo")
            _write_durably(tmp, before)
            back.append({"path": rel, "tmp": tmp.relative_to(data_dir).as_posix()})
        _write_journal(data_dir, back)  # replaces the forward journal atomically
    recover(data_dir)
