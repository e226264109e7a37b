"""Communities of the network (seeded Louvain, split into connected pieces) and the
actors that bridge the US and Chinese blocs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import networkx as nx

from kg.analysis.centrality import SEED
from kg.analysis.paths import PathCounts

RESOLUTION = 1.0


@dataclass(frozen=True)
class Community:
    """One community: id ("C1", "C2"... by size, then first member), members (sorted),
    the members most central by PageRank, and what ties it (blocs, kinds, relations)."""

    id: str
    members: tuple[str, ...]
    top: tuple[str, ...]
    blocs: tuple[tuple[str, int], ...]
    kinds: tuple[tuple[str, int], ...]
    relations: tuple[tuple[str, int], ...]

    @property
    def size(self) -> int:
        return len(self.members)


LOUVAIN_MAX_NODES = 5000  # above, Louvain on this many most central nodes only


def louvain(H: nx.Graph, seed: int = SEED, max_nodes: int | None = None,
            rank: dict[str, float] | None = None) -> tuple[list[set[str]], int]:
    """Seeded Louvain on the weighted simple graph, each community split into its
    connected components (Louvain can return a disconnected community).

    Above `max_nodes` (default LOUVAIN_MAX_NODES) nodes, Louvain (superlinear: 19 s for
    20,000 nodes of a random-like network) runs on the `max_nodes` nodes ranked highest
    by `rank` (ties by id) only; every other node joins the community of the nearest of
    them (breadth-first from all of them at once, in node order), and each piece of the
    network without any of them is one community. Returns (communities, how many
    communities had to be split).
    """
    if H.number_of_nodes() == 0:
        return [], 0
    limit = LOUVAIN_MAX_NODES if max_nodes is None else max_nodes
    if H.number_of_nodes() <= limit:
        parts = nx.community.louvain_communities(H, weight="weight", resolution=RESOLUTION,
                                                 seed=seed)
    else:
        parts = _core_louvain(H, seed, limit, rank or {})
    out, split = [], 0
    for part in parts:
        pieces = list(nx.connected_components(H.subgraph(part)))
        split += len(pieces) > 1
        out.extend(set(p) for p in pieces)
    out.sort(key=lambda c: (-len(c), min(c)))
    return out, split


def _core_louvain(H: nx.Graph, seed: int, size: int, rank: dict[str, float]) -> list[set[str]]:
    from collections import deque

    core = set(sorted(H, key=lambda n: (-rank.get(n, 0.0), n))[:size])
    sub = nx.Graph()  # in H's node order, so the seeded result does not depend on set order
    sub.add_nodes_from(n for n in H if n in core)
    sub.add_edges_from((u, v, d) for u, v, d in H.edges(sub.nodes, data=True)
                       if u in core and v in core)
    parts = nx.community.louvain_communities(sub, weight="weight", resolution=RESOLUTION,
                                             seed=seed)
    label = {n: i for i, part in enumerate(sorted(parts, key=min)) for n in part}
    queue = deque(n for n in H if n in core)
    while queue:
        u = queue.popleft()
        for w in H[u]:
            if w not in label:
                label[w] = label[u]
                queue.append(w)
    groups: dict[int, set[str]] = {}
    for n, i in label.items():
        groups.setdefault(i, set()).add(n)
    rest = H.subgraph([n for n in H if n not in label])
    return list(groups.values()) + [set(c) for c in nx.connected_components(rest)]


def communities(G: nx.MultiDiGraph, H: nx.Graph, pagerank: dict[str, float],
                seed: int = SEED, top: int = 5,
                max_nodes: int | None = None) -> tuple[list[Community], dict]:
    """The communities of G (H: its simple projection), described.

    Returns (communities sorted by size then first member, info with "method" ("louvain"
    or "core-louvain" above `max_nodes`: see `louvain`, the core ranked by `pagerank`),
    "modularity", "split" (communities split into pieces), "seed", "resolution").
    """
    limit = LOUVAIN_MAX_NODES if max_nodes is None else max_nodes
    parts, split = louvain(H, seed, limit, pagerank)
    where = {n: i for i, part in enumerate(parts) for n in part}
    inside: list[Counter] = [Counter() for _ in parts]  # relations within each part, one pass
    for u, v, d in G.edges(data=True):
        if u in where and where[u] == where.get(v):
            inside[where[u]][d["relation"]] += 1
    out = []
    for i, part in enumerate(parts, 1):
        members = tuple(sorted(part))
        best = tuple(sorted(members, key=lambda n: (-pagerank.get(n, 0.0), n))[:top])
        blocs = Counter(G.nodes[n]["bloc"] for n in members)
        kinds = Counter(G.nodes[n]["kind"] for n in members)
        rels = inside[i - 1]
        out.append(Community(f"C{i}", members, best, _most(blocs), _most(kinds), _most(rels)))
    modularity = nx.community.modularity(H, parts, weight="weight") if H.number_of_edges() \
        else 0.0
    method = "core-louvain" if H.number_of_nodes() > limit else "louvain"
    return out, {"method": method, "modularity": round(modularity, 6), "split": split,
                 "seed": seed, "resolution": RESOLUTION}


def _most(counter: Counter) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def describe(c: Community, names: dict[str, str], bloc_labels: dict[str, str],
             relation_labels: dict[str, str] | None = None,
             kind_labels: dict[str, str] | None = None) -> str:
    """One line on what ties a community: its blocs, kinds and commonest links (each
    relation by its label in relation_labels, if given: "issued by" for issued_by; each
    kind by its label in kind_labels: "organisation" for organization)."""
    blocs = ", ".join(f"{bloc_labels.get(b, b)} {n}" for b, n in c.blocs)
    kinds = ", ".join(f"{(kind_labels or {}).get(k, k)} {n}" for k, n in c.kinds[:3])
    labels = relation_labels or {}
    rels = ", ".join(f"{labels.get(r, r)} ({n})" for r, n in c.relations[:3]) \
        or "no links inside"
    return f"{c.size} members ({blocs}; {kinds}), tied by {rels}"


@dataclass(frozen=True)
class Bridge:
    """A node on the shortest paths between the US and the Chinese blocs.

    share: the share of connected (US node, Chinese node) pairs' shortest paths through it,
    in [0, 1]; links: its edges to nodes of each of the two blocs (EdgeFacts).
    """

    node: str
    share: float
    us_links: tuple
    china_links: tuple


def bridges(G: nx.MultiDiGraph, paths: PathCounts, top: int = 10) -> list[Bridge]:
    """The nodes that link directly to both the US and the Chinese bloc, by the share of
    US-China shortest paths through them (top `top`, ties by id). With `paths` from
    sampled sources, the shares are the sample's estimates."""
    us = {n for n, d in G.nodes(data=True) if d["bloc"] == "us"}
    cn = {n for n, d in G.nodes(data=True) if d["bloc"] == "china"}
    through_all, pairs_all = paths.between_all(us, cn)  # one pass for every node
    facts_of: dict[str, list] = {v: [] for v in G}  # each node's links, in and out
    for u, v, d in G.edges(data=True):  # one pass (networkx's per-node views are slow)
        facts_of[u].append(d["fact"])  # out of u
        facts_of[v].append(d["fact"])  # into v (a loop: twice, as in and out)
    rows = []
    for v in sorted(G):
        facts = facts_of[v]
        ends = [(f, f.target if f.source == v else f.source) for f in facts]
        us_links = tuple(sorted((f for f, o in ends if o in us), key=lambda f: f.key))
        cn_links = tuple(sorted((f for f, o in ends if o in cn), key=lambda f: f.key))
        if not (us_links and cn_links):
            continue
        through, pairs = through_all.get(v, 0.0), pairs_all.get(v, 0)
        if not through or not pairs:
            continue
        rows.append(Bridge(v, round(through / pairs, 6), us_links, cn_links))
    rows.sort(key=lambda b: (-b.share, b.node))
    return rows[:top]
