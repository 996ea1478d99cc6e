"""After a load test: read every ticket the simulated people used straight from the store and
check that nothing was lost or duplicated.

- every message a simulated person sent (each carries a unique token) and saw sent (the
  app finished that run without an error) is stored exactly once, in its ticket; one whose
  send never finished (an error was shown, or the test stopped mid-send) may be missing and
  is counted apart as unconfirmed;
- each thread's ``seq`` runs 1..lastSeq with no gap and no repeat;
- no customer message got two assistant replies, and no reply is left pending or failed.
"""

from __future__ import annotations

import re
from collections import Counter

from bench.load.ledger import Ledger
from tickets.domain import AuthorRole, ConversationRef, MessageStatus
from tickets.store import Store

TOKEN = re.compile(r"\b(?:open|turn|agent)-\d{5}\b")


def check_store(store: Store, ledger: Ledger, problems: list[str] | None = None) -> dict[str, int]:
    """The counts; ``problems`` (when given) gets one line per lost or duplicated item."""
    found: list[str] = []
    messages = replies = sent = 0
    confirmed = set(ledger.confirmed)
    for ticket_id in ledger.tickets:
        conv = ConversationRef(ticket_id)
        thread = store.threads.after(conv, after_seq=0, limit=10_000)
        messages += len(thread)
        seqs = [m.seq for m in thread]
        last = store.threads.last_seq(conv)
        found += [f"duplicated: {ticket_id} seq {n}" for n in _repeats(seqs)]
        found += [f"lost: {ticket_id} seq {n}" for n in range(1, last + 1) if n not in seqs]
        stored = Counter(t for m in thread for t in TOKEN.findall(m.text))
        expected = ledger.expected(ticket_id)
        sent += len(expected)
        for token in expected:
            if stored[token] == 0 and token in confirmed:
                found.append(f"lost: {ticket_id} {token} (sent, not stored)")
            elif stored[token] == 0:  # an error was shown, or the test stopped mid-send
                found.append(f"unconfirmed: {ticket_id} {token} (its send never finished)")
            found += [f"duplicated: {ticket_id} {token}"] * max(0, stored[token] - 1)
        since_customer = 0
        for m in thread:
            if m.author_role is AuthorRole.CUSTOMER:
                since_customer = 0
            elif m.author_role is AuthorRole.ASSISTANT and not m.is_internal:
                replies += 1
                since_customer += 1
                if since_customer > 1:
                    found.append(f"duplicated: {ticket_id} seq {m.seq} (a second reply)")
                if m.status in (MessageStatus.PENDING, MessageStatus.FAILED):
                    found.append(f"lost: {ticket_id} seq {m.seq} (reply {m.status.value})")
    if problems is not None:
        problems += found
    return {
        "tickets": len(ledger.tickets),
        "messages": messages,
        "sent": sent,
        "replies": replies,
        "lost": sum(p.startswith("lost") for p in found),
        "duplicated": sum(p.startswith("duplicated") for p in found),
        "unconfirmed": sum(p.startswith("unconfirmed") for p in found),
    }


def _repeats(seqs: list[int]) -> list[int]:
    return [n for n, count in Counter(seqs).items() if count > 1]
