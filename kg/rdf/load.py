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

from kg.core.errors import DataError, Issue, KGError
from kg.core.model import Entity
from kg.core.schema import Schema, load_schema
from kg.data.dataset import read_dataset_info
from kg.data.loader import resolve_data_dir
from kg.data.validate import Result, validate_dir
from kg.rdf.graph import build_dataset, union_graph
from kg.semantics import Semantics

Progress = Callable[[str], None]


class Steps:
    """Reports each finished stage of long work with its time, if anyone listens.

    A listener may also have `begin(what)`, told when a stage starts (the CLI shows a
    live bar on a terminal until the stage's line comes).
    """

    def __init__(self, progress: Progress | None):
        self.progress, self.t0 = progress, time.perf_counter()

    def begin(self, what: str) -> None:
        begin = getattr(self.progress, "begin", None)
        if begin:
            begin(what)

    def __call__(self, what: str) -> None:
        if self.progress:
            now = time.perf_counter()
            self.progress(f"{what} ({now - self.t0:.1f} s)")
            self.t0 = now


@dataclass
class Built:
    """What a build made: the entities, the dataset, and what it wrote."""

    result: Result
    dataset: Dataset
    graph: Graph
    semantics: Semantics
    written: list[Path] = field(default_factory=list)
    numbers: dict = field(default_factory=dict)  # kg.rdf.stats of a build (summary.json)

    @property
    def entities(self) -> dict[str, Entity]:
        return self.result.entities

    def counts(self) -> Counter:
        return Counter(e.kind for e in self.entities.values())


def check(data_dir: Path | None = None, schema: Schema | None = None, shacl: bool = True,
          progress: Progress | None = None) -> tuple[Result, Dataset | None]:
    """Tiers 1-2, then (if they pass) the graph and SHACL. Issues land in result.issues."""
    result, ds, _ = _check(data_dir, schema, shacl, progress)
    return result, ds


def _check(data_dir, schema, shacl, progress) -> tuple[Result, Dataset | None, Semantics | None]:
    step = Steps(progress)
    schema = schema or load_schema()
    data_dir = resolve_data_dir(data_dir)
    step.begin("validating the data files")
    result = validate_dir(data_dir, schema)
    try:
        info = read_dataset_info(data_dir)
    except KGError as exc:
        result.issues.append(Issue(f"{data_dir.name}/dataset.yaml", 1, 0, "", str(exc),
                                   "see docs/semantics.md", rule="dataset"))
        result.issues.sort()
        info = None
    step(f"validated {len(result.entities)} entities (fields, types, references)")
    if not result.ok:
        return result, None, None
    step.begin(f"building the graph of {len(result.entities)} entities")
    sem = Semantics(schema, result.entities, info)
    ds = build_dataset(result.entities, schema, sem)
    step(f"built the graph ({sum(len(g) for g in ds.graphs())} triples) as of {sem.date}")
    if shacl:
        from kg.rdf.shapes import shacl_issues

        step.begin("checking the SHACL shapes")
        result.issues.extend(shacl_issues(ds, schema, entities=result.entities))
        result.issues.sort()
        step("checked the SHACL shapes")
    return result, ds, sem


def load_graph(data_dir: Path | None = None, shacl: bool = False,
               progress: Progress | None = None) -> Built:
    """Validated entities and their graph, in memory: the API the outputs call.

    Raises DataError listing every problem if data/ does not validate.
    """
    schema = load_schema()
    result, ds, sem = _check(data_dir, schema, shacl, progress)
    if not result.ok:
        raise DataError(result.errors)
    return Built(result, ds, union_graph(ds), sem)



__all__ = ["Built", "Progress", "Steps", "check", "load_graph"]
