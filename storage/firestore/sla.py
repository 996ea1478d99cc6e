"""SLA clocks in Firestore: ``sla/{ticketId}`` (server only); the queue asks for running
clocks by ``dueAt`` (index: state, dueAt)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from storage.decode import decode_each
from storage.firestore.db import FirestoreDb
from tickets.sla import ClockChange, SlaClock


def _open(snap: Any) -> SlaClock:
    return SlaClock.from_dict(snap.to_dict())


class FirestoreSla:
    def __init__(self, db: FirestoreDb) -> None:
        self.db = db

    def _ref(self, ticket_id: str) -> Any:
        return self.db.client.collection("sla").document(ticket_id)

    def get(self, ticket_id: str) -> SlaClock | None:
        return self.get_many([ticket_id]).get(ticket_id)

    def get_many(self, ticket_ids: Sequence[str]) -> dict[str, SlaClock]:
        if not ticket_ids:
            return {}
        refs = [self._ref(tid) for tid in dict.fromkeys(ticket_ids)]

        def read() -> list[Any]:
            snaps = [s for s in self.db.client.get_all(refs) if s.exists]
            self.db.count("get:sla", len(refs))
            return snaps

        clocks = decode_each(self.db.run(read), _open, "sla")
        return {clock.ticket_id: clock for clock in clocks}

    def revise(self, ticket_id: str, change: ClockChange) -> SlaClock | None:
        ref = self._ref(ticket_id)

        def body(tx: Any) -> SlaClock | None:
            snap = self.db.get(ref, tx)
            changed = change(_open(snap) if snap.exists else None)
            if changed is not None:
                tx.set(ref, changed.to_dict())
            return changed

        return self.db.run(lambda: self.db.transaction(body))

    def due(self, limit: int = 50, until: datetime | None = None) -> list[SlaClock]:
        q: Any = self.db.client.collection("sla").where(
            filter=FieldFilter("state", "==", "running")
        )
        if until is not None:
            q = q.where(filter=FieldFilter("dueAt", "<=", until))
        q = q.order_by("dueAt").limit(limit)
        return decode_each(self.db.run(lambda: self.db.stream(q, "sla")), _open, "sla")
