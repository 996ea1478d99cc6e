"""Conversations and their messages in the embedded store."""

from __future__ import annotations

import sqlite3

from storage.decode import decode_each
from storage.sealing import Sealer
from storage.sqlite.activity import bump
from storage.sqlite.db import Database, dumps, loads, stamp
from storage.sqlite.rows import write_activity
from tickets.domain import ConversationRef, Message, NewMessage, Ticket, utcnow
from tickets.errors import MessageNotFound, TicketNotFound
from tickets.live import ActivityKind
from tickets.store import MessageChange, revision_of


class SqliteThreads:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def _open(self, conv: ConversationRef, raw: str) -> Message:
        return self.sealer.open_message(conv, loads(raw))

    def _write(self, db: sqlite3.Connection, conv: ConversationRef, message: Message) -> None:
        sealed = self.sealer.seal_message(conv, message.to_dict())
        db.execute(
            "INSERT INTO messages (conv_key, id, seq, visibility, data) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (conv_key, id) DO UPDATE SET data = excluded.data",
            (conv.key, message.id, message.seq, message.visibility.value, dumps(sealed)),
        )
        if not conv.is_copilot:  # the search index (storage/sqlite/search.py)
            index_message(db, conv.ticket_id, message, sealed.get("searchKeys", ()))

    def append(self, conv: ConversationRef, message: NewMessage) -> Message:
        with self.db.tx() as db:
            return self.append_in(db, conv, message)

    def append_in(self, db: sqlite3.Connection, conv: ConversationRef, new: NewMessage) -> Message:
        """Append inside a transaction the caller holds (a new ticket's first message)."""
        existing = db.execute(
            "SELECT data FROM messages WHERE conv_key = ? AND id = ?", (conv.key, new.id)
        ).fetchone()
        if existing:
            return self._open(conv, existing["data"])
        ticket_row = db.execute("SELECT 1 FROM tickets WHERE id = ?", (conv.ticket_id,)).fetchone()
        if ticket_row is None:
            raise TicketNotFound(conv.ticket_id)
        row = db.execute(
            "SELECT last_seq FROM conversations WHERE conv_key = ?", (conv.key,)
        ).fetchone()
        seq = (row["last_seq"] if row else 0) + 1
        db.execute(
            "INSERT INTO conversations (conv_key, ticket_id, last_seq) VALUES (?, ?, ?) "
            "ON CONFLICT (conv_key) DO UPDATE SET last_seq = excluded.last_seq",
            (conv.key, conv.ticket_id, seq),
        )
        message = new.at(seq, utcnow())
        self._write(db, conv, message)
        if not conv.is_copilot:
            write_activity(db, conv.ticket_id, Ticket.activity_fields(message))
        bump(db, conv, ActivityKind.THREAD)
        return message

    def get(self, conv: ConversationRef, message_id: str) -> Message | None:
        rows = self.db.query(
            "SELECT data FROM messages WHERE conv_key = ? AND id = ?", (conv.key, message_id)
        )
        return self._open(conv, rows[0]["data"]) if rows else None

    def revise(
        self, conv: ConversationRef, message_id: str, change: MessageChange
    ) -> Message | None:
        with self.db.tx() as db:
            row = db.execute(
                "SELECT data FROM messages WHERE conv_key = ? AND id = ?", (conv.key, message_id)
            ).fetchone()
            if row is None:
                raise MessageNotFound(message_id)
            stored = self._open(conv, row["data"])
            changed = change(stored)
            if changed is None:
                return None
            revised = revision_of(stored, changed)
            self._write(db, conv, revised)
            bump(db, conv, ActivityKind.THREAD)
            return revised

    def newest(
        self,
        conv: ConversationRef,
        *,
        limit: int,
        before_seq: int | None = None,
        public_only: bool = False,
    ) -> list[Message]:
        sql = "SELECT data FROM messages WHERE conv_key = ?"
        params: list[object] = [conv.key]
        if before_seq is not None:
            sql += " AND seq < ?"
            params.append(before_seq)
        if public_only:
            sql += " AND visibility = 'public'"
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(limit)
        rows = self.db.query(sql, params)
        return decode_each(reversed(rows), lambda r: self._open(conv, r["data"]), "message")

    def after(
        self,
        conv: ConversationRef,
        *,
        after_seq: int,
        limit: int,
        public_only: bool = False,
    ) -> list[Message]:
        sql = "SELECT data FROM messages WHERE conv_key = ? AND seq > ?"
        if public_only:
            sql += " AND visibility = 'public'"
        sql += " ORDER BY seq ASC LIMIT ?"
        rows = self.db.query(sql, (conv.key, after_seq, limit))
        return decode_each(rows, lambda r: self._open(conv, r["data"]), "message")

    def last_seq(self, conv: ConversationRef) -> int:
        rows = self.db.query("SELECT last_seq FROM conversations WHERE conv_key = ?", (conv.key,))
        return int(rows[0]["last_seq"]) if rows else 0

    def copilot_agents(self, ticket_id: str) -> list[str]:
        rows = self.db.query(
            "SELECT conv_key FROM conversations WHERE ticket_id = ? AND conv_key != ? "
            "ORDER BY conv_key",
            (ticket_id, ticket_id),
        )
        return [r["conv_key"].rsplit("/", 1)[1] for r in rows]


def index_message(
    db: sqlite3.Connection, ticket_id: str, message: Message, keys: list[str]
) -> None:
    """The message's search tokens, replacing what it had (its text may have changed)."""
    db.execute(
        "DELETE FROM message_keys WHERE ticket_id = ? AND message_id = ?", (ticket_id, message.id)
    )
    when = stamp(message.created_at)
    db.executemany(
        "INSERT OR IGNORE INTO message_keys (token, ticket_id, message_id, created_at) "
        "VALUES (?, ?, ?, ?)",
        [(token, ticket_id, message.id, when) for token in keys],
    )
