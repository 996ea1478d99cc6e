"""Pinned facts: identifiers extracted deterministically from every folded message and kept
verbatim in the checkpoint, so a fact from turn 3 is still in the prompt at turn 1,000 even if
the model's summary dropped it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")),
    (
        "amount",
        re.compile(
            r"(?:[$€£]\s?\d[\d,]*(?:\.\d{1,2})?)"
            r"|(?:\b\d[\d,]*(?:\.\d{1,2})?\s?(?:USD|EUR|GBP|CHF|dollars|euros|pounds)\b)"
        ),
    ),
    (
        "date",
        re.compile(
            r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
            rf"|\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?\b"
            rf"|\b\d{{1,2}} {_MONTH} \d{{4}}\b"
        ),
    ),
    # order numbers, invoice ids, SKUs, tracking codes: letters and digits mixed, 5+ long
    ("id", re.compile(r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]{3,}[A-Z0-9]\b")),
    (
        "number",
        re.compile(
            r"(?<![\w/.-])#\d{3,}\b|\b(?:order|invoice|case|ref)\s+(?:no\.?\s*)?\d{4,}\b", re.I
        ),
    ),
)


def extract_facts(text: str) -> list[str]:
    """Facts in order of appearance, each as ``kind: value``."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue  # already part of an earlier kind (e.g. the date inside an id)
            taken.append(span)
            found.append((span[0], f"{kind}: {match.group(0).strip()}"))
    return [fact for _, fact in sorted(found)]


def _key(fact: str) -> str:
    return fact.casefold()


def merge_facts(
    existing: Sequence[str], new_texts: Iterable[str], limit: int
) -> tuple[tuple[str, ...], int]:
    """Add facts from ``new_texts``, deduplicated, keeping at most ``limit``.

    Over the limit, the middle goes: the first facts (the problem's anchors: the order,
    the account) and the newest are kept. Returns the facts and how many were dropped.
    """
    facts = list(existing)
    seen = {_key(f) for f in facts}
    for text in new_texts:
        for fact in extract_facts(text):
            if _key(fact) not in seen:
                seen.add(_key(fact))
                facts.append(fact)
    if len(facts) <= limit:
        return tuple(facts), 0
    head = limit // 2
    kept = facts[:head] + facts[len(facts) - (limit - head) :]
    return tuple(kept), len(facts) - limit
