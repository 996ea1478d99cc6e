"""What a person typed and has not sent yet, one draft per (user, ticket).

An agent's half-written reply and a customer's refused or failed message are kept in the
store, not only in the browser session, so they survive a refusal, a failure and a reload.
Only their author reads them back, through a ticket they may still open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from tickets.domain import as_datetime, utcnow

if TYPE_CHECKING:
    from tickets.service import TicketAccess

MAX_DRAFT_CHARS = 100_000  # far above a message's limit: a refused long text is kept whole


@dataclass(frozen=True)
class Draft:
    uid: str
    ticket_id: str
    text: str
    saved_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "ticketId": self.ticket_id,
            "text": self.text,
            "savedAt": self.saved_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        text = data["text"]
        if not isinstance(text, str):
            raise TypeError("draft text")
        return cls(str(data["uid"]), str(data["ticketId"]), text, as_datetime(data["savedAt"]))


class DraftStore(Protocol):
    """Unsent text per (user, ticket); the adapter seals it like message text."""

    def get(self, uid: str, ticket_id: str) -> Draft | None: ...

    def put(self, draft: Draft) -> None:
        """Replace what was kept for this user and ticket."""
        ...

    def delete(self, uid: str, ticket_id: str) -> None: ...


class DraftService:
    """Keep, read back and drop the signed-in user's own draft of a ticket they may open."""

    def __init__(self, store: DraftStore, clock: Callable[[], datetime] = utcnow) -> None:
        self.store, self.clock = store, clock

    def get(self, access: TicketAccess) -> str:
        draft = self.store.get(access.user.uid, access.ticket.id)
        return draft.text if draft else ""

    def keep(self, access: TicketAccess, text: str) -> None:
        """Blank text drops the draft; more than ``MAX_DRAFT_CHARS`` keeps the beginning."""
        if not text.strip():
            self.discard(access)
            return
        draft = Draft(access.user.uid, access.ticket.id, text[:MAX_DRAFT_CHARS], self.clock())
        self.store.put(draft)

    def discard(self, access: TicketAccess) -> None:
        self.store.delete(access.user.uid, access.ticket.id)
