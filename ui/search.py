"""Agents' search in message text (``?search``): every ticket's thread, internal notes
included, through the keyed-token index."""

from __future__ import annotations

import streamlit as st

from common.errors import AppError
from config.bootstrap import Services
from tickets import rendering
from tickets.domain import User
from tickets.text import preview
from ui.components import ago

PARAM = "search"


def wanted() -> bool:
    return PARAM in st.query_params


def _open() -> None:
    st.query_params[PARAM] = "1"


def _close() -> None:
    st.query_params.pop(PARAM, None)


def _go(ticket_id: str) -> None:
    st.query_params.pop(PARAM, None)
    st.query_params["ticket"] = ticket_id


def sidebar_link(user: User) -> None:
    if user.is_agent:
        with st.sidebar:
            st.button("🔎 Search messages", on_click=_open, use_container_width=True)


def render(services: Services, user: User) -> None:
    st.button("← Back", on_click=_close)
    st.header("🔎 Search messages")
    st.caption("Every ticket's messages, internal notes included. Words match from their start.")
    query = st.text_input("Words to find", key="message-search")
    if not query.strip():
        return
    try:
        hits = services.operations.search(user, query)
    except AppError as exc:
        st.error(rendering.inline(exc.message), icon="⚠️")
        return
    if not hits:
        st.caption("Nothing found.")
    for n, hit in enumerate(hits):
        with st.container(border=True):
            note = " · 🔒 internal note" if hit.message.is_internal else ""
            st.markdown(
                f"**{rendering.inline(hit.ticket.subject, 100)}** · `{hit.ticket.id}` · "
                f"{hit.message.author_role.value}{note} · {ago(hit.message.created_at)}"
            )
            st.caption(rendering.inline(preview(hit.message.text, 300)))
            st.button(
                "Open ticket", key=f"hit-{n}-{hit.message.id}", on_click=_go, args=(hit.ticket.id,)
            )
