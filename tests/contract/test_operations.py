"""Merge and message search on both stores."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from config.bootstrap import Services
from privacy.crypto import parse_keys
from storage.sealing import Sealer
from tests.support import files
from tests.support.services import access, make_services
from tests.support.users import ADA, BOB, KIM
from tickets.domain import AuthorRole, Status, Visibility
from tickets.errors import AccessDenied, InvalidInput
from tickets.store import Store

KEYS = "k1:" + base64.b64encode(b"5" * 32).decode()


@pytest.fixture
def services(store: Store) -> Services:
    return make_services(store)


def test_merge_keeps_order_authorship_and_times_and_points_to_the_target(
    services: Services, store: Store
) -> None:
    target = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks from the base")
    dup = services.tickets.open_ticket(ADA, "Kettle again", "Same kettle, still leaking")
    ada_dup = access(services, ADA.uid, dup.id)
    services.tickets.post(ada_dup, "Photo attached", files=[files.photo()])
    services.tickets.post(
        access(services, KIM.uid, dup.id), "Duplicate of the other", internal=True
    )
    services.tickets.post(access(services, KIM.uid, dup.id), "We'll look at it")
    before = services.tickets.thread(access(services, KIM.uid, dup.id)).messages
    merged = services.operations.merge(access(services, KIM.uid, dup.id), target.id)
    assert merged.id == target.id
    thread = services.tickets.thread(access(services, KIM.uid, target.id)).messages
    copies = thread[1 : 1 + len(before)]
    assert [(m.author_uid, m.author_role, m.visibility, m.text, m.created_at) for m in copies] == [
        (m.author_uid, m.author_role, m.visibility, m.text, m.created_at) for m in before
    ]
    assert [m.seq for m in copies] == sorted(m.seq for m in copies)
    assert thread[-1].author_role is AuthorRole.SYSTEM and dup.id in thread[-1].text
    # the copied picture is served from the target, to the customer too
    photo = next(m for m in copies if m.attachments)
    _, data = services.tickets.attachment(
        access(services, ADA.uid, target.id), photo.id, photo.attachments[0].id
    )
    assert data[:3] == b"\xff\xd8\xff"
    customer_view = services.tickets.thread(access(services, ADA.uid, target.id)).messages
    assert all(m.visibility is Visibility.PUBLIC for m in customer_view)
    source = store.tickets.get(dup.id)
    assert source is not None
    assert (source.merged_into, source.status, source.assistant_active) == (
        target.id,
        Status.RESOLVED,
        False,
    )
    with pytest.raises(InvalidInput) as closed:
        services.tickets.post(access(services, ADA.uid, dup.id), "hello?")
    assert target.id in closed.value.message
    assert store.audit.find(dup.id)[0].kind == "ticket_merged"
    with pytest.raises(InvalidInput):  # not twice
        services.operations.merge(access(services, KIM.uid, dup.id), target.id)


def test_merge_is_refused_across_customers_for_customers_and_into_itself(
    services: Services,
) -> None:
    ada = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    ada2 = services.tickets.open_ticket(ADA, "Kettle again", "Still")
    bob = services.tickets.open_ticket(BOB, "Invoice", "Wrong VAT")
    with pytest.raises(InvalidInput) as other:
        services.operations.merge(access(services, KIM.uid, bob.id), ada.id)
    assert "same customer" in other.value.message
    with pytest.raises(InvalidInput):
        services.operations.merge(access(services, KIM.uid, ada.id), ada.id)
    with pytest.raises(AccessDenied):
        services.operations.merge(access(services, ADA.uid, ada2.id), ada.id)
    assert len(services.tickets.thread(access(services, KIM.uid, ada.id)).messages) == 1


def test_agents_search_message_text_with_internal_notes_and_customers_cannot(
    services: Services,
) -> None:
    kettle = services.tickets.open_ticket(
        ADA, "Kettle", "The heating element makes a clicking noise"
    )
    services.tickets.post(
        access(services, KIM.uid, kettle.id),
        "Warehouse confirms batch 4417 is faulty",
        internal=True,
    )
    services.tickets.open_ticket(BOB, "Vacuum", "The dock is clicking too")
    copilot = services.copilot.ask(access(services, KIM.uid, kettle.id), "clicking noise policy?")
    list(copilot)
    hits = services.operations.search(KIM, "clicking")
    assert {h.ticket.id for h in hits} == {kettle.id, services.tickets.my_tickets(BOB)[0].id}
    assert all(h.message.author_role is not AuthorRole.ASSISTANT for h in hits)  # no copilot
    assert [h.message.text for h in services.operations.search(KIM, "clicking noise")] == [
        "The heating element makes a clicking noise"
    ]
    assert [h.ticket.id for h in services.operations.search(KIM, "batch 4417")] == [kettle.id]
    assert [h.ticket.id for h in services.operations.search(KIM, "warehou")] == [kettle.id]
    assert services.operations.search(KIM, "nothing-like-this") == []
    with pytest.raises(AccessDenied):
        services.operations.search(ADA, "clicking")


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def sealed(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    from storage.firestore import firestore_store
    from storage.sqlite import sqlite_store

    sealer = Sealer(parse_keys(KEYS))
    if request.param == "sqlite":
        store = sqlite_store(tmp_path / "sealed.db", sealer)
        yield (
            store,
            lambda: [
                row[0]
                for row in store.threads.db._db.execute("SELECT token FROM message_keys")  # type: ignore[attr-defined]
            ],
        )
        store.close()
    else:
        client = request.getfixturevalue("firestore_client")
        store = firestore_store(client, sealer)[0]

        def tokens() -> list[str]:
            found: list[str] = []
            for snap in client.collection_group("messages").stream():
                found += snap.to_dict().get("searchKeys", [])
            return found

        yield store, tokens


def test_the_search_index_holds_keyed_tokens_never_words(sealed: Any) -> None:
    store, tokens = sealed
    services = make_services(store)
    services.tickets.open_ticket(ADA, "Kettle", "My refrigerator hums loudly")
    stored = tokens()
    assert stored and all(t.startswith("tok:") for t in stored)
    assert not any("refrig" in t or "hums" in t for t in stored)
    assert len(services.operations.search(KIM, "refrigerator hums")) == 1
