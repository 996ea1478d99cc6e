"""Triage suggestions and decisions in the embedded store."""

from __future__ import annotations

from storage.decode import decode_one
from storage.sqlite.db import Database, dumps, loads
from tickets.triage import TriageRecord


def _open(raw: str) -> TriageRecord:
    return TriageRecord.from_dict(loads(raw))


class SqliteTriage:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, ticket_id: str) -> TriageRecord | None:
        rows = self.db.query("SELECT data FROM triage WHERE ticket_id = ?", (ticket_id,))
        return decode_one(rows[0]["data"], _open, "triage") if rows else None

    def save(self, record: TriageRecord) -> None:
        with self.db.tx() as db:
            db.execute(
                "INSERT INTO triage (ticket_id, data) VALUES (?, ?) "
                "ON CONFLICT (ticket_id) DO UPDATE SET data = excluded.data",
                (record.ticket_id, dumps(record.to_dict())),
            )
