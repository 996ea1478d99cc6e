"""Files on messages: thumbnails in the thread and a download for other files, and turning
what the browser uploaded into :class:`tickets.uploads.Upload`.

Everything is fetched through the ticket service (the thread's checks). Thumbnails are kept
in this session once fetched (a live thread redraws every few seconds); a file is fetched
only when its download is asked for, and kept for that session.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from common.errors import AppError
from config.bootstrap import Services
from tickets import rendering
from tickets.attachments import Attachment, describe
from tickets.domain import Message
from tickets.service import TicketAccess
from tickets.uploads import Upload

ACCEPT = ["png", "jpg", "jpeg", "webp", "pdf", "txt"]  # a hint for the browser's picker only


def uploads(files: Iterable[Any] | None) -> list[Upload]:
    """Streamlit's uploaded files as uploads (names are hints; content decides)."""
    return [Upload(str(f.name), bytes(f.getvalue())) for f in files or ()]


def _cache() -> dict[str, bytes]:
    cache: dict[str, bytes] = st.session_state.setdefault("file-cache", {})
    return cache


def _fetch(
    services: Services, access: TicketAccess, message: Message, file: Attachment, thumb: bool
) -> bytes | None:
    key = f"{access.ticket.id}/{file.id}{'.thumb' if thumb else ''}"
    cache = _cache()
    if key not in cache:
        try:
            _, data = services.tickets.attachment(access, message.id, file.id, thumbnail=thumb)
        except AppError as exc:
            st.caption(f"⚠️ {rendering.inline(exc.message)}")
            return None
        cache[key] = data
    return cache[key]


def show(services: Services, access: TicketAccess, message: Message) -> None:
    """Under a message: a thumbnail per picture, a download per file."""
    if not message.attachments:
        return
    pictures = [f for f in message.attachments if f.is_image and f.thumbnail]
    if pictures:
        cols = st.columns(min(len(pictures), 3))
        for n, file in enumerate(pictures):
            data = _fetch(services, access, message, file, thumb=True)
            if data is not None:
                cols[n % len(cols)].image(data, caption=rendering.inline(file.name, 60), width=160)
    for file in message.attachments:
        _download(services, access, message, file)


def _download(services: Services, access: TicketAccess, message: Message, file: Attachment) -> None:
    key = f"{access.ticket.id}/{file.id}"
    label = f"📎 {rendering.inline(describe(file), 90)}"
    if key not in _cache():
        if st.button(label, key=f"get-{message.id}-{file.id}", type="tertiary"):
            _fetch(services, access, message, file, thumb=False)
        if key not in _cache():
            return
    st.download_button(
        f"⬇ Save {rendering.inline(file.name, 60)}",
        data=_cache()[key],
        file_name=file.name,
        mime=file.content_type,
        key=f"save-{message.id}-{file.id}",
        on_click="ignore",
    )
