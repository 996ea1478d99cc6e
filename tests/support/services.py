"""Services wired by the real composition root, with fakes at the ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from assistant.pipeline import RunLater
from assistant.settings import BudgetSettings
from config.bootstrap import Services, build_services
from config.settings import Settings
from memory.settings import MemorySettings
from memory.tokens import CharCounter
from tests.support.fakes import FakeModel
from tests.support.users import EVERYONE
from tickets.domain import utcnow
from tickets.service import TicketAccess
from tickets.store import Store


def make_services(
    store: Store,
    model: FakeModel | None = None,
    *,
    memory: MemorySettings | None = None,
    budget: BudgetSettings | None = None,
    run_later: RunLater | None = None,
    clock: Callable[[], datetime] = utcnow,
    retention_days: int | None = None,
) -> Services:
    settings = replace(
        Settings(),
        memory=memory or MemorySettings(),
        budget=budget or BudgetSettings(),
        retention_days=retention_days,
    )
    for user in EVERYONE:
        store.users.save(user)
    return build_services(
        settings,
        store=store,
        model=model or FakeModel(),
        counter=CharCounter(),
        run_later=run_later or (lambda job: job()),
        clock=clock,
    )


def access(services: Services, user_uid: str, ticket_id: str) -> TicketAccess:
    """What a request does first: read the user and the ticket, and check them."""
    return services.tickets.access(services.tickets.current_user(user_uid), ticket_id)
