"""firestore.rules validate every field they accept (real rule evaluation on the emulator):
the writes the outside attack made through the old rules are refused now, each one next to
the allowed write it was made from, so a denial can only come from the field under test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.rules.test_firestore_rules import World, bump, denied, message_fields, ok, post
from tests.support.emulator import Emulator
from tests.support.rest_client import RestClient

pytestmark = pytest.mark.firestore
HUGE = "x" * 900_000


@pytest.fixture
def world(firestore_emulator: Emulator) -> World:
    return World(firestore_emulator)


def new_ticket(ticket_id: str, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": ticket_id,
        "customerUid": "ada",
        "customerName": "Ada",
        "subject": "Toaster",
        "status": "open",
        "assigneeUid": None,
        "labels": [],
        "lastSeq": 0,
        "lastCustomerSeq": 0,
        "lastAuthorRole": None,
        "assistantActive": True,
        "searchKeys": [],
    }
    return fields | changes


def create(client: RestClient, fields: dict[str, Any]) -> Any:
    path = f"tickets/{fields['id']}"
    write = client.write(path, fields, create=True, server_time=("createdAt", "updatedAt"))
    return client.commit(write)


@pytest.mark.parametrize(
    "forged",
    [
        {"lastAuthorRole": "root"},
        {"customerName": 12345},
        {"customerName": HUGE},
        {"customerName": "x" * 101},
        {"customerName": "enc:v1:k1:AAAA"},
        {"customerName": "Ada \u202eevil"},
        {"subject": "enc:v1:k1:AAAA"},
        {"subject": "line one\nline two"},
        {"subject": ""},
        {"subject": 42},
        {"searchKeys": ["kettle", "ke"]},
        {"seenBy": {"kim": 5}},
        {"lastSeq": 3},
        {"lastCustomerSeq": 3},
        {"lastMessageId": "m-ada-1"},
        {"assistantActive": "yes"},
        {"labels": ["vip"]},
        {"status": "resolved"},
        {"assigneeUid": "kim"},
        {"unknownField": 1},
    ],
    ids=lambda forged: next(iter(forged)) + "=" + repr(next(iter(forged.values())))[:20],
)
def test_a_customers_new_ticket_is_validated(world: World, forged: dict[str, Any]) -> None:
    ada = world.customer("ada")
    assert ok(create(ada, new_ticket("tk-good")))
    assert denied(create(ada, new_ticket("tk-forged", **forged)))


@pytest.mark.parametrize(
    "forged",
    [
        {"usage": {"promptTokens": "x", "completionTokens": 1}},
        {"usage": {"promptTokens": 1, "completionTokens": 1}},
        {"error": HUGE},
        {"error": "x"},
        {"replyTo": HUGE},
        {"replyTo": "m-note"},
        {"text": "enc:v1:k1:AAAA"},
        {"text": "enc:anything"},
        {"text": "é" * 8000 + "é"},
        {"seq": "3"},
        {"authorRole": "root"},
        {"attempt": 2},
    ],
    ids=lambda forged: next(iter(forged)) + "=" + repr(next(iter(forged.values())))[:20],
)
def test_a_message_is_validated(world: World, forged: dict[str, Any]) -> None:
    ada = world.customer("ada")
    assert denied(post(ada, world, "tk-ada", author="ada", customize=lambda f: f.update(forged)))
    assert ok(post(ada, world, "tk-ada", author="ada", mid="m-fine"))


def test_lastseq_and_updatedat_only_move_with_a_message(world: World) -> None:
    ada, kim = world.customer("ada"), world.agent()
    seq = world.last_seq("tk-ada") + 1
    alone: list[Callable[[], Any]] = [
        lambda: ada.commit(bump(ada, "tk-ada", seq, "m-nothing", "customer")),
        lambda: ada.commit(bump(ada, "tk-ada", seq, "m-ada-1", "customer")),  # an old message
        lambda: ada.commit(bump(kim, "tk-ada", seq, "m-note", "customer")),
        lambda: kim.commit(bump(kim, "tk-ada", seq, "m-nothing", "agent")),
        lambda: kim.commit(bump(kim, "tk-ada", seq, "m-note", "agent", public=False)),
    ]
    for attempt in alone:
        assert denied(attempt())
    stamp_only = ada.write("tickets/tk-ada", {}, create=False, mask=(), server_time=("updatedAt",))
    assert denied(ada.commit(stamp_only))  # to the top of the queue as unread, for nothing
    assert denied(kim.commit(stamp_only))
    assert ok(post(ada, world, "tk-ada", author="ada"))  # with its message, it works


def test_a_customer_cannot_post_in_someone_elses_name_through_the_ticket(world: World) -> None:
    ada = world.customer("ada")
    seq = world.last_seq("tk-ada") + 1
    message = message_fields("m-x", seq, "ada", "customer")
    write = ada.write(
        "tickets/tk-ada/messages/m-x", message, create=True, server_time=("createdAt",)
    )
    other = bump(ada, "tk-ada", seq, "m-other", "customer")  # names another message
    assert denied(ada.commit(write, other))
    assert ok(ada.commit(write, bump(ada, "tk-ada", seq, "m-x", "customer")))


def test_an_internal_note_moves_nothing_a_customer_sees(world: World) -> None:
    kim = world.agent()

    def note(mid: str, **kwargs: Any) -> Any:
        seq = world.last_seq("tk-ada") + 1
        fields = message_fields(mid, seq, "kim", "agent", "note", "internal")
        write = kim.write(
            f"tickets/tk-ada/messages/{mid}", fields, create=True, server_time=("createdAt",)
        )
        return kim.commit(write, bump(kim, "tk-ada", seq, mid, "agent", **kwargs))

    assert denied(note("m-n1", public=False, stamp=True))  # would move the customer's activity
    assert denied(note("m-n2", public=False, extra={"lastAuthorRole": "agent"}))
    assert ok(note("m-n3", public=False))
    assert ok(post(kim, world, "tk-ada", author="kim", role="agent", mid="m-public"))


@pytest.mark.parametrize(
    ("fields", "allowed"),
    [
        ({"labels": ["refund", "vip"]}, True),
        ({"labels": ["Not Valid"]}, False),
        ({"labels": [42]}, False),
        ({"labels": "refund"}, False),
        ({"labels": [f"l{i}" for i in range(11)]}, False),
        ({"assigneeUid": "lee"}, True),
        ({"assigneeUid": "bob"}, False),  # a customer is no assignee
        ({"assigneeUid": "../x"}, False),
        ({"status": "deleted"}, False),
        ({"assistantActive": "no"}, False),
        ({"seenBy": {"kim": 1}}, False),  # read state lives in users/{uid}/seen now
        ({"customerName": "Someone else"}, False),
        ({"subject": "Rewritten"}, False),
        ({"searchKeys": ["x"]}, False),
        ({"lastCustomerSeq": 9}, False),
        ({"lastAuthorRole": "agent"}, False),  # "last to speak" without speaking
    ],
    ids=lambda v: repr(v)[:40],
)
def test_agent_triage_is_validated(world: World, fields: dict[str, Any], allowed: bool) -> None:
    kim = world.agent()
    write = kim.write(
        "tickets/tk-ada", fields, create=False, mask=tuple(fields), server_time=("changedAt",)
    )
    assert ok(kim.commit(write)) is allowed


def test_every_change_moves_changedat_for_the_live_queue(world: World) -> None:
    """A change the agents' queue would not see is refused (it polls ``changedAt``)."""
    kim = world.agent()
    fields = {"labels": ["refund"]}
    unseen = kim.write("tickets/tk-ada", fields, create=False, mask=tuple(fields))
    assert denied(kim.commit(unseen))
    backdated = kim.write(
        "tickets/tk-ada",
        fields | {"changedAt": world.store.tickets.get("tk-ada").created_at},  # type: ignore[union-attr]
        create=False,
        mask=(*fields, "changedAt"),
    )
    assert denied(kim.commit(backdated))
    seen = kim.write(
        "tickets/tk-ada", fields, create=False, mask=tuple(fields), server_time=("changedAt",)
    )
    assert ok(kim.commit(seen))


def test_updatedat_moves_only_with_what_a_customer_sees(world: World) -> None:
    kim = world.agent()

    def triage(fields: dict[str, Any]) -> Any:
        write = kim.write(
            "tickets/tk-ada",
            fields,
            create=False,
            mask=tuple(fields),
            server_time=("updatedAt", "changedAt"),
        )
        return kim.commit(write)

    assert denied(triage({"labels": ["refund"]}))
    assert denied(triage({"assigneeUid": "lee"}))
    assert ok(triage({"status": "waiting_on_customer"}))
    assert ok(triage({"assistantActive": False}))


def test_only_the_server_marks_a_handoff_and_an_agent_may_clear_it(world: World) -> None:
    kim, ada = world.agent(), world.customer("ada")
    now = world.store.tickets.get("tk-ada").created_at  # type: ignore[union-attr]

    def set_handoff(client: RestClient, value: Any) -> Any:
        fields = {"handoffAt": value}
        write = client.write(
            "tickets/tk-ada", fields, create=False, mask=tuple(fields), server_time=("changedAt",)
        )
        return client.commit(write)

    assert denied(set_handoff(kim, now))  # an agent cannot raise a handoff by hand
    assert denied(set_handoff(ada, now))
    assert ok(set_handoff(kim, None))  # but may clear one once answered
    assert denied(create(ada, new_ticket("tk-new-h", handoffAt=now)))
