"""What a dispute is: the one function behind `disputed-figures`, the explorer's badge and
the report's section.

Two figures (claims) dispute each other when they give the same measure of the same
subject for the same period, against the same comparison (for relative figures), from
different claimants, and their values differ beyond their qualifiers:

- the claimant is who estimated or is credited with the figure (`estimated_by`, else
  `attributed_to` in the source's words), falling back to the sources that carry it;
- the period is the claim's `as_of` at its precision (undated figures form one period);
- a value stands for an interval: exact -> [v, v]; approximately -> [0.9 v, 1.1 v];
  more-than -> (v, inf); at-least -> [v, inf); less-than -> (-inf, v);
  at-most -> (-inf, v]; a range value..upper -> [v, upper]. Two figures differ beyond
  their qualifiers when their intervals do not meet.

A part and its whole, or an initial amount and a total, are two measures: the data
gives them two `measure` entities, so they never meet here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from kg.core.model import Entity, as_decimal_text
from kg.semantics.wording import figure_when, first_report, short_context

APPROX = Decimal("0.1")
# a figure's qualifier as a reader says it before the amount (the report and the explorer)
QUALIFIER_WORDS = {"exact": "", "approximately": "about ", "more-than": "more than ",
                   "less-than": "less than ", "at-least": "at least ", "at-most": "up to "}


# large amounts in words a reader can check at a glance (a journalist's trial: "USD
# 109,000,000,000", "3,200,000,000,000 W" in the scorecard): a scale word for money and
# counts, an SI prefix for physical units, only where the scaled number stays exact with
# at most three decimals
SCALE_WORDS = ((Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"),
               (Decimal(10) ** 6, "million"))
SI_PREFIXES = {  # unit -> the prefixes it takes, largest first, and the unit after a prefix
    "W": ((("G", 9), ("M", 6), ("k", 3)), "W"),  # power capacity is said in GW: "3,200 GW"
    "FLOP/s": ((("E", 18), ("P", 15), ("T", 12), ("G", 9)), "FLOP/s"),
    "byte/s": ((("T", 12), ("G", 9), ("M", 6)), "B/s"),
    "bytes": ((("T", 12), ("G", 9), ("M", 6)), "B"),  # decimal, as vendors say memory: 141 GB
}
SCIENTIFIC_UNITS = {"FLOP"}  # training compute: "3.8 × 10^25 FLOP"
COUNT_UNITS_WITHOUT_SCALE = {"percent", "ratio", "rank", "months"}


def _exact(value: Decimal, scale: Decimal, decimals: int = 3) -> str | None:
    """value / scale as text when it has at most `decimals` decimals, else None."""
    scaled = value / scale
    text = as_decimal_text(scaled)
    return text if len(text.partition(".")[2]) <= decimals else None


def _grouped(text: str) -> str:
    """1234567.5 -> 1,234,567.5 (the whole part in groups of three)."""
    whole, dot, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    return sign + (f"{int(whole):,}" if whole.isdigit() else whole) + dot + frac


def _scaled(value: Decimal, unit: str) -> tuple[str, str] | None:
    """(number, unit) of a large amount said with a scale word or SI prefix, or None to
    write every digit: USD 130.5e9 -> ("130.5 billion", "USD"), 3.2e12 W -> ("3,200", "GW"),
    3.8e25 FLOP -> ("3.8 × 10^25", "FLOP")."""
    size = abs(value)
    if unit in SCIENTIFIC_UNITS and size >= Decimal(10) ** 6:
        exponent = len(str(int(size))) - 1
        mantissa = _exact(value, Decimal(10) ** exponent)
        return (f"{mantissa} × 10^{exponent}", unit) if mantissa else None
    if unit in SI_PREFIXES:
        prefixes, after = SI_PREFIXES[unit]
        for prefix, power in prefixes:
            scale = Decimal(10) ** power
            if size >= scale and (number := _exact(value, scale)):
                return _grouped(number), prefix + after
        return None
    if unit in COUNT_UNITS_WITHOUT_SCALE:
        return None
    for scale, word in SCALE_WORDS:
        if size >= scale and (number := _exact(value, scale)):
            return f"{_grouped(number)} {word}", unit
    return None


def amount_text(value, unit: str) -> str:
    """A figure's number with its unit, as a reader says it (the report and the explorer):
    70 percent -> 70%, 4 ratio -> 4×, 13e9 USD -> USD 13 billion, 130.5e9 USD -> USD 130.5
    billion, 1 rank -> #1, 450000 chips -> 450,000 chips, 2e6 chips -> 2 million chips,
    3.2e12 W -> 3,200 GW, 141e9 bytes -> 141 GB, 4.614e15 FLOP/s -> 4.614 PFLOP/s, 3.8e25 FLOP -> 3.8 × 10^25 FLOP.
    A large amount that a scale word or prefix cannot say exactly with at most three
    decimals (5,576,123 USD) keeps every digit. value: a Decimal, int or its text."""
    text = as_decimal_text(value) if isinstance(value, Decimal) else str(value)
    try:
        scaled = _scaled(Decimal(text), unit)
    except ArithmeticError:  # not a number (a hostile or malformed value): as it is
        scaled = None
    if scaled is not None:
        number, unit = scaled
    else:
        number = _grouped(text)
    if unit == "percent":
        return f"{number}%"
    if unit == "ratio":
        return f"{number}×"
    if unit in ("USD", "EUR"):
        return f"{unit} {number}"
    if unit == "rank":
        return f"#{number}"
    return f"{number} {unit}" if unit and unit != "count" else number
INF = Decimal("Infinity")


@dataclass(frozen=True)
class Bounds:
    low: Decimal
    high: Decimal
    low_open: bool = False
    high_open: bool = False

    def meets(self, other: Bounds) -> bool:
        """Whether the two intervals share a point."""
        def before(a: Bounds, b: Bounds) -> bool:  # a lies wholly below b
            return a.high < b.low or (a.high == b.low and (a.high_open or b.low_open))

        return not (before(self, other) or before(other, self))


def bounds(claim: Entity) -> Bounds:
    """The interval a figure stands for, from its value, upper bound and qualifier."""
    v = Decimal(claim.first("value"))
    upper = claim.first("upper")
    if upper is not None:
        return Bounds(v, Decimal(upper))
    q = claim.first("qualifier") or "exact"
    if q == "approximately":
        d = abs(v) * APPROX
        return Bounds(v - d, v + d)
    if q == "more-than":
        return Bounds(v, INF, low_open=True)
    if q == "at-least":
        return Bounds(v, INF)
    if q == "less-than":
        return Bounds(-INF, v, high_open=True)
    if q == "at-most":
        return Bounds(-INF, v)
    return Bounds(v, v)


def claimant(claim: Entity) -> str:
    """Who stands behind a figure: estimated_by's id, attributed_to's words, else its sources."""
    if claim.first("estimated_by"):
        return str(claim.first("estimated_by"))
    if claim.first("attributed_to"):
        return "«" + str(claim.first("attributed_to")).strip().lower() + "»"
    return "sources:" + ",".join(sorted(claim.sources))


def figure_context(claim: Entity, full: bool = False,
                   entities: dict[str, Entity] | None = None) -> str:
    """What a figure covers, in the data's words (its `context`: "inference tasks (text
    generation, chatbot queries, image classification)"), "" when the data gives none. Shown
    wherever the figure is: the explorer under its value, the report's scorecard beside it
    (a journalist's trial: the scorecard gave the Ascend 910's "60%" of the H100 without
    "on inference tasks", which the explorer showed).

    The data model has no shorter field, and some contexts run on into a curator's notes
    (a journalist's trial: a scorecard cell of 270 characters on permitting times): this
    is kg.semantics.wording.short_context, the first clause that does more than restate the
    value and the caveats after it ("the year is not given"), the value and the measure's
    name read from `entities`; full=True gives the whole text."""
    context = claim.first("context")
    if context is None:
        return ""
    if full:
        return " ".join(str(context).split())
    entities = entities or {}
    measure = entities.get(str(claim.first("measure")))
    unit = str(measure.first("unit") or "") if measure is not None else ""
    amount = " ".join(amount_text(v, unit) for v in (claim.first("value"), claim.first("upper"))
                      if v is not None)
    return short_context(str(context), amount, str(measure.name) if measure is not None else "")


def figure_time(entities: dict[str, Entity], claim: Entity) -> str:
    """When a figure is from, in words (kg.semantics.wording.figure_when): its period, else
    when its earliest dated source reported it and who published that."""
    period = claim.first("as_of")
    if period is not None:
        return figure_when(period)
    return figure_when(None, *first_report(entities, claim))


def comparable_key(claim: Entity) -> tuple[str, str, str, str]:
    """(about, measure, period, compared_with): figures with one key measure one thing."""
    as_of = claim.first("as_of")
    return (str(claim.first("about")), str(claim.first("measure")),
            str(as_of) if as_of is not None else "",
            str(claim.first("compared_with") or ""))


@dataclass(frozen=True)
class Dispute:
    """Figures of one measure of one subject for one period that disagree.

    claims: every figure of that key (sorted by value, then id); pairs: the (id, id)
    pairs from different claimants whose values do not meet.
    """

    about: str
    measure: str
    period: str
    compared_with: str
    claims: tuple[Entity, ...]
    pairs: tuple[tuple[str, str], ...]

    @property
    def claim_ids(self) -> list[str]:
        return [c.id for c in self.claims]


def disputes(entities: dict[str, Entity]) -> list[Dispute]:
    """Every dispute among the claims in `entities`, sorted by (about, measure, period)."""
    groups: dict[tuple, list[Entity]] = {}
    for ent in entities.values():
        if ent.kind == "claim" and ent.first("value") is not None:
            groups.setdefault(comparable_key(ent), []).append(ent)
    out = []
    for key, claims in sorted(groups.items()):
        if len(claims) < 2:
            continue
        claims.sort(key=lambda c: (Decimal(c.first("value")), c.id))
        pairs = []
        for i, a in enumerate(claims):
            for b in claims[i + 1:]:
                if claimant(a) != claimant(b) and not bounds(a).meets(bounds(b)):
                    pairs.append((a.id, b.id))
        if pairs:
            out.append(Dispute(*key, claims=tuple(claims), pairs=tuple(pairs)))
    return out


def disputed_claim_ids(entities: dict[str, Entity]) -> set[str]:
    """The ids of figures that take part in a dispute."""
    return {cid for d in disputes(entities) for pair in d.pairs for cid in pair}


# a relative measure's name may end on its other term in general words ("performance
# relative to another chip", "model capability relative to the leaders"): a figure's
# compared_with names it
GENERAL_OTHER = re.compile(r"\b(another [a-z]+|the leaders)$")


def relative_head(measure_name: str) -> str:
    """The words a relative figure's measure says before what the figure is compared with:
    the name without its general other term ("performance relative to another chip" ->
    "performance relative to "), else the name and ", compared with " ("lag behind the
    frontier of model capability, compared with "). One rule for the report and the
    explorer (each puts the compared entity's name after it; the explorer as a link)."""
    m = GENERAL_OTHER.search(measure_name)
    return measure_name[:m.start()] if m else f"{measure_name}, compared with "
