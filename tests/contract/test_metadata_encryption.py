"""With keys configured, a ticket's subject, customer name and labels, its search keys and a
user's name and e-mail are sealed at rest too, on both stores; search still works through
keyed tokens, a sealed value copied to another document fails, and rotation re-seals them."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from ops.rotation import rotate
from privacy.crypto import parse_keys
from storage.firestore import firestore_store
from storage.firestore.client import make_firestore_client
from storage.sealing import Sealer
from storage.settings import StoreSettings
from storage.sqlite import sqlite_store
from tests.support.users import ADA, BOB, EVERYONE, KIM
from tickets.queue import QueueFilter
from tickets.service import TicketService
from tickets.store import Store, TicketQuery

K1 = base64.b64encode(b"1" * 32).decode()
K2 = base64.b64encode(b"2" * 32).decode()
PLAIN = ("Kettle", "kettle", "leaks", "Lovelace", "ada@example.com", "fraud-suspect", "Ada")


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open_store(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    """``open_store(keys)``: the same database each time, opened with these keys."""
    project = None
    if kind == "firestore":
        from tests.conftest import new_project_id

        project = new_project_id()

    def make(keys: str) -> Store:
        sealer = Sealer(parse_keys(keys))
        if kind == "sqlite":
            return sqlite_store(tmp_path / "sealed.db", sealer)
        host = request.getfixturevalue("firestore_emulator").host
        settings = StoreSettings("firestore", project=project, emulator_host=host)
        return firestore_store(make_firestore_client(settings), sealer)[0]

    return make


def raw(store: Store, collection: str, doc_id: str) -> dict[str, Any]:
    """The document as stored, past the adapter's decryption."""
    if store.backend == "firestore":
        snap = store.tickets.db.client.collection(collection).document(doc_id).get()  # type: ignore[attr-defined]
        return dict(snap.to_dict())
    key = "id" if collection == "tickets" else "uid"
    row = store.tickets.db.query(f"SELECT data FROM {collection} WHERE {key} = ?", (doc_id,))  # type: ignore[attr-defined]  # noqa: S608
    return dict(json.loads(row[0]["data"]))


def opened(store: Store) -> tuple[TicketService, str]:
    for user in EVERYONE:
        store.users.save(user)
    service = TicketService(store)
    ticket = service.open_ticket(ADA, "Kettle leaks at the base", "It leaks")
    service.set_labels(service.access(KIM, ticket.id), ["fraud-suspect"])
    service.open_ticket(BOB, "Invoice VAT", "Wrong VAT")
    return service, ticket.id


def test_ticket_and_user_metadata_are_sealed_at_rest(open_store: Any) -> None:
    store = open_store(f"k1:{K1}")
    service, ticket_id = opened(store)
    stored = json.dumps(
        [raw(store, "tickets", ticket_id), raw(store, "users", ADA.uid)], default=str
    )
    for word in PLAIN:
        assert word not in stored, word
    ticket = raw(store, "tickets", ticket_id)
    assert ticket["subject"].startswith("enc:v1:k1:") and ticket["customerName"].startswith("enc:")
    assert all(label.startswith("enc:v1:") for label in ticket["labels"])
    assert ticket["searchKeys"] and all(k.startswith("tok:") for k in ticket["searchKeys"])
    assert ticket["status"] == "open" and ticket["customerUid"] == ADA.uid  # queries: plain
    assert raw(store, "users", ADA.uid)["role"] == "customer"

    got = service.ticket(ADA, ticket_id)  # read back, decrypted
    assert (got.subject, got.customer_name, got.labels) == (
        "Kettle leaks at the base",
        "Ada Lovelace",
        ("fraud-suspect",),
    )
    assert store.users.get(ADA.uid) == ADA
    assert [u.uid for u in store.users.find(role=ADA.role)] == [ADA.uid, BOB.uid]


@pytest.mark.parametrize(
    ("search", "found"),
    [("kettle", True), ("ket", True), ("lovelace", True), ("kettle base", True), ("vat", False)],
)
def test_search_works_through_keyed_tokens(open_store: Any, search: str, found: bool) -> None:
    store = open_store(f"k1:{K1}")
    service, ticket_id = opened(store)
    hits = [i.ticket.id for i in service.queue(KIM, QueueFilter(search=search))]
    assert (ticket_id in hits) is found
    assert len(hits) == 1


def test_a_sealed_subject_copied_to_another_ticket_fails(open_store: Any) -> None:
    store = open_store(f"k1:{K1}")
    _, ticket_id = opened(store)
    [other] = [t for t in store.tickets.find(TicketQuery()) if t.id != ticket_id]
    stolen = raw(store, "tickets", ticket_id)["subject"]
    data = raw(store, "tickets", other.id) | {"subject": stolen}
    if store.backend == "firestore":
        store.tickets.db.client.collection("tickets").document(other.id).set(data)
    else:
        with store.tickets.db.tx() as db:
            db.execute("UPDATE tickets SET data = ? WHERE id = ?", (json.dumps(data), other.id))
    assert [t.id for t in store.tickets.find(TicketQuery())] == [ticket_id]  # skipped
    assert store.tickets.get(other.id) is None  # and reads as missing, never as Ada's subject


def test_rotation_re_seals_metadata_and_search_follows(open_store: Any) -> None:
    old = open_store(f"k1:{K1}")
    _, ticket_id = opened(old)
    both = open_store(f"k2:{K2},k1:{K1}")
    report = rotate(both)
    assert (report.tickets, report.users) == (2, len(EVERYONE))
    only_new = open_store(f"k2:{K2}")
    ticket = raw(only_new, "tickets", ticket_id)
    assert ticket["subject"].startswith("enc:v1:k2:") and ticket["labels"][0].startswith(
        "enc:v1:k2:"
    )
    assert raw(only_new, "users", ADA.uid)["email"].startswith("enc:v1:k2:")
    service = TicketService(only_new)
    assert [i.ticket.id for i in service.queue(KIM, QueueFilter(search="kettle"))] == [ticket_id]
    assert only_new.users.get(ADA.uid) == ADA
