"""Why a node is central: which of its links and which pairs of communities its score
rests on, and how the ranking moves without disputed or low-reliability-only links.
"""

from __future__ import annotations

from collections.abc import Callable
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
    is removed (negative: it rises; None: not examined, see why_central's candidates);
    facts: the EdgeFacts joining the pair.
    """

    neighbour: str
    path_share: float
    pagerank_drop: float | None
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
    centrality.power_pagerank (power iteration; kept as the reference for `LeaveOneOut`)."""
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


# M^-1 inverted densely up to this many nodes; above, sparse LU rows. Small on purpose:
# dense inversion goes through multi-threaded BLAS, which a busy 2-core machine makes
# 100x slower (1.3 s for 335 nodes); the sparse LU gives the same values to ~1e-15.
LOO_DENSE_MAX_NODES = 48


LOO_LU_MAX_NODES = 20000  # sparse LU up to this many nodes; above, conjugate gradients


class _Iterative:
    """The `solve(e, trans)` of a SuperLU for N = I - alpha P, by conjugate gradients.

    The weights are symmetric, so D N = D - alpha W (D the nodes' strengths, 1 for a node
    without links) is symmetric positive definite (diagonally dominant): N y = e is
    (D - alpha W) y = D e, and N^T y = e is (D - alpha W) u = e with y = D u. Conjugate
    gradients with the diagonal as preconditioner converge in ~40 sparse products
    (the Neumann series took ~200; GMRES ~1 s per row at 100k nodes), for several
    right-hand sides at once."""

    def __init__(self, W, strength: np.ndarray, alpha: float):
        import scipy.sparse as sp

        self.d = np.where(strength > 0, strength, 1.0)
        self.A = (sp.diags_array(self.d) - alpha * W).tocsr()
        self.diag = self.A.diagonal()

    def solve(self, e: np.ndarray, trans: str = "N") -> np.ndarray:
        """N y = e (or N^T y = e, trans "T"); e: one right-hand side (n,) or several (n, m)."""
        one = e.ndim == 1
        B = e.reshape(len(e), -1) if one else e
        if trans != "T":
            B = B * self.d[:, None]
        X = _block_cg(self.A, B, self.diag)
        if trans == "T":
            X = X * self.d[:, None]
        return X.ravel() if one else X


def _block_cg(A, B: np.ndarray, diag: np.ndarray, tol: float = 1e-14,
              max_iter: int = 2000) -> np.ndarray:
    """A X = B for a symmetric positive definite A, each column by Jacobi-preconditioned
    conjugate gradients (run side by side); stops when every column's residual is below
    tol times its right-hand side (2-norm). Raises PowerIterationFailedConvergence."""
    X = np.zeros_like(B, dtype=float)
    R = np.array(B, dtype=float)
    bnorm = np.maximum(np.linalg.norm(R, axis=0), 1e-300)
    Z = R / diag[:, None]
    P = Z.copy()
    rz = np.einsum("ij,ij->j", R, Z)
    for _ in range(max_iter):
        if np.all(np.linalg.norm(R, axis=0) <= tol * bnorm):
            return X
        AP = A @ P
        pap = np.einsum("ij,ij->j", P, AP)
        step = np.divide(rz, pap, out=np.zeros_like(rz), where=pap > 0)
        X += P * step
        R -= AP * step
        Z = R / diag[:, None]
        rz_new = np.einsum("ij,ij->j", R, Z)
        beta = np.divide(rz_new, rz, out=np.zeros_like(rz), where=rz > 0)
        P = Z + P * beta
        rz = rz_new
    raise nx.PowerIterationFailedConvergence(max_iter)


class LeaveOneOut:
    """PageRank of a node with one link removed, for many links, without rerunning PageRank.

    PageRank (networkx's rule) is the solution of M x = (1 - alpha) / n, with
    M = I - alpha P^T - (alpha / n) 1 d^T (P the row-normalised weights, d the nodes
    without links). Removing the link i-j changes only columns i and j of M, a rank-2
    update, so by Woodbury x'_i = x_i - (M^-1 U)_i (I + V^T M^-1 U)^-1 (x_i, x_j), which
    needs rows i and j of M^-1 only. Up to `dense_max` nodes M^-1 is inverted densely;
    above, each row needed is solved with a sparse LU of I - alpha P^T (above `lu_max`,
    default LOO_LU_MAX_NODES, by conjugate gradients instead) and Sherman-Morrison for the
    dangling term. Both are exact to rounding: they agree with
    rerunning PageRank (tol 1e-12) to ~1e-10 of a node's PageRank.
    """

    def __init__(self, W, alpha: float = PAGERANK_ALPHA, dense_max: int = LOO_DENSE_MAX_NODES,
                 lu_max: int | None = None):
        import scipy.sparse as sp

        self.W = sp.csr_array(W, dtype=float)
        self.n = n = self.W.shape[0]
        self.alpha = alpha
        self.strength = np.asarray(self.W.sum(axis=1)).ravel()
        self.dangling = self.strength == 0
        inv = np.zeros(n)
        inv[~self.dangling] = 1.0 / self.strength[~self.dangling]
        self.B = (self.W.multiply(inv[:, None])).T.tocsr() * alpha  # column u: alpha P[u, :]
        self.dense = n <= dense_max
        self._rows: dict[int, np.ndarray] = {}
        if self.dense:
            import scipy.linalg as la

            M = np.eye(n) - self.B.toarray()
            M[:, self.dangling] -= alpha / n
            self.Minv = la.inv(M)
            self.x = self.Minv.sum(axis=1) * (1.0 - alpha) / n
        else:
            N = (sp.eye(n, format="csc") - self.B.T.tocsc()).tocsc()  # N = M^T + a d 1^T
            if n <= (LOO_LU_MAX_NODES if lu_max is None else lu_max):
                from scipy.sparse.linalg import splu

                self.lu = splu(N)
            else:  # an LU of a large, well-connected network fills in: iterate instead
                self.lu = _Iterative(self.W, self.strength, alpha)
            self.z = self.lu.solve(self.dangling.astype(float))
            self.x = self._solve(np.ones(n) * (1.0 - alpha) / n, transpose=False)

    def _solve(self, e: np.ndarray, transpose: bool = True) -> np.ndarray:
        """M^T y = e (transpose) by the LU of N = I - alpha P and Sherman-Morrison; or,
        for the PageRank vector, M x = e through N's transpose."""
        a = self.alpha / self.n
        if transpose:  # M^T = N - a d 1^T (e: one column or several)
            y = self.lu.solve(e)
            return y + a * np.multiply.outer(self.z, y.sum(axis=0)) / (1.0 - a * self.z.sum())
        # M = N^T - a 1 d^T
        y = self.lu.solve(e, trans="T")
        ones = self.lu.solve(np.ones(self.n), trans="T")
        return y + a * ones * (self.dangling @ y) / (1.0 - a * (self.dangling @ ones))

    def prefetch(self, rows) -> None:
        """Solve the rows of M^-1 that `row` will be asked for, all at once (one block
        solve instead of one solve each: the iterative solver reads the matrix once per
        step for all of them)."""
        if self.dense:
            return
        todo = sorted({int(i) for i in rows} - set(self._rows))
        if not todo:
            return
        E = np.zeros((self.n, len(todo)))
        E[todo, np.arange(len(todo))] = 1.0
        Y = self._solve(E)
        for c, i in enumerate(todo):
            self._rows[i] = np.ascontiguousarray(Y[:, c])

    def row(self, i: int) -> np.ndarray:
        """Row i of M^-1."""
        if self.dense:
            return self.Minv[i]
        if i not in self._rows:
            e = np.zeros(self.n)
            e[i] = 1.0
            self._rows[i] = self._solve(e)
        return self._rows[i]

    def _column_change(self, u: int, v: int) -> np.ndarray:
        """-(new column u of alpha P^T + dangling term - old one) when the u-v link goes."""
        w = self.W[u, v]
        if not hasattr(self, "_Bc"):
            self._Bc = self.B.tocsc()  # column slices of a CSR array scan every row
        old = self._Bc[:, [u]].toarray().ravel()
        if self.dangling[u]:
            old = old + self.alpha / self.n
        left = self.strength[u] - w
        if left > 1e-12 * self.strength[u]:
            new = old * self.strength[u] / left
            new[v] -= self.alpha * w / left
        else:
            new = np.full(self.n, self.alpha / self.n)
        return old - new

    def without(self, i: int, j: int) -> float:
        """Node i's PageRank (sums to 1) once the link i-j (every fact joining them) goes."""
        U = np.stack([self._column_change(i, j), self._column_change(j, i)], axis=1)
        ri, rj = self.row(i) @ U, self.row(j) @ U
        K = np.eye(2) + np.stack([ri, rj])
        return float(self.x[i] - ri @ np.linalg.solve(K, np.array([self.x[i], self.x[j]])))


# above this many nodes, leave-one-link-out examines only WHY_CANDIDATES links per node
WHY_ALL_LINKS_MAX_NODES = 20000
WHY_CANDIDATES = 5  # the links with the largest share of shortest paths


def why_central(G: nx.MultiDiGraph, nodes: list[str], community: dict[str, str],
                paths: PathCounts | None = None, candidates: int | None = None,
                links: list[tuple[str, tuple[Link, ...]]] | None = None) -> list[Why]:
    """The reasons for each of `nodes` (in that order).

    community: node id -> community id. paths: the PathCounts of simple(G) (computed if
    not given; with sampled sources, the path shares are the sample's estimates); its
    Arrays give the weight matrix.
    candidates: None, every link gets its PageRank drop; else only the `candidates`
    links of each node with the largest path share (ties by neighbour id) do, and the
    others get pagerank_drop None and come after them. Raises KeyError for a node not in G.
    links: why_links(G, nodes, paths, candidates), if computed already (the part that does
    not need the communities: the report computes it while they are found).
    """
    paths = paths or PathCounts(simple(G))  # paths was made on simple(G)
    if links is None:
        links = why_links(G, nodes, paths, candidates)
    out = []
    for v, node_links in links:
        shares = paths.pair_shares(v, community)
        total = sum(shares.values())
        pairs = tuple(sorted(((k, round(x / total, DIGITS)) for k, x in shares.items()),
                             key=lambda kv: (-kv[1], kv[0]))) if total else ()
        out.append(Why(v, pairs, node_links))
    return out


def why_links(G: nx.MultiDiGraph, nodes: list[str], paths: PathCounts,
              candidates: int | None = None) -> list[tuple[str, tuple[Link, ...]]]:
    """(node, its Why.links) for each of `nodes` (in that order): see why_central, whose
    part this is that does not depend on the communities (the leave-one-link-out PageRank
    and the path shares of the links: most of its time)."""
    net = paths.arrays
    H = net.H
    index = {n: i for i, n in enumerate(net.order)}
    loo = LeaveOneOut(net.matrix(sort=True))
    base_vec = loo.x
    plans = []
    for v in nodes:
        neighbours = sorted(H[v])
        edge_bc = [round(eb, DIGITS)
                   for eb in paths.edge_shares([(v, u) for u in neighbours])]
        examined = set(neighbours) if candidates is None else {
            u for u, _ in sorted(zip(neighbours, edge_bc, strict=True),
                                 key=lambda ue: (-ue[1], ue[0]))[:candidates]}
        plans.append((v, neighbours, edge_bc, examined))
    loo.prefetch(index[x] for v, _, _, examined in plans for x in (v, *examined))
    out = []
    for v, neighbours, edge_bc, examined in plans:
        links = []
        for u, eb in zip(neighbours, edge_bc, strict=True):
            facts = tuple(sorted([d["fact"] for d in G.get_edge_data(v, u, default={}).values()]
                                 + [d["fact"] for d in G.get_edge_data(u, v, default={}).values()],
                                 key=lambda f: f.key))
            drop = None
            if u in examined:
                i, j = index[v], index[u]
                without = loo.without(i, j)
                drop = round((base_vec[i] - without) / base_vec[i] if base_vec[i] else 0.0,
                             DIGITS)
            links.append(Link(u, eb, drop, facts))
        links.sort(key=lambda lk: (lk.pagerank_drop is None, -(lk.pagerank_drop or 0.0),
                                   -lk.path_share, lk.neighbour))
        out.append((v, tuple(links)))
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


def robustness(G: nx.MultiDiGraph, disputed: set[str], top: int,
               pagerank: dict[str, float] | None = None) -> tuple[list[Move], int]:
    """The top `top` nodes by PageRank, and their rank once weak links are removed
    (ranks_without, dropping `weak` links)."""
    return ranks_without(G, lambda fact: weak(fact, disputed), top, pagerank)


def ranks_without(G: nx.MultiDiGraph, drop: Callable[[EdgeFact], bool], top: int,
                  pagerank: dict[str, float] | None = None) -> tuple[list[Move], int]:
    """The top `top` nodes by PageRank, and their rank once the links whose fact `drop`
    picks are removed (weak links: robustness; quote links: the report's check of how
    much of a rank comes from being quoted).

    pagerank: G's PageRank if already computed (centrality.pagerank of simple(G), which is
    pagerank_of_links(G, every link) when G has no loop), else it is computed here.
    Returns (moves in the original order, how many links were removed). Ranks count only
    nodes with at least one link, so isolated nodes do not fill the table.
    """
    from kg.analysis.centrality import pagerank_of_links

    links, kept = [], []
    for u, v, d in G.edges(data=True):
        links.append((u, v))
        if not drop(d["fact"]):
            kept.append((u, v))
    removed = len(links) - len(kept)
    # pagerank(G) and pagerank(G without the dropped links), without copying G into networkx
    before = pagerank if pagerank is not None else pagerank_of_links(G, links)
    after = pagerank_of_links(G, kept)
    still = {n for link in kept for n in link if link[0] != link[1]}
    linked_before = [n for n in ranking(before) if G.degree(n)]
    linked_after = [n for n in ranking(after) if n in still]
    pos_after = {n: i + 1 for i, n in enumerate(linked_after)}
    moves = [Move(n, i + 1, pos_after.get(n), before[n], after.get(n, 0.0))
             for i, n in enumerate(linked_before[:top])]
    return moves, removed
