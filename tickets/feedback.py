"""Feedback records: ratings of replies and the customer satisfaction score (CSAT) of a
ticket, kept in a concern of their own so reports count them without reading messages.

Every rating and score also moves a per-day counter (``reply_up_assistant``,
``csat_4``, ...): a report of a month reads 30 small documents, whatever the traffic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from tickets import fields
from tickets.domain import as_datetime
from tickets.rating import REASON_MAX, Value

AuthorKind = Literal["assistant", "agent", "copilot"]
AUTHOR_KINDS: tuple[AuthorKind, ...] = ("assistant", "agent", "copilot")
COMMENT_MAX = 2000


@dataclass(frozen=True)
class ReplyRating:
    """One person's thumbs on one reply (rating it again replaces it)."""

    ticket_id: str
    message_id: str
    copilot_of: str | None  # the agent whose copilot thread holds the reply; None: the thread
    author_kind: AuthorKind
    rater_uid: str
    value: Value
    at: datetime
    reason: str = ""

    @property
    def id(self) -> str:
        return f"{self.ticket_id}--{self.copilot_of or 'thread'}--{self.message_id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ticketId": self.ticket_id,
            "messageId": self.message_id,
            "copilotOf": self.copilot_of,
            "authorKind": self.author_kind,
            "raterUid": self.rater_uid,
            "value": self.value,
            "at": self.at,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReplyRating:
        kind = fields.required_text(data, "authorKind", limit=10)
        value = fields.required_text(data, "value", limit=4)
        if kind not in AUTHOR_KINDS or value not in ("up", "down"):
            raise ValueError("not a rating")
        return cls(
            ticket_id=fields.required_text(data, "ticketId", limit=64),
            message_id=fields.required_text(data, "messageId", limit=64),
            copilot_of=fields.optional_text(data, "copilotOf", limit=64),
            author_kind="assistant"
            if kind == "assistant"
            else ("agent" if kind == "agent" else "copilot"),
            rater_uid=fields.required_text(data, "raterUid", limit=64),
            value="up" if value == "up" else "down",
            at=as_datetime(data["at"]),
            reason=fields.text(data, "reason", limit=REASON_MAX * 4),
        )


@dataclass(frozen=True)
class Csat:
    """The customer's 1-5 score of a resolved ticket, with an optional comment. Once."""

    ticket_id: str
    customer_uid: str
    score: int
    at: datetime
    comment: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticketId": self.ticket_id,
            "customerUid": self.customer_uid,
            "score": self.score,
            "at": self.at,
            "comment": self.comment,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Csat:
        score = fields.count(data, "score")
        if not 1 <= score <= 5:
            raise ValueError("a score is 1 to 5")
        return cls(
            ticket_id=fields.required_text(data, "ticketId", limit=64),
            customer_uid=fields.required_text(data, "customerUid", limit=64),
            score=score,
            at=as_datetime(data["at"]),
            comment=fields.text(data, "comment", limit=COMMENT_MAX * 4),
        )


def day_of(when: datetime) -> str:
    return when.strftime("%Y-%m-%d")


def rating_counter(kind: AuthorKind, value: Value) -> str:
    return f"reply_{value}_{kind}"


def csat_counter(score: int) -> str:
    return f"csat_{score}"


class FeedbackStore(Protocol):
    def rate(self, rating: ReplyRating) -> ReplyRating | None:
        """Store ``rating`` (replacing that person's earlier one on the reply) in a
        transaction; returns the one it replaced."""
        ...

    def ratings(self, ticket_id: str, limit: int = 500) -> list[ReplyRating]: ...

    def give_csat(self, csat: Csat) -> bool:
        """Store the ticket's score unless it has one (``False`` then): once per ticket."""
        ...

    def csat(self, ticket_id: str) -> Csat | None: ...

    def count(self, day: str, deltas: Mapping[str, int]) -> None:
        """Add ``deltas`` to the day's counters (blind increments: never a conflict)."""
        ...

    def counters(self, day: str) -> dict[str, int]: ...
