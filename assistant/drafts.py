"""A public draft never carries internal-only wording: a sentence that names an approval
limit, an escalation, an internal reference (ESC-…, PSR…, GW-…) or a figure found only in
internal notes (not in anything the customer has seen) is dropped from the draft."""

from __future__ import annotations

import re
from collections.abc import Iterable

INTERNAL_WORDS = re.compile(
    r"approval\s+limit|\bescalat\w*|\binternal\b|\bsupervisor\b|\bbilling\s+lead\b|\bVIP\b"
    r"|\bESC-[A-Z]+\b|\bPSR\b|\bPSR-?\d+|\bGW-\d+\b|\bmy\s+limit\b",
    re.I,
)
_TOKENS = re.compile(r"[$€£]\s?\d[\d,]*(?:\.\d+)?|\b[A-Z]{2,}-?\d[\w-]*\b|\b\d[\d,.]*\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def internal_only_tokens(internal: Iterable[str], public: Iterable[str]) -> set[str]:
    seen = {t.replace(" ", "") for text in public for t in _TOKENS.findall(text)}
    return {
        t.replace(" ", "")
        for text in internal
        for t in _TOKENS.findall(text)
        if t.replace(" ", "") not in seen
    }


def scrub(draft: str, internal: Iterable[str], public: Iterable[str]) -> str:
    secret = internal_only_tokens(internal, public)
    kept = []
    for sentence in _SENTENCE.split(draft.strip()):
        tokens = {t.replace(" ", "") for t in _TOKENS.findall(sentence)}
        if INTERNAL_WORDS.search(sentence) or tokens & secret:
            continue
        kept.append(sentence)
    return " ".join(s.strip() for s in kept if s.strip())
