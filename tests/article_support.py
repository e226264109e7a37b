"""What the tests need from the five bundled articles, without the articles.

The articles are others' words and stay out of the repository. What the integrity tests
need from them is committed instead, in tests/fixtures/articles/ (written by
scripts/fingerprint-articles.py from the folder that holds the articles):

- windows/<source-id>.txt: per article, the hash of every normalised eight-word window,
  truncated to 16 hex digits, sorted, one per line. Enough to prove that no data file
  copies eight consecutive words; the words themselves are not stored.
- quotes.json: per quote in data/quote/ that cites a bundled article, the hash of its
  normalised text (and of each shortened rendering) and, per article it cites, whether
  that article carries the text or a shortened rendering: written only after checking
  the words against the articles, so a quote whose text changed since has no record.
- articles.json: per article, its file name, the sha256 of the file as checked and the
  number of words and windows.
- terms/<source-id>.txt: per article, the hash of every normalised run of one to four
  words (a possessive "'s" dropped), the same way: enough to tell whether the article names
  an entity or gives a code ("NVDA", "Santa Clara"), not to read it.

The normalisation here is the one both the script and the tests use.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path

FINGERPRINTS = Path(__file__).resolve().parent / "fixtures" / "articles"
WINDOWS_DIR = FINGERPRINTS / "windows"
TERMS_DIR = FINGERPRINTS / "terms"
QUOTES_FILE = FINGERPRINTS / "quotes.json"
ARTICLES_FILE = FINGERPRINTS / "articles.json"
REVERIFY = ("run `python scripts/fingerprint-articles.py [SOURCES_DIR]` (where the five "
            "articles are) to re-verify against the articles")
N = 8  # the length of a copied word sequence that counts as a copied sentence
TERM_WORDS = 4  # the longest name (in words) the term fingerprints can find
HEX_DIGITS = 16  # 64 bits of sha256 per window: no chance collision among ~10^4 windows


# -- normalisation ---------------------------------------------------------------------------
def fix_mojibake(text: str) -> str:
    """Article 002 is UTF-8 read as cp1252 in places; undo the common cases."""
    return (text.replace("â€”", "—").replace("â€“", "–").replace("â€™", "’")
            .replace("â€œ", "“").replace("â€\x9d", "”"))


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", fix_mojibake(text)).lower()
    text = text.replace("’", "'").replace("‘", "'")
    return re.findall(r"[a-z0-9\u4e00-\u9fff]+(?:'[a-z]+)?", text)


def ngrams(seq: list[str], n: int = N) -> set[tuple[str, ...]]:
    return {tuple(seq[i:i + n]) for i in range(len(seq) - n + 1)}


def flat(text: str) -> str:
    """Whitespace and quotation marks normalised, for verbatim comparison."""
    text = unicodedata.normalize("NFKC", fix_mojibake(text))
    text = re.sub(r"[“”]", '"', text)
    text = re.sub(r"[‘’]", "'", text)
    return re.sub(r"\s+", " ", text).strip()


# -- hashes ------------------------------------------------------------------------------------
def window_hash(window: tuple[str, ...]) -> str:
    return hashlib.sha256(" ".join(window).encode("utf-8")).hexdigest()[:HEX_DIGITS]


def window_hashes(text: str) -> dict[str, tuple[str, ...]]:
    """The hash of every eight-word window of a text -> the window (for messages)."""
    return {window_hash(g): g for g in ngrams(words(text))}


def term_words(text: str) -> list[str]:
    """The words of a text as names are looked up: "Nvidia's" is "nvidia"."""
    return [w[:-2] if w.endswith("'s") else w for w in words(text)]


def term_hashes(text: str) -> set[str]:
    """The hash of every run of one to TERM_WORDS words of a text (terms/<source-id>.txt)."""
    seq = term_words(text)
    return {window_hash(tuple(seq[i:i + n])) for n in range(1, TERM_WORDS + 1)
            for i in range(len(seq) - n + 1)}


def term_hash(name: str) -> str | None:
    """The hash a name has in an article's terms; None for a name longer than TERM_WORDS
    words (or without words), which the terms cannot show."""
    seq = term_words(name)
    return window_hash(tuple(seq)) if 0 < len(seq) <= TERM_WORDS else None


def text_hash(text: str) -> str:
    """A quote's normalised text, hashed whole."""
    return hashlib.sha256(flat(text).encode("utf-8")).hexdigest()


# -- the quote check (run against the articles by the script) --------------------------------
def quote_parts(text: str) -> list[str]:
    """A quote's paragraphs, normalised, without the closing stop and quotation marks."""
    return [flat(p).rstrip(".,").strip('"') for p in text.split("\n") if p.strip()]


def carries(article: str, text: str) -> bool:
    """Whether the article holds the words, each paragraph of them in turn."""
    body = flat(article)
    return all(p in body for p in quote_parts(text))


def quote_facts(entity, bundled: set[str]) -> dict:
    """What a quote record covers, from the data alone: its text's hash, the bundled
    articles it cites and the hash of each shortened rendering, per bundled article."""
    shortened: dict[str, list[str]] = {}
    for st in entity.facts.get("shortened", []):
        for s in entity.sources_of(st):
            if s in bundled:
                shortened.setdefault(s, []).append(text_hash(st.value))
    return {"text": text_hash(entity.first("text")),
            "articles": sorted(s for s in entity.sources if s in bundled),
            "shortened": {s: sorted(v) for s, v in sorted(shortened.items())}}


# -- the committed files -----------------------------------------------------------------------
def read_windows() -> dict[str, set[str]]:
    """source id -> the hashes of its eight-word windows."""
    return {p.stem: set(p.read_text(encoding="ascii").split())
            for p in sorted(WINDOWS_DIR.glob("*.txt"))}


def read_terms() -> dict[str, set[str]]:
    """source id -> the hashes of its runs of one to four words."""
    return {p.stem: set(p.read_text(encoding="ascii").split())
            for p in sorted(TERMS_DIR.glob("*.txt"))}


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def dump_json(data: dict) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
