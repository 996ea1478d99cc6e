"""The audit log on both stores: every listed action is recorded (who, what, when, from which
role), filters and exports work for supervisors only, entries can't be changed or deleted,
and what identifies a customer is sealed under their own key (shredded on erasure)."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest

from config.bootstrap import Services
from ops.cli import run
from tests.support.services import access, make_services
from tests.support.users import ADA, BOB, KIM, LEE
from tickets.audit import ERASED, OPERATOR, Actor, Kind
from tickets.domain import Status, utcnow
from tickets.errors import AccessDenied, TicketNotFound
from tickets.store import AuditQuery, Store

SUE = "sup-sue"


@pytest.fixture
def services(store: Store) -> Services:
    services = make_services(store)
    assert run(["grant-supervisor", SUE, "--name", "Sue"], services, io.StringIO()) == 0
    return services


def supervisor(services: Services):  # type: ignore[no-untyped-def]
    return services.tickets.current_user(SUE)


def kinds(services: Services, **query: object) -> list[str]:
    found = services.tickets.audit.find(supervisor(services), AuditQuery(limit=500, **query))  # type: ignore[arg-type]
    return [e.kind for e in found]


def test_every_listed_action_is_recorded_with_actor_and_role(
    services: Services, tmp_path: Path
) -> None:
    t = services.tickets
    t.signed_in(t.current_user(ADA.uid), "demo")
    ticket = t.open_ticket(t.current_user(ADA.uid), "Kettle", "It leaks")
    kim = access(services, KIM.uid, ticket.id)
    t.assign(kim, KIM.uid)
    t.set_status(access(services, KIM.uid, ticket.id), Status.RESOLVED)
    t.post(access(services, ADA.uid, ticket.id), "Still leaking")  # reopens: a status change
    list(t.export(ADA.uid, ticket.id, "md"))
    with pytest.raises(TicketNotFound):
        t.access(t.current_user(BOB.uid), ticket.id)
    out = io.StringIO()
    assert run(["grant-agent", BOB.uid], services, out) == 0
    assert run(["revoke-agent", BOB.uid], services, out) == 0
    assert run(["rotate-keys"], services, out) == 0
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "a.md").write_text("---\ntitle: A\n---\nBody text.\n")
    assert run(["import-articles", str(folder)], services, out) == 0

    entries = services.tickets.audit.find(supervisor(services), AuditQuery(limit=500))
    by_kind: dict[str, list[object]] = {}
    for e in entries:
        by_kind.setdefault(e.kind, []).append(e)
    for kind in (
        Kind.SIGN_IN,
        Kind.ASSIGNED,
        Kind.STATUS_CHANGED,
        Kind.EXPORT,
        Kind.ACCESS_REFUSED,
        Kind.ROLE_GRANTED,
        Kind.ROLE_REVOKED,
        Kind.KEYS_ROTATED,
        Kind.ARTICLES_IMPORTED,
    ):
        assert kind.value in by_kind, kind
    statuses = [
        (e.actor_uid, e.actor_role, e.details["before"], e.details["after"])
        for e in entries
        if e.kind == Kind.STATUS_CHANGED
    ]
    assert (KIM.uid, "agent", "open", "resolved") in statuses
    assert (ADA.uid, "customer", "resolved", "waiting_on_agent") in statuses  # reopened
    [assigned] = [e for e in entries if e.kind == Kind.ASSIGNED]
    assert (assigned.actor_uid, assigned.ticket_id, assigned.details["after"]) == (
        KIM.uid,
        ticket.id,
        KIM.uid,
    )
    [sign_in] = [e for e in entries if e.kind == Kind.SIGN_IN]
    assert (sign_in.actor_uid, sign_in.actor_role, sign_in.subject_uid) == (
        ADA.uid,
        "customer",
        ADA.uid,
    )
    grants = [e for e in entries if e.kind == Kind.ROLE_GRANTED]
    assert {(e.actor_role, e.details["role"]) for e in grants} >= {
        ("operator", "agent"),
        ("operator", "supervisor"),
    }
    [refused] = [e for e in entries if e.kind == Kind.ACCESS_REFUSED]
    assert (refused.actor_uid, refused.ticket_id) == (BOB.uid, ticket.id)
    assert all(e.at <= utcnow() for e in entries)


def test_filters_by_kind_actor_ticket_subject_and_time(services: Services) -> None:
    log = services.tickets.audit
    log.record(Kind.EXPORT, Actor(KIM.uid, "agent"), ticket_id="tk-1", format="md")
    log.record(Kind.EXPORT, Actor(LEE.uid, "agent"), ticket_id="tk-2", format="csv")
    log.record(Kind.SIGN_IN, Actor(ADA.uid, "customer"), method="demo")
    log.record(Kind.EXPORT, Actor(ADA.uid, "customer"), ticket_id="tk-1", format="json")
    assert kinds(services, kind="export").count("export") == 3
    assert kinds(services, actor_uid=KIM.uid) == ["export"]
    assert sorted(kinds(services, actor_uid=ADA.uid)) == ["export", "sign_in"]
    assert sorted(kinds(services, subject_uid=ADA.uid)) == ["export", "sign_in"]
    assert kinds(services, ticket_id="tk-2") == ["export"]
    assert len(kinds(services, ticket_id="tk-1", kind="export", actor_uid=ADA.uid)) == 1
    now = utcnow()
    assert kinds(services, since=now + timedelta(seconds=5)) == []
    assert len(kinds(services, until=now + timedelta(seconds=5))) >= 4


def test_only_supervisors_read_or_export_the_log(services: Services) -> None:
    log = services.tickets.audit
    for uid in (KIM.uid, ADA.uid):
        with pytest.raises(AccessDenied):
            log.find(services.tickets.current_user(uid), AuditQuery())
        with pytest.raises(AccessDenied):
            list(log.export(services.tickets.current_user(uid), AuditQuery(), "csv"))


def test_exports_are_csv_or_json_and_are_themselves_audited(services: Services) -> None:
    log = services.tickets.audit
    log.record(Kind.EXPORT, Actor(KIM.uid, "agent"), ticket_id="tk-1", format="=cmd()")
    sue = supervisor(services)
    text = "".join(log.export(sue, AuditQuery(kind="export"), "csv"))
    assert text.splitlines()[0] == "at,kind,actor_role,actor,ticket,subject,details"
    assert "agent-kim" in text
    lines = "".join(log.export(sue, AuditQuery(kind="export"), "json")).splitlines()
    assert json.loads(lines[0])["details"] == '{"format": "=cmd()"}'
    assert kinds(services, kind="audit_exported") == ["audit_exported", "audit_exported"]


def test_the_log_is_append_only(services: Services) -> None:
    store = services.store
    event = services.tickets.audit.record(Kind.EXPORT, OPERATOR, ticket_id="tk-1")
    assert not hasattr(store.audit, "delete") and not hasattr(store.audit, "update")
    store.audit.record(event)  # the same id again: nothing changes, nothing is duplicated
    assert [e.id for e in store.audit.find("tk-1")] == [event.id]
    if store.backend == "sqlite":
        import sqlite3

        db = store.audit.db  # type: ignore[attr-defined]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db._db.execute("UPDATE events SET kind = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db._db.execute("DELETE FROM events")
    assert [e.id for e in store.audit.find("tk-1")] == [event.id]


def test_a_customer_is_sealed_under_their_own_key_and_shredding_erases_them(
    services: Services,
) -> None:
    log = services.tickets.audit
    log.record(Kind.SIGN_IN, Actor(ADA.uid, "customer"), method="demo", email=ADA.email)
    log.record(Kind.ROLE_GRANTED, OPERATOR, subject_uid=ADA.uid, role="agent")
    log.record(Kind.SIGN_IN, Actor(BOB.uid, "customer"), method="demo")
    raw = raw_audit(services.store)
    assert ADA.uid not in raw and ADA.email not in raw and BOB.uid not in raw
    assert sorted(kinds(services, subject_uid=ADA.uid)) == ["role_granted", "sign_in"]

    shredder = services.store.audit.shredder  # type: ignore[attr-defined]
    assert shredder.shred(ADA.uid)
    entries = services.tickets.audit.find(supervisor(services), AuditQuery(limit=50))
    ada = [e for e in entries if e.subject_uid == ERASED]
    assert sorted(e.kind for e in ada) == ["role_granted", "sign_in"]  # kept, in place
    assert all(e.details == {} for e in ada)
    [signed] = [e for e in ada if e.kind == "sign_in"]
    assert (signed.actor_uid, signed.actor_role) == (ERASED, "customer")
    [bob] = [e for e in entries if e.subject_uid == BOB.uid]  # others are untouched
    assert bob.actor_uid == BOB.uid
    assert kinds(services, subject_uid=ADA.uid) == []


def raw_audit(store: Store) -> str:
    """Everything the audit log stores, as one string (what someone with the database sees)."""
    if store.backend == "sqlite":
        rows = store.audit.db.query("SELECT * FROM events")  # type: ignore[attr-defined]
        return json.dumps([dict(r) for r in rows])
    client = store.audit.db.client  # type: ignore[attr-defined]
    return json.dumps([s.to_dict() for s in client.collection("audit").stream()], default=str)
