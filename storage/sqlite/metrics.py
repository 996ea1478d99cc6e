"""Report aggregates in the embedded store: each ticket's stats row and counters per day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from storage.sqlite.db import Database, dumps, loads
from tickets.metrics import StatsChange, TicketStats


class SqliteMetrics:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, ticket_id: str, change: StatsChange) -> bool:
        with self.db.tx() as db:
            row = db.execute(
                "SELECT data FROM ticket_stats WHERE ticket_id = ?", (ticket_id,)
            ).fetchone()
            stored = TicketStats.from_dict(loads(row["data"])) if row else None
            changed = change(stored)
            if changed is None:
                return False
            stats, increments = changed
            db.execute(
                "INSERT INTO ticket_stats (ticket_id, data) VALUES (?, ?) "
                "ON CONFLICT (ticket_id) DO UPDATE SET data = excluded.data",
                (ticket_id, dumps(stats.to_dict())),
            )
            for day, path, delta in increments:
                if delta:
                    db.execute(
                        "INSERT INTO metric_days (day, path, value) VALUES (?, ?, ?) "
                        "ON CONFLICT (day, path) DO UPDATE SET value = value + excluded.value",
                        (day.isoformat(), path, delta),
                    )
            return True

    def stats(self, ticket_id: str) -> TicketStats | None:
        rows = self.db.query("SELECT data FROM ticket_stats WHERE ticket_id = ?", (ticket_id,))
        return TicketStats.from_dict(loads(rows[0]["data"])) if rows else None

    def days(self, first: date, last: date) -> dict[date, dict[str, int]]:
        rows = self.db.query(
            "SELECT day, path, value FROM metric_days WHERE day >= ? AND day <= ?",
            (first.isoformat(), last.isoformat()),
        )
        found: dict[date, dict[str, int]] = defaultdict(dict)
        for r in rows:
            found[date.fromisoformat(r["day"])][r["path"]] = int(r["value"])
        return dict(found)
