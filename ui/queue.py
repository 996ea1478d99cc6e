"""The agent's queue in the sidebar, a fragment that polls for changed tickets.

Every ``queue_poll_s`` it asks for tickets changed since its last look (one read when
nothing changed) and only then reads the queue and its counts again, showing a toast for a
ticket newly assigned to this agent or a customer message on one they own. A ticket the
agent just clicked keeps its place (no jump under the cursor) until something happens to
it or they press "Refresh". Its buttons call ``st.rerun()``: choosing a ticket redraws
the whole page.
"""

from __future__ import annotations

import streamlit as st

from config.bootstrap import Services
from tickets import rendering
from tickets.domain import Status, User
from tickets.errors import StoreUnavailable
from tickets.queue import ACTIVE_STATUSES, QueueFilter, Scope, Sort
from tickets.queue_live import Held, QueueEvent, QueueView, hold
from ui import live
from ui.components import ago

VIEW_KEY, HELD_KEY, SEEN_KEY, SHOWN_KEY = "queue-view", "queue-held", "queue-seen", "queue-shown"


def read_state() -> dict[str, int]:
    """This session's cache of the agent's read state (ticket id -> seq seen)."""
    seen: dict[str, int] = st.session_state.setdefault(SEEN_KEY, {})
    return seen


def filters() -> QueueFilter:
    scope: Scope = st.session_state.get("queue-scope") or "all"
    statuses = st.session_state.get("queue-status", list(ACTIVE_STATUSES))
    search = st.session_state.get("queue-search", "")
    unread_first = st.session_state.get("queue-unread", True)
    sort: Sort = "due" if st.session_state.get("queue-due", False) else "activity"
    return QueueFilter(tuple(statuses) or tuple(Status), scope, search, unread_first, sort=sort)


def current(services: Services, user: User, selected: str | None) -> QueueView:
    """The queue as this session shows it: loaded once, then polled for changes."""
    view: QueueView | None = st.session_state.get(VIEW_KEY)
    flt = filters()
    if view is None or view.flt != flt:
        view = services.live_queue.load(user, flt, read_state(), view.known if view else {})
        st.session_state.pop(HELD_KEY, None)  # another filter: another order
    else:
        try:
            view, found = services.live_queue.poll(view, user, read_state(), selected)
        except StoreUnavailable:
            st.caption(live.OFFLINE)
            return view
        for event in found:
            _toast(event)
    st.session_state[VIEW_KEY] = view
    return view


def refresh() -> None:
    """An explicit refresh: read everything again and let every ticket find its place."""
    st.session_state.pop(VIEW_KEY, None)
    st.session_state.pop(HELD_KEY, None)


def _select(ticket_id: str) -> None:
    shown: list[str] = st.session_state.get(SHOWN_KEY, [])
    view: QueueView | None = st.session_state.get(VIEW_KEY)
    ticket = view.known.get(ticket_id) if view else None
    if ticket is not None and ticket_id in shown:
        st.session_state[HELD_KEY] = Held(ticket_id, shown.index(ticket_id), ticket.last_change)
    st.query_params["ticket"] = ticket_id
    st.rerun()  # a full run: the page shows the chosen ticket


def show(services: Services, user: User, selected: str | None) -> QueueView:
    """Draw the live list into the sidebar (a fragment polling every ``queue_poll_s``);
    returns the queue as drawn by this run."""
    every = services.settings.live.queue_poll_s
    view: QueueView = st.fragment(_live_list, run_every=every)(services, user, selected)
    return view


def _live_list(services: Services, user: User, selected: str | None) -> QueueView:
    with st.sidebar:
        view = current(services, user, selected)
        _draw(services, view, selected)
        st.button("↻ Refresh", on_click=refresh, key="queue-refresh", type="tertiary")
    return view


def _toast(event: QueueEvent) -> None:
    ticket = event.ticket
    subject = rendering.inline(ticket.subject)
    if event.kind == "assigned":
        st.toast(f"Assigned to you: {subject}", icon="📥")
    else:
        st.toast(
            f"{rendering.inline(ticket.customer_name or 'The customer')} wrote on {subject}",
            icon="💬",
        )


def _draw(services: Services, view: QueueView, selected: str | None) -> None:
    counts = view.counts
    st.caption(
        f"Mine {counts['mine']} · unassigned {counts['unassigned']} · "
        + " · ".join(f"{s.label.lower()} {counts[s.value]}" for s in ACTIVE_STATUSES)
    )
    items = hold(list(view.items), st.session_state.get(HELD_KEY))
    st.session_state[SHOWN_KEY] = [i.ticket.id for i in items]
    if not items:
        st.caption("No tickets match.")
    seen = read_state()  # as of now: the open ticket's page marks what it shows as read
    for item in items:
        t = item.ticket
        dot = ("🤝 " if t.awaits_handoff else "") + (
            "🔵 " if t.unread(seen.get(t.id, 0)) and t.id != selected else ""
        )
        flag = services.tickets.sla.flag(item.sla)  # as of now: flags move with the time
        dot = {"soon": "⏰ ", "breached": "🔥 "}.get(flag, "") + dot
        st.button(
            f"{dot}{rendering.inline(t.subject, 90)}  \n"
            f"{rendering.inline(t.customer_name, 40)} · {t.status.label} · {ago(t.updated_at)}",
            key=f"queue-{t.id}",
            on_click=_select,
            args=(t.id,),
            type="primary" if t.id == selected else "secondary",
            use_container_width=True,
        )
