"""Ratings, CSAT and their daily counters in the embedded store."""

from __future__ import annotations

from collections.abc import Mapping

from storage.decode import decode_each, decode_one
from storage.sealing import Sealer, csat_context, rating_context
from storage.sqlite.db import Database, dumps, loads, stamp
from tickets.feedback import Csat, ReplyRating


class SqliteFeedback:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def _rating(self, raw: str) -> ReplyRating:
        data = loads(raw)
        opened = self.sealer.open_fields(data, ("reason",), rating_context(str(data["id"])))
        return ReplyRating.from_dict(opened)

    def _csat(self, raw: str) -> Csat:
        data = loads(raw)
        context = csat_context(str(data["ticketId"]))
        return Csat.from_dict(self.sealer.open_fields(data, ("comment",), context))

    def rate(self, rating: ReplyRating) -> ReplyRating | None:
        sealed = self.sealer.seal_fields(rating.to_dict(), ("reason",), rating_context(rating.id))
        with self.db.tx() as db:
            row = db.execute("SELECT data FROM ratings WHERE id = ?", (rating.id,)).fetchone()
            db.execute(
                "INSERT INTO ratings (id, ticket_id, at, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET at = excluded.at, data = excluded.data",
                (rating.id, rating.ticket_id, stamp(rating.at), dumps(sealed)),
            )
        return decode_one(row["data"], self._rating, "rating") if row else None

    def ratings(self, ticket_id: str, limit: int = 500) -> list[ReplyRating]:
        rows = self.db.query(
            "SELECT data FROM ratings WHERE ticket_id = ? ORDER BY at LIMIT ?", (ticket_id, limit)
        )
        return decode_each((r["data"] for r in rows), self._rating, "rating")

    def give_csat(self, csat: Csat) -> bool:
        sealed = self.sealer.seal_fields(csat.to_dict(), ("comment",), csat_context(csat.ticket_id))
        with self.db.tx() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO csat (ticket_id, at, data) VALUES (?, ?, ?)",
                (csat.ticket_id, stamp(csat.at), dumps(sealed)),
            )
            return cursor.rowcount == 1

    def csat(self, ticket_id: str) -> Csat | None:
        rows = self.db.query("SELECT data FROM csat WHERE ticket_id = ?", (ticket_id,))
        return decode_one(rows[0]["data"], self._csat, "csat") if rows else None

    def count(self, day: str, deltas: Mapping[str, int]) -> None:
        with self.db.tx() as db:
            db.executemany(
                "INSERT INTO feedback_counts (day, name, value) VALUES (?, ?, ?) "
                "ON CONFLICT (day, name) DO UPDATE SET value = value + excluded.value",
                [(day, name, delta) for name, delta in deltas.items() if delta],
            )

    def counters(self, day: str) -> dict[str, int]:
        rows = self.db.query("SELECT name, value FROM feedback_counts WHERE day = ?", (day,))
        return {r["name"]: int(r["value"]) for r in rows}
