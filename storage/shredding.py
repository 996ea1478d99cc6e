"""Crypto-shredding: what the audit log keeps about a customer, sealed under a key of their own.

The audit log must keep its entries after a customer is erased (who exported what, when a
role was granted, that the erasure happened), but not who the customer was. So each
customer gets a random 256-bit key (created on their first audit entry) and every entry
about them stores their uid, and their uid as actor, and the entry's details, sealed with
AES-256-GCM under that key (the entry's id as associated data). Erasure deletes the key:
the entries stay, in order, with their kind, time, role and ticket id, and what identified
the customer can no longer be read by anyone, whatever copy of the log they hold.

Each key has a random id, stored plain with the entry (``subjectKeyId``), so entries about
one customer can be found while the key exists; after erasure the id names nothing. The key
itself is stored wrapped by the main encryption key when one is configured
(``TICKETS_ENCRYPTION_KEYS``; always in the embedded store), else as it is: deleting it still
shreds, but then keep database backups no longer than you must keep erasures' effects out of
them (see the README, "Running in production").

Adapters supply a :class:`KeyVault` (where the wrapped keys live) and call
:meth:`Shredder.seal` / :meth:`Shredder.open` around their audit documents.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from storage.sealing import Sealer
from tickets.audit import ERASED
from tickets.domain import AuditEvent

PREFIX = "shred:v1:"
SUBJECT_ACTOR = "subject:"  # actorUid of an entry whose actor is its subject: by key id


@dataclass(frozen=True)
class SubjectKey:
    uid: str
    key_id: str
    wrapped: str  # the key, base64, sealed by the main cipher when one is configured


class KeyVault(Protocol):
    def by_uid(self, uid: str) -> SubjectKey | None: ...
    def by_id(self, key_id: str) -> SubjectKey | None: ...

    def create(self, key: SubjectKey) -> SubjectKey:
        """Store ``key`` unless the uid has one already; return the one stored."""
        ...

    def delete(self, uid: str) -> bool: ...


def _context(uid: str) -> str:
    return f"subjectKeys/{uid}"


class Shredder:
    def __init__(self, vault: KeyVault, sealer: Sealer) -> None:
        self.vault, self.sealer = vault, sealer

    # -- keys -------------------------------------------------------------------------------

    def _new(self, uid: str) -> SubjectKey:
        raw = base64.b64encode(secrets.token_bytes(32)).decode()
        cipher = self.sealer.cipher
        wrapped = cipher.encrypt(raw, _context(uid)) if cipher is not None else raw
        return SubjectKey(uid, f"sk-{secrets.token_hex(10)}", wrapped)

    def _aead(self, key: SubjectKey) -> AESGCM:
        cipher = self.sealer.cipher
        raw = cipher.decrypt(key.wrapped, _context(key.uid)) if cipher is not None else key.wrapped
        return AESGCM(base64.b64decode(raw))

    def key_id(self, uid: str) -> str | None:
        """The id of ``uid``'s key (``None``: they have no entries, or were erased)."""
        key = self.vault.by_uid(uid)
        return key.key_id if key else None

    def shred(self, uid: str) -> bool:
        """Delete ``uid``'s key: every entry about them becomes unreadable."""
        return self.vault.delete(uid)

    # -- entries ----------------------------------------------------------------------------

    def seal(self, event: AuditEvent) -> dict[str, Any]:
        """``event`` as stored: plain when it is about no customer, else what identifies the
        customer sealed under their key (created on their first entry)."""
        data = event.to_dict()
        data["actorRef"] = event.actor_uid
        data["subjectKeyId"] = None
        if event.subject_uid is None:
            return data
        key = self.vault.by_uid(event.subject_uid) or self.vault.create(
            self._new(event.subject_uid)
        )
        aead = self._aead(key)

        def sealed(value: str, field: str) -> str:
            nonce = os.urandom(12)
            blob = aead.encrypt(nonce, value.encode(), f"audit/{event.id}#{field}".encode())
            return PREFIX + base64.b64encode(nonce + blob).decode()

        data["subjectKeyId"] = key.key_id
        data["subjectUid"] = sealed(event.subject_uid, "subject")
        data["details"] = {"sealed": sealed(json.dumps(dict(event.details)), "details")}
        if event.actor_uid == event.subject_uid:
            data["actorUid"] = sealed(event.actor_uid, "actor")
            data["actorRef"] = SUBJECT_ACTOR + key.key_id
        return data

    def open(self, data: dict[str, Any], keys: dict[str, SubjectKey | None]) -> AuditEvent:
        """An entry as read; a shredded customer reads as :data:`tickets.audit.ERASED`.
        ``keys`` caches key lookups across one listing."""
        key_id = data.get("subjectKeyId")
        if not key_id:
            return AuditEvent.from_dict(data)
        if key_id not in keys:
            keys[key_id] = self.vault.by_id(key_id)
        key = keys[key_id]
        aead = self._aead(key) if key is not None else None

        def opened(value: Any, field: str) -> str:
            if aead is None or not isinstance(value, str) or not value.startswith(PREFIX):
                return ERASED
            raw = base64.b64decode(value[len(PREFIX) :])
            context = f"audit/{data['id']}#{field}".encode()
            try:
                return aead.decrypt(raw[:12], raw[12:], context).decode()
            except (InvalidTag, ValueError):
                return ERASED

        details_text = opened((data.get("details") or {}).get("sealed"), "details")
        details = json.loads(details_text) if details_text != ERASED else {}
        actor = data.get("actorUid", "")
        if str(data.get("actorRef", "")).startswith(SUBJECT_ACTOR):
            actor = opened(actor, "actor")
        return AuditEvent.from_dict(
            data
            | {
                "subjectUid": opened(data.get("subjectUid"), "subject"),
                "actorUid": actor,
                "details": details,
            }
        )

    def actor_refs(self, uid: str) -> list[str]:
        """What ``actorRef`` holds for entries by ``uid``: their uid, and their key's ref."""
        key_id = self.key_id(uid)
        return [uid] + ([SUBJECT_ACTOR + key_id] if key_id else [])


@dataclass
class ShreddingEraser:
    """Erasure's part for the audit log (a :class:`tickets.store.Eraser`, on every store):
    the log keeps its entries; erasing a user deletes their key instead."""

    shredder: Shredder
    name: str = "audit (crypto-shredded)"

    def erase_ticket(self, ticket_id: str) -> int:
        return 0

    def erase_user(self, uid: str) -> int:
        return int(self.shredder.shred(uid))
