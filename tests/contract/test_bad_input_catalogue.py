"""The bad-input and fault catalogue. Each item has a clear outcome and loses nothing.

Covered here, on both adapters: a 1 MB message, NUL and control characters, a lone
surrogate, hostile markup in the UI and in every export format (including spreadsheet
formulas in CSV), and emulator settings with a real project id. Elsewhere:

- right-to-left overrides, emoji, zalgo; limits in characters and bytes; cuts never split a
  character: ``test_store_contract::test_text_survives_any_unicode``, ``unit/test_text``
- ids with ``/``, ``.``, ``..``, ``__name__``, empty: ``test_service_access::test_bad_ids...``,
  ``rules/test_firestore_rules``
- another customer's ticket id in the URL or a form: ``test_service_access``, ``app/test_views``,
  ``e2e/test_browser``
- asking the assistant for another user's ticket: ``unit/test_assistant_service::
  test_customers_assistant_never_sees_internal_notes_or_other_tickets``
- Firestore unavailable mid-write, and the retried write: ``test_store_outage``;
  "already exists" on a retry: ``test_store_contract`` (idempotent create and append)
- model timeout mid-stream, no ``finish_reason``, 429 with a long ``retry-after``:
  ``integration/test_openai_faults``
- two tabs, a customer and an agent writing at once: ``test_store_contract::
  test_concurrent_posts_lose_nothing_and_keep_order``
- compaction racing a new message: ``unit/test_memory``, ``test_memory_on_stores``
- budget cap reached: ``unit/test_assistant_service``, ``integration/test_openai_faults``
- a revoked agent role: ``test_service_access::test_revoked_agent_loses_access_on_next_request``
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from common.errors import ConfigError
from config.bootstrap import build_services
from config.settings import Settings
from memory.tokens import CharCounter
from storage.firestore.client import make_firestore_client
from storage.settings import StoreSettings
from tests.support.apptest import sign_in_as
from tests.support.fakes import FakeModel
from tests.support.services import make_services
from tests.support.users import ADA, KIM
from tickets.domain import ConversationRef
from tickets.errors import InvalidInput
from tickets.store import Store
from ui.runtime import use_services

APP = str(Path(__file__).resolve().parents[2] / "app.py")
HOSTILE = "<script>alert(1)</script> [win](javascript:alert(2)) ![x](http://evil/x.png)"
FORMULA = '=HYPERLINK("http://evil","click")'


def count(store: Store, ticket_id: str) -> int:
    return len(store.threads.newest(ConversationRef(ticket_id), limit=100))


def test_a_1mb_message_is_refused_and_nothing_is_stored_or_sent(store: Store) -> None:
    model = FakeModel()
    services = make_services(store, model)
    ticket = services.tickets.open_ticket(ADA, "Kettle", "It leaks")
    with pytest.raises(InvalidInput, match="the limit is 8,000"):
        services.tickets.post(services.tickets.access(ADA, ticket.id), "x" * 1_000_000)
    with pytest.raises(InvalidInput):
        services.tickets.open_ticket(ADA, "Big", "é" * 500_000)
    assert count(store, ticket.id) == 1 and model.prompts == []
    assert len(services.tickets.my_tickets(ADA)) == 1


def test_nul_and_control_characters_are_dropped(store: Store) -> None:
    services = make_services(store)
    ticket = services.tickets.open_ticket(ADA, "Ket\x00tle\x1b", "a\x00b\x07c\r\nd")
    assert services.tickets.ticket(ADA, ticket.id).subject == "Ket tle"
    page = services.tickets.thread(services.tickets.access(ADA, ticket.id))
    assert page.messages[0].text == "abc\nd"


def test_a_lone_surrogate_is_a_clean_refusal(store: Store) -> None:
    services = make_services(store)
    ticket = services.tickets.open_ticket(ADA, "Kettle", "It leaks")
    with pytest.raises(InvalidInput, match="broken character"):
        services.tickets.post(services.tickets.access(ADA, ticket.id), "bad \udc80 text")
    with pytest.raises(InvalidInput, match="broken character"):
        services.tickets.open_ticket(ADA, "bad \ud800", "x")
    assert count(store, ticket.id) == 1


def test_hostile_markup_is_inert_in_the_ui(store: Store) -> None:
    services = make_services(store)
    services.settings = replace(services.settings, allow_demo_login=True)
    ticket = services.tickets.open_ticket(ADA, "Help", HOSTILE)
    services.tickets.post(services.tickets.access(KIM, ticket.id), FORMULA)
    use_services(services)
    try:
        at = AppTest.from_file(APP, default_timeout=30)
        sign_in_as(at, ADA.uid)
        at.query_params["ticket"] = ticket.id
        at.run()
        assert not at.exception
        shown = [str(m.value) for m in at.markdown]
        body = next(v for v in shown if "script" in v)
        assert "\\<script\\>" in body and "\\[win\\]\\(javascript" in body and "!\\[x\\]" in body
        assert all(not m.proto.allow_html for m in at.markdown if "script" in str(m.value))
    finally:
        use_services(None)


def test_formulas_are_neutralized_in_csv(store: Store) -> None:
    services = make_services(store)
    ticket = services.tickets.open_ticket(ADA, "Help", FORMULA)
    services.tickets.post(services.tickets.access(ADA, ticket.id), "-2+3")
    services.tickets.post(services.tickets.access(ADA, ticket.id), "@SUM(A1)")
    rows = list(
        csv.reader(io.StringIO("".join(services.tickets.export(ADA.uid, ticket.id, "csv"))))
    )
    texts = [r[-1] for r in rows[1:]]
    assert texts == ["'" + FORMULA, "'-2+3", "'@SUM(A1)"]


def test_emulator_settings_with_a_real_project_id_are_refused() -> None:
    with pytest.raises(ConfigError, match="demo-"):
        make_firestore_client(
            StoreSettings("firestore", project="acme-prod", emulator_host="127.0.0.1:8080")
        )
    store = StoreSettings("firestore", project="acme-prod", emulator_host="127.0.0.1:8080")
    settings = replace(Settings(), store=store)
    with pytest.raises(ConfigError):
        build_services(settings, model=FakeModel(), counter=CharCounter())
