"""In a real browser: asking for a person in words hands the ticket over at once, and the whole
page shows it (the status, no "Ask for a person" button), not just the thread."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack
from tests.e2e.test_browser import sign_in

pytestmark = pytest.mark.e2e


def test_asking_for_a_person_in_words_lands_on_the_whole_page(browser: Any, stack: Stack) -> None:
    page = sign_in(browser, stack, "ada")
    page.get_by_role("button", name="+ New ticket").click()  # she may have tickets already
    page.get_by_label("Subject").fill("Kettle")
    page.get_by_label("Message").fill("My kettle leaks.")
    page.get_by_role("button", name="Open ticket").click()
    page.get_by_text("Hello from the fake server.").first.wait_for()
    page.get_by_placeholder("Write a message").fill("I want to talk to a human, please.")
    page.keyboard.press("Enter")  # sent from the thread, which reruns on its own (a fragment)
    page.get_by_text("passing this to a person").first.wait_for()
    expect(page.get_by_text("Waiting on agent").first).to_be_visible()
    expect(page.get_by_role("button", name="🙋 Ask for a person")).to_have_count(0)
    ticket_id = page.evaluate("new URLSearchParams(location.search).get('ticket')")
    ticket = stack.store.tickets.get(ticket_id)
    assert ticket is not None and ticket.awaits_handoff and not ticket.assistant_active
    page.context.close()
