"""Reading and writing a ticket row inside a transaction (shared by tickets and threads)."""

from __future__ import annotations

import sqlite3
from typing import Any

from storage.sealing import Sealer
from storage.sqlite.db import dumps, loads, stamp
from tickets.domain import Ticket


def read_ticket(db: sqlite3.Connection, ticket_id: str, sealer: Sealer) -> Ticket | None:
    row = db.execute("SELECT data FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    return sealer.open_ticket(loads(row["data"])) if row else None


def write_ticket(db: sqlite3.Connection, ticket: Ticket, sealer: Sealer, *, insert: bool) -> None:
    values = (
        ticket.customer_uid,
        ticket.status.value,
        ticket.assignee_uid,
        stamp(ticket.updated_at),
        stamp(ticket.last_change),
        dumps(sealer.seal_ticket(ticket.to_dict())),
        ticket.id,
    )
    if insert:
        db.execute(
            "INSERT INTO tickets "
            "(customer_uid, status, assignee_uid, updated_at, changed_at, data, id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            values,
        )
    else:
        db.execute(
            "UPDATE tickets SET customer_uid = ?, status = ?, assignee_uid = ?, "
            "updated_at = ?, changed_at = ?, data = ? WHERE id = ?",
            values,
        )


def write_activity(db: sqlite3.Connection, ticket_id: str, activity: dict[str, Any]) -> None:
    """A message joined the thread: only the activity fields change (nothing to decrypt)."""
    row = db.execute("SELECT data FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    data = loads(row["data"]) | activity
    changed = stamp(activity["changedAt"])
    updated = activity.get("updatedAt")
    if updated is None:  # an internal note: only what agents see moves
        db.execute(
            "UPDATE tickets SET changed_at = ?, data = ? WHERE id = ?",
            (changed, dumps(data), ticket_id),
        )
        return
    db.execute(
        "UPDATE tickets SET updated_at = ?, changed_at = ?, data = ? WHERE id = ?",
        (stamp(updated), changed, dumps(data), ticket_id),
    )
