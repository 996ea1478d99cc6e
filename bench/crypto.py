"""Encryption-at-rest overhead on 10,000 messages and 1,000 tickets: the same writes and page
reads through the embedded store with and without field encryption, in one run (tickets:
a sealed subject, customer name and labels, and keyed search tokens).

    python -m bench.crypto
"""

from __future__ import annotations

import base64
import os
import sys
import tempfile
import time
from pathlib import Path

from privacy.crypto import parse_keys
from storage.sealing import Sealer
from storage.sqlite import sqlite_store
from tickets.domain import AuthorRole, ConversationRef, NewMessage, Status, Ticket, utcnow
from tickets.store import TicketQuery

COUNT = 10_000
TICKETS = 1_000
TEXT = "My thermostat TH-300 (order TH-48213) drops off the Wi-Fi every few hours; " * 3


def run_tickets(sealer: Sealer) -> tuple[float, float]:
    """A queue page of 50 tickets, and a search, in ms."""
    store = sqlite_store(Path(tempfile.mkdtemp()) / "tickets.db", sealer)
    now = utcnow()
    for i in range(TICKETS):
        subject = f"Thermostat {i} drops off the Wi-Fi"
        ticket = Ticket(f"tk-b{i}", "cust", subject, now, now, Status.OPEN, "Ada Lovelace")
        store.tickets.create(ticket.with_changes(labels=("wifi", "hardware")))
    began = time.perf_counter()
    for _ in range(100):
        store.tickets.find(TicketQuery(limit=50))
    page_ms = (time.perf_counter() - began) * 10
    began = time.perf_counter()
    for _ in range(100):
        store.tickets.find(TicketQuery(search_key="therm", limit=50))
    search_ms = (time.perf_counter() - began) * 10
    store.close()
    return page_ms, search_ms


def run(sealer: Sealer) -> tuple[float, float, float]:
    store = sqlite_store(Path(tempfile.mkdtemp()) / "bench.db", sealer)
    now = utcnow()
    store.tickets.create(Ticket("tk-bench", "cust", "Bench", now, now, Status.OPEN, "Ada"))
    conv = ConversationRef("tk-bench")
    began = time.perf_counter()
    for i in range(COUNT):
        store.threads.append(conv, NewMessage(f"m-{i}", "cust", AuthorRole.CUSTOMER, TEXT))
    write = time.perf_counter() - began
    began = time.perf_counter()
    after = 0
    while page := store.threads.after(conv, after_seq=after, limit=500):
        after = page[-1].seq
    read_all = time.perf_counter() - began
    began = time.perf_counter()
    for _ in range(100):
        store.threads.newest(conv, limit=50)
    page_ms = (time.perf_counter() - began) * 10  # per page, in ms
    store.close()
    return write, read_all, page_ms


def main() -> int:
    key = base64.b64encode(os.urandom(32)).decode()
    plain = run(Sealer())
    sealed = run(Sealer(parse_keys(f"bench:{key}")))
    print(f"{COUNT:,} messages of {len(TEXT)} characters, embedded store")
    print(f"{'':<22}{'plaintext':>12}{'encrypted':>12}{'overhead':>10}")
    for label, a, b in (
        ("write all (s)", plain[0], sealed[0]),
        ("read all (s)", plain[1], sealed[1]),
        ("newest page of 50 (ms)", plain[2], sealed[2]),
    ):
        print(f"{label:<22}{a:>12.3f}{b:>12.3f}{(b / a - 1) * 100:>9.0f}%")
    per_message_us = (sealed[1] - plain[1]) / COUNT * 1e6
    print(f"decryption cost per message read: {per_message_us:.1f} us")
    plain_t = run_tickets(Sealer())
    sealed_t = run_tickets(Sealer(parse_keys(f"bench:{key}")))
    print(f"{TICKETS:,} tickets (subject, name, 2 labels sealed; search by keyed token)")
    for label, a, b in (
        ("queue page of 50 (ms)", plain_t[0], sealed_t[0]),
        ("search page of 50 (ms)", plain_t[1], sealed_t[1]),
    ):
        print(f"{label:<22}{a:>12.3f}{b:>12.3f}{(b / a - 1) * 100:>9.0f}%")
    per_ticket_us = (sealed_t[0] - plain_t[0]) / 50 * 1e3
    print(f"decryption cost per ticket listed: {per_ticket_us:.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
