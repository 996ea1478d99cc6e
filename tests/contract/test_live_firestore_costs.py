"""What live pages cost on Firestore itself (the emulator): document reads per idle poll,
and that watching never writes the ticket document."""

from __future__ import annotations

from collections import Counter
from typing import Any

from storage.firestore import firestore_store
from tests.support.clock import Clock
from tests.support.services import access, make_services
from tests.support.users import ADA, KIM, LEE


def test_idle_polls_read_one_document_and_watching_never_writes_the_ticket(
    firestore_client: Any,
) -> None:
    store, db = firestore_store(firestore_client)
    clock = Clock()
    services = make_services(store, clock=clock)
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    ticket_doc = db.tickets().document(ticket.id)
    written_at = ticket_doc.get().update_time
    pages = [
        services.live.open(access(services, uid, ticket.id), limit=30)
        for uid in (ADA.uid, KIM.uid, LEE.uid)
    ]
    pages[1] = services.live.typing(pages[1], public=True)
    pages = [services.live.poll(p) for p in pages]  # everyone hears of the typing
    for _ in range(3):
        clock.advance(2)
        for n, page in enumerate(pages):
            before = Counter(db.reads)
            pages[n] = services.live.poll(page)
            assert Counter(db.reads) - before == Counter({"get:live": 1})
    assert ticket_doc.get().update_time == written_at  # nothing but posts and triage write it
