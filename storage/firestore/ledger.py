"""Token usage counters (``usage/{key}``, server-side increments) and the audit log
(``audit/{id}``) in Firestore."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from storage.decode import decode_each
from storage.firestore.db import FirestoreDb
from tickets.domain import AuditEvent, Usage
from tickets.store import UsageTotals


class FirestoreUsage:
    def __init__(self, db: FirestoreDb) -> None:
        self.db = db

    def add(self, keys: Sequence[str], usage: Usage) -> None:
        batch = self.db.client.batch()
        for key in keys:
            increments = {
                "key": key,
                "promptTokens": firestore.Increment(usage.prompt_tokens),
                "completionTokens": firestore.Increment(usage.completion_tokens),
                "calls": firestore.Increment(1),
            }
            batch.set(self.db.client.collection("usage").document(key), increments, merge=True)
        self.db.run(batch.commit)

    def get(self, key: str) -> UsageTotals:
        ref = self.db.client.collection("usage").document(key)
        snap = self.db.run(lambda: self.db.get(ref))
        data = snap.to_dict() if snap.exists else {}
        return UsageTotals(
            key,
            int(data.get("promptTokens", 0)),
            int(data.get("completionTokens", 0)),
            int(data.get("calls", 0)),
        )


class FirestoreAudit:
    def __init__(self, db: FirestoreDb) -> None:
        self.db = db

    def record(self, event: AuditEvent) -> None:
        ref = self.db.client.collection("audit").document(event.id)
        self.db.run(lambda: ref.set(event.to_dict()))

    def find(self, ticket_id: str | None = None, limit: int = 100) -> list[AuditEvent]:
        q: Any = self.db.client.collection("audit")
        if ticket_id is not None:
            q = q.where(filter=FieldFilter("ticketId", "==", ticket_id))
        q = q.order_by("at", direction=firestore.Query.DESCENDING).limit(limit)
        snaps = self.db.run(lambda: self.db.stream(q, "audit"))
        return decode_each(snaps, lambda s: AuditEvent.from_dict(s.to_dict()), "audit")
