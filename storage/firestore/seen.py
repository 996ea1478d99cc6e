"""Read state in Firestore: ``users/{uid}/seen/{ticketId}``, the seq an agent has seen, off
the ticket document (so opening a ticket never writes to it)."""

from __future__ import annotations

from collections.abc import Sequence

from google.cloud import firestore

from storage.firestore.db import FirestoreDb


class FirestoreSeen:
    def __init__(self, db: FirestoreDb) -> None:
        self.db = db

    def get(self, uid: str, ticket_ids: Sequence[str]) -> dict[str, int]:
        if not ticket_ids:
            return {}
        refs = [self.db.seen(uid).document(tid) for tid in dict.fromkeys(ticket_ids)]

        def read() -> dict[str, int]:
            snaps = list(self.db.client.get_all(refs))
            self.db.count("get:seen", len(refs))  # a missing document is billed too
            return {s.id: int((s.to_dict() or {}).get("seq", 0)) for s in snaps if s.exists}

        return self.db.run(read)

    def mark(self, uid: str, ticket_id: str, seq: int) -> None:
        ref = self.db.seen(uid).document(ticket_id)
        data = {"uid": uid, "ticketId": ticket_id, "seq": firestore.Maximum(seq)}
        self.db.run(lambda: ref.set(data, merge=True))
