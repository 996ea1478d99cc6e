"""Services wired by the real composition root, with fakes at the ports."""

from __future__ import annotations

from dataclasses import replace

from config.bootstrap import Services, build_services
from config.settings import BudgetSettings, MemorySettings, Settings
from memory.tokens import CharCounter
from tests.support.fakes import FakeModel
from tickets.domain import Role, User
from tickets.store import TicketStore

ADA = User("cust-ada", Role.CUSTOMER, "Ada Lovelace", "ada@example.com")
BOB = User("cust-bob", Role.CUSTOMER, "Bob Marley", "bob@example.com")
KIM = User("agent-kim", Role.AGENT, "Kim Park")


def make_services(
    store: TicketStore,
    model: FakeModel | None = None,
    *,
    memory: MemorySettings | None = None,
    budget: BudgetSettings | None = None,
) -> Services:
    settings = replace(
        Settings(),
        memory=memory or MemorySettings(),
        budget=budget or BudgetSettings(),
    )
    for user in (ADA, BOB, KIM):
        store.save_user(user)
    return build_services(
        settings,
        store=store,
        model=model or FakeModel(),
        counter=CharCounter(),
        run_later=lambda job: job(),
    )
