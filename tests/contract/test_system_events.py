"""The thread records what happened to a ticket, for whom it concerns (both backends)."""

from __future__ import annotations

import pytest

from tests.support.users import ADA, KIM, LEE
from tickets.domain import AuthorRole, Message, Status, Visibility
from tickets.events import ASSISTANT_OFF, ASSISTANT_ON
from tickets.service import TicketService
from tickets.store import Store


@pytest.fixture
def service(people: Store) -> TicketService:
    return TicketService(people)


def events(service: TicketService, user_uid: str, ticket_id: str) -> list[Message]:
    user = service.current_user(user_uid)
    thread = service.thread(service.access(user, ticket_id)).messages
    return [m for m in thread if m.author_role is AuthorRole.SYSTEM]


def texts(messages: list[Message]) -> list[str]:
    return [m.text for m in messages]


def test_resolving_tells_the_customer_and_their_reply_reopens_it(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Kettle leaks", "It leaks")
    service.set_status(service.access(KIM, ticket.id), Status.RESOLVED)
    assert texts(events(service, ADA.uid, ticket.id)) == [
        "Your ticket was resolved. Reply to reopen it."
    ]
    service.post(service.access(ADA, ticket.id), "It leaks again")
    assert service.ticket(ADA, ticket.id).status is Status.OPEN
    agent_sees = events(service, KIM.uid, ticket.id)
    assert [m.visibility for m in agent_sees] == [Visibility.PUBLIC, Visibility.INTERNAL]
    assert "customer replied" in agent_sees[1].text
    assert len(events(service, ADA.uid, ticket.id)) == 1  # the reopening note is for agents


def test_internal_status_and_assignment_are_for_agents_only(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Kettle leaks", "It leaks")
    service.set_status(service.access(KIM, ticket.id), Status.WAITING_ON_AGENT)
    service.assign(service.access(KIM, ticket.id), LEE.uid)
    service.assign(service.access(LEE, ticket.id), LEE.uid)  # no change: nothing recorded
    service.assign(service.access(LEE, ticket.id), None)
    agent_sees = texts(events(service, KIM.uid, ticket.id))
    assert agent_sees == [
        "Kim Park set the status to Waiting on agent.",
        "Kim Park assigned this ticket to Lee Chen.",
        ASSISTANT_OFF,
        "Lee Chen unassigned this ticket.",
    ]
    assert texts(events(service, ADA.uid, ticket.id)) == [ASSISTANT_OFF]


def test_switching_the_assistant_is_told_to_the_customer(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Kettle leaks", "It leaks")
    service.set_assistant_active(service.access(KIM, ticket.id), False)
    service.set_assistant_active(service.access(KIM, ticket.id), False)  # unchanged: silent
    service.set_assistant_active(service.access(KIM, ticket.id), True)
    service.set_status(service.access(KIM, ticket.id), Status.OPEN)  # unchanged: silent
    assert texts(events(service, ADA.uid, ticket.id)) == [ASSISTANT_OFF, ASSISTANT_ON]


def test_an_agent_taking_over_by_replying_adds_no_notice(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Kettle leaks", "It leaks")
    service.post(service.access(KIM, ticket.id), "Hello Ada, I am on it.")
    assert events(service, KIM.uid, ticket.id) == []
    assert not service.ticket(KIM, ticket.id).assistant_active
