"""Posting and streaming: the user's message is stored first, then the reply streams in.

Nothing typed is lost: if storing fails, the text stays on screen with "Send again" (and in
the store, so a reload brings it back), and a retried send reuses the same message id, so it
is never stored twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import streamlit as st

from assistant.errors import BudgetExceeded
from assistant.pipeline import ReplyRun
from common.errors import AppError
from tickets import rendering
from tickets.domain import AuthorRole, Message, User
from tickets.ids import new_message_id
from ui.components import AVATAR, author_label

log = logging.getLogger(__name__)
EMPTY = "Your message is empty: type something, then send it."


def draft_id(scope: str) -> str:
    """One message id per draft: a resend after a failure is the same message."""
    key = f"draft-id:{scope}"
    if key not in st.session_state:
        st.session_state[key] = new_message_id()
    return str(st.session_state[key])


@dataclass(frozen=True)
class KeptDraft:
    """Where unsent text is kept beyond this session (the store, per user and ticket)."""

    read: Callable[[], str]
    keep: Callable[[str], None]
    discard: Callable[[], None]


def _quietly(action: Callable[[], None]) -> None:
    """Keeping a draft never stands in the way: the session still holds the text."""
    try:
        action()
    except AppError as exc:
        log.warning("a draft was not kept: %s", exc.code)


def forget_draft(scope: str) -> None:
    st.session_state.pop(f"draft-id:{scope}", None)
    st.session_state.pop(f"unsent:{scope}", None)


def _hold_unsent(scope: str, text: str) -> None:
    """The box shows this text, even when it already showed an earlier one: a new round
    gives it a new key (a widget keeps its own value over a new default)."""
    st.session_state[f"unsent:{scope}"] = text
    st.session_state[f"unsent-round:{scope}"] = st.session_state.get(f"unsent-round:{scope}", 0) + 1


def post_safely(
    scope: str,
    text: str,
    post: Callable[[str, str], Message],
    kept: KeptDraft | None = None,
    *,
    with_files: bool = False,
) -> Message | None:
    """Store ``text``; on failure keep it for "Send again" (and in ``kept``) and say why.
    Blank text is refused here unless files go with it."""
    if not text.strip() and not with_files:
        st.error(EMPTY, icon="✏️")  # nothing to keep, so no empty "Send again" box
        return None
    try:
        message = post(text, draft_id(scope))
    except AppError as exc:
        _hold_unsent(scope, text)
        if kept is not None:
            _quietly(lambda: kept.keep(text))
        st.error(rendering.inline(exc.message), icon="⚠️")
        return None
    forget_draft(scope)
    if kept is not None:
        _quietly(kept.discard)
    return message


def unsent_box(
    scope: str, post: Callable[[str, str], Message], kept: KeptDraft | None = None
) -> Message | None:
    """The newest text that could not be sent, editable, with "Send again". After a reload
    it comes back from ``kept`` (read once per session)."""
    if kept is not None and not st.session_state.get(f"unsent-read:{scope}"):
        st.session_state[f"unsent-read:{scope}"] = True
        try:
            stored = kept.read()
        except AppError:
            stored = ""
        if stored.strip() and f"unsent:{scope}" not in st.session_state:
            _hold_unsent(scope, stored)
    text = st.session_state.get(f"unsent:{scope}")
    if not text:
        return None
    st.info("Your message was not sent yet. Edit it if needed and send it again.", icon="✉️")
    box_key = f"unsent-edit:{scope}:{st.session_state.get(f'unsent-round:{scope}', 0)}"

    def edited_meanwhile() -> None:
        st.session_state[f"unsent:{scope}"] = st.session_state[box_key]
        if kept is not None:
            _quietly(lambda: kept.keep(str(st.session_state[box_key])))

    edited = st.text_area("Unsent message", value=text, key=box_key, on_change=edited_meanwhile)
    if st.button("Send again", key=f"resend:{scope}", type="primary"):
        return post_safely(scope, edited, post, kept)
    return None


def stream_reply(start: Callable[[], ReplyRun | None], *, waiting_note: str) -> bool:
    """Stream a reply into the thread. Returns True when a reply was attempted."""
    try:
        run = start()
    except BudgetExceeded as exc:
        st.warning(rendering.inline(exc.message), icon="⏸️")
        return False
    except AppError as exc:
        st.error(rendering.inline(exc.message), icon="⚠️")
        return False
    if run is None:
        st.info(waiting_note, icon="🎧")
        return False
    with st.chat_message("assistant", avatar=AVATAR[AuthorRole.ASSISTANT]):
        st.caption("**AI assistant**")
        write_safely(run)
        if run.error:
            st.error(rendering.inline(run.error), icon="⚠️")
    return True


def write_safely(chunks: Iterable[str], *, every_s: float = 0.05) -> str:
    """Stream text into the page under the same rendering policy as a stored message (never
    ``st.write_stream``, which would render raw Markdown: live links, loading images)."""
    shown = st.empty()
    shown.caption("✍️ Writing…")  # until the first words arrive (a local model takes seconds)
    text, drawn_at = "", 0.0
    for chunk in chunks:
        text += chunk
        if time.monotonic() - drawn_at >= every_s:
            shown.markdown(rendering.markdown(text) + " ▌")
            drawn_at = time.monotonic()
    shown.markdown(rendering.markdown(text) if text.strip() else "_(no text)_")
    return text


def show_own_message(user: User, message: Message) -> None:
    with st.chat_message(message.author_role.value, avatar=AVATAR[message.author_role]):
        head = f"**{rendering.inline(author_label(message, viewer_is_agent=user.is_agent))}**"
        st.caption(head + (f" · #{message.seq}" if user.is_agent else ""))
        st.markdown(rendering.markdown(message.text))
