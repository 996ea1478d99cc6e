"""What an agent sees: the live queue in the sidebar, the live thread, actions, the reply box,
and the AI panel."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from assistant.copilot import SUGGEST, SUMMARIZE
from common.errors import AppError
from config.bootstrap import Services
from tickets import rendering
from tickets.domain import Status, User
from tickets.errors import InvalidInput, TicketNotFound
from tickets.queue import ACTIVE_STATUSES
from tickets.service import TicketAccess
from ui import agent_live, composer, helpdesk, live, macros, queue
from ui.auth import sign_out
from ui.components import only_this_ticket_takes_input, render_message
from ui.conversation import draft_id, forget_draft, stream_reply
from ui.exports import export_menu

SCOPES = {"all": "All", "mine": "Assigned to me", "unassigned": "Unassigned"}
AGENTS_TTL_S = 60.0
T = TypeVar("T")


def render(services: Services, user: User) -> None:
    selected = st.query_params.get("ticket")
    _sidebar_head(user)
    view = queue.show(services, user, selected)  # a live fragment in the sidebar
    with st.sidebar:
        st.divider()
        if st.button("Sign out", use_container_width=True):
            sign_out()
    if not selected:
        live.leave(services)
        st.header("Pick a ticket from the queue")
        st.caption("Unread tickets and tickets waiting on an agent come first.")
        return
    try:  # from the queue just read when it is there: the ticket is read once per rerun
        access = services.pages.access(user, selected, known=[i.ticket for i in view.items])
    except (TicketNotFound, InvalidInput) as exc:
        live.leave(services)
        st.error(rendering.inline(exc.message), icon="🔍")
        st.button("← Back to the queue", on_click=_back_to_queue)
        return
    only_this_ticket_takes_input(access.ticket.id)
    services.tickets.mark_seen(access, queue.read_state())
    thread_col, ai_col = st.columns([3, 2], gap="large")
    with thread_col:
        _ticket(services, access)
    with ai_col:
        _ai_panel(services, access)


def _back_to_queue() -> None:
    st.query_params.pop("ticket", None)


def _sidebar_head(user: User) -> None:
    with st.sidebar:
        st.markdown(f"### 🎧 Queue\n**{rendering.inline(user.display_name)}** · agent")
        # Labels stay fixed (no counts in them) so the selections survive every rerun.
        st.segmented_control(
            "Show", list(SCOPES), default="all", format_func=SCOPES.__getitem__, key="queue-scope"
        )
        st.multiselect(
            "Status",
            list(Status),
            default=list(ACTIVE_STATUSES),
            format_func=lambda s: s.label,
            key="queue-status",
        )
        st.text_input("Search subject, customer or id", key="queue-search")
        st.toggle("Unread and waiting first", value=True, key="queue-unread")
        st.toggle("Next response due first", value=False, key="queue-due")


def _cached(key: str, ttl_s: float, load: Callable[[], T]) -> T:
    """A per-session value refreshed at most every ``ttl_s`` seconds."""
    stamp, value = st.session_state.get(key, (0.0, None))
    if value is None or time.monotonic() - stamp > ttl_s:
        value = load()
        st.session_state[key] = (time.monotonic(), value)
    return value  # type: ignore[no-any-return]


def _agent_names(services: Services, user: User) -> dict[str, str]:
    return _cached(
        "agent-names",
        AGENTS_TTL_S,
        lambda: {a.uid: a.display_name for a in services.tickets.agents(user)},
    )


def _ticket(services: Services, access: TicketAccess) -> None:
    st.header(rendering.inline(access.ticket.subject), anchor=False)
    helpdesk.header(services, access)  # priority, the response clock, CSAT
    names = _agent_names(services, access.user)
    agent_live.show(services, access, names)  # status, presence and thread, polling
    _actions(services, access, names)
    helpdesk.triage_panel(services, access)
    helpdesk.merge_panel(services, access)
    macros.picker(services, access)
    composer.show(services, access, names)


def _actions(services: Services, access: TicketAccess, names: dict[str, str]) -> None:
    ticket = access.ticket
    with st.expander("Ticket actions", expanded=False), st.form(f"actions-{ticket.id}"):
        options = ["", *names]
        assignee = st.selectbox(
            "Assignee",
            options,
            index=options.index(ticket.assignee_uid) if ticket.assignee_uid in names else 0,
            format_func=lambda uid: names.get(uid, "Unassigned"),
        )
        status = st.selectbox(
            "Status",
            list(Status),
            index=list(Status).index(ticket.status),
            format_func=lambda s: s.label,
        )
        labels = st.multiselect(
            "Labels",
            options=list(ticket.labels),
            default=list(ticket.labels),
            accept_new_options=True,
        )
        ai_on = st.toggle("AI assistant answers the customer", value=ticket.assistant_active)
        if st.form_submit_button("Save"):
            try:
                if (assignee or None) != ticket.assignee_uid:
                    services.tickets.assign(access, assignee or None)
                if status is not None and status is not ticket.status:
                    services.tickets.set_status(access, status)
                if tuple(labels) != ticket.labels:
                    services.tickets.set_labels(access, labels)
                if ai_on != ticket.assistant_active:
                    services.tickets.set_assistant_active(access, ai_on)
            except AppError as exc:
                st.error(rendering.inline(exc.message))
                return
            st.rerun()
    export_menu(services, access)


def _ai_panel(services: Services, access: TicketAccess) -> None:
    ticket_id = access.ticket.id
    st.subheader("🤖 Copilot")
    st.caption("Private to you: the customer never sees this.")
    quick = st.columns(2)
    question = None
    if quick[0].button("Summarize ticket", use_container_width=True, key=f"sum-{ticket_id}"):
        question = SUMMARIZE
    if quick[1].button("Suggest a reply", use_container_width=True, key=f"sug-{ticket_id}"):
        question = SUGGEST
    history = services.copilot.thread(access, limit=20)
    rate = helpdesk.extras_for(services, access, copilot=True)
    for message in history:
        render_message(message, viewer_is_agent=True, extras=rate)
    last = history[-1] if history else None
    if last is not None and last.author_role.value == "assistant" and last.text:

        def use_as_draft(text: str = last.text) -> None:
            composer.set_draft(ticket_id, text)

        st.button(
            "Use the last answer as my reply draft", on_click=use_as_draft, key=f"use-{ticket_id}"
        )
    scope = f"copilot-{ticket_id}"  # its chat input is kept through an outage like any other
    kept = st.session_state.get(f"unsent:{scope}")
    if kept:
        st.info("Your question was not sent yet. Edit it if needed and ask again.", icon="✉️")
        edited = st.text_area("Unsent question", value=kept, key=f"unsent-edit:{scope}")
        if st.button("Ask again", key=f"resend:{scope}", type="primary"):
            question = edited
    typed = st.chat_input("Ask about this ticket…", key=f"chat-{scope}")
    question = question or typed
    if not question:
        return
    st.session_state[f"unsent:{scope}"] = question  # until the copilot has stored it
    mid = draft_id(scope)
    if stream_reply(
        lambda: services.copilot.ask(access, question, message_id=mid), waiting_note=""
    ):
        forget_draft(scope)
        st.rerun()
