"""Sources a reader can open: resolver links derived from identifiers (marked as derived),
the lint warning for sources with neither link nor identifier, and the share in kg stats."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner
from rdflib import URIRef
from sparql_support import built

from conftest import REPO
from kg.cli import main

KGO = "https://w3id.org/ai-race-kg/ontology#"
KGID = "https://w3id.org/ai-race-kg/id/"


def derived(entity_id: str) -> set[str]:
    g = built().graph
    return {str(o) for o in g.objects(URIRef(KGID + entity_id), URIRef(KGO + "derivedUrl"))}


def test_identifiers_give_resolver_links_marked_as_derived():
    assert derived("eu-2023-09-chips-act-oj") == {
        "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32023R1781"}
    assert derived("01ai-2024-03-yi-paper") == {"https://arxiv.org/abs/2403.04652"}
    # the derived link stands beside the stated URL, under its own property
    g = built().graph
    stated = {str(o) for o in g.objects(URIRef(KGID + "01ai-2024-03-yi-paper"),
                                        URIRef("https://schema.org/url"))}
    assert stated == {"https://arxiv.org/abs/2403.04652"}


def test_sec_accession_numbers_and_fr_citations_are_not_turned_into_guessed_links():
    sec = [p.stem for p in sorted((REPO / "data" / "source").glob("*.yaml"))
           if "sec_accession" in yaml.safe_load(p.read_text(encoding="utf-8"))
           and not {"arxiv", "doi", "fr_doc", "celex"} & set(
               yaml.safe_load(p.read_text(encoding="utf-8")))]
    assert sec, "the data has SEC filings"
    for entity_id in sec:
        assert derived(entity_id) == set()


def test_lint_warns_of_a_source_nobody_can_open(make_data):
    data = make_data({"source/src-b.yaml": """
        id: src-b
        name: Source B
        title: Source B
        publisher: Example Press
        source_type: news
        reliability: low
    """})
    result = CliRunner().invoke(main, ["lint", "--no-unchecked", "--data", str(data)])
    assert ("data/source/src-b.yaml:1: warning: [src-b] source with neither a link nor an "
            "identifier Fix: add `url:`") in result.output
    assert "[src-a]" not in result.output  # a bundled article can be found
    # src-b is cited by nothing either (a researcher's trial: lint said nothing of a source
    # no fact cites); src-a, which the data cites, is not warned of
    assert ("data/source/src-b.yaml:1: warning: [src-b] source that no fact cites Fix: cite "
            "it where it gives a fact") in result.output
    assert "[src-a] source that no fact cites" not in result.output


def test_stats_prints_the_share_of_sources_with_a_link_or_identifier():
    files = sorted((REPO / "data" / "source").glob("*.yaml"))
    docs = [yaml.safe_load(Path(p).read_text(encoding="utf-8")) for p in files]
    keys = {"url", "archived_url", "bundled_file", "arxiv", "doi", "fr_doc", "fr_citation",
            "sec_accession", "celex"}
    openable = sum(1 for d in docs if keys & set(d))
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 0, result.output
    assert f"Sources with a link or identifier: {openable}/{len(docs)} (" in result.output


def _findability_from_files() -> dict[str, int]:
    """Each curated source once, read from its YAML (not through kg): a link a reader can
    open (URL, archived copy, or an identifier with a resolver), else only an identifier,
    else a bundled article, else nothing."""
    out = {"link": 0, "identifier": 0, "bundled": 0, "none": 0}
    for p in sorted((REPO / "data" / "source").glob("*.yaml")):
        d = yaml.safe_load(p.read_text(encoding="utf-8"))
        if {"url", "archived_url", "arxiv", "doi", "fr_doc", "celex"} & set(d):
            out["link"] += 1
        elif {"fr_citation", "sec_accession"} & set(d):
            out["identifier"] += 1
        else:
            out["bundled" if "bundled_file" in d else "none"] += 1
    return out


def test_stats_the_report_and_lint_count_sources_by_one_partition():
    """A fresh user read "with a link or identifier: 93/178" in kg stats and "97 of 178
    sources have no link a reader can open" in the report, and the numbers did not add
    up: both now give the same partition (kg.semantics.links.findability), which adds up
    to the sources, and lint warns of exactly its "nothing" part."""
    from test_report_sources import curated_report

    f = _findability_from_files()
    total = sum(f.values())
    stats = CliRunner().invoke(main, ["stats"]).output
    assert (f"Sources with a link or identifier: {total - f['none']}/{total} (") in stats
    assert (f"a link a reader can open {f['link']}, only an identifier {f['identifier']}, "
            f"a bundled article {f['bundled']}; nothing to find them by {f['none']}: "
            "`kg lint` names them)") in stats
    md = (curated_report() / "report.md").read_text(encoding="utf-8")
    assert (f"{total - f['link']} of {total} sources have no link a reader can open") in md
    assert (f"Of them, {f['identifier']} give an identifier without a resolver") in md
    assert f"{f['bundled']} are bundled articles" in md
    assert f"and {f['none']} give nothing to find them by" in md
    lint = CliRunner().invoke(main, ["lint", "--no-unchecked"]).output
    assert lint.count("source with neither a link nor an identifier") == f["none"]


def test_lint_warns_of_a_source_with_no_date():
    """A researcher's trial: `kg source add` without --date, or a date deleted by hand,
    passed kg validate and kg lint. kg lint now warns of each undated source, at its
    file and line, with the command that dates it; as many as the YAML files show."""
    undated = sorted(p.stem for p in (REPO / "data" / "source").glob("*.yaml")
                     if "date" not in yaml.safe_load(p.read_text(encoding="utf-8")))
    assert undated  # the curated data has some (a datasheet, a README)
    out = CliRunner().invoke(main, ["lint", "--no-unchecked"]).output
    said = [line for line in out.splitlines() if "source with no date" in line]
    assert [line.split("[")[1].split("]")[0] for line in said] == undated
    assert said[0].endswith(  # (the path as the data folder was found)
        f"data/source/{undated[0]}.yaml:1: warning: [{undated[0]}] source with no date "
        "Fix: add `date:`, the day, month or year it was published as the source gives it "
        f"(`kg edit {undated[0]} --set date=YYYY-MM-DD`)")
