"""The data the explorer page embeds: one JSON document, built from the semantic layer
and the network projection (kg.analysis), never from the page's own rules.

Every date window and rank is computed here by kg.semantics (Timeline.window); the
page only tests `start <= day <= end` and prefers `preferred` over `normal`, which is
exactly Timeline.current. Every string is plain text: the page inserts it with
textContent, and only http(s) URLs become links.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import networkx as nx

from kg.analysis.centrality import pagerank
from kg.analysis.memo import Memo
from kg.analysis.network import (
    NODE_KINDS,
    RELATION_LABELS,
    EdgeFact,
    Projection,
    begins,
    simple,
)
from kg.core.model import DateValue, Entity, Statement, as_decimal_text
from kg.core.schema import Field
from kg.data.dedupe import CJK_SUFFIXES, SUFFIXES, labels
from kg.semantics import BLOC_LABELS, BLOCS, Semantics, claimant
from kg.semantics.blocs import RULE_FIELDS, Blocs
from kg.semantics.disputes import (
    QUALIFIER_WORDS,
    amount_text,
    figure_context,
    figure_time,
    relative_head,
)
from kg.semantics.links import safe_url, source_links, unlinked_identifiers
from kg.semantics.time import ONE_DAY, PUBLISHED_BEFORE, stated_start
from kg.semantics.wording import STATUS_WORDS, first_report, status_words

# Fields shown in the panel's header rather than as facts.
HEADER_FIELDS = frozenset({"id", "name", "aliases", "names", "description", "sources", "checked",
                           "wikidata", "url"})
SEED_PER_BLOC = 8  # the opening view: the most central nodes of each bloc
SHOW_ALL_BELOW = 60  # smaller graphs open with every node shown
DATA_LICENCE = "CC BY 4.0"
DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
HOMEPAGE = "https://w3id.org/ai-race-kg/"


def search_key(text: str) -> str:
    """The form search compares: NFKC, accents stripped, casefolded (the page does the same)."""
    text = str(text)
    if text.isascii():  # NFKD and NFKC leave ASCII as it is, and it has no accents
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", stripped).casefold()


# Fields a reader searches by besides the names: a policy's short name ("CHIPS Act" for
# the CHIPS and Science Act), an organisation's stock ticker ("NVDA")
SEARCH_FIELDS = ("short_name", "ticker")


def search_names(ent: Entity) -> list[str]:
    """Every text the page's search finds `ent` by: the names `kg find` compares (its name,
    short name, aliases, names in other languages and id: kg.data.dedupe.labels) and its
    ticker (search_key folds each)."""
    ticker = ent.first("ticker")
    return labels(ent) + ([str(ticker)] if ticker else [])


def iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def number_text(value) -> str:
    if isinstance(value, Decimal):
        text = as_decimal_text(value)
    else:
        text = str(value)
    whole, dot, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    if whole.isdigit():
        whole = f"{int(whole):,}"
    return sign + whole + dot + frac


@dataclass
class Options:
    """What goes into the page.

    nodes: the node ids to include (None: every node of the projection).
    as_of: the day the page opens on (None: the dataset's date).
    title: the page's subtitle (e.g. the focus entity's name).
    show_all: open with every included node shown.
    """

    nodes: set[str] | None = None
    as_of: dt.date | None = None
    title: str | None = None
    show_all: bool = False
    note: str | None = None
    seed: int = 7
    extra: dict = field(default_factory=dict)
    join_seed: bool = False  # the opening view: and the nodes that join them (overview)


class PageData:
    """Builds the embedded document for one projection."""

    def __init__(self, proj: Projection, options: Options | None = None):
        self.proj, self.sem = proj, proj.sem
        self.opts = options or Options()
        self.schema = self.sem.schema
        self.entities = self.sem.entities
        wanted = self.opts.nodes
        self.node_ids = [n for n in proj.nodes if wanted is None or n in wanted]
        keep = set(self.node_ids)
        self.edges = [e for e in proj.edges if e.source in keep and e.target in keep]
        self.sources: set[str] = set()
        self.claims: set[str] = set()
        self.quotes: set[str] = set()

    # -- values --------------------------------------------------------------------------
    def name(self, ent_id: str) -> str:
        ent = self.entities.get(ent_id)
        return str(ent.name) if ent is not None else ent_id

    def value(self, f: Field, v) -> dict:
        """{v: text, ref: id?, m: meaning?} for one value of a field."""
        if f.type == "ref":
            return {"v": self.name(str(v)), "ref": str(v)}
        if f.type == "enum":
            meaning = self.schema.enums[f.enum].values.get(str(v), "") if f.enum else ""
            return {"v": str(v), "m": meaning}
        if isinstance(v, DateValue):
            return {"v": v.text}
        if isinstance(v, bool):
            return {"v": "yes" if v else "no"}
        if isinstance(v, (Decimal, int)):
            if f.unit:  # said with its unit, as a vendor says it ("141 GB"), the exact number
                return {"v": amount_text(v, f.unit), "x": f"{number_text(v)} {f.unit}"}
            return {"v": number_text(v)}
        if f.type == "url":
            return {"v": str(v), "url": safe_url(v)}
        if isinstance(v, dict):
            return {"v": ", ".join(f"{k}: {x}" for k, x in sorted(v.items()))}
        return {"v": str(v)}

    def statement(self, ent: Entity, f: Field, st: Statement) -> dict:
        srcs = list(ent.sources_of(st))
        self.sources.update(srcs)
        out = self.value(f, st.value)
        first = self.sem.timeline.reported_from(ent, f.name, st)
        if first is not None:  # no date at all: "not yet reported" before its sources
            out["rp"] = iso(first)
        if f.sourced:
            w = self.sem.timeline.window(ent, f.name, st)
            out.update(st=iso(w.start), en=iso(w.end), rk=st.rank)
            if w.basis == "never":
                out["nv"] = True
                begins = stated_start(st)
                if begins is not None:  # "not yet" before the day it names, as state_on says
                    out["ns"] = iso(begins)
                    if st.valid_from is None:
                        out["ao"] = True  # ... only reported as of it: "not yet reported"
            else:
                if w.basis == "as-of":
                    out["ao"] = True  # dated by as_of only: "not yet reported" before it
                if w.end_by in ("successor", "horizon"):
                    # ended because another value started: "superseded"; or an as-of
                    # statement's horizon passed: "not reported since" (state_on's words)
                    out["sup" if w.end_by == "successor" else "hz"] = True
            # the month (or year) of its from ("b") or to ("e"): a month of change
            spans = [[iso(sp[0]), iso(sp[1]), end] for sp, end in
                     ((w.start_span, "b"), (w.end_span, "e")) if sp and sp[0] != sp[1]]
            if spans:
                out["cs"] = spans
            if st.valid_to is not None:
                # who can report its end (Timeline.end_sources), where that is not every
                # source: "es" the ones that can, "eb" when none could (a journalist's trial:
                # the January rule read as the source of its own May end)
                by = self.sem.timeline.end_sources(ent, f.name, st)
                if by.how == PUBLISHED_BEFORE:
                    out["eb"] = True
                elif list(by.sources) != srcs:
                    out["es"] = list(by.sources)
                    self.sources.update(by.sources)
        else:
            out["rk"] = "normal"
        out["src"] = srcs
        self._status(out, srcs, self.proj.status(srcs, ent.checked_of(st)))
        for key, d in (("from", st.valid_from), ("to", st.valid_to), ("asof", st.as_of)):
            if d:
                out[key] = d.text
        if st.note:
            out["note"] = st.note
        if st.confidence:
            out["conf"] = st.confidence
        if st.as_written:
            out["aw"] = st.as_written
        quals = {}
        for qname, qv in sorted(st.qualifiers.items()):
            qf = f.qualifiers.get(qname)
            quals[qf.label if qf else qname] = self.value(qf, qv) if qf else {"v": str(qv)}
        if quals:
            out["q"] = quals
        return out

    def facts(self, ent: Entity) -> list[dict]:
        kind = self.schema.kinds[ent.kind]
        out = []
        for name, f in kind.fields.items():
            if name in HEADER_FIELDS or f.type in ("check", "langmap") or name not in ent.facts:
                continue
            sts = [self.statement(ent, f, st) for st in ent.facts[name]]
            fact = {"f": name, "l": f.quantity, "t": f.temporal, "s": sts}
            if f.temporal and not f.many:  # one value at a time: a month of change pairs
                fact["one"] = True
            out.append(fact)
        return out

    # -- the parts -------------------------------------------------------------------------
    def node(self, nid: str, bloc: str, size: float, pos) -> dict:
        ent = self.entities[nid]
        names = {str(k): str(v) for k, v in sorted((ent.first("names") or {}).items())}
        aliases = [str(a) for a in ent.values("aliases")]
        keys = sorted({search_key(t) for t in search_names(ent)})
        self.sources.update(ent.sources)
        out = {
            "id": nid, "label": str(ent.name), "kind": ent.kind, "bloc": bloc,
            "size": size, "x": pos[0], "y": pos[1], "keys": keys,
            "facts": self.facts(ent), "src": list(ent.sources),
        }
        self._status(out, ent.sources, self.proj.status(ent.sources, ent.first("checked")))
        first_day = begins(ent)  # before it, the node did not exist (kg.analysis.network)
        if first_day is not None:
            out["begins"] = first_day.isoformat()
        if names:
            out["names"] = names
        if aliases:
            out["aliases"] = aliases
        also = [str(ent.first(f)) for f in SEARCH_FIELDS if ent.first(f)]
        if also:  # the search result says which of these matched ("NVIDIA · NVDA")
            out["also"] = also
        if ent.first("description"):
            out["desc"] = str(ent.first("description"))
        if ent.first("url"):
            out["url"] = safe_url(ent.first("url"))
            out["urltext"] = str(ent.first("url"))
        return out

    def edge_ids(self) -> list[str]:
        """EdgeFact.key, made unique: a short list (`trained_on: [a, b]`) is one line, so
        its statements share entity/field/line; the later ones get `#2`, `#3`..."""
        seen: dict[str, int] = {}
        out = []
        for e in self.edges:
            seen[e.key] = seen.get(e.key, 0) + 1
            out.append(e.key if seen[e.key] == 1 else f"{e.key}#{seen[e.key]}")
        return out

    def _status(self, out: dict, sources, status: str) -> None:
        """A fact's check status ("ck") and, where its badge says more than the status's
        words ("article + 1 other source": kg.semantics.wording.status_words), those."""
        out["ck"] = status
        words = status_words(self.entities, status, sources)
        if words != STATUS_WORDS.get(status):
            out["ckw"] = words

    def edge(self, e: EdgeFact, eid: str) -> dict:
        self.sources.update(e.sources)
        f = self._field_of(e)
        out = {"id": eid, "from": e.source, "to": e.target, "rel": e.relation,
               "label": f.label if f else RELATION_LABELS.get(e.relation, e.relation),
               "src": list(e.sources), "ck": e.status, "rely": e.reliability,
               "st": iso(e.start), "en": iso(e.end)}
        self._status(out, e.sources, e.status)
        for key, val in (("vfrom", e.valid_from), ("vto", e.valid_to), ("asof", e.as_of),
                         ("via", e.via), ("conf", e.confidence), ("note", e.note),
                         ("aw", e.as_written), ("eb", e.end_by)):
            if val:
                out[key] = val
        if e.qualifiers:
            out["q"] = dict(e.qualifiers)
        if e.known:  # first reported then (a quote's, a figure's or an undated statement's)
            out["known"] = e.known.isoformat()
        if e.via:
            (self.quotes if self.entities[e.via].kind == "quote" else self.claims).add(e.via)
        return out

    def _field_of(self, e: EdgeFact) -> Field | None:
        ent = self.entities.get(e.source)
        if ent is None:
            return None
        return self.schema.kinds[ent.kind].fields.get(e.relation)

    def claim(self, cid: str) -> dict:
        c = self.entities[cid]
        measure = self.entities.get(str(c.first("measure")))
        unit = str(measure.first("unit")) if measure is not None else ""
        # the amount with its unit as the report says it ("3×", "15%", "USD 8 billion";
        # the page said "3 ratio", "15 percent"), after the qualifier's words
        amount = amount_text(c.first("value"), unit)
        upper = c.first("upper")
        qual = str(c.first("qualifier") or "exact")
        text = QUALIFIER_WORDS.get(qual, "") + amount + \
            (f" to {amount_text(upper, unit)}" if upper is not None else "")
        who = c.first("estimated_by")
        self.sources.update(c.sources)
        out = {"id": cid, "name": str(c.name), "about": str(c.first("about") or ""),
               "measure": str(measure.name) if measure is not None else "", "unit": unit,
               "value": text, "qual": qual, "src": list(c.sources),
               "by": self.name(str(who)) if who else str(c.first("attributed_to") or ""),
               "byref": str(who) if who else None, "claimant": claimant(c),
               "disputed": self.sem.disputed.get(cid, [])}
        if measure is not None:  # a share link naming the measure opens its figures' entity
            out["mid"] = measure.id
        involves = sorted({str(i) for i in c.values("involves")} - {out["about"]})
        if involves:  # listed on these entities' panels too (the H20's charge, on NVIDIA)
            out["inv"] = involves
        self._status(out, c.sources, self.proj.status(c.sources, c.first("checked")))
        for key in ("as_of", "method", "confidence"):
            v = c.first(key)
            if v is not None:
                out[key] = str(v)
        # as the report's scorecard shows it: the first clause that does more than restate
        # the value, and its caveats (kg.semantics.wording.short_context)
        if figure_context(c, entities=self.entities):
            out["context"] = figure_context(c, entities=self.entities)
            if figure_context(c, full=True) != out["context"]:  # the rest on hover
                out["context_full"] = figure_context(c, full=True)
        if c.first("as_of") is None:  # no period: when (and by whom) it was published
            out.update(self.reported(c))
        if figure_time(self.entities, c):  # either, in the scorecard's words
            out["when"] = figure_time(self.entities, c)
        other = c.first("compared_with")  # a reference (schema.yaml): its name and id
        if other is not None:
            out["compared_with"], out["compared_ref"] = self.name(str(other)), str(other)
            # the words before it, by the report's rule (kg.semantics.disputes)
            out["measure_head"] = relative_head(out["measure"])
        return out

    def reported(self, ent: Entity) -> dict:
        """{"rep": date, "repby": publisher} of ent's earliest dated source (the date a
        figure with no period is known from, Projection.reported), {} when none has one."""
        day, publisher = first_report(self.entities, ent)
        if day is None:
            return {}
        return {"rep": str(day), **({"repby": publisher} if publisher else {})}

    def quote(self, qid: str) -> dict:
        q = self.entities[qid]
        self.sources.update(q.sources)
        out = {"id": qid, "name": str(q.name), "text": str(q.first("text") or ""),
               "speaker": str(q.first("speaker") or ""),
               "speakername": self.name(str(q.first("speaker") or "")),
               "about": [str(a) for a in q.values("about")], "lang": str(q.first("language")),
               "src": list(q.sources)}
        self._status(out, q.sources, self.proj.status(q.sources, q.first("checked")))
        for key in ("date", "occasion"):
            if q.first(key) is not None:
                out[key] = str(q.first(key))
        # what the words are (a fragment such as "Scaling Problem" is a source's label for a
        # view, not a sentence the speaker said): the curator's description, if any
        if q.first("description"):
            out["desc"] = str(q.first("description"))
        known = q.first("date") or self.proj.reported(q)  # as its network link counts it
        if known is not None:
            out["known"] = known.start.isoformat()
        return out

    def source(self, sid: str) -> dict:
        s = self.entities.get(sid)
        if s is None:
            return {"id": sid, "title": sid}
        out = {"id": sid, "title": str(s.first("title") or s.name),
               "publisher": str(s.first("publisher") or ""),
               "date": str(s.first("date") or ""), "rely": str(s.first("reliability") or ""),
               "type": str(s.first("source_type") or ""),
               "url": safe_url(s.first("url")), "urltext": str(s.first("url") or "")}
        if s.first("reliability_note"):
            out["relynote"] = str(s.first("reliability_note"))
        links = [{"url": safe_url(k.url), "label": k.label, "derived": bool(k.derived_from)}
                 for k in source_links(s) if safe_url(k.url)]
        if out["url"] is None and links:  # no web page of its own: its first openable link
            out["url"] = links[0]["url"]
        others = [k for k in links if k["url"] != out["url"]]
        if others:
            out["links"] = others
        # its identifiers as text ("SEC accession number 0001045810-25-000082": most have
        # no resolver), except one a link above already names
        ids = [f"{label} {v}" for label, v in
               unlinked_identifiers(s, (k["label"] for k in others))]
        if ids:
            out["ids"] = ids
        return out

    # -- the whole document ---------------------------------------------------------------
    def build(self, positions: dict[str, tuple[int, int]], sizes: dict[str, float]) -> dict:
        blocs = self.sem.blocs()
        nodes = [self.node(n, blocs(n), sizes.get(n, 0.0), positions[n]) for n in self.node_ids]
        for n, windows in zip(nodes, self.bloc_windows(), strict=True):
            if windows:  # the bloc changes with the date: the page picks the day's window
                n["bw"] = windows
        edges = [self.edge(e, i) for e, i in zip(self.edges, self.edge_ids(), strict=True)]
        keep = set(self.node_ids)
        for ent in sorted(self.entities.values(), key=lambda e: e.id):
            if ent.kind == "claim" and (str(ent.first("about")) in keep
                                        or keep & {str(i) for i in ent.values("involves")}):
                self.claims.add(ent.id)
            elif ent.kind == "quote" and (str(ent.first("speaker")) in keep
                                          or keep & {str(a) for a in ent.values("about")}):
                self.quotes.add(ent.id)
        # figures that dispute a figure shown are shown beside it
        for cid in list(self.claims):
            self.claims.update(self.sem.disputed.get(cid, []))
        claims = [self.claim(c) for c in sorted(self.claims)]
        quotes = [self.quote(q) for q in sorted(self.quotes)]
        sources = [self.source(s) for s in sorted(self.sources)]
        day = self.opts.as_of or self.sem.date
        seed = self.seed(nodes)
        return {
            "meta": {
                "title": "ai-race-kg explorer", "subtitle": self.opts.title or "",
                "version": self.schema.version, "date": self.sem.date.isoformat(),
                "start": day.isoformat(), "minDate": self.min_date(edges, nodes),
                "licence": DATA_LICENCE, "licenceUrl": DATA_LICENCE_URL,
                "homepage": HOMEPAGE, "note": self.opts.note or "",
                # how long a statement known only "as of" a day is taken to hold
                "horizon": self.sem.info.horizon_days,
                # the corporate suffixes search forgives, as `kg find` does (kg.data.dedupe)
                "suffixes": [sorted(SUFFIXES), list(CJK_SUFFIXES)],
                # what a fact's confidence means (a hedged fact says so: "likely")
                "confidence": dict(self.schema.enums["confidence"].values),
                # what each check status means (every fact's badge says it in its title)
                "status": dict(self.schema.enums["check-status"].values),
                "cite": (f"ai-race-kg developers. ai-race-kg: a sourced knowledge graph of the "
                         f"US-China AI race, version {self.schema.version}, data as of "
                         f"{self.sem.date.isoformat()}. {HOMEPAGE} (data: {DATA_LICENCE})."),
            },
            "kinds": [[k, self.schema.kinds[k].label] for k in NODE_KINDS],
            "blocs": [[b, BLOC_LABELS[b]] for b in ("us", "china", "multinational", "other")],
            "seed": seed,
            # ids that are gone: a share link naming one goes where it went (gone())
            "gone": self.gone(),
            "nodes": nodes, "edges": edges, "claims": claims, "quotes": quotes,
            "sources": sources, **self.opts.extra,
        }

    def gone(self) -> dict[str, list]:
        """Each tombstone's id -> [its name, the day it went, the entity it now is and
        that one's name (sem.successor; None, None when it was withdrawn), why it was
        withdrawn]: a link to graph.html#node=<old id> goes to the entity it was merged
        into or renamed to, or says it was withdrawn and why (a maintainer's trial: after
        `kg merge A B` the link to A said "No entity 'A' in this graph")."""
        out = {}
        for ent in sorted(self.entities.values(), key=lambda e: e.id):
            if ent.kind == "tombstone":
                new, why = self.sem.successor(ent.id)
                day = ent.first("date")
                out[ent.id] = [str(ent.name), day.text if day is not None else "",
                               new, self.name(new) if new else None, why]
        return out

    def bloc_windows(self) -> list[list[list] | None]:
        """Each node's bloc windows (bloc_windows), None for a node of one bloc at all times."""
        found = bloc_windows(self.sem, self.node_ids)
        return [found.get(n) for n in self.node_ids]

    def seed(self, nodes: list[dict]) -> list[str]:
        """The opening view: every node of a small graph, else the most central of each bloc."""
        if self.opts.show_all or len(nodes) <= SHOW_ALL_BELOW:
            return [n["id"] for n in nodes]
        out = []
        for bloc in BLOCS:
            ranked = sorted((n for n in nodes if n["bloc"] == bloc),
                            key=lambda n: (-n["size"], n["id"]))
            out.extend(n["id"] for n in ranked[:SEED_PER_BLOC])
        if self.opts.join_seed:  # an overview's hubs: the nodes between them too
            from kg.analysis.paths import joining_nodes

            out += joining_nodes(((e.source, e.target) for e in self.edges), sorted(out),
                                 allowed={n["id"] for n in nodes}, at_most=len(out))
        return sorted(out)

    def min_date(self, edges: list[dict], nodes: list[dict]) -> str:
        """The slider's first day: the earliest dated change, or ten years before the date."""
        days = [e["st"] for e in edges if e["st"]]
        for n in nodes:
            for f in n["facts"]:
                days.extend(s["st"] for s in f["s"] if s.get("st") and f["t"])
        floor = dt.date(self.sem.date.year - 10, 1, 1).isoformat()
        return max(min(days), floor) if days else floor


def bloc_windows(sem: Semantics, node_ids: Iterable[str]) -> dict[str, list[list]]:
    """{node id: [[first day, last day, bloc], ...]} for the nodes whose bloc (kg.semantics,
    Blocs) is not the same on every day; nodes with one bloc at all times are left out.

    The windows are contiguous, in order, and cover every day: ISO dates, inclusive, the
    first one's start and the last one's end None (open). A bloc is asked of the semantic
    layer only on the days it can change, and on the day before the first: the first day
    of each statement of a field the rule reads (RULE_FIELDS), and the day after its last,
    on the node or on an entity it reaches through those fields (its affiliation's
    parent's country...); between two such days every statement the rule reads holds
    throughout or not at all. Cost: one pass over the reached entities per node."""
    memo: dict[str, tuple[set[dt.date], list[str]]] = {}
    entities, timeline = sem.entities, sem.timeline
    day_blocs: dict[dt.date, Blocs] = {}

    def read(eid: str) -> tuple[set[dt.date], list[str]]:
        """An entity's own change days, and the entities its rule fields name."""
        if eid not in memo:
            days: set[dt.date] = set()
            refs: list[str] = []
            ent = entities[eid]
            for name in RULE_FIELDS:
                for st in ent.facts.get(name, ()):
                    ref = str(st.value)
                    if ref in entities:
                        refs.append(ref)
                    w = timeline.window(ent, name, st)
                    if w.basis == "never":
                        continue
                    if w.start is not None:
                        days.add(w.start)
                    if w.end is not None and w.end < dt.date.max:
                        days.add(w.end + ONE_DAY)
            memo[eid] = (days, refs)
        return memo[eid]

    def change_days(eid: str) -> list[dt.date]:
        seen, todo, days = {eid}, [eid], set()
        while todo:
            own, refs = read(todo.pop())
            days |= own
            for ref in refs:
                if ref not in seen:
                    seen.add(ref)
                    todo.append(ref)
        return sorted(days)

    out: dict[str, list[list]] = {}
    for nid in node_ids:
        days = change_days(nid)
        if not days:
            continue
        # (a statement from the first day there is, 0001-01-01: no day before to ask)
        asks = [days[0] - ONE_DAY, *days] if days[0] > dt.date.min else days
        for d in asks:
            if d not in day_blocs:
                day_blocs[d] = Blocs(timeline, d)
        blocs = [day_blocs[d](nid) for d in asks]
        if len(set(blocs)) == 1:
            continue
        windows: list[list] = []
        for k, (d, b) in enumerate(zip(asks, blocs, strict=True)):
            if windows and windows[-1][2] == b:
                continue
            if windows:
                windows[-1][1] = iso(d - ONE_DAY)
            windows.append([iso(d) if k else None, None, b])
        out[nid] = windows
    return out


MIN_SIZE, SIZE_RANGE = 7, 26  # a node's radius in pixels, by its PageRank


def node_size(pagerank: float) -> float:
    return round(MIN_SIZE + SIZE_RANGE * pagerank ** 0.5, 2)


BLOC_CENTRES = {"us": (-1.0, 0.0), "china": (1.0, 0.0), "multinational": (0.0, -0.9),
                "other": (0.0, 0.9)}


def _jitter(i: int) -> tuple[float, float]:
    """A small deterministic offset (a sunflower spiral), so no two start on one point."""
    import math

    r, a = 0.12 * math.sqrt(i + 1), i * 2.399963229728653
    return r * math.cos(a), r * math.sin(a)


def layout(node_ids: list[str], edges: list[EdgeFact], blocs: dict[str, str],
           seed_ids: list[str], seed: int = 7,
           sizes: dict[str, float] | None = None,
           labels: dict[str, str] | None = None) -> dict[str, tuple[int, int]]:
    """Positions computed once in Python (the page runs no physics): seeded and rounded.

    The largest connected part is laid out by a spring layout that starts each bloc on
    its own side (US left, China right, multinational top, other bottom); the small
    parts sit on a ring around it; then nodes closer than a label's room are pushed apart.
    """
    import math

    if not node_ids:
        return {}
    G = nx.Graph()
    G.add_nodes_from(node_ids)
    G.add_edges_from((e.source, e.target) for e in edges)
    order = {nid: k for k, nid in enumerate(node_ids)}
    comps = sorted((sorted(c, key=order.get) for c in nx.connected_components(G)),
                   key=lambda c: (-len(c), order[c[0]]))
    main = comps[0] if len(comps[0]) > 2 else []
    rest = comps[1:] if main else comps
    pos: dict[str, tuple[float, float]] = {}
    core = [i for i in main if i in set(seed_ids)]
    if main:
        init = {}
        for nid in main:
            cx, cy = BLOC_CENTRES.get(blocs.get(nid, "other"), (0.0, 0.9))
            jx, jy = _jitter(order[nid])
            init[nid] = (cx * 0.6 + jx * 0.4, cy * 0.6 + jy * 0.4)
        if len(core) > 1:  # the opening view's nodes: close together in the middle
            laid = _spring(_induced(G, core), {i: init[i] for i in core}, None,
                           k=2.0 / len(core) ** 0.5, iterations=80, seed=seed)
            for nid, (x, y) in laid.items():
                init[nid] = (float(x) * 0.35, float(y) * 0.35)
        laid = _spring(_induced(G, main), init, core if len(core) > 1 else None,
                       k=1.0 / len(main) ** 0.5, iterations=_iterations(len(main)), seed=seed)
        if len(core) > 1:  # with fixed nodes networkx does not rescale: do it here
            far = max(max(abs(float(x)), abs(float(y))) for x, y in laid.values()) or 1.0
            laid = {k: (float(x) / far, float(y) / far) for k, (x, y) in laid.items()}
        pos.update({k: (float(x), float(y)) for k, (x, y) in laid.items()})
    # the small parts: on rings around the main part, in bloc order
    rest.sort(key=lambda c: (list(BLOC_CENTRES).index(blocs.get(c[0], "other"))
                             if blocs.get(c[0], "other") in BLOC_CENTRES else 9, order[c[0]]))
    # small parts holding an opening-view node sit just outside the core; the rest further out
    seeded = set(seed_ids)
    near = [nid for comp in rest if seeded & set(comp) for nid in comp]
    for j, nid in enumerate(near):
        a = math.pi + 2 * math.pi * j / len(near)
        pos[nid] = (0.5 * math.cos(a), 0.5 * math.sin(a))
    todo = [nid for comp in rest if not seeded & set(comp) for nid in comp]
    radius, k = (1.15 if main else 0.2), 0
    while k < len(todo):
        ring = todo[k:k + max(int(2 * math.pi * radius / 0.08), 8)]
        for j, nid in enumerate(ring):
            a = math.pi + 2 * math.pi * j / len(ring)
            pos[nid] = (radius * math.cos(a), radius * math.sin(a))
        k += len(ring)
        radius += 0.12
    n = len(node_ids)
    scale = 65 * n ** 0.5
    xy = {k: [v[0] * scale, v[1] * scale] for k, v in pos.items()}
    radius = [node_size((sizes or {}).get(i, 0.0)) for i in node_ids]
    texts = [(labels or {}).get(i, i) for i in node_ids]
    if 1 < len(seed_ids) < len(node_ids):
        # the opening view is drawn zoomed out, its labels grown to be readable (page.js,
        # readableLabels): its nodes are first spread for labels OPENING_LABEL_ZOOM times
        # their size, so that each has room to grow (NVIDIA H100, TSMC and Huawei sat in
        # one cluster whose labels stayed 6 px high); then the others make way for them,
        # which stay put but for the growth that makes room (it keeps them apart)
        where = {n: k for k, n in enumerate(node_ids)}
        _spread(xy, list(seed_ids), [radius[where[i]] for i in seed_ids],
                [texts[where[i]] for i in seed_ids], gap=10.0, zoom=OPENING_LABEL_ZOOM)
        _spread(xy, node_ids, radius, texts, gap=10.0, anchored=set(seed_ids), mobility=0.0,
                rounds=1500, max_growth=2.0, grow_all=True)
    else:
        _spread(xy, node_ids, radius, texts, gap=10.0,
                anchored=set(seed_ids) if len(seed_ids) < len(node_ids) else frozenset())
    return {k: (int(round(xy[k][0])), int(round(xy[k][1]))) for k in sorted(xy)}


def _induced(G: nx.Graph, ids: list[str]) -> nx.Graph:
    """The subgraph on `ids`, its nodes in that order. (G.subgraph iterates a small
    selection in the order of a Python set, i.e. of the process's string hashes: the
    layout then differed from one run to the next.)"""
    keep = set(ids)
    S = nx.Graph()
    S.add_nodes_from(ids)
    S.add_edges_from((u, v) for u, v in G.edges(ids) if u in keep and v in keep)
    return S


def _iterations(n: int) -> int:
    """Fewer rounds for big graphs: each costs n^2 (120 up to 400 nodes, 30 from 1,600)."""
    return max(30, min(120, 48000 // max(n, 1)))


DENSE_LAYOUT_UP_TO = 4000  # nodes; above, networkx's sparse layout (it needs scipy)


def _spring(G: nx.Graph, init: dict, fixed: list | None, k: float, iterations: int,
            seed: int) -> dict:
    """networkx's Fruchterman-Reingold spring layout from `init`, by its dense rule
    (`_fruchterman_reingold`) at every size up to DENSE_LAYOUT_UP_TO, so the same data
    gives the same positions with or without scipy (nx.spring_layout switches to a scipy
    path at 500 nodes). Without fixed nodes the result is centred and scaled into
    [-1, 1], as spring_layout."""
    import numpy as np
    from networkx.drawing.layout import rescale_layout

    nodes = list(G)
    if len(nodes) > DENSE_LAYOUT_UP_TO:
        return nx.spring_layout(G, pos=init, fixed=fixed, k=k, iterations=iterations, seed=seed)
    A = nx.to_numpy_array(G, nodelist=nodes, weight=None)
    start = np.array([init[n] for n in nodes], dtype=float)
    where = {n: i for i, n in enumerate(nodes)}
    fixed_idx = np.asarray([where[n] for n in fixed if n in where]) if fixed else None
    pos = _fruchterman_reingold(A, k, start, fixed_idx, iterations)
    if fixed_idx is None:
        pos = rescale_layout(pos, scale=1)
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, pos, strict=True)}


def _fruchterman_reingold(A, k: float, pos, fixed, iterations: int, threshold: float = 1e-4):
    """networkx's dense Fruchterman-Reingold (same forces, cooling and stop rule), with the
    x and y components as two n x n arrays instead of one n x n x 2 array and its norm:
    about 3x faster. Each step agrees with networkx's to rounding (~1e-16); over a hundred
    steps the layout amplifies those differences, so the positions are not networkx's
    bit for bit, but they are deterministic and equally valid."""
    import numpy as np

    pos = np.array(pos, dtype=float)
    n = len(pos)
    t = max(np.ptp(pos[:, 0]), np.ptp(pos[:, 1])) * 0.1
    dt = t / (iterations + 1)
    kk = k * k
    for _ in range(iterations):
        dx = pos[:, 0, None] - pos[None, :, 0]
        dy = pos[:, 1, None] - pos[None, :, 1]
        dist = np.sqrt(dx * dx + dy * dy)
        np.maximum(dist, 0.01, out=dist)
        force = kk / (dist * dist) - A * dist / k
        step = np.stack([(dx * force).sum(axis=1), (dy * force).sum(axis=1)], axis=1)
        length = np.maximum(np.sqrt((step * step).sum(axis=1)), 0.01)
        step *= (t / length)[:, None]
        if fixed is not None:
            step[fixed] = 0.0
        pos += step
        t -= dt
        if np.sqrt((step * step).sum()) / n < threshold:
            break
    return pos


LABEL_FONT_PX = 16  # the labels' font size (page.py: drawing's nodes.font.size)
LABEL_MAX_PX = 180  # a wider label wraps onto more lines (page.py: widthConstraint)
LABEL_BELOW_PX = 12  # vis-network draws a label's first line this far under its shape
# Arial's advance widths in thousandths of an em for the printable ASCII characters, space
# to tilde (the page's labels are in vis-network's default face, arial; Chromium on Linux
# draws it with Liberation Sans, which has the same widths).
_ARIAL = (278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
          556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
          1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
          667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
          333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
          556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584)


def _text_px(text: str) -> float:
    """The width of `text` in the label font, in pixels (CJK and other wide characters:
    one em; other characters outside ASCII: a digit's width)."""
    total = 0
    for c in text:
        o = ord(c)
        if 32 <= o <= 126:
            total += _ARIAL[o - 32]
        else:
            total += 1000 if unicodedata.east_asian_width(c) in "WF" else 556
    return total * LABEL_FONT_PX / 1000


def label_box(text: str) -> tuple[float, int]:
    """(width in pixels, lines) of a node's label as the page draws it: vis-network's
    LabelSplitter at widthConstraint LABEL_MAX_PX, rule for rule (it measures a candidate
    line with two extra spaces between words, and cuts a word too long for a line one
    character past the width)."""
    tokens = [t for t in re.split(r"( +)", str(text)) if t]
    lines: list[str] = []
    while tokens:
        fit, trial = 0, ""
        while fit < len(tokens):
            longer = trial + ("" if trial == "" else " ") + tokens[fit]
            if _text_px(longer) > LABEL_MAX_PX:
                break
            trial, fit = longer, fit + 1
        if fit == 0:  # one word wider than a line: cut it
            word = tokens[0]
            cut = 0
            while cut < len(word) and _text_px(word[:cut]) <= LABEL_MAX_PX:
                cut += 1
            lines.append(word[:cut])
            tokens[0] = word[cut:]
            if not tokens[0]:  # the whole word (it fit but for its last character)
                tokens.pop(0)
            continue
        rest = fit
        if tokens[fit - 1].startswith(" "):
            fit -= 1
        elif rest < len(tokens) and tokens[rest].startswith(" "):
            rest += 1
        lines.append("".join(tokens[:fit]))
        tokens = tokens[rest:]
    lines = lines or [""]
    return max(_text_px(x) for x in lines), len(lines)


ANCHORED_MOBILITY = 0.25  # an opening-view node moves a quarter as far as another
OPENING_LABEL_ZOOM = 3.0  # the opening view's labels: grown about this much on the page


def _spread(xy: dict[str, list[float]], ids: list[str], radius: list[float],
            labels: list[str], gap: float, rounds: int = 400, max_growth: float = 1.3,
            anchored: set[str] | frozenset = frozenset(), zoom: float = 1.0,
            mobility: float = ANCHORED_MOBILITY, grow_all: bool = False) -> None:
    """Push apart nodes whose boxes overlap (numpy). A node's box is its shape and its
    label under it, as the page draws them (label_box: width and wrapped lines), with
    `gap` pixels between them. Each round moves both nodes of a pair too close apart along
    the axis where they overlap least, by 0.4 of the overlap each; when four rounds no
    longer lessen the overlaps (a crowd pushing both ways), every node moves 4% further
    from the centre, up to `max_growth` in all. The `anchored` nodes (the opening view's)
    move `mobility` times as far as the others, which make way, so the opening view
    keeps about its size on the screen (with `grow_all`, the growth moves them as far as
    the others: at mobility 0 only it parts them). It stops when no two boxes overlap
    (closer than `gap` is allowed) or after `rounds` rounds. `zoom`: labels drawn that
    many times their size (the opening view's grown labels). Only pairs near each other
    are looked at (found again every 8 rounds), so a round costs the number of close
    pairs, not n^2."""
    import numpy as np

    n = len(ids)
    if n < 2:
        return
    P = np.array([xy[i] for i in ids], dtype=np.float64)
    R = np.array(radius, dtype=np.float64)
    boxes = [label_box(t) for t in labels]
    W = np.maximum(R, np.array([w * zoom / 2 for w, _ in boxes])) + gap / 2
    below = np.array([LABEL_BELOW_PX + LABEL_FONT_PX * zoom * k + 2 for _, k in boxes])
    H = R + below / 2 + gap / 2  # from the shape's top to under its label's last line
    C = below / 2  # the box's centre is this far below the node's
    slack = 2 * float(W.max())
    free = np.array([mobility if nid in anchored else 1.0 for nid in ids])
    pairs = None
    best, stale, grown = None, 0, 1.0
    for k in range(rounds):
        if pairs is None or k % 8 == 0:
            pairs = _close_pairs(P[:, 0], P[:, 1] + C, W, H, slack)
            i, j = pairs
            need_x, need_y = W[i] + W[j], H[i] + H[j]
            # each side's share of the 0.8 x overlap a pair parts by: 0.4 each, or less
            # for an anchored node and more for the other
            both = np.maximum(free[i] + free[j], 1e-12)  # two fixed nodes: neither moves
            share_i = 0.8 * free[i] / both
            share_j = 0.8 * free[j] / both
        dx = P[i, 0] - P[j, 0]
        dy = (P[i, 1] + C[i]) - (P[j, 1] + C[j])
        ox = need_x - np.abs(dx)
        oy = need_y - np.abs(dy)
        hit = (ox > 0) & (oy > 0)
        count = int(((ox > gap) & (oy > gap)).sum())  # overlapping, not merely too close
        if count == 0:
            break
        if best is None or count < best * 0.98:
            best, stale = count, 0
        else:
            stale += 1
        if stale >= 4 and grown < max_growth:  # jammed: make room
            centre = P.mean(axis=0)
            P = P + (P - centre) * 0.04 * (1.0 if grow_all else free[:, None])
            grown *= 1.04
            best, stale, pairs = None, 0, None
            continue
        # ties (two nodes on one point) part by index, so the result stays deterministic
        sx = np.where(dx == 0, -1.0, np.sign(dx))
        sy = np.where(dy == 0, -1.0, np.sign(dy))
        push_x = np.where(hit & (ox <= oy), ox, 0.0) * sx
        push_y = np.where(hit & (ox > oy), oy, 0.0) * sy
        P[:, 0] += np.bincount(i, push_x * share_i, n) - np.bincount(j, push_x * share_j, n)
        P[:, 1] += np.bincount(i, push_y * share_i, n) - np.bincount(j, push_y * share_j, n)
    for k, nid in enumerate(ids):
        xy[nid] = [float(P[k, 0]), float(P[k, 1])]


def _close_pairs(x, y, half_w, half_h, slack: float):
    """(i, j) index arrays, i < j, of the boxes (centres x, y; half sizes) that overlap
    or come within `slack` of each other: a sweep along x, in blocks of rows."""
    import numpy as np

    order = np.argsort(x, kind="stable")
    xs, ys, ws, hs = x[order], y[order], half_w[order], half_h[order]
    reach = float(half_w.max()) * 2 + slack
    n, found_i, found_j = len(x), [], []
    # row a meets the rows after it whose x is within `reach` (sorted: a contiguous run)
    ends = np.searchsorted(xs, xs + reach, side="right")
    step = 256
    for a0 in range(0, n, step):
        a = np.arange(a0, min(a0 + step, n))
        top = int(ends[a].max())
        b = np.arange(a0 + 1, max(top, a0 + 1))
        if not len(b):
            continue
        A, B = a[:, None], b[None, :]
        near = (B > A) & (np.abs(xs[B] - xs[A]) < ws[A] + ws[B] + slack) & (
            np.abs(ys[B] - ys[A]) < hs[A] + hs[B] + slack)
        ia, ib = np.nonzero(near)
        found_i.append(order[a[ia]])
        found_j.append(order[b[ib]])
    if not found_i:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    return np.minimum(i, j), np.maximum(i, j)


def sizes_of(proj: Projection, node_ids: list[str], edges: list[EdgeFact]) -> dict[str, float]:
    G = nx.MultiDiGraph()
    G.add_nodes_from(node_ids)
    for e in edges:
        G.add_edge(e.source, e.target, key=e.key)
    return pagerank(simple(G))


def page_data(sem: Semantics, proj: Projection, options: Options | None = None) -> dict:
    """The embedded document for the projection (or the part options.nodes names)."""
    pd = PageData(proj, options)
    blocs = sem.blocs()
    bloc_of = {n: blocs(n) for n in pd.node_ids}
    labels = {n: str(proj.nodes[n].name) for n in pd.node_ids}
    sizes, pos = placed(pd, bloc_of, labels)
    return pd.build(pos, sizes)


def placed(pd: PageData, bloc_of: dict[str, str], labels: dict[str, str]
           ) -> tuple[dict[str, float], dict[str, tuple[int, int]]]:
    """(each node's PageRank size, its position): computed (sizes_of, layout), or read
    back from the cache (kg.analysis.memo) when the same nodes, with the same blocs and
    labels, and the same links, in the same order, with the same options, were laid
    out before by the same code. An edit off the network (a description, a source, a
    quote's words) then neither runs PageRank and the spring layout nor imports scipy."""
    from kg.analysis import centrality

    memo = Memo("explorer", (sys.modules[__name__], centrality),
                packages=("analysis", "explorer"))
    memo.add(pd.opts.seed, pd.opts.show_all)
    if pd.opts.join_seed:
        memo.add("join_seed")
    memo.add_lines((n, bloc_of[n], labels[n]) for n in pd.node_ids)
    memo.add_lines((e.source, e.target) for e in pd.edges)

    def compute() -> dict:
        sizes = sizes_of(pd.proj, pd.node_ids, pd.edges)
        seed_ids = pd.seed([{"id": n, "bloc": bloc_of[n], "size": sizes.get(n, 0.0)}
                            for n in pd.node_ids])
        pos = layout(pd.node_ids, pd.edges, bloc_of, seed_ids, pd.opts.seed, sizes, labels)
        return {"sizes": sizes, "pos": pos}

    def decoded(v: dict):
        if set(v["sizes"]) != set(pd.node_ids):
            raise ValueError("the stored layout is of other nodes")
        return ({n: float(x) for n, x in v["sizes"].items()},
                {n: (int(x), int(y)) for n, (x, y) in v["pos"].items()})

    return memo.get(compute, decoded)
