"""The storage ports: one small protocol per concern, bundled as :class:`Store`.

Each use case asks only for the protocols it needs (memory, for instance, only threads and
checkpoints). The adapters in ``storage/`` implement them and pass one contract suite
(``tests/contract``); they persist and nothing more. The decisions both adapters would
otherwise repeat live above them: whether an id that is already taken may be reused
(:mod:`tickets.service`), whether a checkpoint may move (:mod:`memory.summary`), whether a
reply may still be finished (:mod:`tickets.replies`). Adapters apply a caller's decision
inside their own transaction through ``revise(..., change)``, where ``change`` sees the
stored value and returns the new one, or ``None`` to leave it as it is. ``change`` may run
more than once (a transaction retried on contention), so it must not have side effects.

A store knows nothing about who is asking: access checks live in :mod:`tickets.service`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

from knowledge.store import ArticleStore
from tickets.domain import (
    AuditEvent,
    Checkpoint,
    ConversationRef,
    Message,
    NewMessage,
    Priority,
    Role,
    Status,
    Ticket,
    Usage,
    User,
)
from tickets.feedback import FeedbackStore
from tickets.live import Activity, ActivityKind
from tickets.metrics import StatsChange, TicketStats
from tickets.presence import Presence
from tickets.sla import SlaStore
from tickets.snippets import SnippetStore
from tickets.triage import TriageStore

UNASSIGNED = ""  # ``TicketQuery.assignee`` value meaning "nobody"

MessageChange = Callable[[Message], Message | None]
CheckpointChange = Callable[[Checkpoint | None], Checkpoint | None]


def revision_of(stored: Message, changed: Message) -> Message:
    """What a revision may not change: which message it is, who wrote it, when and where."""
    return replace(
        changed,
        id=stored.id,
        seq=stored.seq,
        author_uid=stored.author_uid,
        author_role=stored.author_role,
        visibility=stored.visibility,
        created_at=stored.created_at,
    )


@dataclass(frozen=True)
class TicketQuery:
    """A bounded ticket listing, newest activity first."""

    customer_uid: str | None = None
    statuses: tuple[Status, ...] = ()
    assignee: str | None = None  # None: anyone; UNASSIGNED: nobody; else that uid
    search_key: str | None = None  # one normalized word prefix (see domain.search_keys)
    limit: int = 50


@dataclass(frozen=True)
class TicketChanges:
    """Fields an update may set; ``None`` leaves a field as it is."""

    status: Status | None = None
    assignee_uid: str | None = None
    clear_assignee: bool = False
    labels: tuple[str, ...] | None = None
    assistant_active: bool | None = None
    handoff_at: datetime | None = None  # the assistant handed the ticket over (queue: first)
    clear_handoff: bool = False  # an agent answered it
    priority: Priority | None = None
    merged_into: str | None = None  # a duplicate merged into that ticket

    def apply(self, ticket: Ticket, now: datetime) -> Ticket:
        changes: dict[str, Any] = {}
        if self.status is not None:
            changes["status"] = self.status
        if self.clear_assignee:
            changes["assignee_uid"] = None
        elif self.assignee_uid is not None:
            changes["assignee_uid"] = self.assignee_uid
        if self.labels is not None:
            changes["labels"] = self.labels
        if self.assistant_active is not None:
            changes["assistant_active"] = self.assistant_active
        if self.clear_handoff:
            changes["handoff_at"] = None
        elif self.handoff_at is not None:
            changes["handoff_at"] = self.handoff_at
        if self.priority is not None:
            changes["priority"] = self.priority
        if self.merged_into is not None:
            changes["merged_into"] = self.merged_into
        if self.touches_activity:
            changes["updated_at"] = now
        if self.changes_anything:
            changes["changed_at"] = now
        return ticket.with_changes(**changes)

    @property
    def touches_activity(self) -> bool:
        """What a customer sees change is activity (``updatedAt``, their "last activity"): the
        status, and whether the assistant or a person answers. Agent-only fields (labels,
        the assignee) move nothing a customer sees."""
        return self.status is not None or self.assistant_active is not None

    @property
    def changes_anything(self) -> bool:
        """Any change at all moves ``changedAt`` (what the agents' live queue polls)."""
        return any(
            (
                self.status is not None,
                self.assignee_uid is not None,
                self.clear_assignee,
                self.labels is not None,
                self.assistant_active is not None,
                self.handoff_at is not None,
                self.clear_handoff,
                self.priority is not None,
                self.merged_into is not None,
            )
        )


@dataclass(frozen=True)
class UsageTotals:
    key: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def owner(self) -> str:
        parts = usage_key_parts(self.key)
        return parts[1] if parts else ""


_USAGE_KEY = re.compile(r"(user|ticket)-(.+)-(\d{4}-\d{2}(?:-\d{2})?|all)")


def usage_key_parts(key: str) -> tuple[str, str, str] | None:
    """``user-{uid}-{period}`` / ``ticket-{id}-{period}`` -> (kind, owner, period)."""
    found = _USAGE_KEY.fullmatch(key)
    return (found[1], found[2], found[3]) if found else None


class UserStore(Protocol):
    def get(self, uid: str) -> User | None: ...
    def save(self, user: User) -> None: ...

    def find(
        self, limit: int = 100, role: Role | None = None, after: str | None = None
    ) -> list[User]:
        """Users in uid order, a page at a time (``after``: the last uid of the page before)."""
        ...


class TicketStore(Protocol):
    def create(
        self, ticket: Ticket, first_message: NewMessage | None = None
    ) -> tuple[Ticket, bool]:
        """Create the ticket (and its first message) atomically.

        Returns the stored ticket and whether this call created it; an id that is already
        taken returns the existing ticket and ``False`` (the caller decides what that means).
        """
        ...

    def get(self, ticket_id: str) -> Ticket | None: ...
    def update(self, ticket_id: str, changes: TicketChanges) -> Ticket: ...
    def find(self, query: TicketQuery) -> list[Ticket]: ...

    def count(self, query: TicketQuery) -> int:
        """How many tickets match ``query`` (``limit`` is ignored)."""
        ...

    def ids(self, after: str | None = None, limit: int = 500) -> list[str]:
        """Every ticket id in id order, a page at a time (for operator jobs)."""
        ...

    def ids_of_customer(self, uid: str, limit: int = 500) -> list[str]:
        """Ids of ``uid``'s tickets, read raw (a malformed ticket is listed too: erasure and
        the subject-access export must not miss one)."""
        ...


class ThreadStore(Protocol):
    """The messages of a conversation: a ticket's shared thread or an agent's copilot."""

    def append(self, conv: ConversationRef, message: NewMessage) -> Message:
        """Assign the next ``seq`` in a transaction and return the message as stored.

        An id that exists returns the stored message unchanged (a retried write); whether
        that is the caller's own message is for the caller to check.
        """
        ...

    def get(self, conv: ConversationRef, message_id: str) -> Message | None: ...

    def revise(
        self, conv: ConversationRef, message_id: str, change: MessageChange
    ) -> Message | None:
        """Apply ``change`` to the stored message in a transaction.

        Returns the message as stored afterwards, or ``None`` when ``change`` declined.
        Raises :class:`tickets.errors.MessageNotFound` for a missing message. ``seq``, the
        author and the creation time never change.
        """
        ...

    def newest(
        self,
        conv: ConversationRef,
        *,
        limit: int,
        before_seq: int | None = None,
        public_only: bool = False,
    ) -> list[Message]:
        """Up to ``limit`` newest messages with ``seq < before_seq``, in ascending order."""
        ...

    def after(
        self,
        conv: ConversationRef,
        *,
        after_seq: int,
        limit: int,
        public_only: bool = False,
    ) -> list[Message]:
        """Up to ``limit`` oldest messages with ``seq > after_seq``, in ascending order."""
        ...

    def last_seq(self, conv: ConversationRef) -> int:
        """The newest ``seq`` of the conversation (0 when it has none)."""
        ...

    def copilot_agents(self, ticket_id: str) -> list[str]:
        """The agents who have a copilot thread on this ticket."""
        ...


class CheckpointStore(Protocol):
    """The memory checkpoint of each conversation, in a document of its own."""

    def get(self, conv: ConversationRef) -> Checkpoint | None: ...

    def revise(self, conv: ConversationRef, change: CheckpointChange) -> Checkpoint | None:
        """Apply ``change`` to the stored checkpoint in a transaction; ``None``: declined."""
        ...


class UsageStore(Protocol):
    def add(self, keys: Sequence[str], usage: Usage) -> None: ...
    def get(self, key: str) -> UsageTotals: ...

    def top(self, kind: str, period: str, limit: int = 20) -> list[UsageTotals]:
        """The ``kind`` ("user" or "ticket") counters of ``period`` using most tokens."""
        ...

    def of_owner(self, kind: str, owner: str) -> list[UsageTotals]:
        """Every counter of one user or ticket (all periods)."""
        ...


@dataclass(frozen=True)
class AuditQuery:
    """Audit entries newest first, each filter optional (``since`` <= at < ``until``)."""

    kind: str | None = None
    actor_uid: str | None = None
    ticket_id: str | None = None
    subject_uid: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


class AuditStore(Protocol):
    """Append-only: entries are recorded and read, never changed or deleted. Entries about a
    customer are sealed under that customer's own key (see :mod:`storage.shredding`)."""

    def record(self, event: AuditEvent) -> None:
        """Append ``event`` (recording the same id again changes nothing)."""
        ...

    def find(
        self, ticket_id: str | None = None, limit: int = 100, *, query: AuditQuery | None = None
    ) -> list[AuditEvent]:
        """``query`` when given, else the entries of ``ticket_id`` (or all), newest first."""
        ...


class MetricsStore(Protocol):
    """What the reports read: each ticket's own small state and anonymous counters per day
    (see :mod:`tickets.metrics`), moved together when an event is recorded."""

    def record(self, ticket_id: str, change: StatsChange) -> bool:
        """In one transaction: ``change`` sees the ticket's stored state and returns the new
        state and the day counters to add (``None``: nothing to do). Returns whether it did.
        Counters are spread over shards, so a busy day is no single hot document."""
        ...

    def stats(self, ticket_id: str) -> TicketStats | None: ...

    def days(self, first: date, last: date) -> dict[date, dict[str, int]]:
        """The counters of each day from ``first`` through ``last`` that has any."""
        ...


class RetentionStore(Protocol):
    """When a resolved ticket expires: ``expireAt`` on the ticket and every document under it
    (Firestore's TTL policies delete them; the sweep does it on any store)."""

    def mark(self, ticket_id: str, expire_at: datetime | None) -> int:
        """Set (or, with ``None``, clear) the expiry of the ticket and everything under it;
        returns how many documents were marked. New documents under a marked ticket take
        its expiry when they are written."""
        ...

    def expiry(self, ticket_id: str) -> datetime | None: ...

    def expired(self, now: datetime, limit: int = 100) -> list[str]:
        """Ids of tickets whose expiry is at or before ``now``."""
        ...


class Eraser(Protocol):
    """Part of erasure: every concern that holds a customer's data registers one with its
    store (``Store.erasers``), and erasing a ticket or a customer calls them all in order.
    A new concern (attachments, say) adds its own; nothing else changes."""

    name: str

    def erase_ticket(self, ticket_id: str) -> int:
        """Delete what this concern keeps about the ticket; returns documents deleted."""
        ...

    def erase_user(self, uid: str) -> int:
        """Delete (or crypto-shred) what it keeps about the user outside their tickets."""
        ...


class ActivityStore(Protocol):
    """What changed: each ticket's change marker (:class:`tickets.live.Activity`), and
    which tickets changed lately (what the agent queue polls).

    The adapters move the marker themselves, inside the transaction that makes the change:
    ``thread`` when a message of the shared thread is appended or revised (copilot threads
    are private and move nothing), ``ticket`` when :meth:`TicketStore.update` changes a
    ticket. Only presence moves it from outside, through :meth:`touch`.
    """

    def get(self, ticket_id: str) -> Activity:
        """The marker (all zeros for a ticket nothing has happened to yet)."""
        ...

    def touch(self, ticket_id: str, kind: ActivityKind) -> None:
        """Move one counter (a blind increment: it never conflicts with a post)."""
        ...

    def changed_since(self, since: datetime, limit: int = 100) -> list[Ticket]:
        """Tickets whose ``changed_at`` is after ``since``, newest first (one read when
        there are none: what an idle queue costs per poll)."""
        ...


class PresenceStore(Protocol):
    """Who is on a ticket: one short-lived entry per (ticket, user), never on the ticket."""

    def put(self, presence: Presence) -> None:
        """Write this user's own entry (replacing what was there)."""
        ...

    def remove(self, ticket_id: str, uid: str) -> None: ...

    def live(self, ticket_id: str, now: datetime) -> list[Presence]:
        """The entries that have not expired at ``now`` (expired ones are never returned,
        whether or not they have been deleted yet)."""
        ...


class SeenStore(Protocol):
    """How far each agent has read each ticket (its unread dot), off the ticket document:
    an agent opening a ticket never writes to it."""

    def get(self, uid: str, ticket_ids: Sequence[str]) -> dict[str, int]:
        """The seq ``uid`` has seen for each of ``ticket_ids`` they have opened."""
        ...

    def mark(self, uid: str, ticket_id: str, seq: int) -> None:
        """Seen through ``seq`` (a blind maximum: it never moves backwards)."""
        ...


class BlobStore(Protocol):
    """File bytes (attachments) outside every document, by object path
    (:func:`tickets.attachments.object_path`). The adapter seals them like message text,
    with the path as associated data, so bytes copied to another path do not open."""

    @property
    def available(self) -> bool:
        """False when the deployment has nowhere to keep files (no bucket configured)."""
        ...

    def put(self, path: str, data: bytes, content_type: str) -> None: ...

    def get(self, path: str) -> bytes | None:
        """The bytes, or ``None`` when nothing is stored there."""
        ...

    def delete(self, path: str) -> None: ...


@dataclass(frozen=True)
class MessageHit:
    ticket_id: str
    message: Message


class MessageSearch(Protocol):
    """Messages of shared threads by search key (copilot threads are never indexed). The
    keys are stored as keyed tokens when encryption is on, never as words."""

    def find(self, key: str, limit: int = 50) -> list[MessageHit]:
        """Messages holding ``key`` (one normalized word or prefix), newest first."""
        ...


@dataclass(frozen=True)
class Store:
    """Every concern of one backend. Pass a use case only the parts it needs."""

    users: UserStore
    tickets: TicketStore
    threads: ThreadStore
    checkpoints: CheckpointStore
    usage: UsageStore
    audit: AuditStore
    activity: ActivityStore
    presence: PresenceStore
    seen: SeenStore
    articles: ArticleStore  # the knowledge base (knowledge/store.py)
    blobs: BlobStore  # attachments' bytes (a local folder, or Cloud Storage)
    snippets: SnippetStore  # canned responses and macros (tickets/snippets.py)
    feedback: FeedbackStore  # ratings of replies and CSAT (tickets/feedback.py)
    sla: SlaStore  # each ticket's response clock (tickets/sla.py)
    triage: TriageStore  # suggestions at intake and agents' decisions (tickets/triage.py)
    search: MessageSearch  # message text by keyed tokens
    metrics: MetricsStore
    retention: RetentionStore
    erasers: tuple[Eraser, ...]  # in order: the ticket itself last
    backend: str = "memory"
    closer: Callable[[], None] = field(default=lambda: None, repr=False, compare=False)

    def close(self) -> None:
        self.closer()
