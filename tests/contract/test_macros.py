"""Canned responses and macros on both stores: managed by agents only, filled per ticket and
agent, several into one draft, a macro's actions in one call."""

from __future__ import annotations

import pytest

from config.bootstrap import Services
from tests.support.services import access, make_services
from tests.support.users import ADA, KIM, LEE
from tickets.domain import Priority, Status
from tickets.errors import AccessDenied, InvalidInput
from tickets.store import Store


@pytest.fixture
def services(store: Store) -> Services:
    return make_services(store)


def test_agents_keep_shared_snippets_that_fill_their_variables(services: Services) -> None:
    snippets = services.snippets
    snippets.save(
        KIM,
        shortcut="/Thanks",
        title="Thank you",
        body="Hi {{customer.first_name}}, thanks for ticket {{ticket.id}}. {{agent.name}}",
    )
    snippets.save(
        LEE, shortcut="refund-ok", title="Refund approved", body="Your refund is on its way."
    )
    assert [s.shortcut for s in snippets.snippets(LEE)] == ["refund-ok", "thanks"]  # shared
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    kim = access(services, KIM.uid, ticket.id)
    assert snippets.insert(kim, "thanks") == f"Hi Ada, thanks for ticket {ticket.id}. Kim Park"
    draft = snippets.expand(kim, "/thanks\n\n/refund-ok\nSee /var/log and 12/05 /nothing")
    assert draft == (
        f"Hi Ada, thanks for ticket {ticket.id}. Kim Park\n\nYour refund is on its way.\n"
        "See /var/log and 12/05 /nothing"
    )
    assert services.store.threads.last_seq(kim.conv) == 1  # inserting sends nothing


def test_customers_can_neither_use_nor_see_nor_manage_snippets(services: Services) -> None:
    services.snippets.save(KIM, shortcut="thanks", title="Thanks", body="Thanks!")
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    ada = access(services, ADA.uid, ticket.id)
    for call in (
        lambda: services.snippets.snippets(ADA),
        lambda: services.snippets.save(ADA, shortcut="x", title="x", body="x"),
        lambda: services.snippets.delete(ADA, "sn-thanks"),
        lambda: services.snippets.insert(ada, "thanks"),
        lambda: services.snippets.expand(ada, "/thanks"),
        lambda: services.snippets.apply(ada, "thanks"),
    ):
        with pytest.raises(AccessDenied):
            call()


def test_snippets_are_validated_renamed_and_deleted(services: Services) -> None:
    snippets = services.snippets
    for bad in ({"shortcut": "has space"}, {"shortcut": ""}, {"body": "Hi {{customer.password}}"}):
        fields = {"shortcut": "ok", "title": "Ok", "body": "Fine"} | bad
        with pytest.raises(InvalidInput):
            snippets.save(KIM, **fields)  # type: ignore[arg-type]
    snippets.save(KIM, shortcut="old", title="Old", body="Body")
    snippets.save(KIM, shortcut="new", title="New", body="Body", replacing="sn-old")
    assert [s.shortcut for s in snippets.snippets(KIM)] == ["new"]
    snippets.delete(KIM, "sn-new")
    assert snippets.snippets(KIM) == []
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    with pytest.raises(InvalidInput):
        snippets.insert(access(services, KIM.uid, ticket.id), "new")


def test_a_macro_applies_text_status_labels_priority_and_assignment_in_one_call(
    services: Services, store: Store
) -> None:
    services.snippets.save(
        KIM,
        shortcut="rma",
        title="Start a return",
        body="Hi {{customer.first_name}}, I've started your return.",
        status=Status.WAITING_ON_CUSTOMER,
        labels=("return", "kettle"),
        assign="me",
        priority=Priority.HIGH,
    )
    ticket = services.tickets.open_ticket(ADA, "Kettle leaks", "It leaks")
    kim = access(services, KIM.uid, ticket.id)
    services.tickets.set_labels(kim, ["vip"])
    applied = services.snippets.apply(access(services, LEE.uid, ticket.id), "rma")
    assert applied.text == "Hi Ada, I've started your return."
    stored = store.tickets.get(ticket.id)
    assert stored is not None
    assert (stored.status, stored.assignee_uid, stored.priority) == (
        Status.WAITING_ON_CUSTOMER,
        LEE.uid,
        Priority.HIGH,
    )
    assert stored.labels == ("vip", "return", "kettle")
    assert (applied.ticket.status, applied.ticket.labels) == (stored.status, stored.labels)
    assert store.threads.last_seq(kim.conv) > 1  # system events of the changes, no reply
    assert not [
        m for m in store.threads.newest(kim.conv, limit=20) if m.author_role.value == "agent"
    ]
