"""Small rendering pieces shared by the customer and agent views."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

import streamlit as st

from tickets import rendering
from tickets.domain import AuthorRole, Message, MessageStatus, Status, Ticket, utcnow
from ui.articles import source_links

AVATAR = {
    AuthorRole.CUSTOMER: "👤",
    AuthorRole.ASSISTANT: "🤖",
    AuthorRole.AGENT: "🎧",
    AuthorRole.SYSTEM: "ℹ️",
}
STATUS_BADGE = {
    Status.OPEN: ":blue-badge[Open]",
    Status.WAITING_ON_AGENT: ":orange-badge[Waiting on agent]",
    Status.WAITING_ON_CUSTOMER: ":violet-badge[Waiting on customer]",
    Status.RESOLVED: ":green-badge[Resolved]",
}


def ago(when: datetime) -> str:
    seconds = int((utcnow() - when).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"


def author_label(
    message: Message, *, viewer_is_agent: bool, names: Mapping[str, str] | None = None
) -> str:
    if message.author_role is AuthorRole.ASSISTANT:
        return "AI assistant"
    if message.author_role is AuthorRole.AGENT:
        name = (names or {}).get(message.author_uid)  # never a raw user id
        label = (f"Agent · {name}" if name else "Agent") if viewer_is_agent else "Support agent"
        return label + (" · 🔒 internal note" if message.is_internal else "")
    if message.author_role is AuthorRole.SYSTEM:
        return "Notice"
    return "Customer" if viewer_is_agent else "You"


def only_this_ticket_takes_input(ticket_id: str) -> None:
    """Widgets of the ticket shown before take no clicks while this one is drawn.

    On a switch, Streamlit leaves the last ticket's reply box and buttons on screen, faded
    (``data-stale``), until the new run replaces them; what is typed into one goes nowhere,
    as the next run has no widget with that key. Keys hold their ticket's id (``draft:tk-…``
    becomes the class ``st-key-draft-tk-…``), so only widgets of another ticket are frozen:
    a rerun of the same ticket keeps its box and whatever is being typed in it. Called with
    a checked id (it is written into a style), first thing in the main area.
    """
    st.html(
        f'<style>.stMain [data-stale="true"][class*="-tk-"]:not([class*="-{ticket_id}"])'
        "{pointer-events:none;}</style>"
    )


MessageExtras = Callable[[Message], None]  # drawn under a message's text (files, ratings)


def render_message(
    message: Message,
    *,
    viewer_is_agent: bool,
    on_retry: Callable[[Message], None] | None = None,
    names: Mapping[str, str] | None = None,
    extras: MessageExtras | None = None,
) -> None:
    with st.chat_message(message.author_role.value, avatar=AVATAR[message.author_role]):
        label = author_label(message, viewer_is_agent=viewer_is_agent, names=names)
        head = f"**{rendering.inline(label)}**"
        if viewer_is_agent:  # customers never see the numbering: its gaps are internal notes
            head += f" · #{message.seq}"
        st.caption(f"{head} · {ago(message.created_at)}")
        body = rendering.markdown(message.text)  # the one policy, for every author
        if message.is_internal:
            st.warning(body, icon="🔒")
        elif message.status is MessageStatus.PENDING:
            st.markdown(body or "_…writing…_")
        elif body:
            st.markdown(body)
        if extras is not None:
            extras(message)
        source_links(message)
        if message.status in (MessageStatus.FAILED, MessageStatus.TRUNCATED):
            st.error(rendering.inline(message.error or "This reply did not finish."), icon="⚠️")
            if on_retry is not None:
                wait = message.retry_at is not None and message.retry_at > utcnow()
                st.button(
                    "Retry",
                    key=f"retry-{message.id}",
                    on_click=on_retry,
                    args=(message,),
                    icon="🔁",
                    disabled=wait,
                    help=f"Available after {message.retry_at:%H:%M} UTC" if wait else None,
                )


def summary_marker(seq: int, *, viewer_is_agent: bool) -> None:
    what = f"messages up to #{seq} are" if viewer_is_agent else "the messages above are"
    st.markdown(
        f"<div style='text-align:center;color:#8250df;font-size:0.85em;margin:0.5em 0'>"
        f"▲ {what} summarized for the assistant ▲</div>",
        unsafe_allow_html=True,  # a fixed string with an integer: no user text
    )


def status_badge(ticket: Ticket) -> str:
    return STATUS_BADGE[ticket.status]


def export_button(
    label: str, chunks: Callable[[], Iterable[str]], file_name: str, mime: str, key: str
) -> None:
    """Build the export only when clicked (a deferred callable), never on every rerun.

    The thread is read page by page; Streamlit needs the finished file as bytes, so the
    download itself is held in memory once (the CLI export streams to disk instead).
    """

    def build() -> bytes:
        return "".join(chunks()).encode("utf-8")

    st.download_button(
        label, data=build, file_name=file_name, mime=mime, key=key, on_click="ignore"
    )


def rerun_fragment() -> None:
    """Rerun just the enclosing fragment when this run is a fragment rerun, else the page."""
    try:
        st.rerun(scope="fragment")
    except st.errors.StreamlitInvalidLayoutContextError:
        st.rerun()
