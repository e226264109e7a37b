"""Centrality of the projected network (NetworkX).

`pagerank(G)` is what the explorer sizes its nodes by; the report adds degree,
betweenness, eigenvector and closeness, overall, within each bloc and per kind.
"""

from __future__ import annotations

import random

import networkx as nx
import numpy as np

from kg.analysis.network import Arrays, adjacency, arrays, simple
from kg.analysis.paths import PathCounts, distances

PAGERANK_ALPHA = 0.85


def power_pagerank(H: nx.Graph, alpha: float = PAGERANK_ALPHA, tol: float = 1e-12,
                   max_iter: int = 1000) -> dict[str, float]:
    """PageRank (sums to 1) of an undirected graph weighted by "weight", by power
    iteration: networkx's own rule (uniform teleport; a node without links spreads its
    rank uniformly; stop when the L1 change < n * tol), each step one scipy sparse
    product. Raises nx.PowerIterationFailedConvergence.
    """
    nodes = sorted(H)
    if not nodes:
        return {}
    x, = power_iteration(transition(H, nodes), alpha, (tol,), max_iter)
    return {u: float(v) for u, v in zip(nodes, x, strict=True)}


def transition(H: nx.Graph, nodes: list[str]):
    """(W, strength): the symmetric weight matrix (scipy CSR, in `nodes` order) and each
    row's sum."""
    return strengths(adjacency(H, nodes, "weight", dtype=float))


def strengths(W):
    """(W, each row's sum) for a scipy sparse weight matrix W."""
    return W, np.asarray(W.sum(axis=1)).ravel()


def power_iteration(Ws, alpha: float, tols: tuple[float, ...], max_iter: int
                    ) -> list[np.ndarray]:
    """PageRank by power_pagerank's rule from Ws = (W, strength) (see `strengths`), one
    vector per tolerance in `tols` (decreasing): for each, the first iterate whose L1
    change is below n * tol. The iterates do not depend on the tolerance, so the vector
    for a tolerance is the one a run stopping there gives, bit for bit. Raises
    nx.PowerIterationFailedConvergence if the last is not reached in max_iter steps."""
    W, strength = Ws
    n = W.shape[0]
    linked = strength > 0
    inv = np.zeros(n)
    inv[linked] = 1.0 / strength[linked]
    WT = W.T.tocsr()
    x = np.full(n, 1.0 / n)
    found: list[np.ndarray] = []
    for _ in range(max_iter):
        last = x
        spread = alpha * last[~linked].sum() / n + (1.0 - alpha) / n
        x = alpha * (WT @ (last * inv)) + spread
        change = np.abs(x - last).sum()
        while len(found) < len(tols) and change < n * tols[len(found)]:
            found.append(x)
        if len(found) == len(tols):
            return found
    raise nx.PowerIterationFailedConvergence(max_iter)


def _scaled_pagerank(nodes: list[str], x: np.ndarray) -> dict[str, float]:
    """PageRank vector x of `nodes` (sorted) scaled so the top is 1, rounded to 6 digits."""
    top = float(x.max()) or 1.0
    return {u: round(float(v) / top, 6) for u, v in zip(nodes, x, strict=True)}


def pagerank(G: nx.MultiDiGraph | nx.Graph | Arrays) -> dict[str, float]:
    """PageRank on the undirected, weighted projection, scaled so the maximum is 1.0.

    Returns node id -> value in [0, 1], by id; an empty graph gives {}. Deterministic
    (power iteration from a uniform start, tol 1e-10; ties keep node order). G may be the
    simple graph's Arrays (its PageRank is then solved once for every caller).
    """
    if isinstance(G, Arrays):
        return _scaled_pagerank(G.order, G.pagerank()[0]) if G.n else {}
    H = simple(G) if G.is_multigraph() or G.is_directed() else G
    if H.number_of_nodes() == 0:
        return {}
    order = sorted(H)
    x, = power_iteration(transition(H, order), PAGERANK_ALPHA, (1e-10,), 1000)
    return _scaled_pagerank(order, x)


def pagerank_of_links(nodes, links) -> dict[str, float]:
    """pagerank(simple(G)) for the graph with `nodes` and the (source, target) `links`
    (one per fact), without building networkx graphs: for overviews of large networks."""
    import scipy.sparse as sp

    order = sorted(nodes)
    if not order:
        return {}
    where = {n: i for i, n in enumerate(order)}
    pairs = np.array([(where[u], where[v]) for u, v in links if u != v], dtype=np.int64)
    n = len(order)
    if len(pairs):
        rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
        cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
        W = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        W.sum_duplicates()
    else:
        W = sp.csr_array((n, n))
    pr, = power_iteration(strengths(W), PAGERANK_ALPHA, (1e-10,), 1000)
    top = pr.max() or 1.0
    return {u: round(float(x) / top, 6) for u, x in zip(order, pr, strict=True)}


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


def sample_sources(H: nx.Graph | Arrays, k: int, seed: int = SEED) -> list[str]:
    """The k sources networkx's betweenness_centrality(k=, seed=) would draw from H (or
    from the graph of its Arrays)."""
    return random.Random(seed).sample(H.nodes if isinstance(H, Arrays) else list(H.nodes()),
                                      k)


def betweenness(H: nx.Graph | Arrays, k: int | None = None, seed: int = SEED,
                exact_max: int = BETWEENNESS_EXACT_MAX_NODES,
                paths: PathCounts | None = None) -> tuple[dict[str, float], dict]:
    """Normalised shortest-path betweenness (hops; edge weights ignored), and how it was got.

    Exact (Brandes) when the graph has at most `exact_max` nodes and `k` is None; else the
    `k`-source sample networkx draws with `seed` (and scales as it does), clipped to
    [0, 1]. `paths`: a PathCounts of H already computed with the same sources (reused).
    H may be the graph's Arrays. Returns (node id -> value in [0, 1], {"method": "exact" |
    "sampled", "k": int | None, "seed"}). Same values as nx.betweenness_centrality to
    ~1e-15 before rounding.
    """
    H = arrays(H)
    n = H.n
    if n < 3:
        return {v: 0.0 for v in H.order}, {"method": "exact", "k": None, "seed": None}
    if k is None and n <= exact_max:
        pc = paths if paths is not None and paths.exact else PathCounts(H)
        sums = pc.betweenness_sums() / ((n - 1) * (n - 2))
        return ({v: round(min(1.0, float(sums[i])), DIGITS)
                 for v, i in sorted(pc.index.items())},
                {"method": "exact", "k": None, "seed": None})
    k = min(k or BETWEENNESS_K, n)
    sources = sample_sources(H, k, seed)
    pc = paths if paths is not None and paths.sources == sources else PathCounts(H, sources)
    sums = pc.betweenness_sums()
    chosen = set(sources)
    on_source = 1.0 / ((k - 1) * (n - 2)) if k > 1 else 0.0
    off_source = 1.0 / (k * (n - 2))
    return ({v: round(min(1.0, max(0.0, float(sums[i]) * (on_source if v in chosen
                                                           else off_source))), DIGITS)
             for v, i in sorted(pc.index.items())},
            {"method": "sampled", "k": k, "seed": seed})


def approximation_error(H: nx.Graph | Arrays, k: int = BETWEENNESS_K, seed: int = SEED,
                        top: int = 10, exact: dict[str, float] | None = None) -> dict:
    """How far the k-sample betweenness is from the exact one on `H`.

    exact: H's exact betweenness if already computed (else it is computed here: only
    call this without it on a graph where exact betweenness is affordable).
    Returns {"k", "seed", "top", "top_overlap" (how many of the exact top `top` the sample's
    top `top` holds), "max_error" (largest absolute difference over all nodes),
    "nodes"}. Ties are broken by node id.
    """
    H = arrays(H)
    if exact is None:
        exact, _ = betweenness(H, exact_max=max(H.n, 3))
    approx, info = betweenness(H, k=k, seed=seed)

    def best(values):
        return {n for n, _ in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:top]}

    return {"k": info["k"], "seed": seed, "top": top,
            "top_overlap": len(best(exact) & best(approx)),
            "max_error": round(max((abs(exact[n] - approx[n]) for n in exact), default=0.0),
                               DIGITS),
            "nodes": H.n}


def eigenvector(H: nx.Graph | Arrays) -> dict[str, float]:
    """Eigenvector centrality weighted by "weight", Euclidean norm 1: the limit of
    networkx's power iteration (on A + I, from the all-ones vector), got directly.

    Each connected piece has one Perron eigenvector; the iteration converges to the
    projection of its start onto the pieces whose largest eigenvalue is the graph's
    largest, so those pieces share the mass (in proportion to their vectors' sums) and
    every other node gets 0. Dense eigh for pieces up to DENSE_EIGEN_MAX nodes, scipy's
    eigsh (ARPACK) above (they agree to ~1e-14). Raises nothing for a graph without edges: all zeros.
    H may be the graph's Arrays. Returns node id -> value, in H's node order.
    """
    from scipy.sparse.csgraph import connected_components

    H = arrays(H)
    nodes, n = H.nodes, H.n
    if not H.links:
        return dict.fromkeys(nodes, 0.0)
    W = H.matrix()
    count, label = connected_components(W, directed=False)
    members = _pieces(label, count)
    bound = np.asarray(abs(W).sum(axis=1)).ravel()  # a piece's eigenvalue <= its max row sum
    best, found = 0.0, []
    for idx in sorted(members, key=lambda m: (-len(m), int(m[0]))):
        slack = 1e-9 * max(best, 1.0)  # eigenvalues this close count as equal
        if len(idx) < 2 or bound[idx].max() < best - slack:
            continue
        value, vec = _perron(W[idx][:, idx])
        if value > best + slack:
            best, found = value, [(idx, vec)]
        elif value >= best - slack:
            found.append((idx, vec))
    x = np.zeros(n)
    for idx, vec in found:
        x[idx] = vec * vec.sum()  # the all-ones start's projection on this piece
    norm = np.linalg.norm(x) or 1.0
    return {v: float(x[i] / norm) for i, v in enumerate(nodes)}


def _pieces(label: np.ndarray, count: int) -> list[np.ndarray]:
    """The positions of each connected piece 0..count-1 (`label`: each node's piece), each
    ascending: [np.flatnonzero(label == c) for c in range(count)], in one sort instead of a
    scan of every node per piece (thousands of pieces at 100k)."""
    order = np.argsort(label, kind="stable")
    return np.split(order, np.cumsum(np.bincount(label, minlength=count))[:-1])


# Pieces up to this size use a dense eigh; above, ARPACK (matrix-vector products only:
# multi-threaded BLAS on a busy 2-core machine made a 226-node dense eigh take 0.5 s)
DENSE_EIGEN_MAX = 48


def _perron(W) -> tuple[float, np.ndarray]:
    """The largest eigenvalue of a connected piece's weight matrix and its eigenvector
    (unit norm, non-negative)."""
    m = W.shape[0]
    if m <= DENSE_EIGEN_MAX:
        values, vectors = np.linalg.eigh(W.toarray())
        value, vec = values[-1], vectors[:, -1]
    else:
        from scipy.sparse.linalg import eigsh

        values, vectors = eigsh(W, k=1, which="LA", tol=0, v0=np.full(m, 1.0 / np.sqrt(m)))
        value, vec = values[0], vectors[:, 0]
    vec = np.abs(vec) if vec.sum() >= 0 else np.abs(-vec)
    return float(value), vec / np.linalg.norm(vec)


def closeness(H: nx.Graph | Arrays, exact_max: int = BETWEENNESS_EXACT_MAX_NODES,
              k: int = BETWEENNESS_K,
              seed: int = SEED) -> tuple[dict[str, float], dict]:
    """Closeness by Wasserman and Faust (networkx's wf_improved rule): for a node reaching
    r nodes (itself included) at total distance T, ((r - 1) / T) * ((r - 1) / (n - 1)).

    Exact (breadth-first from every node, scipy) for every piece of up to `exact_max`
    nodes; in a larger piece, T is estimated from k sources drawn in it with `seed`:
    (r - 1) times the mean distance to the sampled sources. H may be the graph's Arrays.
    Returns (node id -> value, {"method": "exact" | "sampled", "k", "seed"}).
    """
    from scipy.sparse.csgraph import connected_components, shortest_path

    H = arrays(H)
    nodes, n = H.nodes, H.n
    out = dict.fromkeys(nodes, 0.0)
    info = {"method": "exact", "k": None, "seed": None}
    if n < 2:
        return out, info
    A = H.matrix(weight=False)
    count, label = connected_components(A, directed=False)
    if n <= exact_max:
        pieces = [np.arange(n)]
    else:
        pieces = [idx for idx in _pieces(label, count) if len(idx) > 1]
    for idx in pieces:
        sub = A[idx][:, idx]
        m = len(idx)
        if m <= exact_max:
            dist = shortest_path(sub, unweighted=True, directed=False)
            reach = np.isfinite(dist)
            total = np.where(reach, dist, 0.0).sum(axis=1)
            r = reach.sum(axis=1)
        else:
            kk = min(k, m)
            rng = random.Random(seed)
            chosen = np.array(sorted(rng.sample(range(m), kk)))
            # breadth first from the chosen nodes at once (scipy's shortest_path runs
            # Dijkstra per source); a piece is connected, so every distance is finite
            dist = distances(sub, chosen).astype(float)
            r = np.full(m, m)
            mean = dist.sum(axis=0) / np.where(np.isin(np.arange(m), chosen), kk - 1, kk)
            total = mean * (m - 1)
            info = {"method": "sampled", "k": kk, "seed": seed}
        value = np.divide((r - 1), total, out=np.zeros(m), where=total > 0) * (r - 1) / (n - 1)
        for i, x, ok in zip(idx.tolist(), value.tolist(), (total > 0).tolist(), strict=True):
            if ok:
                out[nodes[i]] = x
    return out, info


def centralities(G: nx.MultiDiGraph | nx.Graph | Arrays, k: int | None = None, seed: int = SEED,
                 paths: PathCounts | None = None,
                 exact_max: int = BETWEENNESS_EXACT_MAX_NODES,
                 shortest_paths: bool = True) -> tuple[dict[str, dict[str, float]], dict]:
    """The five measures on the simple undirected projection of G.

    Returns ({measure: {node id: value}}, betweenness info) with every value in [0, 1]:
    degree = distinct neighbours / (n - 1); pagerank and eigenvector (weighted by the
    number of links joining a pair) scaled so the top node is 1; betweenness normalised
    by (n - 1)(n - 2) / 2 pairs (see `betweenness`); closeness by Wasserman and Faust
    (reachable nodes only, scaled by the share reached), so it is defined on a network
    in pieces (see `closeness`). Above `exact_max` nodes betweenness and closeness are
    sampled (k sources, `seed`); the info then also says "closeness". Measures are
    listed in MEASURES; an empty graph gives empty dicts. `paths`: H's PathCounts, if
    already computed (reused for betweenness). shortest_paths=False: betweenness and
    closeness are not computed (empty dicts; info "method": "skipped"). G may be the simple
    graph's Arrays (then every measure reads its matrices and its PageRank).
    """
    if not isinstance(G, Arrays):
        G = simple(G) if G.is_multigraph() or G.is_directed() else G
    H = arrays(G)
    n = H.n
    if n == 0:
        return {m: {} for m in MEASURES}, {"method": "exact", "k": None, "seed": None}
    counts = H.degree().tolist()
    degree = {v: round(counts[H.index[v]] / (n - 1), DIGITS) if n > 1 else 0.0
              for v in H.order}
    if not shortest_paths:
        return {"degree": degree, "pagerank": pagerank(H), "betweenness": {},
                "eigenvector": _scaled(eigenvector(H)), "closeness": {}}, \
            {"method": "skipped", "k": None, "seed": None}
    bc, info = betweenness(H, k=k, seed=seed, exact_max=exact_max, paths=paths)
    close, cinfo = closeness(H, exact_max=exact_max, k=k or BETWEENNESS_K, seed=seed)
    if cinfo["method"] != "exact":
        info = {**info, "closeness": cinfo}
    return {
        "degree": degree,
        "pagerank": pagerank(H),
        "betweenness": bc,
        "eigenvector": _scaled(eigenvector(H)),
        "closeness": {v: round(x, DIGITS) for v, x in sorted(close.items())},
    }, info


def ranking(values: dict[str, float]) -> list[str]:
    """Node ids from the highest value to the lowest; ties by id."""
    return [n for n, _ in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))]


def raw_pagerank(H: nx.Graph | Arrays) -> dict[str, float]:
    """Unscaled PageRank (sums to 1, tol 1e-12), by id, for shares and leave-one-link-out
    drops; from H's Arrays, the vector they solved once."""
    if isinstance(H, Arrays):
        return {u: float(v) for u, v in zip(H.order, H.pagerank()[1], strict=True)}
    return power_pagerank(H)
