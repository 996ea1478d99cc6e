"""The comparison strategies: full history and a rolling window."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from memory.base import PromptPlan, Snapshot, Tail, fit_newest, room_for_history
from memory.prompt import PromptContext, preamble
from memory.tokens import TokenCounter, prompt_tokens
from tickets.domain import ConversationRef, Message
from tickets.store import ThreadStore


class WindowMemory:
    """The newest messages that fit the budget; everything older is left out (and said so)."""

    name = "window"

    def __init__(
        self,
        threads: ThreadStore,
        counter: TokenCounter,
        budget_tokens: int,
        *,
        public_only: bool = False,
        max_messages: int = 200,
    ) -> None:
        self.threads, self.counter, self.budget = threads, counter, budget_tokens
        self.public_only, self.max_messages = public_only, max_messages

    def build(self, conv: ConversationRef, context: PromptContext, snap: Snapshot) -> PromptPlan:
        tail = Tail(
            self.threads, conv, snap, public_only=self.public_only, max_messages=self.max_messages
        )
        return self._plan(tail, context, done=lambda: tail.exhausted, read=lambda: tail.read)

    def _plan(
        self,
        history: Iterable[Message],
        context: PromptContext,
        *,
        done: Callable[[], bool],
        read: Callable[[], int],
    ) -> PromptPlan:
        """``done`` and ``read`` are asked after the fit (the history is read lazily)."""
        head = preamble(context)
        fit = fit_newest(
            history, room_for_history(self.budget, head, self.counter), self.counter, context
        )
        messages = [*head, *fit.messages]
        return PromptPlan(
            strategy=self.name,
            messages=messages,
            tokens=prompt_tokens(self.counter, messages),
            budget=self.budget,
            first_verbatim_seq=fit.first_seq,
            verbatim=len(fit.messages),
            omitted=fit.skipped,
            more_omitted=fit.stopped_early and not done(),
            shortened=fit.shortened,
            messages_read=read(),
        )

    def maintain(self, conv: ConversationRef, plan: PromptPlan | None = None) -> None:
        return None


class FullMemory(WindowMemory):
    """Every message, for comparison. Over the budget it falls back to the window."""

    name = "full"

    def build(self, conv: ConversationRef, context: PromptContext, snap: Snapshot) -> PromptPlan:
        history: list[Message] = []
        after = 0
        while True:  # reads the whole thread: this is what the other strategies avoid
            page = self.threads.after(
                conv, after_seq=after, limit=500, public_only=self.public_only
            )
            history += page
            if len(page) < 500:
                break
            after = page[-1].seq
        count = len(history)
        return self._plan(reversed(history), context, done=lambda: True, read=lambda: count)
