"""The report's charts are drawn again only when their input changed: a rebuild into the
same folder reads the other PNGs back (kg.analysis.chartcache), and every file still
equals a build into an empty folder."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import REPO
from kg.analysis import chartcache
from kg.analysis.report import write_report
from kg.rdf.load import load_graph

CHARTS = {"bloc-share.png", "centrality.png", "changes.png", "scorecard.png"}


@pytest.fixture
def drawn(monkeypatch):
    """The names of the charts drawn (by function), in order."""
    names: list[str] = []
    draw = chartcache.Chart.draw

    def counting(self):
        names.append(self.function)
        return draw(self)

    monkeypatch.setattr(chartcache.Chart, "draw", counting)
    return names


def files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_rebuild_draws_only_the_chart_whose_data_changed(tmp_path, drawn):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    out = tmp_path / "report"
    write_report(load_graph(data).semantics, out)
    assert sorted(drawn) == ["bloc_share", "scorecard", "timeline", "top_nodes"]
    before = files(out)
    assert set(before) >= CHARTS | {"charts.json"}

    # Aiden Gray's verdict on chips: the US leads -> China leads (a scorecard cell only)
    path = data / "assessment" / "aiden-gray-chips-us.yaml"
    text = path.read_text(encoding="utf-8")
    assert "leader: united-states\n" in text
    path.write_text(text.replace("leader: united-states\n", "leader: china\n"),
                    encoding="utf-8")
    drawn.clear()
    sem = load_graph(data).semantics
    write_report(sem, out)
    assert drawn == ["scorecard"]
    after = files(out)
    assert {n for n in CHARTS if after[n] != before[n]} == {"scorecard.png"}

    fresh = tmp_path / "fresh"
    write_report(sem, fresh)
    assert files(fresh) == after


def test_a_tampered_chart_or_record_is_drawn_again(tmp_path, drawn):
    out = tmp_path / "report"
    sem = load_graph(REPO / "data").semantics
    write_report(sem, out)
    good = files(out)
    drawn.clear()

    write_report(sem, out)  # unchanged: nothing drawn, same bytes
    assert drawn == []
    assert files(out) == good

    (out / "centrality.png").write_bytes(b"not a chart")
    record = json.loads((out / "charts.json").read_text(encoding="utf-8"))
    record["bloc-share.png"]["input"] = "0" * 64
    (out / "charts.json").write_text(json.dumps(record), encoding="utf-8")
    write_report(sem, out)
    assert sorted(drawn) == ["bloc_share", "top_nodes"]
    assert files(out) == good  # the record written again too

    drawn.clear()
    (out / "charts.json").write_text("garbage\n", encoding="utf-8")
    (out / "changes.png").unlink()
    write_report(sem, out)
    assert sorted(drawn) == ["bloc_share", "scorecard", "timeline", "top_nodes"]
    assert files(out) == good


def test_a_report_without_pictures_draws_nothing(tmp_path, drawn):
    written = write_report(load_graph(REPO / "data").semantics, tmp_path,
                           formats=("csv", "json"))
    assert drawn == []
    assert not [p for p in written if p.suffix == ".png" or p.name == "charts.json"]


def test_charts_drawn_ahead_are_written_as_they_are(tmp_path, drawn, monkeypatch):
    """What the build's second process does: chartcache.drawn before the word to write,
    then render.write, which takes the Drawn charts without a digest or a read."""
    from kg.analysis import render
    from kg.analysis.report import FORMATS, report

    sem = load_graph(REPO / "data").semantics
    plain = tmp_path / "plain"
    write_report(sem, plain)
    drawn.clear()

    ahead = tmp_path / "ahead"
    doc, images = report(sem)
    charts = chartcache.drawn(images, ahead)
    assert sorted(drawn) == ["bloc_share", "scorecard", "timeline", "top_nodes"]
    assert all(isinstance(c, chartcache.Drawn) for c in charts.values())
    assert chartcache.drawn(charts, ahead) == charts  # resolved once: passed through
    digests = []
    monkeypatch.setattr(chartcache.Chart, "digest", lambda self: digests.append(self))
    drawn.clear()
    render.write(doc, charts, ahead, set(FORMATS))
    assert drawn == [] and digests == []
    assert files(ahead) == files(plain)


def test_every_chart_says_the_datas_date_and_version(monkeypatch):
    """A fresh user's trial: scorecard.png and centrality.png carried no as-of date (only
    the changes chart's title had one), so a chart saved or pasted on its own said
    nothing of when. Every chart's foot says the version and the dataset's date, and the
    day shown when the report is --as-of another."""
    import datetime as dt

    from kg.analysis import charts
    from kg.analysis.report import report

    sem = load_graph(REPO / "data").semantics
    stamp = f"ai-race-kg {sem.schema.version}, data as of {sem.date.isoformat()}"
    written: dict[str, list[str]] = {}
    png = charts._png

    def reading(fig):  # the texts of the figure itself (not of its axes), its title aside
        written.setdefault("texts", []).append([t.get_text() for t in fig.texts
                                                if t.get_text() != fig.get_suptitle()])
        return png(fig)

    monkeypatch.setattr(charts, "_png", reading)
    _, images = report(sem)
    assert set(images) == CHARTS
    for name, chart in sorted(images.items()):
        assert chart.args[-1] == stamp, name
        written.clear()
        assert chart.draw().startswith(b"\x89PNG")
        assert written["texts"] == [[stamp]], name
    _, images = report(sem, as_of=dt.date(2025, 6, 30))
    assert {c.args[-1] for c in images.values()} == {f"{stamp}; shown as of 2025-06-30"}


def test_the_centrality_legend_covers_no_bar(monkeypatch):
    """A scale trial: in a 10k network's centrality.png the fifteen bars are nearly as
    long as the first, and the legend in the lower right corner hid the last two. The
    legend covers no bar, whatever their lengths; where the corner is free it stays."""
    from kg.analysis import charts

    figures = []
    png = charts._png

    def keeping(fig):
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        legend = ax.get_legend()
        figures.append((legend.get_window_extent(renderer),
                        [p.get_window_extent(renderer) for p in ax.patches],
                        ax.get_window_extent(renderer)))
        return png(fig)

    monkeypatch.setattr(charts, "_png", keeping)
    blocs = ["us", "china", "multinational", "other"]
    long_bars = [(f"Entity {i}", 1.0 - i * 0.01, blocs[i % 4]) for i in range(15)]
    short_tail = [(f"Entity {i}", 1.0 / (i + 1), blocs[i % 4]) for i in range(15)]
    for rows in (long_bars, short_tail):
        assert charts.top_nodes(rows, "Most central", stamp="x").startswith(b"\x89PNG")
    for legend, bars, _ in figures:
        assert len(bars) == 15
        assert not [b for b in bars if legend.overlaps(b)]
    (below, _, axes), (corner, _, axes2) = figures
    assert below.y1 <= axes.y0  # moved out, under the axis
    assert corner.x1 <= axes2.x1  # the short tail: in the corner, as before


def test_long_bar_labels_are_wrapped_and_the_chart_keeps_its_title_and_legend(monkeypatch):
    """`kg report --as-of 2024-06-01`: two policies' full names (up to 90 characters) took
    half the width of centrality.png; with the legend moved beside the bars, matplotlib
    could not lay the figure out ("Tight layout not applied"): the title and the legend
    were cut at the right edge. A long label is wrapped onto two lines of at most 48
    characters, no two labels overlap, and the title, the legend and every label lie inside the figure."""
    import warnings

    from kg.analysis import charts

    seen = []
    png = charts._png

    def keeping(fig):
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        title, = [x for x in fig.texts if x.get_text() == fig.get_suptitle() != ""]
        seen.append((fig.bbox, title.get_window_extent(renderer),
                     ax.get_legend().get_window_extent(renderer),
                     [lab.get_window_extent(renderer) for lab in ax.get_yticklabels()],
                     [lab.get_text() for lab in ax.get_yticklabels()]))
        return png(fig)

    monkeypatch.setattr(charts, "_png", keeping)
    long = "BIS update of the advanced computing and semiconductor manufacturing rules (October 2023)"
    rows = [(long if i == 3 else f"Entity {i}", 1.0 - i * 0.01, ["us", "china"][i % 2])
            for i in range(15)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Tight layout not applied" fails the test
        charts.top_nodes(rows, "Most central by PageRank (1 = the top entity)", stamp="x")
    (fig, title, legend, labels, texts), = seen
    assert texts[3] == ("BIS update of the advanced computing and\nsemiconductor "
                        "manufacturing rules (October 2023)")
    assert max(len(line) for t in texts for line in t.split("\n")) <= 48
    for upper, lower in zip(labels, labels[1:], strict=False):  # no two labels overlap
        assert not upper.overlaps(lower)
    for box in (title, legend, *labels):
        assert fig.x0 <= box.x0 and box.x1 <= fig.x1 and fig.y0 <= box.y0 and box.y1 <= fig.y1
