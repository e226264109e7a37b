"""One root exception, and the Issue record that validation collects."""

from __future__ import annotations

from dataclasses import dataclass


class KGError(Exception):
    """Root of every error the library raises for a user to read."""


class DataError(KGError):
    """Bad data: carries the issues found, each with file, line and entity."""

    def __init__(self, issues: list[Issue]):
        self.issues = sorted(issues)
        super().__init__("\n".join(i.format() for i in self.issues))


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in data/: where it is, which entity, what is wrong and how to fix it."""

    path: str  # relative to the repository root, e.g. data/model/deepseek-r1.yaml
    line: int  # 1-based; 0 when the problem is the file as a whole
    column: int = 0
    entity: str = ""
    message: str = ""
    fix: str = ""
    level: str = "error"  # error | warning
    rule: str = ""  # a stable name for the rule, for tests and filtering

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        if self.column:
            where += f":{self.column}"
        who = f" [{self.entity}]" if self.entity else ""
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{where}: {self.level}:{who} {self.message}{fix}"
