"""Validated entities: what the rest of the package works with."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, order=True)
class DateValue:
    """A date at the precision the source gives: a year, a month or a day."""

    start: date
    end: date
    text: str

    @property
    def precision(self) -> str:
        return {4: "year", 7: "month", 10: "day"}[len(self.text)]

    @classmethod
    def parse(cls, text: str) -> DateValue:
        """Parse YYYY, YYYY-MM or YYYY-MM-DD; raise ValueError with a reason."""
        m = DATE_RE.match(text.strip())
        if not m:
            raise ValueError("a date is written YYYY, YYYY-MM or YYYY-MM-DD")
        year = int(m.group(1))
        if m.group(2):
            month = int(m.group(2))
            if not 1 <= month <= 12:
                raise ValueError(f"month {month} is not 01 to 12")
            last = calendar.monthrange(year, month)[1]
            if m.group(3):
                day = int(m.group(3))
                if not 1 <= day <= last:
                    raise ValueError(f"day {day} is not 01 to {last} "
                                     f"({calendar.month_name[month]} {year} has {last} days)")
                d = date(year, month, day)
                return cls(d, d, text.strip())
            return cls(date(year, month, 1), date(year, month, last), text.strip())
        return cls(date(year, 1, 1), date(year, 12, 31), text.strip())

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Check:
    by: str
    on: DateValue
    against: str | None = None


@dataclass
class Statement:
    """One value of one field, with its own sources, time and qualifiers."""

    field: str
    value: Any  # str (text, id, enum value), DateValue, Decimal, int, bool, dict (langmap)
    line: int
    sources: tuple[str, ...] = ()  # its own; empty means the entity's defaults
    valid_from: DateValue | None = None
    valid_to: DateValue | None = None
    as_of: DateValue | None = None
    confidence: str | None = None
    rank: str = "normal"
    as_written: str | None = None
    note: str | None = None
    checked: Check | None = None
    qualifiers: dict[str, Any] = field(default_factory=dict)

    @property
    def is_long(self) -> bool:
        return bool(self.sources or self.valid_from or self.valid_to or self.as_of or self.confidence
                    or self.rank != "normal" or self.as_written or self.note or self.checked
                    or self.qualifiers)


@dataclass
class Entity:
    id: str
    kind: str
    path: str  # relative to the repository root
    line: int
    facts: dict[str, list[Statement]] = field(default_factory=dict)
    field_lines: dict[str, int] = field(default_factory=dict)  # YAML key -> its line

    def values(self, name: str) -> list[Any]:
        return [s.value for s in self.facts.get(name, [])]

    def first(self, name: str, default: Any = None) -> Any:
        """The value of the first statement of field `name`, else default (2.1M calls in
        a 100k-entity report: no list of every value is made for it)."""
        sts = self.facts.get(name)
        return sts[0].value if sts else default

    @property
    def name(self) -> str:
        return self.first("name", self.id)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(self.values("sources"))

    def sources_of(self, st: Statement) -> tuple[str, ...]:
        return st.sources or self.sources

    def checked_of(self, st: Statement) -> Check | None:
        """A statement's own check; one relying on the entity's sources shares its check."""
        return st.checked or (None if st.sources else self.first("checked"))


def check_status(entities: dict[str, Entity], sources, checked) -> str:
    """The one rule: from-article if any source is a bundled article, else checked or unchecked."""
    if any(entities[s].first("bundled_file") for s in sources if s in entities):
        return "from-article"
    return "checked" if checked else "unchecked"


def as_decimal_text(value: Decimal) -> str:
    """Canonical decimal text: no exponent, no trailing zeros (700000000, 0.6)."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
