"""Presence in Firestore: ``tickets/{id}/presence/{uid}``, one short-lived document per
viewer with ``expireAt`` (a TTL policy on it deletes old ones; until then the query skips
them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from storage.decode import decode_each
from storage.firestore.db import FirestoreDb
from tickets.presence import Presence


class FirestorePresence:
    def __init__(self, db: FirestoreDb) -> None:
        self.db = db

    def put(self, presence: Presence) -> None:
        ref = self.db.presence(presence.ticket_id).document(presence.uid)
        self.db.run(lambda: ref.set(presence.to_dict()))

    def remove(self, ticket_id: str, uid: str) -> None:
        ref = self.db.presence(ticket_id).document(uid)
        self.db.run(lambda: ref.delete())

    def live(self, ticket_id: str, now: datetime) -> list[Presence]:
        q: Any = self.db.presence(ticket_id).where(filter=FieldFilter("expireAt", ">", now))
        snaps = self.db.run(lambda: self.db.stream(q, "presence"))
        return decode_each(snaps, lambda s: Presence.from_dict(s.to_dict()), "presence")
