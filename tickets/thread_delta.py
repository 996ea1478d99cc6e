"""Bringing a page of the thread up to date by reading only what may have changed.

Messages are appended with growing ``seq`` and only replies that are still pending (or that
failed and may be retried in place) are ever revised. So a page needs the messages after the
oldest one it shows that is not final yet, or after its newest one: usually one or two
documents instead of the whole page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from tickets.domain import Message, MessageStatus, Ticket
from tickets.service import ThreadPage


def read_after(page: ThreadPage) -> int:
    """The ``seq`` to read after: everything from the oldest message that may still change."""
    if not page.messages:
        return 0
    unsettled = [m.seq for m in page.messages if m.status is not MessageStatus.COMPLETE]
    return (min(unsettled) if unsettled else page.messages[-1].seq + 1) - 1


def merge(
    page: ThreadPage,
    newer: Sequence[Message],
    ticket: Ticket,
    now: datetime,
    stall_after_s: float,
) -> ThreadPage:
    """The page with ``newer`` (read after :func:`read_after`) replacing and extending it."""
    by_seq = {m.seq: m for m in page.messages}
    by_seq.update({m.seq: m.settled(now, stall_after_s) for m in newer})
    return replace(page, ticket=ticket, messages=[by_seq[s] for s in sorted(by_seq)])


def settle(page: ThreadPage, now: datetime, stall_after_s: float) -> ThreadPage:
    """The same page as seen at ``now``: a reply whose writer went silent shows as failed."""
    settled = [m.settled(now, stall_after_s) for m in page.messages]
    if all(a is b for a, b in zip(settled, page.messages, strict=True)):
        return page
    return replace(page, messages=settled)


def news(before: ThreadPage, after: ThreadPage) -> list[Message]:
    """Messages in ``after`` that ``before`` did not show, or showed unfinished."""
    old = {m.seq: m.status for m in before.messages}
    return [m for m in after.messages if m.seq not in old or old[m.seq] is not m.status]
