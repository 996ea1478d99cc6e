"""Token usage counters and the audit log in the embedded store."""

from __future__ import annotations

from collections.abc import Sequence

from storage.decode import decode_each
from storage.shredding import Shredder, SubjectKey
from storage.sqlite.db import Database, dumps, loads, stamp
from tickets.domain import AuditEvent, Usage
from tickets.store import AuditQuery, UsageTotals, usage_key_parts


class SqliteUsage:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, keys: Sequence[str], usage: Usage) -> None:
        with self.db.tx() as db:
            for key in keys:
                kind, owner, period = usage_key_parts(key) or (None, None, None)
                db.execute(
                    "INSERT INTO usage "
                    "(key, prompt_tokens, completion_tokens, calls, kind, owner, period) "
                    "VALUES (?, ?, ?, 1, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                    "prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
                    "completion_tokens = completion_tokens + excluded.completion_tokens, "
                    "calls = calls + 1",
                    (key, usage.prompt_tokens, usage.completion_tokens, kind, owner, period),
                )

    def get(self, key: str) -> UsageTotals:
        rows = self.db.query("SELECT * FROM usage WHERE key = ?", (key,))
        if not rows:
            return UsageTotals(key)
        r = rows[0]
        return UsageTotals(key, r["prompt_tokens"], r["completion_tokens"], r["calls"])

    def of_owner(self, kind: str, owner: str) -> list[UsageTotals]:
        rows = self.db.query(
            "SELECT * FROM usage WHERE kind = ? AND owner = ? ORDER BY key", (kind, owner)
        )
        return [
            UsageTotals(r["key"], r["prompt_tokens"], r["completion_tokens"], r["calls"])
            for r in rows
        ]

    def top(self, kind: str, period: str, limit: int = 20) -> list[UsageTotals]:
        rows = self.db.query(
            "SELECT * FROM usage WHERE kind = ? AND period = ? "
            "ORDER BY prompt_tokens + completion_tokens DESC, key LIMIT ?",
            (kind, period, limit),
        )
        return [
            UsageTotals(r["key"], r["prompt_tokens"], r["completion_tokens"], r["calls"])
            for r in rows
        ]


class SqliteKeyVault:
    """Per-customer audit keys (see :mod:`storage.shredding`)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _one(self, where: str, value: str) -> SubjectKey | None:
        rows = self.db.query(f"SELECT * FROM subject_keys WHERE {where} = ?", (value,))  # noqa: S608
        return SubjectKey(rows[0]["uid"], rows[0]["key_id"], rows[0]["wrapped"]) if rows else None

    def by_uid(self, uid: str) -> SubjectKey | None:
        return self._one("uid", uid)

    def by_id(self, key_id: str) -> SubjectKey | None:
        return self._one("key_id", key_id)

    def create(self, key: SubjectKey) -> SubjectKey:
        with self.db.tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO subject_keys (uid, key_id, wrapped) VALUES (?, ?, ?)",
                (key.uid, key.key_id, key.wrapped),
            )
        stored = self.by_uid(key.uid)
        assert stored is not None
        return stored

    def delete(self, uid: str) -> bool:
        with self.db.tx() as db:
            return db.execute("DELETE FROM subject_keys WHERE uid = ?", (uid,)).rowcount > 0


class SqliteAudit:
    """The audit log: rows are inserted, never updated or deleted (triggers refuse it)."""

    def __init__(self, db: Database, shredder: Shredder) -> None:
        self.db, self.shredder = db, shredder

    def record(self, event: AuditEvent) -> None:
        data = self.shredder.seal(event)
        with self.db.tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO events "
                "(id, ticket_id, at, data, kind, actor_ref, subject_key_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    event.id,
                    event.ticket_id,
                    stamp(event.at),
                    dumps(data),
                    event.kind,
                    data["actorRef"],
                    data["subjectKeyId"],
                ),
            )

    def find(
        self, ticket_id: str | None = None, limit: int = 100, *, query: AuditQuery | None = None
    ) -> list[AuditEvent]:
        q = query or AuditQuery(ticket_id=ticket_id, limit=limit)
        where: list[str] = ["1 = 1"]
        params: list[object] = []
        if q.ticket_id is not None:
            where.append("ticket_id = ?")
            params.append(q.ticket_id)
        if q.kind is not None:
            where.append("kind = ?")
            params.append(q.kind)
        if q.actor_uid is not None:
            refs = self.shredder.actor_refs(q.actor_uid)
            where.append(f"actor_ref IN ({', '.join('?' * len(refs))})")
            params.extend(refs)
        if q.subject_uid is not None:
            where.append("subject_key_id = ?")
            params.append(self.shredder.key_id(q.subject_uid) or "-")
        if q.since is not None:
            where.append("at >= ?")
            params.append(stamp(q.since))
        if q.until is not None:
            where.append("at < ?")
            params.append(stamp(q.until))
        sql = f"SELECT data FROM events WHERE {' AND '.join(where)} ORDER BY at DESC, id LIMIT ?"  # noqa: S608
        rows = self.db.query(sql, [*params, q.limit])
        keys: dict[str, SubjectKey | None] = {}
        return decode_each(rows, lambda r: self.shredder.open(loads(r["data"]), keys), "audit")
