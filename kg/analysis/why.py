"""Why a node is central: which of its links and which pairs of communities its score
rests on, and how the ranking moves without disputed or low-reliability-only links.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from kg.analysis.centrality import DIGITS, PAGERANK_ALPHA, ranking
from kg.analysis.network import EdgeFact, simple
from kg.analysis.paths import PathCounts


@dataclass(frozen=True)
class Link:
    """One neighbour of the node and what joins them.

    path_share: the share of all shortest paths between pairs of nodes that use this link
    (its normalised edge betweenness, in [0, 1]); pagerank_drop: how much the node's
    PageRank falls, as a share of its value, when the link (every fact joining the pair)
    is removed (negative: it rises); facts: the EdgeFacts joining the pair.
    """

    neighbour: str
    path_share: float
    pagerank_drop: float
    facts: tuple[EdgeFact, ...]


@dataclass(frozen=True)
class Why:
    """The reasons for one node's centrality.

    pairs: ((community, community), share of its betweenness) from the largest; links:
    its links, from the one whose removal costs the most PageRank.
    """

    node: str
    pairs: tuple[tuple[tuple[str, str], float], ...]
    links: tuple[Link, ...]


def matrix_pagerank(W: np.ndarray, alpha: float = PAGERANK_ALPHA, tol: float = 1e-12,
                    max_iter: int = 1000) -> np.ndarray:
    """PageRank (sums to 1) of a symmetric weight matrix, by the rule of
    centrality.power_pagerank, vectorised for the many leave-one-link-out runs."""
    n = W.shape[0]
    strength = W.sum(axis=1)
    linked = strength > 0
    P = np.zeros_like(W)
    P[linked] = W[linked] / strength[linked, None]
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        spread = alpha * last[~linked].sum() / n + (1.0 - alpha) / n
        x = alpha * (P.T @ last) + spread
        if np.abs(x - last).sum() < n * tol:
            return x
    raise nx.PowerIterationFailedConvergence(max_iter)


def why_central(G: nx.MultiDiGraph, nodes: list[str], community: dict[str, str],
                paths: PathCounts | None = None) -> list[Why]:
    """The reasons for each of `nodes` (in that order).

    community: node id -> community id. Raises KeyError for a node not in G.
    """
    H = simple(G)
    paths = paths or PathCounts(H)
    edge_bc = nx.edge_betweenness_centrality(H, normalized=True)
    index = {n: i for i, n in enumerate(sorted(H))}
    W = nx.to_numpy_array(H, nodelist=sorted(H), weight="weight")
    base_vec = matrix_pagerank(W)
    out = []
    for v in nodes:
        shares = paths.pair_shares(v, community)
        total = sum(shares.values())
        pairs = tuple(sorted(((k, round(x / total, DIGITS)) for k, x in shares.items()),
                             key=lambda kv: (-kv[1], kv[0]))) if total else ()
        links = []
        for u in sorted(H[v]):
            facts = tuple(sorted([d["fact"] for d in G.get_edge_data(v, u, default={}).values()]
                                 + [d["fact"] for d in G.get_edge_data(u, v, default={}).values()],
                                 key=lambda f: f.key))
            i, j = index[v], index[u]
            w = W[i, j]
            W[i, j] = W[j, i] = 0.0
            without = matrix_pagerank(W)[i]
            W[i, j] = W[j, i] = w
            drop = (base_vec[i] - without) / base_vec[i] if base_vec[i] else 0.0
            eb = edge_bc.get((v, u), edge_bc.get((u, v), 0.0))
            links.append(Link(u, round(eb, DIGITS), round(drop, DIGITS), facts))
        links.sort(key=lambda lk: (-lk.pagerank_drop, -lk.path_share, lk.neighbour))
        out.append(Why(v, pairs, tuple(links)))
    return out


# -- robustness -------------------------------------------------------------------------
@dataclass(frozen=True)
class Move:
    """One node's PageRank rank with every link and without the weak ones (1 = top;
    None: no longer ranked, i.e. it lost every link)."""

    node: str
    rank: int
    robust_rank: int | None
    pagerank: float
    robust_pagerank: float


def weak(fact: EdgeFact, disputed: set[str]) -> bool:
    """A link is weak when it rests only on low-reliability sources, or comes from a
    disputed figure."""
    return fact.reliability == "low" or (fact.via is not None and fact.via in disputed)


def robustness(G: nx.MultiDiGraph, disputed: set[str], top: int) -> tuple[list[Move], int]:
    """The top `top` nodes by PageRank, and their rank once weak links are removed.

    Returns (moves in the original order, how many links were removed). Ranks count only
    nodes with at least one link, so isolated nodes do not fill the table.
    """
    from kg.analysis.centrality import pagerank

    keep = nx.MultiDiGraph()
    keep.add_nodes_from(G.nodes(data=True))
    removed = 0
    for u, v, k, d in G.edges(keys=True, data=True):
        if weak(d["fact"], disputed):
            removed += 1
        else:
            keep.add_edge(u, v, key=k, **d)
    before, after = pagerank(G), pagerank(keep)
    linked_before = [n for n in ranking(before) if G.degree(n)]
    linked_after = [n for n in ranking(after) if keep.degree(n)]
    pos_after = {n: i + 1 for i, n in enumerate(linked_after)}
    moves = [Move(n, i + 1, pos_after.get(n), before[n], after.get(n, 0.0))
             for i, n in enumerate(linked_before[:top])]
    return moves, removed
