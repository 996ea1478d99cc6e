"""Ticket expiry in Firestore: ``expireAt`` on the ticket and every document under it, for
the TTL policies in ``firestore.indexes.json`` (a TTL deletes one document, never its
subcollections, so each document carries its own). Presence entries keep their own,
shorter expiry. New documents written under a marked ticket take its expiry
(:func:`storage.firestore.db.with_expiry`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from storage.firestore.db import EXPIRY, FirestoreDb
from tickets.domain import as_datetime

BATCH = 400
OWN_EXPIRY = {"presence"}  # collections whose documents expire on their own schedule


def tree(doc: Any) -> Iterator[Any]:
    """``doc`` and every document under it (references only: listing them reads nothing)."""
    yield doc
    for collection in doc.collections():
        if collection.id in OWN_EXPIRY:
            continue
        for child in collection.list_documents():
            yield from tree(child)


class FirestoreRetention:
    def __init__(self, db: FirestoreDb) -> None:
        self.db = db

    def mark(self, ticket_id: str, expire_at: datetime | None) -> int:
        root = self.db.tickets().document(ticket_id)
        value = expire_at if expire_at is not None else firestore.DELETE_FIELD

        if not self.db.run(lambda: self.db.get(root).exists):
            return 0
        marked, batch = 0, self.db.client.batch()
        for n, ref in enumerate(tree(root), start=1):  # each batch a bounded call of its own
            batch.set(ref, {EXPIRY: value}, merge=True)
            marked = n
            if n % BATCH == 0:
                self.db.run(batch.commit)
                batch = self.db.client.batch()
        self.db.run(batch.commit)
        return marked

    def expiry(self, ticket_id: str) -> datetime | None:
        snap = self.db.run(lambda: self.db.get(self.db.tickets().document(ticket_id)))
        value = (snap.to_dict() or {}).get(EXPIRY) if snap.exists else None
        return as_datetime(value) if value else None

    def expired(self, now: datetime, limit: int = 100) -> list[str]:
        q = (
            self.db.tickets()
            .where(filter=FieldFilter(EXPIRY, "<=", now))
            .order_by(EXPIRY)
            .limit(limit)
        )
        return [s.id for s in self.db.run(lambda: self.db.stream(q, "tickets"))]
