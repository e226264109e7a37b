"""Shared by the explorer's tests: small data sets, a browser that records everything."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import BASE_FILES, IN_CI, REPO

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]
SCREENSHOTS = REPO / "build" / "screenshots"



def count_calls(monkeypatch, owner, name: str) -> list[int]:
    """Replace owner.<name> (for the test) by a wrapper that appends 1 to the returned
    list on every call: how often the explorer or the report computed something."""
    calls: list[int] = []
    real = getattr(owner, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_ALIAS = "</script><script>alert(2)</script>"
HOSTILE_TEXT = "\"'><svg onload=alert(3)>&amp; \u2028 <!-- x"
HOSTILE_URL = "javascript:alert(1)"

# A small network: deepseek <- deepseek-r1 -> nvidia-h800 -> nvidia; liang-wenfeng -> deepseek;
# openai on its own; china/us are countries (country links are attributes, not edges).
SMALL_FILES = {
    "country/us.yaml": """
        id: us
        name: United States
        iso_code: US
        sources: [src-a]
    """,
    "organization/nvidia.yaml": """
        id: nvidia
        name: NVIDIA
        org_type: company
        country: us
        sources: [src-a]
    """,
    "organization/openai.yaml": """
        id: openai
        name: OpenAI
        org_type: lab
        country: us
        sources: [src-a]
    """,
    "model/deepseek-r1.yaml": """
        id: deepseek-r1
        name: DeepSeek-R1
        model_type: model
        developer: deepseek
        trained_on: [nvidia-h800]
        sources: [src-a]
    """,
    "chip/nvidia-h800.yaml": """
        id: nvidia-h800
        name: NVIDIA H800
        aliases: [H800]
        chip_type: gpu
        designer: nvidia
        sources: [src-a]
    """,
    "person/liang-wenfeng.yaml": """
        id: liang-wenfeng
        name: Liang Wenfeng
        names: {zh: 梁文锋}
        affiliation:
          - value: deepseek
            from: 2023-07
            sources: [src-a]
        sources: [src-a]
    """,
}

# A person whose bloc changes: at OpenAI (US) until 2022-12, at DeepSeek (China) from 2023-01.
MOVER_FILES = {
    "person/mover.yaml": """
        id: mover
        name: Wen Mover
        affiliation:
          - value: openai
            from: 2019-03
            to: 2022-12
            sources: [src-a]
          - value: deepseek
            from: 2023-01
            sources: [src-a]
        sources: [src-a]
    """,
}

HOSTILE_FILES = {
    "organization/hostile.yaml": yaml.safe_dump({
        "id": "hostile", "name": HOSTILE_NAME, "aliases": [HOSTILE_ALIAS],
        "description": HOSTILE_TEXT, "org_type": "company", "country": "china",
        "partners": ["deepseek"], "sources": ["src-evil"]}, allow_unicode=True),
    "source/src-evil.yaml": yaml.safe_dump({
        "id": "src-evil", "name": "evil source", "title": HOSTILE_NAME,
        "publisher": HOSTILE_ALIAS, "date": "2026-01-20", "source_type": "news",
        "reliability": "low"}, allow_unicode=True),
    "quote/hostile-quote.yaml": yaml.safe_dump({
        "id": "hostile-quote", "name": "a hostile quote", "text": HOSTILE_ALIAS,
        "language": "en", "speaker": "hostile", "about": ["deepseek"],
        "sources": ["src-evil"]}, allow_unicode=True),
}


def write_data(folder: Path, files: dict[str, str]) -> Path:
    """BASE_FILES plus `files`, written into folder/data."""
    data = folder / "data"
    for rel, text in {**BASE_FILES, **files}.items():
        path = data / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return data


def chromium_path() -> str:
    """The system Chromium; skip loudly without it, but fail under CI=true."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if path:
        return path
    message = ("Chromium is not installed (/usr/bin/chromium): run `bash scripts/test-deps.sh`; "
               "the explorer's browser tests may only be skipped on a developer's machine")
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


class Recorder:
    """Everything a page did that a test must see: console messages, errors, requests,
    dialogs (each dismissed)."""

    def __init__(self, page):
        self.page, self.console, self.errors, self.requests, self.dialogs = page, [], [], [], []
        page.on("console", lambda m: self.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", self._dialog)

    def _dialog(self, d):
        self.dialogs.append(d.message)
        d.dismiss()

    def open(self, path: Path, fragment: str = ""):
        self.page.goto(path.resolve().as_uri() + fragment)
        self.page.wait_for_selector("body[data-ready='1']", timeout=20000)
        return self.page

    def outside_requests(self, path: Path) -> list[str]:
        """Every request but the page's own file (and data: URLs, which never leave the
        machine: the PNG download is one)."""
        own = path.resolve().as_uri()
        return [u for u in self.requests if u.split("#")[0] != own and not u.startswith("data:")]

    def console_errors(self) -> list:
        return [m for m in self.console if m[0] in ("error", "warning")] + self.errors

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        out = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(out))
        return out


# A chip whose statements' ends the explorer cites (kg.semantics.time, Timeline.end_sources):
# one source of an end published before it, every source of another, none of a third.
END_FILES = {
    "source/src-old.yaml": """
        id: src-old
        name: Old brief
        title: Old brief
        publisher: Example Press
        date: 2023-01-10
        source_type: news
        reliability: medium
    """,
    "chip/gpu-x.yaml": """
        id: gpu-x
        name: GPU X
        chip_type: gpu
        export_status:
          - value: unrestricted
            to: 2024-03
            sources: [src-old, src-a]
          - value: licence-required
            from: 2024-03
            to: 2024-09
            sources: [src-old]
          - value: banned
            from: 2025-01
            to: 2025-02
        sources: [src-a]
    """,
}
