"""SLAs on both stores with an injected clock: first and next response targets per priority,
the clock paused while waiting on the customer, about-to-breach and breached flags, the
queue sorted by due time, a breach reported once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest

from config.bootstrap import Services
from tests.support.clock import Clock
from tests.support.services import access, make_services
from tests.support.users import ADA, BOB, KIM
from tickets.domain import Priority, Status
from tickets.queue import QueueFilter
from tickets.sla import ClockState
from tickets.store import Store

MIN = 60.0


class Reports(list[tuple[str, Mapping[str, object]]]):
    def __call__(self, kind: str, data: Mapping[str, object]) -> None:
        self.append((kind, data))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def reports() -> Reports:
    return Reports()


@pytest.fixture
def services(store: Store, clock: Clock, reports: Reports) -> Services:
    services = make_services(store, clock=clock)
    services.tickets.sla.report = reports
    return services


def handed_over(services: Services, who: str = ADA.uid, subject: str = "Kettle leaks") -> str:
    user = ADA if who == ADA.uid else BOB
    ticket = services.tickets.open_ticket(user, subject, "It leaks")
    services.assistant.request_person(access(services, who, ticket.id))  # the assistant stops
    return ticket.id


def test_no_person_is_due_while_the_assistant_answers(services: Services) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    assert services.tickets.sla.get(ticket.id) is None


def test_first_response_due_by_priority_flags_and_one_breach_report(
    services: Services, clock: Clock, reports: Reports
) -> None:
    start = clock.now
    ticket_id = handed_over(services)
    sla = services.tickets.sla
    running = sla.get(ticket_id)
    assert running is not None and running.state is ClockState.RUNNING
    assert (running.kind, running.due_at) == ("first", start + timedelta(minutes=240))
    services.tickets.set_priority(access(services, KIM.uid, ticket_id), Priority.HIGH)
    high = sla.get(ticket_id)
    assert high is not None and high.due_at == start + timedelta(minutes=60)  # moved at once
    clock.advance(49 * MIN)
    assert sla.flag(sla.get(ticket_id)) == "ok"
    clock.advance(2 * MIN)  # 9 minutes left
    assert sla.flag(sla.get(ticket_id)) == "soon"
    assert sla.report_breaches() == []
    clock.advance(10 * MIN)
    assert sla.flag(sla.get(ticket_id)) == "breached"
    assert [c.ticket_id for c in sla.report_breaches()] == [ticket_id]
    assert sla.report_breaches() == []  # once, whoever checks again
    assert reports == [
        (
            "sla_breached",
            {"ticketId": ticket_id, "kind": "first", "priority": "high", "dueAt": high.due_at},
        )
    ]


def test_a_reply_stops_the_clock_and_the_customers_next_message_starts_the_next_one(
    services: Services, clock: Clock
) -> None:
    ticket_id = handed_over(services)
    services.tickets.post(access(services, KIM.uid, ticket_id), "On it: can you send a photo?")
    stopped = services.tickets.sla.get(ticket_id)
    assert stopped is not None and stopped.state is ClockState.IDLE and stopped.responses == 1
    clock.advance(3 * 3600)  # waiting on the customer: nothing is due
    services.tickets.post(access(services, ADA.uid, ticket_id), "Here it is")
    following = services.tickets.sla.get(ticket_id)
    assert following is not None and following.state is ClockState.RUNNING
    assert (following.kind, following.due_at) == ("next", clock.now + timedelta(minutes=480))
    services.tickets.set_status(access(services, KIM.uid, ticket_id), Status.RESOLVED)
    done = services.tickets.sla.get(ticket_id)
    assert done is not None and done.state is ClockState.IDLE and done.due_at is None


def test_the_clock_pauses_while_waiting_on_the_customer(services: Services, clock: Clock) -> None:
    ticket_id = handed_over(services)  # normal: 240 minutes for the first response
    clock.advance(100 * MIN)
    services.tickets.set_status(access(services, KIM.uid, ticket_id), Status.WAITING_ON_CUSTOMER)
    paused = services.tickets.sla.get(ticket_id)
    assert paused is not None and paused.state is ClockState.PAUSED
    assert paused.remaining_s == pytest.approx(140 * MIN)
    assert services.tickets.sla.flag(paused) == "paused"
    clock.advance(2 * 24 * 3600)  # two days with the customer: not counted
    services.tickets.post(access(services, ADA.uid, ticket_id), "Sorry, I was away")
    resumed = services.tickets.sla.get(ticket_id)
    assert resumed is not None and resumed.state is ClockState.RUNNING
    assert resumed.kind == "first"  # nobody has answered yet
    assert resumed.due_at == clock.now + timedelta(minutes=140)


def test_the_queue_sorts_by_due_time_and_finds_overdue_tickets_beyond_its_page(
    services: Services, clock: Clock
) -> None:
    old = handed_over(services, subject="Oldest problem")  # due first
    clock.advance(10 * MIN)
    urgent = handed_over(services, BOB.uid, subject="Smoke from the kettle")
    services.tickets.set_priority(access(services, KIM.uid, urgent), Priority.URGENT)
    clock.advance(10 * MIN)
    calm = services.tickets.open_ticket(ADA, "Question", "How do I descale?")  # nothing due
    for n in range(3):  # newer activity pushes the oldest ticket off a short page
        clock.advance(MIN)
        services.tickets.open_ticket(BOB, f"Chatting {n}", "hello")
    page = QueueFilter(limit=3, sort="due")
    order = [i.ticket.id for i in services.tickets.queue(KIM, page)]
    assert order[:2] == [urgent, old]  # urgent due 20 min after it opened, the old one at 240
    assert calm.id not in order[:2]
    items = {i.ticket.id: i for i in services.tickets.queue(KIM, QueueFilter(sort="due"))}
    assert items[old].due_at is not None and items[calm.id].due_at is None
    clock.advance(12 * MIN)  # 35 minutes after it opened: 5 left
    assert services.tickets.sla.flag(items[urgent].sla) == "soon"
    clock.advance(5 * MIN)
    assert services.tickets.sla.flag(items[urgent].sla) == "breached"
    assert services.tickets.sla.flag(items[old].sla) == "ok"
