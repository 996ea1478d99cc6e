"""The agent queue, kept up to date: one cheap query per poll, the queue re-read only when
a ticket changed, and the events worth a toast.

A poll asks for the tickets whose ``changed_at`` (any change, for agents) is after the
previous poll (less the clock skew replicas may have): with nothing new that is one read,
whatever the queue's size. Only then are the queue and its counts read again (counts are
never recomputed per rerun).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

from common.errors import AppError
from tickets import policy
from tickets.domain import Ticket, User, utcnow
from tickets.live import LiveSettings
from tickets.queue import QueueFilter, QueueItem
from tickets.service import TicketService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueEvent:
    kind: Literal["assigned", "customer_replied"]
    ticket: Ticket


@dataclass(frozen=True)
class QueueView:
    flt: QueueFilter
    items: tuple[QueueItem, ...]
    counts: Mapping[str, int]
    polled_at: datetime
    known: Mapping[str, Ticket] = field(default_factory=dict)  # every ticket seen, by id


@dataclass(frozen=True)
class Held:
    """A ticket the agent just clicked: it keeps its place until an event on it."""

    ticket_id: str
    index: int
    changed_at: datetime


def events(
    known: Mapping[str, Ticket], changed: Iterable[Ticket], me: str, open_ticket: str | None
) -> list[QueueEvent]:
    """A ticket newly assigned to ``me``; a customer message on a ticket ``me`` owns (not the
    one they have open: they see that one arrive in the thread)."""
    found: list[QueueEvent] = []
    for ticket in changed:
        before = known.get(ticket.id)
        if ticket.assignee_uid != me:
            continue
        if before is None or before.assignee_uid != me:
            found.append(QueueEvent("assigned", ticket))
        elif ticket.last_customer_seq > before.last_customer_seq and ticket.id != open_ticket:
            found.append(QueueEvent("customer_replied", ticket))
    return found


def hold(items: list[QueueItem], held: Held | None) -> list[QueueItem]:
    """The order with the held ticket where it was, unless something happened to it since."""
    if held is None:
        return items
    at = next((i for i, item in enumerate(items) if item.ticket.id == held.ticket_id), None)
    if at is None or items[at].ticket.last_change != held.changed_at:
        return items
    moved = items[:at] + items[at + 1 :]
    moved.insert(min(held.index, len(moved)), items[at])
    return moved


class LiveQueue:
    def __init__(
        self,
        tickets: TicketService,
        settings: LiveSettings | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.tickets, self.settings, self.clock = tickets, settings or LiveSettings(), clock
        self.activity = tickets.store.activity

    def load(
        self, user: User, flt: QueueFilter, seen: dict[str, int], known: Mapping[str, Ticket]
    ) -> QueueView:
        """The queue and its counts, read now (and any new SLA breach reported, once)."""
        now = self.clock()
        try:
            self.tickets.sla.report_breaches()
        except AppError as exc:  # reporting must never cost an agent their queue
            log.warning("could not check SLA breaches: %s", exc.code)
        items = self.tickets.queue(user, flt, seen)
        counts = self.tickets.queue_counts(user)
        listed = {i.ticket.id: i.ticket for i in items}
        return QueueView(flt, tuple(items), counts, now, {**known, **listed})

    def poll(
        self, view: QueueView, user: User, seen: dict[str, int], open_ticket: str | None
    ) -> tuple[QueueView, list[QueueEvent]]:
        """One query when nothing changed; the queue, counts and events when something did."""
        policy.require_agent(user, "see the ticket queue")
        now = self.clock()
        since = view.polled_at - timedelta(seconds=self.settings.clock_skew_s)
        changed = [
            t
            for t in self.activity.changed_since(since)
            if t.id not in view.known or view.known[t.id].last_change != t.last_change
        ]
        if not changed:
            return replace(view, polled_at=now), []
        user = self.tickets.current_user(user.uid)  # re-checked before anything new is shown
        found = events(view.known, changed, user.uid, open_ticket)
        fresh = self.load(user, view.flt, seen, {**view.known, **{t.id: t for t in changed}})
        return replace(fresh, polled_at=now), found
