"""Running the app in Streamlit's AppTest, signed in the way a browser session is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from streamlit import config
from streamlit.testing.v1 import AppTest

from ui.auth import DEMO_USER_KEY

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def sign_in_as(at: AppTest, uid: str) -> AppTest:
    """What the demo picker does: the user lives in this session's state, not in the URL."""
    at.session_state[DEMO_USER_KEY] = uid
    return at


def run_app(
    as_user: str | None = None, ticket: str | None = None, *, timeout: float = 30
) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    if as_user:
        sign_in_as(at, as_user)
    if ticket:
        at.query_params["ticket"] = ticket
    return at.run()


def unescaped(markdown: str) -> str:
    """Markdown source as it reads on screen: code spans (how an address is shown) opened and
    backslash escapes resolved; emphasis markers are left in place."""
    return re.sub(r"\\(.)", r"\1", re.sub(r"(`+) (.*?) \1", r"\2", markdown))


@contextmanager
def server_address(address: str | None) -> Iterator[None]:
    """Run the app as if the server listened on ``address`` (``None``/"": every interface)."""
    before = config.get_option("server.address")
    config.set_option("server.address", address)
    try:
        yield
    finally:
        config.set_option("server.address", before)
