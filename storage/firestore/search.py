"""Message search in Firestore: a collection-group query over every ``messages`` collection
on ``searchKeys`` (keyed tokens), newest first. Copilot threads' messages hold no keys, so
they never match; the ticket id is the message's parent document."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from storage.decode import decode_each
from storage.firestore.db import FirestoreDb
from storage.sealing import Sealer
from tickets.domain import ConversationRef
from tickets.store import MessageHit


class FirestoreSearch:
    def __init__(self, db: FirestoreDb, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def find(self, key: str, limit: int = 50) -> list[MessageHit]:
        token = self.sealer.search_key(key)
        q = (
            self.db.client.collection_group("messages")
            .where(filter=FieldFilter("searchKeys", "array_contains", token))
            .order_by("createdAt", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )

        def hit(snap: Any) -> MessageHit:
            ticket = snap.reference.parent.parent
            if ticket is None or ticket.parent.id != "tickets":
                raise ValueError("a search key outside a ticket's thread")
            conv = ConversationRef(ticket.id)
            return MessageHit(ticket.id, self.sealer.open_message(conv, snap.to_dict()))

        return decode_each(self.db.run(lambda: self.db.stream(q, "messages")), hit, "message")
