"""Text that customers or the model wrote, in a real browser: an image in a subject is never
fetched when the queue renders, a reply is inert while it streams, and no link forms from
Markdown links, bare URLs, ``www.`` names or e-mail addresses."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import ARTIFACTS, Stack
from tests.e2e.test_browser import sign_in
from tests.support.beacon import Beacon
from tests.support.fake_openai import slow
from tickets.service import TicketService

pytestmark = pytest.mark.e2e
LINKS_IN_TEXT = (
    "() => [...document.querySelectorAll("
    "'[data-testid=stSidebar] a, [data-testid=stChatMessage] a, "
    "[data-testid=stMainBlockContainer] h1 a[href^=http], [data-testid=stMarkdown] a')]"
    ".map(a => a.href)"
)


@pytest.fixture
def beacon() -> Iterator[Beacon]:
    server = Beacon()
    yield server
    server.stop()


def settle(page: Any, seconds: float = 2.0) -> None:
    """Give the browser time to fetch whatever the page asked for."""
    page.wait_for_load_state("networkidle")
    time.sleep(seconds)


def test_an_image_in_a_subject_is_never_fetched_by_the_queue(
    browser: Any, stack: Stack, beacon: Beacon
) -> None:
    service = TicketService(stack.store)
    eve = service.sign_in(stack.uid("eve"), f"Eve ![n]({beacon.url}/name.png)", "eve@example.com")
    subject = f"Refund ![s]({beacon.url}/p.png) [urgent]({beacon.url}/go) now"
    body = f"See {beacon.url}/x) or www.example.com or mail eve@example.com\n**second** line"
    ticket = service.open_ticket(eve, subject, body)
    page = sign_in(browser, stack, "kim")
    page.get_by_role("button", name=re.compile("Refund")).first.wait_for()
    settle(page)
    assert beacon.paths == [] and page.evaluate(LINKS_IN_TEXT) == []
    page.get_by_role("button", name=re.compile("Refund")).first.click()
    page.get_by_text("second", exact=False).first.wait_for()
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "untrusted-text-agent.png"))
    assert beacon.paths == [], beacon.paths
    assert page.evaluate(LINKS_IN_TEXT) == []
    thread = page.locator("[data-testid='stChatMessage']", has_text="second").first
    assert thread.locator("strong", has_text="second").count() == 1  # the subset still works
    assert f"{beacon.url}/x)" in thread.inner_text()  # no stray backslash
    assert ticket.id in page.url
    page.context.close()


def test_a_reply_is_inert_while_it_streams(browser: Any, stack: Stack, beacon: Beacon) -> None:
    words = f"Look ![x]({beacon.url}/stream.png) [click]({beacon.url}/c) {beacon.url}/d done."
    stack.model.push(slow(words, chunk_delay_s=0.4))
    page = sign_in(browser, stack, "eve")
    page.get_by_role("button", name="+ New ticket").click()
    page.get_by_label("Subject").fill("Streaming check")
    page.get_by_label("Message").fill("Please answer slowly.")
    page.get_by_role("button", name="Open ticket").click()
    page.get_by_text("Look", exact=False).first.wait_for()  # the reply is streaming now
    seen_while_streaming = page.evaluate(LINKS_IN_TEXT)
    time.sleep(1.0)
    assert beacon.paths == [] and seen_while_streaming == []
    page.get_by_text("done.", exact=False).first.wait_for()
    settle(page)
    assert beacon.paths == [] and page.evaluate(LINKS_IN_TEXT) == []
    page.context.close()
