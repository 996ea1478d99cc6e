"""The customer-facing assistant: budget check, prompt from memory, a streamed reply, and
compaction afterwards (in the background, so the reply is never held up by it)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from assistant import prompts
from assistant.ports import ASSISTANT_UID, AssistantPorts
from assistant.reply import ReplyRun, ReplyTarget
from memory.base import MemoryStrategy, PromptPlan
from memory.prompt import PromptContext, Renderer, render_for_customer_thread
from tickets.domain import (
    AuthorRole,
    ConversationRef,
    MessageStatus,
    NewMessage,
    Ticket,
    User,
)
from tickets.errors import BudgetExceeded, InvalidInput, MessageNotFound
from tickets.ids import new_message_id, validate_id

log = logging.getLogger(__name__)
RunLater = Callable[[Callable[[], None]], None]


class AssistantService:
    def __init__(
        self,
        ports: AssistantPorts,
        *,
        run_later: RunLater = lambda job: job(),
        render: Renderer = render_for_customer_thread,
    ) -> None:
        self.ports, self.run_later, self.render = ports, run_later, render
        self.tickets, self.model, self.counter = ports.tickets, ports.model, ports.counter
        self.budget, self.config, self.store = ports.budget, ports.config, ports.store

    def memory_for(self, ticket_id: str) -> MemoryStrategy:
        # the customers' assistant sees public messages only
        return self.ports.memory(ticket_id, charge_uid=None, public_only=True)

    def context(self, ticket: Ticket) -> PromptContext:
        return PromptContext(
            system_prompt=prompts.customer_system_prompt(self.config.product_name),
            ticket_facts=prompts.ticket_facts(ticket),
            render=self.render,
        )

    def preview(self, user: User, ticket_id: str) -> PromptPlan:
        """The prompt the next reply would get: for the context meter and banners."""
        ticket = self.tickets.ticket(user, ticket_id)
        return self.memory_for(ticket.id).build(ConversationRef(ticket.id), self.context(ticket))

    def reply(self, user: User, ticket_id: str, *, reply_id: str | None = None) -> ReplyRun | None:
        """Answer the customer's newest message. ``None`` when an agent has taken over."""
        ticket = self.tickets.ticket(user, ticket_id)
        if not ticket.assistant_active:
            return None
        self._check_budget(user, ticket)
        conv = ConversationRef(ticket.id)
        pending = NewMessage(
            validate_id(reply_id or new_message_id(), "message"),
            ASSISTANT_UID,
            AuthorRole.ASSISTANT,
            "",
            status=MessageStatus.PENDING,
        )
        message = self.store.append_message(conv, pending)
        return self._run(user, ticket, message.id)

    def retry(self, user: User, ticket_id: str, message_id: str) -> ReplyRun | None:
        """Re-generate a failed or cut-off reply in place (same message, same position)."""
        ticket = self.tickets.ticket(user, ticket_id)
        conv = ConversationRef(ticket.id)
        message = self.store.get_message(conv, validate_id(message_id, "message"))
        if message is None or message.author_role is not AuthorRole.ASSISTANT:
            raise MessageNotFound(message_id)
        if message.status not in (MessageStatus.FAILED, MessageStatus.TRUNCATED):
            raise InvalidInput("Only a failed or cut-off reply can be retried.")
        if not ticket.assistant_active:
            return None
        self._check_budget(user, ticket)
        self.store.finish_message(conv, message.id, text="", status=MessageStatus.PENDING)
        return self._run(user, ticket, message.id)

    def _check_budget(self, user: User, ticket: Ticket) -> None:
        try:
            self.budget.check(user.uid, ticket.id)
        except BudgetExceeded as exc:
            self.tickets.hand_to_human(ticket, exc.message)
            raise

    def _run(self, user: User, ticket: Ticket, message_id: str) -> ReplyRun:
        memory = self.memory_for(ticket.id)
        conv = ConversationRef(ticket.id)
        plan = memory.build(conv, self.context(ticket))

        def compact() -> None:
            self.run_later(lambda: _log_outcome(conv, memory.maintain(conv, plan)))

        return ReplyRun(
            store=self.store,
            model=self.model,
            counter=self.counter,
            target=ReplyTarget(conv, message_id),
            plan=plan,
            max_tokens=self.config.max_reply_tokens,
            on_usage=lambda usage: self.budget.charge(user.uid, ticket.id, usage),
            after=compact,
        )


def _log_outcome(conv: ConversationRef, outcome: object) -> None:
    status = getattr(outcome, "status", None)
    if status in ("failed", "lost_race"):
        log.warning("compaction of %s: %s %s", conv.key, status, getattr(outcome, "error", ""))
