"""How a fact reads to a reader: the rules the report, the explorer and `kg query` share.

- dated_change: what a date-valued fact is in a list of changes. A quote's `date` is when
  its words were said or published, so it is "said"; every other date (a release, an
  event's date, a rule taking effect) is something that "happened". The report's "What
  changed" (kg.analysis.changes) and queries/changes.rq, which tells a quote by its
  class (the schema's class of each kind in SAID_KINDS), give the same rows.
- short_quote: a quote's words cut to a line, in quotation marks.
- first_clause: a long text (a figure's `context` that runs on into a curator's note)
  cut to its first clause, and to at most `limit` characters.
- status_words: a fact's check status as its badge says it (the explorer's badges, the
  report's why-central table); "from article" only when every source is a bundled
  article, "article + 1 other source" when it also cites, say, a 10-K.
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.core.model import Entity

SAID_KINDS = frozenset({"quote"})
QUOTE_LIMIT = 80  # characters of a quote's words in a row of changes
CLAUSE_LIMIT = 100  # characters of a first clause
STATUS_WORDS = {"from-article": "from article", "checked": "checked", "unchecked": "unchecked"}


def dated_change(kind: str) -> str:
    """The change a date-valued fact of an entity of this kind makes: "said" for a quote's
    date, "happened" for any other."""
    return "said" if kind in SAID_KINDS else "happened"


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
    depth, commas = 0, []
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch == ";" and depth == 0:
            text = text[:i]
            break
        elif ch == "," and depth == 0:
            commas.append(i)
    text = text.strip()
    if len(text) <= limit:
        return text
    fits = [i for i in commas if i <= limit]
    return text[:fits[-1]] if fits else shorten(text, limit)


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


__all__ = ["CLAUSE_LIMIT", "QUOTE_LIMIT", "SAID_KINDS", "STATUS_WORDS", "dated_change",
           "first_clause", "short_quote", "shorten", "status_words"]
