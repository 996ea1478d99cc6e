"""Revocation reaches an open page (AppTest: full reruns and the deferred download's own
callable). The chat fragment's own reruns, which AppTest cannot imitate, and the real
download click are covered in a browser: ``tests/e2e/test_revocation.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import streamlit as st

from config.bootstrap import Services
from tests.support.apptest import app_services, run_app, unescaped
from tests.support.fakes import FakeModel
from tickets.domain import ConversationRef, Role
from tickets.errors import NotSignedIn, TicketNotFound

NOTE = "Billing confirmed the fix"  # the internal note on tk-demo-invoice


@pytest.fixture
def services(tmp_path: Path, model: FakeModel) -> Iterator[Services]:
    with app_services(tmp_path, model, seed=20) as svc:
        yield svc


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], Any]]:
    """The deferred callable each download button was given, by key (AppTest drops them)."""
    found: dict[str, Callable[[], Any]] = {}
    original = st.download_button

    def spy(label: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        found[str(kwargs.get("key"))] = data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    return found


def set_user(services: Services, uid: str, **changes: Any) -> None:
    user = services.store.users.get(uid)
    assert user is not None
    services.store.users.save(replace(user, **changes))


def exports(services: Services, ticket_id: str) -> int:
    return len([e for e in services.store.audit.find(ticket_id) if e.kind == "export"])


def test_a_revoked_disabled_agents_open_export_popover_gives_nothing(
    services: Services, downloads: dict[str, Callable[[], Any]]
) -> None:
    at = run_app("agent-kim", ticket="tk-demo-invoice")
    at.checkbox(key="int-tk-demo-invoice").check().run()
    at.radio(key="fmt-tk-demo-invoice").set_value("json").run()
    build = downloads["dl-tk-demo-invoice-json-internal"]
    assert NOTE in build().decode()  # while Kim is an agent
    assert exports(services, "tk-demo-invoice") == 1

    set_user(services, "agent-kim", role=Role.CUSTOMER)  # revoked: a customer, not the owner
    with pytest.raises(TicketNotFound):
        build()
    set_user(services, "agent-kim", disabled=True)  # and disabled
    with pytest.raises(NotSignedIn):
        build()
    assert exports(services, "tk-demo-invoice") == 1


def test_a_disabled_customers_open_export_popover_gives_nothing(
    services: Services, downloads: dict[str, Callable[[], Any]]
) -> None:
    run_app("cust-ada", ticket="tk-demo-kettle")
    build = downloads["dl-tk-demo-kettle-md-public"]
    assert "Kettle leaks" in build().decode()
    set_user(services, "cust-ada", disabled=True)
    with pytest.raises(NotSignedIn):
        build()


def test_a_customer_disabled_while_the_page_is_open_cannot_post(
    services: Services, model: FakeModel
) -> None:
    at = run_app("cust-ada", ticket="tk-demo-kettle")
    before = services.store.threads.last_seq(ConversationRef("tk-demo-kettle"))
    set_user(services, "cust-ada", disabled=True)
    at.chat_input(key="chat-tk-demo-kettle").set_value("still there?").run()
    assert not at.exception
    shown = unescaped(" ".join(str(i.value) for i in (*at.info, *at.error)))
    assert "signed out" in shown
    assert services.store.threads.last_seq(ConversationRef("tk-demo-kettle")) == before
    assert model.prompts == []
