"""The open ticket of this session, kept live.

Live parts of a page are ``st.fragment(run_every=...)``: every few seconds Streamlit reruns
only them. Each run calls :func:`current`, which polls the ticket's change marker (one
document) and redraws from what this session already holds when nothing moved. What was
measured in Streamlit 1.67 and shaped this (see README, "Live updates"):

- an automatic fragment rerun never interrupts a run in progress (a reply streaming with
  ``st.write_stream`` finishes first; the queued poll runs after it), so a poll can neither
  cut nor duplicate a reply;
- text being typed in an input survives reruns of the fragment around it (the element keeps
  its identity), and so does an open popover or expander;
- but a text area *inside* a polling fragment loses a click elsewhere on the page after it
  (the blur's fragment rerun swallows the full rerun), so the agent's reply box stays
  outside every fragment, and the queue's own buttons call ``st.rerun()`` for a full run;
- and a deferred download button inside a polling fragment never delivered its file (the
  browser test timed out waiting for the download), so exports stay outside too; a status
  change, which the header shows, redraws the whole page instead.
"""

from __future__ import annotations

import contextlib

import streamlit as st

from assistant.live import LiveTicket
from common.errors import AppError
from config.bootstrap import Services
from tickets.errors import StoreUnavailable
from tickets.service import TicketAccess

LIVE_KEY = "live-ticket"
OFFLINE = "🛰️ The database is not answering; this is what was last loaded. Retrying…"


def current(services: Services, access: TicketAccess, *, limit: int) -> LiveTicket:
    """The live page for ``access``: opened once, then polled on every run (full or not).
    When the database does not answer, the page last drawn is kept (with a note).

    Raises what :meth:`assistant.live.LivePages.poll` raises when the user or the ticket
    was checked again and failed (a revoked account sees nothing new).
    """
    live: LiveTicket | None = st.session_state.get(LIVE_KEY)
    if live is not None and (
        live.ticket_id != access.ticket.id or live.access.user.uid != access.user.uid
    ):
        leave(services)
        live = None
    if live is None:
        live = services.live.open(access, limit=limit)
    else:
        try:
            if live.limit != limit:
                live = services.live.reload(live, access, limit=limit)
            else:
                live = services.live.poll(live)
        except StoreUnavailable:  # keep showing the page (and whatever is being typed)
            st.caption(OFFLINE, help="The page updates itself again once it can.")
            return live
    st.session_state[LIVE_KEY] = live
    return live


def held() -> LiveTicket | None:
    """What this session shows now, without reading anything."""
    live: LiveTicket | None = st.session_state.get(LIVE_KEY)
    return live


def keep(live: LiveTicket) -> None:
    st.session_state[LIVE_KEY] = live


def leave(services: Services) -> None:
    """The user moved away from the ticket (to another one, or to a new-ticket form)."""
    live: LiveTicket | None = st.session_state.pop(LIVE_KEY, None)
    if live is not None:
        with contextlib.suppress(AppError):  # leaving is a courtesy: the entry expires anyway
            services.live.leave(live)
