"""`kg viz`: the journalist's explorer, one offline HTML file (docs/explorer.md)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.options import data_option, day_callback, fail
from kg.core.errors import KGError

KINDS = ["organization", "person", "country", "model", "chip", "policy", "event"]
BLOCS = ["us", "china", "multinational", "other"]


@click.command()
@data_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("build/graph.html"), show_default=True, help="The HTML file to write.")
@click.option("--focus", metavar="ID", default=None,
              help="Only this entity and its neighbourhood (see --depth).")
@click.option("--depth", type=click.IntRange(0, 10), default=1, show_default=True,
              help="How many links out from --focus.")
@click.option("--query", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Draw the entities a SPARQL query (.rq) returns and the links "
                                 "among them.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None, callback=day_callback,
              help="The day the page opens on (default: the dataset's date).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS),
              help="Keep only entities of this kind (repeatable).")
@click.option("--bloc", "blocs", multiple=True, type=click.Choice(BLOCS),
              help="Keep only entities of this bloc (repeatable).")
def viz(data_dir, out, focus, depth, query_file, as_of, kinds, blocs):
    """Write the explorer: one HTML file that works offline (search, filters, date
    slider, sources of every link, paths, shareable views).

    \b
    Example:
        kg viz                                   # build/graph.html, the whole graph
        kg viz --focus huawei --depth 2 --out huawei.html
        kg viz --query queries/chip-export-status.rq --as-of 2025-11-15
        kg viz --kind chip --kind organization --bloc china
    """
    import time

    from kg.cli import on_terminal
    from kg.data.validate import Steps
    from kg.explorer import query_node_ids, write_explorer
    from kg.rdf.load import load_graph

    t0 = time.perf_counter()
    shown = on_terminal()  # the stages on a terminal (10 s at 100k entities), else nothing
    try:
        built = load_graph(data_dir, progress=shown)
        step = Steps(shown)
        step.begin("laying out and writing the explorer page")
        ids, note = None, None
        if query_file is not None:
            ids = query_node_ids(built.dataset, query_file.read_text(encoding="utf-8"))
            note = f"The entities the query {query_file.name} returns, and the links among them."
        path = write_explorer(built.semantics, out, focus=focus, depth=depth, ids=ids,
                              kinds=kinds, blocs=blocs, as_of=as_of, note=note,
                              data_dir=data_dir,
                              subtitle=(query_file.name if query_file is not None else None))
        step("laid out and wrote the explorer page")
    except KGError as exc:
        fail(exc, data_dir)
    from kg.cli import leave_fast

    leave_fast()  # the page is written and closed; the heap need not be torn down
    size = path.stat().st_size
    click.echo(f"wrote {path} ({size / 1e6:.2f} MB, {time.perf_counter() - t0:.1f} s); "
               f"open it in a browser, no network needed")


COMMANDS = [viz]
