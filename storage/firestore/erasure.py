"""Erasure in Firestore: one eraser per concern (see :class:`tickets.store.Eraser`).

A ticket's own tree (messages, memory, copilot threads, change marker, presence, report
state, and whatever a later concern keeps under the ticket) goes in one recursive delete,
last, so an erasure that stops half-way is finished by running it again. What lives
elsewhere has its own eraser: read state (``users/*/seen/{ticket}``), usage counters, the
user document (with its subcollections), their presence entries, and their audit key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from storage.firestore.db import FirestoreDb
from storage.firestore.drafts import DraftEraser
from storage.shredding import Shredder, ShreddingEraser
from tickets.store import Eraser, usage_key_parts


def _delete_all(db: FirestoreDb, query: Any, kind: str) -> int:
    snaps = db.run(lambda: db.stream(query, kind))
    for snap in snaps:
        db.run(snap.reference.delete)
    return len(snaps)


@dataclass
class SeenEraser:
    db: FirestoreDb
    name: str = "read state"

    def erase_ticket(self, ticket_id: str) -> int:
        q = self.db.client.collection_group("seen").where(
            filter=FieldFilter("ticketId", "==", ticket_id)
        )
        return _delete_all(self.db, q, "seen")

    def erase_user(self, uid: str) -> int:
        return 0  # under users/{uid}: the user eraser's recursive delete takes it


@dataclass
class UsageEraser:
    db: FirestoreDb
    name: str = "usage"

    def _erase(self, kind: str, owner: str) -> int:
        prefix = f"{kind}-{owner}-"
        q = (
            self.db.client.collection("usage")
            .where(filter=FieldFilter("key", ">=", prefix))
            .where(filter=FieldFilter("key", "<", prefix + "\uf8ff"))
        )
        snaps = self.db.run(lambda: self.db.stream(q, "usage"))
        mine = [s for s in snaps if (usage_key_parts(s.id) or ("", "", ""))[:2] == (kind, owner)]
        for snap in mine:  # a prefix also matches longer ids ("cust-1" and "cust-1-x")
            self.db.run(snap.reference.delete)
        return len(mine)

    def erase_ticket(self, ticket_id: str) -> int:
        return self._erase("ticket", ticket_id)

    def erase_user(self, uid: str) -> int:
        return self._erase("user", uid)


@dataclass
class PresenceEraser:
    db: FirestoreDb
    name: str = "presence"

    def erase_ticket(self, ticket_id: str) -> int:
        return 0  # under the ticket: its tree goes with it

    def erase_user(self, uid: str) -> int:
        q = self.db.client.collection_group("presence").where(filter=FieldFilter("uid", "==", uid))
        return _delete_all(self.db, q, "presence")


@dataclass
class TreeEraser:
    """A document and everything under it: ``tickets/{id}`` or ``users/{uid}``."""

    db: FirestoreDb
    name: str
    collection: str
    for_tickets: bool

    def _erase(self, doc_id: str) -> int:
        ref = self.db.client.collection(self.collection).document(doc_id)
        return int(self.db.client.recursive_delete(ref))

    def erase_ticket(self, ticket_id: str) -> int:
        return self._erase(ticket_id) if self.for_tickets else 0

    def erase_user(self, uid: str) -> int:
        return 0 if self.for_tickets else self._erase(uid)


@dataclass
class KeyedEraser:
    """Documents kept per ticket outside its tree: ``{collection}/{ticketId}`` (the SLA
    clock, triage, CSAT) and ``ratings`` found by their ``ticketId``."""

    db: FirestoreDb
    name: str = "ratings, CSAT, SLA clocks and triage"

    def erase_ticket(self, ticket_id: str) -> int:
        deleted = 0
        for collection in ("csat", "sla", "triage"):
            ref = self.db.client.collection(collection).document(ticket_id)
            if self.db.run(ref.get).exists:
                self.db.run(ref.delete)
                deleted += 1
        q = self.db.client.collection("ratings").where(
            filter=FieldFilter("ticketId", "==", ticket_id)
        )
        return deleted + _delete_all(self.db, q, "ratings")

    def erase_user(self, uid: str) -> int:
        return 0  # all of it is about their tickets


def firestore_erasers(db: FirestoreDb, shredder: Shredder, files: Eraser) -> tuple[Eraser, ...]:
    """``files``: the attachments' eraser (the blob store's)."""
    return (
        files,
        KeyedEraser(db),
        SeenEraser(db),
        DraftEraser(db),
        UsageEraser(db),
        PresenceEraser(db),
        ShreddingEraser(shredder),
        TreeEraser(db, "users", "users", for_tickets=False),
        TreeEraser(db, "tickets (and everything under them)", "tickets", for_tickets=True),
    )
