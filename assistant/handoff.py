"""When the assistant hands a ticket to a person, and the note it leaves for the agent.

A customer asks for a person in words ("I want to talk to a human", "agent please", "kann ich
mit einem Menschen sprechen?"), or the assistant could not answer twice in a row. The note is
deterministic (no model call, so it never fails and never invents): the problem, what was
tried, what the customer wants now, and the facts found in the thread.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from memory.facts import extract_facts
from tickets.domain import AuthorRole, Checkpoint, Message, Ticket

WORDS = "the customer asked for a person"
REPEATED_FAILURE = "the assistant could not answer twice in a row"
HANDING_OVER = (
    "I'm passing this to a person on our support team now. They will reply here in this "
    "thread; you can keep adding details meanwhile."
)
HANDING_OVER_AFTER_FAILURES = (
    "I couldn't answer this, so I'm passing your ticket to a person on our support team. They "
    "will reply here in this thread."
)

_WHO = (
    r"(?:a\s+|an\s+|the\s+|some\s+|real\s+|actual\s+|live\s+)*"
    r"(?:human(?:\s+being)?|person|people|agent|representative|rep|operator|someone|somebody|"
    r"staff|manager|supervisor|support\s+team)"
)
_ASKS = re.compile(
    rf"\b(?:talk|speak|chat|connect|transfer|escalate|put|pass|hand|get|give|need|want|"
    rf"like|prefer|let)\b[^.?!]{{0,30}}\b(?:to|with|me|a|an|the)?\s*{_WHO}\b"
    rf"|\b(?:human|person|agent|representative|operator)\s*(?:please|pls|now)\b"
    rf"|^\s*(?:human|agent|representative|operator)\s*[.!?]*\s*$"
    r"|\bis\s+there\s+(?:a|any)\s+(?:human|person|real\s+person)\b"
    r"|\b(?:mit\s+einem\s+(?:menschen|mitarbeiter)|einen?\s+(?:menschen|mitarbeiter))\b"
    r"|\bparler\s+(?:à|a)\s+(?:un|une|quelqu'un)\s*(?:humain|conseill\w*|personne|agent)?"
    r"|\bhablar\s+con\s+(?:una\s+persona|un\s+humano|un\s+agente|alguien)",
    re.I | re.M,
)
_NOT = re.compile(
    r"\b(?:do\s*n[o']t|don't|dont|no\s+need\s+to|not|never|without)\s+(?:\w+\s+){0,2}"
    r"(?:talk|speak|need|want|get|transfer)\b",
    re.I,
)
_NOT_ABOUT_US = re.compile(r"\b(?:human\s+resources|person(?:al|ally)|agents?\s+of\b)", re.I)


def asks_for_person(text: str) -> bool:
    """The customer asks, in words, to talk to a person (not: "no need for a human")."""
    clean = _NOT_ABOUT_US.sub(" ", text.replace("’", "'"))
    return bool(_ASKS.search(clean)) and not _NOT.search(clean)


def _short(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tried(checkpoint: Checkpoint | None, replies: Sequence[Message]) -> str:
    parts = []
    if checkpoint is not None:
        for line in checkpoint.summary.splitlines():
            if line.lower().startswith("tried"):
                parts.append(line.split(":", 1)[-1].strip())
    cited = list(dict.fromkeys(s.title for m in replies for s in m.sources))
    if cited:
        parts.append("the assistant answered from: " + "; ".join(cited))
    if replies:
        parts.append(f"last assistant reply: {_short(replies[-1].text, 160)}")
    return " · ".join(parts) or "nothing yet"


def handoff_note(
    ticket: Ticket, messages: Sequence[Message], checkpoint: Checkpoint | None, reason: str
) -> str:
    """``messages``: the public thread, oldest first (as much as the caller read)."""
    customer = [m for m in messages if m.author_role is AuthorRole.CUSTOMER and m.text.strip()]
    replies = [m for m in messages if m.author_role is AuthorRole.ASSISTANT and m.text.strip()]
    facts = list(checkpoint.facts) if checkpoint else []
    for message in customer:
        facts += [f for f in extract_facts(message.text) if f not in facts]
    first = customer[0].text if customer else ""
    wants = customer[-1].text if customer else ""
    lines = [
        f"Handoff from the AI assistant: {reason}.",
        f"- Problem: {_short(ticket.subject, 120)}: {_short(first)}",
        f"- Tried: {_tried(checkpoint, replies)}",
        f"- The customer wants now: {_short(wants)}",
        "- Facts: " + ("; ".join(facts[:15]) if facts else "none found in the thread"),
    ]
    return "\n".join(lines)  # a list: one line each in the thread
