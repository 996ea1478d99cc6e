"""Canned responses and macros in the embedded store."""

from __future__ import annotations

from storage.decode import decode_each, decode_one
from storage.sealing import SNIPPET_TEXT, Sealer, snippet_context
from storage.sqlite.db import Database, dumps, loads
from tickets.snippets import Snippet


class SqliteSnippets:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def _open(self, raw: str) -> Snippet:
        data = loads(raw)
        return Snippet.from_dict(
            self.sealer.open_fields(data, SNIPPET_TEXT, snippet_context(str(data["id"])))
        )

    def save(self, snippet: Snippet) -> None:
        data = self.sealer.seal_fields(snippet.to_dict(), SNIPPET_TEXT, snippet_context(snippet.id))
        with self.db.tx() as db:
            db.execute(
                "INSERT INTO snippets (id, data) VALUES (?, ?) "
                "ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                (snippet.id, dumps(data)),
            )

    def get(self, snippet_id: str) -> Snippet | None:
        rows = self.db.query("SELECT data FROM snippets WHERE id = ?", (snippet_id,))
        return decode_one(rows[0]["data"], self._open, "snippet") if rows else None

    def delete(self, snippet_id: str) -> None:
        with self.db.tx() as db:
            db.execute("DELETE FROM snippets WHERE id = ?", (snippet_id,))

    def find(self, limit: int = 200) -> list[Snippet]:
        rows = self.db.query("SELECT data FROM snippets ORDER BY id LIMIT ?", (limit,))
        return decode_each((r["data"] for r in rows), self._open, "snippet")
