"""Which bloc an entity belongs to: the one rule the explorer's colours, the report's
rankings within blocs and the SPARQL triple kgo:bloc all come from.

Blocs: "us", "china", "multinational", "other". The rule, by kind:

- country: the United States (ISO US) is "us"; China (CN, and HK, MO) is "china";
  every other country or territory (Taiwan included) is "other".
- organisation: its country's bloc; without a country, its parent's bloc (current on
  the date); an international organisation (the UN, the G7, BRICS, the EU) without
  a country is "multinational"; else "other".
- person: the bloc of their current affiliations on the date (the first listed where
  they differ), else of the affiliation that held last before it, else their
  citizenship's, else of the first affiliation known only as of a later day (evidence,
  not a start: Huawei's founder, reported there "as of 2025-03", is not "other" in
  2024), else "other".
- model: its first developer's bloc; chip: its designer's; policy: its jurisdiction's,
  else its first issuer's.
- event: the bloc that all its actors share; actors of several blocs make it
  "multinational"; no actor with a bloc makes it "other".
- quote: its speaker's; figure (claim) and assessment: what it is about (an assessment:
  the leader it names); source, measure, tombstone: "other".
"""

from __future__ import annotations

import datetime as dt
import weakref

from kg.core.model import Entity
from kg.semantics.time import Timeline

BLOCS = ("us", "china", "multinational", "other")
BLOC_LABELS = {"us": "United States", "china": "China", "multinational": "multinational",
               "other": "other"}
# One colour-blind-safe palette (Okabe and Ito) for the blocs, shared by the explorer and
# the report's charts, so a reader who uses both sees the same colours.
BLOC_COLOURS = {"us": "#0072B2", "china": "#D55E00", "multinational": "#009E73",
                "other": "#999999"}
# Every field the rule below reads (by kind, through Blocs._current, _latest and first):
# a bloc can change only on a day one of these fields' statements starts or ends, on the
# entity or on an entity they name. kg.explorer.data reads it to find the days to ask.
RULE_FIELDS = ("country", "parent", "org_type", "iso_code", "affiliation", "citizenship",
               "developer", "designer", "jurisdiction", "issued_by", "actors", "speaker",
               "about", "leader")
# The steps of the rule, as kgo:blocRule and `kg query blocs` name them: the one that gave
# an entity its bloc (a country's is its ISO code; "no rule applies": "other" by default).
RULES = ("ISO code", "country", "parent", "international organisation", "affiliation",
         "last affiliation", "citizenship", "affiliation reported later", "developer",
         "designer", "jurisdiction", "issuer", "actors", "speaker", "about", "leader")
NO_RULE = "no rule applies"
US_CODES = frozenset({"US"})
CHINA_CODES = frozenset({"CN", "HK", "MO"})


class Blocs:
    """bloc(entity_id) on one day, memoised. Unknown ids are "other".

    On a cycle of references (two organisations each the other's parent...) the rule
    reads an entity already being resolved as "other", so a member's bloc would depend
    on which member was asked first, and the graph, the report and the explorer ask in
    different orders. The members of every cycle are therefore resolved first, in id
    order (cycle_members), whatever is asked: the same answers in any order."""

    def __init__(self, timeline: Timeline, day: dt.date):
        self.timeline, self.day = timeline, day
        self.entities = timeline.entities
        # id -> (bloc, the rule that gave it; None: "other" by default, see rule())
        self._memo: dict[str, tuple[str, str | None]] = {}
        for entity_id in cycle_members(timeline):
            self.bloc(entity_id)

    def __call__(self, entity_id: str) -> str:
        return self.bloc(entity_id)

    def bloc(self, entity_id: str, _seen: frozenset = frozenset()) -> str:
        return self._resolve(entity_id, _seen)[0]

    def rule(self, entity_id: str) -> str:
        """Which step of the rule gave the entity its bloc, in words (RULES): "developer"
        for a model, "country" or "parent" for an organisation, "citizenship" for a
        person with no affiliation... ("no rule applies" for an "other" by default).
        The graph carries it (kgo:blocRule) and `kg query blocs` shows it."""
        bloc, rule = self._resolve(entity_id)
        if rule is not None:
            return rule
        # "other" by default: named after the first step whose field has a current value
        # (found only when asked: most entities' rule is never read)
        ent = self.entities.get(entity_id)
        steps = () if ent is None else _STEPS.get(ent.kind, ())
        if ent is not None and ent.kind == "organization" and ent.facts.get("country"):
            steps = steps[:1]
        return next((rule for rule, name, _ in steps
                     if name and self._current(ent, name)), NO_RULE)

    def _resolve(self, entity_id: str,
                 _seen: frozenset = frozenset()) -> tuple[str, str | None]:
        if entity_id in self._memo:
            return self._memo[entity_id]
        ent = self.entities.get(entity_id)
        if ent is None or entity_id in _seen:
            return "other", NO_RULE
        result = self._bloc(ent, _seen | {entity_id})
        self._memo[entity_id] = result
        return result

    def _current(self, ent: Entity, name: str) -> list[str]:
        if name not in ent.facts:
            return []
        return [str(s.value) for s in self.timeline.current(ent, name, self.day)]

    def _first(self, ent: Entity, name: str, seen) -> str | None:
        for target in self._current(ent, name):
            b = self.bloc(target, seen)
            if b != "other":
                return b
        return None

    def _latest(self, ent: Entity, seen) -> str | None:
        """The bloc of the affiliation that held last (a person with none current)."""
        far = dt.date.max
        ranked = []
        for st in ent.facts.get("affiliation", []):
            w = self.timeline.window(ent, "affiliation", st)
            if w.basis != "never" and (w.start or dt.date.min) <= self.day:
                ranked.append((min(w.end or far, self.day), w.start or dt.date.min, str(st.value)))
        for _end, _start, target in sorted(ranked, reverse=True):
            b = self.bloc(target, seen)
            if b != "other":
                return b
        return None

    def _reported_later(self, ent: Entity, seen) -> str | None:
        """The bloc of the earliest affiliation known only as of a day after the date (a
        person with no affiliation held by then and no citizenship): as-of is evidence that
        it held then, not that it began then, so it is the best the data says of before."""
        later = []
        for st in ent.facts.get("affiliation", []):
            w = self.timeline.window(ent, "affiliation", st)
            if w.basis == "as-of" and w.start is not None and w.start > self.day:
                later.append((w.start, str(st.value)))
        for _start, target in sorted(later):
            b = self.bloc(target, seen)
            if b != "other":
                return b
        return None

    def _bloc(self, ent: Entity, seen: frozenset) -> tuple[str, str | None]:
        """(bloc, rule): the first step of the entity's kind that gives a bloc."""
        kind = ent.kind
        if kind == "country":
            code = str(ent.first("iso_code", ""))
            return ("us" if code in US_CODES else "china" if code in CHINA_CODES
                    else "other"), "ISO code"
        steps = _STEPS.get(kind, ())
        if kind == "organization" and ent.facts.get("country"):
            steps = steps[:1]  # an organisation with a country: its country's, or other
        for rule, name, how in steps:
            if how is None:  # the bloc of the field's first current value not "other"
                b = self._first(ent, name, seen)
            elif how == "international":
                b = "multinational" if ent.first("org_type") == "international-organization" \
                    else None
            else:
                b = getattr(self, how)(ent, seen)
            if b:
                return b, rule
        return "other", None  # (its rule: see rule())

    def _actors(self, ent: Entity, seen) -> str | None:
        blocs = {self.bloc(a, seen) for a in self._current(ent, "actors")} - {"other"}
        if len(blocs) == 1:
            return blocs.pop()
        return "multinational" if blocs else None


# The steps of each kind's rule, in order: (rule, the field it reads or None, how: None
# for the bloc of the field's first current value, else a method of Blocs or
# "international"). The first step that gives a bloc other than "other" decides; if none
# does, the bloc is "other" by the first step whose field has a current value (a
# Japanese developer's model: "developer"). A table made once: the blocs of 100k
# entities are found at every build.
_STEPS: dict[str, tuple[tuple[str, str | None, str | None], ...]] = {
    "organization": (("country", "country", None), ("parent", "parent", None),
                     ("international organisation", None, "international")),
    "person": (("affiliation", "affiliation", None), ("last affiliation", None, "_latest"),
               ("citizenship", "citizenship", None),
               ("affiliation reported later", None, "_reported_later")),
    "model": (("developer", "developer", None),),
    "chip": (("designer", "designer", None),),
    "policy": (("jurisdiction", "jurisdiction", None), ("issuer", "issued_by", None)),
    "event": (("actors", "actors", "_actors"),),
    "quote": (("speaker", "speaker", None),),
    "claim": (("about", "about", None),),
    "assessment": (("leader", "leader", None),),
}


_CYCLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Timeline -> its members


def cycle_members(timeline: Timeline) -> list[str]:
    """The ids, sorted, of the entities on a cycle of the references the rule follows
    (RULE_FIELDS values naming an entity, on any date: a superset of any one day's),
    found once per Timeline (Tarjan's strongly connected components, iteratively; a
    list over 100k entities in well under a second)."""
    got = _CYCLES.get(timeline)
    if got is None:
        got = _CYCLES[timeline] = sorted(_on_cycles(_references(timeline)))
    return got


def _references(timeline: Timeline) -> dict[str, list[str]]:
    """entity id -> the ids its rule fields' statements name (all dates)."""
    entities = timeline.entities
    ref_fields = {kind: tuple(n for n in RULE_FIELDS if n in k.fields
                              and k.fields[n].type == "ref")
                  for kind, k in timeline.schema.kinds.items()}
    out: dict[str, list[str]] = {}
    for eid, ent in entities.items():
        facts = ent.facts
        targets = [t for name in ref_fields[ent.kind] if name in facts
                   for st in facts[name] if (t := str(st.value)) in entities]
        if targets:
            out[eid] = targets
    return out


def _on_cycles(graph: dict[str, list[str]]) -> set[str]:
    """The nodes of graph (node -> its successors) that lie on a cycle: the members of
    strongly connected components of two or more nodes, and nodes with a self-loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[str] = set()
    for root in graph:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(graph[root]))]
        while work:
            v, successors = work[-1]
            for w in successors:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(graph.get(w, ()))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    low[u] = min(low[u], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    if len(component) > 1 or v in graph.get(v, ()):
                        found.update(component)
    return found
