"""Running the app in Streamlit's AppTest, signed in the way a browser session is."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from streamlit import config
from streamlit.testing.v1 import AppTest

from config.bootstrap import Services
from demo.seed import seed_demo
from storage.sqlite import sqlite_store
from tests.support.fakes import FakeModel
from tests.support.services import make_services
from tickets.store import Store
from ui.auth import DEMO_USER_KEY
from ui.runtime import use_services

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


@contextmanager
def app_services(
    folder: Path,
    model: FakeModel | None = None,
    *,
    seed: int | None = 80,
    demo_login: bool = True,
    before: Callable[[Store], object] | None = None,
) -> Iterator[Services]:
    """The services the app under AppTest uses: an embedded store in ``folder``, the demo
    data (``seed``: the long ticket's length; ``None``: none), the demo sign-in allowed on
    request. ``before`` runs on the store before the app sees it."""
    store = sqlite_store(folder / "t.db")
    svc = make_services(store, model)
    if demo_login:
        svc.settings = replace(svc.settings, allow_demo_login=True)
    if seed is not None:
        seed_demo(store, seed)
    if before is not None:
        before(store)
    use_services(svc)
    try:
        yield svc
    finally:
        use_services(None)
        store.close()
