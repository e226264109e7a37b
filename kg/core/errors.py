"""One root exception, and the Issue record that validation collects."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path


def shown_path(path: Path | str, root: Path | str | None = None) -> str:
    """How a message names a file: as the user can open it from the current folder.

    path: absolute, or relative to root (entities' and issues' paths are relative to the
    data folder's parent: data/model/x.yaml), or without root to the current folder.
    Returns it relative to the current folder when it lies under it (so, run in the
    repository, data/model/x.yaml as before), else absolute; with forward slashes."""
    p = Path(root) / path if root is not None else Path(path)
    p = Path(os.path.abspath(p))
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return p.as_posix()


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

    def format(self, root: Path | str | None = None) -> str:
        """The issue as one line, "PATH:LINE: error: [entity] message Fix: fix". root: the
        folder self.path is relative to (the data folder's parent), to print the path as
        one the user can open from the current folder (shown_path), and so every other
        path of the same folder the message and fix name ("already used by data/...");
        None: as they are."""
        path, message, fix = self.path, self.message, self.fix
        if root is not None and self.path:
            path = shown_path(self.path, root)
            top = self.path.split("/", 1)[0]  # the data folder's name, as paths begin
            shown_top = shown_path(top, root)
            if shown_top != top:  # not run beside the data folder: the other paths too
                other = re.compile(r"(?<![\w./-])" + re.escape(top + "/"))
                message, fix = (other.sub(lambda _: shown_top + "/", t) for t in (message, fix))
        where = f"{path}:{self.line}" if self.line else path
        if self.column:
            where += f":{self.column}"
        who = f" [{self.entity}]" if self.entity else ""
        fix = f" Fix: {fix}" if fix else ""
        return f"{where}: {self.level}:{who} {message}{fix}"
