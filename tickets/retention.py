"""Retention and erasure: resolved tickets expire ``RETENTION_DAYS`` after resolution, and a
customer can be erased.

- A ticket resolved gets ``expireAt`` (on the ticket and every document under it, for
  Firestore's TTL policies); reopened, it loses it. :meth:`Retention.sweep` erases what has
  expired on any store (the embedded store has no TTL; on Firestore it also catches what a
  TTL policy has not deleted yet: TTL deletes within about a day, not to the minute).
- :meth:`Erasure.erase_user` erases everything about a customer: each of their tickets
  through every registered eraser (messages, copilot threads about them, memory, report
  state, usage, read state, presence, and anything a later concern registers), then what is
  kept about them elsewhere (profile, usage, presence), and crypto-shreds their entries in
  the audit log, which keeps the entries. The erasure itself is audited without naming them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tickets.audit import OPERATOR, Actor, AuditLog, Kind
from tickets.domain import Status, Ticket, utcnow
from tickets.errors import InvalidInput
from tickets.ids import validate_id
from tickets.store import Store

log = logging.getLogger(__name__)
PAGE = 200


@dataclass
class ErasureReport:
    tickets: int = 0
    documents: dict[str, int] = field(default_factory=dict)
    audit_id: str = ""

    def add(self, name: str, n: int) -> None:
        self.documents[name] = self.documents.get(name, 0) + n

    @property
    def total(self) -> int:
        return sum(self.documents.values())


class Erasure:
    def __init__(self, store: Store, audit: AuditLog) -> None:
        self.store, self.audit = store, audit

    def erase_ticket(self, ticket_id: str, report: ErasureReport | None = None) -> ErasureReport:
        """Every registered eraser, in order (the ticket itself last)."""
        report = report or ErasureReport()
        for eraser in self.store.erasers:
            report.add(eraser.name, eraser.erase_ticket(ticket_id))
        report.tickets += 1
        return report

    def erase_user(self, uid: str, actor: Actor = OPERATOR) -> ErasureReport:
        uid = validate_id(uid, "user")
        user = self.store.users.get(uid)
        if user is not None and user.role.works_tickets:
            raise InvalidInput(
                f"{uid} is {user.role.value}: revoke the role first (erasure is for customers)."
            )
        report = ErasureReport()
        while ids := self.store.tickets.ids_of_customer(uid, PAGE):
            for ticket_id in ids:
                self.erase_ticket(ticket_id, report)
        for eraser in self.store.erasers:
            report.add(eraser.name, eraser.erase_user(uid))
        event = self.audit.record(  # about nobody: what identified them is gone
            Kind.USER_ERASED, actor, tickets=report.tickets, documents=report.total
        )
        report.audit_id = event.id
        return report


class Retention:
    def __init__(
        self,
        store: Store,
        days: int | None,
        erasure: Erasure,
        audit: AuditLog,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store, self.days, self.erasure, self.audit, self.clock = (
            store,
            days,
            erasure,
            audit,
            clock,
        )

    def expiry_for(self, resolved_at: datetime) -> datetime | None:
        return resolved_at + timedelta(days=self.days) if self.days else None

    def status_changed(self, before: Ticket, after: Ticket) -> None:
        """Resolved: the ticket starts to expire; reopened: it stops."""
        resolved = after.status is Status.RESOLVED
        if resolved == (before.status is Status.RESOLVED):
            return
        if resolved and self.days:
            self.store.retention.mark(after.id, self.expiry_for(self.clock()))
        elif not resolved and self.store.retention.expiry(after.id) is not None:
            self.store.retention.mark(after.id, None)

    def backfill(self) -> int:
        """Mark resolved tickets that have no expiry yet (after turning retention on),
        counting from their last change."""
        if not self.days:
            return 0
        marked, after = 0, None
        while ids := self.store.tickets.ids(after, PAGE):
            for ticket_id in ids:
                ticket = self.store.tickets.get(ticket_id)
                if ticket is None or ticket.status is not Status.RESOLVED:
                    continue
                if self.store.retention.expiry(ticket_id) is None:
                    self.store.retention.mark(ticket_id, self.expiry_for(ticket.last_change))
                    marked += 1
            after = ids[-1]
        return marked

    def sweep(self, now: datetime | None = None) -> ErasureReport:
        """Erase every ticket whose expiry has passed."""
        now = now or self.clock()
        report = ErasureReport()
        while ids := self.store.retention.expired(now, PAGE):
            for ticket_id in ids:
                self.erasure.erase_ticket(ticket_id, report)
        if report.tickets:
            event = self.audit.record(
                Kind.TICKETS_EXPIRED, OPERATOR, tickets=report.tickets, documents=report.total
            )
            report.audit_id = event.id
        return report
