"""Memory checkpoints in the embedded store (a table of their own)."""

from __future__ import annotations

from storage.sealing import Sealer
from storage.sqlite.db import Database, dumps, loads
from tickets.domain import Checkpoint, ConversationRef
from tickets.store import CheckpointChange


class SqliteCheckpoints:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def get(self, conv: ConversationRef) -> Checkpoint | None:
        rows = self.db.query("SELECT data FROM checkpoints WHERE conv_key = ?", (conv.key,))
        return self.sealer.open_checkpoint(conv, loads(rows[0]["data"])) if rows else None

    def revise(self, conv: ConversationRef, change: CheckpointChange) -> Checkpoint | None:
        with self.db.tx() as db:
            row = db.execute(
                "SELECT data FROM checkpoints WHERE conv_key = ?", (conv.key,)
            ).fetchone()
            current = self.sealer.open_checkpoint(conv, loads(row["data"])) if row else None
            changed = change(current)
            if changed is None:
                return None
            db.execute(
                "INSERT INTO checkpoints (conv_key, data) VALUES (?, ?) "
                "ON CONFLICT (conv_key) DO UPDATE SET data = excluded.data",
                (conv.key, dumps(self.sealer.seal_checkpoint(conv, changed))),
            )
            return changed
