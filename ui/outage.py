"""When the database is unreachable, the page says so and keeps whatever was being typed."""

from __future__ import annotations

import streamlit as st

from tickets import rendering
from tickets.errors import StoreUnavailable

CHAT_PREFIX = "chat-"


def keep_typed_text() -> None:
    """A chat message submitted in this run is moved to "unsent", shown with "Send again"."""

    for key in list(st.session_state.keys()):
        value = st.session_state[key]
        if (
            isinstance(key, str)
            and key.startswith(CHAT_PREFIX)
            and isinstance(value, str)
            and value
        ):
            st.session_state[f"unsent:{key[len(CHAT_PREFIX) :]}"] = value


def show_outage(exc: StoreUnavailable) -> None:
    keep_typed_text()
    st.error(rendering.inline(exc.message), icon="🛰️")
    st.caption("Anything you were typing is kept: it will be here to send again.")
    st.button("Try again", type="primary")
