"""firestore.rules for the operator's side (real rule evaluation on the emulator): the audit
log is read by supervisors only and written, changed or deleted by no client; report
aggregates and per-customer keys are server-only; supervisors work tickets like agents;
nobody sets or clears a ticket's ``expireAt`` from a client."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.rules.test_firestore_rules import World, denied, ok, post
from tests.support.emulator import Emulator
from tests.support.rest_client import RestClient
from tickets.audit import OPERATOR, Actor, AuditLog, Kind
from tickets.domain import Role, User, utcnow

pytestmark = pytest.mark.firestore


class Scene(World):
    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        self.store.users.save(User("sue", Role.SUPERVISOR, "Sue"))
        log = AuditLog(self.store.audit)
        self.event = log.record(Kind.EXPORT, Actor("kim", "agent"), ticket_id="tk-ada", format="md")
        log.record(Kind.SIGN_IN, Actor("ada", "customer"), method="demo")
        log.record(Kind.ROLE_GRANTED, OPERATOR, subject_uid="bob", role="agent")


@pytest.fixture
def world(firestore_emulator: Emulator) -> Scene:
    return Scene(firestore_emulator)


def supervisor(world: Scene) -> RestClient:
    return world.client("sue", "supervisor")


def test_only_supervisors_read_the_audit_log(world: Scene) -> None:
    path = f"audit/{world.event.id}"
    assert ok(supervisor(world).get(path))
    assert ok(supervisor(world).query("", "audit", {"kind": "export"}))
    for client in (world.agent(), world.customer("ada"), world.client(None)):
        assert denied(client.get(path))
        assert denied(client.query("", "audit", {"kind": "export"}))


@pytest.mark.parametrize("who", ["supervisor", "agent", "customer"])
def test_no_client_writes_changes_or_deletes_an_audit_entry(world: Scene, who: str) -> None:
    client = {
        "supervisor": supervisor(world),
        "agent": world.agent(),
        "customer": world.customer("ada"),
    }[who]
    path = f"audit/{world.event.id}"
    forged = {"id": "ev-forged", "kind": "export", "actorUid": "kim", "at": utcnow()}
    assert denied(client.commit(client.write("audit/ev-forged", forged, create=True)))
    change = {"actorUid": "lee"}
    assert denied(client.commit(client.write(path, change, create=False, mask=("actorUid",))))
    assert denied(client.delete(path))
    assert ok(supervisor(world).get(path))  # still there, unchanged
    assert supervisor(world).get(path).json()["fields"]["actorUid"]["stringValue"] == "kim"


def test_aggregates_and_customer_keys_are_server_only(world: Scene) -> None:
    for client in (world.agent(), world.customer("ada")):
        assert denied(client.query("", "subjectKeys", {"uid": "ada"}))
        assert denied(client.get("subjectKeys/ada"))
    assert denied(supervisor(world).get("subjectKeys/ada"))
    day = f"{utcnow():%Y-%m-%d}"
    assert denied(world.agent().get(f"metrics/{day}"))
    sue = supervisor(world)
    assert ok(sue.get(f"metrics/{day}")) or sue.get(f"metrics/{day}").status_code == 404
    write = sue.write(f"metrics/{day}", {"opened": 99}, create=False)
    assert denied(sue.commit(write))


def test_a_supervisor_works_tickets_like_an_agent(world: Scene) -> None:
    sue = supervisor(world)
    assert ok(sue.get("tickets/tk-ada"))
    assert ok(sue.get("tickets/tk-ada/messages/m-note"))  # internal notes too
    fields = {"assigneeUid": "sue"}
    write = sue.write(
        "tickets/tk-ada", fields, create=False, mask=tuple(fields), server_time=("changedAt",)
    )
    assert ok(sue.commit(write))  # a supervisor is a valid assignee


def test_no_client_sets_or_clears_expireat(world: Scene) -> None:
    kim = world.agent()
    soon = {"expireAt": utcnow() + timedelta(days=1)}
    write = kim.write(
        "tickets/tk-ada", soon, create=False, mask=("expireAt",), server_time=("changedAt",)
    )
    assert denied(kim.commit(write))


def test_a_ticket_the_server_marked_to_expire_still_takes_clients_writes(world: Scene) -> None:
    """``expireAt`` is a key the rules accept on a ticket (set by the server only), so an
    expiring ticket is not frozen for the agents and the customer who use it."""
    world.store.retention.mark("tk-ada", utcnow() + timedelta(days=30))
    kim = world.agent()
    fields = {"labels": ["refund"]}
    write = kim.write(
        "tickets/tk-ada", fields, create=False, mask=tuple(fields), server_time=("changedAt",)
    )
    assert ok(kim.commit(write))
    assert ok(post(world.customer("ada"), world, "tk-ada", author="ada"))
