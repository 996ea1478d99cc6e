"""The audit log: what is recorded, by whom, and who may read it.

Append-only: the stores offer no way to change or delete an entry (the embedded store's
table refuses it with triggers, ``firestore.rules`` give clients no write at all), and
supervisors read it. Every entry says who did what, when, from which role, on which ticket,
and which customer it is about (``subject_uid``); what identifies that customer is sealed
under a key of their own, so erasing them leaves the entry in place but unreadable
(crypto-shredding, :mod:`storage.shredding`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from tickets import policy
from tickets.domain import AuditEvent, Role, User, utcnow
from tickets.errors import InvalidInput
from tickets.export import csv_cell
from tickets.ids import new_event_id
from tickets.store import AuditQuery, AuditStore

ERASED = "(erased customer)"  # what a crypto-shredded uid reads as


class Kind(StrEnum):
    SIGN_IN = "sign_in"
    ROLE_GRANTED = "role_granted"
    ROLE_REVOKED = "role_revoked"
    ASSIGNED = "assigned"
    STATUS_CHANGED = "status_changed"
    EXPORT = "export"
    ACCESS_REFUSED = "access_refused"
    TICKETS_EXPIRED = "tickets_expired"
    USER_ERASED = "user_erased"
    USER_EXPORTED = "user_exported"
    KEYS_ROTATED = "keys_rotated"
    ARTICLES_IMPORTED = "articles_imported"
    AUDIT_EXPORTED = "audit_exported"
    REPORT_EXPORTED = "report_exported"
    TICKET_MERGED = "ticket_merged"


@dataclass(frozen=True)
class Actor:
    """Who acted, and in which role (a person, the operator's command, the system)."""

    uid: str
    role: str

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.uid, user.role.value)


OPERATOR = Actor("operator", "operator")
SYSTEM = Actor("system", "system")
ASSISTANT = Actor("assistant", "assistant")


class AuditLog:
    """Records entries for the use cases, and shows them to supervisors."""

    def __init__(self, store: AuditStore, clock: Callable[[], datetime] = utcnow) -> None:
        self.store, self.clock = store, clock

    def record(
        self,
        kind: Kind | str,
        actor: Actor,
        *,
        ticket_id: str | None = None,
        subject_uid: str | None = None,
        **details: Any,
    ) -> AuditEvent:
        """Append one entry. A customer acting is the subject of their own entries."""
        if subject_uid is None and actor.role == Role.CUSTOMER.value:
            subject_uid = actor.uid
        event = AuditEvent(
            new_event_id(),
            str(kind),
            actor.uid,
            ticket_id,
            self.clock(),
            details,
            actor_role=actor.role,
            subject_uid=subject_uid,
        )
        self.store.record(event)
        return event

    def find(self, user: User, query: AuditQuery) -> list[AuditEvent]:
        policy.require_supervisor(user, "read the audit log")
        return self.store.find(query=query)

    def export(self, user: User, query: AuditQuery, fmt: str) -> Iterator[str]:
        """The entries ``query`` finds as CSV or JSON lines; the export is itself recorded."""
        if fmt not in ("csv", "json"):
            raise InvalidInput("Export the audit log as csv or json.")
        events = self.find(user, query)
        self.record(Kind.AUDIT_EXPORTED, Actor.of(user), format=fmt, entries=len(events))
        return iter([to_csv(events)]) if fmt == "csv" else (to_json_line(e) for e in events)


COLUMNS = ("at", "kind", "actor_role", "actor", "ticket", "subject", "details")


def row(event: AuditEvent) -> dict[str, str]:
    return {
        "at": event.at.isoformat(timespec="seconds"),
        "kind": event.kind,
        "actor_role": event.actor_role,
        "actor": event.actor_uid,
        "ticket": event.ticket_id or "",
        "subject": event.subject_uid or "",
        "details": json.dumps(dict(event.details), sort_keys=True, ensure_ascii=False),
    }


def to_csv(events: list[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for event in events:
        writer.writerow([csv_cell(v) for v in row(event).values()])
    return out.getvalue()


def to_json_line(event: AuditEvent) -> str:
    return json.dumps(row(event), ensure_ascii=True) + "\n"
