"""An open ticket page that keeps itself up to date by polling the ticket's change marker.

:meth:`LivePages.open` reads the page once (as :class:`assistant.pages.PageService` does)
and remembers the marker it reflects. :meth:`LivePages.poll` reads the marker, one document,
and nothing else when it has not moved. When it has, the user and the ticket are checked
again before anything new is shown, and only what moved is read: the messages after the
oldest one that may still change, the ticket, the memory figures; the presence entries when
someone arrived, left or started typing (or when the soonest entry would expire).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from assistant.pages import PageService, TicketPage
from tickets import thread_delta
from tickets.domain import Message, utcnow
from tickets.live import Activity, ActivityKind, LiveSettings
from tickets.presence import Presence, Watchers, next_expiry, replied_since, watchers
from tickets.service import ThreadPage, TicketAccess
from tickets.watch import PresenceService


@dataclass(frozen=True)
class LiveTicket:
    """A ticket page as last drawn, the marker it reflects, and who was there."""

    page: TicketPage
    activity: Activity
    present: tuple[Presence, ...]
    mine: Presence
    limit: int

    @property
    def access(self) -> TicketAccess:
        return self.page.access

    @property
    def ticket_id(self) -> str:
        return self.page.ticket.id

    def watchers(self, now: datetime) -> Watchers:
        return watchers(self.present, self.access.user, now)


class LivePages:
    def __init__(
        self,
        pages: PageService,
        presence: PresenceService,
        settings: LiveSettings | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.pages, self.tickets = pages, pages.tickets
        self.presence, self.settings, self.clock = presence, settings or LiveSettings(), clock
        self.store = self.tickets.store

    def open(self, access: TicketAccess, *, limit: int) -> LiveTicket:
        """The whole page, read once; the viewer is announced on the ticket."""
        mine = self.presence.arrive(access.user, access.ticket.id)
        return self._read(access, mine, limit)

    def reload(self, live: LiveTicket, access: TicketAccess, *, limit: int) -> LiveTicket:
        """The whole page again (more older messages asked for, or a fresh full run)."""
        return self._read(access, self.presence.stay(live.mine), limit)

    def poll(self, live: LiveTicket) -> LiveTicket:
        """One look at the marker; the rest only for what moved."""
        activity = self.store.activity.get(live.ticket_id)
        moved = activity.moved(live.activity)
        now = self.clock()
        page = self._settled(live.page, now)
        if moved & {ActivityKind.THREAD, ActivityKind.TICKET}:
            page = self._refreshed(live, ActivityKind.THREAD in moved)
        present = live.present
        if ActivityKind.PRESENCE in moved or self._names_may_have_lapsed(live, now):
            present = tuple(self.presence.here(live.ticket_id))
        mine = self.presence.stay(live.mine)
        return LiveTicket(page, activity, present, mine, live.limit)

    def typing(self, live: LiveTicket, *, public: bool) -> LiveTicket:
        return replace(live, mine=self.presence.typing(live.mine, public=public))

    def stopped_typing(self, live: LiveTicket) -> LiveTicket:
        return replace(live, mine=self.presence.stopped_typing(live.mine))

    def leave(self, live: LiveTicket) -> None:
        self.presence.leave(live.mine)

    def replied_since(self, live: LiveTicket, since_seq: int) -> Message | None:
        """A public agent reply by someone else after ``since_seq`` (read from the store, not
        the page, so a reply posted a moment ago counts)."""
        newer = self.store.threads.after(live.access.conv, after_seq=since_seq, limit=50)
        return replied_since(newer, live.access.user.uid)

    # -- reading -----------------------------------------------------------------------------

    def _read(self, access: TicketAccess, mine: Presence, limit: int) -> LiveTicket:
        activity = self.store.activity.get(access.ticket.id)  # first: a later change shows next
        page = self.pages.ticket_page(access, limit=limit)
        present = tuple(self.presence.here(access.ticket.id))
        return LiveTicket(page, activity, present, mine, limit)

    def _refreshed(self, live: LiveTicket, thread_moved: bool) -> TicketPage:
        """Check the viewer again (nothing new is shown to a revoked account), then read what
        moved. Raises :class:`tickets.errors.NotSignedIn` or ``TicketNotFound``."""
        old = live.page
        user = self.tickets.current_user(old.access.user.uid)
        access = self.tickets.access(user, old.ticket.id)
        thread = self._thread(access, old.thread, live.limit) if thread_moved else old.thread
        thread = replace(thread, ticket=access.ticket)
        if not thread_delta.news(old.thread, thread) and old.ticket == access.ticket:
            return replace(old, access=access, thread=thread)  # a reply streaming: text only
        checkpoint = self.store.checkpoints.get(access.conv)
        memory = self.pages.memory(access, checkpoint, thread)
        budget = self.pages.budget.status(access.ticket.customer_uid, access.ticket.id)
        return TicketPage(access, thread, memory, budget)

    def _thread(self, access: TicketAccess, page: ThreadPage, limit: int) -> ThreadPage:
        newer = self.store.threads.after(
            access.conv,
            after_seq=thread_delta.read_after(page),
            limit=limit + 1,
            public_only=not access.sees_internal,
        )
        if len(newer) > limit:  # more arrived than a page holds: read the newest page
            return self.tickets.thread(access, limit=limit)
        return thread_delta.merge(page, newer, access.ticket, self.clock(), self._stall_s)

    def _settled(self, page: TicketPage, now: datetime) -> TicketPage:
        thread = thread_delta.settle(page.thread, now, self._stall_s)
        return page if thread is page.thread else replace(page, thread=thread)

    def _names_may_have_lapsed(self, live: LiveTicket, now: datetime) -> bool:
        """Agents see who is here: when an entry they hold would expire, its owner may have
        renewed it (renewals move no marker), so the entries are read again. Customers are
        told only of typing, which always moves the marker."""
        if not live.access.user.is_agent:
            return False
        soonest = next_expiry(live.present, live.access.user.uid)
        return soonest is not None and soonest <= now

    @property
    def _stall_s(self) -> float:
        return self.tickets.reply_stall_s
