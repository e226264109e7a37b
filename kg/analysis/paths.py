"""Shortest-path counts between every pair of nodes: what betweenness is made of.

Betweenness of v sums, over pairs (s, t), the share sigma_sv * sigma_vt / sigma_st of the
shortest s-t paths that pass through v (when d(s, v) + d(v, t) = d(s, t)). The report
splits that sum by pair of communities ("why central") and restricts it to pairs with
one end in each bloc ("bridges"). Paths count hops on the simple undirected graph.
"""

from __future__ import annotations

from collections import deque

import networkx as nx


class PathCounts:
    """Breadth-first distances and shortest-path counts from every node of H.

    dist[s][t]: hops from s to t (only reachable t); sigma[s][t]: how many shortest paths.
    Memory is O(n^2) for a connected graph: meant for the curated data's few hundred nodes.
    """

    def __init__(self, H: nx.Graph):
        self.H = H
        self.dist: dict[str, dict[str, int]] = {}
        self.sigma: dict[str, dict[str, int]] = {}
        for s in sorted(H):
            d, sg = {s: 0}, {s: 1}
            queue = deque([s])
            while queue:
                u = queue.popleft()
                for w in H[u]:
                    if w not in d:
                        d[w] = d[u] + 1
                        sg[w] = 0
                        queue.append(w)
                    if d[w] == d[u] + 1:
                        sg[w] += sg[u]
            self.dist[s], self.sigma[s] = d, sg

    def through(self, v: str, s: str, t: str) -> float:
        """The share of shortest s-t paths that pass through v (0 if v is s or t)."""
        if v in (s, t) or t not in self.dist[s] or v not in self.dist[s] or t not in self.dist[v]:
            return 0.0
        if self.dist[s][v] + self.dist[v][t] != self.dist[s][t]:
            return 0.0
        return self.sigma[s][v] * self.sigma[v][t] / self.sigma[s][t]

    def pair_shares(self, v: str, group: dict[str, str]) -> dict[tuple[str, str], float]:
        """v's betweenness split by the (sorted) pair of groups its paths join.

        group: node id -> a label (a community, a bloc). Returns (label, label) -> the
        number of unordered pairs' worth of shortest paths through v (sums to v's
        unnormalised betweenness).
        """
        out: dict[tuple[str, str], float] = {}
        reach = sorted(self.dist[v])
        for i, s in enumerate(reach):
            if s == v:
                continue
            for t in reach[i + 1:]:
                if t == v:
                    continue
                x = self.through(v, s, t)
                if x:
                    key = tuple(sorted((group.get(s, "?"), group.get(t, "?"))))
                    out[key] = out.get(key, 0.0) + x
        return out

    def between_sets(self, v: str, left: set[str], right: set[str]) -> tuple[float, int]:
        """(the pairs' worth of shortest paths from `left` to `right` through v, the number
        of connected (left, right) pairs v's component holds, v excluded)."""
        comp = self.dist[v]
        ls = sorted(n for n in left if n in comp and n != v)
        rs = sorted(n for n in right if n in comp and n != v)
        total = 0.0
        for s in ls:
            for t in rs:
                if s != t:
                    total += self.through(v, s, t)
        return total, sum(1 for s in ls for t in rs if s != t)
