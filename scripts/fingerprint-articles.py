#!/usr/bin/env python3
"""Check the data against the five bundled articles; write what the tests keep of them.

    python scripts/fingerprint-articles.py [SOURCES_DIR] [--check]

SOURCES_DIR holds the articles, named as the `bundled_file` of each data/source/*.yaml
(default: ../shared/sources beside the repository). The articles are others' words and
are not committed; the tests read only tests/fixtures/articles/ (tests/article_support.py
describes its files), which this script writes:

- per article, the truncated sha256 of every normalised eight-word window, sorted (no
  words): the tests prove with them that no data file copies eight words of an article;
- per article, the same hash of every normalised run of one to four words: the tests tell
  with them whether an article names an entity or gives a code its facts cite it for;
- per quote in data/quote/ citing an article, the hash of its normalised text and
  shortened renderings, and which article carries which, written only when every quote
  is verbatim in the articles it cites: the tests prove with them that every quote was
  checked and has not changed since.

Run it after adding or editing a quote, or when an article changes. It writes nothing and
exits 1 if a quote is not verbatim; --check writes nothing and exits 1 if the committed
files are not what the articles give now.

A limit: anyone who has the article's exact first eight words and a word list could test
guesses for the ninth against the window hashes, and so on. The hashes are not the text,
but they are not a secret either.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from article_support import (  # noqa: E402
    ARTICLES_FILE,
    HEX_DIGITS,
    QUOTES_FILE,
    TERMS_DIR,
    WINDOWS_DIR,
    N,
    carries,
    dump_json,
    ngrams,
    quote_facts,
    term_hashes,
    window_hash,
    words,
)

from kg import load_graph  # noqa: E402

DEFAULT_SOURCES = REPO.parent / "shared" / "sources"


def read_articles(entities, sources_dir: Path) -> tuple[dict[str, str], dict[str, dict]]:
    """source id -> article text, and source id -> its manifest entry."""
    texts, manifest = {}, {}
    for e in sorted(entities.values(), key=lambda e: e.id):
        if e.kind != "source" or not e.first("bundled_file"):
            continue
        path = sources_dir / str(e.first("bundled_file"))
        if not path.is_file():
            sys.exit(f"{e.path}: bundled_file {path.name} is not in {sources_dir}")
        raw = path.read_bytes()
        texts[e.id] = raw.decode("utf-8")
        seq = words(texts[e.id])
        manifest[e.id] = {"file": path.name, "sha256": hashlib.sha256(raw).hexdigest(),
                          "words": len(seq), "windows": len(ngrams(seq))}
    if not texts:
        sys.exit("no data/source/*.yaml names a bundled_file")
    return texts, manifest


def check_quotes(entities, articles: dict[str, str]) -> tuple[dict[str, dict], list[str]]:
    """The record of every quote that cites an article, and every quote that is not
    verbatim (the same rules test_data_integrity.py held when it read the articles)."""
    records, problems = {}, []
    for e in sorted(entities.values(), key=lambda e: e.id):
        if e.kind != "quote":
            continue
        facts = quote_facts(e, set(articles))
        if not facts["articles"]:
            continue
        text = e.first("text")
        shortened: dict[str, list[str]] = {}
        for st in e.facts.get("shortened", []):
            for s in e.sources_of(st):
                if s in articles:
                    shortened.setdefault(s, []).append(st.value)
        carried = {}
        for s in facts["articles"]:
            if carries(articles[s], text):
                carried[s] = "text"
            elif any(carries(articles[s], v) for v in shortened.get(s, [])):
                carried[s] = "shortened"
            else:
                problems.append(f"{e.path}: {s} carries neither the text nor a shortened "
                                "rendering")
        if "text" not in carried.values():
            problems.append(f"{e.path}: the text is not verbatim in any of its sources")
        for s, values in shortened.items():
            problems += [f"{e.path}: shortened '{v[:40]}' is not verbatim in {s}"
                         for v in values if not carries(articles[s], v)]
        records[e.id] = {**facts, "carried": carried}
    return records, problems


def outputs(sources_dir: Path) -> tuple[dict[Path, str], int]:
    """Every file this script writes, with its content, and the number of quotes verified;
    exits on a quote that is not verbatim."""
    entities = load_graph(REPO / "data").entities
    articles, manifest = read_articles(entities, sources_dir)
    records, problems = check_quotes(entities, articles)
    if problems:
        sys.exit("not verbatim, nothing written:\n" + "\n".join(problems))
    files = {WINDOWS_DIR / f"{sid}.txt": "".join(
        f"{h}\n" for h in sorted({window_hash(g) for g in ngrams(words(text))}))
        for sid, text in articles.items()}
    files.update({TERMS_DIR / f"{sid}.txt": "".join(f"{h}\n" for h in sorted(term_hashes(text)))
                  for sid, text in articles.items()})
    files[ARTICLES_FILE] = dump_json({
        "window": N, "hash": f"sha256 of the window's words joined by one space, first "
                             f"{HEX_DIGITS} hex digits", "articles": manifest})
    files[QUOTES_FILE] = dump_json(records)
    return files, len(records)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="?", type=Path, default=DEFAULT_SOURCES,
                        help=f"the folder holding the articles (default {DEFAULT_SOURCES})")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the committed files are out of date")
    args = parser.parse_args()
    if not args.sources.is_dir():
        parser.error(f"{args.sources} is not a folder (where are the five articles?)")
    files, n_quotes = outputs(args.sources)
    stale = sorted(p for d in (WINDOWS_DIR, TERMS_DIR) for p in d.glob("*.txt")
                   if p not in files)
    changed = [p for p, text in files.items()
               if not p.exists() or p.read_text(encoding="utf-8") != text] + stale
    if args.check:
        for p in changed:
            print(f"out of date: {p.relative_to(REPO)}")
        return 1 if changed else 0
    for d in (WINDOWS_DIR, TERMS_DIR):
        d.mkdir(parents=True, exist_ok=True)
    for p in stale:
        p.unlink()
    for p, text in files.items():
        p.write_text(text, encoding="utf-8", newline="\n")
    print(f"{sum(p.parent == WINDOWS_DIR for p in files)} articles fingerprinted, {n_quotes} quotes verified; "
          f"{len(changed)} files changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
