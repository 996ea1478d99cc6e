"""Ticket use cases. Every access check lives here (see :mod:`tickets.policy`).

A request starts with :meth:`TicketService.access`: the ticket is read and checked once, and
the resulting :class:`TicketAccess` is what later calls of the same request take, so a page
reads its ticket once however many things it does with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from common.errors import AppError
from tickets import events, export, metrics, policy, queue, uploads
from tickets.attachments import Attachment, object_path
from tickets.audit import ASSISTANT, SYSTEM, Actor, AuditLog, Kind
from tickets.domain import (
    AuthorRole,
    ConversationRef,
    Message,
    NewMessage,
    Priority,
    Role,
    Status,
    Ticket,
    User,
    Visibility,
    utcnow,
)
from tickets.errors import (
    AttachmentNotFound,
    AttachmentsUnavailable,
    Conflict,
    InvalidInput,
    NotSignedIn,
)
from tickets.ids import (
    derived_ticket_id,
    new_message_id,
    new_ticket_id,
    validate_id,
)
from tickets.queue import QueueFilter, QueueItem
from tickets.retention import Erasure, Retention
from tickets.sla import SlaClocks
from tickets.store import Store, TicketChanges, TicketQuery
from tickets.text import (
    TextLimits,
    clean_email,
    clean_labels,
    clean_message,
    clean_name,
    clean_subject,
)

log = logging.getLogger(__name__)
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
        sla: SlaClocks | None = None,
        file_limits: uploads.AttachmentLimits | None = None,
        retention_days: int | None = None,
    ) -> None:
        self.store = store
        self.limits = limits or TextLimits()
        self.clock = clock
        self.reply_stall_s = reply_stall_s
        self.sla = sla or SlaClocks(store.sla, clock=clock)
        self.file_limits = file_limits or uploads.AttachmentLimits()
        self.audit = AuditLog(store.audit, clock)
        self.metrics = metrics.MetricsRecorder(store.metrics)  # the reports' entry point
        self.erasure = Erasure(store, self.audit)
        self.retention = Retention(store, retention_days, self.erasure, self.audit, clock)

    # -- who is asking --------------------------------------------------------------------

    def current_user(self, uid: str) -> User:
        """Re-read on every request, so a revoked role or disabled account applies at once."""
        user = self.store.users.get(validate_id(uid, "user"))
        if user is None or user.disabled:
            raise NotSignedIn()
        return user

    def sign_in(self, uid: str, display_name: str, email: str = "") -> User:
        """Find or create the user for a verified identity. New users are customers.

        The provider's name and e-mail are cleaned (one short plain line; a broken character
        never fails a sign-in): they are shown to agents and in exports."""
        display_name, email = clean_name(display_name), clean_email(email)
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

    def signed_in(self, user: User, method: str) -> None:
        """Audit a sign-in (once per browser session, not per page run)."""
        try:
            self.audit.record(Kind.SIGN_IN, Actor.of(user), method=method)
        except AppError as exc:  # signing in must not fail because the log is unreachable
            log.error("could not audit the sign-in of %s: %s", user.uid, exc.code)

    # -- tickets --------------------------------------------------------------------------

    def access(self, user: User, ticket_id: str) -> TicketAccess:
        """Read and check the ticket once; later calls of this request take the result.

        A ticket the user may not see gets the same "not found" as a missing one; asking for
        someone else's ticket is logged and audited (the answer stays the same)."""
        validate_id(ticket_id, "ticket")
        ticket = self.store.tickets.get(ticket_id)
        if ticket is not None and not policy.can_view(user, ticket):
            self._refused(user, ticket)
        return TicketAccess(user, policy.require_view(user, ticket_id, ticket))

    def _refused(self, user: User, ticket: Ticket) -> None:
        log.warning("refused %s %s access to ticket %s", user.role.value, user.uid, ticket.id)
        try:
            self.audit.record(Kind.ACCESS_REFUSED, Actor.of(user), ticket_id=ticket.id)
        except AppError as exc:  # the answer must not change: still "not found"
            log.error("could not audit the refusal for ticket %s: %s", ticket.id, exc.code)

    def ticket(self, user: User, ticket_id: str) -> Ticket:
        return self.access(user, ticket_id).ticket

    def open_ticket(
        self,
        user: User,
        subject: str,
        text: str,
        *,
        request_key: str | None = None,
        message_id: str | None = None,
    ) -> Ticket:
        """Open a ticket with its first message. Pass the same request key and message id to
        retry safely. A caller never names the ticket id: it is derived from the user and
        the request key, so no key can reach (or reveal) another user's ticket."""
        subject = clean_subject(subject, self.limits)
        text = clean_message(text, self.limits)
        now = self.clock()
        ticket_id = (
            derived_ticket_id(user.uid, validate_id(request_key, "request"))
            if request_key
            else new_ticket_id()
        )
        ticket = Ticket(
            id=ticket_id,
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
            # an 80-bit collision with someone else's ticket: say nothing, open a new one
            log.warning("derived ticket id %s was taken; opened under a new id", ticket.id)
            stored, created = self.store.tickets.create(replace(ticket, id=new_ticket_id()), first)
        if created:
            self.metrics.record(metrics.ticket_opened(stored.id, stored.created_at))
        return stored

    def my_tickets(self, user: User, limit: int = 50) -> list[Ticket]:
        return self.store.tickets.find(TicketQuery(customer_uid=user.uid, limit=limit))

    def queue(
        self, user: User, flt: QueueFilter, seen: dict[str, int] | None = None
    ) -> list[QueueItem]:
        """The agent's queue. ``seen`` is a read-state cache the caller keeps (ticket id ->
        seq): only tickets missing from it are read, and it is filled in."""
        policy.require_agent(user, "see the ticket queue")
        tickets = self.store.tickets.find(queue.query_for(flt, user.uid))
        if flt.sort == "due":  # the soonest due anywhere, also beyond the newest activity
            listed = {t.id for t in tickets}
            for clock in self.sla.soonest(flt.limit):
                found = (
                    None if clock.ticket_id in listed else self.store.tickets.get(clock.ticket_id)
                )
                if found is not None and queue.selects(flt, found, user.uid):
                    tickets.append(found)
        seen = self.seen(user, [t.id for t in tickets], seen)
        timed = [t.id for t in tickets if t.status is not Status.RESOLVED]
        return queue.rank(tickets, flt, seen, self.sla.of(timed))

    def seen(
        self, user: User, ticket_ids: list[str], cache: dict[str, int] | None = None
    ) -> dict[str, int]:
        """How far ``user`` has read each ticket, from ``cache`` where it knows."""
        cache = {} if cache is None else cache
        missing = [tid for tid in ticket_ids if tid not in cache]
        if missing:
            found = self.store.seen.get(user.uid, missing)
            cache.update({tid: found.get(tid, 0) for tid in missing})
        return cache

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
        files: Sequence[uploads.Upload] = (),
    ) -> Message:
        """Post to the shared thread. Pass the same ``message_id`` to retry safely.

        A resend under the same id with edited text (the first send had reached the store
        although it reported an error) is stored as a new message after it, never dropped.
        An id that belongs to someone else's message is refused. ``files`` are checked and
        stored before the message (all of them or none); a message with files may have no
        text.
        """
        user = access.user
        if internal:
            policy.require_agent(user, "write internal notes")
        if access.ticket.merged_into:
            raise InvalidInput(
                f"This ticket was merged into {access.ticket.merged_into}: write there instead."
            )
        mid = validate_id(message_id or new_message_id(), "message")
        prepared = uploads.prepare(files, user.uid, mid, self.file_limits) if files else []
        blank = isinstance(text, str) and not text.strip()
        body = "" if prepared and blank else clean_message(text, self.limits)
        self._store_files(access.ticket.id, prepared)
        new = NewMessage(
            mid,
            user.uid,
            AuthorRole.AGENT if user.is_agent else AuthorRole.CUSTOMER,
            body,
            Visibility.INTERNAL if internal else Visibility.PUBLIC,
            attachments=tuple(p.attachment for p in prepared),
        )
        stored = self.store.threads.append(access.conv, new)
        if not new.is_retry_of(stored):
            if not new.same_author(stored):
                raise Conflict("That message id is already used; nothing was sent. Try again.")
            stored = self.store.threads.append(access.conv, replace(new, id=new_message_id()))
        self._after_post(access, stored, internal)
        return stored

    def _store_files(self, ticket_id: str, prepared: Sequence[uploads.PreparedFile]) -> None:
        """Bytes first, then the message that lists them: a message never names a file that
        is not there (a failed send leaves files a retry overwrites)."""
        if prepared and not self.store.blobs.available:
            raise AttachmentsUnavailable()
        for file in prepared:
            meta = file.attachment
            self.store.blobs.put(object_path(ticket_id, meta.id), file.data, meta.content_type)
            if file.thumbnail is not None:
                path = object_path(ticket_id, meta.id, thumbnail=True)
                self.store.blobs.put(path, file.thumbnail, "image/jpeg")

    def attachment(
        self, access: TicketAccess, message_id: str, attachment_id: str, *, thumbnail: bool = False
    ) -> tuple[Attachment, bytes]:
        """A file of a message the caller may see: the same checks as the thread (a
        customer never gets a file of an internal note), read from the checked ticket's
        own path. Anything else is "not found", whatever the ids."""
        validate_id(message_id, "message")
        validate_id(attachment_id, "attachment")
        message = self.store.threads.get(access.conv, message_id)
        if message is None or (message.is_internal and not access.sees_internal):
            raise AttachmentNotFound()
        meta = next((a for a in message.attachments if a.id == attachment_id), None)
        if meta is None or (thumbnail and not meta.thumbnail):
            raise AttachmentNotFound()
        data = self.store.blobs.get(object_path(access.ticket.id, meta.id, thumbnail=thumbnail))
        if data is None:
            raise AttachmentNotFound()
        return meta, data

    def _after_post(self, access: TicketAccess, message: Message, internal: bool) -> None:
        user, ticket = access.user, access.ticket
        if user.is_agent:
            self.store.seen.mark(user.uid, ticket.id, message.seq)
        if internal:
            return
        if user.is_agent:  # a human has taken over (their reply says so): the assistant stops
            updated = self.store.tickets.update(
                ticket.id,
                TicketChanges(
                    status=Status.WAITING_ON_CUSTOMER, assistant_active=False, clear_handoff=True
                ),
            )
            self.audit_status(ticket, updated, Actor.of(user))
            self.metrics.record(metrics.first_response(ticket.id, self.clock(), human=True))
            self.observe(updated, responded=True)
        elif ticket.status in (Status.RESOLVED, Status.WAITING_ON_CUSTOMER):
            reopened = Status.OPEN if ticket.assistant_active else Status.WAITING_ON_AGENT
            updated = self.store.tickets.update(ticket.id, TicketChanges(status=reopened))
            self.audit_status(ticket, updated, Actor.of(user))
            self.observe(updated)
            if ticket.status is Status.RESOLVED:
                self.record(ticket, events.reopened_by_reply(reopened))
                self.metrics.record(metrics.reopened(ticket.id, self.clock()))

    def audit_status(self, before: Ticket, after: Ticket, actor: Actor) -> None:
        """Every status change is audited, whoever (or whatever) made it, and starts or stops
        the ticket's retention clock."""
        if before.status is not after.status:
            self.retention.status_changed(before, after)
            self.audit.record(
                Kind.STATUS_CHANGED,
                actor,
                ticket_id=after.id,
                before=before.status.value,
                after=after.status.value,
            )

    def observe(self, ticket: Ticket, *, responded: bool = False) -> Ticket:
        """Move the ticket's SLA clock after a change. A failure is logged, never raised:
        the change itself is done, and the next change sets the clock right."""
        try:
            self.sla.observe(ticket, responded=responded)
        except AppError as exc:
            log.error("could not move the SLA clock of %s: %s", ticket.id, exc.code)
        return ticket

    def request_human(self, access: TicketAccess) -> Ticket:
        if access.ticket.status is not Status.WAITING_ON_AGENT:
            self.notice(access.ticket, HUMAN_REQUESTED)
        updated = self.store.tickets.update(
            access.ticket.id, TicketChanges(status=Status.WAITING_ON_AGENT)
        )
        self.audit_status(access.ticket, updated, Actor.of(access.user))
        return self.observe(updated)

    def notice(self, ticket: Ticket, text: str) -> Message:
        """A system notice in the shared thread (for everyone who sees the ticket)."""
        return self.record(ticket, events.Event(text))

    def record(self, ticket: Ticket, event: events.Event) -> Message:
        """A system event in the thread: public ones for everyone, internal ones for agents."""
        return self.store.threads.append(
            ConversationRef(ticket.id),
            NewMessage(
                new_message_id(), SYSTEM_UID, AuthorRole.SYSTEM, event.text, event.visibility
            ),
        )

    def hand_over(
        self,
        ticket: Ticket,
        note: str,
        reason: metrics.HandoffReason = metrics.HandoffReason.ASKED_IN_WORDS,
    ) -> Ticket:
        """The assistant hands the ticket to a person by itself: an internal handoff note for
        the agent, waiting on an agent, the assistant off, and the queue shows it first."""
        self.store.threads.append(
            ConversationRef(ticket.id),
            NewMessage(
                new_message_id(), ASSISTANT_UID, AuthorRole.ASSISTANT, note, Visibility.INTERNAL
            ),
        )
        updated = self.store.tickets.update(
            ticket.id,
            TicketChanges(
                status=Status.WAITING_ON_AGENT, assistant_active=False, handoff_at=self.clock()
            ),
        )
        self.audit_status(ticket, updated, ASSISTANT)
        self.metrics.record(metrics.handoff(ticket.id, self.clock(), reason))
        return self.observe(updated)

    def hand_to_human(self, ticket: Ticket, notice: str) -> Ticket:
        """Route to a person: the assistant stops answering and the customer is told why."""
        if ticket.assistant_active or ticket.status is not Status.WAITING_ON_AGENT:
            self.notice(ticket, notice)
        updated = self.store.tickets.update(
            ticket.id, TicketChanges(status=Status.WAITING_ON_AGENT, assistant_active=False)
        )
        self.audit_status(ticket, updated, SYSTEM)
        if ticket.assistant_active:  # routed to a person now (not again on every refusal)
            self.metrics.record(
                metrics.handoff(ticket.id, self.clock(), metrics.HandoffReason.BUDGET)
            )
        return self.observe(updated)

    # -- agent actions --------------------------------------------------------------------

    def assign(self, access: TicketAccess, assignee_uid: str | None) -> Ticket:
        policy.require_agent(access.user, "assign tickets")
        user, before = access.user, access.ticket
        if assignee_uid is None:
            updated = self.store.tickets.update(before.id, TicketChanges(clear_assignee=True))
            if before.assignee_uid is not None:
                self.record(updated, events.assigned(user.uid, user.display_name, None, ""))
                self._audit_assignment(before, None, user)
            return updated
        assignee = self.store.users.get(validate_id(assignee_uid, "user"))
        if assignee is None or not assignee.is_agent:
            raise InvalidInput(f"{assignee_uid} is not a support agent.")
        updated = self.store.tickets.update(
            before.id, TicketChanges(assignee_uid=assignee.uid, assistant_active=False)
        )
        if before.assignee_uid != assignee.uid:
            self.record(
                updated,
                events.assigned(user.uid, user.display_name, assignee.uid, assignee.display_name),
            )
            self._audit_assignment(before, assignee.uid, user)
        if before.assistant_active:
            self.record(updated, events.assistant_switched(False))
        return self.observe(updated)

    def _audit_assignment(self, before: Ticket, assignee: str | None, user: User) -> None:
        self.audit.record(
            Kind.ASSIGNED,
            Actor.of(user),
            ticket_id=before.id,
            before=before.assignee_uid,
            after=assignee,
        )

    def set_status(self, access: TicketAccess, status: Status | str) -> Ticket:
        policy.require_agent(access.user, "change a ticket's status")
        try:
            value = Status(status)
        except ValueError as exc:
            raise InvalidInput(f"Unknown status {status!r}.") from exc
        updated = self.store.tickets.update(access.ticket.id, TicketChanges(status=value))
        if value is not access.ticket.status:
            self.record(updated, events.status_changed(value, access.user.display_name))
            if value is Status.RESOLVED:
                self.metrics.record(metrics.resolved(updated.id, self.clock()))
            elif access.ticket.status is Status.RESOLVED:
                self.metrics.record(metrics.reopened(updated.id, self.clock()))
        self.audit_status(access.ticket, updated, Actor.of(access.user))
        return self.observe(updated)

    def set_labels(self, access: TicketAccess, labels: list[str]) -> Ticket:
        policy.require_agent(access.user, "label tickets")
        return self.store.tickets.update(
            access.ticket.id, TicketChanges(labels=clean_labels(labels, self.limits))
        )

    def set_assistant_active(self, access: TicketAccess, active: bool) -> Ticket:
        policy.require_agent(access.user, "hand a ticket back to the assistant")
        updated = self.store.tickets.update(
            access.ticket.id, TicketChanges(assistant_active=active)
        )
        if active != access.ticket.assistant_active:
            self.record(updated, events.assistant_switched(active))
        return self.observe(updated)

    def set_priority(self, access: TicketAccess, priority: Priority | str) -> Ticket:
        """The SLA targets follow the priority at once (a running clock's due time moves)."""
        policy.require_agent(access.user, "set a ticket's priority")
        try:
            value = Priority(priority)
        except ValueError as exc:
            raise InvalidInput(f"Unknown priority {priority!r}.") from exc
        if value is access.ticket.priority:
            return access.ticket
        return self.observe(
            self.store.tickets.update(access.ticket.id, TicketChanges(priority=value))
        )

    def mark_seen(self, access: TicketAccess, seen: dict[str, int] | None = None) -> None:
        """An agent has the ticket open: no unread dot for them. Written to the agent's own
        read state (never the ticket document), and only when a customer message is unread;
        ``seen`` is the caller's read-state cache (see :meth:`queue`), kept up to date."""
        user, ticket = access.user, access.ticket
        if not user.is_agent:
            return
        known = self.seen(user, [ticket.id], seen)
        if ticket.unread(known[ticket.id]):
            self.store.seen.mark(user.uid, ticket.id, ticket.last_seq)
            known[ticket.id] = ticket.last_seq

    # -- exports --------------------------------------------------------------------------

    def export(
        self,
        uid: str,
        ticket_id: str,
        fmt: str,
        *,
        include_internal: bool = False,
        include_files: bool = False,
    ) -> Iterator[str]:
        """Stream a transcript. Customers always get public messages only. Logged.

        Takes the user id, not a user: a download runs later than the page that offered it,
        so the user is read (and checked) again when it runs. ``include_files``: the JSON
        export carries each file's bytes (base64); every format lists the files.
        """
        return self.export_as(
            self.current_user(uid),
            ticket_id,
            fmt,
            include_internal=include_internal,
            include_files=include_files,
        )

    def export_as(
        self,
        user: User,
        ticket_id: str,
        fmt: str,
        *,
        include_internal: bool = False,
        include_files: bool = False,
        actor: Actor | None = None,
    ) -> Iterator[str]:
        """An export for a user the caller has just checked (the operator CLI's own, which
        is audited as the operator's)."""
        if fmt not in export.FORMATS:
            raise InvalidInput(f"Unknown export format {fmt!r}: use json, md, html or csv.")
        access = self.access(user, ticket_id)
        internal = include_internal and access.sees_internal
        now = self.clock()
        self.audit.record(
            Kind.EXPORT,
            actor or Actor.of(user),
            ticket_id=access.ticket.id,
            format=fmt,
            includeInternal=internal,
            includeFiles=include_files,
        )
        ticket_id = access.ticket.id

        def read_file(file: Attachment) -> bytes | None:
            return self.store.blobs.get(object_path(ticket_id, file.id))

        request = export.ExportRequest(
            access.ticket,
            internal,
            access.user.uid,
            now,
            for_customer=not access.sees_internal,
            csat=self.store.feedback.csat(access.ticket.id),
            files=read_file if include_files and fmt == "json" else None,
        )
        return export.render(self.store.threads, fmt, request)

    def agents(self, user: User) -> list[User]:
        policy.require_agent(user, "list agents")
        found = [
            u
            for role in (Role.AGENT, Role.SUPERVISOR)
            for u in self.store.users.find(limit=200, role=role)
        ]
        return sorted((u for u in found if u.is_agent), key=lambda u: u.uid)
