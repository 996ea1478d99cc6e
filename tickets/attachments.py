"""Attachments: files and images on a message, their bytes stored outside the message.

A message document holds only each file's metadata (:class:`Attachment`); the bytes live in
the store's :class:`tickets.store.BlobStore` under a path scoped by ticket
(:func:`object_path`), sealed there like message text. What is accepted is decided from the
content, never the name (:mod:`tickets.uploads`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tickets import fields

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
FILE_TYPES = ("application/pdf", "text/plain")
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "text/plain": "txt",
}
MAX_PER_MESSAGE = 10  # what a stored message may list at most (the limit users meet is lower)
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class Attachment:
    """One file on a message: what the thread and exports show, never the bytes."""

    id: str
    name: str  # as the sender called it, cleaned; its extension matches the content
    content_type: str  # from the content: one of IMAGE_TYPES or FILE_TYPES
    size: int  # bytes stored (an image after re-encoding)
    width: int = 0
    height: int = 0
    thumbnail: bool = False  # a small preview is stored beside it (images)

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "contentType": self.content_type,
            "size": self.size,
            "width": self.width,
            "height": self.height,
            "thumbnail": self.thumbnail,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attachment:
        if not isinstance(data, Mapping):
            raise TypeError("an attachment is not a map")
        content_type = fields.required_text(data, "contentType", limit=40)
        if content_type not in EXTENSIONS:
            raise ValueError("an attachment of a type that is never accepted")
        return cls(
            id=fields.required_text(data, "id", limit=64),
            name=fields.text(data, "name", limit=300),
            content_type=content_type,
            size=fields.count(data, "size"),
            width=fields.count(data, "width"),
            height=fields.count(data, "height"),
            thumbnail=fields.flag(data, "thumbnail", False),
        )


def attachments_of(data: Mapping[str, Any]) -> tuple[Attachment, ...]:
    value = data.get("attachments") or ()
    if not isinstance(value, list | tuple) or len(value) > MAX_PER_MESSAGE:
        raise TypeError("attachments is not a short list")
    return tuple(Attachment.from_dict(item) for item in value)


def object_path(ticket_id: str, attachment_id: str, *, thumbnail: bool = False) -> str:
    """Where the bytes live: under the ticket, so a path names its ticket. Both ids are
    validated before they get here (no ``/``, no ``..``)."""
    path = f"tickets/{ticket_id}/attachments/{attachment_id}"
    return path + ".thumb" if thumbnail else path


def attachment_id(author_uid: str, message_id: str, index: int) -> str:
    """The same author's retried message gets the same ids (its files are overwritten, not
    duplicated); anyone else reusing that message id gets other ids, so their files can
    never overwrite someone else's."""
    digest = hashlib.sha256(f"{author_uid}\x00{message_id}\x00{index}".encode()).digest()
    bits = int.from_bytes(digest[:13], "big")
    return "a-" + "".join(_ALPHABET[(bits >> shift) & 31] for shift in range(95, -1, -5))


def describe(attachment: Attachment) -> str:
    """One line for exports and the model: ``photo.jpg (image, 1.2 MB)``."""
    kind = "image" if attachment.is_image else EXTENSIONS[attachment.content_type].upper()
    return f"{attachment.name} ({kind}, {human_size(attachment.size)})"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
