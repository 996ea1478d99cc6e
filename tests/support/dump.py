"""Everything a store holds, as text: what someone holding the database file or the
Firestore project could read (for erasure and retention tests)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tickets.store import Store


def files(store: Store) -> Iterator[tuple[str, dict[str, Any]]]:
    """``blobs/{object path}`` for every stored file (attachments: sealed bytes)."""
    blobs: Any = store.blobs
    if hasattr(blobs, "root"):  # the embedded store's folder
        for path in sorted(p for p in blobs.root.rglob("*") if p.is_file()):
            yield f"blobs/{path.relative_to(blobs.root).as_posix()}", {}
    elif hasattr(blobs, "bucket"):  # Cloud Storage
        for blob in blobs.bucket.list_blobs():
            yield f"blobs/{blob.name}", {}


def documents(store: Store) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path or table/row, data) for every stored document or row, and every file."""
    yield from files(store)
    if store.backend == "sqlite":
        db = store.audit.db  # type: ignore[attr-defined]
        tables = db.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        for table in (t["name"] for t in tables):
            for n, row in enumerate(db.query(f"SELECT * FROM {table}")):  # noqa: S608
                yield f"{table}/{n}", dict(row)
        return
    client = store.audit.db.client  # type: ignore[attr-defined]

    def walk(collection: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        for ref in collection.list_documents():
            snap = ref.get()
            if snap.exists:
                yield ref.path, snap.to_dict()
            for sub in ref.collections():
                yield from walk(sub)

    for collection in client.collections():
        yield from walk(collection)


def dump(store: Store) -> str:
    return "\n".join(
        f"{path} {json.dumps(data, default=str, ensure_ascii=False)}"
        for path, data in documents(store)
    )
