"""Token budgets per user and per ticket per period, charged from reported usage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from assistant.errors import BudgetExceeded
from assistant.settings import BudgetSettings
from tickets.domain import Usage, utcnow
from tickets.metrics import MetricsRecorder, tokens
from tickets.store import UsageStore


@dataclass(frozen=True)
class BudgetStatus:
    period: str
    user_used: int
    user_limit: int
    ticket_used: int
    ticket_limit: int

    @property
    def exhausted(self) -> bool:
        return self.user_used >= self.user_limit or self.ticket_used >= self.ticket_limit


class BudgetGuard:
    def __init__(
        self,
        usage: UsageStore,
        settings: BudgetSettings,
        clock: Callable[[], datetime] = utcnow,
        metrics: MetricsRecorder | None = None,
    ) -> None:
        self.usage, self.settings, self.clock = usage, settings, clock
        self.metrics = metrics  # every charge is also a report event (tokens per ticket)

    def period(self) -> str:
        now = self.clock()
        return f"{now:%Y-%m}" if self.settings.period == "month" else f"{now:%Y-%m-%d}"

    @staticmethod
    def user_key(uid: str, period: str) -> str:
        return f"user-{uid}-{period}"

    @staticmethod
    def ticket_key(ticket_id: str, period: str) -> str:
        return f"ticket-{ticket_id}-{period}"

    def status(self, uid: str, ticket_id: str) -> BudgetStatus:
        period = self.period()
        return BudgetStatus(
            period,
            self.usage.get(self.user_key(uid, period)).total_tokens,
            self.settings.user_tokens_per_period,
            self.usage.get(self.ticket_key(ticket_id, period)).total_tokens,
            self.settings.ticket_tokens_per_period,
        )

    def check(self, uid: str, ticket_id: str) -> BudgetStatus:
        """Raise :class:`BudgetExceeded` before a model call that the budget can't cover."""
        status = self.status(uid, ticket_id)
        if status.exhausted:
            which = "this ticket" if status.ticket_used >= status.ticket_limit else "your account"
            raise BudgetExceeded(
                f"The assistant's allowance for {which} is used up for this "
                f"{self.settings.period}. A support agent will answer here instead."
            )
        return status

    def charge(self, uid: str | None, ticket_id: str, usage: Usage) -> None:
        period = self.period()
        keys = [self.ticket_key(ticket_id, period), self.ticket_key(ticket_id, "all")]
        if uid is not None:
            keys += [self.user_key(uid, period), self.user_key(uid, "all")]
        self.usage.add(keys, usage)
        if self.metrics is not None and usage.total_tokens:
            self.metrics.record(tokens(ticket_id, self.clock(), usage))
