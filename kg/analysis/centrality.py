"""Centrality of the projected network (NetworkX).

`pagerank(G)` is what the explorer sizes its nodes by; the report adds degree,
betweenness, eigenvector and closeness, overall, within each bloc and per kind.
"""

from __future__ import annotations

import networkx as nx

from kg.analysis.network import simple

PAGERANK_ALPHA = 0.85


def pagerank(G: nx.MultiDiGraph | nx.Graph) -> dict[str, float]:
    """PageRank on the undirected, weighted projection, scaled so the maximum is 1.0.

    Returns node id -> value in [0, 1]; an empty graph gives {}. Deterministic
    (power iteration from a uniform start; ties keep node order).
    """
    H = simple(G) if G.is_multigraph() or G.is_directed() else G
    if H.number_of_nodes() == 0:
        return {}
    pr = nx.pagerank(H, alpha=PAGERANK_ALPHA, weight="weight", tol=1e-10, max_iter=1000)
    top = max(pr.values()) or 1.0
    return {n: round(v / top, 6) for n, v in sorted(pr.items())}
