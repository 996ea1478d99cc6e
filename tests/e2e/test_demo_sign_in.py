"""The demo sign-in in a real browser, against the app as ``streamlit run`` serves it on the
embedded store: one server bound to every interface (``0.0.0.0``) with no ``[auth]`` and no
``ALLOW_DEMO_LOGIN``, one bound to loopback. The browser reaches both on 127.0.0.1, which is
exactly the attack: the gate must look at where the server listens, not where a request
comes from, and an identity in the URL must sign nobody in."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, launch_streamlit, wait_http
from tests.support.emulator import free_port
from tests.support.fake_openai import FakeOpenAIServer

pytestmark = pytest.mark.e2e
TIMEOUT = 90_000
ATTACK = "/?demo_user=agent-kim&ticket=tk-demo-invoice"  # Bob's ticket, with an internal note
INTERNAL_NOTE = "Billing confirmed the fix"
FIRESTORE_SETTINGS = ("FIRESTORE_EMULATOR_HOST", "GOOGLE_CLOUD_PROJECT", "FIRESTORE_PROJECT")


def embedded_env(data_dir: Path, model: FakeOpenAIServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FIRESTORE_SETTINGS}
    env.pop("ALLOW_DEMO_LOGIN", None)
    return env | {
        "TICKETS_STORE": "sqlite",
        "TICKETS_DATA_DIR": str(data_dir),
        "SEED_DEMO": "true",
        "OPENAI_API_KEY": "sk-e2e",
        "OPENAI_BASE_URL": model.base_url,
        "OPENAI_MODEL": "fake-model",
    }


@pytest.fixture(scope="module")
def demo_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """``{"everywhere": url, "loopback": url}``; both reached through 127.0.0.1."""
    model = FakeOpenAIServer().start()
    logs = ARTIFACTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs, urls = [], {}
    try:
        for name, address in (("everywhere", "0.0.0.0"), ("loopback", "127.0.0.1")):
            workdir = tmp_path_factory.mktemp(f"demo-{name}")
            port = free_port()
            env = embedded_env(workdir / "data", model)
            log = logs / f"streamlit-demo-{name}.log"
            procs.append(launch_streamlit(workdir, env, address, port, log))
            urls[name] = f"http://127.0.0.1:{port}"
        for proc, url in zip(procs, urls.values(), strict=True):
            wait_http(f"{url}/_stcore/health", 120, "Streamlit", proc)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)
        model.stop()


def new_page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    context.set_default_timeout(TIMEOUT)
    return context.new_page()


def test_bound_to_every_interface_the_link_opens_nothing(
    browser: Any, demo_servers: dict[str, str]
) -> None:
    page = new_page(browser)
    page.goto(demo_servers["everywhere"] + ATTACK)
    page.get_by_text("Sign-in is not configured").first.wait_for()
    body = page.inner_text("body")
    assert INTERNAL_NOTE not in body and "Wrong VAT" not in body and "Queue" not in body
    expect(page.get_by_role("button", name="Continue")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "demo-gate-refused.png"))
    page.context.close()


def test_on_loopback_a_link_signs_nobody_in_and_the_session_does(
    browser: Any, demo_servers: dict[str, str]
) -> None:
    page = new_page(browser)
    page.goto(demo_servers["loopback"] + ATTACK)
    page.get_by_text("Demo sign-in").first.wait_for()  # the picker, not the agent console
    assert INTERNAL_NOTE not in page.inner_text("body")
    page.wait_for_function("!location.search.includes('demo_user')")  # dropped from the URL
    page.locator("[data-testid='stSelectbox']").click()
    page.get_by_role("option", name=re.compile("Ada Lovelace")).click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Signed in as").first.wait_for()
    assert not any(s in page.url for s in ("demo_user", "agent-kim", "cust-ada"))

    copied = new_page(browser)  # the same URL in another browser: nobody is signed in
    copied.goto(page.url)
    copied.get_by_text("Demo sign-in").first.wait_for()
    assert "Signed in as" not in copied.inner_text("body")
    page.context.close()
    copied.context.close()
