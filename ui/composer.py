"""The agent's reply box: a draft per ticket, and a check before a public reply collides
with another agent's.

The box is outside every fragment on purpose (see :mod:`ui.live`). When an agent starts a
draft, the newest message they can see is noted; on "Send", a public reply by another agent
after it asks to confirm first, so the customer does not get two answers unawares.
"""

from __future__ import annotations

import streamlit as st

from common.errors import AppError
from config.bootstrap import Services
from tickets import rendering
from tickets.domain import Message
from tickets.service import TicketAccess
from ui import attachments, live, macros
from ui.conversation import KeptDraft, post_safely

LABEL = "Your reply"
REPLY, NOTE = "Public reply", "Internal note"
SEND, ADD_NOTE = "Send", "Add internal note"
NOTE_SAYS = "Internal note: only agents see it. The customer is not told."
REPLY_BOX, NOTE_BOX = "reply-composer", "note-composer"
# A note looks unlike a reply: a yellow pad (a keyed container gets the class st-key-<key>)
NOTE_STYLE = (
    "<style>.st-key-note-composer{background:#fff6d6;border:1px solid #e6c34a;"
    "border-radius:0.5rem;padding:0.75rem 1rem;}"
    ".st-key-note-composer textarea{background:#fffbeb;}</style>"
)


def draft_key(ticket_id: str) -> str:
    return f"draft:{ticket_id}"


def _base_key(ticket_id: str) -> str:
    return f"draft-base:{ticket_id}"


def _collision_key(ticket_id: str) -> str:
    return f"collision:{ticket_id}"


def draft_started(ticket_id: str) -> None:
    """The agent began a draft: note the newest message they could see (once per draft)."""
    shown = live.held()
    if shown is not None and shown.ticket_id == ticket_id:
        st.session_state.setdefault(_base_key(ticket_id), shown.page.ticket.last_seq)


def set_draft(ticket_id: str, text: str) -> None:
    st.session_state[draft_key(ticket_id)] = text
    st.session_state.setdefault("drafts", {})[ticket_id] = text
    draft_started(ticket_id)


def _files_key(ticket_id: str) -> str:
    """The uploader's key: a new one after each send empties it."""
    return f"files-{ticket_id}-{st.session_state.get(f'files-round:{ticket_id}', 0)}"


def is_internal(ticket_id: str) -> bool:
    return st.session_state.get(f"kind-{ticket_id}") == NOTE


def show(services: Services, access: TicketAccess, names: dict[str, str]) -> None:
    """Reply or note. The draft is kept per ticket while switching between tickets."""
    ticket_id = access.ticket.id
    key = draft_key(ticket_id)
    drafts: dict[str, str] = st.session_state.setdefault("drafts", {})
    if ticket_id not in drafts:  # first time in this session: what was kept (a reload)
        drafts[ticket_id] = _stored(services, access)
    if key not in st.session_state:
        st.session_state[key] = drafts[ticket_id]
        if drafts[ticket_id].strip():
            draft_started(ticket_id)

    def keep() -> None:
        macros.expand_typed(services, access)  # /shortcut becomes its snippet, unsent
        # a poll can deliver the box's last value after a send has just cleared it
        text = str(st.session_state.get(key) or "")
        drafts[ticket_id] = text
        if text.strip():
            draft_started(ticket_id)
        _store(services, access, text)

    if st.session_state.pop(f"sent-note:{ticket_id}", False):
        # set before the radio exists: the browser's radio is told too (dropping the key
        # reset only the server's value, and the radio went on showing "Internal note")
        st.session_state[f"kind-{ticket_id}"] = REPLY
    st.radio("Send as", [REPLY, NOTE], horizontal=True, key=f"kind-{ticket_id}")
    note = is_internal(ticket_id)
    with st.container(key=NOTE_BOX if note else REPLY_BOX):
        if note:
            st.html(NOTE_STYLE)
            st.caption(f"🔒 **{NOTE_SAYS}**")
        st.text_area(
            LABEL,
            key=key,
            on_change=keep,
            height=120,
            placeholder="A note for agents…" if note else "Write to the customer…",
        )
        if services.store.blobs.available:
            st.file_uploader(
                "Attach files",
                type=attachments.ACCEPT,
                accept_multiple_files=True,
                key=_files_key(ticket_id),
            )
        other: tuple[str, int] | None = st.session_state.get(_collision_key(ticket_id))
        if other is not None:
            if _collision_prompt(ticket_id, *other):
                _send(services, access, names, confirmed=True)
        elif st.button(ADD_NOTE if note else SEND, type="primary", key=f"send-{ticket_id}"):
            _send(services, access, names, confirmed=False)


def _stored(services: Services, access: TicketAccess) -> str:
    try:
        return services.drafts.get(access)
    except AppError:
        return ""  # the box starts empty; nothing typed in this session is lost


def _store(services: Services, access: TicketAccess, text: str) -> None:
    """The draft in the store too, so a reload or another tab of this agent brings it back
    (checked again: the agent may have lost the ticket meanwhile)."""
    try:
        fresh = services.tickets.access(
            services.tickets.current_user(access.user.uid), access.ticket.id
        )
        services.drafts.keep(fresh, text)
    except AppError:
        pass  # the session still holds it


def _collision_prompt(ticket_id: str, name: str, seq: int) -> bool:
    """The question after a collision: True when the agent chose to send anyway."""
    st.warning(
        f"{rendering.inline(name)} sent the customer a public reply (#{seq}) since you "
        "started writing yours. Read it in the thread above; send yours as well?",
        icon="⚠️",
    )
    left, right = st.columns(2)
    if right.button("Keep editing", key=f"keep-editing-{ticket_id}", use_container_width=True):
        st.session_state.pop(_collision_key(ticket_id), None)
        st.session_state.pop(_base_key(ticket_id), None)  # they have seen it now
        draft_started(ticket_id)
        st.rerun()
    return left.button(
        "Send anyway", key=f"send-anyway-{ticket_id}", type="primary", use_container_width=True
    )


def _send(
    services: Services, access: TicketAccess, names: dict[str, str], *, confirmed: bool
) -> None:
    ticket_id = access.ticket.id
    internal = is_internal(ticket_id)
    shown = live.held()
    base = st.session_state.get(_base_key(ticket_id))
    if not internal and not confirmed and shown is not None and base is not None:
        other = services.live.replied_since(shown, base)
        if other is not None:
            name = names.get(other.author_uid, "Another agent")
            st.session_state[_collision_key(ticket_id)] = (name, other.seq)
            st.rerun()

    files = attachments.uploads(st.session_state.get(_files_key(ticket_id)))

    def post(text: str, mid: str) -> Message:
        return services.tickets.post(access, text, message_id=mid, internal=internal, files=files)

    # On failure the draft stays in the box (and the store); sending again reuses the same
    # message id.
    kept = KeptDraft(
        read=lambda: services.drafts.get(access),
        keep=lambda text: services.drafts.keep(access, text),
        discard=lambda: services.drafts.discard(access),
    )
    text = str(st.session_state.get(draft_key(ticket_id)) or "")
    if post_safely(f"agent-{ticket_id}", text, post, kept, with_files=bool(files)) is None:
        return
    st.session_state.setdefault("drafts", {}).pop(ticket_id, None)
    # a note is a one-off: the box goes back to a public reply
    for key in (draft_key(ticket_id), _base_key(ticket_id), _collision_key(ticket_id)):
        st.session_state.pop(key, None)
    if internal:
        st.session_state[f"sent-note:{ticket_id}"] = True
    st.session_state[f"files-round:{ticket_id}"] = (
        st.session_state.get(f"files-round:{ticket_id}", 0) + 1
    )
    if shown is not None and shown.ticket_id == ticket_id:
        live.keep(services.live.stopped_typing(shown))
    st.rerun()
