"""An embedded store from before live updates keeps its agents' read state: the migration
moves ``seenBy`` off the ticket rows into their own table."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.sqlite import db as sqlite_db
from storage.sqlite import sqlite_store
from storage.sqlite.db import Database, dumps
from tests.support.factories import make_ticket


def test_read_state_moves_off_the_ticket_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    ticket = make_ticket().with_changes(last_customer_seq=4, last_seq=5)
    with monkeypatch.context() as patch:
        patch.setattr(sqlite_db, "MIGRATIONS", sqlite_db.MIGRATIONS[:2])  # before this change
        old = Database(path)
        with old.tx() as conn:
            conn.execute(
                "INSERT INTO tickets (id, customer_uid, status, assignee_uid, updated_at, data) "
                "VALUES (?, ?, 'open', NULL, ?, ?)",
                (
                    ticket.id,
                    ticket.customer_uid,
                    sqlite_db.stamp(ticket.updated_at),
                    dumps({**ticket.to_dict(), "seenBy": {"agent-kim": 4, "agent-lee": 2}}),
                ),
            )
        old.close()
    store = sqlite_store(path)
    try:
        assert store.seen.get("agent-kim", [ticket.id]) == {ticket.id: 4}
        assert store.seen.get("agent-lee", [ticket.id]) == {ticket.id: 2}
        raw = store.tickets.get(ticket.id)
        assert raw == ticket
        check = Database(path)
        assert "seenBy" not in check.query("SELECT data FROM tickets")[0]["data"]
        check.close()
    finally:
        store.close()
