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

from kg.core.model import Entity, check_status
from kg.semantics import Semantics
from kg.semantics.wording import first_report

NODE_KINDS = ("organization", "person", "country", "model", "chip", "policy", "event")
ATTRIBUTE_FIELDS = frozenset({"country", "citizenship", "jurisdiction", "market"})
# the two relations that are not fields, as the explorer's lines and the report's prose say
# them; a figure's link is not "estimated": most are reported or measured by who gives
# them (NVIDIA's H100 transistor count, Google's Ironwood specifications)
RELATION_LABELS = {"quoted-about": "quoted about", "estimated": "gives a figure on"}


@dataclass(frozen=True)
class EdgeFact:
    """One edge: source -> target, why (relation), from which statement, when, says who.

    key: a stable, unique id for the edge (entity/field/line/target: a short list such as
    `trained_on: [a, b]` shares one line; or the quote's or figure's id).
    start/end: the days it holds by the semantic layer (None: open); end_by: why it ends,
    as Window.end_by (an as-of statement's "horizon" is no known end).
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
    # the statement's own hedges, as the data gives them (None: not given): its confidence
    # ("likely", "speculative"...), the curator's note, the source's spelling of the value
    confidence: str | None = None
    note: str | None = None
    as_written: str | None = None
    # why it ends (Window.end_by: "to", "successor", "horizon"; None: open or not a statement)
    end_by: str | None = None
    # the first day it was reported, for a link that names no start of its own: a quote's
    # or a figure's (its date, else its earliest source's), a statement's with no date at
    # all (its earliest source's: Timeline.reported_from); None: dated, or no dated source.
    # It holds before then, but no source had said it: as_it_stood leaves it out
    known: dt.date | None = None

    def holds_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


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
        self.status = Statuses(self.entities)  # status(sources, checked)
        self.edges: list[EdgeFact] = sorted(self._edges(), key=lambda e: e.key)

    # -- helpers -----------------------------------------------------------------------
    def reliability(self, sources) -> str | None:
        """The best reliability of these sources: the semantic layer's one rule
        (Semantics.best_reliability, the graph's kgo:bestSourceReliability)."""
        return self.sem.best_reliability(sources)

    def reported(self, ent: Entity):
        """The earliest date of ent's sources (a DateValue), or None when none has one: a
        quote or figure without a date of its own is known from then (a quote the source of
        2026 carries is not a link of 2022), as `as_it_stood` and the explorer count it."""
        return first_report(self.entities, ent)[0]

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
                        qualifiers={k: str(v) for k, v in sorted(st.qualifiers.items())},
                        confidence=st.confidence or None, note=st.note or None,
                        as_written=st.as_written or None, end_by=w.end_by,
                        known=tl.reported_from(ent, name, st))
        for ent in sorted(self.entities.values(), key=lambda e: e.id):
            if ent.kind == "quote":
                speaker = str(ent.first("speaker") or "")
                about = [str(a) for a in ent.values("about")]
                when = ent.first("date") or self.reported(ent)
                for target in about:
                    if speaker in self.nodes and target in self.nodes and target != speaker:
                        yield EdgeFact(f"{ent.id}/quoted-about/{target}", speaker, target,
                                       "quoted-about", ent.sources,
                                       self.status(ent.sources, ent.first("checked")),
                                       self.reliability(ent.sources),
                                       as_of=str(when) if when else None, via=ent.id,
                                       known=when.start if when else None)
            elif ent.kind == "claim":
                who, about = str(ent.first("estimated_by") or ""), str(ent.first("about") or "")
                if who in self.nodes and about in self.nodes and who != about:
                    when = ent.first("as_of") or self.reported(ent)
                    yield EdgeFact(f"{ent.id}/estimated/{about}", who, about, "estimated",
                                   ent.sources,
                                   self.status(ent.sources, ent.first("checked")),
                                   self.reliability(ent.sources),
                                   as_of=str(when) if when else None, via=ent.id,
                                   known=when.start if when else None)

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
    index = {n: i for i, n in enumerate(nodes)}
    if len(index) != len(H) or any(n not in H for n in nodes):
        return nx.to_scipy_sparse_array(H, nodelist=nodes, weight=weight, format="csr",
                                        dtype=dtype)
    return _csr(*_entries(H, index, weight), len(nodes), dtype)


def _entries(H: nx.Graph, index: dict, weight: str | None):
    """(rows, cols, values) of H's adjacency as numpy arrays, positions by `index`: each
    edge both ways, a loop once (networkx's sums); values the `weight` attribute (default
    1), or 1 for weight None."""
    import numpy as np

    rows, cols, data = [], [], []
    for u, nbrs in H.adjacency():
        i = index[u]
        for v, d in nbrs.items():
            rows.append(i)
            cols.append(index[v])
            data.append(1 if weight is None else d.get(weight, 1))
    return (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64),
            np.asarray(data) if data else np.zeros(0, dtype=int))


def _csr(rows, cols, data, n: int, dtype):
    """The n x n CSR array of the (row, col, value) entries (no pair twice), in canonical
    form (columns sorted within each row): the same arrays whatever the entries' order."""
    import scipy.sparse as sp

    return sp.coo_array((data, (rows, cols)), shape=(n, n), dtype=dtype).asformat("csr")


class Arrays:
    """The simple network H (`simple`'s undirected weighted Graph) as the arrays its
    measures read, made once per report and passed to each of them.

    nodes: H's nodes in H's order; index: node id -> its position there. `matrix(...)`
    gives the adjacency in H's order or sorted by id, weighted or not, each the same
    arrays bit for bit as `adjacency(H, that order, ...)`, all derived from one pass over
    H (which takes ~0.5 s at 47,000 nodes; the derivations are numpy). `sub(nodes)`: the
    Arrays of the subgraph `induced(H, nodes)` made from these, without networkx.
    `pagerank()`: PageRank by centrality.power_pagerank's rule, solved once.
    Treat H as fixed while the object lives; the matrices are shared: copy to change one.
    """

    def __init__(self, H: nx.Graph | None, _coo=None, _nodes=None, _graph=None):
        self._H, self._graph = H, _graph
        self.nodes = list(H) if _nodes is None else _nodes
        self.index = {n: i for i, n in enumerate(self.nodes)}
        self.n = len(self.nodes)
        self._coo = _entries(H, self.index, "weight") if _coo is None else _coo
        self._sorted = self._order = None
        self._matrices: dict = {}
        self._pagerank = None

    @property
    def H(self) -> nx.Graph:
        """The networkx graph (for a `sub`, made on first use)."""
        if self._H is None:
            self._H = self._graph()
        return self._H

    @property
    def links(self) -> int:
        """How many entries the adjacency has (each edge twice, a loop once): 0 when the
        graph has no edge."""
        return len(self._coo[0])

    def degree(self):
        """Each node's degree as networkx counts it on a simple Graph (a loop twice), a
        numpy vector in node order."""
        import numpy as np

        rows, cols, _ = self._coo
        return (np.bincount(rows, minlength=self.n)
                + np.bincount(rows[rows == cols], minlength=self.n))

    @property
    def order(self) -> list[str]:
        """The nodes sorted by id."""
        if self._order is None:
            self._order = [self.nodes[i] for i in self._sort()]
        return self._order

    def _sort(self):
        import numpy as np

        if self._sorted is None:
            self._sorted = np.array(sorted(range(self.n), key=self.nodes.__getitem__),
                                    dtype=np.int64)
        return self._sorted

    def matrix(self, sort: bool = False, weight: bool = True, dtype=float):
        """adjacency(H, sorted(H) if sort else list(H), "weight" if weight else None,
        dtype), the same arrays (scipy CSR; shared: do not change it)."""
        import numpy as np

        key = (sort, weight, np.dtype(dtype).str if dtype is not None else None)
        got = self._matrices.get(key)
        if got is None:
            rows, cols, data = self._coo
            if not weight:
                data = np.ones(len(data), dtype=np.asarray([1]).dtype)
            if sort:
                where = np.empty(self.n, dtype=np.int64)
                where[self._sort()] = np.arange(self.n)
                rows, cols = where[rows], where[cols]
            got = self._matrices[key] = _csr(rows, cols, data, self.n, dtype)
        return got

    def sub(self, nodes) -> Arrays:
        """The Arrays of induced(H, nodes) (its nodes in H's order), cut from these; its
        networkx graph is made only if asked for."""
        import numpy as np

        keep = set(nodes)
        mask = np.zeros(self.n, dtype=bool)
        mask[[self.index[v] for v in keep if v in self.index]] = True
        where = np.cumsum(mask) - 1
        rows, cols, data = self._coo
        inside = mask[rows] & mask[cols]
        return Arrays(None, (where[rows[inside]], where[cols[inside]], data[inside]),
                      [v for v, m in zip(self.nodes, mask.tolist(), strict=True) if m],
                      lambda: induced(self.H, keep))

    def pagerank(self):
        """(PageRank to tol 1e-10, to tol 1e-12): each a numpy vector in sorted order,
        summing to 1, by centrality.power_pagerank's rule; one power iteration gives both
        (the second runs on from the first). Raises nx.PowerIterationFailedConvergence."""
        if self._pagerank is None:
            from kg.analysis.centrality import PAGERANK_ALPHA, power_iteration, strengths

            self._pagerank = power_iteration(strengths(self.matrix(sort=True)),
                                             PAGERANK_ALPHA, (1e-10, 1e-12), 1000)
        return self._pagerank


def arrays(H: nx.Graph | Arrays) -> Arrays:
    """H's Arrays (H itself if it is one)."""
    return H if isinstance(H, Arrays) else Arrays(H)


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
    the links first reported after it (EdgeFact.known: quotes and figures dated after it,
    undated statements whose sources are all of later dates)."""
    def known(e: EdgeFact) -> bool:
        return e.known is None or e.known <= day

    G = proj.graph(day, edge_filter=known)
    G.remove_nodes_from([n for n, ent in proj.nodes.items()
                         if (b := begins(ent)) is not None and b > day])
    return G

