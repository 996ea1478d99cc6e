"""The storage port: one small protocol, implemented by the Firestore and SQLite adapters.

Both adapters pass the same contract suite (``tests/contract``). A store knows nothing about
who is asking: access checks live in :mod:`tickets.service`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from tickets.domain import (
    Checkpoint,
    ConversationRef,
    ConversationState,
    Message,
    MessageStatus,
    NewMessage,
    Role,
    Status,
    Ticket,
    Usage,
    User,
    as_datetime,
)

UNASSIGNED = ""  # ``TicketQuery.assignee`` value meaning "nobody"


@dataclass(frozen=True)
class TicketQuery:
    """A bounded ticket listing, newest activity first."""

    customer_uid: str | None = None
    statuses: tuple[Status, ...] = ()
    assignee: str | None = None  # None: anyone; UNASSIGNED: nobody; else that uid
    search_key: str | None = None  # one normalized word prefix (see domain.search_keys)
    limit: int = 50


@dataclass(frozen=True)
class TicketChanges:
    """Fields an update may set; ``None`` leaves a field as it is."""

    status: Status | None = None
    assignee_uid: str | None = None
    clear_assignee: bool = False
    labels: tuple[str, ...] | None = None
    assistant_active: bool | None = None
    seen: Mapping[str, int] = field(default_factory=dict)  # uid -> seq seen

    def apply(self, ticket: Ticket, now: datetime) -> Ticket:
        changes: dict[str, Any] = {}
        if self.status is not None:
            changes["status"] = self.status
        if self.clear_assignee:
            changes["assignee_uid"] = None
        elif self.assignee_uid is not None:
            changes["assignee_uid"] = self.assignee_uid
        if self.labels is not None:
            changes["labels"] = self.labels
        if self.assistant_active is not None:
            changes["assistant_active"] = self.assistant_active
        if self.seen:
            seen = dict(ticket.seen_by)
            for uid, seq in self.seen.items():
                seen[uid] = max(seen.get(uid, 0), seq)
            changes["seen_by"] = seen
        if self.touches_activity:
            changes["updated_at"] = now
        return ticket.with_changes(**changes)

    @property
    def touches_activity(self) -> bool:
        """Marking a ticket seen is not activity; every other change is."""
        return any(
            (
                self.status is not None,
                self.assignee_uid is not None,
                self.clear_assignee,
                self.labels is not None,
                self.assistant_active is not None,
            )
        )


@dataclass(frozen=True)
class UsageTotals:
    key: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class AuditEvent:
    id: str
    kind: str  # e.g. "export", "role_granted"
    actor_uid: str
    ticket_id: str | None
    at: datetime
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "actorUid": self.actor_uid,
            "ticketId": self.ticket_id,
            "at": self.at,
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditEvent:
        return cls(
            id=data["id"],
            kind=data["kind"],
            actor_uid=data["actorUid"],
            ticket_id=data.get("ticketId"),
            at=as_datetime(data["at"]),
            details=data.get("details") or {},
        )


class TicketStore(Protocol):
    """Persistence for users, tickets, conversations, usage and the audit log."""

    # users
    def get_user(self, uid: str) -> User | None: ...
    def save_user(self, user: User) -> None: ...
    def list_users(self, limit: int = 100, role: Role | None = None) -> list[User]: ...

    # tickets
    def create_ticket(self, ticket: Ticket, first_message: NewMessage | None = None) -> Ticket:
        """Create the ticket (and its first message) atomically. Raises if the id exists."""
        ...

    def get_ticket(self, ticket_id: str) -> Ticket | None: ...
    def update_ticket(self, ticket_id: str, changes: TicketChanges) -> Ticket: ...
    def list_tickets(self, query: TicketQuery) -> list[Ticket]: ...
    def count_tickets(self, query: TicketQuery) -> int:
        """How many tickets match ``query`` (``limit`` is ignored)."""
        ...

    def ticket_ids(self, after: str | None = None, limit: int = 500) -> list[str]:
        """Every ticket id in id order, a page at a time (for operator jobs)."""
        ...

    def copilot_agents(self, ticket_id: str) -> list[str]:
        """The agents who have a copilot thread on this ticket."""
        ...

    # messages
    def append_message(self, conv: ConversationRef, message: NewMessage) -> Message:
        """Assign the next ``seq`` in a transaction. Idempotent: an existing id is returned."""
        ...

    def finish_message(
        self,
        conv: ConversationRef,
        message_id: str,
        *,
        text: str,
        status: MessageStatus,
        usage: Usage | None = None,
        error: str | None = None,
    ) -> Message: ...

    def get_message(self, conv: ConversationRef, message_id: str) -> Message | None: ...

    def newest_messages(
        self,
        conv: ConversationRef,
        *,
        limit: int,
        before_seq: int | None = None,
        public_only: bool = False,
    ) -> list[Message]:
        """Up to ``limit`` newest messages with ``seq < before_seq``, in ascending order."""
        ...

    def messages_after(
        self,
        conv: ConversationRef,
        *,
        after_seq: int,
        limit: int,
        public_only: bool = False,
    ) -> list[Message]:
        """Up to ``limit`` oldest messages with ``seq > after_seq``, in ascending order."""
        ...

    # memory
    def conversation_state(self, conv: ConversationRef) -> ConversationState: ...

    def save_checkpoint(
        self, conv: ConversationRef, checkpoint: Checkpoint, *, expected_version: int
    ) -> bool:
        """Store ``checkpoint`` only if the stored version is still ``expected_version``."""
        ...

    # usage and audit
    def add_usage(self, keys: Sequence[str], usage: Usage) -> None: ...
    def get_usage(self, key: str) -> UsageTotals: ...
    def record_event(self, event: AuditEvent) -> None: ...
    def list_events(self, ticket_id: str | None = None, limit: int = 100) -> list[AuditEvent]: ...
