"""Token usage counters and the audit log in the embedded store."""

from __future__ import annotations

from collections.abc import Sequence

from storage.decode import decode_each
from storage.sqlite.db import Database, dumps, loads, stamp
from tickets.domain import AuditEvent, Usage
from tickets.store import UsageTotals


class SqliteUsage:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, keys: Sequence[str], usage: Usage) -> None:
        with self.db.tx() as db:
            for key in keys:
                db.execute(
                    "INSERT INTO usage (key, prompt_tokens, completion_tokens, calls) "
                    "VALUES (?, ?, ?, 1) ON CONFLICT (key) DO UPDATE SET "
                    "prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
                    "completion_tokens = completion_tokens + excluded.completion_tokens, "
                    "calls = calls + 1",
                    (key, usage.prompt_tokens, usage.completion_tokens),
                )

    def get(self, key: str) -> UsageTotals:
        rows = self.db.query("SELECT * FROM usage WHERE key = ?", (key,))
        if not rows:
            return UsageTotals(key)
        r = rows[0]
        return UsageTotals(key, r["prompt_tokens"], r["completion_tokens"], r["calls"])


class SqliteAudit:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, event: AuditEvent) -> None:
        with self.db.tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO events (id, ticket_id, at, data) VALUES (?, ?, ?, ?)",
                (event.id, event.ticket_id, stamp(event.at), dumps(event.to_dict())),
            )

    def find(self, ticket_id: str | None = None, limit: int = 100) -> list[AuditEvent]:
        if ticket_id is None:
            rows = self.db.query("SELECT data FROM events ORDER BY at DESC LIMIT ?", (limit,))
        else:
            rows = self.db.query(
                "SELECT data FROM events WHERE ticket_id = ? ORDER BY at DESC LIMIT ?",
                (ticket_id, limit),
            )
        return decode_each(rows, lambda r: AuditEvent.from_dict(loads(r["data"])), "audit")
