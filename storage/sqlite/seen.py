"""Read state in the embedded store: the seq each agent has seen of each ticket."""

from __future__ import annotations

from collections.abc import Sequence

from storage.sqlite.db import Database


class SqliteSeen:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, uid: str, ticket_ids: Sequence[str]) -> dict[str, int]:
        ids = list(dict.fromkeys(ticket_ids))
        found: dict[str, int] = {}
        for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.query(
                f"SELECT ticket_id, seq FROM seen WHERE uid = ? AND ticket_id IN ({marks})",  # noqa: S608
                [uid, *chunk],
            )
            found.update({r["ticket_id"]: int(r["seq"]) for r in rows})
        return found

    def mark(self, uid: str, ticket_id: str, seq: int) -> None:
        with self.db.tx() as db:
            db.execute(
                "INSERT INTO seen (uid, ticket_id, seq) VALUES (?, ?, ?) "
                "ON CONFLICT (uid, ticket_id) DO UPDATE SET seq = max(seq, excluded.seq)",
                (uid, ticket_id, seq),
            )
