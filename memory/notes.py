"""The structured summary ("notes") of a conversation: its JSON schema, a lenient parser and
one canonical rendering.

The model is asked for JSON with :data:`SCHEMA` (servers that support ``response_format``
are held to it). Whatever comes back is parsed leniently: JSON, headings in any common form
(``Problem:``, ``## Key facts``, ``**Tried**``), bullets, or plain prose, which goes into
``summary``. The checkpoint stores the rendering (one sealed text field), which
:func:`parse_notes` reads back into the same notes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# (field, heading as rendered, other ways models write it)
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("problem", "Problem", ("issue", "the problem", "customer's problem", "customer problem")),
    ("key_facts", "Key facts", ("facts", "key details", "details", "important facts")),
    ("tried", "Tried", ("what was tried", "tried so far", "steps taken", "troubleshooting")),
    ("promises", "Promises made", ("promises", "commitments", "promised")),
    ("open_questions", "Open questions", ("questions", "open items", "unresolved")),
    ("next_step", "Next step", ("next steps", "next action", "action", "to do")),
    ("summary", "Summary", ("notes", "overview", "context")),
)
FIELDS = tuple(name for name, _, _ in SECTIONS)
MAX_ITEMS = 8
MAX_ITEM_CHARS = 300

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "problem": {"type": "string"},
        "key_facts": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_ITEMS},
        "tried": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_ITEMS},
        "promises": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_ITEMS},
        "open_questions": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_ITEMS},
        "next_step": {"type": "string"},
    },
    "required": ["problem", "key_facts", "tried", "promises", "open_questions", "next_step"],
    "additionalProperties": False,
}

_ALIASES = {
    alias: name for name, heading, others in SECTIONS for alias in (heading.lower(), *others)
}
_ALIASES |= {name.replace("_", " "): name for name in FIELDS}
_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:[-*•]\s*)?(?:\*\*|__)?\s*(?P<name>[A-Za-z' ]{3,30}?)\s*"
    r"(?::\s*(?:\*\*|__)?|(?:\*\*|__)\s*:?|\s+[-–]\s+|\s*$)\s*(?P<rest>.*)$"
)
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)])\s+")
_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
_EMPTY_ITEM = {"", "-", "none", "n/a", "none yet", "nothing", "(none)", "unknown", "tbd"}


@dataclass(frozen=True)
class Notes:
    problem: tuple[str, ...] = ()
    key_facts: tuple[str, ...] = ()
    tried: tuple[str, ...] = ()
    promises: tuple[str, ...] = ()
    open_questions: tuple[str, ...] = ()
    next_step: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()  # prose that fits no heading

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in FIELDS)

    @property
    def structured(self) -> bool:
        """At least one of the six sections (not just prose)."""
        return any(getattr(self, name) for name in FIELDS if name != "summary")

    def items(self) -> list[str]:
        return [item for name in FIELDS for item in getattr(self, name)]

    def render(self) -> str:
        lines: list[str] = []
        for name, heading, _ in SECTIONS:
            items: tuple[str, ...] = getattr(self, name)
            if not items:
                continue
            if len(items) == 1 and name != "summary":
                lines.append(f"{heading}: {items[0]}")
            else:
                lines.append(f"{heading}:")
                lines += [f"- {item}" for item in items]
        return "\n".join(lines)

    @classmethod
    def of(cls, sections: dict[str, list[str]]) -> Notes:
        return cls(**{name: tuple(_clean_items(sections.get(name, []))) for name in FIELDS})


def _clean_items(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        text = " ".join(_BULLET.sub("", item).split()).strip()
        if text.casefold().strip(".") in _EMPTY_ITEM or text in out:
            continue
        out.append(text[:MAX_ITEM_CHARS])
    return out[: MAX_ITEMS * 2]


def _from_json(data: Any) -> Notes | None:
    if not isinstance(data, dict):
        return None
    sections: dict[str, list[str]] = {}
    for key, value in data.items():
        name = _ALIASES.get(str(key).strip().lower().replace("_", " "))
        if name is None:
            continue
        values = value if isinstance(value, list) else [value]
        sections.setdefault(name, []).extend(str(v) for v in values if isinstance(v, str | int))
    return Notes.of(sections)


def _json_object(text: str) -> Any:
    start, end = text.find("{"), text.rfind("}")
    if start == -1 or end <= start:
        return None
    try:
        return json.loads(text[start : end + 1])
    except ValueError:
        return None


def parse_notes(text: str) -> Notes:
    """Whatever the model wrote, as notes (empty notes when there is nothing in it)."""
    text = _FENCE.sub("", text.strip()).strip()
    if not text:
        return Notes()
    if text.startswith("{"):
        notes = _from_json(_json_object(text))
        if notes is not None:
            return notes
    sections: dict[str, list[str]] = {}
    current = "summary"
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _HEADING.match(line)
        name = _ALIASES.get(match.group("name").strip().lower()) if match else None
        if match is not None and name is not None:
            current = name
            rest = match.group("rest").strip().strip("*_").strip()
            if rest:
                sections.setdefault(current, []).append(rest)
            continue
        sections.setdefault(current, []).append(line)
    return Notes.of(sections)


def repeats(notes: Notes, times: int = 3) -> bool:
    """The same item over and over: what a small model writes when it loops."""
    counts: dict[str, int] = {}
    for item in notes.items():
        for sentence in re.split(r"(?<=[.!?])\s+", item):
            key = sentence.casefold().strip()
            if len(key) > 3:
                counts[key] = counts.get(key, 0) + 1
    return any(n >= times for n in counts.values())


_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")
_COMMON_WORDS = (
    "this that with have from they them their there what when will would could should "
    "about been were your yours into just also than then some more very only over such "
    "please thanks thank sure okay here know like want need does done make made"
)
_COMMON = frozenset(_COMMON_WORDS.split(" "))
_SUFFIX = re.compile(r"(?:'s|ing|ed|es|s|ly)$")


def _stem(word: str) -> str:
    stem = _SUFFIX.sub("", word)
    return stem if len(stem) >= 4 else word


def content_words(text: str) -> set[str]:
    words = {w.casefold() for w in _WORD.findall(text)} - _COMMON
    return {_stem(w) for w in words}


def grounded_share(notes: Notes, source: str) -> float:
    """The share of the notes' content words that occur in what was summarized. A summary
    of a conversation reuses its words; "You're ready to begin." shares none of them."""
    words = content_words(" ".join(notes.items()))
    if not words:
        return 0.0
    return len(words & content_words(source)) / len(words)
