"""The storage contract: every adapter (SQLite and Firestore on the emulator) passes it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from tests.support.factories import agent_note, agent_says, customer_says, make_ticket
from tickets.domain import (
    AuthorRole,
    Checkpoint,
    ConversationRef,
    MessageStatus,
    NewMessage,
    Role,
    Status,
    Usage,
    User,
    utcnow,
)
from tickets.errors import MessageNotFound, TicketError, TicketNotFound
from tickets.ids import new_event_id, new_message_id
from tickets.store import UNASSIGNED, AuditEvent, TicketChanges, TicketQuery, TicketStore


def test_user_round_trip(store: TicketStore) -> None:
    user = User("cust-1", Role.CUSTOMER, "Ada", "ada@example.com")
    store.save_user(user)
    assert store.get_user("cust-1") == user
    assert store.get_user("nobody") is None
    store.save_user(User("cust-1", Role.AGENT, "Ada"))
    found = store.get_user("cust-1")
    assert found is not None and found.role is Role.AGENT
    assert [u.uid for u in store.list_users()] == ["cust-1"]
    store.save_user(User("cust-2", Role.CUSTOMER, "Bob"))
    assert [u.uid for u in store.list_users(role=Role.AGENT)] == ["cust-1"]
    assert [u.uid for u in store.list_users(role=Role.CUSTOMER)] == ["cust-2"]


def test_create_ticket_with_first_message(store: TicketStore) -> None:
    ticket = make_ticket()
    first = customer_says("My kettle arrived broken, order ORD-1234.")
    created = store.create_ticket(ticket, first)
    assert created.last_seq == 1
    assert created.last_customer_seq == 1
    assert created.last_author_role is AuthorRole.CUSTOMER
    fetched = store.get_ticket(ticket.id)
    assert fetched is not None
    assert fetched.subject == ticket.subject
    assert fetched.last_seq == 1
    [message] = store.newest_messages(ConversationRef(ticket.id), limit=10)
    assert (message.id, message.seq, message.text) == (first.id, 1, first.text)


def test_create_ticket_twice_is_idempotent_for_the_same_customer(store: TicketStore) -> None:
    ticket = make_ticket()
    first = customer_says("hello")
    store.create_ticket(ticket, first)
    again = store.create_ticket(ticket, first)
    assert again.id == ticket.id
    assert len(store.newest_messages(ConversationRef(ticket.id), limit=10)) == 1
    with pytest.raises(TicketError):
        store.create_ticket(make_ticket("someone-else").with_changes(id=ticket.id))


def test_missing_ticket(store: TicketStore) -> None:
    assert store.get_ticket("tk-missing") is None
    with pytest.raises(TicketNotFound):
        store.update_ticket("tk-missing", TicketChanges(status=Status.RESOLVED))
    with pytest.raises(TicketNotFound):
        store.append_message(ConversationRef("tk-missing"), customer_says("hi"))
    with pytest.raises(TicketNotFound):
        store.conversation_state(ConversationRef("tk-missing"))


def test_append_assigns_consecutive_seq_and_is_idempotent(store: TicketStore) -> None:
    ticket = store.create_ticket(make_ticket())
    conv = ConversationRef(ticket.id)
    messages = [store.append_message(conv, customer_says(f"m{i}")) for i in range(5)]
    assert [m.seq for m in messages] == [1, 2, 3, 4, 5]
    retry = NewMessage(messages[2].id, "cust-1", AuthorRole.CUSTOMER, "m2")
    assert store.append_message(conv, retry).seq == 3  # a retried write: same message
    assert store.conversation_state(conv).last_seq == 5
    stored = store.get_ticket(ticket.id)
    assert stored is not None and stored.last_seq == 5


def test_pages_newest_first_with_cursor_and_visibility(store: TicketStore) -> None:
    ticket = store.create_ticket(make_ticket())
    conv = ConversationRef(ticket.id)
    for i in range(1, 13):
        store.append_message(conv, agent_note(f"n{i}") if i % 3 == 0 else customer_says(f"c{i}"))
    page = store.newest_messages(conv, limit=4)
    assert [m.seq for m in page] == [9, 10, 11, 12]
    older = store.newest_messages(conv, limit=4, before_seq=page[0].seq)
    assert [m.seq for m in older] == [5, 6, 7, 8]
    public = store.newest_messages(conv, limit=4, public_only=True)
    assert [m.seq for m in public] == [7, 8, 10, 11]
    assert all(not m.is_internal for m in public)
    assert [m.seq for m in store.messages_after(conv, after_seq=2, limit=3)] == [3, 4, 5]
    public_after = store.messages_after(conv, after_seq=2, limit=3, public_only=True)
    assert [m.seq for m in public_after] == [4, 5, 7]
    assert store.newest_messages(conv, limit=4, before_seq=1) == []


def test_finish_message(store: TicketStore) -> None:
    ticket = store.create_ticket(make_ticket())
    conv = ConversationRef(ticket.id)
    pending = NewMessage(
        new_message_id(), "assistant", AuthorRole.ASSISTANT, "", status=MessageStatus.PENDING
    )
    stored = store.append_message(conv, pending)
    assert stored.status is MessageStatus.PENDING
    done = store.finish_message(
        conv, stored.id, text="Here is how", status=MessageStatus.TRUNCATED, usage=Usage(10, 5)
    )
    assert (done.text, done.status, done.usage) == (
        "Here is how",
        MessageStatus.TRUNCATED,
        Usage(10, 5),
    )
    assert store.get_message(conv, stored.id) == done
    failed = store.finish_message(
        conv, stored.id, text="", status=MessageStatus.FAILED, error="timeout"
    )
    assert failed.error == "timeout" and failed.usage is None
    with pytest.raises(MessageNotFound):
        store.finish_message(conv, "m-missing", text="x", status=MessageStatus.COMPLETE)


def test_update_ticket_fields(store: TicketStore) -> None:
    ticket = store.create_ticket(make_ticket(), customer_says("hi"))
    updated = store.update_ticket(
        ticket.id,
        TicketChanges(status=Status.WAITING_ON_AGENT, assignee_uid="agent-1", labels=("refund",)),
    )
    assert updated.status is Status.WAITING_ON_AGENT
    assert updated.assignee_uid == "agent-1"
    assert updated.labels == ("refund",)
    assert updated.updated_at >= ticket.updated_at
    seen = store.update_ticket(ticket.id, TicketChanges(seen={"agent-1": 1}))
    assert seen.seen_by == {"agent-1": 1}
    assert not seen.unread_for("agent-1") and seen.unread_for("agent-2")
    cleared = store.update_ticket(ticket.id, TicketChanges(clear_assignee=True))
    fetched = store.get_ticket(ticket.id)
    assert cleared.assignee_uid is None and fetched is not None and fetched.assignee_uid is None
    assert fetched.labels == ("refund",) and fetched.seen_by == {"agent-1": 1}


def test_list_tickets_filters_and_order(store: TicketStore) -> None:
    a = store.create_ticket(make_ticket("cust-a", "Broken kettle", age_seconds=30))
    b = store.create_ticket(
        make_ticket("cust-b", "Invoice question", status=Status.WAITING_ON_AGENT, age_seconds=20)
    )
    c = store.create_ticket(
        make_ticket("cust-a", "Kettle lid", assignee_uid="agent-1", age_seconds=10)
    )
    assert [t.id for t in store.list_tickets(TicketQuery())] == [c.id, b.id, a.id]
    assert [t.id for t in store.list_tickets(TicketQuery(customer_uid="cust-a"))] == [c.id, a.id]
    waiting = store.list_tickets(TicketQuery(statuses=(Status.WAITING_ON_AGENT,)))
    assert [t.id for t in waiting] == [b.id]
    two = store.list_tickets(TicketQuery(statuses=(Status.OPEN, Status.WAITING_ON_AGENT)))
    assert {t.id for t in two} == {a.id, b.id, c.id}
    assert [t.id for t in store.list_tickets(TicketQuery(assignee="agent-1"))] == [c.id]
    unassigned = store.list_tickets(TicketQuery(assignee=UNASSIGNED))
    assert [t.id for t in unassigned] == [b.id, a.id]
    kettles = store.list_tickets(TicketQuery(search_key="ket"))
    assert [t.id for t in kettles] == [c.id, a.id]
    assert [t.id for t in store.list_tickets(TicketQuery(limit=1))] == [c.id]
    store.append_message(ConversationRef(a.id), customer_says("still broken", "cust-a"))
    assert store.list_tickets(TicketQuery())[0].id == a.id  # activity moves it to the top


def test_checkpoint_is_compare_and_set(store: TicketStore) -> None:
    ticket = store.create_ticket(make_ticket(), customer_says("hi"))
    conv = ConversationRef(ticket.id)
    assert store.conversation_state(conv).checkpoint is None
    first = Checkpoint("Problem: kettle", ("ORD-1",), covered_seq=1, version=1, updated_at=utcnow())
    assert store.save_checkpoint(conv, first, expected_version=0)
    assert not store.save_checkpoint(conv, first, expected_version=0)  # somebody moved it
    state = store.conversation_state(conv)
    assert state.checkpoint == first and state.last_seq == 1
    second = Checkpoint("v2", (), covered_seq=1, version=2, updated_at=utcnow())
    assert store.save_checkpoint(conv, second, expected_version=1)
    assert store.conversation_state(conv).checkpoint_version == 2
    # posting keeps the checkpoint
    store.append_message(conv, customer_says("more"))
    assert store.conversation_state(conv).checkpoint == second


def test_copilot_threads_are_separate_per_agent(store: TicketStore) -> None:
    ticket = store.create_ticket(make_ticket(), customer_says("hi"))
    mine = ConversationRef(ticket.id, "agent-1")
    theirs = ConversationRef(ticket.id, "agent-2")
    assert store.conversation_state(mine).last_seq == 0
    store.append_message(mine, agent_says("summarize"))
    store.append_message(mine, agent_says("draft a reply"))
    store.append_message(theirs, agent_says("other"))
    assert [m.text for m in store.newest_messages(mine, limit=10)] == ["summarize", "draft a reply"]
    assert store.conversation_state(theirs).last_seq == 1
    refreshed = store.get_ticket(ticket.id)
    assert refreshed is not None and refreshed.last_seq == 1  # the shared thread is untouched
    cp = Checkpoint("s", (), 1, 1, utcnow())
    assert store.save_checkpoint(mine, cp, expected_version=0)
    assert store.conversation_state(theirs).checkpoint is None


def test_usage_counters(store: TicketStore) -> None:
    store.add_usage(["user-cust-1-2026-11", "ticket-tk-1-2026-11"], Usage(100, 20))
    store.add_usage(["user-cust-1-2026-11"], Usage(5, 5))
    totals = store.get_usage("user-cust-1-2026-11")
    assert (totals.prompt_tokens, totals.completion_tokens, totals.calls) == (105, 25, 2)
    assert store.get_usage("ticket-tk-1-2026-11").total_tokens == 120
    assert store.get_usage("nothing").total_tokens == 0


def test_audit_events(store: TicketStore) -> None:
    now = utcnow()
    older = AuditEvent(new_event_id(), "export", "cust-1", "tk-1", now - timedelta(seconds=5))
    newer = AuditEvent(new_event_id(), "export", "agent-1", "tk-1", now, {"format": "json"})
    other = AuditEvent(new_event_id(), "role_granted", "op", None, now)
    for event in (older, newer, other):
        store.record_event(event)
    assert [e.id for e in store.list_events("tk-1")] == [newer.id, older.id]
    assert store.list_events("tk-1")[0].details == {"format": "json"}
    assert len(store.list_events()) == 3


def test_concurrent_posts_lose_nothing_and_keep_order(store: TicketStore) -> None:
    """Customer, agent and a second tab post at once: unique, gap-free seq; nothing lost."""
    ticket = store.create_ticket(make_ticket())
    conv = ConversationRef(ticket.id)
    writers = {
        "customer": lambda i: customer_says(f"customer {i}"),
        "second-tab": lambda i: customer_says(f"tab {i}"),
        "agent": lambda i: agent_says(f"agent {i}"),
    }
    per_writer = 6
    errors: list[BaseException] = []

    def run(make) -> None:  # type: ignore[no-untyped-def]
        try:
            for i in range(per_writer):
                store.append_message(conv, make(i))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in writers.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    messages = store.newest_messages(conv, limit=100)
    assert [m.seq for m in messages] == list(range(1, 3 * per_writer + 1))
    for prefix in ("customer", "tab", "agent"):
        mine = [m.text for m in messages if m.text.startswith(prefix)]
        assert mine == [f"{prefix} {i}" for i in range(per_writer)]  # each writer's order kept


def test_count_tickets(store: TicketStore) -> None:
    store.create_ticket(make_ticket("cust-a"))
    store.create_ticket(make_ticket("cust-b", status=Status.WAITING_ON_AGENT))
    store.create_ticket(make_ticket("cust-a", assignee_uid="agent-1"))
    assert store.count_tickets(TicketQuery()) == 3
    assert store.count_tickets(TicketQuery(customer_uid="cust-a")) == 2
    assert store.count_tickets(TicketQuery(assignee=UNASSIGNED, statuses=(Status.OPEN,))) == 1


def test_ticket_ids_and_copilot_agents_for_operator_jobs(store: TicketStore) -> None:
    ids = sorted(store.create_ticket(make_ticket()).id for _ in range(5))
    assert store.ticket_ids(limit=3) == ids[:3]
    assert store.ticket_ids(after=ids[2], limit=3) == ids[3:]
    assert store.copilot_agents(ids[0]) == []
    store.append_message(ConversationRef(ids[0], "agent-2"), agent_says("x", "agent-2"))
    store.append_message(ConversationRef(ids[0], "agent-1"), agent_says("y"))
    assert store.copilot_agents(ids[0]) == ["agent-1", "agent-2"]


def test_text_survives_any_unicode(store: TicketStore) -> None:
    """Right-to-left overrides, emoji, zalgo and CJK round-trip exactly."""
    ticket = store.create_ticket(make_ticket())
    conv = ConversationRef(ticket.id)
    samples = [
        "abc\u202edcba",
        "👩‍👩‍👧‍👦 family 🇺🇦",
        "Z\u0351\u0352\u0353a\u0354lgo",
        "退款请求",
        "a\tb\nc",
    ]
    for text in samples:
        store.append_message(conv, customer_says(text))
    assert [m.text for m in store.newest_messages(conv, limit=10)] == samples
