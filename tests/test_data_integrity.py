"""Integrity of the curated data as a whole: links, sources, quotes, no copied prose.

These rules apply to every entity in data/, whoever curated it:

- every entity is linked to at least one other entity beyond its country;
- every sourced fact, claim and assessment has a source, and sources are sources;
- no data file repeats eight consecutive words of a bundled article outside a quote;
- quotes are verbatim: their words stand in the articles they cite.

The articles themselves are not in the repository: the last two rules read what
scripts/fingerprint-articles.py kept of them in tests/fixtures/articles/ (hashes of every
eight-word window; a record of each quote checked against them), see article_support.py.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from article_support import (
    ARTICLES_FILE,
    HEX_DIGITS,
    QUOTES_FILE,
    REVERIFY,
    TERMS_DIR,
    WINDOWS_DIR,
    ngrams,
    quote_facts,
    read_json,
    read_terms,
    read_windows,
    term_hash,
    text_hash,
    window_hashes,
    words,
)

from conftest import REPO
from kg import load_graph
from kg.core.schema import load_schema
from kg.data.loader import YList, YMap, YScalar, load_records
from kg.rdf.stats import stats

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


@pytest.fixture(scope="module")
def built():
    return load_graph(REPO / "data")


@pytest.fixture(scope="module")
def schema():
    return load_schema()


def per_article(found: dict[str, set[str]], folder) -> dict[str, set[str]]:
    """A fingerprint folder's hashes by source id, which must be the five articles'."""
    assert set(found) == set(ARTICLE_SOURCES), (
        f"{folder} holds {sorted(found)}, not the five articles: {REVERIFY}")
    return found


@pytest.fixture(scope="module")
def windows() -> dict[str, set[str]]:
    """source id -> the hashes of its eight-word windows (tests/fixtures/articles/windows)."""
    return per_article(read_windows(), WINDOWS_DIR)


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


def _names(ent) -> list[str]:
    """An entity's id, name, aliases and names in other languages, in lower case."""
    names = [v for n in ent.values("names") for v in (n.values() if isinstance(n, dict) else [n])]
    return [str(n).lower() for n in [ent.id.replace("-", " "), ent.name, *ent.values("aliases"),
                                     *names] if n]


def test_an_as_written_is_the_source_s_spelling_of_its_statement_s_value(built, schema):
    """A journalist's trial: the Ascend 910C's panel read "fabricated by SMIC ... as written
    in the source: Ascent 910C", as if the source had written SMIC so: `as_written` was on
    the fab statement, whose value (SMIC) the source spells right; the misspelt name is the
    chip's own. A statement's `as_written` is the source's spelling of its value
    (ontology/schema.yaml): for a reference, it reads more like one of the value's names
    than like the entity's own ("Nvida" for NVIDIA on the H200's designer)."""
    from difflib import SequenceMatcher

    def like(text: str, names: list[str]) -> float:
        return max(SequenceMatcher(None, text.lower(), n).ratio() for n in names)

    ents, checked, problems = built.entities, 0, []
    for e in ents.values():
        kind = schema.kinds[e.kind]
        for name, sts in e.facts.items():
            f = kind.fields.get(name)
            for st in sts:
                if not st.as_written or f is None or str(st.value) not in ents:
                    continue
                checked += 1
                value = ents[str(st.value)]
                if like(st.as_written, _names(value)) <= like(st.as_written, _names(e)):
                    problems.append(f"{e.path}:{st.line}: {name}: {st.value} as_written "
                                    f"{st.as_written!r} reads as {e.id}'s name, not {value.id}'s")
    assert checked >= 8 and not problems, "\n".join(problems)


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


# -- a plain field rests on a source that states it -------------------------------
# An entity's `sources` are the default sources of its plain fields, and a fact citing an
# article is badged "from article". No article says Huawei makes telecom gear or phones,
# or that Tencent sells cloud services: those values cite the companies' own publications
# and stay unchecked; the one the articles do state (Huawei's AI chips, Tencent's games
# and social apps) keeps the articles that state it (DW names Tencent only as an H200 buyer).
HUAWEI_ARTICLES = frozenset({"dw-2026-01-24-us-china-ai-race", "alyosha-2026-01-31-deep-dive",
                             "bitbiased-2026-12-dimensions"})
TENCENT_ARTICLES = frozenset({"alyosha-2026-01-31-deep-dive", "botnews-2026-scorecard"})
HUAWEI_REPORT = frozenset({"huawei-annual-report-2024"})


@pytest.mark.parametrize("org, expected", [
    pytest.param("huawei", {
        "telecom": (HUAWEI_REPORT, "unchecked"),
        "consumer-electronics": (HUAWEI_REPORT, "unchecked"),
        "ai-chips": (HUAWEI_ARTICLES, "from-article"),
        "cloud": (HUAWEI_REPORT, "unchecked"),
        "ai-models": (HUAWEI_REPORT, "unchecked"),
    }, id="huawei"),
    pytest.param("tencent", {
        "internet": (TENCENT_ARTICLES, "from-article"),
        "cloud": (frozenset({"tencent-annual-report-2024"}), "unchecked"),
        "ai-models": (frozenset({"tencent-2024-11-hunyuan-large-paper"}), "unchecked"),
    }, id="tencent"),
])
def test_sectors_cite_a_source_that_states_them(built, org, expected):
    q = f"""
    PREFIX kgo: <https://w3id.org/ai-race-kg/ontology#>
    PREFIX kgid: <https://w3id.org/ai-race-kg/id/>
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?sector ?source ?status WHERE {{
      ?st rdf:subject kgid:{org} ; kgo:field "sectors" ; rdf:object ?sector ;
          prov:wasDerivedFrom ?source ; kgo:checkStatus ?status .
    }}"""
    found: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for row in built.graph.query(q):
        srcs, statuses = found[str(row.sector).rsplit("sector-", 1)[-1]]
        srcs.add(str(row.source).rsplit("/", 1)[-1])
        statuses.add(str(row.status).rsplit("check-status-", 1)[-1])
    got = {sector: (frozenset(srcs), status)
           for sector, (srcs, statuses) in found.items() for status in statuses}
    assert got == expected


# A trial found the explorer crediting NVIDIA's "headquarters Santa Clara" and "stock ticker
# NVDA" to "4 articles + 1 other source", and the report crediting BotNews with the H100's
# designer: the entity's `sources` covered fields that only some of them state. No article
# names Santa Clara; only Deep Dive gives NVDA; BotNews names no designer.
NVIDIA_10K = "nvidia-10k-fy2025"
DD = "alyosha-2026-01-31-deep-dive"


def statement_sources(built, entity: str, field: str) -> dict[str, set[str]]:
    """value -> the sources the graph's statement nodes of one entity's field name."""
    q = f"""
    PREFIX kgo: <https://w3id.org/ai-race-kg/ontology#>
    PREFIX kgid: <https://w3id.org/ai-race-kg/id/>
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?value ?source WHERE {{
      ?st rdf:subject kgid:{entity} ; kgo:field "{field}" ; rdf:object ?value ;
          prov:wasDerivedFrom ?source .
    }}"""
    found: dict[str, set[str]] = defaultdict(set)
    for row in built.graph.query(q):
        found[str(row.value).rsplit("/", 1)[-1]].add(str(row.source).rsplit("/", 1)[-1])
    return dict(found)


def test_nvidia_s_headquarters_ticker_and_the_h100_s_designer_cite_who_states_them(built):
    assert statement_sources(built, "nvidia", "headquarters") == {"Santa Clara": {NVIDIA_10K}}
    assert statement_sources(built, "nvidia", "ticker") == {"NVDA": {DD, NVIDIA_10K}}
    assert statement_sources(built, "nvidia", "country") == {
        "united-states": {"dw-2026-01-24-us-china-ai-race", DD, NVIDIA_10K}}
    assert statement_sources(built, "nvidia-h100", "designer") == {"nvidia": {
        "dw-2026-01-24-us-china-ai-race", DD, "bitbiased-2026-12-dimensions"}}
    # the report's why-central and the explorer's edges read the network's edges
    from kg.analysis.network import project

    net = project(built.semantics)
    designer = [e for e in net.edges if (e.source, e.relation) == ("nvidia-h100", "designer")]
    assert [set(e.sources) for e in designer] == [
        {"dw-2026-01-24-us-china-ai-race", DD, "bitbiased-2026-12-dimensions"}]


def test_the_explorer_badges_nvidia_s_headquarters_with_its_10k_only(built):
    from kg.analysis.network import project
    from kg.explorer.data import PageData

    facts = {f["f"]: f["s"] for f in PageData(project(built.semantics)).facts(
        built.entities["nvidia"])}
    (hq,) = facts["headquarters"]
    assert (hq["v"], hq["src"], hq["ck"], hq.get("ckw")) == (
        "Santa Clara", [NVIDIA_10K], "unchecked", None)
    (ticker,) = facts["ticker"]
    assert (ticker["src"], ticker["ckw"]) == ([DD, NVIDIA_10K], "article + 1 other source")


# A reference, code or place an article is cited for is one the article names: the target
# entity by its name or an alias (possessive "'s" aside), a ticker or a city by its words.
# tests/fixtures/articles/terms/ holds the hashes of every run of one to four words of each
# article (scripts/fingerprint-articles.py), so the rule needs no article text. Fields where
# an article may say it in other words (country: "US-based"; issued_by: "Trump" for his
# administration; evidence) are not held to it.
NAMED_FIELDS = frozenset({"designer", "developer", "fab", "partners", "affiliation",
                          "speaker_affiliation", "citizenship", "estimated_by", "ticker",
                          "headquarters"})


@pytest.fixture(scope="module")
def terms() -> dict[str, set[str]]:
    """source id -> the hashes of its runs of one to four words (tests/fixtures/articles/terms)."""
    return per_article(read_terms(), TERMS_DIR)


def unnamed(entities, schema, terms: dict[str, set[str]]) -> list[str]:
    """Every statement of a NAMED_FIELDS field that cites an article not naming its value."""
    found = []
    for e in sorted(entities.values(), key=lambda e: e.id):
        fields = schema.kinds[e.kind].fields if e.kind in schema.kinds else {}
        for name, sts in sorted(e.facts.items()):
            f = fields.get(name)
            if name not in NAMED_FIELDS or f is None:
                continue
            for st in sts:
                target = entities.get(st.value) if f.type == "ref" else None
                said = ([str(target.name), *map(str, target.values("aliases"))]
                        if target is not None else [str(st.value)])
                hashes = {h for h in map(term_hash, said) if h}
                for s in e.sources_of(st):
                    if s in terms and hashes and not hashes & terms[s]:
                        found.append(f"{e.path}: {name} {st.value} cites {s}, which does not "
                                     f"name it ({' / '.join(said)})")
    return found


def test_an_article_cited_for_a_name_or_code_names_it(built, schema, terms):
    found = unnamed(built.entities, schema, terms)
    assert not found, "\n".join(found) + (
        "\ncite only the sources that state it: write the field in long form "
        "(`- value: ...` with its own `sources`)")


def test_the_naming_rule_catches_an_article_credited_with_a_code_it_never_gives(
        schema, terms, make_data):
    from kg import load_graph

    dd = terms[DD]
    assert term_hash("NVDA") in dd and term_hash("Santa Clara") not in dd
    assert term_hash("Nvidia's") == term_hash("NVIDIA")  # a possessive names it too
    bn = ("    id: botnews-2026-scorecard\n    name: BotNews\n    title: BotNews\n"
          "    publisher: BotNews\n    date: 2026\n    source_type: analysis\n"
          "    reliability: low\n    bundled_file: 001.txt\n")
    data = make_data({
        "source/alyosha-2026-01-31-deep-dive.yaml": bn.replace("botnews-2026-scorecard", DD),
        "source/botnews-2026-scorecard.yaml": bn,
        "organization/nvidia.yaml": f"""
            id: nvidia
            name: NVIDIA
            org_type: company
            headquarters: Santa Clara
            ticker: NVDA
            sources: [{DD}, botnews-2026-scorecard]
        """})
    found = unnamed(load_graph(data).entities, schema, terms)
    assert [x.split(": ", 1)[1] for x in found] == [
        f"headquarters Santa Clara cites {DD}, which does not name it (Santa Clara)",
        "headquarters Santa Clara cites botnews-2026-scorecard, which does not name it "
        "(Santa Clara)",
        "ticker NVDA cites botnews-2026-scorecard, which does not name it (NVDA)"]


# A figure about a company that concerns one chip, model or policy (NVIDIA's H20 charges,
# AMD's MI308 charge) names it in `involves`, so a query or panel of the chip finds it: a
# trial found the H20's panel without its figures, which were only `about: nvidia`.
def named_in(text: str, entities) -> set[str]:
    """The chips, models and policies whose name, alias or short name a text contains."""
    found = set()
    for e in entities.values():
        if e.kind in ("chip", "model", "policy"):
            names = [e.name, *e.values("aliases"), *e.values("short_name")]
            if any(re.search(rf"(?<![\w-]){re.escape(str(n))}(?![\w-])", text) for n in names):
                found.add(e.id)
    return found


def test_a_company_s_figure_involves_the_chip_model_or_policy_it_names(built):
    ents = built.entities
    missing = {}
    for c in ents.values():
        about = ents.get(str(c.first("about") or ""))
        if c.kind != "claim" or about is None or about.kind != "organization":
            continue
        named = named_in(f"{c.name} {c.first('context') or ''}", ents)
        if named - set(c.values("involves")):
            missing[c.id] = sorted(named - set(c.values("involves")))
    assert not missing, f"add these to the figures' `involves`: {missing}"


def test_the_h20_and_mi308_charges_involve_the_chips(built):
    q = """
    PREFIX kgo: <https://w3id.org/ai-race-kg/ontology#>
    PREFIX kgid: <https://w3id.org/ai-race-kg/id/>
    SELECT ?claim ?what WHERE {
      ?claim a kgo:Claim ; kgo:involves ?what .
      VALUES ?what { kgid:nvidia-h20 kgid:amd-mi308 kgid:us-h20-licence-requirement-2025-04 }
    }"""
    got = defaultdict(set)
    for row in built.graph.query(q):
        got[str(row.what).rsplit("/", 1)[-1]].add(str(row.claim).rsplit("/", 1)[-1])
    assert got == {
        "nvidia-h20": {"nvidia-h20-expected-charge-2025-04", "nvidia-h20-expected-loss-q2-fy2026",
                       "nvidia-h20-recorded-charge-q1-fy2026", "nvidia-h20-unshipped-q1-fy2026"},
        "amd-mi308": {"amd-mi308-expected-charge-2025-04"},
        "us-h20-licence-requirement-2025-04": {"nvidia-h20-expected-charge-2025-04",
                                               "amd-mi308-expected-charge-2025-04"}}


def test_botnews_s_billions_for_sovereign_ai_carry_no_invented_currency(built):
    """BotNews says only that Saudi Arabia and the UAE are "investing billions": no currency
    and no amount. The graph once said "at least USD 2 billion"; the figures keep the
    least "billions" allows (2 billion, at least) in a unit that names no currency."""
    from kg.analysis.network import project
    from kg.explorer.data import PageData

    page = PageData(project(built.semantics))
    for cid in ("saudi-arabia-sovereign-ai-investment-botnews",
                "uae-sovereign-ai-investment-botnews"):
        c = built.entities[cid]
        assert tuple(c.sources) == ("botnews-2026-scorecard",)
        unit = str(built.entities[str(c.first("measure"))].first("unit"))
        assert unit == "(currency not given)"
        fig = page.claim(cid)
        assert fig["value"] == "at least 2 billion (currency not given)"
        assert "USD" not in fig["value"] and "USD" not in fig.get("context", "")


def test_deep_dive_s_rating_and_its_own_approximate_ascend_figure(built):
    """The bundled metadata rates Deep Dive "medium-low"; the scale has three steps and
    Deep Dive is a digest that names its sources, not opinion, SEO or AI-assisted writing:
    medium, with the reasons in its note. DW gives the Ascend 910 60% of an H100 from
    DeepSeek's tests; Deep Dive "~60%" from no one named: each its own figure, which
    agree (no dispute)."""
    dd = built.entities[DD]
    assert dd.first("reliability") == "medium" and "medium-low" in dd.first("reliability_note")
    dw_fig = built.entities["ascend-910-vs-h100-dw"]
    dd_fig = built.entities["ascend-910-vs-h100-deep-dive"]
    assert tuple(dw_fig.sources) == ("dw-2026-01-24-us-china-ai-race",)
    assert (dw_fig.first("estimated_by"), dw_fig.first("qualifier")) == ("deepseek", None)
    assert tuple(dd_fig.sources) == (DD,)
    assert (dd_fig.first("estimated_by"), dd_fig.first("qualifier")) == (None, "approximately")
    assert {str(f.first("value")) for f in (dw_fig, dd_fig)} == {"60"}
    assert not {dw_fig.id, dd_fig.id} & set(built.semantics.disputed)


def test_deepseek_s_liang_wenfeng_rests_on_a_deepseek_paper_and_stays_unchecked(built):
    """A trial missed DeepSeek's founder. The one primary source here that names him is
    DeepSeek-AI's V3 technical report, which lists him among its authors and gives no
    roles: he is affiliated with DeepSeek as of its date, unchecked, with no role."""
    from kg.analysis.network import project

    liang = built.entities["liang-wenfeng"]
    (st,) = liang.facts["affiliation"]
    assert (st.value, str(st.as_of), st.qualifiers.get("role")) == ("deepseek", "2024-12", None)
    assert tuple(liang.sources_of(st)) == ("deepseek-2024-12-v3-technical-report",)
    edges = [e for e in project(built.semantics).edges if e.source == "liang-wenfeng"]
    assert [(e.target, e.relation, e.status) for e in edges] == [
        ("deepseek", "affiliation", "unchecked")]


def test_a_conditional_is_not_recorded_as_a_figure(built):
    """BitBiased's "if the US cannot maintain a 2-generation hardware advantage" sets a
    condition; it measures no lead. Its figure is withdrawn (a tombstone says why) and
    BitBiased's chip verdict keeps the condition in words only."""
    ents = built.entities
    bb = "bitbiased-2026-12-dimensions"
    leads = [e.id for e in ents.values() if e.kind == "claim"
             and e.first("measure") == "chip-generation-lead" and bb in e.sources]
    assert leads == []
    gone = ents["us-hardware-lead-bitbiased"]
    assert gone.kind == "tombstone" and "condition" in gone.first("withdrawn")
    verdict = ents["bitbiased-chips-china-catching-up"]
    assert "us-hardware-lead-bitbiased" not in verdict.values("evidence")
    assert "condition" in verdict.first("description")


def test_ai_plus_description_is_not_dw_reworded():
    """The AI Plus entry once followed DW's sentence word for word but for two spellings,
    which the eight-word copy check misses: no four words of it may run as in DW's."""
    dw = ("aims to embed AI across multiple sectors like industry, services, health care and "
          "governance as part of economic modernization")
    desc = (REPO / "data" / "policy" / "china-ai-plus-initiative.yaml").read_text()
    desc = desc.split("description:", 1)[1].split("\nsources:", 1)[0]

    def runs(text: str) -> set[tuple[str, ...]]:
        ws = [re.sub(r"is(e|ation)", r"iz\1", w) for w in re.findall(r"[a-z]+", text.lower())]
        ws = ["govern" if w.startswith("govern") else w for w in ws]
        return {tuple(ws[i:i + 4]) for i in range(len(ws) - 3)}

    assert not runs(desc) & runs(dw), sorted(runs(desc) & runs(dw))


def test_every_article_is_a_source_of_many_facts(built):
    per_source = stats(built)["facts_per_source"]
    for source_id in ARTICLE_SOURCES:
        assert per_source.get(source_id, 0) >= 20, (source_id, per_source.get(source_id))


def test_article_sources_name_their_bundled_file(built):
    for source_id, prefix in ARTICLE_SOURCES.items():
        e = built.entities[source_id]
        assert e.kind == "source"
        assert str(e.first("bundled_file")).startswith(prefix + "_")


def test_the_article_fingerprints_are_those_of_the_bundled_files(built, windows):
    manifest = read_json(ARTICLES_FILE)["articles"]
    assert sorted(manifest) == sorted(ARTICLE_SOURCES), REVERIFY
    for source_id, entry in manifest.items():
        assert entry["file"] == built.entities[source_id].first("bundled_file"), (
            f"{source_id} names another bundled_file than the one fingerprinted: {REVERIFY}")
        lines = (WINDOWS_DIR / f"{source_id}.txt").read_text(encoding="ascii").splitlines()
        assert lines == sorted(set(lines)), f"{source_id}: windows not sorted and unique"
        assert len(lines) == entry["windows"] > 1000, (source_id, len(lines), entry)
        assert entry["windows"] <= entry["words"] - 7
        assert all(re.fullmatch(rf"[0-9a-f]{{{HEX_DIGITS}}}", h) for h in lines), source_id


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


def copied(data_dir, windows: dict[str, set[str]]) -> list[str]:
    """Every field of a data file that repeats eight words of an article, outside quotes."""
    owner = {h: source_id for source_id in sorted(windows) for h in windows[source_id]}
    found = []
    for rec in load_records(data_dir):
        if rec.data is None:
            continue
        for key, value in rec.data.items():
            for field, text in strings(value, key, rec.kind):
                hits = sorted((" ".join(g), h) for h, g in window_hashes(text).items()
                              if h in owner)
                if hits:
                    found.append(f"{rec.rel}: {field}: '{hits[0][0]}' is copied from "
                                 f"{owner[hits[0][1]]}")
    return found


def test_no_data_file_copies_eight_words_of_an_article_outside_a_quote(windows):
    found = copied(REPO / "data", windows)
    assert not found, "\n".join(found) + "\nsay it in your own words (or quote it as a quote)"


def test_the_copy_check_catches_a_copied_sentence(windows, make_data):
    dw = windows["dw-2026-01-24-us-china-ai-race"]
    sentence = "Huawei is also unable to produce as many chips as Nvidia"  # DW's words
    assert len(window_hashes(sentence)) == 4 and set(window_hashes(sentence)) <= dw
    assert not ngrams(words("Huawei is also unable to produce as"))  # seven words
    assert not set(window_hashes("Huawei cannot make nearly as many chips as NVIDIA does")) & dw
    data = make_data({"organization/huawei.yaml": f"""
        id: huawei
        name: Huawei
        org_type: company
        country: china
        description: “{sentence.upper()}”, it said.
        sources: [src-a]
    """})
    assert copied(data, windows) == [
        "data/organization/huawei.yaml: description: 'also unable to produce as many chips "
        "as' is copied from dw-2026-01-24-us-china-ai-race"]
    (data / "organization" / "huawei.yaml").unlink()
    assert not copied(data, windows)


# -- quotes are verbatim -----------------------------------------------------------
def quote_record_problems(quotes: list[tuple[str, str, dict]], records: dict) -> list[str]:
    """Each quote (id, file, what it cites and says) against the record made when
    scripts/fingerprint-articles.py checked it against the articles."""
    problems = []
    for qid, path, facts in quotes:
        rec = records.get(qid)
        cited = ", ".join(facts["articles"])
        if rec is None:
            problems.append(f"{path}: quote '{qid}' cites {cited} but was never checked "
                            "against it")
            continue
        if rec["text"] != facts["text"]:
            problems.append(f"{path}: the text changed since it was checked against {cited}")
        if rec["articles"] != facts["articles"]:
            problems.append(f"{path}: cites {cited} but was checked against "
                            f"{', '.join(rec['articles'])}")
        if rec["shortened"] != facts["shortened"]:
            problems.append(f"{path}: a shortened rendering changed since it was checked")
        if sorted(rec["carried"]) != rec["articles"] or "text" not in rec["carried"].values():
            problems.append(f"{path}: the record does not show the text verbatim in an article")
    gone = sorted(set(records) - {qid for qid, _, _ in quotes})
    if gone:
        problems.append(f"{QUOTES_FILE.name} records quotes no longer in data/ (or no longer "
                        f"citing an article): {', '.join(gone)}")
    return problems


def bundled_quotes(built) -> list[tuple[str, str, dict]]:
    quotes = [(e.id, e.path, quote_facts(e, set(ARTICLE_SOURCES)))
              for e in built.entities.values() if e.kind == "quote"]
    return [q for q in quotes if q[2]["articles"]]


def test_quotes_are_verbatim_in_the_articles_that_carry_them(built):
    """Every quote citing an article was found verbatim in it (or shortened as that article
    shortens it) by scripts/fingerprint-articles.py, and has not changed since."""
    quotes = bundled_quotes(built)
    assert len(quotes) >= 30
    problems = quote_record_problems(quotes, read_json(QUOTES_FILE))
    assert not problems, "\n".join(problems) + "\n" + REVERIFY


def test_a_changed_quote_needs_checking_again(built):
    quotes = bundled_quotes(built)
    records = read_json(QUOTES_FILE)
    qid, path, facts = next(q for q in quotes if q[2]["shortened"])
    assert not quote_record_problems([(qid, path, facts)], {qid: records[qid]})
    changed = {**facts, "text": text_hash("A word changed.")}
    assert quote_record_problems([(qid, path, changed)], {qid: records[qid]}) == [
        f"{path}: the text changed since it was checked against {', '.join(facts['articles'])}"]
    more = {**facts, "articles": sorted([*facts["articles"], "botnews-2026-scorecard"])}
    assert "but was checked against" in quote_record_problems([(qid, path, more)], records)[0]
    unrecorded = quote_record_problems([(qid, path, facts)], {})
    assert unrecorded == [f"{path}: quote '{qid}' cites {', '.join(facts['articles'])} but "
                          "was never checked against it"]
    assert "no longer in data/" in quote_record_problems([], {qid: records[qid]})[0]


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


def test_the_government_of_china_is_described_as_its_sources_support(built, terms):
    """A journalist's trial: the Government of China was "headed by President Xi Jinping"
    (data/organization/chinese-government.yaml); the State Council, China's cabinet, is
    headed by the Premier (data/organization/state-council.yaml), and no source it cites
    says who heads it. The description says what they support: the articles speak of
    China's government as "Beijing" (each one it cites names Beijing), and the bodies
    they do name are entities of their own."""
    ent = built.entities["chinese-government"]
    desc = str(ent.first("description"))
    assert desc == ("China's government as the articles speak of it, often as \"Beijing\", "
                    "where they do not name the body that acted; the State Council (the "
                    "cabinet) and the ministries are entities of their own.")
    assert "Beijing" in ent.values("aliases") and "state-council" in built.entities
    assert ent.sources and all(term_hash("Beijing") in terms[s] for s in ent.sources)
