"""Centrality of the projected network (NetworkX).

`pagerank(G)` is what the explorer sizes its nodes by; the report adds degree,
betweenness, eigenvector and closeness, overall, within each bloc and per kind.
"""

from __future__ import annotations

import networkx as nx

from kg.analysis.network import simple

PAGERANK_ALPHA = 0.85


def power_pagerank(H: nx.Graph, alpha: float = PAGERANK_ALPHA, tol: float = 1e-12,
                   max_iter: int = 1000) -> dict[str, float]:
    """PageRank (sums to 1) of an undirected graph weighted by "weight", by power
    iteration in pure Python: networkx's own rule (uniform teleport; a node without
    links spreads its rank uniformly; stop when the L1 change < n * tol), without the
    scipy that nx.pagerank needs. Raises nx.PowerIterationFailedConvergence.
    """
    nodes = sorted(H)
    n = len(nodes)
    if n == 0:
        return {}
    out = {u: [(v, float(d.get("weight", 1))) for v, d in sorted(H[u].items())] for u in nodes}
    strength = {u: sum(w for _, w in out[u]) for u in nodes}
    dangling = [u for u in nodes if strength[u] == 0]
    x = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(max_iter):
        last = x
        x = dict.fromkeys(nodes, 0.0)
        spread = alpha * sum(last[u] for u in dangling) / n + (1.0 - alpha) / n
        for u in nodes:
            if strength[u]:
                share = alpha * last[u] / strength[u]
                for v, w in out[u]:
                    x[v] += share * w
        for u in nodes:
            x[u] += spread
        if sum(abs(x[u] - last[u]) for u in nodes) < n * tol:
            return x
    raise nx.PowerIterationFailedConvergence(max_iter)


def pagerank(G: nx.MultiDiGraph | nx.Graph) -> dict[str, float]:
    """PageRank on the undirected, weighted projection, scaled so the maximum is 1.0.

    Returns node id -> value in [0, 1]; an empty graph gives {}. Deterministic
    (power iteration from a uniform start; ties keep node order).
    """
    H = simple(G) if G.is_multigraph() or G.is_directed() else G
    if H.number_of_nodes() == 0:
        return {}
    pr = power_pagerank(H, tol=1e-10)
    top = max(pr.values()) or 1.0
    return {n: round(v / top, 6) for n, v in sorted(pr.items())}


# -- the report's measures ------------------------------------------------------------
MEASURES = ("degree", "pagerank", "betweenness", "eigenvector", "closeness")
BETWEENNESS_EXACT_MAX_NODES = 2000  # exact Brandes up to this many nodes; above, k samples
BETWEENNESS_K = 200
SEED = 42
DIGITS = 6


def _scaled(values: dict[str, float]) -> dict[str, float]:
    """Divide by the maximum (so the top node is 1.0); all zeros stay zeros."""
    top = max(values.values(), default=0.0)
    return {n: round(v / top, DIGITS) if top > 0 else 0.0 for n, v in sorted(values.items())}


def betweenness(H: nx.Graph, k: int | None = None, seed: int = SEED,
                exact_max: int = BETWEENNESS_EXACT_MAX_NODES) -> tuple[dict[str, float], dict]:
    """Normalised shortest-path betweenness (hops; edge weights ignored), and how it was got.

    Exact (Brandes) when the graph has at most `exact_max` nodes and `k` is None; else the
    `k`-source sample of networkx with `seed`, clipped to [0, 1]. Returns
    (node id -> value in [0, 1], {"method": "exact" | "sampled", "k": int | None, "seed"}).
    """
    n = H.number_of_nodes()
    if n < 3:
        return {v: 0.0 for v in sorted(H)}, {"method": "exact", "k": None, "seed": None}
    if k is None and n <= exact_max:
        bc = nx.betweenness_centrality(H, normalized=True)
        return ({v: round(min(1.0, x), DIGITS) for v, x in sorted(bc.items())},
                {"method": "exact", "k": None, "seed": None})
    k = min(k or BETWEENNESS_K, n)
    bc = nx.betweenness_centrality(H, k=k, normalized=True, seed=seed)
    return ({v: round(min(1.0, max(0.0, x)), DIGITS) for v, x in sorted(bc.items())},
            {"method": "sampled", "k": k, "seed": seed})


def approximation_error(H: nx.Graph, k: int = BETWEENNESS_K, seed: int = SEED,
                        top: int = 10) -> dict:
    """How far the k-sample betweenness is from the exact one on `H`.

    Returns {"k", "seed", "top", "top_overlap" (how many of the exact top `top` the sample's
    top `top` holds), "max_error" (largest absolute difference over all nodes),
    "nodes"}. Ties are broken by node id.
    """
    exact, _ = betweenness(H, exact_max=max(H.number_of_nodes(), 3))
    approx, info = betweenness(H, k=k, seed=seed)

    def best(values):
        return {n for n, _ in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:top]}

    return {"k": info["k"], "seed": seed, "top": top,
            "top_overlap": len(best(exact) & best(approx)),
            "max_error": round(max((abs(exact[n] - approx[n]) for n in exact), default=0.0),
                               DIGITS),
            "nodes": H.number_of_nodes()}


def centralities(G: nx.MultiDiGraph | nx.Graph, k: int | None = None,
                 seed: int = SEED) -> tuple[dict[str, dict[str, float]], dict]:
    """The five measures on the simple undirected projection of G.

    Returns ({measure: {node id: value}}, betweenness info) with every value in [0, 1]:
    degree = distinct neighbours / (n - 1); pagerank and eigenvector (weighted by the
    number of links joining a pair) scaled so the top node is 1; betweenness normalised
    by (n - 1)(n - 2) / 2 pairs (see `betweenness`); closeness by Wasserman and Faust
    (reachable nodes only, scaled by the share reached), so it is defined on a network
    in pieces. Measures are listed in MEASURES; an empty graph gives empty dicts.
    """
    H = simple(G) if G.is_multigraph() or G.is_directed() else G
    n = H.number_of_nodes()
    if n == 0:
        return {m: {} for m in MEASURES}, {"method": "exact", "k": None, "seed": None}
    degree = {v: round(H.degree(v) / (n - 1), DIGITS) if n > 1 else 0.0 for v in sorted(H)}
    bc, info = betweenness(H, k=k, seed=seed)
    if H.number_of_edges():
        eig = nx.eigenvector_centrality(H, max_iter=5000, tol=1e-12, weight="weight")
    else:
        eig = {v: 0.0 for v in H}
    closeness = nx.closeness_centrality(H)
    return {
        "degree": degree,
        "pagerank": pagerank(H),
        "betweenness": bc,
        "eigenvector": _scaled(eig),
        "closeness": {v: round(x, DIGITS) for v, x in sorted(closeness.items())},
    }, info


def ranking(values: dict[str, float]) -> list[str]:
    """Node ids from the highest value to the lowest; ties by id."""
    return [n for n, _ in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))]


def raw_pagerank(H: nx.Graph) -> dict[str, float]:
    """Unscaled PageRank (sums to 1), for shares and leave-one-link-out drops."""
    return power_pagerank(H)
