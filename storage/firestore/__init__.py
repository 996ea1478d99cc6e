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
    snippets/{id}                                 canned responses and macros
    ratings/{id}  csat/{ticketId}                 ratings of replies, the ticket's CSAT
    feedbackCounts/{day}                          their per-day counters (for reports)
    sla/{ticketId}                                each ticket's response clock
    triage/{ticketId}                             suggestions at intake, agents' decisions

Attachments' bytes are in Cloud Storage (``TICKETS_BUCKET``), at
``tickets/{id}/attachments/{file}``; messages list their metadata.
"""

from __future__ import annotations

from typing import Any

from storage.firestore.activity import FirestoreActivity
from storage.firestore.articles import FirestoreArticles
from storage.firestore.blobs import blob_store
from storage.firestore.client import make_bucket, make_firestore_client
from storage.firestore.db import FirestoreDb
from storage.firestore.erasure import firestore_erasers
from storage.firestore.feedback import FirestoreFeedback
from storage.firestore.ledger import FirestoreAudit, FirestoreKeyVault, FirestoreUsage
from storage.firestore.memory import FirestoreCheckpoints
from storage.firestore.metrics import FirestoreMetrics
from storage.firestore.presence import FirestorePresence
from storage.firestore.retention import FirestoreRetention
from storage.firestore.search import FirestoreSearch
from storage.firestore.seen import FirestoreSeen
from storage.firestore.sla import FirestoreSla
from storage.firestore.snippets import FirestoreSnippets
from storage.firestore.threads import FirestoreThreads
from storage.firestore.tickets import FirestoreTickets
from storage.firestore.triage import FirestoreTriage
from storage.firestore.users import FirestoreUsers
from storage.sealing import Sealer
from storage.settings import StoreSettings
from storage.shredding import Shredder
from tickets.store import Store


def firestore_store(
    client: Any, sealer: Sealer | None = None, *, deadline_s: float = 10.0, bucket: Any = None
) -> tuple[Store, FirestoreDb]:
    """The store, and its database (which counts reads for the benchmarks). ``bucket``:
    Cloud Storage for attachments (``None``: attachments are switched off)."""
    sealer = sealer or Sealer()
    db = FirestoreDb(client, deadline_s=deadline_s)
    shredder = Shredder(FirestoreKeyVault(db), sealer)
    blobs = blob_store(bucket, sealer, deadline_s)
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
        blobs=blobs,
        snippets=FirestoreSnippets(db, sealer),
        feedback=FirestoreFeedback(db, sealer),
        sla=FirestoreSla(db),
        triage=FirestoreTriage(db),
        search=FirestoreSearch(db, sealer),
        metrics=FirestoreMetrics(db),
        retention=FirestoreRetention(db),
        erasers=firestore_erasers(db, shredder, blobs),
        backend="firestore",
        closer=client.close,
    )
    return store, db


def open_store(settings: StoreSettings, sealer: Sealer) -> Store:
    client = make_firestore_client(settings)
    bucket = make_bucket(settings)
    return firestore_store(client, sealer, deadline_s=settings.call_deadline_s, bucket=bucket)[0]
