"""Results of the network analysis kept between runs, keyed by what they were computed from.

The report's measures (shortest paths, centrality, communities, why central, robustness,
the sampling check) and the explorer's sizes and layout depend only on the projected
network and a few parameters, not on descriptions, quotes' words or sources' titles. A
`Memo` stores such a result under a digest of exactly those inputs, so a build after an
edit that leaves the network as it was reads the result back instead of computing it.

- Key: sha256 of the purpose, the memo format, kg's version, Python's, the versions of
  networkx, numpy and scipy, the source bytes of every module of kg.analysis (and of
  kg.explorer for the explorer's entries), the upper-case constants of the modules a caller names (so a parameter
  changed at run time, as the tests do, is a different key), and the caller's inputs
  (fed with `Memo.add`, in order: the network's nodes and links, the parameters).
- Value: plain JSON (never pickle), in `$KG_CACHE_DIR/analysis/<purpose>-<key>.json`
  (see kg.data.filecache.cache_dir), the first line `kg-memo <sha256 of the body>`; an
  entry cut short, edited or not decodable by the caller is ignored (computed again and
  rewritten), never an error. Written atomically; the newest KEEP entries of a purpose
  are kept. `KG_NO_CACHE=1` turns it off (`kg validate --no-cache` sets it for its run).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from kg.data import filecache

FORMAT = "1"
MAGIC = "kg-memo"
KEEP = 8  # entries kept per purpose (the newest written)
_CODE: dict[tuple[str, ...], str] = {}  # code digests, once per process


def _code_digest(packages: tuple[str, ...]) -> str:
    """sha256 of the memo format, kg's, Python's, networkx's, numpy's and scipy's
    versions and the source of the kg subpackages named (e.g. "analysis")."""
    if packages not in _CODE:
        import kg

        h = hashlib.sha256(f"{FORMAT}\0{kg.__version__}\0{sys.version}\0".encode())
        for lib in ("networkx", "numpy", "scipy"):
            try:
                h.update(f"{lib} {metadata.version(lib)}\0".encode())
            except metadata.PackageNotFoundError:
                h.update(f"{lib} -\0".encode())
        root = Path(__file__).resolve().parents[1]
        for package in packages:
            for path in sorted((root / package).glob("*.py")):
                h.update(f"{package}/{path.name}\0".encode() + path.read_bytes() + b"\0")
        _CODE[packages] = h.hexdigest()
    return _CODE[packages]


def constants(modules: Iterable[ModuleType]) -> list:
    """The upper-case int, float, str and bool globals of each module, by name: the
    parameters of a computation as they are now (a test may have changed one)."""
    return [(m.__name__, sorted((k, v) for k, v in vars(m).items()
                                if k.isupper() and isinstance(v, (int, float, str, bool))))
            for m in modules]


class Memo:
    """One result to reuse: feed its inputs with `add`, then `get(compute, decode)`.

    purpose: the entries' name ("report"); modules: those whose constants are inputs;
    packages: the kg subpackages whose source is (by default kg/analysis).

    compute() -> a JSON value (dicts with str keys, lists, str, int, float, bool, None);
    decode(that value) -> the result, raising ValueError, KeyError, TypeError, IndexError
    or AttributeError for an entry it cannot use.
    """

    def __init__(self, purpose: str, modules: Iterable[ModuleType] = (),
                 packages: tuple[str, ...] = ("analysis",)):
        self.purpose = purpose
        self._h = hashlib.sha256(f"{purpose}\0{_code_digest(packages)}\0".encode())
        self.add(constants(modules))
        self.hit = False  # whether the last get() read the result back

    def add(self, *parts: Any) -> Memo:
        """Feed inputs: each part's repr (so it must be deterministic: no sets)."""
        for part in parts:
            self._h.update(repr(part).encode("utf-8", "surrogatepass") + b"\0")
        return self

    def add_lines(self, lines: Iterable[Any]) -> Memo:
        """Feed many inputs (a network's nodes, its links), one repr each, in order."""
        update = self._h.update
        for line in lines:
            update(repr(line).encode("utf-8", "surrogatepass") + b"\n")
        update(b"\0")
        return self

    def path(self) -> Path:
        return filecache.cache_dir() / "analysis" / f"{self.purpose}-{self._h.hexdigest()}.json"

    def get(self, compute: Callable[[], Any], decode: Callable[[Any], Any]) -> Any:
        """decode(the stored JSON value) if there is a usable one, else decode(compute()),
        compute()'s value stored for next time. The computed value goes through JSON
        (dumped and loaded back) before decode either way, so a result read back and one
        just computed are the same to the last bit. Raises TypeError or ValueError if
        compute() gives something JSON cannot hold exactly (a set, NaN)."""
        self.hit = False
        path = self.path() if filecache.enabled() else None
        stored = _read(path) if path is not None else None
        if stored is not None:
            try:
                result = decode(stored)
                self.hit = True
                return result
            except (ValueError, KeyError, TypeError, IndexError, AttributeError):
                pass  # an entry from a broken write or edited by hand: compute again
        body = json.dumps(compute(), ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False).encode("utf-8")
        if path is not None:
            head = f"{MAGIC} {hashlib.sha256(body).hexdigest()}\n".encode("ascii")
            if filecache.write_atomic(path, head + body):
                _prune(path.parent, self.purpose)
        return decode(json.loads(body))


def _read(path: Path) -> Any:
    """The JSON value of an entry, or None if missing, cut short, edited or unreadable."""
    try:
        blob = path.read_bytes()
        head, _, body = blob.partition(b"\n")
        magic, digest = head.decode("ascii").split(" ")
        if magic != MAGIC or hashlib.sha256(body).hexdigest() != digest:
            return None
        return json.loads(body)
    except (OSError, ValueError):
        return None


def _prune(folder: Path, purpose: str) -> None:
    """Keep the newest KEEP entries of `purpose`."""
    try:
        entries = sorted(folder.glob(f"{purpose}-*.json"), key=lambda p: p.stat().st_mtime,
                         reverse=True)
    except OSError:
        return
    for old in entries[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()
