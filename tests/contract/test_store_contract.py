"""The storage contract: every adapter (SQLite, and Firestore on the emulator) passes it."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.support.factories import (
    agent_note,
    agent_says,
    created,
    customer_says,
    make_ticket,
    save_checkpoint,
)
from tickets.domain import (
    AuditEvent,
    AuthorRole,
    Checkpoint,
    ConversationRef,
    Message,
    MessageStatus,
    NewMessage,
    Role,
    Status,
    Usage,
    User,
    utcnow,
)
from tickets.errors import MessageNotFound, StoreBusy, TicketNotFound
from tickets.ids import new_event_id, new_message_id
from tickets.store import UNASSIGNED, Store, TicketChanges, TicketQuery


def test_user_round_trip(store: Store) -> None:
    user = User("cust-1", Role.CUSTOMER, "Ada", "ada@example.com")
    store.users.save(user)
    assert store.users.get("cust-1") == user
    assert store.users.get("nobody") is None
    store.users.save(User("cust-1", Role.AGENT, "Ada"))
    found = store.users.get("cust-1")
    assert found is not None and found.role is Role.AGENT
    assert [u.uid for u in store.users.find()] == ["cust-1"]
    store.users.save(User("cust-2", Role.CUSTOMER, "Bob"))
    assert [u.uid for u in store.users.find(role=Role.AGENT)] == ["cust-1"]
    assert [u.uid for u in store.users.find(role=Role.CUSTOMER)] == ["cust-2"]


def test_create_ticket_with_first_message(store: Store) -> None:
    ticket = make_ticket()
    first = customer_says("My kettle arrived broken, order ORD-1234.")
    stored, was_created = store.tickets.create(ticket, first)
    assert was_created
    assert stored.last_seq == 1
    assert stored.last_customer_seq == 1
    assert stored.last_author_role is AuthorRole.CUSTOMER
    assert store.tickets.get(ticket.id) == stored
    [message] = store.threads.newest(ConversationRef(ticket.id), limit=10)
    assert (message.id, message.seq, message.text) == (first.id, 1, first.text)


def test_an_id_that_is_taken_returns_the_stored_ticket(store: Store) -> None:
    """The store reports it; whether that is a retry or a clash is the service's decision."""
    ticket = make_ticket()
    first = customer_says("hello")
    stored, _ = store.tickets.create(ticket, first)
    again, was_created = store.tickets.create(ticket, first)
    assert not was_created and again == stored
    assert len(store.threads.newest(ConversationRef(ticket.id), limit=10)) == 1
    other, was_created = store.tickets.create(
        make_ticket("someone-else").with_changes(id=ticket.id)
    )
    assert not was_created and other.customer_uid == ticket.customer_uid


def test_missing_ticket(store: Store) -> None:
    assert store.tickets.get("tk-missing") is None
    with pytest.raises(TicketNotFound):
        store.tickets.update("tk-missing", TicketChanges(status=Status.RESOLVED))
    with pytest.raises(TicketNotFound):
        store.threads.append(ConversationRef("tk-missing"), customer_says("hi"))
    assert store.threads.last_seq(ConversationRef("tk-missing")) == 0
    assert store.checkpoints.get(ConversationRef("tk-missing")) is None


def test_append_assigns_consecutive_seq_and_is_idempotent(store: Store) -> None:
    ticket = created(store, make_ticket())
    conv = ConversationRef(ticket.id)
    messages = [store.threads.append(conv, customer_says(f"m{i}")) for i in range(5)]
    assert [m.seq for m in messages] == [1, 2, 3, 4, 5]
    retry = NewMessage(messages[2].id, "cust-1", AuthorRole.CUSTOMER, "m2")
    assert store.threads.append(conv, retry) == messages[2]  # a retried write: same message
    clash = NewMessage(messages[2].id, "cust-9", AuthorRole.CUSTOMER, "other text")
    assert store.threads.append(conv, clash) == messages[2]  # never overwritten
    assert store.threads.last_seq(conv) == 5
    stored = store.tickets.get(ticket.id)
    assert stored is not None and stored.last_seq == 5


def test_a_message_returned_by_append_equals_the_message_read_back(store: Store) -> None:
    ticket = created(store, make_ticket(), customer_says("first"))
    conv = ConversationRef(ticket.id)
    for new in (customer_says("second"), agent_note("a note"), agent_says("a reply")):
        returned = store.threads.append(conv, new)
        assert store.threads.get(conv, new.id) == returned
        assert store.threads.newest(conv, limit=1) == [returned]
    [first] = store.threads.after(conv, after_seq=0, limit=1)
    assert store.threads.get(conv, first.id) == first
    imported_at = utcnow() - timedelta(days=3)
    imported = replace(customer_says("from an import"), written_at=imported_at)
    returned = store.threads.append(conv, imported)
    assert returned.created_at == imported_at == store.threads.get(conv, imported.id).created_at  # type: ignore[union-attr]


def test_pages_newest_first_with_cursor_and_visibility(store: Store) -> None:
    ticket = created(store, make_ticket())
    conv = ConversationRef(ticket.id)
    for i in range(1, 13):
        store.threads.append(conv, agent_note(f"n{i}") if i % 3 == 0 else customer_says(f"c{i}"))
    page = store.threads.newest(conv, limit=4)
    assert [m.seq for m in page] == [9, 10, 11, 12]
    older = store.threads.newest(conv, limit=4, before_seq=page[0].seq)
    assert [m.seq for m in older] == [5, 6, 7, 8]
    public = store.threads.newest(conv, limit=4, public_only=True)
    assert [m.seq for m in public] == [7, 8, 10, 11]
    assert all(not m.is_internal for m in public)
    assert [m.seq for m in store.threads.after(conv, after_seq=2, limit=3)] == [3, 4, 5]
    public_after = store.threads.after(conv, after_seq=2, limit=3, public_only=True)
    assert [m.seq for m in public_after] == [4, 5, 7]
    assert store.threads.newest(conv, limit=4, before_seq=1) == []


def _finish(text: str, status: MessageStatus, **extra: object):  # type: ignore[no-untyped-def]
    def change(stored: Message) -> Message:
        return replace(stored, text=text, status=status, **extra)  # type: ignore[arg-type]

    return change


def test_revise_applies_the_callers_decision_in_a_transaction(store: Store) -> None:
    ticket = created(store, make_ticket())
    conv = ConversationRef(ticket.id)
    pending = NewMessage(
        new_message_id(), "assistant", AuthorRole.ASSISTANT, "", status=MessageStatus.PENDING
    )
    stored = store.threads.append(conv, pending)
    assert stored.status is MessageStatus.PENDING
    done = store.threads.revise(
        conv, stored.id, _finish("Here is how", MessageStatus.TRUNCATED, usage=Usage(10, 5))
    )
    assert done is not None
    assert (done.text, done.status, done.usage) == (
        "Here is how",
        MessageStatus.TRUNCATED,
        Usage(10, 5),
    )
    assert store.threads.get(conv, stored.id) == done
    assert store.threads.revise(conv, stored.id, lambda m: None) is None  # declined: unchanged
    assert store.threads.get(conv, stored.id) == done
    forged = store.threads.revise(
        conv, stored.id, lambda m: replace(m, seq=99, author_uid="x", text="edited")
    )
    assert forged is not None and (forged.seq, forged.author_uid) == (stored.seq, "assistant")
    assert store.threads.get(conv, stored.id) == forged  # identity never changes
    with pytest.raises(MessageNotFound):
        store.threads.revise(conv, "m-missing", _finish("x", MessageStatus.COMPLETE))


def test_update_ticket_fields(store: Store) -> None:
    ticket = created(store, make_ticket(), customer_says("hi"))
    updated = store.tickets.update(
        ticket.id,
        TicketChanges(status=Status.WAITING_ON_AGENT, assignee_uid="agent-1", labels=("refund",)),
    )
    assert updated.status is Status.WAITING_ON_AGENT
    assert updated.assignee_uid == "agent-1"
    assert updated.labels == ("refund",)
    assert updated.updated_at >= ticket.updated_at
    cleared = store.tickets.update(ticket.id, TicketChanges(clear_assignee=True))
    fetched = store.tickets.get(ticket.id)
    assert cleared.assignee_uid is None and fetched is not None and fetched.assignee_uid is None
    assert fetched.labels == ("refund",)


def test_list_tickets_filters_and_order(store: Store) -> None:
    a = created(store, make_ticket("cust-a", "Broken kettle", age_seconds=30))
    b = created(
        store,
        make_ticket("cust-b", "Invoice question", status=Status.WAITING_ON_AGENT, age_seconds=20),
    )
    c = created(store, make_ticket("cust-a", "Kettle lid", assignee_uid="agent-1", age_seconds=10))
    assert [t.id for t in store.tickets.find(TicketQuery())] == [c.id, b.id, a.id]
    assert [t.id for t in store.tickets.find(TicketQuery(customer_uid="cust-a"))] == [c.id, a.id]
    waiting = store.tickets.find(TicketQuery(statuses=(Status.WAITING_ON_AGENT,)))
    assert [t.id for t in waiting] == [b.id]
    two = store.tickets.find(TicketQuery(statuses=(Status.OPEN, Status.WAITING_ON_AGENT)))
    assert {t.id for t in two} == {a.id, b.id, c.id}
    assert [t.id for t in store.tickets.find(TicketQuery(assignee="agent-1"))] == [c.id]
    unassigned = store.tickets.find(TicketQuery(assignee=UNASSIGNED))
    assert [t.id for t in unassigned] == [b.id, a.id]
    kettles = store.tickets.find(TicketQuery(search_key="ket"))
    assert [t.id for t in kettles] == [c.id, a.id]
    assert [t.id for t in store.tickets.find(TicketQuery(limit=1))] == [c.id]
    store.threads.append(ConversationRef(a.id), customer_says("still broken", "cust-a"))
    assert store.tickets.find(TicketQuery())[0].id == a.id  # activity moves it to the top


def test_checkpoint_moves_only_when_the_callers_rule_says_so(store: Store) -> None:
    ticket = created(store, make_ticket(), customer_says("hi"))
    conv = ConversationRef(ticket.id)
    assert store.checkpoints.get(conv) is None
    first = Checkpoint("Problem: kettle", ("ORD-1",), covered_seq=1, version=1, updated_at=utcnow())
    assert save_checkpoint(store, conv, first, 0)
    assert not save_checkpoint(store, conv, first, 0)  # somebody moved it
    assert store.checkpoints.get(conv) == first
    second = Checkpoint("v2", (), covered_seq=1, version=2, updated_at=utcnow())
    assert save_checkpoint(store, conv, second, 1)
    assert store.checkpoints.get(conv) == second
    # posting keeps the checkpoint, and the ticket document never carries it
    store.threads.append(conv, customer_says("more"))
    assert store.checkpoints.get(conv) == second
    assert "memory" not in (store.tickets.get(ticket.id) or ticket).to_dict()


def test_copilot_threads_are_separate_per_agent(store: Store) -> None:
    ticket = created(store, make_ticket(), customer_says("hi"))
    mine = ConversationRef(ticket.id, "agent-1")
    theirs = ConversationRef(ticket.id, "agent-2")
    assert store.threads.last_seq(mine) == 0
    store.threads.append(mine, agent_says("summarize"))
    store.threads.append(mine, agent_says("draft a reply"))
    store.threads.append(theirs, agent_says("other"))
    assert [m.text for m in store.threads.newest(mine, limit=10)] == ["summarize", "draft a reply"]
    assert store.threads.last_seq(theirs) == 1 and store.threads.last_seq(mine) == 2
    refreshed = store.tickets.get(ticket.id)
    assert refreshed is not None and refreshed.last_seq == 1  # the shared thread is untouched
    cp = Checkpoint("s", (), 1, 1, utcnow())
    assert save_checkpoint(store, mine, cp, 0)
    assert store.checkpoints.get(theirs) is None
    assert store.checkpoints.get(ConversationRef(ticket.id)) is None


def test_usage_counters(store: Store) -> None:
    store.usage.add(["user-cust-1-2026-11", "ticket-tk-1-2026-11"], Usage(100, 20))
    store.usage.add(["user-cust-1-2026-11"], Usage(5, 5))
    totals = store.usage.get("user-cust-1-2026-11")
    assert (totals.prompt_tokens, totals.completion_tokens, totals.calls) == (105, 25, 2)
    assert store.usage.get("ticket-tk-1-2026-11").total_tokens == 120
    assert store.usage.get("nothing").total_tokens == 0


def test_audit_events(store: Store) -> None:
    now = utcnow()
    older = AuditEvent(new_event_id(), "export", "cust-1", "tk-1", now - timedelta(seconds=5))
    newer = AuditEvent(new_event_id(), "export", "agent-1", "tk-1", now, {"format": "json"})
    other = AuditEvent(new_event_id(), "role_granted", "op", None, now)
    for event in (older, newer, other):
        store.audit.record(event)
    assert [e.id for e in store.audit.find("tk-1")] == [newer.id, older.id]
    assert store.audit.find("tk-1")[0].details == {"format": "json"}
    assert len(store.audit.find()) == 3


def test_concurrent_posts_lose_nothing_and_keep_order(store: Store) -> None:
    """Customer, agent and a second tab post at once: unique, gap-free seq; nothing lost.

    Under contention a write may be refused as busy (never as an outage); the writer then
    does what a person does, sends the same message again, and it is stored once.
    """
    ticket = created(store, make_ticket())
    conv = ConversationRef(ticket.id)
    writers = {
        "customer": lambda i: customer_says(f"customer {i}"),
        "second-tab": lambda i: customer_says(f"tab {i}"),
        "agent": lambda i: agent_says(f"agent {i}"),
    }
    per_writer = 4
    errors: list[BaseException] = []
    busy: list[str] = []

    def run(make) -> None:  # type: ignore[no-untyped-def]
        try:
            for i in range(per_writer):
                message = make(i)
                while True:
                    try:
                        store.threads.append(conv, message)
                        break
                    except StoreBusy:
                        busy.append(message.text)  # "send again", same message id
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in writers.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    messages = store.threads.newest(conv, limit=100)
    assert [m.seq for m in messages] == list(range(1, 3 * per_writer + 1))
    for prefix in ("customer", "tab", "agent"):
        mine = [m.text for m in messages if m.text.startswith(prefix)]
        assert mine == [f"{prefix} {i}" for i in range(per_writer)]  # each writer's order kept
    assert store.threads.last_seq(conv) == 3 * per_writer


def test_count_tickets(store: Store) -> None:
    created(store, make_ticket("cust-a"))
    created(store, make_ticket("cust-b", status=Status.WAITING_ON_AGENT))
    created(store, make_ticket("cust-a", assignee_uid="agent-1"))
    assert store.tickets.count(TicketQuery()) == 3
    assert store.tickets.count(TicketQuery(customer_uid="cust-a")) == 2
    assert store.tickets.count(TicketQuery(assignee=UNASSIGNED, statuses=(Status.OPEN,))) == 1


def test_ticket_ids_and_copilot_agents_for_operator_jobs(store: Store) -> None:
    ids = sorted(created(store, make_ticket()).id for _ in range(5))
    assert store.tickets.ids(limit=3) == ids[:3]
    assert store.tickets.ids(after=ids[2], limit=3) == ids[3:]
    assert store.threads.copilot_agents(ids[0]) == []
    store.threads.append(ConversationRef(ids[0], "agent-2"), agent_says("x", "agent-2"))
    store.threads.append(ConversationRef(ids[0], "agent-1"), agent_says("y"))
    assert store.threads.copilot_agents(ids[0]) == ["agent-1", "agent-2"]


def test_text_survives_any_unicode(store: Store) -> None:
    """Right-to-left overrides, emoji, zalgo and CJK round-trip exactly."""
    ticket = created(store, make_ticket())
    conv = ConversationRef(ticket.id)
    samples = [
        "abc\u202edcba",
        "👩‍👩‍👧‍👦 family 🇺🇦",
        "Z\u0351\u0352\u0353a\u0354lgo",
        "退款请求",
        "a\tb\nc",
    ]
    for text in samples:
        store.threads.append(conv, customer_says(text))
    assert [m.text for m in store.threads.newest(conv, limit=10)] == samples
