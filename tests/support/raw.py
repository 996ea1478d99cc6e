"""Writing documents straight into a backend, past the adapters: what a buggy or hostile client
with direct database access could leave behind."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tickets.domain import ConversationRef
from tickets.store import Store


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, datetime) else v)


def write_ticket(store: Store, data: dict[str, Any]) -> None:
    if store.backend == "firestore":
        store.tickets.db.client.collection("tickets").document(data["id"]).set(data)  # type: ignore[attr-defined]
        return
    updated = data["updatedAt"]
    with store.tickets.db.tx() as db:  # type: ignore[attr-defined]
        db.execute(
            "INSERT INTO tickets (id, customer_uid, status, assignee_uid, updated_at, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                data["id"],
                str(data.get("customerUid")),
                str(data.get("status")),
                None,
                updated.isoformat() if isinstance(updated, datetime) else str(updated),
                _json(data),
            ),
        )
        db.execute(
            "INSERT INTO conversations (conv_key, ticket_id, last_seq) VALUES (?, ?, 0)",
            (data["id"], data["id"]),
        )


def write_message(store: Store, ticket_id: str, data: dict[str, Any]) -> None:
    """The message, and the ticket's ``lastSeq`` moved past it (as a client's post does)."""
    conv = ConversationRef(ticket_id)
    if store.backend == "firestore":
        db = store.threads.db  # type: ignore[attr-defined]
        db.messages(conv).document(data["id"]).set(data)
        db.tickets().document(ticket_id).update({"lastSeq": data["seq"]})
        return
    with store.threads.db.tx() as db:  # type: ignore[attr-defined]
        db.execute(
            "INSERT INTO messages (conv_key, id, seq, visibility, data) VALUES (?, ?, ?, ?, ?)",
            (conv.key, data["id"], data["seq"], str(data.get("visibility")), _json(data)),
        )
        db.execute(
            "UPDATE conversations SET last_seq = max(last_seq, ?) WHERE conv_key = ?",
            (data["seq"], conv.key),
        )
