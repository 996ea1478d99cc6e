"""Report aggregates in Firestore.

``tickets/{id}/stats/metrics``: the ticket's own state (read and written in the event's
transaction; one ticket's events are few and rarely at once). ``metrics/{day}--{shard}``:
the day's counters as nested maps, moved by blind increments. A busy day spreads over
``SHARDS`` documents (the shard is chosen by ticket), so the counters never become one
document written by every ticket (Firestore sustains about one write per second per
document); a report reads ``SHARDS`` small documents per day of its range, in one query.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from storage.firestore.db import FirestoreDb
from tickets.metrics import StatsChange, TicketStats

SHARDS = 8


def nested(path: str, value: Any) -> dict[str, Any]:
    """``"a.b.c", v`` -> ``{"a": {"b": {"c": v}}}`` (what a merge of one leaf writes)."""
    head, _, rest = path.partition(".")
    return {head: nested(rest, value) if rest else value}


def merged(into: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merged(into[key], value)
        else:
            into[key] = value
    return into


def flat(data: Mapping[str, Any], prefix: str = "") -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out |= flat(value, f"{prefix}{key}.")
        elif isinstance(value, int) and not isinstance(value, bool):
            out[f"{prefix}{key}"] = value
    return out


class FirestoreMetrics:
    def __init__(self, db: FirestoreDb) -> None:
        self.db = db

    def _stats(self, ticket_id: str) -> Any:
        return self.db.tickets().document(ticket_id).collection("stats").document("metrics")

    def _shard(self, day: date, ticket_id: str) -> Any:
        shard = zlib.crc32(ticket_id.encode()) % SHARDS
        return self.db.client.collection("metrics").document(f"{day.isoformat()}--{shard}")

    def record(self, ticket_id: str, change: StatsChange) -> bool:
        ref = self._stats(ticket_id)

        def body(tx: Any) -> bool:
            snap = self.db.get(ref, tx)
            stored = TicketStats.from_dict(snap.to_dict()) if snap.exists else None
            changed = change(stored)
            if changed is None:
                return False
            stats, increments = changed
            tx.set(ref, stats.to_dict(), merge=True)  # merge: an expireAt stays
            deltas: dict[tuple[date, str], int] = defaultdict(int)
            for day, path, delta in increments:  # one leaf may move twice (+1 here, -1 there)
                deltas[(day, path)] += delta
            per_shard: dict[date, dict[str, Any]] = defaultdict(dict)
            for (day, path), delta in deltas.items():
                if delta:
                    merged(per_shard[day], nested(path, firestore.Increment(delta)))
            for day, counters in per_shard.items():
                doc = {"day": day.isoformat(), "counters": counters}
                tx.set(self._shard(day, ticket_id), doc, merge=True)
            return True

        return self.db.run(lambda: self.db.transaction(body))

    def stats(self, ticket_id: str) -> TicketStats | None:
        snap = self.db.run(lambda: self.db.get(self._stats(ticket_id)))
        return TicketStats.from_dict(snap.to_dict()) if snap.exists else None

    def days(self, first: date, last: date) -> dict[date, dict[str, int]]:
        q = (
            self.db.client.collection("metrics")
            .where(filter=FieldFilter("day", ">=", first.isoformat()))
            .where(filter=FieldFilter("day", "<=", last.isoformat()))
        )
        snaps = self.db.run(lambda: self.db.stream(q, "metrics"))
        found: dict[date, dict[str, int]] = defaultdict(dict)
        for snap in snaps:
            data = snap.to_dict()
            counters = found[date.fromisoformat(data["day"])]
            for path, value in flat(data.get("counters") or {}).items():
                counters[path] = counters.get(path, 0) + value
        return dict(found)
