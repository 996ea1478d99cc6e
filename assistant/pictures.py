"""The customer's pictures for a model that accepts images (``MODEL_ACCEPTS_IMAGES``).

Only the newest pictures go (from the last few customer messages, at most
:data:`MAX_IMAGES`), made small (1024 px, JPEG), as ``image_url`` parts of the customer's
own user-role message; older ones stay as the "[Attached: ...]" line every model gets. Each
is read through the ticket service, with the same checks as a download. Token counts do not
include pictures (the provider's reported usage does).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from dataclasses import replace

from common.errors import AppError
from memory.prompt import ChatMessage, Renderer
from tickets.domain import AuthorRole, Message
from tickets.service import TicketAccess, TicketService
from tickets.uploads import for_model

log = logging.getLogger(__name__)
MAX_IMAGES = 3
RECENT_CUSTOMER_MESSAGES = 3


def chosen(recent: Sequence[Message]) -> dict[str, list[str]]:
    """message id -> attachment ids of the newest pictures worth sending."""
    picked: dict[str, list[str]] = {}
    count = 0
    customer = [m for m in recent if m.author_role is AuthorRole.CUSTOMER]
    for message in reversed(customer[-RECENT_CUSTOMER_MESSAGES:]):
        for file in message.attachments:
            if file.is_image and count < MAX_IMAGES:
                picked.setdefault(message.id, []).append(file.id)
                count += 1
    return picked


def renderer(
    base: Renderer, tickets: TicketService, access: TicketAccess, recent: Sequence[Message]
) -> Renderer:
    picked = chosen(recent)

    def render(message: Message) -> ChatMessage:
        rendered = base(message)
        ids = picked.get(message.id)
        if not ids:
            return rendered
        urls: list[str] = []
        for file_id in ids:
            try:
                _, data = tickets.attachment(access, message.id, file_id)
                jpeg = for_model(data)
            except (AppError, OSError, ValueError) as exc:  # the text line still says it
                log.warning("a picture of %s could not go to the model: %s", message.id, exc)
                continue
            urls.append("data:image/jpeg;base64," + base64.b64encode(jpeg).decode())
        return replace(rendered, images=tuple(urls))

    return render
