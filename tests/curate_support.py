"""Helpers for the curation tests: a copy of the fixture data set, snapshots, a CLI runner
that checks data/ still validates after every command."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from conftest import PINNED_TODAY, PINNED_USER
from kg.cli import main
from kg.data.validate import validate_dir

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "curate" / "data"
# The same date and user conftest pins for the whole session: a change planned in this
# process and one made by a `kg` subprocess write the same tombstone dates and names.
ENV = {"KG_TODAY": PINNED_TODAY, "KG_USER": PINNED_USER}


def copy_fixture(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    return data


def read(data: Path, rel: str) -> str:
    """The text of data/<rel>."""
    return (data / rel).read_text(encoding="utf-8")


def snapshot(data: Path) -> dict[str, bytes]:
    """Every file under data/ (hidden ones included), by relative path."""
    return {p.relative_to(data).as_posix(): p.read_bytes()
            for p in sorted(data.rglob("*")) if p.is_file() and p.name != ".kg-lock"}


def assert_valid(data: Path) -> None:
    result = validate_dir(data)
    assert result.ok, "\n".join(i.format() for i in result.errors)


def kg(data: Path, *args: str, input: str | None = None, code: int = 0) -> Result:
    """Run `kg ARGS` on `data` through click's CliRunner, from the folder that holds data/
    (as a maintainer runs kg in the repository: messages name data/<kind>/<file>.yaml);
    check the exit code and that data/ still passes structural validation."""
    with contextlib.chdir(data.parent):
        result = CliRunner().invoke(main, list(args), input=input,
                                    env={**ENV, "KG_DATA": str(data)}, catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert_valid(data)
    return result
