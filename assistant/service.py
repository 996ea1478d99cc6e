"""The customer-facing assistant: budget check, prompt from memory, a streamed reply, and
compaction afterwards (in the background, so the reply is never held up by it)."""

from __future__ import annotations

from collections.abc import Sequence

from assistant import prompts
from assistant.errors import BudgetExceeded
from assistant.pipeline import Conversation, ReplyRun
from assistant.ports import AssistantPorts
from memory.base import MemoryStrategy, PromptPlan, Snapshot
from memory.prompt import PromptContext, Renderer, render_for_customer_thread
from tickets.domain import Checkpoint, Message, Ticket
from tickets.ids import validate_id
from tickets.service import TicketAccess


class AssistantService:
    def __init__(
        self, ports: AssistantPorts, *, render: Renderer = render_for_customer_thread
    ) -> None:
        self.ports, self.render = ports, render
        self.tickets, self.budget, self.config = ports.tickets, ports.budget, ports.config
        self.store = ports.store

    def memory_for(self, ticket_id: str) -> MemoryStrategy:
        # the customers' assistant sees public messages only
        return self.ports.memory(ticket_id, charge_uid=None, public_only=True)

    def context(self, ticket: Ticket) -> PromptContext:
        return PromptContext(
            system_prompt=prompts.customer_system_prompt(self.config.product_name),
            ticket_facts=prompts.ticket_facts(ticket),
            render=self.render,
            reference=prompts.ticket_reference(ticket),
        )

    def preview(
        self,
        access: TicketAccess,
        checkpoint: Checkpoint | None,
        newest: Sequence[Message] = (),
    ) -> PromptPlan:
        """The prompt the next reply would get (for the memory panel), reusing what the page
        already read: ``newest`` are its newest messages, ``checkpoint`` the stored one."""
        ticket = access.ticket
        snap = Snapshot(ticket.last_seq, checkpoint, tuple(newest))
        return self.memory_for(ticket.id).build(access.conv, self.context(ticket), snap)

    def reply(self, access: TicketAccess) -> ReplyRun | None:
        """Answer the customer's newest message. ``None`` when an agent has taken over."""
        if not access.ticket.assistant_active:
            return None
        self._check_budget(access)
        return self.ports.pipeline.start(self._conversation(access))

    def retry(self, access: TicketAccess, message_id: str) -> ReplyRun | None:
        """Re-generate a failed, cut-off or stalled reply in place (same message, same seq)."""
        validate_id(message_id, "message")
        if not access.ticket.assistant_active:
            return None
        self._check_budget(access)
        return self.ports.pipeline.start(self._conversation(access), retry_of=message_id)

    def _conversation(self, access: TicketAccess) -> Conversation:
        ticket, user = access.ticket, access.user
        return Conversation(
            conv=access.conv,
            memory=self.memory_for(ticket.id),
            context=self.context(ticket),
            snapshot=Snapshot(None, self.store.checkpoints.get(access.conv)),
            charge=lambda usage: self.budget.charge(user.uid, ticket.id, usage),
        )

    def _check_budget(self, access: TicketAccess) -> None:
        try:
            self.budget.check(access.user.uid, access.ticket.id)
        except BudgetExceeded as exc:
            self.tickets.hand_to_human(access.ticket, exc.message)
            raise
