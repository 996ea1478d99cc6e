"""The report fixture (``tests/data/report_fixture.json``): 60 tickets with what happened to
each and the report's known answers, and how to replay it as report events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tickets import metrics
from tickets.domain import Usage
from tickets.reports import Report

FIXTURE = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "report_fixture.json").read_text()
)
START = date.fromisoformat(FIXTURE["start"])
RANGES = {"all": (START, START + timedelta(days=FIXTURE["days"] + 2))}
RANGES["days_3_9"] = (START + timedelta(days=3), START + timedelta(days=9))


def opened_at(ticket: dict[str, Any]) -> datetime:
    midnight = datetime(START.year, START.month, START.day, tzinfo=UTC)
    return midnight + timedelta(days=ticket["day"], minutes=ticket["start"])


def steps(ticket: dict[str, Any]) -> Iterator[tuple[int, datetime, str, list[Any]]]:
    at = opened_at(ticket)
    for n, (minute, what, *args) in enumerate(ticket["steps"]):
        yield n, at + timedelta(minutes=minute), what, args


def events(ticket: dict[str, Any]) -> Iterator[metrics.MetricEvent]:
    """Every event the fixture's timeline makes, as the product would record it."""
    tid = ticket["id"]
    yield metrics.ticket_opened(tid, opened_at(ticket))
    for n, at, what, args in steps(ticket):
        if what in ("assistant", "agent"):
            yield metrics.first_response(tid, at, human=what == "agent")
        elif what == "customer":
            yield metrics.reopened(tid, at)
        elif what == "resolve":
            yield metrics.resolved(tid, at)
        elif what == "handoff":
            yield metrics.handoff(tid, at, args[0])
        elif what == "tokens":
            yield metrics.tokens(tid, at, Usage(args[0], args[1]))
        else:
            yield helpdesk_event(tid, n, at, what, args)


def helpdesk_event(
    tid: str, n: int, at: datetime, what: str, args: list[Any]
) -> metrics.MetricEvent:
    """The three events the helpdesk features emit (CSAT, reply feedback, SLA breaches)."""
    if what == "csat":
        return metrics.csat_given(tid, at, args[0])
    if what == "rate":
        reason = args[2] if len(args) > 2 else None
        return metrics.reply_rated(
            tid, at, message_id=f"m-{tid}-{n}", up=args[1] == "up", author=args[0], reason=reason
        )
    assert what == "sla"
    return metrics.sla_breached(tid, at, sla=args[0], priority=args[1])


def check(report: Report, expected: dict[str, Any], *, tokens: bool = True) -> None:
    """Every figure and table of ``report`` against the fixture's known answers."""
    f = report.figures()
    for name in ("opened", "resolved", "resolved_by_assistant", "handoffs", "reopened"):
        assert f[name] == expected[name], name
    for name in ("first_response", "resolution"):
        for p in ("median", "p90"):
            assert f[f"{name}_{p}_s"] == expected[f"{name}_{p}_s"], f"{name} {p}"
    resolved, opened = expected["resolved"], expected["opened"]
    assert f["assistant_resolution_share"] == round(expected["resolved_by_assistant"] / resolved, 4)
    assert f["handoff_rate"] == round(expected["handoffs"] / opened, 4)
    assert f["reopen_rate"] == round(expected["reopened"] / resolved, 4)
    tables = {t.key: t for t in report.tables()}
    times = {r[0]: list(r[1:]) for r in tables["response_times"].rows}
    assert times["first response, assistant"] == expected["first_response_assistant"]
    assert times["first response, person"] == expected["first_response_human"]
    reasons = {r[0]: r[1] for r in tables["handoff_reasons"].rows}
    assert reasons == expected["handoff_reasons"]
    csat = {r[0]: list(r[4:]) for r in tables["csat"].rows}
    assert csat["assistant alone"] == expected["csat"]["assistant"]
    assert csat["with a person"] == expected["csat"]["human"]
    feedback = {r[0]: [r[1], r[2]] for r in tables["feedback"].rows}
    assert feedback == expected["ratings"]
    down = {f"{r[0]}.{r[1]}": r[2] for r in tables["feedback_reasons"].rows}
    assert down == expected["rating_reasons"]
    sla = {f"{r[0].split()[0]}.{r[1]}": r[2] for r in tables["sla"].rows}
    assert sla == expected["sla"]
    assert f["sla_breaches"] == sum(expected["sla"].values())
    if tokens:
        assert f["tokens"] == expected["tokens"]
        assert f["tokens_per_resolved"] == round(expected["resolved_tokens"] / resolved, 1)
    per_day = tables["per_day"].rows
    assert sum(r[1] for r in per_day) == opened and sum(r[2] for r in per_day) == resolved
