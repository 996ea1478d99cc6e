"""Unsent text per (user, ticket) in the embedded store, sealed like message text."""

from __future__ import annotations

from storage.decode import decode_one
from storage.sealing import Sealer, draft_context
from storage.sqlite.db import Database, dumps, loads
from tickets.drafts import Draft


class SqliteDrafts:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def _open(self, raw: str) -> Draft:
        data = loads(raw)
        context = draft_context(str(data["uid"]), str(data["ticketId"]))
        return Draft.from_dict(self.sealer.open_fields(data, ("text",), context))

    def get(self, uid: str, ticket_id: str) -> Draft | None:
        rows = self.db.query(
            "SELECT data FROM drafts WHERE uid = ? AND ticket_id = ?", (uid, ticket_id)
        )
        return decode_one(rows[0]["data"], self._open, "draft") if rows else None

    def put(self, draft: Draft) -> None:
        context = draft_context(draft.uid, draft.ticket_id)
        data = self.sealer.seal_fields(draft.to_dict(), ("text",), context)
        with self.db.tx() as db:
            db.execute(
                "INSERT INTO drafts (uid, ticket_id, data) VALUES (?, ?, ?) "
                "ON CONFLICT (uid, ticket_id) DO UPDATE SET data = excluded.data",
                (draft.uid, draft.ticket_id, dumps(data)),
            )

    def delete(self, uid: str, ticket_id: str) -> None:
        with self.db.tx() as db:
            db.execute("DELETE FROM drafts WHERE uid = ? AND ticket_id = ?", (uid, ticket_id))
