"""`python -m kg` runs the `kg` command; `console` is the console script (pyproject.toml).

A Ctrl-C while kg starts (importing click and kg.cli takes a few hundred milliseconds)
ends with one line and status 130, not a KeyboardInterrupt traceback (a maintainer's
trial): the import is guarded here, in a module that imports nothing itself.
"""

import os
import sys

STOPPED_AT_START = "Interrupted while kg was starting: nothing was done.\n"


def console() -> None:
    try:
        from kg.cli import entry
    except KeyboardInterrupt:
        stopped_at_start()
    entry()


def stopped_at_start() -> None:
    """Ctrl-C before any command ran: one line on stderr, status 130 (as Ctrl-C's)."""
    try:
        sys.stderr.write(STOPPED_AT_START)
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed stderr: nothing to add
        pass
    os._exit(130)


if __name__ == "__main__":
    console()
