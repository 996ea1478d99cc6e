"""Feedback and CSAT, as people give them (every check here).

- A customer rates the replies in their ticket's thread (the assistant's and agents'
  public ones); an agent rates the answers of their own copilot. Rating again replaces the
  rating. The rating is kept on the message (the thread, live pages and exports show it)
  and as a record with per-day counters (for reports).
- When a ticket is resolved its customer is asked once for a 1-5 score and a comment.

:meth:`FeedbackService.rate` and :meth:`FeedbackService.give_csat` are where the operator's
``reply_rated`` and ``csat_given`` events happen (see :mod:`tickets.reporting`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from tickets import policy
from tickets.domain import AuthorRole, ConversationRef, Message, MessageStatus, Status, User, utcnow
from tickets.errors import InvalidInput, MessageNotFound
from tickets.feedback import (
    COMMENT_MAX,
    AuthorKind,
    Csat,
    FeedbackStore,
    ReplyRating,
    csat_counter,
    day_of,
    rating_counter,
)
from tickets.ids import validate_id
from tickets.rating import REASON_MAX, Rating, Value
from tickets.reporting import Report, no_report
from tickets.service import TicketAccess
from tickets.store import ThreadStore
from tickets.text import TextLimits, clean_message

RATEABLE = (MessageStatus.COMPLETE, MessageStatus.TRUNCATED)


class FeedbackService:
    def __init__(
        self,
        threads: ThreadStore,
        store: FeedbackStore,
        clock: Callable[[], datetime] = utcnow,
        report: Report = no_report,
    ) -> None:
        self.threads, self.store, self.clock, self.report = threads, store, clock, report

    def rate(
        self,
        access: TicketAccess,
        message_id: str,
        value: Value | str,
        reason: str = "",
        *,
        copilot: bool = False,
    ) -> Message:
        """Thumbs up or down on a reply. Customers: replies in their ticket's thread.
        Agents: their own copilot's answers (``copilot=True``)."""
        if value not in ("up", "down"):
            raise InvalidInput("A rating is thumbs up or thumbs down.")
        thumb: Value = "up" if value == "up" else "down"
        user = access.user
        validate_id(message_id, "message")
        if copilot:
            policy.require_agent(user, "rate copilot answers")
            conv = ConversationRef(access.ticket.id, user.uid)
        elif user.is_agent:
            raise InvalidInput("Only the customer rates the replies in the thread.")
        else:
            conv = access.conv
        kind = self._kind(self.threads.get(conv, message_id), copilot)
        note = _reason(reason)
        rating = Rating(thumb, user.uid, self.clock(), note)

        def change(stored: Message) -> Message | None:
            return None if stored.rating == rating else replace(stored, rating=rating)

        rated = self.threads.revise(conv, message_id, change) or self.threads.get(conv, message_id)
        assert rated is not None
        record = ReplyRating(
            access.ticket.id,
            message_id,
            conv.agent_uid,
            kind,
            user.uid,
            thumb,
            rating.at,
            note,
        )
        previous = self.store.rate(record)
        deltas = {rating_counter(kind, thumb): 1}
        if previous is not None:
            deltas[rating_counter(kind, previous.value)] = (
                deltas.get(rating_counter(kind, previous.value), 0) - 1
            )
        self.store.count(day_of(rating.at), deltas)
        if previous is None or previous.value != thumb or previous.reason != note:
            self.report(
                "reply_rated",
                {
                    "ticketId": access.ticket.id,
                    "messageId": message_id,
                    "value": thumb,
                    "authorKind": kind,
                    "reason": note,
                    "previous": previous.value if previous else None,
                },
            )
        return rated

    @staticmethod
    def _kind(message: Message | None, copilot: bool) -> AuthorKind:
        """Which kind of reply it is; anything that is not a finished reply can't be rated."""
        if message is None or message.status not in RATEABLE or message.is_internal:
            raise MessageNotFound(message.id if message else "that")
        if copilot and message.author_role is AuthorRole.ASSISTANT:
            return "copilot"
        if not copilot and message.author_role is AuthorRole.ASSISTANT:
            return "assistant"
        if not copilot and message.author_role is AuthorRole.AGENT:
            return "agent"
        raise InvalidInput("Only replies from the assistant or a support agent can be rated.")

    def give_csat(self, access: TicketAccess, score: int, comment: str = "") -> Csat:
        """The customer's score of their resolved ticket: once."""
        ticket = access.ticket
        if access.user.is_agent or ticket.customer_uid != access.user.uid:
            raise InvalidInput("Only the customer rates their ticket.")
        if ticket.status is not Status.RESOLVED:
            raise InvalidInput("You can rate the ticket once it is resolved.")
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise InvalidInput("Pick a score from 1 (very unhappy) to 5 (very happy).")
        csat = Csat(ticket.id, access.user.uid, score, self.clock(), _comment(comment))
        if not self.store.give_csat(csat):
            raise InvalidInput("You have already rated this ticket. Thank you!")
        self.store.count(day_of(csat.at), {csat_counter(score): 1, "csat_count": 1})
        self.report("csat_given", {"ticketId": ticket.id, "score": score})
        return csat

    def csat(self, access: TicketAccess) -> Csat | None:
        return self.store.csat(access.ticket.id)

    def csat_due(self, access: TicketAccess) -> bool:
        """Ask the customer now: resolved and not rated yet (one read, when resolved)."""
        if access.user.is_agent or access.ticket.status is not Status.RESOLVED:
            return False
        return self.store.csat(access.ticket.id) is None

    def counters(self, user: User, day: str) -> dict[str, int]:
        policy.require_agent(user, "see feedback figures")
        return self.store.counters(day)


def _reason(reason: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        return ""
    return clean_message(reason, TextLimits(max_chars=REASON_MAX, max_bytes=REASON_MAX * 4))


def _comment(comment: str) -> str:
    if not isinstance(comment, str) or not comment.strip():
        return ""
    return clean_message(comment, TextLimits(max_chars=COMMENT_MAX, max_bytes=COMMENT_MAX * 4))
