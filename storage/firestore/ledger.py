"""Token usage counters (``usage/{key}``, server-side increments) and the audit log
(``audit/{id}``) in Firestore."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from storage.decode import decode_each
from storage.firestore.db import FirestoreDb
from storage.shredding import Shredder, SubjectKey
from tickets.domain import AuditEvent, Usage
from tickets.store import AuditQuery, UsageTotals, usage_key_parts


class FirestoreUsage:
    def __init__(self, db: FirestoreDb) -> None:
        self.db = db

    def add(self, keys: Sequence[str], usage: Usage) -> None:
        batch = self.db.client.batch()
        for key in keys:
            increments = {
                "key": key,
                "promptTokens": firestore.Increment(usage.prompt_tokens),
                "completionTokens": firestore.Increment(usage.completion_tokens),
                "totalTokens": firestore.Increment(usage.total_tokens),
                "calls": firestore.Increment(1),
            }
            parts = usage_key_parts(key)
            if parts:  # what the reports list by (and erasure finds)
                increments |= dict(zip(("kind", "owner", "period"), parts, strict=True))
            batch.set(self.db.client.collection("usage").document(key), increments, merge=True)
        self.db.run(batch.commit)

    def get(self, key: str) -> UsageTotals:
        ref = self.db.client.collection("usage").document(key)
        snap = self.db.run(lambda: self.db.get(ref))
        return self._totals(key, snap.to_dict() if snap.exists else {})

    @staticmethod
    def _totals(key: str, data: dict[str, Any]) -> UsageTotals:
        return UsageTotals(
            key,
            int(data.get("promptTokens", 0)),
            int(data.get("completionTokens", 0)),
            int(data.get("calls", 0)),
        )

    def of_owner(self, kind: str, owner: str) -> list[UsageTotals]:
        """By key range (documents written before ``owner`` was stored are found too)."""
        prefix = f"{kind}-{owner}-"
        q = (
            self.db.client.collection("usage")
            .where(filter=FieldFilter("key", ">=", prefix))
            .where(filter=FieldFilter("key", "<", prefix + "\uf8ff"))
        )
        snaps = self.db.run(lambda: self.db.stream(q, "usage"))
        found = [self._totals(s.id, s.to_dict()) for s in snaps]
        return [u for u in found if usage_key_parts(u.key) == (kind, owner, u.key[len(prefix) :])]

    def top(self, kind: str, period: str, limit: int = 20) -> list[UsageTotals]:
        q = (
            self.db.client.collection("usage")
            .where(filter=FieldFilter("kind", "==", kind))
            .where(filter=FieldFilter("period", "==", period))
            .order_by("totalTokens", direction=firestore.Query.DESCENDING)
            .limit(limit)
        )
        snaps = self.db.run(lambda: self.db.stream(q, "usage"))
        return [self._totals(s.id, s.to_dict()) for s in snaps]


class FirestoreKeyVault:
    """Per-customer audit keys, ``subjectKeys/{uid}`` (see :mod:`storage.shredding`)."""

    def __init__(self, db: FirestoreDb) -> None:
        self.db = db

    def _ref(self, uid: str) -> Any:
        return self.db.client.collection("subjectKeys").document(uid)

    @staticmethod
    def _key(data: dict[str, Any]) -> SubjectKey:
        return SubjectKey(str(data["uid"]), str(data["keyId"]), str(data["wrapped"]))

    def by_uid(self, uid: str) -> SubjectKey | None:
        snap = self.db.run(lambda: self.db.get(self._ref(uid)))
        return self._key(snap.to_dict()) if snap.exists else None

    def by_id(self, key_id: str) -> SubjectKey | None:
        q = self.db.client.collection("subjectKeys").where(
            filter=FieldFilter("keyId", "==", key_id)
        )
        snaps = self.db.run(lambda: self.db.stream(q.limit(1), "subjectKeys"))
        return self._key(snaps[0].to_dict()) if snaps else None

    def create(self, key: SubjectKey) -> SubjectKey:
        ref = self._ref(key.uid)
        data = {"uid": key.uid, "keyId": key.key_id, "wrapped": key.wrapped}

        def create() -> SubjectKey:
            try:
                ref.create(data)
            except gexc.AlreadyExists:
                return self._key(self.db.get(ref).to_dict())
            return key

        return self.db.run(create)

    def delete(self, uid: str) -> bool:
        ref = self._ref(uid)

        def delete() -> bool:
            existed = bool(self.db.get(ref).exists)
            ref.delete()
            return existed

        return self.db.run(delete)


class FirestoreAudit:
    """``audit/{id}``: created, never updated or deleted (no client may write it either)."""

    def __init__(self, db: FirestoreDb, shredder: Shredder) -> None:
        self.db, self.shredder = db, shredder

    def record(self, event: AuditEvent) -> None:
        ref = self.db.client.collection("audit").document(event.id)
        data = self.shredder.seal(event)

        def create() -> None:
            with contextlib.suppress(gexc.AlreadyExists):  # a retried write: it is there
                ref.create(data)

        self.db.run(create)

    def find(
        self, ticket_id: str | None = None, limit: int = 100, *, query: AuditQuery | None = None
    ) -> list[AuditEvent]:
        qry = query or AuditQuery(ticket_id=ticket_id, limit=limit)
        q: Any = self.db.client.collection("audit")
        if qry.ticket_id is not None:
            q = q.where(filter=FieldFilter("ticketId", "==", qry.ticket_id))
        if qry.kind is not None:
            q = q.where(filter=FieldFilter("kind", "==", qry.kind))
        if qry.actor_uid is not None:
            q = q.where(
                filter=FieldFilter("actorRef", "in", self.shredder.actor_refs(qry.actor_uid))
            )
        if qry.subject_uid is not None:
            key_id = self.shredder.key_id(qry.subject_uid) or "-"
            q = q.where(filter=FieldFilter("subjectKeyId", "==", key_id))
        if qry.since is not None:
            q = q.where(filter=FieldFilter("at", ">=", qry.since))
        if qry.until is not None:
            q = q.where(filter=FieldFilter("at", "<", qry.until))
        q = q.order_by("at", direction=firestore.Query.DESCENDING).limit(qry.limit)
        snaps = self.db.run(lambda: self.db.stream(q, "audit"))
        keys: dict[str, SubjectKey | None] = {}
        return decode_each(snaps, lambda s: self.shredder.open(s.to_dict(), keys), "audit")
