"""The embedded adapter: the whole store in one local SQLite file (standard library only).

Used by default (``TICKETS_STORE=sqlite``), so the app runs on a laptop with nothing
installed and data survives restarts.
"""

from __future__ import annotations

from pathlib import Path

from storage.sealing import Sealer
from storage.settings import StoreSettings
from storage.shredding import Shredder
from storage.sqlite.activity import SqliteActivity
from storage.sqlite.articles import SqliteArticles
from storage.sqlite.db import Database
from storage.sqlite.erasure import sqlite_erasers
from storage.sqlite.ledger import SqliteAudit, SqliteKeyVault, SqliteUsage
from storage.sqlite.memory import SqliteCheckpoints
from storage.sqlite.metrics import SqliteMetrics
from storage.sqlite.presence import SqlitePresence
from storage.sqlite.retention import SqliteRetention
from storage.sqlite.seen import SqliteSeen
from storage.sqlite.threads import SqliteThreads
from storage.sqlite.tickets import SqliteTickets
from storage.sqlite.users import SqliteUsers
from tickets.store import Store


def sqlite_store(path: str | Path, sealer: Sealer | None = None) -> Store:
    sealer = sealer or Sealer()
    db = Database(path)
    threads = SqliteThreads(db, sealer)
    shredder = Shredder(SqliteKeyVault(db), sealer)
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
        metrics=SqliteMetrics(db),
        retention=SqliteRetention(db),
        erasers=sqlite_erasers(db, shredder),
        backend="sqlite",
        closer=db.close,
    )


def open_store(settings: StoreSettings, sealer: Sealer) -> Store:
    return sqlite_store(settings.sqlite_path, sealer)
