"""Every composite query the Firestore adapter runs has its index in firestore.indexes.json
(the emulator does not require indexes, production does)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from storage.firestore.activity import FirestoreActivity
from storage.firestore.presence import FirestorePresence
from storage.firestore.tickets import FirestoreTickets
from storage.sealing import Sealer
from tickets.domain import Status
from tickets.store import UNASSIGNED, TicketQuery

INDEXES = json.loads((Path(__file__).resolve().parents[2] / "firestore.indexes.json").read_text())


class Recorder:
    """Stands in for a query object and records the filters and order applied to it."""

    def __init__(self) -> None:
        self.fields: list[tuple[str, str]] = []

    def where(self, *, filter: Any) -> Recorder:
        kind = "CONTAINS" if filter.op_string == "array_contains" else "ASCENDING"
        self.fields.append((filter.field_path, kind))
        return self

    def order_by(self, path: str, direction: str = "ASCENDING") -> Recorder:
        self.fields.append((path, direction))
        return self

    def limit(self, n: int) -> Recorder:
        return self


def normalized(fields: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Equality fields in any order serve the same query; the sort field stays last."""
    *filters, sort = fields
    contains = [f for f in filters if f[1] == "CONTAINS"]
    return tuple(contains + sorted(f for f in filters if f[1] != "CONTAINS") + [sort])


def _kind(field: dict[str, Any]) -> str:
    if "vectorConfig" in field:
        return "VECTOR"
    return str(field.get("arrayConfig") or field["order"])


def declared() -> set[tuple[tuple[str, str], ...]]:
    return {
        normalized([(f["fieldPath"], _kind(f)) for f in i["fields"]]) for i in INDEXES["indexes"]
    }


def ticket_query_shape(query: TicketQuery) -> tuple[tuple[str, str], ...]:
    """The fields the adapter's own query builder filters and sorts on."""
    recorder = Recorder()
    tickets = FirestoreTickets(SimpleNamespace(tickets=lambda: recorder), Sealer())  # type: ignore[arg-type]
    tickets._filter(query).order_by("updatedAt", "DESCENDING")
    return normalized(recorder.fields)


def test_every_queue_and_customer_query_has_an_index() -> None:
    shapes = declared()
    for statuses, assignee, search in itertools.product(
        [(), (Status.OPEN,), (Status.OPEN, Status.RESOLVED)],
        [None, UNASSIGNED, "agent-1"],
        [None, "kettle"],
    ):
        query = TicketQuery(statuses=statuses, assignee=assignee, search_key=search)
        shape = ticket_query_shape(query)
        if len(shape) > 1:
            assert shape in shapes, f"missing index for {query}: {shape}"
    assert ticket_query_shape(TicketQuery(customer_uid="c")) in shapes


def test_message_pages_and_agent_lists_have_indexes() -> None:
    shapes = declared()
    assert (("visibility", "ASCENDING"), ("seq", "DESCENDING")) in shapes
    assert (("visibility", "ASCENDING"), ("seq", "ASCENDING")) in shapes
    assert (("role", "ASCENDING"), ("uid", "ASCENDING")) in shapes
    assert (("ticketId", "ASCENDING"), ("at", "DESCENDING")) in shapes


def test_live_queries_filter_and_sort_on_one_field_and_presence_expires_by_ttl() -> None:
    """Single-field queries are indexed automatically; presence needs its TTL policy."""
    changed, present = Recorder(), Recorder()
    db = SimpleNamespace(
        tickets=lambda: changed,
        presence=lambda ticket_id: present,
        run=lambda fn: fn(),
        stream=lambda query, kind: [],
    )
    FirestoreActivity(db, Sealer()).changed_since(datetime.now(UTC))  # type: ignore[arg-type]
    FirestorePresence(db).live("tk-1", datetime.now(UTC))  # type: ignore[arg-type]
    assert {path for path, _ in changed.fields} == {"changedAt"}
    assert {path for path, _ in present.fields} == {"expireAt"}
    ttl = [o for o in INDEXES["fieldOverrides"] if o.get("ttl")]
    [presence] = [o for o in ttl if o["collectionGroup"] == "presence"]
    assert presence["fieldPath"] == "expireAt"
    assert {i["order"] for i in presence["indexes"]} == {"ASCENDING", "DESCENDING"}  # queried


def test_article_listings_and_vector_search_have_indexes() -> None:
    shapes = declared()
    assert (("visibility", "ASCENDING"), ("title", "ASCENDING")) in shapes
    assert (("visibility", "ASCENDING"), ("embedding", "VECTOR")) in shapes  # public pre-filter
    vectors = [
        f["vectorConfig"]
        for i in INDEXES["indexes"]
        for f in i["fields"]
        if i["collectionGroup"] == "articleChunks" and "vectorConfig" in f
    ]
    assert vectors and all(v["dimension"] > 0 and "flat" in v for v in vectors)


def test_every_audit_log_filter_has_an_index() -> None:
    """Supervisors filter the log by any of kind, actor, ticket and customer, newest first."""
    shapes = declared()
    filters = ["kind", "actorRef", "ticketId", "subjectKeyId"]
    for n in (1, 2, 3):
        for combo in itertools.combinations(filters, n):
            shape = normalized([(f, "ASCENDING") for f in combo] + [("at", "DESCENDING")])
            assert shape in shapes, f"missing audit index for {combo}"


def test_retention_has_a_ttl_policy_on_every_collection_under_a_ticket() -> None:
    """A TTL deletes one document, never its subcollections: each kind needs its policy.
    Only the tickets' expiry is queried (the sweep); elsewhere it is not indexed (a
    timestamp index on every message would be a write hotspot for nothing)."""
    ttl = {o["collectionGroup"]: o for o in INDEXES["fieldOverrides"] if o.get("ttl")}
    for group in ("tickets", "messages", "memory", "copilots", "live", "stats", "presence"):
        assert ttl[group]["fieldPath"] == "expireAt", group
    assert [i["order"] for i in ttl["tickets"]["indexes"]] == ["ASCENDING"]
    assert all(ttl[g]["indexes"] == [] for g in ("messages", "memory", "copilots", "live"))


def test_erasure_queries_across_collections_have_collection_group_indexes() -> None:
    scopes = {
        (o["collectionGroup"], o["fieldPath"]): {i["queryScope"] for i in o["indexes"]}
        for o in INDEXES["fieldOverrides"]
    }
    assert "COLLECTION_GROUP" in scopes[("seen", "ticketId")]
    assert "COLLECTION_GROUP" in scopes[("presence", "uid")]
