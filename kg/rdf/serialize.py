"""Deterministic serialisations: the same graph always gives the same bytes.

rdflib promises no order for its writers, so Turtle and TriG are written here
(subjects, predicates and objects sorted), N-Triples are sorted lines, and
JSON-LD is rdflib's expanded form with nodes and values sorted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.core.errors import KGError

PN_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


def _prefixes(g: Graph) -> list[tuple[str, str]]:
    return sorted((p, str(ns)) for p, ns in g.namespace_manager.namespaces() if p)


def _iri(term: URIRef, prefixes: list[tuple[str, str]], used: set[str]) -> str:
    """The IRI as a CURIE where one fits (noting its prefix in `used`), else <...>."""
    text = str(term)
    best = None
    for prefix, ns in prefixes:
        if text.startswith(ns) and (best is None or len(ns) > len(best[1])):
            local = text[len(ns):]
            if PN_LOCAL.match(local):
                best = (prefix, ns, local)
    if best:
        used.add(best[0])
        return f"{best[0]}:{best[2]}"
    return term.n3()


def _term(term, prefixes, used: set[str]) -> str:
    if isinstance(term, URIRef):
        return _iri(term, prefixes, used)
    if isinstance(term, Literal):
        if term.language:
            return _string(str(term)) + "@" + term.language
        if term.datatype is not None and str(term.datatype) != "http://www.w3.org/2001/XMLSchema#string":
            return _string(str(term)) + "^^" + _iri(term.datatype, prefixes, used)
        return _string(str(term))
    raise ValueError(f"blank nodes are not allowed in the graph: {term!r}")


def _string(text: str) -> str:
    out = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
           .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{out}"'


def _sort_key(term) -> tuple:
    return (0 if isinstance(term, URIRef) else 1, str(term),
            str(getattr(term, "datatype", "") or ""), getattr(term, "language", "") or "")


def _body(triples, prefixes, used: set[str], indent: str = "") -> list[str]:
    by_subject: dict = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, set()).add(o)
    lines = []
    for s in sorted(by_subject, key=_sort_key):
        preds = by_subject[s]
        ordered = sorted(preds, key=lambda p: (p != RDF.type, str(p)))
        parts = []
        for p in ordered:
            pred = "a" if p == RDF.type else _iri(p, prefixes, used)
            objs = ", ".join(_term(o, prefixes, used) for o in sorted(preds[p], key=_sort_key))
            parts.append(f"{indent}    {pred} {objs}")
        lines.append(f"{indent}{_term(s, prefixes, used)}\n" + " ;\n".join(parts) + " .\n")
    return lines


def _head(prefixes, used: set[str]) -> str:
    """Declare only the prefixes the body used."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes if p in used)


def turtle(g: Graph) -> str:
    prefixes, used = _prefixes(g), set()
    body = "\n".join(_body(g, prefixes, used))
    return _head(prefixes, used) + "\n" + body


def trig(ds: Dataset) -> str:
    prefixes, used = _prefixes(ds), set()
    out = []
    graphs = sorted((g for g in ds.graphs() if len(g)), key=lambda g: str(g.identifier))
    for g in graphs:
        name = g.identifier
        if str(name) == "urn:x-rdflib:default":
            continue
        out.append(f"\n{_iri(URIRef(name), prefixes, used)} {{\n")
        out.append("\n".join(_body(g, prefixes, used, "    ")))
        out.append("}\n")
    return _head(prefixes, used) + "".join(out)


def ntriples(g: Graph) -> str:
    lines = g.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return "\n".join(sorted(set(line for line in lines if line.strip()))) + "\n"


def jsonld(g: Graph) -> str:
    data = json.loads(g.serialize(format="json-ld", encoding="utf-8").decode("utf-8"))
    if isinstance(data, dict):
        data = data.get("@graph", [data])
    for node in data:
        for _key, value in node.items():
            if isinstance(value, list):
                value.sort(key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    data.sort(key=lambda n: n.get("@id", ""))
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_texts(out_dir: Path, texts: dict[str, str]) -> list[Path]:
    """Write each file (name -> text) into out_dir as UTF-8, each replaced atomically.

    Raises KGError, not a traceback, when the folder cannot be made or written.
    """
    out_dir = Path(out_dir)
    written = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            path = out_dir / name
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
            written.append(path)
    except OSError as exc:
        raise KGError(f"cannot write {exc.filename or out_dir}: {exc.strerror}") from None
    return written
