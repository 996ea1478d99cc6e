"""Ratings, CSAT and daily counters in Firestore: ``ratings/{id}``, ``csat/{ticketId}``,
``feedbackCounts/{day}`` (one document a day, blind increments). Server only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from storage.decode import decode_each, decode_one
from storage.firestore.db import FirestoreDb
from storage.sealing import Sealer, csat_context, rating_context
from tickets.feedback import Csat, ReplyRating


class FirestoreFeedback:
    def __init__(self, db: FirestoreDb, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def _rating(self, snap: Any) -> ReplyRating:
        data = snap.to_dict()
        return ReplyRating.from_dict(
            self.sealer.open_fields(data, ("reason",), rating_context(snap.id))
        )

    def _csat(self, snap: Any) -> Csat:
        data = self.sealer.open_fields(snap.to_dict(), ("comment",), csat_context(snap.id))
        return Csat.from_dict(data)

    def rate(self, rating: ReplyRating) -> ReplyRating | None:
        ref = self.db.client.collection("ratings").document(rating.id)
        sealed = self.sealer.seal_fields(rating.to_dict(), ("reason",), rating_context(rating.id))

        def body(tx: Any) -> ReplyRating | None:
            snap = self.db.get(ref, tx)
            tx.set(ref, sealed)
            return decode_one(snap, self._rating, "rating") if snap.exists else None

        return self.db.run(lambda: self.db.transaction(body))

    def ratings(self, ticket_id: str, limit: int = 500) -> list[ReplyRating]:
        q = (
            self.db.client.collection("ratings")
            .where(filter=FieldFilter("ticketId", "==", ticket_id))
            .order_by("at")
            .limit(limit)
        )
        return decode_each(
            self.db.run(lambda: self.db.stream(q, "ratings")), self._rating, "rating"
        )

    def give_csat(self, csat: Csat) -> bool:
        ref = self.db.client.collection("csat").document(csat.ticket_id)
        sealed = self.sealer.seal_fields(csat.to_dict(), ("comment",), csat_context(csat.ticket_id))

        def create() -> bool:
            try:
                ref.create(sealed)
            except gexc.AlreadyExists:
                return False
            return True

        return self.db.run(create)

    def csat(self, ticket_id: str) -> Csat | None:
        ref = self.db.client.collection("csat").document(ticket_id)
        snap = self.db.run(lambda: self.db.get(ref))
        return decode_one(snap, self._csat, "csat") if snap.exists else None

    def count(self, day: str, deltas: Mapping[str, int]) -> None:
        moves = {name: firestore.Increment(delta) for name, delta in deltas.items() if delta}
        if not moves:
            return
        ref = self.db.client.collection("feedbackCounts").document(day)
        self.db.run(lambda: ref.set({"day": day, "counts": moves}, merge=True))

    def counters(self, day: str) -> dict[str, int]:
        ref = self.db.client.collection("feedbackCounts").document(day)
        snap = self.db.run(lambda: self.db.get(ref))
        counts = (snap.to_dict() or {}).get("counts", {}) if snap.exists else {}
        return {str(k): int(v) for k, v in counts.items()}
