"""Canned responses and macros in Firestore: ``snippets/{id}`` (server only)."""

from __future__ import annotations

from typing import Any

from storage.decode import decode_each, decode_one
from storage.firestore.db import FirestoreDb
from storage.sealing import SNIPPET_TEXT, Sealer, snippet_context
from tickets.snippets import Snippet


class FirestoreSnippets:
    def __init__(self, db: FirestoreDb, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def _open(self, snap: Any) -> Snippet:
        data = snap.to_dict()
        return Snippet.from_dict(
            self.sealer.open_fields(data, SNIPPET_TEXT, snippet_context(snap.id))
        )

    def save(self, snippet: Snippet) -> None:
        data = self.sealer.seal_fields(snippet.to_dict(), SNIPPET_TEXT, snippet_context(snippet.id))
        ref = self.db.client.collection("snippets").document(snippet.id)
        self.db.run(lambda: ref.set(data))

    def get(self, snippet_id: str) -> Snippet | None:
        ref = self.db.client.collection("snippets").document(snippet_id)
        snap = self.db.run(lambda: self.db.get(ref))
        return decode_one(snap, self._open, "snippet") if snap.exists else None

    def delete(self, snippet_id: str) -> None:
        ref = self.db.client.collection("snippets").document(snippet_id)
        self.db.run(lambda: ref.delete())

    def find(self, limit: int = 200) -> list[Snippet]:
        q = self.db.client.collection("snippets").order_by("id").limit(limit)
        return decode_each(
            self.db.run(lambda: self.db.stream(q, "snippets")), self._open, "snippet"
        )
