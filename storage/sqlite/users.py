"""Users in the embedded store."""

from __future__ import annotations

from storage.decode import decode_each
from storage.sqlite.db import Database, dumps, loads
from tickets.domain import Role, User


class SqliteUsers:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, uid: str) -> User | None:
        rows = self.db.query("SELECT data FROM users WHERE uid = ?", (uid,))
        return User.from_dict(loads(rows[0]["data"])) if rows else None

    def save(self, user: User) -> None:
        with self.db.tx() as db:
            db.execute(
                "INSERT INTO users (uid, data) VALUES (?, ?) "
                "ON CONFLICT (uid) DO UPDATE SET data = excluded.data",
                (user.uid, dumps(user.to_dict())),
            )

    def find(self, limit: int = 100, role: Role | None = None) -> list[User]:
        if role is None:
            rows = self.db.query("SELECT data FROM users ORDER BY uid LIMIT ?", (limit,))
        else:
            rows = self.db.query(
                "SELECT data FROM users WHERE json_extract(data, '$.role') = ? "
                "ORDER BY uid LIMIT ?",
                (role.value, limit),
            )
        return decode_each(rows, lambda r: User.from_dict(loads(r["data"])), "user")
