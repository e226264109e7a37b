"""Probable duplicates and fuzzy search over names, aliases and other-language names.

Every label is reduced to a key that ignores what does not tell entities
apart: case, accents, punctuation, spaces against hyphens ("DeepSeek-R1",
"DeepSeek R1", "deepseek_r1" -> "deepseekr1"), corporate suffixes ("Huawei
Technologies Co., Ltd." -> "huawei"), and script: Chinese characters are
transliterated to pinyin (华为 -> "huawei"), so a Chinese name meets its English
spelling. Pinyin comes from pypinyin, a pure-Python package without
dependencies; without it, Chinese names still match each other exactly.

Two labels are the same name when their keys are equal, and a spelling variant
when the keys are close (difflib ratio >= 0.8), they carry the same model
numbers ("Ascend 910" and "Ascend 910C" are different chips, not a typo) and
neither is the other plus whole words ("DeepSeek-R1-Zero", "Huawei Cloud") or, in
Chinese, plus whole characters (华为云, Huawei Cloud, against 华为 or "Huawei").
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kg.core.model import Entity

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)
SUFFIXES = frozenset({
    "inc", "incorporated", "ltd", "limited", "llc", "plc", "co", "corp", "corporation", "company",
    "group", "holdings", "technologies", "technology", "gmbh", "ag", "sa", "the",
})
SIMILAR = 0.8
# Phrases written out or abbreviated: both spellings reduce to the short one, so
# "Allen Institute for Artificial Intelligence" meets "Allen Institute for AI".
PHRASES = {("artificial", "intelligence"): "ai", ("machine", "learning"): "ml",
           ("large", "language", "model"): "llm", ("large", "language", "models"): "llms",
           ("united", "states"): "us", ("people", "s", "republic", "of", "china"): "prc",
           ("peoples", "republic", "of", "china"): "prc"}


@dataclass(frozen=True)
class Match:
    id: str
    kind: str
    name: str
    label: str  # the entity's label that matched
    score: float
    reason: str  # "same name", "spelling variant", "contains", ...


@lru_cache(maxsize=1)
def _pinyin():
    """pypinyin's lazy_pinyin, imported on first use: its dictionaries take ~0.2 s to load,
    which every `kg` command (even `kg --help`) would otherwise pay."""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a declared dependency
        return None
    return lazy_pinyin


@lru_cache(maxsize=65536)
def romanise(text: str) -> str:
    """Each run of Chinese characters -> one pinyin word (华为 -> huawei); other text unchanged."""
    if not CJK_RE.search(text) or _pinyin() is None:
        return text
    return CJK_RE.sub(lambda m: " " + "".join(_pinyin()(m.group(0))) + " ", text).strip()


@lru_cache(maxsize=65536)
def words(label: str) -> tuple[str, ...]:
    """Lower-case, accent-free words of a label, romanised (as ids are made)."""
    text = unicodedata.normalize("NFKD", romanise(unicodedata.normalize("NFKC", label)))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return tuple(TOKEN_RE.findall(text))


@lru_cache(maxsize=65536)
def tokens(label: str) -> tuple[str, ...]:
    """The words of a label for comparing, with written-out phrases abbreviated (PHRASES)."""
    toks = words(label)
    out, i = [], 0
    while i < len(toks):
        for phrase, short in PHRASES.items():
            if tuple(toks[i:i + len(phrase)]) == phrase:
                out.append(short)
                i += len(phrase)
                break
        else:
            out.append(toks[i])
            i += 1
    return tuple(out)


def _core(label: str) -> frozenset[str]:
    toks = tokens(label)
    return frozenset([t for t in toks if t not in SUFFIXES] or toks)


# Chinese corporate suffixes, longest first: 华为技术有限公司 -> 华为. Chinese has no spaces,
# so a run of characters is one word after romanising and SUFFIXES cannot drop them.
CJK_SUFFIXES = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "控股公司",
                "公司", "集团", "控股", "科技", "技术")
CJK_SUFFIX_RE = re.compile("(" + "|".join(CJK_SUFFIXES) + ")$")


def strip_cjk_suffixes(label: str) -> str:
    """Each run of Chinese characters without its corporate suffixes (CJK_SUFFIXES), as long
    as two characters stay: 华为技术有限公司 -> 华为, 深度求索公司 -> 深度求索, 公司 -> 公司."""
    def strip(m: re.Match) -> str:
        run = m.group(0)
        while (cut := CJK_SUFFIX_RE.search(run)) and cut.start() >= 2:
            run = run[:cut.start()]
        return run

    return CJK_RE.sub(strip, label) if CJK_RE.search(label) else label


def key(label: str) -> str:
    """The comparison key: tokens without corporate suffixes (English ones and Chinese ones,
    such as 有限公司), joined without spaces."""
    toks = tokens(strip_cjk_suffixes(label))
    core = [t for t in toks if t not in SUFFIXES] or list(toks)
    return "".join(core)


def model_numbers(label: str) -> frozenset[str]:
    """The tokens with a digit in them: 910c, r1, h100."""
    return frozenset(t for t in tokens(label) if any(c.isdigit() for c in t))


def labels(entity: Entity) -> list[str]:
    out = [entity.name, *entity.values("short_name"), *entity.values("aliases")]
    for names in entity.values("names"):
        out.extend(names.values())
    out.append(entity.id)
    return [str(x) for x in out if x]


def compare(a: str, b: str) -> tuple[float, str]:
    """How alike two labels are: (score, reason); (0, "") when not alike."""
    ka, kb = key(a), key(b)
    if not ka or not kb:
        return 0.0, ""
    if ka == kb:
        return 1.0, "same name" if a.casefold() == b.casefold() else "same name, other spelling"
    if min(len(ka), len(kb)) < 4 or model_numbers(a) != model_numbers(b):
        return 0.0, ""
    ta, tb = _core(a), _core(b)
    if ta < tb or tb < ta:  # a whole extra word: "DeepSeek-R1-Zero", "Huawei Cloud"
        return 0.0, ""
    ratio = similarity(ka, kb, SIMILAR)
    if ratio < SIMILAR or _adds_characters(a, kb) or _adds_characters(b, ka):
        return 0.0, ""
    return ratio, "spelling variant"


def similarity(a: str, b: str, cutoff: float) -> float:
    """difflib's ratio of a and b (0-1) when it can reach cutoff, else 0.0 or any value
    below cutoff: its cheap upper bounds (real_quick_ratio, quick_ratio) are tried first,
    which spares the full comparison for most pairs (a search over 100k entities' labels
    made it for every one)."""
    matcher = difflib.SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
        return 0.0
    return matcher.ratio()


def _adds_characters(label: str, other_key: str) -> bool:
    """Whether `label` is a name whose key is other_key plus whole Chinese characters at the
    start or end of one of its runs: 华为云 is 华为 (or "Huawei") plus 云 (cloud), a
    different entity, as "Huawei Cloud" is "Huawei" plus a word. Chinese has no spaces, so
    the whole-word test of compare cannot see it: each character is a word here."""
    text = strip_cjk_suffixes(label)
    for m in CJK_RE.finditer(text):
        run = m.group(0)
        for i in range(len(run)):
            for kept in (run[:i], run[len(run) - i:]):  # drop characters at the end, the start
                if key(text[:m.start()] + kept + text[m.end():]) == other_key:
                    return True
    return False


def probable_duplicates(entities: dict[str, Entity], kind: str, new_labels: list[str],
                        exclude: str | None = None) -> list[Match]:
    """Entities of the same kind (or tombstones) that probably are the one described by new_labels."""
    found: dict[str, Match] = {}
    for ent in entities.values():
        if ent.id == exclude or ent.kind not in (kind, "tombstone"):
            continue
        for theirs in labels(ent):
            for mine in new_labels:
                score, reason = compare(mine, theirs)
                if score and (ent.id not in found or score > found[ent.id].score):
                    found[ent.id] = Match(ent.id, ent.kind, ent.name, theirs, score,
                                          f"{reason}: '{mine}' ~ '{theirs}'")
    return sorted(found.values(), key=lambda m: (-m.score, m.id))


def search(entities: dict[str, Entity], text: str, limit: int = 10,
           cutoff: float = 0.75) -> list[Match]:
    """Entities whose name, alias, other-language name or id is like `text`, best first."""
    q = key(text)
    if not q:
        return []
    best: dict[str, Match] = {}
    for ent in entities.values():
        for label in labels(ent):
            k = key(label)
            if not k:
                continue
            if k == q:
                score, reason = 1.0, "same name"
            elif len(q) < 3:
                continue
            elif k.startswith(q):
                score, reason = 0.9 + 0.05 * len(q) / len(k), "starts with"
            elif q in k:
                score, reason = 0.8 + 0.05 * len(q) / len(k), "contains"
            else:
                score, reason = similarity(q, k, cutoff), "similar"
            if score >= cutoff and (ent.id not in best or score > best[ent.id].score):
                best[ent.id] = Match(ent.id, ent.kind, ent.name, label, round(score, 3), reason)
    return sorted(best.values(), key=lambda m: (-m.score, m.id))[:limit]


def slug(text: str) -> str:
    """An id from a name: DeepSeek-R1 -> deepseek-r1, 华为 -> huawei, "Ascend 910C" -> ascend-910c."""
    return "-".join(words(re.sub(r"['’]", "", text)))[:80].strip("-")
