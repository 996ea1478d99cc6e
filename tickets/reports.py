"""The supervisors' reports, computed from the day counters (never from messages).

A report covers whole UTC days from ``first`` through ``last``. Its definitions:

- *opened*, *resolved*, *reopened*, *handoffs*: events on those days (a ticket resolved,
  reopened and resolved again counts two resolutions);
- *resolved by the assistant alone*: resolutions of tickets no person had answered publicly;
  its *share* is of all resolutions;
- *handoff rate*: handoffs per ticket opened; *reopen rate*: reopenings per resolution;
- *first response time*: from opening to the first public answer (assistant or person), one
  per ticket, dated by the answer; *resolution time*: from opening to each resolution.
  Medians and p90s use the nearest-rank method (the smallest value with at least that share
  of the samples at or below it), at the histogram's resolution (see :mod:`tickets.metrics`);
- *CSAT*: the latest score per ticket, split by whether a person answered the ticket;
  *satisfied* is 4 or 5; *reply feedback*: the latest thumbs per reply, by who wrote it;
- *tokens per resolved ticket*: the tokens spent on the tickets resolved in the range (up to
  each resolution) per resolution; cost at ``MODEL_PRICE_*_PER_MTOK``;
- *budget use*: this budget period's biggest users and tickets against their budgets.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tickets import policy
from tickets.audit import Actor, AuditLog, Kind
from tickets.domain import User, utcnow
from tickets.errors import InvalidInput
from tickets.export import csv_cell
from tickets.store import MetricsStore, UsageStore

MAX_DAYS = 366
SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class ReportSettings:
    price_prompt_per_mtok: float = 0.0  # what a million prompt tokens cost
    price_completion_per_mtok: float = 0.0
    currency: str = "USD"


@dataclass(frozen=True)
class Budgets:
    """The budget period and limits the budget tables compare with."""

    period: str
    user_limit: int
    ticket_limit: int


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.columns)
        for r in self.rows:
            writer.writerow([csv_cell("" if v is None else str(v)) for v in r])
        return out.getvalue()


def percentile(histogram: Mapping[int, int], p: float) -> int | None:
    """Nearest rank: the smallest value with at least ``p``% of the samples at or below it."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    rank = max(1, math.ceil(p / 100 * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class Report:
    first: date
    last: date
    totals: dict[str, int]
    histograms: dict[str, dict[int, int]]
    days: dict[date, dict[str, int]]
    settings: ReportSettings
    budget_users: list[tuple[str, int]] = field(default_factory=list)
    budget_tickets: list[tuple[str, int]] = field(default_factory=list)
    budgets: Budgets | None = None

    def count(self, name: str) -> int:
        return self.totals.get(name, 0)

    def prefixed(self, prefix: str) -> dict[str, int]:
        return {k[len(prefix) :]: v for k, v in self.totals.items() if k.startswith(prefix)}

    # -- headline figures -----------------------------------------------------------------

    def figures(self) -> dict[str, float | int | None]:
        resolved, opened = self.count("resolved"), self.count("opened")
        tokens = self.count("tokens.prompt") + self.count("tokens.completion")
        first = merge(self.histograms, "firstResponse.")
        took = self.histograms.get("resolution", {})
        return {
            "opened": opened,
            "resolved": resolved,
            "resolved_by_assistant": self.count("resolvedByAssistant"),
            "assistant_resolution_share": share(self.count("resolvedByAssistant"), resolved),
            "handoffs": self.count("handoffs"),
            "handoff_rate": share(self.count("handoffs"), opened),
            "reopened": self.count("reopened"),
            "reopen_rate": share(self.count("reopened"), resolved),
            "first_response_median_s": percentile(first, 50),
            "first_response_p90_s": percentile(first, 90),
            "resolution_median_s": percentile(took, 50),
            "resolution_p90_s": percentile(took, 90),
            "tokens": tokens,
            "tokens_per_resolved": (
                round(self.count("resolvedTokens") / resolved, 1) if resolved else None
            ),
            "cost_per_resolved": self.cost_per_resolved(),
            "sla_breaches": sum(self.prefixed("sla.").values()),
        }

    def cost(self, prompt: int, completion: int) -> float:
        s = self.settings
        return (prompt * s.price_prompt_per_mtok + completion * s.price_completion_per_mtok) / 1e6

    def cost_per_resolved(self) -> float | None:
        resolved = self.count("resolved")
        prompt, completion = self.count("tokens.prompt"), self.count("tokens.completion")
        if not resolved:
            return None
        spent = prompt + completion
        # resolved tickets' tokens, priced at the range's prompt/completion mix
        mix = self.cost(prompt, completion) / spent if spent else 0.0
        return round(self.count("resolvedTokens") * mix / resolved, 6)

    # -- tables ---------------------------------------------------------------------------

    def tables(self) -> list[Table]:
        return [
            self.per_day(),
            self.summary(),
            self.handoff_reasons(),
            self.response_times(),
            self.csat(),
            self.feedback(),
            self.feedback_reasons(),
            self.sla(),
            self.tokens(),
            self.budget("budget_customers", "Budget use per customer", self.budget_users),
            self.budget("budget_tickets", "Budget use per ticket", self.budget_tickets),
        ]

    def per_day(self) -> Table:
        cols = ("day", "opened", "resolved", "resolved_by_assistant", "reopened", "handoffs")
        names = ("opened", "resolved", "resolvedByAssistant", "reopened", "handoffs")
        rows = []
        day = self.first
        while day <= self.last:
            counts = self.days.get(day, {})
            rows.append((day.isoformat(), *(counts.get(n, 0) for n in names)))
            day += timedelta(days=1)
        return Table("per_day", "Tickets per day", cols, rows)

    def summary(self) -> Table:
        rows = [(name, value) for name, value in self.figures().items()]
        return Table("summary", "Summary", ("figure", "value"), rows)

    def handoff_reasons(self) -> Table:
        reasons = self.prefixed("handoff.")
        total = sum(reasons.values())
        rows = [(r, n, share(n, total)) for r, n in sorted(reasons.items(), key=_by_count)]
        return Table("handoff_reasons", "Handoff reasons", ("reason", "handoffs", "share"), rows)

    def response_times(self) -> Table:
        rows = []
        for label, hist in (
            ("first response, assistant", self.histograms.get("firstResponse.assistant", {})),
            ("first response, person", self.histograms.get("firstResponse.human", {})),
            ("first response, all", merge(self.histograms, "firstResponse.")),
            ("resolution", self.histograms.get("resolution", {})),
        ):
            rows.append((label, sum(hist.values()), percentile(hist, 50), percentile(hist, 90)))
        cols = ("measure", "tickets", "median_seconds", "p90_seconds")
        return Table("response_times", "Response and resolution times", cols, rows)

    def csat(self) -> Table:
        rows = []
        for handled in ("assistant", "human"):
            counts = [self.count(f"csat.{handled}.{s}") for s in SCORES]
            n = sum(counts)
            points = sum(s * c for s, c in zip(SCORES, counts, strict=True))
            average = round(points / n, 2) if n else None
            satisfied = share(counts[3] + counts[4], n)
            label = "assistant alone" if handled == "assistant" else "with a person"
            rows.append((label, n, average, satisfied, *counts))
        cols = ("handled", "responses", "average", "satisfied_share", *map(str, SCORES))
        return Table("csat", "CSAT", cols, rows)

    def feedback(self) -> Table:
        rows = []
        for author in ("assistant", "agent", "copilot"):
            up, down = self.count(f"rating.{author}.up"), self.count(f"rating.{author}.down")
            rows.append((author, up, down, share(up, up + down)))
        cols = ("author", "thumbs_up", "thumbs_down", "up_share")
        return Table("feedback", "Reply feedback", cols, rows)

    def feedback_reasons(self) -> Table:
        rows = []
        for key, n in sorted(self.prefixed("ratingReason.").items(), key=_by_count):
            author, _, reason = key.partition(".")
            rows.append((author, reason, n))
        cols = ("author", "reason", "thumbs_down")
        return Table("feedback_reasons", "Reasons for thumbs down", cols, rows)

    def sla(self) -> Table:
        rows = []
        for key, n in sorted(self.prefixed("sla.").items()):
            which, _, priority = key.partition(".")
            rows.append((f"{which} response", priority, n))
        return Table("sla", "SLA breaches", ("sla", "priority", "breaches"), rows)

    def tokens(self) -> Table:
        prompt, completion = self.count("tokens.prompt"), self.count("tokens.completion")
        f = self.figures()
        rows = [
            (
                prompt,
                completion,
                prompt + completion,
                round(self.cost(prompt, completion), 6),
                self.count("resolved"),
                f["tokens_per_resolved"],
                f["cost_per_resolved"],
            )
        ]
        cols = (
            "prompt_tokens",
            "completion_tokens",
            "tokens",
            f"cost_{self.settings.currency}",
            "resolved",
            "tokens_per_resolved",
            f"cost_per_resolved_{self.settings.currency}",
        )
        return Table("tokens", "Tokens and cost", cols, rows)

    def budget(self, key: str, title: str, used: list[tuple[str, int]]) -> Table:
        b = self.budgets
        limit = (b.user_limit if key == "budget_customers" else b.ticket_limit) if b else 0
        rows = [(owner, tokens, limit, share(tokens, limit)) for owner, tokens in used]
        who = "customer" if key == "budget_customers" else "ticket"
        period = b.period if b else ""
        return Table(key, f"{title} ({period})", (who, "tokens", "budget", "used_share"), rows)


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def merge(histograms: Mapping[str, Mapping[int, int]], prefix: str) -> dict[int, int]:
    out: dict[int, int] = {}
    for name, hist in histograms.items():
        if name.startswith(prefix):
            for value, n in hist.items():
                out[value] = out.get(value, 0) + n
    return out


def summed(days: Iterable[Mapping[str, int]]) -> tuple[dict[str, int], dict[str, dict[int, int]]]:
    """Counters summed over days; ``name.s<seconds>`` counters become histograms."""
    totals: dict[str, int] = {}
    histograms: dict[str, dict[int, int]] = {}
    for counters in days:
        for path, n in counters.items():
            head, _, leaf = path.rpartition(".")
            if head and leaf.startswith("s") and leaf[1:].isdigit():
                hist = histograms.setdefault(head, {})
                hist[int(leaf[1:])] = hist.get(int(leaf[1:]), 0) + n
            else:
                totals[path] = totals.get(path, 0) + n
    return totals, histograms


class ReportService:
    def __init__(
        self,
        metrics: MetricsStore,
        usage: UsageStore,
        settings: ReportSettings,
        budgets: Callable[[], Budgets],
        clock: Callable[[], datetime] = utcnow,
        audit: AuditLog | None = None,
    ) -> None:
        self.metrics, self.usage, self.settings = metrics, usage, settings
        self.budgets, self.clock = budgets, clock
        self.audit = audit or AuditLog(_NoAudit(), clock)

    def default_range(self, days: int = 30) -> tuple[date, date]:
        today = self.clock().date()
        return today - timedelta(days=days - 1), today

    def report(self, user: User, first: date, last: date, *, top: int = 20) -> Report:
        policy.require_supervisor(user, "see reports")
        if last < first:
            raise InvalidInput("The report's start date must not be after its end date.")
        if (last - first).days >= MAX_DAYS:
            raise InvalidInput(f"A report covers at most {MAX_DAYS} days.")
        days = self.metrics.days(first, last)
        totals, histograms = summed(days.values())
        budgets = self.budgets()
        users = [(u.owner, u.total_tokens) for u in self.usage.top("user", budgets.period, top)]
        tickets = [(u.owner, u.total_tokens) for u in self.usage.top("ticket", budgets.period, top)]
        return Report(first, last, totals, histograms, days, self.settings, users, tickets, budgets)

    def table_csv(self, user: User, first: date, last: date, key: str) -> str:
        """One table of the report as CSV (a download: the user is checked again, and the
        download is audited, since budget tables name customers)."""
        tables = {t.key: t for t in self.report(user, first, last).tables()}
        if key not in tables:
            raise InvalidInput(f"No report table {key!r}.")
        self.audit.record(
            Kind.REPORT_EXPORTED,
            Actor.of(user),
            table=key,
            first=first.isoformat(),
            last=last.isoformat(),
        )
        return tables[key].csv()


class _NoAudit:
    def record(self, event: Any) -> None:
        return None

    def find(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []
