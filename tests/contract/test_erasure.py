"""Erasure, retention and the subject-access export on both stores.

A customer leaves a footprint in every concern (tickets, messages, internal notes, the
assistant's replies, an agent's copilot thread about them, memory, usage, read state,
presence, report state, audit entries, attachments, ratings, CSAT, SLA clocks, triage, the
message search index); after ``erase-user`` nothing in the whole database
(every table or document, read raw) names them or holds anything they wrote, another
customer's data is untouched, and the audit log keeps its entries, unreadable where they
named the customer. Retention marks a resolved ticket and everything under it, unmarks it on
reopening, and the sweep erases what expired."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from config.bootstrap import Services
from memory.summary import replace_if_version
from ops.cli import run
from tests.support import files as uploads
from tests.support.dump import documents, dump
from tests.support.fakes import FakeModel, FakeReply
from tests.support.services import access, make_services
from tests.support.users import BOB, KIM
from tickets.audit import ERASED, Kind
from tickets.domain import Checkpoint, ConversationRef, Role, Status, User, utcnow
from tickets.errors import InvalidInput
from tickets.presence import arriving
from tickets.store import AuditQuery, Store

SECRET = "ZQSENTINEL"  # in everything the customer wrote or is called
ZOE = User("cust-zoe", Role.CUSTOMER, f"Zoe {SECRET}", f"zoe.{SECRET.lower()}@example.com")


def outside_audit(text: str, needle: str) -> list[str]:
    audit = ("audit/", "events/")
    return [
        line[:160] for line in text.splitlines() if needle in line and not line.startswith(audit)
    ]


def footprint(services: Services) -> list[str]:
    """Zoe uses every part of the product; returns her ticket ids."""
    store, t = services.store, services.tickets
    store.users.save(ZOE)
    t.signed_in(ZOE, "demo")
    ids = []
    for n in range(2):
        ticket = t.open_ticket(ZOE, f"Kettle {SECRET} {n}", f"My order {SECRET}-{n} leaks")
        ids.append(ticket.id)
        run_ = services.assistant.reply(access(services, ZOE.uid, ticket.id))
        assert run_ is not None
        "".join(run_)
        kim = access(services, KIM.uid, ticket.id)
        t.post(kim, f"Note about {SECRET}", internal=True)
        refund = t.post(access(services, KIM.uid, ticket.id), f"Refund for {SECRET} approved")
        zoe = access(services, ZOE.uid, ticket.id)
        t.post(zoe, f"Photo of {SECRET}", files=(uploads.photo(),))
        services.feedback.rate(zoe, refund.id, "up", f"Thanks {SECRET}")
        services.triage.start(ticket)  # run_later runs at once in the tests
        assert store.triage.get(ticket.id) is not None and store.sla.get(ticket.id) is not None
        "".join(services.copilot.ask(access(services, KIM.uid, ticket.id), f"Who is {SECRET}?"))
        conv = ConversationRef(ticket.id)
        memory = Checkpoint(f"Problem: {SECRET}", (f"{SECRET}-{n}",), 1, 1, utcnow())
        store.checkpoints.revise(conv, replace_if_version(0, memory))
        store.presence.put(arriving(ZOE, ticket.id, utcnow(), 60))
        store.seen.mark(KIM.uid, ticket.id, 2)
        list(t.export(ZOE.uid, ticket.id, "md"))
    t.set_status(access(services, KIM.uid, ids[0]), Status.RESOLVED)
    services.feedback.give_csat(access(services, ZOE.uid, ids[0]), 5, f"Great {SECRET}")
    assert services.store.feedback.csat(ids[0]) is not None
    return ids


@pytest.fixture
def services(store: Store) -> Services:
    model = FakeModel().queue(*(FakeReply([f"Sorry {SECRET}, "], usage=None) for _ in range(9)))
    return make_services(store, model, retention_days=30)


def test_erasure_leaves_nothing_readable_about_the_customer(services: Services) -> None:
    store = services.store
    ids = footprint(services)
    bob = services.tickets.open_ticket(BOB, "Bob's toaster", "It burns toast")
    before = dump(store)
    assert SECRET in before and ZOE.uid in before
    audited = len(store.audit.find(query=AuditQuery(limit=1000)))

    out = io.StringIO()
    assert run(["erase-user", ZOE.uid], services, out) == 1  # not without --yes
    assert run(["erase-user", ZOE.uid, "--yes"], services, out) == 0
    after = dump(store)
    for needle in (SECRET, SECRET.lower(), ZOE.uid):
        leftovers = [line[:160] for line in after.splitlines() if needle in line]
        assert not leftovers, f"{needle} still stored: {leftovers}"
    for tid in ids:  # a ticket id stays only as the audit log's reference to nothing
        assert all(
            line.startswith(("audit/", "events/")) for line in after.splitlines() if tid in line
        )
    assert store.users.get(ZOE.uid) is None
    assert all(store.tickets.get(tid) is None for tid in ids)
    assert store.usage.of_owner("user", ZOE.uid) == []
    # another customer's data is untouched
    assert store.tickets.get(bob.id) is not None
    assert store.threads.last_seq(ConversationRef(bob.id)) == 1
    # the audit log keeps every entry (and one more: the erasure), unreadable about her
    entries = store.audit.find(query=AuditQuery(limit=1000))
    assert len(entries) == audited + 1
    hers = [e for e in entries if e.subject_uid == ERASED]
    assert {e.kind for e in hers} >= {Kind.SIGN_IN, Kind.EXPORT}
    assert all(e.actor_uid in (ERASED, "operator") for e in hers)
    [erased] = [e for e in entries if e.kind == Kind.USER_ERASED]
    assert erased.subject_uid is None and erased.details["tickets"] == 2
    assert f"Audit entry: {erased.id}" in out.getvalue()
    # running it again finds nothing more (an interrupted erasure is finished this way)
    report = services.tickets.erasure.erase_user(ZOE.uid)
    assert report.tickets == 0


def test_agents_are_not_erased(services: Services) -> None:
    with pytest.raises(InvalidInput, match="revoke"):
        services.tickets.erasure.erase_user(KIM.uid)


def test_the_subject_access_export_holds_all_of_the_customers_data(
    services: Services, tmp_path: Path
) -> None:
    ids = footprint(services)
    path = tmp_path / "zoe.zip"
    assert run(["export-user", ZOE.uid, "-o", str(path)], services, io.StringIO()) == 0
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {"README.txt", "profile.json", "usage.json", "audit.json"} <= names
        assert json.loads(archive.read("profile.json"))["email"] == ZOE.email
        for tid in ids:
            assert f"tickets/{tid}/memory.json" in names
            assert f"tickets/{tid}/copilot-{KIM.uid}.json" in names
            transcript = json.loads(archive.read(f"tickets/{tid}/transcript.json"))
            texts = [m["text"] for m in transcript["messages"]]
            assert f"Note about {SECRET}" in texts and f"Refund for {SECRET} approved" in texts
        assert json.loads(archive.read("usage.json"))  # charged tokens
        kinds = {e["kind"] for e in json.loads(archive.read("audit.json"))}
        assert {"sign_in", "export"} <= kinds
    public = tmp_path / "zoe-public.zip"
    argv = ["export-user", ZOE.uid, "-o", str(public), "--public-only"]
    assert run(argv, services, io.StringIO()) == 0
    with zipfile.ZipFile(public) as archive:
        transcript = json.loads(archive.read(f"tickets/{ids[0]}/transcript.json"))
        assert f"Note about {SECRET}" not in [m["text"] for m in transcript["messages"]]
    exported = services.store.audit.find(query=AuditQuery(kind=Kind.USER_EXPORTED))
    assert len(exported) == 2 and exported[0].subject_uid == ZOE.uid


def expiring(store: Store, ticket_id: str) -> dict[str, object]:
    """Every document of the ticket's tree and its ``expireAt`` (Firestore marks each one;
    the embedded store keeps the expiry on the ticket row)."""
    found = {}
    for path, data in documents(store):
        if store.backend == "sqlite":
            if path.startswith("tickets/") and data.get("id") == ticket_id:
                found[path] = data.get("expire_at")
        elif path.startswith(f"tickets/{ticket_id}") and "/presence/" not in path:
            found[path] = data.get("expireAt")
    return found


def test_a_resolved_ticket_expires_with_everything_under_it_and_the_sweep_erases_it(
    services: Services,
) -> None:
    store, t = services.store, services.tickets
    ids = footprint(services)  # ids[0] resolved, ids[1] open
    expiry = store.retention.expiry(ids[0])
    assert expiry is not None
    assert timedelta(days=29, hours=23) < expiry - utcnow() <= timedelta(days=30)
    assert store.retention.expiry(ids[1]) is None
    tree = expiring(store, ids[0])
    assert tree and all(v is not None for v in tree.values()), tree
    # written after resolution: a copilot question takes the ticket's expiry too
    "".join(services.copilot.ask(access(services, KIM.uid, ids[0]), "Summary?"))
    assert all(v is not None for v in expiring(store, ids[0]).values())
    # reopened: no expiry anywhere; resolved again: everything expires again
    t.post(access(services, ZOE.uid, ids[0]), "It leaks again")
    assert store.retention.expiry(ids[0]) is None
    assert all(v is None for v in expiring(store, ids[0]).values())
    t.set_status(access(services, KIM.uid, ids[0]), Status.RESOLVED)
    assert all(v is not None for v in expiring(store, ids[0]).values())

    assert t.retention.sweep(utcnow()).tickets == 0  # not yet
    report = t.retention.sweep(utcnow() + timedelta(days=31))
    assert report.tickets == 1
    assert store.tickets.get(ids[0]) is None and outside_audit(dump(store), ids[0]) == []
    assert store.tickets.get(ids[1]) is not None
    [expired] = store.audit.find(query=AuditQuery(kind=Kind.TICKETS_EXPIRED))
    assert expired.details["tickets"] == 1


def test_backfill_gives_resolved_tickets_an_expiry(services: Services) -> None:
    store = services.store
    ids = footprint(services)
    store.retention.mark(ids[0], None)  # resolved before retention was turned on
    out = io.StringIO()
    assert run(["sweep", "--backfill"], services, out) == 0
    assert "Gave 1 resolved tickets an expiry" in out.getvalue()
    assert store.retention.expiry(ids[0]) is not None
    assert store.retention.expiry(ids[1]) is None
