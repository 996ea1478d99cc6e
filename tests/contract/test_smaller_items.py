"""The attack's smaller findings, on both stores: identity-provider names are cleaned (and a
broken character never fails a sign-in); control, escape and direction characters in a
model's reply are inert in every export; probing another customer's ticket is logged and
audited behind the same "not found"; opening a ticket can't reveal that an id exists."""

from __future__ import annotations

import csv
import inspect
import io
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from config.bootstrap import Services
from tests.support.fakes import FakeModel, FakeReply
from tests.support.services import access, make_services
from tests.support.users import ADA, BOB, KIM
from tickets import service as service_module
from tickets.domain import ConversationRef
from tickets.errors import TicketNotFound
from tickets.service import TicketService
from tickets.store import Store

HOSTILE_REPLY = "Done \x1b[2J\x1b]0;owned\x07 \u202eevil\u202c \x9b31m \u2066iso\u2069 end"
RAW = ("\x1b", "\u202e", "\u202c", "\x9b", "\x07", "\u2066")


@pytest.fixture
def model() -> FakeModel:
    return FakeModel()


@pytest.fixture
def services(store: Store, model: FakeModel) -> Services:
    return make_services(store, model)


def test_identity_provider_names_are_cleaned(services: Services) -> None:
    name = "Eve \u202egnp.exe\u202c \x1b[31mred\x1b[0m\n" + "x" * 100_000 + "\ud800"
    user = services.tickets.sign_in("u-eve", name, " eve\udc80@exam\x00ple.com\u202e ")
    stored = services.store.users.get("u-eve")
    assert stored == user
    assert len(user.display_name) <= 100 and user.display_name.startswith("Eve gnp.exe [31mred")
    for char in ("\u202e", "\x1b", "\n", "\ud800"):
        assert char not in user.display_name
    assert user.email == "eve\ufffd@example.com"
    again = services.tickets.sign_in("u-eve", "\ud83d", "")  # a lone surrogate alone
    assert again.display_name == "\ufffd"


def test_a_models_control_characters_are_inert_in_every_export(
    services: Services, model: FakeModel
) -> None:
    model.queue(FakeReply([HOSTILE_REPLY]))
    ticket = services.tickets.open_ticket(ADA, "Kettle", "It leaks")
    run = services.assistant.reply(access(services, ADA.uid, ticket.id))
    assert run is not None
    "".join(run)
    for fmt in ("json", "md", "html", "csv"):
        exported = "".join(services.tickets.export(KIM.uid, ticket.id, fmt))
        for char in RAW:
            assert char not in exported, (fmt, repr(char))
        assert "\\u202e" in exported, fmt  # shown, not acting
    data = json.loads("".join(services.tickets.export(KIM.uid, ticket.id, "json")))
    assert data["messages"][-1]["text"] == HOSTILE_REPLY  # JSON stays exact for machines
    rows = list(
        csv.reader(io.StringIO("".join(services.tickets.export(KIM.uid, ticket.id, "csv"))))
    )
    assert rows[-1][-1].startswith("Done \\u001b[2J")


@pytest.mark.parametrize(
    "probe",
    [
        lambda s, t: s.access(s.current_user(BOB.uid), t),
        lambda s, t: s.thread(s.access(s.current_user(BOB.uid), t)),
        lambda s, t: s.post(s.access(s.current_user(BOB.uid), t), "let me in"),
        lambda s, t: "".join(s.export(BOB.uid, t, "json")),
    ],
    ids=["access", "thread", "post", "export"],
)
def test_probing_another_customers_ticket_is_logged_and_audited(
    services: Services, caplog: pytest.LogCaptureFixture, probe: Callable[[TicketService, str], Any]
) -> None:
    tickets = services.tickets
    ticket = tickets.open_ticket(ADA, "Kettle", "It leaks")
    with caplog.at_level(logging.WARNING, logger="tickets.service"):
        with pytest.raises(TicketNotFound) as theirs:
            probe(tickets, ticket.id)
        with pytest.raises(TicketNotFound) as missing:
            probe(tickets, "tk-doesnotexist")
    assert str(theirs.value).replace(ticket.id, "X") == str(missing.value).replace(
        "tk-doesnotexist", "X"
    )  # the same answer as ever
    [event] = services.store.audit.find(ticket.id)
    assert (event.kind, event.actor_uid, event.ticket_id) == ("access_refused", BOB.uid, ticket.id)
    assert services.store.audit.find("tk-doesnotexist") == []
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1 and BOB.uid in refusals[0].getMessage()


def test_opening_a_ticket_reveals_no_existing_id(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    tickets = services.tickets
    assert "ticket_id" not in inspect.signature(TicketService.open_ticket).parameters
    adas = tickets.open_ticket(ADA, "Kettle", "It leaks", request_key="rq-1")
    again = tickets.open_ticket(ADA, "Kettle", "It leaks", request_key="rq-1")
    assert again.id == adas.id  # a retried submit is the same ticket
    for key in ("rq-1", adas.id, "tk-demo-invoice"):  # Ada's key, her ticket id, a demo id
        bobs = tickets.open_ticket(BOB, "Mine", "Hello", request_key=key)
        assert bobs.customer_uid == BOB.uid and bobs.id != adas.id
    # even if a derived id did collide with Ada's ticket: Bob opens his own, nothing is said
    monkeypatch.setattr(service_module, "derived_ticket_id", lambda uid, key: adas.id)
    collided = tickets.open_ticket(BOB, "Collision", "Hello", request_key="rq-x")
    assert collided.customer_uid == BOB.uid and collided.id != adas.id
    assert collided.subject == "Collision"
    assert tickets.ticket(ADA, adas.id).subject == "Kettle"
    [first] = services.store.threads.newest(ConversationRef(adas.id), limit=5)
    assert first.author_uid == ADA.uid
