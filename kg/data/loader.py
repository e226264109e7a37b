"""data/<kind>/<id>.yaml -> records that remember file, line and column.

PyYAML's C loader composes the node tree (with marks); we build the values
ourselves so that nothing is guessed: every scalar stays the text the file
holds (``NO`` is not False, ``3.10`` is not 3.1, ``2025-01`` is not a date),
and validation converts it by the schema's field type. Duplicate keys, which
PyYAML would silently collapse, are reported.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kg.core.errors import Issue
from kg.core.schema import REPO_ROOT

try:  # the C loader is ~7x faster and still gives marks on composed nodes
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Base = yaml.SafeLoader

NULL_TAG = "tag:yaml.org,2002:null"
YAML_NULLS = frozenset(("", "~", "null", "Null", "NULL"))  # YAML 1.1's plain nulls, as PyYAML's


class _Loader(_Base):
    """The safe loader, with tag resolution cut to what kg reads of a tag: whether a plain
    scalar is null (every scalar stays text). PyYAML's resolver tries its regular
    expressions (int, float, bool, timestamp...) on every plain scalar: 40% of composing.
    An explicit tag is kept as written (and refused unless plain: see PLAIN_TAGS)."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            return NULL_TAG if implicit[0] and value in YAML_NULLS else _Y + "str"
        return _Y + ("seq" if kind is yaml.SequenceNode else "map")


class YScalar(str):
    """A scalar's text, with where it stands and whether it was quoted."""

    line: int
    column: int
    tag: str
    quoted: bool

    def __new__(cls, text: str, line: int, column: int, tag: str, quoted: bool):
        obj = super().__new__(cls, text)
        obj.line, obj.column, obj.tag, obj.quoted = line, column, tag, quoted
        return obj

    @property
    def is_null(self) -> bool:
        return not self.quoted and self.tag == NULL_TAG


class YMap(dict):
    """A mapping whose keys remember their lines (``key_lines``)."""

    line: int
    column: int

    def __init__(self, line: int, column: int):
        super().__init__()
        self.line, self.column = line, column
        self.key_lines: dict[str, int] = {}


class YList(list):
    line: int
    column: int

    def __init__(self, line: int, column: int):
        super().__init__()
        self.line, self.column = line, column


def line_of(value, default: int = 1) -> int:
    return getattr(value, "line", default) or default


@dataclass
class Record:
    """One data file, parsed but not yet validated."""

    path: Path  # absolute
    rel: str  # as shown to users, relative to the repository root
    kind: str  # the folder name under data/
    stem: str  # the file name without .yaml
    data: YMap | None
    issues: list[Issue] = field(default_factory=list)


MAX_DEPTH = 50
MAX_FILE_BYTES = 256 * 1024  # the largest entity file is ~2 KB; refused before parsing
JOURNAL = ".kg-journal.json"  # kg/curate/txn.py's journal of a change under way

# C0 and C1 control characters (and DEL) other than tab and newline: a data file is read into
# every output and terminal, where they corrupt files (a NUL makes git call graph.nt binary),
# make XML ill-formed and drive the terminal (ESC sequences set colours and the title).
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# The tags a plain or quoted value gets without an explicit tag; any other (`!!binary`,
# `!custom`, `!!python/object`) is refused rather than silently read as text.
_Y = "tag:yaml.org,2002:"
PLAIN_TAGS = frozenset(_Y + t for t in ("str", "int", "float", "bool", "null", "timestamp",
                                        "merge", "value", "map", "seq"))


# The same, typed raw into a file (CR is allowed there: CRLF line ends).
RAW_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_name(ch: str) -> str:
    """'U+001B' for a control character, as shown in messages (never the raw character)."""
    return f"U+{ord(ch):04X}"


def escape_controls(text: str) -> str:
    """The text with each control character other than tab and newline written as \\xNN."""
    return CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def control_issue(rel: str, line: int, column: int, text: str, what: str) -> Issue:
    m = CONTROL_RE.search(text)
    return Issue(rel, line, column, stem_of(rel),
                 message=f"{what} contains the control character {control_name(m.group())} "
                         f"at position {m.start() + 1}: '{escape_controls(text[:80])}'",
                 fix="delete it (text may hold tabs and line breaks, but no other control "
                     "characters; they corrupt the outputs and drive terminals)",
                 rule="control-character")


class _Refused(Exception):
    """Input the loader will not expand: anchors/aliases, absurd nesting."""

    def __init__(self, line: int, message: str, fix: str, rule: str):
        super().__init__(message)
        self.line, self.message, self.fix, self.rule = line, message, fix, rule


def _build(node: yaml.Node, rel: str, issues: list[Issue], depth: int = 0, seen=None,
           where: str = "a key"):
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    seen = set() if seen is None else seen
    if id(node) in seen:  # an alias: expanding it could blow up (billion laughs)
        raise _Refused(line, "YAML anchors and aliases (&name / *name) are not allowed",
                       "write the value out in full", "yaml-alias")
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise _Refused(line, f"the YAML is nested more than {MAX_DEPTH} levels deep",
                       "flatten the structure; entities need at most a few levels", "yaml-depth")
    if node.tag not in PLAIN_TAGS:
        tag = "!!" + node.tag[len(_Y):] if node.tag.startswith(_Y) else node.tag
        raise _Refused(line, f"{where}: the YAML tag '{escape_controls(tag)}' is not allowed",
                       "delete the tag (`!…`): values are plain text, lists and mappings",
                       "yaml-tag")
    if isinstance(node, yaml.ScalarNode):
        if CONTROL_RE.search(node.value):
            issues.append(control_issue(rel, line, col, node.value, where))
        # (quoted: a style other than plain; the C loader gives a plain scalar the style '',
        # the Python loader None: a maintainer's trial saw `description: null` read as the
        # word "null", as if quoted, by validation while `kg fmt` read it as no value)
        return YScalar(node.value, line, col, node.tag, bool(node.style))
    if isinstance(node, yaml.SequenceNode):
        out = YList(line, col)
        out.extend(_build(child, rel, issues, depth + 1, seen, where) for child in node.value)
        return out
    out = YMap(line, col)
    for key_node, value_node in node.value:
        key = _build(key_node, rel, issues, depth + 1, seen)
        if not isinstance(key, str):
            issues.append(Issue(rel, key.line, key.column, stem_of(rel),
                                message="a key must be a plain word",
                                fix="write the key as a name such as `name:`", rule="yaml-syntax"))
            continue
        if key in out:
            issues.append(Issue(
                rel, key.line, key.column, stem_of(rel),  # (the entity, as every error names)
                message=f"duplicate key '{key}' (first at line {out.key_lines[key]})",
                fix=f"keep one '{key}:' line; YAML would silently drop the other",
                rule="duplicate-key"))
            continue
        out.key_lines[str(key)] = key.line
        inner = str(key) if where in ("a key", "the file") else f"{where}.{key}"
        out[str(key)] = _build(value_node, rel, issues, depth + 1, seen, inner)
    return out


def stem_of(rel: str) -> str:
    """The entity a file holds, by its name (data/model/deepseek-r1.yaml: deepseek-r1): what
    an error names when the file cannot be read."""
    return rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def too_big(rel: str, size: int) -> Issue:
    return Issue(rel, 0, 0, stem_of(rel), message=f"the file is {size:,} bytes, more than the limit of "
                 f"{MAX_FILE_BYTES:,}", fix="one entity per file: split it, or shorten its "
                 "values (entity files are a few kilobytes)", rule="too-large")


def parse_text(text: str, rel: str) -> tuple[YMap | None, list[Issue]]:
    """Parse one file's text into a YMap, or return the syntax issue."""
    issues: list[Issue] = []
    if len(text) > MAX_FILE_BYTES and len(text.encode("utf-8")) > MAX_FILE_BYTES:
        return None, [too_big(rel, len(text.encode("utf-8")))]
    raw = RAW_CONTROL_RE.search(text)
    if raw:  # typed into the file as is (not as a YAML escape): the YAML reader's message
        line = text.count("\n", 0, raw.start()) + 1  # would say "position 13" of line 1
        column = raw.start() - (text.rfind("\n", 0, raw.start()) + 1) + 1
        return None, [Issue(rel, line, column, stem_of(rel),
                            message=f"the file holds the control character "
                                    f"{control_name(raw.group())}",
                            fix="delete it (text may hold tabs and line breaks, but no other "
                                "control characters; they corrupt the outputs and drive "
                                "terminals)", rule="control-character")]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        column = mark.column + 1 if mark else 0
        problem = exc.problem or exc.context or "unreadable YAML"
        ctx = exc.context_mark
        if exc.context and ctx is not None and mark is not None and ctx.line != mark.line:
            problem += f" ({exc.context} that starts at line {ctx.line + 1})"
        fix = ("correct the YAML at this line (indentation, a missing colon, or quote a value "
               "that contains ': ' or '#')")
        if mark is not None and text[mark.index:mark.index + 1] == "\t":
            # (a maintainer's trial: "found character that cannot start any token" did not
            # say the character was a tab)
            problem += " (a tab)"
            fix = "indent with spaces: YAML does not allow tabs for indentation"
        return None, [Issue(rel, line, column, stem_of(rel), message=f"YAML syntax error: {problem}",
                            fix=fix, rule="yaml-syntax")]
    except yaml.YAMLError as exc:
        return None, [Issue(rel, 1, 0, stem_of(rel), message=f"YAML error: {exc}", fix="correct the YAML",
                            rule="yaml-syntax")]
    if node is None:
        return None, [Issue(rel, 1, 0, stem_of(rel), message="the file is empty",
                            fix="write the entity's fields, or delete the file", rule="empty-file")]
    try:
        data = _build(node, rel, issues, where="the file")
    except _Refused as exc:
        return None, [Issue(rel, exc.line, 0, stem_of(rel), message=exc.message, fix=exc.fix,
                            rule=exc.rule)]
    if not isinstance(data, YMap):
        return None, issues + [Issue(rel, data.line, 0, stem_of(rel),
                                     message="the file must hold one mapping of fields",
                                     fix="start the file with `id: ...` and one `field: value` per line",
                                     rule="not-a-mapping")]
    return data, issues


def relpath(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def resolve_data_dir(given: Path | str | None = None) -> Path:
    """The data folder: the one given, else ./data, else the repository's data/."""
    if given:
        return Path(given)
    here = Path.cwd() / "data"
    return here if here.is_dir() else REPO_ROOT / "data"


def data_argument(given: Path | str | None, cwd: Path | None = None) -> str:
    """" --data FOLDER" (shell-quoted) for a command kg prints for the user to run, so
    that it reads the data the command that printed it read; "" for the default (None).

    FOLDER is the folder as the user gave it: a relative path stays as typed (the command
    is meant to be run where kg was); an absolute path inside `cwd` (default: the
    current folder) is made relative to it, so a page does not show another machine's
    home folder when it need not; an absolute path outside stays absolute."""
    import shlex

    if given is None:
        return ""
    folder = Path(given)
    if folder.is_absolute():
        here = (cwd or Path.cwd()).resolve()
        try:
            folder = folder.resolve().relative_to(here)
        except ValueError:
            pass
    return " --data " + shlex.quote(folder.as_posix() or ".")


def issues_root(given: Path | str | None = None) -> Path:
    """The folder the issues' paths are relative to: the parent of the data folder
    (`resolve_data_dir(given)`). Give it to `Issue.format` to print a path the user can
    open from the current folder."""
    return resolve_data_dir(given).parent


def iter_data_files(data_dir: Path) -> list[Path]:
    """Every *.yaml/*.yml file under data_dir, sorted, symlinks included."""
    return [Path(p) for p in data_file_names(data_dir)]


def data_file_names(data_dir: Path) -> list[str]:
    """iter_data_files(data_dir) as strings (no Path made per file: 10k files)."""
    out = []
    top = str(data_dir)
    join = os.path.join
    for dirpath, dirnames, filenames in os.walk(data_dir):
        dirnames.sort()
        for name in sorted(filenames):
            if dirpath == top and name == "dataset.yaml":
                continue  # the dataset's settings (kg/data/dataset.py), not an entity
            if name.endswith((".yaml", ".yml")):
                out.append(join(dirpath, name))
    return out


def names_of(path: Path, data_dir: Path) -> tuple[str, str, str]:
    """(rel, kind, stem) of a data file: its path as users see it, its folder, its id."""
    rel = relpath(path, data_dir.parent)
    parts = path.relative_to(data_dir).parts
    return rel, parts[0] if len(parts) > 1 else "", path.name.rsplit(".", 1)[0]


def namer(data_dir: Path) -> Callable[..., tuple[str, str, str]]:
    """names(path, is_link=None): names_of(path, data_dir) for many files of
    iter_data_files(data_dir) (a Path or its string), without resolving each path (4
    realpath calls a file were a third of a cold load): a file that is no symlink, found
    by walking real folders below data_dir, resolves to the resolved data_dir joined with
    the same parts. Anything else takes names_of. is_link: whether path is a symlink, if
    the caller knows (else it is asked of the file system)."""
    prefix = str(data_dir) + os.sep
    base = data_dir.resolve()
    lexical = base.parent == data_dir.parent.resolve() and base.name not in ("", ".", "..")

    def names(path: Path | str, is_link: bool | None = None) -> tuple[str, str, str]:
        text = str(path)
        if (not lexical or not text.startswith(prefix)
                or (os.path.islink(text) if is_link is None else is_link)):
            return names_of(Path(path), data_dir)
        sub = text[len(prefix):]
        kind, _, name = sub.rpartition(os.sep)
        if os.sep in kind:  # deeper than data/<kind>/<file>
            kind = kind.split(os.sep, 1)[0]
        rel = f"{base.name}/{sub}" if os.sep == "/" else f"{base.name}/{Path(sub).as_posix()}"
        return rel, kind, name.rsplit(".", 1)[0]

    return names


def load_file(path: Path, data_dir: Path,
              names: tuple[str, str, str] | None = None) -> Record:
    """One data file read and parsed; names: its names_of, if known."""
    rel, kind, stem = names or names_of(path, data_dir)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Record(path, rel, kind, stem, None, [Issue(
            rel, 0, message=f"cannot read the file: {exc.strerror}", fix="check the file",
            rule="unreadable")])
    if size > MAX_FILE_BYTES:
        return Record(path, rel, kind, stem, None, [too_big(rel, size)])
    return record_of_bytes(path, (rel, kind, stem), path.read_bytes())


def record_of_bytes(path: Path, names: tuple[str, str, str], raw: bytes) -> Record:
    """The Record of a file whose bytes are already read (as load_file reads them)."""
    rel, kind, stem = names
    if len(raw) > MAX_FILE_BYTES:
        return Record(path, rel, kind, stem, None, [too_big(rel, len(raw))])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # where the bad byte is, as an editor counts: its line, and its column in that
        # line's characters (the line's text before it decodes, up to a bad byte there)
        start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[start:exc.start].decode("utf-8", "replace")) + 1
        return Record(path, rel, kind, stem, None, [Issue(
            rel, line, column, stem, message=f"the file is not UTF-8 ({exc.reason}: byte "
            f"0x{raw[exc.start]:02x} at byte {exc.start} of the file)",
            fix="save the file as UTF-8 (a byte such as 0xe9 is usually Latin-1 or "
                "Windows-1252 text: convert it, e.g. iconv -f windows-1252 -t utf-8)",
            rule="encoding")])
    data, issues = parse_text(universal_newlines(text), rel)
    return Record(path, rel, kind, stem, data, issues)


def universal_newlines(text: str) -> str:
    """text with CR LF and a lone CR read as LF, as text-mode reading gives: the one
    reading of line ends for validation, `kg fmt`, `kg edit` and `kg lint`."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The garbage collector off inside (it dominates big loads: every YAML node and entity
    is a new object), restored after; nests."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_FREEZE = []  # set by freeze_after_loads


def freeze_after_loads() -> None:
    """In this process, `kg.data.validate.validate_dir` ends by moving every object alive
    (its entities among them) out of the collector's sight (gc.freeze), so that no later
    collection walks them again: the first collection after its pause took 0.1-0.2 s at
    10k entities, for nothing (a load makes no cyclic garbage: 0 objects collected, cold
    or warm). For the `kg` console script, whose entities live until it exits; never in
    a library caller's process (tests), where frozen objects would stay unseen."""
    from kg.core.forked import keep_frozen

    _FREEZE.append(True)
    keep_frozen()  # and a forked child's reaping does not unfreeze them


def freeze_if_asked() -> None:
    """gc.freeze() if freeze_after_loads was called in this process."""
    if _FREEZE:
        gc.freeze()


def load_records(data_dir: Path,
                 advance: Callable[[int, int], None] | None = None) -> list[Record]:
    """Parse every data file; the garbage collector is paused (it dominates big loads).
    advance(done, total), if given, is told how many files are done, about every 1%."""
    with gc_paused():
        names = namer(data_dir)
        return [load_file(p, data_dir, names(p))
                for p in counted(iter_data_files(data_dir), advance)]


def counted(items: list, advance: Callable[[int, int], None] | None) -> Iterator:
    """The items, telling advance(done, total) about every 1% of them on the way (a
    progress bar's count); advance None: the items alone."""
    every = max(1, len(items) // 100)
    for n, item in enumerate(items):
        if advance and n % every == 0:
            advance(n, len(items))
        yield item
