"""The agent's private copilot: a chat per ticket and agent, with the ticket as context.

The ticket context (its memory summary, pinned facts, and the newest messages including
internal notes) is rebuilt every turn; the copilot chat itself has its own summary memory.
"""

from __future__ import annotations

from assistant import prompts
from assistant.ports import ASSISTANT_UID, AssistantPorts
from assistant.reply import ReplyRun, ReplyTarget
from memory.base import fit_newest
from memory.prompt import ChatMessage, PromptContext, memory_block, render_for_copilot
from memory.summary import SPEAKER
from tickets import policy
from tickets.domain import (
    AuthorRole,
    ConversationRef,
    Message,
    MessageStatus,
    NewMessage,
    Ticket,
    User,
)
from tickets.ids import new_message_id, validate_id
from tickets.text import clean_message

SUMMARIZE = "Summarize this ticket."
SUGGEST = "Draft a reply to the customer."
QUICK_ASKS = {
    SUMMARIZE: prompts.TICKET_SUMMARY_REQUEST,
    SUGGEST: prompts.SUGGEST_REPLY_REQUEST,
}


def _ticket_line(message: Message) -> ChatMessage:
    label = SPEAKER[message.author_role] + (" (internal note)" if message.is_internal else "")
    return ChatMessage("user", f"#{message.seq} {label}: {message.text}")


class CopilotService:
    def __init__(self, ports: AssistantPorts, *, ticket_context_tokens: int = 1500) -> None:
        self.ports, self.ticket_context_tokens = ports, ticket_context_tokens
        self.tickets, self.model, self.counter = ports.tickets, ports.model, ports.counter
        self.budget, self.config = ports.budget, ports.config

    def thread(self, agent: User, ticket_id: str, limit: int = 50) -> list[Message]:
        policy.require_agent(agent, "use the copilot")
        ticket = self.tickets.ticket(agent, ticket_id)
        return self.tickets.store.newest_messages(
            ConversationRef(ticket.id, agent.uid), limit=limit
        )

    def ask(
        self, agent: User, ticket_id: str, question: str, *, message_id: str | None = None
    ) -> ReplyRun:
        """Post the agent's question to their copilot thread and stream the answer."""
        policy.require_agent(agent, "use the copilot")
        ticket = self.tickets.ticket(agent, ticket_id)
        question = clean_message(question, self.tickets.limits)
        conv = ConversationRef(ticket.id, agent.uid)
        store = self.tickets.store
        mid = validate_id(message_id or new_message_id(), "message")
        self.budget.check(agent.uid, ticket.id)  # at the cap nothing is stored or sent
        store.append_message(conv, NewMessage(mid, agent.uid, AuthorRole.AGENT, question))
        pending = store.append_message(
            conv,
            NewMessage(
                new_message_id(),
                ASSISTANT_UID,
                AuthorRole.ASSISTANT,
                "",
                status=MessageStatus.PENDING,
            ),
        )
        memory = self.ports.memory(ticket.id, charge_uid=agent.uid, public_only=False)
        plan = memory.build(conv, self._context(ticket, question))

        def compact() -> None:
            memory.maintain(conv, plan)

        return ReplyRun(
            store=store,
            model=self.model,
            counter=self.counter,
            target=ReplyTarget(conv, pending.id),
            plan=plan,
            max_tokens=self.config.max_reply_tokens,
            on_usage=lambda usage: self.budget.charge(agent.uid, ticket.id, usage),
            after=compact,
        )

    def _context(self, ticket: Ticket, question: str) -> PromptContext:
        conv = ConversationRef(ticket.id)
        store = self.tickets.store
        state = store.conversation_state(conv)
        recent = [
            m
            for m in store.newest_messages(conv, limit=80)
            if m.seq > state.covered_seq and m.counts_for_memory
        ]
        ctx = PromptContext("", "", _ticket_line)
        fit = fit_newest(recent, self.ticket_context_tokens, self.counter, ctx)
        parts = [prompts.ticket_facts(ticket, for_agent=True)]
        block = memory_block(state.checkpoint, state.checkpoint.facts if state.checkpoint else ())
        if block:
            parts.append(block)
        if fit.messages:
            parts.append("## Newest ticket messages\n" + "\n".join(m.content for m in fit.messages))
        request = QUICK_ASKS.get(question)
        system = prompts.copilot_system_prompt(self.config.product_name)
        if request:
            system += "\n" + request
        return PromptContext(system, "\n\n".join(parts), render_for_copilot)
