"""Firestore adapter: the system of record.

Layout::

    users/{uid}
    tickets/{ticketId}                          ticket fields, lastSeq, memory checkpoint
    tickets/{ticketId}/messages/{messageId}     one document per message, ordered by seq
    tickets/{ticketId}/copilots/{agentUid}      an agent's private copilot thread (lastSeq, memory)
    tickets/{ticketId}/copilots/{agentUid}/messages/{messageId}
    usage/{key}                                 token usage counters per user / ticket / period
    audit/{eventId}                             exports, role changes, ...

``seq`` is assigned in a transaction that reads two documents (the message id, for
idempotency, and the conversation's ``lastSeq``), so a post costs the same at 10 or 10,000
messages. ``reads`` counts documents read, Firestore's billing unit, for the benchmarks.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from tickets.domain import (
    Checkpoint,
    ConversationRef,
    ConversationState,
    Message,
    MessageStatus,
    NewMessage,
    Role,
    Ticket,
    Usage,
    User,
    utcnow,
)
from tickets.errors import MessageNotFound, StoreUnavailable, TicketError, TicketNotFound
from tickets.sealing import Sealer
from tickets.store import UNASSIGNED, AuditEvent, TicketChanges, TicketQuery, UsageTotals

T = TypeVar("T")
_UNAVAILABLE = (
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.RetryError,
    gexc.InternalServerError,
)


class FirestoreStore:
    """A :class:`tickets.store.TicketStore` on Cloud Firestore (or its emulator)."""

    def __init__(
        self, client: firestore.Client, *, tx_attempts: int = 30, sealer: Sealer | None = None
    ) -> None:
        self._db = client
        self.sealer = sealer or Sealer()
        self._tx_attempts = tx_attempts
        self._reads_lock = threading.Lock()
        self.reads = 0

    # -- plumbing -------------------------------------------------------------------------

    def _count(self, n: int = 1) -> None:
        with self._reads_lock:
            self.reads += max(n, 1)  # an empty query result is still billed as one read

    def _get(self, ref: Any, transaction: Any = None) -> Any:
        snap = ref.get(transaction=transaction)
        self._count()
        return snap

    def _stream(self, query: Any) -> list[dict[str, Any]]:
        docs = [d.to_dict() for d in query.stream()]
        self._count(len(docs))
        return docs

    def _run(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except _UNAVAILABLE as exc:
            raise StoreUnavailable(type(exc).__name__) from exc

    def _transaction(self, body: Callable[[Any], T]) -> T:
        """Run ``body(transaction)``, retrying on contention (reads may abort too)."""
        for attempt in range(self._tx_attempts):
            run_once = firestore.transactional(body)
            transaction = self._db.transaction(max_attempts=1)
            try:
                result: T = self._run(partial(run_once, transaction))
                return result
            except (gexc.Aborted, ValueError) as exc:
                causes = _chain(exc)
                if any(isinstance(c, _UNAVAILABLE) for c in causes):
                    raise StoreUnavailable(type(causes[-1]).__name__) from exc
                if not any(isinstance(c, gexc.Aborted) for c in causes):
                    raise
                time.sleep(min(0.5, 0.01 * 2**attempt) * random.random())  # noqa: S311
        raise StoreUnavailable("too much contention on one ticket; try again")

    def _users(self) -> Any:
        return self._db.collection("users")

    def _tickets(self) -> Any:
        return self._db.collection("tickets")

    def _conv_doc(self, conv: ConversationRef) -> Any:
        ticket = self._tickets().document(conv.ticket_id)
        if conv.agent_uid is None:
            return ticket
        return ticket.collection("copilots").document(conv.agent_uid)

    def _messages(self, conv: ConversationRef) -> Any:
        return self._conv_doc(conv).collection("messages")

    # -- users ----------------------------------------------------------------------------

    def get_user(self, uid: str) -> User | None:
        snap = self._run(lambda: self._get(self._users().document(uid)))
        return User.from_dict(snap.to_dict()) if snap.exists else None

    def save_user(self, user: User) -> None:
        self._run(lambda: self._users().document(user.uid).set(user.to_dict()))

    def list_users(self, limit: int = 100, role: Role | None = None) -> list[User]:
        q: Any = self._users()
        if role is not None:
            q = q.where(filter=FieldFilter("role", "==", role.value))
        q = q.order_by("uid").limit(limit)
        docs = self._run(lambda: self._stream(q))
        return [User.from_dict(d) for d in docs]

    # -- tickets --------------------------------------------------------------------------

    def create_ticket(self, ticket: Ticket, first_message: NewMessage | None = None) -> Ticket:
        ref = self._tickets().document(ticket.id)
        stored = ticket
        batch = self._db.batch()
        if first_message is not None:
            message = first_message.at(1, ticket.created_at)
            stored = ticket.after_message(message)
            conv = ConversationRef(ticket.id)
            data = self.sealer.seal_message(conv, message.to_dict())
            data["createdAt"] = firestore.SERVER_TIMESTAMP
            batch.create(self._messages(ConversationRef(ticket.id)).document(message.id), data)
        batch.create(ref, stored.to_dict())
        try:
            self._run(batch.commit)
        except gexc.AlreadyExists as exc:
            existing = self.get_ticket(ticket.id)
            if existing is None or existing.customer_uid != ticket.customer_uid:
                raise TicketError(f"Ticket id {ticket.id} is already taken.") from exc
            return existing  # a retried create: idempotent
        return stored

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        snap = self._run(lambda: self._get(self._tickets().document(ticket_id)))
        return Ticket.from_dict(snap.to_dict()) if snap.exists else None

    def update_ticket(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        ref = self._tickets().document(ticket_id)

        def body(tx: Any) -> Ticket:
            snap = self._get(ref, tx)
            if not snap.exists:
                raise TicketNotFound(ticket_id)
            ticket = changes.apply(Ticket.from_dict(snap.to_dict()), utcnow())
            data = ticket.to_dict()
            fields = {"status", "assigneeUid", "labels", "assistantActive", "updatedAt"}
            update = {k: data[k] for k in fields}
            update.update({f"seenBy.{uid}": seq for uid, seq in ticket.seen_by.items()})
            tx.update(ref, update)
            return ticket

        return self._transaction(body)

    def list_tickets(self, query: TicketQuery) -> list[Ticket]:
        q = self._ticket_filter(query)
        q = q.order_by("updatedAt", direction=firestore.Query.DESCENDING).limit(query.limit)
        return [Ticket.from_dict(d) for d in self._run(lambda: self._stream(q))]

    def count_tickets(self, query: TicketQuery) -> int:
        aggregate = self._ticket_filter(query).count()

        def run() -> int:
            result = aggregate.get()
            self._count()  # an aggregation is billed per 1,000 index entries, at least one read
            return int(result[0][0].value)

        return self._run(run)

    def _ticket_filter(self, query: TicketQuery) -> Any:
        q: Any = self._tickets()
        if query.customer_uid is not None:
            q = q.where(filter=FieldFilter("customerUid", "==", query.customer_uid))
        if len(query.statuses) == 1:
            q = q.where(filter=FieldFilter("status", "==", query.statuses[0].value))
        elif query.statuses:
            q = q.where(filter=FieldFilter("status", "in", [s.value for s in query.statuses]))
        if query.assignee is not None:
            assignee = None if query.assignee == UNASSIGNED else query.assignee
            q = q.where(filter=FieldFilter("assigneeUid", "==", assignee))
        if query.search_key:
            q = q.where(filter=FieldFilter("searchKeys", "array_contains", query.search_key))
        return q

    def ticket_ids(self, after: str | None = None, limit: int = 500) -> list[str]:
        q: Any = self._tickets().order_by("id")
        if after:
            q = q.where(filter=FieldFilter("id", ">", after))
        return [d["id"] for d in self._run(lambda: self._stream(q.limit(limit)))]

    def copilot_agents(self, ticket_id: str) -> list[str]:
        q = self._tickets().document(ticket_id).collection("copilots")
        return sorted(d["agentUid"] for d in self._run(lambda: self._stream(q)))

    # -- messages -------------------------------------------------------------------------

    def append_message(self, conv: ConversationRef, message: NewMessage) -> Message:
        conv_ref = self._conv_doc(conv)
        msg_ref = self._messages(conv).document(message.id)

        def body(tx: Any) -> Message:
            existing = self._get(msg_ref, tx)
            if existing.exists:
                return self.sealer.open_message(conv, existing.to_dict())
            conv_snap = self._get(conv_ref, tx)
            if not conv.is_copilot and not conv_snap.exists:
                raise TicketNotFound(conv.ticket_id)
            last_seq = int((conv_snap.to_dict() or {}).get("lastSeq", 0))
            stored = message.at(last_seq + 1, utcnow())
            data = self.sealer.seal_message(conv, stored.to_dict())
            tx.create(msg_ref, data | {"createdAt": firestore.SERVER_TIMESTAMP})
            if conv.is_copilot:
                fields = {"lastSeq": stored.seq, "updatedAt": stored.created_at}
                fields |= {"ticketId": conv.ticket_id, "agentUid": conv.agent_uid}
                tx.set(conv_ref, fields, merge=True)
            else:
                tx.update(conv_ref, Ticket.from_dict(conv_snap.to_dict()).activity_fields(stored))
            return stored

        return self._transaction(body)

    def finish_message(
        self,
        conv: ConversationRef,
        message_id: str,
        *,
        text: str,
        status: MessageStatus,
        usage: Usage | None = None,
        error: str | None = None,
    ) -> Message:
        ref = self._messages(conv).document(message_id)
        update = {
            "text": self.sealer.text(conv, message_id, text),
            "status": status.value,
            "usage": usage.to_dict() if usage else None,
            "error": error,
        }
        try:
            self._run(lambda: ref.update(update))
        except gexc.NotFound as exc:
            raise MessageNotFound(message_id) from exc
        found = self.get_message(conv, message_id)
        if found is None:
            raise MessageNotFound(message_id)
        return found

    def get_message(self, conv: ConversationRef, message_id: str) -> Message | None:
        snap = self._run(lambda: self._get(self._messages(conv).document(message_id)))
        return self.sealer.open_message(conv, snap.to_dict()) if snap.exists else None

    def newest_messages(
        self,
        conv: ConversationRef,
        *,
        limit: int,
        before_seq: int | None = None,
        public_only: bool = False,
    ) -> list[Message]:
        q: Any = self._messages(conv)
        if public_only:
            q = q.where(filter=FieldFilter("visibility", "==", "public"))
        if before_seq is not None:
            q = q.where(filter=FieldFilter("seq", "<", before_seq))
        q = q.order_by("seq", direction=firestore.Query.DESCENDING).limit(limit)
        docs = self._run(lambda: self._stream(q))
        return [self.sealer.open_message(conv, d) for d in reversed(docs)]

    def messages_after(
        self,
        conv: ConversationRef,
        *,
        after_seq: int,
        limit: int,
        public_only: bool = False,
    ) -> list[Message]:
        q: Any = self._messages(conv)
        if public_only:
            q = q.where(filter=FieldFilter("visibility", "==", "public"))
        q = q.where(filter=FieldFilter("seq", ">", after_seq)).order_by("seq").limit(limit)
        return [self.sealer.open_message(conv, d) for d in self._run(lambda: self._stream(q))]

    # -- memory ---------------------------------------------------------------------------

    def conversation_state(self, conv: ConversationRef) -> ConversationState:
        snap = self._run(lambda: self._get(self._conv_doc(conv)))
        if not snap.exists:
            if not conv.is_copilot:
                raise TicketNotFound(conv.ticket_id)
            return ConversationState(last_seq=0)
        data = snap.to_dict()
        memory = data.get("memory")
        return ConversationState(
            last_seq=int(data.get("lastSeq", 0)),
            checkpoint=self.sealer.open_checkpoint(conv, memory) if memory else None,
        )

    def save_checkpoint(
        self, conv: ConversationRef, checkpoint: Checkpoint, *, expected_version: int
    ) -> bool:
        ref = self._conv_doc(conv)

        def body(tx: Any) -> bool:
            snap = self._get(ref, tx)
            memory = (snap.to_dict() or {}).get("memory") or {}
            if not snap.exists or int(memory.get("version", 0)) != expected_version:
                return False
            tx.update(ref, {"memory": self.sealer.seal_checkpoint(conv, checkpoint)})
            return True

        return self._transaction(body)

    # -- usage and audit ------------------------------------------------------------------

    def add_usage(self, keys: Sequence[str], usage: Usage) -> None:
        batch = self._db.batch()
        for key in keys:
            increments = {
                "key": key,
                "promptTokens": firestore.Increment(usage.prompt_tokens),
                "completionTokens": firestore.Increment(usage.completion_tokens),
                "calls": firestore.Increment(1),
            }
            batch.set(self._db.collection("usage").document(key), increments, merge=True)
        self._run(batch.commit)

    def get_usage(self, key: str) -> UsageTotals:
        snap = self._run(lambda: self._get(self._db.collection("usage").document(key)))
        data = snap.to_dict() if snap.exists else {}
        return UsageTotals(
            key,
            int(data.get("promptTokens", 0)),
            int(data.get("completionTokens", 0)),
            int(data.get("calls", 0)),
        )

    def record_event(self, event: AuditEvent) -> None:
        self._run(lambda: self._db.collection("audit").document(event.id).set(event.to_dict()))

    def list_events(self, ticket_id: str | None = None, limit: int = 100) -> list[AuditEvent]:
        q: Any = self._db.collection("audit")
        if ticket_id is not None:
            q = q.where(filter=FieldFilter("ticketId", "==", ticket_id))
        q = q.order_by("at", direction=firestore.Query.DESCENDING).limit(limit)
        return [AuditEvent.from_dict(d) for d in self._run(lambda: self._stream(q))]


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it (a failed rollback hides the real error)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain
