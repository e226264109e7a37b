"""The report's charts drawn only when their input changed.

A `Chart` is a chart not drawn yet: the name of a function of `kg.analysis.charts` and
its arguments. Its digest covers those arguments, the drawing code (the bytes of
charts.py), the bloc palette and matplotlib's version, so the same digest gives the
same PNG bytes. `resolve` turns charts into PNG bytes: a chart whose digest and PNG
bytes match the record of the last run in the output folder (`charts.json`) is read
back from its file, and matplotlib is imported only if some chart must be drawn. A PNG
or a record edited by hand no longer matches and is drawn again. `drawn` does that work
ahead of writing (a `Drawn` holds the PNG and its record entry), and `resolve` then
passes it through.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

RECORD = "charts.json"  # {file name: {"input": sha256 of the input, "png": sha256 of the PNG}}
_CODE: list[str] = []  # the drawing code's digest, computed once per process


def _code_digest() -> str:
    if not _CODE:
        from kg.semantics.blocs import BLOC_COLOURS

        h = hashlib.sha256((Path(__file__).parent / "charts.py").read_bytes())
        h.update(repr(sorted(BLOC_COLOURS.items())).encode("utf-8"))
        h.update(metadata.version("matplotlib").encode("ascii"))
        _CODE.append(h.hexdigest())
    return _CODE[0]


@dataclass(frozen=True)
class Chart:
    """A chart to draw: `kg.analysis.charts.<function>(*args)`. The arguments are plain
    values (str, int, float, dates, tuples, lists, dicts) whose repr is deterministic."""

    function: str
    args: tuple

    def digest(self) -> str:
        """sha256 (hex) of the drawing code and the arguments."""
        h = hashlib.sha256(_code_digest().encode("ascii"))
        h.update(self.function.encode("ascii"))
        h.update(repr(self.args).encode("utf-8"))
        return h.hexdigest()

    def draw(self) -> bytes:
        """The PNG bytes (imports matplotlib)."""
        from kg.analysis import charts

        return getattr(charts, self.function)(*self.args)


def read_record(out_dir: Path) -> dict[str, tuple[str, str]]:
    """The last run's record in out_dir: file name -> (input digest, PNG sha256); empty
    when there is none or it cannot be read."""
    try:
        body = json.loads((out_dir / RECORD).read_text(encoding="utf-8"))
        return {name: (str(v["input"]), str(v["png"])) for name, v in body.items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


@dataclass(frozen=True)
class Drawn:
    """A chart already resolved (by `drawn`): its PNG bytes and its record entry
    ({"input": the Chart's digest, "png": the PNG's sha256}). `resolve` and so
    render.write take it as it is: no digest, no drawing, no reading of the folder."""

    png: bytes
    entry: dict[str, str]


def _resolved(name: str, image: Chart, record: dict[str, tuple[str, str]],
              out_dir: Path | None) -> Drawn:
    """One Chart as a Drawn: read back from out_dir when `record` has its digest and
    the file's sha256 still matches, else drawn."""
    digest = image.digest()
    data = None
    if name in record and record[name][0] == digest:
        try:
            kept = (out_dir / name).read_bytes()
        except OSError:
            kept = None
        if kept is not None and hashlib.sha256(kept).hexdigest() == record[name][1]:
            data = kept
    if data is None:
        data = image.draw()
    return Drawn(data, {"input": digest, "png": hashlib.sha256(data).hexdigest()})


def _record(out_dir: Path | None) -> dict[str, tuple[str, str]]:
    from kg.data import filecache

    return read_record(out_dir) if out_dir is not None and filecache.enabled() else {}


def drawn(images: dict[str, bytes | Chart | Drawn], out_dir: Path | None
          ) -> dict[str, bytes | Drawn]:
    """The same images with every Chart resolved now (as `resolve` would, against
    out_dir's record) into a Drawn, which `resolve` (and so render.write) then passes
    through without a second digest or read: for a caller that draws the charts ahead of
    writing (kg build's charts process, kg.pipeline._Charts). Bytes and Drawn pass
    through."""
    record = _record(out_dir) if any(isinstance(i, Chart) for i in images.values()) else {}
    return {name: _resolved(name, image, record, out_dir) if isinstance(image, Chart)
            else image for name, image in sorted(images.items())}


def resolve(images: dict[str, bytes | Chart | Drawn], out_dir: Path | None
            ) -> tuple[dict[str, bytes], str]:
    """PNG bytes for every image, and the record's text for out_dir ("" without charts).
    A Chart is read back from out_dir when the record there has its digest and the
    file's sha256 still matches; otherwise it is drawn (always with the cache off:
    KG_NO_CACHE, `--no-cache`). A Drawn (see `drawn`) gives its bytes and record entry as
    they are; bytes pass through."""
    images = drawn(images, out_dir)
    done: dict[str, bytes] = {}
    kept_record: dict[str, dict[str, str]] = {}
    for name, image in sorted(images.items()):
        if isinstance(image, Drawn):
            done[name] = image.png
            kept_record[name] = image.entry
        else:
            done[name] = image
    text = json.dumps(kept_record, indent=1, sort_keys=True) + "\n" if kept_record else ""
    return done, text
