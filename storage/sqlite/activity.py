"""Change markers in the embedded store (one row per ticket), and tickets changed lately."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from storage.decode import decode_each
from storage.sealing import Sealer
from storage.sqlite.db import Database, loads, stamp
from tickets.domain import ConversationRef, Ticket
from tickets.live import Activity, ActivityKind


def bump(db: sqlite3.Connection, conv: ConversationRef, kind: ActivityKind) -> None:
    """Move the shared thread's marker inside the caller's transaction."""
    if conv.is_copilot:
        return
    column = kind.value  # one of three fixed names, never user input
    db.execute(
        f"INSERT INTO activity (ticket_id, {column}) VALUES (?, 1) "  # noqa: S608
        f"ON CONFLICT (ticket_id) DO UPDATE SET {column} = {column} + 1",
        (conv.ticket_id,),
    )


class SqliteActivity:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def get(self, ticket_id: str) -> Activity:
        rows = self.db.query(
            "SELECT thread, ticket, presence FROM activity WHERE ticket_id = ?", (ticket_id,)
        )
        return Activity(*rows[0]) if rows else Activity()

    def touch(self, ticket_id: str, kind: ActivityKind) -> None:
        with self.db.tx() as db:
            bump(db, ConversationRef(ticket_id), kind)

    def changed_since(self, since: datetime, limit: int = 100) -> list[Ticket]:
        rows = self.db.query(
            "SELECT data FROM tickets WHERE changed_at > ? ORDER BY changed_at DESC LIMIT ?",
            (stamp(since), limit),
        )
        return decode_each(rows, lambda r: self.sealer.open_ticket(loads(r["data"])), "ticket")
