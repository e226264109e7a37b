"""Links a reader can open for a source: its own URL, its archived copy, and resolver links
derived from standard identifiers (marked as derived, never stored as the source's URL).

Resolvers (the identifier fields of the `source` kind in ontology/schema.yaml):
- arxiv   -> https://arxiv.org/abs/<id>
- doi     -> https://doi.org/<doi>
- fr_doc  -> https://www.federalregister.gov/d/<document number>
- celex   -> https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:<number>
An SEC accession number (it needs the filer's CIK, which the data does not hold) and a
Federal Register citation have no stable resolver: they are shown as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from kg.core.model import Entity

RESOLVERS = {
    "arxiv": "https://arxiv.org/abs/{}",
    "doi": "https://doi.org/{}",
    "fr_doc": "https://www.federalregister.gov/d/{}",
    "celex": "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{}",
}
IDENTIFIER_FIELDS = ("arxiv", "doi", "fr_doc", "fr_citation", "sec_accession", "celex")
IDENTIFIER_LABELS = {"arxiv": "arXiv", "doi": "DOI", "fr_doc": "Federal Register document",
                     "fr_citation": "Federal Register citation",
                     "sec_accession": "SEC accession number", "celex": "CELEX"}


@dataclass(frozen=True)
class Link:
    """url: an http(s) address; label: what it is; derived_from: the identifier field it was
    derived from by the rule above (None: the source's own URL or archived copy)."""

    url: str
    label: str
    derived_from: str | None = None


def safe_url(url) -> str | None:
    """Only http(s) URLs become links; anything else (javascript:, data:) stays text.
    Returns the address stripped, or None."""
    text = str(url or "").strip()
    low = text.lower()
    return text if low.startswith("http://") or low.startswith("https://") else None


def identifiers(source: Entity) -> list[tuple[str, str]]:
    """(field, value) of every standard identifier the source carries, in field order."""
    return [(f, str(source.first(f))) for f in IDENTIFIER_FIELDS if source.first(f)]


def unlinked_identifiers(source: Entity, link_labels) -> list[tuple[str, str]]:
    """(label, value) of each identifier of the source that none of the links shown
    beside it names (a derived link's label is "<label> <value>"): shown as text, so a
    reader has it even where no resolver exists (an SEC accession number) or where the
    source's own page is the resolver's (an arXiv id). One rule for the explorer's source
    list and the report's Sources."""
    named = set(link_labels)
    return [(IDENTIFIER_LABELS[f], v) for f, v in identifiers(source)
            if f"{IDENTIFIER_LABELS[f]} {v}" not in named]


def derived_links(source: Entity) -> list[Link]:
    out = []
    for name, value in identifiers(source):
        if name in RESOLVERS:
            url = RESOLVERS[name].format(quote(value, safe="/:;()._-"))
            out.append(Link(url, f"{IDENTIFIER_LABELS[name]} {value}", name))
    return out


def source_links(source: Entity) -> list[Link]:
    """Every link a reader can open: the URL, the archived copy, then the derived ones."""
    out = []
    if source.first("url"):
        out.append(Link(str(source.first("url")), "web page"))
    if source.first("archived_url"):
        out.append(Link(str(source.first("archived_url")), "archived copy"))
    return out + derived_links(source)


FINDABILITY = ("link", "identifier", "bundled", "none")
FINDABILITY_WORDS = {"link": "a link a reader can open",
                     "identifier": "only an identifier with no resolver link",
                     "bundled": "a bundled article (its text ships with the project)",
                     "none": "nothing to find them by"}


def findability(source: Entity) -> str:
    """How a reader can find the source, the first that applies (FINDABILITY):
    "link" (a URL, an archived copy or a resolver link: source_links), "identifier" (an
    identifier with no resolver, e.g. an SEC accession number), "bundled" (a bundled
    article) or "none". One partition for `kg stats`, the report and `kg lint`, so that
    their counts add up to the number of sources."""
    if source_links(source):
        return "link"
    if identifiers(source):
        return "identifier"
    return "bundled" if source.first("bundled_file") else "none"


def can_be_opened(source: Entity) -> bool:
    """A link, an identifier, or a bundled article: a reader or maintainer can find it."""
    return findability(source) != "none"
