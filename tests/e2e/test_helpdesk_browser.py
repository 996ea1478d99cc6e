"""The helpdesk in a real browser: a customer attaches a picture (Cloud Storage on its local
emulator), the agent sees its thumbnail and downloads it; an agent creates a macro, types its
shortcut in the reply box and applies it in one click. The README's agent-view screenshot."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack
from tests.e2e.test_browser import TIMEOUT, chat, reply_box, send_button, shot, sign_in
from tests.support import files
from tickets.domain import AuthorRole, ConversationRef, NewMessage, Status
from tickets.satisfaction import FeedbackService
from tickets.service import TicketService
from tickets.triage import TriageRecord
from tickets.triage_rules import suggest

pytestmark = pytest.mark.e2e


def test_a_picture_goes_from_customer_to_agent_without_its_metadata(
    browser: Any, stack: Stack, tmp_path: Path
) -> None:
    service = TicketService(stack.store)
    ada = service.sign_in(stack.uid("ada"), "Ada Lovelace", "ada@example.com")
    ticket = service.open_ticket(ada, "Cracked kettle lid", "The lid cracked; a photo follows.")
    photo = tmp_path / "lid.jpg"
    photo.write_bytes(files.jpeg_with_gps())
    page = sign_in(browser, stack, "ada", f"/?ticket={ticket.id}")
    page.get_by_text("a photo follows").first.wait_for()
    page.locator("[data-testid='stChatInput'] input[type='file']").set_input_files(str(photo))
    page.get_by_placeholder("Write a message").fill("Here is the photo of the lid")
    # the send button is enabled once the upload finished (Enter before that does nothing)
    page.locator("[data-testid='stChatInputSubmitButton']").click()
    own = chat(page, "Here is the photo of the lid")
    own.locator("img").first.wait_for()  # the thumbnail, once the thread redraws
    stored = [
        m for m in stack.store.threads.newest(ConversationRef(ticket.id), limit=10) if m.attachments
    ]
    assert [a.name for a in stored[0].attachments] == ["lid.jpg"]
    page.context.close()

    kim = sign_in(browser, stack, "kim")
    kim.get_by_role("button", name=re.compile("Cracked kettle lid")).click()
    message = chat(kim, "Here is the photo of the lid")
    message.locator("img").first.wait_for()
    message.get_by_role("button", name=re.compile("📎 lid.jpg")).click()
    with kim.expect_download() as download:
        kim.get_by_role("button", name=re.compile("Save lid.jpg")).click()
    data = Path(download.value.path()).read_bytes()
    assert data[:3] == b"\xff\xd8\xff" and b"Ada Lovelace" not in data and b"TRAILING" not in data
    kim.context.close()


def ticket_for_the_screenshot(stack: Stack) -> str:
    """A ticket showing the helpdesk: a picture, a rated reply, triage, a running SLA."""
    service = TicketService(stack.store)
    bob = service.sign_in(stack.uid("bob"), "Bob Marley", "bob@example.com")
    ticket = service.open_ticket(bob, "Where is my parcel?", "Order 77812 has not arrived yet.")
    bob_access = service.access(bob, ticket.id)
    reply = stack.store.threads.append(
        bob_access.conv,
        NewMessage(
            "m-shot-reply",
            "assistant",
            AuthorRole.ASSISTANT,
            "Parcels usually arrive within 3-5 working days; tracking updates daily.",
        ),
    )
    FeedbackService(stack.store.threads, stack.store.feedback).rate(
        bob_access, reply.id, "down", "I need to know where it is now"
    )
    service.post(
        bob_access, "The box is damaged too, see the photo.", files=[files.photo("box.jpg")]
    )
    service.request_human(bob_access)
    handed = service.store.tickets.get(ticket.id)
    assert handed is not None
    service.observe(handed.with_changes(assistant_active=False, status=Status.WAITING_ON_AGENT))
    rules = suggest(ticket.subject, "Order 77812 has not arrived yet. The box is damaged too.")
    stack.store.triage.save(
        TriageRecord(ticket.id, rules, "model", "qwen2.5-1.5b", handed.created_at)
    )
    return ticket.id


def test_an_agent_makes_a_macro_types_its_shortcut_and_applies_it(
    browser: Any, stack: Stack
) -> None:
    ticket_id = ticket_for_the_screenshot(stack)
    page = sign_in(browser, stack, "kim")
    page.set_viewport_size({"width": 1500, "height": 1500})
    page.get_by_role("button", name="⚡ Canned responses").click()
    page.get_by_label("Shortcut").fill("parcel")
    page.get_by_label("Title").fill("Parcel on its way")
    page.get_by_label("Text").fill(
        "Hi {{customer.first_name}}, I've asked the courier about {{ticket.id}}. {{agent.name}}"
    )
    page.get_by_label("Macro: add labels").fill("shipping")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")  # close the options (they hide the rest of the form)
    page.get_by_role("button", name="Save").click()
    page.get_by_text("/parcel · ⚙️ macro").first.wait_for()
    page.get_by_role("button", name="← Back").click()
    page.get_by_role("button", name=re.compile("Where is my parcel")).click()
    page.get_by_text("Order 77812 has not arrived yet.").first.wait_for()

    expected = f"Hi Bob, I've asked the courier about {ticket_id}. Kim Park"
    box = reply_box(page)
    box.fill("/parcel")
    box.press("Tab")  # the box's value reaches the app: the shortcut becomes its text
    expect(reply_box(page)).to_have_value(expected, timeout=TIMEOUT)
    page.get_by_role("button", name="Apply macro").click()
    expect(reply_box(page)).to_have_value(f"{expected}\n\n{expected}", timeout=TIMEOUT)
    deadline = time.monotonic() + 30
    while "shipping" not in labels_of(stack, ticket_id):
        assert time.monotonic() < deadline, "the macro's label was not applied"
        time.sleep(0.3)
    chat(page, "The box is damaged too").locator("img").first.wait_for()
    page.get_by_text(re.compile(r"\b10MB per file")).first.wait_for()  # not Streamlit's 200MB
    page.get_by_text("Customer rated this reply 👎").first.wait_for()
    shot(page, "helpdesk-agent")
    reply_box(page).fill(expected)
    send_button(page).click()
    chat(page, "I've asked the courier").wait_for()
    stored = [
        m
        for m in stack.store.threads.newest(ConversationRef(ticket_id), limit=20)
        if m.author_role is AuthorRole.AGENT
    ]
    assert [m.text for m in stored] == [expected]
    page.context.close()


def labels_of(stack: Stack, ticket_id: str) -> tuple[str, ...]:
    ticket = stack.store.tickets.get(ticket_id)
    assert ticket is not None
    return ticket.labels
