"""The helpdesk's three report events reach the supervisors' reports through the real
services, on both stores: a customer's CSAT, a thumbs down on an agent's reply, and an
overdue first response to a customer waiting for a person (reported once, however often the
queue checks)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from config.bootstrap import Services
from ops.cli import run
from tests.support.clock import Clock
from tests.support.services import access, make_services
from tests.support.users import ADA, BOB, KIM
from tickets.domain import Status
from tickets.store import Store

SUE = "sup-sue"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(store: Store, clock: Clock) -> Services:
    services = make_services(store, clock=clock)
    assert run(["grant-supervisor", SUE], services, io.StringIO()) == 0
    return services


def test_csat_ratings_and_breaches_are_counted_in_the_reports(
    services: Services, clock: Clock
) -> None:
    t, day = services.tickets, clock.now.date()
    kettle = t.open_ticket(ADA, "Kettle leaks", "It leaks from the base")
    reply = t.post(access(services, KIM.uid, kettle.id), "Please send us a photo.")
    services.feedback.rate(access(services, ADA.uid, kettle.id), reply.id, "down", "Too slow")
    t.set_status(access(services, KIM.uid, kettle.id), Status.RESOLVED)
    services.feedback.give_csat(access(services, ADA.uid, kettle.id), 4)

    toaster = t.open_ticket(BOB, "Toaster burns", "Everything comes out black")
    services.assistant.request_person(access(services, BOB.uid, toaster.id))  # nobody answers
    clock.advance(timedelta(hours=5).total_seconds())  # past the normal first-response target
    assert len(t.sla.report_breaches()) == 1
    assert t.sla.report_breaches() == []  # reported once

    sue = t.current_user(SUE)
    report = services.reports.report(sue, day, clock.now.date())
    tables = {table.key: table for table in report.tables()}
    assert report.figures()["sla_breaches"] == 1
    assert tables["sla"].rows == [("first response", "normal", 1)]
    feedback = {row[0]: row[1:] for row in tables["feedback"].rows}
    assert feedback["agent"] == (0, 1, 0.0)
    assert tables["feedback_reasons"].rows == [("agent", "other", 1)]  # free text stays out
    csat = {row[0]: row[1:3] for row in tables["csat"].rows}
    assert csat["with a person"] == (1, 4.0)
