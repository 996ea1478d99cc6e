"""The summary memory writes when the model cannot: deterministic, no model call.

The previous notes are kept as they were (still true), and each folded message adds its
first sentence under "Summary", newest kept when the bound is reached. Pinned facts are
kept beside it as always, so nothing that identifies the case depends on the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from memory.notes import Notes, parse_notes
from memory.tokens import TokenCounter

MAX_SENTENCE_WORDS = 30
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9<\"'(])")


def first_sentence(text: str) -> str:
    """The first sentence of ``text``, at most :data:`MAX_SENTENCE_WORDS` words."""
    flat = " ".join(text.split())
    sentence = _SENTENCE_END.split(flat, maxsplit=1)[0]
    words = sentence.split()
    if len(words) > MAX_SENTENCE_WORDS:
        sentence = " ".join(words[:MAX_SENTENCE_WORDS]) + " …"
    return sentence


def extractive_summary(
    previous: str, lines: Sequence[tuple[str, str]], counter: TokenCounter, max_tokens: int
) -> str:
    """``previous`` summary plus one line per folded message (``(label, text)``, e.g.
    ``("#12 Customer", "...")``), within ``max_tokens``: the oldest lines go first, then,
    if it must, the previous notes."""
    notes = parse_notes(previous)
    added = tuple(f"{label}: {first_sentence(text)}" for label, text in lines if text.strip())
    summary = list(notes.summary + added)
    notes = replace(notes, summary=tuple(summary))
    while counter.count(notes.render()) > max_tokens and len(summary) > 1:
        summary.pop(0)
        notes = replace(notes, summary=tuple(summary))
    if counter.count(notes.render()) > max_tokens:  # the previous notes alone are too long
        notes = Notes(summary=tuple(summary))
    text = notes.render()
    while counter.count(text) > max_tokens and text:  # one line longer than the bound
        text = text[: len(text) * 3 // 4]
    return text
