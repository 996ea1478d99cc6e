"""A public draft never carries internal-only wording: a sentence that names an approval
limit, an escalation, an internal reference (ESC-…, PSR…, GW-…) or a figure found only in
internal notes (not in anything the customer has seen) is dropped from the draft."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

INTERNAL_WORDS = re.compile(
    r"approval\s+limit|\bescalat\w*|\binternal\b|\bsupervisor\b|\bbilling\s+lead\b|\bVIP\b"
    r"|\bESC-[A-Z]+\b|\bPSR\b|\bPSR-?\d+|\bGW-\d+\b|\bmy\s+limit\b",
    re.I,
)
_TOKENS = re.compile(r"[$€£]\s?\d[\d,]*(?:\.\d+)?|\b[A-Z]{2,}-?\d[\w-]*\b|\b\d[\d,.]*\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def internal_only_tokens(internal: Iterable[str], public: Iterable[str]) -> set[str]:
    seen = {t.replace(" ", "") for text in public for t in _TOKENS.findall(text)}
    return {
        t.replace(" ", "")
        for text in internal
        for t in _TOKENS.findall(text)
        if t.replace(" ", "") not in seen
    }


_CLAUSE = re.compile(r",\s+|\s+\(|\s+-\s+|;\s+")


def scrub(draft: str, internal: Iterable[str], public: Iterable[str]) -> str:
    """Drop the clauses with internal wording, or the whole sentence when nothing clean and
    meaningful is left of it ("Refund of $79.99 approved, within my $100 limit." keeps the
    refund)."""
    secret = internal_only_tokens(internal, public)

    def leaks(text: str) -> bool:
        tokens = {t.replace(" ", "") for t in _TOKENS.findall(text)}
        return bool(INTERNAL_WORDS.search(text) or tokens & secret)

    return "\n".join(
        _scrub_line(line, leaks) if line.strip() else "" for line in draft.strip().splitlines()
    ).strip()


def _scrub_line(line: str, leaks: Callable[[str], bool]) -> str:
    kept = []
    for sentence in _SENTENCE.split(line.strip()):
        if not leaks(sentence):
            kept.append(sentence)
            continue
        clauses = _CLAUSE.split(sentence)
        if leaks(clauses[0]) or len(clauses[0].split()) < 4:
            continue
        clean = [clauses[0]]
        for clause in clauses[1:]:
            if leaks(clause):
                break  # what follows an internal clause often refers to it
            clean.append(clause)
        kept.append(", ".join(clean).rstrip(" ,.") + ".")
    return " ".join(s.strip() for s in kept if s.strip())
