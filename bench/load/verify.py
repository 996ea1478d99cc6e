"""After a load test: read every ticket the simulated people used straight from the store and
check that nothing was lost or duplicated.

- every message a simulated person sent (each carries a unique token) is stored exactly
  once, in its ticket;
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


def check_store(store: Store, ledger: Ledger) -> dict[str, int]:
    lost = duplicated = messages = replies = sent = 0
    for ticket_id in ledger.tickets:
        conv = ConversationRef(ticket_id)
        thread = store.threads.after(conv, after_seq=0, limit=10_000)
        messages += len(thread)
        seqs = [m.seq for m in thread]
        if seqs != list(range(1, len(thread) + 1)) or store.threads.last_seq(conv) != len(thread):
            duplicated += len(seqs) - len(set(seqs))
            lost += max(0, store.threads.last_seq(conv) - len(set(seqs)))
        stored = Counter(t for m in thread for t in TOKEN.findall(m.text))
        expected = ledger.expected(ticket_id)
        sent += len(expected)
        for token in expected:
            lost += stored[token] == 0
            duplicated += max(0, stored[token] - 1)
        since_customer = 0
        for m in thread:
            if m.author_role is AuthorRole.CUSTOMER:
                since_customer = 0
            elif m.author_role is AuthorRole.ASSISTANT and not m.is_internal:
                replies += 1
                since_customer += 1
                duplicated += since_customer > 1
                lost += m.status in (MessageStatus.PENDING, MessageStatus.FAILED)
    return {
        "tickets": len(ledger.tickets),
        "messages": messages,
        "sent": sent,
        "replies": replies,
        "lost": lost,
        "duplicated": duplicated,
    }
