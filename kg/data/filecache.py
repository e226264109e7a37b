"""A per-file cache of what reading and checking one data file gives, so that after
touching one file `kg validate`, `kg fmt --check` and the first stage of `kg build`
re-read and re-check only that file (the checks across files still run over everything).

- Entry key: a hash of the file's bytes and its path, kind and id (they appear in its
  issues); the entries of one purpose are only valid under one **fingerprint**: kg's
  version, the source of the modules whose output is cached, the schema (its full
  `repr`, not only its version), PyYAML/libyaml and Python. Change any of them and
  every entry is ignored, then rewritten.
- Entry value: plain data (strings, numbers, lists, mappings: what JSON holds), never
  pickle; decoding a malformed entry fails and the file is simply read and checked
  again.
- Storage: per data folder and purpose, 16 shard files
  `files/<purpose>-<folder hash>-<0..f>.json`, each `kg-filecache <fingerprint>
  <sha256 of the body>` then the body: the entries in `marshal` form (plain values
  only; 2x faster to load than JSON, and only ever read from the user's own cache
  folder, after its checksum matched); a shard whose header does not match (another
  version, cut short, edited) is ignored. A shard is rewritten only when the
  set of its entries changed, to a temporary file renamed over it, so a reader never
  sees half a file and two writers at once leave one whole shard (the last).
  A shard keeps only the entries of the files the last run saw, and only the shards of
  the KEEP_FOLDERS data folders written most recently are kept.
- File stamps (`FileCache(..., stamps=True)`, the checks' cache): beside the shards,
  `files/<purpose>-<folder hash>-stamps.json` (same header, marshal body) maps each
  file (its path and names) to its stat stamp (modification and change times in ns,
  size, inode, device) and its entry key, so an unchanged file is not even read: its
  key is taken from the stamp while the stamp matches and was recorded over RACY
  seconds after the file last changed (a file written twice within one clock tick
  could otherwise keep its stamp with other bytes).
- Folder: $KG_CACHE_DIR, else $XDG_CACHE_HOME/ai-race-kg, else ~/.cache/ai-race-kg
  (the same rule as kg/sparql/cache.py). `KG_NO_CACHE=1` (or `--no-cache`) turns it off.
- Whole answers (`remembered`): `kg validate` stores its issues under inputs_key, a
  hash of every input (the data folder, ontology/, kg's source, the libraries'
  versions, the options), so running it again on unchanged inputs (a re-run, the
  pre-commit hook after a manual run, a file touched but not changed) prints the same
  answer without building the graph. `results/<purpose>-<key>.json`, the newest 8 kept.
  The network analysis's memos (kg.analysis.memo) are stored by the same code under
  `analysis/`.
- Temporaries: files through `write_atomic` (a killed writer's are swept by the next
  write into the folder); folders through `scratch_folder` (`tmp/kg-<purpose>.<random>.tmp`:
  `kg serve`'s copy of the graph) and kg.sparql.cache's unfinished stores, each locked
  while used (`lock_folder`), so that `sweep_unfinished` removes only those of killed
  processes. Nothing of kg's is left under the system's /tmp.
- Parts (`PARTS`, `kg cache info` / `kg cache clear`): every kind of entry above and
  those of the other modules that keep things here (kg.rdf.graphcache, kg.rdf.shapes,
  kg.rdf.splice, kg.analysis.memo, kg.sparql.cache), each named by the shape of its
  entries' names; `usage` counts them, `clear_parts` removes them (never a folder a live
  process holds, never a name of no part's: $KG_CACHE_DIR may hold other things). A
  module that keeps a new kind of entry here adds its part (tests/test_cache_command.py
  fails on a name no part claims after a build).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import re
import shutil
import stat as stat_module
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from kg.core.errors import Issue
from kg.core.model import Check, DateValue, Entity, Statement

CACHE_ENV = "KG_CACHE_DIR"
OFF_ENV = "KG_NO_CACHE"
FORMAT = "3"
SHARDS = "0123456789abcdef"
MAGIC = "kg-filecache"
KEEP_FOLDERS = 8  # data folders whose entries are kept, per purpose (the newest written)
STAMPS = "stamps"  # the name of the stamps file beside the shards (in place of a shard letter)
MARSHAL_VERSION = 4


def cache_dir() -> Path:
    """Where caches live ($KG_CACHE_DIR, $XDG_CACHE_HOME/ai-race-kg, ~/.cache/ai-race-kg)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ai-race-kg"


def enabled() -> bool:
    """False when $KG_NO_CACHE is set to anything but '', '0', 'false' or 'no'."""
    return os.environ.get(OFF_ENV, "").strip().lower() in ("", "0", "false", "no")


def turn_off() -> None:
    """No per-file cache for the rest of this process (and its children): `--no-cache`."""
    os.environ[OFF_ENV] = "1"


def fingerprint(modules: Iterable[ModuleType], *parts: object) -> str:
    """Hex SHA-256 of the cache format, kg's version, Python, PyYAML, the source bytes of
    `modules` and the repr of each of `parts` (e.g. the Schema)."""
    import yaml

    import kg

    h = hashlib.sha256()
    for item in (FORMAT, kg.__version__, sys.version, yaml.__version__,
                 getattr(yaml, "__with_libyaml__", False)):
        h.update(repr(item).encode() + b"\0")
    for mod in modules:
        h.update(Path(mod.__file__).read_bytes() + b"\0")
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


STALE_TMP = 60.0  # seconds: a temporary of write_atomic not written to for this long is left over


def write_atomic(path: Path, data: bytes) -> bool:
    """Write data to a temporary file beside path (`.<name>.<random>.tmp`) and rename it
    over path: a reader sees the old file or the new one, never half of one. False (and
    nothing left) on failure. After the first write into a folder in this process, the
    temporaries that processes killed while writing left there are removed
    (`sweep_temporaries`): every cache folder is written through here, so none of them
    keeps one for ever (once per folder: listing a folder of 300 files doubled the cost
    of a write)."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        tmp = None
    except OSError:  # a read-only or full disk: the next run does the work again
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    if str(path.parent) not in _SWEPT:
        _SWEPT.add(str(path.parent))
        sweep_temporaries(path.parent)
    return True


_SWEPT: set[str] = set()  # the folders write_atomic has swept in this process


@contextlib.contextmanager
def kept_if_interrupted(store: FileCache | None) -> Iterator[None]:
    """Ctrl-C (KeyboardInterrupt) inside: store's entries so far are saved (with the
    earlier ones: save(prune=False)) before it goes on, so a long first run (4-5 minutes
    of kg fmt --check at 100k files) stopped near its end does not start again from zero.
    Each entry is keyed on its file's bytes, so a partial save is never a wrong answer.
    store None (the cache is off): nothing."""
    try:
        yield
    except KeyboardInterrupt:
        if store is not None:
            store.save(prune=False)
        raise


_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")  # tempfile.mkstemp's 8 random characters


def is_temporary(name: str) -> bool:
    """Whether a file name is that of a write_atomic temporary: `.<name>.<8 random
    characters of tempfile.mkstemp>.tmp` (only that shape: $KG_CACHE_DIR may be a folder
    other programs keep temporaries in too)."""
    return _TEMPORARY.fullmatch(name) is not None


def sweep_temporaries(folder: Path, older_than: float = STALE_TMP) -> list[str]:
    """Remove the write_atomic temporaries (see `is_temporary`) in folder last modified
    over older_than seconds ago: a process killed between creating one and renaming it
    left it (a write in progress changes its file well within that time). Returns the
    names removed, sorted; failing to list or remove is no error."""
    removed = []
    limit = time.time() - older_than
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not is_temporary(entry.name):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and entry.stat(
                        follow_symlinks=False).st_mtime < limit:
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return sorted(removed)


LOCK = "kg-writing"  # in a temporary folder of kg's: locked by the process using it
SCRATCH = "tmp"  # the cache folder's subfolder of scratch folders (`scratch_folder`)
_SCRATCH = re.compile(r"kg-[a-z]+\.[a-z0-9_]{8}\.tmp")  # scratch_folder's (mkdtemp's 8)


def lock_folder(folder: Path) -> int:
    """A descriptor of folder/LOCK holding its lock (flock, exclusive) for as long as it is
    open (closing it, or the end of this process however it ends, lets it go): while it
    is held, `sweep_unfinished` leaves folder alone. The file is locked before it takes
    its name, so no sweep ever sees it unlocked while the folder is in use. Programs
    this process runs (exec) do not inherit it; a child it forks shares the lock, so
    the folder stays in use while either lives. Raises OSError."""
    import fcntl

    fd = os.open(folder / f".{LOCK}", os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.rename(folder / f".{LOCK}", folder / LOCK)
    except OSError:
        os.close(fd)
        raise
    return fd


def lock_state(folder: Path) -> str:
    """Whether a process uses folder now (see `lock_folder`): "held" (its LOCK is locked),
    "free" (it has one nobody holds: its process ended, maybe killed), "none" (it has
    none) or "unknown" (it cannot be opened: a folder of another user's)."""
    import fcntl

    try:
        fd = os.open(folder / LOCK, os.O_RDONLY)
    except FileNotFoundError:
        return "none"
    except OSError:
        return "unknown"
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return "held"
    finally:
        os.close(fd)
    return "free"


def sweep_unfinished(folder: Path, shape: re.Pattern, older_than: float = STALE_TMP
                     ) -> list[str]:
    """Remove the subfolders of folder whose names `shape` matches in full (kg's temporary
    folders: at 100k entities hundreds of MB each) that a process killed while using
    them left: those whose LOCK no process holds (`lock_state` "free"), and those
    without one (an older kg's, or one killed before locking it) last changed over
    older_than seconds ago. A folder in use now is left. Returns the names removed,
    sorted; failing to list or remove is no error."""
    removed = []
    with contextlib.suppress(OSError):
        for tmp in folder.iterdir():
            if not (shape.fullmatch(tmp.name) and tmp.is_dir()):
                continue
            state = lock_state(tmp)
            with contextlib.suppress(OSError):
                if state == "free" or (state == "none" and
                                       time.time() - tmp.stat().st_mtime > older_than):
                    shutil.rmtree(tmp, ignore_errors=True)
                    if not os.path.lexists(tmp):  # (a name it could not remove is not told)
                        removed.append(tmp.name)
    return sorted(removed)


def scratch_parent() -> Path:
    """Where `scratch_folder` makes its folders: the cache folder's SCRATCH subfolder
    (made if missing), or, if it cannot be made, the system's temporary folder (also
    where scratch_folder goes when it cannot write in the SCRATCH subfolder)."""
    parent = cache_dir() / SCRATCH
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path(tempfile.gettempdir())
    return parent


def sweep_scratch(parent: Path | None = None) -> list[str]:
    """Remove the scratch folders (`kg-<purpose>.<random>.tmp`) in parent (by default
    `scratch_parent()`) whose process was killed (`sweep_unfinished`); the names removed."""
    return sweep_unfinished(scratch_parent() if parent is None else parent, _SCRATCH)


@contextlib.contextmanager
def scratch_folder(purpose: str, sweep: bool = True):
    """`with scratch_folder("serve") as folder:` a new empty folder
    `kg-<purpose>.<random>.tmp` (purpose: lowercase letters) under `scratch_parent()`
    (the cache folder's tmp/, even with the cache off: it is not a cache, and the
    cache folder is the user's place for kg's files), locked while the block runs
    (`lock_folder`) and removed after it. The scratch folders of processes killed
    meanwhile (SIGKILL, the OOM killer: no clean-up) are removed when the next one is
    made, or by `kg cache clear` (`clear_parts`); those of living processes never (two
    `kg serve` at once each keep theirs; sweep=False: not now, for a caller that sweeps
    and reports them itself). Raises OSError if no folder can be made."""
    parent = scratch_parent()
    if sweep:
        sweep_scratch(parent)
    try:
        folder = Path(tempfile.mkdtemp(dir=parent, prefix=f"kg-{purpose}.", suffix=".tmp"))
    except OSError:  # a cache folder not ours to write in: the system's, swept the same
        parent = Path(tempfile.gettempdir())
        if sweep:
            sweep_scratch(parent)
        folder = Path(tempfile.mkdtemp(dir=parent, prefix=f"kg-{purpose}.", suffix=".tmp"))
    try:
        lock = lock_folder(folder)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(lock)

class FileCache:
    """The entries of one purpose ('check', 'fmt') for one data folder.

    get(key) -> the value stored for it, or None; put(key, value) stores one for
    this run; save() writes the shards whose set of entries changed (the files seen
    this run: get or put; with save(prune=False), the earlier ones too). Failing to read
    or write the cache is never an error.

    With stamps=True, known(path, names, st) gives the entry key recorded for a file
    whose os.stat result st still matches (None: read the file), and stamp(path, names,
    st, key) records one; save() writes the stamps of the files seen this run.
    """

    def __init__(self, data_dir: Path, purpose: str, fp: str, folder: Path | None = None,
                 stamps: bool = False):
        self.folder = (folder or cache_dir()) / "files"
        where = hashlib.sha256(str(Path(data_dir).resolve()).encode("utf-8", "surrogatepass"))
        self.base = f"{purpose}-{where.hexdigest()[:24]}"
        self.fp = fp
        self.old: dict[str, dict[str, Any]] = {s: self._read(s) for s in SHARDS}
        self.new: dict[str, dict[str, Any]] = {s: {} for s in SHARDS}
        self.stamps = stamps
        self.old_stamps: dict[str, list] = self._read(STAMPS) if stamps else {}
        self.new_stamps: dict[str, list] = {}
        self.now_ns = time.time_ns()

    @staticmethod
    def key(raw: bytes, *names: str) -> str:
        """The entry key of a file: its bytes and the names it is shown under."""
        h = hashlib.blake2b(raw, digest_size=16)
        for name in names:
            h.update(b"\0" + name.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def _path(self, shard: str) -> Path:
        return self.folder / f"{self.base}-{shard}.json"

    def _read(self, shard: str) -> dict[str, Any]:
        try:
            blob = self._path(shard).read_bytes()
            head, _, body = blob.partition(b"\n")
            magic, fp, digest = head.decode("ascii").split(" ")
            if magic != MAGIC or fp != self.fp or hashlib.sha256(body).hexdigest() != digest:
                return {}
            entries = marshal.loads(body)
            return entries if isinstance(entries, dict) else {}
        except (OSError, ValueError, EOFError, TypeError):  # missing, cut short, not ours
            return {}

    def get(self, key: str) -> Any:
        value = self.old[key[0]].get(key)
        if value is not None:
            self.new[key[0]][key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self.new[key[0]][key] = value

    @staticmethod
    def _stamp(st: os.stat_result) -> list[int]:
        return [st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev]

    def known(self, path: str, names: tuple[str, ...], st: os.stat_result) -> str | None:
        """The key recorded for the file at path (shown under names) if st, its os.stat
        now, is the stamp recorded with it; else None. The stamp is kept for this run."""
        ident = "\0".join((path, *names))
        known = self.old_stamps.get(ident)
        if (isinstance(known, list) and len(known) == 6 and known[:5] == self._stamp(st)
                and isinstance(known[5], str) and known[5]):
            self.new_stamps[ident] = known
            return known[5]
        return None

    def stamp(self, path: str, names: tuple[str, ...], st: os.stat_result, key: str) -> None:
        """Record that the file at path, as os.stat showed it (st, taken before its bytes
        were read), has the entry key; only if it last changed over RACY seconds ago."""
        if self.now_ns - max(st.st_mtime_ns, st.st_ctime_ns) > RACY * 1e9:
            self.new_stamps["\0".join((path, *names))] = [*self._stamp(st), key]

    def _write(self, shard: str, entries: dict[str, Any]) -> None:
        body = marshal.dumps(entries, MARSHAL_VERSION)  # key order kept: a file's fields
        head = f"{MAGIC} {self.fp} {hashlib.sha256(body).hexdigest()}\n".encode()
        write_atomic(self._path(shard), head + body)

    def save(self, prune: bool = True) -> None:
        """Write each shard whose entries changed; atomically (temp file, rename).
        prune=False keeps the entries this run did not see (it saw only some files)."""
        wrote = False
        for shard in SHARDS:
            if not prune:
                self.new[shard] = {**self.old[shard], **self.new[shard]}
            if self.new[shard].keys() == self.old[shard].keys():
                continue
            self._write(shard, self.new[shard])
            self.old[shard] = self.new[shard]
            wrote = True
        if self.stamps:
            if not prune:
                self.new_stamps = {**self.old_stamps, **self.new_stamps}
            if self.new_stamps != self.old_stamps:
                self._write(STAMPS, self.new_stamps)
                self.old_stamps = self.new_stamps
                wrote = True
        if wrote:
            self._prune()

    def _prune(self) -> None:
        """Keep the shards of the KEEP_FOLDERS data folders written most recently (per
        purpose): temporary data folders (tests, benchmarks) would otherwise pile up."""
        groups: dict[str, float] = {}
        try:
            for entry in os.scandir(self.folder):
                purpose, _, rest = entry.name.partition("-")
                if entry.name.endswith(".json") and purpose == self.base.split("-")[0]:
                    group = f"{purpose}-{rest.split('-')[0]}"
                    groups[group] = max(groups.get(group, 0.0), entry.stat().st_mtime)
        except OSError:
            return
        ranked = sorted(groups, key=lambda g: (groups[g], g == self.base), reverse=True)
        for group in ranked[KEEP_FOLDERS:]:
            for shard in (*SHARDS, STAMPS):
                with contextlib.suppress(OSError):
                    os.unlink(self.folder / f"{group}-{shard}.json")


# -- what is stored: plain JSON for the core model ----------------------------------------------
def encode_value(v: Any) -> Any:
    """A statement's value as JSON: str, bool and int as they are, others tagged.
    Raises TypeError for anything else (the file is then not cached)."""
    if isinstance(v, (str, bool, int)) or v is None:
        return v
    if isinstance(v, Decimal):
        return {"d": str(v)}
    if isinstance(v, DateValue):
        return {"t": [v.text, v.start.toordinal(), v.end.toordinal()]}
    if isinstance(v, Check):
        return {"c": [v.by, encode_value(v.on), v.against]}
    if isinstance(v, dict) and all(isinstance(k, str) and isinstance(x, str)
                                   for k, x in v.items()):
        return {"m": v}
    raise TypeError(f"cannot cache a {type(v).__name__}")


def decode_value(v: Any) -> Any:
    if not isinstance(v, dict):
        return v
    (tag, x), = v.items()
    if tag == "d":
        return Decimal(x)
    if tag == "t":
        return DateValue(date.fromordinal(x[1]), date.fromordinal(x[2]), x[0])
    if tag == "c":
        return Check(x[0], decode_value(x[1]), x[2])
    if tag == "m":
        return dict(x)
    raise ValueError(tag)


def encode_statement(st: Statement) -> list:
    """[field, value, line], plus the rest only when it is not the defaults (most are not)."""
    head = [st.field, encode_value(st.value), st.line]
    if (st.sources == () and st.valid_from is None and st.valid_to is None and st.as_of is None
            and st.confidence is None and st.rank == "normal" and st.as_written is None
            and st.note is None and st.checked is None and st.qualifiers == {}):
        return head
    return head + [list(st.sources), encode_value(st.valid_from), encode_value(st.valid_to),
                   encode_value(st.as_of), st.confidence, st.rank, st.as_written, st.note,
                   encode_value(st.checked), {k: encode_value(v) for k, v in st.qualifiers.items()}]


def decode_statement(x: list) -> Statement:
    if len(x) == 3:
        return Statement(x[0], decode_value(x[1]), x[2])
    return Statement(x[0], decode_value(x[1]), x[2], tuple(x[3]), decode_value(x[4]),
                     decode_value(x[5]), decode_value(x[6]), x[7], x[8], x[9], x[10],
                     decode_value(x[11]), {k: decode_value(v) for k, v in x[12].items()})


def encode_entity(e: Entity) -> list:
    return [e.id, e.kind, e.path, e.line, e.field_lines,
            {name: [encode_statement(st) for st in sts] for name, sts in e.facts.items()}]


def decode_entity(x: list) -> Entity:
    """The inverse of encode_entity. Most statements are [field, plain value, line]: made
    here without a call per statement (decoding 10k cached entities is most of a warm
    validation)."""
    facts = {}
    for name, sts in x[5].items():
        facts[name] = [Statement(s[0], s[1], s[2]) if len(s) == 3 and s[1].__class__ is not dict
                       else decode_statement(s) for s in sts]
    return Entity(x[0], x[1], x[2], x[3], facts, dict(x[4]))


def encode_issue(i: Issue) -> list:
    return [i.path, i.line, i.column, i.entity, i.message, i.fix, i.level, i.rule]


def decode_issue(x: list) -> Issue:
    return Issue(*x)


# -- whole answers: the same inputs, the same answer -------------------------------------------
RESULTS_KEEP = 8
DISTRIBUTIONS = ("rdflib", "pyshacl", "pyoxigraph", "oxrdflib", "PyYAML", "ruamel.yaml",
                 "rfc3987")


RACY = 2.0  # seconds: a file changed more recently than this is read, not trusted by its stamp
KEEP_ROOTS = 12  # folders whose file stamps the index keeps (the most recently used)


def input_files(roots: Iterable[tuple[str, Path]], py_only: Iterable[str] = ("kg",)
                ) -> list[tuple[str, str, str]] | None:
    """(label, path, SHA-256) of every file under each (label, root) (a root may also be
    one file), in order: folders walked as the loader walks them (every folder, hidden ones too; symlinked files
    followed, shown as `rel<NUL>target`), only the .py files of the roots labelled in
    py_only (compiled files come and go without changing the code). None if a file
    cannot be read.

    A file's SHA-256 is taken from the stat index (`inputs.json` in the cache folder:
    per root, path -> [mtime ns, size, digest]) while its size and modification time
    match and that time is over RACY seconds old (a file changed twice within one clock
    tick could otherwise keep its stamp); else the file is read and hashed, and the
    index updated. With the cache off, every file is read."""
    use_index = enabled()
    index_path = cache_dir() / "inputs.json"
    index: dict = {}
    if use_index:
        try:
            index = json.loads(index_path.read_text(encoding="utf-8"))
            index = index if isinstance(index, dict) else {}
        except (OSError, ValueError):
            index = {}
    py_only, changed, now_ns, out = set(py_only), False, time.time_ns(), []
    for label, root in roots:
        root_key = str(Path(root).resolve())
        known_files = index.get(root_key)
        known_files = known_files if isinstance(known_files, dict) else {}
        fresh: dict[str, list] = {}
        racy_ns = now_ns - RACY * 1e9
        for dirpath, dirnames, filenames in _walk(root):
            dirnames.sort()
            # the folder's path relative to root, once per folder (relpath per file was
            # a third of this function at 10k files)
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            rel_dir = "" if rel_dir == "." else rel_dir + "/"
            for name in sorted(filenames):
                if label in py_only and not name.endswith(".py"):
                    continue
                path = os.path.join(dirpath, name)
                rel = rel_dir + name if dirnames is not _FILE_ROOT else \
                    os.path.relpath(path, root).replace(os.sep, "/")
                try:
                    st = os.lstat(path)
                    is_link = stat_module.S_ISLNK(st.st_mode)
                    if is_link:
                        st = os.stat(path)
                    stamp = [st.st_mtime_ns, st.st_size]
                    known = known_files.get(rel)
                    if (isinstance(known, list) and len(known) == 3 and known[:2] == stamp
                            and st.st_mtime_ns < racy_ns):
                        digest = known[2]
                    else:
                        with open(path, "rb") as fh:
                            digest = hashlib.sha256(fh.read()).hexdigest()
                except OSError:
                    return None
                fresh[rel] = [*stamp, digest]
                if is_link:  # its target's path is what messages show
                    rel += "\0" + os.path.realpath(path)
                out.append((label, rel, digest))
        if fresh != known_files:
            changed = True
        index.pop(root_key, None)
        index[root_key] = fresh  # most recently used last
    if use_index and changed:
        write_atomic(index_path, json.dumps(dict(list(index.items())[-KEEP_ROOTS:])).encode())
    return out


_FILE_ROOT: list = []  # the subfolders _walk gives for a root that is one file


def _walk(root: Path):
    """os.walk(root), or, for a file, the one entry (its folder, no subfolders: the list
    _FILE_ROOT, its name)."""
    if os.path.isfile(root):
        return [(os.path.dirname(os.path.abspath(root)), _FILE_ROOT, [os.path.basename(root)])]
    return os.walk(root)


def inputs_key(data_dir: Path, *parts: object) -> str | None:
    """Hex SHA-256 of everything an answer over the whole data folder can depend on: where
    it is, every file under it (path, a symlink's target, content; dataset.yaml and a
    pending journal included), every file of ontology/, the source of every kg module,
    Python, kg's version, the versions of the libraries kg reads and writes RDF with,
    and `parts` (what the answer is and the command's options). None if data_dir is not
    a folder or a file cannot be read. The contents' hashes come from `input_files`."""
    from importlib import metadata

    import kg
    from kg.core.schema import resource_dir

    if not Path(data_dir).is_dir():
        return None
    files = input_files([("data", Path(data_dir)), ("ontology", resource_dir("ontology")),
                         ("kg", Path(kg.__file__).resolve().parent)])
    if files is None:
        return None
    h = hashlib.sha256()
    for item in (FORMAT, kg.__version__, sys.version, *parts):
        h.update(repr(item).encode("utf-8", "surrogatepass") + b"\0")
    for name in DISTRIBUTIONS:
        try:
            h.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=\0".encode())
    h.update(str(Path(data_dir).resolve()).encode("utf-8", "surrogatepass") + b"\0")  # in paths
    for label, rel, digest in files:
        h.update(f"{label}:{rel}\0{digest}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def remembered(purpose: str, key: str | None, compute: Callable[[], Any],
               decode: Callable[[Any], Any],
               key_again: Callable[[], str | None] | None = None, *,
               folder: str = "results", tag: str | None = None) -> Any:
    """decode(the JSON answer stored under key by an earlier run), else decode(compute()),
    storing compute()'s answer under key. key None (or the cache off): always compute.
    A stored answer that decode rejects (KeyError, TypeError, ValueError, IndexError,
    AttributeError) is computed again and stored over it. A computed answer goes through
    JSON (dumped, loaded back) before decode, so decode sees the same value whether the
    answer was stored or just computed. Raises TypeError or ValueError if compute() gives
    something JSON cannot hold exactly (a set, NaN).

    key_again: the key taken again after compute(); the answer is stored only if it is
    still key, so an input changed while compute() read it (an editor saving during the
    run) never files an answer under inputs it was not computed from.

    folder and tag: where under the cache folder the entries of this purpose live
    (`<folder>/<purpose>-<key>.json`) and the text before the body's checksum on the
    entry's first line (by default `kg-filecache <key>`): `kg validate`'s answers are
    under results/, the network analysis's memos (kg.analysis.memo) under analysis/.
    Either way the newest RESULTS_KEEP entries of a purpose are kept."""
    on = bool(key) and enabled()
    tag = f"{MAGIC} {key}" if tag is None else tag
    if on:
        stored = read_result(purpose, key, folder=folder, tag=tag)
        if stored is not None:
            try:
                return decode(stored)
            except (KeyError, TypeError, ValueError, IndexError, AttributeError):
                pass  # an entry from a broken write or edited by hand: compute again
    body = json.dumps(compute(), separators=(",", ":"), allow_nan=False).encode("ascii")
    if on and (key_again is None or key_again() == key):
        write_result(purpose, key, body, folder=folder, tag=tag)
    return decode(json.loads(body))


def read_result(purpose: str, key: str, *, folder: str = "results",
                tag: str | None = None) -> Any:
    """The JSON answer stored under key (see `remembered`), or None: none, unreadable,
    cut short, edited, or another tag's."""
    tag = f"{MAGIC} {key}" if tag is None else tag
    try:
        blob = (cache_dir() / folder / f"{purpose}-{key}.json").read_bytes()
        head, _, body = blob.partition(b"\n")
        if head.decode("ascii") != f"{tag} {hashlib.sha256(body).hexdigest()}":
            return None
        return json.loads(body)
    except (OSError, ValueError):
        return None


def write_result(purpose: str, key: str, body: bytes, *, folder: str = "results",
                 tag: str | None = None) -> bool:
    """Store body (JSON text, bytes) as the answer under key, for `read_result` (same
    purpose, folder and tag) to give back parsed: `<tag> <sha256 of body>`, a newline
    and body, written atomically to `<cache folder>/<folder>/<purpose>-<key>.json`
    (tag by default `kg-filecache <key>`); then only the RESULTS_KEEP newest entries of
    purpose (by modification time, then name) are kept. Whether the entry was written:
    failing to write is no error. It writes even with the cache off: callers check
    `enabled()` (as `remembered` does)."""
    tag = f"{MAGIC} {key}" if tag is None else tag
    where = cache_dir() / folder
    head = f"{tag} {hashlib.sha256(body).hexdigest()}\n".encode("ascii")
    if not write_atomic(where / f"{purpose}-{key}.json", head + body):
        return False
    keep_newest(where, RESULTS_KEEP, lambda name: name.endswith(".json")
                and name[:-5].rpartition("-")[0] == purpose)
    return True


def keep_newest(folder: Path, keep: int, mine: Callable[[str], bool]) -> list[str]:
    """Remove all but the `keep` newest files of folder (by modification time, then
    name) whose names `mine` accepts; the names removed. Failing to is no error."""
    removed: list[str] = []
    with contextlib.suppress(OSError):
        found = sorted((e.stat().st_mtime, e.name) for e in os.scandir(folder)
                       if mine(e.name))
        for _, name in found[:max(len(found) - keep, 0)]:
            os.unlink(folder / name)
            removed.append(name)
    return removed


# -- the cache folder's parts: what `kg cache info` shows and `kg cache clear` removes ---------
_HEX_JSON = r"[a-z]+-[0-9a-f]{24,64}\.json"  # remembered's entries: <purpose>-<key>.json
_UNFINISHED_STORE = r"(?:file)?store-[0-9a-f]{64}\.[a-z0-9_]{8}\.tmp"  # kg.sparql.cache's
UNFINISHED_STORE = re.compile(_UNFINISHED_STORE)  # a query store being made (locked while it is)


class Part(NamedTuple):
    """One part of the cache folder. name: what `kg cache` calls it; holds: what it keeps,
    in plain words; folder: its subfolder of the cache folder ("": the cache folder
    itself); shape: the names of its entries in that folder (only those are ever removed:
    $KG_CACHE_DIR may be a folder that holds other things too; the write_atomic
    temporaries of such names count as entries too); busy: the names of its entries that
    are folders a process locks while it uses them (`lock_folder`), left while in use."""

    name: str
    holds: str
    folder: str
    shape: re.Pattern
    busy: re.Pattern | None = None


PARTS = (
    Part("files", "each data file's parse and checks (kg validate, fmt, build)", "files",
         re.compile(r"[a-z]+-[0-9a-f]{24}-(?:[0-9a-f]|stamps)\.json")),
    Part("inputs", "the content hash of each input file, by its size and time", "",
         re.compile(r"inputs\.json")),
    Part("results", "kg validate's answers, by their inputs", "results", re.compile(_HEX_JSON)),
    Part("graph", "the last build's quads (kg build after an edit)", "graph",
         re.compile(r"(?:quads|delta)-[0-9a-f]{24}\.bin")),
    Part("shacl", "the compiled SHACL shapes and the last SHACL results", "shacl",
         re.compile(_HEX_JSON)),
    Part("graphfiles", "the graph files' blocks (kg build rewrites the changed ones)",
         "graphfiles", re.compile(r"[0-9a-f]{24}-[0-9a-f]{16}\.idx")),
    Part("analysis", "the report's network measures and the explorer's layout", "analysis",
         re.compile(_HEX_JSON)),
    Part("query", "the graph kg query, serve and push read; stores of --graph files", "",
         re.compile(r"graph-[0-9a-f]{64}\.nq|(?:file)?store-[0-9a-f]{64}|" + _UNFINISHED_STORE),
         UNFINISHED_STORE),
    Part("tmp", "scratch folders of running kg processes (kg serve's graph)", SCRATCH,
         _SCRATCH, _SCRATCH),
)
PART_NAMES = tuple(p.name for p in PARTS)


def cache_dir_source() -> str:
    """Why `cache_dir()` is that folder: "$KG_CACHE_DIR", "$XDG_CACHE_HOME" or "default"
    (~/.cache/ai-race-kg)."""
    if os.environ.get(CACHE_ENV):
        return f"${CACHE_ENV}"
    return "$XDG_CACHE_HOME" if os.environ.get("XDG_CACHE_HOME") else "default"


def _is_entry(part: Part, name: str) -> bool:
    """Whether name (in the part's folder) is one of the part's entries or a write_atomic
    temporary of one (`.<entry>.<8 random>.tmp`)."""
    if part.shape.fullmatch(name):
        return True
    return is_temporary(name) and part.shape.fullmatch(name[1:-13]) is not None


def part_entries(part: Part, root: Path | None = None) -> list[Path]:
    """The part's entries now (files, and folders for stores and scratch folders), sorted
    by name; root: the cache folder (default `cache_dir()`). Empty when its folder is
    missing or cannot be listed."""
    folder = (cache_dir() if root is None else root) / part.folder
    try:
        names = sorted(e.name for e in os.scandir(folder) if _is_entry(part, e.name))
    except OSError:
        return []
    return [folder / name for name in names]


def disk_size(path: Path) -> int:
    """Bytes of path: a file's size, or the sizes of every file under a folder (symbolic
    links not followed); 0 for what cannot be read (gone meanwhile)."""
    try:
        st = os.lstat(path)
    except OSError:
        return 0
    if not stat_module.S_ISDIR(st.st_mode):
        return st.st_size
    total = 0
    for dirpath, _, filenames in os.walk(path):
        for name in filenames:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


class PartUsage(NamedTuple):
    """One part's use of the cache folder: entries (files or folders) and their bytes."""

    part: Part
    entries: int
    bytes: int


def usage(root: Path | None = None) -> list[PartUsage]:
    """Every part of the cache folder (root, default `cache_dir()`), in PARTS order, with
    its entries and bytes now (a missing folder: none)."""
    out = []
    for part in PARTS:
        found = part_entries(part, root)
        out.append(PartUsage(part, len(found), sum(disk_size(p) for p in found)))
    return out


def strangers(root: Path | None = None) -> list[str]:
    """The names in the cache folder (and in the parts' subfolders, as `folder/name`) that
    are no part's: not kg's, or of a kg that `kg cache` does not know. Never removed."""
    root = cache_dir() if root is None else root
    folders = {p.folder for p in PARTS if p.folder}
    out = []
    for sub in ("", *sorted(folders)):
        mine = [p for p in PARTS if p.folder == sub]
        try:
            names = sorted(e.name for e in os.scandir(root / sub))
        except OSError:
            continue
        out += [f"{sub}/{n}" if sub else n for n in names
                if not (sub == "" and n in folders) and not any(_is_entry(p, n) for p in mine)]
    return out


class PartsCleared(NamedTuple):
    """What `clear_parts` did. removed: (part name, entry name, bytes) of every entry
    removed; left: (part name, entry name, why) of every entry left (a process uses it)."""

    removed: tuple[tuple[str, str, int], ...]
    left: tuple[tuple[str, str, str], ...]


def _why_left(folder: Path) -> str:
    """Why `sweep_unfinished` left a lockable folder, in words (from `lock_state`)."""
    state = lock_state(folder)
    if state == "held":
        return "a running kg process uses it (its lock is held); it goes once that ends"
    if state == "unknown":
        return "it cannot be opened (another user's?)"
    if state == "free":
        return "its process ended just now; run this again"
    return (f"made under {STALE_TMP:.0f} s ago and not locked: maybe being made now; "
            "run this again in a minute")


def clear_parts(names: Iterable[str] | None = None, root: Path | None = None) -> PartsCleared:
    """Remove the entries of the parts named (default: every part) from the cache folder
    (root, default `cache_dir()`), whether caching is on or not, and nothing else.

    A file entry is unlinked (a reader that opened it still reads it whole; one that
    comes after finds none: a cache miss). A folder entry (a query store) is first
    renamed into a folder of the cache folder's tmp/ that this process locks while it
    deletes it (`lock_folder`: if this process is killed midway, the next scratch
    sweep removes the rest), so no reader ever finds half a store under its name; if it
    cannot be moved, it is deleted where it is. A folder a process locks while using
    it (a store being made, a running `kg serve`'s scratch folder) is left while its
    lock is held (`sweep_unfinished` removes the others). Raises ValueError naming the
    known parts for a name that is none. Failing to remove is no error: the entry is
    then neither removed nor left, and shows in the next `usage`."""
    wanted = PART_NAMES if names is None else tuple(dict.fromkeys(names))
    unknown = [n for n in wanted if n not in PART_NAMES]
    if unknown:
        raise ValueError(f"no cache part {', '.join(map(repr, unknown))}; the parts are: "
                         f"{', '.join(PART_NAMES)}")
    root = cache_dir() if root is None else root
    removed: list[tuple[str, str, int]] = []
    left: list[tuple[str, str, str]] = []
    with contextlib.ExitStack() as stack:
        trash: list[Path] = []  # a scratch_folder of this process, made when first needed

        def trash_folder() -> Path:
            if not trash:
                # (not swept on the way: the tmp part's sweep below says what it removes)
                trash.append(stack.enter_context(scratch_folder("clear", sweep=False)))
            return trash[0]

        for part in PARTS:
            if part.name not in wanted:
                continue
            entries = [p for p in part_entries(part, root) if p not in trash]
            sizes = {p.name: disk_size(p) for p in entries}
            swept = set(sweep_unfinished(root / part.folder, part.busy)) if part.busy else set()
            for path in entries:
                if path.name in swept:
                    removed.append((part.name, path.name, sizes[path.name]))
                elif part.busy is not None and part.busy.fullmatch(path.name) and path.is_dir():
                    if os.path.lexists(path):
                        left.append((part.name, path.name, _why_left(path)))
                elif _remove(path, trash_folder):
                    removed.append((part.name, path.name, sizes[path.name]))
    return PartsCleared(tuple(removed), tuple(left))


def _remove(path: Path, trash_folder: Callable[[], Path]) -> bool:
    """Remove one entry (see `clear_parts`): a file unlinked; a folder moved into
    trash_folder() (deleted with it), or deleted where it is if it cannot be moved.
    Whether it is gone."""
    try:
        if not stat_module.S_ISDIR(os.lstat(path).st_mode):
            os.unlink(path)
            return True
    except OSError:  # gone meanwhile, or not ours to remove
        return False
    with contextlib.suppress(OSError):
        os.rename(path, trash_folder() / path.name)
        return True
    shutil.rmtree(path, ignore_errors=True)
    return not os.path.lexists(path)
