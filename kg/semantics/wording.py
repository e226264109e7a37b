"""How a fact reads to a reader: the rules the report, the explorer and `kg query` share.

- dated_change: what a date-valued fact is in a list of changes. A quote's `date` is when
  its words were said or published, so it is "said"; an event whose name says it is
  expected, planned or scheduled ("DeepSeek-V4 release (expected)") has not happened: its
  date is "expected" (the event schema has no status field: its name is the only word
  on it); every other date (a release, an event's date, a rule taking effect) is
  something that "happened". The report's "What changed" (kg.analysis.changes) and
  queries/changes.rq, which tells a quote by its class (the schema's class of each kind
  in SAID_KINDS) and an expected event by the same words in its label (EXPECTED_WORDS,
  as a SPARQL REGEX there), give the same rows.
- short_quote: a quote's words cut to a line, in quotation marks.
- first_clause: a long text (a figure's `context` that runs on into a curator's note)
  cut to its first clause, and to at most `limit` characters.
- short_context: a figure's context as a line beside its value: the first clause that
  does more than restate the value (or its measure), and the clauses that say what is
  not known or left out (a caveat), cut to CONTEXT_LIMIT characters.
- first_report / figure_when: when a figure is from: its period, else the day its
  earliest dated source was published and by whom ("reported 2026-01-24 by DW"), as the
  explorer's figure line and the report's scorecard both say it.
- status_words: a fact's check status as its badge says it (the explorer's badges, the
  report's why-central table); "from article" only when every source is a bundled
  article, "article + 1 other source" when it also cites, say, a 10-K.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from kg.core.model import DateValue, Entity
from kg.semantics.time import first_reported

SAID_KINDS = frozenset({"quote"})
EXPECTED_KINDS = frozenset({"event"})
# the words of an event's name that say it has not happened (yet), as whole words;
# queries/changes.rq writes the same as `(^|[^A-Za-z])(expected|...)([^A-Za-z]|$)`
EXPECTED_WORDS = ("expected", "planned", "scheduled", "upcoming", "forthcoming")
_EXPECTED = re.compile(r"(?i)(?<![a-z])(" + "|".join(EXPECTED_WORDS) + r")(?![a-z])")
QUOTE_LIMIT = 80  # characters of a quote's words in a row of changes
CLAUSE_LIMIT = 100  # characters of a first clause
CONTEXT_LIMIT = 160  # characters of a figure's short context (its first clause and caveats)
STATUS_WORDS = {"from-article": "from article", "checked": "checked", "unchecked": "unchecked"}


def dated_change(kind: str, name: str = "") -> str:
    """The change a date-valued fact of an entity of this kind (and name) makes: "said" for
    a quote's date, "expected" for an event whose name says it is expected, planned or
    scheduled (a fresh user's trial: "DeepSeek-V4 release (expected)" was listed as
    "happened"), "happened" for any other."""
    if kind in SAID_KINDS:
        return "said"
    if kind in EXPECTED_KINDS and _EXPECTED.search(name):
        return "expected"
    return "happened"


def shorten(text: str, limit: int) -> str:
    """text on one line, cut at the last word boundary before `limit` characters with "…"
    (a word longer than the limit is cut inside it)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.—-") + "…"


def short_quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """A quote's words as a reader sees them in a row: “in quotation marks”, cut to `limit`
    characters (shorten)."""
    return f"“{shorten(text, limit)}”"


def first_clause(text: str, limit: int = CLAUSE_LIMIT) -> str:
    """The first clause of a text: up to its first semicolon outside brackets; where that
    is longer than `limit` characters, up to its last comma (outside brackets) that keeps
    it within the limit, else cut at a word (shorten). "inference tasks (text generation,
    chatbot queries, image classification)" stays whole; "observed high-end supercomputer
    capacity worldwide; a different measure from Deep Dive's ..." keeps what comes before
    the semicolon."""
    text = " ".join(str(text).split())
    semis = _outside_brackets(text, ";")
    text = (text[:semis[0]] if semis else text).strip()
    if len(text) <= limit:
        return text
    fits = [i for i in _outside_brackets(text, ",") if i <= limit]
    return text[:fits[-1]] if fits else shorten(text, limit)


def _outside_brackets(text: str, sep: str) -> list[int]:
    """The indexes of `sep` in text outside round and square brackets."""
    out, depth = [], 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch == sep and depth == 0:
            out.append(i)
    return out


def _clauses(text: str) -> list[str]:
    """A text's clauses, on one line: its parts between semicolons outside brackets."""
    text = " ".join(str(text).split())
    cuts = [-1] + _outside_brackets(text, ";") + [len(text)]
    return [c for a, b in itertools.pairwise(cuts) if (c := text[a + 1:b].strip())]


# a clause that says what is not known or given, what a figure leaves out, or how far it
# can be checked (not a curator's cross-reference: "... does not contradict it")
CAVEAT = re.compile(r"\b(?:not (?:given|named|known|stated|dated|said|checked|verified)|"
                    r"no (?:date|year|period|source)|without (?:a |any )?(?:year|date|period)|"
                    r"unknown|unnamed|undated|uncheckable|unverified|excludes?|excluding|"
                    r"could|might|different measure|rather than|(?:worst|slow|rare|extreme) case)\b",
                    re.IGNORECASE)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_LEAD = re.compile(r"^(?:(?:about|around|roughly|nearly|over|more than|at least|up to|some)\s+)?"
                   r"(\d[\d,]*(?:\.\d+)?)(?:\s*(?:to|-|–)\s*\d[\d,]*(?:\.\d+)?)?",
                   re.IGNORECASE)
# words that say nothing of what a figure covers ("in a single year")
_FILLER = frozenset({"a", "an", "the", "in", "of", "on", "for", "at", "to", "by", "per",
                     "one", "single", "each", "and", "its", "it", "is"})


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in _FILLER}


def _unrestated(clause: str, amount: str, measure: str) -> str:
    """The clause without a restatement of the value at its start ("429 GW in a single
    year" for a figure of 429 GW: "in a single year"), "" when nothing is left but the
    value and its measure's words."""
    numbers = {n.replace(",", "") for n in _NUMBER.findall(amount)}
    lead = _LEAD.match(clause)
    if lead is None or lead.group(1).replace(",", "") not in numbers:
        return clause
    rest = clause[lead.end():]
    units = _words(amount)  # "GW", "countries", "months": the amount's own words
    words = rest.split()
    while words and words[0].strip(",.").isalpha() and _words(words[0]) \
            and _words(words[0]) <= units:
        words = words[1:]
    rest = " ".join(words).lstrip(" ,:;—-").strip()
    return "" if _words(rest) <= _words(measure) | units else rest


def short_context(text: str, amount: str = "", measure: str = "",
                  limit: int = CONTEXT_LIMIT) -> str:
    """A figure's context as a line beside its value (amount: the value as the reader sees
    it, "429 GW"; measure: the measure's name): the first clause that does more than
    restate the value (a clause that starts with the value loses it: "3,200 GW, in the
    present tense of a 2026 article" -> "in the present tense of a 2026 article"; "429 GW
    in a single year", for "power capacity added in a year", says nothing more), then
    each later clause that is a caveat (what is not known or given, left out, uncheckable:
    "the year is not given"), within `limit` characters: the first clause is cut (by
    first_clause) to leave room for the caveats, and caveats that still do not fit are left
    out (a journalist's trial: "429 GW (429 GW in a single year)" lost "; the year is not
    given"). "" when the text says nothing more than the value."""
    text = " ".join(str(text).split())
    kept = [c for c in (_unrestated(c, amount, measure) for c in _clauses(text)) if c]
    if not kept:
        return ""
    head, caveats = kept[0], [c for c in kept[1:] if CAVEAT.search(c)]
    while caveats:
        room = limit - len("; ".join(caveats)) - 2
        if room >= min(len(head), 40):
            return "; ".join([first_clause(head, room)] + caveats)
        caveats.pop()
    return first_clause(head, limit if CAVEAT.search(head) else min(limit, CLAUSE_LIMIT))


def first_report(entities: dict[str, Entity], ent: Entity) -> tuple[DateValue | None, str]:
    """The earliest date among ent's sources (kg.semantics.time.first_reported) and the
    publisher of the source with that date ("" when it names none): the day a figure or
    quote without a date of its own is known from. (None, "") when no source has a date."""
    day, first = first_reported(entities, ent.sources)
    if day is None:
        return None, ""
    return day, str(entities[first].first("publisher") or "")


def figure_when(period, reported: DateValue | None = None, publisher: str = "") -> str:
    """When a figure is from, in words: its period ("2026-01"), else when it was reported
    and by whom ("reported 2026-01-24 by DW (Deutsche Welle)"), "" when neither is known
    (a journalist's trial: the scorecard gave "Huawei Ascend 910 ... 60%" with no date
    where the explorer said when DW reported it)."""
    if period:
        return str(period)
    if reported is None:
        return ""
    return f"reported {reported}" + (f" by {publisher}" if publisher else "")


def status_words(entities: dict[str, Entity], status: str, sources: Iterable[str]) -> str:
    """A fact's check status (kg.core.model.check_status: from-article when any source is
    a bundled article) in its badge's words: "from article" when all its sources are
    bundled articles, "article + 1 other source" (or "2 articles + 3 other sources") when
    it cites others too, such as a 10-K; else "checked" or "unchecked" (a journalist's
    trial: a value citing an article and a 10-K said only "from article")."""
    if status != "from-article":
        return STATUS_WORDS.get(status, status)
    known = list(dict.fromkeys(s for s in sources if s in entities))
    articles = sum(1 for s in known if entities[s].first("bundled_file"))
    others = len(known) - articles
    if not others or not articles:
        return STATUS_WORDS[status]
    said = "article" if articles == 1 else f"{articles} articles"
    return f"{said} + {others} other source{'' if others == 1 else 's'}"


__all__ = ["CAVEAT", "CLAUSE_LIMIT", "CONTEXT_LIMIT", "QUOTE_LIMIT", "SAID_KINDS",
           "STATUS_WORDS", "EXPECTED_WORDS", "dated_change", "figure_when", "first_clause", "first_report",
           "short_context", "short_quote", "shorten", "status_words"]
