"""Service level agreements: how soon a person must answer, and the clock that measures it.

Targets are per priority, for the first response on a ticket and for each next response
(settings). The clock measures a **person's** response: it runs while the ticket waits on
a person (waiting on an agent, or open with the assistant switched off), pauses while it
waits on the customer, and stops when an agent replies publicly (a response), when the
ticket is resolved or merged, or when the assistant is answering it. The assistant's own
replies are not a response: a ticket it handles has no person due; when it hands over, the
clock starts.

Each ticket's clock is a record of its own (:class:`SlaStore`), revised in a transaction
after each change to the ticket; its ``due_at`` is stored so the queue can ask for the
tickets due soonest. A breach is reported once per response (:meth:`SlaClocks.report_breaches`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, Protocol

from tickets import fields
from tickets.domain import Priority, Status, Ticket, as_datetime, utcnow
from tickets.reporting import Report, no_report

Kind = Literal["first", "next"]
Flag = Literal["", "ok", "soon", "breached", "paused"]
FIRST_MINUTES = {Priority.URGENT: 30, Priority.HIGH: 60, Priority.NORMAL: 240, Priority.LOW: 1440}
NEXT_MINUTES = {Priority.URGENT: 60, Priority.HIGH: 120, Priority.NORMAL: 480, Priority.LOW: 1440}


@dataclass(frozen=True)
class SlaTargets:
    """``SLA_FIRST_RESPONSE_MINUTES``, ``SLA_NEXT_RESPONSE_MINUTES``, ``SLA_WARN_MINUTES``."""

    first_minutes: Mapping[Priority, int] = field(default_factory=lambda: dict(FIRST_MINUTES))
    next_minutes: Mapping[Priority, int] = field(default_factory=lambda: dict(NEXT_MINUTES))
    warn_minutes: int = 10  # "about to breach" this long before the due time

    def target(self, kind: Kind, priority: Priority) -> timedelta:
        table = self.first_minutes if kind == "first" else self.next_minutes
        return timedelta(minutes=table[priority])


class ClockState(StrEnum):
    IDLE = "idle"  # no person's response is due
    RUNNING = "running"
    PAUSED = "paused"  # waiting on the customer


@dataclass(frozen=True)
class SlaClock:
    ticket_id: str
    state: ClockState = ClockState.IDLE
    kind: Kind = "first"  # which target applies: no agent has replied yet, or one has
    priority: Priority = Priority.NORMAL
    started_at: datetime | None = None  # running: since when (this stretch)
    elapsed_s: float = 0.0  # running time before ``started_at`` (pauses excluded)
    due_at: datetime | None = None  # running: when the response is due
    remaining_s: float | None = None  # paused: what was left of the target
    cycle: int = 0  # how many clocks have started on this ticket
    responses: int = 0  # public agent replies seen
    breach_reported: int = 0  # the last cycle whose breach was reported

    def flag(self, now: datetime, warn_minutes: int) -> Flag:
        if self.state is ClockState.PAUSED:
            return "paused"
        if self.state is not ClockState.RUNNING or self.due_at is None:
            return ""
        if now >= self.due_at:
            return "breached"
        if self.due_at - now <= timedelta(minutes=warn_minutes):
            return "soon"
        return "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticketId": self.ticket_id,
            "state": self.state.value,
            "kind": self.kind,
            "priority": self.priority.value,
            "startedAt": self.started_at,
            "elapsedS": self.elapsed_s,
            "dueAt": self.due_at,
            "remainingS": self.remaining_s,
            "cycle": self.cycle,
            "responses": self.responses,
            "breachReported": self.breach_reported,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SlaClock:
        kind = fields.text(data, "kind", "first", limit=5)
        elapsed, remaining = data.get("elapsedS", 0.0), data.get("remainingS")
        if not isinstance(elapsed, int | float) or isinstance(elapsed, bool):
            raise TypeError("elapsedS is not a number")
        return cls(
            ticket_id=fields.required_text(data, "ticketId", limit=64),
            state=fields.choice(ClockState, data, "state", ClockState.IDLE),
            kind="next" if kind == "next" else "first",
            priority=fields.choice(Priority, data, "priority", Priority.NORMAL),
            started_at=as_datetime(data["startedAt"]) if data.get("startedAt") else None,
            elapsed_s=float(elapsed),
            due_at=as_datetime(data["dueAt"]) if data.get("dueAt") else None,
            remaining_s=float(remaining) if isinstance(remaining, int | float) else None,
            cycle=fields.count(data, "cycle"),
            responses=fields.count(data, "responses"),
            breach_reported=fields.count(data, "breachReported"),
        )


ClockChange = Callable[[SlaClock | None], SlaClock | None]


class SlaStore(Protocol):
    def get(self, ticket_id: str) -> SlaClock | None: ...
    def get_many(self, ticket_ids: Sequence[str]) -> dict[str, SlaClock]: ...

    def revise(self, ticket_id: str, change: ClockChange) -> SlaClock | None:
        """Apply ``change`` to the stored clock in a transaction; ``None``: declined."""
        ...

    def due(self, limit: int = 50, until: datetime | None = None) -> list[SlaClock]:
        """Running clocks, soonest due first (only those due by ``until`` when given)."""
        ...


def needs_person(ticket: Ticket) -> bool:
    if ticket.merged_into:
        return False
    if ticket.status is Status.WAITING_ON_AGENT:
        return True
    return ticket.status is Status.OPEN and not ticket.assistant_active


def advance(
    clock: SlaClock, ticket: Ticket, now: datetime, targets: SlaTargets, *, responded: bool
) -> SlaClock:
    """The clock after a change to ``ticket`` (``responded``: an agent replied publicly)."""
    clock = replace(clock, priority=ticket.priority)
    if responded:
        return _stopped(clock, responses=clock.responses + 1)
    if needs_person(ticket):
        if clock.state is ClockState.IDLE:
            kind: Kind = "first" if clock.responses == 0 else "next"
            clock = replace(clock, kind=kind, cycle=clock.cycle + 1, elapsed_s=0.0)
        if clock.state is not ClockState.RUNNING:
            clock = replace(clock, state=ClockState.RUNNING, started_at=now)
        return _with_due(clock, targets)
    if ticket.status is Status.WAITING_ON_CUSTOMER:
        if clock.state is not ClockState.RUNNING:
            return clock
        assert clock.started_at is not None
        elapsed = clock.elapsed_s + max(0.0, (now - clock.started_at).total_seconds())
        left = targets.target(clock.kind, clock.priority).total_seconds() - elapsed
        return replace(
            clock,
            state=ClockState.PAUSED,
            started_at=None,
            elapsed_s=elapsed,
            due_at=None,
            remaining_s=left,
        )
    return _stopped(clock, responses=clock.responses)


def _stopped(clock: SlaClock, *, responses: int) -> SlaClock:
    return replace(
        clock,
        state=ClockState.IDLE,
        started_at=None,
        elapsed_s=0.0,
        due_at=None,
        remaining_s=None,
        responses=responses,
    )


def _with_due(clock: SlaClock, targets: SlaTargets) -> SlaClock:
    assert clock.started_at is not None
    left = targets.target(clock.kind, clock.priority) - timedelta(seconds=clock.elapsed_s)
    return replace(clock, due_at=clock.started_at + left, remaining_s=None)


class SlaClocks:
    """The clocks of every ticket: moved after each change, read by the queue, and checked
    for breaches (each reported once)."""

    def __init__(
        self,
        store: SlaStore,
        targets: SlaTargets | None = None,
        clock: Callable[[], datetime] = utcnow,
        report: Report = no_report,
    ) -> None:
        self.store, self.targets, self.clock = store, targets or SlaTargets(), clock
        self.report = report

    def observe(self, ticket: Ticket, *, responded: bool = False) -> SlaClock | None:
        """The ticket changed (or an agent replied): move its clock. One transaction."""
        now = self.clock()

        def change(stored: SlaClock | None) -> SlaClock | None:
            before = stored or SlaClock(ticket.id)
            after = advance(before, ticket, now, self.targets, responded=responded)
            return None if after == stored or (stored is None and after == before) else after

        return self.store.revise(ticket.id, change)

    def of(self, ticket_ids: Sequence[str]) -> dict[str, SlaClock]:
        return self.store.get_many(list(ticket_ids)) if ticket_ids else {}

    def get(self, ticket_id: str) -> SlaClock | None:
        return self.store.get(ticket_id)

    def soonest(self, limit: int = 50) -> list[SlaClock]:
        return self.store.due(limit)

    def flag(self, clock: SlaClock | None) -> Flag:
        return clock.flag(self.clock(), self.targets.warn_minutes) if clock else ""

    def report_breaches(self, limit: int = 50) -> list[SlaClock]:
        """Report every response now overdue whose breach was not reported yet: exactly
        once, whoever checks (the mark is set in the same transaction that decides)."""
        now = self.clock()
        reported: list[SlaClock] = []
        for overdue in self.store.due(limit, until=now):
            if overdue.breach_reported >= overdue.cycle:
                continue

            def mark(stored: SlaClock | None) -> SlaClock | None:
                if stored is None or stored.state is not ClockState.RUNNING:
                    return None
                if stored.due_at is None or stored.due_at > now:
                    return None
                if stored.breach_reported >= stored.cycle:
                    return None
                return replace(stored, breach_reported=stored.cycle)

            marked = self.store.revise(overdue.ticket_id, mark)
            if marked is not None:
                self.report(
                    "sla_breached",
                    {
                        "ticketId": marked.ticket_id,
                        "kind": marked.kind,
                        "priority": marked.priority.value,
                        "dueAt": marked.due_at,
                    },
                )
                reported.append(marked)
        return reported


def parse_minutes(spec: str, defaults: Mapping[Priority, int]) -> dict[Priority, int]:
    """``"urgent:30,high:60"``: minutes per priority; priorities not named keep the default."""
    table = dict(defaults)
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, minutes = item.partition(":")
        table[Priority(name.strip().lower())] = int(minutes)
    if any(value <= 0 for value in table.values()):
        raise ValueError("targets are positive minutes")
    return table
