"""Users in Firestore: ``users/{uid}``."""

from __future__ import annotations

from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from storage.decode import decode_each
from storage.firestore.db import FirestoreDb
from tickets.domain import Role, User


class FirestoreUsers:
    def __init__(self, db: FirestoreDb) -> None:
        self.db = db

    def get(self, uid: str) -> User | None:
        snap = self.db.run(lambda: self.db.get(self.db.users().document(uid)))
        return User.from_dict(snap.to_dict()) if snap.exists else None

    def save(self, user: User) -> None:
        self.db.run(lambda: self.db.users().document(user.uid).set(user.to_dict()))

    def find(self, limit: int = 100, role: Role | None = None) -> list[User]:
        q: Any = self.db.users()
        if role is not None:
            q = q.where(filter=FieldFilter("role", "==", role.value))
        q = q.order_by("uid").limit(limit)
        snaps = self.db.run(lambda: self.db.stream(q, "users"))
        return decode_each(snaps, lambda s: User.from_dict(s.to_dict()), "user")
