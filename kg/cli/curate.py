"""The maintainer's commands: add, edit, link, rename, merge, rm, verify, show, find, fmt, lint.

A thin skin over kg/curate/ops.py (and kg/curate/lint.py): options and prompts come from
ontology/schema.yaml; library errors become a message and exit 1, wrong usage
exits 2. kg/cli.py registers COMMANDS on the `kg` group.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import click
from click.shell_completion import CompletionItem, get_completion_class

from kg.cli.options import data_option, echo, json_records
from kg.core.errors import DataError, KGError
from kg.core.schema import Field, Kind, load_schema
from kg.curate import txn
from kg.data.loader import data_argument, issues_root, resolve_data_dir


class _OnFirstUse:
    """A module imported when one of its names is first used. kg.curate.ops and
    kg.data.yamlio import ruamel.yaml (~50 ms), which every `kg` command paid at start
    (this module registers its commands on `kg`), though only these commands use them."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        import importlib

        return getattr(importlib.import_module(self._name), attr)


curate = _OnFirstUse("kg.curate.ops")
yamlio = _OnFirstUse("kg.data.yamlio")


# -- shared pieces ---------------------------------------------------------------------------
def data_dir_of(ctx: click.Context | None = None) -> Path:
    given = ctx.params.get("data_dir") if ctx is not None else None
    return resolve_data_dir(given or os.environ.get("KG_DATA"))


def dry_run_option(f):
    return click.option("--dry-run", is_flag=True,
                        help="Validate and show what would change; write nothing.")(f)


def complete_ids(kinds: tuple[str, ...] = ()):
    """Shell completion of entity ids (file names under data/), optionally of some kinds."""
    def complete(ctx, param, incomplete):
        base = data_dir_of(ctx)
        folders = kinds or tuple(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else ()
        found = sorted((p.stem, kind) for kind in folders
                       for p in (base / kind).glob(f"{incomplete}*.yaml"))
        return [CompletionItem(stem, help=kind) for stem, kind in found]
    return complete


def complete_object(ctx, param, incomplete):
    """Ids of the kinds the relation accepts: `kg link deepseek-r1 developer <TAB>` offers organisations."""
    schema = load_schema()
    subject = next(iter(data_dir_of(ctx).glob(f"*/{ctx.params.get('subject')}.yaml")), None)
    kind = schema.kinds.get(subject.parent.name) if subject else None
    f = kind.fields.get(str(ctx.params.get("relation"))) if kind else None
    kinds = tuple(k for k in f.to if k != "any") if f is not None else ()
    return complete_ids(kinds)(ctx, param, incomplete)


def complete_fields(ctx, param, incomplete):
    schema = load_schema()
    names = {n for k in schema.kinds.values() for n in k.fields}
    return [CompletionItem(n) for n in sorted(names) if n.startswith(incomplete)]


@contextlib.contextmanager
def translated_errors(data_dir: Path | None = None) -> Iterator[None]:
    """Library errors -> a message on stderr and exit 1. data_dir: the --data given (None:
    the default), whose parent the issues' paths are relative to: they are printed as the
    user can open them from the current folder.

    Ctrl-C (and SIGTERM) end with status 130 and say what data/ holds: as it was (a change
    interrupted before or while it was written is rolled back), or the change (a Ctrl-C
    after it was written, while its lines were printed)."""
    _WRITTEN.clear()
    try:
        yield
    except DataError as exc:
        from kg.data.validate import follow_on_line, in_reading_order

        root = issues_root(data_dir)
        shown, follow = in_reading_order(exc.issues)
        for issue in sorted(shown, key=lambda i: not i.path):  # the verdict comes last
            if not issue.path and follow:
                echo(follow_on_line(follow, root), err=True)
                follow = []
            echo(issue.format(root) if issue.path else f"Error: {issue.message}.", err=True)
        if follow:
            echo(follow_on_line(follow, root), err=True)
        sys.exit(1)
    except KGError as exc:
        echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except (txn.Interrupted, KeyboardInterrupt):  # SIGTERM, Ctrl-C: the same words, 130
        from kg.cli import note_interrupted

        note_interrupted()
        echo(INTERRUPTED_WRITTEN if _WRITTEN else INTERRUPTED, err=True)
        sys.exit(130)


INTERRUPTED = "Error: Interrupted: data/ is as it was; nothing was written."
INTERRUPTED_WRITTEN = ("Interrupted: the change was written (data/ holds it; `git diff data/` "
                       "shows it).")
_WRITTEN: list = []  # a change this command made is in data/ (a Ctrl-C after it says so)


def commit(plan: curate.Plan, dry_run: bool = False) -> curate.Outcome:
    """curate.commit, noting a change written for the Ctrl-C message."""
    outcome = curate.commit(plan, dry_run=dry_run)
    if not dry_run and outcome.changed:
        _WRITTEN.append(True)
    return outcome


def workspace(data_dir: Path | None, recover: bool = True) -> curate.Workspace:
    """data/ for a command; a writing one first finishes an interrupted change, a reading one
    (recover=False) refuses to read a half-applied one."""
    from kg.cli import on_terminal

    ws = curate.Workspace(data_dir, recover=recover, progress=on_terminal())
    if ws.recovered:
        echo(f"note: {ws.recovered}", err=True)
    return ws


def report(outcome: curate.Outcome, verb: str = "wrote", dry_run: bool = False,
           data_dir: Path | None = None) -> None:
    for path in outcome.changed:
        done = "deleted" if path in outcome.deleted else verb
        if dry_run:
            done = {"wrote": "written"}.get(done, done)
        echo(f"would have {done} {path}" if dry_run else f"{done} {path}")
    for note in outcome.notes:
        echo(f"note: {note}")
    for issue in outcome.warnings:  # (kg lint's, of the values the change brings)
        echo(issue.format(issues_root(data_dir)), err=True)
    from kg.core.forked import pause_point

    pause_point("reported" if outcome.changed and not dry_run else "")  # (the Ctrl-C test)


def run(plan_of, data_dir, dry_run=False):
    """Plan with the library, commit, report: the body of every writing command.
    A dry run shows the change as a diff of each file."""
    with translated_errors(data_dir):
        ws = workspace(data_dir)
        plan = plan_of(ws)
        outcome = commit(plan, dry_run=dry_run)
        if dry_run:
            show_diff(plan)
        report(outcome, dry_run=dry_run, data_dir=data_dir)


def show_diff(plan: curate.Plan) -> None:
    """The unified diff of every file a planned change writes or deletes."""
    import difflib

    for rel, text in sorted(plan.writes().items()):
        shown = plan.ws.shown(plan.ws.data_dir / rel)
        before = plan.original(rel) or ""
        lines = difflib.unified_diff(before.splitlines(keepends=True),
                                     (text or "").splitlines(keepends=True),
                                     "/dev/null" if not before else f"a/{shown}",
                                     "/dev/null" if text is None else f"b/{shown}")
        for line in lines:
            echo(line, nl=not line.endswith("\n"))


def pairs(values, option: str) -> list[tuple[str, str]]:
    out = []
    for v in values:
        name, sep, text = v.partition("=")
        if not sep or not name.strip():
            raise click.UsageError(f"{option} takes FIELD=VALUE, not '{v}'")
        out.append((name.strip(), text))
    return out


# -- prompts ---------------------------------------------------------------------------------
class IdType(click.ParamType):
    """An existing entity id (of given kinds); prompts ask again until one is given."""

    name = "id"

    def __init__(self, ws: curate.Workspace | None, kinds: tuple[str, ...] = (), many=False):
        self.ws, self.kinds, self.many = ws, tuple(k for k in kinds if k != "any"), many

    def convert(self, value, param, ctx):
        if isinstance(value, list):
            return value
        ids = [v.strip() for v in str(value).split(",") if v.strip()] if self.many else [value]
        for i in ids:
            if self.ws is None:
                continue
            ent = self.ws.entities.get(i)
            if ent is None or (self.kinds and ent.kind not in self.kinds):
                what = " or ".join(self.kinds) or "entity"
                self.fail(f"'{i}' is not a known {what}"
                          f"{curate.did_you_mean(i, self._pool())}", param, ctx)
        return ids if self.many else ids[0]

    def _pool(self):
        return [i for i, e in self.ws.entities.items() if not self.kinds or e.kind in self.kinds]

    def shell_complete(self, ctx, param, incomplete):
        return complete_ids(self.kinds)(ctx, param, incomplete)


@contextlib.contextmanager
def id_completion(ws: curate.Workspace, kinds: tuple[str, ...]) -> Iterator[None]:
    """Tab-completion of ids at an interactive prompt (readline, on a terminal only)."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    if not sys.stdin.isatty():
        yield
        return
    kinds = tuple(k for k in kinds if k != "any")
    pool = sorted(i for i, e in ws.entities.items() if not kinds or e.kind in kinds)

    def completer(text, state):
        hits = [i for i in pool if i.startswith(text)]
        return hits[state] if state < len(hits) else None

    old = readline.get_completer()
    readline.set_completer(completer)
    readline.parse_and_bind("tab: complete")
    try:
        yield
    finally:
        readline.set_completer(old)


def ask(ws: curate.Workspace, kind: Kind, f: Field, schema) -> object:
    label = f.label
    if f.type == "enum":
        values = list(schema.enums[f.enum].values)
        return click.prompt(label, type=click.Choice(values))
    if f.type == "ref":
        with id_completion(ws, f.to):
            if f.many:
                label += ", ids separated by commas"
            return click.prompt(label, type=IdType(ws, f.to, many=f.many))
    value = click.prompt(label)
    return [value] if f.many else value


# -- kg add KIND / kg source add --------------------------------------------------------------
ADD_EXAMPLES = {
    "model": 'kg add model --name "DeepSeek-V3" --model-type model --developer deepseek \\\n'
             "        --released 2024-12 --source deepseek-2024-12-v3-technical-report",
    "organization": 'kg add organization --name "Moonshot AI" --org-type lab --country china '
                    "\\\n        --name-in zh=月之暗面 --source dw-2026-01-24-us-china-ai-race",
    "source": 'kg source add --title "Where is the AI race heading?" --publisher DW \\\n'
              "        --date 2026-01-24 --url https://p.dw.com/p/57FGg --source-type news "
              "--reliability high",
}


def _option_for(f: Field, ws_kinds) -> click.Option:
    dashed = "--" + f.name.replace("_", "-")
    kw: dict = {"default": None, "help": f.comment}
    if f.many:
        kw.update(multiple=True, default=())
    if f.type == "enum":
        kw["type"] = click.Choice(list(load_schema().enums[f.enum].values))
    elif f.type == "ref":
        kw["shell_complete"] = complete_ids(tuple(k for k in f.to if k != "any"))
    if f.required:
        kw["help"] += " [required]"
    if f.name == "aliases":
        return click.Option(["--alias", "aliases"], multiple=True, default=(),
                            help="Another name or spelling (repeat for more).")
    if f.name == "names":
        return click.Option(["--name-in", "names"], multiple=True, default=(), metavar="LANG=NAME",
                            help="The name in another language, e.g. zh=华为 (repeat for more).")
    if f.name == "sources":
        return click.Option(["--source", "sources"], multiple=True, default=(),
                            shell_complete=complete_ids(("source",)),
                            help="A source the facts come from (repeat for more).")
    return click.Option([dashed, f.name], **kw)


def make_add(kind: Kind, command_name: str | None = None) -> click.Command:
    from kg.data.validate import a

    schema = load_schema()
    fields = [f for n, f in kind.fields.items() if n not in ("id", "checked")]
    example = ADD_EXAMPLES.get(kind.name) or (
        f"kg add {kind.name} --name NAME " + " ".join(
            f"--{f.name.replace('_', '-')} {'VALUE' if f.type != 'enum' else next(iter(schema.enums[f.enum].values))}"
            for f in fields if f.required and f.name != "name")
        + (" --source SOURCE-ID" if kind.needs_sources else ""))
    params = [_option_for(f, schema.kinds) for f in fields]
    params += [
        click.Option(["--id", "entity_id"], help="The id (default: derived from the name)."),
        click.Option(["--yes", "-y"], is_flag=True,
                     help="Add it even if it looks like an existing entity."),
        click.Option(["--no-input"], is_flag=True,
                     help="Never ask: fail if a required field is missing."),
        click.Option(["--dry-run"], is_flag=True, help="Validate and show the file; write nothing."),
        click.Option(["--data", "data_dir"], type=click.Path(file_okay=False, path_type=Path),
                     envvar="KG_DATA", show_envvar=True, help="The data folder."),
    ]

    def callback(entity_id, yes, no_input, dry_run, data_dir, **given):
        _add(kind, entity_id, yes, no_input, dry_run, data_dir, given)

    required = ", ".join(f.name for f in fields if f.required) + (
        ", sources" if kind.needs_sources else "")
    return click.Command(
        command_name or kind.name, params=params, callback=callback,
        short_help=f"Add {a(kind.label)}.",
        help=f"Add {a(kind.label)}: {kind.comment}\n\nRequired: {required}. Whatever is missing "
             "is asked for (with the allowed values, and tab-completion of ids on a terminal). "
             "The id is derived from the name; probable duplicates (names, aliases, other-"
             "language names, spelling and transliteration variants) are shown and you are "
             "asked before anything is written. The new file is validated first; the command "
             f"prints its path.\n\n\b\nExample:\n    {example}")


def _add(kind: Kind, entity_id, yes, no_input, dry_run, data_dir, given) -> None:
    schema = load_schema()
    with translated_errors(data_dir):
        ws = workspace(data_dir)
        values: dict = {}
        for name, v in given.items():
            if v in (None, ()):
                continue
            if name == "names":
                values["names"] = dict(pairs(v, "--name-in"))
            else:
                values[name] = list(v) if isinstance(v, tuple) else v
        stripped: list[str] = []  # before a source's name and id are derived from them
        values = curate.stripped(values, stripped)
        if not values.get("name") and curate.default_name(kind.name, values):
            values["name"] = curate.default_name(kind.name, values)
        missing = [kind.fields[n] for n in yamlio.field_order(kind)
                   if n != "id" and (kind.fields[n].required
                                     or (n == "sources" and kind.needs_sources))
                   and not values.get(n)]
        if missing and no_input:
            raise click.UsageError("missing " + ", ".join(
                "--" + ("source" if f.name == "sources" else f.name.replace("_", "-"))
                for f in missing) + " (or leave out --no-input to be asked)")
        for f in missing:
            values[f.name] = ask(ws, kind, f, schema)
        matches = curate.duplicates_of(ws, kind.name, values)
        if matches:
            echo("Probable duplicates:")
            for m in matches:
                echo(f"  {m.id} ({m.kind}) {m.name}: {m.reason}")
            if not yes:
                if no_input or not click.confirm(f"Add '{values.get('name')}' anyway?",
                                                 default=False):
                    instead = (f"Cite the existing source instead ({matches[0].id})"
                               if kind.name == "source" else "Edit the existing entity instead "
                               f"(kg edit {matches[0].id} --add aliases=...)")
                    raise KGError(f"nothing was written. {instead}, or pass --yes if it "
                                  "really is a different one")
        plan = curate.add(ws, kind.name, values, entity_id)
        plan.notes[:0] = stripped
        if dry_run:
            for text in plan.writes().values():
                echo(text, nl=False)
        report(commit(plan, dry_run=dry_run), dry_run=dry_run, data_dir=data_dir)


def add_group() -> click.Group:
    schema = load_schema()
    group = click.Group("add", help=(
        "Add an entity of one kind; every field is an option, and whatever required field "
        "is missing is asked for.\n\n`kg add KIND --help` lists the fields of that kind.\n\n"
        f"\b\nExample:\n    {ADD_EXAMPLES['model']}"))
    for name, kind in schema.kinds.items():
        if name != "tombstone":
            group.add_command(make_add(kind))
    return group


def source_group() -> click.Group:
    group = click.Group("source", help=(
        "Sources: the publications facts cite.\n\n"
        f"\b\nExample:\n    {ADD_EXAMPLES['source']}"))
    group.add_command(make_add(load_schema().kinds["source"], "add"))
    return group


# -- edit, link ------------------------------------------------------------------------------
@click.command()
@click.argument("entity_id", metavar="ID", shell_complete=complete_ids())
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE",
              shell_complete=complete_fields,
              help="Set a field (a list as [a, b]; one language's name as names.zh=...).")
@click.option("--add", "adds", multiple=True, metavar="FIELD=VALUE",
              help="Add a value to a list field (aliases, sources, developer, ...).")
@click.option("--unset", "unsets", multiple=True, metavar="FIELD", help="Remove a field.")
@click.option("--remove", "removes", multiple=True, metavar="FIELD=VALUE",
              help="Remove the statement of one value from a list field (of a history: "
                   "the step --from/--to/--as-of date); the others keep their sources.")
@click.option("--deprecate", "deprecates", multiple=True, metavar="FIELD=VALUE",
              help="Rank the statement(s) of one value deprecated (superseded): kept, with "
                   "their sources and --note, but no longer holding.")
@click.option("--note", default=None, help="Why, for --deprecate (what supersedes it).")
@click.option("--source", "sources", multiple=True, shell_complete=complete_ids(("source",)),
              help="Cite this source for the facts set (they are written in long form).")
@click.option("--from", "valid_from", metavar="DATE",
              help="For --add: when the value starts to hold (a step in the field's history). "
                   "Without --add: picks the step --remove removes by its dates.")
@click.option("--to", "valid_to", metavar="DATE",
              help="For --add: when it stops holding (without --add: as --from).")
@click.option("--as-of", metavar="DATE",
              help="For --add: a date at which the source says it holds (without --add: as "
                   "--from).")
@click.option("--replace-history", is_flag=True,
              help="Let --set replace every step of a field's dated history by one value "
                   "(refused without it; a new step is added with --add and --from).")
@dry_run_option
@data_option
def edit(entity_id, sets, adds, unsets, removes, deprecates, note, sources, valid_from,
         valid_to, as_of, replace_history, dry_run, data_dir):
    """Change fields of an entity, keeping the file's comments, key order and layout.

    The entity is validated with the change before anything is written.

    \b
    Example:
        kg edit deepseek-r1 --set released=2025-01-20 --source deepseek-2025-01-20-r1-release
        kg edit huawei --add aliases="Huawei Technologies Co., Ltd." --set names.zh=华为
        kg edit nvidia-h20 --add export_status=licences-granted --from 2025-08 \\
            --source nvidia-2025-08-27-q2-fy2026-results
        kg edit ID --remove export_status=VALUE --add export_status=VALUE \\
            --from DATE --to DATE   (re-dates a step: it keeps its sources and note)
    """
    if not (sets or adds or unsets or removes or deprecates):
        raise click.UsageError("say what to change: --set FIELD=VALUE, --add FIELD=VALUE, "
                               "--remove FIELD=VALUE, --deprecate FIELD=VALUE or --unset FIELD")
    if note is not None and not deprecates:
        raise click.UsageError("--note goes with --deprecate (a note on a link: kg link --note)")
    if replace_history and not sets:
        raise click.UsageError("--replace-history goes with --set FIELD=VALUE")
    sets, adds = pairs(sets, "--set"), pairs(adds, "--add")
    removes, deprecates = pairs(removes, "--remove"), pairs(deprecates, "--deprecate")
    run(lambda ws: curate.edit(ws, entity_id, sets, adds, unsets, sources, removes, deprecates,
                               note, valid_from, valid_to, as_of, replace_history), data_dir,
               dry_run)


@click.command()
@click.argument("subject", shell_complete=complete_ids())
@click.argument("relation", shell_complete=complete_fields)
@click.argument("obj", metavar="OBJECT", shell_complete=complete_object)
@click.option("--source", "sources", multiple=True, required=True,
              shell_complete=complete_ids(("source",)), help="The source that states the link.")
@click.option("--from", "valid_from", metavar="DATE", help="When the link starts to hold.")
@click.option("--to", "valid_to", metavar="DATE", help="When it stops holding.")
@click.option("--as-of", metavar="DATE", help="A date at which the source says it holds.")
@click.option("--note", help="A note in your own words.")
@dry_run_option
@data_option
def link(subject, relation, obj, sources, valid_from, valid_to, as_of, note, dry_run, data_dir):
    """Link two entities through a relation of the subject, citing a source.

    RELATION is a reference field of the subject's kind (developer, affiliation,
    trained_on, ...). The link is a statement with its own sources and dates.

    \b
    Example:
        kg link deepseek-r1 developer deepseek --source deepseek-2025-01-20-r1-release
    """
    run(lambda ws: curate.link(ws, subject, relation, obj, sources, valid_from, valid_to, as_of,
                               note), data_dir, dry_run)


# -- rename, merge, rm -----------------------------------------------------------------------
@click.command()
@click.argument("old", shell_complete=complete_ids())
@click.argument("new")
@dry_run_option
@data_option
def rename(old, new, dry_run, data_dir):
    """Give an entity a new id: moves its file, rewrites every reference, leaves a tombstone.

    The tombstone (data/tombstone/OLD.yaml) says `replaced_by: NEW`, so an IRI
    someone cited still resolves. All files change together or none does.

    \b
    Example:
        kg rename deepseek-r1 deepseek-r1-model
    """
    run(lambda ws: curate.rename(ws, old, new), data_dir, dry_run)


@click.command()
@click.argument("duplicate", shell_complete=complete_ids())
@click.argument("keep", shell_complete=complete_ids())
@dry_run_option
@data_option
def merge(duplicate, keep, dry_run, data_dir):
    """Fold DUPLICATE into KEEP: its names become aliases, its facts move over with their
    sources and check status, references follow, and DUPLICATE becomes a tombstone
    pointing at KEEP.

    A merge never changes what a fact cites or whether it was checked: KEEP's sources
    stay as they were. Where the two disagree on a sourced fact both values are kept,
    each with its sources; a plain field of DUPLICATE moves only if the two have the same
    sources and check, else (like a plain value KEEP already has) its tombstone records it.

    \b
    Example:
        kg merge huawei-technologies huawei
    """
    run(lambda ws: curate.merge(ws, duplicate, keep), data_dir, dry_run)


@click.command("rm")
@click.argument("entity_id", metavar="ID", shell_complete=complete_ids())
@click.option("--reason", prompt="Why is it removed", help="Why; kept in the tombstone.")
@click.option("--drop-references", is_flag=True,
              help="Also remove every reference to it (otherwise: refuse and list them).")
@dry_run_option
@data_option
def rm(entity_id, reason, drop_references, dry_run, data_dir):
    """Remove an entity, leaving a tombstone that says it was withdrawn and why.

    Refuses while anything refers to it, and lists what does.

    \b
    Example:
        kg rm llama --reason "out of scope: not part of the US-China comparison"
    """
    run(lambda ws: curate.remove(ws, entity_id, reason, drop_references), data_dir, dry_run)


# -- verify, unchecked -------------------------------------------------------------------------
@click.command()
@click.argument("entity_id", metavar="ID", shell_complete=complete_ids())
@click.argument("field", required=False, shell_complete=complete_fields)
@click.option("--by", help="Who checked it (default: $KG_USER, else git's user.name).")
@click.option("--on", "on_date", metavar="DATE", help="When (default: today).")
@click.option("--against", shell_complete=complete_ids(("source",)),
              help="The source checked against (default: the fact's only source).")
@click.option("--value", help="Only the statement with this value (for a list field).")
@dry_run_option
@data_option
def verify(entity_id, field, by, on_date, against, value, dry_run, data_dir):
    """Record that you checked a fact against its source: who, when, against which source.

    Without FIELD it records a check of the entity's plain fields and of the
    facts that cite its default sources; with FIELD, of that fact's statements
    (short values are rewritten in long form to hold the check).

    \b
    Example:
        kg verify deepseek-r1 --by "Jane Doe"
        kg verify huawei-ascend-910c fab --against bitbiased-2026-12-dimensions
    """
    run(lambda ws: curate.verify(ws, entity_id, field, by, on_date, against, value), data_dir,
        dry_run)


@click.command()
@click.option("--limit", type=click.IntRange(min=0), default=0,
              help="Show at most this many (0: all).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(list(load_schema().kinds)),
              help="Only the facts of entities of this kind (repeatable).")
@click.option("--source", "sources", multiple=True, metavar="ID",
              help="Only the facts that cite this source (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the facts as JSON.")
@data_option
def unchecked(limit, kinds, sources, as_json, data_dir):
    """List the facts nobody has checked against their source yet, oldest source first.

    Facts from the bundled source articles count as checked at the source. The last
    line counts them (those --kind and --source keep).

    \b
    Example:
        kg unchecked --limit 20
        kg unchecked --kind model --source dw-2026-01-24-us-china-ai-race
    """
    with translated_errors(data_dir):
        facts = curate.unchecked(workspace(data_dir, recover=False))
    if kinds:
        facts = [f for f in facts if f.kind in kinds]
    if sources:
        facts = [f for f in facts if set(f.sources) & set(sources)]
    shown = facts[:limit] if limit else facts
    if as_json:
        echo(json_records([{**f.__dict__, "date": str(f.date) if f.date else None,
                            "value": str(f.value)} for f in shown], data_dir))
        return
    root = issues_root(data_dir)
    for f in shown:
        echo(f.format(root))
    echo(unchecked_summary(facts))
    if len(shown) < len(facts):
        echo(f"(listed the first {len(shown)}: --limit 0 lists all; --kind and --source "
             "narrow the list)")


def unchecked_summary(facts) -> str:
    """The count, and what it counts: kg stats and kg build count sourced statements and
    figures (claims, assessments) only; kg unchecked also lists entities' plain fields."""
    statements = sum(1 for f in facts if f.field is not None)
    figures = sum(1 for f in facts if f.field is None and f.kind in ("claim", "assessment"))
    plain = len(facts) - statements - figures
    if not facts:
        return "0 unchecked fact(s)."
    return (f"{len(facts)} unchecked fact(s): {statements} sourced statement(s), {figures} "
            f"figure(s) and verdict(s), and the plain fields of {plain} entit"
            f"{'y' if plain == 1 else 'ies'} (kg stats and kg build count the "
            f"{statements + figures} statements, figures and verdicts). Record a check with "
            "`kg verify ID [FIELD]`.")


# -- show, find --------------------------------------------------------------------------------
@click.command()
@click.argument("entity_id", metavar="ID", shell_complete=complete_ids())
@data_option
def show(entity_id, data_dir):
    """Show an entity: its facts with sources and check status, links out and in, sources.

    \b
    Example:
        kg show huawei
    """
    with translated_errors(data_dir):
        for line in curate.show(workspace(data_dir, recover=False), entity_id):
            echo(line)


@click.command()
@click.argument("text")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--kind", type=click.Choice(list(load_schema().kinds)),
              help="Only entities of this kind.")
@data_option
def find(text, limit, kind, data_dir):
    """Fuzzy search over ids, names and aliases in every language (华为 finds Huawei).

    \b
    Example:
        kg find "deepseek r1"
        kg find 华为
    """
    from kg.cli import on_terminal
    from kg.data.dedupe import search
    from kg.data.validate import Steps

    with translated_errors(data_dir):
        ws = workspace(data_dir, recover=False)
    ents = {i: e for i, e in ws.entities.items() if not kind or e.kind == kind}
    step = Steps(on_terminal())  # every label of every entity: 10-20 s at 100k entities
    step.begin(f"searching the names of {len(ents)} entities")
    hits = search(ents, text, limit=limit)
    step(f"searched the names of {len(ents)} entities")
    for m in hits:
        label = f"  (matched '{m.label}')" if m.label not in (m.name, m.id) else ""
        echo(f"{m.id}  {m.kind}  {m.name}{label}")
    if not hits:
        echo(f"Error: nothing like '{text}'", err=True)
        sys.exit(1)


# -- fmt, lint ---------------------------------------------------------------------------------
@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 and list the files that are not canonical.")
@click.option("--no-cache", is_flag=True, help="Format every file again (as KG_NO_CACHE=1); "
              "by default a file found canonical before and unchanged since is skipped.")
@data_option
def fmt(paths, check_only, no_cache, data_dir):
    """Rewrite data files in the canonical form (all of them, or PATHS).

    Key order follows ontology/schema.yaml; lists of ids in flow style; two-space
    indent; UTF-8; one final newline. Comments are kept, and a file's content
    never changes (it is parsed before and after to make sure).

    \b
    Example:
        kg fmt --check                 # in CI and the pre-commit hook
        kg fmt data/model/deepseek-r1.yaml
    """
    paths = [p for p in paths if p.suffix in (".yaml", ".yml")]
    with translated_errors(data_dir):
        ws = workspace(data_dir, recover=not check_only)  # a check changes nothing
        plan = curate.fmt(ws, paths or None, cache=False if no_cache else None)
        writes = plan.writes()
        for note in plan.notes:
            echo(f"note: {note}", err=True)
        for issue in plan.skipped:  # never "all files in canonical form" over a skipped file
            echo(issue.format(ws.data_dir.parent), err=True)
        skipped = (f"{len(plan.skipped)} file(s) could not be read, so were not "
                   f"checked; fix them first (`kg validate{data_argument(data_dir)}`)"
                   ) if plan.skipped else ""
        if check_only:
            from kg.cli import leave_fast

            leave_fast()  # writes nothing but its cache, saved already (the pre-commit hook)
            for rel in sorted(writes):
                echo(f"would reformat {ws.shown(ws.data_dir / rel)}")
            if writes or skipped:
                echo("Error: " + "; ".join(x for x in (
                    f"{len(writes)} file(s) not in canonical form; run "
                    f"`kg fmt{data_argument(data_dir)}`" if writes
                    else "", skipped) if x), err=True)
                sys.exit(1)
            echo("all files in canonical form")
            return
        outcome = commit(plan)
        for path in outcome.changed:
            echo(f"reformatted {path}")
        if skipped:
            echo(f"Error: {skipped}", err=True)
            sys.exit(1)
        if not writes:
            echo("all files in canonical form")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the issues as JSON.")
@click.option("--no-unchecked", is_flag=True, help="Leave out the unchecked-facts warnings.")
@data_option
def lint(as_json, no_unchecked, data_dir):
    """Flag style problems: mojibake ("â€”"), stray whitespace, long descriptions, unchecked facts.

    Exits 1 only on errors; warnings are printed but pass.

    \b
    Example:
        kg lint
        kg lint --no-unchecked --json
    """
    from kg.curate.lint import lint as run_lint

    with translated_errors(data_dir):
        issues = run_lint(workspace(data_dir, recover=False), unchecked=not no_unchecked)
    errors = [i for i in issues if i.level == "error"]
    if as_json:
        echo(json_records([i.__dict__ for i in issues], data_dir))
    else:
        root = issues_root(data_dir)
        for i in issues:
            echo(i.format(root), err=i.level == "error")
        if len(issues) > len(errors):
            echo(warnings_by_rule(issues, data_dir))
        echo(("Error: " if errors else "")
             + f"{len(errors)} error(s), {len(issues) - len(errors)} warning(s).", err=bool(errors))
    sys.exit(1 if errors else 0)


def warnings_by_rule(issues, data_dir: Path | None = None) -> str:
    """One line counting lint's warnings by rule, most first ("403 warning(s) by rule: 315
    unchecked (entities with unchecked facts: ...), 85
    no-link"): a clean clone's four hundred lines read as one list of what to do (a
    maintainer's trial)."""
    counts = Counter(i.rule or "other" for i in issues if i.level != "error")
    how = {"unchecked": " (entities with unchecked facts: "
                        f"`kg unchecked{data_argument(data_dir)}` lists the facts; "
                        "--no-unchecked leaves these out)"}
    return f"{sum(counts.values())} warning(s) by rule: " + ", ".join(
        f"{n} {rule}{how.get(rule, '')}"
        for rule, n in sorted(counts.items(), key=lambda x: (-x[1], x[0])))


# -- recovery and completion ------------------------------------------------------------------
@click.command()
@data_option
def recover(data_dir):
    """Finish (or undo) a change that was interrupted by a crash or a kill.

    Every writing command does this first by itself; this only reports.

    \b
    Example:
        kg recover
    """
    with translated_errors(data_dir):
        ws = curate.Workspace(data_dir)
    echo(ws.recovered or "nothing to recover")


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell):
    """Print the shell code that completes kg's commands, options and ids.

    \b
    Example:
        eval "$(kg completion bash)"      # in ~/.bashrc
    """
    root = click.get_current_context().find_root().command
    cls = get_completion_class(shell)
    echo(cls(root, {}, "kg", "_KG_COMPLETE").source())


COMMANDS = [add_group(), source_group(), edit, link, rename, merge, rm, verify, unchecked, show,
            find, fmt, lint, recover, completion]
