"""Live updates in a real browser: two people on one ticket, nobody clicking to refresh.

Each test measures from the moment a message is stored to the moment the other page shows
it, and holds it to the issue's targets (5 s for a thread, 10 s for the queue) on these two
shared cores; waits are on conditions, never sleeps.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.e2e.conftest import USERS, Stack
from tests.e2e.test_browser import TIMEOUT, chat, reply_box, send_button, shot
from tickets.domain import Role, Status, User
from tickets.service import TicketService

pytestmark = pytest.mark.e2e
LIVE_MS = 5_000  # a post shows on the other side within 5 s
QUEUE_MS = 10_000  # the queue shows a change within 10 s


def sign_in_at(browser: Any, base_url: str, who: str, path: str = "/") -> Any:
    """A new browser context signed in as ``who`` (a predefined user, or any other subject
    typed into the provider's form)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(base_url + path)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/oauth2/authorize.*"))
    if who in USERS:
        page.locator(f"button[name='sub'][value='{who}']").click()
    else:
        page.locator("input[name='sub']").fill(who)
        page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(base_url) + r".*"))
    signed_in = page.get_by_text("Signed in as" if who in ("ada", "bob") else "· agent").first
    signed_in.wait_for()
    if path != "/":  # the sign-in round trip drops the query string
        page.goto(base_url + path)
        signed_in.wait_for()
    return page


def arrives(page: Any, text: str, within_ms: int) -> float:
    """Seconds until ``text`` shows in the thread of ``page`` (fails after ``within_ms``)."""
    start = time.monotonic()
    chat(page, text).wait_for(timeout=within_ms)
    return time.monotonic() - start


def focused_label(page: Any) -> str | None:
    label: str | None = page.evaluate(
        "document.activeElement && document.activeElement.getAttribute('aria-label')"
    )
    return label


def people(stack: Stack) -> tuple[TicketService, User, User, User]:
    service = TicketService(stack.store)
    ada = service.sign_in(stack.uid("ada"), "Ada Lovelace", "ada@example.com")
    bob = service.sign_in(stack.uid("bob"), "Bob Marley", "bob@example.com")
    kim = service.current_user(stack.uid("kim"))
    return service, ada, bob, kim


def test_a_customer_message_reaches_the_agents_thread_and_queue_by_itself(
    browser: Any, stack: Stack
) -> None:
    service, ada, _, kim = people(stack)
    ticket = service.open_ticket(ada, "Blender is loud", "It whines at full speed.")
    other = service.open_ticket(ada, "Fridge hums", "Humming all night.")
    service.assign(service.access(kim, other.id), kim.uid)
    agent = sign_in_at(browser, stack.app_url, "kim", f"/?ticket={ticket.id}")
    agent.get_by_text("It whines at full speed.").first.wait_for()
    box = reply_box(agent)
    box.click()
    agent.keyboard.type("Draft that must survive", delay=15)
    customer = sign_in_at(browser, stack.app_url, "ada", f"/?ticket={ticket.id}")
    agent.get_by_text("the customer has this ticket open").wait_for(timeout=LIVE_MS)
    customer.get_by_placeholder("Write a message").fill("It got louder today.")
    customer.keyboard.press("Enter")
    chat(customer, "It got louder today.").wait_for()  # stored: the clock starts
    seen_after = arrives(agent, "It got louder today.", LIVE_MS)
    assert box.input_value() == "Draft that must survive"
    assert focused_label(agent) == "Your reply"  # still typing where they were
    service.post(service.access(ada, other.id), "Now it clicks too.")
    agent.get_by_role("button", name=re.compile(r"🔵 Fridge hums")).wait_for(timeout=QUEUE_MS)
    agent.get_by_text("Ada Lovelace wrote on Fridge hums").wait_for(timeout=QUEUE_MS)
    assert box.input_value() == "Draft that must survive"
    shot(agent, "live-agent")
    print(f"customer message on the agent's page after {seen_after:.1f} s")
    agent.context.close()
    customer.context.close()


def test_an_agent_reply_and_a_status_change_reach_the_customer_by_themselves(
    browser: Any, stack: Stack
) -> None:
    service, ada, _, kim = people(stack)
    ticket = service.open_ticket(ada, "Kettle whistles", "It whistles when it is cold.")
    customer = sign_in_at(browser, stack.app_url, "ada", f"/?ticket={ticket.id}")
    customer.get_by_text("It whistles when it is cold.").first.wait_for()
    draft = customer.get_by_placeholder("Write a message")
    draft.fill("half-typed question")
    agent = sign_in_at(browser, stack.app_url, "kim", f"/?ticket={ticket.id}")
    reply_box(agent).click()
    agent.keyboard.type("We will send you a new lid.", delay=40)
    customer.get_by_text("An agent is typing").wait_for(timeout=LIVE_MS)
    send_button(agent).click()
    chat(agent, "We will send you a new lid.").wait_for()
    reply_after = arrives(customer, "We will send you a new lid.", LIVE_MS)
    assert customer.get_by_text("An agent is typing").count() == 0
    service.set_status(service.access(kim, ticket.id), Status.RESOLVED)
    start = time.monotonic()
    customer.get_by_text("Your ticket was resolved. Reply to reopen it.").wait_for(timeout=LIVE_MS)
    status_after = time.monotonic() - start
    customer.get_by_text("Resolved", exact=True).first.wait_for()
    sidebar = customer.locator("[data-testid='stSidebar']")
    sidebar.get_by_role("button", name=re.compile("Kettle whistles.*Resolved")).wait_for()
    assert draft.input_value() == "half-typed question"
    shot(customer, "live-customer")
    print(f"agent reply after {reply_after:.1f} s, status change after {status_after:.1f} s")
    agent.context.close()
    customer.context.close()


def test_presence_shows_the_second_agent_and_a_collision_asks_first(
    browser: Any, stack: Stack
) -> None:
    service, _, bob, _ = people(stack)
    stack.store.users.save(User(stack.uid("lee"), Role.AGENT, "Lee Chen", "lee@example.com"))
    ticket = service.open_ticket(bob, "Router drops Wi-Fi", "Every evening at eight.")
    kim = sign_in_at(browser, stack.app_url, "kim", f"/?ticket={ticket.id}")
    lee = sign_in_at(browser, stack.app_url, "lee", f"/?ticket={ticket.id}")
    lee_name = "[Ll]ee( Chen)?"  # the provider sends no name for a typed-in subject
    kim.get_by_text(re.compile(lee_name + " is viewing")).wait_for(timeout=LIVE_MS)
    reply_box(kim).click()
    kim.keyboard.type("Please restart the router.", delay=40)
    lee.get_by_text("Kim Park is replying").wait_for(timeout=LIVE_MS)
    reply_box(lee).fill("A technician is on the way.")
    send_button(lee).click()
    arrives(kim, "A technician is on the way.", LIVE_MS)
    send_button(kim).click()
    kim.get_by_text(re.compile(lee_name + " sent the customer a public reply")).wait_for()
    assert reply_box(kim).input_value() == "Please restart the router."
    kim.get_by_role("button", name="Send anyway").click()
    arrives(lee, "Please restart the router.", LIVE_MS)
    kim.context.close()
    lee.context.close()


def test_two_streamlit_processes_on_one_firestore(browser: Any, stack: Stack, replica: str) -> None:
    service, _, bob, kim = people(stack)
    ticket = service.open_ticket(bob, "Printer jams", "Paper jams on page two.")
    service.set_assistant_active(service.access(kim, ticket.id), False)
    customer = sign_in_at(browser, stack.app_url, "bob", f"/?ticket={ticket.id}")
    agent = sign_in_at(browser, replica, "kim", f"/?ticket={ticket.id}")
    reply_box(agent).fill("Please try the rear tray.")
    send_button(agent).click()
    chat(agent, "Please try the rear tray.").wait_for()
    to_customer = arrives(customer, "Please try the rear tray.", LIVE_MS)
    customer.get_by_placeholder("Write a message").fill("The rear tray works.")
    customer.keyboard.press("Enter")
    chat(customer, "The rear tray works.").wait_for()
    to_agent = arrives(agent, "The rear tray works.", LIVE_MS)
    print(f"across replicas: to the customer {to_customer:.1f} s, to the agent {to_agent:.1f} s")
    agent.context.close()
    customer.context.close()
