"""Where the helpdesk's report events happen.

The operator's reports (issue 15) own the reporting mechanism: one entry point that records
an event and aggregates it as it happens. The helpdesk calls :data:`Report` at exactly three
places, each behind a small service method that reports once:

- ``csat_given`` (score 1-5): :meth:`tickets.satisfaction.FeedbackService.give_csat`
- ``reply_rated`` (up/down, author kind assistant|agent|copilot, optional reason):
  :meth:`tickets.satisfaction.FeedbackService.rate`
- ``sla_breached`` (first or next response, priority): :meth:`tickets.sla.SlaClocks.report_breaches`

``config.bootstrap`` passes the hook; until the reports land it is :func:`no_report`. The
helpdesk keeps its own records too (ratings, scores, per-day counters, SLA clocks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

Report = Callable[[str, Mapping[str, object]], None]


def no_report(kind: str, data: Mapping[str, object]) -> None:
    """Nothing to report to yet."""
