"""The data contract, read from ontology/schema.yaml: kinds, fields, enums.

This module is the only reader of the schema declaration; validation, the RDF
mapping, the generated ontology and shapes, the CLI and the docs all ask it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import yaml

PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # kg/
REPO_ROOT = PACKAGE_ROOT.parent
SHARE_DIR = Path(sys.prefix) / "share" / "ai-race-kg"  # where a wheel installs them


def resource_dir(name: str) -> Path:
    """The folder `ontology` or `queries`: the checkout's own, else the installed copy.

    A wheel installs both under <prefix>/share/ai-race-kg/ (pyproject's data-files);
    an editable install or a checkout reads them in place.
    """
    here = REPO_ROOT / name
    return here if here.is_dir() or not (SHARE_DIR / name).is_dir() else SHARE_DIR / name


SCHEMA_PATH = resource_dir("ontology") / "schema.yaml"

FIELD_TYPES = frozenset(
    {"string", "text", "date", "number", "integer", "bool", "url", "enum", "ref", "langmap", "check"}
)
CHECK_KEYS = ("by", "on", "against")


@dataclass(frozen=True)
class Enum:
    name: str
    label: str
    comment: str
    values: dict[str, str]  # value -> one-line meaning


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str
    comment: str
    required: bool = False
    many: bool = False
    sourced: bool = False
    temporal: bool = False
    to: tuple[str, ...] = ()
    enum: str | None = None
    pattern: str | None = None
    prop: str | None = None  # CURIE from `property:`; default kgo:<camelCase name>
    qualifiers: dict[str, Field] = field(default_factory=dict)
    min: Decimal | None = None  # bounds of a number or integer field (inclusive)
    max: Decimal | None = None

    @property
    def curie(self) -> str:
        return self.prop or "kgo:" + camel(self.name)

    @property
    def unit(self) -> str | None:
        """A number field's unit, as its label names it in parentheses ("memory (bytes)":
        "bytes", "TDP (W)": "W"); None for other fields and labels without one."""
        if self.type not in ("number", "integer") or not self.label.endswith(")"):
            return None
        head, paren, unit = self.label[:-1].rpartition(" (")
        return unit if paren and head and unit else None

    @property
    def quantity(self) -> str:
        """The label without its unit ("memory (bytes)": "memory"): a value said with its
        unit (kg.semantics.disputes.amount_text: "141 GB") follows it."""
        return self.label[: -len(self.unit) - 3] if self.unit else self.label

    def accepts_kind(self, kind: str) -> bool:
        return "any" in self.to or kind in self.to


@dataclass(frozen=True)
class Kind:
    name: str
    cls: str
    super: tuple[str, ...]
    label: str
    comment: str
    needs_sources: bool
    fields: dict[str, Field]  # common fields first, then the kind's own


@dataclass(frozen=True)
class Schema:
    version: str
    namespaces: dict[str, str]
    enums: dict[str, Enum]
    statement_keys: dict[str, Field]
    kinds: dict[str, Kind]

    def expand(self, curie: str) -> str:
        prefix, _, local = curie.partition(":")
        return self.namespaces[prefix] + local

    def kind_of_class(self) -> dict[str, str]:
        return {k.cls: name for name, k in self.kinds.items()}


def by_longest_namespace(namespaces: dict[str, str]) -> list[tuple[str, str]]:
    """(prefix, namespace) pairs, longest namespace first, for shorten()."""
    return sorted(namespaces.items(), key=lambda kv: -len(kv[1]))


def shorten(iri: str, prefixes: list[tuple[str, str]]) -> str:
    """prefix:local for the longest matching namespace, else <iri> (for people, not Turtle)."""
    for prefix, ns in prefixes:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


FIELD_KEYS = frozenset({"type", "required", "many", "sourced", "temporal", "to", "enum", "pattern",
                        "property", "label", "comment", "qualifiers", "min", "max"})


def _bound(name: str, spec: dict, key: str) -> Decimal | None:
    if key not in spec:
        return None
    try:
        value = Decimal(str(spec[key]))
    except InvalidOperation:
        raise ValueError(f"schema: field {name!r} has a {key} that is not a number: "
                         f"{spec[key]!r}") from None
    if not value.is_finite():
        raise ValueError(f"schema: field {name!r} has an infinite {key}")
    return value


def _field(name: str, spec: dict) -> Field:
    unknown = set(spec) - FIELD_KEYS
    if unknown:  # e.g. an unquoted comma in a flow mapping: `comment: a, b` makes `b` a key
        raise ValueError(f"schema: field {name!r} has unknown keys {sorted(map(str, unknown))} "
                         "(quote a comment that contains a comma)")
    ftype = spec["type"]
    if ftype not in FIELD_TYPES:
        raise ValueError(f"schema: field {name!r} has unknown type {ftype!r}")
    quals = {q: _field(q, s) for q, s in (spec.get("qualifiers") or {}).items()}
    return Field(
        name=name,
        type=ftype,
        label=spec["label"],
        comment=spec["comment"],
        required=bool(spec.get("required", False)),
        many=bool(spec.get("many", False)),
        sourced=bool(spec.get("sourced", False)),
        temporal=bool(spec.get("temporal", False)),
        to=tuple(spec.get("to", ())),
        enum=spec.get("enum"),
        pattern=spec.get("pattern"),
        prop=spec.get("property"),
        qualifiers=quals,
        min=_bound(name, spec, "min"),
        max=_bound(name, spec, "max"),
    )


def parse_schema(raw: dict) -> Schema:
    enums = {
        name: Enum(name, e["label"], e["comment"], dict(e["values"]))
        for name, e in raw["enums"].items()
    }
    common = {n: _field(n, s) for n, s in raw["common_fields"].items()}
    kinds = {}
    for kname, k in raw["kinds"].items():
        own = {n: _field(n, s) for n, s in k["fields"].items()}
        clash = set(own) & set(common)
        if clash:
            raise ValueError(f"schema: kind {kname!r} redeclares common fields {sorted(clash)}")
        kinds[kname] = Kind(
            name=kname,
            cls=k["class"],
            super=tuple(k.get("super", ())),
            label=k["label"],
            comment=k["comment"],
            needs_sources=bool(k["needs_sources"]),
            fields={**common, **own},
        )
    schema = Schema(
        version=str(raw["version"]),
        namespaces=dict(raw["namespaces"]),
        enums=enums,
        statement_keys={n: _field(n, s) for n, s in raw["statement_keys"].items()},
        kinds=kinds,
    )
    _check(schema)
    return schema


def _check(schema: Schema) -> None:
    """Catch mistakes in the declaration itself, at load time."""
    for kind in schema.kinds.values():
        quals = [q for fld in kind.fields.values() for q in fld.qualifiers.values()]
        for f in list(kind.fields.values()) + quals:
            if f.type == "enum" and f.enum not in schema.enums:
                raise ValueError(f"schema: {kind.name}.{f.name} names unknown enum {f.enum!r}")
            for target in f.to:
                if target != "any" and target not in schema.kinds:
                    raise ValueError(f"schema: {kind.name}.{f.name} refers to unknown kind {target!r}")
            if f.type in ("number", "integer") and (f.min is None or f.max is None):
                raise ValueError(f"schema: {kind.name}.{f.name} is a {f.type} without bounds: "
                                 "declare `min:` and `max:`")
            if f.type not in ("number", "integer") and (f.min is not None or f.max is not None):
                raise ValueError(f"schema: {kind.name}.{f.name} has bounds but is not a number")
            if f.type in ("number", "integer") and (f.min is None or f.max is None):
                raise ValueError(f"schema: {kind.name}.{f.name} is a {f.type} without bounds: "
                                 "declare `min:` and `max:`")
            if f.type not in ("number", "integer") and (f.min is not None or f.max is not None):
                raise ValueError(f"schema: {kind.name}.{f.name} has bounds but is not a number")
            prefix = f.curie.partition(":")[0]
            if prefix not in schema.namespaces:
                raise ValueError(f"schema: {kind.name}.{f.name} uses unknown prefix {prefix!r}")


@lru_cache(maxsize=1)
def load_schema(path: Path = SCHEMA_PATH) -> Schema:
    # libyaml's loader when present: the pure-Python one took ~60 ms, paid by every command
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        return parse_schema(yaml.load(fh, Loader=loader))
