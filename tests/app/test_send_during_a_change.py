"""A customer's message sent at the moment the ticket changes under the page is stored.

The load test (bench/load) found it: an agent answered while the customer's send was being
handled; the conversation saw the new status, reran the page before reading its chat input,
and the submitted text was gone (a chat input's value lives for one run only), with no
error and nothing to send again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config.bootstrap import Services
from tests.support.apptest import app_services, run_app
from tests.support.fakes import FakeModel
from tests.support.services import access
from tickets.domain import AuthorRole, ConversationRef, Status
from ui import live

TICKET = "tk-demo-kettle"


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    with app_services(tmp_path, FakeModel(), seed=80) as svc:
        yield svc


def test_a_message_sent_as_an_agent_answers_is_stored(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_app("cust-ada", ticket=TICKET)
    assert services.store.tickets.get(TICKET).status is Status.OPEN  # type: ignore[union-attr]
    current, armed = live.current, [True]

    def agent_answers_meanwhile(*args: Any, **kwargs: Any) -> Any:
        if armed and armed.pop():  # after the page checked the ticket, before the thread
            kim = access(services, "agent-kim", TICKET)
            services.tickets.post(kim, "Kim here: a new seal is on its way.")
        return current(*args, **kwargs)

    monkeypatch.setattr(live, "current", agent_answers_meanwhile)
    at.chat_input(key=f"chat-{TICKET}").set_value("Is it under warranty?").run()
    assert not at.exception
    assert not armed  # the agent did answer during that run
    thread = services.store.threads.newest(ConversationRef(TICKET), limit=3)
    said = [(m.author_role, m.text) for m in thread]
    assert (AuthorRole.CUSTOMER, "Is it under warranty?") in said, said
    assert services.store.tickets.get(TICKET).status is not Status.OPEN  # type: ignore[union-attr]
