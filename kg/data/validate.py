"""Records -> entities, collecting every issue instead of stopping at the first.

Tier 1 checks each file on its own against the schema (fields, types, enums).
Tier 2 checks integrity across files (ids unique, references resolve, every
fact has a source). Tier 3, SHACL on the built graph, lives in kg/rdf/shapes.py.
"""

from __future__ import annotations

import difflib
import os
import re
import stat as stat_module
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from kg.core.errors import Issue
from kg.core.model import Check, DateValue, Entity, Statement
from kg.core.schema import CHECK_KEYS, Field, Kind, Schema, load_schema
from kg.data import filecache
from kg.data.loader import (
    CONTROL_RE,
    JOURNAL,
    Record,
    YList,
    YMap,
    YScalar,
    counted,
    data_file_names,
    escape_controls,
    freeze_if_asked,
    gc_paused,
    iter_data_files,
    line_of,
    load_file,
    namer,
    record_of_bytes,
    relpath,
)

try:  # RFC 3987 IRIs: what RDF accepts as an IRI
    import rfc3987
except ImportError:  # pragma: no cover - a dependency; the regex below is the fallback
    rfc3987 = None

MAX_STRING = 1_000  # characters of a one-line value (a name, a title)
MAX_TEXT = 20_000  # characters of a text value (a description, a quote)
MAX_NUMBER_CHARS = 60  # a number's text; longer is refused before it is converted

# An id names its file (<id>.yaml) and kg's temporary files beside it (.<id>.yaml.<pid>.undo
# .kg-tmp): file systems take 255 bytes, and an id over ~230 characters crashed every
# command that looked for its file (OSError: File name too long; a maintainer's trial).
ID_MAX = 120
SLUG_RE = re.compile(rf"^(?=.{{1,{ID_MAX}}}$)[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_RULE = (f"ids are lower-case words joined by hyphens, at most {ID_MAX} characters, "
           "e.g. deepseek-r1")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
URL_START_RE = re.compile(r"^https?://[^\s/$.?#]")
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# A number as the fix texts say to write it: digits, an optional minus, no `+`, `_`, or
# leading zero (`017` is octal to a YAML 1.1 reader); a number field may add a fraction and
# an exponent (0.6, 2.5e24). Spelled so, a YAML 1.1 reader takes it for the same number.
INT_RE = re.compile(r"^-?(?:0|[1-9][0-9]*)$")
NUMBER_RE = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$")
STATEMENT_META = ("value", "sources", "from", "to", "as_of", "confidence", "rank", "as_written",
                  "note", "checked")


def a(noun: str) -> str:
    """'a country', 'an organization', 'an AI model'."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def did_you_mean(word: str, choices) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


class Ref(NamedTuple):
    """A reference waiting for tier 2: which id, from where, to which kinds. A tuple, so
    that the cache stores and gives back each as it is (a plain tuple of the six)."""

    target: str
    allowed: tuple[str, ...]
    path: str
    line: int
    entity: str
    where: str  # e.g. "developer", "sources of developer"


@dataclass
class Result:
    entities: dict[str, Entity] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    # an entity's file (Entity.path) -> the cache's key of the bytes it was read from
    # (kg.data.filecache; none with the cache off): kg.rdf.graphcache keys its graph so
    file_keys: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


class _FileChecker:
    """Tier 1 for one record; collects issues and pending references."""

    def __init__(self, schema: Schema, record: Record, issues: list[Issue], refs: list[Ref]):
        self.schema, self.record, self.issues, self.refs = schema, record, issues, refs
        self.entity_id = record.stem

    def issue(self, line: int, message: str, fix: str, rule: str, column: int = 0,
              level: str = "error") -> None:
        self.issues.append(Issue(self.record.rel, line, column, self.entity_id, message, fix, level,
                                 rule))

    def null_issue(self, raw: YScalar, where: str) -> None:
        """A plain `null` or `~` (or Null, NULL): YAML's spelling of no value, which every
        YAML reader (and `kg fmt`, `kg edit`) takes for none, not for the word."""
        self.issue(raw.line, f"{where} is `{raw}`, which YAML reads as no value",
                   f"`{raw}` is no value: delete the line, or quote it ('{raw}') if you mean "
                   "the word", "null-value", raw.column)

    # -- scalars ---------------------------------------------------------
    def scalar(self, f: Field, raw: Any, where: str) -> tuple[bool, Any]:
        line = line_of(raw, self.record.data.line)
        if f.type == "langmap":
            return self.langmap(f, raw, where)
        if f.type == "check":
            return self.check(raw, where)
        if not isinstance(raw, YScalar):
            shape = "a list" if isinstance(raw, list) else "a mapping"
            self.issue(line, f"{where} must be {describe(f, self.schema)}, not {shape}",
                       f"write `{f.name}: {example(f, self.schema)}`", "wrong-type")
            return False, None
        if raw.is_null and raw != "":
            self.null_issue(raw, where)
            return False, None
        if raw.is_null or raw == "":
            self.issue(line, f"{where} is empty", f"give {where} a value or delete the line",
                       "empty-value")
            return False, None
        text = str(raw)
        t = f.type
        limit = MAX_TEXT if t == "text" else MAX_STRING
        if len(text) > limit and t not in ("number", "integer"):
            self.issue(line, f"{where} is {len(text):,} characters long, more than the limit of "
                       f"{limit:,} for {describe(f, self.schema)}",
                       "shorten it" + ("" if t == "text" else "; long text goes in `description`"),
                       "too-long")
            return False, None
        if t in ("string", "text"):
            if f.pattern and not re.match(f.pattern, text):
                self.issue(line, f"{where} '{text}' does not match the pattern {f.pattern}",
                           f"write it like `{f.name}: {example(f, self.schema)}`", "bad-pattern")
                return False, None
            # (U+2028 and U+2029 are line breaks too: a maintainer's trial saw a name with
            # one pass and `kg show` print it on two lines)
            if t == "string" and ("\n" in text or "\u2028" in text or "\u2029" in text
                                  or "\r" in text):
                self.issue(line, f"{where} must be one line", "put long text in `description`",
                           "wrong-type")
                return False, None
            if t == "string" and "\t" in text:
                # (a maintainer's trial: `kg add --name $'Trial\ttab'` passed validate and
                # lint, where a newline is refused)
                self.issue(line, f"{where} holds a tab at position {text.index(chr(9)) + 1}: "
                           f"'{text[:80]}'", "replace it with a space: a one-line value "
                           "holds no tabs (text such as a description may)", "tab")
                return False, None
            return True, text
        if t == "date":
            try:
                return True, DateValue.parse(text)
            except ValueError as exc:
                self.issue(line, f"{where} '{text}' is not a valid date: {exc}",
                           "write the date at the precision the source gives: 2025, 2025-12 or "
                           "2025-12-08", "bad-date")
                return False, None
        if t in ("number", "integer"):
            if raw.quoted:
                # (a maintainer's trial: `parameters: "1000"` was read as the number 1000)
                self.issue(line, f"{where} '{text}' is quoted: a number is written without "
                           "quotes", f"write `{f.name}: {example(f, self.schema)}` (digits "
                           "only, no quotes)", "bad-number")
                return False, None
            return self.number(f, text, where, line)
        if t == "bool":
            if text not in ("true", "false"):
                self.issue(line, f"{where} '{text}' is not true or false",
                           f"write `{f.name}: true` or `{f.name}: false`", "bad-bool")
                return False, None
            return True, text == "true"
        if t == "url":
            if not URL_START_RE.match(text):
                self.issue(line, f"{where} '{text}' is not an http(s) URL",
                           "write the full address starting with https://, or leave the field "
                           "out if you do not know it exactly", "bad-url")
                return False, None
            host = url_host_problem(text)
            if host:  # (a trial: `--url 'http://exa mple.invalid/'` wrote exa%20mple.invalid)
                self.issue(line, f"{where} '{text}': {host}", "write the address as the "
                           "browser's address bar shows it, or leave the field out if you do "
                           "not know it exactly", "bad-url")
                return False, None
            if not is_iri(text):
                fixed = percent_encoded(text)
                fix = (f"write it percent-encoded: {fixed}" if is_iri(fixed) else
                       "write the address as the browser's address bar shows it, percent-encoded")
                self.issue(line, f"{where} '{text}' is not a valid IRI (RFC 3987)", fix, "bad-url")
                return False, None
            return True, text
        if t == "enum":
            values = self.schema.enums[f.enum].values
            if text not in values:
                self.issue(line, f"{where} '{text}' is not one of: {', '.join(values)}"
                           f"{did_you_mean(text, values)}",
                           f"use one of the {self.schema.enums[f.enum].label} values", "bad-enum")
                return False, None
            return True, text
        if t == "ref":
            if not SLUG_RE.match(text):
                self.issue(line, f"{where} '{text}' is not an id",
                           ID_RULE,
                           "bad-ref")
                return False, None
            if text == self.entity_id:
                # (a maintainer's trial: `kg link X parent X` and `base_model: trial-y` in
                # trial-y.yaml passed validate and lint; no field of the schema relates an
                # entity to itself)
                self.issue(line, f"{where} '{text}' is the entity itself: no relation links "
                           "an entity to itself", "name another entity, or delete the reference",
                           "self-ref", raw.column)
                return False, None
            self.refs.append(Ref(text, f.to, self.record.rel, line, self.entity_id, where))
            return True, text
        raise AssertionError(t)  # pragma: no cover - the schema rejects other types

    def number(self, f: Field, text: str, where: str, line: int) -> tuple[bool, Any]:
        """A number or integer within the field's bounds, read without ever overflowing."""
        whole = f.type == "integer"
        digits = "digits only, in base units (e.g. 671000000000)" if whole else \
            "digits only, in base units (700000000, 0.6, 2.5e24), without units or commas"
        # (a maintainer's trial: `parameters: 1_000`, `+5` and `017` passed, though the fix
        # says "digits only")
        ok_text = len(text) <= MAX_NUMBER_CHARS and (INT_RE if whole else NUMBER_RE).match(text)
        value = None
        if ok_text:
            try:
                value = Decimal(text)
            except InvalidOperation:
                value = None
        if value is None or not value.is_finite():
            if len(text) > MAX_NUMBER_CHARS:
                shown = f"{text[:20]}…' ({len(text):,} characters)"
                self.issue(line, f"{where} '{shown} is not a {describe(f, self.schema)[2:]} "
                           f"{bounds(f)}", f"write {digits}", "bad-number")
            else:
                self.issue(line, f"{where} '{text}' is not "
                           + ("a whole number" if whole else "a number"), f"write {digits}",
                           "bad-number")
            return False, None
        if not f.min <= value <= f.max:
            self.issue(line, f"{where} {text} is out of bounds: {f.name} is {bounds(f)}",
                       f"check the value and its unit ({f.comment.rstrip('.')})", "out-of-bounds")
            return False, None
        return True, int(value) if whole else value

    def langmap(self, f: Field, raw: Any, where: str) -> tuple[bool, Any]:
        if not isinstance(raw, YMap):
            self.issue(line_of(raw), f"{where} must map language tags to names",
                       f"write `{f.name}: {{zh: 华为}}`", "wrong-type")
            return False, None
        out = {}
        for tag, name in raw.items():
            if not LANG_RE.match(tag):
                self.issue(raw.key_lines[tag], f"'{tag}' in {where} is not a language tag",
                           "use a BCP 47 tag such as zh, zh-Hans, ja, fr", "bad-language")
                continue
            if isinstance(name, YScalar) and name.is_null and name != "":
                self.null_issue(name, f"{where} {tag}")
                continue
            if not isinstance(name, YScalar) or name.is_null:
                self.issue(raw.key_lines[tag], f"{where} {tag} must be a name",
                           f"write `{tag}: <name>`", "wrong-type")
                continue
            if not str(name).strip():  # (a trial: `kg edit X --set names.zh=` gave ""@zh)
                self.issue(raw.key_lines[tag], f"{where} {tag} is "
                           + ("empty" if str(name) == "" else "only spaces"),
                           f"give the name in {tag}, or delete the line", "empty-value")
                continue
            out[tag] = str(name)
        return True, out

    def check(self, raw: Any, where: str) -> tuple[bool, Any]:
        line = line_of(raw)
        if not isinstance(raw, YMap) or "by" not in raw or "on" not in raw:
            self.issue(line, f"{where} must say who checked it and when",
                       "write `checked: {by: <name>, on: 2026-11-23, against: <source id>}` "
                       "(or run `kg verify`)", "bad-check")
            return False, None
        extra = set(raw) - set(CHECK_KEYS)
        if extra:
            self.issue(line, f"{where} has unknown keys {sorted(extra)}",
                       "use only by, on and against", "bad-check")
            return False, None
        on_field = self.schema.statement_keys["from"]
        ok_on, on = self.scalar(on_field, raw["on"], f"{where}.on")
        against = None
        if "against" in raw:
            src_field = self.schema.statement_keys["sources"]
            ok_ag, against = self.scalar(src_field, raw["against"], f"{where}.against")
            if not ok_ag:
                return False, None
        if not isinstance(raw["by"], YScalar) or raw["by"].is_null:
            self.issue(line, f"{where}.by must name who checked it", "write `by: <your name>`",
                       "bad-check")
            return False, None
        return ok_on, Check(str(raw["by"]), on, against) if ok_on else None

    # -- statements ------------------------------------------------------
    def statement(self, f: Field, raw: Any) -> Statement | None:
        if isinstance(raw, YMap) and f.type not in ("langmap", "check"):
            if not (f.sourced or f.qualifiers):
                self.issue(raw.line, f"{f.name} takes a plain value, not a mapping",
                           f"write `{f.name}: {example(f, self.schema)}`", "wrong-type")
                return None
            return self.long_statement(f, raw)
        ok, value = self.scalar(f, raw, f.name)
        if not ok:
            return None
        return Statement(f.name, value, line_of(raw, self.record.data.line))

    def long_statement(self, f: Field, raw: YMap) -> Statement | None:
        allowed = STATEMENT_META + tuple(f.qualifiers)
        good = True
        for key in raw:
            if key not in allowed:
                self.issue(raw.key_lines[key], f"'{key}' is not a key of a {f.name} statement"
                           f"{did_you_mean(key, allowed)}",
                           f"use only: {', '.join(allowed)}", "unknown-field")
                good = False
        if "value" not in raw:
            self.issue(raw.line, f"a {f.name} statement has no `value`",
                       f"add `value: {example(f, self.schema)}`", "missing-field")
            return None
        ok, value = self.scalar(f, raw["value"], f.name)
        st = Statement(f.name, value, raw.line)
        good &= ok
        keys = self.schema.statement_keys
        for key, attr in (("from", "valid_from"), ("to", "valid_to"), ("as_of", "as_of"),
                          ("confidence", "confidence"), ("rank", "rank"),
                          ("as_written", "as_written"), ("note", "note"), ("checked", "checked")):
            if key in raw:
                k_ok, k_val = self.scalar(keys[key], raw[key], f"{key} of {f.name}")
                good &= k_ok
                if k_ok:
                    setattr(st, attr, k_val)
        if "sources" in raw:
            srcs = self.many(keys["sources"], raw["sources"], f"sources of {f.name}")
            if srcs is None:
                good = False
            else:
                st.sources = tuple(s.value for s in srcs)
        for q, qf in f.qualifiers.items():
            if q in raw:
                q_ok, q_val = self.scalar(qf, raw[q], f"{q} of {f.name}")
                good &= q_ok
                if q_ok:
                    st.qualifiers[q] = q_val
        if st.valid_from and st.valid_to and st.valid_from.start > st.valid_to.end:
            self.issue(raw.line, f"{f.name} holds from {st.valid_from} to {st.valid_to}: the end "
                       "comes before the start", "swap `from` and `to`", "date-order")
            good = False
        return st if good else None

    def many(self, f: Field, raw: Any, where: str) -> list[Statement] | None:
        items = raw if isinstance(raw, YList) else [raw]
        out, good = [], True
        for item in items:
            if f.name == "sources" or where.startswith("sources"):
                ok, value = self.scalar(f, item, where)
                st = Statement(f.name, value, line_of(item)) if ok else None
            else:
                st = self.statement(f, item)
            if st is None:
                good = False
            else:
                out.append(st)
        return out if good else None

    def folder_hint(self, unknown: list) -> str:
        """For a file with fields its kind does not have: " (its fields are those of an AI
        model: if it is one, move the file to data/model/<id>.yaml)" when other kinds have
        every field it gives and it gives every field they require, else ""."""
        if not unknown:
            return ""
        data, rec = self.record.data, self.record
        kinds = [k for name, k in self.schema.kinds.items() if name != rec.kind
                 and all(key in k.fields for key in data)
                 and all(f.name in data for f in k.fields.values() if f.required)]
        if not kinds:
            return ""
        return (" (its fields are those of " + " or ".join(a(k.label) for k in kinds)
                + ": if it is " + ("one" if len(kinds) == 1 else "one of them") + ", move the file to "
                + " or ".join(f"data/{k.name}/{rec.path.name}" for k in kinds) + ")")

    def run(self) -> Entity | None:
        data, rec = self.record.data, self.record
        kind: Kind = self.schema.kinds[rec.kind]
        entity = Entity(rec.stem, rec.kind, rec.rel, data.line, field_lines=dict(data.key_lines))
        if "id" not in data:
            self.issue(1, "the file has no `id`", f"add `id: {rec.stem}` as the first line",
                       "missing-field")
        else:
            raw_id = data["id"]
            entity.line = line_of(raw_id)
            if not isinstance(raw_id, YScalar) or not SLUG_RE.match(str(raw_id)):
                self.issue(line_of(raw_id), f"id '{raw_id}' is not a slug",
                           ID_RULE,
                           "bad-id")
            elif str(raw_id) != rec.stem:
                # tier 2 (_id_traps) turns this into a duplicate-id error when another
                # entity has raw_id: renaming the file would overwrite that entity's
                self.issue(line_of(raw_id), ID_MISMATCH.format(raw_id, rec.path.name),
                           f"rename the file to {raw_id}.yaml or set `id: {rec.stem}` "
                           "(`kg rename` does both and fixes references)", "id-mismatch")
        unknown = [key for key in data if key not in kind.fields]
        moved = self.folder_hint(unknown)
        for key in unknown:
            self.issue(data.key_lines[key], f"unknown field '{key}' for {a(kind.label)}"
                       f"{did_you_mean(key, kind.fields)}",
                       f"use one of: {', '.join(f for f in kind.fields if f != 'id')}{moved}",
                       "unknown-field")
        for name, f in kind.fields.items():
            if name == "id":
                continue
            if name not in data:
                if f.required:
                    self.issue(entity.line, f"missing required field '{name}' ({f.comment})",
                               f"add `{name}: {example(f, self.schema)}`{moved}", "missing-field")
                continue
            raw = data[name]
            if f.many or f.temporal or (f.sourced and isinstance(raw, YList)):
                if not f.many and not f.temporal and isinstance(raw, YList):
                    # a single-valued fact may list competing statements, each in long form
                    if any(not isinstance(i, YMap) for i in raw):
                        self.issue(raw.line, f"{name} takes one value; a list is only for "
                                   "competing statements, each with its own sources",
                                   f"write `{name}: {example(f, self.schema)}`", "wrong-type")
                        continue
                sts = self.many(f, raw, name)
            else:
                st = self.statement(f, raw)
                sts = None if st is None else [st]
            if sts:
                entity.facts[name] = sts
        self.duplicate_facts(entity)
        if kind.needs_sources and not entity.sources:
            self.issue(entity.line, f"the {kind.label} has no `sources`",
                       "add `sources: [<source id>]` naming the sources its facts come from "
                       "(see data/source/)", "no-source")
            for name, sts in entity.facts.items():
                for st in sts:
                    if kind.fields[name].sourced and not st.sources:
                        self.issue(st.line, f"fact '{name}: {st.value}' has no source",
                                   f"give it `sources: [...]` in long form, or give the "
                                   f"{kind.label} default `sources`", "no-source")
        return entity


    def duplicate_facts(self, entity: Entity) -> None:
        """The same value (at the same time, with the same qualifiers) twice in one field."""
        for name, sts in entity.facts.items():
            seen: dict = {}
            for st in sts:
                key = (repr(st.value), st.valid_from, st.valid_to, st.as_of,
                       repr(sorted(st.qualifiers.items())))
                if key in seen:
                    self.issue(st.line, f"{name} '{st.value}' is given twice (also at line "
                               f"{seen[key]})", "keep one and list all its sources in its "
                               "`sources`", "duplicate-fact")
                else:
                    seen[key] = st.line


def show_bound(d: Decimal) -> str:
    """10^15 for round powers of ten, else the number as written (1000, 0.1, -5)."""
    if d != 0 and abs(d) >= 10**6:
        t = abs(d).normalize().as_tuple()
        if t.digits == (1,):
            return ("-" if d < 0 else "") + f"10^{t.exponent}"
    return format(d.normalize(), "f") if d == d.to_integral() else str(d)


def bounds(f: Field) -> str:
    return f"between {show_bound(f.min)} and {show_bound(f.max)}"


def is_iri(text: str) -> bool:
    """Is it an absolute IRI (RFC 3987) that RDF tools accept?"""
    if any(c in text for c in '<>"{}|\\^` ') or not text.isprintable():
        return False
    if rfc3987 is None:  # pragma: no cover
        return bool(URL_RE.match(text))
    return rfc3987.match(text, rule="IRI") is not None


def url_host_problem(text: str) -> str | None:
    """What is wrong with an http(s) URL's host, or None: a host is an IP address or a
    name of dot-separated labels of letters (any script), digits and inner hyphens, each
    at most 63 characters, at most 253 in all (RFC 1123, IDNA). A space or a percent sign
    in a host name is never valid: percent-encoding it gives another, unreachable name."""
    import ipaddress
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        host, _ = parts.hostname, parts.port
    except ValueError as exc:
        return f"its host or port is not valid ({exc})"
    if not host:
        return "it names no host"
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    bad = next((lab for lab in labels if not lab or len(lab) > 63 or lab.startswith("-")
                or lab.endswith("-") or not all(c.isalnum() or c == "-" for c in lab)), None)
    if bad is not None or len(host) > 253:
        return (f"its host '{host}' is not a valid host name (letters, digits and hyphens "
                "between dots)")
    return None


_IRI_SAFE = set("!#$&'()*+,-./:;=?@[]_~")


def percent_encoded(text: str) -> str:
    """The IRI with every character it may not hold percent-encoded (a stray % too)."""
    out = []
    for i, ch in enumerate(text):
        if ch == "%" and re.match(r"[0-9A-Fa-f]{2}", text[i + 1:i + 3]):
            out.append(ch)
        elif ch.isalnum() and (ch.isascii() or ch.isprintable()) or ch in _IRI_SAFE:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


def describe(f: Field, schema: Schema) -> str:
    return {
        "string": "one line of text", "text": "text", "date": "a date",
        "number": "a number", "integer": "a whole number", "bool": "true or false",
        "url": "a URL", "enum": f"one of the {schema.enums[f.enum].label} values" if f.enum else "",
        "ref": "an id", "langmap": "a map of language tags to names",
        "check": "a check record",
    }[f.type]


def example(f: Field, schema: Schema) -> str:
    if f.type == "enum":
        return next(iter(schema.enums[f.enum].values))
    return {
        "string": "<text>", "text": "<text in your own words>", "date": "2025-12",
        "number": "700000000", "integer": "671000000000", "bool": "true",
        "url": "https://...", "ref": "<id>", "langmap": "{zh: <name>}",
        "check": "{by: <name>, on: 2026-11-23}",
    }[f.type]


@dataclass
class FileCheck:
    """Tier 1 of one file: its entity (None if unreadable or of an unknown kind), its own
    issues (reading and tier 1), and the references tier 2 resolves."""

    rel: str
    stem: str
    entity: Entity | None
    issues: list[Issue]
    refs: list[tuple]  # Refs, or the plain 6-tuples of Refs read from the cache
    # the cache's key of the bytes this was made from (kg.data.filecache), when cached
    key: str | None = field(default=None, compare=False)

    def to_json(self) -> list:
        """Plain values for kg/data/filecache.py's shards (marshal: the references stay
        tuples); TypeError if a value cannot be stored."""
        return [self.rel, self.stem,
                None if self.entity is None else filecache.encode_entity(self.entity),
                [filecache.encode_issue(i) for i in self.issues],
                [tuple(r) for r in self.refs]]

    @classmethod
    def from_json(cls, x: list) -> FileCheck:
        """The inverse of to_json; raises (KeyError, TypeError, ValueError...) if malformed.
        The references come back as the plain 6-tuples stored (a Ref's fields, in order)."""
        refs = x[4]
        if refs.__class__ is not list or not all(
                r.__class__ is tuple and len(r) == 6 and r[1].__class__ is tuple for r in refs):
            raise ValueError("malformed references")
        return cls(x[0], x[1], None if x[2] is None else filecache.decode_entity(x[2]),
                   [filecache.decode_issue(i) for i in x[3]], refs)


def check_file(rec: Record, schema: Schema) -> FileCheck:
    """Tier 1 for one parsed record: what depends on that file alone."""
    issues, refs = list(rec.issues), []
    if rec.data is None:
        return FileCheck(rec.rel, rec.stem, None, issues, refs)
    if rec.kind not in schema.kinds:
        where = (f"folder '{rec.kind}'{did_you_mean(rec.kind, schema.kinds)}"
                 if rec.kind else "a file directly under data/")
        issues.append(Issue(
            rec.rel, 1, 0, rec.stem, f"unknown kind: {where}",
            f"move it to data/<kind>/ with kind one of: {', '.join(schema.kinds)}",
            rule="unknown-kind"))
        return FileCheck(rec.rel, rec.stem, None, issues, refs)
    entity = _FileChecker(schema, rec, issues, refs).run()
    return FileCheck(rec.rel, rec.stem, entity, issues, refs)


def check_records(records: list[Record], schema: Schema | None = None) -> Result:
    """Tiers 1 and 2 over parsed records."""
    schema = schema or load_schema()
    return combine([check_file(rec, schema) for rec in records])


# a file that gives no entity at all: its own error is the one to fix
UNREADABLE = {"yaml-syntax", "duplicate-key", "encoding", "empty-file", "not-a-mapping",
              "too-large", "unreadable", "control-character"}
# the fix of a reference to the entity of such a file: it follows from that error
FOLLOW_ON_FIX = "fix that file first (its own errors say how); this reference then resolves"


def in_reading_order(issues: list[Issue]) -> tuple[list[Issue], list[Issue]]:
    """The issues to print, and the follow-ons to count instead (follow_on_line).

    A YAML slip in a source cited by 143 entities printed 143 "'src' is the entity of
    ..., which could not be read" errors, sorted before the slip itself (a scale
    trial): the errors of files that could not be read come first, then the others in
    their order; the references to those files' entities, which resolve once they are
    fixed, are not listed (`--json` still has every issue)."""
    causes = [i for i in issues if i.rule in UNREADABLE]
    told = {i.path for i in causes}  # a follow-on whose cause is not shown stays listed
    follow = [i for i in issues if i.rule not in UNREADABLE and i.fix == FOLLOW_ON_FIX
              and (m := _FOLLOW_ON_RE.search(i.message)) and m.group(1) in told]
    counted = {id(i) for i in follow}
    rest = [i for i in issues if i.rule not in UNREADABLE and id(i) not in counted]
    return causes + rest, follow


_FOLLOW_ON_RE = re.compile(r" is the entity of (.*), which could not be read$")


def follow_on_line(follow: list[Issue], root: Path | str | None = None) -> str:
    """One line for the follow-ons of in_reading_order ("" if none)."""
    if not follow:
        return ""
    first = follow[0].format(root).split(": error: ")[0]
    return (f"... and {len(follow)} error(s) that follow from the file(s) above that could not "
            f"be read: references to their entities (the first at {first}), which resolve "
            "once those files are fixed")


def combine(checks: list[FileCheck]) -> Result:
    """Tier 2 over the files' tier-1 results, in the order given: ids unique, references
    resolve; issues sorted, control characters in messages escaped."""
    result = Result()
    refs: list[Ref] = []
    seen: dict[str, str] = {}
    broken: dict[str, str] = {}  # id -> the file that should hold it but has no entity
    twins: dict[str, list[str]] = {}  # a duplicated id -> the kinds of its later entities
    for fc in checks:
        result.issues.extend(fc.issues)
        refs.extend(fc.refs)
        if fc.entity is None:
            broken.setdefault(fc.stem, fc.rel)
            continue
        if fc.stem in seen:
            first = result.entities[fc.stem]
            fix = ("ids are unique across all kinds: give one of these entities another id "
                   "(its `id:` and its file's name together; `kg rename` cannot tell the two "
                   "apart while they share one), then, if the two are the same thing, fold "
                   "them with `kg merge`")
            result.issues.append(Issue(
                fc.rel, fc.entity.line, 0, fc.stem,
                f"duplicate id '{fc.stem}': already used by {seen[fc.stem]}:{first.line}",
                fix, rule="duplicate-id"))
            # both files are told: which of the two is the newcomer, only the maintainer
            # knows (a maintainer's trial: a new model/zhipu-ai.yaml sorted first, and the
            # error stood in the untouched organization/zhipu-ai.yaml alone)
            result.issues.append(Issue(
                seen[fc.stem], first.line, 0, fc.stem,
                f"duplicate id '{fc.stem}': also used by {fc.rel}:{fc.entity.line}",
                fix, rule="duplicate-id"))
            twins.setdefault(fc.stem, []).append(fc.entity.kind)
            continue
        seen[fc.stem] = fc.rel
        result.entities[fc.stem] = fc.entity
        if fc.key is not None:
            result.file_keys[fc.entity.path] = fc.key
    _check_refs(result, refs, broken, twins)
    result.issues = [_id_trap(i, result, seen) for i in result.issues]
    # a message quotes the value it is about: never with a raw control character in it
    result.issues = sorted(
        replace(i, message=escape_controls(i.message), fix=escape_controls(i.fix))
        if CONTROL_RE.search(i.message + i.fix) else i for i in result.issues)
    return result


ID_MISMATCH = "id '{}' does not match the file name '{}'"
_ID_MISMATCH_RE = re.compile(re.escape(ID_MISMATCH).replace(r"\{\}", "(.*)", 1)
                             .replace(r"\{\}", ".*") + "$")


def _id_trap(issue: Issue, result: Result, seen: dict[str, str]) -> Issue:
    """issue, or, for an id that does not match its file's name but is another entity's
    id (in seen: id -> its file), a duplicate-id error in its place: the id-mismatch fix
    (rename the file after the id) would overwrite that entity's file. A file in a folder
    of no kind whose name is another entity's id is told so beside "move it"."""
    if issue.rule == "unknown-kind" and issue.entity in seen:
        # moving the file into a kind's folder would make (or overwrite) a duplicate
        return replace(issue, fix=issue.fix + (
            f" (but {seen[issue.entity]} already has the id '{issue.entity}': give this "
            "entity another id first, its `id:` and its file's name together)"))
    if issue.rule != "id-mismatch":
        return issue
    m = _ID_MISMATCH_RE.match(issue.message)
    claimed = m and m.group(1)
    if claimed not in seen or seen[claimed] == issue.path:
        return issue
    return replace(
        issue, rule="duplicate-id",
        message=f"duplicate id '{claimed}': already used by {seen[claimed]}:"
                f"{result.entities[claimed].line}",
        fix=f"give this entity another id: `id: {issue.entity}` to match its file name, or "
            "another one and name its file after it (do not rename the file to "
            f"{claimed}.yaml: that would overwrite the other entity); then, if the two are "
            f"the same thing, fold them with `kg merge {issue.entity} {claimed}`")


def check_files(data_dir: Path, schema: Schema, cache: bool | None = None,
                advance: Callable[[int, int], None] | None = None) -> list[FileCheck]:
    """Read and check (tier 1) every data file under data_dir, in path order.
    advance(done, total), if given, is told how many files are done, about every 1%
    (a progress bar).

    With the cache (the default unless $KG_NO_CACHE is set; `cache=False` turns it off),
    a file whose bytes, path and checking code are those of an earlier run is not parsed
    or checked again: its result is read from kg/data/filecache.py's entries; a file
    whose stat stamp is the one recorded with its entry is not even read (see
    filecache.FileCache.known: files changed within the last RACY seconds are). The garbage
    collector is paused meanwhile (it dominates big loads). Serial: a pool of worker
    processes (fork, chunks, JSON back) was slower on the 2 shared cores this was
    measured on (10k files: 5.5 s against 3.5 s at load 3.5).
    """
    use = filecache.enabled() if cache is None else cache
    names = namer(data_dir)
    with gc_paused():
        if not use:
            return [check_file(load_file(p, data_dir, names(p)), schema)
                    for p in counted(iter_data_files(data_dir), advance)]
        store = filecache.FileCache(data_dir, "check", check_fingerprint(schema), stamps=True)
        with filecache.kept_if_interrupted(store):  # Ctrl-C keeps the files done
            out = []
            lstat, stat, islink = os.lstat, os.stat, stat_module.S_ISLNK
            for text in counted(data_file_names(data_dir), advance):
                try:
                    st = lstat(text)
                    is_link = islink(st.st_mode)
                    if is_link:
                        st = stat(text)  # the target's: what reading the file reads
                except OSError:  # reported (or raised) exactly as without the cache
                    out.append(check_file(load_file(Path(text), data_dir, names(text)), schema))
                    continue
                these = names(text, is_link)
                key = store.known(text, these, st)
                fc = None if key is None else _cached(store, key)
                if fc is not None:
                    fc.key = key
                    out.append(fc)
                    continue
                path = Path(text)
                try:
                    raw = path.read_bytes()
                except OSError:  # reported (or raised) exactly as without the cache
                    out.append(check_file(load_file(path, data_dir, these), schema))
                    continue
                key = store.key(raw, *these)
                store.stamp(text, these, st, key)
                fc = _cached(store, key)
                if fc is None:
                    fc = check_file(record_of_bytes(path, these, raw), schema)
                    try:
                        store.put(key, fc.to_json())
                    except TypeError:  # a value the stored form cannot hold: not cached
                        pass
                fc.key = key
                out.append(fc)
        store.save()
        return out


def _cached(store: filecache.FileCache, key: str) -> FileCheck | None:
    """The FileCheck stored under key, or None (none, or a malformed entry: the file is
    then checked again and its entry replaced)."""
    hit = store.get(key)
    if hit is None:
        return None
    try:
        return FileCheck.from_json(hit)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None


Progress = Callable[[str], None]


class Steps:
    """Reports each finished stage of long work with its time, if anyone listens.

    A listener may also have `begin(what)`, told when a stage starts (the CLI shows a
    live bar on a terminal until the stage's line comes), and `advance(done, total)`,
    told how far a stage that counts is (the bar then shows done/total).
    """

    def __init__(self, progress: Progress | None):
        self.progress, self.t0 = progress, time.perf_counter()

    def begin(self, what: str) -> None:
        begin = getattr(self.progress, "begin", None)
        if begin:
            begin(what)

    def advance(self, done: int, total: int) -> None:
        """How far the running stage is (files read...), for a listener with `advance`."""
        advance = getattr(self.progress, "advance", None)
        if advance:
            advance(done, total)

    def __call__(self, what: str) -> None:
        if self.progress:
            now = time.perf_counter()
            self.progress(f"{what} ({now - self.t0:.1f} s)")
            self.t0 = now


def check_fingerprint(schema: Schema) -> str:
    """What a cached FileCheck depends on besides the file: this code and the schema."""
    import kg.core.errors
    import kg.core.model
    import kg.core.schema
    import kg.data.loader

    mods = (kg.core.errors, kg.core.model, kg.core.schema, kg.data.loader, filecache,
            sys.modules[__name__])
    return filecache.fingerprint(mods, schema, getattr(rfc3987, "__version__", None))


def _check_refs(result: Result, refs: list[tuple], broken: dict[str, str] | None = None,
                twins: dict[str, list[str]] | None = None) -> None:
    """Tier 2 for each reference (a Ref, or the plain 6-tuple of one from the cache).
    broken: id -> the file named after it that gave no entity (unreadable YAML, not UTF-8,
    empty, a folder of no kind): a reference to it is told to fix that file, not to
    create the entity. twins: a duplicated id -> the kinds of its entities after the
    first; a reference that one of them would fit is not told it has the wrong kind
    (the duplicate-id error is the one to fix)."""
    ents = result.entities
    broken = broken or {}
    twins = twins or {}
    for ref in refs:
        target = ents.get(ref[0])
        if (target is not None and target.kind != "tombstone"
                and ("any" in ref[1] or target.kind in ref[1])):
            continue  # resolves to an entity of an allowed kind: the common case
        ref = Ref(*ref)
        is_source = ref.allowed == ("source",)
        if target is None and ref.target in broken:
            result.issues.append(Issue(
                ref.path, ref.line, 0, ref.entity,
                f"{ref.where} '{ref.target}' is the entity of {broken[ref.target]}, which "
                "could not be read", FOLLOW_ON_FIX,
                rule="unknown-source" if is_source else "unknown-ref"))
            continue
        if target is None:
            pool = [i for i, e in ents.items() if not ref.allowed or "any" in ref.allowed
                    or e.kind in ref.allowed] or list(ents)
            what = "source" if is_source else "id"
            # the data folder the file is in (a maintainer's trial: "data/source/" was
            # said of a folder named otherwise)
            folder = PurePosixPath(ref.path).parent.parent.as_posix()
            fix = (f"add it under {folder}/source/ (`kg source add`) or cite an existing source"
                   if is_source else "create that entity first (`kg add`) or correct the id")
            result.issues.append(Issue(
                ref.path, ref.line, 0, ref.entity,
                f"{ref.where} '{ref.target}' is not a known {what}"
                f"{did_you_mean(ref.target, pool)}", fix,
                rule="unknown-source" if is_source else "unknown-ref"))
            continue
        if target.kind == "tombstone":
            new = target.first("replaced_by")
            fix = f"use '{new}' instead" if new else "remove the reference; the entity was withdrawn"
            result.issues.append(Issue(
                ref.path, ref.line, 0, ref.entity,
                f"{ref.where} '{ref.target}' was {'replaced' if new else 'withdrawn'}", fix,
                rule="tombstone-ref"))
            continue
        if "any" not in ref.allowed and target.kind not in ref.allowed:
            if any(kind in ref.allowed for kind in twins.get(ref.target, ())):
                continue
            result.issues.append(Issue(
                ref.path, ref.line, 0, ref.entity,
                f"{ref.where} '{ref.target}' is {a(target.kind)}, but must be "
                f"{' or '.join(a(k) for k in ref.allowed)}",
                "point it at an entity of the right kind",
                rule="unknown-source" if is_source else "wrong-ref-kind"))


def validate_dir(data_dir: Path, schema: Schema | None = None,
                 cache: bool | None = None,
                 advance: Callable[[int, int], None] | None = None) -> Result:
    """Load and check every file under data_dir (tiers 1 and 2): the entities that are
    valid, and every issue (sorted). `cache`: see check_files (None: on unless
    $KG_NO_CACHE); the answer is the same either way. `advance(done, total)`: told the
    files done as they are read (see check_files)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        result = Result()
        result.issues.append(Issue(relpath(data_dir, data_dir.parent), 0, 0, "",
                                   "the data folder does not exist",
                                   "run from the repository root or pass --data DIR",
                                   rule="no-data"))
        return result
    if (data_dir / JOURNAL).exists():
        # half-applied: what is wrong now (a reference to a file not yet written) would
        # mislead; the one thing to do is to finish the change
        result = Result()
        result.issues.append(pending_issue(data_dir))
        return result
    schema = schema or load_schema()
    with gc_paused():  # tier 2 too: a collection over every entity costs seconds at 10k
        result = combine(check_files(data_dir, schema, cache, advance))
        freeze_if_asked()  # the kg command's process: see loader.freeze_after_loads
        return result


def pending_issue(data_dir: Path) -> Issue:
    """data/ holds a change that a killed kg command left half-applied."""
    return Issue(relpath(data_dir / JOURNAL, data_dir.parent), 0, 0, "",
                 "an interrupted change is pending: run `kg recover`",
                 "a kg command was killed half-way, so data/ may be half-changed; `kg recover` "
                 "finishes the change (or undoes it), then run this command again",
                 rule="pending-change")
