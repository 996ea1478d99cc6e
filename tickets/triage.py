"""Triage at intake: a suggested priority, sentiment, language and labels for a new ticket.

The model is asked for them as JSON with a schema (:data:`SCHEMA`); what comes back is read
leniently and each field is checked against its enumeration. A field the model left out or
got wrong (a small model may) comes from deterministic rules (:mod:`tickets.triage_rules`),
so a suggestion is always complete. Suggestions are only that: an agent accepts them or
overrides them (:class:`TriageRecord` keeps both), and only then do priority and labels
reach the ticket. The language is used at once: the assistant replies in it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, Protocol

from tickets import fields
from tickets.domain import Priority, as_datetime

Sentiment = Literal["negative", "neutral", "positive"]
SENTIMENTS: tuple[Sentiment, ...] = ("negative", "neutral", "positive")
LANGUAGES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
}
LABELS = (
    "refund",
    "return",
    "shipping",
    "damaged",
    "warranty",
    "billing",
    "account",
    "kettle",
    "thermostat",
    "robovac",
    "safety",
)
MAX_LABELS = 4
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "priority": {"type": "string", "enum": [p.value for p in Priority]},
        "sentiment": {"type": "string", "enum": list(SENTIMENTS)},
        "language": {"type": "string", "enum": list(LANGUAGES)},
        "labels": {
            "type": "array",
            "items": {"type": "string", "enum": list(LABELS)},
            "maxItems": MAX_LABELS,
        },
    },
    "required": ["priority", "sentiment", "language", "labels"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Suggestion:
    priority: Priority
    sentiment: Sentiment
    language: str  # a key of LANGUAGES
    labels: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "priority": self.priority.value,
            "sentiment": self.sentiment,
            "language": self.language,
            "labels": list(self.labels),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Suggestion:
        if not isinstance(data, Mapping):
            raise TypeError("a suggestion is not a map")
        sentiment = fields.text(data, "sentiment", limit=10)
        language = fields.text(data, "language", limit=5)
        labels = fields.texts(data, "labels", limit=MAX_LABELS)
        if sentiment not in SENTIMENTS or language not in LANGUAGES:
            raise ValueError("not a suggestion")
        if any(label not in LABELS for label in labels):
            raise ValueError("an unknown label")
        return cls(
            priority=fields.choice(Priority, data, "priority"),
            sentiment=_sentiment(sentiment),
            language=language,
            labels=labels,
        )


def _sentiment(value: str) -> Sentiment:
    return "negative" if value == "negative" else ("positive" if value == "positive" else "neutral")


Decision = Literal["", "accepted", "overridden"]


@dataclass(frozen=True)
class TriageRecord:
    """What was suggested for a ticket (and by what), and what an agent decided."""

    ticket_id: str
    suggested: Suggestion
    source: str  # "model", "rules", or "model+rules" (fields the model missed)
    model: str
    at: datetime
    decision: Decision = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    final: Suggestion | None = None  # what the agent kept (priority and labels reach the ticket)

    @property
    def language(self) -> str:
        return (self.final or self.suggested).language

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticketId": self.ticket_id,
            "suggested": self.suggested.to_dict(),
            "source": self.source,
            "model": self.model,
            "at": self.at,
            "decision": self.decision,
            "decidedBy": self.decided_by,
            "decidedAt": self.decided_at,
            "final": self.final.to_dict() if self.final else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TriageRecord:
        decision = fields.text(data, "decision", limit=12)
        if decision not in ("", "accepted", "overridden"):
            raise ValueError("not a decision")
        return cls(
            ticket_id=fields.required_text(data, "ticketId", limit=64),
            suggested=Suggestion.from_dict(data["suggested"]),
            source=fields.text(data, "source", limit=20),
            model=fields.text(data, "model", limit=200),
            at=as_datetime(data["at"]),
            decision="accepted"
            if decision == "accepted"
            else ("overridden" if decision == "overridden" else ""),
            decided_by=fields.text(data, "decidedBy", limit=64),
            decided_at=as_datetime(data["decidedAt"]) if data.get("decidedAt") else None,
            final=Suggestion.from_dict(data["final"]) if data.get("final") else None,
        )

    def decide(self, final: Suggestion, by: str, at: datetime) -> TriageRecord:
        kind: Decision = "accepted" if final == self.suggested else "overridden"
        return replace(self, decision=kind, decided_by=by, decided_at=at, final=final)


class TriageStore(Protocol):
    def get(self, ticket_id: str) -> TriageRecord | None: ...
    def save(self, record: TriageRecord) -> None: ...


_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


def parse(text: str) -> dict[str, Any]:
    """The fields a model's answer holds that are valid (each checked on its own): JSON,
    possibly inside prose or a code fence; anything else is dropped."""
    match = _OBJECT.search(text or "")
    if match is None:
        return {}
    try:
        data = json.loads(match.group(0))
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    found: dict[str, Any] = {}
    priority = str(data.get("priority", "")).strip().lower()
    if priority in {p.value for p in Priority}:
        found["priority"] = Priority(priority)
    sentiment = str(data.get("sentiment", "")).strip().lower()
    if sentiment in SENTIMENTS:
        found["sentiment"] = sentiment
    language = str(data.get("language", "")).strip().lower()[:2]
    if language in LANGUAGES:
        found["language"] = language
    labels = data.get("labels")
    if isinstance(labels, list):
        known = [str(x).strip().lower() for x in labels if str(x).strip().lower() in LABELS]
        found["labels"] = tuple(dict.fromkeys(known))[:MAX_LABELS]
    return found


def combine(
    model: Mapping[str, Any], rules: Suggestion, *, rules_know_language: bool = True
) -> tuple[Suggestion, str]:
    """Each field from whichever source measured better on tickets neither was tuned on
    (``tests/data/triage_heldout.json``, ``python -m bench.triage``): the model's sentiment;
    the rules' priority (small models escalate nearly everything: "normal" became "high" or
    "urgent" in 9 of 10 held-out tickets) and language (the model's when the rules found no
    word of any language they know); the rules' labels, or the model's when the rules find
    none. A field the model left out or got invalid falls back to the rules."""
    if not model:
        return rules, "rules"
    merged = Suggestion(
        priority=rules.priority,
        sentiment=_sentiment(str(model.get("sentiment", rules.sentiment))),
        language=(
            rules.language if rules_know_language else str(model.get("language", rules.language))
        ),
        labels=rules.labels or tuple(model.get("labels", ())),
    )
    return merged, "model+rules"
