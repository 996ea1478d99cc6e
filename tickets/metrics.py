"""Report events, and how each one moves the aggregates the reports read.

The one entry point is :meth:`MetricsRecorder.record` (``services.metrics.record(event)``):
the product records an event when it happens; nothing ever reads every message to count.
Each event moves two things in one transaction of the store (:class:`tickets.store.
MetricsStore`): the ticket's own small state (:class:`TicketStats`: when it opened, whether a
person has answered, its rating per reply, ...) and anonymous counters per UTC day
(:data:`Increments`: ``opened``, ``firstResponse.human.s95``, ``csat.assistant.5``...). The
state is what makes an event idempotent (a retried event with the same id counts once) and
what derives the figures that need history (a first response counts once, a resolution
knows how long the ticket was open and whether a person took part).

Events (constructors below; the three marked * are emitted by the helpdesk features):

- ``ticket_opened``; ``first_response`` (``by``: assistant | human); ``resolved``;
  ``reopened``; ``handoff`` (``reason``); ``tokens`` (a model call's usage, any source);
- * ``csat_given`` (``score`` 1-5: the latest score per ticket counts);
- * ``reply_rated`` (``up``, ``author``: assistant | agent | copilot, ``message_id``, an
  optional ``reason`` code: the latest rating per reply counts);
- * ``sla_breached`` (``sla``: first | next, ``priority``).

Durations are kept as histograms of whole seconds (to the second under an hour, to the
minute under 30 days, to ten minutes beyond), so medians and p90s are exact at that
resolution whatever the number of tickets, and a day's histogram holds at most a few
thousand buckets.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from common.errors import AppError
from tickets.domain import Usage, as_datetime, utcnow
from tickets.ids import new_event_id

log = logging.getLogger(__name__)
Increments = list[tuple[date, str, int]]  # (day, counter path, delta)
_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
KEEP_EVENT_IDS = 64  # a retried event is recognised among the ticket's latest this many


class MetricKind(StrEnum):
    TICKET_OPENED = "ticket_opened"
    FIRST_RESPONSE = "first_response"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    HANDOFF = "handoff"
    TOKENS = "tokens"
    CSAT_GIVEN = "csat_given"
    REPLY_RATED = "reply_rated"
    SLA_BREACHED = "sla_breached"


class HandoffReason(StrEnum):
    ASKED_IN_WORDS = "asked_in_words"
    BUTTON = "button"
    UNANSWERED = "unanswered"  # the assistant could not answer twice in a row
    BUDGET = "budget"


def code(value: str | None, default: str = "other") -> str:
    """A value that becomes part of a counter's name: a short lowercase code, else
    ``default`` (free text never becomes a field name)."""
    value = (value or "").strip().lower()
    return value if _CODE.fullmatch(value) else default


@dataclass(frozen=True)
class MetricEvent:
    kind: MetricKind
    ticket_id: str
    at: datetime
    id: str = field(default_factory=new_event_id)
    by: str = ""  # first_response: assistant | human; reply_rated: assistant | agent | copilot
    reason: str = ""  # handoff reason; reply_rated reason code
    score: int = 0  # csat_given: 1-5
    up: bool = False  # reply_rated
    message_id: str = ""  # reply_rated: the rated reply
    sla: str = ""  # sla_breached: first | next
    priority: str = ""  # sla_breached
    usage: Usage = field(default_factory=Usage)  # tokens


def ticket_opened(ticket_id: str, at: datetime) -> MetricEvent:
    return MetricEvent(MetricKind.TICKET_OPENED, ticket_id, at, id=f"opened-{ticket_id}")


def first_response(ticket_id: str, at: datetime, *, human: bool) -> MetricEvent:
    return MetricEvent(
        MetricKind.FIRST_RESPONSE, ticket_id, at, by="human" if human else "assistant"
    )


def resolved(ticket_id: str, at: datetime) -> MetricEvent:
    return MetricEvent(MetricKind.RESOLVED, ticket_id, at)


def reopened(ticket_id: str, at: datetime) -> MetricEvent:
    return MetricEvent(MetricKind.REOPENED, ticket_id, at)


def handoff(ticket_id: str, at: datetime, reason: HandoffReason | str) -> MetricEvent:
    return MetricEvent(MetricKind.HANDOFF, ticket_id, at, reason=code(str(reason)))


def tokens(ticket_id: str, at: datetime, usage: Usage) -> MetricEvent:
    return MetricEvent(MetricKind.TOKENS, ticket_id, at, usage=usage)


def csat_given(ticket_id: str, at: datetime, score: int) -> MetricEvent:
    if not 1 <= score <= 5:
        raise ValueError("a CSAT score is 1-5")
    return MetricEvent(MetricKind.CSAT_GIVEN, ticket_id, at, score=score)


def reply_rated(
    ticket_id: str,
    at: datetime,
    *,
    message_id: str,
    up: bool,
    author: str,
    reason: str | None = None,
) -> MetricEvent:
    if author not in ("assistant", "agent", "copilot"):
        raise ValueError("a rated reply's author is assistant, agent or copilot")
    return MetricEvent(
        MetricKind.REPLY_RATED,
        ticket_id,
        at,
        message_id=message_id,
        up=up,
        by=author,
        reason=code(reason, "") if reason else "",
    )


def sla_breached(ticket_id: str, at: datetime, *, sla: str, priority: str) -> MetricEvent:
    if sla not in ("first", "next"):
        raise ValueError("an SLA is 'first' or 'next' response")
    return MetricEvent(
        MetricKind.SLA_BREACHED, ticket_id, at, sla=sla, priority=code(priority, "normal")
    )


# -- the ticket's own state ------------------------------------------------------------------


@dataclass(frozen=True)
class TicketStats:
    opened_at: datetime | None = None
    first_response_at: datetime | None = None
    human_replied: bool = False
    resolved: bool = False
    resolutions: int = 0
    handoffs: int = 0
    tokens: int = 0  # every model token spent on the ticket
    unresolved_tokens: int = 0  # spent since its last resolution
    csat: tuple[str, int, str] | None = None  # (day, score, "assistant" | "human")
    ratings: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # msg -> (day, path)
    event_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "openedAt": self.opened_at,
            "firstResponseAt": self.first_response_at,
            "humanReplied": self.human_replied,
            "resolved": self.resolved,
            "resolutions": self.resolutions,
            "handoffs": self.handoffs,
            "tokens": self.tokens,
            "unresolvedTokens": self.unresolved_tokens,
            "csat": list(self.csat) if self.csat else None,
            "ratings": {k: list(v) for k, v in self.ratings.items()},
            "eventIds": list(self.event_ids),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TicketStats:
        csat = data.get("csat")
        return cls(
            opened_at=as_datetime(data["openedAt"]) if data.get("openedAt") else None,
            first_response_at=(
                as_datetime(data["firstResponseAt"]) if data.get("firstResponseAt") else None
            ),
            human_replied=bool(data.get("humanReplied", False)),
            resolved=bool(data.get("resolved", False)),
            resolutions=int(data.get("resolutions", 0)),
            handoffs=int(data.get("handoffs", 0)),
            tokens=int(data.get("tokens", 0)),
            unresolved_tokens=int(data.get("unresolvedTokens", 0)),
            csat=(str(csat[0]), int(csat[1]), str(csat[2])) if csat else None,
            ratings={k: (str(v[0]), str(v[1])) for k, v in (data.get("ratings") or {}).items()},
            event_ids=tuple(data.get("eventIds") or ()),
        )


def bucket(seconds: float) -> int:
    """A duration's histogram bucket, in whole seconds (its lower bound)."""
    s = max(0, int(seconds))
    for limit, step in ((3600, 1), (30 * 86400, 60)):
        if s < limit:
            return s - s % step
    return s - s % 600


def _day(at: datetime) -> date:
    return at.astimezone(utcnow().tzinfo).date()


StatsChange = Callable[[TicketStats | None], tuple[TicketStats, Increments] | None]


def change_for(event: MetricEvent) -> StatsChange:
    """What recording ``event`` does, given the ticket's stored state (``None``: declined,
    e.g. a retried event). Pure: a store may run it more than once."""

    def change(stored: TicketStats | None) -> tuple[TicketStats, Increments] | None:
        stats = stored or TicketStats()
        if event.id in stats.event_ids:
            return None
        applied = _apply(stats, event)
        if applied is None:
            return None
        new, increments = applied
        ids = (*stats.event_ids, event.id)[-KEEP_EVENT_IDS:]
        return replace(new, event_ids=ids), increments

    return change


def _apply(s: TicketStats, e: MetricEvent) -> tuple[TicketStats, Increments] | None:
    day = _day(e.at)
    kind = MetricKind(e.kind)
    if kind is MetricKind.TICKET_OPENED:
        if s.opened_at is not None:
            return None
        return replace(s, opened_at=e.at), [(day, "opened", 1)]
    if kind is MetricKind.FIRST_RESPONSE:
        human = e.by == "human"
        new = replace(s, human_replied=s.human_replied or human)
        if s.first_response_at is not None or s.opened_at is None:
            return (new, []) if new != s else None
        wait = bucket((e.at - s.opened_at).total_seconds())
        new = replace(new, first_response_at=e.at)
        return new, [(day, f"firstResponse.{e.by}.s{wait}", 1), (day, "firstResponses", 1)]
    if kind is MetricKind.RESOLVED:
        if s.resolved:
            return None
        new = replace(s, resolved=True, resolutions=s.resolutions + 1, unresolved_tokens=0)
        counts: Increments = [(day, "resolved", 1), (day, "resolvedTokens", s.unresolved_tokens)]
        if s.opened_at is not None:
            took = bucket((e.at - s.opened_at).total_seconds())
            counts.append((day, f"resolution.s{took}", 1))
        if not s.human_replied:
            counts.append((day, "resolvedByAssistant", 1))
        return new, counts
    if kind is MetricKind.REOPENED:
        if not s.resolved:
            return None
        return replace(s, resolved=False), [(day, "reopened", 1)]
    if kind is MetricKind.HANDOFF:
        reason = code(e.reason)
        return replace(s, handoffs=s.handoffs + 1), [
            (day, "handoffs", 1),
            (day, f"handoff.{reason}", 1),
        ]
    if kind is MetricKind.TOKENS:
        total = e.usage.total_tokens
        new = replace(s, tokens=s.tokens + total, unresolved_tokens=s.unresolved_tokens + total)
        return new, [
            (day, "tokens.prompt", e.usage.prompt_tokens),
            (day, "tokens.completion", e.usage.completion_tokens),
        ]
    if kind is MetricKind.CSAT_GIVEN:
        handled = "human" if s.human_replied else "assistant"
        counts = [(day, f"csat.{handled}.{e.score}", 1)]
        if s.csat is not None:  # a changed score replaces the earlier one where it counted
            old_day, old_score, old_handled = s.csat
            counts.append((date.fromisoformat(old_day), f"csat.{old_handled}.{old_score}", -1))
        return replace(s, csat=(day.isoformat(), e.score, handled)), counts
    if kind is MetricKind.REPLY_RATED:
        path = f"rating.{code(e.by)}.{'up' if e.up else 'down'}"
        counts = [(day, path, 1)]
        if e.reason and not e.up:
            counts.append((day, f"ratingReason.{code(e.by)}.{code(e.reason)}", 1))
        earlier = s.ratings.get(e.message_id)
        if earlier is not None:
            counts.append((date.fromisoformat(earlier[0]), earlier[1], -1))
        ratings = {**s.ratings, e.message_id: (day.isoformat(), path)}
        return replace(s, ratings=ratings), counts
    if kind is MetricKind.SLA_BREACHED:
        return s, [(day, f"sla.{code(e.sla)}.{code(e.priority, 'normal')}", 1)]
    return None


class _Records(Protocol):  # tickets.store.MetricsStore (which imports this module)
    def record(self, ticket_id: str, change: StatsChange) -> bool: ...


class MetricsRecorder:
    """``record(event)``: the one way the product reports what happened. A failure to record
    is logged and never fails the action that caused it (the figure is off by one)."""

    def __init__(self, store: _Records) -> None:
        self.store = store

    def record(self, event: MetricEvent) -> bool:
        try:
            return self.store.record(event.ticket_id, change_for(event))
        except (AppError, ValueError, TypeError, KeyError) as exc:
            log.error("could not record %s for %s: %s", event.kind, event.ticket_id, exc)
            return False
