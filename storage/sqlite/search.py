"""Message search in the embedded store: an index table of (token, message), kept by the
threads adapter on every write of a shared thread's message."""

from __future__ import annotations

import sqlite3

from storage.decode import decode_each
from storage.sealing import Sealer
from storage.sqlite.db import Database, loads
from tickets.domain import ConversationRef
from tickets.store import MessageHit


class SqliteSearch:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def find(self, key: str, limit: int = 50) -> list[MessageHit]:
        rows = self.db.query(
            "SELECT k.ticket_id, m.data FROM message_keys k JOIN messages m "
            "ON m.conv_key = k.ticket_id AND m.id = k.message_id "
            "WHERE k.token = ? ORDER BY k.created_at DESC LIMIT ?",
            (self.sealer.search_key(key), limit),
        )

        def hit(row: sqlite3.Row) -> MessageHit:
            ticket_id = str(row["ticket_id"])
            conv = ConversationRef(ticket_id)
            return MessageHit(ticket_id, self.sealer.open_message(conv, loads(row["data"])))

        return decode_each(rows, hit, "message")
