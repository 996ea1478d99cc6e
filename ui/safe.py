"""Text from customers, agents and the model is rendered inert: no HTML, links or images."""

from __future__ import annotations

import re

from tickets.export import md_escape

_LINKISH = re.compile(r"([\[\]<>])")


def plain(text: str) -> str:
    """For people's messages: shown exactly as typed, nothing interpreted."""
    return md_escape(text)


def formatted(text: str) -> str:
    """For the assistant: keep emphasis and lists, but no links, images or HTML."""
    return _LINKISH.sub(r"\\\1", text)
