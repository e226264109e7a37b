"""The graph built incrementally: the previous build's quads kept in the cache, so that
after editing one data file only the named graphs it touches are built again.

A named graph's quads depend on its file's entities and on a few things computed over
all entities (kg.rdf.graph.GraphBuilder): the dataset's date and as-of horizon (the
shortcut triples, holdsFrom/holdsUntil), each entity's bloc, who disputes it, which
of the sources its facts cite are bundled articles (the check status of its statements)
and how reliable each is (their best source reliability), plus the schema and
kg's code. Each graph gets a **key** over exactly those inputs:

- the build key: `fingerprint` (kg's version, the source of the modules that make or
  read entities and quads, the schema, pyoxigraph's and rdflib's versions, the byte
  order), the dataset's date and horizon;
- per data file: its path, the key of the bytes validation read its entities from
  (kg.data.validate.Result.file_keys: kg.data.filecache's key of the file's content),
  per entity its id, bloc and disputing figures, and per source its entities cite
  (an entity's own or a statement's) whether it is a bundled article and its
  reliability (`cited_sources`). So adding a source, or changing one's reliability,
  builds its own file and the files citing it, not every file;
- data/dataset.yaml's graph: the date and horizon; the ontology's: the fingerprint.

Without a content key (the per-file cache off, or a caller that has none) a file is
keyed by its stamp (modification and change times in ns, size, inode, device, as git's
index does); a file changed after the build began (or less than RACY_NS before) then
has no trusted stamp: its graph is built, and left out of `quads.known_graph_keys`
(kg.rdf.quads.graph_keys then keys it by its triples). Keyed by content, a fresh copy
of the data is incremental from its second build on (keyed by stamps, from its third:
the second build's keys moved from the triples' hash to the stamps).

The entry: `graph/quads-<hash of the data folder>.bin` in the cache folder
(kg.data.filecache.cache_dir), a header line `kg-graphcache <fingerprint> <CRC-32 and
length of the body>` then the body: the length of the metadata (16 hex digits), the
metadata (marshal'd plain data: the language tags kept as written, each graph's IRI,
key and row count, the length of the terms), the terms' texts one a line (UTF-8), and
the rows (int32, graph after graph). Only plain data is read back, and only after its checksum matched; anything
else (missing, cut short, edited, another version) is ignored and the graph built whole.
An edit writes a delta beside the entry (`graph/delta-<hash>.bin`: the terms added
and the rows of the graphs built since the entry, naming the entry's checksum) until it
passes DELTA_SHARE of the entry's rows; then the entry is written anew. The KEEP newest
entries are kept. `KG_NO_CACHE` / `--no-cache` turn it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import time
import zlib
from array import array
from pathlib import Path

from kg.core.model import Entity
from kg.core.schema import Schema
from kg.data import filecache
from kg.data.loader import gc_paused
from kg.rdf.graph import (
    DATASET_FILE,
    NO_BLOC_KINDS,
    ONTOLOGY_FILE,
    GraphBuilder,
    build_quads,
    dataset_prefixes,
    file_graph_iri,
    files_of,
)
from kg.rdf.quads import Quads
from kg.semantics import Semantics

MAGIC = "kg-graphcache"
KEEP = 4  # data folders whose kept quads stay (each is ~40 bytes a quad)
RACY_NS = 1_000_000_000  # a file changed this close to the build's start is not trusted
# Terms that no quad uses any more (an edited description's old text) stay in the term
# table, which every reader ranks or indexes by id, until under STALE of it is in use.
STALE = 0.8


def build_quads_kept(data_dir: Path, entities: dict[str, Entity], schema: Schema,
                     sem: Semantics, since_ns: int | None = None,
                     report: dict | None = None,
                     file_keys: dict[str, str] | None = None) -> Quads:
    """The same quads as kg.rdf.graph.build_quads (the same triples in every named
    graph), building only the graphs whose key changed since the build kept for
    data_dir, and keeping this build for the next. Sets `known_graph_keys` (graph IRI
    -> key) for every graph it keyed.

    since_ns: when the build began reading data_dir (time.time_ns()); a file changed
    after it (or within RACY_NS before) is always built. None: now.
    report: a dict given gets "kept" and "built", the IRIs of the graphs taken from the
    kept build and of those built, in build order.
    file_keys: Entity.path -> the key of the bytes its entities were read from
    (kg.data.validate.Result.file_keys); a file with one is keyed by it, not by its
    stamp, so a file changed just before the build is kept too, and its key does not
    change once its stamp becomes old enough to trust.
    With the cache off (kg.data.filecache.enabled), plain build_quads (no keys)."""
    if not filecache.enabled():
        return build_quads(entities, schema, sem)
    since_ns = time.time_ns() if since_ns is None else since_ns
    report = {} if report is None else report
    with gc_paused():
        return _build(Path(data_dir), entities, schema, sem, since_ns, report,
                      file_keys or {})


def _build(data_dir, entities, schema, sem, since_ns, report, file_keys) -> Quads:
    import numpy as np

    fp = fingerprint(schema)
    files = files_of(entities)
    keys = graph_keys(data_dir, files, schema, sem, fp, since_ns, file_keys)
    path = entry_path(data_dir)
    old = read_kept(path, fp)
    kept = {} if old is None else {iri: where for iri, (key, *where) in old.graphs.items()
                                   if key and keys.get(iri) == key}
    if not kept:  # nothing to keep: the plain build, then kept for next time
        q = GraphBuilder(schema, entities, sem).build()
        q.known_graph_keys = {g: k for g, k in keys.items() if k}
        counts = _graph_counts(q, keys)
        report["kept"], report["built"] = [], [iri for iri, _, _ in counts]
        write_entry(path, fp, q, counts)
        return q
    q = Quads(dataset_prefixes(schema))
    q.set_terms(old.terms, dict(old.tags))
    builder = GraphBuilder(schema, entities, sem, quads=q)
    pieces: list[tuple[str, int, int, int]] = []  # (graph IRI, BASE/DELTA/NEW, start, end)

    def build_one(iri: str, add) -> None:
        if iri in kept:
            pieces.append((iri, *kept[iri]))
            return
        start = len(q.rows) // 4
        add()
        if len(q.rows) // 4 > start:
            pieces.append((iri, NEW, start, len(q.rows) // 4))

    gname = _graph_name(schema)
    for fpath, ents in files:
        build_one(gname(fpath), lambda fpath=fpath, ents=ents: builder.add_file(fpath, ents))
    if sem.info.path is not None:
        build_one(gname(DATASET_FILE), builder.add_dataset)
    build_one(gname(ONTOLOGY_FILE), builder.add_ontology)
    sources = (*old.rows, np.frombuffer(q.rows, dtype=np.intc).reshape(-1, 4))
    out = np.concatenate([sources[src][a:b] for _, src, a, b in pieces])
    compacted = False
    if len(q.terms) > old.base_terms * (2 - STALE) or len(pieces) < len(old.graphs):
        used = np.zeros(len(q.terms), dtype=bool)  # (counted only when it may be due)
        used[out.ravel()] = True
        compacted = used.sum() < STALE * len(used)
        if compacted:  # terms only dropped graphs used: compacted away
            out = _compact(q, out, used)
    q.rows = array("i")
    q.rows.frombytes(out.astype(np.intc, copy=False).tobytes())
    q.rows_replaced()
    q.known_graph_keys = {g: k for g, k in keys.items() if k}
    report["kept"] = [iri for iri, src, _, _ in pieces if src != NEW]
    report["built"] = [iri for iri, src, _, _ in pieces if src == NEW]
    if report["built"] or len(pieces) != len(old.graphs):
        layout = [(iri, keys.get(iri) or "", src, b - a) for iri, src, a, b in pieces]
        if compacted or not write_delta(path, fp, old, q, out, layout):
            write_entry(path, fp, q, [(iri, key, n) for iri, key, _, n in layout])
    return q


def _compact(q: Quads, rows, used):
    """Drop the terms no row uses: ids renumbered in their order, rows remapped."""
    import numpy as np

    new_id = np.cumsum(used) - 1
    terms = [t for t, u in zip(q.terms, used.tolist(), strict=True) if u]
    q.set_terms(terms, {int(new_id[i]): tag for i, tag in q.tags.items() if used[i]})
    return new_id[rows].astype(np.intc)


def _graph_counts(q: Quads, keys: dict[str, str | None]) -> list[tuple[str, str, int]]:
    """(graph IRI, key, row count) per graph of a plain build, in row order (each
    graph's rows are contiguous there)."""
    import numpy as np

    rows = np.frombuffer(q.rows, dtype=np.intc).reshape(-1, 4)
    if not len(rows):
        return []
    g = rows[:, 0]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    ends = [*starts[1:].tolist(), len(g)]
    t = q.terms
    return [(t[gid][1:-1], keys.get(t[gid][1:-1]) or "", b - a)
            for gid, a, b in zip(g[starts].tolist(), starts.tolist(), ends, strict=True)]


def _graph_name(schema: Schema):
    base = str(file_graph_iri(schema, ""))
    return lambda rel: base + rel


# -- keys --------------------------------------------------------------------------------
_FP: dict[int, tuple] = {}
MODULES = ("kg.core.model", "kg.core.schema", "kg.data.dataset", "kg.data.loader",
           "kg.data.validate", "kg.rdf.graph", "kg.rdf.ontology", "kg.rdf.quads",
           "kg.semantics", "kg.semantics.blocs", "kg.semantics.disputes",
           "kg.semantics.links", "kg.semantics.time", "kg.data.filecache")


def fingerprint(schema: Schema) -> str:
    """What every kept graph depends on besides the data: kg's version, the source of
    the modules that read entities and make quads, the schema, pyoxigraph's and rdflib's
    versions (terms' texts, the ontology's triples) and the byte order (the rows)."""
    hit = _FP.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    import importlib

    import pyoxigraph
    import rdflib

    mods = [importlib.import_module(name) for name in MODULES] + [sys.modules[__name__]]
    fp = filecache.fingerprint(mods, schema, pyoxigraph.__version__, rdflib.__version__,
                               sys.byteorder)
    _FP[id(schema)] = (schema, fp)
    return fp


def graph_keys(data_dir: Path, files: list[tuple[str, list[Entity]]], schema: Schema,
               sem: Semantics, fp: str, since_ns: int,
               file_keys: dict[str, str] | None = None) -> dict[str, str | None]:
    """Graph IRI (without angle brackets) -> its key (hex), or None where the file has
    no key in file_keys and its stamp cannot be trusted (changed after since_ns -
    RACY_NS, or not found). files: kg.rdf.graph.files_of(the entities)."""
    file_keys = file_keys or {}
    h = hashlib.blake2b(digest_size=16)
    for part in (fp, sem.date.isoformat(), str(sem.timeline.horizon)):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    build_key = h.digest()
    base = str(Path(data_dir).resolve().parent) + os.sep
    limit = since_ns - RACY_NS
    blocs, disputed = sem.blocs(), sem.disputed
    gname = _graph_name(schema)
    out: dict[str, str | None] = {}
    stat, blake2b, gbase = os.stat, hashlib.blake2b, gname("")
    cited = _CitedState(sem.entities).__getitem__
    plain = os.sep == "/"  # then a relative path joins by concatenation (10k joins: 30 ms)
    for rel, ents in files:
        content = file_keys.get(rel)
        if content is not None:  # the bytes the entities were read from
            text = f"{rel}\0bytes {content}"
        else:
            try:
                st = stat(base + rel if plain and rel[:1] != "/" else os.path.join(base, rel))
            except OSError:
                st = None
            if st is None or st.st_mtime_ns >= limit or st.st_ctime_ns >= limit:
                out[gname(rel)] = None
                continue
            text = (f"{rel}\0{st.st_mtime_ns} {st.st_ctime_ns} {st.st_size} {st.st_ino} "
                    f"{st.st_dev}")
        for e in ents:
            i = e.id
            text += (f"\0{i}\0{'' if e.kind in NO_BLOC_KINDS else blocs(i)}\0"
                     f"{','.join(disputed[i]) if i in disputed else ''}")
        text += "\0" + "\0".join(map(cited, sorted(cited_sources(ents))))
        out[gbase + rel] = blake2b(build_key + text.encode("utf-8", "surrogatepass"),
                                   digest_size=16).hexdigest()
    if sem.info.path is not None:
        out[gname(DATASET_FILE)] = hashlib.blake2b(
            f"{fp}\0{sem.date.isoformat()}\0{sem.info.horizon_days}".encode(),
            digest_size=16).hexdigest()
    out[gname(ONTOLOGY_FILE)] = hashlib.blake2b(fp.encode(), digest_size=16).hexdigest()
    return out


def cited_sources(entities: list[Entity]) -> set[str]:
    """The ids these entities cite as sources: their own `sources` and each statement's
    (kg.core.model.Entity.sources_of), which is where a fact's check status and best
    source reliability come from (kg.rdf.graph.GraphBuilder)."""
    out: set[str] = set()
    for e in entities:
        for sts in e.facts.values():
            for st in sts:
                if st.sources:
                    out.update(st.sources)
        out.update(e.sources)
    return out


class _CitedState(dict):
    """A cited id -> "id=what facts citing it take from it": whether it is a bundled
    article (kg.core.model.check_status) and its reliability
    (kg.semantics.Semantics.best_reliability), both read from whatever entity has the
    id; "id=-" for an id no entity has. Computed once per id."""

    def __init__(self, entities: dict[str, Entity]):
        super().__init__()
        self.entities = entities

    def __missing__(self, i: str) -> str:
        e = self.entities.get(i)
        value = self[i] = (f"{i}=-" if e is None else
                           f"{i}={'bundled ' if e.first('bundled_file') else ''}"
                           f"{e.first('reliability') or ''}")
        return value


# -- the entry -----------------------------------------------------------------------------
BASE, DELTA, NEW = 0, 1, 2  # where a graph's rows are: the entry, its delta, this build
DELTA_SHARE = 0.2  # a delta over this share of the entry's rows: the entry is rewritten


class Kept:
    """A kept build as read back: terms (texts by id), tags (id -> language tag as
    written), graphs (IRI -> (key, BASE or DELTA, first row, end row)), rows (the entry's
    and the delta's (n, 4) int arrays), and what a delta must name: the entry's digest
    and term count."""

    def __init__(self, terms, tags, graphs, rows, digest):
        self.terms, self.tags, self.graphs, self.rows = terms, tags, graphs, rows
        self.digest, self.base_terms = digest, len(terms)
        self.base_index: dict[str, int] = {}  # graph IRI -> its number in the entry


def entry_path(data_dir: Path) -> Path:
    """Where the quads kept for data_dir live (per resolved folder); the changes since
    (the delta) live beside it, in delta_path(entry)."""
    where = hashlib.sha256(str(Path(data_dir).resolve()).encode("utf-8", "surrogatepass"))
    return filecache.cache_dir() / "graph" / f"quads-{where.hexdigest()[:24]}.bin"


def delta_path(entry: Path) -> Path:
    return entry.with_name("delta-" + entry.name.split("-", 1)[1])


def _read(path: Path, magic: str, fp: str, base: str | None = None):
    """(the body of path, its digest) if its header is `magic fp [base] digest` and the
    digest matches; else None. The body is a memoryview of the file's bytes."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    end = blob.find(b"\n")
    try:
        words = blob[:end].decode("ascii").split(" ")
    except UnicodeDecodeError:
        return None
    body = memoryview(blob)[end + 1:]
    digest = _digest(body)
    if end < 0 or words != [magic, fp, *([base] if base else []), digest]:
        return None
    return body, digest


def read_kept(path: Path, fp: str) -> Kept | None:
    """The build kept at path (and its delta, if it has one for this entry) for
    fingerprint fp, or None (missing, unreadable, cut short, edited, another
    version's). A damaged delta is ignored: the entry alone is an older build."""
    import numpy as np

    got = _read(path, MAGIC, fp)
    try:  # the body: the length of meta (16 hex digits), meta, the terms, the rows
        body, digest = got
        meta = 16 + int(bytes(body[:16]), 16)
        tags, graphs, size = marshal.loads(body[16:meta])
        text = str(body[meta:meta + size], "utf-8", "surrogatepass")
        terms = text.split("\n") if text else []
        rows = np.frombuffer(body[meta + size:], dtype=np.intc).reshape(-1, 4)
        layout, at = {}, 0
        for iri, key, count in graphs:
            layout[iri] = (key, BASE, at, at + count)
            at += count
        if at != len(rows):
            return None
        kept = Kept(terms, dict(tags), layout, (rows, rows[:0]), digest)
        kept.base_index = {iri: n for n, iri in enumerate(layout)}
    except (TypeError, ValueError, AttributeError, EOFError):
        return None
    got = _read(delta_path(path), MAGIC + "-delta", fp, digest)
    try:
        base_terms, tags, pieces, text, rows = marshal.loads(got[0])
        rows = np.frombuffer(rows, dtype=np.intc).reshape(-1, 4)
        base = list(layout.items())
        graphs, at = {}, 0
        for piece in pieces:
            if type(piece) is int:
                iri, where = base[piece]
                graphs[iri] = where
            else:
                iri, key, count = piece
                graphs[iri] = (key, DELTA, at, at + count)
                at += count
        if base_terms != len(terms) or at != len(rows):
            return kept
        kept.terms = terms + (text.decode("utf-8", "surrogatepass").split("\n")
                              if text else [])
        kept.tags, kept.graphs, kept.rows = dict(tags), graphs, (kept.rows[0], rows)
    except (TypeError, ValueError, AttributeError, IndexError, EOFError):
        pass
    return kept


def _digest(*parts) -> str:
    """The CRC-32 and length (hex) of the parts (bytes) one after the other: catches a
    cut or damaged entry (the folder is the user's own: no tampering to defend
    against), eight times faster than BLAKE2."""
    crc = 0
    for part in parts:
        crc = zlib.crc32(part, crc)
    return f"{crc:08x}{sum(len(part) for part in parts):x}"


def _terms_text(terms: list[str]) -> bytes | None:
    """The terms one a line (N-Triples escapes newlines), or None if one has a newline."""
    text = "\n".join(terms)
    if terms and text.count("\n") != len(terms) - 1:
        return None
    return text.encode("utf-8", "surrogatepass")


def write_entry(path: Path, fp: str, q: Quads, graphs: list[tuple[str, str, int]]) -> None:
    """Keep q (its terms, tags and rows, graph after graph as `graphs` counts them) for
    the next build, dropping any delta; then only the KEEP newest entries. Failing to
    write is no error."""
    with contextlib.suppress(OSError):
        os.unlink(delta_path(path))
    text = _terms_text(q.terms)
    if text is None:
        return
    meta = marshal.dumps((sorted(q.tags.items()), graphs, len(text)))
    parts = (b"%016x" % len(meta), meta, text, memoryview(q.rows).cast("B"))
    head = f"{MAGIC} {fp} {_digest(*parts)}\n".encode("ascii")
    if not filecache.write_atomic(path, b"".join((head, *parts))):
        return
    for name in filecache.keep_newest(path.parent, KEEP, lambda name: name.startswith(
            "quads-") and name.endswith(".bin")):
        with contextlib.suppress(OSError):
            os.unlink(delta_path(path.parent / name))


def write_delta(path: Path, fp: str, old: Kept, q: Quads, rows,
                layout: list[tuple[str, str, int, int]]) -> bool:
    """Keep q as the changes since the entry old was read from: the terms q added after
    the entry's, and the rows of every graph not taken from the entry (rows: q's rows in
    layout's order; layout: (graph IRI, key, where its rows came from, count)). False
    (nothing written) if the delta would be over DELTA_SHARE of the entry or cannot be
    written: then the whole entry is to be written."""
    import numpy as np

    base_rows = len(old.rows[0])
    pieces, delta, at, size = [], [], 0, 0
    for iri, key, src, n in layout:  # the entry's graph number, or (IRI, key, count)
        if src == BASE:
            pieces.append(old.base_index[iri])
        else:
            delta.append(rows[at:at + n])
            pieces.append((iri, key, n))
            size += n
        at += n
    text = _terms_text(q.terms[old.base_terms:])
    if size > DELTA_SHARE * base_rows or text is None:
        return False
    body = marshal.dumps((old.base_terms, sorted(q.tags.items()), pieces, text,
                          np.concatenate(delta).astype(np.intc).tobytes() if delta else b""))
    digest = _digest(body)
    head = f"{MAGIC}-delta {fp} {old.digest} {digest}\n"
    return filecache.write_atomic(delta_path(path), head.encode("ascii") + body)


__all__ = ["Kept", "build_quads_kept", "delta_path", "entry_path", "fingerprint",
           "graph_keys", "read_kept", "write_delta", "write_entry"]
