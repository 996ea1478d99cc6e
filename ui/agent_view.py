"""What an agent sees: the queue in the sidebar, the thread, actions, and the AI panel."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from assistant.copilot import SUGGEST, SUMMARIZE
from common.errors import AppError
from config.bootstrap import Services
from tickets.domain import Message, Status, User
from tickets.errors import InvalidInput, TicketNotFound
from tickets.export import FORMATS
from tickets.queue import ACTIVE_STATUSES, QueueFilter, QueueItem, Scope
from tickets.service import TicketAccess
from ui.auth import sign_out
from ui.components import ago, context_meter, export_button, render_message, status_badge
from ui.conversation import draft_id, forget_draft, post_safely, stream_reply
from ui.thread import page_limit, show_thread

SCOPES = {"all": "All", "mine": "Assigned to me", "unassigned": "Unassigned"}
COUNTS_TTL_S = 15.0  # queue counts are aggregation queries: refreshed at most this often
AGENTS_TTL_S = 60.0
T = TypeVar("T")


def render(services: Services, user: User) -> None:
    selected = st.query_params.get("ticket")
    items = _queue_items(services, user)
    access, problem = None, None
    if selected:
        try:  # from the queue just read when it is there: the ticket is read once per rerun
            access = services.pages.access(user, selected, known=[i.ticket for i in items])
            seen = services.tickets.mark_seen(access)  # before the queue: no stale unread dot
            access = TicketAccess(user, seen)
            items = [QueueItem(seen, False) if i.ticket.id == seen.id else i for i in items]
        except (TicketNotFound, InvalidInput) as exc:
            problem = exc.message
    _queue(services, user, items, selected)
    if problem:
        st.error(problem, icon="🔍")
        return
    if access is None:
        st.header("Pick a ticket from the queue")
        st.caption("Unread tickets and tickets waiting on an agent come first.")
        return
    thread_col, ai_col = st.columns([3, 2], gap="large")
    with thread_col:
        _ticket(services, access)
    with ai_col:
        _ai_panel(services, access)


def _select(ticket_id: str) -> None:
    st.query_params["ticket"] = ticket_id


def _cached(key: str, ttl_s: float, load: Callable[[], T]) -> T:
    """A per-session value refreshed at most every ``ttl_s`` seconds."""
    stamp, value = st.session_state.get(key, (0.0, None))
    if value is None or time.monotonic() - stamp > ttl_s:
        value = load()
        st.session_state[key] = (time.monotonic(), value)
    return value  # type: ignore[no-any-return]


def _filters() -> QueueFilter:
    scope: Scope = st.session_state.get("queue-scope") or "all"
    statuses = st.session_state.get("queue-status", list(ACTIVE_STATUSES))
    search = st.session_state.get("queue-search", "")
    unread_first = st.session_state.get("queue-unread", True)
    return QueueFilter(tuple(statuses) or tuple(Status), scope, search, unread_first)


def _queue_items(services: Services, user: User) -> list[QueueItem]:
    return services.tickets.queue(user, _filters())


def _queue(services: Services, user: User, items: list[QueueItem], selected: str | None) -> None:
    with st.sidebar:
        st.markdown(f"### 🎧 Queue\n**{user.display_name}** · agent")
        counts = _cached("queue-counts", COUNTS_TTL_S, lambda: services.tickets.queue_counts(user))
        st.caption(
            f"Mine {counts['mine']} · unassigned {counts['unassigned']} · "
            + " · ".join(f"{s.label.lower()} {counts[s.value]}" for s in ACTIVE_STATUSES)
        )
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
        if not items:
            st.caption("No tickets match.")
        for item in items:
            t = item.ticket
            dot = ("🤝 " if t.awaits_handoff else "") + ("🔵 " if item.unread else "")
            st.button(
                f"{dot}{t.subject}  \n{t.customer_name} · {t.status.label} · {ago(t.updated_at)}",
                key=f"queue-{t.id}",
                on_click=_select,
                args=(t.id,),
                type="primary" if t.id == selected else "secondary",
                use_container_width=True,
            )
        st.divider()
        if st.button("Sign out", use_container_width=True):
            sign_out()


def _agent_names(services: Services, user: User) -> dict[str, str]:
    return _cached(
        "agent-names",
        AGENTS_TTL_S,
        lambda: {a.uid: a.display_name for a in services.tickets.agents(user)},
    )


def _ticket(services: Services, access: TicketAccess) -> None:
    ticket = access.ticket
    st.header(ticket.subject)
    names = _agent_names(services, access.user)
    assignee = names.get(ticket.assignee_uid or "", ticket.assignee_uid or "unassigned")
    st.markdown(
        f"{status_badge(ticket)} · `{ticket.id}` · {ticket.customer_name} · "
        f"assignee: {assignee} · opened {ago(ticket.created_at)}"
    )
    _actions(services, access, names)
    page = services.pages.ticket_page(access, limit=page_limit(ticket.id))
    with st.expander("🧠 The customer assistant's context", expanded=False):
        context_meter(page.memory, page.budget)
    show_thread(
        access.user, page.thread, summarized_through=page.memory.summarized_through, names=names
    )
    _composer(services, access)


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
                st.error(exc.message)
                return
            st.session_state.pop("queue-counts", None)
            st.rerun()
    with st.popover("⬇ Export"):
        fmt = st.radio(
            "Format", ["md", "html", "json", "csv"], horizontal=True, key=f"fmt-{ticket.id}"
        )
        internal = st.checkbox("Include internal notes", key=f"int-{ticket.id}")
        uid = access.user.uid
        export_button(
            "Download transcript",
            lambda: services.tickets.export(uid, ticket.id, fmt, include_internal=internal),
            f"{ticket.id}.{fmt}",
            FORMATS[fmt],
            key=f"dl-{ticket.id}",
        )


def _draft_key(ticket_id: str) -> str:
    return f"draft:{ticket_id}"


def _composer(services: Services, access: TicketAccess) -> None:
    """Reply or note. The draft is kept per ticket while switching between tickets."""
    ticket_id = access.ticket.id
    key = _draft_key(ticket_id)
    drafts: dict[str, str] = st.session_state.setdefault("drafts", {})
    if key not in st.session_state:
        st.session_state[key] = drafts.get(ticket_id, "")

    def keep() -> None:
        drafts[ticket_id] = st.session_state[key]

    st.text_area(
        "Your reply", key=key, on_change=keep, height=120, placeholder="Write to the customer…"
    )
    kind = st.radio(
        "Send as", ["Public reply", "Internal note"], horizontal=True, key=f"kind-{ticket_id}"
    )
    internal = kind == "Internal note"

    def post(text: str, mid: str) -> Message:
        return services.tickets.post(access, text, message_id=mid, internal=internal)

    scope = f"agent-{ticket_id}"
    if not st.button("Send", type="primary", key=f"send-{ticket_id}"):
        return
    # On failure the draft stays in the box; sending again reuses the same message id.
    if post_safely(scope, st.session_state[key], post) is not None:
        drafts.pop(ticket_id, None)
        del st.session_state[key]
        st.session_state.pop("queue-counts", None)
        st.rerun()


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
    for message in history:
        render_message(message, viewer_is_agent=True)
    last = history[-1] if history else None
    if last is not None and last.author_role.value == "assistant" and last.text:

        def use_as_draft(text: str = last.text) -> None:
            st.session_state[_draft_key(ticket_id)] = text
            st.session_state.setdefault("drafts", {})[ticket_id] = text

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
