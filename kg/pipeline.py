"""The main job: validate data/, build the dataset, check SHACL, write every output into build/
(the graph in four syntaxes, its VoID description, summary.json and the explorer, graph.html)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from kg.core.errors import Issue, KGError
from kg.core.forked import Forked, can_fork
from kg.core.schema import load_schema
from kg.explorer import write_explorer
from kg.rdf.graph import file_graph_iri
from kg.rdf.load import Built, Progress, Steps, check, load_graph
from kg.rdf.serialize import GRAPH_FILES, remove_partial, turtle, write_quads_files, write_texts
from kg.rdf.stats import stats
from kg.rdf.void import void_graph

JOBS_ENV = "KG_BUILD_JOBS"  # 1: every output written in this process, one after another


def build_jobs(jobs: int | None = None) -> int:
    """How many processes the build uses: jobs if given, else $KG_BUILD_JOBS, else 2
    (the graph files in a second process); 1 where os.fork is unavailable. Raises
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

    jobs (see build_jobs; default $KG_BUILD_JOBS, else 2): with 2, after SHACL and VoID a
    forked second process computes the statistics (built.numbers, sent back), writes the
    graph files (the four syntaxes, void.ttl, summary.json) and then the explorer while
    this one computes the report; with 1, one after another. The
    bytes are the same either way, and so is what a failure leaves in out_dir: the report
    is written only once the second process has finished. Raises KGError (DataError for
    bad data) naming what failed, the second process's failures included.
    """
    schema = load_schema()
    out_dir = Path(out_dir or Path.cwd() / "build")
    jobs = build_jobs(jobs)
    built = load_graph(data_dir, shacl=True, progress=progress)
    step = Steps(progress)
    step.begin("writing the graph files")
    void = void_graph(schema, built)
    built.add_graph(str(file_graph_iri(schema, "build/void.ttl")), void)
    void_text = turtle(void)
    if jobs > 1:
        return _build_in_two(built, out_dir, void_text, step, progress)
    clock = _Clock()
    built.written = _files_and_explorer(built, out_dir, void_text, clock)
    step(f"wrote {len(built.written)} files into {out_dir} (graph.html: the explorer; "
         f"{clock})")
    from kg.analysis.report import write_report

    built.written += write_report(built.semantics, out_dir / "report", progress=progress)
    step(f"wrote the report into {out_dir / 'report'}")
    return built


EXPLORER = "graph.html"


def _files_and_explorer(built: Built, out_dir: Path, void_text: str,
                        clock: _Clock) -> list[Path]:
    """The statistics (built.numbers), then the outputs that need only the quads (the four
    graph files, void.ttl, summary.json), then the explorer; the paths written."""
    built.numbers = stats(built)
    clock("statistics")
    _pause("graph-files")
    texts = {
        "void.ttl": void_text,
        "summary.json": json.dumps(built.numbers, indent=1, sort_keys=True,
                                   ensure_ascii=False) + "\n",
    }
    written = write_quads_files(out_dir, built.quads) + write_texts(out_dir, texts)
    clock("graph files")
    written.append(write_explorer(built.semantics, out_dir / EXPLORER))
    clock("explorer")
    return written


def _in_second_process(built: Built, out_dir: Path, void_text: str) -> tuple:
    """_files_and_explorer in the forked child: (the paths, the statistics, its times)."""
    clock = _Clock()
    written = _files_and_explorer(built, out_dir, void_text, clock)
    return written, built.numbers, str(clock)


def _build_in_two(built: Built, out_dir: Path, void_text: str, step: Steps,
                  progress: Progress | None) -> Built:
    """A forked child computes the statistics and writes the graph files and then the
    explorer (the serial build's order) while this process computes the report, which it
    writes once the child is done: a failure anywhere leaves out_dir as the serial build
    leaves it."""
    from kg.analysis.render import write
    from kg.analysis.report import FORMATS, report

    step("made the VoID description; a second process writes the graph files and the "
         "explorer")
    names = [*GRAPH_FILES, "void.ttl", "summary.json", EXPLORER]
    with Forked("writing the graph files and the explorer", _in_second_process, built,
                out_dir, void_text, on_stop=lambda: remove_partial(out_dir, names)) as child:
        try:
            doc, images = report(built.semantics, progress=progress)
        except Exception:
            child.join()  # the graph files and the explorer, as the serial build writes them
            raise
        step.restart()  # the report's lines came in between: time the wait for the child
        (built.written, built.numbers, parts), _ = child.join()
    step(f"wrote {len(built.written)} files into {out_dir} (graph.html: the explorer; "
         f"{parts}, in a second process)")
    built.written += write(doc, images, out_dir / "report", set(FORMATS))
    step(f"wrote the report into {out_dir / 'report'}")
    return built


def _pause(where: str) -> None:
    """For the interrupt tests: with KG_PAUSE_AT=where, say so on stderr (with this
    process's id) and sleep KG_PAUSE_SECONDS (60)."""
    if os.environ.get("KG_PAUSE_AT") == where:
        os.write(2, f"kg: paused in {where} (pid {os.getpid()})\n".encode())
        time.sleep(float(os.environ.get("KG_PAUSE_SECONDS", "60")))


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


__all__ = ["JOBS_ENV", "Built", "Issue", "build", "build_jobs", "check", "load_graph"]
