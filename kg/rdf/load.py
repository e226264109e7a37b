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

from kg.core.errors import DataError
from kg.core.model import Entity
from kg.core.schema import Schema, load_schema
from kg.data.loader import resolve_data_dir
from kg.data.validate import Result, validate_dir
from kg.rdf.graph import build_dataset, union_graph

Progress = Callable[[str], None]


class Steps:
    """Reports each finished stage of long work with its time, if anyone listens."""

    def __init__(self, progress: Progress | None):
        self.progress, self.t0 = progress, time.perf_counter()

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
    written: list[Path] = field(default_factory=list)

    @property
    def entities(self) -> dict[str, Entity]:
        return self.result.entities

    def counts(self) -> Counter:
        return Counter(e.kind for e in self.entities.values())


def check(data_dir: Path | None = None, schema: Schema | None = None, shacl: bool = True,
          progress: Progress | None = None) -> tuple[Result, Dataset | None]:
    """Tiers 1-2, then (if they pass) the graph and SHACL. Issues land in result.issues."""
    step = Steps(progress)
    schema = schema or load_schema()
    result = validate_dir(resolve_data_dir(data_dir), schema)
    step(f"validated {len(result.entities)} entities (fields, types, references)")
    if not result.ok:
        return result, None
    ds = build_dataset(result.entities, schema)
    step(f"built the graph ({sum(len(g) for g in ds.graphs())} triples)")
    if shacl:
        from kg.rdf.shapes import shacl_issues

        result.issues.extend(shacl_issues(ds, schema, entities=result.entities))
        result.issues.sort()
        step("checked the SHACL shapes")
    return result, ds


def load_graph(data_dir: Path | None = None, shacl: bool = False,
               progress: Progress | None = None) -> Built:
    """Validated entities and their graph, in memory: the API the outputs call.

    Raises DataError listing every problem if data/ does not validate.
    """
    schema = load_schema()
    result, ds = check(data_dir, schema, shacl=shacl, progress=progress)
    if not result.ok:
        raise DataError(result.errors)
    return Built(result, ds, union_graph(ds))



__all__ = ["Built", "Progress", "Steps", "check", "load_graph"]
