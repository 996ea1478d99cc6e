"""firestore.rules with real rule evaluation on the emulator, as each kind of user.

Every allow is exercised, and a deny for each way in: another customer's ticket, internal
notes, a forged author, oversized text, updates and deletes, no sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.firestore import firestore_store
from storage.firestore.client import make_firestore_client
from storage.settings import StoreSettings
from tests.conftest import new_project_id
from tests.support.emulator import Emulator
from tests.support.factories import created, make_ticket
from tests.support.rest_client import RestClient, load_rules
from tickets.domain import (
    AuthorRole,
    ConversationRef,
    NewMessage,
    Role,
    User,
    Visibility,
)
from tickets.live import ActivityKind

RULES = (Path(__file__).resolve().parents[2] / "firestore.rules").read_text()
pytestmark = pytest.mark.firestore


class World:
    def __init__(self, emulator: Emulator) -> None:
        self.project = new_project_id()
        self.host = emulator.host
        load_rules(self.host, self.project, RULES)
        settings = StoreSettings("firestore", project=self.project, emulator_host=self.host)
        self.store = firestore_store(make_firestore_client(settings))[0]
        for user in (
            User("ada", Role.CUSTOMER, "Ada"),
            User("bob", Role.CUSTOMER, "Bob"),
            User("kim", Role.AGENT, "Kim"),
            User("lee", Role.AGENT, "Lee"),
        ):
            self.store.users.save(user)
        self.ada_ticket = created(
            self.store,
            make_ticket("ada").with_changes(id="tk-ada"),
            NewMessage("m-ada-1", "ada", AuthorRole.CUSTOMER, "My kettle leaks"),
        )
        self.store.threads.append(
            ConversationRef("tk-ada"),
            NewMessage("m-note", "kim", AuthorRole.AGENT, "VIP customer", Visibility.INTERNAL),
        )
        created(
            self.store,
            make_ticket("bob").with_changes(id="tk-bob"),
            NewMessage("m-bob-1", "bob", AuthorRole.CUSTOMER, "Invoice is wrong"),
        )
        self.store.threads.append(
            ConversationRef("tk-ada", "kim"), NewMessage("m-cop", "kim", AuthorRole.AGENT, "sum?")
        )

    def client(self, uid: str | None, role: str | None = None) -> RestClient:
        claims = {"role": role} if role else None
        return RestClient(self.host, self.project, uid, claims)

    def customer(self, uid: str) -> RestClient:
        return self.client(uid)

    def agent(self, uid: str = "kim") -> RestClient:
        return self.client(uid, "agent")

    def last_seq(self, ticket_id: str) -> int:
        ticket = self.store.tickets.get(ticket_id)
        assert ticket is not None
        return ticket.last_seq


@pytest.fixture
def world(firestore_emulator: Emulator) -> World:
    return World(firestore_emulator)


def ok(response: Any) -> bool:
    return bool(response.status_code == 200)


def denied(response: Any) -> bool:
    return bool(response.status_code == 403)


def message_fields(
    mid: str, seq: int, author: str, role: str, text: str = "hello", visibility: str = "public"
) -> dict[str, Any]:
    return {
        "id": mid,
        "seq": seq,
        "authorUid": author,
        "authorRole": role,
        "visibility": visibility,
        "text": text,
        "status": "complete",
    }


def post(
    client: RestClient,
    world: World,
    ticket_id: str,
    *,
    author: str,
    role: str = "customer",
    text: str = "hello",
    visibility: str = "public",
    seq_offset: int = 1,
    mid: str = "m-new",
    customize: Callable[[dict[str, Any]], None] | None = None,
) -> Any:
    seq = world.last_seq(ticket_id) + seq_offset
    fields = message_fields(mid, seq, author, role, text, visibility)
    if customize:
        customize(fields)
    return client.commit(
        client.write(
            f"tickets/{ticket_id}/messages/{mid}",
            fields,
            create=True,
            server_time=() if "createdAt" in fields else ("createdAt",),
        ),
        bump(client, ticket_id, seq, mid, role, public=visibility == "public"),
    )


def bump(
    client: RestClient,
    ticket_id: str,
    seq: int,
    mid: str,
    role: str,
    *,
    public: bool = True,
    extra: dict[str, Any] | None = None,
    stamp: bool | None = None,
) -> dict[str, Any]:
    """The ticket update that goes with a post, as the app writes it (``activity_fields``):
    lastSeq and the message that took it; a public post is activity a customer sees; every
    post is a change the agents' queue sees (``changedAt``)."""
    update: dict[str, Any] = {"lastSeq": seq, "lastMessageId": mid}
    if public:
        update["lastAuthorRole"] = role
    if role == "customer":
        update["lastCustomerSeq"] = seq
    update |= extra or {}
    stamped = public if stamp is None else stamp
    return client.write(
        f"tickets/{ticket_id}",
        update,
        create=False,
        mask=tuple(update),
        server_time=("updatedAt", "changedAt") if stamped else ("changedAt",),
    )


# -- allows ---------------------------------------------------------------------------------


def test_customer_reads_own_ticket_and_lists_with_a_filter(world: World) -> None:
    ada = world.customer("ada")
    assert ok(ada.get("tickets/tk-ada"))
    response = ada.query("", "tickets", {"customerUid": "ada"})
    assert ok(response)
    assert [
        d["document"]["name"].rsplit("/", 1)[1] for d in response.json() if "document" in d
    ] == ["tk-ada"]


def test_customer_reads_public_messages_of_own_ticket(world: World) -> None:
    ada = world.customer("ada")
    assert ok(ada.get("tickets/tk-ada/messages/m-ada-1"))
    response = ada.query("tickets/tk-ada", "messages", {"visibility": "public"})
    assert ok(response)
    assert len([d for d in response.json() if "document" in d]) == 1


def test_customer_opens_a_ticket(world: World) -> None:
    ada = world.customer("ada")
    fields: dict[str, Any] = {
        "id": "tk-new",
        "customerUid": "ada",
        "customerName": "Ada",
        "subject": "Toaster",
        "status": "open",
        "assigneeUid": None,
        "labels": [],
        "lastSeq": 0,
        "assistantActive": True,
    }
    write = ada.write("tickets/tk-new", fields, create=True, server_time=("createdAt", "updatedAt"))
    assert ok(ada.commit(write))


def test_customer_posts_to_own_ticket(world: World) -> None:
    assert ok(post(world.customer("ada"), world, "tk-ada", author="ada"))
    assert world.last_seq("tk-ada") == 3


def test_agent_reads_everything_and_posts_notes(world: World) -> None:
    kim = world.agent()
    assert ok(kim.get("tickets/tk-bob"))
    assert ok(kim.get("tickets/tk-ada/messages/m-note"))
    assert ok(kim.query("", "tickets", {}))
    assert ok(kim.query("tickets/tk-ada", "messages", {}))
    assert ok(post(kim, world, "tk-ada", author="kim", role="agent", visibility="internal"))
    assert ok(kim.get("users/ada"))


def test_agent_triages(world: World) -> None:
    kim = world.agent()
    update = kim.write(
        "tickets/tk-ada",
        {"status": "waiting_on_customer", "labels": ["refund"], "assigneeUid": "kim"},
        create=False,
        mask=("status", "labels", "assigneeUid"),
        server_time=("updatedAt", "changedAt"),
    )
    assert ok(kim.commit(update))


def test_agent_reads_own_copilot_thread(world: World) -> None:
    kim = world.agent()
    assert ok(kim.get("tickets/tk-ada/copilots/kim"))
    assert ok(kim.query("tickets/tk-ada/copilots/kim", "messages", {}))


def test_user_reads_own_profile(world: World) -> None:
    assert ok(world.customer("ada").get("users/ada"))


# -- denies ---------------------------------------------------------------------------------


def test_another_customers_ticket_is_closed(world: World) -> None:
    ada = world.customer("ada")
    assert denied(ada.get("tickets/tk-bob"))
    assert denied(ada.get("tickets/tk-bob/messages/m-bob-1"))
    assert denied(ada.query("", "tickets", {"customerUid": "bob"}))
    assert denied(ada.query("", "tickets", {}))  # a list must filter on the caller's uid
    assert denied(post(ada, world, "tk-bob", author="ada"))
    assert denied(ada.get("users/bob"))


def test_internal_notes_are_closed_to_customers(world: World) -> None:
    ada = world.customer("ada")
    assert denied(ada.get("tickets/tk-ada/messages/m-note"))
    assert denied(ada.query("tickets/tk-ada", "messages", {}))  # must filter on public
    assert denied(post(ada, world, "tk-ada", author="ada", visibility="internal"))
    assert denied(post(ada, world, "tk-ada", author="ada", role="agent"))


def test_forged_author_is_refused(world: World) -> None:
    assert denied(post(world.customer("ada"), world, "tk-ada", author="bob"))
    assert denied(post(world.agent(), world, "tk-ada", author="lee", role="agent"))


def test_oversized_empty_or_odd_messages_are_refused(world: World) -> None:
    ada = world.customer("ada")
    assert denied(post(ada, world, "tk-ada", author="ada", text="x" * 8001))
    assert denied(post(ada, world, "tk-ada", author="ada", text=""))
    assert denied(post(ada, world, "tk-ada", author="ada", seq_offset=2))  # skips a seq
    assert denied(post(ada, world, "tk-ada", author="ada", mid="-not-our-pattern"))
    assert not ok(post(ada, world, "tk-ada", author="ada", mid="__evil__"))  # Firestore: 400
    assert denied(
        post(ada, world, "tk-ada", author="ada", customize=lambda f: f.update(extra="field"))
    )
    assert denied(  # a client clock is not request.time
        post(ada, world, "tk-ada", author="ada", customize=lambda f: f.update(createdAt="2020"))
    )
    assert denied(
        post(ada, world, "tk-ada", author="ada", customize=lambda f: f.update(status="pending"))
    )
    assert ok(post(ada, world, "tk-ada", author="ada", text="x" * 8000))


def test_messages_are_never_updated_or_deleted(world: World) -> None:
    for client in (world.customer("ada"), world.agent()):
        fields = message_fields("m-ada-1", 1, "ada", "customer", "edited")
        write = client.write("tickets/tk-ada/messages/m-ada-1", fields, create=False)
        assert denied(client.commit(write))
        assert denied(client.delete("tickets/tk-ada/messages/m-ada-1"))
    assert denied(world.agent().delete("tickets/tk-ada"))


def test_customers_cannot_triage_or_open_for_others(world: World) -> None:
    ada = world.customer("ada")
    status = ada.write("tickets/tk-ada", {"status": "resolved"}, create=False, mask=("status",))
    assert denied(ada.commit(status))
    fields: dict[str, Any] = {
        "id": "tk-x",
        "customerUid": "bob",
        "subject": "x",
        "status": "open",
        "assigneeUid": None,
        "labels": [],
        "lastSeq": 0,
        "assistantActive": True,
    }
    forged = ada.write("tickets/tk-x", fields, create=True, server_time=("createdAt", "updatedAt"))
    assert denied(ada.commit(forged))
    pre_assigned = dict(fields, customerUid="ada", assigneeUid="kim", id="tk-y")
    write = ada.write(
        "tickets/tk-y", pre_assigned, create=True, server_time=("createdAt", "updatedAt")
    )
    assert denied(ada.commit(write))


def test_agents_cannot_set_unknown_statuses(world: World) -> None:
    kim = world.agent()
    bad = kim.write("tickets/tk-ada", {"status": "deleted"}, create=False, mask=("status",))
    assert denied(kim.commit(bad))


def test_copilot_threads_are_private_and_server_written(world: World) -> None:
    assert denied(world.agent("lee").get("tickets/tk-ada/copilots/kim"))
    assert denied(world.agent("lee").query("tickets/tk-ada/copilots/kim", "messages", {}))
    assert denied(world.customer("ada").get("tickets/tk-ada/copilots/kim"))
    kim = world.agent()
    write = kim.write(
        "tickets/tk-ada/copilots/kim/messages/m-x",
        message_fields("m-x", 2, "kim", "agent"),
        create=True,
    )
    assert denied(kim.commit(write))


def test_nothing_without_sign_in(world: World) -> None:
    anonymous = world.client(None)
    assert denied(anonymous.get("tickets/tk-ada"))
    assert denied(anonymous.get("tickets/tk-ada/messages/m-ada-1"))
    assert denied(anonymous.query("", "tickets", {"customerUid": "ada"}))
    assert denied(post(anonymous, world, "tk-ada", author="ada"))
    assert denied(anonymous.get("users/ada"))


def test_usage_and_audit_are_server_only(world: World) -> None:
    from tickets.domain import Usage

    world.store.usage.add(["user-ada-2026-11"], Usage(1, 1))
    assert denied(world.agent().get("usage/user-ada-2026-11"))
    assert denied(world.customer("ada").get("usage/user-ada-2026-11"))
    assert denied(world.agent().query("", "audit", {}))


def test_a_pending_status_is_server_only(world: World) -> None:
    """Clients may only write complete messages; pending replies are the server's."""
    kim = world.agent()
    assert denied(
        post(
            kim,
            world,
            "tk-ada",
            author="kim",
            role="agent",
            customize=lambda f: f.update(status="pending"),
        )
    )


# -- live updates -----------------------------------------------------------------------------


def presence_fields(uid: str, ticket_id: str, role: str, **changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    fields = {
        "ticketId": ticket_id,
        "uid": uid,
        "name": uid.title(),
        "role": role,
        "expireAt": now + timedelta(seconds=20),
        "typingUntil": None,
        "typingPublic": False,
    }
    return {**fields, **changes}


def put_presence(client: RestClient, ticket_id: str, uid: str, role: str, **changes: Any) -> Any:
    fields = presence_fields(uid, ticket_id, role, **changes)
    path = f"tickets/{ticket_id}/presence/{uid}"
    return client.commit(client.write(path, fields, create=False, server_time=("updatedAt",)))


def test_the_change_marker_is_read_by_who_sees_the_ticket_and_moves_by_one(world: World) -> None:
    world.store.activity.touch("tk-ada", ActivityKind.PRESENCE)
    ada, bob, kim = world.customer("ada"), world.customer("bob"), world.agent()
    assert ok(ada.get("tickets/tk-ada/live/activity")) and ok(
        kim.get("tickets/tk-ada/live/activity")
    )
    assert denied(bob.get("tickets/tk-ada/live/activity"))
    marker = world.store.activity.get("tk-ada")

    def bump(client: RestClient, **counters: int) -> Any:
        fields = {**marker.to_dict(), **counters}
        return client.commit(client.write("tickets/tk-ada/live/activity", fields, create=False))

    assert denied(bump(ada, thread=marker.thread + 2))
    assert denied(bump(ada, presence=marker.presence - 1))
    assert denied(bump(bob, thread=marker.thread + 1))
    extra = {**marker.to_dict(), "lastText": "x"}
    assert denied(ada.commit(ada.write("tickets/tk-ada/live/activity", extra, create=False)))
    assert denied(ada.commit(ada.write("tickets/tk-ada/live/other", {}, create=True)))
    assert ok(bump(ada, thread=marker.thread + 1))
    assert world.store.activity.get("tk-ada").thread == marker.thread + 1


def test_presence_entries_are_each_persons_own_and_short_lived(world: World) -> None:
    ada, bob, kim = world.customer("ada"), world.customer("bob"), world.agent()
    assert ok(put_presence(ada, "tk-ada", "ada", "customer"))
    assert ok(put_presence(kim, "tk-ada", "kim", "agent", typingUntil=datetime.now(UTC)))
    assert denied(put_presence(ada, "tk-ada", "kim", "customer"))  # someone else's entry
    assert denied(put_presence(ada, "tk-ada", "ada", "agent"))  # a role they do not have
    assert denied(put_presence(bob, "tk-ada", "bob", "customer"))  # not their ticket
    later = datetime.now(UTC) + timedelta(minutes=10)
    assert denied(put_presence(ada, "tk-ada", "ada", "customer", expireAt=later))
    assert denied(put_presence(ada, "tk-ada", "ada", "customer", note="hi"))
    assert ok(kim.get("tickets/tk-ada/presence/ada"))
    assert ok(kim.query("tickets/tk-ada", "presence", {}))
    assert denied(ada.get("tickets/tk-ada/presence/kim"))  # customers are told by the app
    assert denied(ada.delete("tickets/tk-ada/presence/kim"))
    assert ok(ada.delete("tickets/tk-ada/presence/ada"))


def test_read_state_is_each_agents_own_and_never_goes_back(world: World) -> None:
    kim, lee, ada = world.agent(), world.agent("lee"), world.customer("ada")

    def mark(client: RestClient, uid: str, seq: int) -> Any:
        fields = {"uid": uid, "ticketId": "tk-ada", "seq": seq}
        return client.commit(client.write(f"users/{uid}/seen/tk-ada", fields, create=False))

    assert ok(mark(kim, "kim", 2))
    assert denied(mark(kim, "kim", 1))
    assert denied(mark(lee, "kim", 5))
    assert denied(mark(ada, "ada", 1))  # customers have no unread dots
    assert ok(kim.get("users/kim/seen/tk-ada"))
    assert denied(lee.get("users/kim/seen/tk-ada"))
    assert world.store.seen.get("kim", ["tk-ada"]) == {"tk-ada": 2}
