"""The four graph files rewritten per changed block, not whole (`kg build` after an edit).

Each graph file is a header, a run of blocks in a fixed order, and a footer, and each
block's bytes depend only on its own triples and the file's prefixes:

- graph.nt: one block per subject (its lines), subjects in the writers' order;
- graph.ttl: Oxigraph's Turtle, one block per subject (the same order), after the
  `@prefix` lines of the namespaces the graph uses;
- graph.jsonld: `[`, one node line per subject (the same order) joined by `,` and a
  newline, `]`;
- graph.trig: Oxigraph's TriG, one block per named graph (graphs by IRI).

After each write GraphFiles keeps an **index** of the four files in the cache folder
(kg.data.filecache; `graphfiles/<hash of the out folder>-<hash of the files' stamps>.idx`,
a stamp being a file's size, modification time and inode as written; the newest
KEEP_PER_FOLDER per folder and KEEP in all kept): each block's byte range, the subjects
and graphs in order, each graph's key (kg.rdf.quads.graph_keys), the subjects each graph
has quads about, and the namespaces each graph uses. It is found by the stamps of the
files out_dir holds, so a file changed or replaced since it was written finds none.

The next write compares the new graph keys with the index's: the subjects of the graphs
that changed (before and after) are serialised again from every graph's quads about
them (the union files merge graphs), the changed graphs' TriG blocks too, by the same
writers as a full write (on a small Quads holding only those quads), and spliced into
the old files' bytes at their sorted places; the rest is copied (os.copy_file_range).
`plan` returns None, and the caller writes everything, when the index is missing,
unreadable, cut short or of another version (the fingerprint of kg.data.filecache over
this module, kg.rdf.serialize and pyoxigraph's version), a file was changed since it
was written, the set of prefixes a file declares would change, or more than MAX_SHARE
of the quads are about the subjects to rewrite. Nothing in the index is unpickled: it
is JSON and raw int64 arrays. The bytes are those of a full write of the same quads
(tests/test_splice.py compares them after edits of every kind).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import weakref
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from kg.data import filecache
from kg.rdf.quads import RDF_TYPE, Quads, graph_keys

GRAPH_FILES = ("graph.ttl", "graph.nt", "graph.jsonld", "graph.trig")
SEPARATOR = {"graph.jsonld": b",\n"}  # between two blocks (the others: nothing)
MAGIC = "kg-graphfiles"
FOLDER = "graphfiles"
KEEP = 8  # indexes kept (those written most recently)
KEEP_PER_FOLDER = 2  # of one out folder: its files' and those about to replace them
MAX_SHARE = 0.5  # above this share of the quads to rewrite, a full write
MAX_NAMESPACES = 63  # the namespaces a graph uses are bits of an int64
ARRAYS = ("masks", "gmasks", "ptr", "idx")


@dataclass
class Layout:
    """One file's blocks: block i is bytes [starts[i], ends[i]); the header is [0, head),
    the footer [foot, size); between two blocks, the file's SEPARATOR."""

    head: int
    foot: int
    size: int
    starts: np.ndarray
    ends: np.ndarray


@dataclass
class Index:
    """What a write leaves for the next (see the module's docstring). subjects and graphs
    in the files' order; keys[i], masks[i] (namespaces of graph i's terms, a bit per
    namespace of `namespaces`), gmasks[i] (of its IRI) and idx[ptr[i]:ptr[i+1]] (the
    indexes in subjects of its subjects) are graph i's."""

    prefixes: list
    ttl_prefixes: dict
    trig_prefixes: dict
    subjects: list
    graphs: list
    keys: list
    masks: np.ndarray
    gmasks: np.ndarray
    ptr: np.ndarray
    idx: np.ndarray
    layouts: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)  # name -> [size, mtime_ns, inode]


_KEYS: list = []  # [(a weak reference to quads, its row count, graph_keys(quads))]


def keys_of(quads: Quads) -> dict[str, str]:
    """graph_keys(quads), computed once for the quads as they are (a plan that turns into a
    full write, and the index of that write, both need them)."""
    n = len(quads.rows)
    if not (_KEYS and _KEYS[0][0]() is quads and _KEYS[0][1] == n):
        _KEYS[:] = [(weakref.ref(quads), n, graph_keys(quads))]
    return _KEYS[0][2]


def nt_layout(quads: Quads) -> Layout:
    """graph.nt's blocks as a full write makes it, from its terms' lengths in UTF-8: line
    `s p o .` is len(s) + len(p) + len(o) + 5 bytes."""
    t = quads.terms
    size = np.fromiter((len(x) if x.isascii() else len(x.encode("utf-8")) for x in t),
                       dtype=np.int64, count=len(t))
    spo = quads.triples()
    ends = np.cumsum(size[spo[:, 0]] + size[spo[:, 1]] + size[spo[:, 2]] + 5)
    first = np.flatnonzero(np.r_[True, spo[1:, 0] != spo[:-1, 0]])
    starts = np.r_[0, ends[:-1]][first]
    total = int(ends[-1]) if len(ends) else 0
    return Layout(0, total, total, starts, np.r_[starts[1:], total])


def order_key(iri: str) -> tuple[bool, str]:
    """The writers' order of subjects and graphs: by IRI, rdf:type first."""
    return (iri != RDF_TYPE, iri)


# -- the namespaces a graph uses -------------------------------------------------------------
def namespaces(prefixes) -> list[str]:
    """The distinct namespaces of the (prefix, namespace) pairs, sorted: bit i is the i-th."""
    return sorted({ns for _, ns in prefixes})


def prefix_dict(prefixes, used: set[str]) -> dict[str, str]:
    """prefix -> namespace for each used namespace (one prefix per namespace, the first by
    name), in prefix order: what the Turtle and TriG writers are given."""
    first: dict[str, str] = {}
    for prefix, ns in prefixes:
        first.setdefault(ns, prefix)
    return {p: ns for p, ns in prefixes if ns in used and first[ns] == p}


def used_of(mask: int, nss: list[str]) -> set[str]:
    return {ns for bit, ns in enumerate(nss) if mask >> bit & 1}


def term_masks(quads: Quads, nss: list[str]) -> np.ndarray:
    """Each term's bits: the namespaces its IRI (a literal's datatype IRI) starts with, as
    the writers count them (_namespaces_used)."""
    terms = quads.terms
    n = len(terms)
    out = np.zeros(n, dtype=np.int64)
    if not n:
        return out
    # the terms in IRI order (a literal's key, its text, starts with a quote: before all)
    perm = np.argsort(quads.iri_ranks(), kind="stable").tolist()

    def key(k: int) -> str:
        t = terms[perm[k]]
        return t[1:-1] if t[0] == "<" else t

    span = range(n)
    for bit, ns in enumerate(nss):
        # the IRIs starting with ns sort together, from ns up to (not with) its successor
        lo = bisect_left(span, ns, key=key)
        hi = bisect_left(span, ns[:-1] + chr(ord(ns[-1]) + 1), lo, key=key)
        out[perm[lo:hi]] |= 1 << bit
    typed: dict[str, list[int]] = {}  # datatype IRI -> the literals that have it
    for i in perm[:bisect_left(span, "#", key=key)]:  # the literals: keys '"...'
        t = terms[i]
        if t[-1] == ">" and "^^<" in t:
            typed.setdefault(t.rsplit("^^<", 1)[1][:-1], []).append(i)
    for dt, ids in typed.items():
        out[ids] |= sum(1 << bit for bit, ns in enumerate(nss) if dt.startswith(ns))
    return out


def graph_masks(quads: Quads, graph_ids, nss: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(masks, gmasks) of the graphs graph_ids (term ids): the namespaces of each graph's
    terms, and of its IRI. Raises ValueError with more than MAX_NAMESPACES namespaces."""
    if len(nss) > MAX_NAMESPACES:
        raise ValueError("too many namespaces for the index")
    rows = quads.row_array()
    graph_ids = np.asarray(graph_ids, dtype=np.int64)
    tm = term_masks(quads, nss)
    gpos = np.full(len(quads.terms), -1, dtype=np.int64)
    gpos[graph_ids] = np.arange(len(graph_ids))
    at = gpos[rows[:, 0]]
    keep = at >= 0
    m = (tm[rows[:, 1]] | tm[rows[:, 2]] | tm[rows[:, 3]])[keep]
    at = at[keep]
    masks = np.zeros(len(graph_ids), dtype=np.int64)
    if len(at):
        order = np.argsort(at, kind="stable")
        at, m = at[order], m[order]
        starts = np.flatnonzero(np.r_[True, at[1:] != at[:-1]])
        masks[at[starts]] = np.bitwise_or.reduceat(m, starts)
    return masks, tm[graph_ids]


# -- finding the blocks of a file ------------------------------------------------------------
def _line_starts(buf) -> np.ndarray:
    """The offset of every line's first byte (a final newline starts no line)."""
    a = np.frombuffer(buf, dtype=np.uint8)
    parts = [np.zeros(1, dtype=np.int64)]
    step = 1 << 24
    for lo in range(0, len(a), step):
        parts.append(np.flatnonzero(a[lo:lo + step] == 10).astype(np.int64) + lo + 1)
    starts = np.concatenate(parts)
    return starts[starts < len(a)]


def _prefix_lines(buf, head: int) -> dict[str, str] | None:
    """The `@prefix p: <ns> .` lines of a Turtle or TriG header, as a dict."""
    out = {}
    for line in bytes(buf[:head]).decode("utf-8").splitlines():
        if not (line.startswith("@prefix ") and line.endswith("> .")):
            return None
        p, _, ns = line[8:-3].partition(": <")
        out[p] = ns
    return out


def blocks(name: str, buf, subject_rows=None) -> tuple[Layout, dict | None] | None:
    """The Layout of a graph file's bytes (and, for Turtle and TriG, its header's prefixes),
    or None if they are not laid out as expected. subject_rows (graph.nt): the index of
    each subject's first line."""
    size = len(buf)
    if not size:
        return None
    lines = _line_starts(buf)
    a = np.frombuffer(buf, dtype=np.uint8)
    if name == "graph.nt":
        starts = lines[np.asarray(subject_rows, dtype=np.int64)]
        return Layout(0, size, size, starts, np.r_[starts[1:], size]), None
    if name == "graph.jsonld":
        if bytes(buf[:2]) != b"[\n" or bytes(buf[-3:]) != b"\n]\n" or len(lines) < 3:
            return None
        starts = lines[1:-1]
        ends = np.r_[starts[1:] - 2, size - 3]
        if len(starts) > 1 and not (a[starts[1:] - 2] == ord(",")).all():
            return None
        return Layout(2, size - 3, size, starts, ends), None
    first = a[lines]
    col0 = lines[first != ord("\t")]
    col0 = col0[a[col0] != ord("}")] if name == "graph.trig" else col0
    heads = a[col0] == ord("@")
    n_head = int(np.argmin(heads)) if not heads.all() else len(heads)
    if n_head == len(col0) or heads[n_head:].any():
        return None
    starts = col0[n_head:]
    head = int(starts[0])
    found = _prefix_lines(buf, head)
    if found is None:
        return None
    return Layout(head, size, size, starts, np.r_[starts[1:], size]), found


# -- the index, stored ---------------------------------------------------------------------
def fingerprint() -> str:
    import pyoxigraph

    from kg.rdf import serialize

    return filecache.fingerprint([serialize, __import__(__name__, fromlist=["_"])],
                                 pyoxigraph.__version__, MAGIC)


def index_path(out_dir: Path, stamps: dict[str, list] | None = None) -> Path | None:
    """Where the index of out_dir's graph files is kept: named by the folder and by the
    files' stamps (size, modification time, inode: `stamp`), so that a file changed since
    it was written finds no index, and the index of files about to replace them (written
    before they are renamed into place) never hides the index of those still there.
    stamps: the files' (default: those out_dir holds now; None if one is missing)."""
    if stamps is None:
        try:
            stamps = {name: stamp(Path(out_dir) / name) for name in GRAPH_FILES}
        except OSError:
            return None
    where = hashlib.sha256(str(Path(out_dir).resolve()).encode("utf-8", "surrogatepass"))
    files = hashlib.sha256(json.dumps([stamps.get(n) for n in GRAPH_FILES]).encode())
    return filecache.cache_dir() / FOLDER / f"{where.hexdigest()[:24]}-{files.hexdigest()[:16]}.idx"


def save(out_dir: Path, index: Index) -> None:
    """Store index for out_dir's files (index.files: their stamps) atomically; failing to
    is no error. The newest KEEP_PER_FOLDER indexes of a folder are kept, and the newest
    KEEP over all folders; a temporary that a save killed midway left is removed by the
    next save's write (filecache.write_atomic) once it is over filecache.STALE_TMP s old."""
    arrays = {k: getattr(index, k) for k in ARRAYS}
    meta = {"prefixes": index.prefixes, "ttl_prefixes": index.ttl_prefixes,
            "trig_prefixes": index.trig_prefixes, "subjects": index.subjects,
            "graphs": index.graphs, "keys": index.keys, "files": index.files,
            "layouts": {}}
    for name, lay in index.layouts.items():
        meta["layouts"][name] = [lay.head, lay.foot, lay.size]
        arrays[f"{name}:starts"], arrays[f"{name}:ends"] = lay.starts, lay.ends
    meta["arrays"] = [[k, len(v)] for k, v in arrays.items()]
    body = json.dumps(meta, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n" \
        + b"".join(np.ascontiguousarray(v, dtype="<i8").tobytes() for v in arrays.values())
    head = f"{MAGIC} {fingerprint()} {hashlib.sha256(body).hexdigest()}\n".encode()
    path = index_path(out_dir, index.files)
    if not filecache.write_atomic(path, head + body):
        return
    try:
        mine = sorted(((e.stat().st_mtime_ns, e.name) for e in os.scandir(path.parent)
                       if e.name.endswith(".idx")), reverse=True)
        folder = path.name.split("-")[0]
        ours = [name for _, name in mine if name.startswith(folder + "-")]
        current = index_path(out_dir)  # the files out_dir holds now: kept while they are
        for name in ours[KEEP_PER_FOLDER:] + [n for _, n in mine[KEEP:] if n not in ours]:
            if current is None or name != current.name:
                os.unlink(path.parent / name)
    except OSError:
        pass


def load(out_dir: Path) -> Index | None:
    """The index stored for out_dir, or None: none, unreadable, cut short, edited, or of
    another version of kg (or its writers)."""
    path = index_path(out_dir)
    if path is None:
        return None
    try:
        blob = path.read_bytes()
        head, _, body = blob.partition(b"\n")
        if head.decode("ascii") != f"{MAGIC} {fingerprint()} {hashlib.sha256(body).hexdigest()}":
            return None
        text, _, raw = body.partition(b"\n")
        meta = json.loads(text)
        arrays, at = {}, 0
        for name, n in meta["arrays"]:
            arrays[name] = np.frombuffer(raw, dtype="<i8", count=n, offset=at).astype(np.int64)
            at += 8 * n
        if at != len(raw):
            return None
        layouts = {name: Layout(h, f, s, arrays[f"{name}:starts"], arrays[f"{name}:ends"])
                   for name, (h, f, s) in meta["layouts"].items()}
        return Index([tuple(p) for p in meta["prefixes"]], meta["ttl_prefixes"],
                     meta["trig_prefixes"], meta["subjects"], meta["graphs"], meta["keys"],
                     *(arrays[k] for k in ARRAYS), layouts, meta["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def stamp(path: Path) -> list[int]:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns, st.st_ino]


# -- the index of a full write ------------------------------------------------------------------
def index_base(quads: Quads) -> Index | None:
    """The Index of a full write of quads but its files' layouts and stamps (with_files
    adds them); None when the index cannot hold it (too many namespaces)."""
    nss = namespaces(quads.prefixes)
    if len(nss) > MAX_NAMESPACES:
        return None
    t = quads.terms
    spo = quads.triples()
    if not len(spo):
        return None
    first = np.flatnonzero(np.r_[True, spo[1:, 0] != spo[:-1, 0]])
    subj_ids = spo[first, 0]
    subjects = [t[i][1:-1] for i in subj_ids.tolist()]
    order, _ = quads.ranks()
    rows = quads.row_array()
    gids = np.unique(rows[:, 0])
    gids = gids[np.argsort(order[gids], kind="stable")]
    graphs = [t[i][1:-1] for i in gids.tolist()]
    keys_by = keys_of(quads)
    masks, gmasks = graph_masks(quads, gids, nss)
    n = len(subjects)
    sidx = np.full(len(t), -1, dtype=np.int64)
    sidx[subj_ids] = np.arange(n)
    gpos = np.full(len(t), -1, dtype=np.int64)
    gpos[gids] = np.arange(len(gids))
    pairs = np.unique(gpos[rows[:, 0]] * n + sidx[rows[:, 1]])
    ptr = np.searchsorted(pairs // n, np.arange(len(gids) + 1)).astype(np.int64)
    union = int(np.bitwise_or.reduce(masks))
    gunion = union | int(np.bitwise_or.reduce(gmasks))
    return Index(list(quads.prefixes), prefix_dict(quads.prefixes, used_of(union, nss)),
                 prefix_dict(quads.prefixes, used_of(gunion, nss)), subjects, graphs,
                 [keys_by[g] for g in graphs], masks, gmasks, ptr, pairs % n)


def with_files(base: Index, layouts: dict[str, Layout], stamps: dict[str, list],
               found: dict[str, dict | None]) -> Index | None:
    """base with the files' layouts and stamps (found: the prefixes each Turtle and TriG
    header declares, from `blocks`), or None when the files are not laid out as the
    index expects (then no index is kept: the next write is full too)."""
    index = replace(base, layouts=layouts, files=stamps)
    return index if set(layouts) == set(GRAPH_FILES) and _consistent(index, found) else None


def _consistent(index: Index, found: dict[str, dict]) -> bool:
    """The layouts have a block per subject (graph), and the headers declare the prefixes
    the index would serialise blocks with."""
    for name, lay in index.layouts.items():
        n = len(index.graphs) if name == "graph.trig" else len(index.subjects)
        if len(lay.starts) != n or len(lay.ends) != n:
            return False
    return (found.get("graph.ttl") == index.ttl_prefixes
            and found.get("graph.trig") == index.trig_prefixes)


# -- the plan of a splice ---------------------------------------------------------------
@dataclass
class Plan:
    """What to rewrite: the old index, the changed graphs' and subjects' new blocks' quads
    (two small Quads), and the pieces of each new file (runs of old blocks, new blocks)."""

    index: Index
    union: Quads  # every quad about the subjects to rewrite
    named: Quads  # every quad of the graphs to rewrite
    subject_pieces: list
    graph_pieces: list
    new: Index  # the new files' index, but their layouts and stamps


def pieces_of(old: list[str], removed: list[int], added: list[str]) -> list:
    """The new sequence as pieces: ("old", i, j) for old[i:j], ("new", k) for added[k].
    old is sorted by order_key; removed: sorted indexes into old dropped; added: sorted
    keys inserted (a key both removed and added is replaced in place)."""
    at = [bisect_left(old, order_key(k), key=order_key) for k in added]
    pieces: list = []
    cur, r, a, n = 0, 0, 0, len(old)
    while cur < n or a < len(added):
        nxt = min(removed[r] if r < len(removed) else n, at[a] if a < len(added) else n)
        if nxt > cur:
            pieces.append(("old", cur, nxt))
            cur = nxt
        if a < len(added) and at[a] <= cur:
            pieces.append(("new", a))
            a += 1
        elif r < len(removed) and removed[r] == cur:
            cur, r = cur + 1, r + 1
        elif cur >= n and a >= len(added):
            break
    return pieces


def _sequence(old: list, pieces: list, added: list) -> list:
    out: list = []
    for piece in pieces:
        out.extend(old[piece[1]:piece[2]] if piece[0] == "old" else [added[piece[1]]])
    return out


def _sub_quads(quads: Quads, rows) -> Quads:
    """A Quads of the given rows of quads, with only the terms they use."""
    q = Quads(quads.prefixes)
    ids = np.unique(rows)
    for i in ids.tolist():
        q.term_id(quads.terms[i])
    remap = np.zeros(len(quads.terms), dtype=np.intc)
    remap[ids] = np.arange(len(ids), dtype=np.intc)
    q.rows.frombytes(np.ascontiguousarray(remap[rows], dtype=np.intc).tobytes())
    return q


def _find(seq: list[str], key: str) -> int | None:
    i = bisect_left(seq, order_key(key), key=order_key)
    return i if i < len(seq) and seq[i] == key else None


def plan(out_dir: Path, quads: Quads) -> Plan | None:
    """The splice that turns out_dir's four graph files into those of quads, or None when
    a full write is needed (see the module's docstring)."""
    index = load(out_dir)
    if index is None or index.prefixes != list(quads.prefixes) or not index.subjects:
        return None
    try:
        for name in GRAPH_FILES:
            if stamp(Path(out_dir) / name) != index.files.get(name):
                return None
    except OSError:
        return None
    t = quads.terms
    new_keys = keys_of(quads)
    old_keys = dict(zip(index.graphs, index.keys, strict=True))
    changed = sorted((g for g in new_keys.keys() | old_keys.keys()
                      if new_keys.get(g) != old_keys.get(g)), key=order_key)
    rows = quads.row_array()
    gid = np.asarray([quads.ids[f"<{g}>"] for g in changed if g in new_keys], dtype=np.intc)
    in_changed = np.isin(rows[:, 0], gid)
    touched = {t[s][1:-1] for s in np.unique(rows[in_changed, 1]).tolist()}
    for g in changed:
        i = _find(index.graphs, g)
        if i is not None:
            touched.update(index.subjects[j] for j in index.idx[index.ptr[i]:index.ptr[i + 1]].tolist())
    sid = np.asarray([i for i in (quads.ids.get(f"<{s}>") for s in touched) if i is not None],
                     dtype=np.intc)
    in_touched = np.isin(rows[:, 1], sid)
    if in_touched.sum() > MAX_SHARE * len(rows):
        return None
    union, named = _sub_quads(quads, rows[in_touched]), _sub_quads(quads, rows[in_changed])
    # the subjects and graphs, old and new
    new_subjects = [union.terms[i][1:-1] for i in np.unique(union.row_array()[:, 1]).tolist()]
    new_subjects.sort(key=order_key)
    removed = sorted(i for i in (_find(index.subjects, s) for s in touched) if i is not None)
    subject_pieces = pieces_of(index.subjects, removed, new_subjects)
    subjects = _sequence(index.subjects, subject_pieces, new_subjects)
    new_graphs = [g for g in changed if g in new_keys]
    gremoved = sorted(i for i in (_find(index.graphs, g) for g in changed) if i is not None)
    graph_pieces = pieces_of(index.graphs, gremoved, new_graphs)
    graphs = _sequence(index.graphs, graph_pieces, new_graphs)
    # the namespaces: the prefixes of the files must stay what they were
    nss = namespaces(quads.prefixes)
    nm, ngm = graph_masks(named, [named.ids[f"<{g}>"] for g in new_graphs], nss)
    masks = _concat(index.masks, graph_pieces, nm)
    gmasks = _concat(index.gmasks, graph_pieces, ngm)
    union_mask = int(np.bitwise_or.reduce(masks)) if len(masks) else 0
    gunion = union_mask | (int(np.bitwise_or.reduce(gmasks)) if len(gmasks) else 0)
    if (prefix_dict(quads.prefixes, used_of(union_mask, nss)) != index.ttl_prefixes
            or prefix_dict(quads.prefixes, used_of(gunion, nss)) != index.trig_prefixes):
        return None
    ptr, idx = _new_csr(index, subject_pieces, graph_pieces, subjects, named, new_graphs)
    return Plan(index, union, named, subject_pieces, graph_pieces,
                replace(index, subjects=subjects, graphs=graphs,
                        keys=[new_keys[g] for g in graphs], masks=masks, gmasks=gmasks,
                        ptr=ptr, idx=idx, layouts={}, files={}))


def _concat(old: np.ndarray, pieces: list, new: np.ndarray) -> np.ndarray:
    parts = [old[p[1]:p[2]] if p[0] == "old" else new[p[1]:p[1] + 1] for p in pieces]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _new_csr(index: Index, subject_pieces, graph_pieces, subjects, named: Quads,
             new_graphs) -> tuple[np.ndarray, np.ndarray]:
    """Each new graph's subjects, as indexes into the new subjects: the kept graphs' old
    lists renumbered, the changed graphs' read from their quads."""
    remap = np.full(len(index.subjects), -1, dtype=np.int64)
    at, cur = 0, 0
    for p in subject_pieces:
        if p[0] == "old":
            for i in range(cur, p[1]):  # rewritten (a kept graph may hold it) or gone
                j = _find(subjects, index.subjects[i])
                remap[i] = -1 if j is None else j
            remap[p[1]:p[2]] = np.arange(at, at + p[2] - p[1])
            at, cur = at + p[2] - p[1], p[2]
        else:
            at += 1
    for i in range(cur, len(index.subjects)):
        j = _find(subjects, index.subjects[i])
        remap[i] = -1 if j is None else j
    rows = named.row_array()
    t = named.terms
    fresh = []
    for g in new_graphs:
        gi = named.ids[f"<{g}>"]
        subj = {t[s][1:-1] for s in np.unique(rows[rows[:, 0] == gi, 1]).tolist()}
        fresh.append(np.asarray(sorted(_find(subjects, s) for s in subj), dtype=np.int64))
    lists = []
    for p in graph_pieces:
        if p[0] == "old":
            lists.append(remap[index.idx[index.ptr[p[1]]:index.ptr[p[2]]]])
        else:
            lists.append(fresh[p[1]])
    sizes = [np.diff(index.ptr[p[1]:p[2] + 1]) if p[0] == "old" else
             np.asarray([len(fresh[p[1]])]) for p in graph_pieces]
    idx = np.concatenate(lists) if lists else np.zeros(0, dtype=np.int64)
    ptr = np.r_[0, np.cumsum(np.concatenate(sizes))] if sizes else np.zeros(1, dtype=np.int64)
    return ptr.astype(np.int64), idx.astype(np.int64)


# -- writing a spliced file ----------------------------------------------------------------
def splice_file(name: str, old: Path, new: Path, plan: Plan, fresh: bytes,
                fresh_layout: Layout) -> Layout:
    """Write new: old's bytes with the changed blocks replaced by those of fresh (the same
    writer's output for the quads of plan.union, or plan.named for graph.trig, laid out
    as fresh_layout). Returns new's Layout. Raises OSError (a full disk) and ValueError
    (fresh has not one block per new subject or graph: the caller writes in full)."""
    lay = plan.index.layouts[name]
    pieces = plan.graph_pieces if name == "graph.trig" else plan.subject_pieces
    count = sum(1 for p in pieces if p[0] == "new")
    if len(fresh_layout.starts) != count:
        raise ValueError(f"{name}: {len(fresh_layout.starts)} new blocks for {count}")
    sep = SEPARATOR.get(name, b"")
    starts, ends = [], []
    with open(old, "rb") as src, open(new, "wb") as dst:
        fi, fo = src.fileno(), dst.fileno()
        _copy(fi, fo, 0, lay.head)
        pos = lay.head
        for k, p in enumerate(pieces):
            if k and sep:
                _write(fo, sep)
                pos += len(sep)
            if p[0] == "old":
                a, b = int(lay.starts[p[1]]), int(lay.ends[p[2] - 1])
                _copy(fi, fo, a, b - a)
                starts.append(lay.starts[p[1]:p[2]] - a + pos)
                ends.append(lay.ends[p[1]:p[2]] - a + pos)
                pos += b - a
            else:
                a, b = int(fresh_layout.starts[p[1]]), int(fresh_layout.ends[p[1]])
                _write(fo, fresh[a:b])
                starts.append(np.asarray([pos], dtype=np.int64))
                ends.append(np.asarray([pos + b - a], dtype=np.int64))
                pos += b - a
        foot = pos
        _copy(fi, fo, lay.foot, lay.size - lay.foot)
        pos += lay.size - lay.foot
    return Layout(lay.head, foot, pos, np.concatenate(starts), np.concatenate(ends))


EMPTY = Layout(0, 0, 0, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def _write(fd: int, data) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _copy(src: int, dst: int, offset: int, count: int) -> None:
    """count bytes of src from offset appended to dst (in the kernel where it can)."""
    while count > 0:
        try:
            done = os.copy_file_range(src, dst, count, offset)
        except AttributeError:  # not Linux
            done = 0
        except OSError as exc:  # across filesystems, or a filesystem without it
            if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                raise
            done = 0
        if done <= 0:
            data = os.pread(src, min(count, 1 << 24), offset)
            if not data:  # the old file changed under us: the caller writes in full
                raise ValueError(f"{count} bytes missing from a graph file")
            _write(dst, data)
            done = len(data)
        offset += done
        count -= done


def new_index(plan: Plan, layouts: dict[str, Layout], stamps: dict[str, list]) -> Index:
    """The Index of the files a splice wrote."""
    return replace(plan.new, layouts=layouts, files=stamps)


__all__ = ["EMPTY", "GRAPH_FILES", "Index", "Layout", "Plan", "blocks", "index_base", "load",
           "new_index", "plan", "save", "splice_file", "with_files"]
