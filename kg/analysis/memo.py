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
  rewritten), never an error. Written atomically; the newest
  kg.data.filecache.RESULTS_KEEP (8) entries of a purpose are kept. Reading, writing and
  keeping are `kg.data.filecache.remembered`'s, the store of `kg validate`'s answers:
  one implementation of the format and its rules. `KG_NO_CACHE=1` turns it off
  (`kg validate --no-cache` sets it for its run).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from kg.data import filecache

FORMAT = "1"
MAGIC = "kg-memo"
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
        """Where the entry of these inputs is (or would be) stored."""
        return filecache.cache_dir() / "analysis" / f"{self.purpose}-{self._h.hexdigest()}.json"

    def get(self, compute: Callable[[], Any], decode: Callable[[Any], Any]) -> Any:
        """decode(the stored JSON value) if there is a usable one, else decode(compute()),
        compute()'s value stored for next time (`kg.data.filecache.remembered`). The
        computed value goes through JSON (dumped and loaded back) before decode either
        way, so a result read back and one just computed are the same to the last bit.
        decode may raise ValueError, KeyError, TypeError, IndexError or AttributeError for
        a stored value it cannot use (it is then computed again). Raises TypeError or
        ValueError if compute() gives something JSON cannot hold exactly (a set, NaN)."""
        computed = []

        def run() -> Any:
            computed.append(True)
            return compute()

        result = filecache.remembered(self.purpose, self._h.hexdigest(), run, decode,
                                      folder="analysis", tag=MAGIC)
        self.hit = not computed
        return result
