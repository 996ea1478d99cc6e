"""Ticket use cases. Every access check lives here (see :mod:`tickets.policy`).

A request starts with :meth:`TicketService.access`: the ticket is read and checked once, and
the resulting :class:`TicketAccess` is what later calls of the same request take, so a page
reads its ticket once however many things it does with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from tickets import export, policy, queue
from tickets.domain import (
    AuditEvent,
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
from tickets.errors import Conflict, InvalidInput, NotSignedIn
from tickets.ids import new_event_id, new_message_id, new_ticket_id, validate_id
from tickets.queue import QueueFilter, QueueItem
from tickets.store import Store, TicketChanges, TicketQuery
from tickets.text import TextLimits, clean_labels, clean_message, clean_subject

SYSTEM_UID = "system"
ASSISTANT_UID = "assistant"
HUMAN_REQUESTED = (
    "You asked for a person. A support agent will reply in this thread; "
    "you can keep adding details meanwhile."
)


@dataclass(frozen=True)
class TicketAccess:
    """A user and a ticket they may see, checked once for this request.

    Only :meth:`TicketService.access` makes one. It is not kept across requests: the next
    request checks again (a revoked role or a disabled account applies at once).
    """

    user: User
    ticket: Ticket

    @property
    def conv(self) -> ConversationRef:
        return ConversationRef(self.ticket.id)

    @property
    def sees_internal(self) -> bool:
        return policy.sees_internal_notes(self.user)


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
        store: Store,
        limits: TextLimits | None = None,
        clock: Callable[[], datetime] = utcnow,
        *,
        reply_stall_s: float = 60.0,
    ) -> None:
        self.store = store
        self.limits = limits or TextLimits()
        self.clock = clock
        self.reply_stall_s = reply_stall_s

    # -- who is asking --------------------------------------------------------------------

    def current_user(self, uid: str) -> User:
        """Re-read on every request, so a revoked role or disabled account applies at once."""
        user = self.store.users.get(validate_id(uid, "user"))
        if user is None or user.disabled:
            raise NotSignedIn()
        return user

    def sign_in(self, uid: str, display_name: str, email: str = "") -> User:
        """Find or create the user for a verified identity. New users are customers."""
        existing = self.store.users.get(validate_id(uid, "user"))
        if existing is not None:
            if existing.disabled:
                raise NotSignedIn()
            if (display_name and display_name != existing.display_name) or (
                email and email != existing.email
            ):
                existing = replace(
                    existing,
                    display_name=display_name or existing.display_name,
                    email=email or existing.email,
                )
                self.store.users.save(existing)
            return existing
        user = User(uid, Role.CUSTOMER, display_name or email or uid, email)
        self.store.users.save(user)
        return user

    # -- tickets --------------------------------------------------------------------------

    def access(self, user: User, ticket_id: str) -> TicketAccess:
        """Read and check the ticket once; later calls of this request take the result."""
        validate_id(ticket_id, "ticket")
        ticket = policy.require_view(user, ticket_id, self.store.tickets.get(ticket_id))
        return TicketAccess(user, ticket)

    def ticket(self, user: User, ticket_id: str) -> Ticket:
        return self.access(user, ticket_id).ticket

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
        stored, created = self.store.tickets.create(ticket, first)
        if not created and stored.customer_uid != user.uid:
            raise Conflict(f"Ticket id {ticket.id} is already taken.")
        return stored

    def my_tickets(self, user: User, limit: int = 50) -> list[Ticket]:
        return self.store.tickets.find(TicketQuery(customer_uid=user.uid, limit=limit))

    def queue(self, user: User, flt: QueueFilter) -> list[QueueItem]:
        policy.require_agent(user, "see the ticket queue")
        return queue.rank(self.store.tickets.find(queue.query_for(flt, user.uid)), flt, user.uid)

    def queue_counts(self, user: User) -> dict[str, int]:
        policy.require_agent(user, "see the ticket queue")
        return {
            name: self.store.tickets.count(query)
            for name, query in queue.count_queries(user.uid).items()
        }

    # -- the thread -----------------------------------------------------------------------

    def thread(
        self, access: TicketAccess, *, before_seq: int | None = None, limit: int = 50
    ) -> ThreadPage:
        """One page, oldest first on screen; never the whole thread."""
        messages = self.store.threads.newest(
            access.conv,
            limit=limit + 1,
            before_seq=before_seq,
            public_only=not access.sees_internal,
        )
        now = self.clock()
        shown = [m.settled(now, self.reply_stall_s) for m in messages[-limit:]]
        return ThreadPage(access.ticket, shown, has_older=len(messages) > limit)

    def post(
        self,
        access: TicketAccess,
        text: str,
        *,
        message_id: str | None = None,
        internal: bool = False,
    ) -> Message:
        """Post to the shared thread. Pass the same ``message_id`` to retry safely.

        A resend under the same id with edited text (the first send had reached the store
        although it reported an error) is stored as a new message after it, never dropped.
        An id that belongs to someone else's message is refused.
        """
        user = access.user
        if internal:
            policy.require_agent(user, "write internal notes")
        new = NewMessage(
            validate_id(message_id or new_message_id(), "message"),
            user.uid,
            AuthorRole.AGENT if user.is_agent else AuthorRole.CUSTOMER,
            clean_message(text, self.limits),
            Visibility.INTERNAL if internal else Visibility.PUBLIC,
        )
        stored = self.store.threads.append(access.conv, new)
        if not new.is_retry_of(stored):
            if not new.same_author(stored):
                raise Conflict("That message id is already used; nothing was sent. Try again.")
            stored = self.store.threads.append(access.conv, replace(new, id=new_message_id()))
        self._after_post(access, stored, internal)
        return stored

    def _after_post(self, access: TicketAccess, message: Message, internal: bool) -> None:
        user, ticket = access.user, access.ticket
        if internal:
            return
        if user.is_agent:  # a human has taken over: the assistant stops auto-replying
            self.store.tickets.update(
                ticket.id,
                TicketChanges(
                    status=Status.WAITING_ON_CUSTOMER,
                    assistant_active=False,
                    seen={user.uid: message.seq},
                    clear_handoff=True,
                ),
            )
        elif ticket.status in (Status.RESOLVED, Status.WAITING_ON_CUSTOMER):
            reopened = Status.OPEN if ticket.assistant_active else Status.WAITING_ON_AGENT
            self.store.tickets.update(ticket.id, TicketChanges(status=reopened))

    def request_human(self, access: TicketAccess) -> Ticket:
        if access.ticket.status is not Status.WAITING_ON_AGENT:
            self.notice(access.ticket, HUMAN_REQUESTED)
        return self.store.tickets.update(
            access.ticket.id, TicketChanges(status=Status.WAITING_ON_AGENT)
        )

    def notice(self, ticket: Ticket, text: str) -> Message:
        """A system notice in the shared thread (for everyone who sees the ticket)."""
        return self.store.threads.append(
            ConversationRef(ticket.id),
            NewMessage(new_message_id(), SYSTEM_UID, AuthorRole.SYSTEM, text),
        )

    def hand_over(self, ticket: Ticket, note: str) -> Ticket:
        """The assistant hands the ticket to a person by itself: an internal handoff note for
        the agent, waiting on an agent, the assistant off, and the queue shows it first."""
        self.store.threads.append(
            ConversationRef(ticket.id),
            NewMessage(
                new_message_id(), ASSISTANT_UID, AuthorRole.ASSISTANT, note, Visibility.INTERNAL
            ),
        )
        return self.store.tickets.update(
            ticket.id,
            TicketChanges(
                status=Status.WAITING_ON_AGENT, assistant_active=False, handoff_at=self.clock()
            ),
        )

    def hand_to_human(self, ticket: Ticket, notice: str) -> Ticket:
        """Route to a person: the assistant stops answering and the customer is told why."""
        if ticket.assistant_active or ticket.status is not Status.WAITING_ON_AGENT:
            self.notice(ticket, notice)
        return self.store.tickets.update(
            ticket.id, TicketChanges(status=Status.WAITING_ON_AGENT, assistant_active=False)
        )

    # -- agent actions --------------------------------------------------------------------

    def assign(self, access: TicketAccess, assignee_uid: str | None) -> Ticket:
        policy.require_agent(access.user, "assign tickets")
        ticket_id = access.ticket.id
        if assignee_uid is None:
            return self.store.tickets.update(ticket_id, TicketChanges(clear_assignee=True))
        assignee = self.store.users.get(validate_id(assignee_uid, "user"))
        if assignee is None or not assignee.is_agent:
            raise InvalidInput(f"{assignee_uid} is not a support agent.")
        return self.store.tickets.update(
            ticket_id, TicketChanges(assignee_uid=assignee.uid, assistant_active=False)
        )

    def set_status(self, access: TicketAccess, status: Status | str) -> Ticket:
        policy.require_agent(access.user, "change a ticket's status")
        try:
            value = Status(status)
        except ValueError as exc:
            raise InvalidInput(f"Unknown status {status!r}.") from exc
        return self.store.tickets.update(access.ticket.id, TicketChanges(status=value))

    def set_labels(self, access: TicketAccess, labels: list[str]) -> Ticket:
        policy.require_agent(access.user, "label tickets")
        return self.store.tickets.update(
            access.ticket.id, TicketChanges(labels=clean_labels(labels, self.limits))
        )

    def set_assistant_active(self, access: TicketAccess, active: bool) -> Ticket:
        policy.require_agent(access.user, "hand a ticket back to the assistant")
        return self.store.tickets.update(access.ticket.id, TicketChanges(assistant_active=active))

    def mark_seen(self, access: TicketAccess) -> Ticket:
        """An agent opened the ticket: no unread dot for them. Returns the ticket as shown."""
        user, ticket = access.user, access.ticket
        if user.is_agent and ticket.unread_for(user.uid):
            return self.store.tickets.update(
                ticket.id, TicketChanges(seen={user.uid: ticket.last_seq})
            )
        return ticket

    # -- exports --------------------------------------------------------------------------

    def export(
        self, uid: str, ticket_id: str, fmt: str, *, include_internal: bool = False
    ) -> Iterator[str]:
        """Stream a transcript. Customers always get public messages only. Logged.

        Takes the user id, not a user: a download runs later than the page that offered it,
        so the user is read (and checked) again when it runs.
        """
        return self.export_as(
            self.current_user(uid), ticket_id, fmt, include_internal=include_internal
        )

    def export_as(
        self, user: User, ticket_id: str, fmt: str, *, include_internal: bool = False
    ) -> Iterator[str]:
        """An export for a user the caller has just checked (the operator CLI's own)."""
        if fmt not in export.FORMATS:
            raise InvalidInput(f"Unknown export format {fmt!r}: use json, md, html or csv.")
        access = self.access(user, ticket_id)
        internal = include_internal and access.sees_internal
        now = self.clock()
        self.store.audit.record(
            AuditEvent(
                new_event_id(),
                "export",
                access.user.uid,
                access.ticket.id,
                now,
                {"format": fmt, "includeInternal": internal},
            )
        )
        request = export.ExportRequest(access.ticket, internal, access.user.uid, now)
        return export.render(self.store.threads, fmt, request)

    def agents(self, user: User) -> list[User]:
        policy.require_agent(user, "list agents")
        return [u for u in self.store.users.find(limit=200, role=Role.AGENT) if u.is_agent]
