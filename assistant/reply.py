"""One streamed reply: iterate it to show the text; it stores its own outcome.

The reply's message exists (status ``pending``) before the model is called. Whatever
happens next, it ends ``complete`` (``finish_reason == "stop"``), ``truncated`` (partial
text: cut off, ``length``, a stall, or the reader went away) or ``failed`` (nothing
arrived), with a message the UI shows next to a Retry button.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass

from assistant.errors import ModelError
from assistant.protocol import ChatModel, Completion
from memory.base import PromptPlan
from memory.tokens import TokenCounter
from privacy.redaction import Redactor
from tickets.domain import ConversationRef, Message, MessageStatus, Usage
from tickets.store import TicketStore

log = logging.getLogger(__name__)
CUT_OFF = "The reply was cut off before it finished ({reason}). Press Retry for a full answer."


@dataclass(frozen=True)
class ReplyTarget:
    conv: ConversationRef
    message_id: str


class ReplyRun:
    def __init__(
        self,
        *,
        store: TicketStore,
        model: ChatModel,
        counter: TokenCounter,
        target: ReplyTarget,
        plan: PromptPlan,
        max_tokens: int,
        on_usage: Callable[[Usage], None],
        after: Callable[[], None] = lambda: None,
        redactor: Redactor | None = None,
    ) -> None:
        self.store, self.model, self.counter = store, model, counter
        self.target, self.plan, self.max_tokens = target, plan, max_tokens
        self.on_usage, self.after = on_usage, after
        # the model sees placeholders; people see the values again
        self.redactor = redactor or Redactor(target.conv.ticket_id)
        self.prompt = self.redactor.messages(plan.messages)
        self.message: Message | None = None  # the stored outcome, once iteration ended
        self.error: str | None = None

    def __iter__(self) -> Generator[str, None, None]:
        text, result, error = "", None, None  # type: str, Completion | None, str | None
        restorer = self.redactor.restorer()
        try:
            stream = self.model.stream(self.prompt, max_tokens=self.max_tokens)
            for delta in stream:
                shown = restorer.feed(delta)
                text += shown
                if shown:
                    yield shown
            result = stream.result
            tail = restorer.flush()
            text += tail
            if tail:
                yield tail
        except ModelError as exc:
            error = exc.message
        except GeneratorExit:
            error = CUT_OFF.format(reason="the page was closed or reloaded")
            raise
        finally:
            text += restorer.flush()
            self._finish(text, result, error)

    def _finish(self, text: str, result: Completion | None, error: str | None) -> None:
        if result is not None and result.complete and error is None and text.strip():
            status = MessageStatus.COMPLETE
        elif text.strip():
            status = MessageStatus.TRUNCATED
            if error is None:
                reason = f"finish_reason={result.finish_reason}" if result else "no ending"
                if result and result.finish_reason == "length":
                    reason = "it reached the length limit"
                elif result and result.finish_reason is None:
                    reason = "the stream ended early"
                error = CUT_OFF.format(reason=reason)
        else:
            status = MessageStatus.FAILED
            error = error or "The assistant returned an empty answer. Press Retry."
        if result is not None and result.usage is not None:
            usage = result.usage
        else:
            usage = self._estimate(text) if text else Usage()
        self.error = error if status is not MessageStatus.COMPLETE else None
        self.message = self.store.finish_message(
            self.target.conv,
            self.target.message_id,
            text=text,
            status=status,
            usage=usage,
            error=self.error,
        )
        try:
            self.on_usage(usage)
            self.after()
        except Exception:  # upkeep must never lose the stored reply
            log.exception("after-reply upkeep failed for %s", self.target.conv.key)

    def _estimate(self, text: str) -> Usage:
        """Without reported usage, count offline (the provider's figure is preferred)."""
        return Usage(self.plan.tokens, self.counter.count(text))
