"""What the assistant's use cases share: the ticket service, the store, the model, memory,
budgets, the reply pipeline and configuration, plus the memory of one conversation, built
the same way for the customer's assistant and the agent's copilot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.budget import BudgetGuard
from assistant.pipeline import ReplyPipeline
from assistant.protocol import ChatModel
from assistant.summarizer import ModelSummarizer
from knowledge.retrieval import Retriever
from memory.base import MemoryStrategy
from memory.summary import Summarizer
from memory.tokens import TokenCounter
from privacy.redaction import Redactor
from tickets.domain import Message
from tickets.service import TicketService
from tickets.store import Store

# (summarizer, public_only, line_text): line_text redacts what the summarizer sees
MemoryFactory = Callable[[Summarizer, bool, Callable[[Message], str]], MemoryStrategy]


@dataclass(frozen=True)
class AssistantConfig:
    product_name: str = "Acme Home"
    max_reply_tokens: int = 512
    top_k: int = 3  # article passages per reply
    accepts_images: bool = False  # the model sees the customer's newest pictures
    evidence_first: bool = True  # find the answering article sentence first (evidence.py)


@dataclass(frozen=True)
class AssistantPorts:
    tickets: TicketService
    model: ChatModel
    counter: TokenCounter
    memory_factory: MemoryFactory
    budget: BudgetGuard
    pipeline: ReplyPipeline
    config: AssistantConfig = field(default_factory=AssistantConfig)
    retriever: Retriever | None = None  # the knowledge base (None: answers from the ticket)

    @property
    def store(self) -> Store:
        return self.tickets.store

    def memory(
        self, ticket_id: str, *, charge_uid: str | None, public_only: bool
    ) -> MemoryStrategy:
        """Summaries are charged to the ticket (and to ``charge_uid``), and see redacted text."""
        summarizer = ModelSummarizer(
            self.model, on_usage=lambda usage: self.budget.charge(charge_uid, ticket_id, usage)
        )
        redactor = Redactor(ticket_id)
        return self.memory_factory(summarizer, public_only, lambda m: redactor.text(m.text))
