"""Unsent text per (user, ticket) on both stores: kept exactly, replaced, dropped when blank
or sent, only its author's, sealed at rest, and behind the ticket's access check."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from config.bootstrap import Services
from privacy.crypto import parse_keys
from storage.firestore import firestore_store
from storage.firestore.client import make_firestore_client
from storage.sealing import Sealer
from storage.settings import StoreSettings
from storage.sqlite import sqlite_store
from tests.support.fakes import FakeModel
from tests.support.services import access, make_services
from tests.support.users import ADA, BOB, KIM, LEE
from tickets.drafts import MAX_DRAFT_CHARS, Draft
from tickets.errors import TicketNotFound
from tickets.store import Store

TYPED = "Line one,\n\n  **kept** as typed: https://example.com/a?b=c)\nÜmlaut ✓"


@pytest.fixture
def services(people: Store) -> Services:
    return make_services(people, FakeModel())


def test_a_draft_is_kept_exactly_replaced_and_dropped(services: Services) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    ada = access(services, ADA.uid, ticket.id)
    assert services.drafts.get(ada) == ""
    services.drafts.keep(ada, TYPED)
    assert services.drafts.get(access(services, ADA.uid, ticket.id)) == TYPED
    services.drafts.keep(ada, "Second thoughts")
    assert services.drafts.get(ada) == "Second thoughts"
    services.drafts.keep(ada, "  \n\t ")  # blank: nothing worth keeping
    assert services.drafts.get(ada) == ""
    assert services.store.drafts.get(ADA.uid, ticket.id) is None
    services.drafts.keep(ada, "Once more")
    services.drafts.discard(ada)
    assert services.drafts.get(ada) == ""
    services.drafts.discard(ada)  # discarding nothing is fine


def test_each_person_has_their_own_draft_of_a_ticket(services: Services) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    services.drafts.keep(access(services, ADA.uid, ticket.id), "Ada's words")
    services.drafts.keep(access(services, KIM.uid, ticket.id), "Kim's reply")
    assert services.drafts.get(access(services, LEE.uid, ticket.id)) == ""
    assert services.drafts.get(access(services, KIM.uid, ticket.id)) == "Kim's reply"
    assert services.drafts.get(access(services, ADA.uid, ticket.id)) == "Ada's words"
    other = services.tickets.open_ticket(ADA, "Toaster", "Burns")
    assert services.drafts.get(access(services, ADA.uid, other.id)) == ""
    with pytest.raises(TicketNotFound):  # another customer never gets near it
        access(services, BOB.uid, ticket.id)


def test_a_very_long_text_keeps_its_beginning(services: Services) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    ada = access(services, ADA.uid, ticket.id)
    services.drafts.keep(ada, "x" * (MAX_DRAFT_CHARS + 10))
    assert services.drafts.get(ada) == "x" * MAX_DRAFT_CHARS


def _sealed(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    sealer = Sealer(parse_keys("k1:" + base64.b64encode(b"1" * 32).decode()))
    if kind == "sqlite":
        return sqlite_store(tmp_path / "sealed.db", sealer)
    from tests.conftest import new_project_id

    emulator = request.getfixturevalue("firestore_emulator")
    settings = StoreSettings("firestore", project=new_project_id(), emulator_host=emulator.host)
    return firestore_store(make_firestore_client(settings), sealer)[0]


def _raw(store: Store) -> dict[str, Any]:
    if store.backend == "sqlite":
        sql = store.threads.db._db  # type: ignore[attr-defined]
        row = sql.execute("SELECT data FROM drafts").fetchone()
        return dict(json.loads(row[0]))
    db = store.threads.db  # type: ignore[attr-defined]
    snap = db.users().document(ADA.uid).collection("drafts").document("tk-1").get()
    return dict(snap.to_dict())


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("firestore", marks=pytest.mark.firestore)])
def test_a_draft_is_sealed_at_rest(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from tickets.domain import utcnow

    store = _sealed(kind, tmp_path, request)
    try:
        store.drafts.put(Draft(ADA.uid, "tk-1", "My card ends 4242", utcnow()))
        assert "4242" not in json.dumps(_raw(store), default=str)
        found = store.drafts.get(ADA.uid, "tk-1")
        assert found is not None and found.text == "My card ends 4242"
    finally:
        store.close()
