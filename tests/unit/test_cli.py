from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from tickets.cli import run
from tickets.domain import ConversationRef, Role
from tickets.seed import LONG_TICKET
from tickets.sqlite_store import SqliteStore


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    db = SqliteStore(":memory:")
    yield db
    db.close()


def cli(store: SqliteStore, *argv: str) -> str:
    out = io.StringIO()
    assert run(list(argv), store, out) == 0
    return out.getvalue()


def test_seed_is_idempotent_and_compacts_the_long_ticket(store: SqliteStore) -> None:
    assert "Seeded 4 tickets" in cli(store, "seed", "--long", "120")
    assert "Already seeded" in cli(store, "seed")
    state = store.conversation_state(ConversationRef(LONG_TICKET))
    assert state.last_seq == 120 and state.checkpoint is not None
    assert state.checkpoint.covered_seq == 108
    assert any("TH-48213" in fact for fact in state.checkpoint.facts)
    assert {u.uid for u in store.list_users()} == {"cust-ada", "cust-bob", "agent-kim"}


def test_grant_and_revoke_agent(store: SqliteStore) -> None:
    cli(store, "seed", "--long", "20")
    assert "now an agent" in cli(store, "grant-agent", "cust-bob")
    bob = store.get_user("cust-bob")
    assert bob is not None and bob.role is Role.AGENT and bob.display_name == "Bob Marley"
    cli(store, "revoke-agent", "cust-bob")
    bob = store.get_user("cust-bob")
    assert bob is not None and bob.role is Role.CUSTOMER
    assert "agent-kim\tagent" in cli(store, "users")


def test_show_and_export(store: SqliteStore) -> None:
    cli(store, "seed", "--long", "20")
    shown = cli(store, "show", "tk-demo-invoice")
    assert "(internal)" in shown and "Wrong VAT" in shown
    data = json.loads(cli(store, "export", "tk-demo-invoice", "--format", "json"))
    assert len(data["messages"]) == 3
    public = json.loads(cli(store, "export", "tk-demo-invoice", "--public-only"))
    assert len(public["messages"]) == 2


def test_usage(store: SqliteStore) -> None:
    from tickets.domain import Usage

    store.add_usage(["user-cust-ada-2026-11"], Usage(10, 5))
    assert "15 tokens" in cli(store, "usage", "--user", "cust-ada", "--period", "2026-11")


def test_bad_ticket_id_is_refused(store: SqliteStore) -> None:
    from tickets.errors import InvalidId

    with pytest.raises(InvalidId):
        run(["show", "../etc"], store, io.StringIO())
