"""Integrity of the curated data as a whole: links, sources, quotes, no copied prose.

These rules apply to every entity in data/, whoever curated it:

- every entity is linked to at least one other entity beyond its country;
- every sourced fact, claim and assessment has a source, and sources are sources;
- no data file repeats eight consecutive words of a bundled article outside a quote;
- quotes are verbatim: their words stand in the articles they cite.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import REPO
from kg import load_graph
from kg.core.schema import load_schema
from kg.data.loader import YList, YMap, YScalar, load_records
from kg.rdf.stats import stats

SOURCES_DIR = Path(__file__).resolve().parents[2] / "shared" / "sources"
ARTICLE_SOURCES = {
    "bitbiased-2026-12-dimensions": "000",
    "botnews-2026-scorecard": "001",
    "alyosha-2026-01-31-deep-dive": "002",
    "dw-2026-01-24-us-china-ai-race": "003",
    "aiden-gray-2026-ai-race-faster": "004",
}
# Links to these only place an entity; they do not count as its link to the graph.
PLACE_FIELDS = {"country", "citizenship", "jurisdiction"}
# Named in an article only as a cited outlet or as recommended reading. The schema
# has no field for "a source cites / relies on this organisation" (nor a
# `reported_by` on claims for Xinhua, which relayed the Hugging Face download
# data), so nothing in the graph can point at them yet.
CITED_ONLY: dict[str, str] = {}  # id -> why an entity may stand unlinked (none now)
N = 8  # the length of a copied word sequence that counts as a copied sentence


@pytest.fixture(scope="module")
def built():
    return load_graph(REPO / "data")


@pytest.fixture(scope="module")
def schema():
    return load_schema()


def need_articles() -> dict[str, str]:
    if not SOURCES_DIR.is_dir():
        pytest.fail(f"the bundled articles are missing: {SOURCES_DIR}")
    out = {}
    for source_id, prefix in ARTICLE_SOURCES.items():
        files = sorted(SOURCES_DIR.glob(f"{prefix}_*.txt"))
        assert len(files) == 1, f"expected one article {prefix}_*.txt in {SOURCES_DIR}"
        out[source_id] = files[0].read_text(encoding="utf-8")
    return out


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


# -- links -------------------------------------------------------------------
def links(built, schema) -> dict[str, set[str]]:
    """Entity id -> the ids it is linked to (in or out), by any reference but sources.

    A reference through a place field (country, citizenship, jurisdiction) links
    the country to the entity, not the entity to the graph. An organisation
    named as a source's publisher is linked to that source.
    """
    ents = built.entities
    out: dict[str, set[str]] = defaultdict(set)
    for e in ents.values():
        fields = schema.kinds[e.kind].fields
        for name, sts in e.facts.items():
            f = fields.get(name)
            if f is None or name == "sources":
                continue
            for st in sts:
                targets = [st.value] if f.type == "ref" else []
                targets += [v for q, v in st.qualifiers.items() if f.qualifiers[q].type == "ref"]
                for t in targets:
                    if t not in ents or t == e.id:
                        continue
                    out[t].add(e.id)
                    if name not in PLACE_FIELDS:
                        out[e.id].add(t)
    # a source names its publisher as text; an organisation of that name publishes it
    names = {n: e.id for e in ents.values() if e.kind == "organization"
             for n in [e.name, *e.values("aliases")]}
    for e in ents.values():
        if e.kind == "source" and e.first("publisher") in names:
            out[names[e.first("publisher")]].add(e.id)
    return out


def test_every_entity_is_linked_beyond_its_country(built, schema):
    linked = links(built, schema)
    lonely = [f"{e.path}: {e.kind} '{e.id}' is linked to nothing but its country or sources"
              for e in built.entities.values()
              if e.kind not in ("source", "tombstone") and not linked[e.id]
              and e.id not in CITED_ONLY]
    assert not lonely, "\n".join(lonely)


def test_cited_only_exemptions_name_real_entities(built):
    missing = sorted(set(CITED_ONLY) - set(built.entities))
    assert not missing, f"CITED_ONLY names entities that do not exist: {missing}"


def test_links_count_incoming_and_outgoing_but_not_place_fields(built, schema):
    linked = links(built, schema)
    assert "alibaba" in linked["qwen"] and "qwen" in linked["alibaba"]  # developer, both ways
    assert "nvidia" in linked["united-states"]  # the country gains a link from its firm
    assert "united-states" not in linked["nvidia"]  # the firm's own country does not count


# -- sources -----------------------------------------------------------------
def test_every_fact_has_a_source(built, schema):
    ents = built.entities
    problems = []
    for e in ents.values():
        kind = schema.kinds[e.kind]
        if not kind.needs_sources:
            continue
        if not e.sources:
            problems.append(f"{e.path}: {e.kind} '{e.id}' has no sources")
        for name, sts in e.facts.items():
            f = kind.fields.get(name)
            if f is None or not f.sourced:
                continue
            for st in sts:
                srcs = e.sources_of(st)
                if not srcs:
                    problems.append(f"{e.path}:{st.line}: fact '{name}' has no source")
                bad = [s for s in srcs if s not in ents or ents[s].kind != "source"]
                if bad:
                    problems.append(f"{e.path}:{st.line}: fact '{name}' cites non-sources {bad}")
    assert not problems, "\n".join(problems)


def test_every_statement_node_in_the_graph_names_a_source(built):
    q = """
    PREFIX kgo: <https://w3id.org/ai-race-kg/ontology#>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?st WHERE { ?st a kgo:Statement . FILTER NOT EXISTS { ?st prov:wasDerivedFrom ?s } }
    """
    orphans = [str(r.st) for r in built.graph.query(q)]
    assert not orphans, orphans[:20]
    n = len(list(built.graph.query(
        "PREFIX kgo: <https://w3id.org/ai-race-kg/ontology#> "
        "SELECT ?st WHERE { ?st a kgo:Statement }")))
    assert n > 500, f"only {n} statement nodes: has the graph lost its facts?"


def test_every_article_is_a_source_of_many_facts(built):
    per_source = stats(built)["facts_per_source"]
    for source_id in ARTICLE_SOURCES:
        assert per_source.get(source_id, 0) >= 20, (source_id, per_source.get(source_id))


def test_article_sources_name_their_bundled_file(built):
    for source_id, prefix in ARTICLE_SOURCES.items():
        e = built.entities[source_id]
        assert e.kind == "source"
        assert str(e.first("bundled_file")).startswith(prefix + "_")


# -- no copied prose -----------------------------------------------------------
def exempt(kind: str, key: str) -> bool:
    """Fields that may repeat an article's words: quotes, titles, spellings as written."""
    if kind == "quote" and key in ("text", "shortened"):
        return True
    if kind == "source" and key in ("title", "name"):
        return True
    return key in ("as_written", "bundled_file", "url", "archived_url")


def strings(node, key: str, kind: str):
    """(key, text) for every scalar under a top-level field, skipping exempt ones."""
    if exempt(kind, key):
        return
    if isinstance(node, YScalar):
        if not node.is_null:
            yield key, str(node)
    elif isinstance(node, YMap):
        for k, v in node.items():
            # inside a statement, 'value' belongs to the field; other keys are their own
            yield from strings(v, key if k == "value" else k, kind)
    elif isinstance(node, YList):
        for v in node:
            yield from strings(v, key, kind)


def test_no_data_file_copies_eight_words_of_an_article_outside_a_quote():
    articles = need_articles()
    grams: dict[tuple[str, ...], str] = {}
    for source_id, text in articles.items():
        for g in ngrams(words(text)):
            grams.setdefault(g, source_id)
    copied = []
    for rec in load_records(REPO / "data"):
        if rec.data is None:
            continue
        for key, value in rec.data.items():
            for field, text in strings(value, key, rec.kind):
                hits = sorted({" ".join(g) for g in ngrams(words(text)) if g in grams})
                if hits:
                    copied.append(f"{rec.rel}: {field}: '{hits[0]}' is copied from "
                                  f"{grams[tuple(hits[0].split())]}")
    assert not copied, "\n".join(copied)


def test_the_copy_check_catches_a_copied_sentence():
    articles = need_articles()
    dw = articles["dw-2026-01-24-us-china-ai-race"]
    sentence = "Huawei is also unable to produce as many chips as Nvidia"
    assert sentence in dw
    assert ngrams(words(sentence)) & ngrams(words(dw))
    assert not ngrams(words("Huawei is also unable to produce as"))  # seven words
    assert not ngrams(words("Huawei cannot make nearly as many chips as NVIDIA does")) & ngrams(
        words(dw))


# -- quotes are verbatim -----------------------------------------------------------
def carries(article: str, words_: str) -> bool:
    """Whether the article holds the words, each paragraph of them in turn."""
    body = flat(article)
    parts = [flat(p).rstrip(".,").strip('"') for p in words_.split("\n") if p.strip()]
    return all(p in body for p in parts)


def test_quotes_are_verbatim_in_the_articles_that_carry_them(built):
    articles = need_articles()
    problems = []
    for e in built.entities.values():
        if e.kind != "quote":
            continue
        text = e.first("text")
        bundled = [s for s in e.sources if s in articles]
        if not bundled:
            continue
        shortened = {}
        for st in e.facts.get("shortened", []):
            for s in e.sources_of(st):
                shortened.setdefault(s, []).append(st.value)
        in_any = False
        for s in bundled:
            if carries(articles[s], text):
                in_any = True
            elif not any(carries(articles[s], v) for v in shortened.get(s, [])):
                problems.append(f"{e.path}: {s} carries neither the text nor a shortened rendering")
        if not in_any:
            problems.append(f"{e.path}: the text is not verbatim in any of its sources")
        for s, values in shortened.items():
            for v in values:
                if s in articles and not carries(articles[s], v):
                    problems.append(f"{e.path}: shortened '{v[:40]}' is not verbatim in {s}")
    assert not problems, "\n".join(problems)


def test_each_quote_has_a_speaker_entity(built):
    for e in built.entities.values():
        if e.kind == "quote":
            speaker = e.first("speaker")
            assert speaker in built.entities, (e.id, speaker)
            assert built.entities[speaker].kind in ("person", "organization", "policy")


def test_every_quote_in_the_graph_has_one_speaker_and_a_source(built):
    q = """
    PREFIX kgo: <https://w3id.org/ai-race-kg/ontology#>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX schema: <https://schema.org/>
    SELECT ?quote (COUNT(DISTINCT ?speaker) AS ?n) (COUNT(DISTINCT ?src) AS ?m) WHERE {
      ?quote a kgo:Quote .
      OPTIONAL { ?quote schema:spokenByCharacter ?speaker }
      OPTIONAL { ?quote prov:wasDerivedFrom ?src }
    } GROUP BY ?quote
    """
    rows = list(built.graph.query(q))
    assert len(rows) >= 30
    bad = [(str(r.quote), int(r.n), int(r.m)) for r in rows if int(r.n) != 1 or int(r.m) < 1]
    assert not bad, bad


def test_real_data_is_in_canonical_form():
    """Like OBOFoundry's re-dump test: a hand edit that breaks the format names the fix."""
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["fmt", "--check", "--data", str(REPO / "data")])
    assert result.exit_code == 0, result.output + "\nrun `kg fmt` to rewrite them"
