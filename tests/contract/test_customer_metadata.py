"""What a customer gets carries no agent-only metadata, on both stores: their exports number
messages their own way (no gaps where internal notes are) and name no label, assignee or
agent; an internal note or a label moves nothing a customer sees (an assignment hands the
ticket to a person, which the customer is shown); the memory panel never counts an
internal note as "left out"."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest

from config.bootstrap import Services
from tests.support.services import access, make_services
from tests.support.users import ADA, KIM, LEE
from tickets.export import CUSTOMER_TICKET_FIELDS
from tickets.store import Store

SCHEMA = json.loads((Path(__file__).parents[2] / "tickets" / "transcript.schema.json").read_text())
NOTE = "Looks like fraud, check the card"


@pytest.fixture
def services(store: Store) -> Services:
    return make_services(store)


def worked_ticket(services: Services) -> str:
    """Customer, internal note, public reply, internal note, customer; labelled and assigned."""
    tickets = services.tickets
    ticket = tickets.open_ticket(ADA, "Card charged twice", "I was charged twice")
    tickets.post(access(services, KIM.uid, ticket.id), NOTE, internal=True)
    tickets.post(access(services, KIM.uid, ticket.id), "We are looking into it.")
    tickets.post(access(services, KIM.uid, ticket.id), "Second note", internal=True)
    tickets.post(access(services, ADA.uid, ticket.id), "Thanks!")
    tickets.set_labels(access(services, KIM.uid, ticket.id), ["fraud-suspect"])
    tickets.assign(access(services, KIM.uid, ticket.id), LEE.uid)
    return ticket.id


def export(services: Services, uid: str, ticket_id: str, fmt: str) -> str:
    return "".join(services.tickets.export(uid, ticket_id, fmt, include_internal=True))


def test_a_customers_exports_carry_no_agent_only_fields(services: Services) -> None:
    ticket_id = worked_ticket(services)
    data = json.loads(export(services, ADA.uid, ticket_id, "json"))
    jsonschema.validate(data, SCHEMA)
    assert set(data["ticket"]) == set(CUSTOMER_TICKET_FIELDS)
    assert [m["seq"] for m in data["messages"]] == [1, 2, 3]  # their numbering: no gaps
    assert [m["authorUid"] for m in data["messages"]] == [ADA.uid, "support-agent", ADA.uid]
    assert all("usage" not in m for m in data["messages"])
    for fmt in ("json", "md", "html", "csv"):
        text = export(services, ADA.uid, ticket_id, fmt)
        for secret in ("fraud-suspect", KIM.uid, LEE.uid, NOTE, "Second note", "seenBy"):
            assert secret not in text, (fmt, secret)
        if fmt in ("md", "html"):
            assert re.findall(r"#(\d+) ·", text) == ["1", "2", "3"]
    rows = list(csv.reader(io.StringIO(export(services, ADA.uid, ticket_id, "csv"))))
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]

    agents = json.loads(export(services, KIM.uid, ticket_id, "json"))  # agents keep it all
    assert agents["ticket"]["labels"] == ["fraud-suspect"]
    assert agents["ticket"]["assigneeUid"] == LEE.uid
    assert [m["seq"] for m in agents["messages"]] == [1, 2, 3, 4, 5, 6]
    assert agents["messages"][-1]["authorRole"] == "system"  # the assignment, for agents only


def test_an_internal_note_moves_nothing_a_customer_sees(services: Services) -> None:
    tickets = services.tickets
    older = tickets.open_ticket(ADA, "Older ticket", "first")
    newer = tickets.open_ticket(ADA, "Newer ticket", "second")
    before = tickets.ticket(ADA, older.id)
    tickets.post(access(services, KIM.uid, older.id), NOTE, internal=True)
    tickets.set_labels(access(services, KIM.uid, older.id), ["fraud-suspect"])
    after = tickets.ticket(ADA, older.id)
    assert after.updated_at == before.updated_at
    assert after.last_author_role == before.last_author_role
    assert [t.id for t in tickets.my_tickets(ADA)] == [newer.id, older.id]
    tickets.post(access(services, KIM.uid, older.id), "A public answer")  # this one shows
    assert tickets.ticket(ADA, older.id).updated_at > before.updated_at
    assert [t.id for t in tickets.my_tickets(ADA)] == [older.id, newer.id]


def test_the_memory_panel_counts_no_internal_note_as_left_out(services: Services) -> None:
    ticket_id = worked_ticket(services)
    page = services.pages.ticket_page(access(services, ADA.uid, ticket_id))
    assert (page.memory.omitted, page.memory.more_omitted, page.memory.truncated) == (
        0,
        False,
        False,
    )
    assert page.memory.verbatim == 3  # the three public messages, every one of them
