"""Four weeks of past, resolved demo tickets, so the supervisors' reports have something to
show: short threads by six past customers, answered by the assistant or an agent, some
handed over, with CSAT scores, reply ratings, a few SLA breaches and token usage recorded
through the same report events the product records as things happen.

Deterministic (a fixed seed, fixed ids ``tk-hist-NN``) and idempotent. Seeded by the app on
the embedded default and by ``python -m ops seed`` (not by ``seed_demo`` itself, so tests
that seed the demo tickets stay quick). A demo supervisor, Sam, can open the reports.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from tickets import metrics
from tickets.domain import (
    AuthorRole,
    ConversationRef,
    NewMessage,
    Role,
    Status,
    Ticket,
    Usage,
    User,
    utcnow,
)
from tickets.ids import new_message_id
from tickets.store import Store

SAM = User("sup-sam", Role.SUPERVISOR, "Sam Rivera", "sam@support.example.com")
CUSTOMERS = tuple(
    User(f"cust-past-{n}", Role.CUSTOMER, name, f"{name.split()[0].lower()}@example.com")
    for n, name in enumerate(
        (
            "Grace Hopper",
            "Alan Turing",
            "Katherine Johnson",
            "Linus Pauling",
            "Mary Jackson",
            "Tim Berners",
        )
    )
)
COUNT = 36
SUBJECTS = (
    (
        "Where is my parcel?",
        "My order hasn't arrived yet.",
        "It is on its way: tracking shows delivery tomorrow.",
    ),
    (
        "Kettle not heating",
        "The kettle switches on but stays cold.",
        "Please check the base contacts are dry and try another socket.",
    ),
    (
        "Refund status",
        "When will I get my refund?",
        "Refunds reach your card within 5-7 working days.",
    ),
    (
        "Thermostat offline",
        "The thermostat drops off Wi-Fi.",
        "Move it to the 2.4 GHz network and restart it.",
    ),
    ("Change delivery address", "Can I change my address?", "Yes, until the order ships."),
    ("Invoice copy", "I need a copy of my invoice.", "You can download it under Orders."),
)
REASONS = ("asked_in_words", "button", "unanswered", "budget")


def seed_history(store: Store) -> int:
    """Seed the past tickets (once); returns how many were created."""
    if store.tickets.get(f"tk-hist-{COUNT - 1:02d}") is not None:
        return 0
    for user in (SAM, *CUSTOMERS):
        if store.users.get(user.uid) is None:
            store.users.save(user)
    rng = random.Random(7)  # noqa: S311 (demo data, not secrets)
    now = utcnow()
    created = 0
    for n in range(COUNT):
        opened = now - timedelta(days=rng.randrange(1, 28), minutes=rng.randrange(0, 600))
        created += _one(store, rng, n, opened)
    return created


def _one(store: Store, rng: random.Random, n: int, opened: datetime) -> int:
    record = metrics.MetricsRecorder(store.metrics).record
    tid = f"tk-hist-{n:02d}"
    if store.tickets.get(tid) is not None:
        return 0
    who = CUSTOMERS[n % len(CUSTOMERS)]
    subject, question, answer = SUBJECTS[rng.randrange(len(SUBJECTS))]
    ticket = Ticket(
        tid,
        who.uid,
        subject,
        opened,
        opened,
        Status.RESOLVED,
        who.display_name,
        assignee_uid="agent-kim",
        assistant_active=False,
    )
    first = NewMessage(new_message_id(), who.uid, AuthorRole.CUSTOMER, question, written_at=opened)
    store.tickets.create(ticket, first)
    record(metrics.ticket_opened(tid, opened))
    conv = ConversationRef(tid)
    at = opened + timedelta(minutes=rng.randrange(1, 4), seconds=rng.randrange(60))
    store.threads.append(
        conv, NewMessage(new_message_id(), "assistant", AuthorRole.ASSISTANT, answer, written_at=at)
    )
    record(metrics.first_response(tid, at, human=False))
    usage = Usage(rng.randrange(600, 1800), rng.randrange(60, 240))
    record(metrics.tokens(tid, at, usage))
    period = f"{at:%Y-%m}"
    store.usage.add([f"ticket-{tid}-{period}", f"user-{who.uid}-{period}"], usage)
    record(
        metrics.reply_rated(
            tid,
            at,
            message_id=f"m-{tid}",
            up=rng.random() < 0.7,
            author="assistant",
            reason="wrong" if rng.random() < 0.5 else None,
        )
    )
    if rng.random() < 0.4:  # handed to a person, who answers
        at += timedelta(minutes=rng.randrange(1, 20))
        record(metrics.handoff(tid, at, REASONS[rng.randrange(len(REASONS))]))
        at += timedelta(minutes=rng.randrange(10, 240))
        store.threads.append(
            conv,
            NewMessage(
                new_message_id(),
                "agent-kim",
                AuthorRole.AGENT,
                "I've sorted this out for you.",
                written_at=at,
            ),
        )
        record(metrics.first_response(tid, at, human=True))
        if rng.random() < 0.3:
            record(metrics.sla_breached(tid, at, sla="next", priority=rng.choice(("high", "low"))))
    at += timedelta(hours=rng.randrange(1, 40))
    record(metrics.resolved(tid, at))
    if rng.random() < 0.7:
        record(metrics.csat_given(tid, at + timedelta(minutes=5), rng.choice((3, 4, 4, 5, 5, 2))))
    return 1
