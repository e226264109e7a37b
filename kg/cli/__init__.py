"""The `kg` command: a few lines per command over the library; errors become messages."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import click

from kg.cli.options import (
    data_option,
    day_callback,
    echo,
    fail,
    json_records,
    no_cache_option,
)
from kg.core.errors import KGError

EPILOG_WIDTH = 100

# The commands of the other command modules, by name: each module is imported when one
# of its commands runs (or when every command is listed, for --help), so `kg query` does
# not import the curation code. tests/test_query_cli.py checks this against each
# module's COMMANDS.
LAZY_COMMANDS = {
    **dict.fromkeys(("add", "source", "edit", "link", "rename", "merge", "rm", "verify",
                     "unchecked", "show", "find", "fmt", "lint", "recover", "completion"),
                    "kg.cli.curate"),  # the maintainer's commands
    **dict.fromkeys(("query", "serve", "push", "docs"), "kg.cli.sparql"),  # SPARQL
    "report": "kg.cli.report",  # the analysis report
    "viz": "kg.cli.viz",  # the journalist's explorer
    "cache": "kg.cli.cache",  # kg's cache folder: info, clear
}


class LazyGroup(click.Group):
    """A click group whose commands in `lazy` (name -> module holding COMMANDS) are
    imported on first use. `commands` (every command, as click.Group has it) imports
    them all; running or completing one imports only its module."""

    def __init__(self, *args, lazy: dict[str, str] | None = None, **kwargs):
        self._lazy = dict(lazy or {})
        super().__init__(*args, **kwargs)

    @property
    def commands(self) -> dict[str, click.Command]:
        for module in sorted(set(self._lazy.values())):
            self._load(module)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def _load(self, module: str) -> None:
        import importlib

        for name in [n for n, m in self._lazy.items() if m == module]:
            del self._lazy[name]
        for command in importlib.import_module(module).COMMANDS:
            self.add_command(command)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        self._lazy.pop(name, None)
        self._commands[name] = cmd

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self._commands and cmd_name in self._lazy:
            self._load(self._lazy[cmd_name])
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self._commands) | set(self._lazy))

    # A KeyboardInterrupt (Ctrl-C) that ends the command line's parsing or the command is
    # noted for entry() before click turns it into "Aborted!" and status 1 (click 8.5
    # exits outside its except clause, so the SystemExit no longer carries it)
    def make_context(self, *args, **kwargs) -> click.Context:
        with _noting_interrupts():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        with _noting_interrupts():
            return super().invoke(ctx)


_INTERRUPTED = []  # a KeyboardInterrupt ended the command (LazyGroup notes it)


def note_interrupted() -> None:
    """For a command that ends a Ctrl-C itself (a message and status 130): entry() then
    ends the process as after click's "Aborted!" (see entry)."""
    progress.close()
    _INTERRUPTED.append(True)


@contextlib.contextmanager
def _noting_interrupts():
    try:
        yield
    except KeyboardInterrupt:
        _INTERRUPTED.append(True)
        progress.close()  # click's "Aborted!" then starts a line of its own, not the bar's
        raise


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"],
                               "max_content_width": EPILOG_WIDTH})
@click.version_option(package_name="ai-race-kg")
def main():
    """ai-race-kg: the sourced knowledge graph of the US-China AI race.

    Curated YAML entities in data/ are validated and built into an RDF graph.

    \b
    Example:
        kg validate          # check every file, report every problem
        kg build             # write build/graph.ttl, .nt, .jsonld, .trig
        kg stats             # counts per kind, unchecked share, facts per source
    """


_FAST_EXIT = []  # set by a command that leaves the whole graph in memory


def leave_fast() -> None:
    """Ask `entry` to end this process without freeing the heap object by object (at
    100k entities the interpreter took 4-7 s to exit, 0.4-0.8 s at 10k): for commands
    that hold the whole graph and have closed every file they wrote (build, report,
    viz, validate; fmt --check, which writes nothing)."""
    _FAST_EXIT.append(True)


def entry() -> None:
    """The `kg` console script and `python -m kg`: main(); after a command that called
    leave_fast, stdout and stderr are flushed and the process ends with the command's
    exit code through os._exit (as mypy's fast exit does), skipping the teardown.

    A command interrupted by Ctrl-C (click's "Aborted!", status 1; LazyGroup notes the
    KeyboardInterrupt) ends the same way,
    after the atexit handlers: CPython (3.8-3.11 at least) marks a KeyboardInterrupt that
    leaves code run by exec() of a string (a dataclass or namedtuple being defined by an
    import under way) as unhandled even when it is caught later, and then ends the
    process by SIGINT (-2) after its teardown instead of with status 1 (seen in about 1
    interrupted build in 10 under load).

    The entities validation leaves are frozen out of the collector's sight
    (kg.data.loader.freeze_after_loads). In-process callers (click's CliRunner, tests)
    call main and are not affected by either."""
    import os

    try:  # (a Ctrl-C here, before click runs, printed a KeyboardInterrupt traceback)
        from kg.data.loader import freeze_after_loads

        freeze_after_loads()  # the entities live until the process ends: no collection walks them
    except KeyboardInterrupt:
        from kg.__main__ import stopped_at_start

        stopped_at_start()
    try:
        main()
    except SystemExit as exc:
        interrupted = bool(_INTERRUPTED)
        if not _FAST_EXIT and not interrupted:
            raise
        code = exc.code
        if code is None:
            code = 0
        elif not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
        if interrupted and not _FAST_EXIT:
            import atexit

            atexit._run_exitfuncs()  # what the teardown would run (scratch folders...)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe (`kg build | head`): nothing to add
                pass
        os._exit(code)


class _Progress:
    """Stage-by-stage progress of long work, on stderr so stdout stays parseable.

    Each finished stage prints one line (`... built the graph (...) (1.2 s)`). On a
    terminal, the running stage also shows a live tqdm bar with its elapsed time,
    cleared when its line comes; when stderr is not a terminal (pipes, CI, tests)
    there is no bar and no escape codes, only the lines.
    """

    def __init__(self):
        self._bar = None
        self._stop = None

    def begin(self, what: str) -> None:
        self.close()
        if not sys.stderr.isatty():
            return
        import threading

        from kg.cli.stagebar import ELAPSED, StageBar

        # a terminal that says it has no size (a bare pty, some editors' shells): tqdm
        # would show nothing; 80 columns and 24 lines then. The size is stderr's, the
        # terminal the bar is drawn on (shutil.get_terminal_size asks stdout's: with
        # `kg query ... > out.csv` that is a file, and a 60-column terminal got 80-column
        # bars that wrapped, each refresh leaving a line)
        try:
            sized = min(os.get_terminal_size(sys.stderr.fileno())) > 0
        except (AttributeError, OSError, ValueError):  # no descriptor, or not a terminal's
            sized = False
        self._bar = bar = StageBar(desc=f"... {what}", file=sys.stderr, leave=False,
                                   bar_format=ELAPSED, dynamic_ncols=sized,
                                   **({} if sized else {"ncols": 80, "nrows": 24}))
        self._stop = stop = threading.Event()

        def tick():  # a stage is one call: refresh the elapsed time from a thread
            while not stop.wait(0.5):
                bar.refresh()

        threading.Thread(target=tick, daemon=True).start()

    def advance(self, done: int, total: int) -> None:
        """The running stage counts (files read): the bar shows done/total, the time
        taken and left, a rate if the terminal is wide enough (kg/cli/stagebar.py)."""
        if self._bar is not None:
            self._bar.count(done, total)

    def close(self) -> None:
        """Clear the running stage's bar, if any (before a line that must start on a line of
        its own: the next stage's, or an error's)."""
        if self._bar is not None:
            self._stop.set()
            self._bar.close()
            self._bar = self._stop = None

    def __call__(self, message: str) -> None:
        self.close()
        click.echo(f"... {message}", err=True)


progress = _Progress()


def on_terminal() -> _Progress | None:
    """`progress` when stderr is a terminal, else None: for commands whose stderr a script
    reads (validate, fmt, the maintainer's commands), the stages show only to a person."""
    return progress if sys.stderr.isatty() else None


@main.command()
@data_option
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL pass (faster; structure only).")
@click.option("--json", "as_json", is_flag=True, help="Print the issues as JSON.")
@click.option("--no-cache", is_flag=True, help="Re-read and re-check every file (as "
              "KG_NO_CACHE=1); by default only files changed since the last run are.")
def validate(data_dir, no_shacl, as_json, no_cache):
    """Check every data file and report every problem at once, sorted by file and line.

    Exits 1 if there is any error. Each line names the file, line, entity,
    what is wrong and how to fix it.

    \b
    Example:
        kg validate
        kg validate --data tests/fixtures/curate/data --json   # another data folder
    """
    from kg.data import filecache
    from kg.data.loader import issues_root, resolve_data_dir

    if no_cache:
        filecache.turn_off()

    def run() -> dict:  # the same inputs (data, ontology, kg, options) give the same answer
        from kg.rdf.load import check

        result, _ = check(data_dir, shacl=not no_shacl, progress=on_terminal())
        return {"issues": [filecache.encode_issue(i) for i in result.issues],
                "entities": len(result.entities)}

    def inputs() -> str | None:
        return filecache.enabled() and filecache.inputs_key(resolve_data_dir(data_dir),
                                                            no_shacl) or None

    issues, n_entities = filecache.remembered(
        "validate", inputs(), run,
        lambda a: ([filecache.decode_issue(i) for i in a["issues"]], int(a["entities"])),
        key_again=inputs)
    errors = [i for i in issues if i.level == "error"]
    leave_fast()  # the answer is stored and every cache file closed; the graph need not be freed
    if as_json:
        echo(json_records([i.__dict__ for i in issues], data_dir))
    else:
        from kg.data.validate import follow_on_line, in_reading_order

        root = issues_root(data_dir)
        shown, follow = in_reading_order(issues)
        for issue in shown:
            echo(issue.format(root), err=issue.level == "error")
        if follow:
            echo(follow_on_line(follow, root), err=True)
        n_err, n_warn = len(errors), len(issues) - len(errors)
        if not errors:
            echo(f"OK: {n_entities} entities valid"
                 + (f", {n_warn} warning(s)" if n_warn else "") + ".")
        else:
            echo(f"Error: {n_err} error(s), {n_warn} warning(s) in {n_entities} "
                 "entities.", err=True)
    sys.exit(0 if not errors else 1)


@main.command()
@data_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build"), show_default=True, help="Where to write the outputs.")
@no_cache_option
def build(data_dir, out_dir):
    """Validate, build the graph and write it as Turtle, N-Triples, JSON-LD and TriG.

    Also writes void.ttl (a VoID/DCAT description), summary.json, the explorer
    (graph.html), the analysis report (report/) and the ontology reference
    (docs/ontology.md, docs/ontology.html). The same input
    always gives byte-identical files, so a diff of graph.ttl shows exactly
    what a data change did.

    A second process computes the report while this one builds the graph,
    checks it and writes the graph files and the explorer (two cores);
    KG_BUILD_JOBS=1 does everything in this one process, one output after
    another (the same bytes). Without os.fork (Windows) the build uses one
    process. Every output is written under a temporary name and all are put in
    place together once the last is ready: a failure or a Ctrl-C (status 130)
    before that leaves build/ as it was.

    \b
    Example:
        kg build --out build/
        KG_BUILD_JOBS=1 kg build
    """
    try:
        from kg.pipeline import build as run_build

        built = run_build(data_dir, out_dir, progress=progress)
    except KGError as exc:
        fail(exc, data_dir)
    except KeyboardInterrupt as exc:  # Ctrl-C: say what build/ holds, end as Ctrl-C's 130
        from kg.pipeline import stopped_message

        progress.close()
        _INTERRUPTED.append(True)  # (entry() ends the process, as after "Aborted!")
        echo(stopped_message(out_dir, getattr(exc, "written", False)), err=True)
        sys.exit(130)
    leave_fast()  # every file is written and closed; the heap need not be torn down
    from kg.rdf.stats import format_stats

    out = Path(out_dir)
    top = [p for p in built.written if p.parent == out]
    for path in top:
        click.echo(f"wrote {path}")
    for folder in sorted({p.parent for p in built.written} - {out}):
        n = sum(1 for p in built.written if p.parent == folder)
        click.echo(f"wrote {folder}/ ({n} files)")
    click.echo(format_stats(built.numbers, per_source=10))  # computed once, by the build
    click.echo(f"Open {out / 'graph.html'} (the explorer) and {out / 'report' / 'report.html'} "
               "(the report) in a browser; both work offline.")


@main.command()
@data_option
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
def stats(data_dir, as_json):
    """Counts per kind (against the curation aims), unchecked share, facts per source.

    \b
    Example:
        kg stats
        kg stats --json
    """
    from kg.rdf.load import load_graph
    from kg.rdf.stats import format_stats
    from kg.rdf.stats import stats as compute

    try:
        numbers = compute(load_graph(data_dir, progress=on_terminal()))
    except KGError as exc:
        fail(exc, data_dir)
    click.echo(json.dumps(numbers, indent=1, ensure_ascii=False) if as_json
               else format_stats(numbers))


@main.command()
@click.option("--check", "check_only", is_flag=True,
              help="Exit 1 if ontology/*.ttl differ from what the schema generates.")
def ontology(check_only):
    """Regenerate ontology/ontology.ttl and ontology/shapes.ttl from ontology/schema.yaml.

    \b
    Example:
        kg ontology           # after editing ontology/schema.yaml
        kg ontology --check   # in CI
    """
    from kg.rdf.ontology import ONTOLOGY_DIR, regenerate

    stale = regenerate(write=not check_only)
    if check_only and stale:
        click.echo("Error: stale: " + ", ".join(str(p) for p in stale) + " (run `kg ontology`)",
                   err=True)
        sys.exit(1)
    click.echo(("rewrote " if stale else "up to date: ")
               + ", ".join(str(p) for p in (stale or [ONTOLOGY_DIR])))


@main.command()
@data_option
@click.option("--date", "new_date", metavar="YYYY-MM-DD", default=None, callback=day_callback,
              help="Set the day the graph describes (after a curation round).")
@click.option("--queries", "query_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="The query library whose default dates follow (default: "
              "./queries beside the data folder, if there is one).")
def dataset(data_dir, new_date, query_dir):
    """Show or set the dataset's date: the day the graph describes (data/dataset.yaml).

    Current values (the shortcut triples), the query library's date defaults, the
    explorer's first view and the report are computed for this day; builds never
    read the clock, so the same data gives the same bytes on any day.

    \b
    Example:
        kg dataset                     # the date and the as-of horizon
        kg dataset --date 2026-06-30   # advance it after a curation round

    Setting the date also rewrites the default date written in the query library's
    files (so each stays correct as it stands), and warns when the date moves back or
    falls before the newest source.
    """
    from kg.data.dataset import read_dataset_info, write_dataset_date
    from kg.data.loader import resolve_data_dir

    folder = resolve_data_dir(data_dir)
    if query_dir is None and (folder.parent / "queries").is_dir():
        query_dir = folder.parent / "queries"
    try:
        if new_date is not None:
            day = new_date
            if not folder.is_dir():
                raise KGError(f"{folder}: the data folder does not exist")
            old = read_dataset_info(folder).date
            path = write_dataset_date(folder, day)
            click.echo(f"{path}: date {old or '(none)'} -> {day.isoformat()}")
            if query_dir is not None:
                from kg.sparql.queries import write_dataset_defaults

                for changed in write_dataset_defaults(day, query_dir):
                    click.echo(f"{changed}: its default date is now {day.isoformat()}")
            else:
                # (a researcher's trial: nothing said no query file had followed the date)
                click.echo(f"Note: no query library beside {folder} ({folder.parent / 'queries'} "
                           "does not exist), so no query file's written default date was "
                           "changed; kg query and kg serve take the date from the graph they "
                           "query anyway. To rewrite a library's files: --queries DIR",
                           err=True)
            if old and day < old:
                click.echo(f"Warning: the date moved back ({old} -> {day}); current values, "
                           "the query defaults, the explorer and the report now describe "
                           "an earlier day", err=True)
            newest = _newest_source_day(folder)
            if newest and day < newest:
                click.echo(f"Warning: sources dated up to {newest} are newer than {day}; "
                           "facts they report may not hold yet on the dataset's date", err=True)
            return
        info = read_dataset_info(folder)
    except KGError as exc:
        fail(exc, data_dir)
    if info.date is None:
        click.echo(f"{folder}/dataset.yaml: none; the date is the newest source date "
                   "(`kg dataset --date YYYY-MM-DD` sets one)")
    else:
        click.echo(f"date: {info.date.isoformat()}\nas_of_horizon_days: {info.horizon_days}")


def _newest_source_day(folder: Path):
    """The first day of the newest source date in data/source/ (read as plain YAML)."""
    import yaml

    from kg.core.model import DateValue

    newest = None
    for path in sorted((folder / "source").glob("*.yaml")):
        try:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
            when = DateValue.parse(str(raw.get("date"))) if raw.get("date") else None
        except (yaml.YAMLError, ValueError, AttributeError, UnicodeDecodeError):
            continue
        if when and (newest is None or when.start > newest):
            newest = when.start
    return newest
