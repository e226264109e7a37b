"""Text from the data as Markdown that shows it as text: one rule for every Markdown the
project writes (the report's report.md, `kg query --format md`, the ontology reference).

A value may hold "<script>", "|" or a line break: in a table cell it must neither run as
HTML in a renderer that lets HTML through, nor end the cell or the row. It may hold
Markdown too ("[x](javascript:alert(8))", "*em*"): it is shown as the characters it is,
never as a link or emphasis.
"""

from __future__ import annotations

import re

# a `code span`: Markdown shows what is inside as it is, so nothing there is escaped
CODE_SPAN = re.compile(r"(`[^`]*`)")

# an "&" that starts what Markdown would read as a character reference ("&lt;", "&#60;");
# any other "&" is shown as it is ("robotics & physical AI" stays readable)
ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


# Markdown's inline syntax, each character backslash-escaped in text from the data:
# emphasis and strong (* _), strikethrough (~), links and images ([ ]: "!" and "(" do
# nothing without them), code spans (`) and the backslash itself
INLINE = re.compile(r"[\\`*_\[\]~]")


def _no_tags(text: str) -> str:
    return ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def no_html(text: str) -> str:
    """text with "<", ">" (and an "&" that would start a character reference) as
    character references outside `code spans`, so that a value from the data
    ("<script>", "<img onerror=...>") is shown as text by a Markdown renderer that lets
    HTML through, not run (a maintainer's trial)."""
    return "".join(part if i % 2 else _no_tags(part)
                   for i, part in enumerate(CODE_SPAN.split(text)))


def prose(text: str) -> str:
    """Text the project writes, with values from the data in it (the report's paragraphs
    and list items), as Markdown that shows it as text: outside `code spans` (which the
    project writes, and Markdown shows as they are) Markdown's inline syntax is
    backslash-escaped and no_html applies, so a name "[x](javascript:alert(8))" is no
    link and "*em*" no emphasis (a maintainer's trial)."""
    return "".join(part if i % 2 else _no_tags(INLINE.sub(r"\\\g<0>", part))
                   for i, part in enumerate(CODE_SPAN.split(text)))


def table_cell(text: str) -> str:
    """A value as one cell of a Markdown table, shown as the characters it is: Markdown's
    inline syntax (backslash, `, *, _, [, ], ~) and "|" backslash-escaped, line breaks as
    spaces, "<", ">" and an "&" that starts a character reference as references (a "`"
    too: a value never opens a code span)."""
    return _no_tags(INLINE.sub(r"\\\g<0>", text).replace("|", "\\|").replace("\n", " "))


__all__ = ["CODE_SPAN", "ENTITY_LIKE", "INLINE", "no_html", "prose", "table_cell"]
