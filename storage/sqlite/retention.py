"""Ticket expiry in the embedded store: ``tickets.expire_at`` (rows under a ticket go with it
when the sweep erases it, so they need no expiry of their own)."""

from __future__ import annotations

from datetime import datetime

from storage.sqlite.db import Database, stamp
from tickets.domain import as_datetime


class SqliteRetention:
    def __init__(self, db: Database) -> None:
        self.db = db

    def mark(self, ticket_id: str, expire_at: datetime | None) -> int:
        with self.db.tx() as db:
            cursor = db.execute(
                "UPDATE tickets SET expire_at = ? WHERE id = ?",
                (stamp(expire_at) if expire_at else None, ticket_id),
            )
            return int(cursor.rowcount)

    def expiry(self, ticket_id: str) -> datetime | None:
        rows = self.db.query("SELECT expire_at FROM tickets WHERE id = ?", (ticket_id,))
        value = rows[0]["expire_at"] if rows else None
        return as_datetime(value) if value else None

    def expired(self, now: datetime, limit: int = 100) -> list[str]:
        rows = self.db.query(
            "SELECT id FROM tickets WHERE expire_at IS NOT NULL AND expire_at <= ? "
            "ORDER BY expire_at LIMIT ?",
            (stamp(now), limit),
        )
        return [r["id"] for r in rows]
