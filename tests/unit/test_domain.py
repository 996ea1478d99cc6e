"""Round trips and small domain rules."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from tickets.domain import (
    AuditEvent,
    AuthorRole,
    Checkpoint,
    ConversationRef,
    Message,
    MessageStatus,
    Role,
    Status,
    Ticket,
    Usage,
    User,
    Visibility,
    search_keys,
)

NOW = datetime(2026, 11, 21, 12, 30, 0, 123456, tzinfo=UTC)


def _json_round_trip(data: dict[str, Any]) -> dict[str, Any]:
    """What the SQLite adapter and JSON exports do: datetimes become ISO strings."""
    result: dict[str, Any] = json.loads(json.dumps(data, default=lambda v: v.isoformat()))
    return result


def test_user_round_trip() -> None:
    user = User("u-1", Role.AGENT, "Kim", "kim@example.com", disabled=True)
    assert User.from_dict(user.to_dict()) == user
    assert not user.is_agent  # a disabled agent has no agent powers


def test_message_round_trip_native_and_json() -> None:
    message = Message(
        id="m-1",
        seq=7,
        author_uid="assistant",
        author_role=AuthorRole.ASSISTANT,
        visibility=Visibility.PUBLIC,
        text="Hello ✨ مرحبا",
        created_at=NOW,
        status=MessageStatus.TRUNCATED,
        usage=Usage(12, 34),
        error="cut off",
        reply_to="m-0",
    )
    assert Message.from_dict(message.to_dict()) == message
    assert Message.from_dict(_json_round_trip(message.to_dict())) == message


def test_ticket_round_trip() -> None:
    ticket = Ticket(
        id="tk-1",
        customer_uid="c-1",
        customer_name="Ada",
        subject="Kettle",
        created_at=NOW,
        updated_at=NOW,
        status=Status.WAITING_ON_AGENT,
        assignee_uid="a-1",
        labels=("refund", "vip"),
        last_seq=9,
        last_customer_seq=8,
        last_author_role=AuthorRole.AGENT,
        assistant_active=False,
    )
    assert Ticket.from_dict(ticket.to_dict()) == ticket
    assert Ticket.from_dict(_json_round_trip(ticket.to_dict())) == ticket
    assert ticket.unread(5) and ticket.unread(7) and not ticket.unread(8)
    assert "seenBy" not in ticket.to_dict()  # read state lives off the ticket document


def test_checkpoint_and_event_round_trip() -> None:
    cp = Checkpoint("Problem: x", ("ORD-1", "a@b.co"), covered_seq=40, version=3, updated_at=NOW)
    assert Checkpoint.from_dict(cp.to_dict()) == cp
    assert Checkpoint.from_dict(_json_round_trip(cp.to_dict())) == cp
    failing = replace(cp, extractive=True, failures=4, retry_at_seq=72)
    assert Checkpoint.from_dict(_json_round_trip(failing.to_dict())) == failing
    old = {
        k: v for k, v in cp.to_dict().items() if k not in ("extractive", "failures", "retryAtSeq")
    }
    assert Checkpoint.from_dict(old) == cp  # written before the backoff fields: still readable
    event = AuditEvent("ev-1", "export", "u-1", "tk-1", NOW, {"format": "md"})
    assert AuditEvent.from_dict(_json_round_trip(event.to_dict())) == event


def test_conversation_keys() -> None:
    assert ConversationRef("tk-1").key == "tk-1"
    assert ConversationRef("tk-1", "a-1").key == "tk-1/copilots/a-1"
    assert ConversationRef("tk-1", "a-1").is_copilot


def test_search_keys_are_word_prefixes() -> None:
    keys = search_keys("Broken kettle!", "Ada Lovelace")
    assert {"br", "bro", "broken", "ke", "kettle", "ada", "lovelace"} <= keys
    assert "b" not in keys and "ttle" not in keys


def test_status_labels() -> None:
    assert Status.WAITING_ON_AGENT.label == "Waiting on agent"


def test_failed_and_pending_messages_are_not_memory() -> None:
    base = Message("m", 1, "a", AuthorRole.ASSISTANT, Visibility.PUBLIC, "x", NOW)
    assert base.counts_for_memory
    assert not Message(**{**base.__dict__, "status": MessageStatus.FAILED}).counts_for_memory
    assert not Message(**{**base.__dict__, "status": MessageStatus.PENDING}).counts_for_memory
    assert not Message(**{**base.__dict__, "text": "  "}).counts_for_memory
