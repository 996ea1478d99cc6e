"""Change markers in Firestore: ``tickets/{id}/live/activity`` (three counters), and the
tickets changed since a moment (a range query on ``changedAt``: one read when idle)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from storage.decode import decode_each
from storage.firestore.db import FirestoreDb
from storage.sealing import Sealer
from tickets.domain import Ticket
from tickets.live import Activity, ActivityKind


class FirestoreActivity:
    def __init__(self, db: FirestoreDb, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def get(self, ticket_id: str) -> Activity:
        snap = self.db.run(lambda: self.db.get(self.db.activity(ticket_id)))
        return Activity.from_dict(snap.to_dict() if snap.exists else None)

    def touch(self, ticket_id: str, kind: ActivityKind) -> None:
        ref = self.db.activity(ticket_id)
        self.db.run(lambda: ref.set({kind.value: firestore.Increment(1)}, merge=True))

    def changed_since(self, since: datetime, limit: int = 100) -> list[Ticket]:
        q: Any = self.db.tickets().where(filter=FieldFilter("changedAt", ">", since))
        q = q.order_by("changedAt", direction=firestore.Query.DESCENDING).limit(limit)
        snaps = self.db.run(lambda: self.db.stream(q, "tickets"))
        return decode_each(snaps, lambda s: self.sealer.open_ticket(s.to_dict()), "ticket")
