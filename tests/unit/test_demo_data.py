"""The demo data reads like a real helpdesk: times a person would believe."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from demo.seed import LONG_TICKET, exchange_times, seed_demo
from storage.sqlite import sqlite_store
from tickets.domain import AuthorRole, ConversationRef, Status, utcnow


def test_seeded_tickets_show_their_own_last_activity_not_the_moment_of_seeding(
    tmp_path: Path,
) -> None:
    store = sqlite_store(tmp_path / "t.db")
    seed_demo(store, 40)
    seeded = utcnow()
    for tid in ("tk-demo-kettle", "tk-demo-invoice", "tk-demo-refund", "tk-demo-delivery"):
        ticket = store.tickets.get(tid)
        assert ticket is not None
        newest = store.threads.newest(ConversationRef(tid), limit=1, public_only=True)[0]
        assert ticket.updated_at == newest.created_at  # its newest message, not "just now"
        assert seeded - ticket.updated_at > timedelta(minutes=30)
    delivery, invoice = store.tickets.get("tk-demo-delivery"), store.tickets.get("tk-demo-invoice")
    assert delivery is not None and delivery.status is Status.RESOLVED
    assert invoice is not None and invoice.assignee_uid == "agent-kim"
    assert not invoice.assistant_active
    store.close()


def test_the_long_ticket_is_a_few_daytime_exchanges_a_day_over_weeks(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path / "t.db")
    seed_demo(store, 300)
    messages = store.threads.after(ConversationRef(LONG_TICKET), after_seq=0, limit=300)
    times = [m.created_at for m in messages]
    assert times == sorted(times) and len(set(times)) == 300
    assert times[-1] - times[0] > timedelta(days=14)  # weeks, not seconds
    assert all(8 <= t.hour <= 20 for t in times)  # nobody chats at 3 a.m.
    per_day = {t.date() for t in times}
    assert len(messages) / len(per_day) <= 12  # a few exchanges a day
    assert utcnow() - times[-1] > timedelta(hours=1)  # not "just now"
    for message in messages:  # "offline at 14:15" is written after 14:15, not before
        reported = re.search(r"\b(\d\d):\d\d\b", message.text)
        if message.author_role is AuthorRole.CUSTOMER and reported:
            assert int(reported.group(1)) == (message.created_at - timedelta(hours=1)).hour
    store.close()


def test_exchange_times_are_in_the_past_and_in_order() -> None:
    now = utcnow().replace(hour=9, minute=30)
    times = exchange_times(20, now)
    assert len(times) == 20 and times == sorted(times)
    assert all(t < now - timedelta(hours=1) for t in times)
