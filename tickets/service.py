"""Ticket use cases. Every access check lives here (see :mod:`tickets.policy`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from tickets import export, policy, queue
from tickets.domain import (
    AuthorRole,
    ConversationRef,
    Message,
    NewMessage,
    Role,
    Status,
    Ticket,
    User,
    Visibility,
    utcnow,
)
from tickets.errors import InvalidInput, NotSignedIn
from tickets.ids import new_event_id, new_message_id, new_ticket_id, validate_id
from tickets.queue import QueueFilter, QueueItem
from tickets.store import AuditEvent, TicketChanges, TicketQuery, TicketStore
from tickets.text import TextLimits, clean_labels, clean_message, clean_subject

SYSTEM_UID = "system"
HUMAN_REQUESTED = (
    "You asked for a person. A support agent will reply in this thread; "
    "you can keep adding details meanwhile."
)


@dataclass(frozen=True)
class ThreadPage:
    ticket: Ticket
    messages: list[Message]
    has_older: bool

    @property
    def oldest_seq(self) -> int | None:
        return self.messages[0].seq if self.messages else None


class TicketService:
    def __init__(
        self,
        store: TicketStore,
        limits: TextLimits | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.limits = limits or TextLimits()
        self.clock = clock

    # -- who is asking --------------------------------------------------------------------

    def current_user(self, uid: str) -> User:
        """Re-read on every request, so a revoked role or disabled account applies at once."""
        user = self.store.get_user(validate_id(uid, "user"))
        if user is None or user.disabled:
            raise NotSignedIn()
        return user

    def sign_in(self, uid: str, display_name: str, email: str = "") -> User:
        """Find or create the user for a verified identity. New users are customers."""
        existing = self.store.get_user(validate_id(uid, "user"))
        if existing is not None:
            if existing.disabled:
                raise NotSignedIn()
            if (display_name and display_name != existing.display_name) or (
                email and email != existing.email
            ):
                existing = User(
                    existing.uid,
                    existing.role,
                    display_name or existing.display_name,
                    email or existing.email,
                )
                self.store.save_user(existing)
            return existing
        user = User(uid, Role.CUSTOMER, display_name or email or uid, email)
        self.store.save_user(user)
        return user

    # -- tickets --------------------------------------------------------------------------

    def ticket(self, user: User, ticket_id: str) -> Ticket:
        validate_id(ticket_id, "ticket")
        return policy.require_view(user, ticket_id, self.store.get_ticket(ticket_id))

    def open_ticket(
        self,
        user: User,
        subject: str,
        text: str,
        *,
        ticket_id: str | None = None,
        message_id: str | None = None,
    ) -> Ticket:
        """Open a ticket with its first message. Pass the same ids to retry safely."""
        subject = clean_subject(subject, self.limits)
        text = clean_message(text, self.limits)
        now = self.clock()
        ticket = Ticket(
            id=validate_id(ticket_id or new_ticket_id(), "ticket"),
            customer_uid=user.uid,
            customer_name=user.display_name,
            subject=subject,
            created_at=now,
            updated_at=now,
        )
        first = NewMessage(
            validate_id(message_id or new_message_id(), "message"),
            user.uid,
            AuthorRole.AGENT if user.is_agent else AuthorRole.CUSTOMER,
            text,
        )
        return self.store.create_ticket(ticket, first)

    def my_tickets(self, user: User, limit: int = 50) -> list[Ticket]:
        return self.store.list_tickets(TicketQuery(customer_uid=user.uid, limit=limit))

    def queue(self, user: User, flt: QueueFilter) -> list[QueueItem]:
        policy.require_agent(user, "see the ticket queue")
        return queue.rank(self.store.list_tickets(queue.query_for(flt, user.uid)), flt, user.uid)

    def queue_counts(self, user: User) -> dict[str, int]:
        policy.require_agent(user, "see the ticket queue")
        return {
            name: self.store.count_tickets(query)
            for name, query in queue.count_queries(user.uid).items()
        }

    # -- the thread -----------------------------------------------------------------------

    def thread(
        self, user: User, ticket_id: str, *, before_seq: int | None = None, limit: int = 50
    ) -> ThreadPage:
        """One page, newest first on screen last; never the whole thread."""
        ticket = self.ticket(user, ticket_id)
        messages = self.store.newest_messages(
            ConversationRef(ticket.id),
            limit=limit + 1,
            before_seq=before_seq,
            public_only=not policy.sees_internal_notes(user),
        )
        return ThreadPage(ticket, messages[-limit:], has_older=len(messages) > limit)

    def post(
        self,
        user: User,
        ticket_id: str,
        text: str,
        *,
        message_id: str | None = None,
        internal: bool = False,
    ) -> Message:
        """Post to the shared thread. Pass the same ``message_id`` to retry safely."""
        ticket = self.ticket(user, ticket_id)
        if internal:
            policy.require_agent(user, "write internal notes")
        text = clean_message(text, self.limits)
        role = AuthorRole.AGENT if user.is_agent else AuthorRole.CUSTOMER
        visibility = Visibility.INTERNAL if internal else Visibility.PUBLIC
        mid = validate_id(message_id or new_message_id(), "message")
        message = self.store.append_message(
            ConversationRef(ticket.id), NewMessage(mid, user.uid, role, text, visibility)
        )
        self._after_post(user, ticket, internal)
        return message

    def _after_post(self, user: User, ticket: Ticket, internal: bool) -> None:
        if internal:
            return
        if user.is_agent:  # a human has taken over: the assistant stops auto-replying
            self.store.update_ticket(
                ticket.id,
                TicketChanges(
                    status=Status.WAITING_ON_CUSTOMER,
                    assistant_active=False,
                    seen={user.uid: ticket.last_seq + 1},
                ),
            )
        elif ticket.status in (Status.RESOLVED, Status.WAITING_ON_CUSTOMER):
            reopened = Status.OPEN if ticket.assistant_active else Status.WAITING_ON_AGENT
            self.store.update_ticket(ticket.id, TicketChanges(status=reopened))

    def request_human(self, user: User, ticket_id: str) -> Ticket:
        ticket = self.ticket(user, ticket_id)
        if ticket.status is not Status.WAITING_ON_AGENT:
            self.store.append_message(
                ConversationRef(ticket.id),
                NewMessage(new_message_id(), SYSTEM_UID, AuthorRole.SYSTEM, HUMAN_REQUESTED),
            )
        return self.store.update_ticket(ticket.id, TicketChanges(status=Status.WAITING_ON_AGENT))

    def hand_to_human(self, ticket: Ticket, notice: str) -> Ticket:
        """Route to a person: the assistant stops answering and the customer is told why."""
        if ticket.assistant_active or ticket.status is not Status.WAITING_ON_AGENT:
            self.store.append_message(
                ConversationRef(ticket.id),
                NewMessage(new_message_id(), SYSTEM_UID, AuthorRole.SYSTEM, notice),
            )
        return self.store.update_ticket(
            ticket.id, TicketChanges(status=Status.WAITING_ON_AGENT, assistant_active=False)
        )

    # -- agent actions --------------------------------------------------------------------

    def assign(self, user: User, ticket_id: str, assignee_uid: str | None) -> Ticket:
        policy.require_agent(user, "assign tickets")
        ticket = self.ticket(user, ticket_id)
        if assignee_uid is None:
            return self.store.update_ticket(ticket.id, TicketChanges(clear_assignee=True))
        assignee = self.store.get_user(validate_id(assignee_uid, "user"))
        if assignee is None or not assignee.is_agent:
            raise InvalidInput(f"{assignee_uid} is not a support agent.")
        return self.store.update_ticket(
            ticket.id, TicketChanges(assignee_uid=assignee.uid, assistant_active=False)
        )

    def set_status(self, user: User, ticket_id: str, status: Status | str) -> Ticket:
        policy.require_agent(user, "change a ticket's status")
        ticket = self.ticket(user, ticket_id)
        try:
            value = Status(status)
        except ValueError as exc:
            raise InvalidInput(f"Unknown status {status!r}.") from exc
        return self.store.update_ticket(ticket.id, TicketChanges(status=value))

    def set_labels(self, user: User, ticket_id: str, labels: list[str]) -> Ticket:
        policy.require_agent(user, "label tickets")
        ticket = self.ticket(user, ticket_id)
        return self.store.update_ticket(
            ticket.id, TicketChanges(labels=clean_labels(labels, self.limits))
        )

    def set_assistant_active(self, user: User, ticket_id: str, active: bool) -> Ticket:
        policy.require_agent(user, "hand a ticket back to the assistant")
        ticket = self.ticket(user, ticket_id)
        return self.store.update_ticket(ticket.id, TicketChanges(assistant_active=active))

    def mark_seen(self, user: User, ticket: Ticket) -> None:
        if user.is_agent and ticket.unread_for(user.uid):
            self.store.update_ticket(ticket.id, TicketChanges(seen={user.uid: ticket.last_seq}))

    # -- exports --------------------------------------------------------------------------

    def export(
        self, user: User, ticket_id: str, fmt: str, *, include_internal: bool = False
    ) -> Iterator[str]:
        """Stream a transcript. Customers always get public messages only. Logged."""
        if fmt not in export.FORMATS:
            raise InvalidInput(f"Unknown export format {fmt!r}: use json, md, html or csv.")
        ticket = self.ticket(user, ticket_id)
        internal = include_internal and policy.sees_internal_notes(user)
        now = self.clock()
        self.store.record_event(
            AuditEvent(
                new_event_id(),
                "export",
                user.uid,
                ticket.id,
                now,
                {"format": fmt, "includeInternal": internal},
            )
        )
        return export.render(self.store, fmt, export.ExportRequest(ticket, internal, user.uid, now))

    def agents(self, user: User) -> list[User]:
        policy.require_agent(user, "list agents")
        return [u for u in self.store.list_users(limit=200, role=Role.AGENT) if u.is_agent]
