"""Who is on a ticket right now: viewers and typists, each in a short-lived document of
their own (``tickets/{id}/presence/{uid}``) with an expiry, never on the ticket document.

A viewer renews their own entry while their page is open; an entry past ``expire_at`` is
ignored everywhere (a closed tab simply stops renewing), and Firestore's TTL policy on
``expireAt`` deletes it later. Typing is a second, shorter expiry on the same entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from tickets.domain import AuthorRole, Message, Role, User, Visibility, as_datetime


@dataclass(frozen=True)
class Presence:
    ticket_id: str
    uid: str
    name: str
    role: Role
    updated_at: datetime
    expire_at: datetime
    typing_until: datetime | None = None
    typing_public: bool = False  # a public reply (the customer may be told), not a note

    def is_live(self, now: datetime) -> bool:
        return self.expire_at > now

    def is_typing(self, now: datetime) -> bool:
        return self.is_live(now) and self.typing_until is not None and self.typing_until > now

    def renewed(self, now: datetime, ttl_s: float) -> Presence:
        return replace(self, updated_at=now, expire_at=now + timedelta(seconds=ttl_s))

    def typing(self, now: datetime, for_s: float, *, public: bool) -> Presence:
        until = now + timedelta(seconds=for_s)
        return replace(self, updated_at=now, typing_until=until, typing_public=public)

    def idle(self, now: datetime) -> Presence:
        return replace(self, updated_at=now, typing_until=None, typing_public=False)

    def due(self, now: datetime, renew_s: float) -> bool:
        """Less than ``renew_s`` left: time to renew (or it has expired already)."""
        return (self.expire_at - now).total_seconds() < renew_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticketId": self.ticket_id,
            "uid": self.uid,
            "name": self.name,
            "role": self.role.value,
            "updatedAt": self.updated_at,
            "expireAt": self.expire_at,
            "typingUntil": self.typing_until,
            "typingPublic": self.typing_public,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Presence:
        typing_until = data.get("typingUntil")
        return cls(
            ticket_id=data["ticketId"],
            uid=data["uid"],
            name=data.get("name", ""),
            role=Role(data.get("role", Role.CUSTOMER.value)),
            updated_at=as_datetime(data["updatedAt"]),
            expire_at=as_datetime(data["expireAt"]),
            typing_until=as_datetime(typing_until) if typing_until else None,
            typing_public=bool(data.get("typingPublic", False)),
        )


def arriving(user: User, ticket_id: str, now: datetime, ttl_s: float) -> Presence:
    return Presence(
        ticket_id=ticket_id,
        uid=user.uid,
        name=user.display_name,
        role=Role.AGENT if user.is_agent else Role.CUSTOMER,
        updated_at=now,
        expire_at=now + timedelta(seconds=ttl_s),
    )


@dataclass(frozen=True)
class Watchers:
    """What one viewer is told about the others. Customers learn only that an agent is
    writing them a reply; agents see names, who is replying and who writes a note."""

    viewing: tuple[str, ...] = ()
    replying: tuple[str, ...] = ()
    noting: tuple[str, ...] = ()
    customer_here: bool = False
    agent_typing: bool = False  # a public reply is being written (what a customer sees)


def watchers(entries: Iterable[Presence], viewer: User, now: datetime) -> Watchers:
    others = [p for p in entries if p.uid != viewer.uid and p.is_live(now)]
    typing_public = any(
        p.role.works_tickets and p.is_typing(now) and p.typing_public for p in others
    )
    if not viewer.is_agent:
        return Watchers(agent_typing=typing_public)
    agents = sorted((p for p in others if p.role.works_tickets), key=lambda p: p.name)
    return Watchers(
        viewing=tuple(p.name for p in agents if not p.is_typing(now)),
        replying=tuple(p.name for p in agents if p.is_typing(now) and p.typing_public),
        noting=tuple(p.name for p in agents if p.is_typing(now) and not p.typing_public),
        customer_here=any(p.role is Role.CUSTOMER for p in others),
        agent_typing=typing_public,
    )


def next_expiry(entries: Iterable[Presence], viewer_uid: str) -> datetime | None:
    """When the soonest of the others' entries expires, or expired (then the entries must be
    read again: their owners may have renewed them without moving the marker)."""
    return min((p.expire_at for p in entries if p.uid != viewer_uid), default=None)


def replied_since(messages: Sequence[Message], viewer_uid: str) -> Message | None:
    """The first public agent reply by someone else among ``messages`` (a collision: the
    customer got an answer while this agent was still writing theirs)."""
    for message in messages:
        if (
            message.author_role is AuthorRole.AGENT
            and message.visibility is Visibility.PUBLIC
            and message.author_uid != viewer_uid
        ):
            return message
    return None
