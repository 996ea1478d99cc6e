"""Access checks in the service layer, on both adapters."""

from __future__ import annotations

import pytest

from tests.support.users import ADA, BOB
from tests.support.users import KIM as AGENT
from tests.support.users import LEE as AGENT2
from tickets.domain import AuthorRole, Role, Status, User, Visibility
from tickets.errors import AccessDenied, InvalidId, InvalidInput, NotSignedIn, TicketNotFound
from tickets.queue import QueueFilter
from tickets.service import TicketService
from tickets.store import Store


@pytest.fixture
def service(people: Store) -> TicketService:
    return TicketService(people)


def test_customer_sees_only_own_tickets(service: TicketService) -> None:
    mine = service.open_ticket(ADA, "Broken kettle", "It leaks")
    theirs = service.open_ticket(BOB, "Invoice", "Wrong VAT")
    assert [t.id for t in service.my_tickets(ADA)] == [mine.id]
    assert [t.id for t in service.my_tickets(BOB)] == [theirs.id]


@pytest.mark.parametrize(
    "action",
    [
        lambda s, u, t: s.ticket(u, t),
        lambda s, u, t: s.thread(s.access(u, t)),
        lambda s, u, t: s.post(s.access(u, t), "let me in"),
        lambda s, u, t: s.request_human(s.access(u, t)),
        lambda s, u, t: "".join(s.export(u.uid, t, "json")),
    ],
    ids=["get", "thread", "post", "request_human", "export"],
)
def test_other_customers_ticket_looks_missing(service: TicketService, action) -> None:  # type: ignore[no-untyped-def]
    theirs = service.open_ticket(BOB, "Invoice", "Wrong VAT")
    with pytest.raises(TicketNotFound) as other:
        action(service, ADA, theirs.id)
    with pytest.raises(TicketNotFound) as missing:
        action(service, ADA, "tk-doesnotexist")
    assert str(other.value).replace(theirs.id, "X") == str(missing.value).replace(
        "tk-doesnotexist", "X"
    )  # same answer: existence is not revealed
    assert len(service.thread(service.access(BOB, theirs.id)).messages) == 1  # nothing was written


def test_customers_never_see_internal_notes(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Broken kettle", "It leaks")
    service.post(
        service.access(AGENT, ticket.id), "Customer is a VIP; refund without asking", internal=True
    )
    service.post(service.access(AGENT, ticket.id), "Sorry! A refund is on its way.")
    customer_view = service.thread(service.access(ADA, ticket.id)).messages
    agent_view = service.thread(service.access(AGENT, ticket.id)).messages
    assert [m.visibility for m in customer_view] == [Visibility.PUBLIC, Visibility.PUBLIC]
    assert len(agent_view) == 3 and agent_view[1].is_internal
    with pytest.raises(AccessDenied):
        service.post(service.access(ADA, ticket.id), "sneaky", internal=True)


def test_customer_cannot_use_agent_actions(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Broken kettle", "It leaks")
    for call in (
        lambda: service.assign(service.access(ADA, ticket.id), ADA.uid),
        lambda: service.set_status(service.access(ADA, ticket.id), Status.RESOLVED),
        lambda: service.set_labels(service.access(ADA, ticket.id), ["vip"]),
        lambda: service.queue(ADA, QueueFilter()),
        lambda: service.set_assistant_active(service.access(ADA, ticket.id), True),
    ):
        with pytest.raises(AccessDenied):
            call()


@pytest.mark.parametrize("bad", ["", "a/b", ".", "..", "__name__", "x" * 65, "tk 1", "ü", None])
def test_bad_ids_are_refused_before_the_store(service: TicketService, bad: object) -> None:
    with pytest.raises(InvalidId) as err:
        service.ticket(ADA, bad)  # type: ignore[arg-type]
    assert "not a valid ticket id" in str(err.value)
    with pytest.raises(InvalidId):
        service.post(service.access(ADA, bad), "hi")  # type: ignore[arg-type]


def test_bad_message_ids_are_refused(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Broken kettle", "It leaks")
    with pytest.raises(InvalidId):
        service.post(service.access(ADA, ticket.id), "hi", message_id="../evil")


def test_retried_post_with_same_id_is_stored_once(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Broken kettle", "It leaks")
    first = service.post(service.access(ADA, ticket.id), "Any news?", message_id="m-retry-1")
    again = service.post(service.access(ADA, ticket.id), "Any news?", message_id="m-retry-1")
    assert first.seq == again.seq
    assert len(service.thread(service.access(ADA, ticket.id)).messages) == 2


def test_agent_queue_filters(service: TicketService) -> None:
    kettle = service.open_ticket(ADA, "Broken kettle", "It leaks")
    invoice = service.open_ticket(BOB, "Invoice VAT", "Wrong VAT")
    service.assign(service.access(AGENT, kettle.id), AGENT.uid)
    mine = service.queue(AGENT, QueueFilter(scope="mine"))
    assert [i.ticket.id for i in mine] == [kettle.id]
    unassigned = service.queue(AGENT, QueueFilter(scope="unassigned"))
    assert [i.ticket.id for i in unassigned] == [invoice.id]
    by_customer = service.queue(AGENT, QueueFilter(search="bob"))
    assert [i.ticket.id for i in by_customer] == [invoice.id]
    two_words = service.queue(AGENT, QueueFilter(search="broken kettle"))
    assert [i.ticket.id for i in two_words] == [kettle.id]
    assert service.queue(AGENT, QueueFilter(search="kettle invoice")) == []
    counts = service.queue_counts(AGENT)
    assert counts["mine"] == 1 and counts["unassigned"] == 1 and counts["open"] == 2


def test_unread_first_and_seen(service: TicketService) -> None:
    old = service.open_ticket(ADA, "Old question", "hello")
    new = service.open_ticket(BOB, "New question", "hello")
    service.mark_seen(service.access(AGENT, new.id))
    service.mark_seen(service.access(AGENT, old.id))
    service.post(service.access(ADA, old.id), "any news?")
    items = service.queue(AGENT, QueueFilter())
    assert [(i.ticket.id, i.unread) for i in items] == [(old.id, True), (new.id, False)]
    assert all(i.unread for i in service.queue(AGENT2, QueueFilter()))  # read state is per agent


def test_agent_reply_takes_over_from_the_assistant(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Broken kettle", "It leaks")
    assert service.ticket(ADA, ticket.id).assistant_active
    service.post(service.access(AGENT, ticket.id), "I'll handle this personally.")
    after = service.ticket(ADA, ticket.id)
    assert not after.assistant_active and after.status is Status.WAITING_ON_CUSTOMER
    service.post(service.access(ADA, ticket.id), "Thanks, here is a photo")
    assert service.ticket(ADA, ticket.id).status is Status.WAITING_ON_AGENT


def test_request_human(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Broken kettle", "It leaks")
    updated = service.request_human(service.access(ADA, ticket.id))
    assert updated.status is Status.WAITING_ON_AGENT
    messages = service.thread(service.access(ADA, ticket.id)).messages
    assert messages[-1].author_role is AuthorRole.SYSTEM
    service.request_human(service.access(ADA, ticket.id))  # asking twice adds no second notice
    assert len(service.thread(service.access(ADA, ticket.id)).messages) == len(messages)


def test_assign_only_to_agents(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Broken kettle", "It leaks")
    with pytest.raises(InvalidInput):
        service.assign(service.access(AGENT, ticket.id), BOB.uid)
    assigned = service.assign(service.access(AGENT, ticket.id), AGENT2.uid)
    assert assigned.assignee_uid == AGENT2.uid
    assert service.assign(service.access(AGENT, ticket.id), None).assignee_uid is None


def test_revoked_agent_loses_access_on_next_request(service: TicketService, store: Store) -> None:
    ticket = service.open_ticket(ADA, "Broken kettle", "It leaks")
    agent = service.current_user(AGENT.uid)
    assert service.ticket(agent, ticket.id).id == ticket.id
    store.users.save(User(AGENT.uid, Role.CUSTOMER, AGENT.display_name))
    demoted = service.current_user(AGENT.uid)
    with pytest.raises(TicketNotFound):
        service.ticket(demoted, ticket.id)
    store.users.save(User(AGENT.uid, Role.AGENT, AGENT.display_name, disabled=True))
    with pytest.raises(NotSignedIn):
        service.current_user(AGENT.uid)


def test_labels_and_status(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Broken kettle", "It leaks")
    labelled = service.set_labels(service.access(AGENT, ticket.id), ["Refund", "vip", "refund"])
    assert labelled.labels == ("refund", "vip")
    with pytest.raises(InvalidInput):
        service.set_labels(service.access(AGENT, ticket.id), ["no spaces"])
    with pytest.raises(InvalidInput):
        service.set_status(service.access(AGENT, ticket.id), "closed-forever")
    assert (
        service.set_status(service.access(AGENT, ticket.id), "resolved").status is Status.RESOLVED
    )
    service.post(service.access(ADA, ticket.id), "It broke again")
    assert service.ticket(ADA, ticket.id).status is Status.OPEN


def test_thread_pages(service: TicketService) -> None:
    ticket = service.open_ticket(ADA, "Long one", "message 1")
    for i in range(2, 8):
        service.post(service.access(ADA, ticket.id), f"message {i}")
    page = service.thread(service.access(ADA, ticket.id), limit=3)
    assert [m.text for m in page.messages] == ["message 5", "message 6", "message 7"]
    assert page.has_older
    older = service.thread(service.access(ADA, ticket.id), before_seq=page.oldest_seq, limit=3)
    assert [m.text for m in older.messages] == ["message 2", "message 3", "message 4"]
    oldest = service.thread(service.access(ADA, ticket.id), before_seq=older.oldest_seq, limit=3)
    assert [m.text for m in oldest.messages] == ["message 1"] and not oldest.has_older
