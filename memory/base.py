"""The memory interface: turn a conversation into a prompt that fits a token budget, and say
what was left out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from memory.prompt import ChatMessage, PromptContext
from memory.tokens import MESSAGE_OVERHEAD, REPLY_PRIMER, TokenCounter, message_tokens
from tickets.domain import Checkpoint, ConversationRef, ConversationState, Message

SHORTENED_NOTE = "\n[...the start of this long message was left out to fit the context]"


class MemoryStore(Protocol):
    """The part of :class:`tickets.store.TicketStore` memory uses."""

    def conversation_state(self, conv: ConversationRef) -> ConversationState: ...

    def newest_messages(
        self,
        conv: ConversationRef,
        *,
        limit: int,
        before_seq: int | None = None,
        public_only: bool = False,
    ) -> list[Message]: ...

    def messages_after(
        self, conv: ConversationRef, *, after_seq: int, limit: int, public_only: bool = False
    ) -> list[Message]: ...

    def save_checkpoint(
        self, conv: ConversationRef, checkpoint: Checkpoint, *, expected_version: int
    ) -> bool: ...


@dataclass(frozen=True)
class PromptPlan:
    """The prompt for one turn, and what the UI shows about it."""

    strategy: str
    messages: list[ChatMessage]
    tokens: int
    budget: int
    summarized_through: int = 0  # messages up to this seq are in the summary (0: none)
    first_verbatim_seq: int | None = None  # oldest message sent word for word
    omitted: int = 0  # messages neither sent nor summarized
    shortened: bool = False  # the newest message itself had to be cut
    unsummarized_tokens: int = 0  # what the summary strategy compares to its trigger
    note: str = ""  # why something was left out, in words for the UI

    @property
    def truncated(self) -> bool:
        return self.omitted > 0 or self.shortened

    @property
    def within_budget(self) -> bool:
        return self.tokens <= self.budget


class MemoryStrategy(Protocol):
    name: str

    def build(self, conv: ConversationRef, context: PromptContext) -> PromptPlan: ...

    def maintain(self, conv: ConversationRef, plan: PromptPlan | None = None) -> object:
        """Background upkeep after a turn (compaction for the summary strategy)."""
        ...


@dataclass(frozen=True)
class Fit:
    messages: list[ChatMessage]
    tokens: int
    first_seq: int | None
    omitted: int
    shortened: bool


def fit_newest(
    history: Sequence[Message],
    budget: int,
    counter: TokenCounter,
    context: PromptContext,
) -> Fit:
    """Keep the newest messages that fit ``budget`` tokens, oldest first in the result.

    If even the newest message does not fit, its end is kept (the question is usually
    there) and the plan says it was shortened: never a silent truncation.
    """
    chosen: list[ChatMessage] = []
    used = 0
    first_seq: int | None = None
    for index in range(len(history) - 1, -1, -1):
        rendered = context.render(history[index])
        cost = message_tokens(counter, rendered)
        if used + cost > budget:
            if not chosen:
                short = shorten_to(rendered, budget, counter)
                if short is not None:
                    cost = message_tokens(counter, short)
                    return Fit([short], cost, history[index].seq, index, True)
            return Fit(chosen[::-1], used, first_seq, index + 1, False)
        chosen.append(rendered)
        used += cost
        first_seq = history[index].seq
    return Fit(chosen[::-1], used, first_seq, 0, False)


def shorten_to(message: ChatMessage, budget: int, counter: TokenCounter) -> ChatMessage | None:
    """Keep the end of ``message`` within ``budget`` tokens, cut on a character boundary."""
    room = budget - MESSAGE_OVERHEAD - counter.count(SHORTENED_NOTE)
    if room <= 0:
        return None
    text = message.content
    low, high = 0, len(text)
    while low < high:  # the longest suffix that fits
        mid = (low + high) // 2
        if counter.count(text[mid:]) <= room:
            high = mid
        else:
            low = mid + 1
    return ChatMessage(message.role, SHORTENED_NOTE.strip() + "\n" + text[low:])


def available_for_history(budget: int, system: ChatMessage, counter: TokenCounter) -> int:
    return budget - message_tokens(counter, system) - REPLY_PRIMER


def left_out_note(first_seq: int | None, omitted: int, shortened: bool) -> str:
    parts = []
    if omitted:
        parts.append(
            f"{omitted} earlier message{'s are' if omitted != 1 else ' is'} not in the "
            f"assistant's context; it sees messages from #{first_seq} on."
        )
    if shortened:
        parts.append("The newest message is too long and only its end was sent.")
    return " ".join(parts)
