"""Where the helpdesk's report events happen, and how they reach the reports.

The operator's reports own the reporting mechanism (:mod:`tickets.metrics`: one entry point
that records an event and aggregates it as it happens). The helpdesk reports at exactly
three places, each behind a small service method that reports once:

- ``csat_given`` (score 1-5): :meth:`tickets.satisfaction.FeedbackService.give_csat`
- ``reply_rated`` (up/down, author kind assistant|agent|copilot, optional reason):
  :meth:`tickets.satisfaction.FeedbackService.rate`
- ``sla_breached`` (first or next response, priority): :meth:`tickets.sla.SlaClocks.report_breaches`

:func:`metric_events` turns each into a :class:`tickets.metrics.MetricEvent` and records it;
``config.bootstrap`` passes it as the hook. The helpdesk keeps its own records too
(ratings, scores, per-day counters, SLA clocks).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from tickets import metrics
from tickets.domain import as_datetime

log = logging.getLogger(__name__)
Report = Callable[[str, Mapping[str, object]], None]


def no_report(kind: str, data: Mapping[str, object]) -> None:
    """Nowhere to report to (tests of the helpdesk alone)."""


def metric_events(recorder: metrics.MetricsRecorder, clock: Callable[[], datetime]) -> Report:
    """The hook that records each helpdesk event in the reports' aggregates."""

    def report(kind: str, data: Mapping[str, object]) -> None:
        try:
            event = to_metric(kind, data, clock())
        except (ValueError, TypeError, KeyError) as exc:  # a malformed event: never fatal
            log.error("could not report %s: %s", kind, exc)
            return
        if event is not None:
            recorder.record(event)

    return report


def to_metric(kind: str, data: Mapping[str, object], now: datetime) -> metrics.MetricEvent | None:
    ticket_id = str(data["ticketId"])
    if kind == "csat_given":
        score = data["score"]
        if not isinstance(score, int):
            raise TypeError("a CSAT score is a whole number")
        return metrics.csat_given(ticket_id, now, score)
    if kind == "reply_rated":
        reason = data.get("reason")
        return metrics.reply_rated(
            ticket_id,
            now,
            message_id=str(data["messageId"]),
            up=data["value"] == "up",
            author=str(data["authorKind"]),
            # a person's own words never become a counter's name: counted as "other"
            reason=metrics.code(str(reason)) if reason else None,
        )
    if kind == "sla_breached":
        due = data.get("dueAt")
        at = as_datetime(due) if isinstance(due, datetime | str) else now
        return metrics.sla_breached(
            ticket_id, at, sla=str(data["kind"]), priority=str(data["priority"])
        )
    log.warning("no report for a %s event", kind)
    return None
