"""The database going away mid-conversation, for real: the emulator behind a TCP proxy that
is taken down and brought back. Nothing is lost, nothing is stored twice, and the user is
told quickly (not after minutes of library retries)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import pytest
from streamlit.testing.v1 import AppTest

from storage.firestore import firestore_store
from storage.firestore.client import make_firestore_client
from storage.settings import StoreSettings
from tests.conftest import new_project_id
from tests.support.apptest import sign_in_as
from tests.support.emulator import Emulator
from tests.support.fakes import FakeModel
from tests.support.services import make_services
from tests.support.tcp_proxy import TcpProxy
from tests.support.users import ADA
from tickets.domain import ConversationRef
from tickets.errors import StoreUnavailable
from tickets.service import TicketService
from tickets.store import Store
from ui.runtime import use_services

T = TypeVar("T")
APP = str(Path(__file__).resolve().parents[2] / "app.py")
DEADLINE_S = 3.0
pytestmark = pytest.mark.firestore


@pytest.fixture
def proxy(firestore_emulator: Emulator) -> Iterator[TcpProxy]:
    tcp = TcpProxy(firestore_emulator.host)
    yield tcp
    tcp.down()


@pytest.fixture
def store(proxy: TcpProxy) -> Store:
    settings = StoreSettings(
        "firestore",
        project=new_project_id(),
        emulator_host=proxy.address,
        call_deadline_s=DEADLINE_S,
    )
    return firestore_store(make_firestore_client(settings), deadline_s=DEADLINE_S)[0]


def eventually(call: Callable[[], T], within_s: float = 60) -> T:
    """After an outage the client reconnects with backoff: retry like a user pressing Retry."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            return call()
        except StoreUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_outage_fails_fast_then_the_same_post_is_stored_once(store: Store, proxy: TcpProxy) -> None:
    service = TicketService(store)
    store.users.save(ADA)
    ticket = service.open_ticket(ADA, "Kettle", "It leaks")
    access = service.access(ADA, ticket.id)  # the page read the ticket before the outage
    proxy.down()
    began = time.monotonic()
    with pytest.raises(StoreUnavailable, match="send it again"):
        service.post(access, "Any news?", message_id="m-outage-1")
    assert time.monotonic() - began < DEADLINE_S + 1.5  # told within the deadline
    proxy.up()
    eventually(lambda: service.post(access, "Any news?", message_id="m-outage-1"))
    service.post(access, "Any news?", message_id="m-outage-1")  # a double click
    texts = [m.text for m in store.threads.newest(ConversationRef(ticket.id), limit=10)]
    assert texts == ["It leaks", "Any news?"]


def test_the_ui_keeps_the_draft_through_an_outage(store: Store, proxy: TcpProxy) -> None:
    model = FakeModel()
    services = make_services(store, model)
    services.settings = replace(services.settings, allow_demo_login=True)
    ticket = services.tickets.open_ticket(ADA, "Kettle", "It leaks")
    use_services(services)
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        sign_in_as(at, ADA.uid)
        at.query_params["ticket"] = ticket.id
        at.run()
        proxy.down()
        at.chat_input(key=f"chat-{ticket.id}").set_value("Here is the photo you asked for").run()
        assert not at.exception

        errors = " ".join(str(e.value) for e in at.error)
        assert "not reachable" in errors and "send it again" in errors
        assert model.prompts == []  # nothing was sent to the model either
        proxy.up()
        eventually(lambda: store.tickets.get(ticket.id))
        next(b for b in at.button if b.label == "Try again").click().run()
        box = next(t for t in at.text_area if t.label == "Unsent message")
        assert box.value == "Here is the photo you asked for"  # the typed text survived
        next(b for b in at.button if b.label == "Send again").click().run()
        texts = [m.text for m in store.threads.newest(ConversationRef(ticket.id), limit=10)]
        assert texts[:2] == ["It leaks", "Here is the photo you asked for"]
        assert texts.count("Here is the photo you asked for") == 1
    finally:
        use_services(None)
