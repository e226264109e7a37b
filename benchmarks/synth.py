"""Synthetic data shaped like data/: every kind, link, dated statement and script, at any size.

    python benchmarks/synth.py OUT_DIR --entities 10000 [--seed 16]

writes OUT_DIR/<kind>/<id>.yaml plus OUT_DIR/dataset.yaml. The same seed and size
always give the same bytes. The files validate against the real schema
(`kg validate --data OUT_DIR` passes, SHACL included) and are as a maintainer's
tools leave them: in canonical form (`kg fmt --check` passes: keys in the order
kg/data/yamlio.py gives) with no lint error; tests/test_benchmarks.py checks both
at 400 entities.

The mix follows the curated data (sources, figures and organisations first), with
two deliberate changes for growth: measures and countries grow slower than the rest
(new figures reuse measures; there are only so many countries). Per entity it
writes what curators write: short and long-form facts, histories of temporal
fields (`from`/`to`, succession, `as_of`, a deprecated rank now and then),
qualifiers (`role`, `quantity`, `by`), statement-level sources, `checked`
records, figures that dispute each other, quotes in English and Chinese, and names
in Latin, Chinese, Japanese, Korean, Cyrillic and Arabic script.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kg.core.schema import load_schema  # noqa: E402
from kg.data.yamlio import field_order, statement_order  # noqa: E402

# Share of entities per kind (countries and tombstones are set apart below).
MIX = {
    "source": 0.20, "claim": 0.19, "organization": 0.14, "model": 0.10, "policy": 0.06,
    "event": 0.06, "person": 0.06, "quote": 0.05, "assessment": 0.04, "chip": 0.04,
    "measure": 0.03,
}
MAX_COUNTRIES = 250
TOMBSTONE_SHARE = 0.005
PREFIX = {
    "source": "src", "claim": "fig", "organization": "org", "model": "mdl", "policy": "pol",
    "event": "evt", "person": "per", "quote": "quo", "assessment": "asm", "chip": "chp",
    "measure": "msr", "country": "cty", "tombstone": "old",
}

SYLLABLES = ["ka", "zhi", "long", "hua", "xin", "tian", "mei", "sun", "ray", "nova", "tek",
             "lin", "qi", "yun", "deep", "arc", "bit", "core", "volt", "sen", "mo", "ran",
             "hai", "feng", "lu", "shu", "tron", "vex", "pan", "sky"]
HAN = "华为阿里巴巴腾讯百度字节跳动深度求索智谱月之暗面中芯国际寒武纪商汤科技海光信息摩尔线程壁仞燧原昆仑芯天数智芯"
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモラリルレロ"
HANGUL = "가나다라마바사아자차카타파하연구소기술전자반도체"
CYRILLIC = "абвгдежзиклмнопрстуфхцчшэюя"
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
WORDS = ("the export rules will not stop progress in compute open models chips energy "
         "we lead the race and catch up with frontier capacity investment adoption policy "
         "security talent supply chain data centres in the next decade").split()
ZH_WORDS = ["人工智能", "芯片", "算力", "开源", "模型", "出口管制", "创新", "发展", "安全",
            "产业", "我们", "将", "继续", "推动", "全球", "合作"]
UNITS = ["count", "USD", "percent", "watt", "ratio", "FLOP", "GW", "chips", "byte/s", "tokens"]
MEMORY = ["HBM2e", "HBM3", "HBM3e", "GDDR6", "LPDDR5X"]


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _blocks(lines: list[str], indent: str) -> list[list[str]]:
    """lines cut where a key at this indent starts (its deeper lines go with it)."""
    out: list[list[str]] = []
    for line in lines:
        if not out or (line.startswith(indent) and line[len(indent)] not in " -"):
            out.append([])
        out[-1].append(line)
    return out


def _in_order(blocks: list[list[str]], order: list[str], indent: str) -> list[list[str]]:
    rank = {k: i for i, k in enumerate(order)}
    return sorted(blocks, key=lambda b: rank.get(b[0][len(indent):].split(":")[0], len(order)))


def canonical_lines(lines: list[str], kind, schema_kind) -> list[str]:
    """The lines with keys in the order `kg fmt` writes them (kg/data/yamlio.py): the entity's
    fields by field_order, each long-form statement's keys by statement_order."""
    out: list[str] = []
    for block in _in_order(_blocks(lines, ""), field_order(schema_kind), ""):
        out.append(block[0])
        if len(block) == 1:
            continue
        name = block[0].split(":")[0]
        items: list[list[str]] = []
        for line in block[1:]:
            if line.startswith("  - "):
                items.append([])
            items[-1].append(line)
        for item in items:
            first = ["    " + item[0][4:]]  # "  - value: v" as a key line at the item's indent
            keys = _in_order(_blocks(first + item[1:], "    "), statement_order(schema_kind, name),
                             "    ")
            flat = [line for b in keys for line in b]
            out.append("  - " + flat[0][4:])
            out += flat[1:]
    return out


class Synth:
    def __init__(self, n: int, seed: int):
        self.n, self.rnd = n, random.Random(seed)
        self.schema = load_schema()
        counts = {k: max(2, int(n * share)) for k, share in MIX.items()}
        counts["country"] = max(4, min(MAX_COUNTRIES, n // 50))
        counts["tombstone"] = max(1, int(n * TOMBSTONE_SHARE))
        counts["organization"] += max(0, n - sum(counts.values()))
        self.counts = counts
        self.ids: dict[str, list[str]] = {}
        for kind, count in counts.items():
            width = len(str(count))
            self.ids[kind] = [f"{PREFIX[kind]}-{self.slug_word(i)}-{i:0{width}d}"
                              for i in range(count)]
        # the first measures have the ids the query library names (open-weight-leaders
        # lists figures of these five), so that its queries have rows to find here too
        named = ["model-downloads", "derivative-models", "open-model-download-rank",
                 "open-sourced-models", "global-chatbot-market-share"]
        self.ids["measure"][:len(named)] = named[:len(self.ids["measure"])]
        self.bundled = set(self.ids["source"][:3])  # the "bundled articles": from-article facts
        self.current = ""  # the id of the entity being written
        self.any_pool = [i for k, ids in self.ids.items() if k != "tombstone" for i in ids]
        # the first two countries are the United States and China (the blocs of the race)
        codes = [a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
        self.iso = ["US", "CN"] + [c for c in codes if c not in ("US", "CN")]

    # -- small pieces ---------------------------------------------------------
    def slug_word(self, i: int) -> str:
        return SYLLABLES[i % len(SYLLABLES)] + SYLLABLES[(i // len(SYLLABLES)) % len(SYLLABLES)]

    def pick(self, kind: str) -> str:
        if kind == "country" and self.rnd.random() < 0.7:  # most actors are American or Chinese
            return self.ids["country"][self.rnd.randrange(2)]
        return self.rnd.choice(self.ids[kind])

    def picks(self, kinds, k: int) -> list[str]:
        out: list[str] = []
        while len(out) < k:
            kind = kinds if isinstance(kinds, str) else self.rnd.choice(kinds)
            got = self.rnd.choice(self.any_pool if kind == "any" else self.ids[kind])
            if got not in out and got != self.current:  # no entity refers to itself
                out.append(got)
        return out

    def other(self) -> str:
        """Any entity but the one being written (a reference to itself is an error)."""
        while (got := self.rnd.choice(self.any_pool)) == self.current:
            pass
        return got

    def sources(self, k: int | None = None) -> list[str]:
        k = k or self.rnd.choice((1, 1, 1, 1, 2, 3))
        out = self.picks("source", k)
        if self.rnd.random() < 0.03:  # a few facts come from the bundled articles
            out[0] = self.rnd.choice(sorted(self.bundled))
        return sorted(set(out))

    def date(self, lo: int = 2015, hi: int = 2026) -> str:
        y = self.rnd.randint(lo, hi)
        r = self.rnd.random()
        if r < 0.2:
            return str(y)
        if r < 0.6:
            return f"{y}-{self.rnd.randint(1, 12):02d}"
        return f"{y}-{self.rnd.randint(1, 12):02d}-{self.rnd.randint(1, 28):02d}"

    def name(self, i: int) -> str:
        parts = self.rnd.sample(SYLLABLES, 2)
        return f"{parts[0].capitalize()}{parts[1]} {i}"

    def script(self, alphabet: str, k: int) -> str:
        return "".join(self.rnd.choice(alphabet) for _ in range(k))

    def names(self) -> dict[str, str]:
        out = {}
        for tag, alphabet, k in (("zh", HAN, 3), ("ja", KANA, 4), ("ko", HANGUL, 3),
                                 ("ru", CYRILLIC, 7), ("ar", ARABIC, 5)):
            if self.rnd.random() < (0.5 if tag == "zh" else 0.12):
                out[tag] = self.script(alphabet, k)
        return out

    def sentence(self, k: int = 12) -> str:
        return " ".join(self.rnd.choice(WORDS) for _ in range(k)).capitalize() + "."

    def checked(self) -> str:
        return (f"{{by: Curator {self.rnd.randint(1, 20)}, 'on': 2026-{self.rnd.randint(1, 11):02d}-"
                f"{self.rnd.randint(1, 28):02d}, against: {self.pick('source')}}}")

    # -- facts ------------------------------------------------------------------
    def fact(self, lines: list[str], name: str, values: list[str], *, long_share: float = 0.3,
             temporal: bool = False, quals: dict | None = None, many: bool = False) -> None:
        """A sourced field: short (`name: v` / `name: [a, b]`) or long form with metadata."""
        if not values:
            return
        if not quals and not temporal and self.rnd.random() >= long_share:
            lines.append(f"{name}: [{', '.join(values)}]" if many and len(values) > 1
                         else f"{name}: {values[0]}")
            return
        lines.append(f"{name}:")
        # a history: consecutive `from` months, each value once (no duplicate facts)
        months = sorted(self.rnd.sample(range(2016 * 12, 2026 * 12), len(values)))
        for j, value in enumerate(values):
            lines.append(f"  - value: {value}")
            if temporal:  # single-valued: a succession of `from`s; many-valued: spans
                y, m = divmod(months[j], 12)
                r = self.rnd.random()
                if r < 0.6 or (j > 0 and not many):
                    lines.append(f"    from: {y}-{m + 1:02d}")
                    if many and r < 0.15:
                        lines.append(f"    to: {y + 1}")
                elif r < 0.75 and len(values) == 1:
                    lines.append(f"    as_of: {y}")
            for qname, qvalue in (quals or {}).items():
                if qvalue is not None and self.rnd.random() < 0.7:
                    lines.append(f"    {qname}: {qvalue() if callable(qvalue) else qvalue}")
            if self.rnd.random() < 0.5:
                lines.append(f"    sources: [{', '.join(self.sources())}]")
            r = self.rnd.random()
            if j == 0 and len(values) > 1 and r < 0.05:  # superseded, kept with its reason
                lines.append("    rank: deprecated")
                lines.append(f"    note: {_q(self.sentence(6))}")
            elif r < 0.1:
                lines.append(f"    confidence: {self.rnd.choice(['confident', 'likely', 'speculative'])}")
            elif r < 0.13:
                lines.append(f"    as_written: {_q(value.upper())}")
            elif r < 0.16:
                lines.append(f"    note: {_q(self.sentence(8))}")
            elif r < 0.2:
                lines.append(f"    checked: {self.checked()}")

    def common(self, lines: list[str], kind: str, i: int, eid: str) -> None:
        lines.append(f"id: {eid}")
        lines.append(f"name: {_q(self.name(i))}")
        if self.rnd.random() < 0.3:
            lines.append(f"aliases: [{_q(self.name(i + 1))}]")
        names = self.names() if kind in ("organization", "person", "model", "chip", "country",
                                         "policy") else {}
        if names:
            lines.append("names: {" + ", ".join(f"{t}: {_q(v)}" for t, v in names.items()) + "}")
        if self.rnd.random() < 0.6:
            lines.append(f"description: {_q(self.sentence())}")
        if self.rnd.random() < 0.15:
            lines.append(f"wikidata: Q{self.rnd.randint(1, 10**8)}")
        if self.rnd.random() < 0.2:
            lines.append(f"url: https://example.org/{kind}/{eid}")

    # -- kinds --------------------------------------------------------------------
    def organization(self, lines, i, eid):
        r = self.rnd
        lines.append(f"org_type: {r.choice(['company'] * 5 + ['lab', 'government-body', 'agency', 'research-institute', 'think-tank', 'university', 'media', 'investor'])}")
        if r.random() < 0.7:
            self.fact(lines, "country", [self.pick("country")], long_share=0.2)
        if r.random() < 0.25:
            self.fact(lines, "founded", [self.date(1950, 2025)])
        if r.random() < 0.2 and i > 0:
            parents = [p for p in self.picks("organization", r.choice((1, 1, 2))) if p != eid]
            self.fact(lines, "parent", parents, temporal=True)
        if r.random() < 0.3:
            lines.append(f"headquarters: {_q(self.name(i).split()[0] + ' City')}")
        if r.random() < 0.1:
            lines.append(f"ticker: {self.name(i).split()[0][:4].upper()}")
        for name, p in (("supplies", 0.1), ("partners", 0.1), ("invests_in", 0.06)):
            if r.random() < p:
                targets = [t for t in self.picks("organization", r.randint(1, 3)) if t != eid]
                self.fact(lines, name, targets, temporal=True, many=True)

    def person(self, lines, i, eid):
        self.fact(lines, "citizenship", [self.pick("country")])
        roles = ["CEO", "founder", "chief scientist", "minister", "fellow", "director"]
        self.fact(lines, "affiliation", self.picks("organization", self.rnd.choice((1, 1, 2))),
                  temporal=True, many=True, quals={"role": lambda: _q(self.rnd.choice(roles))})

    def country(self, lines, i, eid):
        lines.append(f"iso_code: {self.iso[i % len(self.iso)]}")

    def model(self, lines, i, eid):
        r = self.rnd
        lines.append(f"model_type: {r.choice(['model'] * 6 + ['family', 'application'])}")
        self.fact(lines, "developer", self.picks("organization", r.choice((1, 1, 1, 2))), many=True)
        if r.random() < 0.3 and i > 0:
            self.fact(lines, "family", [self.ids["model"][r.randrange(i)]])
        if r.random() < 0.15 and i > 0:
            self.fact(lines, "base_model", [self.ids["model"][r.randrange(i)]])
        self.fact(lines, "released", [self.date(2018, 2026)])
        if r.random() < 0.7:
            self.fact(lines, "weights", [r.choice(["open", "closed", "mixed"])])
        if r.random() < 0.4:
            params = r.randint(1, 2000) * 10**9
            self.fact(lines, "parameters", [str(params)])
            if r.random() < 0.3:
                self.fact(lines, "active_parameters", [str(params // 16)])
        if r.random() < 0.15:
            self.fact(lines, "trained_on", self.picks("chip", r.randint(1, 2)), many=True,
                      quals={"quantity": lambda: str(r.randint(1, 100) * 1000)})
        if r.random() < 0.1:
            self.fact(lines, "served_on", self.picks("chip", r.randint(1, 2)), many=True)

    def chip(self, lines, i, eid):
        r = self.rnd
        lines.append(f"chip_type: {r.choice(['gpu', 'gpu', 'npu', 'tpu', 'cpu', 'family'])}")
        self.fact(lines, "designer", [self.pick("organization")])
        if r.random() < 0.5:
            self.fact(lines, "fab", self.picks("organization", 1), many=True)
        if r.random() < 0.3 and i > 0:
            self.fact(lines, "family", [self.ids["chip"][r.randrange(i)]])
        if r.random() < 0.1 and i > 0:
            self.fact(lines, "variant_of", [self.ids["chip"][r.randrange(i)]])
            self.fact(lines, "market", [self.pick("country")])
        if r.random() < 0.7:
            self.fact(lines, "released", [self.date(2016, 2026)])
        if r.random() < 0.4:
            self.fact(lines, "process_node_nm", [r.choice(["3", "4", "5", "7", "12", "14"])])
            self.fact(lines, "memory_bytes", [str(r.choice((16, 32, 64, 80, 96, 141, 192)) * 10**9)])
            self.fact(lines, "memory_type", [r.choice(MEMORY)])
            self.fact(lines, "memory_bandwidth", [str(r.randint(1, 80) * 10**11)])
            self.fact(lines, "tdp_w", [str(r.randint(75, 1200))])
        by_pool = ("policy", "event")
        if r.random() < 0.4:
            statuses = r.sample(["unrestricted", "restricted", "licence-required",
                                 "licences-granted", "allowed-vetted-buyers", "banned"],
                                r.randint(1, 3))
            self.fact(lines, "export_status", statuses, temporal=True,
                      quals={"by": lambda: self.picks(by_pool, 1)[0]})
        if r.random() < 0.15:
            self.fact(lines, "import_status", r.sample(["allowed", "discouraged", "blocked"],
                                                       r.randint(1, 2)),
                      temporal=True, quals={"by": lambda: self.picks(by_pool, 1)[0]})

    def policy(self, lines, i, eid):
        r = self.rnd
        lines.append(f"policy_type: {r.choice(['export-control', 'entity-listing', 'action-plan', 'initiative', 'regulation', 'law', 'executive-order', 'decision', 'report', 'guidance'])}")
        if r.random() < 0.3:
            lines.append(f"short_name: {_q(self.name(i).split()[0] + ' Act')}")
        self.fact(lines, "issued_by", self.picks(("organization", "country"), r.choice((1, 1, 2))),
                  many=True)
        self.fact(lines, "jurisdiction", [self.pick("country")])
        self.fact(lines, "announced", [self.date(2018, 2026)])
        if r.random() < 0.5:
            self.fact(lines, "effective", [self.date(2019, 2026)])
        if r.random() < 0.5:
            self.fact(lines, "status", r.sample(["proposed", "in-force", "partly-in-force",
                                                 "rescinded"], r.randint(1, 2)), temporal=True)
        if r.random() < 0.3:
            self.fact(lines, "targets", self.picks(("chip", "organization", "country", "model"),
                                                   r.randint(1, 3)), many=True)
        self.fact(lines, "topics", r.sample(["chips", "chipmaking-tools", "companies", "compute",
                                             "open-models", "safety", "exports"], r.randint(1, 2)),
                  many=True)
        if r.random() < 0.15 and i > 0:
            self.fact(lines, "amends", [self.ids["policy"][r.randrange(i)]], many=True)
        if r.random() < 0.1 and i > 0:
            self.fact(lines, "implements", [self.ids["policy"][r.randrange(i)]], many=True)

    def quote(self, lines, i, eid):
        r = self.rnd
        if r.random() < 0.3:
            text, lang = "".join(r.choice(ZH_WORDS) for _ in range(8)) + "。", "zh"
        else:
            text, lang = self.sentence(r.randint(8, 30)), r.choice(["en", "en", "en-translated"])
        lines.append(f"text: {_q(text)}")
        lines.append(f"language: {lang}")
        self.fact(lines, "speaker", self.picks(("person", "person", "organization", "policy"), 1))
        if r.random() < 0.4:
            self.fact(lines, "speaker_affiliation", [self.pick("organization")])
        self.fact(lines, "date", [self.date(2018, 2026)])
        if r.random() < 0.4:
            lines.append(f"occasion: {_q('in an interview with ' + self.name(i))}")
        self.fact(lines, "about", self.picks("any", r.choice((1, 1, 2))), many=True)
        if r.random() < 0.1 and lang != "zh":
            lines.append("shortened:")
            lines.append(f"  - value: {_q(text[:40].rstrip())}")
            lines.append(f"    sources: [{self.pick('source')}]")

    def event(self, lines, i, eid):
        r = self.rnd
        lines.append(f"event_type: {r.choice(['release', 'decision', 'order', 'ban', 'statement', 'report', 'announcement', 'investment', 'other'])}")
        self.fact(lines, "date", [self.date(2018, 2026)])
        if r.random() < 0.1:
            self.fact(lines, "end_date", ["2026-12"])
        self.fact(lines, "actors", self.picks(("organization", "person", "country"),
                                              r.choice((1, 1, 2))), many=True)
        if r.random() < 0.5:
            self.fact(lines, "involves", self.picks("any", r.choice((1, 1, 2))), many=True)
        if r.random() < 0.2:
            self.fact(lines, "quantity", [str(r.randint(1, 10**6))])
        if r.random() < 0.3:
            self.fact(lines, "value_usd", [str(r.randint(1, 10**4) * 10**6)])

    def claim(self, lines, i, eid):
        r = self.rnd
        # every fifth figure restates an earlier one's measure, subject and date: some dispute
        if i % 5 == 4:
            about, measure, as_of = self.claim_keys[r.randrange(len(self.claim_keys))]
        else:
            about, measure = self.other(), self.pick("measure")
            as_of = self.date(2018, 2026) if r.random() < 0.8 else None
            self.claim_keys.append((about, measure, as_of))
        lines.append(f"about: {about}")
        lines.append(f"measure: {measure}")
        value = r.choice((r.randint(1, 10**6), r.randint(1, 10**12), round(r.random() * 100, 2)))
        lines.append(f"value: {value}")
        if r.random() < 0.1:
            lines.append(f"upper: {value * 2}")
        elif r.random() < 0.4:
            lines.append(f"qualifier: {r.choice(['exact', 'approximately', 'more-than', 'less-than', 'at-least', 'at-most'])}")
        if as_of:
            lines.append(f"as_of: {as_of}")
        if r.random() < 0.1:
            lines.append(f"compared_with: {self.other()}")
        if r.random() < 0.3:
            lines.append(f"context: {_q(self.sentence(5))}")
        if r.random() < 0.5:
            lines.append(f"estimated_by: {self.picks(('organization', 'person', 'country'), 1)[0]}")
        elif r.random() < 0.3:
            lines.append(f"attributed_to: {_q('analysts at ' + self.name(i))}")
        lines.append(f"method: {r.choice(['reported', 'measured', 'estimated', 'projected'])}")
        if r.random() < 0.3:
            lines.append(f"confidence: {r.choice(['confident', 'likely', 'speculative', 'unknown'])}")
        if r.random() < 0.1:
            lines.append(f"reported_by: {self.picks(('organization', 'person'), 1)[0]}")
        if r.random() < 0.1:
            lines.append(f"involves: [{', '.join(self.picks('any', 2))}]")

    def measure(self, lines, i, eid):
        lines.append(f"unit: {_q(self.rnd.choice(UNITS))}")

    def assessment(self, lines, i, eid):
        r = self.rnd
        lines.append(f"dimension: {r.choice(['frontier-models', 'compute', 'chips', 'open-source', 'energy', 'robotics', 'capital', 'regulation', 'adoption'])}")
        verdict = r.choice(["leads", "leads", "catching-up", "mixed", "contested"])
        us_cn = self.ids["country"][:2]
        leader = r.randrange(2)
        if verdict in ("leads", "catching-up"):
            lines.append(f"leader: {us_cn[leader]}")
        if verdict == "catching-up":
            lines.append(f"challenger: {us_cn[1 - leader]}")
        lines.append(f"verdict: {verdict}")
        lines.append(f"as_of: {self.date(2022, 2026)}")
        if r.random() < 0.6:
            lines.append(f"evidence: [{', '.join(self.picks('any', r.randint(1, 3)))}]")

    def source(self, lines, i, eid):
        r = self.rnd
        lines.append(f"title: {_q(self.sentence(r.randint(4, 10)))}")
        lines.append(f"publisher: {_q(self.name(i).split()[0] + ' Media')}")
        if r.random() < 0.6:
            lines.append(f"author: [{_q(self.name(i + 7))}]")
        lines.append(f"date: {self.date(2015, 2026)}")
        if r.random() < 0.1:
            lines.append(f"archived_url: https://archive.example.org/{eid}")
        lines.append(f"source_type: {r.choice(['news', 'news', 'analysis', 'opinion', 'official', 'vendor', 'paper', 'dataset'])}")
        lines.append(f"reliability: {r.choice(['high', 'high', 'medium', 'low'])}")
        if r.random() < 0.1:
            lines.append(f"reliability_note: {_q(self.sentence(6))}")
        if eid in self.bundled:
            lines.append(f"bundled_file: {i:03d}_synthetic.txt")
        if r.random() < 0.1:
            lines.append(f"cites: [{self.pick('organization')}]")

    def tombstone(self, lines, i, eid):
        lines.append(f"date: {self.date(2025, 2026)}")
        if self.rnd.random() < 0.7:
            lines.append(f"replaced_by: {self.rnd.choice(self.any_pool)}")
        else:
            lines.append(f"withdrawn: {_q(self.sentence(6))}")

    # -- all of it ----------------------------------------------------------------
    def entity(self, kind: str, i: int) -> str:
        eid = self.current = self.ids[kind][i]
        lines: list[str] = []
        self.common(lines, kind, i, eid)
        getattr(self, kind)(lines, i, eid)
        if kind not in ("measure", "source", "tombstone"):
            lines.append(f"sources: [{', '.join(self.sources())}]")
            if self.rnd.random() < 0.05:
                lines.append(f"checked: {self.checked()}")
        lines = canonical_lines(lines, kind, self.schema.kinds[kind])
        return "\n".join(lines) + "\n"

    def write(self, out: Path) -> int:
        self.claim_keys: list = []
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        (out / "dataset.yaml").write_text("date: 2026-04-14\nas_of_horizon_days: 730\n",
                                          encoding="utf-8")
        total = 0
        for kind in self.counts:
            folder = out / kind
            folder.mkdir()
            for i, eid in enumerate(self.ids[kind]):
                (folder / f"{eid}.yaml").write_text(self.entity(kind, i), encoding="utf-8")
                total += 1
        return total


def generate(out: Path, n: int, seed: int = 16) -> int:
    """Write about n synthetic entities (exactly sum(Synth(n).counts)) into out; return the count."""
    return Synth(n, seed).write(Path(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--entities", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=16)
    args = ap.parse_args()
    print(f"wrote {generate(args.out, args.entities, args.seed)} entities into {args.out}")


if __name__ == "__main__":
    main()
