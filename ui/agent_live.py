"""The agent's open ticket, live: status, who else is here, the assistant's context and the
thread, in a fragment that polls the ticket's change marker every ``thread_poll_s``.

The reply box is not in here (see :mod:`ui.live`); the keystroke pings from it are, so a
ping reruns only this fragment.
"""

from __future__ import annotations

import streamlit as st

from config.bootstrap import Services
from tickets import rendering
from tickets.errors import NotSignedIn, TicketNotFound
from tickets.service import TicketAccess
from ui import composer, helpdesk, live, presence, queue
from ui.components import ago, context_meter, status_badge
from ui.thread import page_limit, show_thread


def show(services: Services, access: TicketAccess, names: dict[str, str]) -> None:
    every = services.settings.live.thread_poll_s
    st.fragment(_live_ticket, run_every=every)(services, access, names)


def _live_ticket(services: Services, access: TicketAccess, names: dict[str, str]) -> None:
    ticket_id = access.ticket.id
    try:
        shown = live.current(services, access, limit=page_limit(ticket_id))
    except (NotSignedIn, TicketNotFound) as exc:
        st.error(rendering.inline(exc.message), icon="🔒")
        return
    ticket, now = shown.page.ticket, services.live.clock()
    assignee = names.get(ticket.assignee_uid or "", ticket.assignee_uid or "unassigned")
    st.markdown(
        f"{status_badge(ticket)} · `{ticket.id}` · {rendering.inline(ticket.customer_name)} · "
        f"assignee: {rendering.inline(assignee)} · opened {ago(ticket.created_at)}"
    )
    presence.show_agent_line(shown.watchers(now))
    with st.expander("🧠 The customer assistant's context", expanded=False):
        context_meter(shown.page.memory, shown.page.budget)
    page = shown.page
    show_thread(
        shown.access.user,
        page.thread,
        summarized_through=page.memory.summarized_through,
        names=names,
        extras=helpdesk.extras_for(services, shown.access),
    )
    services.tickets.mark_seen(shown.access, queue.read_state())  # new messages, seen here
    if presence.typing_ping(composer.LABEL, key=f"typing-{ticket_id}"):
        public = not composer.is_internal(ticket_id)
        live.keep(services.live.typing(shown, public=public))
        composer.draft_started(ticket_id)
