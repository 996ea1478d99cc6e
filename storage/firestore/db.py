"""The Firestore database shared by the adapter's stores: paths, bounded calls, transactions
that tell contention apart from an outage, and a read counter for the benchmarks.

Every public store call runs through :meth:`FirestoreDb.run`, which gives up after the call
deadline however the library retries inside (a call in flight when the connection drops
would otherwise wait out several RPC deadlines in a row). A write that gives up may still
land later; callers retry with the same ids, so a resend is never stored twice.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import partial
from typing import Any, TypeVar

from google.api_core import exceptions as gexc
from google.cloud import firestore

from tickets.domain import ConversationRef
from tickets.errors import StoreBusy, StoreUnavailable
from tickets.live import ActivityKind

T = TypeVar("T")
UNAVAILABLE = (
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.RetryError,
    gexc.InternalServerError,
)
_POOL = ThreadPoolExecutor(max_workers=32, thread_name_prefix="firestore-call")


class FirestoreDb:
    def __init__(self, client: firestore.Client, *, deadline_s: float = 10.0) -> None:
        self.client = client
        self.deadline_s = deadline_s
        self._lock = threading.Lock()
        self.reads: Counter[str] = Counter()  # "get:tickets", "query:messages", ...

    # -- counting -------------------------------------------------------------------------

    def count(self, kind: str, n: int = 1) -> None:
        with self._lock:
            self.reads[kind] += max(n, 1)  # an empty query is still billed as one read

    @property
    def total_reads(self) -> int:
        with self._lock:
            return sum(self.reads.values())

    def get(self, ref: Any, transaction: Any = None) -> Any:
        snap = ref.get(transaction=transaction)
        self.count(f"get:{_kind(ref.path)}")
        return snap

    def stream(self, query: Any, kind: str) -> list[Any]:
        snaps = list(query.stream())
        self.count(f"query:{kind}", len(snaps))
        return snaps

    # -- bounded calls --------------------------------------------------------------------

    def run(self, fn: Callable[[], T]) -> T:
        """Run one store operation, translating outages, within the call deadline."""
        future = _POOL.submit(self._translated, fn)
        try:
            return future.result(timeout=self.deadline_s + 0.5)
        except FutureTimeout as exc:
            raise StoreUnavailable(f"no answer within {self.deadline_s:.0f} s") from exc

    @staticmethod
    def _translated(fn: Callable[[], T]) -> T:
        try:
            return fn()
        except UNAVAILABLE as exc:
            raise StoreUnavailable(type(exc).__name__) from exc

    def transaction(self, body: Callable[[Any], T]) -> T:
        """``body(transaction)`` in a transaction, retried on contention until the deadline.

        Contention (``Aborted``) is retried; when the deadline passes it is reported as
        :class:`StoreBusy`, never as an outage. Call it inside :meth:`run`.
        """
        deadline = time.monotonic() + self.deadline_s
        attempt = 0
        while True:
            run_once = firestore.transactional(body)
            transaction = self.client.transaction(max_attempts=1)
            try:
                result: T = self._translated(partial(run_once, transaction))
                return result
            except (gexc.Aborted, ValueError) as exc:
                causes = _chain(exc)
                if any(isinstance(c, UNAVAILABLE) for c in causes):
                    raise StoreUnavailable(type(causes[-1]).__name__) from exc
                if not any(isinstance(c, gexc.Aborted) for c in causes):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreBusy() from exc
                time.sleep(min(0.5, 0.01 * 2**attempt) * random.random())  # noqa: S311
                attempt += 1

    # -- paths ----------------------------------------------------------------------------

    def users(self) -> Any:
        return self.client.collection("users")

    def tickets(self) -> Any:
        return self.client.collection("tickets")

    def conversation(self, conv: ConversationRef) -> Any:
        """The ticket document, or the agent's copilot document under it."""
        ticket = self.tickets().document(conv.ticket_id)
        if conv.agent_uid is None:
            return ticket
        return ticket.collection("copilots").document(conv.agent_uid)

    def messages(self, conv: ConversationRef) -> Any:
        return self.conversation(conv).collection("messages")

    def checkpoint(self, conv: ConversationRef) -> Any:
        return self.conversation(conv).collection("memory").document("checkpoint")

    def activity(self, ticket_id: str) -> Any:
        """The ticket's change marker, beside (never in) the ticket document."""
        return self.tickets().document(ticket_id).collection("live").document("activity")

    def bump(self, writer: Any, conv: ConversationRef, kind: ActivityKind) -> None:
        """Move the shared thread's marker inside ``writer`` (a transaction or batch): a
        blind increment, so it never makes the caller's transaction conflict."""
        if not conv.is_copilot:
            ref = self.activity(conv.ticket_id)
            writer.set(ref, {kind.value: firestore.Increment(1)}, merge=True)

    def presence(self, ticket_id: str) -> Any:
        return self.tickets().document(ticket_id).collection("presence")

    def seen(self, uid: str) -> Any:
        return self.users().document(uid).collection("seen")


EXPIRY = "expireAt"


def with_expiry(data: dict[str, Any], *sources: Any) -> dict[str, Any]:
    """``data`` with the ``expireAt`` of the first snapshot among ``sources`` that has one: a
    document rewritten or written under an expiring ticket keeps (or takes) its expiry."""
    for snap in sources:
        value = (snap.to_dict() or {}).get(EXPIRY) if snap is not None and snap.exists else None
        if value is not None:
            return data | {EXPIRY: value}
    return data


def _kind(path: str) -> str:
    """``tickets/t1/messages/m1`` -> ``messages``: the collection a document is in."""
    parts = path.split("/")
    return parts[-2] if len(parts) >= 2 else path


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it (a failed rollback hides the real error)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain
