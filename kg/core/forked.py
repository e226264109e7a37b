"""One function run in a forked copy of this process while this one goes on.

`kg build` computes its report this way while it builds the graph and writes the other
outputs, on the machine's second core, and writes graph.trig and graph.jsonld this way
while it checks SHACL (kg.rdf.serialize.GraphFiles). A fork (not a fresh interpreter)
because the child needs the parsed entities, hundreds of MiB at scale: a forked child shares them
copy-on-write instead of receiving them pickled. `os.fork` and a pipe, not `multiprocessing`: the
child's value comes back pickled through the pipe, its failure becomes a KGError here,
and the child is killed when this process is interrupted (Ctrl-C, SIGTERM), with no
pool, feeder thread or resource tracker to reason about.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from kg.core.errors import KGError


def can_fork() -> bool:
    """True where os.fork exists (POSIX); elsewhere callers run the work in this process."""
    return hasattr(os, "fork")


class Forked:
    """fn(*args) run in a forked child process: `with Forked(...) as child:` starts it.

    `join()` waits for it and returns (its value, its seconds); the value comes back
    pickled. It raises KGError when the child raised KGError (the same message), raised
    anything else (its traceback goes to stderr, the error names `what` and the
    exception), or died without answering (killed by a signal: the error names it;
    killed by SIGINT, a Ctrl-C that reached it, it raises KeyboardInterrupt).
    `stop()` kills the child and waits for it. Leaving the block by an exception (Ctrl-C
    included, even one that comes while the child is being started) stops a child not
    joined yet; so does the end of this process, on Linux, however it ends. Entered by an
    ExitStack, the stack must be a `Stack` (below), which holds the exit before the child
    starts. `__exit__` and `stop()` are also safe when `__enter__` raised or never ran.

    The objects of this process are frozen for the collector (gc.freeze) until the child
    is reaped (until the last, when several run), so that no process's collections copy
    the pages they share.

    While the child runs, Ctrl-C (SIGINT) or SIGTERM to this process (when it is not
    ignored, and this is the main thread) stops the child, calls on_stop, and is then
    delivered again to the handler that was there before (Ctrl-C's raises
    KeyboardInterrupt; SIGTERM's default ends this process, as it would have). Python
    drops an exception raised inside a finalizer or a weakref callback ("Exception
    ignored in ..."), and a KeyboardInterrupt can be raised there (an import's module
    lock has such a callback); so join() on a child that a signal stopped delivers the
    signal once more rather than wait for a child that no longer runs.
    on_stop() is also called after a failed join and after stop(): it removes what a
    child that did not finish may have left.
    """

    def __init__(self, what: str, fn: Callable, *args, on_stop: Callable[[], None] | None = None):
        self.what, self.on_stop = what, on_stop
        self.fn, self.args = fn, args
        self.status: int | None = None
        self.pid = 0
        self._read: int | None = None
        self._previous: dict | None = None  # signal -> its handler before the child
        self.interrupted = 0  # the signal that stopped the child, if one did

    def __enter__(self) -> Forked:
        # Ctrl-C and SIGTERM wait until the child is known (and SIGTERM handled), so that
        # neither can leave a child no one stops
        blocked = _block(True)
        try:
            read, write = os.pipe()
            self.t0 = time.perf_counter()
            # the collector leaves the objects of now alone until the child is reaped: a
            # full collection in either process would write into every object's header,
            # and so copy every page the two share
            _freeze()
            parent = os.getpid()
            try:
                pid = os.fork()
            except BaseException:
                _unfreeze()
                os.close(read)
                os.close(write)
                raise
            if pid == 0:  # the child: never returns
                os.close(read)
                _run_child(write, self.fn, self.args, blocked, parent)
            os.close(write)
            self.pid, self._read = pid, read
            self._catch_stoppers()
        finally:
            try:
                _block(False, blocked)  # a signal that came meanwhile is raised here
            except BaseException:
                self.stop()
                raise
        pause_point(f"started {self.what}")  # (the interrupt tests: a Ctrl-C now)
        return self

    # -- this process -----------------------------------------------------------------
    def join(self) -> tuple[object, float]:
        """Wait for the child: (its value, the seconds it ran). Raises KGError (above)."""
        try:
            data = self._read_all() if self._read is not None else b""  # (None: stopped)
            self._reap()
            if self.interrupted:
                self._interrupt_again()
            return self._answer(data)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Kill the child if it still runs, wait for it, then on_stop(). Idempotent;
        nothing when no child was started."""
        if not self.pid:  # (and os.kill(0) would be the whole process group)
            return
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:  # pragma: no cover - already gone, not reaped yet
                pass
            self._reap()
        self._close()
        if self.on_stop is not None:
            on_stop, self.on_stop = self.on_stop, None
            on_stop()

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.stop()
        else:
            self._restore_stoppers()

    def _read_all(self) -> bytes:
        chunks = []
        while chunk := os.read(self._read, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)

    def _reap(self) -> None:
        if self.status is None:
            try:
                _, status = os.waitpid(self.pid, 0)
            except ChildProcessError:  # reaped meanwhile by a signal handler's stop()
                status = 0
            if self.status is None:  # (else that stop() set it, and unfroze)
                self.status = status
                _unfreeze()
        self._restore_stoppers()

    def _close(self) -> None:
        if self._read is not None:
            os.close(self._read)
            self._read = None

    def _answer(self, data: bytes) -> tuple[object, float]:
        self._close()
        status = self.status or 0
        if data:
            kind, value, seconds = pickle.loads(data)
            if kind == "ok" and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
                self.on_stop = None  # it finished: nothing to clean
                return value, seconds
            if kind == "error":
                raise KGError(value)
            if kind == "crash":
                raise KGError(f"{self.what} failed in a second process (pid {self.pid}): "
                              f"{value} (its traceback is above)")
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig == signal.SIGINT:  # a Ctrl-C that reached the child: the interruption
                raise KeyboardInterrupt  # it is, not a crash (whatever this process did)
            name = signal.Signals(sig).name if sig in signal.valid_signals() else str(sig)
            raise KGError(f"{self.what} failed: its second process (pid {self.pid}) was "
                          f"killed by signal {sig} ({name}) before it finished")
        raise KGError(f"{self.what} failed: its second process (pid {self.pid}) ended with "
                      f"exit status {os.waitstatus_to_exitcode(status)} before it finished")

    def _catch_stoppers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        previous = {sig: was for sig, was in previous.items()
                    if was not in (signal.SIG_IGN, None)}  # (None: set outside Python)

        def handler(signum, frame):
            self.interrupted = signum
            self.stop()  # restores the previous handlers
            os.kill(os.getpid(), signum)  # ... which now get the signal, as they would have

        for sig in previous:
            signal.signal(sig, handler)
        self._previous = previous

    def _restore_stoppers(self) -> None:
        for sig, was in (self._previous or {}).items():
            signal.signal(sig, was)
        self._previous = None

    def _interrupt_again(self) -> None:
        """The signal that stopped the child, delivered again to this process's handler
        (its exception, or its end, comes from here); a KGError if that handler returns."""
        sig = self.interrupted
        signal.raise_signal(sig)  # (the handlers run before it returns)
        raise KGError(f"{self.what} was stopped by signal {sig} "
                      f"({signal.Signals(sig).name}) before it finished")


_STOPPERS = {signal.SIGINT, signal.SIGTERM}
_children_sharing = 0  # children not reaped yet: the collector stays frozen while any runs


def _freeze() -> None:
    """Freeze every object of now for the collector (those of an earlier child's fork
    included), for one more child."""
    global _children_sharing
    gc.freeze()
    _children_sharing += 1


def _unfreeze() -> None:
    """One child fewer: the collector takes the frozen objects back after the last,
    except in a process that asked for them to stay frozen (keep_frozen)."""
    global _children_sharing
    _children_sharing -= 1
    if _children_sharing == 0 and not _KEEP_FROZEN:
        gc.unfreeze()


_KEEP_FROZEN: list = []  # set by keep_frozen


def keep_frozen() -> None:
    """In this process, what gc.freeze froze stays frozen after the last child is reaped
    (kg.data.loader.freeze_after_loads: the kg command's entities, which live until it
    exits; a collection over them frees nothing)."""
    _KEEP_FROZEN.append(True)


def _block(block: bool, previous=None):
    """Hold back (block=True; returns the mask before) or let through Ctrl-C and SIGTERM
    (restoring the mask previous). Where signal masks do not exist, nothing.

    A signal that came just before is raised by pthread_sigmask (it runs the handlers
    once the mask is set): when holding back, with the mask as it was, so that a Ctrl-C
    never leaves this process's Ctrl-C held back for good (nor its later commands')."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        return None
    if block:
        before = signal.pthread_sigmask(signal.SIG_BLOCK, ())  # (raises: nothing changed)
        try:
            signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPERS)
        except BaseException:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)
            raise
        return before
    return signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _die_with_parent(parent: int) -> None:
    """On Linux, have the kernel kill this child when its parent ends (however it ends)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # it ended before the request was made
        os._exit(1)


def _run_child(write: int, fn: Callable, args: tuple, mask, parent: int) -> None:
    """In the child: run fn, send (kind, value, seconds) through the pipe, leave with
    os._exit (no atexit, no flushing of the parent's buffers, no interpreter teardown)."""
    code = 1
    try:
        # Ctrl-C and SIGTERM end the child at once (the parent cleans up after it), but
        # one the parent ignores stays ignored: a build started with SIGINT ignored (in
        # a script's background) went on while its children died of a Ctrl-C sent to
        # the process group, and failed with "killed by signal 2 (SIGINT)"
        for sig in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(sig) is not signal.SIG_IGN:
                signal.signal(sig, signal.SIG_DFL)
        _block(False, mask)
        _die_with_parent(parent)
        # fresh stdout/stderr objects: another thread of the parent (the progress bar's)
        # may have held the old ones' locks at the fork, and the child would wait forever
        sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False,
                          buffering=1)
        t0 = time.perf_counter()
        try:
            answer = ("ok", fn(*args), time.perf_counter() - t0)
        except KGError as exc:
            answer = ("error", str(exc), 0.0)
        except Exception as exc:
            # straight to fd 2: sys.stderr's lock may have been held by another thread of
            # the parent at the fork
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            os.write(2, text.encode("utf-8", "replace"))
            answer = ("crash", f"{type(exc).__name__}: {exc}", 0.0)
        view = memoryview(pickle.dumps(answer))
        while view:
            view = view[os.write(write, view):]
        code = 0 if answer[0] == "ok" else 1
    finally:
        os._exit(code)


class Stack(ExitStack):
    """An ExitStack whose enter_context(cm) holds cm's exit before it calls cm.__enter__.

    ExitStack's own enter_context holds the exit once __enter__ has returned: a Ctrl-C
    that comes in between (after a Forked child, or GraphFiles's, has started) unwinds a
    stack that does not know the context, and its child is left to die with this process,
    its temporary files left behind. Here the exit is held first, so cm.__exit__ is
    also called when cm.__enter__ raised or was never reached (the Ctrl-C came first):
    contexts entered so must undo then what they did, if anything (Forked and
    kg.rdf.serialize.GraphFiles do). Returns what cm.__enter__ returns.
    """

    def enter_context(self, cm):
        self.push(cm)  # its __exit__
        return type(cm).__enter__(cm)


@contextmanager
def sigterm_raises(error: Callable[[int], BaseException]) -> Iterator[None]:
    """In the block, SIGTERM to this process raises error(signal number) in its main
    thread (as Ctrl-C raises KeyboardInterrupt), so the block's `except` and `finally`
    clauses undo what it did (`kg serve` closes its port and workers, a data change
    rolls back). On leaving the block, however (an exception included), SIGTERM's
    handler before it is back (one not set from Python, which signal.getsignal gives
    as None, comes back as SIG_DFL). Outside the main thread, where handlers cannot be
    set, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_error(signum, frame):
        raise error(signum)

    previous = signal.signal(signal.SIGTERM, raise_error)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def pause_point(where: str) -> None:
    """For the interrupt tests: with KG_PAUSE_AT=where, say so on stderr (with this
    process's id) and sleep KG_PAUSE_SECONDS (60). An empty where never pauses."""
    if where and os.environ.get("KG_PAUSE_AT") == where:
        os.write(2, f"kg: paused in {where} (pid {os.getpid()})\n".encode())
        time.sleep(float(os.environ.get("KG_PAUSE_SECONDS", "60")))


__all__ = ["Forked", "Stack", "can_fork", "pause_point", "sigterm_raises"]
