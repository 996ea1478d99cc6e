"""Domain types: users, tickets, messages, conversations and memory checkpoints.

Plain frozen dataclasses with explicit ``to_dict`` / ``from_dict`` (camelCase keys, the
shape stored in Firestore). Timestamps are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tickets import fields
from tickets.attachments import Attachment, attachments_of
from tickets.rating import Rating

STALLED_REPLY = (
    "This reply stopped before it finished (the connection or the app was interrupted). "
    "Press Retry for a full answer."
)


def utcnow() -> datetime:
    """Now, in UTC, at the microsecond precision every store keeps."""
    return datetime.now(UTC)


def as_datetime(value: Any) -> datetime:
    """Accept a datetime (Firestore) or an ISO string (SQLite, JSON exports)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise TypeError(f"not a timestamp: {value!r}")


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"  # an agent who also sees reports and the audit log

    @property
    def works_tickets(self) -> bool:
        return self in (Role.AGENT, Role.SUPERVISOR)


class AuthorRole(StrEnum):
    CUSTOMER = "customer"
    ASSISTANT = "assistant"
    AGENT = "agent"
    SYSTEM = "system"


class Status(StrEnum):
    OPEN = "open"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    WAITING_ON_AGENT = "waiting_on_agent"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class MessageStatus(StrEnum):
    PENDING = "pending"
    COMPLETE = "complete"
    FAILED = "failed"
    TRUNCATED = "truncated"


@dataclass(frozen=True)
class User:
    uid: str
    role: Role
    display_name: str
    email: str = ""
    disabled: bool = False

    @property
    def is_agent(self) -> bool:
        """Works the queue: an agent or a supervisor (supervisors are agents too)."""
        return self.role.works_tickets and not self.disabled

    @property
    def is_supervisor(self) -> bool:
        return self.role is Role.SUPERVISOR and not self.disabled

    def to_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "role": self.role.value,
            "displayName": self.display_name,
            "email": self.email,
            "disabled": self.disabled,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> User:
        return cls(
            uid=fields.required_text(data, "uid"),
            role=fields.choice(Role, data, "role"),
            display_name=fields.text(data, "displayName"),
            email=fields.text(data, "email"),
            disabled=fields.flag(data, "disabled", False),
        )


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )

    def to_dict(self) -> dict[str, int]:
        return {"promptTokens": self.prompt_tokens, "completionTokens": self.completion_tokens}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Usage:
        data = data or {}
        if not isinstance(data, Mapping):
            raise TypeError("usage is not a map")
        return cls(fields.count(data, "promptTokens"), fields.count(data, "completionTokens"))


@dataclass(frozen=True)
class ConversationRef:
    """A thread of messages: the ticket's shared thread, or one agent's copilot thread."""

    ticket_id: str
    agent_uid: str | None = None

    @property
    def is_copilot(self) -> bool:
        return self.agent_uid is not None

    @property
    def key(self) -> str:
        """A stable string key, also the Firestore path below ``tickets/``."""
        if self.agent_uid is None:
            return self.ticket_id
        return f"{self.ticket_id}/copilots/{self.agent_uid}"


@dataclass(frozen=True)
class Source:
    """A help article a reply was answered from (shown as a link under the reply)."""

    article_id: str
    title: str

    def to_dict(self) -> dict[str, str]:
        return {"articleId": self.article_id, "title": self.title}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Source:
        return cls(str(data["articleId"]), str(data.get("title", "")))


@dataclass(frozen=True)
class Message:
    id: str
    seq: int
    author_uid: str
    author_role: AuthorRole
    visibility: Visibility
    text: str
    created_at: datetime
    status: MessageStatus = MessageStatus.COMPLETE
    usage: Usage | None = None
    error: str | None = None
    reply_to: str | None = None
    attempt: int = 0  # a model reply's generation: a retry starts the next one
    updated_at: datetime | None = None  # last write (a streaming reply's heartbeat)
    retry_at: datetime | None = None  # a failed reply can be retried from then on
    sources: tuple[Source, ...] = ()  # the articles a reply was answered from
    attachments: tuple[Attachment, ...] = ()  # files; their bytes live in the BlobStore
    rating: Rating | None = None  # a thumbs up or down from whoever the reply was for

    @property
    def is_internal(self) -> bool:
        return self.visibility is Visibility.INTERNAL

    @property
    def counts_for_memory(self) -> bool:
        """Failed and pending replies are shown in the thread but never sent to the model."""
        return self.status in (MessageStatus.COMPLETE, MessageStatus.TRUNCATED) and bool(
            self.text.strip() or self.attachments
        )

    @property
    def last_activity(self) -> datetime:
        return self.updated_at or self.created_at

    def is_stalled(self, now: datetime, stall_after_s: float) -> bool:
        """A pending reply nobody has written to for ``stall_after_s``: its writer is gone
        (a killed process, a cut connection). It counts as failed everywhere."""
        if self.status is not MessageStatus.PENDING:
            return False
        return (now - self.last_activity).total_seconds() > stall_after_s

    def settled(self, now: datetime, stall_after_s: float) -> Message:
        """This message as everyone should see it: a stalled reply shows as failed."""
        if not self.is_stalled(now, stall_after_s):
            return self
        return replace(self, status=MessageStatus.FAILED, error=STALLED_REPLY)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seq": self.seq,
            "authorUid": self.author_uid,
            "authorRole": self.author_role.value,
            "visibility": self.visibility.value,
            "text": self.text,
            "createdAt": self.created_at,
            "status": self.status.value,
            "usage": self.usage.to_dict() if self.usage else None,
            "error": self.error,
            "replyTo": self.reply_to,
            "attempt": self.attempt,
            "updatedAt": self.updated_at,
            "retryAt": self.retry_at,
            **({"sources": [s.to_dict() for s in self.sources]} if self.sources else {}),
            **(
                {"attachments": [a.to_dict() for a in self.attachments]} if self.attachments else {}
            ),
            **({"rating": self.rating.to_dict()} if self.rating else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        return cls(
            id=fields.required_text(data, "id"),
            seq=fields.count(data, "seq", -1),  # missing: -1, refused as negative
            author_uid=fields.required_text(data, "authorUid"),
            author_role=fields.choice(AuthorRole, data, "authorRole"),
            visibility=fields.choice(Visibility, data, "visibility"),
            text=fields.text(data, "text", limit=fields.LONG_TEXT),
            created_at=as_datetime(data["createdAt"]),
            status=fields.choice(MessageStatus, data, "status", MessageStatus.COMPLETE),
            usage=Usage.from_dict(data["usage"]) if data.get("usage") else None,
            error=fields.optional_text(data, "error"),
            reply_to=fields.optional_text(data, "replyTo", limit=64),
            attempt=fields.count(data, "attempt"),
            updated_at=as_datetime(data["updatedAt"]) if data.get("updatedAt") else None,
            retry_at=as_datetime(data["retryAt"]) if data.get("retryAt") else None,
            sources=tuple(Source.from_dict(s) for s in data.get("sources") or ()),
            attachments=attachments_of(data),
            rating=Rating.from_dict(data["rating"]) if data.get("rating") else None,
        )


@dataclass(frozen=True)
class NewMessage:
    """What a caller asks a store to append; the store assigns ``seq`` and the timestamp."""

    id: str
    author_uid: str
    author_role: AuthorRole
    text: str
    visibility: Visibility = Visibility.PUBLIC
    status: MessageStatus = MessageStatus.COMPLETE
    reply_to: str | None = None
    written_at: datetime | None = None  # an imported message keeps its time; else the store's
    attachments: tuple[Attachment, ...] = ()

    def at(self, seq: int, created_at: datetime) -> Message:
        return Message(
            id=self.id,
            seq=seq,
            author_uid=self.author_uid,
            author_role=self.author_role,
            visibility=self.visibility,
            text=self.text,
            created_at=self.written_at or created_at,
            status=self.status,
            reply_to=self.reply_to,
            attachments=self.attachments,
        )

    def same_author(self, stored: Message) -> bool:
        """``stored`` (found under this id) was written by the same author, the same way."""
        return (stored.author_uid, stored.author_role, stored.visibility) == (
            self.author_uid,
            self.author_role,
            self.visibility,
        )

    def is_retry_of(self, stored: Message) -> bool:
        """``stored`` is this very message: a retried write (same author, same text)."""
        return self.same_author(stored) and stored.text == self.text


@dataclass(frozen=True)
class Checkpoint:
    """The memory of a conversation: a summary that covers messages through ``covered_seq``.

    ``extractive``: the summary was built without the model (first sentences of the folded
    messages), because the model failed. ``failures``: model folds failed in a row (0 when
    the last one worked); ``retry_at_seq``: no model fold before the conversation reaches
    this seq (the backoff). Checkpoints written before these fields read as model-written
    with no failures.
    """

    summary: str
    facts: tuple[str, ...]
    covered_seq: int
    version: int
    updated_at: datetime
    extractive: bool = False
    failures: int = 0
    retry_at_seq: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "facts": list(self.facts),
            "coveredSeq": self.covered_seq,
            "version": self.version,
            "updatedAt": self.updated_at,
            "extractive": self.extractive,
            "failures": self.failures,
            "retryAtSeq": self.retry_at_seq,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Checkpoint:
        return cls(
            summary=data.get("summary", ""),
            facts=tuple(data.get("facts", ())),
            covered_seq=int(data.get("coveredSeq", 0)),
            version=int(data.get("version", 0)),
            updated_at=as_datetime(data["updatedAt"]),
            extractive=bool(data.get("extractive", False)),
            failures=int(data.get("failures", 0)),
            retry_at_seq=int(data.get("retryAtSeq", 0)),
        )


@dataclass(frozen=True)
class ConversationState:
    last_seq: int
    checkpoint: Checkpoint | None = None

    @property
    def checkpoint_version(self) -> int:
        return self.checkpoint.version if self.checkpoint else 0

    @property
    def covered_seq(self) -> int:
        return self.checkpoint.covered_seq if self.checkpoint else 0


@dataclass(frozen=True)
class Ticket:
    id: str
    customer_uid: str
    subject: str
    created_at: datetime
    updated_at: datetime
    status: Status = Status.OPEN
    customer_name: str = ""
    assignee_uid: str | None = None
    labels: tuple[str, ...] = ()
    last_seq: int = 0
    last_customer_seq: int = 0
    last_author_role: AuthorRole | None = None
    assistant_active: bool = True
    changed_at: datetime | None = None  # any change, for agents (None: ``updated_at``)
    handoff_at: datetime | None = None  # the assistant handed over; cleared when an agent replies
    priority: Priority = Priority.NORMAL  # set by agents (triage suggests); SLA targets follow it
    merged_into: str | None = None  # this ticket was merged into that one (a duplicate)

    @property
    def awaits_handoff(self) -> bool:
        return self.handoff_at is not None

    def __post_init__(self) -> None:
        if self.changed_at is None:
            object.__setattr__(self, "changed_at", self.updated_at)

    @property
    def last_change(self) -> datetime:
        """When anything last happened to the ticket (what the agents' live queue polls);
        ``updated_at`` is only what a customer sees."""
        return self.changed_at or self.updated_at

    @staticmethod
    def activity_fields(message: Message) -> dict[str, Any]:
        """The stored ticket fields that change when ``message`` joins the shared thread.

        ``lastMessageId`` names the message that took ``lastSeq`` (``firestore.rules`` checks a
        client's bump comes with it). An internal note moves nothing a customer sees: not
        ``updatedAt`` (the customer's "last activity"), not ``lastAuthorRole``; every message
        moves ``changedAt`` (the agents' live queue).
        """
        activity: dict[str, Any] = {
            "lastSeq": message.seq,
            "lastMessageId": message.id,
            "changedAt": message.created_at,
        }
        if message.is_internal:
            return activity
        activity |= {"updatedAt": message.created_at, "lastAuthorRole": message.author_role.value}
        if message.author_role is AuthorRole.CUSTOMER:
            activity["lastCustomerSeq"] = message.seq
        return activity

    def after_message(self, message: Message) -> Ticket:
        return Ticket.from_dict({**self.to_dict(), **self.activity_fields(message)})

    def unread(self, seen_seq: int) -> bool:
        """New customer activity since an agent saw this ticket through ``seen_seq`` (the
        read state lives outside the ticket document, see :class:`tickets.store.SeenStore`)."""
        return self.last_customer_seq > seen_seq

    def with_changes(self, **changes: Any) -> Ticket:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customerUid": self.customer_uid,
            "customerName": self.customer_name,
            "subject": self.subject,
            "status": self.status.value,
            "assigneeUid": self.assignee_uid,
            "labels": list(self.labels),
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "lastSeq": self.last_seq,
            "lastCustomerSeq": self.last_customer_seq,
            "lastAuthorRole": self.last_author_role.value if self.last_author_role else None,
            "assistantActive": self.assistant_active,
            "changedAt": self.last_change,
            "handoffAt": self.handoff_at,
            "priority": self.priority.value,
            "mergedInto": self.merged_into,
            "searchKeys": sorted(search_keys(self.subject, self.customer_name, self.id)),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ticket:
        """Strict: a field of the wrong type, size or value makes the ticket malformed."""
        return cls(
            id=fields.required_text(data, "id", limit=64),
            customer_uid=fields.required_text(data, "customerUid", limit=64),
            customer_name=fields.text(data, "customerName"),
            subject=fields.text(data, "subject"),
            status=fields.choice(Status, data, "status", Status.OPEN),
            assignee_uid=fields.optional_text(data, "assigneeUid", limit=64),
            labels=fields.texts(data, "labels"),
            created_at=as_datetime(data["createdAt"]),
            updated_at=as_datetime(data["updatedAt"]),
            last_seq=fields.count(data, "lastSeq"),
            last_customer_seq=fields.count(data, "lastCustomerSeq"),
            last_author_role=fields.optional_choice(AuthorRole, data, "lastAuthorRole"),
            assistant_active=fields.flag(data, "assistantActive", True),
            changed_at=as_datetime(data["changedAt"]) if data.get("changedAt") else None,
            handoff_at=as_datetime(data["handoffAt"]) if data.get("handoffAt") else None,
            priority=fields.choice(Priority, data, "priority", Priority.NORMAL),
            merged_into=fields.optional_text(data, "mergedInto", limit=64),
        )


SEARCH_KEY_MIN, SEARCH_KEY_MAX = 2, 16


def normalize_search(text: str) -> list[str]:
    words = "".join(ch.lower() if ch.isalnum() else " " for ch in text).split()
    return [w[:SEARCH_KEY_MAX] for w in words if len(w) >= SEARCH_KEY_MIN]


def search_keys(*texts: str) -> set[str]:
    """Word prefixes of the subject, customer name and id: an ``array_contains`` index."""
    keys: set[str] = set()
    for text in texts:
        for word in normalize_search(text):
            keys.update(word[:n] for n in range(SEARCH_KEY_MIN, len(word) + 1))
    return keys


@dataclass(frozen=True)
class AuditEvent:
    """One entry of the append-only audit log: who (``actor_uid``, acting as
    ``actor_role``), did what (``kind``, ``details``), when, on which ticket, and which
    customer it is about (``subject_uid``: what erasure crypto-shreds, see
    :mod:`storage.shredding`). Kinds are listed in :mod:`tickets.audit`."""

    id: str
    kind: str  # e.g. "export", "role_granted"
    actor_uid: str
    ticket_id: str | None
    at: datetime
    details: Mapping[str, Any] = field(default_factory=dict)
    actor_role: str = ""  # customer, agent, supervisor, operator, system, assistant
    subject_uid: str | None = None  # the customer this entry is about, if any

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "actorUid": self.actor_uid,
            "actorRole": self.actor_role,
            "ticketId": self.ticket_id,
            "subjectUid": self.subject_uid,
            "at": self.at,
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditEvent:
        return cls(
            id=data["id"],
            kind=data["kind"],
            actor_uid=data["actorUid"],
            ticket_id=data.get("ticketId"),
            at=as_datetime(data["at"]),
            details=data.get("details") or {},
            actor_role=str(data.get("actorRole") or ""),
            subject_uid=data.get("subjectUid"),
        )
