"""Embedded adapter: the whole store in one local SQLite file (standard library only).

Used when no Firestore is configured, so the app runs on a laptop with nothing installed and
data survives restarts. One connection guarded by a lock; writes run in ``BEGIN IMMEDIATE``
transactions, so two processes sharing the file also keep ``seq`` unique.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

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

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (uid TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE tickets (
        id TEXT PRIMARY KEY, customer_uid TEXT NOT NULL, status TEXT NOT NULL,
        assignee_uid TEXT, updated_at TEXT NOT NULL, data TEXT NOT NULL);
    CREATE INDEX tickets_customer ON tickets (customer_uid, updated_at DESC);
    CREATE INDEX tickets_status ON tickets (status, updated_at DESC);
    CREATE INDEX tickets_assignee ON tickets (assignee_uid, updated_at DESC);
    CREATE TABLE conversations (
        conv_key TEXT PRIMARY KEY, ticket_id TEXT NOT NULL, last_seq INTEGER NOT NULL,
        checkpoint TEXT);
    CREATE TABLE messages (
        conv_key TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,
        visibility TEXT NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (conv_key, id), UNIQUE (conv_key, seq));
    CREATE TABLE usage (
        key TEXT PRIMARY KEY, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
        calls INTEGER NOT NULL);
    CREATE TABLE events (id TEXT PRIMARY KEY, ticket_id TEXT, at TEXT NOT NULL, data TEXT NOT NULL);
    CREATE INDEX events_ticket ON events (ticket_id, at DESC);
    """,
)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    raise TypeError(f"cannot store {type(value).__name__}")


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, default=_encode, ensure_ascii=False)


def _stamp(value: datetime) -> str:
    return str(_encode(value))


class SqliteStore:
    """A :class:`tickets.store.TicketStore` on a local SQLite file."""

    def __init__(self, path: str | Path, sealer: Sealer | None = None) -> None:
        self.path = str(path)
        self.sealer = sealer or Sealer()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout = 10000")
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
        self._migrate()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- plumbing -------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._tx() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreUnavailable(str(exc)) from exc
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreUnavailable(str(exc)) from exc

    # -- users ----------------------------------------------------------------------------

    def get_user(self, uid: str) -> User | None:
        rows = self._query("SELECT data FROM users WHERE uid = ?", (uid,))
        return User.from_dict(json.loads(rows[0]["data"])) if rows else None

    def save_user(self, user: User) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO users (uid, data) VALUES (?, ?) "
                "ON CONFLICT (uid) DO UPDATE SET data = excluded.data",
                (user.uid, _dumps(user.to_dict())),
            )

    def list_users(self, limit: int = 100, role: Role | None = None) -> list[User]:
        if role is None:
            rows = self._query("SELECT data FROM users ORDER BY uid LIMIT ?", (limit,))
        else:
            rows = self._query(
                "SELECT data FROM users WHERE json_extract(data, '$.role') = ? "
                "ORDER BY uid LIMIT ?",
                (role.value, limit),
            )
        return [User.from_dict(json.loads(r["data"])) for r in rows]

    # -- tickets --------------------------------------------------------------------------

    def create_ticket(self, ticket: Ticket, first_message: NewMessage | None = None) -> Ticket:
        with self._tx() as db:
            existing = db.execute("SELECT data FROM tickets WHERE id = ?", (ticket.id,)).fetchone()
            if existing:
                found = Ticket.from_dict(json.loads(existing["data"]))
                if found.customer_uid != ticket.customer_uid:
                    raise TicketError(f"Ticket id {ticket.id} is already taken.")
                return found
            conv = ConversationRef(ticket.id)
            db.execute(
                "INSERT INTO conversations (conv_key, ticket_id, last_seq) VALUES (?, ?, 0)",
                (conv.key, ticket.id),
            )
            self._write_ticket(db, ticket, insert=True)
            if first_message is not None:
                self._append(db, conv, first_message)
            row = db.execute("SELECT data FROM tickets WHERE id = ?", (ticket.id,)).fetchone()
            return Ticket.from_dict(json.loads(row["data"]))

    def _write_ticket(self, db: sqlite3.Connection, ticket: Ticket, *, insert: bool) -> None:
        values = (
            ticket.customer_uid,
            ticket.status.value,
            ticket.assignee_uid,
            _stamp(ticket.updated_at),
            _dumps(ticket.to_dict()),
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

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        rows = self._query("SELECT data FROM tickets WHERE id = ?", (ticket_id,))
        return Ticket.from_dict(json.loads(rows[0]["data"])) if rows else None

    def update_ticket(self, ticket_id: str, changes: TicketChanges) -> Ticket:
        with self._tx() as db:
            row = db.execute("SELECT data FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
            if row is None:
                raise TicketNotFound(ticket_id)
            ticket = changes.apply(Ticket.from_dict(json.loads(row["data"])), utcnow())
            self._write_ticket(db, ticket, insert=False)
            return ticket

    def list_tickets(self, query: TicketQuery) -> list[Ticket]:
        where, params = self._ticket_filter(query)
        # ``where`` holds only constant fragments with ? placeholders
        sql = "SELECT data FROM tickets" + where + " ORDER BY updated_at DESC LIMIT ?"  # noqa: S608
        rows = self._query(sql, [*params, query.limit])
        return [Ticket.from_dict(json.loads(r["data"])) for r in rows]

    def count_tickets(self, query: TicketQuery) -> int:
        where, params = self._ticket_filter(query)
        count_sql = "SELECT COUNT(*) FROM tickets" + where  # noqa: S608 (placeholders only)
        return int(self._query(count_sql, params)[0][0])

    @staticmethod
    def _ticket_filter(query: TicketQuery) -> tuple[str, list[Any]]:
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
            params.append(query.search_key)
        return (" WHERE " + " AND ".join(where) if where else ""), params

    def ticket_ids(self, after: str | None = None, limit: int = 500) -> list[str]:
        rows = self._query(
            "SELECT id FROM tickets WHERE id > ? ORDER BY id LIMIT ?", (after or "", limit)
        )
        return [r["id"] for r in rows]

    def copilot_agents(self, ticket_id: str) -> list[str]:
        rows = self._query(
            "SELECT conv_key FROM conversations WHERE ticket_id = ? AND conv_key != ? "
            "ORDER BY conv_key",
            (ticket_id, ticket_id),
        )
        return [r["conv_key"].rsplit("/", 1)[1] for r in rows]

    # -- messages -------------------------------------------------------------------------

    def append_message(self, conv: ConversationRef, message: NewMessage) -> Message:
        with self._tx() as db:
            return self._append(db, conv, message)

    def _append(self, db: sqlite3.Connection, conv: ConversationRef, new: NewMessage) -> Message:
        existing = db.execute(
            "SELECT data FROM messages WHERE conv_key = ? AND id = ?", (conv.key, new.id)
        ).fetchone()
        if existing:
            return self.sealer.open_message(conv, json.loads(existing["data"]))
        ticket_row = db.execute(
            "SELECT data FROM tickets WHERE id = ?", (conv.ticket_id,)
        ).fetchone()
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
        db.execute(
            "INSERT INTO messages (conv_key, id, seq, visibility, data) VALUES (?, ?, ?, ?, ?)",
            (
                conv.key,
                message.id,
                seq,
                message.visibility.value,
                _dumps(self.sealer.seal_message(conv, message.to_dict())),
            ),
        )
        if not conv.is_copilot:
            ticket = Ticket.from_dict(json.loads(ticket_row["data"])).after_message(message)
            self._write_ticket(db, ticket, insert=False)
        return message

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
        with self._tx() as db:
            row = db.execute(
                "SELECT data FROM messages WHERE conv_key = ? AND id = ?", (conv.key, message_id)
            ).fetchone()
            if row is None:
                raise MessageNotFound(message_id)
            data = json.loads(row["data"])
            data.update(
                text=self.sealer.text(conv, message_id, text),
                status=status.value,
                usage=usage.to_dict() if usage else None,
                error=error,
            )
            db.execute(
                "UPDATE messages SET data = ? WHERE conv_key = ? AND id = ?",
                (_dumps(data), conv.key, message_id),
            )
            return self.sealer.open_message(conv, data)

    def get_message(self, conv: ConversationRef, message_id: str) -> Message | None:
        rows = self._query(
            "SELECT data FROM messages WHERE conv_key = ? AND id = ?", (conv.key, message_id)
        )
        return self.sealer.open_message(conv, json.loads(rows[0]["data"])) if rows else None

    def newest_messages(
        self,
        conv: ConversationRef,
        *,
        limit: int,
        before_seq: int | None = None,
        public_only: bool = False,
    ) -> list[Message]:
        sql, params = "SELECT data FROM messages WHERE conv_key = ?", [conv.key]  # type: str, list[Any]
        if before_seq is not None:
            sql += " AND seq < ?"
            params.append(before_seq)
        if public_only:
            sql += " AND visibility = 'public'"
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(limit)
        rows = self._query(sql, params)
        return [self.sealer.open_message(conv, json.loads(r["data"])) for r in reversed(rows)]

    def messages_after(
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
        rows = self._query(sql, (conv.key, after_seq, limit))
        return [self.sealer.open_message(conv, json.loads(r["data"])) for r in rows]

    # -- memory ---------------------------------------------------------------------------

    def conversation_state(self, conv: ConversationRef) -> ConversationState:
        rows = self._query(
            "SELECT last_seq, checkpoint FROM conversations WHERE conv_key = ?", (conv.key,)
        )
        if not rows:
            if not conv.is_copilot and self.get_ticket(conv.ticket_id) is None:
                raise TicketNotFound(conv.ticket_id)
            return ConversationState(last_seq=0)
        raw = rows[0]["checkpoint"]
        checkpoint = self.sealer.open_checkpoint(conv, json.loads(raw)) if raw else None
        return ConversationState(last_seq=rows[0]["last_seq"], checkpoint=checkpoint)

    def save_checkpoint(
        self, conv: ConversationRef, checkpoint: Checkpoint, *, expected_version: int
    ) -> bool:
        with self._tx() as db:
            row = db.execute(
                "SELECT checkpoint FROM conversations WHERE conv_key = ?", (conv.key,)
            ).fetchone()
            if row is None:
                return False
            current = int(json.loads(row[0]).get("version", 0)) if row[0] else 0
            if current != expected_version:
                return False
            db.execute(
                "UPDATE conversations SET checkpoint = ? WHERE conv_key = ?",
                (_dumps(self.sealer.seal_checkpoint(conv, checkpoint)), conv.key),
            )
            return True

    # -- usage and audit ------------------------------------------------------------------

    def add_usage(self, keys: Sequence[str], usage: Usage) -> None:
        with self._tx() as db:
            for key in keys:
                db.execute(
                    "INSERT INTO usage (key, prompt_tokens, completion_tokens, calls) "
                    "VALUES (?, ?, ?, 1) ON CONFLICT (key) DO UPDATE SET "
                    "prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
                    "completion_tokens = completion_tokens + excluded.completion_tokens, "
                    "calls = calls + 1",
                    (key, usage.prompt_tokens, usage.completion_tokens),
                )

    def get_usage(self, key: str) -> UsageTotals:
        rows = self._query("SELECT * FROM usage WHERE key = ?", (key,))
        if not rows:
            return UsageTotals(key)
        r = rows[0]
        return UsageTotals(key, r["prompt_tokens"], r["completion_tokens"], r["calls"])

    def record_event(self, event: AuditEvent) -> None:
        data = event.to_dict()
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO events (id, ticket_id, at, data) VALUES (?, ?, ?, ?)",
                (event.id, event.ticket_id, _stamp(event.at), _dumps(data)),
            )

    def list_events(self, ticket_id: str | None = None, limit: int = 100) -> list[AuditEvent]:
        if ticket_id is None:
            rows = self._query("SELECT data FROM events ORDER BY at DESC LIMIT ?", (limit,))
        else:
            rows = self._query(
                "SELECT data FROM events WHERE ticket_id = ? ORDER BY at DESC LIMIT ?",
                (ticket_id, limit),
            )
        return [AuditEvent.from_dict(json.loads(r["data"])) for r in rows]
