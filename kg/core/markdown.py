"""Text from the data as Markdown that shows it as text: one rule for every Markdown the
project writes (the report's report.md, `kg query --format md`, the ontology reference).

A value may hold "<script>", "|" or a line break: in a table cell it must neither run as
HTML in a renderer that lets HTML through, nor end the cell or the row.
"""

from __future__ import annotations

import re

# a `code span`: Markdown shows what is inside as it is, so nothing there is escaped
CODE_SPAN = re.compile(r"(`[^`]*`)")

# an "&" that starts what Markdown would read as a character reference ("&lt;", "&#60;");
# any other "&" is shown as it is ("robotics & physical AI" stays readable)
ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def no_html(text: str) -> str:
    """text with "<", ">" (and an "&" that would start a character reference) as
    character references outside `code spans`, so that a value from the data
    ("<script>", "<img onerror=...>") is shown as text by a Markdown renderer that lets
    HTML through, not run (a maintainer's trial)."""
    return "".join(part if i % 2 else ENTITY_LIKE.sub("&amp;", part).replace("<", "&lt;")
                   .replace(">", "&gt;") for i, part in enumerate(CODE_SPAN.split(text)))


def table_cell(text: str) -> str:
    """text as one cell of a Markdown table: backslashes and "|" escaped, line breaks as
    spaces, then no_html."""
    return no_html(text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " "))


__all__ = ["CODE_SPAN", "ENTITY_LIKE", "no_html", "table_cell"]
