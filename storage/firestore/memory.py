"""Memory checkpoints in Firestore: ``.../memory/checkpoint`` under each conversation, so
queue listings never download summaries and folding never contends with posts."""

from __future__ import annotations

from typing import Any

from storage.firestore.db import FirestoreDb, with_expiry
from storage.sealing import Sealer
from tickets.domain import Checkpoint, ConversationRef
from tickets.store import CheckpointChange


class FirestoreCheckpoints:
    def __init__(self, db: FirestoreDb, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def get(self, conv: ConversationRef) -> Checkpoint | None:
        snap = self.db.run(lambda: self.db.get(self.db.checkpoint(conv)))
        return self.sealer.open_checkpoint(conv, snap.to_dict()) if snap.exists else None

    def revise(self, conv: ConversationRef, change: CheckpointChange) -> Checkpoint | None:
        ref = self.db.checkpoint(conv)

        def body(tx: Any) -> Checkpoint | None:
            snap = self.db.get(ref, tx)
            current = self.sealer.open_checkpoint(conv, snap.to_dict()) if snap.exists else None
            changed = change(current)
            if changed is not None:
                sources = [snap] if snap.exists else [self.db.get(self.db.conversation(conv), tx)]
                tx.set(ref, with_expiry(self.sealer.seal_checkpoint(conv, changed), *sources))
            return changed

        return self.db.run(lambda: self.db.transaction(body))
