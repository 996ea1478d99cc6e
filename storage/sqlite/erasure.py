"""Erasure in the embedded store: one eraser per concern, each deleting its rows of a ticket
or of a user (see :class:`tickets.store.Eraser`). The ticket row goes last, so an erasure
that stops half-way is finished by running it again."""

from __future__ import annotations

from dataclasses import dataclass

from storage.shredding import Shredder, ShreddingEraser
from storage.sqlite.db import Database
from tickets.store import Eraser

COPILOTS = "/copilots/"


@dataclass
class SqlEraser:
    """Deletes rows with ``DELETE FROM <table> WHERE <clause>``, the clause taking the id."""

    db: Database
    name: str
    ticket_sql: tuple[str, ...] = ()  # statements taking (ticket id, copilot prefix)
    user_sql: tuple[str, ...] = ()  # statements taking (uid,)

    def _run(self, statements: tuple[str, ...], params: tuple[str, ...]) -> int:
        deleted = 0
        with self.db.tx() as db:
            for sql in statements:
                wanted = 2 if "?2" in sql else 1
                deleted += int(db.execute(sql, params[:wanted]).rowcount)
        return deleted

    def erase_ticket(self, ticket_id: str) -> int:
        return self._run(self.ticket_sql, (ticket_id, ticket_id + COPILOTS))

    def erase_user(self, uid: str) -> int:
        return self._run(self.user_sql, (uid,))


def sqlite_erasers(db: Database, shredder: Shredder, files: Eraser) -> tuple[Eraser, ...]:
    """``files``: the attachments' eraser (the blob store's)."""
    # a ticket's shared thread (conv_key = id) and its copilot threads (id/copilots/...)
    return (
        files,
        SqlEraser(
            db,
            "ratings, CSAT, SLA clocks, triage and the search index",
            (
                "DELETE FROM ratings WHERE ticket_id = ?",
                "DELETE FROM csat WHERE ticket_id = ?",
                "DELETE FROM sla WHERE ticket_id = ?",
                "DELETE FROM triage WHERE ticket_id = ?",
                "DELETE FROM message_keys WHERE ticket_id = ?",
            ),
        ),
        SqlEraser(
            db,
            "messages and copilot threads",
            (
                "DELETE FROM messages WHERE conv_key = ? OR substr(conv_key, 1, length(?2)) = ?2",
                "DELETE FROM conversations WHERE ticket_id = ?",
            ),
        ),
        SqlEraser(
            db,
            "memory checkpoints",
            ("DELETE FROM checkpoints WHERE conv_key = ? OR substr(conv_key, 1, length(?2)) = ?2",),
        ),
        SqlEraser(db, "change markers", ("DELETE FROM activity WHERE ticket_id = ?",)),
        SqlEraser(
            db,
            "presence",
            ("DELETE FROM presence WHERE ticket_id = ?",),
            ("DELETE FROM presence WHERE uid = ?",),
        ),
        SqlEraser(
            db,
            "read state",
            ("DELETE FROM seen WHERE ticket_id = ?",),
            ("DELETE FROM seen WHERE uid = ?",),
        ),
        SqlEraser(
            db,
            "drafts",
            ("DELETE FROM drafts WHERE ticket_id = ?",),
            ("DELETE FROM drafts WHERE uid = ?",),
        ),
        SqlEraser(db, "report state", ("DELETE FROM ticket_stats WHERE ticket_id = ?",)),
        SqlEraser(
            db,
            "usage",
            ("DELETE FROM usage WHERE kind = 'ticket' AND owner = ?",),
            ("DELETE FROM usage WHERE kind = 'user' AND owner = ?",),
        ),
        ShreddingEraser(shredder),
        SqlEraser(db, "users", (), ("DELETE FROM users WHERE uid = ?",)),
        SqlEraser(db, "tickets", ("DELETE FROM tickets WHERE id = ?",)),
    )
