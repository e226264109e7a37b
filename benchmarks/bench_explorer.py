"""The explorer's bar: file size and time to interactive in headless Chromium.

    python benchmarks/bench_explorer.py [--nodes 2000] [--overview 100000]

Prints, for the curated data and for a synthetic network of --nodes nodes (three
countries and --nodes - 3 organisations, each a partner of three others, chosen with a
fixed seed; up to kg.explorer.OVERVIEW_ABOVE nodes the page draws them all, and the
run stops if it would be an overview): the nodes drawn, the seconds to write the page,
its size in MB, and the seconds from navigation until the page is interactive
(`body[data-ready]`: data parsed, network drawn, panel filled), opening view and with
"show everything"; with --overview N, the same for the overview page of N synthetic
organisations (docs/explorer.md). The bar (issue 12): curated < 2 s and < 3 MB; 2,000
nodes < 5 s. The curated page is written twice and the second time reported (in process,
imports and vis-network's file already read, as in `kg build`).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.analysis.network import project  # noqa: E402
from kg.explorer import OVERVIEW_ABOVE, overview_nodes, write_explorer  # noqa: E402
from kg.rdf.load import load_graph  # noqa: E402

ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def synthesise(folder: Path, n: int) -> Path:
    """A data folder whose network has n nodes: 3 countries and n - 3 organisations."""
    data = folder / "data"
    for sub in ("source", "country", "organization"):
        (data / sub).mkdir(parents=True, exist_ok=True)
    (data / "source" / "src.yaml").write_text(
        "id: src\nname: S\ntitle: S\npublisher: P\ndate: 2026-01-01\nsource_type: news\n"
        "reliability: high\nurl: https://example.org/s\n", encoding="utf-8")
    for cid, code in (("us", "US"), ("china", "CN"), ("japan", "JP")):
        (data / "country" / f"{cid}.yaml").write_text(
            f"id: {cid}\nname: {cid}\niso_code: {code}\nsources: [src]\n", encoding="utf-8")
    rng = random.Random(12)
    n -= 3  # the countries
    for i in range(n):
        partners = sorted({f"org-{rng.randrange(n)}" for _ in range(3)} - {f"org-{i}"})
        (data / "organization" / f"org-{i}.yaml").write_text(
            f"id: org-{i}\nname: Organisation {i}\norg_type: company\n"
            f"country: {('us', 'china', 'japan')[i % 3]}\n"
            f"partners: [{', '.join(partners)}]\nsources: [src]\n", encoding="utf-8")
    return data


def synthetic_semantics(n: int, seed: int = 12):
    """A Semantics of n organisations (each a partner of up to three others, chosen with
    `seed`) in the US, China and Japan, built as Entity objects directly: no YAML, no RDF,
    so 100k entities cost seconds. The network projection is n nodes."""
    from kg.core.model import DateValue, Entity, Statement
    from kg.core.schema import load_schema
    from kg.semantics import Semantics

    def ent(eid, kind, **fields):
        facts = {k: [Statement(k, v, 1) for v in (vs if isinstance(vs, list) else [vs])]
                 for k, vs in fields.items()}
        return Entity(eid, kind, f"data/{kind}/{eid}.yaml", 1, facts)

    ents = {"src": ent("src", "source", name="S", title="S", publisher="P",
                       date=DateValue.parse("2026-01-01"), source_type="news",
                       reliability="high", url="https://example.org/s")}
    for cid, code in (("us", "US"), ("china", "CN"), ("japan", "JP")):
        ents[cid] = ent(cid, "country", name=cid, iso_code=code, sources="src")
    rng = random.Random(seed)
    for i in range(n):
        partners = sorted({f"org-{rng.randrange(n)}" for _ in range(3)} - {f"org-{i}"})
        ents[f"org-{i}"] = ent(f"org-{i}", "organization", name=f"Organisation {i}",
                               org_type="company", country=("us", "china", "japan")[i % 3],
                               partners=partners, sources="src")
    return Semantics(load_schema(), ents)


def open_time(browser, path: Path, fragment: str = "") -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 860})
    t0 = time.perf_counter()
    page.goto(path.resolve().as_uri() + fragment)
    page.wait_for_selector("body[data-ready='1']", timeout=120000)
    took = time.perf_counter() - t0
    page.close()
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--overview", type=int, default=0, metavar="N",
                    help="also write and open the overview page of N synthetic "
                         "organisations built in memory (e.g. 100000)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average at the start: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        cases = [("curated", lambda: load_graph(REPO / "data").semantics),
                 (f"synthetic {args.nodes}",
                  lambda: load_graph(synthesise(Path(tmp) / "syn", args.nodes)).semantics)]
        if args.overview:
            cases.append((f"overview {args.overview}",
                          lambda: synthetic_semantics(args.overview)))
        for name, make in cases:
            sem = make()
            proj = project(sem)
            network = len(proj.nodes)
            drawn = network if network <= OVERVIEW_ABOVE else len(overview_nodes(proj))
            if name.startswith("synthetic") and drawn != args.nodes:
                raise SystemExit(f"{name}: the page would draw {drawn} of {network} nodes, "
                                 f"not {args.nodes} (an overview above {OVERVIEW_ABOVE})")
            write_explorer(sem, Path(tmp) / "warm.html") if name == "curated" else None
            t0 = time.perf_counter()
            out = write_explorer(sem, Path(tmp) / f"{name.split()[0]}.html")
            write_s = time.perf_counter() - t0
            size = out.stat().st_size / 1e6
            first = open_time(browser, out)
            everything = open_time(browser, out, "#all=1")
            print(f"{name:>16}: {drawn} nodes drawn of {network}, write {write_s:5.2f} s, "
                  f"{size:5.2f} MB, interactive in "
                  f"{first:4.2f} s (opening view), {everything:4.2f} s (show everything); "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
        browser.close()


if __name__ == "__main__":
    main()
