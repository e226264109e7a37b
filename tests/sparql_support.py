"""Helpers for the SPARQL tests: the real graph built once per test run, both stores,
free loopback ports, and rows compared across engines."""

from __future__ import annotations

import functools
import socket
import subprocess
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Literal, URIRef

from conftest import REPO, sandbox_dir

KGID = "https://w3id.org/ai-race-kg/id/"
KGO = "https://w3id.org/ai-race-kg/ontology#"
NUMERIC_TYPES = ("decimal", "integer", "double", "float")
# the day the library's `dataset` date defaults stand for in comparisons: a day on which
# every time-bound query has rows (TSMC still supplied Sophgo; the H200 was restricted)
TODAY = date(2024, 6, 1)


def kgid(local: str) -> URIRef:
    return URIRef(KGID + local)


def kgo(local: str) -> URIRef:
    return URIRef(KGO + local)


@functools.cache
def built():
    """The real data/ built once per test run (SHACL included), written to a temp dir."""
    from kg import build

    out = sandbox_dir("kg-sparql-build-")
    return build(REPO / "data", out)


def build_dir() -> Path:
    return built().written[0].parent


@functools.cache
def oxigraph_store():
    from kg.sparql.store import OxigraphStore

    return OxigraphStore.from_dataset(built().dataset)


@functools.cache
def rdflib_store():
    from kg.sparql.store import RdflibStore

    return RdflibStore(built().dataset)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc) -> None:
    """Stop a server subprocess: SIGTERM, then SIGKILL if it lingers."""
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def norm(term):
    """A comparable form of a term: numbers by value, everything else by N3."""
    if term is None:
        return None
    if isinstance(term, Literal) and term.datatype and str(term.datatype).rsplit("#", 1)[-1] \
            in NUMERIC_TYPES:
        try:
            return ("num", Decimal(str(term)))
        except InvalidOperation:
            pass
    return term.n3()


def row_bag(result) -> list:
    """Rows as a sorted list of normalised tuples (a multiset), for engine comparisons."""
    if result.type == "ASK":
        return [result.boolean]
    if result.graph is not None:
        return sorted(tuple(norm(t) for t in triple) for triple in result.graph)
    return sorted((tuple(norm(t) for t in row) for row in result.rows), key=repr)


def rows_of(result) -> list[dict]:
    """Rows as dicts of plain Python: IRIs as str, literals as their lexical str."""
    return [{k: str(v) for k, v in row.items()} for row in result.dicts()]


def run_oxigraph(location: Path):
    """Start a real `oxigraph serve` on a free loopback port with its store in `location`;
    yield {"store", "query", "update"} addresses; stop it afterwards (a generator for fixtures).
    A missing `oxigraph` binary skips loudly, or fails under CI=true."""
    import time

    import pytest

    from conftest import need_tool

    binary = need_tool("oxigraph")
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--location", str(location),
                             "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail("oxigraph serve exited: " + proc.stdout.read())
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("oxigraph serve did not listen within 30 s")
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        yield {"store": base + "/store", "query": base + "/query", "update": base + "/update"}
    finally:
        stop(proc)
