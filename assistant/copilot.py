"""The agent's private copilot: a chat per ticket and agent, with the ticket as context.

Three kinds of request, each with the context it needs (as reference data, never as
instructions), through the same pipeline as the customer's assistant:

- **Summarize ticket**: the structured summary (problem, key facts, tried, promises, open
  questions, next step) of the whole ticket, internal notes included. The header fields (id,
  subject, status, dates, customer) are on screen already and are not given to the model.
- **Suggest a reply**: a public draft from the latest state: the newest customer message,
  the agent's decisions in internal notes, the relevant public articles (cited). Sentences
  with internal-only wording are dropped (:mod:`assistant.drafts`).
- **A free question**: answered from the ticket, the customer's earlier tickets and the
  articles (internal ones too: the agent may see them), with sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from assistant import prompts
from assistant.drafts import scrub
from assistant.grounding import cite, clean_citations, reference_block
from assistant.pipeline import Conversation, ReplyRun, Review, Reviewer
from assistant.ports import AssistantPorts
from knowledge.retrieval import Passage, whole_articles
from memory.base import PromptPlan, Snapshot, Tail, fit_newest
from memory.prompt import ChatMessage, PromptContext, memory_block, render_for_copilot
from memory.retrieval import HEADING, best_matches, customer_history
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
    label = SPEAKER[message.author_role]
    if message.is_internal:
        label += " (internal note, agents only)"
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
        conv = ConversationRef(access.ticket.id, access.user.uid)
        asked = [m for m in self.store.threads.newest(conv, limit=10) if m.id != message_id]
        question = next((m.text for m in reversed(asked) if m.author_role is AuthorRole.AGENT), "")
        convo = self._conversation(access, question)
        return self.ports.pipeline.start(convo, retry_of=validate_id(message_id, "message"))

    # -- the context of each kind of request ----------------------------------------------

    def _conversation(self, access: TicketAccess, question: str) -> Conversation:
        agent, ticket = access.user, access.ticket
        conv = ConversationRef(ticket.id, agent.uid)
        thread = self._ticket_messages(access)
        context, review = self._context(access, question, thread)
        return Conversation(
            conv=conv,
            memory=self.ports.memory(ticket.id, charge_uid=agent.uid, public_only=False),
            context=context,
            snapshot=Snapshot(None, self.store.checkpoints.get(conv)),
            charge=lambda usage: self.budget.charge(agent.uid, ticket.id, usage),
            review=review,
        )

    def _ticket_messages(self, access: TicketAccess) -> list[Message]:
        """The newest messages of the ticket that fit, internal notes included, oldest first."""
        checkpoint = self.store.checkpoints.get(access.conv)
        snap = Snapshot(access.ticket.last_seq, checkpoint)
        recent = Tail(
            self.store.threads, access.conv, snap, public_only=False, stop_after=snap.covered_seq
        )
        kept: list[Message] = []
        lines = PromptContext("", "", _ticket_line)
        fit = fit_newest(_collect(recent, kept), self.ticket_context_tokens, self.counter, lines)
        first = fit.first_seq or 0
        return [m for m in kept if m.seq >= first and m.counts_for_memory]

    def _context(
        self, access: TicketAccess, question: str, thread: list[Message]
    ) -> tuple[PromptContext, Reviewer | None]:
        ticket = access.ticket
        checkpoint = self.store.checkpoints.get(access.conv)
        ticket_lines = "\n".join(_ticket_line(m).content for m in thread)
        memory = memory_block(checkpoint, checkpoint.facts if checkpoint else ())
        system = prompts.copilot_system_prompt(self.config.product_name)
        parts: list[str] = [memory] if memory else []
        review: Reviewer | None = None
        facts = prompts.ticket_facts(ticket, for_agent=True)
        if question == SUMMARIZE:
            system += "\n" + prompts.TICKET_SUMMARY_REQUEST
            facts = ""  # the header is on screen: a summary that repeats it says nothing
            parts.append("## The whole ticket, oldest first\n" + ticket_lines)
        elif question == SUGGEST:
            system += "\n" + prompts.SUGGEST_REPLY_REQUEST
            latest = next(
                (m for m in reversed(thread) if m.author_role is AuthorRole.CUSTOMER), None
            )
            passages = self._passages(latest.text if latest else ticket.subject, public_only=True)
            notes = [m.text for m in thread if m.is_internal]
            parts += [
                prompts.ticket_reference(ticket, for_agent=True),
                "## The ticket, oldest first\n" + ticket_lines,
                "## The agents' decisions (internal notes: apply them, never quote them)\n"
                + ("\n".join(f"- {n}" for n in notes) or "- none"),
                "## The customer's newest message (reply to this, in its language)\n"
                + (latest.text if latest else "(none)"),
                reference_block(passages),
            ]
            public = [m.text for m in thread if not m.is_internal] + [
                p.chunk.text for p in passages
            ]
            review = _draft_review(passages, notes, public)
        else:
            passages = self._passages(question, public_only=False) if question else []
            history = best_matches(
                question,
                customer_history(
                    self.store.threads, self.store.tickets, ticket.id, public_only=False
                ),
                3,
            )
            parts += [
                prompts.ticket_reference(ticket, for_agent=True),
                "## Newest ticket messages\n" + ticket_lines,
            ]
            if history:
                parts.append(
                    HEADING.replace("Earlier messages", "The customer's earlier tickets")
                    + "\n"
                    + "\n".join(r.line(300) for r in history)
                )
            parts.append(reference_block(passages))
            review = _cited(passages)
        context = PromptContext(
            system_prompt=system,
            ticket_facts=facts,
            render=render_for_copilot,
            reference="\n\n".join(p for p in parts if p),
        )
        return context, review

    def _passages(self, query: str, *, public_only: bool) -> list[Passage]:
        retriever = self.ports.retriever
        if retriever is None or not query.strip():
            return []
        found = retriever.search(query, public_only=public_only, k=self.config.top_k)
        if not any(p.relevant for p in found):
            return []
        whole = whole_articles(found, self.store.articles.get, articles=2)
        return [p for p in whole if p.chunk.is_public or not public_only]


def _collect(messages: Iterable[Message], into: list[Message]) -> Iterator[Message]:
    """Iterate ``messages`` (newest first), keeping each one in ``into`` (oldest first)."""
    for message in messages:
        into.insert(0, message)
        yield message


def _cited(passages: Sequence[Passage]) -> Reviewer:
    def review(text: str, plan: PromptPlan) -> Review:
        cleaned, numbers, titles = clean_citations(text)
        return Review(cleaned, cite(cleaned, passages, numbers, titles))

    return review


def _draft_review(passages: Sequence[Passage], notes: list[str], public: list[str]) -> Reviewer:
    def review(text: str, plan: PromptPlan) -> Review:
        cleaned, numbers, titles = clean_citations(text)
        draft = scrub(cleaned, notes, public)
        return Review(draft, cite(draft, passages, numbers, titles))

    return review
