"""The operator CLI, on services from the composition root (embedded store, fake model)."""

from __future__ import annotations

import io
import json

import pytest

from config.bootstrap import Services
from demo.seed import LONG_TICKET
from ops.cli import run
from tests.support.services import make_services
from tickets.domain import ConversationRef, Role, Usage, User
from tickets.errors import InvalidId
from tickets.store import Store


@pytest.fixture
def services(sqlite: Store) -> Services:
    return make_services(sqlite)


def cli(services: Services, *argv: str) -> str:
    out = io.StringIO()
    assert run(list(argv), services, out) == 0
    return out.getvalue()


def test_seed_is_idempotent_and_compacts_the_long_ticket(services: Services) -> None:
    store = services.store
    assert "Seeded 5 tickets" in cli(services, "seed", "--long", "120")
    assert "Already seeded" in cli(services, "seed")
    conv = ConversationRef(LONG_TICKET)
    checkpoint = store.checkpoints.get(conv)
    assert store.threads.last_seq(conv) == 120 and checkpoint is not None
    assert checkpoint.covered_seq == 108
    assert any("TH-48213" in fact for fact in checkpoint.facts)
    messages = store.threads.after(conv, after_seq=0, limit=200)
    hours = (messages[-1].created_at - messages[0].created_at).total_seconds() / 3600
    assert hours > 24  # a conversation over days, not 120 messages in one second
    assert all("seed" not in m.id for m in messages)  # ids are not guessable


def test_grant_and_revoke_agent(services: Services) -> None:
    store = services.store
    cli(services, "seed", "--long", "20")
    assert "now an agent" in cli(services, "grant-agent", "cust-bob")
    bob = store.users.get("cust-bob")
    assert bob is not None and bob.role is Role.AGENT and bob.display_name == "Bob Marley"
    cli(services, "revoke-agent", "cust-bob")
    bob = store.users.get("cust-bob")
    assert bob is not None and bob.role is Role.CUSTOMER
    assert "agent-kim\tagent" in cli(services, "users")


def test_granting_a_disabled_user_keeps_them_disabled_and_says_so(services: Services) -> None:
    services.store.users.save(User("cust-zed", Role.CUSTOMER, "Zed", disabled=True))
    said = cli(services, "grant-agent", "cust-zed")
    zed = services.store.users.get("cust-zed")
    assert zed is not None and zed.role is Role.AGENT and zed.disabled
    assert "stays disabled" in said


def test_show_and_export(services: Services) -> None:
    cli(services, "seed", "--long", "20")
    shown = cli(services, "show", "tk-demo-invoice")
    assert "(internal)" in shown and "Wrong VAT" in shown
    data = json.loads(cli(services, "export", "tk-demo-invoice", "--format", "json"))
    assert len(data["messages"]) == 3
    public = json.loads(cli(services, "export", "tk-demo-invoice", "--public-only"))
    assert len(public["messages"]) == 2


def test_show_never_prints_terminal_escapes(services: Services) -> None:
    ada = services.tickets.current_user("cust-ada")
    ticket = services.tickets.open_ticket(ada, "Kettle", "line one\nline two \x1b[2J\u202eevil")
    shown = cli(services, "show", ticket.id)
    assert "\x1b" not in shown and "\u202e" not in shown
    assert "line one ⏎ line two" in shown and "\\u202e" in shown


def test_usage(services: Services) -> None:
    services.store.usage.add(["user-cust-ada-2026-11"], Usage(10, 5))
    assert "15 tokens" in cli(services, "usage", "--user", "cust-ada", "--period", "2026-11")


def test_bad_ticket_id_is_refused(services: Services) -> None:
    with pytest.raises(InvalidId):
        run(["show", "../etc"], services, io.StringIO())
