"""One reply pipeline for the customer's assistant and the agent's copilot.

1. Build the prompt from memory with every text redacted as it is rendered, so what is
   counted against the budget is exactly what is sent.
2. Only then store the pending reply (a new message, or the next attempt of a failed one):
   if the prompt cannot be built, nothing is left pending.
3. Stream. The text so far is flushed now and then (a heartbeat), so a reply whose writer
   dies (a killed process, a cut connection) keeps what was streamed and, once silent past
   the stall timeout, shows as failed with Retry.
4. Store the outcome for this attempt only, charge its usage once, and fold the memory in
   the background (never while anyone waits).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from datetime import datetime

from assistant.errors import ContextTooLong, ModelError
from assistant.protocol import ChatModel, Completion
from assistant.upkeep import Upkeep
from common.errors import AppError
from memory.base import MemoryStrategy, PromptPlan, Snapshot
from memory.prompt import PromptContext
from memory.tokens import TokenCounter
from privacy.redaction import Redactor
from tickets import replies
from tickets.domain import (
    AuthorRole,
    ConversationRef,
    Message,
    MessageStatus,
    NewMessage,
    Source,
    Usage,
    utcnow,
)
from tickets.errors import Conflict, InvalidInput, MessageNotFound
from tickets.ids import new_message_id
from tickets.store import ThreadStore

log = logging.getLogger(__name__)
ASSISTANT_UID = "assistant"
CUT_OFF = "The reply was cut off before it finished ({reason}). Press Retry for a full answer."
NOT_SAVED = (
    "The reply could not be saved (the database stopped answering). It shows as failed "
    "shortly; press Retry then."
)
RunLater = Callable[[Callable[[], None]], None]
PENDING = MessageStatus.PENDING


@dataclass(frozen=True)
class Review:
    """What a reply becomes before it is stored: its final text, the articles it is answered
    from, and what to do once it is stored (e.g. hand the ticket to a person)."""

    text: str
    sources: tuple[Source, ...] = ()
    then: Callable[[], None] | None = None


Reviewer = Callable[[str, PromptPlan], Review]


@dataclass(frozen=True)
class Conversation:
    """Where a reply goes and how its prompt is made."""

    conv: ConversationRef
    memory: MemoryStrategy
    context: PromptContext
    snapshot: Snapshot
    charge: Callable[[Usage], None]
    review: Reviewer | None = None  # checks the finished text (grounding, sources)
    model: ChatModel | None = None  # this reply only (a canned answer); else the pipeline's
    on_stored: Callable[[Message], None] | None = None  # a reply with text was stored


class ReplyPipeline:
    def __init__(
        self,
        threads: ThreadStore,
        model: ChatModel,
        counter: TokenCounter,
        *,
        run_later: RunLater,
        max_tokens: int = 512,
        stall_after_s: float = 60.0,
        heartbeat_s: float = 3.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.threads, self.model, self.counter = threads, model, counter
        self.run_later, self.max_tokens = run_later, max_tokens
        self.upkeep = Upkeep(run_later)  # one compaction per conversation at a time
        self.stall_after_s, self.heartbeat_s, self.clock = stall_after_s, heartbeat_s, clock

    def start(self, convo: Conversation, *, retry_of: str | None = None) -> ReplyRun:
        redactor = Redactor(convo.conv.ticket_id)
        context = replace(convo.context, redact=redactor.text)
        plan = convo.memory.build(convo.conv, context, convo.snapshot)
        if not plan.within_budget:  # only when instructions alone exceed the budget
            raise ContextTooLong()
        pending = self._pending(convo.conv, retry_of)
        return ReplyRun(self, convo, plan, redactor, pending)

    def _pending(self, conv: ConversationRef, retry_of: str | None) -> Message:
        if retry_of is None:
            new = NewMessage(
                new_message_id(), ASSISTANT_UID, AuthorRole.ASSISTANT, "", status=PENDING
            )
            stored = self.threads.append(conv, new)
            if not new.is_retry_of(stored):  # pragma: no cover - a fresh random id
                raise Conflict("Could not start a reply; try again.")
            return stored
        found = self.threads.get(conv, retry_of)
        if found is None or found.author_role is not AuthorRole.ASSISTANT:
            raise MessageNotFound(retry_of)
        restarted = self.threads.revise(
            conv, retry_of, replies.start_attempt(self.clock(), self.stall_after_s)
        )
        if restarted is None:
            raise InvalidInput("Only a failed or cut-off reply can be retried.")
        return restarted


class ReplyRun:
    """One streamed reply: iterate it to show the text; it stores its own outcome."""

    def __init__(
        self,
        pipeline: ReplyPipeline,
        convo: Conversation,
        plan: PromptPlan,
        redactor: Redactor,
        pending: Message,
    ) -> None:
        self.pipeline, self.convo, self.plan = pipeline, convo, plan
        self.redactor, self.pending = redactor, pending
        self.message: Message | None = None  # the stored outcome, once iteration ended
        self.error: str | None = None
        self.retry_at: datetime | None = None
        self.raw_text = ""  # what the model wrote, before the review
        self.followed_up = False  # the review's follow-up ran (e.g. the ticket was handed over)

    @property
    def prompt_tokens(self) -> int:
        return self.plan.tokens

    def __iter__(self) -> Generator[str, None, None]:
        p = self.pipeline
        text, result, error = "", None, None  # type: str, Completion | None, str | None
        restorer = self.redactor.restorer()
        flushed_at = time.monotonic()
        pause = p.heartbeat_s
        try:
            model = self.convo.model or p.model
            stream = model.stream(self.plan.messages, max_tokens=p.max_tokens)
            for delta in stream:
                shown = restorer.feed(delta)
                text += shown
                if shown:
                    yield shown
                if time.monotonic() - flushed_at >= pause:
                    saved = self._heartbeat(text)  # a failed save is not retried for a while
                    pause = p.heartbeat_s if saved else max(30.0, p.heartbeat_s)
                    flushed_at = time.monotonic()
            result = stream.result
        except ModelError as exc:
            error, self.retry_at = exc.message, exc.retry_at
        except GeneratorExit:
            error = CUT_OFF.format(reason="the page was closed or reloaded")
            raise
        finally:
            tail = restorer.flush()
            text += tail
            self._finish(text, result, error)
        if tail:
            yield tail

    def _heartbeat(self, text: str) -> bool:
        p, conv = self.pipeline, self.convo.conv
        try:
            beat = replies.heartbeat(self.pending.attempt, text, p.clock())
            p.threads.revise(conv, self.pending.id, beat)
        except AppError as exc:  # keep streaming: the person still sees the reply
            log.warning("could not save the reply so far for %s: %s", conv.key, exc.code)
            return False
        return True

    def _finish(self, text: str, result: Completion | None, error: str | None) -> None:
        status, error = _outcome(text, result, error)
        usage = result.usage if result is not None and result.usage is not None else None
        if usage is None:
            usage = Usage(self.plan.tokens, self.pipeline.counter.count(text)) if text else Usage()
        self.error = error if status is not MessageStatus.COMPLETE else None
        p, conv = self.pipeline, self.convo.conv
        review = Review(text)
        if self.convo.review is not None and status is MessageStatus.COMPLETE:
            try:
                review = self.convo.review(text, self.plan)
            except Exception:  # a broken check must not lose the reply
                log.exception("reviewing the reply for %s failed", conv.key)
        self.raw_text = text
        change = replies.finish(
            self.pending.attempt,
            text=review.text,
            status=status,
            now=p.clock(),
            usage=usage,
            error=self.error,
            retry_at=self.retry_at if status is not MessageStatus.COMPLETE else None,
            sources=review.sources,
        )
        try:
            self.message = p.threads.revise(conv, self.pending.id, change)
        except AppError as exc:
            log.warning("could not store the reply for %s: %s", conv.key, exc.code)
            self.error = NOT_SAVED
            return
        if self.message is None:  # another attempt took over: it is charged, not this one
            log.info("reply %s in %s was superseded by a retry", self.pending.id, conv.key)
            return
        if self.convo.on_stored is not None and self.message.status is not MessageStatus.FAILED:
            try:
                self.convo.on_stored(self.message)
            except Exception:
                log.exception("after the reply for %s: on_stored failed", conv.key)
        if review.then is not None:
            try:
                review.then()
                self.followed_up = True
            except Exception:
                log.exception("after the reply for %s: the follow-up failed", conv.key)
        try:
            self.convo.charge(usage)
            memory, plan = self.convo.memory, self.plan
            p.upkeep.request(conv.key, lambda: _log_outcome(conv, memory.maintain(conv, plan)))
        except Exception:  # upkeep must never lose the stored reply
            log.exception("after-reply upkeep failed for %s", conv.key)


def _outcome(
    text: str, result: Completion | None, error: str | None
) -> tuple[MessageStatus, str | None]:
    if result is not None and result.complete and error is None and text.strip():
        return MessageStatus.COMPLETE, None
    if text.strip():
        if error is None:
            reason = f"finish_reason={result.finish_reason}" if result else "no ending"
            if result and result.finish_reason == "length":
                reason = "it reached the length limit"
            elif result and result.finish_reason is None:
                reason = "the stream ended early"
            error = CUT_OFF.format(reason=reason)
        return MessageStatus.TRUNCATED, error
    return MessageStatus.FAILED, error or "The assistant returned an empty answer. Press Retry."


def _log_outcome(conv: ConversationRef, outcome: object) -> None:
    status = getattr(outcome, "status", None)
    if status in ("failed", "lost_race"):
        log.warning("compaction of %s: %s %s", conv.key, status, getattr(outcome, "error", ""))
