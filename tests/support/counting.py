"""A thread store that counts the messages read through it (for tests and benchmarks)."""

from __future__ import annotations

import threading
from collections import Counter

from tickets.domain import ConversationRef, Message, NewMessage
from tickets.store import MessageChange, ThreadStore


class CountingThreads:
    def __init__(self, inner: ThreadStore) -> None:
        self.inner = inner
        self.read = 0  # messages read
        self.by_thread: Counter[int] = Counter()  # messages read, per reading thread

    def _count(self, n: int) -> None:
        self.read += n
        self.by_thread[threading.get_ident()] += n

    def read_here(self) -> int:
        """Messages read by the calling thread."""
        return self.by_thread[threading.get_ident()]

    def append(self, conv: ConversationRef, message: NewMessage) -> Message:
        return self.inner.append(conv, message)

    def get(self, conv: ConversationRef, message_id: str) -> Message | None:
        self._count(1)
        return self.inner.get(conv, message_id)

    def revise(
        self, conv: ConversationRef, message_id: str, change: MessageChange
    ) -> Message | None:
        return self.inner.revise(conv, message_id, change)

    def newest(
        self,
        conv: ConversationRef,
        *,
        limit: int,
        before_seq: int | None = None,
        public_only: bool = False,
    ) -> list[Message]:
        page = self.inner.newest(conv, limit=limit, before_seq=before_seq, public_only=public_only)
        self._count(len(page))
        return page

    def after(
        self, conv: ConversationRef, *, after_seq: int, limit: int, public_only: bool = False
    ) -> list[Message]:
        page = self.inner.after(conv, after_seq=after_seq, limit=limit, public_only=public_only)
        self._count(len(page))
        return page

    def last_seq(self, conv: ConversationRef) -> int:
        return self.inner.last_seq(conv)

    def copilot_agents(self, ticket_id: str) -> list[str]:
        return self.inner.copilot_agents(ticket_id)
