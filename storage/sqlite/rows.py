"""Reading and writing a ticket row inside a transaction (shared by tickets and threads)."""

from __future__ import annotations

import sqlite3

from storage.sqlite.db import dumps, loads, stamp
from tickets.domain import Ticket


def read_ticket(db: sqlite3.Connection, ticket_id: str) -> Ticket | None:
    row = db.execute("SELECT data FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    return Ticket.from_dict(loads(row["data"])) if row else None


def write_ticket(db: sqlite3.Connection, ticket: Ticket, *, insert: bool) -> None:
    values = (
        ticket.customer_uid,
        ticket.status.value,
        ticket.assignee_uid,
        stamp(ticket.updated_at),
        dumps(ticket.to_dict()),
        ticket.id,
    )
    if insert:
        db.execute(
            "INSERT INTO tickets (customer_uid, status, assignee_uid, updated_at, data, id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            values,
        )
    else:
        db.execute(
            "UPDATE tickets SET customer_uid = ?, status = ?, assignee_uid = ?, "
            "updated_at = ?, data = ? WHERE id = ?",
            values,
        )
