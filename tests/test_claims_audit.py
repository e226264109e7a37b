"""Audit of the figures (issue 14): no false disputes, no hidden ones.

Two figures are "disputed" (queries/disputed-figures.rq) when they give different
values for the same measure of the same thing, against the same thing, for the
same period. One claimant cannot disagree with itself: when one source, or one
estimator named in it, gives two values that the query would pair, the two are
really two different measures (a part and its total, two scenarios, dense and
sparse) and each needs its own `measure`. The other way round, figures that
measure the same thing must share a measure, so a real disagreement shows.

The data is read straight from data/**/*.yaml with PyYAML, so this test does not
depend on how the kg package is organised.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parent.parent / "data"


def load(kind: str) -> dict[str, dict]:
    out = {}
    for path in sorted((DATA / kind).glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[doc["id"]] = doc
    return out


CLAIMS = load("claim")
MEASURES = load("measure")


def ids(value) -> tuple[str, ...]:
    """A plain or long-form value (or a list of them) as a sorted tuple of ids."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(sorted(str(v["value"] if isinstance(v, dict) else v) for v in items))


def claimants(claim: dict) -> tuple[str, ...]:
    """Who makes the figure: the estimator the source names, else the sources themselves."""
    who = claim.get("estimated_by") or claim.get("attributed_to")
    if who:
        return (str(who),)
    return ids(claim.get("sources"))


def figure(claim: dict) -> tuple:
    """The figure as worded: value, upper bound and qualifier."""
    upper = claim.get("upper")
    return (Decimal(str(claim["value"])), None if upper is None else Decimal(str(upper)),
            claim.get("qualifier") or "exact")


def comparable_key(claim: dict) -> tuple:
    """What the disputed-figures query pairs on: subject, measure, comparison, period."""
    as_of = claim.get("as_of")
    return (str(claim["about"]), str(claim["measure"]), str(claim.get("compared_with") or ""),
            "" if as_of is None else str(as_of))


def test_the_data_has_figures():
    assert len(CLAIMS) > 50 and len(MEASURES) > 30


def test_every_claim_names_a_known_measure():
    unknown = {cid: c["measure"] for cid, c in CLAIMS.items() if c["measure"] not in MEASURES}
    assert not unknown, unknown


def test_one_claimant_never_disputes_itself():
    """Fails when one claimant's figures yield two "disputed" values of one measure."""
    groups: dict[tuple, dict[tuple, list[str]]] = defaultdict(lambda: defaultdict(list))
    for cid, c in CLAIMS.items():
        for who in claimants(c):
            groups[(who, *comparable_key(c))][figure(c)].append(cid)
    clashes = {key: {str(f): cids for f, cids in figs.items()}
               for key, figs in groups.items() if len(figs) > 1}
    assert not clashes, (
        "one claimant gives two values of one measure of one thing for one period; "
        f"give the part, scenario or variant its own measure: {clashes}")


# -- the pairs this audit separated, and the real disputes it kept or surfaced ----------
@pytest.mark.parametrize("part, total", [
    pytest.param("stargate-initial-investment", "stargate-planned-investment",
                 id="stargate-100bn-of-500bn"),
    pytest.param("chips-act-manufacturing-incentives", "chips-act-total-funding",
                 id="chips-act-39bn-of-52-7bn"),
    pytest.param("ifp-us-compute-advantage-no-h200-exports-2026",
                 "ifp-us-compute-advantage-aggressive-h200-exports-2026", id="ifp-two-scenarios"),
])
def test_parts_and_scenarios_are_different_measures(part, total):
    assert CLAIMS[part]["about"] == CLAIMS[total]["about"]
    assert CLAIMS[part]["measure"] != CLAIMS[total]["measure"]
    assert MEASURES[CLAIMS[part]["measure"]]["unit"] == MEASURES[CLAIMS[total]["measure"]]["unit"]


def test_stargate_and_chips_act_totals_keep_the_total_measures():
    assert CLAIMS["stargate-planned-investment"]["measure"] == "planned-investment"
    assert Decimal(str(CLAIMS["stargate-planned-investment"]["value"])) == Decimal("500000000000")
    assert CLAIMS["chips-act-total-funding"]["measure"] == "public-funding"
    assert Decimal(str(CLAIMS["chips-act-total-funding"]["value"])) == Decimal("52700000000")


def test_ascend_910c_output_stays_one_disputed_measure():
    """200,000 (US officials) and about 450,000 (BitBiased) for 2025: a real dispute."""
    a = CLAIMS["ascend-910c-output-2025-us-officials"]
    b = CLAIMS["ascend-910c-output-2025-bitbiased"]
    assert comparable_key(a) == comparable_key(b)
    assert {int(a["value"]), int(b["value"])} == {200_000, 450_000}
    assert claimants(a) != claimants(b)


def test_dense_and_sparse_throughput_are_different_measures():
    assert CLAIMS["h100-peak-fp8-sparse"]["measure"] == "peak-fp8-throughput-sparse"
    assert CLAIMS["ironwood-peak-fp8"]["measure"] == "peak-fp8-throughput"


def test_us_energy_permitting_figures_share_a_measure():
    """The other way round: BitBiased's 4-7 years of permits and Aiden Gray's close to a
    decade of approval are both US permitting time for new energy infrastructure, in the
    present tense of 2026 articles; filed apart they hid a disagreement."""
    bb = CLAIMS["us-energy-infrastructure-lead-time-bitbiased"]
    ag = CLAIMS["us-transmission-approval-time-aiden-gray"]
    assert comparable_key(bb) == comparable_key(ag)
    assert figure(bb) != figure(ag)
    # China's 12-18 months is a deployment time, permits and building together
    assert CLAIMS["china-energy-infrastructure-lead-time-bitbiased"]["measure"] \
        == "energy-infrastructure-lead-time"


def test_compute_share_and_supercomputer_share_stay_apart():
    assert CLAIMS["us-share-global-ai-compute-2026-01"]["measure"] \
        != CLAIMS["us-share-high-end-supercomputer-capacity-bitbiased"]["measure"]
