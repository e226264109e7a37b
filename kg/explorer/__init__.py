"""The journalist's explorer: one offline HTML file to search, filter, move in time and
follow every link to its source (docs/explorer.md).

    from kg.explorer import explorer_html, write_explorer
    html = explorer_html(built.semantics)                    # the whole projection
    write_explorer(built.semantics, Path("build/graph.html"))
    write_explorer(sem, path, focus="huawei", depth=1)       # one entity's neighbourhood
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from kg.analysis.network import Projection, begins, project
from kg.core.errors import KGError
from kg.data.loader import gc_paused
from kg.explorer.data import Options, bloc_windows, page_data, search_key, search_names
from kg.explorer.page import render
from kg.semantics import Semantics


def neighbourhood(proj: Projection, focus: str, depth: int,
                  day: dt.date | None = None) -> set[str]:
    """The nodes within `depth` links of `focus` (either direction; on `day` if given)."""
    if focus not in proj.nodes:
        raise KGError(f"{focus!r} is not a node of the network (organisation, person, country, "
                      "AI model, chip, policy or event). Fix: `kg find NAME` gives the id")
    G = proj.graph(day).to_undirected(as_view=True)
    return set(nx.single_source_shortest_path_length(G, focus, cutoff=max(depth, 0)))


def select_nodes(proj: Projection, *, focus: str | None = None, depth: int = 1,
                 ids: Iterable[str] | None = None, kinds: Iterable[str] = (),
                 blocs: Iterable[str] = (), day: dt.date | None = None) -> set[str] | None:
    """The node ids a page holds (None: all of them), by focus, explicit ids, kind and bloc."""
    chosen: set[str] | None = None
    if focus:
        chosen = neighbourhood(proj, focus, depth, day)
    if ids is not None:
        ids = {i for i in ids if i in proj.nodes}
        chosen = ids if chosen is None else chosen & ids
    kinds, blocs = set(kinds), set(blocs)
    if kinds or blocs:
        blocs_on = proj.sem.blocs()
        base = chosen if chosen is not None else set(proj.nodes)
        chosen = {n for n in base if (not kinds or proj.nodes[n].kind in kinds)
                  and (not blocs or blocs_on(n) in blocs)}
    return chosen


OVERVIEW_ABOVE = 2000  # nodes: a page for the whole network above this is an overview
OVERVIEW_PER_BLOC = 150  # the overview draws this many of each bloc, the most central


def overview_nodes(proj: Projection, per_bloc: int | None = None,
                   among: set[str] | None = None) -> set[str]:
    """The nodes an overview page draws: the `per_bloc` (default OVERVIEW_PER_BLOC) most
    central of each bloc, by PageRank on the network of every date (ties by id), among
    the nodes `among` (None: every node). At most 4 x per_bloc nodes. The PageRank is
    read back from the cache (kg.analysis.memo) for the same nodes and links."""
    from kg.analysis import centrality
    from kg.analysis.memo import Memo

    per_bloc = OVERVIEW_PER_BLOC if per_bloc is None else per_bloc
    memo = Memo("overview", (centrality,))
    memo.add_lines(proj.nodes).add_lines((e.source, e.target) for e in proj.edges)

    def decoded(v: dict) -> dict[str, float]:
        if v.keys() != proj.nodes.keys():
            raise ValueError("the stored PageRank is of other nodes")
        return {n: float(x) for n, x in v.items()}

    pr = memo.get(lambda: centrality.pagerank_of_links(
        proj.nodes, ((e.source, e.target) for e in proj.edges)), decoded)
    blocs = proj.sem.blocs()
    ranked: dict[str, list[str]] = {}
    pool = proj.nodes if among is None else among
    for n in sorted(pool, key=lambda n: (-pr.get(n, 0.0), n)):
        ranked.setdefault(blocs(n), []).append(n)
    return {n for ids in ranked.values() for n in ids[:per_bloc]}


def overview_joining(proj: Projection, core: set[str],
                     among: set[str] | None = None) -> list[str]:
    """The nodes an overview draws besides its most central `core`: those on the shortest
    paths that join them (kg.analysis.paths.joining_nodes, on the network of every date,
    through nodes of `among` if given), at most as many as the core. A scale trial: the
    600 most central of 100k entities were hubs that no link joins directly, and the
    overview drew 59 links among them, "Show everything" rings of unconnected dots."""
    from kg.analysis.paths import joining_nodes

    return joining_nodes(((e.source, e.target) for e in proj.edges), sorted(core),
                         allowed=among, at_most=len(core))


def search_index(proj: Projection, drawn: set[str],
                 among: set[str] | None = None) -> list[list]:
    """[id, name, kind, bloc, search keys] of every node (of `among`, if given) the page
    does not draw, by id, plus a sixth item, its bloc windows (data.bloc_windows: [[first
    day, last day, bloc], ...]), for a node whose bloc changes with the date; bloc: the
    one on the data set's date. The page's search finds them, gives the bloc of the chosen
    day as it does for a drawn node, and says how to draw one (kg viz --focus)."""
    blocs = proj.sem.blocs()
    out = []
    for nid, ent in proj.nodes.items():
        if nid in drawn or (among is not None and nid not in among):
            continue
        keys = sorted({search_key(t) for t in search_names(ent)})
        out.append([nid, str(ent.name), ent.kind, blocs(nid), keys])
    changing = bloc_windows(proj.sem, (row[0] for row in out))
    for row in out:
        if row[0] in changing:
            row.append(changing[row[0]])
    return out


def hidden_neighbours(proj: Projection, drawn: set[str]) -> dict[str, int]:
    """{drawn node: how many of its neighbours (linked at any date) the page does not
    draw}, for the drawn nodes that have any: the overview's panel says so."""
    out: dict[str, set[str]] = {}
    for e in proj.edges:
        for a, b in ((e.source, e.target), (e.target, e.source)):
            if a in drawn and b not in drawn:
                out.setdefault(a, set()).add(b)
    return {n: len(out[n]) for n in sorted(out)}


def viz_arguments(data_dir: str | Path | None, as_of: dt.date | None = None,
                  cwd: Path | None = None) -> str:
    """The `kg viz` arguments that load the same data for the same day, shell-quoted:
    " --data FOLDER" unless the data is the default (None; kg.data.loader.data_argument
    says how FOLDER is written), " --as-of DAY" if given."""
    from kg.data.loader import data_argument

    out = data_argument(data_dir, cwd)
    if as_of is not None:
        out += f" --as-of {as_of.isoformat()}"
    return out


def explorer_html(sem: Semantics, *, focus: str | None = None, depth: int = 1,
                  ids: Iterable[str] | None = None, kinds: Iterable[str] = (),
                  blocs: Iterable[str] = (), as_of: dt.date | None = None,
                  subtitle: str | None = None, note: str | None = None,
                  overview_above: int | None = None, data_dir: str | Path | None = None) -> str:
    """The explorer page for the data set behind `sem` (or the part the arguments select).

    A page of the whole network, or of a selection (focus, ids, kinds, blocs), with more
    than `overview_above` nodes (default OVERVIEW_ABOVE) is an overview: it draws the
    OVERVIEW_PER_BLOC most central nodes (of the selection) of each bloc and their links, and its search also finds every other node by any name
    (the page then gives the `kg viz --focus` command that draws it). Its size and the
    time to write it are bounded by the drawn nodes plus ~100 bytes per other node.
    data_dir: the data folder as the user gave it (None: the default one); the overview's
    `kg viz --focus` command names it (see viz_arguments), and the --as-of day if the
    page opens on a day other than the dataset's.
    """
    proj = project(sem)
    nodes = select_nodes(proj, focus=focus, depth=depth, ids=ids, kinds=kinds, blocs=blocs)
    if subtitle is None and focus:
        subtitle = f"{proj.nodes[focus].name} and its neighbours ({depth} link"
        subtitle += ")" if depth == 1 else "s)"
    extra: dict = {}
    limit = OVERVIEW_ABOVE if overview_above is None else overview_above
    show_all = nodes is not None
    chosen = nodes
    if len(proj.nodes if chosen is None else chosen) > limit:
        total = len(proj.nodes if chosen is None else chosen)
        what = "the network has" if chosen is None else "the selection has"
        central = overview_nodes(proj, among=chosen)
        joining = overview_joining(proj, central, among=chosen)
        nodes = central | set(joining)
        show_all = False
        extra["index"] = search_index(proj, nodes, among=chosen)
        extra["vizargs"] = viz_arguments(data_dir, as_of if as_of != sem.date else None)
        day = as_of or sem.date
        pool = proj.nodes if chosen is None else chosen
        on_day = sum(1 for n in pool if (b := begins(proj.nodes[n])) is None or b <= day)
        extra["hidden"] = hidden_neighbours(proj, nodes)
        # the counts the page's count line gives on the day: the nodes drawn that exist
        # then, of the network's (a scale trial: "the 473 most central" above, "Showing
        # 470" below)
        drawn_on_day = sum(1 for n in nodes if (b := begins(proj.nodes[n])) is None or b <= day)
        counted = f"{total} entities" if on_day == total else (
            f"{total} entities of every date; {drawn_on_day} of the {on_day} on "
            f"{day.isoformat()}")
        joined = f" and the {len(joining)} that join them" if joining else ""
        subtitle = (subtitle + ", " if subtitle else "") + (
            f"overview: the {len(central)} most central{joined}, {len(nodes)} of {counted}")
        joins = (f", the {len(joining)} entities on the shortest paths that join them"
                 if joining else "")
        note = ((note + " ") if note else "") + (
            f"This page is an overview: {what} {total} entities, more "
            f"than a browser draws at once, so it shows the {OVERVIEW_PER_BLOC} most "
            f"central of each bloc (by PageRank){joins} and the links among them. Search "
            f"finds all {total}; `kg viz --focus ID` draws any one with its neighbours.")
    opts = Options(nodes=nodes, as_of=as_of, title=subtitle, note=note,
                   show_all=show_all, extra=extra, join_seed="index" in extra)
    return render(page_data(sem, proj, opts))


def write_explorer(sem: Semantics, out: Path, stage: list | None = None, **kwargs) -> Path:
    """Write the page as UTF-8 (atomically: a temporary file, then a rename; stage: a
    list, to add (temporary, path) to it instead of the rename, as
    kg.rdf.serialize.write_texts)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with gc_paused():  # millions of objects live at 100k: collections cost seconds
        text = explorer_html(sem, **kwargs)
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if stage is None:
        tmp.replace(out)
    else:
        stage.append((tmp, out))
    return out


__all__ = ["explorer_html", "neighbourhood", "overview_joining", "overview_nodes",
           "query_node_ids", "search_index", "search_key", "select_nodes", "viz_arguments",
           "write_explorer"]


def query_node_ids(dataset, text: str) -> list[str]:
    """The node ids a SPARQL query returns: every kgid: IRI in its rows (SELECT) or its
    triples (CONSTRUCT/DESCRIBE), in order of first appearance. `kg viz --query` draws
    them and the links among them."""
    from rdflib import URIRef

    from kg.core.schema import load_schema
    from kg.sparql.queries import with_prefixes
    from kg.sparql.store import OxigraphStore

    ns = load_schema().namespaces["kgid"]
    text, _ = with_prefixes(text)
    result = OxigraphStore.from_dataset(dataset).query(text)
    if result.graph is not None:
        terms = [t for triple in sorted(result.graph) for t in triple]
    else:
        terms = [t for row in result.rows for t in row]
    out: list[str] = []
    for t in terms:
        if isinstance(t, URIRef) and str(t).startswith(ns):
            local = str(t)[len(ns):]
            if "/" not in local and local not in out:
                out.append(local)
    return out
