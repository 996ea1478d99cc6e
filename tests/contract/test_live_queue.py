"""The agent queue kept live, on every backend: one query per idle poll, the queue and its
counts re-read only after a change, toasts for what concerns the agent."""

from __future__ import annotations

import pytest

from config.bootstrap import Services
from tests.support.recording import Calls, recording
from tests.support.services import access, make_services
from tests.support.users import ADA, BOB, KIM, LEE
from tickets.queue import QueueFilter
from tickets.store import Store


@pytest.fixture
def recorded(store: Store) -> tuple[Store, Calls]:
    return recording(store)


@pytest.fixture
def services(recorded: tuple[Store, Calls]) -> Services:
    return make_services(recorded[0])


@pytest.fixture
def calls(recorded: tuple[Store, Calls]) -> Calls:
    return recorded[1]


def test_an_idle_queue_costs_one_query_per_poll(services: Services, calls: Calls) -> None:
    services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    seen: dict[str, int] = {}
    view = services.live_queue.load(KIM, QueueFilter(), seen, {})
    for _ in range(3):
        calls.clear()
        view, found = services.live_queue.poll(view, KIM, seen, None)
        assert list(calls) == ["activity.changed_since"] and found == []


def test_changes_show_with_toasts_for_the_agent_they_concern(
    services: Services, calls: Calls
) -> None:
    mine = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    services.tickets.assign(access(services, KIM.uid, mine.id), KIM.uid)
    seen: dict[str, int] = {}
    view = services.live_queue.load(KIM, QueueFilter(), seen, {})
    new = services.tickets.open_ticket(BOB, "Invoice is wrong", "Wrong VAT")
    calls.clear()
    view, found = services.live_queue.poll(view, KIM, seen, None)
    assert view.items[0].ticket.id == new.id  # unread and newest
    assert found == []  # a new ticket, but not assigned to Kim
    assert calls.made.count("tickets.count") == 6  # counts re-read once, for this change
    services.tickets.assign(access(services, LEE.uid, new.id), KIM.uid)
    view, found = services.live_queue.poll(view, KIM, seen, None)
    assert [(e.kind, e.ticket.id) for e in found] == [("assigned", new.id)]
    services.tickets.post(access(services, ADA.uid, mine.id), "Any news?")
    view, found = services.live_queue.poll(view, KIM, seen, None)
    assert [(e.kind, e.ticket.id) for e in found] == [("customer_replied", mine.id)]
    assert {i.ticket.id: i.unread for i in view.items}[mine.id]
    services.tickets.post(access(services, ADA.uid, mine.id), "Hello?")
    view, found = services.live_queue.poll(view, KIM, seen, mine.id)  # open: no toast
    assert found == []
    view, found = services.live_queue.poll(view, LEE, {}, None)
    assert found == []  # Lee owns nothing


def test_opening_a_ticket_clears_its_dot_without_writing_the_ticket(
    services: Services, calls: Calls
) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    seen: dict[str, int] = {}
    view = services.live_queue.load(KIM, QueueFilter(), seen, {})
    assert view.items[0].unread
    before = services.store.tickets.get(ticket.id)
    calls.clear()
    services.tickets.mark_seen(access(services, KIM.uid, ticket.id), seen)
    assert "seen.mark" in calls and "tickets.update" not in calls
    services.tickets.mark_seen(access(services, KIM.uid, ticket.id), seen)
    assert calls.made.count("seen.mark") == 1  # already read: nothing written
    assert services.store.tickets.get(ticket.id) == before
    assert not services.live_queue.load(KIM, QueueFilter(), {}, {}).items[0].unread
    assert services.live_queue.load(LEE, QueueFilter(), {}, {}).items[0].unread
