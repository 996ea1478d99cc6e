"""Attachments' bytes in Cloud Storage (``google-cloud-storage``), beside Firestore: one object
per file at ``tickets/{id}/attachments/{file}`` in ``TICKETS_BUCKET``, sealed by the app
(AES-GCM, the object path as associated data) on top of Google's own encryption at rest.

Clients never reach the bucket (``storage.rules`` denies everything): files are served by
the app after the same access checks as the thread.
"""

from __future__ import annotations

from typing import Any

from google.api_core import exceptions as gexc

from storage.firestore.db import UNAVAILABLE
from storage.sealing import Sealer
from tickets.errors import AttachmentsUnavailable, StoreUnavailable


class CloudStorageBlobs:
    name = "attachments"  # also the attachments' eraser (tickets.store.Eraser)

    def __init__(self, bucket: Any, sealer: Sealer, *, deadline_s: float = 10.0) -> None:
        self.bucket, self.sealer, self.deadline_s = bucket, sealer, deadline_s

    @property
    def available(self) -> bool:
        return True

    def put(self, path: str, data: bytes, content_type: str) -> None:
        sealed = self.sealer.seal_bytes(path, data)
        blob = self.bucket.blob(path)
        # stored as opaque bytes: the object never claims to be what its content is
        self._call(
            lambda: blob.upload_from_string(
                sealed, content_type="application/octet-stream", timeout=self.deadline_s
            )
        )

    def get(self, path: str) -> bytes | None:
        blob = self.bucket.blob(path)
        try:
            raw = self._call(lambda: blob.download_as_bytes(timeout=self.deadline_s))
        except gexc.NotFound:
            return None
        return self.sealer.open_bytes(path, raw)

    def delete(self, path: str) -> None:
        try:
            self._call(lambda: self.bucket.blob(path).delete(timeout=self.deadline_s))
        except gexc.NotFound:
            return

    def erase_ticket(self, ticket_id: str) -> int:
        prefix = f"tickets/{ticket_id}/"
        blobs = self._call(lambda: list(self.bucket.list_blobs(prefix=prefix)))
        for blob in blobs:
            self._call(lambda b=blob: b.delete(timeout=self.deadline_s))
        return len(blobs)

    def erase_user(self, uid: str) -> int:
        return 0  # files live under their tickets

    @staticmethod
    def _call(fn: Any) -> Any:
        try:
            return fn()
        except (*UNAVAILABLE, gexc.TooManyRequests, ConnectionError) as exc:
            raise StoreUnavailable(type(exc).__name__) from exc


class NoBlobs:
    """No bucket configured: attachments are switched off, with a message saying why."""

    name = "attachments"

    @property
    def available(self) -> bool:
        return False

    def put(self, path: str, data: bytes, content_type: str) -> None:
        raise AttachmentsUnavailable()

    def get(self, path: str) -> bytes | None:
        raise AttachmentsUnavailable()

    def delete(self, path: str) -> None:
        raise AttachmentsUnavailable()

    def erase_ticket(self, ticket_id: str) -> int:
        return 0  # nowhere files could have been kept

    def erase_user(self, uid: str) -> int:
        return 0


def blob_store(
    bucket: Any | None, sealer: Sealer, deadline_s: float
) -> CloudStorageBlobs | NoBlobs:
    if bucket is None:
        return NoBlobs()
    return CloudStorageBlobs(bucket, sealer, deadline_s=deadline_s)
