"""Firestore reads benchmark, on the official emulator.

Document reads (Firestore's billing unit, counted by the adapter) to open the newest page of
a 10,000-message ticket versus reading the whole thread, and reads per posted message at 10
and at 10,000 messages. Targets: opening reads one page (>= 50x fewer reads than a full
load); reads per post independent of thread length.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from google.cloud import firestore

from storage.firestore import firestore_store
from storage.firestore.client import make_firestore_client
from storage.firestore.db import FirestoreDb
from storage.settings import StoreSettings
from tests.support.emulator import start_emulator
from tickets.domain import (
    AuthorRole,
    ConversationRef,
    Message,
    Role,
    Status,
    Ticket,
    User,
    Visibility,
    utcnow,
)
from tickets.export import iter_messages
from tickets.service import TicketService

BIG, SMALL, PAGE = 10_000, 10, 50
ADA = User("cust-ada", Role.CUSTOMER, "Ada")


def bulk_load(client: firestore.Client, ticket: Ticket, count: int) -> None:
    """Set-up only (not measured): write a long thread in batches of 500."""
    ref = client.collection("tickets").document(ticket.id)
    now = utcnow()
    for start in range(1, count + 1, 500):
        batch = client.batch()
        for seq in range(start, min(start + 500, count + 1)):
            role = AuthorRole.CUSTOMER if seq % 2 else AuthorRole.ASSISTANT
            author = ADA.uid if seq % 2 else "assistant"
            message = Message(
                f"m-bulk-{seq}", seq, author, role, Visibility.PUBLIC, f"message {seq}", now
            )
            batch.set(ref.collection("messages").document(message.id), message.to_dict())
        batch.commit()
    ref.update({"lastSeq": count, "lastCustomerSeq": count - 1 if count % 2 == 0 else count})


def reads(db: FirestoreDb, action) -> int:  # type: ignore[no-untyped-def]
    before = db.total_reads
    action()
    return db.total_reads - before


def main() -> int:
    emulator = start_emulator(Path(tempfile.mkdtemp()))
    try:
        settings = StoreSettings("firestore", "demo-bench-reads", emulator.host)
        client = make_firestore_client(settings)
        store, db = firestore_store(client)
        service = TicketService(store)
        store.users.save(ADA)
        now = utcnow()
        big, _ = store.tickets.create(
            Ticket("tk-big", ADA.uid, "Long one", now, now, Status.OPEN, "Ada")
        )
        small, _ = store.tickets.create(
            Ticket("tk-small", ADA.uid, "Short one", now, now, Status.OPEN, "Ada")
        )
        began = time.perf_counter()
        bulk_load(client, big, BIG)
        bulk_load(client, small, SMALL)
        print(f"set-up: {BIG:,} + {SMALL} messages loaded in {time.perf_counter() - began:.1f} s")

        on_big, on_small = service.access(ADA, big.id), service.access(ADA, small.id)
        open_page = reads(db, lambda: service.thread(on_big, limit=PAGE))
        full = reads(db, lambda: sum(1 for _ in iter_messages(store.threads, big.id, True)))
        post_small = [reads(db, lambda: service.post(on_small, "hello again")) for _ in range(5)]
        post_big = [reads(db, lambda: service.post(on_big, "hello again")) for _ in range(5)]
        last_seq = store.threads.last_seq(ConversationRef(big.id))

        print(
            f"open the newest page ({PAGE} messages) of a {BIG:,}-message ticket: {open_page} reads"
        )
        print(f"read the whole thread: {full:,} reads")
        print(f"ratio: {full / open_page:.0f}x fewer reads to open (target >= 50x)")
        print(f"reads per post at {SMALL} messages: {post_small} (mean {sum(post_small) / 5:.1f})")
        print(f"reads per post at {BIG:,} messages: {post_big} (mean {sum(post_big) / 5:.1f})")
        ok = full / open_page >= 50 and max(post_big) == max(post_small) and last_seq == BIG + 5
        print("targets met" if ok else "TARGETS MISSED")
        return 0 if ok else 1
    finally:
        emulator.stop()


if __name__ == "__main__":
    sys.exit(main())
