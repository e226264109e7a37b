"""A checklist per source article: every fact it states, written by hand from the article.

Expected values are read from the five articles (kept outside the repository), not from
data/: a fact the graph leaves out is a failing line named after the fact. Figures,
quotes, judgements and events are found by what they say (subject, measure,
value; speaker and words; source and dimension), not by file name, so a
renamed file does not hide a missing fact.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import pytest

from conftest import REPO
from kg import load_graph

DW = "dw-2026-01-24-us-china-ai-race"  # 003, DW, 2026-01-24, high
DD = "alyosha-2026-01-31-deep-dive"  # 002, Deep Dive, 2026-01-31, medium (metadata: medium-low)
BB = "bitbiased-2026-12-dimensions"  # 000, BitBiased, 2026-04-14, low
BN = "botnews-2026-scorecard"  # 001, BotNews.today, 2026, low
AG = "aiden-gray-2026-ai-race-faster"  # 004, Aiden Gray, 2026, low


@pytest.fixture(scope="module")
def kg():
    return load_graph(REPO / "data")


def flat(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[“”]", '"', re.sub(r"[‘’]", "'", text))
    return re.sub(r"\s+", " ", text).strip()


def same(actual, expected) -> bool:
    if expected is None:
        return True
    if isinstance(expected, (int, float, Decimal)) and not isinstance(expected, bool):
        try:
            return Decimal(str(actual)) == Decimal(str(expected))
        except ArithmeticError:
            return False
    return str(actual) == str(expected)


def cites(entity, st=None) -> set[str]:
    """The sources an entity (or one of its statements) rests on."""
    if st is not None:
        return set(entity.sources_of(st))
    out = set(entity.sources)
    for sts in entity.facts.values():
        for s in sts:
            out |= set(s.sources)
    return out


def of_kind(kg, kind: str):
    return [e for e in kg.entities.values() if e.kind == kind]


@dataclass(frozen=True)
class Has:
    """The entity exists, is of this kind, and cites the article."""

    id: str
    kind: str
    source: str

    def check(self, kg):
        e = kg.entities.get(self.id)
        assert e is not None, f"no entity '{self.id}'"
        assert e.kind == self.kind, f"'{self.id}' is a {e.kind}, expected {self.kind}"
        assert self.source in cites(e), f"'{self.id}' does not cite {self.source}"


@dataclass(frozen=True)
class Fact:
    """subject.field has a statement with this value (and qualifiers) citing the article."""

    subject: str
    field: str
    value: object
    source: str
    start: str | None = None  # `from`
    end: str | None = None  # `to`
    as_of: str | None = None
    by: str | None = None
    as_written: str | None = None
    role: str | None = None  # a word the role must contain

    def check(self, kg):
        e = kg.entities.get(self.subject)
        assert e is not None, f"no entity '{self.subject}'"
        sts = [s for s in e.facts.get(self.field, []) if same(s.value, self.value)]
        assert sts, (f"{self.subject}.{self.field} has no value {self.value!r} "
                     f"(has {[str(s.value) for s in e.facts.get(self.field, [])]})")
        ok = [s for s in sts if self.source in cites(e, s)
              and (self.start is None or same(s.valid_from, self.start))
              and (self.end is None or same(s.valid_to, self.end))
              and (self.as_of is None or same(s.as_of, self.as_of))
              and (self.by is None or same(s.qualifiers.get("by"), self.by))
              and (self.as_written is None or same(s.as_written, self.as_written))
              and (self.role is None or self.role.lower() in str(s.qualifiers.get("role", "")).lower())]
        assert ok, (f"{self.subject}.{self.field} = {self.value!r}: no statement citing "
                    f"{self.source} with from={self.start} to={self.end} as_of={self.as_of} "
                    f"by={self.by} as_written={self.as_written} role~{self.role}")


@dataclass(frozen=True)
class Figure:
    """A claim: this value of this measure about this entity, from the article."""

    about: str
    measure: str
    value: object
    source: str
    qualifier: str | None = None
    as_of: str | None = None
    upper: object = None
    estimated_by: str | None = None
    attributed_to: str | None = None  # words it must contain
    compared_with: str | None = None
    as_written: str | None = None

    def check(self, kg):
        found = [c for c in of_kind(kg, "claim")
                 if c.first("about") == self.about and c.first("measure") == self.measure
                 and same(c.first("value"), self.value)]
        assert found, f"no claim: {self.measure} of {self.about} = {self.value}"
        found = [c for c in found if self.source in c.sources]
        assert found, f"the claim {self.measure} of {self.about} = {self.value} does not cite {self.source}"
        def wrong(c) -> list[str]:
            out = [f"{name} = {c.first(name)!r}, expected {getattr(self, name)!r}"
                   for name in ("qualifier", "as_of", "upper", "estimated_by", "compared_with",
                                "as_written")
                   if getattr(self, name) is not None and not same(c.first(name), getattr(self, name))]
            if self.attributed_to and self.attributed_to.lower() not in str(
                    c.first("attributed_to", "")).lower():
                out.append(f"attributed_to = {c.first('attributed_to')!r}")
            return out

        right = [c for c in found if not wrong(c)]
        assert right, "; ".join(f"{c.id}: {', '.join(wrong(c))}" for c in found)
        assert all(c.first("confidence") is not None for c in right), "a claim has no confidence"


@dataclass(frozen=True)
class Said:
    """A quote by this speaker holding these words, carried by the article."""

    speaker: str
    words: str
    source: str
    affiliation: str | None = None
    shortened: bool = False  # the article carries a shorter rendering

    def check(self, kg):
        quotes = [q for q in of_kind(kg, "quote") if q.first("speaker") == self.speaker]
        assert quotes, f"no quote by {self.speaker}"
        want = flat(self.words)
        if self.shortened:
            hits = [q for q in quotes for st in q.facts.get("shortened", [])
                    if want in flat(st.value) and self.source in cites(q, st)]
        else:
            hits = [q for q in quotes if want in flat(q.first("text"))]
        assert hits, f"no quote by {self.speaker} with the words {self.words!r}"
        assert len({q.id for q in hits}) == 1, f"the words are split over {[q.id for q in hits]}"
        q = hits[0]
        assert self.source in q.sources, f"{q.id} does not cite {self.source}"
        if self.affiliation:
            assert q.first("speaker_affiliation") == self.affiliation, q.id


@dataclass(frozen=True)
class Judges:
    """The article's judgement on one dimension, as an assessment."""

    source: str
    dimension: str
    verdict: str
    country: str | None = None  # the leader, or the challenger when catching up

    def check(self, kg):
        found = [a for a in of_kind(kg, "assessment")
                 if self.source in a.sources and a.first("dimension") == self.dimension]
        assert found, f"no assessment of {self.dimension} from {self.source}"
        assert len(found) == 1, f"several assessments of {self.dimension}: {[a.id for a in found]}"
        a = found[0]
        assert a.first("verdict") == self.verdict, f"{a.id}: verdict {a.first('verdict')}"
        role = "challenger" if self.verdict == "catching-up" else "leader"
        assert a.first(role) == self.country, f"{a.id}: {role} {a.first(role)}"
        assert a.first("as_written"), f"{a.id} does not keep the article's own label"


@dataclass(frozen=True)
class Happened:
    """A dated event from the article, found by date and by who or what it involves."""

    date: str
    source: str
    event_type: str
    actor: str | None = None
    involves: str | None = None

    def check(self, kg):
        found = [e for e in of_kind(kg, "event")
                 if any(same(s.value, self.date) and self.source in cites(e, s)
                        for s in e.facts.get("date", []))
                 and (self.actor is None or self.actor in e.values("actors"))
                 and (self.involves is None or self.involves in e.values("involves"))]
        assert found, (f"no {self.event_type} event on {self.date} from {self.source} "
                       f"(actor {self.actor}, involves {self.involves})")
        assert any(e.first("event_type") == self.event_type for e in found)


@dataclass(frozen=True)
class Zh:
    """A Chinese actor, model or policy carries its Chinese name."""

    id: str
    zh: str

    def check(self, kg):
        e = kg.entities.get(self.id)
        assert e is not None, f"no entity '{self.id}'"
        names = e.first("names") or {}
        assert names.get("zh") == self.zh, f"{self.id}: zh name {names.get('zh')!r}"


def p(fact, name: str):
    return pytest.param(fact, id=name)


# -- DW, 2026-01-24 (003) ---------------------------------------------------------------
DW_FACTS = [
    # DeepSeek's launch, one year before the article
    p(Has("deepseek", "organization", DW), "deepseek"),
    p(Fact("deepseek-app", "developer", "deepseek", DW), "deepseek-app-by-deepseek"),
    p(Fact("deepseek-app", "released", "2025-01", DW), "deepseek-app-released-2025-01"),
    p(Happened("2025-01", DW, "release", actor="deepseek", involves="deepseek-app"),
      "deepseek-app-release-event"),
    p(Happened("2025-01", DW, "release", involves="chatgpt"), "deepseek-rivalled-chatgpt"),
    p(Has("chatgpt", "model", DW), "chatgpt"),
    p(Has("openai", "organization", DW), "openai"),
    p(Has("gemini", "model", DW), "gemini"),
    # the two action plans
    p(Fact("us-ai-action-plan-2025", "issued_by", "trump-administration", DW), "action-plan-by-trump-admin"),
    p(Fact("us-ai-action-plan-2025", "announced", "2025", DW), "action-plan-2025"),
    p(Fact("donald-trump", "affiliation", "trump-administration", DW, role="president"), "trump-president"),
    p(Said("us-ai-action-plan-2025",
           "The United States is in a race to achieve global dominance in artificial intelligence (AI)",
           DW, affiliation="trump-administration"), "quote-plan-global-dominance"),
    p(Said("us-ai-action-plan-2025", "willing to join America's AI alliance", DW), "quote-plan-ai-alliance"),
    p(Said("us-ai-action-plan-2025", "exporting its full AI technology stack", DW), "quote-plan-full-stack"),
    p(Said("us-ai-action-plan-2025", "hardware, models, software, applications, and standards", DW),
      "quote-plan-stack-parts"),
    p(Said("us-ai-action-plan-2025",
           "stop ... strategic rivals from making our allies dependent on foreign adversary technology",
           DW), "quote-plan-strategic-rivals"),
    p(Fact("china-global-ai-governance-action-plan-2025", "issued_by", "chinese-government", DW),
      "governance-plan-by-beijing"),
    p(Fact("china-global-ai-governance-action-plan-2025", "announced", "2025", DW), "governance-plan-2025"),
    p(Said("china-global-ai-governance-action-plan-2025", "diverse, open, and innovative", DW),
      "quote-governance-plan-diverse-open"),
    p(Said("china-global-ai-governance-action-plan-2025", "multiple stakeholders", DW),
      "quote-governance-plan-stakeholders"),
    p(Said("china-global-ai-governance-action-plan-2025",
           "jointly promote international exchanges and dialogue on AI governance", DW),
      "quote-governance-plan-dialogue"),
    p(Said("china-global-ai-governance-action-plan-2025",
           "creating a diverse, open, and innovative ecosystem", DW), "quote-governance-plan-ecosystem"),
    # Scott Singer
    p(Fact("scott-singer", "affiliation", "carnegie-endowment", DW,
           role="Technology and International Affairs"), "singer-carnegie-fellow"),
    p(Said("scott-singer", "China is definitely positioning itself rhetorically as a multilateral, open, "
           "and development-focused global leader", DW, affiliation="carnegie-endowment"),
      "quote-singer-positioning"),
    p(Said("scott-singer", "China's geopolitical positioning on AI predates the Trump administration, but "
           "it increasingly resonates with global audiences", DW), "quote-singer-resonates"),
    p(Said("scott-singer", "If the question is, 'is China pursuing a strategy of AI dominance,' certainly "
           "not. It is going to seize leadership through the opportunity to fill in the gaps", DW),
      "quote-singer-not-dominance"),
    p(Said("scott-singer", "So much of the race for AI diffusion will depend on productization. How much "
           "developers can build on your product, and how much consumers like using your product, "
           "will shape the AI adoption race", DW), "quote-singer-productization"),
    p(Said("scott-singer", "The US and China are placing fundamentally different bets across the AI stack",
           DW), "quote-singer-different-bets"),
    p(Said("scott-singer", "US companies are leading the race to scale software capabilities and automate "
           "many tasks that can be done on a computer. China, however, is investing substantially in "
           "AI-powered robotics", DW), "quote-singer-software-vs-robotics"),
    p(Said("scott-singer", "AI-powered robotics is an area where China seems to be running ahead of "
           "Western counterparts", DW), "quote-singer-robotics-ahead"),
    p(Said("scott-singer", "you can't help but feel that there's this belief that continuing to scale the "
           "capabilities of the most advanced foundation models", DW), "quote-singer-vibe-silicon-valley"),
    p(Said("scott-singer", "across Beijing, Shanghai, Shenzhen, Zhejiang, the areas where the technology "
           "is being developed, there is much more excitement and energy around leveraging AI as it is "
           "today", DW), "quote-singer-vibe-china-same-quote"),
    # computing and chips
    p(Fact("nvidia-h100", "designer", "nvidia", DW), "h100-by-nvidia"),
    p(Fact("huawei-ascend", "designer", "huawei", DW), "ascend-series-by-huawei"),
    p(Fact("huawei-ascend-910", "family", "huawei-ascend", DW), "ascend-910-in-ascend-series"),
    p(Figure("huawei-ascend-910", "relative-performance", 60, DW, compared_with="nvidia-h100",
             estimated_by="deepseek"), "ascend-910-60pc-of-h100"),
    p(Fact("us-ai-chip-export-controls", "topics", "chipmaking-tools", DW), "controls-cover-chip-kit"),
    p(Fact("us-h200-export-decision-2025-12", "announced", "2025-12", DW), "h200-decision-dec-2025"),
    p(Fact("us-h200-export-decision-2025-12", "issued_by", "trump-administration", DW),
      "h200-decision-by-trump-admin"),
    p(Fact("us-h200-export-decision-2025-12", "targets", "nvidia-h200", DW), "h200-decision-targets-h200"),
    p(Fact("nvidia-h200", "export_status", "allowed-vetted-buyers", DW, start="2025-12",
           by="us-h200-export-decision-2025-12"), "h200-allowed-vetted-buyers-from-dec-2025"),
    p(Fact("nvidia-h200", "designer", "nvidia", DW, as_written="Nvida"), "h200-misspelt-nvida"),
    p(Fact("nvidia-blackwell", "export_status", "restricted", DW), "blackwell-held-back"),
    p(Fact("nvidia-rubin", "export_status", "restricted", DW), "rubin-held-back"),
    p(Figure("nvidia-h200", "chips-ordered", 2_000_000, DW, qualifier="more-than", as_of="2026-01"),
      "h200-orders-over-2-million"),
    p(Figure("nvidia-h200", "order-value-usd", 50_000_000_000, DW, qualifier="more-than"),
      "h200-orders-over-50-billion-usd"),
    p(Figure("nvidia-h200", "order-value-eur", 43_000_000_000, DW, qualifier="approximately"),
      "h200-orders-about-43-billion-eur"),
    p(Has("alibaba", "organization", DW), "buyer-alibaba"),
    p(Has("tencent", "organization", DW), "buyer-tencent"),
    p(Has("bytedance", "organization", DW), "buyer-bytedance"),
    p(Fact("nvidia-h200", "import_status", "blocked", DW, start="2026-01",
           by="china-customs-h200-block-2026-01"), "h200-blocked-at-customs-jan-2026"),
    p(Happened("2026-01", DW, "ban", actor="china-customs", involves="nvidia-h200"), "customs-block-event"),
    p(Happened("2026-01", DW, "report", actor="reuters", involves="nvidia-h200"), "reuters-report-event"),
    p(Fact("china-semiconductor-self-sufficiency-drive", "issued_by", "chinese-government", DW),
      "self-sufficiency-priority"),
    # open weights
    p(Has("moonshot-ai", "organization", DW), "moonshot-ai"),
    p(Fact("qwen", "developer", "alibaba", DW), "qwen-by-alibaba"),
    p(Fact("qwen", "weights", "open", DW), "qwen-open-weight"),
    p(Figure("qwen", "model-downloads", 700_000_000, DW, qualifier="approximately", as_of="2026-01",
             estimated_by="hugging-face", attributed_to="Xinhua"), "qwen-700-million-downloads-jan-2026"),
    p(Figure("qwen", "open-model-download-rank", 1, DW, compared_with="llama"), "qwen-most-downloaded"),
    p(Fact("llama", "developer", "meta", DW), "llama-by-meta"),
    p(Has("xinhua", "organization", DW), "xinhua"),
    p(Has("hugging-face", "organization", DW), "hugging-face"),
    p(Figure("qwen", "open-sourced-models", 400, DW, qualifier="approximately", estimated_by="qwen-team"),
      "qwen-nearly-400-open-models"),
    p(Figure("qwen", "derivative-models", 180_000, DW, qualifier="more-than", estimated_by="qwen-team"),
      "qwen-over-180000-derivatives"),
    p(Fact("qwen-team", "parent", "alibaba", DW), "qwen-team-at-alibaba"),
    p(Said("qwen-team", "spawned more than 180,000 derivative versions", DW), "quote-qwen-team"),
    # Xi and CAISI
    p(Said("xi-jinping", "reached new heights", DW, affiliation="chinese-government"), "quote-xi-new-heights"),
    p(Said("xi-jinping", "Many large AI models have been competing in a race to the top, and breakthroughs "
           "have been achieved in the research and development of our own chips", DW),
      "quote-xi-models-and-chips"),
    p(Fact("caisi", "country", "united-states", DW), "caisi-us"),
    p(Fact("caisi-american-values", "speaker", "caisi", DW,
           as_written="National Center for AI Standards and Innovation"), "caisi-name-as-written"),
    p(Said("caisi", "founded on American values", DW), "quote-caisi-american-values"),
    p(Said("caisi", "open source and open-weight models could become global standards in some areas of "
           "business and in academic research", DW), "quote-caisi-global-standards"),
    p(Said("caisi", "create a supportive environment for open models", DW), "quote-caisi-supportive"),
    p(Said("caisi", "security shortcomings and censorship", DW), "quote-caisi-security-censorship"),
    p(Said("caisi", "may pose a risk to application developers, to consumers, and to US national security",
           DW), "quote-caisi-risk"),
    p(Fact("caisi-security-shortcomings", "about", "deepseek", DW), "caisi-warning-about-deepseek"),
    # physical-world AI
    p(Fact("china-ai-plus-initiative", "issued_by", "chinese-government", DW), "ai-plus-by-beijing"),
    p(Said("china-ai-plus-initiative", "fully AI-powered", DW), "quote-ai-plus-fully-ai-powered"),
    # Xiaomeng Lu
    p(Fact("xiaomeng-lu", "affiliation", "eurasia-group", DW, role="Geo-technology"), "lu-eurasia-group"),
    p(Fact("eurasia-group", "country", "united-states", DW), "eurasia-group-us-based"),
    p(Said("xiaomeng-lu", "That seems to be the trend — the US has a definite lead in AI chips, though "
           "China is catching up in LLM, and is poised to get ahead in certain AI governance areas", DW,
           affiliation="eurasia-group"), "quote-lu-trend"),
    p(Said("xiaomeng-lu", "That's our base case for 2026. As long as China's open-source mode stays closely "
           "behind top US models in capabilities", DW), "quote-lu-base-case"),
    # byline
    p(Fact("wesley-rahn", "affiliation", "deutsche-welle", DW), "author-wesley-rahn"),
    p(Fact("keith-walker", "affiliation", "deutsche-welle", DW, role="editor"), "editor-keith-walker"),
    # DW's judgements
    p(Judges(DW, "frontier-models", "leads", "united-states"), "judges-frontier-us"),
    p(Judges(DW, "compute", "leads", "united-states"), "judges-compute-us"),
    p(Judges(DW, "chips", "leads", "united-states"), "judges-chips-us"),
    p(Judges(DW, "open-source", "leads", "china"), "judges-open-source-china"),
    p(Judges(DW, "robotics", "leads", "china"), "judges-robotics-china"),
    p(Judges(DW, "regulation", "catching-up", "china"), "judges-governance-china-poised"),
]


# -- Deep Dive, 2026-01-31 (002) ----------------------------------------------------------
DD_FACTS = [
    p(Said("foreign-affairs", "The most plausible outcome of the AI race may not be decisive American or "
           "Chinese victory, but something more complex: an asymmetric form of AI bipolarity", DD),
      "quote-foreign-affairs-bipolarity"),
    p(Said("scott-singer", "So much of the race for AI diffusion will depend on productization. How much "
           "developers can build on your product will shape the AI adoption race", DD, shortened=True),
      "quote-singer-shortened"),
    p(Said("xi-jinping", "Chinese tech has reached new heights... breakthroughs have been achieved in the "
           "research and development of our own chips", DD, shortened=True), "quote-xi-key-quotes"),
    p(Said("xi-jinping", "Chinese tech has reached new heights... breakthroughs in our own chips", DD,
           shortened=True), "quote-xi-part-6"),
    # scoreboard figures
    p(Figure("united-states", "share-of-global-ai-compute", 70, DD, qualifier="approximately"),
      "us-70pc-of-ai-compute"),
    p(Figure("united-states", "chip-generation-lead", 2, DD, qualifier="at-least", compared_with="china"),
      "us-2-plus-generation-chip-lead"),
    p(Figure("qwen", "model-downloads", 700_000_000, DD, as_of="2026-01", estimated_by="hugging-face"),
      "qwen-700m-downloads"),
    p(Figure("qwen", "open-model-download-rank", 1, DD), "qwen-number-one"),
    p(Figure("llama", "model-downloads", 600_000_000, DD, qualifier="approximately", as_of="2026-01"),
      "llama-600m-downloads"),
    p(Figure("china", "global-chatbot-market-share", 15, DD, as_of="2025-11"), "china-15pc-chatbot-share"),
    p(Figure("deepseek", "global-chatbot-market-share", 4, DD), "deepseek-4pc-chatbot-share"),
    p(Figure("huawei-ascend-910", "relative-performance", 60, DD, qualifier="approximately",
             compared_with="nvidia-h100"), "ascend-910-60pc-inference"),
    p(Figure("china", "frontier-capability-lag", 12, DD, upper=18, compared_with="united-states"),
      "china-12-18-months-behind"),
    p(Figure("united-states", "compute-advantage-ratio-no-h200-exports", 10, DD, qualifier="more-than", as_of="2026",
             estimated_by="institute-for-progress"), "ifp-no-h200-exports-10x"),
    p(Figure("united-states", "compute-advantage-ratio-aggressive-h200-exports", 10, DD, qualifier="less-than", as_of="2026",
             estimated_by="institute-for-progress"), "ifp-aggressive-exports-single-digits"),
    p(Figure("nvidia-h200", "chips-ordered", 2_000_000, DD, qualifier="more-than"), "h200-2m-ordered"),
    p(Figure("nvidia-h200", "order-value-usd", 50_000_000_000, DD, qualifier="more-than"), "h200-50b-usd"),
    # chip table
    p(Fact("nvidia-b200", "family", "nvidia-blackwell", DD), "b200-is-blackwell"),
    p(Fact("nvidia-b200", "export_status", "banned", DD), "b200-banned"),
    p(Fact("nvidia-blackwell", "export_status", "banned", DD), "blackwell-banned"),
    p(Fact("nvidia-rubin", "export_status", "banned", DD), "rubin-banned"),
    p(Fact("nvidia-h100", "export_status", "banned", DD), "h100-banned"),
    p(Fact("nvidia-h200", "export_status", "restricted", DD, end="2025-12"), "h200-restricted-until-dec-2025"),
    p(Fact("nvidia-h200", "export_status", "allowed-vetted-buyers", DD, start="2025-12"),
      "h200-allowed-from-dec-2025"),
    p(Fact("huawei-ascend-910", "export_status", "domestic", DD), "ascend-910-domestic"),
    p(Fact("us-h200-export-decision-2025-12", "amends", "us-ai-chip-export-controls", DD),
      "h200-decision-reverses-controls"),
    p(Fact("us-ai-chip-export-controls", "issued_by", "biden-administration", DD), "biden-era-restrictions"),
    p(Fact("nvidia-h200", "import_status", "blocked", DD), "customs-blocking-imports"),
    # DeepSeek
    p(Happened("2025-01", DD, "release", involves="gpt-4"), "deepseek-rivalled-gpt-4"),
    p(Happened("2026-01", DD, "report", actor="deepseek"), "deepseek-efficiency-paper-jan-2026"),
    p(Happened("2026-02", DD, "release", involves="deepseek-v4"), "deepseek-v4-expected-feb-2026"),
    p(Fact("deepseek-v4", "developer", "deepseek", DD), "v4-by-deepseek"),
    p(Fact("qwen3-max-thinking", "family", "qwen", DD), "qwen3-max-thinking-in-qwen"),
    # actors and tickers
    p(Fact("microsoft", "partners", "openai", DD), "microsoft-openai-partnership"),
    p(Fact("microsoft", "ticker", "MSFT", DD), "ticker-msft"),
    p(Fact("nvidia", "ticker", "NVDA", DD), "ticker-nvda"),
    p(Fact("alibaba", "ticker", "BABA", DD), "ticker-baba"),
    p(Fact("tencent", "ticker", "TCEHY", DD), "ticker-tcehy"),
    p(Fact("baidu", "ticker", "BIDU", DD), "ticker-bidu"),
    p(Fact("asml", "ticker", "ASML", DD), "ticker-asml"),
    p(Fact("tsmc", "ticker", "TSM", DD), "ticker-tsm"),
    p(Fact("tsmc", "country", "taiwan", DD), "tsmc-taiwan"),
    p(Fact("ernie", "developer", "baidu", DD), "ernie-by-baidu"),
    p(Fact("google-cloud", "parent", "google", DD), "google-cloud"),
    p(Fact("amazon-web-services", "parent", "amazon", DD), "aws"),
    p(Has("anthropic", "organization", DD), "anthropic"),
    p(Has("amd", "organization", DD), "amd"),
    p(Has("byd", "organization", DD), "byd"),
    p(Has("dji", "organization", DD), "dji"),
    p(Has("unitree", "organization", DD), "unitree"),
    p(Has("fourier", "organization", DD), "fourier"),
    p(Has("institute-for-progress", "organization", DD), "institute-for-progress"),
    p(Has("atlantic-council", "organization", DD), "cited-atlantic-council"),
    p(Has("cnbc", "organization", DD), "cited-cnbc"),
    p(Has("trendforce", "organization", DD), "cited-trendforce"),
    p(Has("rand", "organization", DD), "cited-rand"),
    p(Has("bloomberg", "organization", DD), "cited-bloomberg"),
    p(Has("us-ai-action-plan-2025", "policy", DD), "us-approach-action-plan"),
    p(Has("china-global-ai-governance-action-plan-2025", "policy", DD), "china-approach-governance-plan"),
    p(Has("china-semiconductor-self-sufficiency-drive", "policy", DD), "self-sufficiency-push"),
    # judgements: scoreboard, investment table and bottom line
    p(Judges(DD, "frontier-models", "leads", "united-states"), "judges-frontier-us"),
    p(Judges(DD, "compute", "leads", "united-states"), "judges-compute-us"),
    p(Judges(DD, "chips", "leads", "united-states"), "judges-chip-design-us"),
    p(Judges(DD, "open-source", "leads", "china"), "judges-open-source-china"),
    p(Judges(DD, "robotics", "leads", "china"), "judges-physical-ai-china"),
    p(Judges(DD, "adoption", "mixed"), "judges-adoption-split"),
]


# -- BitBiased, 2026-04-14 (000) --------------------------------------------------------------
BB_FACTS = [
    # the Ascend 910C dispute: two estimates of the same thing
    p(Figure("huawei-ascend-910c", "chip-annual-output", 200_000, BB, qualifier="at-most", as_of="2025",
             attributed_to="US officials", as_written="Ascent 910C"), "ascend-910c-200k-us-officials"),
    p(Figure("huawei-ascend-910c", "chip-annual-output", 450_000, BB, qualifier="approximately",
             as_of="2025", estimated_by="bitbiased", as_written="Ascent 910C"), "ascend-910c-450k-bitbiased"),
    p(Fact("huawei-ascend-910c", "fab", "smic", BB), "ascend-910c-yields-at-smic"),
    p(Fact("huawei-ascend-910c", "family", "huawei-ascend", BB), "ascend-910c-in-ascend-series"),
    p(Figure("chinese-lab-ascend-training-run-2025", "training-cluster-size", 50_000, BB,
             as_written="Ascent chips"), "ascend-cluster-50000"),
    p(Figure("chinese-lab-ascend-training-run-2025", "training-time-overhead", 40, BB,
             compared_with="nvidia-h100"), "ascend-run-40pc-longer"),
    p(Happened("2025", BB, "other", involves="huawei-ascend"), "ascend-training-run-mid-2025"),
    p(Figure("us-ai-chip-export-controls", "training-cost-multiplier", 3, BB), "controls-3x-training-cost"),
    p(Fact("us-ai-chip-export-controls", "issued_by", "bis", BB), "controls-by-bis"),
    p(Fact("us-ai-chip-export-controls", "targets", "nvidia-h100", BB), "controls-h-series"),
    p(Fact("us-ai-chip-export-controls", "targets", "nvidia-b200", BB), "controls-b-series"),
    # "if the US cannot maintain a 2-generation hardware advantage" is a condition, not a
    # figure: test_data_integrity.py::test_a_conditional_is_not_recorded_as_a_figure
    # energy
    p(Said("elon-musk", "China will far exceed the rest of the world in AI compute", BB), "quote-musk"),
    p(Figure("china", "power-capacity-addition-ratio", 4, BB, compared_with="united-states"),
      "china-adds-power-4x-us"),
    p(Figure("china", "installed-power-capacity", 3_200_000_000_000, BB), "china-3200-gw-installed"),
    p(Figure("china", "annual-power-capacity-addition", 429_000_000_000, BB), "china-429-gw-a-year"),
    p(Figure("united-states", "energy-permitting-time", 48, BB, upper=84),
      "us-permits-4-to-7-years"),
    p(Figure("china", "energy-infrastructure-lead-time", 12, BB, upper=18), "china-12-to-18-months"),
    # capital
    p(Figure("united-states", "private-ai-investment", 109_000_000_000, BB, qualifier="approximately",
             as_of="2024"), "us-109b-private-2024"),
    p(Figure("china", "private-ai-investment", 9_300_000_000, BB, as_of="2024"), "china-9-3b-private-2024"),
    p(Figure("united-states", "private-ai-investment-ratio", 10, BB, compared_with="china"),
      "us-10x-private-capital"),
    p(Figure("united-states", "private-ai-investment-gap", 100_000_000_000, BB, compared_with="china"),
      "us-100b-investment-disparity"),
    p(Figure("united-states", "private-ai-investment", 100_000_000_000, BB, qualifier="more-than"),
      "faq-us-private-100b-plus"),
    p(Figure("xiaomi", "corporate-ai-investment", 8_500_000_000, BB), "xiaomi-8-5b-into-ai"),
    p(Zh("big-fund", "国家集成电路产业投资基金"), "big-fund-zh"),
    p(Has("big-fund", "organization", BB), "big-fund"),
    # infrastructure
    p(Figure("united-states", "data-centre-count", 4000, BB, qualifier="more-than"), "us-over-4000-dcs"),
    p(Figure("china", "data-centre-count", 379, BB), "china-379-dcs"),
    p(Figure("united-states", "share-of-high-end-supercomputer-capacity", 74, BB),
      "us-74pc-supercomputer-capacity"),
    p(Figure("china", "supercomputer-net-new-capacity-ratio", 2.5, BB, compared_with="united-states"),
      "china-2-5x-new-capacity"),
    p(Figure("china", "cloud-price-discount", 20, BB, compared_with="united-states"), "china-cloud-20pc-cheaper"),
    p(Has("federal-reserve", "organization", BB), "federal-reserve"),
    p(Has("stanford-hai", "organization", BB), "stanford-ai-index"),
    p(Has("amazon", "organization", BB), "amazon"),
    # robotics
    p(Figure("china", "industrial-robot-installations", 276_000, BB, qualifier="more-than", as_of="2023"),
      "china-276000-robots-2023"),
    p(Figure("china", "share-of-global-robot-installations", 50, BB, qualifier="more-than", as_of="2023"),
      "china-over-half-of-robots"),
    p(Has("us-congressional-advisory-body", "organization", BB), "congressional-advisory-body"),
    p(Said("us-congressional-advisory-body", "Open model proliferation creates alternative pathways to AI "
           "leadership", BB), "quote-congressional-commission"),
    p(Happened("2026-03", BB, "statement", actor="us-congressional-advisory-body"), "march-2026-warning"),
    # models, open source and adoption
    p(Fact("deepseek-r1", "weights", "open", BB), "deepseek-r1-open-weight"),
    p(Fact("deepseek-r1-zero", "developer", "deepseek", BB), "deepseek-r1-zero"),
    p(Fact("deepseek-v3", "developer", "deepseek", BB), "deepseek-v3"),
    p(Fact("llama-3", "family", "llama", BB), "llama-3"),
    p(Has("gpt-4o", "model", BB), "gpt-4o"),
    p(Fact("qwen", "weights", "open", BB), "qwen-series"),
    p(Fact("modelscope", "parent", "alibaba", BB), "modelscope-alibaba"),
    p(Fact("alibaba-cloud", "parent", "alibaba", BB), "alibaba-cloud"),
    p(Said("sam-altman", "win diffusion", BB), "quote-altman-win-diffusion"),
    p(Has("china-digital-silk-road", "policy", BB), "digital-silk-road"),
    p(Has("indonesia", "country", BB), "indonesia"),
    p(Has("brazil", "country", BB), "brazil"),
    # regulation
    p(Fact("china-generative-ai-interim-measures-2023", "announced", "2023", BB), "interim-measures-2023"),
    p(Zh("china-generative-ai-interim-measures-2023", "生成式人工智能服务管理暂行办法"), "interim-measures-zh"),
    p(Fact("cac-generative-ai-release-guidelines", "issued_by", "cyberspace-administration-of-china", BB),
      "cac-guidelines"),
    p(Has("china-ai-security-assessments", "policy", BB), "security-assessments"),
    p(Fact("eu-ai-act", "issued_by", "european-union", BB), "eu-ai-act"),
    # the scorecard table, the sections and the FAQ
    p(Judges(BB, "frontier-models", "leads", "united-states"), "judges-frontier-us"),
    p(Judges(BB, "open-source", "leads", "china"), "judges-open-source-china"),
    p(Judges(BB, "compute", "leads", "united-states"), "judges-infrastructure-us"),
    p(Judges(BB, "energy", "leads", "china"), "judges-energy-china"),
    p(Judges(BB, "robotics", "leads", "china"), "judges-robotics-china"),
    p(Judges(BB, "capital", "leads", "united-states"), "judges-private-capital-us"),
    p(Judges(BB, "regulation", "leads", "china"), "judges-regulation-china"),
    p(Judges(BB, "adoption", "mixed"), "judges-global-adoption-split"),
    p(Judges(BB, "chips", "catching-up", "china"), "judges-chips-china-closing"),
    # audit additions: figures, quotes and qualifiers the first pass missed
    p(Figure("united-states", "private-ai-investment-ratio", 10, BB, qualifier="exact", as_of="2024",
             compared_with="china"), "us-10x-disparity-as-worded"),
    p(Figure("united-states", "private-ai-investment-gap", 100_000_000_000, BB, qualifier="exact",
             compared_with="china"), "us-100b-disparity-as-worded"),
    p(Figure("china", "coding-efficiency-gain", 30, BB, upper=50, estimated_by="bitbiased"),
      "chinese-open-models-30-50pc-more-efficient-coding"),
    p(Figure("china", "tool-use-speed-advantage", 20, BB, estimated_by="bitbiased"),
      "chinese-agent-frameworks-20pc-faster-tool-use"),
    p(Said("sam-altman", "diffusion game", BB), "quote-altman-diffusion-game"),
    p(Said("elon-musk", "Scaling Problem", BB), "quote-musk-scaling-problem"),
    p(Said("us-congressional-advisory-body", "Deployment Advantage", BB), "quote-deployment-advantage"),
    p(Fact("un-g7-ai-agent-safety-frameworks", "issued_by", "united-nations", BB), "agent-safety-by-un"),
    p(Fact("un-g7-ai-agent-safety-frameworks", "issued_by", "g7", BB), "agent-safety-by-g7"),
    p(Fact("un-g7-ai-agent-safety-frameworks", "status", "proposed", BB, as_of="2026-04"),
      "agent-safety-still-in-development"),
    p(Has("brics", "organization", BB), "brics-plus-partners"),
    p(Fact("california-state-government", "country", "united-states", BB), "california-state-rules"),
    p(Fact("us-congressional-body-warning-2026-03", "involves", "us-congressional-body-deployment-advantage",
           BB), "march-2026-warning-carries-quote"),
]


# -- BotNews.today, 2026 (001) --------------------------------------------------------------
BN_FACTS = [
    p(Judges(BN, "frontier-models", "leads", "united-states"), "judges-foundation-models-us"),
    p(Judges(BN, "compute", "leads", "united-states"), "judges-high-end-compute-us"),
    p(Judges(BN, "chips", "leads", "united-states"), "judges-hardware-gap-us"),
    p(Judges(BN, "adoption", "leads", "china"), "judges-practical-application-china"),
    p(Judges(BN, "robotics", "leads", "china"), "judges-physical-world-china"),
    p(Fact("china-hard-tech-directive", "issued_by", "chinese-government", BN,
           as_written="Chinese goverment"), "hard-tech-steer-misspelt-government"),
    p(Fact("china-hard-tech-directive", "targets", "baidu", BN), "hard-tech-baidu"),
    p(Fact("china-hard-tech-directive", "targets", "alibaba", BN), "hard-tech-alibaba"),
    p(Fact("china-hard-tech-directive", "targets", "tencent", BN), "hard-tech-tencent"),
    # "investing billions": the plural's least is two billion, no more is said
    p(Figure("saudi-arabia", "sovereign-ai-investment", 2_000_000_000, BN, qualifier="at-least"),
      "saudi-arabia-billions"),
    p(Figure("united-arab-emirates", "sovereign-ai-investment", 2_000_000_000, BN, qualifier="at-least"),
      "uae-billions"),
    p(Figure("china", "relative-model-capability", 90, BN, compared_with="united-states"),
      "chinese-models-90pc-as-good"),
    p(Figure("china", "compute-saving", 50, BN, compared_with="united-states"), "chinese-models-half-compute"),
    p(Figure("united-states", "development-cycle-reduction", 50, BN, qualifier="more-than"),
      "dev-cycle-cut-by-over-half"),
    p(Fact("nvidia-h100", "export_status", "restricted", BN), "h100-hard-to-get"),
    p(Fact("nvidia-h200", "export_status", "restricted", BN, as_of="2026"), "h200-hard-to-get"),
    p(Has("llama", "model", BN), "local-llama-models"),
    p(Has("microsoft", "organization", BN), "microsoft"),
    p(Has("google", "organization", BN), "google"),
    p(Has("meta", "organization", BN), "meta"),
    p(Has("reuters", "organization", BN), "reuters"),
    p(Has("mit-technology-review", "organization", BN), "mit-technology-review"),
    p(Has("botnews-today", "organization", BN), "publisher-botnews-today"),
    p(Has("china-semiconductor-self-sufficiency-drive", "policy", BN), "drive-for-self-sufficiency"),
]


# -- Aiden Gray, 2026 (004) --------------------------------------------------------------------
AG_FACTS = [
    p(Judges(AG, "frontier-models", "leads", "united-states"), "judges-foundational-models-us"),
    p(Judges(AG, "chips", "leads", "united-states"), "judges-gpu-design-us"),
    p(Judges(AG, "open-source", "catching-up", "china"), "judges-open-source-equalizer"),
    p(Judges(AG, "regulation", "leads", "china"), "judges-regulatory-speed-china"),
    p(Judges(AG, "robotics", "leads", "china"), "judges-physical-application-china"),
    p(Judges(AG, "energy", "leads", "china"), "judges-energy-building-china"),
    p(Judges(AG, "adoption", "contested"), "judges-race-closer-than-it-looks"),
    p(Fact("china-ai-content-watermarking-rules", "issued_by", "chinese-government", AG),
      "watermarking-laws"),
    p(Fact("china-algorithm-registry", "issued_by", "chinese-government", AG), "algorithm-registry"),
    # "can take close to a decade": how long approval can take, an upper end, not a typical
    # time (a journalist's trial: as "about 120 months" it made a false dispute with
    # BitBiased's 4-7 years)
    p(Figure("united-states", "energy-permitting-time", 120, AG, qualifier="at-most"),
      "us-transmission-approval-close-to-a-decade"),
    p(Has("us-ai-chip-export-controls", "policy", AG), "export-controls"),
    p(Has("nvidia", "organization", AG), "nvidia"),
    p(Has("meta", "organization", AG), "meta-released-llama"),
    p(Has("llama", "model", AG), "llama"),
    p(Has("qwen", "model", AG), "qwen"),
    p(Has("alibaba", "organization", AG), "alibaba"),
    p(Has("deepseek", "organization", AG), "deepseek"),
    p(Has("us-congress", "organization", AG), "congress-slow-to-regulate"),
]


# One parametrized group per article: test ids read "<article>/<fact>", so
# `pytest -k dw/` runs the DW checklist alone.
CHECKLISTS = {"dw": DW_FACTS, "deep-dive": DD_FACTS, "bitbiased": BB_FACTS, "botnews": BN_FACTS,
              "aiden-gray": AG_FACTS}


@pytest.mark.parametrize("fact", [pytest.param(prm.values[0], id=f"{article}/{prm.id}")
                                  for article, facts in CHECKLISTS.items() for prm in facts])
def test_article_fact(kg, fact):
    fact.check(kg)


# -- across the articles -------------------------------------------------------------------------
CHINESE_NAMES = [
    ("deepseek", "深度求索"), ("alibaba", "阿里巴巴"), ("huawei", "华为"), ("tencent", "腾讯"),
    ("bytedance", "字节跳动"), ("baidu", "百度"), ("moonshot-ai", "月之暗面"), ("xiaomi", "小米"),
    ("byd", "比亚迪"), ("smic", "中芯国际"), ("xinhua", "新华社"), ("xi-jinping", "习近平"),
    ("qwen", "通义千问"), ("huawei-ascend", "昇腾"),
    ("china-global-ai-governance-action-plan-2025", "全球人工智能治理行动计划"),
    ("cyberspace-administration-of-china", "国家互联网信息办公室"),
]


@pytest.mark.parametrize("entity_id,zh", CHINESE_NAMES, ids=[i for i, _ in CHINESE_NAMES])
def test_chinese_actors_carry_their_chinese_names(kg, entity_id, zh):
    Zh(entity_id, zh).check(kg)


def test_ascend_910c_output_is_a_real_dispute(kg):
    """Same measure, same chip, same year, two values: the graph shows both."""
    claims = [c for c in of_kind(kg, "claim") if c.first("about") == "huawei-ascend-910c"
              and c.first("measure") == "chip-annual-output" and str(c.first("as_of")) == "2025"]
    assert sorted(int(c.first("value")) for c in claims) == [200_000, 450_000]
    by_us_officials = [c for c in claims if c.first("attributed_to") == "US officials"]
    assert len(by_us_officials) == 1 and int(by_us_officials[0].first("value")) == 200_000


def test_compute_share_and_supercomputer_share_are_different_measures(kg):
    """About 70% of global AI compute (Deep Dive) and 74% of high-end supercomputer
    capacity (BitBiased) measure different things: neither disputes the other."""
    claims = {int(c.first("value")): c for c in of_kind(kg, "claim")
              if c.first("about") == "united-states" and int(c.first("value")) in (70, 74)
              and str(c.first("measure")).startswith("share-of-")}
    assert set(claims) == {70, 74}
    assert claims[70].first("measure") != claims[74].first("measure")
    assert DD in claims[70].sources and BB in claims[74].sources


def test_low_reliability_articles_are_never_confident(kg):
    low = {BB, BN, AG}
    sure = [c.id for c in of_kind(kg, "claim")
            if set(c.sources) <= low and c.first("confidence") == "confident"]
    assert not sure, sure


def test_misspellings_are_not_kept_as_names(kg):
    misspelt = {"ascent 910c", "ascent", "quen", "nvida", "goverment", "chinese goverment"}
    for e in kg.entities.values():
        names = {str(n).lower() for n in [e.name, *e.values("aliases")]}
        assert not names & misspelt, (e.id, names & misspelt)


def test_each_dimension_is_judged_once_per_article(kg):
    seen: dict[tuple[str, str], str] = {}
    for a in of_kind(kg, "assessment"):
        for s in a.sources:
            key = (s, a.first("dimension"))
            assert key not in seen, f"{a.id} and {seen.get(key)} judge {key[1]} for {s}"
            seen[key] = a.id
    counts = {src: sum(1 for s, _ in seen if s == src) for src in (DW, DD, BB, BN, AG)}
    assert counts == {DW: 6, DD: 6, BB: 9, BN: 5, AG: 7}, counts


def test_the_h200_decision_and_its_status_change_in_sparql(kg):
    """Which decision changed the H200's export status, and from when, with which source."""
    q = """
    PREFIX kgo: <https://w3id.org/ai-race-kg/ontology#>
    PREFIX kgid: <https://w3id.org/ai-race-kg/id/>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    SELECT ?status ?from ?by ?src WHERE {
      ?st rdf:subject kgid:nvidia-h200 ; kgo:field "export_status" ; rdf:object ?status ;
          kgo:from ?from ; kgo:by ?by ; prov:wasDerivedFrom ?src .
    }
    """
    rows = {(str(r.status).split("export-status-")[-1], str(r["from"]),
             str(r.by).rsplit("/", 1)[-1], str(r.src).rsplit("/", 1)[-1])
            for r in kg.graph.query(q)}
    assert ("allowed-vetted-buyers", "2025-12", "us-h200-export-decision-2025-12", DW) in rows


def test_quotes_in_sparql_name_speaker_and_every_carrying_article(kg):
    q = """
    PREFIX kgid: <https://w3id.org/ai-race-kg/id/>
    PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX schema: <https://schema.org/>
    SELECT ?quote ?src WHERE {
      ?quote schema:spokenByCharacter kgid:xi-jinping ; schema:text ?text ;
             prov:wasDerivedFrom ?src .
      FILTER(CONTAINS(?text, "our own chips"))
    }
    """
    srcs = {str(r.src).rsplit("/", 1)[-1] for r in kg.graph.query(q)}
    assert srcs == {DW, DD}
