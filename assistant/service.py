"""The customer-facing assistant: budget check, prompt from memory and the knowledge base, a
streamed reply reviewed before it is stored (see :mod:`assistant.answers`), the handover to
a person, and compaction afterwards (in the background, so the reply is never held up)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assistant import answers, pictures, prompts
from assistant.canned import CannedModel
from assistant.errors import BudgetExceeded
from assistant.evidence import EvidenceFirst
from assistant.grounding import reference_block
from assistant.handoff import HANDING_OVER, REPEATED_FAILURE, WORDS, asks_for_person, handoff_note
from assistant.pipeline import Conversation, ReplyRun
from assistant.ports import AssistantPorts
from memory.base import MemoryStrategy, PromptPlan, Snapshot
from memory.prompt import PromptContext, Renderer, render_for_customer_thread
from privacy.redaction import Redactor
from tickets.domain import Checkpoint, Message, Status, Ticket
from tickets.ids import validate_id
from tickets.metrics import HandoffReason, first_response
from tickets.service import HUMAN_REQUESTED, TicketAccess

RECENT = 12  # newest public messages read to ground a reply and to write a handoff note


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

    def context(
        self,
        ticket: Ticket,
        grounding: answers.Grounding | None = None,
        *,
        language: str | None = None,
        render: Renderer | None = None,
    ) -> PromptContext:
        reference = prompts.ticket_reference(ticket)
        if grounding is not None and self.ports.retriever is not None:
            reference += "\n\n" + reference_block(grounding.passages)
        return PromptContext(
            system_prompt=prompts.customer_system_prompt(self.config.product_name),
            ticket_facts=prompts.ticket_facts(ticket, language=language),
            render=render or self.render,
            reference=reference,
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
        recent = self._recent(access)
        latest = answers.latest_customer(recent)
        if latest is not None and asks_for_person(latest.text):
            return self._hand_over_now(access, recent, WORDS)
        self._check_budget(access)
        grounding = self._ground(access, recent)
        return self.ports.pipeline.start(self._conversation(access, grounding, recent))

    def retry(self, access: TicketAccess, message_id: str) -> ReplyRun | None:
        """Re-generate a failed, cut-off or stalled reply in place (same message, same seq)."""
        validate_id(message_id, "message")
        if not access.ticket.assistant_active:
            return None
        self._check_budget(access)
        recent = self._recent(access)
        grounding = self._ground(access, recent)
        convo = self._conversation(access, grounding, recent)
        return self.ports.pipeline.start(convo, retry_of=message_id)

    def request_person(self, access: TicketAccess) -> Ticket:
        """The "Ask for a person" button: the same handover as asking in words."""
        if access.ticket.status is Status.WAITING_ON_AGENT and not access.ticket.assistant_active:
            return access.ticket
        recent = self._recent(access)
        note = handoff_note(access.ticket, recent, self.store.checkpoints.get(access.conv), WORDS)
        self.tickets.notice(access.ticket, HUMAN_REQUESTED)
        return self.tickets.hand_over(access.ticket, note, HandoffReason.BUTTON)

    # -- internals -------------------------------------------------------------------------

    def _ground(self, access: TicketAccess, recent: Sequence[Message]) -> answers.Grounding | None:
        """``None`` without a knowledge base: the assistant answers from the ticket alone."""
        if self.ports.retriever is None or not self.store.articles.find(public_only=True, limit=1):
            return None
        return answers.ground(
            self.ports.retriever, access.ticket, recent, self.config.top_k, self.store.articles.get
        )

    def _recent(self, access: TicketAccess) -> list[Message]:
        return self.store.threads.newest(access.conv, limit=RECENT, public_only=True)

    def _hand_over_now(
        self, access: TicketAccess, recent: Sequence[Message], reason: str
    ) -> ReplyRun:
        """Say so, then hand over: a canned reply through the usual pipeline."""
        self._hand_over(access, recent, reason)
        convo = self._conversation(access, None, recent)
        run = self.ports.pipeline.start(replace(convo, model=CannedModel(HANDING_OVER)))
        run.followed_up = True
        return run

    def _hand_over(self, access: TicketAccess, recent: Sequence[Message], reason: str) -> None:
        checkpoint = self.store.checkpoints.get(access.conv)
        fresh = self.store.tickets.get(access.ticket.id) or access.ticket
        why = HandoffReason.ASKED_IN_WORDS
        if reason == REPEATED_FAILURE:
            why = HandoffReason.UNANSWERED
        self.tickets.hand_over(fresh, handoff_note(fresh, recent, checkpoint, reason), why)

    def _conversation(
        self,
        access: TicketAccess,
        grounding: answers.Grounding | None,
        recent: Sequence[Message],
    ) -> Conversation:
        ticket, user = access.ticket, access.user
        triage = self.store.triage.get(ticket.id)
        render = self.render
        if self.config.accepts_images:
            render = pictures.renderer(self.render, self.tickets, access, recent)
        convo = Conversation(
            conv=access.conv,
            memory=self.memory_for(ticket.id),
            context=self.context(
                ticket, grounding, language=triage.language if triage else None, render=render
            ),
            snapshot=Snapshot(None, self.store.checkpoints.get(access.conv)),
            charge=lambda usage: self.budget.charge(user.uid, ticket.id, usage),
            on_stored=lambda _message: self._responded(ticket),
        )
        if grounding is None:
            return convo

        def hand_over() -> None:
            self._hand_over(access, self._recent(access), REPEATED_FAILURE)

        decline = answers.declined_text(grounding.previous_declined)
        if grounding.shortcut:
            review = answers.reviewer(grounding, hand_over)
            return replace(convo, model=CannedModel(decline), review=review)
        if not (grounding.passages and self.config.evidence_first):
            return replace(convo, review=answers.reviewer(grounding, hand_over))
        question = Redactor(ticket.id).text(grounding.question)  # as the prompt has it
        model = EvidenceFirst(
            self.ports.pipeline.model,
            grounding.passages,
            question,
            decline=decline if grounding.may_decline else None,
        )
        # the review holds the reply to the sentences it was pointed to
        review = answers.reviewer(grounding, hand_over, pointed=lambda: model.pointed)
        return replace(convo, model=model, review=review)

    def _responded(self, ticket: Ticket) -> None:
        """A reply reached the customer (the report's first response, counted once)."""
        self.tickets.metrics.record(first_response(ticket.id, self.tickets.clock(), human=False))

    def _check_budget(self, access: TicketAccess) -> None:
        try:
            self.budget.check(access.user.uid, access.ticket.id)
        except BudgetExceeded as exc:
            self.tickets.hand_to_human(access.ticket, exc.message)
            raise
