"""Presence in the embedded store: one row per (ticket, viewer) with its expiry; expired
rows are skipped by every read and deleted when that ticket's presence is next written."""

from __future__ import annotations

from datetime import datetime

from storage.decode import decode_each
from storage.sqlite.db import Database, dumps, loads, stamp
from tickets.presence import Presence


class SqlitePresence:
    def __init__(self, db: Database) -> None:
        self.db = db

    def put(self, presence: Presence) -> None:
        with self.db.tx() as db:
            db.execute(
                "DELETE FROM presence WHERE ticket_id = ? AND expire_at <= ?",
                (presence.ticket_id, stamp(presence.updated_at)),
            )
            db.execute(
                "INSERT INTO presence (ticket_id, uid, expire_at, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (ticket_id, uid) DO UPDATE SET "
                "expire_at = excluded.expire_at, data = excluded.data",
                (
                    presence.ticket_id,
                    presence.uid,
                    stamp(presence.expire_at),
                    dumps(presence.to_dict()),
                ),
            )

    def remove(self, ticket_id: str, uid: str) -> None:
        with self.db.tx() as db:
            db.execute("DELETE FROM presence WHERE ticket_id = ? AND uid = ?", (ticket_id, uid))

    def live(self, ticket_id: str, now: datetime) -> list[Presence]:
        rows = self.db.query(
            "SELECT data FROM presence WHERE ticket_id = ? AND expire_at > ? ORDER BY uid",
            (ticket_id, stamp(now)),
        )
        return decode_each(rows, lambda r: Presence.from_dict(loads(r["data"])), "presence")
