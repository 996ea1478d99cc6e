"""The life of a model reply, as decisions applied inside the store's transaction.

A reply is stored ``pending`` (attempt 1) before the model is called. Its writer flushes the
streamed text now and then (a heartbeat) and finishes it ``complete``, ``truncated`` or
``failed``. A retry starts the next attempt on the same message. Every write names the
attempt it belongs to and is declined if another attempt has started since: a writer that
was presumed dead and comes back can never overwrite a retry, nor be charged for it.
A pending reply whose writer went silent for longer than the stall timeout counts as failed
(:meth:`tickets.domain.Message.settled`) and may be retried.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from tickets.domain import Message, MessageStatus, Source, Usage
from tickets.store import MessageChange

RETRYABLE = (MessageStatus.FAILED, MessageStatus.TRUNCATED)


def can_retry(message: Message, now: datetime, stall_after_s: float) -> bool:
    settled = message.settled(now, stall_after_s)
    return settled.status in RETRYABLE


def start_attempt(now: datetime, stall_after_s: float) -> MessageChange:
    """Retry: a failed, cut-off or stalled reply becomes the next pending attempt."""

    def change(stored: Message) -> Message | None:
        if not can_retry(stored, now, stall_after_s):
            return None
        return replace(
            stored,
            text="",
            status=MessageStatus.PENDING,
            attempt=stored.attempt + 1,
            updated_at=now,
            usage=None,
            error=None,
            retry_at=None,
            sources=(),
        )

    return change


def heartbeat(attempt: int, text: str, now: datetime) -> MessageChange:
    """Keep the streamed text so far, and show the writer is alive."""

    def change(stored: Message) -> Message | None:
        if stored.attempt != attempt or stored.status is not MessageStatus.PENDING:
            return None
        return replace(stored, text=text, updated_at=now)

    return change


def finish(
    attempt: int,
    *,
    text: str,
    status: MessageStatus,
    now: datetime,
    usage: Usage | None = None,
    error: str | None = None,
    retry_at: datetime | None = None,
    sources: tuple[Source, ...] = (),
) -> MessageChange:
    """The outcome of this attempt, if it is still the current one."""

    def change(stored: Message) -> Message | None:
        if stored.attempt != attempt or stored.status is not MessageStatus.PENDING:
            return None
        return replace(
            stored,
            text=text,
            status=status,
            usage=usage,
            error=error,
            retry_at=retry_at,
            updated_at=now,
            sources=sources,
        )

    return change
