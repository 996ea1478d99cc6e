"""The demo sign-in: the gate is decided first, on the address the server listens on, and the
demo identity lives in the browser session, never in the URL (a copied link signs nobody in).
The same in a real browser against servers bound to loopback and to every interface:
``tests/e2e/test_demo_sign_in.py``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from config.bootstrap import Services
from tests.support.apptest import APP, app_services, server_address, sign_in_as, unescaped
from ui.auth import DEMO_USER_KEY, is_loopback

INTERNAL_NOTE = "Billing confirmed the fix"  # an internal note on Bob's tk-demo-invoice


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    with app_services(tmp_path, seed=20, demo_login=False) as svc:
        yield svc


def shown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    parts += [c.value for c in at.caption] + [h.value for h in at.header]
    return unescaped("\n".join(str(p) for p in parts))


def with_link(*, session_user: str | None = None) -> AppTest:
    """The link from the attack: an agent's uid and another customer's ticket in the URL."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["demo_user"] = "agent-kim"
    at.query_params["ticket"] = "tk-demo-invoice"
    if session_user:
        sign_in_as(at, session_user)
    return at.run()


@pytest.mark.parametrize("address", ["0.0.0.0", "", None, "192.168.10.7", "::"])
def test_off_loopback_the_gate_refuses_before_looking_at_anyone(
    services: Services, address: str | None
) -> None:
    with server_address(address):
        at = with_link(session_user="agent-kim")
    assert not at.exception
    assert "Sign-in is not configured" in shown(at)
    assert INTERNAL_NOTE not in shown(at) and list(at.chat_message) == []
    assert len(at.selectbox) == 0 and len(at.sidebar.button) == 0
    assert DEMO_USER_KEY not in at.session_state  # a session from before is dropped too


def test_on_loopback_a_uid_in_the_url_signs_nobody_in(services: Services) -> None:
    with server_address("127.0.0.1"):
        at = with_link()
    assert not at.exception
    assert "Demo sign-in" in shown(at)  # the picker, not the agent console
    assert INTERNAL_NOTE not in shown(at) and list(at.chat_message) == []
    assert "demo_user" not in at.query_params  # and the identity is dropped from the address


def test_the_opt_in_allows_the_picker_but_never_the_url(services: Services) -> None:
    services.settings = replace(services.settings, allow_demo_login=True)
    with server_address("0.0.0.0"):
        at = with_link()
        assert "Demo sign-in" in shown(at) and INTERNAL_NOTE not in shown(at)
        at.selectbox[0].set_value("cust-bob")
        next(b for b in at.button if b.label == "Continue").click().run()
    assert "Signed in as **Bob Marley**" in shown(at)
    assert at.session_state[DEMO_USER_KEY] == "cust-bob" and "demo_user" not in at.query_params


def test_a_demo_user_disabled_meanwhile_is_signed_out(services: Services) -> None:
    with server_address("127.0.0.1"):
        at = AppTest.from_file(APP, default_timeout=30)
        sign_in_as(at, "cust-ada").run()
        assert "Signed in as" in shown(at)
        ada = services.store.users.get("cust-ada")
        assert ada is not None
        services.store.users.save(replace(ada, disabled=True))
        at.run()
    assert "You were signed out" in shown(at) and "Signed in as" not in shown(at)
    assert DEMO_USER_KEY not in at.session_state


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("", False),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("example.com", False),
    ],
)
def test_is_loopback(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback
