"""Users in the embedded store."""

from __future__ import annotations

from storage.decode import decode_each
from storage.sealing import Sealer
from storage.sqlite.db import Database, dumps, loads
from tickets.domain import Role, User


class SqliteUsers:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def get(self, uid: str) -> User | None:
        rows = self.db.query("SELECT data FROM users WHERE uid = ?", (uid,))
        return self.sealer.open_user(loads(rows[0]["data"])) if rows else None

    def save(self, user: User) -> None:
        with self.db.tx() as db:
            db.execute(
                "INSERT INTO users (uid, data) VALUES (?, ?) "
                "ON CONFLICT (uid) DO UPDATE SET data = excluded.data",
                (user.uid, dumps(self.sealer.seal_user(user))),
            )

    def find(
        self, limit: int = 100, role: Role | None = None, after: str | None = None
    ) -> list[User]:
        rows = self.db.query(
            "SELECT data FROM users WHERE uid > ? AND (? IS NULL OR "
            "json_extract(data, '$.role') = ?) ORDER BY uid LIMIT ?",
            (after or "", role and role.value, role and role.value, limit),
        )
        return decode_each(rows, lambda r: self.sealer.open_user(loads(r["data"])), "user")
