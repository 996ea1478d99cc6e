"""Ticket documents in Firestore: ``tickets/{id}`` (the thread is under each one)."""

from __future__ import annotations

from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from storage.decode import decode_each, decode_one
from storage.firestore.db import FirestoreDb
from storage.sealing import Sealer
from tickets.domain import ConversationRef, NewMessage, Ticket, utcnow
from tickets.errors import TicketNotFound
from tickets.live import ActivityKind
from tickets.store import UNASSIGNED, TicketChanges, TicketQuery

TRIAGE_FIELDS = (
    "status",
    "assigneeUid",
    "labels",
    "assistantActive",
    "updatedAt",
    "changedAt",
    "handoffAt",
    "priority",
    "mergedInto",
)
RESEALED = ("subject", "customerName", "searchKeys")  # rewritten too: under the current key


class FirestoreTickets:
    def __init__(self, db: FirestoreDb, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def create(
        self, ticket: Ticket, first_message: NewMessage | None = None
    ) -> tuple[Ticket, bool]:
        ref = self.db.tickets().document(ticket.id)
        stored = ticket
        batch = self.db.client.batch()
        if first_message is not None:
            conv = ConversationRef(ticket.id)
            message = first_message.at(1, ticket.created_at)
            stored = ticket.after_message(message)
            data = self.sealer.seal_message(conv, message.to_dict())
            batch.create(self.db.messages(conv).document(message.id), data)
        batch.create(ref, self.sealer.seal_ticket(stored.to_dict()))

        def commit() -> tuple[Ticket, bool]:
            try:
                batch.commit()
            except gexc.AlreadyExists:
                snap = self.db.get(ref)
                if not snap.exists:  # taken by a message id alone: vanishingly unlikely
                    raise
                return self.sealer.open_ticket(snap.to_dict()), False
            return stored, True

        return self.db.run(commit)

    def _open(self, snap: Any) -> Ticket:
        return self.sealer.open_ticket(snap.to_dict())

    def get(self, ticket_id: str) -> Ticket | None:
        snap = self.db.run(lambda: self.db.get(self.db.tickets().document(ticket_id)))
        if not snap.exists:
            return None
        return decode_one(snap, self._open, "ticket")

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        ref = self.db.tickets().document(ticket_id)

        def body(tx: Any) -> Ticket:
            snap = self.db.get(ref, tx)
            if not snap.exists:
                raise TicketNotFound(ticket_id)
            ticket = changes.apply(self._open(snap), utcnow())
            data = self.sealer.seal_ticket(ticket.to_dict())
            tx.update(ref, {k: data[k] for k in (*TRIAGE_FIELDS, *RESEALED)})
            self.db.bump(tx, ConversationRef(ticket_id), ActivityKind.TICKET)
            return ticket

        return self.db.run(lambda: self.db.transaction(body))

    def find(self, query: TicketQuery) -> list[Ticket]:
        q = self._filter(query)
        q = q.order_by("updatedAt", direction=firestore.Query.DESCENDING).limit(query.limit)
        snaps = self.db.run(lambda: self.db.stream(q, "tickets"))
        return decode_each(snaps, self._open, "ticket")

    def count(self, query: TicketQuery) -> int:
        aggregate = self._filter(query).count()

        def run() -> int:
            result = aggregate.get()
            self.db.count("count:tickets")  # billed per 1,000 index entries, at least one read
            return int(result[0][0].value)

        return self.db.run(run)

    def _filter(self, query: TicketQuery) -> Any:
        q: Any = self.db.tickets()
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
            token = self.sealer.search_key(query.search_key)
            q = q.where(filter=FieldFilter("searchKeys", "array_contains", token))
        return q

    def ids(self, after: str | None = None, limit: int = 500) -> list[str]:
        q: Any = self.db.tickets().order_by("id")
        if after:
            q = q.where(filter=FieldFilter("id", ">", after))
        snaps = self.db.run(lambda: self.db.stream(q.limit(limit), "tickets"))
        return [s.id for s in snaps]

    def ids_of_customer(self, uid: str, limit: int = 500) -> list[str]:
        q = self.db.tickets().where(filter=FieldFilter("customerUid", "==", uid)).limit(limit)
        return [s.id for s in self.db.run(lambda: self.db.stream(q, "tickets"))]
