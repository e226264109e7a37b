"""The main job: validate data/, build the dataset, check SHACL, write build/."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, XSD

from kg.errors import DataError, Issue
from kg.graph import build_dataset, file_graph_iri, union_graph
from kg.loader import resolve_data_dir
from kg.model import Entity
from kg.ontology import DCT, term
from kg.schema import Schema, load_schema
from kg.serialize import jsonld, ntriples, trig, turtle, write_texts
from kg.stats import stats
from kg.validate import Result, validate_dir

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
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


DATASET_IRI = "https://w3id.org/ai-race-kg/dataset"
DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
CODE_LICENSE = "https://opensource.org/licenses/MIT"


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
        from kg.shapes import shacl_issues

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


def void_graph(schema: Schema, built: Built) -> Graph:
    """A VoID/DCAT description of the dataset. No timestamps, so builds stay identical."""
    g = Graph()
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    g.bind("dct", DCT)
    ds = URIRef(DATASET_IRI)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCT.title, Literal("ai-race-kg: a sourced knowledge graph of the US-China AI race",
                                  lang="en")))
    g.add((ds, DCT.description, Literal(
        "Actors, AI models, chips, policies, quotes and sourced figures of the US-China AI race, "
        "each fact linked to the sources that state it.", lang="en")))
    g.add((ds, OWL.versionInfo, Literal(schema.version)))
    g.add((ds, DCT.license, URIRef(DATA_LICENSE)))
    g.add((ds, VOID.uriSpace, Literal(schema.namespaces["kgid"])))
    g.add((ds, VOID.vocabulary, URIRef(schema.namespaces["kgo"])))
    g.add((ds, VOID.triples, Literal(len(built.graph), datatype=XSD.integer)))
    g.add((ds, VOID.entities, Literal(len(built.entities), datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(len(set(built.counts())), datatype=XSD.integer)))
    for kind, n in sorted(built.counts().items()):
        part = URIRef(f"{DATASET_IRI}/class/{kind}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], term(schema, schema.kinds[kind].cls)))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for name in ("graph.ttl", "graph.nt", "graph.jsonld", "graph.trig"):
        g.add((ds, VOID.dataDump, URIRef(f"{DATASET_IRI}/{name}")))
    return g


def build(data_dir: Path | None = None, out_dir: Path | None = None,
          progress: Progress | None = None) -> Built:
    """Validate (all tiers), build, and write every output into out_dir."""
    schema = load_schema()
    out_dir = Path(out_dir or Path.cwd() / "build")
    built = load_graph(data_dir, shacl=True, progress=progress)
    step = Steps(progress)
    ds = built.dataset
    void = void_graph(schema, built)
    void_ctx = ds.graph(file_graph_iri(schema, "build/void.ttl"))
    for t in void:
        void_ctx.add(t)
        built.graph.add(t)
    built.written = write_texts(out_dir, {
        "graph.ttl": turtle(built.graph),
        "graph.nt": ntriples(built.graph),
        "graph.jsonld": jsonld(built.graph),
        "graph.trig": trig(ds),
        "void.ttl": turtle(void),
        "summary.json": json.dumps(stats(built), indent=1, sort_keys=True,
                                   ensure_ascii=False) + "\n",
    })
    step(f"wrote {len(built.written)} files into {out_dir}")
    return built


__all__ = ["Built", "Issue", "build", "check", "load_graph"]
