"""Problems validation does not catch: mojibake, stray whitespace, long text, unchecked facts,
and conflicting current values.

Errors (exit 1): two current values of a single-valued field (kg.semantics), mojibake such as "â€”" (UTF-8 read as Windows-1252, as when
text is pasted from a web page), a value with leading or trailing whitespace,
a tab, trailing spaces or a carriage return (CR) on a line. Warnings: doubled spaces, invisible
characters, descriptions over DESCRIPTION_MAX characters, unchecked facts, a value that a
spreadsheet would run as a formula ('=HYPERLINK(...)': kg.core.cells).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from kg.core.cells import formula_like
from kg.core.errors import Issue, KGError
from kg.curate.ops import Workspace
from kg.curate.ops import unchecked as unchecked_facts
from kg.data.loader import YList, YMap, YScalar, counted, universal_newlines
from kg.data.validate import UNREADABLE, Steps
from kg.data.yamlio import format_text

MOJIBAKE_RE = re.compile(r"â€[\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
                         r"\u02dc\u2013-\u203a\u20ac\u2122\"]|â€|Ã[\x80-\xbf\u0152-\u2122]|"
                         r"Â[\xa0-\xbf]|ï¿½|\ufffd")
INVISIBLE_RE = re.compile(r"[\u00a0\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\ufeff]")
DESCRIPTION_MAX = 400


def demojibake(text: str) -> str | None:
    """The text as it was before it was decoded with the wrong encoding, if that works."""
    out = bytearray()
    for ch in text:
        code = ord(ch)
        if code < 256:
            out.append(code)
        else:
            try:
                out += ch.encode("cp1252")
            except UnicodeEncodeError:
                return None
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _scalars(node, where: str):
    if isinstance(node, YMap):
        for k, v in node.items():
            yield from _scalars(v, f"{where}.{k}" if where else k)
    elif isinstance(node, YList):
        for v in node:
            yield from _scalars(v, where)
    elif isinstance(node, YScalar):
        yield where, node


_EMOJI_TAIL = re.compile("[\ufe0f\U0001f3fb-\U0001f3ff]*$")  # a variation selector, skin tones


def _pictograph(ch: str) -> bool:
    return unicodedata.category(ch) == "So" and ord(ch) >= 0x2000


def _letter(ch: str) -> bool:
    return not ch.isascii() and unicodedata.category(ch)[0] in "LM"


def _joins(text: str, i: int) -> bool:
    """Is the zero-width (non-)joiner at text[i] part of the text: U+200D between two emoji
    (👩‍👩‍👧, a maintainer's trial: "replace it with a plain space" would break the emoji),
    or either between two letters of a script that writes them (Persian, Hindi...)."""
    ch = text[i]
    if ch not in "\u200c\u200d" or i == 0 or i + 1 >= len(text):
        return False
    before = _EMOJI_TAIL.sub("", text[:i])[-1:]
    after = text[i + 1]
    if ch == "\u200d" and before and _pictograph(before) and _pictograph(after):
        return True
    return _letter(text[i - 1]) and _letter(after)


def _trailing_fix(rel: str, text: str) -> str:
    """How to remove trailing whitespace: `kg fmt`, unless the file is already in the form
    kg fmt writes (the spaces end a line of a block of text, `|`, and are part of it)."""
    try:
        canonical = format_text(text, rel) == text
    except KGError:
        canonical = False
    return ("delete the spaces at the end of the line in an editor: they are part of the "
            "text of a `|` block, which `kg fmt` keeps as written" if canonical
            else "run `kg fmt`")


def lint_text(rel: str, entity: str, text: str, data: YMap | None) -> list[Issue]:
    issues = []

    def add(line, message, fix, rule, level="error"):
        issues.append(Issue(rel, line, 0, entity, message, fix, level, rule))

    trailing_fix = ""
    if "\r" in text:  # (kg fmt writes LF; the file reads the same either way)
        add(text.count("\n", 0, text.index("\r")) + 1, "a carriage return (CR, as in Windows "
            "line ends)", "run `kg fmt`: it writes LF line ends", "whitespace")
        text = universal_newlines(text)
    for n, line in enumerate(text.splitlines(), 1):
        for m in MOJIBAKE_RE.finditer(line):
            fixed = demojibake(m.group(0))
            hint = f" (probably '{fixed}')" if fixed and fixed != m.group(0) else ""
            add(n, f"mojibake '{m.group(0)}'{hint}: text decoded with the wrong encoding",
                "retype the character, or paste the text again as UTF-8", "mojibake")
        if "\t" in line:
            add(n, "a tab character", "use spaces (`kg fmt` rewrites the file)", "whitespace")
        if line != line.rstrip():
            trailing_fix = trailing_fix or _trailing_fix(rel, text)
            add(n, "trailing whitespace at the end of the line", trailing_fix, "whitespace")
    for where, value in _scalars(data, "") if data is not None else ():
        s = str(value)
        if s != s.strip() and "\n" not in s.strip():
            add(value.line, f"{where} '{s}' has leading or trailing whitespace",
                "remove the spaces inside the quotes", "whitespace")
        if "  " in s.strip() and "\n" not in s:
            add(value.line, f"{where} has doubled spaces", "use single spaces", "whitespace",
                "warning")
        invisible = next((m for m in INVISIBLE_RE.finditer(s) if not _joins(s, m.start())), None)
        if invisible:
            add(value.line, f"{where} contains an invisible character "
                f"(U+{ord(invisible.group(0)):04X})",
                "delete it or replace it with a plain space", "invisible", "warning")
        if formula_like(s):
            issues.append(formula_issue(rel, entity, where, value))
        if where == "description" and len(s) > DESCRIPTION_MAX:
            add(value.line, f"description is {len(s)} characters long (over {DESCRIPTION_MAX})",
                "one or two sentences in your own words; details belong in fields and claims",
                "long-text", "warning")
    return issues


def formula_issue(rel: str, entity: str, where: str, value: YScalar) -> Issue:
    """The warning for a value a spreadsheet would run as a formula (kg.core.cells):
    `kg query --format csv` writes values as they are (SPARQL's CSV format), so a name
    '=HYPERLINK(...)' there is a live link once the file is opened in Excel."""
    return Issue(rel, value.line, 0, entity,
                 f"{where} '{value}' starts like a spreadsheet formula: a CSV of `kg query` "
                 "holding it runs it when opened in Excel or LibreOffice",
                 "if it is not the real text, correct it; if it is, open such CSV files with "
                 "the columns as text (the report's CSV files put a ' before it)",
                 "warning", "formula")


def formula_issues(rel: str, entity: str, data: YMap | None) -> list[Issue]:
    """formula_issue for every value of a record (kg add and kg edit: see ops.commit)."""
    return [formula_issue(rel, entity, where, value)
            for where, value in (_scalars(data, "") if data is not None else ())
            if formula_like(str(value))]


def lint(ws: Workspace, unchecked: bool = True) -> list[Issue]:
    """Every style issue in the workspace's files, errors and warnings, sorted; a file
    that cannot be read as a record at all (YAML syntax, encoding, empty, too large...)
    is an error here too, or lint would pass it in silence."""
    issues = [i for i in ws.result.issues if i.rule in UNREADABLE]
    records = ws.records
    step = Steps(ws.progress)  # at 100k files each stage below takes 10-20 s
    step.begin(f"checking the style of {len(records)} data files")
    for rec in counted(records, step.advance):
        with open(rec.path, encoding="utf-8", errors="replace", newline="") as fh:
            text = fh.read()  # line ends as they are: a CR is flagged
        issues += lint_text(rec.rel, rec.stem, text, rec.data)
    step(f"checked the style of {len(records)} data files")
    what = ("unchecked facts, conflicting values and sources without a link" if unchecked
            else "conflicting values and sources without a link")
    step.begin(f"finding {what}")
    if unchecked:
        per = Counter()
        first: dict[str, tuple[str, int]] = {}
        for fact in unchecked_facts(ws):
            per[fact.entity] += 1
            first.setdefault(fact.entity, (fact.path, fact.line))
        for ent, count in per.items():
            path, line = first[ent]
            issues.append(Issue(path, line, 0, ent, f"{count} unchecked fact(s)",
                                f"check them against their sources: `kg unchecked`, then "
                                f"`kg verify {ent} [FIELD]`", "warning", "unchecked"))
    sem = semantics(ws)
    issues += conflict_issues(sem)
    issues += unopenable_sources(ws)
    issues += uncited_sources(ws)
    issues += undated_sources(ws)
    issues += undated_steps(sem)
    step(f"found the {what}")
    return sorted(issues)


def semantics(ws: Workspace):
    """The semantic layer over the workspace's entities (kg.semantics.Semantics), or None
    while validation has errors: the rules below need valid entities, and validation
    errors come first. One for every rule of `lint`, so its windows are computed once."""
    from kg.data.dataset import read_dataset_info
    from kg.semantics import Semantics

    return Semantics(ws.schema, ws.entities, read_dataset_info(ws.data_dir)) \
        if ws.result.ok else None


def conflict_issues(sem) -> list[Issue]:
    """Two current values of a single-valued field on the dataset's date (kg.semantics):
    an error until a maintainer ranks one preferred or the other deprecated."""
    return sem.conflict_issues() if sem is not None else []


def undated_steps(sem) -> list[Issue]:
    """A warning for each undated value among dated ones on a single-valued temporal field
    (kg.semantics.time.Timeline.undated_steps): it counts as the first step of the
    field's history, which `kg edit` also says when it writes one."""
    if sem is None:
        return []
    out = []
    for ent, name, st, w in sem.timeline.undated_steps():
        until = f", holding until {w.end}" if w.end else ""
        out.append(Issue(ent.path, st.line, 0, ent.id,
                         f"{name} = {st.value} has no date beside dated values: it counts as "
                         f"the first step of the field's history{until}",
                         f"if it is a later step, date it: `kg edit {ent.id} --remove "
                         f"{name}={st.value}`, then `kg edit {ent.id} --add {name}={st.value} "
                         "--from DATE --source SOURCE`", "warning", "undated-step"))
    return out


def unopenable_sources(ws: Workspace) -> list[Issue]:
    """A warning for each source with neither a URL, an archived copy, a bundled file nor a
    standard identifier: a reader cannot open it and a maintainer cannot verify against it."""
    from kg.semantics.links import can_be_opened

    return [Issue(ent.path, ent.line, 0, ent.id, "source with neither a link nor an identifier",
                  "add `url:` (an address you have opened and found the source at) or an "
                  "identifier field (arxiv, doi, fr_doc, fr_citation, sec_accession, celex)",
                  "warning", "no-link")
            for ent in sorted(ws.entities.values(), key=lambda e: e.id)
            if ent.kind == "source" and not can_be_opened(ent)]


def undated_sources(ws: Workspace) -> list[Issue]:
    """A warning for each source with no `date` (a researcher's trial: `kg source add`
    without --date, and a date deleted by hand, passed every check): a reader cannot tell
    how old what it says is, nor the report whether it could know a later fact."""
    return [Issue(ent.path, ent.line, 0, ent.id, "source with no date",
                  "add `date:`, the day, month or year it was published as the source gives "
                  f"it (`kg edit {ent.id} --set date=YYYY-MM-DD`)", "warning", "undated-source")
            for ent in sorted(ws.entities.values(), key=lambda e: e.id)
            if ent.kind == "source" and ent.first("date") is None]


def uncited_sources(ws: Workspace) -> list[Issue]:
    """A warning for each source no entity refers to (no fact, no check, no other source
    cites it): nothing in the graph rests on it (a researcher's trial found one in the
    curated data that no lint said)."""
    from kg.curate.ops import references

    cited = {target for ent in ws.entities.values() if ent.kind != "tombstone"
             for target, _, _ in references(ws.schema, ent) if target != ent.id}
    return [Issue(ent.path, ent.line, 0, ent.id, "source that no fact cites",
                  "cite it where it gives a fact (`kg link ... --source`, `kg edit ... "
                  "--source`), or remove it (`kg rm`)", "warning", "uncited-source")
            for ent in sorted(ws.entities.values(), key=lambda e: e.id)
            if ent.kind == "source" and ent.id not in cited]
