"""Reads per page on Firestore (the official emulator): what one rerun of the customer page
and of the agent page, and one customer send, cost on a 300-message ticket, before and after
its memory is compacted.

    python -m bench.pages

Each rerun does what the view does (``ui/customer_view.py``, ``ui/agent_view.py``) through
the same services. The baseline, measured in the same run, is the memory panel as it was: a
plan built from the whole unsummarized tail on every rerun. Targets: the ticket document is
read at most once per rerun; the memory panel reads no more messages than the page shows
plus the unsummarized tail (and none on a rerun where nothing changed).
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

from config.bootstrap import Services, build_services
from config.settings import Settings
from memory.base import Snapshot, Tail, fit_newest
from memory.tokens import OfflineTokenCounter
from storage.firestore import firestore_store
from storage.firestore.client import make_firestore_client
from storage.firestore.db import FirestoreDb
from storage.settings import StoreSettings
from tests.support.emulator import start_emulator
from tests.support.fakes import FakeModel
from tickets.domain import AuthorRole, ConversationRef, NewMessage, Role, User
from tickets.ids import derived_ticket_id, new_message_id
from tickets.queue import QueueFilter

PAGE, MESSAGES = 30, 300
ADA = User("cust-ada", Role.CUSTOMER, "Ada Lovelace")
KIM = User("agent-kim", Role.AGENT, "Kim Park")
# what the issue measured before this change (the same scenarios, the code as it was)
BEFORE = {
    "customer rerun": "ticket read 3x (4 on Firestore); memory panel 331 message rows",
    "agent rerun": "ticket read 4x, plus 6 count queries",
    "customer send": "ticket read 8x",
}

LONG_REQUEST = "bench-long"
LONG = derived_ticket_id(ADA.uid, LONG_REQUEST)  # the long ticket's id


def counted(db: FirestoreDb, action: Callable[[], object]) -> Counter[str]:
    before = Counter(db.reads)
    action()
    return Counter(db.reads) - before


def customer_rerun(services: Services) -> None:
    """One full rerun of the customer's page."""
    user = services.tickets.current_user(ADA.uid)
    listed = services.tickets.my_tickets(user)
    access = services.pages.access(user, LONG, known=listed)
    services.pages.ticket_page(access, limit=PAGE)


def memory_panel_reads(reads: Counter[str], pages: int = 1) -> int:
    """Message rows read beyond the page itself (which reads PAGE + 1 to know of older)."""
    return reads["query:messages"] - pages * (PAGE + 1)


def agent_rerun(services: Services, counts: bool) -> None:
    """One full rerun of the agent's page (counts only when their cache has expired)."""
    user = services.tickets.current_user(KIM.uid)
    items = services.tickets.queue(user, QueueFilter())
    if counts:
        services.tickets.queue_counts(user)
    access = services.pages.access(user, LONG, known=[i.ticket for i in items])
    services.tickets.mark_seen(access)
    services.pages.ticket_page(access, limit=PAGE)
    services.copilot.thread(access, limit=20)


def customer_send(services: Services, n: int) -> None:
    access = services.tickets.access(services.tickets.current_user(ADA.uid), LONG)
    services.tickets.post(access, f"Any news on my thermostat? (follow-up {n})")
    run = services.assistant.reply(access)
    assert run is not None
    "".join(run)


def old_memory_panel(services: Services) -> int:
    """The baseline: the plan read the whole unsummarized tail on every rerun."""
    conv = ConversationRef(LONG)
    ticket = services.store.tickets.get(LONG)
    assert ticket is not None
    snap = Snapshot(ticket.last_seq, services.store.checkpoints.get(conv))
    tail = Tail(services.store.threads, conv, snap, public_only=True, stop_after=snap.covered_seq)
    fit_newest(tail, 10**9, services.counter, services.assistant.context(ticket))
    return tail.read


def row(label: str, reads: Counter[str], extra: str = "") -> str:
    tickets = reads["get:tickets"]
    total = sum(reads.values())
    detail = ", ".join(f"{k} {v}" for k, v in sorted(reads.items()))
    return f"  {label:<34} {total:>4} reads; ticket document {tickets}x  [{detail}]{extra}"


def measure(services: Services, db: FirestoreDb, phase: str) -> bool:
    ok = True
    print(f"\n{phase}:")
    cold = counted(db, lambda: customer_rerun(services))
    warm = counted(db, lambda: customer_rerun(services))
    baseline = old_memory_panel(services)
    panel = [memory_panel_reads(cold), memory_panel_reads(warm)]
    print(row("customer rerun (first)", cold, f"; memory panel read {panel[0]} messages"))
    print(row("customer rerun (nothing changed)", warm, f"; memory panel read {panel[1]}"))
    print(f"  {'memory panel as it was (baseline)':<34} {baseline} message rows on every rerun")
    agent_cold = counted(db, lambda: agent_rerun(services, counts=True))
    agent_warm = counted(db, lambda: agent_rerun(services, counts=False))
    print(row("agent rerun (counts refreshed)", agent_cold))
    print(row("agent rerun (counts cached)", agent_warm))
    sends = [counted(db, partial(customer_send, services, n)) for n in range(3)]
    for n, reads in enumerate(sends):
        print(row(f"customer send #{n + 1} (post + reply)", reads))
    print(
        "  (a send reads the ticket in each of its two transactions, the message and the\n"
        "   pending reply, which assign seq, plus once to check access)"
    )
    for reads in (cold, warm, agent_cold, agent_warm):
        ok &= reads["get:tickets"] <= 1
    ok &= panel[1] == 0  # nothing changed: nothing re-read
    ok &= panel[0] <= baseline + PAGE  # at most the page plus the unsummarized tail
    return ok


def main() -> int:
    emulator = start_emulator(Path(tempfile.mkdtemp()))
    try:
        settings = StoreSettings("firestore", "demo-bench-pages", emulator.host)
        store, db = firestore_store(make_firestore_client(settings))
        jobs: list[Callable[[], None]] = []
        services = build_services(
            Settings(),
            store=store,
            model=FakeModel(),
            counter=OfflineTokenCounter(),
            run_later=jobs.append,  # compaction is run below, on purpose, not per send
        )
        for user in (ADA, KIM):
            store.users.save(user)
        services.tickets.open_ticket(
            ADA, "Thermostat offline", "It drops off Wi-Fi.", request_key=LONG_REQUEST
        )
        conv = ConversationRef(LONG)
        for n in range(2, MESSAGES + 1):
            role = AuthorRole.CUSTOMER if n % 2 else AuthorRole.ASSISTANT
            uid = ADA.uid if n % 2 else "assistant"
            text = f"message {n}: it went offline again at {n % 24}:00 and came back later"
            store.threads.append(conv, NewMessage(new_message_id(), uid, role, text))
        print(f"Reads per page on Firestore, a {MESSAGES}-message ticket, a page of {PAGE}")
        print(
            "before this change (measured by the issue): "
            + "; ".join(f"{k}: {v}" for k, v in BEFORE.items())
        )
        ok = measure(services, db, "uncompacted (no summary yet)")
        memory = services.assistant.memory_for(LONG)
        while True:  # fold until caught up (what the background does after replies)
            outcome = memory.maintain(conv)
            if getattr(outcome, "status", "") != "compacted":
                break
        checkpoint = store.checkpoints.get(conv)
        print(
            f"\ncompacted: summary covers messages 1-{checkpoint.covered_seq if checkpoint else 0}"
        )
        ok &= measure(services, db, "after compaction")
        print("\ntargets met" if ok else "\nTARGETS MISSED")
        return 0 if ok else 1
    finally:
        emulator.stop()


if __name__ == "__main__":
    sys.exit(main())
