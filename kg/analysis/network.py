"""The projection: which entities are nodes and which facts are edges of the network.

The RDF graph holds statements, figures, quotes and sources; network measures need
a graph of actors and things. The projection (the report and the explorer state it,
and docs/analysis.md gives it as SPARQL):

- Nodes: every organisation, person, country, AI model, chip, policy and event.
  Sources, figures (claims), assessments, measures, quotes and tombstones are not nodes.
- Edges: every sourced reference field between two nodes, one edge per statement,
  directed from the entity that holds the field to the one it names and labelled by
  the field (`developer`, `supplies`, `affiliation`, `export_status`'s `by` is not a
  reference field, so it is not an edge). Attribute-like references to a country
  (`country`, `citizenship`, `jurisdiction`, `market`) are not edges: they decide the
  bloc, and as edges they would make every country a hub.
- A quote adds one edge from its speaker to each node it is `about` (relation
  `quoted-about`), carrying the quote's sources. A figure adds one edge from who
  estimated it (`estimated_by`) to what it is `about` (relation `estimated`).
- Each edge carries its statement's sources, check status and dates, and the window
  in which it holds by kg.semantics (so a view on a date keeps only the edges that
  hold then); deprecated statements are not edges.

`project(...)` returns a networkx.MultiDiGraph; `simple(...)` collapses it to an
undirected weighted Graph (weight = number of edges between the pair) for centrality.
"""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass, field

import networkx as nx

from kg.core.model import DateValue, Entity, check_status
from kg.semantics import Semantics

NODE_KINDS = ("organization", "person", "country", "model", "chip", "policy", "event")
ATTRIBUTE_FIELDS = frozenset({"country", "citizenship", "jurisdiction", "market"})
RELIABILITY_ORDER = {"low": 0, "medium": 1, "high": 2}


@dataclass(frozen=True)
class EdgeFact:
    """One edge: source -> target, why (relation), from which statement, when, says who.

    key: a stable, unique id for the edge (entity/field/line/target: a short list such as
    `trained_on: [a, b]` shares one line; or the quote's or figure's id).
    start/end: the days it holds by the semantic layer (None: open); basis as Window.basis.
    sources: source entity ids; reliability: the best reliability among them
    ("high" | "medium" | "low" | None); status: from-article | checked | unchecked.
    """

    key: str
    source: str
    target: str
    relation: str
    sources: tuple[str, ...]
    status: str
    reliability: str | None
    valid_from: str | None = None
    valid_to: str | None = None
    as_of: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    via: str | None = None  # the quote or figure that makes the edge
    qualifiers: dict = field(default_factory=dict)

    def holds_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


def best_reliability(entities: dict[str, Entity], sources) -> str | None:
    """The best reliability ("high" > "medium" > "low") among the given source ids, or None
    when none of them has one."""
    best = None
    for s in sources:
        r = entities[s].first("reliability") if s in entities else None
        if r and (best is None or RELIABILITY_ORDER[r] > RELIABILITY_ORDER[best]):
            best = r
    return best


class Statuses:
    """kg.core.model.check_status for many facts, asking once per source whether it is a
    bundled article: statuses(sources, checked) is check_status(entities, sources,
    checked) (from-article if any source is a bundled article, else checked or
    unchecked by the check alone)."""

    def __init__(self, entities: dict[str, Entity]):
        self.entities = entities
        self.article: dict[str, bool] = {}

    def __call__(self, sources, checked) -> str:
        for s in sources:
            is_article = self.article.get(s)
            if is_article is None:
                is_article = self.article[s] = \
                    check_status(self.entities, (s,), None) == "from-article"
            if is_article:
                return "from-article"
        return check_status(self.entities, (), checked)


class Projection:
    """The projection of one validated data set, with its semantic layer.

    nodes: node id -> Entity; edges: every EdgeFact (all dates); status(sources, checked):
    a fact's check status (kg.core.model.check_status, see Statuses).
    """

    def __init__(self, sem: Semantics):
        self.sem = sem
        self.entities = sem.entities
        self.nodes: dict[str, Entity] = {i: e for i, e in sorted(self.entities.items())
                                         if e.kind in NODE_KINDS}
        self._reliability_memo: dict[tuple, str | None] = {}
        self.status = Statuses(self.entities)  # status(sources, checked)
        self.edges: list[EdgeFact] = sorted(self._edges(), key=lambda e: e.key)

    # -- helpers -----------------------------------------------------------------------
    def reliability(self, sources) -> str | None:
        key = tuple(sources)
        memo = self._reliability_memo
        if key not in memo:  # the same few sources back thousands of statements
            memo[key] = best_reliability(self.entities, key)
        return memo[key]

    def _edges(self):
        schema = self.sem.schema
        tl = self.sem.timeline
        for ent in self.nodes.values():
            kind = schema.kinds[ent.kind]
            for name, sts in ent.facts.items():
                f = kind.fields.get(name)
                if f is None or f.type != "ref" or not f.sourced or name in ATTRIBUTE_FIELDS:
                    continue
                for st in sts:
                    target = str(st.value)
                    if target not in self.nodes or target == ent.id:
                        continue
                    w = tl.window(ent, name, st)
                    if w.basis == "never":
                        continue
                    srcs = ent.sources_of(st)
                    yield EdgeFact(
                        f"{ent.id}/{name}/{st.line}/{target}", ent.id, target, name, srcs,
                        self.status(srcs, ent.checked_of(st)), self.reliability(srcs),
                        str(st.valid_from) if st.valid_from else None,
                        str(st.valid_to) if st.valid_to else None,
                        str(st.as_of) if st.as_of else None, w.start, w.end,
                        qualifiers={k: str(v) for k, v in sorted(st.qualifiers.items())})
        for ent in sorted(self.entities.values(), key=lambda e: e.id):
            if ent.kind == "quote":
                speaker = str(ent.first("speaker") or "")
                about = [str(a) for a in ent.values("about")]
                when = ent.first("date")
                for target in about:
                    if speaker in self.nodes and target in self.nodes and target != speaker:
                        yield EdgeFact(f"{ent.id}/quoted-about/{target}", speaker, target,
                                       "quoted-about", ent.sources,
                                       self.status(ent.sources, ent.first("checked")),
                                       self.reliability(ent.sources),
                                       as_of=str(when) if when else None, via=ent.id)
            elif ent.kind == "claim":
                who, about = str(ent.first("estimated_by") or ""), str(ent.first("about") or "")
                if who in self.nodes and about in self.nodes and who != about:
                    when = ent.first("as_of")
                    yield EdgeFact(f"{ent.id}/estimated/{about}", who, about, "estimated",
                                   ent.sources,
                                   self.status(ent.sources, ent.first("checked")),
                                   self.reliability(ent.sources),
                                   as_of=str(when) if when else None, via=ent.id)

    # -- graphs ------------------------------------------------------------------------
    def graph(self, day: dt.date | None = None, edge_filter=None) -> nx.MultiDiGraph:
        """The network on `day` (None: every edge of every date), as a MultiDiGraph.

        Node attributes: kind, name, bloc (on `day`, or the dataset's date).
        Edge attributes: relation, fact (the EdgeFact). Keys are EdgeFact.key.
        edge_filter: an optional predicate on EdgeFact (e.g. drop low-reliability edges).
        """
        G = nx.MultiDiGraph()
        blocs = self.sem.blocs(day or self.sem.date)
        for nid, ent in self.nodes.items():
            G.add_node(nid, kind=ent.kind, name=ent.name, bloc=blocs(nid))
        G.add_edges_from((e.source, e.target, e.key, {"relation": e.relation, "fact": e})
                         for e in self.edges
                         if (day is None or e.holds_on(day))
                         and (edge_filter is None or edge_filter(e)))
        return G


def simple(G: nx.MultiDiGraph) -> nx.Graph:
    """Undirected, one edge per pair, weight = how many edges join the pair."""
    H = nx.Graph()
    H.add_nodes_from(G.nodes(data=True))
    weight: dict[tuple[str, str], int] = {}  # by pair, in order of first appearance
    for u, v in G.edges():
        key = (v, u) if (v, u) in weight else (u, v)
        weight[key] = weight.get(key, 0) + 1
    H.add_edges_from((u, v, {"weight": w}) for (u, v), w in weight.items())
    return H


def adjacency(H: nx.Graph, nodes: list, weight: str | None = "weight", dtype=None):
    """nx.to_scipy_sparse_array(H, nodelist=nodes, weight=weight, format="csr",
    dtype=dtype), the same arrays bit for bit, for an undirected graph H whose nodes are
    exactly `nodes`: read straight from H's adjacency, where networkx goes through its
    edge views (0.5 s a matrix at 47,000 nodes, and the report makes about fifteen).
    weight None: every entry 1. Other graphs and node lists go to networkx."""
    if H.is_directed() or H.is_multigraph() or len(nodes) != len(H) or not len(H):
        return nx.to_scipy_sparse_array(H, nodelist=nodes, weight=weight, format="csr",
                                        dtype=dtype)
    import numpy as np
    import scipy.sparse as sp

    index = {n: i for i, n in enumerate(nodes)}
    if len(index) != len(H) or any(n not in H for n in nodes):
        return nx.to_scipy_sparse_array(H, nodelist=nodes, weight=weight, format="csr",
                                        dtype=dtype)
    rows, cols, data = [], [], []
    for u, nbrs in H.adjacency():  # each edge both ways, a loop once: networkx's sums
        i = index[u]
        for v, d in nbrs.items():
            rows.append(i)
            cols.append(index[v])
            data.append(1 if weight is None else d.get(weight, 1))
    A = sp.coo_array((np.asarray(data) if data else np.zeros(0, dtype=int),
                      (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
                     shape=(len(nodes), len(nodes)), dtype=dtype)
    return A.asformat("csr")


def induced(H: nx.Graph, nodes) -> nx.Graph:
    """The subgraph of the simple graph H on `nodes`, as a new graph whose nodes and
    edges come in H's order. (A networkx subgraph view iterates its nodes in the order of
    a set, which changes with the hash seed, and the sampled measures draw their sources
    from the node order: the report would change from one process to the next.)"""
    keep = set(nodes)
    S = nx.Graph()
    S.add_nodes_from((n, d) for n, d in H.nodes(data=True) if n in keep)
    S.add_edges_from((u, v, d) for u, v, d in H.edges(data=True) if u in keep and v in keep)
    return S


_LAST: list[tuple[weakref.ref, Projection]] = []  # the last data set projected, and its projection


def project(sem: Semantics) -> Projection:
    """The projection of the data set behind `sem` (see the module docstring).

    The same Semantics object gets the same Projection (kept for the last one only):
    the explorer and the report of one build share it (4-5 s at 100k entities). Like
    Semantics' own caches, this takes a Semantics as fixed once built; treat the
    projection as read-only."""
    if _LAST and _LAST[0][0]() is sem:
        return _LAST[0][1]
    proj = Projection(sem)
    _LAST[:] = [(weakref.ref(sem), proj)]
    return proj


# Fields whose first day is when a node begins to exist (a release, an event, a founding).
BEGINS = {"model": ("released",), "chip": ("released",), "event": ("date",),
          "policy": ("announced", "effective"), "organization": ("founded",)}


def begins(ent: Entity) -> dt.date | None:
    """The first day an entity exists by its data (release, event date, announcement or
    entry into force, founding), or None when the data give no such date."""
    for name in BEGINS.get(ent.kind, ()):
        d = ent.first(name)
        if d is not None:
            return d.start
    return None


def as_it_stood(proj: Projection, day: dt.date) -> nx.MultiDiGraph:
    """The network on `day`: the links that hold then (proj.graph(day)), without the nodes
    that did not exist yet (released, dated, announced or founded after it) and without
    quote and figure links dated after it."""
    def known(e: EdgeFact) -> bool:
        return e.via is None or e.as_of is None or _first_day(e.as_of) <= day

    G = proj.graph(day, edge_filter=known)
    G.remove_nodes_from([n for n, ent in proj.nodes.items()
                         if (b := begins(ent)) is not None and b > day])
    return G


def _first_day(text: str) -> dt.date:
    return DateValue.parse(text).start
