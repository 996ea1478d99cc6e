"""The SQLite file shared by the embedded adapter's stores: one connection guarded by a lock,
numbered migrations, and ``BEGIN IMMEDIATE`` transactions (so two processes sharing the file
also keep ``seq`` unique)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from tickets.errors import StoreBusy, StoreUnavailable

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
    # the memory checkpoint moves to a table of its own: posts stop rewriting it
    """
    CREATE TABLE checkpoints (conv_key TEXT PRIMARY KEY, data TEXT NOT NULL);
    INSERT INTO checkpoints (conv_key, data)
        SELECT conv_key, checkpoint FROM conversations WHERE checkpoint IS NOT NULL;
    ALTER TABLE conversations DROP COLUMN checkpoint;
    """,
    # live updates: change markers, presence, and read state off the ticket row
    """
    CREATE TABLE activity (
        ticket_id TEXT PRIMARY KEY, thread INTEGER NOT NULL DEFAULT 0,
        ticket INTEGER NOT NULL DEFAULT 0, presence INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE presence (
        ticket_id TEXT NOT NULL, uid TEXT NOT NULL, expire_at TEXT NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (ticket_id, uid));
    CREATE TABLE seen (
        uid TEXT NOT NULL, ticket_id TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (uid, ticket_id));
    INSERT INTO seen (uid, ticket_id, seq)
        SELECT s.key, t.id, s.value FROM tickets t, json_each(t.data, '$.seenBy') s;
    UPDATE tickets SET data = json_remove(data, '$.seenBy');
    ALTER TABLE tickets ADD COLUMN changed_at TEXT;
    UPDATE tickets SET changed_at = updated_at;
    CREATE INDEX tickets_changed ON tickets (changed_at DESC);
    """,
    # the knowledge base: articles, their chunks (with an embedding when configured), and a
    # revision that moves on every change (processes rebuild their lexical index then)
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, visibility TEXT NOT NULL, data TEXT NOT NULL);
    CREATE INDEX articles_visibility ON articles (visibility, title);
    CREATE TABLE article_chunks (
        article_id TEXT NOT NULL, idx INTEGER NOT NULL, visibility TEXT NOT NULL,
        data TEXT NOT NULL, embedding TEXT, PRIMARY KEY (article_id, idx));
    CREATE TABLE knowledge_revision (id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER);
    INSERT INTO knowledge_revision (id, revision) VALUES (1, 0);
    """,
    # the helpdesk: snippets and macros, ratings, CSAT and their daily counters, SLA clocks,
    # triage, and the message search index (keyed tokens; messages written from now on)
    """
    CREATE TABLE snippets (id TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE ratings (
        id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL);
    CREATE INDEX ratings_ticket ON ratings (ticket_id, at);
    CREATE TABLE csat (ticket_id TEXT PRIMARY KEY, at TEXT NOT NULL, data TEXT NOT NULL);
    CREATE TABLE feedback_counts (
        day TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (day, name));
    CREATE TABLE sla (
        ticket_id TEXT PRIMARY KEY, state TEXT NOT NULL, due_at TEXT, data TEXT NOT NULL);
    CREATE INDEX sla_due ON sla (state, due_at);
    CREATE TABLE triage (ticket_id TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE message_keys (
        token TEXT NOT NULL, ticket_id TEXT NOT NULL, message_id TEXT NOT NULL,
        created_at TEXT NOT NULL, PRIMARY KEY (token, ticket_id, message_id));
    CREATE INDEX message_keys_message ON message_keys (ticket_id, message_id);
    """,
    # the audit log: filterable columns, append-only (triggers refuse changes), per-customer
    # keys for crypto-shredding; metrics; retention (expire_at on tickets)
    """
    ALTER TABLE events ADD COLUMN kind TEXT;
    ALTER TABLE events ADD COLUMN actor_ref TEXT;
    ALTER TABLE events ADD COLUMN subject_key_id TEXT;
    UPDATE events SET kind = json_extract(data, '$.kind'),
        actor_ref = json_extract(data, '$.actorUid');
    CREATE INDEX events_at ON events (at DESC);
    CREATE INDEX events_kind ON events (kind, at DESC);
    CREATE INDEX events_actor ON events (actor_ref, at DESC);
    CREATE INDEX events_subject ON events (subject_key_id, at DESC);
    CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE subject_keys (
        uid TEXT PRIMARY KEY, key_id TEXT NOT NULL UNIQUE, wrapped TEXT NOT NULL);
    ALTER TABLE usage ADD COLUMN kind TEXT;
    ALTER TABLE usage ADD COLUMN owner TEXT;
    ALTER TABLE usage ADD COLUMN period TEXT;
    UPDATE usage SET kind = CASE WHEN key LIKE 'user-%' THEN 'user'
        WHEN key LIKE 'ticket-%' THEN 'ticket' END;
    UPDATE usage SET period = CASE WHEN key LIKE '%-all' THEN 'all'
        WHEN key GLOB '*-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' THEN substr(key, -10)
        ELSE substr(key, -7) END WHERE kind IS NOT NULL;
    UPDATE usage SET owner = substr(key, length(kind) + 2,
        length(key) - length(kind) - length(period) - 2) WHERE kind IS NOT NULL;
    CREATE INDEX usage_top ON usage (kind, period, prompt_tokens + completion_tokens DESC);
    CREATE INDEX usage_owner ON usage (owner);
    ALTER TABLE tickets ADD COLUMN expire_at TEXT;
    CREATE INDEX tickets_expire ON tickets (expire_at) WHERE expire_at IS NOT NULL;
    CREATE TABLE ticket_stats (ticket_id TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE metric_days (
        day TEXT NOT NULL, path TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (day, path));
    """,
)


def statements(script: str) -> Iterator[str]:
    """The statements of a migration script (a trigger's body keeps its own semicolons)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    raise TypeError(f"cannot store {type(value).__name__}")


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, default=_encode, ensure_ascii=False)


def loads(raw: str) -> dict[str, Any]:
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("not a document")
    return data


def stamp(value: datetime) -> str:
    return str(_encode(value))


class Database:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
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

    def _migrate(self) -> None:
        with self.tx() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in statements(script):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise StoreBusy() from exc
                raise StoreUnavailable(str(exc)) from exc
            except sqlite3.Error as exc:
                raise StoreUnavailable(str(exc)) from exc
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreUnavailable(str(exc)) from exc
