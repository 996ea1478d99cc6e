"""The Firestore adapter: the system of record (``TICKETS_STORE=firestore``).

Layout::

    users/{uid}
    tickets/{id}                                  ticket fields, lastSeq, activity
    tickets/{id}/messages/{messageId}             one document per message
    tickets/{id}/memory/checkpoint                the thread's memory checkpoint
    tickets/{id}/copilots/{agentUid}              an agent's private copilot thread
    tickets/{id}/copilots/{agentUid}/messages/{messageId}
    tickets/{id}/copilots/{agentUid}/memory/checkpoint
    tickets/{id}/live/activity                    the change marker live pages poll
    tickets/{id}/presence/{uid}                   who is viewing or typing (expireAt, TTL)
    users/{uid}/seen/{ticketId}                   how far an agent has read a ticket
    usage/{key}                                   token counters per user/ticket and period
    audit/{id}                                    the audit log (append-only)
    subjectKeys/{uid}                             per-customer keys of the audit log
    tickets/{id}/stats/metrics                    a ticket's report state
    metrics/{day}--{shard}                        report counters per day (anonymous)
    articles/{id}                                 help articles (the knowledge base)
    articleChunks/{articleId--n}                  their passages, with an embedding vector
    meta/knowledge                                the knowledge base's revision
"""

from __future__ import annotations

from typing import Any

from storage.firestore.activity import FirestoreActivity
from storage.firestore.articles import FirestoreArticles
from storage.firestore.client import make_firestore_client
from storage.firestore.db import FirestoreDb
from storage.firestore.erasure import firestore_erasers
from storage.firestore.ledger import FirestoreAudit, FirestoreKeyVault, FirestoreUsage
from storage.firestore.memory import FirestoreCheckpoints
from storage.firestore.metrics import FirestoreMetrics
from storage.firestore.presence import FirestorePresence
from storage.firestore.retention import FirestoreRetention
from storage.firestore.seen import FirestoreSeen
from storage.firestore.threads import FirestoreThreads
from storage.firestore.tickets import FirestoreTickets
from storage.firestore.users import FirestoreUsers
from storage.sealing import Sealer
from storage.settings import StoreSettings
from storage.shredding import Shredder
from tickets.store import Store


def firestore_store(
    client: Any, sealer: Sealer | None = None, *, deadline_s: float = 10.0
) -> tuple[Store, FirestoreDb]:
    """The store, and its database (which counts reads for the benchmarks)."""
    sealer = sealer or Sealer()
    db = FirestoreDb(client, deadline_s=deadline_s)
    shredder = Shredder(FirestoreKeyVault(db), sealer)
    store = Store(
        users=FirestoreUsers(db, sealer),
        tickets=FirestoreTickets(db, sealer),
        threads=FirestoreThreads(db, sealer),
        checkpoints=FirestoreCheckpoints(db, sealer),
        usage=FirestoreUsage(db),
        audit=FirestoreAudit(db, shredder),
        activity=FirestoreActivity(db, sealer),
        presence=FirestorePresence(db),
        seen=FirestoreSeen(db),
        articles=FirestoreArticles(db),
        metrics=FirestoreMetrics(db),
        retention=FirestoreRetention(db),
        erasers=firestore_erasers(db, shredder),
        backend="firestore",
        closer=client.close,
    )
    return store, db


def open_store(settings: StoreSettings, sealer: Sealer) -> Store:
    client = make_firestore_client(settings)
    return firestore_store(client, sealer, deadline_s=settings.call_deadline_s)[0]
