"""Checklist of landscape facts (issue 4), with hand-written expected values.

Each row states one fact of public record as a curator checked it against its
primary source: a model's developer, release date, weights and size; a chip's
designer, foundry and memory; a rule's issuing body and dates; a chip's US
export status on a given day and the rule that set it; a supply-chain link; a
sourced figure. A later edit that breaks one of them fails here, by name.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kg import load_graph

KGO = "https://w3id.org/ai-race-kg/ontology#"
KGID = "https://w3id.org/ai-race-kg/id/"


@pytest.fixture(scope="module")
def built():
    return load_graph()


@pytest.fixture(scope="module")
def ents(built):
    return built.entities


def vals(ents, eid: str, field: str) -> list[str]:
    """The values of one field of one entity, as text (ids, enum values, dates, numbers)."""
    assert eid in ents, f"{eid} is missing from the graph"
    out = []
    for v in ents[eid].values(field):
        if isinstance(v, Decimal):
            v = format(v.normalize(), "f")
        out.append(str(v))
    return out


def one(ents, eid: str, field: str) -> str:
    got = vals(ents, eid, field)
    assert got, f"{eid} has no {field}"
    return got[0]


def holds_on(st, day: date) -> bool:
    """Whether a from/to statement covers a day; as_of-only and timeless statements do not."""
    if st.valid_from is None and st.valid_to is None:
        return False
    return ((st.valid_from is None or st.valid_from.start <= day)
            and (st.valid_to is None or day <= st.valid_to.end))


def status_on(ents, chip: str, day: date) -> set[tuple[str, str | None]]:
    return {(str(st.value), st.qualifiers.get("by"))
            for st in ents[chip].facts.get("export_status", []) if holds_on(st, day)}


# -- models: developer, release date (at the precision known), weights, size ----
MODELS = [
    # id, developer, released, weights, parameters, active parameters
    pytest.param("deepseek-v3", "deepseek", "2024-12", "open", 671_000_000_000, 37_000_000_000,
                 id="deepseek-v3"),
    pytest.param("deepseek-r1", "deepseek", "2025-01-20", "open", 671_000_000_000, 37_000_000_000,
                 id="deepseek-r1"),
    pytest.param("deepseek-v2", "deepseek", "2024-05", "open", 236_000_000_000, 21_000_000_000,
                 id="deepseek-v2"),
    pytest.param("chatgpt", "openai", "2022-11-30", "closed", None, None, id="chatgpt"),
    pytest.param("gpt-4", "openai", "2023-03-14", "closed", None, None, id="gpt-4"),
    pytest.param("gpt-4o", "openai", "2024-05-13", "closed", None, None, id="gpt-4o"),
    pytest.param("gpt-oss-120b", "openai", "2025-08-05", "open", 117_000_000_000, 5_100_000_000,
                 id="gpt-oss-120b"),
    pytest.param("claude-3-5-sonnet", "anthropic", "2024-06-20", "closed", None, None,
                 id="claude-3-5-sonnet"),
    pytest.param("gemini-2-5-pro", "google", "2025-03-25", "closed", None, None,
                 id="gemini-2-5-pro"),
    pytest.param("llama-3", "meta", "2024-04-18", "open", None, None, id="llama-3"),
    pytest.param("llama-3-1-405b", "meta", "2024-07-23", "open", 405_000_000_000, None,
                 id="llama-3-1-405b"),
    pytest.param("llama-4-maverick", "meta", "2025-04-05", "open", 400_000_000_000,
                 17_000_000_000, id="llama-4-maverick"),
    pytest.param("mixtral-8x7b", "mistral-ai", "2023-12", "open", 46_700_000_000,
                 12_900_000_000, id="mixtral-8x7b"),
    pytest.param("qwen3-235b-a22b", "alibaba", "2025-04", "open", 235_000_000_000,
                 22_000_000_000, id="qwen3-235b-a22b"),
    pytest.param("qwen2-5-max", "alibaba", "2025-01-28", "closed", None, None, id="qwen2-5-max"),
    pytest.param("kimi-k2", "moonshot-ai", "2025-07", "open", 1_000_000_000_000, 32_000_000_000,
                 id="kimi-k2"),
    pytest.param("glm-4-5", "zhipu-ai", "2025-07", "open", 355_000_000_000, 32_000_000_000,
                 id="glm-4-5"),
    pytest.param("minimax-m2", "minimax", "2025-10-27", "open", 230_000_000_000, 10_000_000_000,
                 id="minimax-m2"),
    pytest.param("hunyuan-large", "tencent", "2024-11", "open", 389_000_000_000, 52_000_000_000,
                 id="hunyuan-large"),
    pytest.param("falcon-180b", "technology-innovation-institute", "2023-09", "open",
                 180_000_000_000, None, id="falcon-180b"),
]


@pytest.mark.parametrize("mid, developer, released, weights, params, active", MODELS)
def test_model_facts(ents, mid, developer, released, weights, params, active):
    assert developer in vals(ents, mid, "developer")
    assert released in vals(ents, mid, "released"), vals(ents, mid, "released")
    assert weights in vals(ents, mid, "weights")
    if params is not None:
        assert str(params) in vals(ents, mid, "parameters")
    if active is not None:
        assert str(active) in vals(ents, mid, "active_parameters")


def test_deepseek_v3_trained_on_2048_h800(ents):
    sts = ents["deepseek-v3"].facts["trained_on"]
    assert ("nvidia-h800", 2048) in {(s.value, s.qualifiers.get("quantity")) for s in sts}


def test_deepseek_r1_base_model_is_v3(ents):
    assert vals(ents, "deepseek-r1", "base_model") == ["deepseek-v3"]


@pytest.mark.parametrize("mid, paper", [("deepseek-v3", "deepseek-2024-12-v3-technical-report"),
                                        ("deepseek-r1", "deepseek-2025-01-r1-paper")])
def test_deepseek_models_developer_cites_deepseeks_own_paper(ents, mid, paper):
    """A journalist's trial: "DeepSeek-V3 developer -> DeepSeek" rested only on BitBiased
    (low reliability), so the report's robustness ranking dropped DeepSeek's main link,
    though DeepSeek's own paper, cited in the same file, says who made the model."""
    (st,) = ents[mid].facts["developer"]
    assert st.value == "deepseek"
    assert set(st.sources) == {paper, "bitbiased-2026-12-dimensions"}


def test_h20_licence_requirement_ends_on_the_source_that_says_so(ents):
    """A journalist's trial: "What changed" credited the end of the H20's licence
    requirement in August 2025 to NVIDIA's 8-K of April 2025 alone."""
    (st,) = [s for s in ents["nvidia-h20"].facts["export_status"]
             if s.value == "licence-required"]
    assert str(st.valid_to).startswith("2025-08")
    assert set(st.sources) == {"nvidia-8k-2025-04-15", "nvidia-2025-08-27-q2-fy2026-results"}


def test_model_developers_are_in_the_right_bloc(ents):
    """The country of a model's developer answers 'which country released it'."""
    for mid, country in [("deepseek-v3", "china"), ("kimi-k2", "china"), ("glm-4-5", "china"),
                         ("gpt-oss-120b", "united-states"), ("claude-opus-4", "united-states"),
                         ("mistral-large-2", "france")]:
        dev = one(ents, mid, "developer")
        assert country in vals(ents, dev, "country"), (mid, dev)


# -- chips: designer, foundry, memory --------------------------------------------
CHIPS = [
    # id, designer, fab, memory bytes, memory type
    pytest.param("nvidia-h100", "nvidia", "tsmc", 80_000_000_000, "HBM3", id="h100"),
    pytest.param("nvidia-h200", "nvidia", None, 141_000_000_000, "HBM3e", id="h200"),
    pytest.param("nvidia-b200", "nvidia", "tsmc", None, "HBM3e", id="b200"),
    pytest.param("nvidia-a100", "nvidia", None, 40_000_000_000, "HBM2", id="a100"),
    pytest.param("nvidia-b300", "nvidia", None, 288_000_000_000, "HBM3e", id="b300"),
    pytest.param("amd-mi300x", "amd", None, 192_000_000_000, "HBM3", id="mi300x"),
    pytest.param("intel-gaudi-3", "intel", None, 128_000_000_000, "HBM2e", id="gaudi-3"),
    pytest.param("google-tpu-v5p", "google", None, 95_000_000_000, None, id="tpu-v5p"),
    pytest.param("google-ironwood", "google", None, 192_000_000_000, None, id="ironwood"),
    pytest.param("huawei-ascend-910b", "huawei", "tsmc", None, None, id="ascend-910b"),
]


@pytest.mark.parametrize("cid, designer, fab, memory, memory_type", CHIPS)
def test_chip_facts(ents, cid, designer, fab, memory, memory_type):
    assert vals(ents, cid, "designer") == [designer]
    if fab:
        assert fab in vals(ents, cid, "fab")
    if memory:
        assert str(memory) in vals(ents, cid, "memory_bytes")
    if memory_type:
        assert memory_type in vals(ents, cid, "memory_type")


def test_h100_spec_sheet(ents):
    assert vals(ents, "nvidia-h100", "process_node_nm") == ["4"]
    assert vals(ents, "nvidia-h100", "memory_bandwidth") == ["3350000000000"]
    assert vals(ents, "nvidia-h100", "tdp_w") == ["700"]
    assert vals(ents, "nvidia-h100", "released") == ["2022-03"]
    assert vals(ents, "nvidia-h200", "memory_bandwidth") == ["4800000000000"]


@pytest.mark.parametrize("cid, variant_of, family", [
    pytest.param("nvidia-h800", "nvidia-h100", "nvidia-hopper", id="h800"),
    pytest.param("nvidia-a800", "nvidia-a100", "nvidia-ampere", id="a800"),
    pytest.param("nvidia-h20", None, "nvidia-hopper", id="h20"),
    pytest.param("amd-mi308", None, None, id="mi308"),
])
def test_china_market_versions(ents, cid, variant_of, family):
    assert vals(ents, cid, "market") == ["china"]
    if variant_of:
        assert vals(ents, cid, "variant_of") == [variant_of]
    if family:
        assert vals(ents, cid, "family") == [family]


# -- export status on a day, and the rule that set it ----------------------------
EXPORT_STATUS = [
    # chip, day, expected (status, set by); by None = any statement with that status
    pytest.param("nvidia-a100", date(2022, 7, 1), ("unrestricted", None), id="a100-before-aug-2022"),
    pytest.param("nvidia-a100", date(2022, 9, 15),
                 ("licence-required", "us-a100-h100-licence-requirement-2022-08"),
                 id="a100-aug-2022-notice"),
    pytest.param("nvidia-a100", date(2022, 11, 1),
                 ("licence-required", "us-bis-advanced-computing-rule-2022-10"),
                 id="a100-oct-2022-rule"),
    pytest.param("nvidia-h100", date(2022, 11, 1),
                 ("licence-required", "us-bis-advanced-computing-rule-2022-10"),
                 id="h100-oct-2022-rule"),
    pytest.param("nvidia-h800", date(2023, 6, 1), ("unrestricted", None), id="h800-mid-2023"),
    pytest.param("nvidia-h800", date(2024, 1, 1),
                 ("licence-required", "us-bis-advanced-computing-rule-2023-10"),
                 id="h800-oct-2023-rule"),
    pytest.param("nvidia-a800", date(2024, 1, 1),
                 ("licence-required", "us-bis-advanced-computing-rule-2023-10"),
                 id="a800-oct-2023-rule"),
    pytest.param("nvidia-l40s", date(2024, 1, 1),
                 ("licence-required", "us-bis-advanced-computing-rule-2023-10"),
                 id="l40s-oct-2023-rule"),
    pytest.param("nvidia-h20", date(2024, 10, 1), ("unrestricted", None), id="h20-2024"),
    pytest.param("nvidia-h20", date(2025, 5, 1),
                 ("licence-required", "us-h20-licence-requirement-2025-04"), id="h20-apr-2025"),
    pytest.param("amd-mi308", date(2025, 5, 1),
                 ("licence-required", "us-h20-licence-requirement-2025-04"), id="mi308-apr-2025"),
    pytest.param("nvidia-h200", date(2026, 1, 15),
                 ("allowed-vetted-buyers", "us-h200-export-decision-2025-12"),
                 id="h200-dec-2025-decision"),
]


@pytest.mark.parametrize("chip, day, expected", EXPORT_STATUS)
def test_export_status_on_day(ents, chip, day, expected):
    got = status_on(ents, chip, day)
    status, by = expected
    if by is None:
        assert status in {s for s, _ in got}, got
    else:
        assert (status, by) in got, got
    if status == "unrestricted":
        assert {s for s, _ in got} == {"unrestricted"}, f"{chip} both free and restricted: {got}"


def test_export_status_sparql_a100_timeline(built):
    """The same timeline read through SPARQL: status, rule and issuing body, in order."""
    q = f"""
    PREFIX kgo: <{KGO}>
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    SELECT ?status ?rule ?from WHERE {{
      ?st rdf:subject <{KGID}nvidia-a100> ; kgo:field "export_status" ;
          rdf:object ?status ; kgo:validFrom ?from ; kgo:by ?rule .
    }} ORDER BY ?from ?rule"""
    rows = [(str(s).rsplit("#export-status-", 1)[-1], str(r).rsplit("/", 1)[-1], str(f)[:7])
            for s, r, f in built.graph.query(q)]
    assert {s for s, _, _ in rows} == {"licence-required"}, rows
    rules = [r for _, r, _ in rows]
    assert rules == ["us-a100-h100-licence-requirement-2022-08",
                     "us-bis-advanced-computing-rule-2022-10",
                     "us-bis-advanced-computing-rule-2023-10"], rows
    assert [f for _, _, f in rows] == ["2022-08", "2022-10", "2023-10"]


# -- rules, plans and decisions: issuing body and dates --------------------------
POLICIES = [
    # id, an issuing body, announced, in force from
    pytest.param("us-bis-advanced-computing-rule-2022-10", "bis", "2022-10-07", "2022-10-07",
                 id="bis-oct-2022"),
    pytest.param("us-bis-advanced-computing-rule-2023-10", "bis", "2023-10-17", "2023-10-23",
                 id="bis-oct-2023"),
    pytest.param("us-bis-advanced-computing-rule-2024-12", "bis", "2024-12-02", "2024-12-02",
                 id="bis-dec-2024-hbm"),
    pytest.param("us-bis-ai-diffusion-rule-2025-01", "bis", "2025-01-13", "2025-01-13",
                 id="ai-diffusion"),
    pytest.param("us-bis-entity-list-2022-12", "bis", "2022-12-15", "2022-12-16",
                 id="entity-list-dec-2022"),
    pytest.param("us-h20-licence-requirement-2025-04", None, "2025-04-09", "2025-04-09",
                 id="h20-licence-requirement"),
    pytest.param("us-chips-and-science-act-2022", "us-congress", None, "2022-08-09",
                 id="chips-act"),
    pytest.param("us-eo-14110-2023", "biden-administration", "2023-10-30", "2023-10-30",
                 id="eo-14110"),
    pytest.param("china-generative-ai-interim-measures-2023", "cyberspace-administration-of-china",
                 "2023-07-13", "2023-08-15", id="china-genai-measures"),
    pytest.param("china-ai-content-labelling-measures-2025", "cyberspace-administration-of-china",
                 "2025-03", "2025-09-01", id="china-ai-labelling"),
    pytest.param("china-deep-synthesis-provisions-2022", "cyberspace-administration-of-china",
                 "2022-12", "2023-01-10", id="china-deep-synthesis"),
    pytest.param("china-ai-plus-opinions-2025", "state-council", "2025-08", None,
                 id="china-ai-plus-opinions"),
    pytest.param("china-ai-plus-initiative", "state-council", "2024-03-05", None,
                 id="china-ai-plus-launch"),
    pytest.param("china-gallium-germanium-export-controls-2023", "ministry-of-commerce-china",
                 "2023-07-03", "2023-08-01", id="china-gallium-germanium"),
    pytest.param("eu-ai-act", "european-parliament", "2024-07-12", "2024-08-01", id="eu-ai-act"),
    pytest.param("netherlands-semiconductor-equipment-export-controls-2023",
                 "netherlands-government", "2023-06-30", "2023-09-01", id="dutch-controls"),
    pytest.param("japan-semiconductor-equipment-export-controls-2023", "meti", "2023-05",
                 "2023-07-23", id="japan-controls"),
]


@pytest.mark.parametrize("pid, issuer, announced, effective", POLICIES)
def test_policy_facts(ents, pid, issuer, announced, effective):
    if issuer:
        assert issuer in vals(ents, pid, "issued_by")
    if announced:
        assert announced in vals(ents, pid, "announced")
    if effective:
        assert effective in vals(ents, pid, "effective")


def test_generative_ai_measures_have_seven_issuers(ents):
    issuers = set(vals(ents, "china-generative-ai-interim-measures-2023", "issued_by"))
    assert {"cyberspace-administration-of-china", "ndrc", "ministry-of-education-china",
            "ministry-of-science-and-technology-china", "miit",
            "ministry-of-public-security-china", "nrta"} <= issuers


def test_ai_diffusion_rule_rescission_announced_not_formal(ents):
    """BIS announced the rescission on 2025-05-13 and stopped enforcing the rule; that
    announcement is a decision of its own, not a formal `rescinded` date of the rule."""
    rule = "us-bis-ai-diffusion-rule-2025-01"
    assert vals(ents, rule, "rescinded") == []
    current = [s.value for s in ents[rule].facts["status"] if s.valid_to is None]
    assert current == ["not-in-force"]
    decision = "us-bis-ai-diffusion-rescission-2025-05"
    assert rule in vals(ents, decision, "amends")
    assert vals(ents, decision, "announced") == ["2025-05-13"]


# -- dates a query would misread (issue 14) --------------------------------------
def test_october_2023_rule_effective_at_once_for_nvidia_chips(ents):
    rule = "us-bis-advanced-computing-rule-2023-10"
    assert vals(ents, rule, "effective") == ["2023-10-23"]
    for chip in ["nvidia-a100", "nvidia-a800", "nvidia-h100", "nvidia-h800", "nvidia-l40s"]:
        got = status_on(ents, chip, date(2023, 10, 23))
        assert ("licence-required", rule) in got, (chip, got)
    assert ("licence-required", rule) not in status_on(ents, "nvidia-h800", date(2023, 10, 20))


def test_algorithmic_recommendation_provisions_signed_then_published(ents):
    pid = "china-algorithmic-recommendation-provisions-2022"
    assert vals(ents, pid, "adopted") == ["2021-12-31"]
    assert vals(ents, pid, "announced") == ["2022-01-04"]
    assert vals(ents, pid, "effective") == ["2022-03-01"]


def test_arxiv_sources_are_dated_by_their_first_version(ents):
    assert vals(ents, "google-2024-08-gemma-2-paper", "date") == ["2024-07-31"]


def test_asml_smic_supply_has_no_contract_date_as_its_start(ents):
    sts = [s for s in ents["asml"].facts["supplies"] if s.value == "smic"]
    assert sts and all(s.valid_from is None for s in sts)


def test_stargate_names_its_four_initial_equity_funders(ents):
    assert {"openai", "softbank", "oracle", "mgx"} <= set(vals(ents, "stargate-announcement-2025-01",
                                                                 "actors"))


@pytest.mark.parametrize("pid, target", [
    pytest.param("us-bis-entity-list-2022-12", "ymtc", id="ymtc-listed-2022"),
    pytest.param("us-bis-entity-list-2022-12", "cambricon", id="cambricon-listed-2022"),
    pytest.param("us-bis-entity-list-2023-10", "biren-technology", id="biren-listed-2023"),
    pytest.param("us-bis-entity-list-2023-10", "moore-threads", id="moore-threads-listed-2023"),
    pytest.param("us-bis-entity-list-2025-01", "zhipu-ai", id="zhipu-listed-2025"),
    pytest.param("us-bis-entity-list-2025-01", "sophgo", id="sophgo-listed-2025"),
    pytest.param("us-h20-licence-requirement-2025-04", "amd-mi308", id="mi308-covered"),
    pytest.param("us-bis-huawei-ascend-guidance-2025-05", "huawei-ascend-910b",
                 id="ascend-910b-guidance"),
])
def test_policy_targets(ents, pid, target):
    assert target in vals(ents, pid, "targets")


# -- supply chain and capital links ----------------------------------------------
@pytest.mark.parametrize("org, field, other", [
    pytest.param("tsmc", "supplies", "nvidia", id="tsmc-nvidia"),
    pytest.param("tsmc", "supplies", "sophgo", id="tsmc-sophgo"),
    pytest.param("sk-hynix", "supplies", "nvidia", id="sk-hynix-hbm-nvidia"),
    pytest.param("micron", "supplies", "nvidia", id="micron-hbm-nvidia"),
    pytest.param("asml", "invests_in", "mistral-ai", id="asml-mistral"),
    pytest.param("microsoft", "invests_in", "g42", id="microsoft-g42"),
    pytest.param("amazon", "invests_in", "anthropic", id="amazon-anthropic"),
])
def test_links(ents, org, field, other):
    assert other in vals(ents, org, field)


def test_tsmc_supplies_both_blocs_sparql(built):
    """Question 11: TSMC has supplied firms based in the United States and in China.

    The Sophgo link ended in 2024-10, so it is history (a statement) and no longer a
    current shortcut triple; the current links are US firms only.
    """
    ever = f"""
    PREFIX kgo: <{KGO}>
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    SELECT DISTINCT ?country WHERE {{
      ?st rdf:subject <{KGID}tsmc> ; rdf:predicate kgo:supplies ; rdf:object ?client .
      ?client kgo:country ?country .
    }}"""
    countries = {str(row[0]).rsplit("/", 1)[-1] for row in built.graph.query(ever)}
    assert {"united-states", "china"} <= countries, countries
    now = f"""
    PREFIX kgo: <{KGO}>
    SELECT DISTINCT ?client WHERE {{ <{KGID}tsmc> kgo:supplies ?client }}"""
    current = {str(row[0]).rsplit("/", 1)[-1] for row in built.graph.query(now)}
    assert "sophgo" not in current and "nvidia" in current, current


# -- figures -------------------------------------------------------------------
CLAIMS = [
    # id, about, measure, value
    pytest.param("deepseek-v3-training-gpu-hours", "deepseek-v3", "training-gpu-hours", "2788000",
                 id="deepseek-v3-gpu-hours"),
    pytest.param("deepseek-v3-training-cost", "deepseek-v3", "training-cost", "5576000",
                 id="deepseek-v3-cost"),
    pytest.param("llama-3-1-405b-training-compute", "llama-3-1-405b", "training-compute",
                 "38000000000000000000000000", id="llama-405b-compute"),
    pytest.param("h100-transistor-count", "nvidia-h100", "transistor-count", "80000000000",
                 id="h100-transistors"),
    pytest.param("entity-list-additions-2024-12", "us-bis-entity-list-2024-12",
                 "entity-list-additions", "140", id="dec-2024-140-entities"),
    pytest.param("oct-2022-rule-tpp-threshold", "us-bis-advanced-computing-rule-2022-10",
                 "export-control-tpp-threshold", "4800", id="tpp-4800"),
    pytest.param("nvidia-h20-recorded-charge-q1-fy2026", "nvidia",
                 "recorded-export-control-charge", "4500000000", id="h20-charge"),
    pytest.param("amd-mi308-expected-charge-2025-04", "amd", "expected-export-control-charge",
                 "800000000", id="mi308-charge"),
    pytest.param("ironwood-pod-size", "google-ironwood", "chips-per-pod", "9216",
                 id="ironwood-pod"),
]


@pytest.mark.parametrize("cid, about, measure, value", CLAIMS)
def test_claims(ents, cid, about, measure, value):
    assert one(ents, cid, "about") == about
    assert one(ents, cid, "measure") == measure
    assert one(ents, cid, "value") == value


# -- landscape facts are marked unchecked, article facts are not -----------------
def test_landscape_facts_are_unchecked(built):
    q = f"""
    PREFIX kgo: <{KGO}>
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    SELECT ?status WHERE {{
      ?st rdf:subject <{KGID}deepseek-v3> ; kgo:field "parameters" ; kgo:checkStatus ?status .
    }}"""
    statuses = {str(row[0]).rsplit("#", 1)[-1] for row in built.graph.query(q)}
    assert statuses == {"check-status-unchecked"}, statuses


# -- dated events: date (at the precision known) and who acted ------------------
@pytest.mark.parametrize("eid, day, actor", [
    pytest.param("nvidia-a100-h100-licence-notice-2022-08", "2022-08-26", "united-states",
                 id="a100-h100-notice"),
    pytest.param("nvidia-h20-licence-notice-2025-04", "2025-04-09", "united-states",
                 id="h20-notice"),
    pytest.param("nvidia-h20-licence-assurance-2025-07", "2025-07-14", "nvidia",
                 id="h20-assurance"),
    pytest.param("cac-summons-nvidia-h20-2025-07", "2025-07-31", "cyberspace-administration-of-china",
                 id="cac-summons-h20"),
    pytest.param("samr-nvidia-investigation-2024-12", "2024-12-09", "samr", id="samr-probe"),
    pytest.param("tsmc-halts-sophgo-shipments-2024-10", "2024-10", "tsmc", id="tsmc-sophgo"),
    pytest.param("asml-licence-partly-revoked-2024-01", "2024-01-01", "netherlands-government",
                 id="asml-licence"),
    pytest.param("google-deepmind-formed-2023-04", "2023-04-20", "google", id="google-deepmind"),
    pytest.param("stargate-announcement-2025-01", "2025-01-21", "openai", id="stargate"),
    pytest.param("huawei-ascend-roadmap-2025-09", "2025-09-18", "huawei", id="ascend-roadmap"),
])
def test_events(ents, eid, day, actor):
    assert vals(ents, eid, "date") == [day]
    assert actor in vals(ents, eid, "actors")


# -- people: memberships that ended have `to` (issue 14) ------------------------
def members_on(ents, org: str, day: date, role_word: str) -> set[str]:
    """People whose affiliation with org (role containing role_word) covers the day."""
    out = set()
    for e in ents.values():
        if e.kind != "person":
            continue
        for st in e.facts.get("affiliation", []):
            if st.value == org and role_word.lower() in str(st.qualifiers.get("role", "")).lower():
                start = st.valid_from or st.as_of
                if start is not None and start.start > day:
                    continue
                if st.valid_to is not None and st.valid_to.end < day:
                    continue
                out.add(e.id)
    return out


def test_head_of_bis_in_2026_is_kessler_alone(ents):
    assert members_on(ents, "bis", date(2026, 1, 15), "Under Secretary") == {"jeffrey-kessler"}
    assert "alan-estevez" in members_on(ents, "bis", date(2023, 1, 1), "Under Secretary")


@pytest.mark.parametrize("person, org, end", [
    pytest.param("alan-estevez", "bis", "2025-01", id="estevez-left-bis"),
    pytest.param("gina-raimondo", "us-department-of-commerce", "2025-01", id="raimondo-left"),
    pytest.param("sam-altman", "openai", "2023-11-17", id="altman-removed-2023"),
    pytest.param("elon-musk", "openai", "2018-02", id="musk-left-openai-board"),
])
def test_ended_memberships_have_an_end(ents, person, org, end):
    ends = {str(st.valid_to) for st in ents[person].facts["affiliation"]
            if st.value == org and st.valid_to is not None}
    assert end in ends, ends


def test_altman_and_musk_have_affiliations(ents):
    assert "openai" in vals(ents, "sam-altman", "affiliation")
    assert "xai" in vals(ents, "elon-musk", "affiliation")


# -- the H200: the undated low-reliability claim does not compete ----------------
def test_h200_botnews_restricted_is_deprecated(ents):
    sts = ents["nvidia-h200"].facts["export_status"]
    botnews = [s for s in sts if "botnews-2026-scorecard" in s.sources]
    assert botnews and all(s.rank == "deprecated" and s.note for s in botnews)
    assert status_on(ents, "nvidia-h200", date(2025, 6, 1)) == {
        ("restricted", "us-ai-chip-export-controls")}
    assert {s for s, _ in status_on(ents, "nvidia-h200", date(2026, 2, 1))} == {"allowed-vetted-buyers"}
    imports = [(str(s.value), str(s.valid_from)) for s in ents["nvidia-h200"].facts["import_status"]]
    assert ("blocked", "2026-01") in imports


# -- questions that came back empty (issue 14): each fails on an empty answer ---------
PREFIXES = f"""
PREFIX kgo: <{KGO}>
PREFIX schema: <https://schema.org/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


def ids_of(built, query: str) -> set[tuple[str, ...]]:
    return {tuple(str(v).rsplit("/", 1)[-1].rsplit("#", 1)[-1] for v in row)
            for row in built.graph.query(PREFIXES + query)}


def test_entity_list_additions_that_hit_chinese_ai_companies(built):
    rows = ids_of(built, """
    SELECT DISTINCT ?policy ?org WHERE {
      ?policy kgo:policyType kgo:policy-type-entity-listing ; kgo:targets ?org .
      ?org kgo:country <https://w3id.org/ai-race-kg/id/china> ;
           kgo:sectors ?sector .
      FILTER(?sector IN (kgo:sector-ai-models, kgo:sector-ai-chips))
    }""")
    orgs = {o for _, o in rows}
    assert {"zhipu-ai", "huawei", "cambricon", "biren-technology", "moore-threads", "sophgo"} <= orgs, rows
    assert ("us-bis-entity-list-2019-05", "huawei") in rows


def test_people_quoted_about_chips(built):
    rows = ids_of(built, """
    SELECT DISTINCT ?quote ?person ?date WHERE {
      ?quote a kgo:Quote ; schema:spokenByCharacter ?person .
      ?person a kgo:Person .
      { ?quote kgo:topics kgo:topic-chips }
      UNION { ?quote schema:about ?chip . ?chip a kgo:Chip }
      UNION { ?quote schema:about ?maker . ?maker kgo:sectors kgo:sector-ai-chips }
      OPTIONAL { ?quote schema:dateCreated ?date }
    }""")
    people = {p for _, p, _ in rows}
    assert {"xi-jinping", "xiaomeng-lu"} <= people, rows
    assert ("xi-jinping-ai-models-and-chips", "xi-jinping", "2025-12-31") in rows


def test_quotes_carry_dates_where_public(ents):
    dated = [e.id for e in ents.values() if e.kind == "quote" and e.facts.get("date")]
    assert len(dated) >= 12, dated


def test_who_invested_in_whom_how_much(built):
    rows = ids_of(built, """
    SELECT DISTINCT ?event ?investor ?investee WHERE {
      ?event a kgo:Event ; kgo:eventType kgo:event-type-investment ;
             kgo:investors ?investor ; kgo:investees ?investee .
    }""")
    assert ("amazon-anthropic-investment-2023-09", "amazon", "anthropic") in rows
    assert ("openai-funding-2025-03", "softbank", "openai") in rows
    assert ("big-fund-iii-registered-2024-05", "chinese-government", "big-fund") in rows
    # an investee is never listed as its own investor
    assert not [r for r in rows if r[1] == r[2]]


def test_chips_chinese_models_are_trained_or_served_on(built):
    rows = ids_of(built, """
    SELECT DISTINCT ?model ?chip WHERE {
      ?model schema:creator ?dev . ?dev kgo:country <https://w3id.org/ai-race-kg/id/china> .
      { ?model kgo:trainedOn ?chip } UNION { ?model kgo:servedOn ?chip }
    }""")
    assert {("deepseek-v3", "nvidia-h800"), ("deepseek-v3", "huawei-ascend"),
            ("deepseek-v2", "nvidia-h800"), ("kimi-k2", "nvidia-h800"),
            ("minimax-m1", "nvidia-h800"), ("baichuan-2-13b", "nvidia-a800")} <= rows, rows


@pytest.mark.parametrize("chip", ["nvidia-h200", "nvidia-h800", "nvidia-h20", "nvidia-hopper",
                                  "nvidia-blackwell", "nvidia-b300"])
def test_nvidia_hopper_and_blackwell_chips_have_a_fab(ents, chip):
    assert "tsmc" in vals(ents, chip, "fab")


def test_h20_history_goes_past_the_licence_requirement(ents):
    assert ("licence-required", "us-h20-licence-requirement-2025-04") in status_on(
        ents, "nvidia-h20", date(2025, 5, 1))
    assert ("licences-granted", "nvidia-h20-licence-assurance-2025-07") in status_on(
        ents, "nvidia-h20", date(2025, 9, 1))


@pytest.mark.parametrize("pid", ["us-a100-h100-licence-requirement-2022-08",
                                 "us-h20-licence-requirement-2025-04"])
def test_licence_requirements_have_an_issuer(ents, pid):
    assert vals(ents, pid, "issued_by")


# -- sources a reader can open: a URL or a standard identifier --------------------
@pytest.mark.parametrize("sid, field, value", [
    pytest.param("fr-2022-10-13-advanced-computing-ifr", "fr_doc", "2022-21658", id="fr-oct-2022"),
    pytest.param("fr-2022-10-13-advanced-computing-ifr", "fr_citation", "87 FR 62186", id="fr-cite-oct-2022"),
    pytest.param("fr-2023-10-advanced-computing-ifr", "fr_doc", "2023-23055", id="fr-oct-2023"),
    pytest.param("fr-2025-01-15-ai-diffusion", "fr_citation", "90 FR 4544", id="fr-ai-diffusion"),
    pytest.param("nvidia-8k-2023-10-24", "sec_accession", "0001045810-23-000221", id="sec-8k-oct-2023"),
    pytest.param("eu-2024-07-12-ai-act-oj", "celex", "32024R1689", id="celex-ai-act"),
    pytest.param("moonshot-2025-07-kimi-k2-paper", "arxiv", "2507.20534", id="arxiv-kimi-k2"),
    pytest.param("deepseek-2024-12-v3-technical-report", "arxiv", "2412.19437", id="arxiv-deepseek-v3"),
])
def test_source_identifiers(ents, sid, field, value):
    assert vals(ents, sid, field) == [value]


def test_most_primary_sources_can_be_opened(ents):
    """A URL or a standard identifier from which the build derives a link."""
    keys = ("url", "arxiv", "doi", "fr_doc", "fr_citation", "sec_accession", "celex")
    sources = [e for e in ents.values() if e.kind == "source"]
    openable = [e.id for e in sources if any(vals(ents, e.id, k) for k in keys)]
    assert len(openable) / len(sources) >= 0.35, (len(openable), len(sources))
    papers = [e.id for e in sources if vals(ents, e.id, "source_type") == ["paper"]]
    assert all(any(vals(ents, p, k) for k in keys) for p in papers), papers


# -- the landscape's missing pieces (issue 14) -------------------------------------
@pytest.mark.parametrize("pid, issuer, announced", [
    pytest.param("un-ga-resolution-78-265-ai-2024", "united-nations", "2024-03-21", id="unga-78-265"),
    pytest.param("un-ga-resolution-78-311-ai-capacity-2024", "united-nations", "2024-07-01",
                 id="unga-78-311"),
    pytest.param("un-ai-scientific-panel-and-global-dialogue-2025", "united-nations", "2025-08-26",
                 id="unga-79-325"),
    pytest.param("coe-framework-convention-ai-2024", "council-of-europe", "2024-09-05", id="coe-convention"),
    pytest.param("eu-ai-continent-action-plan-2025", "european-commission", "2025-04-09",
                 id="eu-ai-continent"),
    pytest.param("eu-gpai-code-of-practice-2025", "european-commission", "2025-07-10", id="eu-gpai-code"),
    pytest.param("us-eo-14320-ai-exports-2025", "trump-administration", "2025-07-23", id="eo-14320"),
    pytest.param("us-ai-action-plan-2025", "trump-administration", "2025-07-23", id="us-ai-action-plan"),
    pytest.param("china-global-ai-governance-action-plan-2025", "chinese-government", "2025-07-26",
                 id="china-governance-plan"),
    pytest.param("china-ai-safety-governance-framework-2024", "tc260", "2024-09-09",
                 id="china-safety-framework"),
    pytest.param("uk-ai-opportunities-action-plan-2025", "united-kingdom", "2025-01-13", id="uk-plan"),
    pytest.param("us-ai-national-security-memorandum-2024", "biden-administration", "2024-10-24",
                 id="us-nsm"),
])
def test_strategies_and_governance_initiatives(ents, pid, issuer, announced):
    assert issuer in vals(ents, pid, "issued_by")
    assert announced in vals(ents, pid, "announced")


@pytest.mark.parametrize("family, developer, member", [
    pytest.param("gpt", "openai", "gpt-5", id="gpt"),
    pytest.param("gpt-oss", "openai", "gpt-oss-120b", id="gpt-oss"),
    pytest.param("openai-o-series", "openai", "openai-o3", id="o-series"),
    pytest.param("grok", "xai", "grok-1", id="grok"),
    pytest.param("mistral-models", "mistral-ai", "mixtral-8x7b", id="mistral"),
    pytest.param("kimi", "moonshot-ai", "kimi-k2", id="kimi"),
    pytest.param("glm", "zhipu-ai", "glm-4-5", id="glm"),
    pytest.param("minimax-models", "minimax", "minimax-m2", id="minimax"),
    pytest.param("hunyuan", "tencent", "hunyuan-large", id="hunyuan"),
    pytest.param("yi", "01-ai", "yi-34b", id="yi"),
    pytest.param("baichuan", "baichuan-ai", "baichuan-2-13b", id="baichuan"),
    pytest.param("falcon", "technology-innovation-institute", "falcon-180b", id="falcon"),
])
def test_flagship_model_families(ents, family, developer, member):
    assert vals(ents, family, "model_type") == ["family"]
    assert developer in vals(ents, family, "developer")
    assert vals(ents, member, "family") == [family]


@pytest.mark.parametrize("person, org, start, end", [
    pytest.param("pat-gelsinger", "intel", None, "2024-12-01", id="gelsinger"),
    pytest.param("lip-bu-tan", "intel", "2025-03-18", None, id="lip-bu-tan"),
    pytest.param("peter-wennink", "asml", None, "2024-04", id="wennink"),
    pytest.param("christophe-fouquet", "asml", "2024-04", None, id="fouquet"),
    pytest.param("c-c-wei", "tsmc", "2024-06", None, id="wei-chairman"),
    pytest.param("dario-amodei", "anthropic", "2021-05", None, id="dario-amodei"),
    pytest.param("daniela-amodei", "anthropic", "2021-05", None, id="daniela-amodei"),
    pytest.param("sundar-pichai", "google", "2015-08", None, id="pichai-google"),
    pytest.param("daniel-zhang", "alibaba", None, "2023-09", id="daniel-zhang"),
    pytest.param("eddie-wu", "alibaba", "2023-09", None, id="eddie-wu"),
])
def test_heads_with_dates(ents, person, org, start, end):
    sts = [s for s in ents[person].facts["affiliation"] if s.value == org]
    assert any((start is None or str(s.valid_from) == start) and (end is None or str(s.valid_to) == end)
               and (s.valid_from or s.valid_to) for s in sts), [(s.valid_from, s.valid_to) for s in sts]


def test_intel_has_one_ceo_at_a_time(ents):
    assert members_on(ents, "intel", date(2024, 6, 1), "Chief Executive") == {"pat-gelsinger"}
    assert members_on(ents, "intel", date(2025, 6, 1), "Chief Executive") == {"lip-bu-tan"}


def test_tsmc_stopped_supplying_huawei_in_2020(ents):
    sts = [s for s in ents["tsmc"].facts["supplies"] if s.value == "huawei"]
    assert sts and str(sts[0].valid_to) == "2020-09"


def test_paris_summit_statement_without_us_signature(ents):
    eid = "paris-ai-action-summit-2025-02"
    assert vals(ents, eid, "date") == ["2025-02-10"]
    assert "china" in vals(ents, eid, "actors") and "united-states" not in vals(ents, eid, "actors")


def test_h200_decision_announced_on_a_day(ents):
    eid = "us-h200-sales-announced-2025-12"
    assert vals(ents, eid, "date") == ["2025-12-08"]
    assert "us-h200-export-decision-2025-12" in vals(ents, eid, "involves")
