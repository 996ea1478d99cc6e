"""Live pages on every backend: what a poll reads, what it shows, and to whom."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.live import LiveTicket
from config.bootstrap import Services
from tests.support.clock import Clock
from tests.support.recording import Calls, recording
from tests.support.services import access, make_services
from tests.support.users import ADA, KIM, LEE
from tickets.domain import AuthorRole, ConversationRef, MessageStatus, NewMessage
from tickets.errors import NotSignedIn
from tickets.live import LiveSettings
from tickets.store import Store

SETTINGS = LiveSettings(presence_ttl_s=20, typing_s=6)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def recorded(store: Store) -> tuple[Store, Calls]:
    return recording(store)


@pytest.fixture
def services(recorded: tuple[Store, Calls], clock: Clock) -> Services:
    svc = make_services(recorded[0], clock=clock)
    svc.settings = replace(svc.settings, live=SETTINGS)
    svc.live.settings = svc.live.presence.settings = SETTINGS
    return svc


@pytest.fixture
def calls(recorded: tuple[Store, Calls]) -> Calls:
    return recorded[1]


def open_as(services: Services, uid: str, ticket_id: str) -> LiveTicket:
    return services.live.open(access(services, uid, ticket_id), limit=30)


def texts(live: LiveTicket) -> list[str]:
    return [m.text for m in live.page.thread.messages]


def test_an_idle_poll_reads_the_marker_and_nothing_else(
    services: Services, calls: Calls, clock: Clock
) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    for uid in (ADA.uid, KIM.uid):
        live = open_as(services, uid, ticket.id)
        calls.clear()
        clock.advance(2)
        live = services.live.poll(live)
        assert list(calls) == ["activity.get"]
        calls.clear()
        clock.advance(9)  # the viewer's own entry is due for renewal: one write, of it alone
        services.live.poll(live)
        assert list(calls) == ["activity.get", "presence.put"]


def test_a_post_reaches_the_other_side_by_reading_only_what_is_new(
    services: Services, calls: Calls
) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    kim = open_as(services, KIM.uid, ticket.id)
    ada = open_as(services, ADA.uid, ticket.id)
    services.tickets.post(access(services, ADA.uid, ticket.id), "Any news?")
    calls.clear()
    kim = services.live.poll(kim)
    assert texts(kim) == ["It leaks", "Any news?"]
    assert "threads.newest" not in calls and "threads.after" in calls  # no page re-read
    assert calls.made[:3] == ["activity.get", "users.get", "tickets.get"]  # checked again
    services.tickets.post(access(services, KIM.uid, ticket.id), "VIP", internal=True)
    services.tickets.post(access(services, KIM.uid, ticket.id), "On it, Ada.")
    ada = services.live.poll(ada)
    assert texts(ada) == ["It leaks", "Any news?", "On it, Ada."]  # never the note
    assert ada.page.ticket.status.value == "waiting_on_customer"
    assert texts(services.live.poll(kim))[-2:] == ["VIP", "On it, Ada."]


def test_a_reply_streaming_elsewhere_shows_as_it_is_saved(services: Services) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    kim = open_as(services, KIM.uid, ticket.id)
    conv, threads = ConversationRef(ticket.id), services.store.threads
    pending = threads.append(
        conv, NewMessage("m-r", "assistant", AuthorRole.ASSISTANT, "", status=MessageStatus.PENDING)
    )
    kim = services.live.poll(kim)
    assert kim.page.thread.messages[-1].status is MessageStatus.PENDING
    threads.revise(conv, pending.id, lambda m: replace(m, text="Sorry to hear"))
    kim = services.live.poll(kim)
    assert texts(kim)[-1] == "Sorry to hear"
    threads.revise(
        conv,
        pending.id,
        lambda m: replace(m, text="Sorry to hear that.", status=MessageStatus.COMPLETE),
    )
    kim = services.live.poll(kim)
    assert texts(kim) == ["It leaks", "Sorry to hear that."]
    assert kim.page.thread.messages[-1].status is MessageStatus.COMPLETE


def test_a_revoked_account_sees_nothing_new(services: Services, calls: Calls) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    ada = open_as(services, ADA.uid, ticket.id)
    services.store.users.save(replace(ADA, disabled=True))
    calls.clear()
    ada = services.live.poll(ada)  # nothing new to show: nothing to check
    assert list(calls) == ["activity.get"]
    services.tickets.post(access(services, KIM.uid, ticket.id), "Here is your refund code.")
    with pytest.raises(NotSignedIn):
        services.live.poll(ada)


def test_presence_arrivals_typing_and_expiry(
    services: Services, calls: Calls, clock: Clock
) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    kim = open_as(services, KIM.uid, ticket.id)
    ada = open_as(services, ADA.uid, ticket.id)
    lee = open_as(services, LEE.uid, ticket.id)
    kim = services.live.poll(kim)
    assert kim.watchers(clock()).viewing == ("Lee Chen",) and kim.watchers(clock()).customer_here
    lee = services.live.typing(lee, public=True)
    kim, ada = services.live.poll(kim), services.live.poll(ada)
    assert kim.watchers(clock()).replying == ("Lee Chen",)
    assert ada.watchers(clock()).agent_typing and ada.watchers(clock()).viewing == ()
    lee = services.live.typing(lee, public=False)  # now a note: the customer is not told
    ada = services.live.poll(ada)
    assert not ada.watchers(clock()).agent_typing
    assert services.live.poll(kim).watchers(clock()).noting == ("Lee Chen",)
    clock.advance(7)  # no keystroke for longer than typing_s: just viewing again
    kim = services.live.poll(kim)
    assert kim.watchers(clock()).viewing == ("Lee Chen",)
    clock.advance(9)
    lee = services.live.poll(lee)  # Lee renews; renewals do not move the marker
    marker = services.store.activity.get(ticket.id)
    lee = services.live.poll(lee)
    assert services.store.activity.get(ticket.id) == marker
    clock.advance(6)  # Kim's copy of Lee's entry would have expired: read again, still there
    calls.clear()
    kim = services.live.poll(kim)
    assert "presence.live" in calls and kim.watchers(clock()).viewing == ("Lee Chen",)
    clock.advance(25)  # Lee closed the tab: the entry expires without anyone deleting it
    kim = services.live.poll(kim)
    assert kim.watchers(clock()).viewing == () and not kim.watchers(clock()).customer_here


def test_leaving_and_stopping_typing_are_seen_at_once(services: Services, clock: Clock) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    kim = open_as(services, KIM.uid, ticket.id)
    lee = services.live.typing(open_as(services, LEE.uid, ticket.id), public=True)
    assert services.live.poll(kim).watchers(clock()).replying == ("Lee Chen",)
    lee = services.live.stopped_typing(lee)
    assert services.live.poll(kim).watchers(clock()).viewing == ("Lee Chen",)
    services.live.leave(lee)
    assert services.live.poll(kim).watchers(clock()).viewing == ()


def test_a_public_reply_by_another_agent_since_a_draft_began_is_a_collision(
    services: Services,
) -> None:
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    kim = open_as(services, KIM.uid, ticket.id)
    began = kim.page.ticket.last_seq
    services.tickets.post(access(services, LEE.uid, ticket.id), "VIP", internal=True)
    services.tickets.post(access(services, KIM.uid, ticket.id), "My own earlier reply")
    assert services.live.replied_since(kim, began) is None
    reply = services.tickets.post(access(services, LEE.uid, ticket.id), "Refund is on its way")
    found = services.live.replied_since(kim, began)
    assert found is not None and found.id == reply.id
    assert services.live.replied_since(kim, reply.seq) is None
