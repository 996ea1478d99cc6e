"""Every place the views show text that people or the model wrote follows the one rendering
policy: subjects and names in the queue's buttons and headers, message bodies, replies while
they stream, error messages that echo input. In a real browser (no request to an image's
host, no link): ``tests/e2e/test_untrusted_text.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from config.bootstrap import Services
from tests.support.apptest import APP, app_services, run_app, unescaped
from tests.support.fakes import FakeModel, FakeReply
from tests.support.inert import live_parts
from tickets.domain import Role, Ticket, User

IMAGE = "![s](http://127.0.0.1:9/p.png)"
SUBJECT = f"{IMAGE} [urgent](http://evil.example) refund"
NAME = "**Eve** ![e](http://127.0.0.1:9/e.png) www.evil.example"
BODY = "Hi! See https://evil.example/x) or mail eve@evil.example\n<img src=x onerror=alert(1)>"
EVE = User("cust-eve", Role.CUSTOMER, NAME, "eve@example.com")


@pytest.fixture
def services(tmp_path: Path, model: FakeModel) -> Iterator[Services]:
    with app_services(tmp_path, model, seed=None, before=lambda s: s.users.save(EVE)) as svc:
        yield svc


@pytest.fixture
def hostile(services: Services) -> Ticket:
    return services.tickets.open_ticket(EVE, SUBJECT, BODY)


def markdown_shown(at: AppTest) -> list[str]:
    """Every piece of Markdown source the run sent to the page."""
    sources = [str(e.value) for e in (*at.markdown, *at.caption, *at.error, *at.warning, *at.info)]
    sources += [str(h.value) for h in at.header] + [str(b.label) for b in at.button]
    return sources


def assert_inert(at: AppTest) -> None:
    assert not at.exception
    for source in markdown_shown(at):
        assert live_parts(source) == [], source


def test_the_queue_and_the_ticket_show_subject_and_name_as_text(
    services: Services, hostile: Ticket
) -> None:
    at = run_app("agent-kim", ticket=hostile.id)
    assert_inert(at)
    labels = [unescaped(b.label) for b in at.sidebar.button]
    assert any("[urgent](http://evil.example) refund" in label for label in labels)
    assert unescaped(str(at.header[0].value)) == SUBJECT  # the whole subject, as typed
    assert "https://evil.example/x)" in unescaped("\n".join(markdown_shown(at)))


def test_the_customer_sees_the_same_text_inert(services: Services, hostile: Ticket) -> None:
    at = run_app(EVE.uid, ticket=hostile.id)
    assert_inert(at)
    assert any(NAME in unescaped(str(m.value)) for m in at.sidebar.markdown)


def test_an_echoed_ticket_id_is_plain_text(services: Services) -> None:
    for who in (EVE.uid, "agent-kim"):
        at = run_app(who, ticket="![a](http://1.2.3.4/p.png)")
        assert_inert(at)
        assert "not a valid ticket id" in unescaped(" ".join(str(e.value) for e in at.error))


def test_a_reply_is_inert_while_it_streams_and_once_stored(
    services: Services, model: FakeModel, hostile: Ticket
) -> None:
    model.queue(FakeReply(["Sure: ", IMAGE, " and [click](http://evil.example) ", "**done**"]))
    at = run_app(EVE.uid, ticket=hostile.id)
    at.chat_input(key=f"chat-{hostile.id}").set_value("Any news?").run()
    assert_inert(at)
    reply = " ".join(str(m.value) for m in at.chat_message[-1].markdown)
    assert "**done**" in reply and IMAGE in unescaped(reply)  # Markdown subset kept, rest text


def test_an_identity_providers_name_is_cleaned_and_shown_as_text(services: Services) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x"}
    at.user = {
        "is_logged_in": True,
        "iss": "https://idp.example",
        "sub": "mallory",
        "email": "mal@example.com\u202e",
        "name": f"Mal \u202e{IMAGE}\x1b[2J" + "x" * 100_000,
    }
    at.run()
    assert_inert(at)
    [user] = [u for u in services.store.users.find() if u.email.startswith("mal@")]
    assert len(user.display_name) <= 100 and "\u202e" not in user.display_name
    assert "\x1b" not in user.display_name and user.email == "mal@example.com"
