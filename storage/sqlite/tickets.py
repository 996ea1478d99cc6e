"""Ticket documents in the embedded store."""

from __future__ import annotations

from typing import Any

from storage.decode import decode_each, decode_one
from storage.sealing import Sealer
from storage.sqlite.activity import bump
from storage.sqlite.db import Database, loads
from storage.sqlite.rows import read_ticket, write_ticket
from storage.sqlite.threads import SqliteThreads
from tickets.domain import ConversationRef, NewMessage, Ticket, utcnow
from tickets.errors import TicketNotFound
from tickets.live import ActivityKind
from tickets.store import UNASSIGNED, TicketChanges, TicketQuery


class SqliteTickets:
    def __init__(self, db: Database, threads: SqliteThreads) -> None:
        self.db, self.threads = db, threads
        self.sealer = threads.sealer

    def create(
        self, ticket: Ticket, first_message: NewMessage | None = None
    ) -> tuple[Ticket, bool]:
        with self.db.tx() as db:
            existing = read_ticket(db, ticket.id, self.sealer)
            if existing is not None:
                return existing, False
            conv = ConversationRef(ticket.id)
            db.execute(
                "INSERT INTO conversations (conv_key, ticket_id, last_seq) VALUES (?, ?, 0)",
                (conv.key, ticket.id),
            )
            write_ticket(db, ticket, self.sealer, insert=True)
            if first_message is not None:
                self.threads.append_in(db, conv, first_message)
            stored = read_ticket(db, ticket.id, self.sealer)
            assert stored is not None
            return stored, True

    def get(self, ticket_id: str) -> Ticket | None:
        rows = self.db.query("SELECT data FROM tickets WHERE id = ?", (ticket_id,))
        if not rows:
            return None
        return decode_one(rows[0], self._open, "ticket")

    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        with self.db.tx() as db:
            ticket = read_ticket(db, ticket_id, self.sealer)
            if ticket is None:
                raise TicketNotFound(ticket_id)
            updated = changes.apply(ticket, utcnow())
            write_ticket(db, updated, self.sealer, insert=False)
            bump(db, ConversationRef(ticket_id), ActivityKind.TICKET)
            return updated

    def find(self, query: TicketQuery) -> list[Ticket]:
        where, params = _filter(query, self.sealer)
        # ``where`` holds only constant fragments with ? placeholders
        sql = "SELECT data FROM tickets" + where + " ORDER BY updated_at DESC LIMIT ?"  # noqa: S608
        rows = self.db.query(sql, [*params, query.limit])
        return decode_each(rows, self._open, "ticket")

    def _open(self, row: Any) -> Ticket:
        return self.sealer.open_ticket(loads(row["data"]))

    def count(self, query: TicketQuery) -> int:
        where, params = _filter(query, self.sealer)
        count_sql = "SELECT COUNT(*) FROM tickets" + where  # noqa: S608 (placeholders only)
        return int(self.db.query(count_sql, params)[0][0])

    def ids(self, after: str | None = None, limit: int = 500) -> list[str]:
        rows = self.db.query(
            "SELECT id FROM tickets WHERE id > ? ORDER BY id LIMIT ?", (after or "", limit)
        )
        return [r["id"] for r in rows]

    def ids_of_customer(self, uid: str, limit: int = 500) -> list[str]:
        rows = self.db.query(
            "SELECT id FROM tickets WHERE customer_uid = ? ORDER BY id LIMIT ?", (uid, limit)
        )
        return [r["id"] for r in rows]


def _filter(query: TicketQuery, sealer: Sealer) -> tuple[str, list[Any]]:
    where, params = [], []  # type: list[str], list[Any]
    if query.customer_uid is not None:
        where.append("customer_uid = ?")
        params.append(query.customer_uid)
    if query.statuses:
        where.append(f"status IN ({', '.join('?' * len(query.statuses))})")
        params.extend(s.value for s in query.statuses)
    if query.assignee == UNASSIGNED:
        where.append("assignee_uid IS NULL")
    elif query.assignee is not None:
        where.append("assignee_uid = ?")
        params.append(query.assignee)
    if query.search_key:
        where.append(
            "EXISTS (SELECT 1 FROM json_each(tickets.data, '$.searchKeys') WHERE value = ?)"
        )
        params.append(sealer.search_key(query.search_key))
    return (" WHERE " + " AND ".join(where) if where else ""), params
