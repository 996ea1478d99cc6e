"""What a person sees, in a real browser: the defects the walkthrough met (issue 16).

Each test drives the page as its user would and checks what is on screen (where it is, how
it looks), not only what is stored.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.test_browser import chat, shot
from tests.e2e.test_live import LIVE_MS, people, sign_in_at

pytestmark = pytest.mark.e2e


def scroll_state(page: Any) -> dict[str, float]:
    state: dict[str, float] = page.evaluate(
        "(() => { const s = document.querySelector('.stMain');"
        " return {top: s.scrollTop, height: s.scrollHeight, view: s.clientHeight}; })()"
    )
    return state


def in_view(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_the_page_follows_the_conversation(browser: Any, stack: Stack) -> None:
    """A long ticket opens at its newest message with the input in view; a message that
    arrives keeps the bottom in view; a reader who scrolled up to read stays where they are."""
    service, ada, _, kim = people(stack)
    ticket = service.open_ticket(ada, "Long thread", "Message number 0 of a long thread.")
    access = service.access(ada, ticket.id)
    for n in range(1, 25):
        service.post(access, f"Message number {n} of a long thread.")
    page = sign_in_at(browser, stack.app_url, "ada", f"/?ticket={ticket.id}")
    newest = chat(page, "Message number 24 of a long thread.")
    newest.wait_for()
    page.wait_for_function(
        "(() => { const s = document.querySelector('.stMain');"
        " return s.scrollHeight - s.scrollTop - s.clientHeight < 130; })()"
    )
    assert in_view(page, newest)
    assert in_view(page, page.get_by_placeholder("Write a message"))
    assert not in_view(page, chat(page, "Message number 10 of a long thread."))
    shot(page, "follow-open")

    kim_access = service.access(kim, ticket.id)
    service.post(kim_access, "An agent's answer arrives at the bottom.")
    arrived = chat(page, "An agent's answer arrives at the bottom.")
    arrived.wait_for(timeout=LIVE_MS * 2)
    page.wait_for_function(
        "(() => { const s = document.querySelector('.stMain');"
        " return s.scrollHeight - s.scrollTop - s.clientHeight < 130; })()"
    )
    assert in_view(page, arrived)

    page.evaluate("document.querySelector('.stMain').scrollTo(0, 200)")  # reading up there
    page.wait_for_timeout(300)
    service.post(kim_access, "A second answer while the customer reads older messages.")
    chat(page, "A second answer while the customer reads older").wait_for(timeout=LIVE_MS * 2)
    page.wait_for_timeout(500)
    assert scroll_state(page)["top"] == 200  # not yanked away from what they read
    page.context.close()
