"""Conversations in Firestore: ``tickets/{id}/messages/{messageId}`` (one document per
message, ``seq`` assigned in a transaction) and ``tickets/{id}/copilots/{agentUid}`` with
its own ``messages``."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from storage.decode import decode_each
from storage.firestore.db import FirestoreDb, with_expiry
from storage.sealing import Sealer
from tickets.domain import ConversationRef, Message, NewMessage, Ticket, utcnow
from tickets.errors import MessageNotFound, TicketNotFound
from tickets.live import ActivityKind
from tickets.store import MessageChange, revision_of


class FirestoreThreads:
    def __init__(self, db: FirestoreDb, sealer: Sealer) -> None:
        self.db, self.sealer = db, sealer

    def _open(self, conv: ConversationRef, snap: Any) -> Message:
        return self.sealer.open_message(conv, snap.to_dict())

    def append(self, conv: ConversationRef, message: NewMessage) -> Message:
        conv_ref = self.db.conversation(conv)
        msg_ref = self.db.messages(conv).document(message.id)

        def body(tx: Any) -> Message:
            existing = self.db.get(msg_ref, tx)
            if existing.exists:
                return self._open(conv, existing)
            conv_snap = self.db.get(conv_ref, tx)
            if not conv.is_copilot and not conv_snap.exists:
                raise TicketNotFound(conv.ticket_id)
            last_seq = int((conv_snap.to_dict() or {}).get("lastSeq", 0))
            stored = message.at(last_seq + 1, utcnow())
            expiring = [conv_snap]  # under an expiring ticket, a new message expires with it
            if conv.is_copilot and not conv_snap.exists:
                expiring.append(
                    self.db.get(self.db.conversation(ConversationRef(conv.ticket_id)), tx)
                )
            data = with_expiry(self.sealer.seal_message(conv, stored.to_dict()), *expiring)
            tx.create(msg_ref, data)
            if conv.is_copilot:
                fields = {"lastSeq": stored.seq, "updatedAt": stored.created_at}
                fields |= {"ticketId": conv.ticket_id, "agentUid": conv.agent_uid}
                tx.set(conv_ref, with_expiry(fields, *expiring), merge=True)
            else:
                tx.update(conv_ref, Ticket.activity_fields(stored))
            self.db.bump(tx, conv, ActivityKind.THREAD)
            return stored

        return self.db.run(lambda: self.db.transaction(body))

    def get(self, conv: ConversationRef, message_id: str) -> Message | None:
        ref = self.db.messages(conv).document(message_id)
        snap = self.db.run(lambda: self.db.get(ref))
        return self._open(conv, snap) if snap.exists else None

    def revise(
        self, conv: ConversationRef, message_id: str, change: MessageChange
    ) -> Message | None:
        ref = self.db.messages(conv).document(message_id)

        def body(tx: Any) -> Message | None:
            snap = self.db.get(ref, tx)
            if not snap.exists:
                raise MessageNotFound(message_id)
            stored = self._open(conv, snap)
            changed = change(stored)
            if changed is None:
                return None
            revised = revision_of(stored, changed)
            tx.set(ref, with_expiry(self.sealer.seal_message(conv, revised.to_dict()), snap))
            self.db.bump(tx, conv, ActivityKind.THREAD)
            return revised

        return self.db.run(lambda: self.db.transaction(body))

    def newest(
        self,
        conv: ConversationRef,
        *,
        limit: int,
        before_seq: int | None = None,
        public_only: bool = False,
    ) -> list[Message]:
        q: Any = self.db.messages(conv)
        if public_only:
            q = q.where(filter=FieldFilter("visibility", "==", "public"))
        if before_seq is not None:
            q = q.where(filter=FieldFilter("seq", "<", before_seq))
        q = q.order_by("seq", direction=firestore.Query.DESCENDING).limit(limit)
        snaps = self.db.run(lambda: self.db.stream(q, "messages"))
        return decode_each(reversed(snaps), lambda s: self._open(conv, s), "message")

    def after(
        self,
        conv: ConversationRef,
        *,
        after_seq: int,
        limit: int,
        public_only: bool = False,
    ) -> list[Message]:
        q: Any = self.db.messages(conv)
        if public_only:
            q = q.where(filter=FieldFilter("visibility", "==", "public"))
        q = q.where(filter=FieldFilter("seq", ">", after_seq)).order_by("seq").limit(limit)
        snaps = self.db.run(lambda: self.db.stream(q, "messages"))
        return decode_each(snaps, lambda s: self._open(conv, s), "message")

    def last_seq(self, conv: ConversationRef) -> int:
        snap = self.db.run(lambda: self.db.get(self.db.conversation(conv)))
        return int((snap.to_dict() or {}).get("lastSeq", 0)) if snap.exists else 0

    def copilot_agents(self, ticket_id: str) -> list[str]:
        q = self.db.tickets().document(ticket_id).collection("copilots")
        return sorted(s.id for s in self.db.run(lambda: self.db.stream(q, "copilots")))
