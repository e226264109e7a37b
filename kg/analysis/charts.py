"""The report's charts as PNG bytes (matplotlib, Agg backend).

Deterministic: a fixed size and DPI, the DejaVu Sans font matplotlib ships, no
"Software" or date in the PNG metadata, so the same data gives the same bytes.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

DPI = 100
BLOC_COLOURS = {"us": "#2b6cb0", "china": "#c53030", "multinational": "#805ad5",
                "other": "#a0aec0"}
VERDICT_COLOURS = {"US leads": "#2b6cb0", "China leads": "#c53030",
                   "China catching up": "#f4a6a6", "US catching up": "#a3c4f3",
                   "mixed": "#d6bcfa", "contested": "#e2e8f0"}
RELIABILITY_MARK = {"high": "H", "medium": "M", "low": "L"}


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _style():
    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 10,
                         "svg.hashsalt": "ai-race-kg", "path.simplify": True})


def bloc_share(shares: dict[str, dict[str, float]], labels: dict[str, str]) -> bytes:
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
    fig.tight_layout()
    return _png(fig)


def top_nodes(rows: list[tuple[str, float, str]], title: str,
              labels: dict[str, str] | None = None) -> bytes:
    """Horizontal bars of (label, value in [0, 1], bloc), in the given order."""
    _style()
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(rows) + 1.2))
    ax.barh([r[0] for r in rows], [r[1] for r in rows], color=[BLOC_COLOURS.get(r[2], "#a0aec0") for r in rows],
            height=0.7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.05)
    ax.set_title(title, loc="left", fontweight="bold")
    present = []
    for r in rows:
        if r[2] not in present:
            present.append(r[2])
    ax.legend(handles=[Patch(color=BLOC_COLOURS[b], label=(labels or {}).get(b, b))
                       for b in BLOC_COLOURS
                       if b in present], loc="lower right", frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return _png(fig)


def scorecard(dimensions: list[str], sources: list[str],
              cells: dict[tuple[str, str], tuple[str, str | None]],
              labels: dict[str, str] | None = None) -> bytes:
    """A grid: dimensions (rows) x sources (columns), each cell coloured by the verdict
    and marked by the source's reliability (H, M, L); an empty cell is "no sourced
    verdict". cells: (dimension, source) -> (verdict text, reliability)."""
    _style()
    fig, ax = plt.subplots(figsize=(1.5 * len(sources) + 2.8, 0.55 * len(dimensions) + 2.0))
    for i, d in enumerate(dimensions):
        for j, s in enumerate(sources):
            verdict, rel = cells.get((d, s), (None, None))
            colour = VERDICT_COLOURS.get(verdict, "#ffffff") if verdict else "#ffffff"
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
    used = sorted({v for v, _ in cells.values()}, key=list(VERDICT_COLOURS).index)
    handles = [Patch(facecolor=VERDICT_COLOURS[v], edgecolor="#cbd5e0", label=v) for v in used]
    handles.append(Patch(facecolor="#ffffff", edgecolor="#cbd5e0",
                         label="– no sourced verdict"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=3,
              frameon=False, fontsize=9)
    ax.set_title("Who leads, according to whom (letters: source reliability "
                 "H high, M medium, L low)", loc="left", fontsize=10, pad=28)
    fig.tight_layout()
    return _png(fig)
