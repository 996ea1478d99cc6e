"""Is a piece of Markdown inert? What a permissive viewer (raw HTML, links and images on) and
GFM's autolinking would make live in it."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

VIEWER = MarkdownIt("commonmark", {"html": True}).enable("strikethrough")
LIVE_TAG = re.compile(r"<(a|img|script|iframe|table|input|style|object|svg)\b", re.I)
# GFM autolink literals (remark-gfm finds them in text even when every character is
# escaped): a scheme, a www. name or an e-mail address anywhere outside code
AUTOLINKABLE = re.compile(r"(?:https?|ftp|mailto|xmpp):/*|www\.|[A-Za-z0-9]@[A-Za-z0-9]", re.I)
CODE = re.compile(r"<code>.*?</code>", re.S)


def live_parts(markdown_source: str) -> list[str]:
    """Live tags a viewer renders, plus text GFM would turn into a link; [] when inert."""
    shown = VIEWER.render(markdown_source)
    found = [m.group(0) for m in LIVE_TAG.finditer(shown)]
    return found + [m.group(0) for m in AUTOLINKABLE.finditer(CODE.sub("", shown))]
