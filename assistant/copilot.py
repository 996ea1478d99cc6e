"""The agent's private copilot: a chat per ticket and agent, with the ticket as context.

The ticket context (its memory summary, pinned facts, and the newest messages including
internal notes) is rebuilt every turn and given to the model as reference data, never as
instructions; the copilot chat itself has its own summary memory. Replies go through the
same pipeline as the customer's assistant.
"""

from __future__ import annotations

from dataclasses import replace

from assistant import prompts
from assistant.pipeline import Conversation, ReplyRun
from assistant.ports import AssistantPorts
from memory.base import Snapshot, Tail, fit_newest
from memory.prompt import ChatMessage, PromptContext, memory_block, render_for_copilot
from memory.summary import SPEAKER
from tickets import policy
from tickets.domain import AuthorRole, ConversationRef, Message, NewMessage
from tickets.errors import Conflict
from tickets.ids import new_message_id, validate_id
from tickets.service import TicketAccess
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
        self.store, self.counter = ports.store, ports.counter
        self.budget, self.config = ports.budget, ports.config

    def thread(self, access: TicketAccess, limit: int = 50) -> list[Message]:
        policy.require_agent(access.user, "use the copilot")
        conv = ConversationRef(access.ticket.id, access.user.uid)
        now, stall = self.ports.tickets.clock(), self.ports.tickets.reply_stall_s
        return [m.settled(now, stall) for m in self.store.threads.newest(conv, limit=limit)]

    def ask(
        self, access: TicketAccess, question: str, *, message_id: str | None = None
    ) -> ReplyRun:
        """Store the agent's question in their copilot thread, then stream the answer."""
        agent = access.user
        policy.require_agent(agent, "use the copilot")
        new = NewMessage(
            validate_id(message_id or new_message_id(), "message"),
            agent.uid,
            AuthorRole.AGENT,
            clean_message(question, self.ports.tickets.limits),
        )
        self.budget.check(agent.uid, access.ticket.id)  # at the cap nothing is stored or sent
        conv = ConversationRef(access.ticket.id, agent.uid)
        stored = self.store.threads.append(conv, new)
        if not new.is_retry_of(stored):
            if not new.same_author(stored):
                raise Conflict("That message id is already used; nothing was sent. Try again.")
            self.store.threads.append(conv, replace(new, id=new_message_id()))
        return self.ports.pipeline.start(self._conversation(access, new.text))

    def retry(self, access: TicketAccess, message_id: str) -> ReplyRun:
        policy.require_agent(access.user, "use the copilot")
        self.budget.check(access.user.uid, access.ticket.id)
        convo = self._conversation(access, "")
        return self.ports.pipeline.start(convo, retry_of=validate_id(message_id, "message"))

    def _conversation(self, access: TicketAccess, question: str) -> Conversation:
        agent, ticket = access.user, access.ticket
        conv = ConversationRef(ticket.id, agent.uid)
        return Conversation(
            conv=conv,
            memory=self.ports.memory(ticket.id, charge_uid=agent.uid, public_only=False),
            context=self._context(access, question),
            snapshot=Snapshot(None, self.store.checkpoints.get(conv)),
            charge=lambda usage: self.budget.charge(agent.uid, ticket.id, usage),
        )

    def _context(self, access: TicketAccess, question: str) -> PromptContext:
        ticket = access.ticket
        checkpoint = self.store.checkpoints.get(access.conv)
        snap = Snapshot(ticket.last_seq, checkpoint)
        recent = Tail(
            self.store.threads, access.conv, snap, public_only=False, stop_after=snap.covered_seq
        )
        lines = PromptContext("", "", _ticket_line)
        fit = fit_newest(recent, self.ticket_context_tokens, self.counter, lines)
        parts = [prompts.ticket_reference(ticket, for_agent=True)]
        block = memory_block(checkpoint, checkpoint.facts if checkpoint else ())
        if block:
            parts.append(block)
        if fit.messages:
            parts.append("## Newest ticket messages\n" + "\n".join(m.content for m in fit.messages))
        system = prompts.copilot_system_prompt(self.config.product_name)
        request = QUICK_ASKS.get(question)
        if request:
            system += "\n" + request
        return PromptContext(
            system_prompt=system,
            ticket_facts=prompts.ticket_facts(ticket, for_agent=True),
            render=render_for_copilot,
            reference="\n\n".join(parts),
        )
