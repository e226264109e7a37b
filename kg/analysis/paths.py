"""Shortest-path counts from a set of sources: what betweenness is made of.

Betweenness of v sums, over pairs (s, t), the share sigma_sv * sigma_vt / sigma_st of the
shortest s-t paths that pass through v (when d(s, v) + d(v, t) = d(s, t)). The report
splits that sum by pair of communities ("why central"), restricts it to pairs with one
end in each bloc ("bridges") and, per link, counts the paths that use it. Paths count
hops on the simple undirected graph.

Everything is computed with numpy on the whole batch of sources at once: breadth-first
levels as sparse matrix products (distances D and path counts S, one row per source),
then Brandes' dependencies level by level backwards. With every node a source the
values are exact (they agree with networkx's Brandes to rounding, ~1e-15); with a
sample of sources (`sources=`) they are the sample's estimate, scaled as networkx
scales its k-sample.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from kg.analysis.network import Arrays, arrays

BATCH = 256  # sources per block of rows when a result is summed over sources


class PathCounts:
    """Breadth-first distances, shortest-path counts and dependencies from `sources`
    (default: every node of H, i.e. exact). H: the simple graph, or its Arrays.

    Rows are sources, columns the nodes of H in `self.nodes` order. Memory is
    (sources x nodes) x 20 bytes: 80 MB for every source of a 2,000-node graph, which
    is why the report samples sources above kg.analysis.centrality.BETWEENNESS_EXACT_MAX_NODES.
    """

    def __init__(self, H: nx.Graph | Arrays, sources: list[str] | None = None):
        self.arrays = arrays(H)
        self.nodes = self.arrays.nodes
        self.index = self.arrays.index
        self.exact = sources is None
        self.sources = list(self.nodes) if sources is None else list(sources)
        n = len(self.nodes)
        if n:
            A = self.arrays.matrix(weight=False, dtype=None).copy()
            A.setdiag(0)
            A.eliminate_zeros()
            A.data[:] = 1.0
        else:
            A = None
        self.A = A
        self.rows = np.array([self.index[s] for s in self.sources], dtype=np.int64)
        self.D, self.S, levels = _levels(A, self.rows, n)
        self.delta = _dependency(A, self.D, self.S, np.ones(n), levels)
        self._comp = None

    @property
    def H(self) -> nx.Graph:
        """The simple graph the paths run on."""
        return self.arrays.H

    # -- per node ------------------------------------------------------------------------
    def betweenness_sums(self) -> np.ndarray:
        """Sum over the sources s of Brandes' dependency delta_s(v) (ordered pairs, s != v),
        per node in `self.nodes` order."""
        if not len(self.nodes):
            return np.zeros(0)
        return np.where(self.D > 0, self.delta, 0.0).sum(axis=0)

    def _row(self, v: str) -> tuple[np.ndarray, np.ndarray]:
        """Distances and path counts from v (computed if v is not a source): pair_shares."""
        i = self.index[v]
        hit = np.flatnonzero(self.rows == i)
        if len(hit):
            return self.D[hit[0]], self.S[hit[0]]
        D, S = _bfs(self.A, np.array([i]), len(self.nodes))
        return D[0], S[0]

    def pair_shares(self, v: str, group: dict[str, str]) -> dict[tuple[str, str], float]:
        """v's betweenness split by the (sorted) pair of groups its paths join.

        group: node id -> a label (a community, a bloc; "?" if missing). Returns
        (label, label) -> the number of unordered pairs' worth of shortest paths through v
        (sums to v's unnormalised betweenness; with sampled sources, the estimate scaled
        by nodes / sources).
        """
        n = len(self.nodes)
        labels = sorted({group.get(u, "?") for u in self.nodes})
        code = {g: i for i, g in enumerate(labels)}
        gid = np.array([code[group.get(u, "?")] for u in self.nodes], dtype=np.int64)
        import scipy.sparse as sp  # here: a report whose measures are cached needs no scipy

        onehot = sp.csr_array((np.ones(n), (np.arange(n), gid)), shape=(n, len(labels)))
        iv = self.index[v]
        dv, sv = self._row(v)
        reach_v = dv >= 0
        reach_v[iv] = False
        # M[a, b]: paths from a source in group a to a target in group b. Only the groups
        # of the sources have rows (at most one per source, where there can be thousands
        # of groups): row pos[a] of M holds group a's.
        groups = np.unique(gid[self.rows])
        pos = np.full(len(labels), -1, dtype=np.int64)
        pos[groups] = np.arange(len(groups))
        M = np.zeros((len(groups), len(labels)))
        for lo in range(0, len(self.rows), BATCH):
            rows = self.rows[lo:lo + BATCH]
            D, S = self.D[lo:lo + BATCH], self.S[lo:lo + BATCH]
            dsv = D[:, iv]
            ok = (dsv > 0)[:, None] & reach_v[None, :] & (dsv[:, None] + dv[None, :] == D)
            T = np.zeros(D.shape)
            np.divide(S[:, iv, None] * sv[None, :], S, out=T, where=ok)
            np.add.at(M, pos[gid[rows]], np.asarray((onehot.T @ T.T).T))  # no BLAS threads
        scale = 0.5 if self.exact else 0.5 * n / max(len(self.rows), 1)
        # pair (a, b), a <= b: M[a, a] on the diagonal, M[a, b] + M[b, a] off it; the pairs
        # with a nonzero entry either way, in row-major order (no Python loop over pairs)
        r, b = np.nonzero(M)
        a = groups[r]
        key = np.unique(np.minimum(a, b) * len(labels) + np.maximum(a, b))
        lo_, hi = key // len(labels), key % len(labels)

        def entry(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            """M[x, y] (0 for a group without sources)."""
            got = np.zeros(len(x))
            has = pos[x] >= 0
            got[has] = M[pos[x[has]], y[has]]
            return got

        value = np.where(lo_ == hi, entry(lo_, hi), entry(lo_, hi) + entry(hi, lo_))
        return {(labels[x], labels[y]): float(z) * scale
                for x, y, z in zip(lo_, hi, value, strict=True) if z > 0}

    # -- between two sets -----------------------------------------------------------------
    def component_sizes(self, members: set[str]) -> dict[str, int]:
        """For each node, how many of `members` share its connected piece."""
        if self._comp is None:
            from scipy.sparse.csgraph import connected_components

            self._comp = connected_components(self.A, directed=False)[1] if self.A is not None \
                else np.zeros(0, dtype=np.int64)
        counts = np.bincount(self._comp[[self.index[m] for m in members]],
                             minlength=int(self._comp.max(initial=-1)) + 1) if members else \
            np.zeros(int(self._comp.max(initial=-1)) + 1, dtype=np.int64)
        return {v: int(counts[self._comp[i]]) for i, v in enumerate(self.nodes)}

    def between_all(self, left: set[str], right: set[str]) -> tuple[dict[str, float],
                                                                     dict[str, int]]:
        """For every node v: (the pairs' worth of shortest paths from `left` to `right`
        through v, the number of connected (left, right) pairs of v's piece, v excluded).

        One backward pass (dependencies with only `right` as targets) over the sources in
        `left`; with sampled sources, scaled by |left| / (sampled sources in left).
        """
        n = len(self.nodes)
        if not n:
            return {}, {}
        target = np.zeros(n)
        target[[self.index[t] for t in right if t in self.index]] = 1.0
        mine = np.array([self.nodes[r] in left for r in self.rows], dtype=bool)
        through = np.zeros(n)
        if mine.any():
            dep = _dependency(self.A, self.D[mine], self.S[mine], target)
            through = np.where(self.D[mine] > 0, dep, 0.0).sum(axis=0)
            if not self.exact:
                through *= len(left) / int(mine.sum())
        nl, nr = self.component_sizes(left), self.component_sizes(right)
        both = self.component_sizes(left & right)
        pairs = {}
        for v in self.nodes:
            a = nl[v] - (v in left)
            b = nr[v] - (v in right)
            pairs[v] = a * b - (both[v] - (v in left and v in right))
        return {v: float(through[i]) for i, v in enumerate(self.nodes)}, pairs

    # -- links ----------------------------------------------------------------------------
    def edge_shares(self, edges: list[tuple[str, str]]) -> list[float]:
        """Normalised edge betweenness of each (u, v) of `edges`: the share of ordered
        pairs' shortest paths using it, over n (n - 1) (networkx's normalisation; with
        sampled sources, over k (n - 1))."""
        n = len(self.nodes)
        if not edges or n < 2:
            return [0.0] * len(edges)
        a = np.array([self.index[u] for u, _ in edges])
        b = np.array([self.index[v] for _, v in edges])
        total = np.zeros(len(edges))
        for lo in range(0, len(self.rows), BATCH):
            D, S, dl = (self.D[lo:lo + BATCH], self.S[lo:lo + BATCH],
                        self.delta[lo:lo + BATCH])
            for x, y in ((a, b), (b, a)):  # paths running x -> y
                on = (D[:, x] >= 0) & (D[:, y] == D[:, x] + 1)
                c = np.zeros(on.shape)
                np.divide(S[:, x] * (1.0 + dl[:, y]), S[:, y], out=c, where=on)
                total += c.sum(axis=0)
        k = n if self.exact else len(self.rows)
        return [float(x) for x in total / (k * (n - 1))]


def _bfs(A, rows: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hop distances (-1: unreachable) and shortest-path counts from each node in `rows`
    (see `_levels`)."""
    D, S, _ = _levels(A, rows, n)
    return D, S


def distances(A, rows: np.ndarray) -> np.ndarray:
    """Hop distances (-1: unreachable) from each node in `rows` over the symmetric
    adjacency A (entries > 0 are links): (len(rows) x nodes) int32, the values scipy's
    shortest_path(A, directed=False, unweighted=True, indices=rows) gives (inf as -1),
    breadth first for all the rows at once."""
    return _levels(A, rows, A.shape[0], counts=False)[0]


def _levels(A, rows: np.ndarray, n: int, counts: bool = True
            ) -> tuple[np.ndarray, np.ndarray | None, tuple[np.ndarray, np.ndarray]]:
    """(D, S, (order, bounds)): hop distances D (-1: unreachable; int32) and, if
    `counts`, shortest-path counts S from each node in `rows`, one row per source; and
    the (node, source) entries of the flat (nodes x sources) layout sorted by distance,
    unreachable first (what a stable argsort of the distances gives), with the start of
    each distance 0, 1, ... in `order` (bounds[d + 1] .. bounds[d + 2]: distance d;
    bounds[0] = 0).

    Breadth first for every source at once: each level is one sparse product of A with
    the (nodes x sources) counts of the level before; an entry first reached is at the
    next distance and its count is the product's (the paths through the level before)."""
    b = len(rows)
    if not b or not n:
        return (np.full((b, n), -1, dtype=np.int32), np.zeros((b, n)) if counts else None,
                (np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)))
    Dt = np.full(n * b, -1, dtype=np.int32)  # (nodes x sources), flat
    St = np.zeros(n * b) if counts else None
    frontier = np.sort(np.asarray(rows, dtype=np.int64) * b + np.arange(b))
    Dt[frontier] = 0
    if counts:
        St[frontier] = 1.0  # each source: one path to itself
    found = [frontier]
    Y = np.zeros(n * b)
    level = 0
    while True:
        Y[frontier] = St[frontier] if counts else 1.0
        reached = (A @ Y.reshape(n, b)).ravel()
        Y[frontier] = 0.0
        hit = np.flatnonzero(reached)
        frontier = hit[Dt[hit] < 0]
        if not len(frontier):
            break
        level += 1
        Dt[frontier] = level
        if counts:
            St[frontier] = reached[frontier]
        found.append(frontier)
    unreached = np.flatnonzero(Dt < 0)
    order = np.concatenate([unreached, *found])
    bounds = np.concatenate([[0], np.cumsum([len(unreached)] + [len(f) for f in found])])
    D = np.ascontiguousarray(Dt.reshape(n, b).T)
    S = np.ascontiguousarray(St.reshape(n, b).T) if counts else None
    return D, S, (order, bounds)


def _dependency(A, D: np.ndarray, S: np.ndarray, target: np.ndarray,
                levels: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Brandes' dependencies delta_s(v) = sum over targets t of target[t] * (the share of
    shortest s-t paths through v), for each source row, accumulated level by level.

    The (source, node) entries are sorted by level once (or taken from `levels`, the
    order and bounds `_levels` gave for this D), so each level touches only its own
    entries, besides one sparse product."""
    if not D.size:
        return np.zeros(D.shape)
    n, b = D.shape[1], D.shape[0]
    St = np.ascontiguousarray(S.T).ravel()
    if levels is None:
        Dt = np.ascontiguousarray(D.T).ravel()  # (nodes x sources), flat
        order = np.argsort(Dt, kind="stable")
        # start of each level -1, 0..top+1 (the unreachable, -1, first)
        bounds = np.searchsorted(Dt[order], np.arange(-1, int(Dt.max()) + 2))
    else:
        order, bounds = levels
    top = len(bounds) - 3  # the largest distance
    weight = np.repeat(target.astype(float), b)
    delta = np.zeros(n * b)
    Y = np.zeros(n * b)
    for level in range(top, 0, -1):
        at = order[bounds[level + 1]:bounds[level + 2]]
        Y[at] = (weight[at] + delta[at]) / St[at]
        contrib = (A @ Y.reshape(n, b)).ravel()
        Y[at] = 0.0
        before = order[bounds[level]:bounds[level + 1]]
        delta[before] += St[before] * contrib[before]
    return np.ascontiguousarray(delta.reshape(n, b).T)


def joining_nodes(links, terminals: list[str], allowed: set[str] | None = None,
                  at_most: int | None = None, longest: int = 4) -> list[str]:
    """The nodes that join `terminals` along shortest paths: Mehlhorn's approximate
    Steiner tree on the undirected network of `links` ((a, b) pairs), through nodes of
    `allowed` only (None: any). One breadth-first search from all terminals at once gives
    each node its nearest terminal; each link between two terminals' regions is a path
    between them; the shortest such paths, joining terminals not yet joined (Kruskal's
    rule), give their inner nodes, in that order, up to `at_most` nodes (None: all).
    A path of more than `longest` links is not taken (it would add more nodes than it
    shows). Deterministic: ties by the order of `terminals`, then of `links`.
    Cost: one pass over the links."""
    from collections import deque

    adj: dict[str, list[str]] = {}
    for a, b in links:
        if a == b or (allowed is not None and (a not in allowed or b not in allowed)):
            continue
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, []).append(a)
    dist: dict[str, int] = {}
    root: dict[str, str] = {}
    parent: dict[str, str] = {}
    queue: deque[str] = deque()
    for t in terminals:
        if t not in dist:
            dist[t], root[t] = 0, t
            queue.append(t)
    while queue:
        u = queue.popleft()
        if 2 * dist[u] + 1 > longest:  # a path through a farther node is too long
            continue
        for v in adj.get(u, ()):
            if v not in dist:
                dist[v], root[v], parent[v] = dist[u] + 1, root[u], u
                queue.append(v)
    rank = {t: i for i, t in enumerate(terminals)}
    best: dict[tuple[int, int], tuple[int, int, str, str]] = {}
    order = 0
    for u, near in adj.items():
        if u not in dist:
            continue
        for v in near:
            if v not in dist or root[u] == root[v]:
                continue
            length = dist[u] + dist[v] + 1
            if length > longest:
                continue
            ru, rv = rank[root[u]], rank[root[v]]
            key = (min(ru, rv), max(ru, rv))
            got = (length, order, u, v)
            order += 1
            if key not in best or got[:2] < best[key][:2]:
                best[key] = got
    group = {t: t for t in terminals}

    def find(x: str) -> str:
        while group[x] != x:
            group[x] = group[group[x]]
            x = group[x]
        return x

    out: list[str] = []
    seen = set(terminals)
    for key, (_, _, u, v) in sorted(best.items(), key=lambda kv: (kv[1][0], kv[0])):
        a, b = find(terminals[key[0]]), find(terminals[key[1]])
        if a == b:
            continue
        inner = []
        for end in (u, v):
            while end not in seen and end not in inner:
                inner.append(end)
                end = parent[end]
        if at_most is not None and len(out) + len(inner) > at_most:
            continue  # too many nodes for this one: a shorter join may still fit
        group[a] = b
        out.extend(inner)
        seen.update(inner)
    return out
