"""Unsent text in Firestore: ``users/{uid}/drafts/{ticketId}``, sealed like message text.
Server only (no rule lets a client read or write it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from storage.decode import decode_one
from storage.firestore.db import FirestoreDb
from storage.sealing import Sealer, draft_context
from tickets.drafts import Draft


class FirestoreDrafts:
    def __init__(self, db: FirestoreDb, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def _ref(self, uid: str, ticket_id: str) -> Any:
        return self.db.users().document(uid).collection("drafts").document(ticket_id)

    def _open(self, snap: Any) -> Draft:
        data = snap.to_dict()
        context = draft_context(str(data["uid"]), str(data["ticketId"]))
        return Draft.from_dict(self.sealer.open_fields(data, ("text",), context))

    def get(self, uid: str, ticket_id: str) -> Draft | None:
        snap = self.db.run(lambda: self.db.get(self._ref(uid, ticket_id)))
        return decode_one(snap, self._open, "draft") if snap.exists else None

    def put(self, draft: Draft) -> None:
        context = draft_context(draft.uid, draft.ticket_id)
        data = self.sealer.seal_fields(draft.to_dict(), ("text",), context)
        ref = self._ref(draft.uid, draft.ticket_id)
        self.db.run(lambda: ref.set(data))

    def delete(self, uid: str, ticket_id: str) -> None:
        ref = self._ref(uid, ticket_id)
        self.db.run(lambda: ref.delete())


@dataclass
class DraftEraser:
    """Erasure (:class:`tickets.store.Eraser`): every person's draft of a ticket; a user's
    own drafts go with their document's recursive delete."""

    db: FirestoreDb
    name: str = "drafts"

    def erase_ticket(self, ticket_id: str) -> int:
        query = self.db.client.collection_group("drafts").where(
            filter=FieldFilter("ticketId", "==", ticket_id)
        )
        snaps = self.db.run(lambda: self.db.stream(query, "drafts"))
        for snap in snaps:
            self.db.run(snap.reference.delete)
        return len(snaps)

    def erase_user(self, uid: str) -> int:
        return 0  # under users/{uid}: the user eraser's recursive delete takes it
