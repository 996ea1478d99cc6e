"""How the contract suite opens each backend. A new adapter adds its opener here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storage.firestore import firestore_store
from storage.sealing import Sealer
from storage.sqlite import sqlite_store
from tickets.store import Store


@contextmanager
def open_sqlite(tmp_path: Path, sealer: Sealer | None = None) -> Iterator[Store]:
    store = sqlite_store(tmp_path / "tickets.db", sealer)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def open_firestore(
    client: Any, sealer: Sealer | None = None, bucket: Any = None
) -> Iterator[Store]:
    """On the emulator; ``client`` belongs to a fresh ``demo-`` project (closed by its
    fixture); ``bucket``: attachments on the local Cloud Storage server."""
    yield firestore_store(client, sealer, bucket=bucket)[0]
