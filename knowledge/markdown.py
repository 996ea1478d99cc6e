"""Article bodies are Markdown written by operators; shown without raw HTML, without images
from elsewhere, and with only in-app links (``?article=ID``) kept clickable."""

from __future__ import annotations

import re

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"(?<!\\)\[([^\]]+)\]\(([^)\s]*)[^)]*\)")
_AUTOLINK = re.compile(r"<(https?://[^>]+)>")
_IN_APP = re.compile(r"^\?article=[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def safe_markdown(body: str) -> str:
    text = _IMAGE.sub(lambda m: f"[image: {m.group(1) or 'not shown'}]", body)
    text = _AUTOLINK.sub(lambda m: m.group(1), text)
    text = _LINK.sub(_link, text)
    return text.replace("<", "&lt;")  # raw HTML shows as text, never as markup


def _link(match: re.Match[str]) -> str:
    label, target = match.group(1), match.group(2)
    return f"[{label}]({target})" if _IN_APP.match(target) else f"{label} ({target})"
