"""The semantic layer (kg/semantics): what holds on a date, disputes, blocs; and SPARQL,
through the triples the build materialises, answering the same on both engines."""

from __future__ import annotations

import datetime as dt

import pytest
from sparql_support import built, oxigraph_store, rdflib_store

from kg.core.model import DateValue, Statement
from kg.core.schema import Field, load_schema
from kg.semantics.time import window
from kg.sparql.queries import find_query, run_query

D = dt.date
HORIZON = dt.timedelta(days=730)
KGID = "https://w3id.org/ai-race-kg/id/"
PREFIXES = """PREFIX kgo: <https://w3id.org/ai-race-kg/ontology#>
PREFIX kgid: <https://w3id.org/ai-race-kg/id/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def st(value, line=1, **kw) -> Statement:
    dates = {k: DateValue.parse(v) for k, v in kw.items() if k in ("valid_from", "valid_to",
                                                                     "as_of")}
    rest = {k: v for k, v in kw.items() if k not in dates}
    return Statement("f", value, line, **dates, **rest)


SINGLE = Field("export_status", "enum", "", "", temporal=True)
MANY = Field("affiliation", "ref", "", "", temporal=True, many=True)


# -- the rule, on hand-made statements ------------------------------------------------------
def test_mixed_precision_boundaries_overlap_for_the_month_and_are_marked_changed():
    old, new = st("restricted", valid_to="2025-12"), st("allowed", valid_from="2025-12")
    w_old, w_new = (window(SINGLE, s, [old, new], HORIZON) for s in (old, new))
    assert (w_old.start, w_old.end) == (None, D(2025, 12, 31))
    assert (w_new.start, w_new.end) == (D(2025, 12, 1), None)
    inside = D(2025, 12, 10)
    assert w_old.contains(inside) and w_new.contains(inside)
    assert w_old.changed_on(inside) and w_new.changed_on(inside)
    assert not w_new.changed_on(D(2026, 1, 2)) and not w_old.contains(D(2026, 1, 2))


def test_a_start_and_an_end_are_in_an_interval_alike_when_their_precision_overlaps_it():
    """A fresh user's trial: with since 2025-04-14, the H20's "unrestricted to 2025-04" was
    a change and "licence-required from 2025-04" was not (a `from` counted from the
    month's first day, a `to` from its last), an end without its start."""
    old, new = st("unrestricted", valid_to="2025-04"), st("licence-required",
                                                          valid_from="2025-04")
    w_old, w_new = (window(SINGLE, s, [old, new], HORIZON) for s in (old, new))
    since, until = D(2025, 4, 14), D(2026, 4, 14)
    assert w_old.ended_within(since, until) and w_new.began_within(since, until)
    assert not w_old.began_within(since, until) and not w_new.ended_within(since, until)
    # the interval (since, until] shares no day with April 2025 when it starts after it,
    # or ends before it (since is the day before the interval: 2025-04-30 leaves April out)
    for a, b in ((D(2025, 4, 30), D(2025, 6, 1)), (D(2025, 1, 1), D(2025, 3, 31))):
        assert not w_old.ended_within(a, b) and not w_new.began_within(a, b)
    # ... and both, when it holds a single day of April
    assert w_old.ended_within(D(2025, 4, 29), D(2025, 4, 30))
    assert w_new.began_within(D(2025, 3, 31), D(2025, 4, 1))
    # a year alike: 2025 is in an interval that starts in December 2025 or ends in January
    y_old, y_new = st("unrestricted", valid_to="2025"), st("banned", valid_from="2025")
    w_yo, w_yn = (window(SINGLE, s, [y_old, y_new], HORIZON) for s in (y_old, y_new))
    for a, b in ((D(2025, 12, 1), D(2026, 3, 1)), (D(2024, 10, 1), D(2025, 1, 1))):
        assert w_yo.ended_within(a, b) and w_yn.began_within(a, b)
    assert not w_yo.ended_within(D(2025, 12, 31), D(2026, 3, 1))
    assert not w_yn.began_within(D(2024, 1, 1), D(2024, 12, 31))
    # a day is its own interval: one day before since, or since itself, is out
    since = D(2025, 4, 14)
    d_old, d_new = st("unrestricted", valid_to="2025-04-13"), st("banned",
                                                                  valid_from="2025-04-13")
    w_do, w_dn = (window(SINGLE, s, [d_old, d_new], HORIZON) for s in (d_old, d_new))
    for a in (since, since - dt.timedelta(days=1)):
        assert not w_do.ended_within(a, until) and not w_dn.began_within(a, until)
    a = since - dt.timedelta(days=2)
    assert w_do.ended_within(a, until) and w_dn.began_within(a, until)
    # an end inferred from a successor is no dated change, whatever the interval
    first, then = st("licence-required", valid_from="2022-10"), st("banned",
                                                                   valid_from="2024-03")
    w = window(SINGLE, first, [first, then], HORIZON)
    assert w.end == D(2024, 2, 29) and not w.ended_within(D(2020, 1, 1), D(2030, 1, 1))


def test_an_open_statement_ends_where_the_next_value_starts_on_a_single_valued_field():
    a, b = st("licence-required", valid_from="2022-10"), st("banned", valid_from="2024-03-15")
    w = window(SINGLE, a, [a, b], HORIZON)
    assert (w.start, w.end) == (D(2022, 10, 1), D(2024, 3, 14))
    assert w.end_span is None  # an inferred end is not a dated change


def test_as_of_holds_for_the_horizon_and_never_creates_a_start_or_an_end():
    s = st("bis", as_of="2022-10-07")
    w = window(MANY, s, [s], HORIZON)
    assert (w.start, w.end, w.basis) == (D(2022, 10, 7), D(2024, 10, 6), "as-of")
    assert w.start_span is None and w.end_span is None
    assert not w.changed_on(D(2022, 10, 7))


def test_as_of_is_ended_by_the_same_fact_s_to_and_superseded_by_a_later_start():
    seen, ended = st("bis", as_of="2023-01"), st("bis", valid_to="2023-06")
    assert window(MANY, seen, [seen, ended], HORIZON).end == D(2023, 6, 30)
    report, change = st("restricted", as_of="2024"), st("allowed", valid_from="2025-03")
    assert window(SINGLE, report, [report, change], HORIZON).end == D(2025, 2, 28)
    # an as-of report does not cut a dated change that started before it
    late = st("restricted", as_of="2026")
    dated = st("allowed", valid_from="2025-12")
    assert window(SINGLE, dated, [late, dated], HORIZON).end is None


def test_deprecated_never_holds():
    s = st("restricted", valid_from="2020", rank="deprecated")
    assert not window(SINGLE, s, [s], HORIZON).contains(D(2021, 1, 1))


def test_state_on_says_not_yet_superseded_ended_or_ranked_down_for_the_day():
    from types import SimpleNamespace

    from kg.core.model import Entity
    from kg.semantics.time import Timeline

    old, new = st("restricted", valid_from="2022-10"), st("allowed", valid_from="2025-12")
    seen = st("banned", as_of="2026", rank="deprecated")
    closed = st("licence", valid_from="2020", valid_to="2021-06")
    report = st("restricted", as_of="2019")  # ended by its horizon (two years)
    ent = Entity("chip", "chip", "chip.yaml", 1, facts={"export_status": [old, new, seen],
                                                      "many": [closed, report]})
    kind = SimpleNamespace(fields={"export_status": SINGLE, "many": MANY})
    tl = Timeline(SimpleNamespace(kinds={"chip": kind}), {"chip": ent}, HORIZON)

    def states(day, name="export_status"):
        return [tl.state_on(ent, name, s, D.fromisoformat(day)) for s in ent.facts[name]]
    # the deprecated "banned" is dated only by as_of: reported then, nothing said of before
    assert states("2022-01-01") == ["not yet", "not yet", "not yet reported"]
    assert states("2025-11-15") == ["holds", "not yet", "not yet reported"]
    assert states("2026-03-01") == ["superseded", "holds", "ranked down"]
    assert states("2018-06-01", "many") == ["not yet", "not yet reported"]
    assert states("2020-03-01", "many") == ["holds", "holds"]
    # the licence's own `to` passed; the 2019 report is past its horizon: not "ended"
    assert states("2022-01-01", "many") == ["ended", "not reported since"]
    assert window(SINGLE, old, [old, new], HORIZON).end_by == "successor"
    assert window(MANY, closed, [closed], HORIZON).end_by == "to"
    assert window(MANY, report, [report], HORIZON).end_by == "horizon"


def test_an_end_lists_only_the_sources_that_can_report_it():
    """A journalist's trial: "in-force ended 2025-05-13 [fr-2025-01-15-ai-diffusion]", the
    January rule cited for its own May rescission; the H20's "licence-required ended
    2025-08" cited NVIDIA's April 8-K. A source published before the whole day, month or
    year of a `to` cannot report the end (Timeline.end_sources): the rest are listed;
    with none left, the sources of the value that began then; with none of those, its
    own, marked "published before the change" (a start keeps all its sources:
    tests/test_queries.py, test_20_an_end_cites_only_sources_that_can_report_it)."""
    from types import SimpleNamespace

    from kg.core.model import Entity
    from kg.semantics.time import PUBLISHED_BEFORE, EndSources, Timeline, published_before

    def source(sid, date):
        return Entity(sid, "source", f"{sid}.yaml", 1,
                      facts={"date": [Statement("date", DateValue.parse(date), 1)]})

    p = DateValue.parse
    assert published_before(p("2025-04-15"), p("2025-08"))
    assert published_before(p("2025-07-31"), p("2025-08"))
    assert not published_before(p("2025-08-27"), p("2025-08"))  # in the month: can report
    assert not published_before(p("2025"), p("2025-08"))  # the year may be after it
    assert not published_before(p("2025-08"), p("2025-08-15"))
    assert published_before(p("2024"), p("2025-01-01")) and not published_before(None, p("2025"))

    srcs = {s.id: s for s in (source("fr", "2025-01-15"), source("rescission", "2025-05-13"),
                              source("april", "2025-04-15"), source("august", "2025-08-27"),
                              source("year", "2025"), source("later", "2025-09-01"))}
    ruled = st("in-force", valid_from="2025-01-13", valid_to="2025-05-13", sources=("fr",))
    rescinded = st("not-in-force", valid_from="2025-05-13", sources=("rescission",))
    dropped = st("withdrawn", valid_from="2025-05-13", sources=("later",), rank="deprecated")
    required = st("licence-required", valid_from="2025-04", valid_to="2025-08",
                  sources=("april", "august"))
    granted = st("licences-granted", valid_from="2025-08", sources=("august",))
    yearly = st("restricted", valid_to="2025-06", sources=("year", "april"))
    lone = st("banned", valid_from="2024", valid_to="2025-05", sources=("april",))
    later = st("allowed", valid_from="2025-07", sources=("later",))  # not on that month
    left = st("deepseek", valid_to="2025-05", sources=("april",))
    joined = st("openai", valid_from="2025-05", sources=("later",))  # many-valued: no successor
    ents = {"rule": Entity("rule", "policy", "r.yaml", 1, facts={"status": [ruled, rescinded,
                                                                           dropped]}),
            "h20": Entity("h20", "chip", "h.yaml", 1, facts={"export_status": [required, granted]}),
            "y": Entity("y", "chip", "y.yaml", 1, facts={"export_status": [yearly]}),
            "lone": Entity("lone", "chip", "l.yaml", 1, facts={"export_status": [lone, later]}),
            "pat": Entity("pat", "person", "p.yaml", 1, facts={"affiliation": [left, joined]}),
            **srcs}
    one = SimpleNamespace(fields={"status": SINGLE, "export_status": SINGLE})
    kinds = {"policy": one, "chip": one, "person": SimpleNamespace(fields={"affiliation": MANY})}
    tl = Timeline(SimpleNamespace(kinds=kinds), ents, HORIZON)

    def ends(eid, name, s):
        return tl.end_sources(ents[eid], name, s)

    # the rule published in January cannot report its May end: the rescission does
    assert ends("rule", "status", ruled) == EndSources(("rescission",), "successor")
    # the April 8-K cannot report the August end; the August results can
    assert ends("h20", "export_status", required) == EndSources(("august",))
    # a source dated to a year that holds the end may report it
    assert ends("y", "export_status", yearly) == EndSources(("year",))
    # nothing began that month (or the field holds many values): its own, marked
    assert ends("lone", "export_status", lone) == EndSources(("april",), PUBLISHED_BEFORE)
    assert ends("pat", "affiliation", left) == EndSources(("april",), PUBLISHED_BEFORE)
    assert PUBLISHED_BEFORE == "published before the change"
    # a statement without a `to` has no end to report: all its sources
    assert ends("h20", "export_status", granted) == EndSources(("august",))


# -- the curated data -------------------------------------------------------------------
@pytest.fixture(scope="module")
def sem():
    return built().semantics


def values(sem, entity, field, day=None):
    return sorted({s.value for s in sem.current(entity, field, day)})


def test_the_dataset_date_lives_in_the_repository(sem):
    assert sem.date == D(2026, 4, 14)
    rows = list(oxigraph_store().query(
        PREFIXES + "SELECT ?d WHERE { <https://w3id.org/ai-race-kg/dataset> kgo:datasetDate ?d }"
    ).rows)
    assert [str(r[0]) for r in rows] == ["2026-04-14"]


def test_the_current_head_of_bis_is_jeffrey_kessler_alone():
    q = PREFIXES + "SELECT ?p WHERE { ?p org:memberOf kgid:bis } ORDER BY ?p"
    for store in (oxigraph_store(), rdflib_store()):
        assert [str(r[0]) for r in store.query(q).rows] == [KGID + "jeffrey-kessler"]


def test_the_h200_export_status_through_time(sem):
    assert values(sem, "nvidia-h200", "export_status") == ["allowed-vetted-buyers"]
    assert values(sem, "nvidia-h200", "export_status", D(2025, 11, 15)) == ["restricted"]
    assert values(sem, "nvidia-h200", "export_status", D(2025, 6, 1)) == ["restricted"]
    assert values(sem, "nvidia-h200", "export_status", D(2026, 1, 15)) == \
        ["allowed-vetted-buyers"]
    assert values(sem, "nvidia-h200", "import_status", D(2026, 1, 15)) == ["blocked"]
    assert values(sem, "nvidia-h200", "import_status", D(2025, 11, 15)) == []
    december = D(2025, 12, 10)
    both = sem.current("nvidia-h200", "export_status", december)
    assert sorted(s.value for s in both) == ["allowed-vetted-buyers", "restricted"]
    assert all(sem.changed_on("nvidia-h200", "export_status", s, december) for s in both)


def test_an_undated_statement_is_first_reported_on_its_earliest_source_s_date(sem):
    """A fresh journalist's trial: on 2016-01-01 the explorer drew SoftBank -> invests in ->
    OpenAI as current, a statement with no date whose only source is OpenAI's funding post
    of 2025-03-31. It holds by the rule ("since before the sources say": `kg query as-of`
    still lists it), but before that day no source had said it: "not yet reported"."""
    from kg.semantics.time import first_reported

    softbank = sem.entities["softbank"]
    stake, = softbank.facts["invests_in"]
    day, source = first_reported(sem.entities, softbank.sources_of(stake))
    assert (str(day), source) == ("2025-03-31", "openai-2025-03-31-new-funding")
    tl = sem.timeline
    assert tl.reported_from(softbank, "invests_in", stake) == D(2025, 3, 31)
    assert [tl.state_on(softbank, "invests_in", stake, d) for d in
            (D(2016, 1, 1), D(2025, 3, 30), D(2025, 3, 31), D(2025, 12, 10))] == \
        ["not yet reported", "not yet reported", "holds", "holds"]
    assert tl.holds_on(softbank, "invests_in", stake, D(2016, 1, 1))  # what holds: unchanged
    # the earliest of several sources (DW 2026-01-24 before Alyosha 2026-01-31)
    h200 = sem.entities["nvidia-h200"]
    assert first_reported(sem.entities, ("alyosha-2026-01-31-deep-dive",
                                         "dw-2026-01-24-us-china-ai-race"))[1] == \
        "dw-2026-01-24-us-china-ai-race"
    # a statement with a date of its own (`to`, `from`, `as_of`) or ranked down has none:
    # "restricted, to: 2025-12" (a 2026-01-31 source) is dated by its end
    assert [tl.reported_from(h200, "export_status", s) for s in h200.facts["export_status"]] \
        == [None, None, None]
    assert tl.state_on(h200, "export_status", h200.facts["export_status"][0],
                       D(2025, 11, 15)) == "holds"
    assert first_reported(sem.entities, ("no-such-source",)) == (None, None)
    # the H200's designer is reported from NVIDIA's own announcement of 2023-11-13, not
    # only from DW of 2026-01-24: the line H200 -> NVIDIA is drawn on 2025-12-10
    designer, = h200.facts["designer"]
    assert tl.reported_from(h200, "designer", designer) == D(2023, 11, 13)
    assert tl.state_on(h200, "designer", designer, D(2025, 12, 10)) == "holds"


def test_a_month_of_change_is_one_change_from_the_old_value_to_the_new(sem):
    """A journalist's trial: every day of December 2025 the H200 read as having two current
    export statuses. The rule stands (both hold that month); change_on says which ended
    and which began, so the explorer shows one change."""
    for day in (D(2025, 12, 1), D(2025, 12, 20), D(2025, 12, 31)):
        change = sem.change_on("nvidia-h200", "export_status", day)
        assert [s.value for s in change.ended] == ["restricted"]
        assert [s.value for s in change.began] == ["allowed-vetted-buyers"]
    for day in (D(2025, 11, 30), D(2026, 1, 1)):
        assert sem.change_on("nvidia-h200", "export_status", day) is None
    # a change known to the year, with nothing ending in it, is no pair
    assert sem.change_on("nvidia-h20", "export_status", D(2024, 6, 1)) is None
    april = sem.change_on("nvidia-h20", "export_status", D(2025, 4, 20))
    assert [s.value for s in april.ended] == ["unrestricted"]
    assert [s.value for s in april.began] == ["licence-required"]
    # a field that is not single-valued never pairs
    assert sem.change_on("nvidia-h200", "chip_type", D(2025, 12, 20)) is None


def test_no_single_valued_property_has_two_current_values(sem):
    assert [(c.entity.path, c.format()) for c in sem.conflicts()] == []


AS_OF_DAYS = ["2022-06-01", "2023-11-01", "2024-06-01", "2025-06-01", "2025-11-15",
              "2025-12-10", "2026-01-15", "2026-04-14"]


def python_as_of(sem, day: dt.date) -> set[tuple[str, str]]:
    """(entity, statement field) pairs of time-bound statements holding on day, by the rule."""
    out = set()
    for ent in sem.entities.values():
        for name in ent.facts:
            for s in sem.current(ent.id, name, day):
                if s.valid_from or s.valid_to or s.as_of:
                    out.add((ent.id, name, str(s.line)))
        as_of = ent.first("as_of") if ent.kind == "claim" else None
        if as_of is not None and as_of.start <= day <= as_of.end:
            out.add((ent.id, "claim", str(ent.line)))
    return out


@pytest.mark.parametrize("day", AS_OF_DAYS)
def test_the_as_of_query_applies_the_same_rule_on_both_engines(sem, day):
    q = find_query("as-of")
    extra = PREFIXES + """SELECT ?fact ?entity ?field ?line WHERE {
        ?fact kgo:sourceLine ?line . OPTIONAL { ?fact kgo:field ?f }
        BIND(COALESCE(?f, "claim") AS ?field) }"""
    where = {str(r[0]): (str(r[1]), str(r[2]), str(r[3]))
             for r in oxigraph_store().query(extra).rows}
    answers = []
    for store in (oxigraph_store(), rdflib_store()):
        rows = run_query(store, q, {"date": day}).dicts()
        got = set()
        for r in rows:
            fact = str(r["fact"])
            ent_id = fact[len(KGID):].split("/")[0]
            _, field, line = where[fact]
            got.add((ent_id, field, line))
        answers.append(got)
    expected = python_as_of(sem, dt.date.fromisoformat(day))
    assert answers[0] == expected
    assert answers[1] == expected


def test_disputes_are_one_measure_of_one_thing_from_different_claimants(sem):
    found = {(d.about, d.measure, d.period): d.pairs for d in sem.disputes()}
    assert found[("huawei-ascend-910c", "chip-annual-output", "2025")] == \
        (("ascend-910c-output-2025-us-officials", "ascend-910c-output-2025-bitbiased"),)
    disputed = set(sem.disputed)
    for part_and_whole in ("stargate-initial-investment", "stargate-planned-investment",
                           "chips-act-manufacturing-incentives", "chips-act-total-funding"):
        assert part_and_whole not in disputed
    rows = run_query(oxigraph_store(), find_query("disputed-figures")).dicts()
    assert {str(r["claim"])[len(KGID):] for r in rows} == disputed
    rows_rdflib = run_query(rdflib_store(), find_query("disputed-figures")).dicts()
    assert {str(r["claim"])[len(KGID):] for r in rows_rdflib} == disputed


@pytest.mark.parametrize("value, unit, said", [
    # the curated figures a journalist met (data/claim/*.yaml): money and counts in words
    (130500000000, "USD", "USD 130.5 billion"),
    ("5576000", "USD", "USD 5.576 million"),
    (35000000, "EUR", "EUR 35 million"),
    (14800000000000, "tokens", "14.8 trillion tokens"),
    (2000000, "chips", "2 million chips"),
    (450000, "chips", "450,000 chips"),  # under a million: every digit, as before
    # physical units with an SI prefix; power in GW, as article 000 says "3,200 GW"
    (3200000000000, "W", "3,200 GW"),
    (4614000000000000, "FLOP/s", "4.614 PFLOP/s"),
    (42500000000000000000, "FLOP/s", "42.5 EFLOP/s"),
    (600000000000, "byte/s", "600 GB/s"),
    (38000000000000000000000000, "FLOP", "3.8 × 10^25 FLOP"),
    # not exact with three decimals: every digit; and the units that take no scale
    (5576123, "USD", "USD 5,576,123"),
    (70, "percent", "70%"), ("2.5", "ratio", "2.5×"), (1, "rank", "#1"),
    (120, "months", "120 months"),
    ("not a number", "USD", "USD not a number"),
])
def test_a_figure_is_said_in_words_a_reader_checks_at_a_glance(value, unit, said):
    from decimal import Decimal

    from kg.semantics.disputes import amount_text

    assert amount_text(value, unit) == said
    if value != "not a number":
        assert amount_text(Decimal(str(value)), unit) == said


def test_blocs_by_one_rule_and_the_query_answers_the_same(sem):
    expected = {"huawei": "china", "nvidia": "us", "tsmc": "other", "g7": "multinational",
                "united-nations": "multinational", "deepseek-r1": "china",
                "nvidia-h200": "us", "huawei-ascend-910c": "china",
                "jeffrey-kessler": "us", "alan-estevez": "us", "china": "china",
                "taiwan": "other", "google-deepmind": "us",
                # the EU's institutions are the EU's (a journalist's trial: the Parliament and
                # the Council came out "other", so the Chips Act they adopted did too)
                "european-commission": "multinational", "european-parliament": "multinational",
                "council-of-the-eu": "multinational", "eu-ai-act": "multinational",
                "eu-chips-act-2023": "multinational"}
    assert {e: sem.bloc(e) for e in expected} == expected
    for store in (oxigraph_store(), rdflib_store()):
        rows = run_query(store, find_query("blocs")).dicts()
        got = {str(r["entity"])[len(KGID):]: str(r["bloc"]).rsplit("bloc-", 1)[-1] for r in rows}
        want = {e.id: sem.bloc(e.id) for e in sem.entities.values()
                if e.kind not in ("source", "measure", "tombstone")}
        assert got == want
        # by which rule (the query's question asked it; the answer had no column for it)
        rules = {str(r["entity"])[len(KGID):]: str(r["rule"]) for r in rows}
        assert rules == {e: sem.bloc_rule(e) for e in want}


def test_the_rule_that_gave_each_bloc_is_named(sem):
    """`kg query blocs` asked "by which rule?" and answered entity, kind, bloc only. Each
    entity's bloc now comes with the step that gave it (kgo:blocRule)."""
    from kg.semantics.blocs import NO_RULE, RULES

    expected = {"huawei": "country", "g7": "international organisation",
                "deepseek-r1": "developer", "nvidia-h200": "designer", "china": "ISO code",
                "eu-ai-act": "issuer", "ren-zhengfei": "affiliation",
                "lip-bu-tan": "affiliation"}
    assert {e: sem.bloc_rule(e) for e in expected} == expected
    before = sem.blocs(dt.date(2024, 6, 1))  # Huawei's founder, known there as of 2025-03
    assert (before("ren-zhengfei"), before.rule("ren-zhengfei")) == (
        "china", "affiliation reported later")
    assert {sem.bloc_rule(e) for e in sem.entities} <= {*RULES, NO_RULE}
    assert sem.bloc_rule("nvidia-h200") in RULES and sem.bloc_rule("no-such-id") == NO_RULE


def test_a_person_known_only_as_of_a_later_day_keeps_that_bloc_before_it(sem):
    """data/person/ren-zhengfei.yaml: Huawei's founder, affiliated with Huawei "as of 2025-03"
    only. A fresh-user review: on 2024-06-01 the explorer coloured him "other" (grey), as if
    he belonged to a third country; as-of is evidence that it held then, not a start. A
    `from` is a start: Lip-Bu Tan (Intel from 2025-03-18, nothing before) stays "other"
    before it."""
    before, after = sem.blocs(dt.date(2024, 6, 1)), sem.blocs(dt.date(2026, 4, 14))
    assert [before("ren-zhengfei"), after("ren-zhengfei")] == ["china", "china"]
    assert [before("eric-xu"), before("scott-singer")] == ["china", "us"]
    assert [before("lip-bu-tan"), after("lip-bu-tan")] == ["other", "us"]


DATE_FIELDS = sorted({(k.cls, f.name) for k in load_schema().kinds.values()
                      for f in k.fields.values() if f.type == "date"})


@pytest.mark.parametrize("cls,field", DATE_FIELDS, ids=[f"{c}-{f}" for c, f in DATE_FIELDS])
def test_dates_compare_alike_on_every_engine(sem, cls, field):
    """A year filter, a range filter and an ORDER BY on the day bounds: same rows, same order."""
    from kg.core.schema import camel

    start = f"kgo:{camel(field)}Start"
    queries = [
        f"SELECT ?e ?d WHERE {{ ?e a {cls} ; {start} ?d FILTER(YEAR(?d) = 2025) }} ORDER BY ?d ?e",
        f"SELECT ?e ?d WHERE {{ ?e a {cls} ; {start} ?d "
        f'FILTER(?d >= "2024-03-01"^^xsd:date && ?d < "2025-09-01"^^xsd:date) }} ORDER BY ?d ?e',
        f"SELECT ?e ?d WHERE {{ ?e a {cls} ; {start} ?d }} ORDER BY DESC(?d) ?e LIMIT 25",
    ]
    schema_prefix = "PREFIX schema: <https://schema.org/>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n"
    kind = next(k for k in sem.schema.kinds.values() if k.cls == cls)
    for q in queries:
        a = [tuple(map(str, r)) for r in oxigraph_store().query(PREFIXES + schema_prefix + q).rows]
        b = [tuple(map(str, r)) for r in rdflib_store().query(PREFIXES + schema_prefix + q).rows]
        assert a == b, q
    # and the year filter is right: the entities whose current value starts in 2025
    q = queries[0]
    got = {str(r[0])[len(KGID):] for r in oxigraph_store().query(PREFIXES + q).rows}
    want = {e.id for e in sem.entities.values() if e.kind == kind.name
            for s in sem.current(e.id, field) if s.value.start.year == 2025} \
        if field in {f.name for f in kind.fields.values()} else set()
    assert got == want


def test_models_released_in_2025_are_the_same_on_both_engines(sem):
    q = PREFIXES + """SELECT ?m WHERE { ?m a kgo:AIModel ; kgo:releasedStart ?d
                       FILTER(YEAR(?d) = 2025) } ORDER BY ?m"""
    a = [str(r[0]) for r in oxigraph_store().query(q).rows]
    assert a == [str(r[0]) for r in rdflib_store().query(q).rows]
    want = sorted(KGID + e.id for e in sem.entities.values() if e.kind == "model"
                  and e.first("released") and e.first("released").start.year == 2025)
    assert a == want and len(a) >= 20


def test_kg_lint_reports_two_current_values_until_one_is_ranked(make_data):
    from click.testing import CliRunner

    from kg.cli import main

    chip = """
        id: h200
        name: H200
        chip_type: gpu
        export_status:
          - value: allowed-vetted-buyers
            from: 2025-12
          - value: banned
            as_of: 2026
        sources: [src-a]
    """
    data = make_data({"chip/h200.yaml": chip})
    result = CliRunner().invoke(main, ["lint", "--no-unchecked", "--data", str(data)])
    assert result.exit_code == 1, result.output
    assert ("data/chip/h200.yaml:5: error: [h200] export_status has 2 current values: "
            "allowed-vetted-buyers (line 5), banned (line 7) on the dataset's date 2026-01-24. "
            "Fix: rank the one that stands `rank: preferred`") in result.output
    ranked = chip.replace("as_of: 2026\n", "as_of: 2026\n            rank: deprecated\n")
    data = make_data({"chip/h200.yaml": ranked})
    result = CliRunner().invoke(main, ["lint", "--no-unchecked", "--data", str(data)])
    assert result.exit_code == 0, result.output


def test_the_four_examples_in_docs_semantics_run_and_answer_right():
    import re

    from conftest import REPO

    text = (REPO / "docs" / "semantics.md").read_text(encoding="utf-8")
    examples = re.findall(r"```sparql\n(.+?)```", text, flags=re.S)
    assert len(examples) == 4
    answers = []
    for q in examples:  # as they stand: each declares every prefix it uses
        per_engine = [[tuple(str(t) if t is not None else None for t in r)
                       for r in store.query(q).rows]
                      for store in (oxigraph_store(), rdflib_store())]
        assert per_engine[0] == per_engine[1], q
        answers.append(per_engine[0])
    assert answers[0] == [("https://w3id.org/ai-race-kg/ontology#export-status-restricted",)]
    assert len(answers[1]) >= 20 and [r[1] for r in answers[1]] == sorted(r[1] for r in answers[1])
    assert answers[2] == [("200000", None, "US officials"),
                          ("450000", KGID + "bitbiased", None)]
    # facts resting only on low-reliability sources: the library query's facts and sources
    low = {(str(r["fact"]), str(r["source"]))
           for r in run_query(oxigraph_store(), find_query("low-reliability-only")).dicts()}
    # (the example keeps to the library's kinds: statements, figures and assessments)
    assert len(low) == 146 and set(answers[3]) == low and len(answers[3]) == len(low)


def test_a_facts_support_is_its_best_sources_reliability_by_one_rule(sem):
    """kgo:bestSourceReliability: the most reliable of a fact's sources (high, medium, low),
    the same in the semantic layer and in the graph on both engines."""
    assert sem.best_reliability(["bitbiased-2026-12-dimensions"]) == "low"
    assert sem.best_reliability(["bitbiased-2026-12-dimensions", "alibaba-20f-fy2024"]) == "high"
    assert sem.best_reliability(["alyosha-2026-01-31-deep-dive", "bitbiased-2026-12-dimensions"]) == "medium"
    assert sem.best_reliability([]) is None
    assert sem.best_reliability(["no-such-source"]) is None
    text = """PREFIX kgo: <https://w3id.org/ai-race-kg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?fact ?source ?best WHERE {
          ?fact prov:wasDerivedFrom ?source .
          OPTIONAL { ?fact kgo:bestSourceReliability ?best }
        }"""
    for store in (oxigraph_store(), rdflib_store()):
        sources, best = {}, {}
        for r in store.query(text).rows:
            fact = str(r[0])
            sources.setdefault(fact, []).append(str(r[1])[len(KGID):])
            best[fact] = str(r[2]).rsplit("reliability-", 1)[-1] if r[2] is not None else None
        assert len(best) > 1000
        assert best == {f: sem.best_reliability(s) for f, s in sources.items()}
        assert {"high", "medium", "low"} <= set(best.values())


def test_every_library_query_states_which_date_it_answers_for():
    from conftest import REPO

    missing = [p.name for p in sorted((REPO / "queries").glob("*.rq"))
               if not any(line.startswith("# Date: ")
                          for line in p.read_text(encoding="utf-8").splitlines())]
    assert missing == []


def test_the_library_files_carry_the_dataset_date_as_their_written_default(sem):
    from kg.sparql.queries import library

    written = {(q.name, name): term for q in library()
               for name, term in q.written_defaults().items()
               if q.param(name).default == "dataset"}
    assert written, "as-of, between-blocs and changes default to the dataset's date"
    assert set(written.values()) == {
        '"2026-04-14"^^<http://www.w3.org/2001/XMLSchema#date>'}


def test_kg_dataset_moves_the_date_the_query_defaults_and_warns_when_it_goes_back(tmp_path):
    import shutil

    from click.testing import CliRunner

    from conftest import REPO
    from kg.cli import main
    from kg.sparql.queries import library

    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copytree(REPO / "queries", tmp_path / "queries")
    runner = CliRunner()
    result = runner.invoke(main, ["dataset", "--data", str(tmp_path / "data"),
                                  "--date", "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert "date 2026-04-14 -> 2026-06-30" in result.output
    assert "Warning" not in result.output
    terms = {t for q in library(tmp_path / "queries") for t in q.written_defaults().values()
             if "XMLSchema#date" in t}
    assert terms == {'"2026-06-30"^^<http://www.w3.org/2001/XMLSchema#date>'}
    result = runner.invoke(main, ["dataset", "--data", str(tmp_path / "data"),
                                  "--date", "2020-01-01"])
    assert result.exit_code == 0
    assert "Warning: the date moved back (2026-06-30 -> 2020-01-01)" in result.output
    assert "Warning: sources dated up to 2026-04-14 are newer than 2020-01-01" in result.output
    result = runner.invoke(main, ["dataset", "--data", str(tmp_path / "data")])
    assert result.output == "date: 2020-01-01\nas_of_horizon_days: 730\n"
    # without a library beside the data, it says no query file followed (a researcher's
    # trial: the date changed in silence as far as the queries went)
    shutil.copytree(REPO / "data", tmp_path / "alone" / "data")
    result = runner.invoke(main, ["dataset", "--data", str(tmp_path / "alone" / "data"),
                                  "--date", "2026-06-30"])
    assert result.exit_code == 0
    assert (f"Note: no query library beside {tmp_path / 'alone' / 'data'} "
            f"({tmp_path / 'alone' / 'queries'} does not exist), so no query file's written "
            "default date was changed") in result.output


def test_chip_export_status_says_which_statement_a_later_decision_superseded():
    """A fresh-user review read BotNews's undated 'restricted' row as the H200's status:
    the row now carries its rank."""
    rows = run_query(oxigraph_store(), find_query("chip-export-status"),
                     {"chip": "kgid:nvidia-h200"}).dicts()
    ranks = {(str(r["status"]).rsplit("-", 1)[-1], str(r.get("asOf") or ""),
              str(r["rank"]).rsplit("rank-", 1)[-1]) for r in rows}
    assert ("restricted", "2026", "deprecated") in ranks
    assert ("buyers", "", "normal") in ranks


@pytest.mark.parametrize("text,line,message,fix", [
    ("date: 2026-13-14\n", 1, "date '2026-13-14' is not a valid day (month 13 is not 01 to 12)",
     "write `date: YYYY-MM-DD`"),
    ("# the day\n\ndate: 2026-02-30\n", 3, "date '2026-02-30' is not a valid day",
     "write `date: YYYY-MM-DD`"),
    ("date: 2026-04\n", 1, "date '2026-04' is not a day", "a day, not a month or a year"),
    ("date: 2026-04-14\nas_of_horizon_days: [2\n", 3, "YAML syntax error",
     "write `date: YYYY-MM-DD` and `as_of_horizon_days: N`"),
    ("date: 2026-04-14\nhorizon: 30\n", 2, "unknown key(s) horizon",
     "the keys are as_of_horizon_days, date"),
    ("date: 2026-04-14\nas_of_horizon_days: -5\n", 2,
     "as_of_horizon_days -5 is not a number of days", "a whole number from 1 to 36500"),
])
def test_a_wrong_dataset_file_is_an_error_with_its_line_and_fix_never_a_traceback(
        tmp_path, make_data, monkeypatch, text, line, message, fix):
    """A fresh-user review: `date: 2026-13-14` ended every command in a ValueError from
    PyYAML's timestamp constructor; the other messages named an absolute path (run beside
    data/: a path that opens from the current folder is relative to it)."""
    from click.testing import CliRunner

    from kg.cli import main

    data = make_data()
    (data / "dataset.yaml").write_text(text, encoding="utf-8")
    for args in (["validate"], ["query", "--sparql", "ASK { ?s ?p ?o }"], ["build", "--out",
                                                                         str(tmp_path / "b")]):
        result = CliRunner().invoke(main, [*args, "--data", str(data)])
        assert result.exit_code == 1, (args, result.output)
        assert not isinstance(result.exception, ValueError), result.exception
    monkeypatch.chdir(data.parent)
    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert f"data/dataset.yaml:{line}: error: {message}" in result.output, result.output
    assert "Fix: " in result.output and fix in result.output.split("Fix: ", 1)[1]
    assert str(tmp_path) not in result.output


def test_a_bloc_on_a_cycle_of_parents_does_not_depend_on_who_asks_first(make_data):
    """acme and beta are each other's parent, neither has a country, beta is an
    international organisation: asked alone, either resolves its cycle from itself, so
    acme came out "multinational" if asked first and "other" if beta was. Cycle members
    are resolved in id order: acme first, so both are "multinational" in any order."""
    from kg import load_graph
    from kg.semantics.blocs import Blocs, cycle_members

    data = make_data({
        "organization/acme.yaml": """
            id: acme
            name: Acme
            org_type: company
            parent: beta
            sources: [src-a]
        """,
        "organization/beta.yaml": """
            id: beta
            name: Beta
            org_type: international-organization
            parent: acme
            sources: [src-a]
        """,
    })
    sem = load_graph(data).semantics
    assert cycle_members(sem.timeline) == ["acme", "beta"]
    for order in (["acme", "beta"], ["beta", "acme"]):
        blocs = Blocs(sem.timeline, sem.date)
        assert {eid: blocs(eid) for eid in order} == {"acme": "multinational",
                                                      "beta": "multinational"}


def test_docs_say_which_fields_as_of_starts_a_window_on():
    """docs/semantics.md said a fact with only `as_of` holds "from that day", but the rule
    reads `as_of` only on fields that change over time (a researcher's trial: `kg query
    as-of --param date=1990-01-01` listed Grok-1's weights, as_of 2024-03-17). The docs
    name every temporal field of the schema, and their example answers as they say."""
    import re

    from conftest import REPO

    text = (REPO / "docs" / "semantics.md").read_text(encoding="utf-8")
    para = text.split("**Which fields change over time.**", 1)[1].split("\n- **", 1)[0]
    temporal = {(kind, name) for kind, k in load_schema().kinds.items()
                for name, f in k.fields.items() if f.temporal}
    named = set(re.findall(r"`(\w+)`", para))
    assert {name for _, name in temporal} <= named, temporal
    assert "| only `as_of: 2024-03-17`, on any other field | at all times" in text
    field = load_schema().kinds["model"].fields["weights"]
    reported = st("open", as_of="2024-03-17")
    assert not field.temporal
    assert window(field, reported, [reported], HORIZON).contains(dt.date(1990, 1, 1))
    rows = run_query(oxigraph_store(), find_query("as-of"),
                     {"date": "1990-01-01", "entity": "grok-1"}).dicts()
    assert [(str(r["value"]).rsplit("#")[-1], str(r["asOf"])) for r in rows
            if str(r["property"]).endswith("weights")] == [("weights-open", "2024-03-17")]


def test_a_short_context_drops_a_restated_value_and_keeps_a_caveat():
    """kg.semantics.wording.short_context (a journalist's trial: "429 GW (429 GW in a single
    year)" without "; the year is not given"): a clause that only restates the value and
    its measure goes, a caveat stays, a curator's cross-reference does not."""
    from kg.semantics.wording import short_context

    measure = "power capacity added in a year"
    assert short_context("429 GW in a single year; the year is not given", "429 GW",
                         measure) == "the year is not given"
    assert short_context("429 GW in a single year", "429 GW", measure) == ""
    assert short_context("3,200 GW, in the present tense of a 2026 article", "3,200 GW",
                         "installed power capacity") == "in the present tense of a 2026 article"
    # a caveat inside a long first clause is not the part cut (Aiden Gray's ten years)
    gray = ("approval of new high-voltage lines or green-energy grid connections taking up "
            "to nearly ten years, a slow case rather than a typical time; present tense of a "
            "2026 article; BitBiased's 4 to 7 years does not contradict it")
    assert short_context(gray, "10 years", "transmission approval time") == (
        "approval of new high-voltage lines or green-energy grid connections taking up to "
        "nearly ten years, a slow case rather than a typical time")
    # a number that is not the value stays ("4 to 7 years" beside 48 months)
    assert short_context("4 to 7 years for permits", "48 months", "permitting time") == \
        "4 to 7 years for permits"
    assert short_context("developer workflows; the article speaks of US users; the year is "
                         "not given; X's figure does not contradict it", "50%", "cut") == \
        "developer workflows; the year is not given"
    # the first clause gives way (cut at its comma) so that the caveats fit
    text = ("Chinese open-weight models fine-tuned on local data, on particular coding tasks; "
            "the author's own uncheckable tests in the first quarter of 2026; the comparison "
            "models are not named")
    assert short_context(text, "30%", "efficiency gain") == (
        "Chinese open-weight models fine-tuned on local data; the author's own uncheckable "
        "tests in the first quarter of 2026; the comparison models are not named")
