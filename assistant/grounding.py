"""Grounded answers: the passages a reply may use, and the checks on what the model wrote.

- :func:`reference_block` puts the passages in the prompt as numbered, delimited data.
- :func:`is_decline` recognises "I don't know"; :func:`offers_person` a handover offer.
- :func:`unsupported_claims` finds amounts, percentages, durations, dates and times in a
  reply that appear nowhere in what the model was given (the passages, the ticket, the
  conversation): a small model's invented policy. Such a reply is withheld.
- :func:`cite` finds the articles a reply was answered from: the ``[n]`` markers the model
  wrote, else the passages that share the reply's specific facts and words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.retrieval import Passage
from knowledge.text import terms
from tickets.domain import Source

DECLINE = "I'm sorry, I don't have information about that in our help articles."
OFFER_PERSON = "Would you like me to pass this to a person on our support team?"
NO_ARTICLES = "No help-center article matches the customer's latest message."

_DECLINES = re.compile(
    r"\b(?:i\s+(?:do\s*n[o']t|don't|dont|cannot|can't|can\s+not|am\s+unable\s+to|'m\s+unable\s+to)"
    r"\s+(?:know|have\s+(?:any\s+|that\s+|this\s+|enough\s+|the\s+)?information|find|answer|say|"
    r"help\s+with\s+that)"
    r"|i'?m\s+(?:not\s+sure|afraid\s+i\s+(?:do\s*n[o']t|can'?t))"
    r"|(?:there\s+is|i\s+have|i\s+found)\s+no\s+information"
    r"|(?:not|isn't|is\s+not)\s+(?:covered|mentioned)\s+in\s+(?:our|the)\s+(?:help\s+)?articles"
    r"|no\s+(?:help(?:-center)?\s+)?article\s+(?:covers|mentions|matches))",
    re.I,
)
_PERSON = re.compile(
    r"\b(?:person|human|agent|colleague|support\s+team|someone\s+from|specialist|representative)",
    re.I,
)
_MARKER = re.compile(r"\s*\[(\d{1,2})\]")
_SOURCES_LINE = re.compile(r"\n+\s*\(?\s*sources?\s*:.*$", re.I | re.S)
_INLINE_SOURCE = re.compile(r"\s*\((?:source|sources|see)\s*:\s*([^)]*)\)", re.I)
_NUMBER = r"\d+(?:[.,]\d+)?"
_CLAIMS = re.compile(
    rf"[$€£]\s?{_NUMBER}"  # amounts
    rf"|{_NUMBER}\s?(?:%|percent\b|dollars?\b|usd\b|eur\b)"
    rf"|\b{_NUMBER}(?:\s?(?:-|–|to|or)\s?{_NUMBER})?[\s-]+(?:business\s+|working\s+|calendar\s+)?"
    r"(?:days?|weeks?|months?|years?|hours?|minutes?)\b"  # durations and time limits
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"  # dates
    r"|\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b"  # times of day
    # measures: product specifications are facts too
    rf"|\b{_NUMBER}\s?(?:watts?|w|kw|volts?|v|ghz|mah|m|cm|mm|l|litres?|liters?|kg|g|lbs?)\b",
    re.I,
)
_WORD_NUMBERS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "fourteen": "14", "thirty": "30", "sixty": "60",
    "ninety": "90",
}  # fmt: skip


def reference_block(passages: Sequence[Passage]) -> str:
    """The passages as numbered reference data (the titles are how the model cites)."""
    if not passages:
        return f"## Help-center articles\n{NO_ARTICLES}"
    parts = ["## Help-center articles (answer only from these; [1] matches the question best)"]
    for n, passage in enumerate(passages, start=1):
        chunk = passage.chunk
        where = f"{chunk.title} > {chunk.heading}" if chunk.heading != chunk.title else chunk.title
        parts.append(f"[{n}] {where.strip(' >')}\n{chunk.text.strip()}")
    return "\n\n".join(parts)


def is_decline(text: str) -> bool:
    head = " ".join(re.split(r"(?<=[.!?])\s+", text.strip())[:2])
    return not text.strip() or bool(_DECLINES.search(head.replace("’", "'")))


def offers_person(text: str) -> bool:
    return bool(_PERSON.search(text))


def _numbers(text: str) -> set[str]:
    """The numbers in ``text``; those inside codes (RV-10, TH-300, tk-3x9) are not numbers."""
    words = re.sub(
        r"\b(" + "|".join(_WORD_NUMBERS) + r")\b",
        lambda m: _WORD_NUMBERS[m.group(1).lower()],
        text,
        flags=re.I,
    )
    return {n.replace(",", "") for n in re.findall(rf"(?<![A-Za-z])(?<![A-Za-z]-){_NUMBER}", words)}


def claims(text: str) -> list[str]:
    return [m.group(0).strip() for m in _CLAIMS.finditer(text)]


def figures(text: str) -> set[str]:
    """The numbers of the claims in ``text`` ("5 business days", "$6.95": 5, 6.95)."""
    return _numbers(" ".join(claims(text)))


def unsupported_claims(text: str, given: str) -> list[str]:
    """Claims whose numbers appear nowhere in ``given`` (everything the model was shown)."""
    known = _numbers(given)
    return [c for c in claims(text) if not _numbers(c) <= known]


def clean_citations(text: str) -> tuple[str, set[int], list[str]]:
    """The reply without citation markup; the ``[n]`` numbers and titles it cited."""
    numbers = {int(n) for n in _MARKER.findall(text)}
    titles = [t.strip() for m in _INLINE_SOURCE.finditer(text) for t in m.group(1).split(";")]
    match = _SOURCES_LINE.search(text)
    if match:
        titles += [t.strip(" .*") for t in re.split(r"[;,\n]", match.group(0).split(":", 1)[1])]
        numbers |= {int(n) for n in re.findall(r"\[(\d{1,2})\]", match.group(0))}
        text = text[: match.start()]
    text = _INLINE_SOURCE.sub("", text)
    text = _MARKER.sub("", text)
    return text.strip(), numbers, [t for t in titles if t]


def cite(
    text: str, passages: Sequence[Passage], numbers: set[int], titles: Sequence[str]
) -> tuple[Source, ...]:
    """The articles the reply demonstrably drew on (its facts and words); when it drew on
    none of them clearly, those it cited (small models often cite the wrong number)."""
    chosen = drawn_on(text, passages)
    if not chosen:
        lowered = [t.lower() for t in titles]
        chosen = [passages[n - 1] for n in sorted(numbers) if 0 < n <= len(passages)]
        chosen += [p for p in passages if any(t and t in p.chunk.title.lower() for t in lowered)]
    sources: dict[str, Source] = {}
    for passage in chosen:
        sources.setdefault(passage.article_id, Source(passage.article_id, passage.chunk.title))
    return tuple(sources.values())


def drawn_on(text: str, passages: Sequence[Passage]) -> list[Passage]:
    """The passages whose specific facts (numbers) the reply repeats; else the one it shares
    the most words with (and any nearly as close), if it shares enough."""
    facts = _numbers(" ".join(claims(text)))
    if facts:
        by_facts = [p for p in passages if facts <= _numbers(p.chunk.text + " " + p.chunk.title)]
        if by_facts:
            return by_facts
    reply = set(terms(text))
    overlap = [len(reply & set(terms(p.chunk.text + " " + p.chunk.title))) for p in passages]
    best = max(overlap, default=0)
    if best < max(min(3, len(reply)), len(reply) // 3, 1):  # a short reply: all its words
        return []
    return [p for p, n in zip(passages, overlap, strict=True) if n >= 0.8 * best]
