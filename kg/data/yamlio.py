"""Round-trip YAML for writing data/: edits keep comments, order and quoting; one canonical form.

kg/data/loader.py reads data files for validation (fast, with lines). This module is
for the commands that write them: it loads a file with ruamel.yaml's
round-trip mode, so comments, key order and quoting survive an edit, and dumps
through one configuration, so `kg add`, `kg edit` and `kg fmt` write the same
canonical form.

Like the loader, it never guesses types: every plain scalar is read as the text
the file holds (only an empty value or `null`/`~` is null), so `2025` stays
"2025", `NO` stays "NO" and `3.10` stays "3.10", and writing the text back gives
the same plain scalar. Quoting is only added where YAML syntax needs it.

Canonical form (`kg fmt`):
- top-level keys: id, name, aliases, names, then the kind's own fields in schema
  order, then description, wikidata, url, sources, checked (a source's url
  follows its date); keys the schema does not know go last, in their order
  (validation reports them);
- long-form statements: value, from, to, as_of, rank, the field's qualifiers
  (role, by, quantity), sources, as_written, confidence, note, checked (the
  order the curators already wrote);
- lists of plain values in flow style (`[a, b]`) when the line fits in 120
  characters, else one `- item` per line; lists of statements in block style;
  `names` in flow style when it fits; `checked` always in flow style;
- 2-space indent, `- ` list items indented by 2, UTF-8, no line wrapping
  (folded `>-` text stays folded), one final newline.
"""

from __future__ import annotations

import copy
import io
import re

import yaml as _pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    ScalarString,
    SingleQuotedScalarString,
)

from kg.core.errors import KGError
from kg.core.schema import Kind, Schema, load_schema
from kg.data.loader import universal_newlines

LINE_WIDTH = 120
STATEMENT_HEAD = ("value", "from", "to", "as_of", "rank")
STATEMENT_TAIL = ("sources", "as_written", "confidence", "note", "checked")
COMMON_HEAD = ("id", "name", "aliases", "names")
COMMON_TAIL = ("description", "wikidata", "url", "sources", "checked")

_NULL = "tag:yaml.org,2002:null"
_NULLS = {
    "~": [(_NULL, re.compile(r"^~$"))],
    "n": [(_NULL, re.compile(r"^null$"))],
    "N": [(_NULL, re.compile(r"^(?:Null|NULL)$"))],
    "": [(_NULL, re.compile(r"^$"))],
}


class _TextResolver(VersionedResolver):
    """Resolve every plain scalar to a string, except the spellings of null."""

    @property
    def versioned_resolver(self):
        return _NULLS


class NullText(str):
    """A plain `null` or `~` (or Null, NULL) as the file spells it: no value, which
    validation refuses ("delete the line, or quote it"). Kept as written so that `kg fmt`
    and an edit of another field leave it as it is (ruamel would write an empty value; a
    maintainer's trial saw `kg fmt` stop on `description: null` with "formatting would
    change its content"), never quoted into the word."""


class _Constructor(RoundTripConstructor):
    def construct_yaml_null(self, node):
        self.construct_scalar(node)
        return NullText(node.value) if node.value else None


_Constructor.add_constructor(_NULL, _Constructor.construct_yaml_null)


class _Representer(RoundTripRepresenter):
    def represent_null_text(self, data):
        return self.represent_scalar(_NULL, str(data))


_Representer.add_representer(NullText, _Representer.represent_null_text)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.Resolver = _TextResolver
    y.Constructor = _Constructor
    y.Representer = _Representer
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    # never wrap: a wrapped plain scalar is hard to diff and to grep, and ruamel ends each
    # wrapped line with a space, which kg lint flags (a maintainer's trial: at width 4096 a
    # 10,000-character description was written over three lines ending in a space)
    y.width = 1 << 30
    y.allow_unicode = True
    return y


def load(text: str, where: str = "<text>") -> CommentedMap:
    """Round-trip load one entity file; raise KGError if it is not a YAML mapping.
    Line ends are read as the loader reads them (CR LF and a lone CR are line breaks), so
    what is written has LF line ends (a maintainer's trial: a CRLF file kept a stray CR at
    the end of a comment, `developer: deepseek # c\\r`, after kg fmt and kg edit)."""
    text = universal_newlines(text)
    try:
        data = _yaml().load(text)
    except YAMLError as exc:
        raise KGError(f"{where}: cannot edit: the file is not valid YAML ({exc.__class__.__name__});"
                      " fix it by hand first (`kg validate` shows where)") from exc
    if not isinstance(data, CommentedMap):
        raise KGError(f"{where}: cannot edit: the file does not hold one mapping of fields")
    return data


# Line breaks YAML 1.1 knows beyond \n and \r: ruamel writes them raw in single quotes,
# where PyYAML (the loader) folds them; in double quotes they are escaped (\N, \L, \P).
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")


def _escape_odd_breaks(node) -> None:
    """Quote what ruamel would write so that a reader misreads or refuses it: odd line breaks
    (escaped in double quotes), and, in a flow collection, text with a `:` or starting with
    `?`, which ruamel leaves plain (`names: {zh: ?0}`, `[a:?]`) where YAML reads an indicator."""
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    flow = isinstance(node, (CommentedMap, CommentedSeq)) and bool(node.fa.flow_style())
    for k, v in list(items):
        if isinstance(v, str) and _ODD_BREAKS.search(v):
            node[k] = DoubleQuotedScalarString(v)
        elif (flow and isinstance(v, str) and not isinstance(v, ScalarString)
              and (":" in v or v[:1] == "?")):
            node[k] = SingleQuotedScalarString(v)
        elif isinstance(v, (dict, list)):
            _escape_odd_breaks(v)


def dump(data) -> str:
    out = io.StringIO()
    _escape_odd_breaks(data)
    _yaml().dump(data, out)
    text = out.getvalue()
    return text if text.endswith("\n") else text + "\n"


# -- quoting for other readers ---------------------------------------------------------------
# kg reads every plain scalar as text, but a YAML 1.1 reader (PyYAML's safe_load, most tools)
# resolves `NO` and `no:` to False, `3.10` to 3.1, `~` to None, and a YAML 1.2 one `1e3` to
# 1000.0. A value that is text to us is
# quoted where such a reader would take it for something else; values of date, number and
# bool fields are left plain, since a reader that takes them for a date or number reads them right.
_RESOLVER = _pyyaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"
_YAML11_BOOL_EXTRA = {"y", "Y", "n", "N"}  # booleans in the YAML 1.1 spec that PyYAML leaves out
NOT_TEXT = ("date", "number", "integer", "bool")


# YAML 1.2's core schema (spec 10.3.2): what a 1.2 reader (ruamel typ='safe', most newer
# tools) takes for null, a bool, an int or a float; a maintainer's trial saw `name: 1e3`,
# text to kg and not a number to PyYAML, read as 1000.0 by ruamel.
_YAML12_CORE = re.compile(
    r"^(?:null|Null|NULL|~|true|True|TRUE|false|False|FALSE"
    r"|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_RESOLVER_12 = VersionedResolver(version=(1, 2))


def misread(text: str) -> bool:
    """Would a YAML 1.1 reader (PyYAML) or a YAML 1.2 one (its core schema, or ruamel's
    resolver, which also reads 1_000 as a number) take this plain scalar for something
    other than text?"""
    from ruamel.yaml.nodes import ScalarNode

    return (text in _YAML11_BOOL_EXTRA
            or _RESOLVER.resolve(_pyyaml.ScalarNode, text, (True, False)) != _STR
            or bool(_YAML12_CORE.match(text))
            or _RESOLVER_12.resolve(ScalarNode, text, (True, False)) != _STR)


def _quoted(value, text_type: bool = True):
    if (text_type and isinstance(value, str) and not isinstance(value, (ScalarString, NullText))
            and misread(value)):
        return SingleQuotedScalarString(value)
    return value


def _quote_keys(cmap: CommentedMap) -> None:
    for pos, k in enumerate(list(cmap)):
        if isinstance(k, str) and not isinstance(k, ScalarString) and misread(k):
            v = cmap.pop(k)
            cmap.insert(pos, SingleQuotedScalarString(k), v)


def _quote_statement(cmap: CommentedMap, ftype: str, kind: Kind | None, field: str) -> None:
    quals = kind.fields[field].qualifiers if kind and field in kind.fields else {}
    dated = ("from", "to", "as_of")
    for k in list(cmap):
        v = cmap[k]
        if k == "value":
            cmap[k] = _quoted(v, ftype not in NOT_TEXT)
        elif k == "checked" and isinstance(v, CommentedMap):
            _quote_check(v)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                v[i] = _quoted(x)
        else:
            qtype = quals[k].type if k in quals else ("date" if k in dated else "string")
            cmap[k] = _quoted(v, qtype not in NOT_TEXT)
    _quote_keys(cmap)


def _quote_check(cmap: CommentedMap) -> None:
    for k in list(cmap):
        cmap[k] = _quoted(cmap[k], k != "on")
    _quote_keys(cmap)


def quote_for_other_readers(data: CommentedMap, kind: Kind | None) -> CommentedMap:
    """Quote, in place, every text scalar (and key) a YAML 1.1 or 1.2 reader would misread.
    A file of no known kind is left as it is: its fields' types are unknown."""
    if kind is None:
        return data
    for k in list(data):
        f = kind.fields.get(str(k)) if kind else None
        ftype = f.type if f is not None else "string"
        v = data[k]
        if ftype == "check" and isinstance(v, CommentedMap):
            _quote_check(v)
        elif isinstance(v, CommentedMap):
            if ftype == "langmap":
                for tag in list(v):
                    v[tag] = _quoted(v[tag])
                _quote_keys(v)
            else:
                _quote_statement(v, ftype, kind, str(k))
        elif isinstance(v, list):
            for i, x in enumerate(v):
                if isinstance(x, CommentedMap):
                    _quote_statement(x, ftype, kind, str(k))
                else:
                    v[i] = _quoted(x, ftype not in NOT_TEXT)
        else:
            data[k] = _quoted(v, ftype not in NOT_TEXT)
    _quote_keys(data)
    return data


# -- canonical order -------------------------------------------------------------------------
# A source is its address: its url follows its date instead of sitting at the end.
URL_AFTER = {"source": "date"}


def field_order(kind: Kind) -> list[str]:
    own = [n for n in kind.fields if n not in COMMON_HEAD and n not in COMMON_TAIL]
    tail = list(COMMON_TAIL)
    after = URL_AFTER.get(kind.name)
    if after in own:
        tail.remove("url")
        own.insert(own.index(after) + 1, "url")
    return [*COMMON_HEAD, *own, *tail]


def statement_order(kind: Kind | None, field: str) -> list[str]:
    quals = list(kind.fields[field].qualifiers) if kind and field in kind.fields else []
    return [*STATEMENT_HEAD, *quals, *STATEMENT_TAIL]


def _reordered(cmap: CommentedMap, order: list[str]) -> CommentedMap:
    """The same mapping with keys in `order` (unknown keys last); comments move with their key."""
    rank = {k: i for i, k in enumerate(order)}
    keys = sorted(cmap, key=lambda k: (rank.get(k, len(order)), list(cmap).index(k)))
    if keys == list(cmap):
        return cmap
    out = CommentedMap()
    for k in keys:
        out[k] = cmap[k]
        if k in cmap.ca.items:
            out.ca.items[k] = cmap.ca.items[k]
    out.ca.comment = cmap.ca.comment
    if cmap.fa.flow_style():
        out.fa.set_flow_style()
    return out


def insert_in_order(cmap: CommentedMap, key: str, value, order: list[str]) -> None:
    """Set cmap[key]; a new key goes where the canonical order puts it among the existing keys."""
    if key in cmap:
        cmap[key] = value
        return
    rank = {k: i for i, k in enumerate(order)}
    mine = rank.get(key, len(order))
    for pos, existing in enumerate(cmap):
        if rank.get(existing, len(order) + 1) > mine:
            cmap.insert(pos, key, value)
            return
    cmap[key] = value


def _is_plain_item(v) -> bool:
    return isinstance(v, str) and "\n" not in v


def _flow_fits(key: str, seq, indent: int) -> bool:
    width = indent + len(key) + 4 + sum(len(str(v)) + 4 for v in seq)
    return width <= LINE_WIDTH


def _style_seq(key: str, seq: CommentedSeq, indent: int, kind: Kind | None, field: str) -> None:
    if seq and all(_is_plain_item(v) for v in seq) and _flow_fits(key, seq, indent):
        seq.fa.set_flow_style()
    else:
        seq.fa.set_block_style()
    for i, item in enumerate(seq):
        if isinstance(item, CommentedMap):
            seq[i] = style_statement(item, indent + 4, kind, field)


def style_statement(cmap: CommentedMap, indent: int, kind: Kind | None,
                    field: str) -> CommentedMap:
    """One statement in long form (a mapping: value, sources, valid_from, ...) in its
    canonical arrangement: a new mapping with the keys in `statement_order(kind, field)`,
    in block style, its lists styled as `kg fmt` writes them at `indent` columns, its
    `checked` mapping in flow style. Values are shared with cmap, not copied."""
    cmap = _reordered(cmap, statement_order(kind, field))
    cmap.fa.set_block_style()
    for k, v in cmap.items():
        if isinstance(v, CommentedSeq):
            _style_seq(k, v, indent, kind, field)
        elif isinstance(v, CommentedMap):
            v.fa.set_flow_style()  # checked: {by, on, against}
    return cmap


def style_key(data: CommentedMap, k: str, kind: Kind | None) -> None:
    """Give data[k] its canonical style in place (used by edits, which keep the key order)."""
    v = data[k]
    if isinstance(v, CommentedSeq):
        _style_seq(k, v, 0, kind, k)
    elif isinstance(v, CommentedMap):
        if k == "checked":
            v.fa.set_flow_style()
        elif k == "names":
            flat = list(v.keys()) + list(v.values())
            if all(_is_plain_item(x) for x in v.values()) and _flow_fits(k, flat, 0):
                v.fa.set_flow_style()
            else:
                v.fa.set_block_style()
        else:
            data[k] = style_statement(v, 2, kind, k)


def canonical(data: CommentedMap, kind: Kind | None) -> CommentedMap:
    """The canonical arrangement of one entity (a new mapping; values are shared, not copied)."""
    out = _reordered(data, field_order(kind)) if kind else data
    out.fa.set_block_style()
    for k in list(out):
        style_key(out, k, kind)
    return out


def kind_of(schema: Schema, rel: str) -> Kind | None:
    """The kind of a data file from its path (data/<kind>/<id>.yaml)."""
    parts = rel.replace("\\", "/").split("/")
    return schema.kinds.get(parts[-2]) if len(parts) >= 2 else None


def format_text(text: str, rel: str, schema: Schema | None = None) -> str:
    """The canonical text of one data file."""
    schema = schema or load_schema()
    kind = kind_of(schema, rel)
    return dump(quote_for_other_readers(canonical(load(text, rel), kind), kind))


def to_yaml(value):
    """Plain Python (str, list, dict) -> round-trip nodes, copied so no node is shared (no aliases)."""
    if isinstance(value, dict) and not isinstance(value, CommentedMap):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = to_yaml(v)
        return out
    if isinstance(value, (list, tuple)) and not isinstance(value, CommentedSeq):
        return CommentedSeq(to_yaml(v) for v in value)
    if isinstance(value, (CommentedMap, CommentedSeq)):
        return copy.deepcopy(value)
    return value


def plain(value):
    """Round-trip nodes -> plain Python (for comparing content, ignoring style)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return None if value is None or isinstance(value, NullText) else str(value)
