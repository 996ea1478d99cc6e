"""Triage suggestions and decisions in Firestore: ``triage/{ticketId}`` (server only)."""

from __future__ import annotations

from typing import Any

from storage.decode import decode_one
from storage.firestore.db import FirestoreDb
from tickets.triage import TriageRecord


def _open(snap: Any) -> TriageRecord:
    return TriageRecord.from_dict(snap.to_dict())


class FirestoreTriage:
    def __init__(self, db: FirestoreDb) -> None:
        self.db = db

    def get(self, ticket_id: str) -> TriageRecord | None:
        ref = self.db.client.collection("triage").document(ticket_id)
        snap = self.db.run(lambda: self.db.get(ref))
        return decode_one(snap, _open, "triage") if snap.exists else None

    def save(self, record: TriageRecord) -> None:
        ref = self.db.client.collection("triage").document(record.ticket_id)
        self.db.run(lambda: ref.set(record.to_dict()))
