"""Presence use cases: arriving at a ticket, staying, typing, leaving.

Each person writes only their own presence entry, never the ticket document. The ticket's
change marker moves only on transitions others must see at once (someone arrives, starts
typing, stops, leaves); renewing an entry moves nothing, so a page that shows names reads
the entries again when the soonest of them would expire.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tickets.domain import User, utcnow
from tickets.live import ActivityKind, LiveSettings
from tickets.presence import Presence, arriving
from tickets.store import ActivityStore, PresenceStore


class PresenceService:
    def __init__(
        self,
        presence: PresenceStore,
        activity: ActivityStore,
        settings: LiveSettings | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.presence, self.activity = presence, activity
        self.settings = settings or LiveSettings()
        self.clock = clock

    def arrive(self, user: User, ticket_id: str) -> Presence:
        """``user`` opened the ticket (the caller has checked they may see it)."""
        mine = arriving(user, ticket_id, self.clock(), self.settings.presence_ttl_s)
        self._write(mine, announce=True)
        return mine

    def here(self, ticket_id: str) -> list[Presence]:
        return self.presence.live(ticket_id, self.clock())

    def stay(self, mine: Presence) -> Presence:
        """Still here: renew the entry when it is due (a write every ``ttl / 2``)."""
        now = self.clock()
        if not mine.due(now, self.settings.presence_renew_s):
            return mine
        renewed = mine.renewed(now, self.settings.presence_ttl_s)
        self._write(renewed, announce=not mine.is_live(now))  # it had lapsed: arriving again
        return renewed

    def typing(self, mine: Presence, *, public: bool) -> Presence:
        """A keystroke ping: typing for the next ``typing_s``; others hear of it at once
        when it starts (or turns from a note into a public reply)."""
        now = self.clock()
        was = mine.is_typing(now) and mine.typing_public == public
        typing = mine.renewed(now, self.settings.presence_ttl_s).typing(
            now, self.settings.typing_s, public=public
        )
        self._write(typing, announce=not was)
        return typing

    def stopped_typing(self, mine: Presence) -> Presence:
        """The reply was sent (or dropped): nobody should still read "is replying"."""
        now = self.clock()
        if not mine.is_typing(now):
            return mine
        idle = mine.idle(now)
        self._write(idle, announce=True)
        return idle

    def leave(self, mine: Presence) -> None:
        self.presence.remove(mine.ticket_id, mine.uid)
        self.activity.touch(mine.ticket_id, ActivityKind.PRESENCE)

    def _write(self, entry: Presence, *, announce: bool) -> None:
        self.presence.put(entry)
        if announce:
            self.activity.touch(entry.ticket_id, ActivityKind.PRESENCE)
