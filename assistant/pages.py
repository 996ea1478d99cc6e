"""What a ticket page shows, read once per rerun.

A view makes one call and gets the checked ticket, the thread page, what the assistant
remembers, and the budget. The ticket is read once (or taken from a listing the page already
read); the memory figures are cached per (ticket, last seq, checkpoint version), so a rerun
where nothing changed reads no message beyond the page it shows.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.budget import BudgetGuard, BudgetStatus
from assistant.service import AssistantService
from memory.base import PromptPlan
from tickets import policy
from tickets.domain import Checkpoint, Ticket, User
from tickets.ids import validate_id
from tickets.service import ThreadPage, TicketAccess, TicketService


@dataclass(frozen=True)
class MemoryView:
    """What the assistant's memory holds for the next reply, in figures (no message text)."""

    strategy: str
    tokens: int
    budget: int
    summarized_through: int
    first_verbatim_seq: int | None
    verbatim: int
    omitted: int
    more_omitted: bool
    shortened: bool
    messages_read: int
    summary: str = ""
    facts: tuple[str, ...] = ()
    extractive: bool = False  # the summary was built without the model (it failed)
    failures: int = 0  # model summaries failed in a row (0: the last one worked)

    @property
    def summaries_failing(self) -> bool:
        return self.failures > 0

    recalled: tuple[str, ...] = ()  # older messages retrieved into the prompt (retrieval)

    @property
    def truncated(self) -> bool:
        return self.omitted > 0 or self.more_omitted or self.shortened

    @classmethod
    def of(cls, plan: PromptPlan) -> MemoryView:
        checkpoint = plan.checkpoint
        return cls(
            strategy=plan.strategy,
            tokens=plan.tokens,
            budget=plan.budget,
            summarized_through=plan.summarized_through,
            first_verbatim_seq=plan.first_verbatim_seq,
            verbatim=plan.verbatim,
            omitted=plan.omitted,
            more_omitted=plan.more_omitted,
            shortened=plan.shortened,
            messages_read=plan.messages_read,
            summary=checkpoint.summary if checkpoint else "",
            facts=checkpoint.facts if checkpoint else (),
            extractive=checkpoint.extractive if checkpoint else False,
            failures=checkpoint.failures if checkpoint else 0,
            recalled=plan.recalled,
        )


@dataclass(frozen=True)
class TicketPage:
    access: TicketAccess
    thread: ThreadPage
    memory: MemoryView
    budget: BudgetStatus

    @property
    def ticket(self) -> Ticket:
        return self.access.ticket


class MemoryViews:
    """A small process-wide cache of memory figures. Keys carry the ticket's last seq and
    checkpoint version, so any change makes a new key; nothing user-specific is stored."""

    def __init__(self, size: int = 512) -> None:
        self._items: OrderedDict[tuple[str, int, int], MemoryView] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, key: tuple[str, int, int]) -> MemoryView | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, int, int], view: MemoryView) -> None:
        with self._lock:
            self._items[key] = view
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class PageService:
    def __init__(
        self, tickets: TicketService, assistant: AssistantService, budget: BudgetGuard
    ) -> None:
        self.tickets, self.assistant, self.budget = tickets, assistant, budget
        self.views = MemoryViews()

    def access(self, user: User, ticket_id: str, known: Sequence[Ticket] = ()) -> TicketAccess:
        """Check access, taking the ticket from a listing this page already read if it is
        there (so the ticket is read once per rerun)."""
        validate_id(ticket_id, "ticket")
        for ticket in known:
            if ticket.id == ticket_id and policy.can_view(user, ticket):
                return TicketAccess(user, ticket)
        return self.tickets.access(user, ticket_id)  # checks (and audits a refusal) itself

    def ticket_page(self, access: TicketAccess, *, limit: int = 30) -> TicketPage:
        thread = self.tickets.thread(access, limit=limit)
        checkpoint = self.tickets.store.checkpoints.get(access.conv)
        return TicketPage(
            access,
            thread,
            self.memory(access, checkpoint, thread),
            self.budget.status(access.ticket.customer_uid, access.ticket.id),
        )

    def memory(
        self, access: TicketAccess, checkpoint: Checkpoint | None, thread: ThreadPage
    ) -> MemoryView:
        ticket = access.ticket
        key = (ticket.id, ticket.last_seq, checkpoint.version if checkpoint else 0)
        view = self.views.get(key)
        if view is None:  # the page is the newest one: memory reads only what lies before it
            view = MemoryView.of(self.assistant.preview(access, checkpoint, thread.messages))
            self.views.put(key, view)
        return view
