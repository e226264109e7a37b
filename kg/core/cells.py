"""Text from the data in a spreadsheet: which values Excel or LibreOffice would run as a
formula when a CSV holding them is opened (OWASP's "CSV injection"). One rule for the
report's CSV files (kg.analysis.render.csv_cell, which prefixes such a text with "'") and
`kg lint` (which warns of a value that looks like one; `kg add` and `kg edit` too).
"""

from __future__ import annotations

import re

# the first characters a spreadsheet reads as the start of a formula (OWASP's list)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# after "+", "-" or "@" (and any numbers and operators): a function call (HYPERLINK(,
# SUM(), a cell reference (A1, $B$2) or a link to another program (cmd|)
_FORMULA_BODY = re.compile(r"[\s\d.,+\-*/^&%]*(?:[A-Za-z_][\w.]*\s*\(|\$?[A-Za-z]{1,3}\$?\d+"
                           r"(?![\w.])|[A-Za-z_][\w.]*\s*\|)")


def formula_like(text: str) -> bool:
    """True for a text that starts as a spreadsheet formula: "=" and anything after it,
    or "+", "-" or "@" then a function call, a cell reference or a link to a program
    ('=HYPERLINK("http://evil.example","Trial")', "@SUM(1+1)*cmd", "-2+3+cmd|' /C calc'!A0").
    Not "+1 Labs", "-5% (year on year)" or a lone "-"."""
    if len(text) < 2 or text[0] not in "=+-@":
        return False
    return text[0] == "=" or _FORMULA_BODY.match(text, 1) is not None


__all__ = ["FORMULA_START", "formula_like"]
