"""Reports from aggregates on both stores: the 60-ticket fixture's events, recorded through
the one entry point, give exactly the fixture's known answers (over its whole span and a
sub-range); events are idempotent; only supervisors see reports."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from config.bootstrap import Services
from ops.cli import run
from tests.support.report_fixture import FIXTURE, RANGES, START, check, events
from tests.support.services import make_services
from tests.support.users import ADA, KIM
from tickets import metrics
from tickets.domain import Usage
from tickets.errors import AccessDenied, InvalidInput
from tickets.reports import percentile
from tickets.store import Store

SUE = "sup-sue"


@pytest.fixture
def services(store: Store) -> Services:
    services = make_services(store)
    assert run(["grant-supervisor", SUE], services, io.StringIO()) == 0
    return services


def test_the_fixture_gives_its_known_answers(services: Services) -> None:
    recorded = 0
    for ticket in FIXTURE["tickets"]:
        for event in events(ticket):
            services.metrics.record(event)
            recorded += 1
    assert len(FIXTURE["tickets"]) >= 50 and recorded > 400
    sue = services.tickets.current_user(SUE)
    for name, (first, last) in RANGES.items():
        check(services.reports.report(sue, first, last), FIXTURE["expected"][name])


def test_an_event_recorded_twice_counts_once(services: Services) -> None:
    at = services.tickets.clock()
    opened = metrics.ticket_opened("tk-1", at)
    spent = metrics.tokens("tk-1", at, Usage(10, 5))
    for event in (opened, opened, spent, spent):
        services.metrics.record(event)
    services.metrics.record(metrics.first_response("tk-1", at + timedelta(seconds=30), human=False))
    services.metrics.record(metrics.first_response("tk-1", at + timedelta(seconds=90), human=True))
    sue = services.tickets.current_user(SUE)
    report = services.reports.report(sue, at.date(), at.date())
    figures = report.figures()
    assert (figures["opened"], figures["tokens"]) == (1, 15)
    assert figures["first_response_median_s"] == 30  # the first answer only
    stats = services.store.metrics.stats("tk-1")
    assert stats is not None and stats.human_replied  # the person's answer still counts


def test_a_changed_score_or_rating_replaces_the_earlier_one(services: Services) -> None:
    at = services.tickets.clock()
    record = services.metrics.record
    record(metrics.ticket_opened("tk-2", at))
    record(metrics.csat_given("tk-2", at, 2))
    record(metrics.csat_given("tk-2", at + timedelta(days=1), 5))
    record(metrics.reply_rated("tk-2", at, message_id="m-1", up=False, author="assistant"))
    record(metrics.reply_rated("tk-2", at, message_id="m-1", up=True, author="assistant"))
    sue = services.tickets.current_user(SUE)
    report = services.reports.report(sue, at.date(), at.date() + timedelta(days=1))
    tables = {t.key: t for t in report.tables()}
    assert tables["csat"].rows[0][1:] == (1, 5.0, 1.0, 0, 0, 0, 0, 1)
    assert tables["feedback"].rows[0] == ("assistant", 1, 0, 1.0)


def test_only_supervisors_see_reports_and_ranges_are_bounded(services: Services) -> None:
    for uid in (KIM.uid, ADA.uid):
        with pytest.raises(AccessDenied):
            services.reports.report(services.tickets.current_user(uid), START, START)
    sue = services.tickets.current_user(SUE)
    with pytest.raises(InvalidInput):
        services.reports.report(sue, START, START - timedelta(days=1))
    with pytest.raises(InvalidInput):
        services.reports.report(sue, START, START + timedelta(days=400))
    empty = services.reports.report(sue, date(2020, 1, 1), date(2020, 1, 31))
    assert empty.figures()["opened"] == 0 and empty.figures()["handoff_rate"] is None
    assert all(t.csv().count("\n") >= 1 for t in empty.tables())


def test_nearest_rank_percentiles() -> None:
    assert percentile({}, 50) is None
    assert percentile({10: 1}, 90) == 10
    assert percentile({1: 1, 2: 1, 3: 1, 4: 1}, 50) == 2  # the lower middle
    assert percentile({1: 9, 100: 1}, 90) == 1 and percentile({1: 9, 100: 1}, 91) == 100
