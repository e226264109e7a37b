"""The live line of a running stage on a terminal: a tqdm bar whose numbers always fit.

tqdm cuts a line longer than the terminal at its right edge, so a long description
(a stage naming a file path) hid the elapsed time, and a count lost its last digit
("9900/1000" for 9900 of 10000). Here the description gives way instead: the line
drops the rate, then the bar, then cuts the description short (with "…"), and the
count, percentage and times stay whole, at any width.
"""

from __future__ import annotations

from tqdm import tqdm
from tqdm.utils import disp_len

# while the stage only runs: its description and elapsed time
ELAPSED = "{desc} {elapsed}"
# once it counts: the richest first; each next one leaves the description more room
COUNTING = ("{desc} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, "
            "{rate_fmt}]",
            "{desc} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]",
            "{desc} {percentage:3.0f}% {n_fmt}/{total_fmt} [{elapsed}<{remaining}]")
BAR_MIN = 10  # columns a bar needs to be worth drawing
DESC_MIN = 24  # a description is cut this short only when no shorter line fits


def shortened(text: str, width: int) -> str:
    """text in at most width columns: cut with "…" if longer."""
    if disp_len(text) <= width:
        return text
    if width <= 0:
        return ""
    out = text
    while out and disp_len(out) + 1 > width:
        out = out[:-1]
    return out.rstrip() + "…"


class StageBar(tqdm):
    """A tqdm line for one stage: ELAPSED until count() is called, then COUNTING."""

    formats: tuple[str, ...] = (ELAPSED,)

    def count(self, done: int, total: int) -> None:
        if self.total != total:
            self.total = total
            self.formats = COUNTING
            self.unit = " files"
        self.n = done
        self.refresh()

    @property
    def format_dict(self):
        d = super().format_dict
        if d.get("ncols"):
            d["bar_format"], d["prefix"] = self.fit(d)
        return d

    def fit(self, d: dict) -> tuple[str, str]:
        """The format and description for a line of d["ncols"] columns: the first format
        that leaves the description DESC_MIN columns (or all it needs); the last, with
        the description cut to what is left, if none does."""
        desc, ncols = d.get("prefix") or "", d["ncols"]
        for fmt in self.formats:
            # the widest numbers (the whole count, a 5-digit rate, hours left), so that
            # the description keeps its length while they change
            numbers = {**d, "ncols": None, "prefix": "", "bar_format": fmt.replace("{bar}", ""),
                       "n": d["total"] or d["n"], "rate": 99999.99}
            bare = disp_len(tqdm.format_meter(**numbers)) + (3 if "{remaining}" in fmt else 0)
            room = ncols - bare - (BAR_MIN if "{bar}" in fmt else 0)
            if room >= min(disp_len(desc), DESC_MIN) or fmt == self.formats[-1]:
                return fmt, shortened(desc, room)
        raise AssertionError("unreachable")  # pragma: no cover
