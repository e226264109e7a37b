"""One root exception, and the Issue record that validation collects."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path


def shown_path(path: Path | str, root: Path | str | None = None) -> str:
    """How a message names a file: as the user can open it from the current folder.

    path: absolute, or relative to root (entities' and issues' paths are relative to the
    data folder's parent: data/model/x.yaml), or without root to the current folder.
    Returns it relative to the current folder when it lies under it (so, run in the
    repository, data/model/x.yaml as before), else absolute; with forward slashes. The
    current folder and root are resolved (symbolic links followed) once per process and
    folder, not the file: a few microseconds a call, for commands that print a line per
    fact."""
    if root is not None and not os.path.isabs(path):
        p = os.path.normpath(os.path.join(_resolved(os.path.abspath(root)), path))
    else:
        p = os.path.abspath(path)
        parent, name = os.path.split(p)
        p = os.path.join(_resolved(parent), name)
    cwd = _resolved(os.getcwd())
    if p == cwd:
        return "."
    if p.startswith(cwd.rstrip(os.sep) + os.sep):
        return Path(p[len(cwd.rstrip(os.sep)) + 1:]).as_posix()
    return Path(p).as_posix()


@functools.lru_cache(maxsize=256)
def _resolved(folder: str) -> str:
    """folder (absolute) with its symbolic links resolved; as given if it cannot be."""
    try:
        return str(Path(folder).resolve())
    except (OSError, RuntimeError):
        return folder


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
            # (an absolute path names no data folder: its message's paths are left alone)
            shown_top = top if os.path.isabs(self.path) or not top else shown_path(top, root)
            if shown_top != top:  # not run beside the data folder: the other paths too
                other = re.compile(r"(?<![\w./-])" + re.escape(top + "/"))
                message, fix = (other.sub(lambda _: shown_top + "/", t) for t in (message, fix))
        where = f"{path}:{self.line}" if self.line else path
        if self.column:
            where += f":{self.column}"
        who = f" [{self.entity}]" if self.entity else ""
        fix = f" Fix: {fix}" if fix else ""
        return f"{where}: {self.level}:{who} {message}{fix}"
