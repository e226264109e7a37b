"""The main job: validate data/, build the dataset, check SHACL, write every output into build/
(the graph in four syntaxes, its VoID description, summary.json and the explorer, graph.html)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from kg.core.errors import Issue, KGError
from kg.core.forked import Forked, Stack, can_fork, pause_point
from kg.core.schema import load_schema
from kg.rdf.docs import reference_texts
from kg.rdf.graph import file_graph_iri
from kg.rdf.load import Built, Progress, Steps, check, load_graph
from kg.rdf.serialize import GraphFiles, turtle, write_texts
from kg.rdf.stats import stats
from kg.rdf.void import void_graph

JOBS_ENV = "KG_BUILD_JOBS"  # 1: every output written in this process, one after another
# Above this many quads graph.trig and graph.jsonld are written in the first process: at
# 100k synthetic entities (3.7M quads) a third process raised the build's summed memory
# (PSS) from 3.3 to 4.3 GiB, and the report's process kept the second core busy anyway
FILES_PROCESS_MAX_QUADS = 1_000_000


def build_jobs(jobs: int | None = None) -> int:
    """How many processes the build uses: jobs if given, else $KG_BUILD_JOBS, else 2
    (the report in a second process); 1 where os.fork is unavailable. Raises
    KGError when the setting is not a whole number of at least 1."""
    if jobs is None:
        text = os.environ.get(JOBS_ENV, "").strip()
        try:
            jobs = int(text) if text else 2
        except ValueError:
            raise KGError(f"{JOBS_ENV} must be a whole number (1: one process), "
                          f"not {text!r}") from None
    if jobs < 1:
        raise KGError(f"{JOBS_ENV} must be at least 1, not {jobs}")
    return min(jobs, 2) if can_fork() else 1


def build(data_dir: Path | None = None, out_dir: Path | None = None,
          progress: Progress | None = None, jobs: int | None = None) -> Built:
    """Validate (all tiers), build, and write every output into out_dir.

    jobs (see build_jobs; default $KG_BUILD_JOBS, else 2): with 2, once the entities
    have passed tiers 1-2 a forked second process computes the report while this one
    builds the graph; once the graph is built, a third writes graph.trig and
    graph.jsonld, or splices all four graph files after an edit
    (kg.rdf.serialize.GraphFiles; not above FILES_PROCESS_MAX_QUADS quads) while this
    one checks SHACL and writes graph.nt and graph.ttl (when not spliced), void.ttl,
    summary.json and the explorer, and a fourth makes the
    ontology reference (docs/); the report is written after them, then docs/, as in one
    process. With 1, one after another. The bytes are the same
    either way. Every output is written under a temporary name and all are put in
    place together once the last is ready: a failure leaves out_dir as it was. Raises
    KGError (DataError for bad data) naming what failed, the other processes' failures
    included; Stopped (a KeyboardInterrupt) on Ctrl-C.
    """
    out_dir = Path(out_dir or Path.cwd() / "build")
    # every output is written under a temporary name, and all are put in place together
    # once the last is ready (_Outputs): a failure or a Ctrl-C before that leaves out_dir
    # as it was, not half new and half old (a maintainer's trial)
    outputs = _Outputs(out_dir, data_dir)
    try:
        return _build(data_dir, out_dir, progress, jobs, outputs)
    except KeyboardInterrupt:
        raise Stopped(outputs.done) from None


class Stopped(KeyboardInterrupt):
    """A build stopped by Ctrl-C: `written` says whether its outputs were all put in
    place first (the Ctrl-C came while they were: it waits for the renames), else
    out_dir is as it was."""

    def __init__(self, written: bool):
        super().__init__(written)
        self.written = written


def stopped_message(out_dir: Path, written: bool) -> str:
    """What `kg build` says when a Ctrl-C stopped it (Stopped.written)."""
    if written:
        return f"Stopped: {out_dir}/ holds every output of this build (they were in place)."
    return f"Stopped: nothing in {out_dir}/ was replaced; it is as the last build left it."


def _build(data_dir: Path | None, out_dir: Path, progress: Progress | None,
           jobs: int | None, outputs: _Outputs) -> Built:
    schema = load_schema()
    jobs = build_jobs(jobs)
    # a Stack, not an ExitStack: it holds each context's exit before entering it, so
    # that a Ctrl-C just after a second or third process started still stops it
    with Stack() as stack:
        stack.enter_context(outputs)
        report = _Report(out_dir, stack) if jobs > 1 else None
        started = {}

        def start_files(graph: Built) -> None:
            # the VoID graph joins the quads first: the graph files carry it
            quads = graph.quads.quad_count()  # (counted for the stage line: no new count)
            void = void_graph(schema, graph)
            # the data's triples, counted before the VoID description joins them: the
            # number summary.json, void:triples and every line of the build give
            started["data triples"] = len(graph.quads)
            graph.add_graph(str(file_graph_iri(schema, "build/void.ttl")), void)
            started["void.ttl"] = turtle(void)
            files_jobs = jobs if quads + len(void) <= FILES_PROCESS_MAX_QUADS else 1
            started["files"] = stack.enter_context(GraphFiles(out_dir, graph.quads,
                                                              files_jobs, incremental=True))
            if files_jobs > 1:  # the ontology reference too, from the same quads
                started["docs"] = stack.enter_context(Forked(
                    "making the ontology reference", reference_texts, None, True, graph.quads))

        built = load_graph(data_dir, shacl=True, progress=progress,
                           on_semantics=report.start if report else None,
                           on_graph=start_files)
        step = Steps(progress)
        step.begin("writing the graph files")
        clock = _Clock()
        built.written = _files_and_explorer(built, out_dir, started, clock, outputs.staged,
                                            data_dir)
        step(f"wrote {len(built.written)} files into {out_dir} (graph.html: the explorer; "
             f"{clock})")
        if report is None:
            from kg.analysis.report import write_report

            built.written += write_report(built.semantics, out_dir / "report",
                                          progress=progress, stage=outputs.staged)
        else:
            step.begin("writing the report")
            built.written += report.finish(progress, outputs.staged)
        step(f"wrote the report into {out_dir / 'report'}")
        # last, as the serial build: the ontology reference (docs/), its examples from
        # the quads (made meanwhile by a process of its own, where there was one)
        if "docs error" in started:
            raise started["docs error"]
        docs = started.get("docs texts") or reference_texts(graph=built.quads)
        built.written += write_texts(out_dir / DOCS, docs, outputs.staged)
        outputs.put_in_place()
    return built


class _Outputs:
    """The build's outputs, each written as NAME.tmp beside its place (`staged`: a list
    of (temporary, path)), put in place together by put_in_place() once all are ready,
    with Ctrl-C and SIGTERM held until the last rename (a few dozen: milliseconds). Left
    without it (a failure, a Ctrl-C), the block removes them: out_dir is as it was."""

    def __init__(self, out_dir: Path, data_dir: Path | None = None):
        import shlex

        from kg.data.loader import data_argument

        self.out_dir = out_dir
        # the command to run again: with the data and out folders of this one
        self.again = f"kg build{data_argument(data_dir)} --out {shlex.quote(str(out_dir))}"
        self.staged: list[tuple[Path, Path]] = []
        self.done = False  # every output put in place

    def __enter__(self) -> _Outputs:
        return self

    def put_in_place(self) -> None:
        # Ctrl-C and SIGTERM are held by a handler of this block's own, then given to the
        # handlers they had once the last rename is done (a signal mask would not do: a
        # signal sent to the process can land in another thread, the progress bar's, and
        # Python then runs its handler in this one all the same)
        held: list[int] = []
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                if signal.getsignal(sig) not in (signal.SIG_IGN, None):
                    previous[sig] = signal.signal(sig, lambda signum, frame: held.append(signum))
        try:
            while self.staged:
                tmp, path = self.staged[0]
                os.replace(tmp, path)
                del self.staged[0]
            self.done = True
        except OSError as exc:
            raise KGError(f"cannot write {exc.filename or self.out_dir}: {exc.strerror}; "
                          f"{self.out_dir} is partly from this build and partly from the "
                          f"last one: run `{self.again}` again") from None
        finally:
            for sig, was in previous.items():
                signal.signal(sig, was)
            if held:
                signal.raise_signal(held[0])  # (Ctrl-C's KeyboardInterrupt comes from here)

    def __exit__(self, *exc) -> None:
        for tmp, _ in self.staged:
            tmp.unlink(missing_ok=True)
        self.staged = []
        _remove_report_partial(self.out_dir / REPORT)  # (a report stopped while writing)


EXPLORER = "graph.html"
REPORT = "report"
DOCS = "docs"


def _files_and_explorer(built: Built, out_dir: Path, started: dict,
                        clock: _Clock, stage: list, data_dir: Path | None = None) -> list[Path]:
    """The statistics (built.numbers), then the outputs that need only the quads (the four
    graph files, begun by started["files"], then void.ttl, started["void.ttl"], and
    summary.json), then the explorer; the paths written. The ontology reference's
    process (started["docs"]) is joined first: its texts, or its failure, are kept in
    started for the end of the build."""
    built.numbers = stats(built, triples=started.get("data triples"))
    clock("statistics and VoID")
    texts = {
        "void.ttl": started["void.ttl"],
        "summary.json": json.dumps(built.numbers, indent=1, sort_keys=True,
                                   ensure_ascii=False) + "\n",
    }
    # imported here, not at the top: its libraries (networkx, numpy, pyvis: 0.3-0.4 s)
    # are not needed before this stage (with a report process, _Report.start imported
    # them already, before its fork)
    from kg.explorer import write_explorer

    if "docs" in started:
        # the ontology reference's process, joined before the graph files' (each child
        # hands SIGTERM back to the handler it found: they are joined last-started first)
        try:
            started["docs texts"] = started["docs"].join()[0]
        except KGError as exc:  # raised where the serial build fails: after the report
            started["docs error"] = exc
    written = started["files"].finish(stage) + write_texts(out_dir, texts, stage)
    clock("graph files")
    # data_dir as the user gave it: the page's `kg viz --focus` command names it
    written.append(write_explorer(built.semantics, out_dir / EXPLORER, stage,
                                  data_dir=data_dir))
    clock("explorer")
    return written


class _Report:
    """The report in a forked second process, started as soon as the entities have
    passed tiers 1-2 (it needs only them) while this process builds the graph, checks
    SHACL and writes the graph files and the explorer. The child computes the report,
    then waits to be told to write it: finish() tells it once this process's files are
    written (the serial build's order), so a failure anywhere leaves out_dir as the serial
    build leaves it; a failure here (bad data in SHACL included) stops the child first."""

    def __init__(self, out_dir: Path, stack: ExitStack):
        self.out_dir, self.stack = out_dir, stack
        self.child: Forked | None = None

    def start(self, semantics) -> None:
        # the libraries both processes use (networkx, numpy), imported once, here: after
        # validation (not before the first stage) and before the fork, so that the
        # report's process inherits them rather than importing them again
        import kg.analysis.chartcache  # noqa: F401
        import kg.explorer  # noqa: F401

        go_read, go_write = os.pipe()
        self.stack.callback(_close, go_read, go_write)
        self.go = go_write
        self.child = self.stack.enter_context(Forked(
            "computing the report", _report_in_child, semantics, self.out_dir, go_read,
            go_write, on_stop=lambda: _remove_report_partial(self.out_dir / REPORT)))

    def finish(self, progress: Progress | None, stage: list) -> list[Path]:
        """Let the child write the report (under temporary names: added to stage), wait
        for it, show its stage lines; its paths."""
        os.write(self.go, b"w")
        staged, lines = self.child.join()[0]
        stage += staged
        for line in lines:
            if progress:
                progress(line)
        return [path for _, path in staged]


def _close(*fds: int) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def _report_in_child(semantics, out_dir: Path, go_read: int, go_write: int) -> tuple:
    """In the second process: compute the report (its stage lines kept, not printed),
    wait for the word to write it (the first process's files are written), write it;
    (the paths, the stage lines). The first process ending without the word ends it.
    Its charts are drawn by a process of its own (_Charts) while this one makes the
    tables' files."""
    from kg.analysis.render import encode, encode_tables, write_files
    from kg.analysis.report import FORMATS, report
    from kg.data.loader import gc_paused

    os.close(go_write)  # so that the first process's end reads as the end of the pipe
    lines: list[str] = []
    folder = out_dir / REPORT
    # the collector stays off to the end: this process ends with os._exit, and a
    # collection over the report's objects once report() returned cost 1.5 s at 100k
    with gc_paused(), Stack() as stack:
        charts = _Charts(folder, stack)
        # (this build has two jobs: its first process is done with its own work long
        # before the report's measures are, so a third takes part of them; once that
        # one has ended, the charts' process imports matplotlib on the core it left)
        doc, images = report(semantics, progress=lines.append, jobs=2, idle=charts.warm)
        charts.draw(images)
        # every file's bytes made before the word, so that after it only the writing is
        # left: the CSV and JSON texts (0.6 s at 10k entities) while the charts are drawn
        formats = set(FORMATS)
        tables = encode_tables(doc, formats)
        files = encode(doc, charts.join(), folder, formats, tables=tables)
        pause_point("report")
        if os.read(go_read, 1) != b"w":
            os._exit(1)  # the first process failed or was stopped: write nothing
        staged: list = []  # (the first process puts them in place, with its own)
        write_files(files, folder, staged)
        return staged, lines


class _Charts:
    """The report's charts drawn in a process of their own (kg.core.forked), forked when
    the report's process starts and idle until told: warm() has it import matplotlib
    (0.5-0.9 s) while the report's process goes on, draw(images) sends it the charts
    (kg.analysis.chartcache.Chart), which it resolves as chartcache.drawn would here
    (read back when the folder's record has them, else drawn: matplotlib is imported
    only then, if warm() did not come first), and join() gives them back as
    chartcache.Drawn, which render.encode takes as they are: the same bytes as drawing
    them in this process."""

    def __init__(self, folder: Path, stack: ExitStack):
        read, self.write = os.pipe()
        stack.callback(_close, self.write)
        try:
            self.child = stack.enter_context(Forked(
                "drawing the report's charts", _charts_in_child, folder, read, self.write))
        finally:
            os.close(read)  # (so that a write to a child that failed raises, never waits)
        self.warmed = False

    def warm(self) -> None:
        if not self.warmed:
            self.warmed = True
            self._send(b"i")

    def draw(self, images: dict) -> None:
        import pickle

        body = pickle.dumps(images, protocol=pickle.HIGHEST_PROTOCOL)
        self._send(b"c" + len(body).to_bytes(8, "big") + body)

    def _send(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self.write, view):]
        except BrokenPipeError:  # the child failed: join() raises its error
            pass

    def join(self) -> dict:
        return self.child.join()[0]


def _charts_in_child(folder: Path, read: int, write: int) -> dict:
    """In the charts' process (see _Charts): matplotlib imported on b"i", the charts
    resolved on b"c" + their pickle's length (8 bytes) + the pickle; the report's
    process ending first (the end of the pipe) ends this one."""
    import pickle

    from kg.analysis.chartcache import drawn

    os.close(write)

    def take(n: int) -> bytes:
        chunks, left = [], n
        while left:
            chunk = os.read(read, min(left, 1 << 20))
            if not chunk:
                os._exit(1)  # the report's process failed or was stopped
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    while (tag := take(1)) == b"i":
        import kg.analysis.charts  # noqa: F401  (matplotlib, pyplot)
    if tag != b"c":  # pragma: no cover - only _Charts writes to this pipe
        raise KGError(f"the report's charts: unexpected message {tag!r}")
    images = pickle.loads(take(int.from_bytes(take(8), "big")))
    pause_point("charts")
    return drawn(images, folder)


def _remove_report_partial(folder: Path) -> None:
    """What a report stopped while writing may have left: its temporary files."""
    for tmp in folder.glob("*.tmp"):
        tmp.unlink(missing_ok=True)


class _Clock:
    """Times the parts of one stage: call it with each part's name as the part ends;
    str() lists them (`statistics and VoID 0.3 s, graph files 2.4 s`)."""

    def __init__(self):
        self.t0, self.parts = time.perf_counter(), []

    def __call__(self, what: str) -> None:
        now = time.perf_counter()
        self.parts.append(f"{what} {now - self.t0:.1f} s")
        self.t0 = now

    def __str__(self) -> str:
        return ", ".join(self.parts)


__all__ = ["JOBS_ENV", "Built", "Issue", "Stopped", "build", "build_jobs", "check", "load_graph",
           "stopped_message"]
