"""Validated data -> an RDF dataset in memory: what every output (SPARQL, explorer, reports) calls.

`check` runs validation tiers 1-2 and, if they pass, builds the graph and runs
SHACL; `load_graph` raises DataError unless everything validates.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph

from kg.core.errors import DataError, Issue
from kg.core.model import Entity
from kg.core.schema import Schema, load_schema
from kg.data.dataset import DatasetFileError, read_dataset_info
from kg.data.loader import resolve_data_dir
from kg.data.validate import Progress, Result, Steps, validate_dir
from kg.rdf.graph import dataset_binds
from kg.rdf.graphcache import build_quads_kept
from kg.rdf.quads import Quads
from kg.semantics import Semantics


@dataclass
class Built:
    """What a build made: the entities, their quads, and what it wrote.

    `quads` (kg.rdf.quads.Quads) is what SHACL, the statistics and the writers read;
    `dataset` (one named graph per data file) and `graph` (their union) are rdflib
    objects made from it on first use, for callers that want rdflib.
    """

    result: Result
    quads: Quads
    semantics: Semantics
    written: list[Path] = field(default_factory=list)
    numbers: dict = field(default_factory=dict)  # kg.rdf.stats of a build (summary.json)
    _dataset: Dataset | None = field(default=None, repr=False)
    _graph: Graph | None = field(default=None, repr=False)

    @property
    def entities(self) -> dict[str, Entity]:
        return self.result.entities

    @property
    def binds(self) -> dict[str, str]:
        return dataset_binds(self.semantics.schema)

    @property
    def dataset(self) -> Dataset:
        """The rdflib Dataset (made from the quads on first use, then kept)."""
        if self._dataset is None:
            self._dataset = self.quads.dataset(self.binds)
        return self._dataset

    @property
    def graph(self) -> Graph:
        """The union of the named graphs as one rdflib Graph (made on first use)."""
        if self._graph is None:
            self._graph = self.quads.union(self.binds)
        return self._graph

    def add_graph(self, graph_iri: str, triples) -> None:
        """Add rdflib triples as the named graph graph_iri, to the quads and to any rdflib
        view already made."""
        from rdflib import URIRef

        triples = list(triples)
        self.quads.add_triples(graph_iri, triples)
        if self._dataset is not None:
            ctx = self._dataset.graph(URIRef(graph_iri))
            for t in triples:
                ctx.add(t)
        if self._graph is not None:
            for t in triples:
                self._graph.add(t)

    def counts(self) -> Counter:
        return Counter(e.kind for e in self.entities.values())


class LazyDataset:
    """Stands for the rdflib Dataset of some quads, made on first use (`kg validate` never
    needs it). Attribute access, iteration and len go to that Dataset; `quads` is the
    source, which kg.rdf.shapes reads directly while no Dataset was made."""

    def __init__(self, quads: Quads, binds: dict[str, str]):
        self.quads_source, self._binds, self._made = quads, binds, None

    @property
    def made(self) -> Dataset | None:
        return self._made

    def materialise(self) -> Dataset:
        if self._made is None:
            self._made = self.quads_source.dataset(self._binds)
        return self._made

    def __getattr__(self, name):
        if name.startswith("_") and name not in ("__dict__",):
            raise AttributeError(name)
        return getattr(self.materialise(), name)

    def __iter__(self):
        return iter(self.materialise())

    def __len__(self) -> int:
        return len(self.materialise())

    def __contains__(self, item) -> bool:
        return item in self.materialise()


def check(data_dir: Path | None = None, schema: Schema | None = None, shacl: bool = True,
          progress: Progress | None = None) -> tuple[Result, Dataset | None]:
    """Tiers 1-2, then (if they pass) the graph and SHACL. Issues land in result.issues.

    The dataset comes back as a LazyDataset: an rdflib Dataset made on first use."""
    schema = schema or load_schema()
    result, quads, _ = _check(data_dir, schema, shacl, progress)
    return result, (LazyDataset(quads, dataset_binds(schema)) if quads is not None else None)


def _check(data_dir, schema, shacl, progress, on_semantics=None,
           on_graph=None) -> tuple[Result, Quads | None, Semantics | None]:
    step = Steps(progress)
    started = time.time_ns()  # files changed after this are not trusted by their stamps
    schema = schema or load_schema()
    data_dir = resolve_data_dir(data_dir)
    step.begin("validating the data files")
    result = validate_dir(data_dir, schema, advance=step.advance)
    try:
        info = read_dataset_info(data_dir)
    except DatasetFileError as exc:
        result.issues.append(Issue(exc.path, exc.line, 0, "", exc.problem,
                                   f"{exc.fix} (see docs/semantics.md)", rule="dataset"))
        result.issues.sort()
        info = None
    step(f"validated {len(result.entities)} entities (fields, types, references)")
    if not result.ok:
        return result, None, None
    step.begin(f"building the graph of {len(result.entities)} entities")
    sem = Semantics(schema, result.entities, info)
    if on_semantics is not None:
        on_semantics(sem)
    quads = build_quads_kept(data_dir, result.entities, schema, sem, started,
                             file_keys=result.file_keys)
    step(f"built the graph ({quads.quad_count()} triples) as of {sem.date}")
    if on_graph is not None:
        on_graph(Built(result, quads, sem))
    if shacl:
        from kg.rdf.shapes import shacl_issues

        # two current values of a single-valued field: an error `kg lint` alone told (a
        # maintainer's trial: the pre-commit hook's `kg validate` let it through)
        result.issues.extend(sem.conflict_issues())
        step.begin("checking the SHACL shapes")
        # kept per data folder: after an edit only what it can change is checked again
        result.issues.extend(shacl_issues(quads, schema, entities=result.entities,
                                          keep=data_dir))
        result.issues.sort()
        step("checked the SHACL shapes")
    return result, quads, sem


def load_graph(data_dir: Path | None = None, shacl: bool = False,
               progress: Progress | None = None,
               on_semantics: Callable[[Semantics], None] | None = None,
               on_graph: Callable[[Built], None] | None = None) -> Built:
    """Validated entities and their graph, in memory: the API the outputs call.

    on_semantics(sem) is called once tiers 1-2 have passed, before the graph is built
    (`kg build` starts its report there); on_graph(built) once the graph is built,
    before SHACL (`kg build` starts writing the graph files there; quads it adds are in
    the Built returned, but SHACL checks them too). Raises DataError listing every
    problem if data/ does not validate.
    """
    schema = load_schema()
    result, quads, sem = _check(data_dir, schema, shacl, progress, on_semantics, on_graph)
    if not result.ok:
        raise DataError(result.errors)
    return Built(result, quads, sem)



__all__ = ["Built", "Progress", "Steps", "check", "load_graph"]
