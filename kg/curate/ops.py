"""Changes to data/ for maintainers: add, edit, link, rename, merge, remove, verify, format.

Each operation plans its change in memory (the new text of every file it
touches, and the files it deletes), then `commit` validates the data set as it
would be after the change (tiers 1 and 2 on the in-memory records) and refuses
if the change brings any new error, and only then writes it, all or nothing,
through kg/curate/txn.py. Files are edited through kg/data/yamlio.py's round-trip YAML, so
comments, key order and quoting survive; new files are written canonically.

A renamed, merged or removed entity leaves a tombstone (data/tombstone/<id>.yaml)
so that an IRI someone cited still resolves: `replaced_by` (dct:isReplacedBy)
where it went, or `withdrawn` with the reason.
"""

from __future__ import annotations

import copy
import datetime as _dt
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from kg.core.errors import DataError, Issue, KGError, shown_path
from kg.core.model import DateValue, Entity, Statement, check_status
from kg.core.schema import Field, Kind, Schema, load_schema
from kg.curate import txn
from kg.data import filecache, yamlio
from kg.data.dedupe import Match, probable_duplicates, search, slug
from kg.data.loader import (
    YAML_NULLS,
    Record,
    counted,
    iter_data_files,
    load_records,
    parse_text,
    relpath,
    resolve_data_dir,
    universal_newlines,
)
from kg.data.validate import (
    ID_MAX,
    ID_RULE,
    SLUG_RE,
    FileCheck,
    Progress,
    Result,
    Steps,
    a,
    check_file,
    check_files,
    combine,
    did_you_mean,
    is_iri,
    pending_issue,
    percent_encoded,
    url_host_problem,
)

NOT_EDITABLE = {"id": "use `kg rename OLD NEW` to change an id",
                "checked": "use `kg verify ID [FIELD]` to record a check"}


def shown_id(text: str) -> str:
    """An id as messages quote it; one too long to be an id is cut (a 300-character id
    filled the terminal): 'tttt…tttt' (300 characters)."""
    if len(text) <= ID_MAX:
        return f"'{text}'"
    return f"'{text[:30]}…{text[-10:]}' ({len(text)} characters)"


def today() -> str:
    return os.environ.get("KG_TODAY") or _dt.date.today().isoformat()


def maintainer_name() -> str | None:
    """Who is checking: $KG_USER, else git's user.name (either without surrounding
    spaces; one of only spaces counts as unset); None when neither is set."""
    if os.environ.get("KG_USER", "").strip():
        return os.environ["KG_USER"].strip()
    try:
        out = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True,
                             timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


# -- the data set as it is -------------------------------------------------------------------
class Workspace:
    """data/ as it is on disk: its records, validated entities, and where each file is."""

    def __init__(self, data_dir: Path | None = None, schema: Schema | None = None,
                 recover: bool = True, progress: Progress | None = None):
        """progress (kg.cli.progress or None): told when data/ is read and checked, the
        stage that takes long on a big data set (tens of seconds at 100k files)."""
        self.data_dir = resolve_data_dir(data_dir)
        self.progress = progress
        if not self.data_dir.is_dir():
            raise KGError(f"{self.data_dir}: the data folder does not exist "
                          "(run from the repository root or pass --data DIR)")
        self.schema = schema or load_schema()
        self.recovered = None
        if recover and txn.needs_recovery(self.data_dir):
            with txn.locked(self.data_dir):
                self.recovered = txn.recover(self.data_dir)
        elif not recover and (self.data_dir / txn.JOURNAL).exists():
            # a reading command neither replays the journal nor reads a half-applied change
            issue = pending_issue(self.data_dir)
            raise KGError(f"{issue.message}; {issue.fix}")

    @cached_property
    def checks(self) -> list[FileCheck]:
        """Tier 1 of every file, in path order (re-checking only files changed since the
        last run: kg/data/filecache.py); read when first asked for. When the records are
        already parsed (kg lint reads them first), from those: no file is parsed twice."""
        if "records" in self.__dict__:
            return [check_file(rec, self.schema) for rec in self.records]
        step = Steps(self.progress)
        step.begin(f"reading and checking the data files of {self.shown(self.data_dir)}/")
        checks = check_files(self.data_dir, self.schema, advance=step.advance)
        step(f"read and checked {len(checks)} data files")
        return checks

    @cached_property
    def result(self) -> Result:
        """Tiers 1 and 2 over data/ as it is."""
        return combine(self.checks)

    @cached_property
    def records(self) -> list[Record]:
        """Every file parsed (with marks), for the rules that read the YAML itself (lint)."""
        step = Steps(self.progress)
        step.begin(f"reading the data files of {self.shown(self.data_dir)}/")
        records = load_records(self.data_dir, advance=step.advance)
        step(f"read {len(records)} data files")
        return records

    @property
    def entities(self) -> dict[str, Entity]:
        return self.result.entities

    def shown(self, path: Path | str) -> str:
        """How messages name a file: path is absolute or relative to the data folder's
        parent (an entity's path: data/model/x.yaml); the result opens from the current
        folder (kg.core.errors.shown_path)."""
        return shown_path(path, self.data_dir.parent)

    def rel(self, entity: Entity) -> str:
        """The entity's file, relative to data_dir."""
        return (self.data_dir.parent / entity.path).resolve().relative_to(
            self.data_dir.resolve()).as_posix()

    def entity(self, entity_id: str, what: str = "id") -> Entity:
        ent = self.entities.get(entity_id)
        if ent is None and len(entity_id) > ID_MAX:  # no file can have that name
            named = "" if what == "id" else f"{what} "
            raise KGError(f"{named}{shown_id(entity_id)} is not an id: {ID_RULE}")
        if ent is None:
            on_disk = sorted(self.data_dir.glob(f"*/{entity_id}.yaml"))
            if on_disk:
                raise KGError(f"{self.shown(on_disk[0])} does not validate; "
                              "fix it first (`kg validate` says how)")
            raise KGError(f"{what} '{entity_id}' is not a known entity"
                          f"{self.named(entity_id)} (`kg find TEXT` searches names)")
        return ent

    def named(self, text: str) -> str:
        """The hint for an unknown id: the entities that have it as a name, alias or name in
        another language (`huawei-technologies`, `华为`: " (did you mean 'huawei', named
        'Huawei Technologies'?)"), else the closest ids (did_you_mean), else ""."""
        same = [m for m in search(self.entities, text, limit=3) if m.score == 1.0
                and self.entities[m.id].kind != "tombstone"]
        if not same:
            return did_you_mean(text, self.entities)
        return " (did you mean " + " or ".join(
            f"'{m.id}'" + (f", named '{m.label}'" if m.label != m.id else "")
            for m in same) + "?)"

    def source(self, source_id: str) -> Entity:
        """A source, by id; an unknown one suggests only sources."""
        ent = self.entities.get(source_id)
        if ent is not None and ent.kind == "source":
            return ent
        sources = [i for i, e in self.entities.items() if e.kind == "source"]
        what = f"is {a(ent.kind)}, not a source" if ent is not None else "is not a known source"
        raise KGError(f"'{source_id}' {what}{did_you_mean(source_id, sources)} (`kg find TEXT "
                      "--kind source` searches them; `kg source add` adds one)")

    def kind(self, entity: Entity) -> Kind:
        return self.schema.kinds[entity.kind]

    def text(self, rel: str) -> str | None:
        return txn.read_text(self.data_dir / rel)

    def source_date(self, source_id: str):
        src = self.entities.get(source_id)
        return src.first("date") if src is not None and src.kind == "source" else None


# -- planning a change -----------------------------------------------------------------------
class Plan:
    """The files a change writes (edited round-trip, or new) and deletes, with notes for the user."""

    def __init__(self, ws: Workspace, action: str):
        self.ws, self.action = ws, action
        self.docs: dict[str, CommentedMap] = {}
        self.canonical: set[str] = set()  # new files: written in canonical form
        self.deleted: set[str] = set()
        self.texts: dict[str, str] = {}
        self.notes: list[str] = []
        self.originals: dict[str, str | None] = {}  # what each file held when planned
        self.skipped: list[Issue] = []  # files kg fmt could not read (a duplicate key, bad YAML)

    def original(self, rel: str) -> str | None:
        if rel not in self.originals:
            self.originals[rel] = self.ws.text(rel)
        return self.originals[rel]

    def doc(self, rel: str) -> CommentedMap:
        if rel in self.deleted:
            raise KGError(f"{rel}: the change already deletes this file")
        if rel not in self.docs:
            text = self.original(rel)
            if text is None:
                raise KGError(f"{rel}: no such file")
            self.docs[rel] = self._load(rel, text)
        return self.docs[rel]

    def _load(self, rel: str, text: str) -> CommentedMap:
        """The file's round-trip document; a file that cannot be edited (a duplicate key,
        unreadable YAML) is refused with what kg validate says of it: its path from the
        data folder's parent, line and fix (a maintainer's trial: `kg edit` named
        model/trial-y.yaml, without data/ and a line, for a duplicate key)."""
        shown = relpath(self.ws.data_dir / rel, self.ws.data_dir.parent)
        try:
            return yamlio.load(text, shown)
        except KGError:
            issues = parse_text(universal_newlines(text), shown)[1]
            if not issues:
                raise
            raise DataError(issues + [Issue(
                "", 0, message=f"{self.action}: nothing was written (fix {shown} by hand "
                "first)", rule="refused")]) from None

    def create(self, rel: str, data: CommentedMap) -> None:
        if rel in self.docs or self.original(rel) is not None and rel not in self.deleted:
            raise KGError(f"{self.ws.data_dir / rel} already exists")
        self.deleted.discard(rel)
        self.docs[rel] = data
        self.canonical.add(rel)

    def delete(self, rel: str) -> None:
        self.original(rel)
        self.docs.pop(rel, None)
        self.deleted.add(rel)

    def set_text(self, rel: str, text: str) -> None:
        self.original(rel)
        self.texts[rel] = text

    def writes(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {rel: None for rel in self.deleted}
        for rel, data in self.docs.items():
            kind = yamlio.kind_of(self.ws.schema, rel)
            if rel in self.canonical:
                data = yamlio.canonical(data, kind)
            text = yamlio.dump(yamlio.quote_for_other_readers(data, kind))
            if rel not in self.canonical:
                text = same_layout(text, self.original(rel) or "")
            out[rel] = text
        out.update(self.texts)
        return {rel: text for rel, text in out.items() if text != self.original(rel)}


def same_layout(text: str, original: str) -> str:
    """An edited file keeps its byte-order mark and CRLF line ends, so that the diff of a
    one-field change is that field's lines (kg fmt makes files canonical: no BOM, LF)."""
    if "\r\n" in original and "\r\n" not in text:
        text = text.replace("\n", "\r\n")
    if original.startswith("\ufeff") and not text.startswith("\ufeff"):
        text = "\ufeff" + text
    return text


@dataclass
class Outcome:
    changed: list[str]  # paths as the user opens them from the current folder (shown_path)
    notes: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # those of `changed` that were deleted
    warnings: list[Issue] = field(default_factory=list)  # of `kg lint`'s, those it brings


def new_errors(before: Result, after: Result) -> list[Issue]:
    """Errors the change brings: those of `after` that `before` did not have."""
    def key(i: Issue):
        return (i.path, i.entity, i.rule, i.message)

    old = {key(i) for i in before.errors}
    return [i for i in after.errors if key(i) not in old]


def _semantic_checks(ws: Workspace, after: Result,
                     writes: dict[str, str | None]) -> tuple[list[Issue], list[str]]:
    """What the semantic layer says of the entities of the files a change writes that it
    did not say before the change: (errors, notes). Errors: two current values of a
    single-valued field on the dataset's date (an error of `kg validate` and `kg build`:
    a change that leaves one is refused, as any other error is; a `kg edit --add` could
    write one that only the next `kg validate` told). Notes: an undated step among dated
    ones (Timeline.undated_steps, which `kg lint` warns of): it counts as the field's
    first step (a researcher's trial: an undated "banned" went silently first)."""
    import dataclasses

    from kg.data.dataset import read_dataset_info
    from kg.semantics import Semantics, newest_source_date

    tails = {Path(rel).parts[-2:] for rel, text in writes.items() if text is not None}
    info = read_dataset_info(ws.data_dir)
    info = dataclasses.replace(info, date=info.date or newest_source_date(after.entities))

    def said(entities) -> tuple[list[Issue], list[str]]:
        mine = {i: e for i, e in entities.items() if Path(e.path).parts[-2:] in tails}
        if not mine:
            return [], []
        sem = Semantics(ws.schema, mine, info)
        return sem.conflict_issues(), [
            f"{ent.id}.{name} = {st.value} has no date, beside dated values: it counts as "
            "the first step of the field's history (it holds until the first dated value "
            "starts); if it is a later step, add it with --from DATE instead"
            for ent, name, st, _ in sem.timeline.undated_steps()]

    old_errors, old_notes = said(ws.entities)
    errors, notes = said(after.entities)
    old = {(i.entity, i.message) for i in old_errors}
    return ([i for i in errors if (i.entity, i.message) not in old],
            [n for n in notes if n not in old_notes])


def preview(ws: Workspace, writes: dict[str, str | None]) -> Result:
    """Tiers 1-2 over data/ as it would be after `writes`."""
    root = ws.data_dir.parent
    changed = {relpath(ws.data_dir / rel, root) for rel in writes}
    checks = [c for c in ws.checks if c.rel not in changed]  # unchanged files: as checked
    for rel, text in writes.items():
        if text is None:
            continue
        path = ws.data_dir / rel
        parts = Path(rel).parts
        data, issues = parse_text(text, relpath(path, root))
        checks.append(check_file(Record(path, relpath(path, root),
                                        parts[0] if len(parts) > 1 else "",
                                        path.name.rsplit(".", 1)[0], data, issues), ws.schema))
    checks.sort(key=lambda c: c.rel)
    return combine(checks)


def commit(plan: Plan, hook: txn.Hook | None = None, dry_run: bool = False) -> Outcome:
    """Validate the planned change against the whole data set, then write it atomically."""
    ws = plan.ws
    writes = plan.writes()
    if not writes:
        return Outcome([], plan.notes + ["nothing to change"])
    after = preview(ws, writes)
    errors = new_errors(ws.result, after)
    notes: list[str] = []
    if not errors:
        errors, notes = _semantic_checks(ws, after, writes)
    if errors:
        raise DataError(errors + [Issue("", 0, message=f"{plan.action}: nothing was written",
                                        fix="correct the values and run the command again",
                                        rule="refused")])
    plan.notes += notes
    warnings = _new_formulas(plan, writes)
    shown = sorted(ws.shown(ws.data_dir / rel) for rel in writes)
    gone = sorted(ws.shown(ws.data_dir / rel) for rel, text in writes.items() if text is None)
    if after.errors:  # written, as the change adds none; but data/ is still not valid
        plan.notes.append(f"{ws.shown(ws.data_dir)}/ still has {len(after.errors)} error(s), "
                          "none of them from this change: `kg validate` lists them")
    if dry_run:
        return Outcome(shown, plan.notes + ["dry run: nothing was written"], gone, warnings)
    originals = {rel: plan.original(rel) for rel in writes}
    txn.apply(ws.data_dir, writes, originals, hook)
    return Outcome(shown, plan.notes, gone, warnings)


def _new_formulas(plan: Plan, writes: dict[str, str | None]) -> list[Issue]:
    """`kg lint`'s warning for a value a spreadsheet would run as a formula
    (kg.core.cells), for each such value the change writes that its file did not hold
    (a trial added a name '=HYPERLINK("http://evil.example","Trial")' without a word)."""
    from kg.curate.lint import formula_issues

    root = plan.ws.data_dir.parent
    out = []
    for rel, text in sorted(writes.items()):
        if text is None:
            continue
        path = plan.ws.data_dir / rel
        shown, stem = relpath(path, root), path.name.rsplit(".", 1)[0]
        old = plan.original(rel)
        before = {i.message for i in formula_issues(shown, stem, parse_text(old, shown)[0])} \
            if old else set()
        out += [i for i in formula_issues(shown, stem, parse_text(text, shown)[0])
                if i.message not in before]
    return out


# -- values ----------------------------------------------------------------------------------
def items_of(value) -> list:
    return list(value) if isinstance(value, list) else [value]


def value_of(item) -> Any:
    return item.get("value") if isinstance(item, dict) else item


def long_form(item, sources=None, checked=None) -> CommentedMap:
    """A statement as a mapping; `sources` only added where it names none."""
    if isinstance(item, CommentedMap):
        out = item
    else:
        out = CommentedMap()
        out["value"] = item
    if sources and "sources" not in out:
        out["sources"] = CommentedSeq(sources)
    if checked is not None and "checked" not in out:
        out["checked"] = yamlio.to_yaml(checked)
    return out


def iri_value(f: Field, value, notes: list[str]):
    """A URL typed or pasted with characters an IRI may not hold (`|`, spaces, `<`), written in
    its percent-encoded form, which says the same; other values as given."""
    if f.type != "url" or not isinstance(value, str) or is_iri(value) or url_host_problem(value):
        return value  # (a host that is no host name is refused by validation, not encoded)
    fixed = percent_encoded(value)
    if fixed != value and is_iri(fixed):
        notes.append(f"{f.name}: wrote the URL percent-encoded: {fixed}")
        return fixed
    return value


def parse_value(text: str, many: bool, option: str = "the value") -> Any:
    """A value from the command line: text; for a list field, `[a, b]` is a list (of plain
    values). option: how messages name where it was given (`--set aliases=[a, b`)."""
    text = text.strip()
    if many and text.startswith("["):
        # (a maintainer's trial: `--set "aliases=[a, b"` was told "the file is not valid
        # YAML; fix it by hand first", of a file that was fine)
        try:
            parsed = yamlio.load(f"v: {text}\n", "the value")["v"]
        except KGError:
            parsed = None
        if not isinstance(parsed, list) or any(isinstance(v, (dict, list)) for v in parsed):
            raise KGError(f"{option}: the value is not a list of plain values: write it as "
                          "[a, b] (with its closing bracket; quote an item that holds a comma, "
                          "a bracket, a brace or ': ', as in [\"a, b\", c]), or give one value "
                          "without brackets; nothing was written")
        return [str(v) for v in parsed]
    return [text] if many else text


def default_name(kind: str, values: dict[str, Any]) -> str | None:
    """A source's name, when not given: "Publisher: Title"."""
    if kind == "source" and values.get("title") and values.get("publisher"):
        return f"{values['publisher']}: {values['title']}"
    return None


def default_id(kind: str, values: dict[str, Any]) -> str:
    if kind == "source" and values.get("title"):
        publisher = (values.get("publisher") or "").split(" ")[0]
        base = slug(f"{publisher} {values.get('date') or ''} {values['title']}")
        parts, out = base.split("-"), []
        for p in parts:  # at most ~60 characters, cut at a word
            if len("-".join(out + [p])) > 60:
                break
            out.append(p)
        return "-".join(out) or base
    return slug(str(values.get("name") or ""))


def _check_derived_id(kind_name: str, values: dict[str, Any], entity_id: str) -> None:
    """Refuse an id derived from a name (a source's from its title) that gives none: say
    so of the name given (a maintainer's trial: `--name '🤖🤖'` was told "give a name", and
    `--name 'محمد'` "'محمد' is not an id", though no id was given)."""
    if SLUG_RE.match(entity_id):
        return
    basis = "title" if kind_name == "source" and values.get("title") else "name"
    given = values.get(basis)
    if not given:
        raise KGError(f"cannot derive an id: give a {basis} (or --id)")
    why = (f"it gives '{entity_id}'" if re.search("[a-z0-9]", entity_id)
           else "it has no Latin letters or digits")
    raise KGError(f"no id can be derived from the {basis} '{given}' ({why}): pass --id with "
                  "one (lower-case Latin letters, digits and hyphens, e.g. --id deepseek-r1)")


def check_id(ws: Workspace, entity_id: str, choose: str = "choose another with --id") -> None:
    if not SLUG_RE.match(entity_id):
        raise KGError(f"{shown_id(entity_id)} is not an id: {ID_RULE}")
    existing = ws.entities.get(entity_id) or next(iter(ws.data_dir.glob(f"*/{entity_id}.yaml")),
                                                  None)
    if existing is not None:
        where = ws.shown(existing.path if isinstance(existing, Entity) else existing)
        raise KGError(f"id '{entity_id}' is taken ({where}); {choose}")


# -- add -------------------------------------------------------------------------------------
def build_entity(kind: Kind, entity_id: str, values: dict[str, Any]) -> CommentedMap:
    data = CommentedMap()
    data["id"] = entity_id
    for name in yamlio.field_order(kind):
        v = values.get(name)
        if v in (None, "", [], {}):
            continue
        f = kind.fields.get(name)
        if f is not None and f.type == "ref" and name != "sources" and isinstance(v, list) \
                and len(v) == 1:
            v = v[0]  # one reference is written plain (`developer: deepseek`), as by hand
        data[name] = yamlio.to_yaml(v)
    unknown = sorted(set(values) - set(kind.fields))
    if unknown:
        raise KGError(f"unknown field(s) for {a(kind.label)}: {', '.join(unknown)}")
    return yamlio.canonical(data, kind)


def _identifier(field_name: str, value) -> str:
    """An identifier compared as text; a URL without its scheme, `www.` and a last `/`, its
    host in lower case (http://www.DW.com/x/ and https://dw.com/x name one page)."""
    text = str(value).strip()
    if field_name != "url":
        return text
    host, _, path = re.sub(r"^https?://(www\.)?", "", text, flags=re.I).partition("/")
    return f"{host.lower()}/{path}".rstrip("/")


def duplicates_of(ws: Workspace, kind: str, values: dict[str, Any]) -> list[Match]:
    """The entities that probably are the one `values` describe: by name, alias or
    other-language name (kg.data.dedupe), and entities of the same kind with the same URL,
    Wikidata id, DOI, arXiv id or other identifier (score 1.0), best first."""
    new = [values.get("name") or "", *(values.get("aliases") or [])]
    new += list((values.get("names") or {}).values())
    from kg.semantics.links import IDENTIFIER_FIELDS  # (kg.semantics: not at start-up)

    entities = ws.entities  # (data/ read and checked first: a stage of its own)
    step = Steps(ws.progress)  # every label of every entity of the kind: seconds at 100k
    step.begin(f"looking for entities like the new {kind}")
    found = {m.id: m for m in probable_duplicates(entities, kind, [x for x in new if x])}
    step(f"looked for entities like the new {kind}")
    # fields whose equal values name one thing: a second source with the same URL or DOI
    # is a duplicate whatever its title says
    given = {f: _identifier(f, values[f]) for f in ("url", "wikidata", *IDENTIFIER_FIELDS)
             if values.get(f)}
    for ent in ws.entities.values() if given else ():
        if ent.kind != kind:
            continue
        for f, mine in given.items():
            theirs = ent.first(f)
            if theirs is not None and _identifier(f, theirs) == mine:
                found[ent.id] = Match(ent.id, ent.kind, ent.name, str(theirs), 1.0,
                                      f"same {f}: {theirs}")
                break
    return sorted(found.values(), key=lambda m: (-m.score, m.id))


def add(ws: Workspace, kind_name: str, values: dict[str, Any], entity_id: str | None = None) -> Plan:
    """Plan a new entity file data/<kind>/<id>.yaml (id derived from the name unless given)."""
    kind = ws.schema.kinds.get(kind_name)
    if kind is None or kind_name == "tombstone":
        raise KGError(f"unknown kind '{kind_name}'{did_you_mean(kind_name, ws.schema.kinds)}")
    if not entity_id:
        entity_id = default_id(kind_name, values)
        _check_derived_id(kind_name, values, entity_id)
    check_id(ws, entity_id)
    plan = Plan(ws, f"kg add {kind_name}")
    values = stripped(values, plan.notes)
    values = {k: iri_value(kind.fields[k], v, plan.notes) if k in kind.fields else v
              for k, v in values.items()}
    plan.create(f"{kind_name}/{entity_id}.yaml", build_entity(kind, entity_id, values))
    return plan


def stripped(values: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """The values of `kg add` without spaces around them, as `kg edit --set` gives them (a
    trial: `--name "  X  "` was written as given, and `kg lint` then failed on it); a
    note names the fields stripped. A name in another language that is empty or only
    spaces is refused."""
    out, stripped = {}, []
    for k, v in values.items():
        if isinstance(v, str):
            new: Any = v.strip()
        elif isinstance(v, list):
            new = [x.strip() if isinstance(x, str) else x for x in v]
        elif isinstance(v, dict):
            new = {tag: x.strip() if isinstance(x, str) else x for tag, x in v.items()}
            for tag, x in new.items():
                if x == "":
                    raise KGError(f"--name-in {tag}={v[tag]}: give the name in {tag} (a name "
                                  "cannot be empty); nothing was written")
        else:
            new = v
        if new != v:
            stripped.append(k)
        out[k] = new
    if stripped:
        notes.append("removed the spaces around the value of " + ", ".join(stripped)
                     + " (as kg edit does)")
    return out


# -- edit and link -----------------------------------------------------------------------------
def _field(ws: Workspace, entity: Entity, name: str) -> Field:
    kind = ws.kind(entity)
    name = name.replace("-", "_")
    if name in NOT_EDITABLE:
        raise KGError(f"{name} cannot be set with kg edit: {NOT_EDITABLE[name]}")
    f = kind.fields.get(name)
    if f is None:
        raise KGError(f"unknown field '{name}' for {a(kind.label)}{did_you_mean(name, kind.fields)}; "
                      f"fields: {', '.join(n for n in kind.fields if n not in NOT_EDITABLE)}")
    return f


def _set_field(doc: CommentedMap, kind: Kind, name: str, value) -> None:
    """Set a field, new keys in canonical position, the value in canonical style."""
    yamlio.insert_in_order(doc, name, yamlio.to_yaml(value), yamlio.field_order(kind))
    yamlio.style_key(doc, name, kind)


def _same_statement(old, item):
    """The statement of `old` (a field's value: one item or a list) with item's value and
    the same sources, if there is one that still holds as written (it is the same fact,
    with its check, dates and note); else item. A plain item (no sources) matches a plain
    old value. A statement that has ended (`to`) or is ranked deprecated is not the fact
    being set: `--set export_status=restricted` kept "restricted, to 2025-12", so the
    status the user set ended before the day it was set."""
    def key(i):
        if isinstance(i, dict):
            return (yamlio.plain(i.get("value")),
                    sorted(str(x) for x in items_of(i.get("sources") or [])))
        return yamlio.plain(i), []  # (a spelled null, `name: ~`, is no value, not the word)

    want = key(item)
    return next((i for i in items_of(old) if _holds_as_written(i) and key(i) == want), item)


def _holds_as_written(i) -> bool:
    """A statement that still holds as written: not ended (`to`), not ranked deprecated."""
    return not isinstance(i, dict) or ("to" not in i and i.get("rank") != "deprecated")


def _with_sources(old, values: list[str], src: list[str], default: list[str]):
    """old (a field's value) with src added to the sources of each statement that still
    holds, when those statements hold exactly `values` (the value being set again,
    confirmed by another source); a plain value becomes a statement citing the entity's
    own sources (`default`, which gave it) and src. None when the values differ."""
    holding = [i for i in items_of(old) if _holds_as_written(i)]
    if sorted(str(value_of(i)) for i in holding) != sorted(values):
        return None

    def more(i):
        if not _holds_as_written(i):
            return i
        # (a copy: old is compared with the result, and stays as it was if unused)
        out = copy.deepcopy(i) if isinstance(i, dict) else long_form(i, list(default))
        cited = [str(x) for x in items_of(out.get("sources") or [])]
        out["sources"] = CommentedSeq(cited + [x for x in src if x not in cited])
        return out
    return [more(i) for i in old] if isinstance(old, list) else more(old)


def _said(value, default=()) -> str:
    """A field's value as a maintainer reads it: each statement's value with its dates and
    sources ("2025-07-11 [moonshot-2025-07-kimi-k2-paper]"), not the raw mapping; a plain
    value with the entity's own sources (`default`), which it cites."""
    def one(i):
        if not isinstance(i, dict):
            return str(i) + (f" [{', '.join(default)}]" if default else "")
        if "value" not in i:  # a mapping that is the value itself (names: {zh: ...})
            return str(yamlio.plain(i))
        dates = " ".join(f"{k} {i[k]}" for k in ("from", "to", "as_of") if k in i)
        srcs = ", ".join(str(x) for x in items_of(i.get("sources") or []))
        marks = [m for m, on in (("checked", i.get("checked")),
                                 ("deprecated", i.get("rank") == "deprecated")) if on]
        return (f"{value_of(i)}" + (f" ({dates})" if dates else "")
                + (f" [{srcs}]" if srcs else "") + "".join(f" ({m})" for m in marks))
    return "; ".join(one(i) for i in items_of(value))


def edit(ws: Workspace, entity_id: str, sets=(), adds=(), unsets=(), sources=(),
         removes=(), deprecates=(), note: str | None = None, valid_from=None, valid_to=None,
         as_of=None, replace_history: bool = False) -> Plan:
    """Plan setting, adding to or removing fields of one entity.

    sets/adds: (field, text) pairs; `names.zh=华为` sets one language's name. With
    `sources`, the facts set are written in long form citing those sources.
    deprecates: (field, value) pairs: those statements get `rank: deprecated` and `note`
    (why: what supersedes them), keeping their sources and check. KGError when the field
    is plain, has no such value, or note is missing.
    valid_from/valid_to/as_of: dates for the values `adds` writes (a step in a field's
    history, as kg link dates a link); without adds, they pick the statement `removes`
    removes (its dates); KGError without either, or as kg link's. Removes are made before
    adds, so that removing a statement and adding it again re-dates it.
    replace_history: a --set may replace a temporal field's dated history (refused
    without it: _check_history).
    """
    ent = ws.entity(entity_id)
    kind = ws.kind(ent)
    rel = ws.rel(ent)
    plan = Plan(ws, f"kg edit {entity_id}")
    doc = plan.doc(rel)
    src = list(sources)
    for s_id in src:
        ws.source(s_id)
    if src:
        named = [_field(ws, ent, n.partition(".")[0]) for n, _ in [*sets, *adds]]
        if not any(f.sourced for f in named):
            raise KGError("--source cites a source for the facts you --set or --add, but "
                          + (f"{', '.join(f.name for f in named)} "
                             f"{'is a plain field' if len(named) == 1 else 'are plain fields'}"
                             f" (the entity's sources cover {'it' if len(named) == 1 else 'them'}"
                             f"; add one with --add sources=ID)" if named else
                             "there are none"))

    def fact(f: Field, v: str):
        return long_form(v, src) if (src and f.sourced) else v

    def by_default(f: Field, text: str) -> None:
        """A fact set without --source cites the entity's own sources: say so, with the
        check status that gives it (a new figure shown as from-article is a claim)."""
        if f.sourced and not src:
            status = check_status(ws.entities, ent.sources, doc.get("checked"))
            plan.notes.append(f"{entity_id}.{f.name} = {text} cites {entity_id}'s own sources "
                              f"({', '.join(ent.sources) or 'none'}; {status}); if another "
                              "source gives it, pass --source SOURCE")

    for name, text in sets:
        base, _, lang = name.partition(".")
        f = _field(ws, ent, base)
        _check_not_null(kind, f, name, text)
        if f.type == "langmap":
            if not lang:
                raise KGError(f"set one language at a time: --set {f.name}.zh=<name>")
            if not text.strip():  # (a trial: `--set names.zh=` wrote "zh: ''")
                raise KGError(f"--set {name}={text}: give the name in {lang} (a name cannot "
                              f"be empty; --unset {name} removes it); nothing was written")
            names = doc.get(f.name)
            if not isinstance(names, CommentedMap):
                names = CommentedMap()
            names[lang] = text.strip()
            _set_field(doc, kind, f.name, names)
            continue
        if lang:
            # (a maintainer's trial: `--set affiliation.role=CEO` replaced the whole
            # affiliation by "CEO", and the message for it suggested that very syntax)
            qualifiers = ", ".join(f.qualifiers)
            raise KGError(
                f"--set {name}={text}: a dot names a language, and only on a field of names "
                f"(--set names.zh=...); {f.name} is set whole: --set {f.name}=VALUE"
                + (f". Its qualifiers ({qualifiers}) are written in the file's long form "
                   "(see ontology/schema.yaml), not with --set" if qualifiers else ""))
        if src and not f.sourced:
            plan.notes.append(f"{f.name} is a plain field: --source does not apply to it "
                              "(the entity's sources cover it)")
        old = doc.get(f.name)
        cited = sorted({str(x) for i in items_of(old) if isinstance(i, dict)
                        for x in items_of(i.get("sources") or [])}) if old is not None else []
        if f.sourced and not src and cited:
            # replaced by a plain value, the fact would silently move from the source it
            # cites to the entity's own sources (and their check status)
            if not replace_history:  # (refused, whatever the source: say the bigger loss)
                _check_history(entity_id, f, old, text, ent.sources)
            again = f"kg edit {entity_id} --set {name}={text} --source SOURCE"
            if set(cited) <= set(ent.sources):
                # (a maintainer's trial: "cites S; ... would cite C's own sources (S)
                # instead", where the two were the same)
                raise KGError(f"{entity_id}.{f.name} cites {', '.join(cited)}: name the "
                              f"source that gives {text} with --source ({again})")
            raise KGError(f"{entity_id}.{f.name} cites {', '.join(cited)}; set without "
                          f"--source, {text} would cite {entity_id}'s own sources "
                          f"({', '.join(ent.sources) or 'none'}) instead: name the source that "
                          f"gives it ({again})")
        value = iri_value(f, parse_value(text, f.many, f"--set {name}={text}"), plan.notes)
        new = [fact(f, v) for v in value] if f.many else fact(f, value)
        if old is not None and src and f.sourced:
            # the value it already holds, from another source: that source is added, not
            # swapped in (a researcher's trial: the paper the release date cited went)
            kept = _with_sources(old, [str(v) for v in items_of(value)], src, ent.sources)
            if kept is not None and yamlio.plain(kept) == yamlio.plain(old):
                plan.notes.append(f"{entity_id}.{f.name} is already {text} citing "
                                  f"{', '.join(src)}: left as it was")
                continue
            if kept is not None:
                plan.notes.append(f"{entity_id}.{f.name} is already {text}: added "
                                  f"{', '.join(src)} to the sources it cites (was: "
                                  f"{_said(old, ent.sources)}); to cite only "
                                  f"{', '.join(src)}, "
                                  + (f"--remove {f.name}={text} and --add it again with "
                                     "--source (its dates with --from/--to/--as-of)"
                                     if isinstance(old, list) else f"--unset {f.name} first"))
                _set_field(doc, kind, f.name, kept)
                continue
        if old is not None:
            # a statement set again with the same value and sources is the same fact: it
            # keeps its check, dates and note (set again, it lost its `checked` record)
            new = ([_same_statement(old, n) for n in new] if f.many
                   else _same_statement(old, new))
            if yamlio.plain(new) == yamlio.plain(old) or (
                    not f.many and yamlio.plain(items_of(new)) == yamlio.plain(items_of(old))):
                plan.notes.append(f"{entity_id}.{f.name} is already {text}"
                                  + (f" citing {', '.join(src)}" if src and f.sourced else "")
                                  + ": left as it was")
                continue
            if not replace_history:
                _check_history(entity_id, f, old, text, ent.sources)
            plan.notes.append(f"{entity_id}.{f.name} was: "
                              f"{_said(old, ent.sources if f.sourced else ())}")
        by_default(f, text)
        _set_field(doc, kind, f.name, new)
    dates = {k: str(v).strip() for k, v in (("from", valid_from), ("to", valid_to),
                                            ("as_of", as_of)) if v}
    if dates and not (adds or removes):
        raise KGError("--from, --to and --as-of date the values --add writes (a step in a "
                      "field's history), or pick by its dates the statement --remove removes; "
                      "to change a statement's dates, --remove it and --add it again with them")
    added = {_field(ws, ent, n).name for n, _ in adds}
    # (field, value) -> the one statement removed, and where it stood among those kept
    redated: dict[tuple[str, str], tuple[Any, int]] = {}
    # removes first, whichever option was given first: `--remove F=V --add F=V --from D`
    # re-dates a statement (a maintainer's trial: the add found V there and did nothing,
    # the remove then took it, and the command said `wrote`: the fact was lost)
    for name, text in removes:
        f = _field(ws, ent, name)
        if f.name not in doc:
            raise KGError(f"{entity_id} has no {f.name}")
        if not adds:
            _check_dates(f, valid_from, valid_to, as_of)
        default = ent.sources if f.sourced else ()
        have = items_of(doc[f.name])
        gone = _to_remove(entity_id, f, have, text, {} if adds else dates, bool(adds), default)
        keep = [i for i in have if not any(i is g for g in gone)]
        if len(gone) == 1:
            at = next(n for n, i in enumerate(have) if i is gone[0])
            redated[f.name, text] = gone[0], at
        if not keep and f.required and f.name not in added:
            raise KGError(f"{f.name} is required for {a(kind.label)}: set another value instead")
        plan.notes.append(f"{entity_id}.{f.name}: removed {len(gone)} statement(s): "
                          f"{_said(gone, default)}"
                          + ("; the others keep their sources" if keep else ""))
        if not keep:
            del doc[f.name]
        elif isinstance(doc[f.name], list):
            doc[f.name][:] = keep  # in place: the others keep their text, sources, comments
        else:  # pragma: no cover - a single value either matches or not
            pass
    for name, text in adds:
        f = _field(ws, ent, name)
        if not (f.many or f.temporal):
            raise KGError(f"{f.name} holds one value: use --set {f.name}=...")
        _check_dates(f, valid_from, valid_to, as_of)
        have = items_of(doc[f.name]) if f.name in doc else []
        period = (dates.get("from"), dates.get("to"))
        for v in parse_value(text, True, f"--add {name}={text}"):
            same = [i for i in have if str(value_of(i)) == v]
            if f.temporal and period != (None, None):
                # another period of a value it had: a new step (banned, licences granted,
                # banned again), as kg link adds a second window of a link
                other = same
                same = [i for i in same if _dates_of(i)[:2] == period]
                if other and not same:
                    plan.notes.append(
                        f"{entity_id}.{f.name} had {v} already, for another period: "
                        f"{_said(other, ent.sources if f.sourced else ())}; this adds a "
                        f"step of its own (to re-date that one instead: --remove "
                        f"{f.name}={v} --add {f.name}={v} with the dates, in one command)")
            if same:
                plan.notes.append(
                    f"{entity_id}.{f.name} already has "
                    f"{_said(same, ent.sources if f.sourced else ())}"
                    + ("; another period of it is added with its dates (--from/--to)"
                       if f.temporal and period == (None, None) else ""))
                continue
            new = _dated(fact(f, v), dates)
            old, at = redated.get((f.name, v), (None, len(have)))
            if isinstance(old, dict):
                new = _redated(entity_id, kind, f, new, old, plan)
            if "sources" not in (new if isinstance(new, dict) else {}):
                by_default(f, v)
            have.insert(at, new)  # a re-dated step where it was, a new one last
        _set_field(doc, kind, f.name, have)
    if deprecates and not (note and note.strip()):
        raise KGError("say why it is deprecated: --note \"...\" (what supersedes it); the "
                      "statement stays in the graph, ranked down, with its note")
    for name, text in deprecates:
        f = _field(ws, ent, name)
        if not f.sourced:
            raise KGError(f"{f.name} is a plain field: only a sourced fact has a rank")
        if f.name not in doc:
            raise KGError(f"{entity_id} has no {f.name}")
        raw = doc[f.name]
        items = items_of(raw)
        hits = [i for i, item in enumerate(items) if str(value_of(item)) == text
                and not (isinstance(item, dict) and str(item.get("rank")) == "deprecated")]
        if not hits:
            raise KGError(f"{entity_id}.{f.name} has no value '{text}' that is not deprecated "
                          "already; it has: " + ", ".join(str(value_of(i)) for i in items))
        for i in hits:  # long form keeps its sources and check (none: the entity's)
            new = long_form(items[i])
            new["rank"] = "deprecated"
            had = str(new.get("note") or "").strip()  # a note it had is kept, first
            new["note"] = f"{had} Deprecated: {note.strip()}" if had else note.strip()
            new = yamlio.style_statement(new, 4 if isinstance(raw, list) else 2, kind, f.name)
            if isinstance(raw, list):
                raw[i] = new
            else:
                doc[f.name] = new
        plan.notes.append(f"{entity_id}.{f.name}: {len(hits)} statement(s) of {text} ranked "
                          "deprecated; they stay in the graph but no longer hold")
    for name in unsets:
        base, _, lang = name.partition(".")
        f = _field(ws, ent, base)
        if f.required and not lang:
            raise KGError(f"{f.name} is required for {a(kind.label)}: set another value instead")
        if lang:
            names = doc.get(f.name) or {}
            if lang not in names:
                raise KGError(f"{entity_id} has no {f.name}.{lang}")
            del names[lang]
            if not names:
                del doc[f.name]
            continue
        if f.name not in doc:
            raise KGError(f"{entity_id} has no {f.name}")
        plan.notes.append(f"{entity_id}.{f.name} was: "
                          f"{_said(doc[f.name], ent.sources if f.sourced else ())}")
        del doc[f.name]
    return plan


WORDS = ("string", "text", "langmap")  # fields where `~` or `null` is the word itself


def _check_not_null(kind: Kind, f: Field, name: str, text: str) -> None:
    """KGError for `--set FIELD=null` (or `~`, or nothing) on a field that holds no words (a
    number, date, enum, reference...): no value is not set, a field is cleared (a
    maintainer's trial: `--set tdp_w=null` was told "'null' is quoted: a number is written
    without quotes"). In a field of text, the word is written, quoted, as typed."""
    if f.type in WORDS or text.strip() not in YAML_NULLS:
        return
    if f.required:
        raise KGError(f"--set {name}={text}: {f.name} is required for {a(kind.label)} and "
                      "cannot be cleared: set another value; nothing was written")
    raise KGError(f"--set {name}={text}: to clear a field use `--unset {name}`; nothing was "
                  "written")


def _dates_of(item) -> tuple[str | None, str | None, str | None]:
    """A statement's (from, to, as_of), as written; Nones for a plain value."""
    if not isinstance(item, dict):
        return None, None, None
    return tuple(None if item.get(k) is None else str(item.get(k)).strip()
                 for k in ("from", "to", "as_of"))


def _redated(entity_id: str, kind: Kind, f: Field, new: CommentedMap, old: CommentedMap,
             plan: Plan) -> CommentedMap:
    """The statement `new` (a value removed and added again in one command, with new dates)
    with what the removed one `old` said besides its dates: its note, its `by`, confidence
    and other qualifiers, and its sources when --source names none (re-dated, a step kept
    its sources and note, not only its value). Its check is not kept: it checked the old
    dates."""
    out = long_form(new)
    kept = []
    for k, v in old.items():
        if k not in ("value", "from", "to", "as_of", "checked") and k not in out:
            out[k] = copy.deepcopy(v)
            kept.append(k)
    default = () if "sources" in out else plan.ws.entity(entity_id).sources
    plan.notes.append(f"{entity_id}.{f.name}: re-dated {_said(old, default)} as "
                      f"{_said(out, default)}"
                      + (f" (keeping its {', '.join(kept)})" if kept else "")
                      + ("; its check was of the old dates: `kg verify` records a new one"
                         if old.get("checked") else ""))
    return yamlio.style_statement(out, 4, kind, f.name)


def _to_remove(entity_id: str, f: Field, have: list, text: str, pick: dict, adding: bool,
               default) -> list:
    """The statements of `have` that `--remove FIELD=text` removes: those of the value whose
    dates are those of `pick` (key -> date text: --from/--to/--as-of, when the command adds
    nothing). KGError when none is, or when they are steps of different dates: which to
    remove is then said by its dates (a maintainer's trial: `--remove export_status=banned`
    removed every step of banned, with no way to pick one)."""
    same = [i for i in have if str(value_of(i)) == text]
    if not same:
        raise KGError(f"{entity_id}.{f.name} has no value '{text}'; it has: "
                      + ", ".join(str(value_of(i)) for i in have))
    keys = ("from", "to", "as_of")
    picked = [i for i in same
              if all(_dates_of(i)[keys.index(k)] == v for k, v in pick.items())]
    if not picked:
        given = " ".join(f"{k} {v}" for k, v in pick.items())
        raise KGError(f"{entity_id}.{f.name} has no statement of {text} with {given}; its "
                      f"statements of {text}: {_said(same, default)}; nothing was written")
    if len({_dates_of(i) for i in picked}) > 1:
        dated = next(_dates_of(i) for i in picked if any(_dates_of(i)))
        which = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in zip(keys, dated, strict=True)
                         if v)
        raise KGError(
            f"{entity_id}.{f.name} has {len(picked)} statements of {text}: "
            f"{_said(picked, default)}; say which to remove by its dates (kg edit {entity_id} "
            f"--remove {f.name}={text} {which})"
            + ("; with --add, --from/--to/--as-of date the value added: remove the step in a "
               "command of its own first, then add it again" if adding else "")
            + "; nothing was written")
    return picked


def _has_history(f: Field, old) -> bool:
    """A temporal field whose statements are dated steps (`from` or `to`)."""
    return f.temporal and any(_dates_of(i)[:2] != (None, None) for i in items_of(old))


def _check_history(entity_id: str, f: Field, old, text: str, default) -> None:
    """KGError when a --set would replace a dated history (every step of it, with its dates
    and sources) by one value (a maintainer's trial: `--set export_status=domestic` on a
    restricted-then-banned history left only domestic, said in a "was:" note). A new step is
    added with --add and its date; --replace-history says the history is to go."""
    if not _has_history(f, old):
        return
    raise KGError(
        f"{entity_id}.{f.name} has a dated history: {_said(old, default)}; --set would "
        f"replace every step of it by {text}. To record a new step, add it with its date "
        f"(kg edit {entity_id} --add {f.name}={text} --from DATE --source SOURCE), ending the "
        f"step it follows by re-dating it (--remove {f.name}=VALUE --add {f.name}=VALUE --from "
        "... --to ...); to replace the whole history, pass --replace-history; nothing was "
        "written")


def _check_dates(f: Field, valid_from, valid_to, as_of) -> None:
    """KGError when --from/--to are given for a field that is not temporal, or a date
    does not parse (kg link, kg edit --add)."""
    if (valid_from or valid_to) and not f.temporal:
        raise KGError(f"{f.name} is not temporal: --from/--to do not apply (use --as-of)")
    for option, v in (("--from", valid_from), ("--to", valid_to), ("--as-of", as_of)):
        if v is not None:
            try:
                DateValue.parse(str(v))
            except ValueError as exc:
                raise KGError(f"{option} '{v}' is not a valid date: {exc} (write the date at the "
                              "precision the source gives: 2025, 2025-12 or 2025-12-08)") from None


def _dated(item, dates: dict):
    """item (a value or a statement) in long form with `from`/`to`/`as_of` (dates: key ->
    date text, those given); item itself when none is."""
    if not dates:
        return item
    out = long_form(item)
    for k, v in dates.items():
        out[k] = str(v)
    if "sources" in out:  # (sources after the dates, as kg link writes them)
        out.move_to_end("sources")
    return out


def link(ws: Workspace, subject: str, relation: str, obj: str, sources=(), valid_from=None,
         valid_to=None, as_of=None, note=None) -> Plan:
    """Plan `subject relation object` as a sourced statement (a reference field of the subject)."""
    ent = ws.entity(subject, "subject")
    kind = ws.kind(ent)
    f = _field(ws, ent, relation)
    if f.type != "ref":
        refs = [n for n, x in kind.fields.items() if x.type == "ref" and n not in ("sources",)]
        raise KGError(f"{f.name} is not a relation of {a(kind.label)}; relations: {', '.join(refs)}")
    target = ws.entity(obj, "object")
    if target.id == ent.id:
        raise KGError(f"kg link {subject} {f.name} {obj}: an entity is not linked to itself "
                      f"(no relation relates {subject} to {subject}); name another entity as "
                      "the object; nothing was written")
    if not f.accepts_kind(target.kind):
        raise KGError(f"{f.name} of {a(kind.label)} must be {a(' or '.join(f.to))}, "
                      f"but '{obj}' is {a(target.kind)}")
    for s in sources:
        ws.source(s)
    _check_dates(f, valid_from, valid_to, as_of)
    plan = Plan(ws, f"kg link {subject} {f.name} {obj}")
    doc = plan.doc(ws.rel(ent))
    st = CommentedMap()
    st["value"] = obj
    for k, v in (("from", valid_from), ("to", valid_to), ("as_of", as_of)):
        if v:
            st[k] = str(v)
    if sources:
        st["sources"] = CommentedSeq(sources)
    if note:
        st["note"] = note
    item = st if len(st) > 1 else obj
    if f.many or f.temporal:
        have = items_of(doc[f.name]) if f.name in doc else []
        for i, existing in enumerate(have):
            if str(value_of(existing)) == obj and not (valid_from or valid_to):
                # the same link: add the new sources (and --as-of, --note) to it, not repeat it
                have[i] = _extend_link(ws, ent, f, existing, sources, as_of, note, plan)
                break
        else:
            have.append(item)
        _set_field(doc, kind, f.name, have)
    elif f.name in doc and str(value_of(doc[f.name])) == obj and not isinstance(doc[f.name], list):
        _set_field(doc, kind, f.name, _extend_link(ws, ent, f, doc[f.name], sources, as_of, note,
                                                   plan))
    else:
        if f.name in doc:
            plan.notes.append(f"{subject}.{f.name} was: {_said(doc[f.name], ent.sources)}")
        _set_field(doc, kind, f.name, item)
    return plan


def _extend_link(ws: Workspace, ent: Entity, f: Field, existing, sources, as_of, note,
                 plan: Plan):
    """An existing link given again: every option is applied, or the command refuses."""
    what = f"{ent.id} {f.name} {value_of(existing)}"
    given = {k: v for k, v in (("as_of", as_of), ("note", note)) if v}
    if not sources and not given:
        raise KGError(f"{what} is already there")
    have = existing if isinstance(existing, dict) else {}
    for key, v in given.items():
        if key in have and str(have[key]) != str(v):
            option = "--" + key.replace("_", "-")
            raise KGError(f"{what} is already there with {key} {have[key]}, not {v}: change it "
                          f"with `kg edit`, or leave out {option}")
    srcs = [str(s) for s in items_of(have.get("sources") or [])] or list(ent.sources)
    new_srcs = [s for s in sources if s not in srcs]
    # what is set, known before `out` is made: long_form may give back `existing` itself,
    # and then `have` holds the new keys too (a maintainer's trial: "was already there: "
    # and nothing after it, for a note that was set)
    missing = [k for k in given if k not in have]
    if new_srcs or missing:
        # citing a new source: the link keeps the sources it had (the entity's, unless its own)
        out = long_form(existing, list(ent.sources) if new_srcs else None)
        if new_srcs:
            out["sources"] = CommentedSeq(
                [str(s) for s in items_of(out.get("sources") or [])] + new_srcs)
        for key, v in given.items():
            out[key] = str(v)
        done = [f"added its source{'s' if len(new_srcs) > 1 else ''}"] if new_srcs else []
        done += [f"set {k} {given[k]}" for k in missing]
        plan.notes.append(f"{what} was already there: {', '.join(done)}")
        return yamlio.style_statement(out, 4, ws.kind(ent), f.name)
    raise KGError(f"{what} is already there with these sources and values")


# -- references --------------------------------------------------------------------------------
@dataclass
class Referrer:
    entity: str
    kind: str
    path: str
    line: int
    where: str  # e.g. "developer", "sources of fab", "checked.against"

    def format(self, root: Path | None = None) -> str:
        """root: the folder self.path is relative to, to name it as the user can open it
        from the current folder (kg.core.errors.shown_path); None: as it is."""
        path = self.path if root is None else shown_path(self.path, root)
        return f"{path}:{self.line}: {self.entity} ({self.where})"


def references(schema: Schema, ent: Entity) -> Iterator[tuple[str, str, int]]:
    """Every (target id, where, line) an entity refers to."""
    kind = schema.kinds[ent.kind]
    for name, sts in ent.facts.items():
        f = kind.fields[name]
        for st in sts:
            if f.type == "ref":
                yield str(st.value), name, st.line
            elif f.type == "check" and st.value is not None and st.value.against:
                yield st.value.against, f"{name}.against", st.line
            for s in st.sources:
                yield s, f"sources of {name}", st.line
            if st.checked and st.checked.against:
                yield st.checked.against, f"checked.against of {name}", st.line
            for q, qv in st.qualifiers.items():
                if f.qualifiers[q].type == "ref":
                    yield str(qv), f"{q} of {name}", st.line


def referrers(ws: Workspace, target: str) -> list[Referrer]:
    out = []
    for ent in ws.entities.values():
        for tid, where, line in references(ws.schema, ent):
            if tid == target and ent.id != target:
                out.append(Referrer(ent.id, ent.kind, ent.path, line, where))
    return sorted(out, key=lambda r: (r.path, r.line, r.where))


_GONE = object()  # a slot marked for removal; purged before dumping


@dataclass
class Slot:
    """One place in a YAML document that holds a reference."""

    container: Any
    key: Any

    def get(self):
        return self.container[self.key]

    def set(self, value) -> None:
        self.container[self.key] = value


def ref_slots(doc: CommentedMap, kind: Kind) -> Iterator[Slot]:
    """Every scalar in a round-trip document that is an id (schema-driven)."""
    def check_slots(m):
        if isinstance(m, dict) and isinstance(m.get("against"), str):
            yield Slot(m, "against")

    def list_slots(container, key):
        v = container[key]
        if isinstance(v, list):
            for i, x in enumerate(v):
                if isinstance(x, str):
                    yield Slot(v, i)
        elif isinstance(v, str):
            yield Slot(container, key)

    for name in list(doc):
        f = kind.fields.get(name)
        if f is None:
            continue
        if f.type == "check":
            yield from check_slots(doc[name])
            continue
        value = doc[name]
        seq = value if isinstance(value, list) else None
        for i, item in enumerate(items_of(value)):
            holder, k = (seq, i) if seq is not None else (doc, name)
            if isinstance(item, dict):
                if f.type == "ref" and isinstance(item.get("value"), str):
                    yield Slot(item, "value")
                if "sources" in item:
                    yield from list_slots(item, "sources")
                yield from check_slots(item.get("checked"))
                for q, qf in f.qualifiers.items():
                    if qf.type == "ref" and isinstance(item.get(q), str):
                        yield Slot(item, q)
            elif isinstance(item, str) and f.type == "ref":
                yield Slot(holder, k)


def purge(doc: CommentedMap) -> None:
    """Remove what was marked _GONE: list items, statements whose value went, emptied keys."""
    def clean(node):
        if isinstance(node, list):
            keep = []
            for x in node:
                if x is _GONE or (isinstance(x, dict) and x.get("value") is _GONE):
                    continue
                clean(x)
                keep.append(x)
            node[:] = keep
        elif isinstance(node, dict):
            for k in list(node):
                v = node[k]
                if v is _GONE or (isinstance(v, dict) and v.get("value") is _GONE):
                    del node[k]
                    continue
                clean(v)
                if isinstance(v, list) and not v:
                    del node[k]

    clean(doc)


def dedupe_lists(doc: CommentedMap) -> None:
    """Drop repeated plain ids from lists (a rename or merge can make two equal)."""
    for v in doc.values():
        for lst in [v] + [x.get("sources") for x in items_of(v) if isinstance(x, dict)]:
            if isinstance(lst, list):
                seen, keep = set(), []
                for x in lst:
                    if isinstance(x, str):
                        if x in seen:
                            continue
                        seen.add(x)
                    keep.append(x)
                lst[:] = keep


def _redirect(plan: Plan, old: str, new: str | None, skip: set[str] = frozenset()) -> int:
    """Point every reference to `old` at `new` (None: remove it). Returns how many."""
    ws, n = plan.ws, 0
    for ent in ws.entities.values():
        if ent.id in skip or not any(t == old for t, _, _ in references(ws.schema, ent)):
            continue
        rel = ws.rel(ent)
        if rel in plan.deleted:
            continue
        doc = plan.doc(rel)
        for slot in ref_slots(doc, ws.kind(ent)):
            if slot.get() == old:
                slot.set(_GONE if new is None or new == ent.id else new)
                n += 1
        purge(doc)
        dedupe_lists(doc)
        if new is not None:
            for field_name, what in _fold_repeats(ws, doc, ws.kind(ent)):
                plan.notes.append(f"{ent.id}.{field_name}: {what}")
    return n


def _fold_repeats(ws: Workspace, doc: CommentedMap, kind: Kind) -> Iterator[tuple[str, str]]:
    """Fold the statements of a list field that now state one fact (the same value, dates
    and qualifiers) into the first of them, citing the sources of all: a merge pointing a
    third entity's `developer: [x, dup, keep]` at keep made 'keep' given twice, and the
    merge was refused over a file the user never named (a maintainer's trial). A short
    statement stands for the entity's `sources` and `checked`. The folded statement keeps
    the first check record found (a check of one of them is a check of the one fact);
    distinct notes are joined. Yields (field, what was done) for the notes."""
    sources = [str(s) for s in items_of(doc.get("sources") or [])]
    checked = doc.get("checked")
    for name in list(doc):
        f = kind.fields.get(name)
        value = doc[name]
        if f is None or not f.sourced or not isinstance(value, list) or len(value) < 2:
            continue
        kept: list = []
        folded = 0
        for item in value:
            first = next((i for i, k in enumerate(kept) if _fact(k) == _fact(item)), None)
            if first is None:
                kept.append(item)
                continue
            ours, theirs = (x if isinstance(x, dict) else None for x in (kept[first], item))
            our_sources = ([str(s) for s in ours["sources"]] if ours and ours.get("sources")
                           else sources)
            their_sources = ([str(s) for s in theirs["sources"]]
                             if theirs and theirs.get("sources") else sources)
            our_check = ours.get("checked") if ours and ours.get("sources") else checked
            their_check = (theirs.get("checked") if theirs and theirs.get("sources")
                           else checked)
            merged = long_form(yamlio.to_yaml(kept[first]))
            merged["sources"] = CommentedSeq(our_sources + [s for s in their_sources
                                                            if s not in our_sources])
            check = our_check if our_check is not None else their_check
            if check is not None:
                merged["checked"] = yamlio.to_yaml(check)
            notes = [str(x["note"]) for x in (ours, theirs) if x and x.get("note")]
            if notes:
                merged["note"] = "; ".join(dict.fromkeys(notes))
            kept[first] = merged
            folded += 1
        if folded:
            value[:] = kept
            yamlio.style_key(doc, name, kind)
            yield name, (f"{folded} statement(s) now stated the same fact as another; "
                         "folded into one citing the sources of both")


def tombstone(plan: Plan, ent: Entity, replaced_by: str | None = None,
              withdrawn: str | None = None, description: str | None = None) -> str:
    data = CommentedMap()
    data["id"] = ent.id
    data["name"] = ent.name
    if replaced_by:
        data["replaced_by"] = replaced_by
    if withdrawn:
        data["withdrawn"] = withdrawn
    data["date"] = today()
    if description:
        data["description"] = description
    rel = f"tombstone/{ent.id}.yaml"
    plan.create(rel, data)
    return rel


def _old_tombstone_for(ws: Workspace, new: str, old: str, plan: Plan) -> None:
    """Renaming back to an id that is a tombstone of this very entity: the tombstone goes."""
    dead = ws.entities.get(new)
    if dead is not None and dead.kind == "tombstone" and dead.first("replaced_by") == old:
        plan.delete(ws.rel(dead))
        plan.notes.append(f"removed the tombstone {new} (it pointed at {old})")
        return
    check_id(ws, new, f"choose another new id (`kg rename {old} NEW`), or merge the two "
                      f"(`kg merge {old} {new}`) if they are one entity")


# -- rename, merge, remove -----------------------------------------------------------------------
def rename(ws: Workspace, old: str, new: str) -> Plan:
    """Plan giving `old` the id `new`: move its file, rewrite every reference, leave a tombstone."""
    ent = ws.entity(old)
    if ent.kind == "tombstone":
        raise KGError(f"'{old}' is a tombstone; rename the entity it points to")
    if new == old:  # else "id 'x' is taken ...; or merge the two (`kg merge x x`)"
        raise KGError(f"'{old}' already has the id '{new}': nothing to rename")
    plan = Plan(ws, f"kg rename {old} {new}")
    _old_tombstone_for(ws, new, old, plan)
    rel = ws.rel(ent)
    n = _redirect(plan, old, new, skip={old})
    doc = plan.doc(rel)
    for slot in ref_slots(doc, ws.kind(ent)):  # references to itself
        if slot.get() == old:
            slot.set(new)
    doc["id"] = new
    plan.delete(rel)
    plan.create(f"{ent.kind}/{new}.yaml", doc)
    plan.canonical.discard(f"{ent.kind}/{new}.yaml")  # a moved file keeps its layout
    tombstone(plan, ent, replaced_by=new)
    plan.notes.append(f"rewrote {n} reference(s) to {old}; left a tombstone for {old}")
    return plan


def _labels_into(keep: CommentedMap, dup: CommentedMap):
    """The duplicate's name, aliases and other-language names folded into keep's:
    (aliases, names, the labels that are new)."""
    have = {str(keep.get("name", "")).casefold()}
    aliases = [str(a) for a in items_of(keep.get("aliases") or [])]
    have |= {a.casefold() for a in aliases}
    added = []
    names = keep.get("names")
    for tag, nm in (dup.get("names") or {}).items():
        if names is None:
            names = CommentedMap()
        if tag not in names:
            names[tag] = nm
        elif str(names[tag]).casefold() != str(nm).casefold():
            aliases.append(str(nm))
            have.add(str(nm).casefold())
            added.append(str(nm))
    for label in [dup.get("name"), *items_of(dup.get("aliases") or [])]:
        if label and str(label).casefold() not in have:
            aliases.append(str(label))
            have.add(str(label).casefold())
            added.append(str(label))
    return aliases, names, added


def merge(ws: Workspace, duplicate: str, keep: str) -> Plan:
    """Plan folding `duplicate` into `keep`: names become aliases, facts move with their sources,
    references follow, and `duplicate` becomes a tombstone pointing at `keep`."""
    if duplicate == keep:
        raise KGError("an entity cannot be merged into itself")
    dup_e, keep_e = ws.entity(duplicate), ws.entity(keep)
    if dup_e.kind != keep_e.kind:
        raise KGError(f"cannot merge {a(dup_e.kind)} ({duplicate}) into {a(keep_e.kind)} ({keep})")
    if dup_e.kind == "tombstone":
        raise KGError(f"'{duplicate}' is already a tombstone")
    kind = ws.kind(keep_e)
    plan = Plan(ws, f"kg merge {duplicate} {keep}")
    dup_doc = plan.doc(ws.rel(dup_e))
    keep_doc = plan.doc(ws.rel(keep_e))
    aliases, names, added = _labels_into(keep_doc, dup_doc)
    if aliases:
        _set_field(keep_doc, kind, "aliases", aliases)
    if names:
        _set_field(keep_doc, kind, "names", names)
    dup_sources = [str(s) for s in items_of(dup_doc.get("sources") or [])]
    keep_sources = [str(s) for s in items_of(keep_doc.get("sources") or [])]
    dup_checked, keep_checked = dup_doc.get("checked"), keep_doc.get("checked")
    # A merge never changes a fact's sources or check status: keep's `sources` (and check)
    # stay as they are, and a fact of the duplicate that relied on the duplicate's defaults
    # moves in long form, citing them (and carrying the duplicate's check).
    same_defaults = (set(dup_sources) == set(keep_sources)
                     and yamlio.plain(dup_checked) == yamlio.plain(keep_checked))
    left_behind, not_moved, not_folded = [], [], []

    def moved(item):
        """A duplicate's statement, carrying its own sources (and check) when it relied on defaults."""
        item = yamlio.to_yaml(item)
        if same_defaults or (isinstance(item, dict) and item.get("sources")):
            return item
        return long_form(item, dup_sources, yamlio.to_yaml(dup_checked))

    for name in list(dup_doc):
        if name in ("id", "name", "aliases", "names", "sources", "checked"):
            continue
        f = kind.fields.get(name)
        theirs = dup_doc[name]
        if f is None or not f.sourced:
            # a plain field is covered by its entity's sources: it can only move where keep's
            # sources and check are the duplicate's, else the tombstone records it
            ours = keep_doc.get(name)
            if ours is not None and yamlio.plain(ours) == yamlio.plain(theirs):
                continue
            if not same_defaults:
                not_moved.append(f"{name}: {yamlio.plain(theirs)}")
            elif ours is None:
                _set_field(keep_doc, kind, name, theirs)
            elif f is not None and f.many:
                mine = [str(x) for x in items_of(ours)]
                _set_field(keep_doc, kind, name, mine + [str(x) for x in items_of(theirs)
                                                         if str(x) not in mine])
            else:
                left_behind.append(f"{name}: {yamlio.plain(theirs)}")
            continue
        if name not in keep_doc:
            value = [moved(i) for i in items_of(theirs)]
            _set_field(keep_doc, kind, name, value if isinstance(theirs, list) else value[0])
            continue
        ours = keep_doc[name]
        if yamlio.plain(ours) == yamlio.plain(theirs) and same_defaults:
            continue
        mine = items_of(ours)
        values = {str(value_of(i)) for i in mine}
        extra = [moved(i) for i in items_of(theirs)
                 if str(value_of(i)) not in values or isinstance(i, dict) or not same_defaults]
        folded = [i for i, e in enumerate(extra)
                  if _fold_statement(ws, mine, e, keep_sources, keep_checked)]
        if folded:
            plan.notes.append(f"{keep}.{name}: {len(folded)} statement(s) of {duplicate} state "
                              f"what {keep} already states: their sources were added to {keep}'s")
        # what states one of keep's facts but could not be folded (its check status, check or
        # note differs) would be that fact given twice, which no file may hold: the tombstone
        # records it instead
        same = [i for i, e in enumerate(extra) if i not in folded and _stated(mine, e)]
        for i in same:
            srcs = [str(x) for x in items_of(extra[i].get("sources") or [])] \
                if isinstance(extra[i], dict) else []
            if srcs:  # one with no sources of its own is keep's own statement again
                not_folded.append(f"{name}: {yamlio.plain(value_of(extra[i]))} "
                                  f"(citing {', '.join(srcs)})")
        if folded or same:
            extra = [e for i, e in enumerate(extra) if i not in folded and i not in same]
        if not extra:
            if folded:
                _set_field(keep_doc, kind, name, mine if isinstance(ours, list) else mine[0])
            continue
        if not (f.many or f.temporal):  # competing statements: each in long form
            mine = [long_form(yamlio.to_yaml(i), keep_sources, yamlio.to_yaml(keep_checked))
                    for i in mine]
            extra = [long_form(i, dup_sources, yamlio.to_yaml(dup_checked)) for i in extra]
            plan.notes.append(f"{keep}.{name}: {keep} and {duplicate} disagree; both values "
                              "are kept as competing statements with their sources")
        _set_field(keep_doc, kind, name, mine + extra)
    n = _redirect(plan, duplicate, keep, skip={duplicate})
    for slot in ref_slots(keep_doc, kind):  # the duplicate may have pointed at keep: no self-links
        if slot.get() == keep:
            slot.set(_GONE)
            plan.notes.append(f"dropped {keep}'s reference to itself (it came from {duplicate})")
    purge(keep_doc)
    dedupe_lists(keep_doc)
    plan.delete(ws.rel(dup_e))
    parts = []
    if left_behind:
        parts.append(f"Merged into {keep}, which kept its own values of: " + "; ".join(left_behind))
        plan.notes.append(f"{keep} kept its own values; {duplicate}'s other values are recorded "
                          f"in its tombstone: {'; '.join(left_behind)}")
    if not_moved:
        srcs = ", ".join(dup_sources) or "no source"
        parts.append(f"Not moved to {keep}, whose sources differ (these cite {srcs}): "
                     + "; ".join(not_moved))
        plan.notes.append(f"{duplicate}'s plain fields {'; '.join(not_moved)} rest on its own "
                          f"sources ({srcs}), not {keep}'s, so they were not moved: its tombstone "
                          f"records them (add them to {keep} with `kg edit` once checked)")
    if not_folded:
        parts.append(f"Stated by {keep} too, but checked otherwise, so not added to its "
                     "statements: " + "; ".join(not_folded))
        plan.notes.append(f"{duplicate}'s statement(s) {'; '.join(not_folded)} repeat facts "
                          f"{keep} already states but differ in check status, check or note, so "
                          f"their sources were not added to {keep}'s (a merge never changes "
                          f"whether a fact was checked): the tombstone of {duplicate} records "
                          f"them; add the sources to {keep} with `kg link` or `kg edit --source` "
                          "once checked")
    description = ". ".join(parts) or None
    tombstone(plan, dup_e, replaced_by=keep, description=description)
    if added:
        plan.notes.append(f"new aliases of {keep}: {', '.join(added)}")
    plan.notes.append(f"rewrote {n} reference(s) to {duplicate}; left a tombstone for {duplicate}")
    return plan


_NOT_THE_FACT = ("sources", "checked", "note")  # what two statements of one fact may differ in


def _fact(item) -> dict:
    """A statement without what two statements of one fact may differ in (long or short form)."""
    item = item if isinstance(item, dict) else {"value": item}
    return {k: yamlio.plain(v) for k, v in item.items() if k not in _NOT_THE_FACT}


def _stated(mine: list, theirs) -> bool:
    """Whether one of `mine` (keep's items) states the fact `theirs` states."""
    return any(_fact(item) == _fact(theirs) for item in mine)


def _fold_statement(ws: Workspace, mine: list, theirs, sources: list[str], checked) -> bool:
    """Fold the merged duplicate's statement `theirs` (long form, with its sources) into the
    statement of `mine` (keep's items, changed in place) that states the same fact (the same
    value, dates and qualifiers: everything but sources, check and note), by adding its
    sources to that one's; True if folded. Two such statements in one field are an error
    ("given twice"), so without this a merge of two entities sharing a fact failed.

    Folds only where nothing changes what a fact cites or whether it was checked: both
    statements have the same check status (from-article, checked, unchecked; a statement
    without sources has keep's `sources` and `checked`) and the same check record, and
    their notes do not differ. `sources` and `checked` are keep's defaults."""
    if not isinstance(theirs, dict) or not theirs.get("sources"):
        return False
    fact = _fact(theirs)
    their_sources = [str(x) for x in theirs["sources"]]
    their_check = theirs.get("checked")
    for i, item in enumerate(mine):
        ours = item if isinstance(item, dict) else {"value": item}
        if _fact(ours) != fact:
            continue
        own = bool(ours.get("sources"))
        our_sources = [str(x) for x in ours["sources"]] if own else list(sources)
        our_check = ours.get("checked") if own else checked
        statuses = {check_status(ws.entities, srcs, our_check)
                    for srcs in (our_sources, their_sources, our_sources + their_sources)}
        if (yamlio.plain(our_check) != yamlio.plain(their_check) or len(statuses) > 1
                or (ours.get("note") and theirs.get("note")
                    and yamlio.plain(ours["note"]) != yamlio.plain(theirs["note"]))):
            return False
        item = mine[i] = long_form(yamlio.to_yaml(item), our_sources,
                                   yamlio.to_yaml(our_check) if our_check is not None else None)
        item["sources"] = CommentedSeq(our_sources + [x for x in their_sources
                                                      if x not in our_sources])
        if theirs.get("note") and not item.get("note"):
            item["note"] = theirs["note"]
        return True
    return False


def remove(ws: Workspace, entity_id: str, reason: str, drop_references: bool = False) -> Plan:
    """Plan removing an entity, leaving a tombstone that says it was withdrawn and why.

    Refuses while anything refers to it, unless drop_references (then those
    references are removed from the referring files).
    """
    ent = ws.entity(entity_id)
    if ent.kind == "tombstone":
        raise KGError(f"'{entity_id}' is already a tombstone")
    if not reason or not reason.strip():
        raise KGError("say why it is removed (--reason); the tombstone keeps it")
    plan = Plan(ws, f"kg rm {entity_id}")
    refs = []
    for r in referrers(ws, entity_id):
        if r.kind == "tombstone":  # an older name of it: now withdrawn as well
            doc = plan.doc(ws.rel(ws.entities[r.entity]))
            del doc["replaced_by"]
            doc["withdrawn"] = f"became {entity_id}, which was withdrawn: {reason.strip()}"
            yamlio.insert_in_order(doc, "withdrawn", doc.pop("withdrawn"),
                                   yamlio.field_order(ws.schema.kinds["tombstone"]))
            plan.notes.append(f"tombstone {r.entity} now says it was withdrawn")
        else:
            refs.append(r)
    if refs and not drop_references:
        raise KGError(f"{entity_id} is referred to {len(refs)} time(s); nothing was removed:\n"
                      + "\n".join("  " + r.format(ws.data_dir.parent) for r in refs)
                      + f"\nChange those first, merge it (`kg merge {entity_id} OTHER`), "
                        "or pass --drop-references to remove the references too")
    if refs:
        _refuse_emptying_required(ws, entity_id, refs)
        if ent.kind == "source":
            for fact in _drop_statements_citing_only(plan, entity_id, {r.entity for r in refs}):
                plan.notes.append(f"removed {fact}: {entity_id} was its only source")
        _redirect(plan, entity_id, None, skip={entity_id})
        plan.notes.append(f"removed {len(refs)} reference(s) to {entity_id}")
    plan.delete(ws.rel(ent))
    tombstone(plan, ent, withdrawn=reason.strip())
    return plan


def _refuse_emptying_required(ws: Workspace, target: str, refs: list[Referrer]) -> None:
    """Refuse `kg rm TARGET --drop-references` where dropping the references would leave an
    entity without a required field (a claim's `about`): say which depends on it (a trial:
    it said "missing required field 'about' Fix: add `about: <id>`", as if of a file the
    user had written)."""
    lines = []
    for entity_id in dict.fromkeys(r.entity for r in refs):
        ent = ws.entities[entity_id]
        kind = ws.kind(ent)
        for name, sts in ent.facts.items():
            f = kind.fields[name]
            if (f.required and f.type == "ref" and any(str(st.value) == target for st in sts)
                    and all(str(st.value) == target for st in sts)):
                line = min(st.line for st in sts)
                lines.append(f"the {kind.name} {entity_id} ({ws.shown(ent.path)}:{line}) "
                             f"depends on {target} (required field {name}): remove or merge "
                             "it first")
    if lines:
        raise KGError("; ".join(lines) + "; nothing was removed")


def _drop_statements_citing_only(plan: Plan, source: str, referrers: set[str]) -> list[str]:
    """Mark for removal every statement (a long-form value with its own `sources`) of the
    entities `referrers` whose only source is `source`: with that source gone it would
    silently cite its entity's own sources instead (a maintainer's trial: `kg rm SOURCE
    --drop-references` left `parameters: {value: ...}` standing on another source, which
    `kg verify` then recorded a check against). Returns "entity.field = value" of each."""
    ws, gone = plan.ws, []
    for entity_id in sorted(referrers):
        rel = ws.rel(ws.entities[entity_id])
        if rel in plan.deleted:
            continue
        doc = plan.doc(rel)
        for key in list(doc):
            for item in items_of(doc[key]):
                if not isinstance(item, dict) or "value" not in item:
                    continue
                cited = [str(x) for x in items_of(item.get("sources") or [])]
                if cited and all(x == source for x in cited):
                    gone.append(f"{entity_id}.{key} = {yamlio.plain(item['value'])}")
                    item["value"] = _GONE
    return gone


# -- verify and check status ------------------------------------------------------------------
@dataclass
class Fact:
    """One fact with its check status: a sourced statement, or an entity's plain fields."""

    entity: str
    kind: str
    field: str | None  # None: the entity's plain fields (name, description, ...)
    value: Any
    sources: tuple[str, ...]
    status: str  # from-article | checked | unchecked
    path: str
    line: int
    date: Any = None  # the earliest date among its sources (a DateValue) or None

    def format(self, root: Path | None = None) -> str:
        """One line; root: as Referrer.format's."""
        when = str(self.date) if self.date else "undated"
        what = (f"{self.field} = {self.value}" if self.field else "plain fields "
                "(name, description, ...)")
        path = self.path if root is None else shown_path(self.path, root)
        return (f"{when:10}  {path}:{self.line}  {self.entity}  {what}  "
                f"[{', '.join(self.sources) or 'no source'}]")


def status_of(ws: Workspace, sources, checked) -> str:
    return check_status(ws.entities, sources, checked)


def facts(ws: Workspace) -> list[Fact]:
    out = []
    for ent in ws.entities.values():
        kind = ws.kind(ent)
        if not kind.needs_sources:
            continue
        checked = ent.first("checked")

        def dated(srcs):
            dates = [d for d in (ws.source_date(s) for s in srcs) if d is not None]
            return min(dates) if dates else None

        out.append(Fact(ent.id, ent.kind, None, ent.name, ent.sources,
                        status_of(ws, ent.sources, checked), ent.path, ent.line,
                        dated(ent.sources)))
        for name, sts in ent.facts.items():
            if not kind.fields[name].sourced:
                continue
            for st in sts:
                srcs = ent.sources_of(st)
                chk = ent.checked_of(st)
                out.append(Fact(ent.id, ent.kind, name, _show(st.value), srcs,
                                status_of(ws, srcs, chk), ent.path, st.line, dated(srcs)))
    return out


def unchecked(ws: Workspace) -> list[Fact]:
    """Facts nobody has checked yet, oldest source first, then by file and line."""
    todo = [f for f in facts(ws) if f.status == "unchecked"]
    return sorted(todo, key=lambda f: (f.date is None, f.date.start if f.date else None,
                                       f.path, f.line))


def verify(ws: Workspace, entity_id: str, field_name: str | None = None, by: str | None = None,
           on: str | None = None, against: str | None = None, value: str | None = None) -> Plan:
    """Plan recording that a maintainer checked a fact (or the entity's plain fields).
    by: who (None: maintainer_name()); KGError if it is given empty or only spaces, or
    if it is None and no name is set."""
    ent = ws.entity(entity_id)
    kind = ws.kind(ent)
    if by is not None and not by.strip():
        # an explicit --by "" is a mistake (an unset variable in a script, say), not a
        # request for the default: recording git's user name would misattribute the check
        raise KGError(f"--by is {'empty' if not by else 'only spaces'}: pass the name of who "
                      "checked it, e.g. --by \"Jane Doe\", or leave --by out to record "
                      "$KG_USER, else git's user.name")
    by = (by or maintainer_name() or "").strip()
    if not by:
        raise KGError("who checked it? pass --by NAME (or set KG_USER or git's user.name)")
    on = on or today()
    plan = Plan(ws, f"kg verify {entity_id}")
    doc = plan.doc(ws.rel(ent))

    def pick(srcs: tuple[str, ...], what: str) -> str:
        if against:
            if against not in srcs:
                raise KGError(f"{what} cites {', '.join(srcs) or 'no source'}; '{against}' is not "
                              f"one of them (add it first: kg edit {entity_id} --add sources="
                              f"{against})")
            return against
        if len(srcs) == 1:
            return srcs[0]
        raise KGError(f"{what} cites {len(srcs)} sources ({', '.join(srcs)}): say which one you "
                      "checked with --against SOURCE")

    def record(src: str) -> CommentedMap:
        chk = CommentedMap([("by", by), ("on", on), ("against", src)])
        chk.fa.set_flow_style()
        return chk

    if field_name is None:
        if value is not None:
            raise KGError("--value picks a statement of a field: name the field "
                          f"(kg verify {entity_id} FIELD --value {value})")
        if not ent.sources:
            raise KGError(f"{entity_id} has no sources to check against")
        yamlio.insert_in_order(doc, "checked", record(pick(ent.sources, entity_id)),
                               yamlio.field_order(kind))
        plan.notes.append(f"{entity_id}: plain fields and facts citing its sources checked by "
                          f"{by} on {on}")
        # a fact in long form names its own sources (even the entity's own ones, as kg link
        # writes them) and keeps its own check: say which are still unchecked
        own = [name for name in doc if name in kind.fields and kind.fields[name].sourced
               and any(isinstance(i, dict) and i.get("sources") and not i.get("checked")
                       and check_status(ws.entities, [str(x) for x in i["sources"]], None)
                       == "unchecked" for i in items_of(doc[name]))]
        if own:
            plan.notes.append(f"{entity_id}: {', '.join(own)} cite{'s' if len(own) == 1 else ''} "
                              "sources of {} own and stay{} unchecked: `kg verify {} FIELD` "
                              "records a check of one".format(
                                  "its" if len(own) == 1 else "their",
                                  "s" if len(own) == 1 else "", entity_id))
        return plan
    f = _field(ws, ent, field_name) if field_name != "checked" else None
    if f is None or not f.sourced:
        raise KGError(f"{field_name} is a plain field of {a(kind.label)}: plain fields are checked "
                      f"with the entity (`kg verify {entity_id}`)")
    if f.name not in doc:
        raise KGError(f"{entity_id} has no {f.name}")
    raw = doc[f.name]
    items = items_of(raw)
    hits = 0
    for i, item in enumerate(items):
        if value is not None and str(value_of(item)) != value:
            continue
        own = [str(s) for s in items_of(item.get("sources") or [])] if isinstance(item, dict) else []
        src = pick(tuple(own) or ent.sources, f"{entity_id}.{f.name} = {value_of(item)}")
        new = long_form(item)
        new["checked"] = record(src)
        new = yamlio.style_statement(new, 4 if isinstance(raw, list) else 2, kind, f.name)
        if isinstance(raw, list):
            raw[i] = new
        else:
            doc[f.name] = new
        hits += 1
    if not hits:
        raise KGError(f"{entity_id}.{f.name} has no value '{value}'; it has: "
                      + ", ".join(str(value_of(i)) for i in items))
    plan.notes.append(f"{entity_id}.{f.name}: {hits} statement(s) checked by {by} on {on}")
    return plan


# -- format ---------------------------------------------------------------------------------------
def fmt(ws: Workspace, paths: list[Path] | None = None, cache: bool | None = None) -> Plan:
    """Plan rewriting files in canonical form; refuses any file whose content would change.

    A file formatted before (same text and path, same formatter and schema) is not
    formatted again: its verdict is kept, 1 (canonical) or its canonical text
    (kg/data/filecache.py; `cache=False` or $KG_NO_CACHE turns that off).
    ws.progress, if set, is told the stage and how many files are done: formatting takes
    about 3 ms a file (4-5 minutes at 100k files when none is known from an earlier run).
    """
    plan = Plan(ws, "kg fmt")
    targets = paths or iter_data_files(ws.data_dir)  # entity files (not data/dataset.yaml)
    store = (filecache.FileCache(ws.data_dir, "fmt", fmt_fingerprint(ws.schema))
             if (filecache.enabled() if cache is None else cache) else None)
    step = Steps(ws.progress)
    step.begin(f"checking the form of {len(targets)} data file(s)")
    with filecache.kept_if_interrupted(store):
        formatted = _fmt_files(plan, targets, store, step)
    if store:
        store.save(prune=not paths)  # `kg fmt FILE` keeps the verdicts on the other files
    step(f"checked the form of {len(targets)} data file(s), {formatted} not known from an "
         "earlier run")
    return plan


def _fmt_files(plan: Plan, targets: list, store, step: Steps) -> int:
    """kg fmt's loop: each target's canonical text into plan, the verdicts into store (or
    None); how many were formatted (not known from an earlier run)."""
    ws, root, formatted = plan.ws, plan.ws.data_dir.parent, 0
    for path in counted(targets, step.advance):
        path = Path(path).resolve()
        try:
            rel = path.relative_to(ws.data_dir.resolve()).as_posix()
        except ValueError:
            raise KGError(f"{path} is not under {ws.data_dir}") from None
        text = plan.original(rel)
        if text is None:
            raise KGError(f"{path}: no such file")
        shown = relpath(path, root)
        key = store.key(text.encode("utf-8", "surrogatepass"), rel, shown) if store else ""
        known = store.get(key) if store else None
        if known == 1:
            continue  # canonical when last formatted, and unchanged since
        if isinstance(known, str):  # not canonical when last formatted: its canonical text
            plan.set_text(rel, known)
            continue
        before, issues = parse_text(text, shown)
        if before is None or issues:
            plan.skipped.append(issues[0])
            continue
        formatted += 1
        new = yamlio.format_text(text, rel, ws.schema)
        after, _ = parse_text(new, shown)
        if yamlio.plain(after) != yamlio.plain(before):  # pragma: no cover - a formatter bug
            raise KGError(f"{shown}: formatting would change its content; nothing was written "
                          "(please report this)")
        if new != text:
            plan.set_text(rel, new)
        if store:  # either verdict: a file left unformatted is not formatted again next run
            store.put(key, 1 if new == text else new)
    return formatted


def fmt_fingerprint(schema: Schema) -> str:
    """What a file's 'canonical' verdict depends on besides its text: the formatter, the
    loader, ruamel.yaml and the schema."""
    import sys

    import ruamel.yaml

    from kg.data import loader

    return filecache.fingerprint((yamlio, loader, filecache, sys.modules[__name__]), schema,
                                 ruamel.yaml.__version__)


# -- show ------------------------------------------------------------------------------------------
def _show(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _statement_line(ws: Workspace, ent: Entity, f: Field, st: Statement) -> str:
    text = _show(st.value)
    if f.type == "ref" and st.value in ws.entities:
        text += f" ({ws.entities[st.value].name})"
    extras = []
    for label, v in (("from", st.valid_from), ("to", st.valid_to), ("as of", st.as_of),
                     ("confidence", st.confidence), ("as written", st.as_written)):
        if v:
            extras.append(f"{label} {v}")
    if st.rank != "normal":
        extras.append(st.rank)
    extras += [f"{q} {v}" for q, v in st.qualifiers.items()]
    if extras:
        text += " (" + ", ".join(extras) + ")"
    if f.sourced:
        srcs = ent.sources_of(st)
        chk = ent.checked_of(st)
        text += f"  [{', '.join(srcs)}; {status_of(ws, srcs, chk)}]"
    return text


def show(ws: Workspace, entity_id: str) -> list[str]:
    """A readable account of one entity: facts, links out and in, sources, check status."""
    ent = ws.entity(entity_id)
    kind = ws.kind(ent)
    lines = [f"{ent.id}: {ent.name} ({kind.label}, {ws.shown(ent.path)})"]
    if ent.kind == "tombstone":
        new = ent.first("replaced_by")
        lines.append(f"  replaced by {new} on {ent.first('date')} (see `kg show {new}`)" if new
                     else f"  withdrawn on {ent.first('date')}: {ent.first('withdrawn')}")
        return lines
    outgoing = []
    for name in yamlio.field_order(kind):
        f = kind.fields[name]
        if name in ("id", "name", "sources", "checked") or name not in ent.facts:
            continue
        sts = ent.facts[name]
        if f.type == "ref":
            outgoing += [(name, _statement_line(ws, ent, f, st)) for st in sts]
            continue
        if len(sts) == 1:
            lines.append(f"  {name}: {_statement_line(ws, ent, f, sts[0])}")
        else:
            lines.append(f"  {name}:")
            lines += [f"    - {_statement_line(ws, ent, f, st)}" for st in sts]
    if outgoing:
        lines.append("links out:")
        lines += [f"  {name} -> {text}" for name, text in outgoing]
    incoming = referrers(ws, entity_id)
    if incoming:
        lines.append("links in:")
        lines += [f"  {r.entity} ({r.kind}) {r.where} -> {entity_id}" for r in incoming]
    if ent.sources or kind.needs_sources:
        lines.append("sources:")
        for s in ent.sources:
            src = ws.entities.get(s)
            if src is None:
                lines.append(f"  {s}: (not a known source: `kg validate` says more)")
                continue
            lines.append(f"  {s}: {src.name}"
                         + (f", {src.first('date')}" if src.first("date") else ""))
        chk = ent.first("checked")
        status = status_of(ws, ent.sources, chk)
        lines.append(f"check status of its plain fields: {status}"
                     + (f" (by {chk.by} on {chk.on} against {chk.against})" if chk else ""))
    return lines
