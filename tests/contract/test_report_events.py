"""The product emits the report events itself: the fixture's 60 tickets worked through the
real services (customers opening tickets, the assistant answering with a fake model, agents
answering, handing over, resolving, customers reopening, usage charged), with the three
helpdesk events recorded through the same entry point, give the fixture's known answers."""

from __future__ import annotations

import io
from typing import Any

import pytest

from config.bootstrap import Services
from ops.cli import run
from tests.support.clock import Clock
from tests.support.report_fixture import FIXTURE, RANGES, check, helpdesk_event, opened_at, steps
from tests.support.services import access, make_services
from tests.support.users import ADA, KIM
from tickets.domain import Status, Usage
from tickets.metrics import HandoffReason
from tickets.store import Store

SUE = "sup-sue"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(sqlite: Store, clock: Clock) -> Services:
    services = make_services(sqlite, clock=clock)
    assert run(["grant-supervisor", SUE], services, io.StringIO()) == 0
    return services


def work(services: Services, clock: Clock, ticket: dict[str, Any]) -> str:
    """Everything the fixture says happened to ``ticket``, done through the services."""
    t = services.tickets
    clock.now = opened_at(ticket)
    tid = t.open_ticket(t.current_user(ADA.uid), f"Fixture {ticket['id']}", "It broke.").id
    for n, at, what, args in steps(ticket):
        clock.now = at
        if what == "assistant":
            run_ = services.assistant.reply(access(services, ADA.uid, tid))
            assert run_ is not None
            "".join(run_)
        elif what == "agent":
            t.post(access(services, KIM.uid, tid), "Here is what we will do.")
        elif what == "customer":
            t.post(access(services, ADA.uid, tid), "It happened again.")
        elif what == "resolve":
            t.set_status(access(services, KIM.uid, tid), Status.RESOLVED)
        elif what == "handoff":
            t.hand_over(
                t.access(t.current_user(KIM.uid), tid).ticket, "note", HandoffReason(args[0])
            )
        elif what == "tokens":
            services.budget.charge(ADA.uid, tid, Usage(args[0], args[1]))
        else:  # CSAT, reply feedback, SLA: what the helpdesk features will record
            services.metrics.record(helpdesk_event(tid, n, at, what, args))
    return tid


def test_the_products_own_events_give_the_fixtures_answers(
    services: Services, clock: Clock
) -> None:
    ids = [work(services, clock, ticket) for ticket in FIXTURE["tickets"]]
    sue = services.tickets.current_user(SUE)
    for name, (first, last) in RANGES.items():
        report = services.reports.report(sue, first, last)
        # tokens: the fixture's charges plus what the fake model's replies were charged
        check(report, FIXTURE["expected"][name], tokens=False)
    first, last = RANGES["all"]
    report = services.reports.report(sue, first, last)
    charged = sum(
        services.store.usage.get(services.budget.ticket_key(tid, "all")).total_tokens for tid in ids
    )
    assert report.figures()["tokens"] == charged > FIXTURE["expected"]["all"]["tokens"]
