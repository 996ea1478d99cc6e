"""End-to-end in headless chromium, signing in through a real OIDC provider."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import AGENTS, ARTIFACTS, ROOT, Stack
from tickets.domain import ConversationRef, Role, User
from tickets.service import TicketService

pytestmark = pytest.mark.e2e
TIMEOUT = 90_000  # ms: 2 shared cores


def sign_in(browser: Any, stack: Stack, who: str, path: str = "/") -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(stack.app_url + path)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/oauth2/authorize.*"))
    page.locator(f"button[name='sub'][value='{who}']").click()
    page.wait_for_url(re.compile(re.escape(stack.app_url) + r".*"))
    page.get_by_text("Signed in as" if who not in AGENTS else "agent", exact=False).first.wait_for()
    return page


def fresh(page: Any) -> Any:
    """What the current run drew. A rerun leaves the last run's elements on screen, faded
    (``data-stale``), until it replaces them; after a ticket switch those belong to the
    ticket before, and what is typed into them goes nowhere."""
    return page.locator("[data-testid='stElementContainer'][data-stale='false']")


def reply_box(page: Any) -> Any:
    """The reply box of the ticket on screen, once the rerun has drawn it."""
    box = fresh(page).get_by_label("Your reply")
    expect(box).to_have_count(1, timeout=TIMEOUT)
    return box


def send_button(page: Any) -> Any:
    return fresh(page).get_by_role("button", name="Send", exact=True)


def takes_no_clicks(page: Any, ticket_id: str) -> bool:
    """Whether a faded widget keyed to ``ticket_id`` would be frozen on the page as drawn."""
    return bool(
        page.evaluate(
            """id => {
                const el = document.createElement('div');
                el.className = `stElementContainer st-key-draft-${id}`;
                el.dataset.stale = 'true';
                document.querySelector('.stMain').appendChild(el);
                const frozen = getComputedStyle(el).pointerEvents === 'none';
                el.remove();
                return frozen;
            }""",
            ticket_id,
        )
    )


def chat(page: Any, text: str) -> Any:
    """A message shown in the thread (not the same text still sitting in an input)."""
    return page.locator("[data-testid='stChatMessage']", has_text=text).first


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    docs = ROOT / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":  # refresh the README's pictures on request
        shutil.copy(ARTIFACTS / f"{name}.png", docs / f"{name}.png")


def test_customer_chats_reloads_and_another_customer_cannot_see_it(
    browser: Any, stack: Stack
) -> None:
    page = sign_in(browser, stack, "ada")
    page.get_by_label("Subject").fill("Kettle leaks from the base")
    page.get_by_label("Message").fill("My kettle, order KT-55120, leaks from the base.")
    page.get_by_role("button", name="Open ticket").click()
    page.get_by_text("Hello from the fake server.").first.wait_for()
    page.get_by_placeholder("Write a message").fill("It started on 2026-11-02.")
    page.keyboard.press("Enter")
    page.get_by_text("It started on 2026-11-02.").first.wait_for()
    page.wait_for_function(
        "document.body.innerText.split('Hello from the fake server.').length > 2"
    )
    ticket_id = page.evaluate("new URLSearchParams(location.search).get('ticket')")
    assert ticket_id and ticket_id.startswith("tk-")
    shot(page, "customer")

    page.reload()  # the conversation survives a reload, and sign-in does too
    page.get_by_text("It started on 2026-11-02.").first.wait_for()
    assert page.get_by_text("Signed in as").count() >= 1
    stored = stack.store.threads.newest(ConversationRef(ticket_id), limit=10)
    assert [m.author_role.value for m in stored] == [
        "customer",
        "assistant",
        "customer",
        "assistant",
    ]

    bob = sign_in(browser, stack, "bob")
    assert bob.get_by_text("Kettle leaks from the base").count() == 0
    bob.goto(f"{stack.app_url}/?ticket={ticket_id}")
    bob.get_by_text("was not found").first.wait_for()
    assert bob.get_by_text("KT-55120").count() == 0
    page.context.close()
    bob.context.close()


def test_agent_switches_tickets_and_replies(browser: Any, stack: Stack) -> None:
    service = TicketService(stack.store)
    ada = service.sign_in(stack.uid("ada"), "Ada Lovelace", "ada@example.com")
    bob = service.sign_in(stack.uid("bob"), "Bob Marley", "bob@example.com")
    first = service.open_ticket(ada, "Toaster burns bread", "Every slice is black.")
    second = service.open_ticket(bob, "Invoice has wrong VAT", "VAT number is wrong.")
    page = sign_in(browser, stack, "kim")
    page.get_by_role("button", name=re.compile("Toaster burns bread")).click()
    page.get_by_text("Every slice is black.").first.wait_for()
    reply_box(page).fill("Draft for the toaster")
    page.get_by_role("button", name=re.compile("Invoice has wrong VAT")).click()
    page.get_by_text("VAT number is wrong.").first.wait_for()
    reply_box(page).fill("Sorry Bob, a corrected invoice is on its way.")
    send_button(page).click()
    chat(page, "Sorry Bob, a corrected invoice is on its way.").wait_for()
    page.get_by_role("button", name=re.compile("Toaster burns bread")).click()
    page.get_by_text("Every slice is black.").first.wait_for()
    assert reply_box(page).input_value() == "Draft for the toaster"
    # while a switch draws, the last ticket's faded box takes no typing; this one's still does
    assert takes_no_clicks(page, second.id) and not takes_no_clicks(page, first.id)
    shot(page, "agent")
    [reply] = [
        m
        for m in service.thread(service.access(bob, second.id)).messages
        if m.author_role.value == "agent"
    ]
    assert reply.text == "Sorry Bob, a corrected invoice is on its way." and not reply.is_internal
    assert service.ticket(ada, first.id).status.value == "open"
    assert stack.store.users.get(stack.uid("kim")) == User(
        stack.uid("kim"), Role.AGENT, "Kim Park", "kim@support.example.com"
    )
    page.context.close()


def test_after_a_note_the_composer_is_a_public_reply_again(browser: Any, stack: Stack) -> None:
    service = TicketService(stack.store)
    ada = service.sign_in(stack.uid("ada"), "Ada Lovelace", "ada@example.com")
    service.open_ticket(ada, "Fan rattles", "The fan rattles at night.")
    page = sign_in(browser, stack, "kim")
    page.get_by_role("button", name=re.compile("Fan rattles")).first.click()
    page.get_by_text("The fan rattles at night.").first.wait_for()
    fresh(page).get_by_text("Internal note", exact=True).click()  # its label, as a person does
    page.get_by_text("Internal note: only agents see it").wait_for()  # the yellow pad
    reply_box(page).fill("Probably the bearing.")
    page.get_by_role("button", name="Add internal note").click()
    chat(page, "Probably the bearing.").wait_for()
    expect(page.get_by_role("radio", name="Public reply")).to_be_checked()  # on screen too
    expect(page.get_by_text("Internal note: only agents see it")).to_have_count(0)
    expect(send_button(page)).to_have_count(1)
    page.context.close()


def test_export_downloads_and_parses(browser: Any, stack: Stack) -> None:
    service = TicketService(stack.store)
    ada = service.sign_in(stack.uid("ada"), "Ada Lovelace", "ada@example.com")
    ticket = service.open_ticket(ada, "Export me", "Please export this <b>thread</b>.")
    page = sign_in(browser, stack, "ada", f"/?ticket={ticket.id}")
    page.get_by_text("Please export this").first.wait_for()
    page.get_by_role("button", name="⬇ Export").click()
    page.get_by_text("JSON", exact=True).click()
    expect(page.get_by_role("radio", name="JSON")).to_be_checked()
    # the JSON file's own button, drawn by the format's rerun (not the Markdown one it replaces)
    button = fresh(page).and_(page.locator(f".st-key-dl-{ticket.id}-json-public"))
    expect(button).to_have_count(1)
    with page.expect_download() as download:
        button.get_by_role("button", name="Download transcript").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["schema"] == "ticket-assistant/transcript" and data["ticket"]["id"] == ticket.id
    assert data["messages"][0]["text"] == "Please export this <b>thread</b>."
    assert [e.kind for e in stack.store.audit.find(ticket.id)] == ["export"]
    page.context.close()


def test_users_get_no_developer_menu(browser: Any, stack: Stack) -> None:
    """'Clear cache' rebuilt the services (and a second model server); 'Deploy' sold hosting.
    On loopback Streamlit shows them by default; .streamlit/config.toml hides them."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(stack.app_url)
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.locator("[data-testid='stAppDeployButton']").count() == 0
    page.locator("[data-testid='stMainMenu']").click()
    menu = page.locator("[data-testid='stMainMenuPopover']")
    menu.wait_for()
    shown = menu.inner_text()
    assert "Print" in shown  # the viewer's options are still there
    assert "Clear cache" not in shown and "Rerun" not in shown and "Deploy" not in shown
    context.close()
