"""Triage at intake: the model's suggestions for a new ticket, in the background.

The subject and first message go to the model as delimited reference data (redacted, never
instructions) with a JSON schema (:data:`tickets.triage.SCHEMA`) through the model port's
structured output; the answer is read leniently and every field the model did not answer
validly comes from the deterministic rules (:mod:`tickets.triage_rules`), so a record is
always written, also when the model fails. Agents see the suggestions and accept or
override them (:meth:`TriageService.decide`); the language is used at once (the assistant
replies in it).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from assistant.budget import BudgetGuard
from assistant.pipeline import RunLater
from assistant.protocol import ChatModel, JsonSchema
from common.errors import AppError
from memory.prompt import REFERENCE_OPEN, ChatMessage
from privacy.redaction import Redactor
from tickets import policy, triage_rules
from tickets.domain import AuthorRole, ConversationRef, Priority, Ticket
from tickets.service import TicketAccess, TicketService
from tickets.triage import (
    LABELS,
    LANGUAGES,
    SCHEMA,
    SENTIMENTS,
    Sentiment,
    Suggestion,
    TriageRecord,
    combine,
    parse,
)

log = logging.getLogger(__name__)
TRIAGE_SYSTEM = """\
You triage support tickets for {product}. Read the ticket in the reference data and answer
with one JSON object:
- "priority": "urgent" for a safety risk (smoke, fire, sparks, burns, electric shock);
  "high" when money was taken wrongly, the customer is locked out, or they can't use the
  product and it is urgent; "low" for a question or request without a problem; else "normal".
- "sentiment": the customer's mood: "negative", "neutral" or "positive".
- "language": the ISO 639-1 code of the language the customer wrote in ({languages}).
- "labels": up to 4 of: {labels}. Use only labels that fit.
Answer with the JSON object only."""


def triage_messages(product: str, subject: str, text: str) -> list[ChatMessage]:
    system = TRIAGE_SYSTEM.format(
        product=product, languages=", ".join(LANGUAGES), labels=", ".join(LABELS)
    )
    body = f"Subject: {subject}\n\nFirst message:\n{text}".replace("<", "‹")
    reference = f"{REFERENCE_OPEN}\n<reference>\n{body}\n</reference>"
    return [ChatMessage("system", system), ChatMessage("user", reference)]


class TriageService:
    def __init__(
        self,
        tickets: TicketService,
        model: ChatModel,
        budget: BudgetGuard,
        run_later: RunLater,
        *,
        product: str = "Acme Home",
        max_tokens: int = 120,
    ) -> None:
        self.tickets, self.store = tickets, tickets.store
        self.model, self.budget, self.run_later = model, budget, run_later
        self.product, self.max_tokens = product, max_tokens

    def classify(self, ticket_id: str, subject: str, text: str) -> tuple[Suggestion, str]:
        """Suggestions and their source ("model", "model+rules" or "rules")."""
        rules = triage_rules.suggest(subject, text)
        redact = Redactor(ticket_id).text
        try:
            completion = self.model.complete(
                triage_messages(self.product, redact(subject), redact(text)),
                max_tokens=self.max_tokens,
                temperature=0.0,
                json_schema=JsonSchema("ticket_triage", SCHEMA),
            )
        except AppError as exc:
            log.warning("triage of %s fell back to the rules: %s", ticket_id, exc.code)
            return rules, "rules"
        if completion.usage is not None:
            self.budget.charge(None, ticket_id, completion.usage)
        return combine(parse(completion.text), rules)

    def start(self, ticket: Ticket) -> None:
        """Triage a new ticket in the background (the first reply never waits for it)."""

        def job() -> None:
            self._run(ticket.id)

        self.run_later(job)

    def _run(self, ticket_id: str) -> TriageRecord | None:
        if self.store.triage.get(ticket_id) is not None:
            return None  # already triaged (a retried request)
        ticket = self.store.tickets.get(ticket_id)
        if ticket is None:
            return None
        first = self.store.threads.after(
            ConversationRef(ticket.id), after_seq=0, limit=3, public_only=True
        )
        text = "\n".join(m.text for m in first if m.author_role is AuthorRole.CUSTOMER)
        suggestion, source = self.classify(ticket.id, ticket.subject, text)
        record = TriageRecord(ticket.id, suggestion, source, self.model.name, self.tickets.clock())
        self.store.triage.save(record)
        return record

    def run_now(self, ticket: Ticket) -> TriageRecord | None:
        """Triage at once (tests, the operator command)."""
        return self._run(ticket.id)

    def record(self, access: TicketAccess) -> TriageRecord | None:
        policy.require_agent(access.user, "see triage suggestions")
        return self.store.triage.get(access.ticket.id)

    def language(self, ticket_id: str) -> str | None:
        """The customer's language as triage found it (or an agent set it)."""
        found = self.store.triage.get(ticket_id)
        return found.language if found else None

    def decide(
        self,
        access: TicketAccess,
        *,
        priority: Priority | str,
        labels: list[str] | tuple[str, ...],
        sentiment: str | None = None,
        language: str | None = None,
    ) -> Ticket:
        """An agent accepts the suggestions or overrides them: priority and labels reach the
        ticket (the labels join those it has), and the decision is kept."""
        policy.require_agent(access.user, "triage tickets")
        found = self.store.triage.get(access.ticket.id)
        base = found.suggested if found else triage_rules.suggest(access.ticket.subject, "")
        final = Suggestion(
            Priority(priority),
            base.sentiment if sentiment not in SENTIMENTS else _mood(sentiment),
            language if language in LANGUAGES else base.language,
            tuple(label for label in labels if label in LABELS),
        )
        ticket = self.tickets.set_priority(access, final.priority)
        access = replace(access, ticket=ticket)
        merged = list(dict.fromkeys([*ticket.labels, *labels]))
        if tuple(merged) != ticket.labels:
            ticket = self.tickets.set_labels(access, merged)
        now = self.tickets.clock()
        record = found or TriageRecord(ticket.id, base, "rules", "", now)
        self.store.triage.save(record.decide(final, access.user.uid, now))
        return ticket


def _mood(value: str | None) -> Sentiment:
    return "negative" if value == "negative" else ("positive" if value == "positive" else "neutral")
