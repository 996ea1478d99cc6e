"""Demo data: two customers, an agent, a few tickets, and one long ticket already compacted.

Idempotent: fixed ticket ids, and a ticket that exists is left alone. Message ids are random
(never guessable). Times are realistic: each ticket is created in its final state (status,
assignee, assistant switch), so its last activity is its newest message, never the moment
of seeding; the long ticket is a few exchanges a day, in the daytime, over a few weeks,
and the times its customer reports match when she writes. The long ticket's summary is
scripted with the conversation (it is demo data), and its pinned facts are extracted by the
real extractor from the folded messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from demo.knowledge import seed_articles
from memory.facts import merge_facts
from memory.summary import replace_if_version
from tickets.domain import (
    AuthorRole,
    Checkpoint,
    ConversationRef,
    NewMessage,
    Role,
    Status,
    Ticket,
    User,
    Visibility,
    utcnow,
)
from tickets.ids import new_message_id
from tickets.store import Store

ADA = User("cust-ada", Role.CUSTOMER, "Ada Lovelace", "ada@example.com")
BOB = User("cust-bob", Role.CUSTOMER, "Bob Marley", "bob@example.com")
KIM = User("agent-kim", Role.AGENT, "Kim Park", "kim@support.example.com")
USERS = (ADA, BOB, KIM)
LONG_TICKET = "tk-demo-thermostat"

LONG_SUMMARY = """\
Problem: Ada's smart thermostat (model TH-300, serial SN-77X1-0042) drops off Wi-Fi every few hours.
Key facts: order TH-48213 of 2026-09-14, $189.00; firmware 4.2.1; router on 2.4 GHz channel 11.
Tried: power cycle, router restart, channel change to 6, factory reset, firmware re-flash.
Promises made: a replacement if the issue persists after the 4.2.2 update.
Open questions: whether the disconnects follow the router's nightly reboot.
Next step: install firmware 4.2.2 and report back; agent to approve a replacement otherwise."""

_CUSTOMER_LINES = (
    "It dropped off Wi-Fi again at {hour}:00.",
    "Still disconnecting, the app shows it offline since {hour}:15.",
    "I tried what you suggested; no change, it went offline at {hour}:40.",
    "It reconnects by itself after about twenty minutes each time.",
    "The router log shows nothing special around {hour}:00.",
)
# the long ticket: when its customer writes (UTC hours), a reply a minute or two later
_EXCHANGE_HOURS = (8, 10, 12, 15, 17, 19)
_ASSISTANT_LINES = (
    "Thanks for the update. Does it happen at the same time as the router's nightly reboot?",
    "Understood. Please keep the thermostat on the 2.4 GHz network and note the times.",
    "Thank you. A firmware update (4.2.2) is being rolled out that targets this issue.",
    "Noted. If it persists after 4.2.2, we will arrange a replacement.",
    "That helps. Could you check whether the signal strength in the app is above 60%?",
)


@dataclass(frozen=True)
class Line:
    who: User | None  # None: the assistant
    role: AuthorRole
    text: str
    internal: bool = False

    @property
    def uid(self) -> str:
        return self.who.uid if self.who else "assistant"


@dataclass(frozen=True)
class SeedResult:
    created: bool
    tickets: int
    messages: int


def _ticket(
    tid: str,
    who: User,
    subject: str,
    status: Status,
    opened: datetime,
    *,
    assignee: User | None = None,
    assistant_active: bool = True,
    labels: tuple[str, ...] = (),
) -> Ticket:
    """A ticket as it is at the end of its demo story (no later update moves its times)."""
    return Ticket(
        tid,
        who.uid,
        subject,
        opened,
        opened,
        status,
        who.display_name,
        assignee_uid=assignee.uid if assignee else None,
        assistant_active=assistant_active,
        labels=labels,
    )


def _msg(uid: str, role: AuthorRole, text: str, at: datetime, internal: bool = False) -> NewMessage:
    vis = Visibility.INTERNAL if internal else Visibility.PUBLIC
    return NewMessage(new_message_id(), uid, role, text, vis, written_at=at)


def _ago(hours: float) -> datetime:
    return utcnow() - timedelta(hours=hours)


def _short_tickets() -> list[tuple[Ticket, list[Line]]]:
    cust, bot, agent = AuthorRole.CUSTOMER, AuthorRole.ASSISTANT, AuthorRole.AGENT
    return [
        (
            _ticket("tk-demo-kettle", ADA, "Kettle leaks after two weeks", Status.OPEN, _ago(3)),
            [
                Line(ADA, cust, "My new kettle (order KT-55120) leaks from the base."),
                Line(None, bot, "Sorry to hear that! Does it leak when it is off too?"),
                Line(ADA, cust, "Yes, even when it's cold. I bought it on 2026-11-02."),
            ],
        ),
        (
            _ticket(
                "tk-demo-invoice",
                BOB,
                "Wrong VAT number on invoice",
                Status.WAITING_ON_AGENT,
                _ago(1),
                assignee=KIM,
                assistant_active=False,
                labels=("billing", "invoice"),
            ),
            [
                Line(BOB, cust, "Invoice INV-2026-0931 has the VAT number DE000000000."),
                Line(None, bot, "I can't change invoices myself, so I've asked for an agent."),
                Line(KIM, agent, "Billing confirmed the fix; reissue on Monday.", True),
            ],
        ),
        (
            _ticket(
                "tk-demo-refund",
                ADA,
                "Refund for the leaking kettle",
                Status.OPEN,
                _ago(2),
                assignee=KIM,
                assistant_active=False,
                labels=("refund",),
            ),
            [
                Line(
                    ADA,
                    cust,
                    "My KT-200 kettle (order KT-55120, $79.99) leaks from the base after two "
                    "weeks. I'd like a refund, I'm still within the 30-day window.",
                ),
                Line(
                    None,
                    bot,
                    "Sorry about that! Please stop using the kettle and unplug it: a leak from "
                    "the base is a failed internal seal. (Source: Kettle KT-200: water leaks)",
                ),
                Line(
                    KIM,
                    agent,
                    "Approved a full refund of $79.99 to the original card (within my $100 "
                    "approval limit). Filed PSR-2231 for the leaking base.",
                    True,
                ),
                Line(ADA, cust, "Any news on my refund?"),
            ],
        ),
        (
            _ticket(
                "tk-demo-delivery",
                BOB,
                "Where is my order?",
                Status.RESOLVED,
                _ago(30),
                assistant_active=False,
            ),
            [
                Line(BOB, cust, "Order OR-77001 hasn't arrived."),
                Line(KIM, agent, "It was delivered to your parcel box on Nov 12."),
                Line(BOB, cust, "Found it, thanks!"),
            ],
        ),
    ]


def seed_demo(store: Store, long_messages: int = 300) -> SeedResult:
    seed_articles(store.articles)  # idempotent: only new or changed articles are written
    if store.tickets.get(LONG_TICKET) is not None:
        return SeedResult(False, 0, 0)  # the long ticket is seeded last: all done
    for user in USERS:
        if store.users.get(user.uid) is None:
            store.users.save(user)
    count = 0
    short = _short_tickets()
    for ticket, lines in short:
        if store.tickets.get(ticket.id) is not None:
            continue  # a half-done seed resumes with the next ticket
        count += _seed_ticket(store, ticket, lines)
    count += _seed_long(store, long_messages)
    return SeedResult(True, len(short) + 1, count)


def _seed_ticket(store: Store, ticket: Ticket, lines: list[Line]) -> int:
    """A few minutes between messages, starting when the ticket was opened."""
    at = ticket.created_at
    first = lines[0]
    store.tickets.create(ticket, _msg(first.uid, first.role, first.text, at))
    for line in lines[1:]:
        at += timedelta(minutes=4)
        message = _msg(line.uid, line.role, line.text, at, line.internal)
        store.threads.append(ConversationRef(ticket.id), message)
    return len(lines)


def exchange_times(exchanges: int, now: datetime) -> list[datetime]:
    """When the customer of the long ticket writes: at the daytime hours of
    ``_EXCHANGE_HOURS``, every day, the newest about two hours ago, oldest first."""
    at = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    times: list[datetime] = []
    while len(times) < exchanges:
        if at.hour in _EXCHANGE_HOURS:
            times.append(at + timedelta(minutes=(7 * len(times)) % 40))
        at -= timedelta(hours=1)
    return times[::-1]


def _seed_long(store: Store, total: int) -> int:
    """A conversation over a few weeks: a few exchanges a day, the reply a minute or two
    after each customer message; the time a customer line reports is the hour before."""
    times = exchange_times((total + 1) // 2, utcnow())
    opened = times[0]
    ticket = _ticket(LONG_TICKET, ADA, "Smart thermostat keeps disconnecting", Status.OPEN, opened)
    opening = (
        "My thermostat TH-300 (serial SN-77X1-0042, order TH-48213 from 2026-09-14, $189.00) "
        "keeps dropping off Wi-Fi. Firmware 4.2.1. Contact me at ada@example.com."
    )
    store.tickets.create(ticket, _msg(ADA.uid, AuthorRole.CUSTOMER, opening, opened))
    conv = ConversationRef(ticket.id)
    for n in range(1, total):
        asked = times[n // 2]
        if n % 2:
            text = _ASSISTANT_LINES[(n // 2) % len(_ASSISTANT_LINES)]
            at = asked + timedelta(minutes=1 + n % 3)
            store.threads.append(conv, _msg("assistant", AuthorRole.ASSISTANT, text, at))
        else:
            hour = (asked - timedelta(hours=1)).hour
            text = _CUSTOMER_LINES[(n // 2) % len(_CUSTOMER_LINES)].format(hour=f"{hour:02d}")
            store.threads.append(conv, _msg(ADA.uid, AuthorRole.CUSTOMER, text, asked))
    covered = max(1, total - 12)  # the newest dozen stay verbatim
    folded = store.threads.after(conv, after_seq=0, limit=covered)
    facts, _ = merge_facts((), (m.text for m in folded), 50)
    checkpoint = Checkpoint(LONG_SUMMARY, facts, covered, 1, utcnow())
    store.checkpoints.revise(conv, replace_if_version(0, checkpoint))
    return total
