"""A cache of the built graph, so that every read command (`kg query`, `kg serve`,
`kg push`) starts from N-Quads on disk instead of validating and building data/.

- Key: `input_key`, a SHA-256 over every file under data/ and ontology/, every .py
  file of the kg package and kg's and the RDF libraries' versions (one hasher with
  `kg validate`'s stored answers: `kg.data.filecache.inputs_key`); queries/ is not in
  it (it is read when a query runs, and the graph does not depend on it). A file's
  content hash is reused while its size and modification time are unchanged (a stat
  index in the cache folder), else read again: an edit is always seen, and the same
  inputs always give the same key.
- Entry: `graph-<key>.nq`, the dataset (one named graph per data file, plus the
  dataset description in kgfile:build/void.ttl, as `kg build` writes it) as sorted
  N-Quads, first line `# sha256 <hash of the rest>`. Written to a temporary file and
  renamed, so a reader never sees half a file; an entry whose hash does not match
  (cut short, edited) is rebuilt, never trusted.
- Beside it, `store-<key>/`: the same graph as a read-only Oxigraph store on disk,
  which `kg query` opens in milliseconds (see `oxigraph_store`); its files are
  checked against the SHA-256 in its mark, or, once verified and settled, against
  their recorded sizes and times (`_store_verified`).
- Folder: $KG_CACHE_DIR, else $XDG_CACHE_HOME/ai-race-kg, else ~/.cache/ai-race-kg.
  The newest KEEP entries are kept. `clear()` deletes them all but the stores being
  made now by another process (their folders' locks are held), and says which it left.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from kg.data.filecache import (  # one folder rule and one atomic write for kg's caches
    CACHE_ENV,
    LOCK,
    RACY,
    UNFINISHED_STORE,
    cache_dir,
    is_temporary,
    lock_folder,
    sweep_unfinished,
    write_atomic,
)

KEEP = 4
# bytes: a graph file this big is queried from an on-disk store. Opening one costs ~0.3 s of
# CPU whatever its size; loading a trig into memory 0.35 s at 1 MiB, 0.7 s at 4, 1.3 s at 8,
# 2.1 s at 15 (the 10k graph, just under the old 16 MiB: parsed on every query): from 4 MiB
# the store pays off, even for a query scanning the whole graph (docs/PERFORMANCE.md, session 16)
FILE_STORE_MIN = 4 * 2**20
BUILD_TRIES = 3
HEADER = b"# sha256 "
MARK = "kg-complete"
STAMPS = "kg-stamps"
OWN = "kg-"  # kg's files in a store folder (the mark, the stamps), besides a stamps .tmp
WRITING = LOCK  # in a store's temporary folder: locked while a process makes the store


def input_key(data_dir: Path | None = None) -> str | None:
    """The cache key (hex SHA-256) of the built graph: `kg.data.filecache.inputs_key`
    over data/ (every file, its path and content), ontology/, kg's .py files, kg's and
    the RDF libraries' versions; not queries/, which is read when a query runs (the
    graph does not depend on it). Unchanged files are recognised by their size and
    modification time (the stat index, shared with `kg validate`'s stored answers).
    None if a file cannot be read: the graph is then built and not stored."""
    from kg.data.filecache import inputs_key
    from kg.data.loader import resolve_data_dir

    return inputs_key(resolve_data_dir(data_dir).resolve(), "graph")


def read_entry(path: Path) -> bytes | None:
    """The N-Quads of a cache entry, or None if it is missing or does not match its hash."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head, sep, body = raw.partition(b"\n")
    if not sep or not head.startswith(HEADER):
        return None
    if hashlib.sha256(body).hexdigest().encode() != head[len(HEADER):].strip():
        return None
    return body


def build_nquads(data_dir: Path | None = None, progress=None) -> bytes:
    """data/ validated and built (as `kg build` builds it, with the dataset description),
    as sorted N-Quads (lines in code-point order). Raises DataError if data/ does not
    validate."""
    from kg.core.schema import load_schema
    from kg.rdf.graph import file_graph_iri
    from kg.rdf.load import load_graph
    from kg.rdf.void import void_graph

    schema = load_schema()
    built = load_graph(data_dir, progress=progress)
    built.add_graph(str(file_graph_iri(schema, "build/void.ttl")), void_graph(schema, built))
    lines = built.quads.nquads_lines()  # every quad is in a named graph
    # each copy is let go as soon as the next is made: at 100k entities the entities and
    # quads, the lines, their text and its bytes are each 0.6-2 GB
    del built
    lines.sort()
    text = "".join(lines)
    del lines
    return text.encode("utf-8")


def graph_nquads(data_dir: Path | None = None, key: str | None = None,
                 progress=None) -> tuple[Path | None, bytes]:
    """The built graph of data/ as N-Quads: from the cache when fresh, else built and
    stored. Returns the entry's path (its name holds the key) and its N-Quads. Raises
    DataError if data/ does not validate (nothing is cached then).

    A build is stored only under the key of the files it read: the key is taken again
    after the build, and if a file changed meanwhile (an editor saving during a cold
    build), the graph is built again from the new files (up to BUILD_TRIES builds; if
    the files keep changing, the last build is returned with path None and nothing is
    stored)."""
    from kg.data import filecache

    if not filecache.enabled():  # --no-cache / KG_NO_CACHE: built again, nothing kept
        return None, build_nquads(data_dir, progress=progress)
    folder = cache_dir()
    for _ in range(BUILD_TRIES):
        key = key or input_key(data_dir)
        if key is None:  # a file could not be read: answer from a build, store nothing
            return None, build_nquads(data_dir, progress=progress)
        path = folder / f"graph-{key}.nq"
        body = read_entry(path)
        if body is not None:
            return path, body
        body = build_nquads(data_dir, progress=progress)
        if input_key(data_dir) == key:  # the files read are the files keyed
            digest = hashlib.sha256(body).hexdigest().encode()
            write_atomic(path, HEADER + digest + b"\n" + body)
            _prune(folder, keep=path)
            return path, body
        key = None  # a file changed while the build read data/: build from the new files
    return None, body  # still changing: answer from the last build, store nothing


def oxigraph_store(data_dir: Path | None = None, progress=None):
    """The built graph of data/ as a read-only pyoxigraph Store on disk (RocksDB), which
    opens in milliseconds where loading the N-Quads takes tens.

    The store `store-<key>/` is made from the verified N-Quads entry: bulk loaded into a
    temporary folder, then a `kg-complete` mark holding the SHA-256 of the store's files
    is written, then one rename. Each open checks the files against the mark, so a
    store unfinished, cut short or changed in any byte is rebuilt, never trusted.
    With the cache off (--no-cache, KG_NO_CACHE) the graph is built again and loaded
    into a store in memory, and nothing is read from or written to the cache folder.
    Raises DataError if data/ does not validate."""
    import shutil

    import pyoxigraph as ox

    from kg.data import filecache

    folder = cache_dir()
    key = input_key(data_dir) if filecache.enabled() else None
    db = folder / f"store-{key}"
    if key is not None and db.exists():
        try:
            if _store_verified(db):
                return ox.Store.read_only(str(db))
        except (OSError, RuntimeError):  # RocksDB: "Corruption: ..." and the like
            pass
        shutil.rmtree(db, ignore_errors=True)  # unfinished, damaged or unreadable
    path, body = graph_nquads(data_dir, key, progress=progress)
    if path is None:  # the cache is off, or data/ kept changing while it was read: answer,
        # cache nothing
        store = ox.Store()
        store.load(body, format=ox.RdfFormat.N_QUADS, lenient=True)
        return store
    key = path.name[len("graph-"):-len(".nq")]  # the key of the files the build read
    db = folder / f"store-{key}"
    with contextlib.suppress(OSError, RuntimeError):
        if db.exists() and _store_verified(db):  # another process made it meanwhile
            return ox.Store.read_only(str(db))
    # the store is loaded from the entry's file (opened now: another process's prune
    # cannot take it away), not the bytes in hand: they are let go first (600 MB at
    # 100k entities, while RocksDB's bulk loader holds its own buffers)
    with open(path, "rb") as nquads:
        del body
        from kg.data.validate import Steps  # (not at import: a warm query needs none)

        step = Steps(progress)
        step.begin("making the graph's on-disk store for queries (once per version of the "
                   "data)")

        def load(store):
            nquads.seek(0)
            store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS, lenient=True)

        made = _made_store(folder, f"store-{key}", load)
        if made is None:  # no cache folder, or not usable as a store: a store in memory
            made = ox.Store()
            load(made)
            if progress:  # the stage that began ends (on a terminal: its bar is cleared)
                progress("could not make the graph's on-disk store in the cache folder (it "
                         "cannot be written or opened as one): the graph is loaded into "
                         "memory")
            return made
    step("made the graph's on-disk store")
    _prune(folder, keep=path)
    return made


def _made_store(folder: Path, name: str, load):
    """A read-only pyoxigraph Store at folder/name, made now: load(store) fills a store in
    a temporary folder, then the `kg-complete` mark (the SHA-256 of its files) is
    written and the folder renamed into place (if another process finished first, its
    store is used). None if the folder cannot be written or opened as a store; load's
    exceptions propagate (nothing is left behind). The temporary folder is locked while
    it is filled (`kg.data.filecache.lock_folder`): what a kill leaves, the next prune removes
    (`_sweep_unfinished`)."""
    import shutil

    import pyoxigraph as ox

    db = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder, prefix=f"{name}.", suffix=".tmp"))
    except OSError:
        return None
    try:
        lock = lock_folder(tmp)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    try:
        store = ox.Store(str(tmp / "db"))
        load(store)
        store.flush()
        store.optimize()
        del store
        (tmp / "db" / MARK).write_text(_store_digest(tmp / "db") + "\n", encoding="utf-8")
        try:
            os.rename(tmp / "db", db)
        except OSError:  # another process finished first: use its store
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        os.close(lock)
    try:
        return ox.Store.read_only(str(db))
    except (OSError, RuntimeError):
        return None


def file_store(path: Path, fmt, progress=None):
    """A read-only pyoxigraph Store on disk of the RDF file at path (`kg query --graph`),
    made once per content of the file: re-reading a 145 MB graph.trig took 10-12 s of
    every query at 100k entities. (Queries run 5-8x slower on it than in memory, so
    `kg serve` loads the file into memory once instead.) Keyed by the file's SHA-256
    (from the stat index, `kg.data.filecache.input_files`), its format, kg's and
    pyoxigraph's versions; checked like the stores of data/ (`_store_verified`); the
    newest KEEP kept. The first query of a file pays for the store (at 100k entities
    28 s against 12 s loading into memory; then 0.3 s). None for files under
    FILE_STORE_MIN bytes (4 MiB: they load into memory about as fast as a store opens), when
    the cache is off or cannot be used: the caller loads the file into memory. progress
    (kg.cli.progress, or None): told when a store is made, the stage that takes long.
    Raises SyntaxError/ValueError/OSError as pyoxigraph's loader does for a file it
    cannot read."""
    import shutil
    from importlib import metadata

    import pyoxigraph as ox

    import kg
    from kg.data import filecache

    try:
        if not filecache.enabled() or Path(path).stat().st_size < FILE_STORE_MIN:
            return None
    except OSError:
        return None
    files = filecache.input_files([("file", Path(path))], py_only=())
    if not files:
        return None
    key = hashlib.sha256(f"{files[0][2]} {fmt} {kg.__version__} "
                         f"{metadata.version('pyoxigraph')}".encode()).hexdigest()
    folder = cache_dir()
    name = f"filestore-{key}"
    db = folder / name
    if db.exists():
        try:
            if _store_verified(db):
                os.utime(db)  # most recently used, for pruning
                return ox.Store.read_only(str(db))
        except (OSError, RuntimeError):
            pass
        shutil.rmtree(db, ignore_errors=True)  # unfinished, damaged or unreadable
    from kg.core.errors import shown_path
    from kg.data.validate import Steps

    step = Steps(progress)
    step.begin(f"making an on-disk store of {shown_path(path)} (once per content of the file)")
    made = _made_store(folder, name, lambda store: store.bulk_load(path=str(path), format=fmt))
    # (its line also ends the running stage's bar, which else kept ticking)
    if made is not None:
        _prune_file_stores(folder, keep=db)
        step(f"made an on-disk store of {shown_path(path)}: later queries of it open in a "
             "moment")
    elif progress:
        progress(f"could not make an on-disk store of {shown_path(path)} in the cache folder "
                 "(it cannot be written or opened as one): the file is loaded into memory")
    return made


# the temporary folders of _made_store (tempfile.mkdtemp's 8 random characters): the cache
# folder's parts are named in kg.data.filecache (`kg cache`), this one with them
_UNFINISHED = UNFINISHED_STORE


def _sweep_unfinished(folder: Path) -> list[str]:
    """Remove the temporary folders (`store-<key>.<random>.tmp`, `filestore-...`) of
    stores whose making was cut short by a kill (`kg.data.filecache.sweep_unfinished`:
    those whose lock no process holds, and lock-less ones over filecache.STALE_TMP seconds old);
    a store being made now is left. Returns the names removed, sorted."""
    return sweep_unfinished(folder, _UNFINISHED)


def _prune_file_stores(folder: Path, keep: Path) -> None:
    """Keep the KEEP most recently used stores of graph files; remove the unfinished ones
    killed makers left (`_sweep_unfinished`)."""
    import shutil

    _sweep_unfinished(folder)
    try:
        stores = sorted((p for p in folder.glob("filestore-*") if not p.name.endswith(".tmp")),
                        key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    kept = {keep.name} | {p.name for p in [s for s in stores if s != keep][:KEEP - 1]}
    for old in stores:
        if old.name not in kept:
            shutil.rmtree(old, ignore_errors=True)


def _store_digest(db: Path) -> str:
    """SHA-256 over the names and bytes of every file of a store folder but kg's own
    (`kg-complete`, `kg-stamps`; opening a store read-only writes nothing, so the digest
    stays)."""
    digest = hashlib.sha256()
    for path in sorted(db.iterdir()):
        if not _own(path.name):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _own(name: str) -> bool:
    """Whether a file of a store folder is kg's (the mark, the stamps, or the temporary of
    a stamps write, which another process may be making now or a killed one left), not
    the store's."""
    return name.startswith(OWN) or is_temporary(name)


def _store_stamps(db: Path) -> list[list]:
    """[name, size, modification time in ns] of every file of a store folder but kg's own."""
    return [[e.name, st.st_size, st.st_mtime_ns]
            for e in sorted(os.scandir(db), key=lambda e: e.name)
            if not _own(e.name) for st in (e.stat(),)]


def _store_verified(db: Path) -> bool:
    """Whether the store's files are the ones its mark vouches for.

    Reading every byte (the digest) costs as much as the query at 10k entities (68 MB:
    ~0.26 s), so, as the input key does for data files, a verified store records its
    files' sizes and modification times (`kg-stamps`, beside the mark) once they are
    over RACY seconds old, and an open that finds the same stamps and the same mark
    trusts them. A file rewritten, cut short, added or removed changes the stamps and
    is read in full again. Raises OSError if the mark cannot be read."""
    mark = (db / MARK).read_text(encoding="utf-8").strip()
    stamps = _store_stamps(db)
    try:
        known = json.loads((db / STAMPS).read_text(encoding="utf-8"))
        if known == {"mark": mark, "files": stamps}:
            return True
    except (OSError, ValueError):
        pass
    if mark != _store_digest(db):
        return False
    now_ns = time.time_ns()
    if stamps and all(now_ns - mtime > RACY * 1e9 for _, _, mtime in stamps):
        write_atomic(db / STAMPS, json.dumps({"mark": mark, "files": stamps}).encode())
    return True


def _prune(folder: Path, keep: Path) -> None:
    """Keep the newest KEEP N-Quads entries and the stores of those keys; remove the
    unfinished stores killed makers left (`_sweep_unfinished`)."""
    import shutil

    _sweep_unfinished(folder)
    try:
        entries = sorted(folder.glob("graph-*.nq"), key=lambda p: p.stat().st_mtime, reverse=True)
        kept = {keep.name} | {p.name for p in [e for e in entries if e != keep][:KEEP - 1]}
        for old in entries:
            if old.name not in kept:
                with contextlib.suppress(OSError):
                    old.unlink()
        keys = {n[len("graph-"):-len(".nq")] for n in kept}
        for store in folder.glob("store-*"):
            name = store.name[len("store-"):]
            if name.endswith(".tmp") or name in keys:
                continue
            shutil.rmtree(store, ignore_errors=True)
    except OSError:
        return


class Cleared(NamedTuple):
    """What `clear` did: `entries`, the N-Quads entries deleted; `left`, the names of the
    folders it left because a living process uses them now (a store being made, a
    running `kg serve`'s copy of the graph), sorted; `message`, both in words."""

    entries: int
    left: tuple[str, ...]

    @property
    def message(self) -> str:
        said = f"deleted {self.entries} cached graph(s) and their stores"
        if not self.left:
            return said
        return (f"{said}; left {len(self.left)} folder(s) another kg process is using now "
                f"(a store being made, or a running `kg serve`'s graph), deleting them "
                f"would break it: {', '.join(self.left)}; they go once it ends (run "
                f"this again then)")


def clear() -> Cleared:
    """Delete every cache entry (N-Quads, their stores, the stores of graph files) and what
    killed processes left (unfinished stores, `kg serve`'s scratch folders), but not a
    folder a living process uses now (its lock is held: a store being made, whose
    maker would fail, or a running server's graph): `kg cache clear query tmp`
    (`kg.data.filecache.clear_parts`). Returns what was deleted and left (`Cleared`);
    failing to delete is no error."""
    from kg.data.filecache import clear_parts

    done = clear_parts(["query", "tmp"])
    n = sum(1 for part, name, _ in done.removed if part == "query" and name.endswith(".nq")
            and name.startswith("graph-"))
    return Cleared(n, tuple(sorted(name for _, name, _ in done.left)))


__all__ = ["CACHE_ENV", "Cleared", "build_nquads", "cache_dir", "clear", "file_store", "graph_nquads",
           "input_key", "oxigraph_store", "read_entry"]
