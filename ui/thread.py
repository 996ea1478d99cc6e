"""The thread: the newest page first, "Load older" on demand, the summary marker in place.

The page's messages come from the one page call of this rerun; nothing here reads the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st

from tickets.domain import Message, User
from tickets.service import ThreadPage
from ui.components import MessageExtras, render_message, summary_marker

PAGE = 30


def _pages_key(ticket_id: str) -> str:
    return f"pages:{ticket_id}"


def page_limit(ticket_id: str) -> int:
    """How many messages to show: a page, plus the older pages the user asked for."""
    return PAGE * int(st.session_state.get(_pages_key(ticket_id), 1))


def show_thread(
    user: User,
    page: ThreadPage,
    *,
    summarized_through: int = 0,
    on_retry: Callable[[Message], None] | None = None,
    names: Mapping[str, str] | None = None,
    extras: MessageExtras | None = None,
) -> None:
    key = _pages_key(page.ticket.id)
    if page.has_older:

        def load_older() -> None:
            st.session_state[key] = int(st.session_state.get(key, 1)) + 1

        st.button("⬆ Load older messages", key=f"older-{page.ticket.id}", on_click=load_older)
    if not page.messages:
        st.caption("No messages yet.")
    marked = False
    for message in page.messages:
        if summarized_through and not marked and message.seq > summarized_through:
            summary_marker(summarized_through, viewer_is_agent=user.is_agent)  # right after it
            marked = True
        render_message(
            message, viewer_is_agent=user.is_agent, on_retry=on_retry, names=names, extras=extras
        )
    if summarized_through and not marked and page.messages:
        summary_marker(summarized_through, viewer_is_agent=user.is_agent)
