"""The thread: the newest page first, "Load older" on demand, the summary marker in place.

Each rerun reads only what is on screen (one page, plus the older pages the user asked for);
nothing reads the whole thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st

from config.bootstrap import Services
from tickets.domain import Message, User
from tickets.service import ThreadPage
from ui.components import render_message, summary_marker

PAGE = 30


def _pages_key(ticket_id: str) -> str:
    return f"pages:{ticket_id}"


def show_thread(
    services: Services,
    user: User,
    ticket_id: str,
    *,
    summarized_through: int = 0,
    on_retry: Callable[[Message], None] | None = None,
    names: Mapping[str, str] | None = None,
) -> ThreadPage:
    key = _pages_key(ticket_id)
    pages = int(st.session_state.get(key, 1))
    page = services.tickets.thread(user, ticket_id, limit=PAGE * pages)
    if page.has_older:

        def load_older() -> None:
            st.session_state[key] = pages + 1

        st.button("⬆ Load older messages", key=f"older-{ticket_id}", on_click=load_older)
    if not page.messages:
        st.caption("No messages yet.")
    marked = False
    for message in page.messages:
        if summarized_through and not marked and message.seq > summarized_through:
            summary_marker(summarized_through)  # right after the last summarized message
            marked = True
        render_message(message, viewer_is_agent=user.is_agent, on_retry=on_retry, names=names)
    if summarized_through and not marked and page.messages:
        summary_marker(summarized_through)
    return page
