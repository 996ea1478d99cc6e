"""Canned responses and macros in the agent's view: a picker beside the reply box (insert a
snippet, or apply a macro), and a page where agents manage them (``?snippets``)."""

from __future__ import annotations

import streamlit as st

from common.errors import AppError
from config.bootstrap import Services
from tickets import rendering
from tickets.domain import Priority, Status, User
from tickets.service import TicketAccess
from tickets.snippets import VARIABLES, Snippet, append
from ui import composer

PARAM = "snippets"


def wanted() -> bool:
    return PARAM in st.query_params


def open_page() -> None:
    st.query_params[PARAM] = "1"


def close_page() -> None:
    st.query_params.pop(PARAM, None)


def sidebar_link(user: User) -> None:
    if user.is_agent:
        with st.sidebar:
            st.button("⚡ Canned responses", on_click=open_page, use_container_width=True)


def _checked(services: Services, access: TicketAccess) -> TicketAccess:
    """The user and ticket checked again at the moment of the click."""
    user = services.tickets.current_user(access.user.uid)
    return services.tickets.access(user, access.ticket.id)


def _insert(services: Services, access: TicketAccess, snippet_id: str, macro: bool) -> None:
    ticket_id = access.ticket.id
    try:
        fresh = _checked(services, access)
        if macro:
            text = services.snippets.apply(fresh, snippet_id).text
        else:
            text = services.snippets.insert(fresh, snippet_id)
    except AppError as exc:
        st.session_state[f"macro-error:{ticket_id}"] = exc.message
        return
    current = str(st.session_state.get(composer.draft_key(ticket_id)) or "")
    composer.set_draft(ticket_id, append(current, text))


def expand_typed(services: Services, access: TicketAccess) -> None:
    """The reply box's change: every /shortcut typed is replaced by its snippet."""
    key = composer.draft_key(access.ticket.id)
    text = str(st.session_state.get(key) or "")
    if "/" not in text:
        return
    try:
        expanded = services.snippets.expand(access, text)
    except AppError:
        return
    if expanded != text:
        st.session_state[key] = expanded


def picker(services: Services, access: TicketAccess) -> None:
    """Insert a snippet into the draft (several can go in), or apply a macro."""
    ticket_id = access.ticket.id
    error = st.session_state.pop(f"macro-error:{ticket_id}", None)
    if error:
        st.error(rendering.inline(error), icon="⚠️")
    snippets = services.snippets.snippets(access.user)
    if not snippets:
        st.caption("⚡ No canned responses yet: add some from the sidebar.")
        return
    by_id = {s.id: s for s in snippets}
    left, right, macro_col = st.columns([3, 1, 1])
    chosen = left.selectbox(
        "Canned response",
        list(by_id),
        format_func=lambda sid: _label(by_id[sid]),
        key=f"pick-snippet-{ticket_id}",
        label_visibility="collapsed",
    )
    right.button(
        "Insert",
        key=f"insert-snippet-{ticket_id}",
        on_click=_insert,
        args=(services, access, chosen, False),
        use_container_width=True,
        help="Adds it to your draft with this ticket's details filled in; nothing is sent.",
    )
    if chosen and by_id[chosen].is_macro:
        macro_col.button(
            "Apply macro",
            key=f"apply-macro-{ticket_id}",
            on_click=_insert,
            args=(services, access, chosen, True),
            use_container_width=True,
            type="primary",
            help=_actions(by_id[chosen]),
        )
    st.caption("Or type /shortcut in your reply (e.g. /" + snippets[0].shortcut + ").")


def _label(snippet: Snippet) -> str:
    kind = "⚙️ macro · " if snippet.is_macro else ""
    return f"/{snippet.shortcut} · {kind}{rendering.inline(snippet.title, 60)}"


def _actions(snippet: Snippet) -> str:
    parts = []
    if snippet.status:
        parts.append(f"status: {snippet.status.label}")
    if snippet.labels:
        parts.append("labels: " + ", ".join(snippet.labels))
    if snippet.priority:
        parts.append(f"priority: {snippet.priority.label}")
    if snippet.assign:
        parts.append("assign: " + ("me" if snippet.assign == "me" else "nobody"))
    return "Inserts the text and sets " + "; ".join(parts) if parts else ""


def render(services: Services, user: User) -> None:
    """The management page: every snippet, and a form to add or edit one."""
    st.button("← Back", on_click=close_page)
    st.header("⚡ Canned responses and macros")
    if not user.is_agent:
        st.error("Only support agents use canned responses.")
        return
    st.caption(
        "Shared by all agents. Variables: "
        + ", ".join(f"`{{{{{v}}}}}`" for v in VARIABLES)
        + ". A macro also sets the status, labels, priority or assignee."
    )
    snippets = services.snippets.snippets(user)
    editing = st.session_state.get("snippet-editing")
    current = next((s for s in snippets if s.id == editing), None)
    _form(services, user, current)
    for snippet in snippets:
        with st.container(border=True):
            st.markdown(f"**{rendering.inline(_label(snippet), 120)}**")
            st.markdown(rendering.markdown(snippet.body))
            if snippet.is_macro:
                st.caption(_actions(snippet))
            edit, delete, _ = st.columns([1, 1, 6])
            if edit.button("Edit", key=f"edit-{snippet.id}"):
                st.session_state["snippet-editing"] = snippet.id
                st.rerun()
            if delete.button("Delete", key=f"delete-{snippet.id}"):
                services.snippets.delete(user, snippet.id)
                st.rerun()


def _form(services: Services, user: User, current: Snippet | None) -> None:
    title = "Edit " + f"/{current.shortcut}" if current else "New canned response"
    with st.form("snippet-form", clear_on_submit=current is None):
        st.subheader(title)
        shortcut = st.text_input("Shortcut", value=current.shortcut if current else "")
        name = st.text_input("Title", value=current.title if current else "")
        body = st.text_area("Text", value=current.body if current else "", height=140)
        statuses: list[Status | None] = [None, *Status]
        status = st.selectbox(
            "Macro: set the status",
            statuses,
            index=statuses.index(current.status) if current else 0,
            format_func=lambda s: "(leave it)" if s is None else s.label,
        )
        labels = st.multiselect(
            "Macro: add labels",
            list(current.labels) if current else [],
            default=list(current.labels) if current else [],
            accept_new_options=True,
        )
        priorities: list[Priority | None] = [None, *Priority]
        priority = st.selectbox(
            "Macro: set the priority",
            priorities,
            index=priorities.index(current.priority) if current else 0,
            format_func=lambda p: "(leave it)" if p is None else p.label,
        )
        assigns = ["", "me", "nobody"]
        assign = st.selectbox(
            "Macro: assign",
            assigns,
            index=assigns.index(current.assign) if current else 0,
            format_func=lambda a: {"": "(leave it)", "me": "to me", "nobody": "to nobody"}[a],
        )
        if st.form_submit_button("Save", type="primary"):
            try:
                services.snippets.save(
                    user,
                    shortcut=shortcut,
                    title=name,
                    body=body,
                    status=status,
                    labels=labels,
                    assign="me" if assign == "me" else ("nobody" if assign == "nobody" else ""),
                    priority=priority,
                    replacing=current.id if current else None,
                )
            except AppError as exc:
                st.error(rendering.inline(exc.message), icon="⚠️")
                return
            st.session_state.pop("snippet-editing", None)
            st.rerun()
