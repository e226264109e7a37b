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

from kg.analysis.network import Projection, project
from kg.core.errors import KGError
from kg.explorer.data import Options, page_data, search_key
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


def explorer_html(sem: Semantics, *, focus: str | None = None, depth: int = 1,
                  ids: Iterable[str] | None = None, kinds: Iterable[str] = (),
                  blocs: Iterable[str] = (), as_of: dt.date | None = None,
                  subtitle: str | None = None, note: str | None = None) -> str:
    """The explorer page for the data set behind `sem` (or the part the arguments select)."""
    proj = project(sem)
    nodes = select_nodes(proj, focus=focus, depth=depth, ids=ids, kinds=kinds, blocs=blocs)
    if subtitle is None and focus:
        subtitle = f"{proj.nodes[focus].name} and its neighbours ({depth} link"
        subtitle += ")" if depth == 1 else "s)"
    opts = Options(nodes=nodes, as_of=as_of, title=subtitle, note=note,
                   show_all=nodes is not None)
    return render(page_data(sem, proj, opts))


def write_explorer(sem: Semantics, out: Path, **kwargs) -> Path:
    """Write the page as UTF-8 (atomically: a temporary file, then a rename)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = explorer_html(sem, **kwargs)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    tmp.replace(out)
    return out


__all__ = ["explorer_html", "neighbourhood", "query_node_ids", "search_key", "select_nodes",
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
