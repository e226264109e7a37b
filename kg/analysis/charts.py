"""The report's charts as PNG bytes (matplotlib, Agg backend).

Deterministic: a fixed size and DPI, the DejaVu Sans font matplotlib ships, no
"Software" or date in the PNG metadata, so the same data gives the same bytes. Each
chart carries a stamp in its foot: the data's date and version (the report's
chart_stamp), never the clock.
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from kg.semantics.blocs import BLOC_COLOURS  # noqa: E402

DPI = 100
# the explorer's palette (kg.semantics.BLOC_COLOURS, Okabe-Ito), lighter for "catching up"
VERDICT_COLOURS = {"US leads": BLOC_COLOURS["us"], "China leads": BLOC_COLOURS["china"],
                   "China catching up": "#F5B993", "US catching up": "#9CCBEA",
                   "multinational leads": BLOC_COLOURS["multinational"],
                   "multinational catching up": "#99D8C9",
                   "other leads": BLOC_COLOURS["other"], "other catching up": "#D9D9D9",
                   "mixed": "#CC79A7", "contested": "#e2e8f0"}
UNKNOWN_VERDICT = "#f0e6d2"  # a verdict text no colour is declared for (never a crash)
RELIABILITY_MARK = {"high": "H", "medium": "M", "low": "L"}
LABEL_WIDTH = 48  # characters of a bar's label on one line (two at most)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _finish(fig, stamp: str) -> None:
    """Lay the figure out, keeping a strip at its foot for `stamp` (the data's date and
    version, kg.analysis.report.chart_stamp) in its right corner: a chart saved or
    pasted on its own still says what it shows as of (a fresh user's trial: the scorecard
    and centrality charts carried no date)."""
    if not stamp:
        fig.tight_layout()
        return
    height = fig.get_size_inches()[1]
    fig.tight_layout(rect=(0, 0.22 / height, 1, 1))
    fig.text(0.995, 0.06 / height, stamp, ha="right", va="bottom", fontsize=7.5,
             color="#4a5568")


def _style():
    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 10,
                         "svg.hashsalt": "ai-race-kg", "path.simplify": True})


def bloc_share(shares: dict[str, dict[str, float]], labels: dict[str, str],
               stamp: str = "") -> bytes:
    """A 100% stacked bar per measure: each bloc's share of the network's total.

    shares: measure label -> {bloc: share in [0, 1]} (missing blocs count 0).
    """
    _style()
    blocs = [b for b in BLOC_COLOURS if any(s.get(b) for s in shares.values())]
    measures = list(shares)
    fig, ax = plt.subplots(figsize=(8, 0.7 * len(measures) + 1.6))
    left = [0.0] * len(measures)
    for b in blocs:
        vals = [shares[m].get(b, 0.0) for m in measures]
        ax.barh(measures, vals, left=left, color=BLOC_COLOURS[b], label=labels.get(b, b),
                edgecolor="white", height=0.6)
        for i, v in enumerate(vals):
            if v >= 0.06:
                ax.text(left[i] + v / 2, i, f"{v:.0%}", ha="center", va="center",
                        color="white" if b in ("us", "china", "multinational") else "black",
                        fontsize=9, fontweight="bold")
        left = [a + v for a, v in zip(left, vals, strict=True)]
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title("Share of centrality by bloc", loc="left", fontweight="bold")
    ax.legend(ncol=len(blocs), loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    _finish(fig, stamp)
    return _png(fig)


def top_nodes(rows: list[tuple[str, float, str]], title: str,
              labels: dict[str, str] | None = None, stamp: str = "") -> bytes:
    """Horizontal bars of (label, value in [0, 1], bloc), in the given order. A label
    longer than LABEL_WIDTH characters is wrapped onto two lines of at most that many (a
    policy's full name of 90 characters took half the width and pushed the legend off the
    figure: `kg report --as-of 2024-06-01`)."""
    _style()
    names = [textwrap.fill(r[0], LABEL_WIDTH, max_lines=2, placeholder=" …") for r in rows]
    pitch = 0.42 if any("\n" in n for n in names) else 0.32  # inches a bar, its label's lines
    fig, ax = plt.subplots(figsize=(8, pitch * len(rows) + 1.2))
    ax.barh(names, [r[1] for r in rows],
            color=[BLOC_COLOURS.get(r[2], BLOC_COLOURS["other"]) for r in rows], height=0.7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.05)
    # from the figure's left edge, not the axes': long labels push the axes right, and
    # a title starting there ran off the figure
    fig.suptitle(title, x=0.015, ha="left", fontweight="bold", fontsize=12)
    present = []
    for r in rows:
        if r[2] not in present:
            present.append(r[2])
    handles = [Patch(color=BLOC_COLOURS[b], label=(labels or {}).get(b, b))
               for b in BLOC_COLOURS if b in present]
    legend = ax.legend(handles=handles, loc="lower right", frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    _finish(fig, stamp)
    if _covers(fig, legend, ax.patches):
        # the last bars as long as the first (a 10k network's top 15): the legend in the
        # corner hid them, so it goes under the axis, in one row (beside the bars it took
        # width that long labels need)
        legend.remove()
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06),
                  ncol=len(handles), frameon=False)
        _finish(fig, stamp)
    return _png(fig)


def _covers(fig, artist, patches) -> bool:
    """Whether `artist` (a legend), as drawn, overlaps any of `patches` (the bars)."""
    renderer = fig.canvas.get_renderer()
    box = artist.get_window_extent(renderer)
    return any(box.overlaps(p.get_window_extent(renderer)) for p in patches)


def scorecard(dimensions: list[str], sources: list[str],
              cells: dict[tuple[str, str], tuple[str, str | None]],
              labels: dict[str, str] | None = None, stamp: str = "") -> bytes:
    """A grid: dimensions (rows) x sources (columns), each cell coloured by the verdict
    and marked by the source's reliability (H, M, L); an empty cell is "no sourced
    verdict". cells: (dimension, source) -> (verdict text, reliability)."""
    _style()
    fig, ax = plt.subplots(figsize=(1.5 * len(sources) + 2.8, 0.55 * len(dimensions) + 2.0))
    for i, d in enumerate(dimensions):
        for j, s in enumerate(sources):
            verdict, rel = cells.get((d, s), (None, None))
            colour = VERDICT_COLOURS.get(verdict, UNKNOWN_VERDICT) if verdict else "#ffffff"
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="#cbd5e0"))
            if verdict:
                dark = verdict in ("US leads", "China leads")
                ax.text(j + 0.5, i + 0.5, RELIABILITY_MARK.get(rel, "?"), ha="center",
                        va="center", fontsize=10, fontweight="bold",
                        color="white" if dark else "#1a202c")
            else:
                ax.text(j + 0.5, i + 0.5, "–", ha="center", va="center", color="#a0aec0")
    ax.set_xlim(0, max(1, len(sources)))
    ax.set_ylim(len(dimensions), 0)
    ax.set_xticks([j + 0.5 for j in range(len(sources))])
    ax.set_xticklabels(sources, rotation=0)
    ax.xaxis.tick_top()
    ax.set_yticks([i + 0.5 for i in range(len(dimensions))])
    ax.set_yticklabels([(labels or {}).get(d, d) for d in dimensions])
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    order = list(VERDICT_COLOURS)
    used = sorted({v for v, _ in cells.values() if v},
                  key=lambda v: (order.index(v) if v in order else len(order), v))
    handles = [Patch(facecolor=VERDICT_COLOURS.get(v, UNKNOWN_VERDICT), edgecolor="#cbd5e0",
                     label=v) for v in used]
    handles.append(Patch(facecolor="#ffffff", edgecolor="#cbd5e0",
                         label="– no sourced verdict"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=3,
              frameon=False, fontsize=9)
    ax.set_title("Who leads, according to whom (letters: source reliability "
                 "H high, M medium, L low)", loc="left", fontsize=10, pad=28)
    _finish(fig, stamp)
    return _png(fig)


CHANGE_LANES = ("began", "ended", "happened", "expected", "said", "figure")
CHANGE_LABELS = {"began": "began to hold", "ended": "stopped holding",
                 "happened": "happened (releases, events, rules)",
                 "expected": "expected (not confirmed)", "said": "said (quotes)",
                 "figure": "figures reported"}


def timeline(rows: list[tuple], since, as_of, labels: dict[str, str],
             stamp: str = "") -> bytes:
    """What changed, as dots on a time line: one lane per kind of change, coloured by the
    bloc of the entity; a dot with a label (a short key such as "1") is numbered, the
    number written once beside the dots of one day and lane that share it.

    rows: (day, change, label or "", bloc) sorted by day; since/as_of: the bounds.
    Dots on the same day and lane are stacked inside the lane. A start or an end given to
    a month or a year is in the interval when that month or year overlaps it, and its dot
    stands on its first day, which may lie outside: the axis then reaches it, and
    dashed lines mark since and as_of.
    """
    import datetime as dt

    import matplotlib.dates as mdates

    _style()
    fig, ax = plt.subplots(figsize=(10, 4.8))
    lanes = {c: len(CHANGE_LANES) - 1 - i for i, c in enumerate(CHANGE_LANES)}
    stack: dict[tuple, int] = {}
    for day, change, _, _ in rows:
        stack[(day, change)] = stack.get((day, change), 0) + 1
    step = 0.7 / max(max(stack.values(), default=1), 1)
    step = min(step, 0.14)
    seen: dict[tuple, int] = {}
    first = min([since] + [r[0] for r in rows])
    last = max([as_of] + [r[0] for r in rows])
    span = (last - first).days or 1
    dots: dict[str, tuple[list, list]] = {}  # one scatter per colour: thousands of dots stay fast
    labelled: set[tuple] = set()
    for day, change, label, bloc in rows:
        n = stack[(day, change)]
        k = seen.get((day, change), 0)
        seen[(day, change)] = k + 1
        y = lanes[change] + (k - (n - 1) / 2) * step
        xs, ys = dots.setdefault(BLOC_COLOURS.get(bloc, BLOC_COLOURS["other"]), ([], []))
        xs.append(day)
        ys.append(y)
        if label and (day, change, label) not in labelled:  # like rows share one number
            labelled.add((day, change, label))
            right = (day - first).days > 0.8 * span
            ax.annotate(label, (day, y), xytext=(-5 if right else 5, 0),
                        textcoords="offset points", fontsize=7.5, color="#2d3748",
                        ha="right" if right else "left", va="center", fontweight="bold")
    for colour, (xs, ys) in dots.items():
        ax.scatter(xs, ys, s=30, color=colour, edgecolor="white", linewidth=0.5, zorder=3)
    ax.set_yticks([lanes[c] for c in CHANGE_LANES])
    ax.set_yticklabels([CHANGE_LABELS[c] for c in CHANGE_LANES])
    ax.set_ylim(-0.5, len(CHANGE_LANES) - 0.5)
    pad = dt.timedelta(days=max(2, span // 40))
    ax.set_xlim(first - pad if first < since else since, last + pad)
    if (first, last) != (since, as_of):
        for edge in (since, as_of):
            ax.axvline(edge, color="#a0aec0", linestyle="--", linewidth=0.8, zorder=1)
    months = max(1, round(span / 30 / 8))
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=months))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.grid(axis="x", color="#edf2f7", zorder=0)
    for y in range(len(CHANGE_LANES) - 1):
        ax.axhline(y + 0.5, color="#e2e8f0", linewidth=0.8, zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    present = [b for b in BLOC_COLOURS if any(r[3] == b for r in rows)]
    if present:
        ax.legend(handles=[Patch(color=BLOC_COLOURS[b], label=labels.get(b, b))
                           for b in present], loc="upper center", ncol=len(present),
                  bbox_to_anchor=(0.5, -0.1), frameon=False)
    ax.set_title(f"What changed between {since} and {as_of} ({len(rows)} facts)", loc="left",
                 fontweight="bold")
    _finish(fig, stamp)
    return _png(fig)
