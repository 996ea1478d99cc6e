"""The retrieval strategy: the summary strategy (summary, pinned facts, newest messages) plus
the older messages that match the latest question, retrieved into the prompt.

- When a customer refers back ("what did you say about the dock last week?"), the older
  messages of the same conversation that are no longer in the prompt are searched (BM25),
  and so are the same customer's earlier tickets (public messages only for the customer's
  assistant). An agent's copilot searches on every question, internal notes included.
- Scope is strict: earlier tickets are listed by the customer uid of *this* ticket, read from
  the store; no other customer's ticket is ever read.
- Bounded: at most ``scan`` older messages of the conversation and ``per_ticket`` messages of
  ``other_tickets`` earlier tickets, only on turns that retrieve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from knowledge.retrieval import rank_texts
from memory.base import PromptPlan, Snapshot
from memory.prompt import PromptContext
from memory.summary import SPEAKER, SummaryMemory
from tickets.domain import AuthorRole, ConversationRef, Message
from tickets.store import ThreadStore, TicketQuery, TicketStore

REFERS_BACK = re.compile(
    r"\b(?:earlier|before|last\s+(?:week|time|month|year|ticket)|yesterday|previous(?:ly)?|"
    r"you\s+(?:said|told|mentioned|suggested|wrote|recommended|promised)|"
    r"we\s+(?:discussed|talked|spoke)|remind\s+me|other\s+ticket|back\s+then|again)\b",
    re.I,
)
HEADING = "## Earlier messages that match the latest question (retrieved)"


@dataclass(frozen=True)
class Recalled:
    where: str  # "this ticket" or the other ticket's id
    message: Message

    def line(self, max_chars: int) -> str:
        text = " ".join(self.message.text.split())
        if len(text) > max_chars:
            text = text[: max_chars - 1] + "…"
        note = " (internal note)" if self.message.is_internal else ""
        when = f"{self.message.created_at:%Y-%m-%d}"
        who = SPEAKER[self.message.author_role]
        return f"- [{self.where}, #{self.message.seq}, {when}] {who}{note}: {text}"


class RetrievalMemory:
    name = "retrieval"

    def __init__(
        self,
        inner: SummaryMemory,
        threads: ThreadStore,
        tickets: TicketStore,
        *,
        public_only: bool,
        k: int = 3,
        scan: int = 200,
        other_tickets: int = 5,
        per_ticket: int = 40,
        max_chars: int = 300,
    ) -> None:
        self.inner, self.threads, self.tickets = inner, threads, tickets
        self.public_only, self.k, self.scan = public_only, k, scan
        self.other_tickets, self.per_ticket, self.max_chars = other_tickets, per_ticket, max_chars

    def build(self, conv: ConversationRef, context: PromptContext, snap: Snapshot) -> PromptPlan:
        first = self.inner.build(conv, context, snap)
        question = self._question(conv, snap)
        if question is None or not (conv.is_copilot or REFERS_BACK.search(question.text)):
            return replace(first, strategy=self.name)
        before = min(first.first_verbatim_seq or question.seq, question.seq)
        recalled = self.recall(conv, question.text, before_seq=before)
        if not recalled:
            return replace(first, strategy=self.name)
        block = "\n".join([HEADING, *(r.line(self.max_chars) for r in recalled)])
        widened = replace(context, reference=f"{context.reference}\n\n{block}".strip())
        plan = self.inner.build(conv, widened, snap)
        lines = tuple(r.line(120) for r in recalled)
        return replace(plan, strategy=self.name, recalled=lines)

    def maintain(self, conv: ConversationRef, plan: PromptPlan | None = None) -> object:
        return self.inner.maintain(conv, plan)

    def _question(self, conv: ConversationRef, snap: Snapshot) -> Message | None:
        asker = AuthorRole.AGENT if conv.is_copilot else AuthorRole.CUSTOMER
        newest = list(snap.newest) or self.threads.newest(
            conv, limit=5, public_only=self.public_only
        )
        return next((m for m in reversed(newest) if m.author_role is asker), None)

    def recall(self, conv: ConversationRef, query: str, *, before_seq: int) -> list[Recalled]:
        candidates = [
            Recalled("this ticket", m)
            for m in self.threads.newest(
                conv, limit=self.scan, before_seq=before_seq, public_only=self.public_only
            )
            if m.counts_for_memory
        ]
        candidates += customer_history(
            self.threads,
            self.tickets,
            conv.ticket_id,
            public_only=self.public_only,
            other_tickets=self.other_tickets,
            per_ticket=self.per_ticket,
        )
        return best_matches(query, candidates, self.k)


def best_matches(query: str, candidates: list[Recalled], k: int) -> list[Recalled]:
    chosen = rank_texts(query, [c.message.text for c in candidates], k)
    return sorted((candidates[i] for i in chosen), key=lambda r: r.message.created_at)


def customer_history(
    threads: ThreadStore,
    tickets: TicketStore,
    ticket_id: str,
    *,
    public_only: bool,
    other_tickets: int = 5,
    per_ticket: int = 40,
) -> list[Recalled]:
    """The same customer's other tickets: listed by this ticket's own customer uid."""
    ticket = tickets.get(ticket_id)
    if ticket is None:
        return []
    query = TicketQuery(customer_uid=ticket.customer_uid, limit=other_tickets + 1)
    found: list[Recalled] = []
    for other in tickets.find(query):
        if other.id == ticket_id or other.customer_uid != ticket.customer_uid:
            continue
        messages = threads.newest(
            ConversationRef(other.id), limit=per_ticket, public_only=public_only
        )
        found += [Recalled(other.id, m) for m in messages if m.counts_for_memory]
    return found
