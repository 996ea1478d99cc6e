"""Revocation reaches a page that is already open, in a real browser: a customer disabled
while their ticket is on screen cannot post or get a reply (the chat is a fragment that
reruns on its own), and an agent revoked and disabled while the export popover is open
cannot download the transcript with its internal notes (the download runs later, deferred)."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, Stack
from tests.e2e.test_browser import fresh, sign_in
from tickets.domain import ConversationRef, Role
from tickets.service import TicketService

pytestmark = pytest.mark.e2e
NOTE = "Internal: chargeback risk, do not refund"


def disable(stack: Stack, who: str, *, revoke: bool = False) -> None:
    user = stack.store.users.get(stack.uid(who))
    assert user is not None
    changed = replace(user, disabled=True, role=Role.CUSTOMER if revoke else user.role)
    stack.store.users.save(changed)  # what the operator does meanwhile


def test_a_customer_disabled_while_the_page_is_open_cannot_post(browser: Any, stack: Stack) -> None:
    page = sign_in(browser, stack, "dan")
    page.get_by_label("Subject").fill("Blender is noisy")
    page.get_by_label("Message").fill("It rattles at full speed.")
    page.get_by_role("button", name="Open ticket").click()
    page.get_by_text("Hello from the fake server.").first.wait_for()
    ticket_id = page.evaluate("new URLSearchParams(location.search).get('ticket')")
    conv = ConversationRef(ticket_id)
    before = len(stack.store.threads.newest(conv, limit=20))
    calls = len(stack.model.streamed())  # triage runs in the background meanwhile

    box = page.get_by_placeholder("Write a message")
    box.wait_for()
    page.wait_for_load_state("networkidle")
    time.sleep(2)  # the rerun after the streamed reply has settled
    box.fill("Are you still there?")
    disable(stack, "dan")
    page.keyboard.press("Enter")  # reruns the chat fragment only, not the page
    page.get_by_text("signed out", exact=False).first.wait_for()
    time.sleep(2)
    assert page.get_by_text("Traceback").count() == 0  # said plainly, not as a crash
    page.screenshot(path=str(ARTIFACTS / "revoked-customer.png"))
    texts = [m.text for m in stack.store.threads.newest(conv, limit=20)]
    assert len(texts) == before and "Are you still there?" not in texts
    assert len(stack.model.streamed()) == calls  # and no reply was asked for
    page.context.close()


def test_a_revoked_agents_open_export_popover_downloads_nothing(browser: Any, stack: Stack) -> None:
    service = TicketService(stack.store)
    ada = service.sign_in(stack.uid("ada"), "Ada Lovelace", "ada@example.com")
    kim = service.current_user(stack.uid("kim"))
    ticket = service.open_ticket(ada, "Chargeback question", "Why was I charged twice?")
    service.post(service.access(kim, ticket.id), NOTE, internal=True)

    page = sign_in(browser, stack, "lee")
    page.get_by_role("button", name=re.compile("Chargeback question")).first.click()
    page.get_by_text("Why was I charged twice?").first.wait_for()
    page.get_by_role("button", name="⬇ Export").click()
    page.get_by_text("JSON", exact=True).click()
    page.get_by_text("Include internal notes").click()
    expect(page.get_by_role("checkbox", name="Include internal notes")).to_be_checked()
    # the button of the JSON file with the notes, once the reruns have drawn it
    button = fresh(page).and_(page.locator(f".st-key-dl-{ticket.id}-json-internal"))
    expect(button).to_have_count(1)
    download = button.get_by_role("button", name="Download transcript")
    with page.expect_download() as first:  # while Lee is an agent, it works
        download.click()
    assert NOTE in Path(first.value.path()).read_text(encoding="utf-8")
    before = [e for e in stack.store.audit.find(ticket.id) if e.kind == "export"]
    assert len(before) == 1

    disable(stack, "lee", revoke=True)
    got: list[Path] = []
    page.on("download", lambda d: got.append(Path(d.path())))
    download.click()
    time.sleep(5)
    page.screenshot(path=str(ARTIFACTS / "revoked-agent-export.png"))
    leaked = [p for p in got if NOTE in p.read_text(encoding="utf-8", errors="replace")]
    assert leaked == [] and got == []
    exports = [e for e in stack.store.audit.find(ticket.id) if e.kind == "export"]
    assert exports == before  # nothing more was exported
    page.context.close()
