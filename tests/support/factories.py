"""Small builders for test data."""

from __future__ import annotations

from datetime import timedelta

from memory.summary import replace_if_version
from tickets.domain import (
    AuthorRole,
    Checkpoint,
    ConversationRef,
    NewMessage,
    Status,
    Ticket,
    Visibility,
    utcnow,
)
from tickets.ids import new_message_id, new_ticket_id
from tickets.store import Store


def make_ticket(
    customer_uid: str = "cust-1",
    subject: str = "Refund for a broken kettle",
    *,
    status: Status = Status.OPEN,
    assignee_uid: str | None = None,
    age_seconds: int = 0,
    customer_name: str = "Ada Lovelace",
) -> Ticket:
    when = utcnow() - timedelta(seconds=age_seconds)
    return Ticket(
        id=new_ticket_id(),
        customer_uid=customer_uid,
        customer_name=customer_name,
        subject=subject,
        status=status,
        assignee_uid=assignee_uid,
        created_at=when,
        updated_at=when,
    )


def customer_says(text: str, uid: str = "cust-1") -> NewMessage:
    return NewMessage(new_message_id(), uid, AuthorRole.CUSTOMER, text)


def agent_note(text: str, uid: str = "agent-1") -> NewMessage:
    return NewMessage(new_message_id(), uid, AuthorRole.AGENT, text, Visibility.INTERNAL)


def agent_says(text: str, uid: str = "agent-1") -> NewMessage:
    return NewMessage(new_message_id(), uid, AuthorRole.AGENT, text)


def created(store: Store, ticket: Ticket, first: NewMessage | None = None) -> Ticket:
    """Create a ticket and return it as stored."""
    return store.tickets.create(ticket, first)[0]


def save_checkpoint(
    store: Store, conv: ConversationRef, checkpoint: Checkpoint, expected: int
) -> bool:
    """The compare-and-set memory uses: True when ``checkpoint`` was stored."""
    return store.checkpoints.revise(conv, replace_if_version(expected, checkpoint)) is not None
