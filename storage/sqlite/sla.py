"""SLA clocks in the embedded store: one row per ticket, its state and due time indexed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.decode import decode_each
from storage.sqlite.db import Database, dumps, loads, stamp
from tickets.sla import ClockChange, SlaClock


def _open(raw: str) -> SlaClock:
    return SlaClock.from_dict(loads(raw))


class SqliteSla:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, ticket_id: str) -> SlaClock | None:
        return self.get_many([ticket_id]).get(ticket_id)

    def get_many(self, ticket_ids: Sequence[str]) -> dict[str, SlaClock]:
        ids = list(dict.fromkeys(ticket_ids))
        found: list[SlaClock] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.query(
                f"SELECT data FROM sla WHERE ticket_id IN ({marks})",  # noqa: S608
                chunk,
            )
            found += decode_each((r["data"] for r in rows), _open, "sla")
        return {clock.ticket_id: clock for clock in found}

    def revise(self, ticket_id: str, change: ClockChange) -> SlaClock | None:
        with self.db.tx() as db:
            row = db.execute("SELECT data FROM sla WHERE ticket_id = ?", (ticket_id,)).fetchone()
            changed = change(_open(row["data"]) if row else None)
            if changed is None:
                return None
            due = stamp(changed.due_at) if changed.due_at else None
            db.execute(
                "INSERT INTO sla (ticket_id, state, due_at, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (ticket_id) DO UPDATE SET state = excluded.state, "
                "due_at = excluded.due_at, data = excluded.data",
                (ticket_id, changed.state.value, due, dumps(changed.to_dict())),
            )
            return changed

    def due(self, limit: int = 50, until: datetime | None = None) -> list[SlaClock]:
        sql = "SELECT data FROM sla WHERE state = 'running' AND due_at IS NOT NULL"
        params: list[object] = []
        if until is not None:
            sql += " AND due_at <= ?"
            params.append(stamp(until))
        rows = self.db.query(sql + " ORDER BY due_at LIMIT ?", [*params, limit])
        return decode_each((r["data"] for r in rows), _open, "sla")
