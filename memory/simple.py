"""The comparison strategies: full history and a rolling window."""

from __future__ import annotations

from memory.base import (
    MemoryStore,
    PromptPlan,
    available_for_history,
    fit_newest,
    left_out_note,
)
from memory.prompt import PromptContext, system_message
from memory.tokens import TokenCounter, prompt_tokens
from tickets.domain import ConversationRef, Message


class WindowMemory:
    """The newest messages that fit the budget; everything older is left out (and said so)."""

    name = "window"

    def __init__(
        self,
        store: MemoryStore,
        counter: TokenCounter,
        budget_tokens: int,
        *,
        public_only: bool = False,
        max_messages: int = 200,
    ) -> None:
        self.store, self.counter, self.budget = store, counter, budget_tokens
        self.public_only, self.max_messages = public_only, max_messages

    def build(self, conv: ConversationRef, context: PromptContext) -> PromptPlan:
        history = self.store.newest_messages(
            conv, limit=self.max_messages, public_only=self.public_only
        )
        return self._plan(self.name, [m for m in history if m.counts_for_memory], context)

    def _plan(self, name: str, history: list[Message], context: PromptContext) -> PromptPlan:
        system = system_message(context, "")
        fit = fit_newest(
            history, available_for_history(self.budget, system, self.counter), self.counter, context
        )
        messages = [system, *fit.messages]
        omitted = (fit.first_seq or 1) - 1  # everything before the oldest verbatim message
        return PromptPlan(
            strategy=name,
            messages=messages,
            tokens=prompt_tokens(self.counter, messages),
            budget=self.budget,
            first_verbatim_seq=fit.first_seq,
            omitted=omitted,
            shortened=fit.shortened,
            note=left_out_note(fit.first_seq, omitted, fit.shortened),
        )

    def maintain(self, conv: ConversationRef, plan: PromptPlan | None = None) -> None:
        return None


class FullMemory(WindowMemory):
    """Every message, for comparison. Over the budget it falls back to the window."""

    name = "full"

    def build(self, conv: ConversationRef, context: PromptContext) -> PromptPlan:
        history: list[Message] = []
        after = 0
        while True:  # reads the whole thread: this is what the other strategies avoid
            page = self.store.messages_after(
                conv, after_seq=after, limit=500, public_only=self.public_only
            )
            history += [m for m in page if m.counts_for_memory]
            if len(page) < 500:
                break
            after = page[-1].seq
        return self._plan(self.name, history, context)
