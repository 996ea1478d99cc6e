"""Feedback and CSAT on both stores: who may rate what, kept across reloads (on the message
and as records), per-day counters, the report hook called once per event, CSAT once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import jsonschema
import pytest

from config.bootstrap import Services
from tests.support.apptest import unescaped
from tests.support.fakes import FakeModel
from tests.support.services import access, make_services
from tests.support.users import ADA, BOB, KIM, LEE
from tickets.domain import ConversationRef, Status
from tickets.errors import InvalidInput, MessageNotFound, TicketNotFound
from tickets.feedback import day_of
from tickets.store import Store

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "tickets/transcript.schema.json").read_text()
)


class Reports(list[tuple[str, Mapping[str, object]]]):
    def __call__(self, kind: str, data: Mapping[str, object]) -> None:
        self.append((kind, data))


@pytest.fixture
def reports() -> Reports:
    return Reports()


@pytest.fixture
def services(store: Store, reports: Reports) -> Services:
    services = make_services(store, FakeModel())
    services.feedback.report = reports
    return services


def replied(services: Services) -> tuple[str, str]:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    run = services.assistant.reply(access(services, ADA.uid, ticket.id))
    assert run is not None
    list(run)
    assert run.message is not None
    return ticket.id, run.message.id


def test_customers_rate_replies_and_agents_see_it_in_the_thread(
    services: Services, store: Store, reports: Reports
) -> None:
    ticket_id, reply_id = replied(services)
    ada = access(services, ADA.uid, ticket_id)
    services.feedback.rate(ada, reply_id, "down", "It did not answer my question")
    agent_view = services.tickets.thread(access(services, KIM.uid, ticket_id)).messages
    rated = next(m for m in agent_view if m.id == reply_id)
    assert rated.rating is not None
    assert (rated.rating.value, rated.rating.reason) == ("down", "It did not answer my question")
    # rated again: replaced, counted once
    services.feedback.rate(ada, reply_id, "up")
    records = store.feedback.ratings(ticket_id)
    assert [(r.value, r.author_kind, r.reason) for r in records] == [("up", "assistant", "")]
    today = day_of(records[0].at)
    assert services.feedback.counters(KIM, today) == {
        "reply_up_assistant": 1,
        "reply_down_assistant": 0,
    }
    assert [(k, d["value"], d["previous"]) for k, d in reports] == [
        ("reply_rated", "down", None),
        ("reply_rated", "up", "down"),
    ]
    services.feedback.rate(ada, reply_id, "up")  # the same again: no new event
    assert len(reports) == 2


def test_who_may_rate_what(services: Services) -> None:
    ticket_id, reply_id = replied(services)
    with pytest.raises(TicketNotFound):
        services.feedback.rate(access(services, BOB.uid, ticket_id), reply_id, "down")
    with pytest.raises(InvalidInput):  # agents don't rate the customer's replies for them
        services.feedback.rate(access(services, KIM.uid, ticket_id), reply_id, "down")
    ada = access(services, ADA.uid, ticket_id)
    first = services.tickets.thread(ada).messages[0]
    with pytest.raises(InvalidInput):  # her own message is no reply
        services.feedback.rate(ada, first.id, "up")
    with pytest.raises(InvalidInput):
        services.feedback.rate(ada, reply_id, "meh")
    note = services.tickets.post(access(services, KIM.uid, ticket_id), "VIP", internal=True)
    with pytest.raises(MessageNotFound):  # an internal note does not exist for her
        services.feedback.rate(ada, note.id, "up")
    with pytest.raises(InvalidInput):
        services.feedback.rate(ada, reply_id, "up", "x" * 501)


def test_agents_rate_their_own_copilots_answers(
    services: Services, store: Store, reports: Reports
) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    kim = access(services, KIM.uid, ticket.id)
    run = services.copilot.ask(kim, "Summarize")
    assert run is not None
    list(run)
    assert run.message is not None
    services.feedback.rate(kim, run.message.id, "up", "Spot on", copilot=True)
    kept = store.threads.get(ConversationRef(ticket.id, KIM.uid), run.message.id)
    assert kept is not None and kept.rating is not None and kept.rating.value == "up"
    with pytest.raises(MessageNotFound):  # Lee has no such answer in his copilot thread
        services.feedback.rate(
            access(services, LEE.uid, ticket.id), run.message.id, "up", copilot=True
        )
    assert reports[-1][1]["authorKind"] == "copilot"


def test_csat_is_asked_once_when_resolved(
    services: Services, store: Store, reports: Reports
) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    ada = access(services, ADA.uid, ticket.id)
    assert not services.feedback.csat_due(ada)
    with pytest.raises(InvalidInput):
        services.feedback.give_csat(ada, 5)
    services.tickets.set_status(access(services, KIM.uid, ticket.id), Status.RESOLVED)
    ada = access(services, ADA.uid, ticket.id)
    assert services.feedback.csat_due(ada)
    assert not services.feedback.csat_due(access(services, KIM.uid, ticket.id))
    for bad in (0, 6, True, "5"):
        with pytest.raises(InvalidInput):
            services.feedback.give_csat(ada, bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        services.feedback.give_csat(access(services, KIM.uid, ticket.id), 1)
    csat = services.feedback.give_csat(ada, 4, "Quick and friendly")
    assert not services.feedback.csat_due(ada)
    with pytest.raises(InvalidInput):
        services.feedback.give_csat(ada, 1)
    assert services.feedback.csat(access(services, KIM.uid, ticket.id)) == csat
    assert services.feedback.counters(KIM, day_of(csat.at)) == {"csat_4": 1, "csat_count": 1}
    assert reports == [("csat_given", {"ticketId": ticket.id, "score": 4})]
    with pytest.raises(TicketNotFound):
        services.feedback.csat(access(services, BOB.uid, ticket.id))


def test_ratings_and_csat_appear_in_exports(services: Services) -> None:
    ticket_id, reply_id = replied(services)
    services.feedback.rate(access(services, ADA.uid, ticket_id), reply_id, "down", "Too vague")
    services.tickets.set_status(access(services, KIM.uid, ticket_id), Status.RESOLVED)
    services.feedback.give_csat(access(services, ADA.uid, ticket_id), 2, "Slow")
    data = json.loads("".join(services.tickets.export(KIM.uid, ticket_id, "json")))
    rated = next(m for m in data["messages"] if m["id"] == reply_id)
    assert rated["rating"]["value"] == "down" and rated["rating"]["reason"] == "Too vague"
    assert data["ticket"]["csat"] == {
        "score": 2,
        "comment": "Slow",
        "at": data["ticket"]["csat"]["at"],
    }
    jsonschema.validate(data, SCHEMA)
    markdown = unescaped("".join(services.tickets.export(ADA.uid, ticket_id, "md")))
    assert "Rated 👎: Too vague" in markdown and "Satisfaction: 2/5 (Slow)" in markdown
    html = "".join(services.tickets.export(KIM.uid, ticket_id, "html"))
    assert "Rated 👎: Too vague" in html and "Satisfaction: 2/5 (Slow)" in html
    assert "Rated 👎: Too vague" in "".join(services.tickets.export(KIM.uid, ticket_id, "csv"))
