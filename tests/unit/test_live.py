"""The pieces of live updates that need no store: the change marker, presence expiry and
what each viewer is told, bringing a page up to date, the queue's toasts and held order."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from common.errors import ConfigError
from config.settings import load_settings
from tickets import thread_delta
from tickets.domain import (
    AuthorRole,
    Message,
    MessageStatus,
    Role,
    Status,
    Ticket,
    User,
    Visibility,
    as_datetime,
    utcnow,
)
from tickets.live import Activity, ActivityKind, LiveSettings
from tickets.presence import Presence, arriving, next_expiry, replied_since, watchers
from tickets.queue import QueueItem
from tickets.queue_live import Held, events, hold
from tickets.service import ThreadPage

NOW = utcnow()
ADA = User("cust-ada", Role.CUSTOMER, "Ada")
KIM = User("agent-kim", Role.AGENT, "Kim")
LEE = User("agent-lee", Role.AGENT, "Lee")


def ticket(tid: str = "tk-1", **changes: Any) -> Ticket:
    base = Ticket(tid, "cust-ada", "Kettle", NOW, NOW, customer_name="Ada")
    return replace(base, **changes)


def message(seq: int, *, status: MessageStatus = MessageStatus.COMPLETE, **changes: Any) -> Message:
    base = Message(
        f"m-{seq}", seq, "cust-ada", AuthorRole.CUSTOMER, Visibility.PUBLIC, f"text {seq}", NOW
    )
    return replace(base, status=status, **changes)


# -- the change marker -------------------------------------------------------------------


def test_the_marker_says_which_counters_moved() -> None:
    drawn = Activity(thread=4, ticket=1, presence=7)
    assert Activity(4, 1, 7).moved(drawn) == frozenset()
    assert Activity(5, 1, 7).moved(drawn) == {ActivityKind.THREAD}
    assert Activity(5, 2, 9).moved(drawn) == set(ActivityKind)
    assert Activity.from_dict(json.loads(json.dumps(drawn.to_dict()))) == drawn
    assert Activity.from_dict(None) == Activity() == Activity.from_dict({"thread": None})


# -- presence ------------------------------------------------------------------------------


def test_presence_expires_unless_renewed() -> None:
    kim = arriving(KIM, "tk-1", NOW, ttl_s=20)
    assert kim.is_live(NOW + timedelta(seconds=19)) and not kim.is_live(NOW + timedelta(seconds=20))
    assert not kim.due(NOW + timedelta(seconds=9), renew_s=10)
    assert kim.due(NOW + timedelta(seconds=11), renew_s=10)
    assert kim.due(NOW + timedelta(seconds=60), renew_s=10)  # lapsed: due as well
    later = kim.renewed(NOW + timedelta(seconds=11), ttl_s=20)
    assert later.is_live(NOW + timedelta(seconds=30)) and later.role is Role.AGENT


def test_typing_lasts_a_few_seconds_and_never_outlives_presence() -> None:
    kim = arriving(KIM, "tk-1", NOW, ttl_s=20).typing(NOW, for_s=6, public=True)
    assert kim.is_typing(NOW + timedelta(seconds=5))
    assert not kim.is_typing(NOW + timedelta(seconds=6))
    long_typing = kim.typing(NOW + timedelta(seconds=18), for_s=60, public=True)
    assert not long_typing.is_typing(NOW + timedelta(seconds=21))  # the entry expired
    assert not kim.idle(NOW).is_typing(NOW)


def test_presence_round_trips_through_storage_formats() -> None:
    entry = arriving(LEE, "tk-1", NOW, 20).typing(NOW, 6, public=False)
    as_json = json.loads(json.dumps(entry.to_dict(), default=lambda d: d.isoformat()))
    assert Presence.from_dict(entry.to_dict()) == entry == Presence.from_dict(as_json)
    assert as_datetime(as_json["expireAt"]) == entry.expire_at


def test_agents_see_names_customers_only_that_a_reply_is_being_written() -> None:
    here = [
        arriving(KIM, "tk-1", NOW, 20),
        arriving(LEE, "tk-1", NOW, 20).typing(NOW, 6, public=True),
        arriving(ADA, "tk-1", NOW, 20),
        replace(arriving(User("agent-zed", Role.AGENT, "Zed"), "tk-1", NOW, 20), expire_at=NOW),
    ]
    kim_sees = watchers(here, KIM, NOW)
    assert kim_sees.replying == ("Lee",) and kim_sees.viewing == () and kim_sees.customer_here
    ada_sees = watchers(here, ADA, NOW)
    assert ada_sees.agent_typing and ada_sees.viewing == ada_sees.replying == ()
    assert not ada_sees.customer_here
    note = [arriving(LEE, "tk-1", NOW, 20).typing(NOW, 6, public=False)]
    assert not watchers(note, ADA, NOW).agent_typing and watchers(note, KIM, NOW).noting == ("Lee",)


def test_the_soonest_expiry_of_others_says_when_to_read_names_again() -> None:
    kim = arriving(KIM, "tk-1", NOW, 20)
    lee = arriving(LEE, "tk-1", NOW - timedelta(seconds=5), 20)
    assert next_expiry([kim, lee], KIM.uid) == lee.expire_at
    assert next_expiry([kim], KIM.uid) is None


def test_a_collision_is_a_public_agent_reply_by_someone_else() -> None:
    mine = message(3, author_uid=KIM.uid, author_role=AuthorRole.AGENT)
    note = message(
        4, author_uid=LEE.uid, author_role=AuthorRole.AGENT, visibility=Visibility.INTERNAL
    )
    customer = message(5)
    theirs = message(6, author_uid=LEE.uid, author_role=AuthorRole.AGENT)
    assert replied_since([mine, note, customer], KIM.uid) is None
    assert replied_since([mine, note, customer, theirs], KIM.uid) == theirs


# -- bringing a page up to date ----------------------------------------------------------


def test_a_page_reads_after_its_oldest_unfinished_message_or_its_newest() -> None:
    assert thread_delta.read_after(ThreadPage(ticket(), [], False)) == 0
    done = ThreadPage(ticket(), [message(3), message(4)], True)
    assert thread_delta.read_after(done) == 4
    failed = ThreadPage(ticket(), [message(3, status=MessageStatus.FAILED), message(4)], True)
    assert thread_delta.read_after(failed) == 2  # a retry revises it in place


def test_merging_replaces_revised_messages_and_appends_new_ones() -> None:
    page = ThreadPage(
        ticket(), [message(1), message(2, status=MessageStatus.PENDING, text="")], True
    )
    newer = [message(2, text="done"), message(3)]
    merged = thread_delta.merge(page, newer, ticket(last_seq=3), NOW, 60)
    assert [(m.seq, m.text) for m in merged.messages] == [(1, "text 1"), (2, "done"), (3, "text 3")]
    assert merged.has_older and merged.ticket.last_seq == 3
    assert [m.seq for m in thread_delta.news(page, merged)] == [2, 3]
    assert thread_delta.news(merged, merged) == []


def test_a_reply_nobody_writes_to_turns_failed_by_the_clock_alone() -> None:
    stale = message(2, status=MessageStatus.PENDING, created_at=NOW - timedelta(seconds=90))
    page = ThreadPage(ticket(), [message(1), stale], False)
    assert thread_delta.settle(page, NOW - timedelta(seconds=60), 60) is page
    settled = thread_delta.settle(page, NOW, 60)
    assert settled.messages[1].status is MessageStatus.FAILED


# -- the queue -----------------------------------------------------------------------------


def test_toasts_for_a_ticket_newly_mine_or_a_customer_message_on_mine() -> None:
    known = {"tk-1": ticket("tk-1", assignee_uid=KIM.uid, last_customer_seq=1)}
    changed = [
        ticket("tk-1", assignee_uid=KIM.uid, last_customer_seq=2),
        ticket("tk-2", assignee_uid=KIM.uid),
        ticket("tk-3", assignee_uid=LEE.uid, last_customer_seq=5),
    ]
    found = events(known, changed, KIM.uid, open_ticket=None)
    assert [(e.kind, e.ticket.id) for e in found] == [
        ("customer_replied", "tk-1"),
        ("assigned", "tk-2"),
    ]
    assert [e.ticket.id for e in events(known, changed, KIM.uid, open_ticket="tk-1")] == ["tk-2"]


def test_a_clicked_ticket_keeps_its_place_until_something_happens_to_it() -> None:
    a, b, c = (QueueItem(ticket(t), unread=False) for t in ("tk-a", "tk-b", "tk-c"))
    b_read_now = QueueItem(ticket("tk-b"), unread=False)
    held = Held("tk-b", 0, NOW)  # it was first (unread) when clicked
    assert [i.ticket.id for i in hold([a, c, b_read_now], held)] == ["tk-b", "tk-a", "tk-c"]
    moved_on = QueueItem(ticket("tk-b", changed_at=NOW + timedelta(seconds=1)), unread=True)
    assert [i.ticket.id for i in hold([a, c, moved_on], held)] == ["tk-a", "tk-c", "tk-b"]
    assert hold([a, c], held) == [a, c] and hold([a, b], None) == [a, b]
    assert [i.ticket.id for i in hold([a, b], Held("tk-b", 9, NOW))] == ["tk-a", "tk-b"]


# -- settings --------------------------------------------------------------------------------


def test_live_settings_come_from_the_environment() -> None:
    live = load_settings({"LIVE_THREAD_POLL_S": "3", "LIVE_QUEUE_POLL_S": "8"}).live
    assert live == LiveSettings(thread_poll_s=3.0, queue_poll_s=8.0)
    with pytest.raises(ConfigError, match="LIVE_THREAD_POLL_S"):
        load_settings({"LIVE_THREAD_POLL_S": "0.1"})
    assert Status.RESOLVED.label == "Resolved"
