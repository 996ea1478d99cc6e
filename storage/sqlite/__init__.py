"""The embedded adapter: the whole store in one local SQLite file (standard library only).

Used by default (``TICKETS_STORE=sqlite``), so the app runs on a laptop with nothing
installed and data survives restarts.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from storage.sealing import Sealer
from storage.settings import StoreSettings
from storage.shredding import Shredder
from storage.sqlite.activity import SqliteActivity
from storage.sqlite.articles import SqliteArticles
from storage.sqlite.blobs import LocalBlobs
from storage.sqlite.db import Database
from storage.sqlite.erasure import sqlite_erasers
from storage.sqlite.feedback import SqliteFeedback
from storage.sqlite.ledger import SqliteAudit, SqliteKeyVault, SqliteUsage
from storage.sqlite.memory import SqliteCheckpoints
from storage.sqlite.metrics import SqliteMetrics
from storage.sqlite.presence import SqlitePresence
from storage.sqlite.retention import SqliteRetention
from storage.sqlite.search import SqliteSearch
from storage.sqlite.seen import SqliteSeen
from storage.sqlite.sla import SqliteSla
from storage.sqlite.snippets import SqliteSnippets
from storage.sqlite.threads import SqliteThreads
from storage.sqlite.tickets import SqliteTickets
from storage.sqlite.triage import SqliteTriage
from storage.sqlite.users import SqliteUsers
from tickets.store import Store


def sqlite_store(
    path: str | Path, sealer: Sealer | None = None, files: Path | None = None
) -> Store:
    """``files``: where attachments go (default: ``attachments/`` beside the database)."""
    sealer = sealer or Sealer()
    db = Database(path)
    if files is None:
        in_memory = str(path) == ":memory:"
        files = Path(tempfile.mkdtemp(prefix="tickets-files-")) if in_memory else None
        files = files or Path(path).parent / "attachments"
    threads = SqliteThreads(db, sealer)
    shredder = Shredder(SqliteKeyVault(db), sealer)
    blobs = LocalBlobs(files, sealer)
    return Store(
        users=SqliteUsers(db, sealer),
        tickets=SqliteTickets(db, threads),
        threads=threads,
        checkpoints=SqliteCheckpoints(db, sealer),
        usage=SqliteUsage(db),
        audit=SqliteAudit(db, shredder),
        activity=SqliteActivity(db, sealer),
        presence=SqlitePresence(db),
        seen=SqliteSeen(db),
        articles=SqliteArticles(db),
        blobs=blobs,
        snippets=SqliteSnippets(db, sealer),
        feedback=SqliteFeedback(db, sealer),
        sla=SqliteSla(db),
        triage=SqliteTriage(db),
        search=SqliteSearch(db, sealer),
        metrics=SqliteMetrics(db),
        retention=SqliteRetention(db),
        erasers=sqlite_erasers(db, shredder, blobs),
        backend="sqlite",
        closer=db.close,
    )


def open_store(settings: StoreSettings, sealer: Sealer) -> Store:
    return sqlite_store(settings.sqlite_path, sealer)
