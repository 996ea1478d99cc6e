"""Users in Firestore: ``users/{uid}``."""

from __future__ import annotations

from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from storage.decode import decode_each
from storage.firestore.db import FirestoreDb
from storage.sealing import Sealer
from tickets.domain import Role, User


class FirestoreUsers:
    def __init__(self, db: FirestoreDb, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def get(self, uid: str) -> User | None:
        snap = self.db.run(lambda: self.db.get(self.db.users().document(uid)))
        return self.sealer.open_user(snap.to_dict()) if snap.exists else None

    def save(self, user: User) -> None:
        data = self.sealer.seal_user(user)
        self.db.run(lambda: self.db.users().document(user.uid).set(data))

    def find(
        self, limit: int = 100, role: Role | None = None, after: str | None = None
    ) -> list[User]:
        q: Any = self.db.users()
        if role is not None:
            q = q.where(filter=FieldFilter("role", "==", role.value))
        if after:
            q = q.where(filter=FieldFilter("uid", ">", after))
        q = q.order_by("uid").limit(limit)
        snaps = self.db.run(lambda: self.db.stream(q, "users"))
        return decode_each(snaps, lambda s: self.sealer.open_user(s.to_dict()), "user")
