"""The storage contract for live updates, on every backend: the change marker, presence
with its expiry, read state off the ticket, and the tickets changed since a moment."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.support.factories import agent_note, created, customer_says, make_ticket
from tickets.domain import (
    AuthorRole,
    ConversationRef,
    MessageStatus,
    NewMessage,
    Role,
    Status,
    User,
    utcnow,
)
from tickets.live import Activity, ActivityKind
from tickets.presence import arriving
from tickets.store import Store, TicketChanges

KIM = User("agent-kim", Role.AGENT, "Kim Park")
LEE = User("agent-lee", Role.AGENT, "Lee Chen")


def test_the_marker_starts_at_zero_and_moves_with_the_shared_thread(store: Store) -> None:
    ticket = created(store, make_ticket(), customer_says("hello"))
    start = store.activity.get(ticket.id)
    conv = ConversationRef(ticket.id)
    store.threads.append(conv, customer_says("more"))
    after_post = store.activity.get(ticket.id)
    assert after_post.moved(start) == {ActivityKind.THREAD}
    pending = store.threads.append(
        conv,
        NewMessage(
            "m-pending", "assistant", AuthorRole.ASSISTANT, "", status=MessageStatus.PENDING
        ),
    )
    store.threads.revise(conv, pending.id, lambda m: None)
    assert store.activity.get(ticket.id).thread == after_post.thread + 1  # declined: no move
    store.threads.revise(conv, pending.id, lambda m: replace(m, text="Half an answer"))
    assert store.activity.get(ticket.id).thread == after_post.thread + 2  # a reply streaming
    assert store.activity.get("tk-never-touched") == Activity()


def test_copilot_threads_and_read_state_never_move_the_marker(store: Store) -> None:
    ticket = created(store, make_ticket(), customer_says("hello"))
    before = store.activity.get(ticket.id)
    store.threads.append(ConversationRef(ticket.id, KIM.uid), customer_says("sum?", KIM.uid))
    store.seen.mark(KIM.uid, ticket.id, 1)
    assert store.activity.get(ticket.id) == before


def test_ticket_changes_move_the_ticket_counter_and_presence_its_own(store: Store) -> None:
    ticket = created(store, make_ticket(), customer_says("hello"))
    before = store.activity.get(ticket.id)
    store.tickets.update(ticket.id, TicketChanges(status=Status.RESOLVED))
    assert store.activity.get(ticket.id).moved(before) == {ActivityKind.TICKET}
    mid = store.activity.get(ticket.id)
    store.activity.touch(ticket.id, ActivityKind.PRESENCE)
    store.activity.touch(ticket.id, ActivityKind.PRESENCE)
    after = store.activity.get(ticket.id)
    assert after.moved(mid) == {ActivityKind.PRESENCE} and after.presence == mid.presence + 2


def test_presence_and_read_state_never_write_the_ticket(store: Store) -> None:
    ticket = created(store, make_ticket(), customer_says("hello"))
    now = utcnow()
    store.presence.put(arriving(KIM, ticket.id, now, 20))
    store.presence.put(arriving(KIM, ticket.id, now, 20).typing(now, 6, public=True))
    store.seen.mark(KIM.uid, ticket.id, 1)
    assert store.tickets.get(ticket.id) == ticket


def test_presence_is_per_user_and_expired_entries_are_never_returned(store: Store) -> None:
    ticket = created(store, make_ticket())
    now = utcnow()
    kim = arriving(KIM, ticket.id, now, 20)
    lee = arriving(LEE, ticket.id, now - timedelta(seconds=30), 20)  # lapsed 10 s ago
    store.presence.put(kim)
    store.presence.put(lee)
    assert store.presence.live(ticket.id, now) == [kim]
    assert {p.uid for p in store.presence.live(ticket.id, now - timedelta(seconds=15))} == {
        KIM.uid,
        LEE.uid,
    }
    typing = kim.typing(now, 6, public=False)
    store.presence.put(typing)  # one entry per user: replaced, not added
    assert store.presence.live(ticket.id, now) == [typing]
    assert store.presence.live(ticket.id, now + timedelta(seconds=21)) == []
    store.presence.remove(ticket.id, KIM.uid)
    assert store.presence.live(ticket.id, now) == []
    assert store.presence.live("tk-nobody-here", now) == []


def test_read_state_is_per_agent_and_never_moves_backwards(store: Store) -> None:
    a = created(store, make_ticket(), customer_says("hello"))
    b = created(store, make_ticket(), customer_says("hello"))
    assert store.seen.get(KIM.uid, [a.id, b.id]) == {}
    store.seen.mark(KIM.uid, a.id, 5)
    store.seen.mark(KIM.uid, a.id, 3)
    store.seen.mark(LEE.uid, b.id, 2)
    assert store.seen.get(KIM.uid, [a.id, b.id, a.id]) == {a.id: 5}
    assert store.seen.get(LEE.uid, [a.id, b.id]) == {b.id: 2}
    assert store.seen.get(KIM.uid, []) == {}


def test_changed_since_lists_tickets_updated_after_a_moment(store: Store) -> None:
    old = created(store, make_ticket(age_seconds=60))
    mark = utcnow() - timedelta(seconds=30)
    new = created(store, make_ticket(age_seconds=10))
    assert [t.id for t in store.activity.changed_since(mark)] == [new.id]
    store.threads.append(ConversationRef(old.id), customer_says("still broken"))
    assert [t.id for t in store.activity.changed_since(mark)] == [old.id, new.id]  # newest first
    store.threads.append(ConversationRef(new.id), agent_note("VIP"))
    assert [t.id for t in store.activity.changed_since(mark, limit=1)] == [new.id]
    assert store.activity.changed_since(utcnow() + timedelta(seconds=5)) == []
