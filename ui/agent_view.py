"""What an agent sees: the queue in the sidebar, the thread, actions, and the AI panel."""

from __future__ import annotations

import streamlit as st

from assistant.copilot import SUGGEST, SUMMARIZE
from config.bootstrap import Services
from tickets.domain import Message, Status, Ticket, User
from tickets.errors import InvalidInput, TicketError, TicketNotFound
from tickets.export import FORMATS
from tickets.queue import ACTIVE_STATUSES, QueueFilter
from ui.auth import sign_out
from ui.components import ago, context_meter, export_button, render_message, status_badge
from ui.conversation import post_safely, stream_reply
from ui.thread import show_thread

SCOPES = {"all": "All", "mine": "Assigned to me", "unassigned": "Unassigned"}


def render(services: Services, user: User) -> None:
    selected = st.query_params.get("ticket")
    ticket, problem = None, None
    if selected:
        try:
            ticket = services.tickets.ticket(user, selected)
            services.tickets.mark_seen(user, ticket)  # before the queue: no stale unread dot
        except (TicketNotFound, InvalidInput) as exc:
            problem = exc.message
    _queue(services, user, selected)
    if problem:
        st.error(problem, icon="🔍")
        return
    if ticket is None:
        st.header("Pick a ticket from the queue")
        st.caption("Unread tickets and tickets waiting on an agent come first.")
        return
    thread_col, ai_col = st.columns([3, 2], gap="large")
    with thread_col:
        _ticket(services, user, ticket)
    with ai_col:
        _ai_panel(services, user, ticket)


def _select(ticket_id: str) -> None:
    st.query_params["ticket"] = ticket_id


def _queue(services: Services, user: User, selected: str | None) -> None:
    with st.sidebar:
        st.markdown(f"### 🎧 Queue\n**{user.display_name}** · agent")
        counts = services.tickets.queue_counts(user)
        st.caption(
            f"Mine {counts['mine']} · unassigned {counts['unassigned']} · "
            + " · ".join(f"{s.label.lower()} {counts[s.value]}" for s in ACTIVE_STATUSES)
        )
        # Labels stay fixed (no counts in them) so the selections survive every rerun.
        scope = (
            st.segmented_control(
                "Show",
                list(SCOPES),
                default="all",
                format_func=SCOPES.__getitem__,
                key="queue-scope",
            )
            or "all"
        )
        statuses = st.multiselect(
            "Status",
            list(Status),
            default=list(ACTIVE_STATUSES),
            format_func=lambda s: s.label,
            key="queue-status",
        )
        search = st.text_input("Search subject, customer or id", key="queue-search")
        unread_first = st.toggle("Unread and waiting first", value=True, key="queue-unread")
        items = services.tickets.queue(
            user,
            QueueFilter(tuple(statuses) or tuple(Status), scope, search, unread_first),  # type: ignore[arg-type]
        )
        if not items:
            st.caption("No tickets match.")
        for item in items:
            t = item.ticket
            dot = "🔵 " if item.unread else ""
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


def _ticket(services: Services, user: User, ticket: Ticket) -> None:
    st.header(ticket.subject)
    assignee = ticket.assignee_uid or "unassigned"
    st.markdown(
        f"{status_badge(ticket)} · `{ticket.id}` · {ticket.customer_name} · "
        f"assignee: {assignee} · opened {ago(ticket.created_at)}"
    )
    names = {a.uid: a.display_name for a in services.tickets.agents(user)}
    _actions(services, user, ticket, names)
    plan = services.assistant.preview(user, ticket.id)
    with st.expander("🧠 The customer assistant's context", expanded=False):
        context_meter(plan, services.budget.status(ticket.customer_uid, ticket.id))
    show_thread(services, user, ticket.id, summarized_through=plan.summarized_through, names=names)
    _composer(services, user, ticket)


def _actions(services: Services, user: User, ticket: Ticket, names: dict[str, str]) -> None:
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
                    services.tickets.assign(user, ticket.id, assignee or None)
                if status is not None and status is not ticket.status:
                    services.tickets.set_status(user, ticket.id, status)
                if tuple(labels) != ticket.labels:
                    services.tickets.set_labels(user, ticket.id, labels)
                if ai_on != ticket.assistant_active:
                    services.tickets.set_assistant_active(user, ticket.id, ai_on)
            except TicketError as exc:
                st.error(exc.message)
                return
            st.rerun()
    with st.popover("⬇ Export"):
        fmt = st.radio(
            "Format", ["md", "html", "json", "csv"], horizontal=True, key=f"fmt-{ticket.id}"
        )
        internal = st.checkbox("Include internal notes", key=f"int-{ticket.id}")
        export_button(
            "Download transcript",
            lambda: services.tickets.export(user, ticket.id, fmt, include_internal=internal),
            f"{ticket.id}.{fmt}",
            FORMATS[fmt],
            key=f"dl-{ticket.id}",
        )


def _draft_key(ticket_id: str) -> str:
    return f"draft:{ticket_id}"


def _composer(services: Services, user: User, ticket: Ticket) -> None:
    """Reply or note. The draft is kept per ticket while switching between tickets."""
    key = _draft_key(ticket.id)
    drafts: dict[str, str] = st.session_state.setdefault("drafts", {})
    if key not in st.session_state:
        st.session_state[key] = drafts.get(ticket.id, "")

    def keep() -> None:
        drafts[ticket.id] = st.session_state[key]

    st.text_area(
        "Your reply", key=key, on_change=keep, height=120, placeholder="Write to the customer…"
    )
    kind = st.radio(
        "Send as", ["Public reply", "Internal note"], horizontal=True, key=f"kind-{ticket.id}"
    )
    internal = kind == "Internal note"

    def post(text: str, mid: str) -> Message:
        return services.tickets.post(user, ticket.id, text, message_id=mid, internal=internal)

    scope = f"agent-{ticket.id}"
    if not st.button("Send", type="primary", key=f"send-{ticket.id}"):
        return
    # On failure the draft stays in the box; sending again reuses the same message id.
    if post_safely(scope, st.session_state[key], post) is not None:
        drafts.pop(ticket.id, None)
        del st.session_state[key]
        st.rerun()


def _ai_panel(services: Services, user: User, ticket: Ticket) -> None:
    st.subheader("🤖 Copilot")
    st.caption("Private to you: the customer never sees this.")
    quick = st.columns(2)
    question = None
    if quick[0].button("Summarize ticket", use_container_width=True, key=f"sum-{ticket.id}"):
        question = SUMMARIZE
    if quick[1].button("Suggest a reply", use_container_width=True, key=f"sug-{ticket.id}"):
        question = SUGGEST
    history = services.copilot.thread(user, ticket.id, limit=20)
    for message in history:
        render_message(message, viewer_is_agent=True)
    last = history[-1] if history else None
    if last is not None and last.author_role.value == "assistant" and last.text:

        def use_as_draft(text: str = last.text) -> None:
            st.session_state[_draft_key(ticket.id)] = text
            st.session_state.setdefault("drafts", {})[ticket.id] = text

        st.button(
            "Use the last answer as my reply draft", on_click=use_as_draft, key=f"use-{ticket.id}"
        )
    typed = st.chat_input("Ask about this ticket…", key=f"copilot-{ticket.id}")
    question = question or typed
    if question and stream_reply(
        lambda: services.copilot.ask(user, ticket.id, question), waiting_note=""
    ):
        st.rerun()
