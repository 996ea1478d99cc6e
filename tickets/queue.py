"""The agent queue: which tickets a filter selects, and in what order they are shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from tickets.domain import Status, Ticket, normalize_search
from tickets.sla import SlaClock
from tickets.store import UNASSIGNED, TicketQuery

ACTIVE_STATUSES = (Status.OPEN, Status.WAITING_ON_AGENT, Status.WAITING_ON_CUSTOMER)
Scope = Literal["all", "mine", "unassigned"]
Sort = Literal["activity", "due"]  # newest activity first, or the next response due first
_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class QueueFilter:
    statuses: tuple[Status, ...] = ACTIVE_STATUSES
    scope: Scope = "all"
    search: str = ""
    unread_first: bool = True
    limit: int = 50
    sort: Sort = "activity"


@dataclass(frozen=True)
class QueueItem:
    ticket: Ticket
    unread: bool
    sla: SlaClock | None = None  # the ticket's response clock (due time, flags)

    @property
    def due_at(self) -> datetime | None:
        return self.sla.due_at if self.sla is not None else None


def query_for(flt: QueueFilter, uid: str) -> TicketQuery:
    """The store query: the first search word uses the index, newest activity first."""
    words = normalize_search(flt.search)
    assignee = {"all": None, "mine": uid, "unassigned": UNASSIGNED}[flt.scope]
    return TicketQuery(
        statuses=flt.statuses,
        assignee=assignee,
        search_key=words[0] if words else None,
        limit=flt.limit,
    )


def rank(
    tickets: list[Ticket],
    flt: QueueFilter,
    seen: Mapping[str, int],
    clocks: Mapping[str, SlaClock] | None = None,
) -> list[QueueItem]:
    """Further search words narrow the page; then handoffs from the assistant, unread and
    waiting-on-agent come first. Sorted by due time, the next response due comes first
    (tickets with no response due last, newest activity first among them).

    ``seen``: how far the agent has read each ticket (ticket id -> seq).
    """
    rest = normalize_search(flt.search)[1:]
    if rest:
        tickets = [t for t in tickets if all(_matches(t, w) for w in rest)]
    clocks = clocks or {}
    items = [QueueItem(t, t.unread(seen.get(t.id, 0)), clocks.get(t.id)) for t in tickets]
    if flt.sort == "due":
        items.sort(key=lambda i: i.due_at or _NEVER)
    elif flt.unread_first:
        items.sort(
            key=lambda i: (
                not i.ticket.awaits_handoff,
                not i.unread,
                i.ticket.status is not Status.WAITING_ON_AGENT,
            )
        )
    return items


def selects(flt: QueueFilter, ticket: Ticket, uid: str) -> bool:
    """Whether ``ticket`` belongs in the queue ``flt`` describes (for tickets read by id)."""
    if ticket.status not in flt.statuses:
        return False
    if flt.scope == "mine" and ticket.assignee_uid != uid:
        return False
    if flt.scope == "unassigned" and ticket.assignee_uid is not None:
        return False
    return all(_matches(ticket, w) for w in normalize_search(flt.search))


def count_queries(uid: str) -> dict[str, TicketQuery]:
    """The counts shown above the queue."""
    return {
        "mine": TicketQuery(statuses=ACTIVE_STATUSES, assignee=uid),
        "unassigned": TicketQuery(statuses=ACTIVE_STATUSES, assignee=UNASSIGNED),
        **{s.value: TicketQuery(statuses=(s,)) for s in Status},
    }


def _matches(ticket: Ticket, word: str) -> bool:
    haystack = " ".join(normalize_search(f"{ticket.subject} {ticket.customer_name} {ticket.id}"))
    return word in haystack
