"""Checking and preparing uploaded files before anything is stored.

The type comes from the content (``filetype`` reads the magic numbers; plain text is valid
UTF-8 without control characters), never from the name or what the browser claims. Images
are decoded and encoded again by Pillow, which drops every piece of metadata (EXIF with GPS
positions, XMP, comments, ICC profiles) and anything appended after the image data; a
picture that does not decode, or decodes to more pixels than ``max_pixels``, is refused.
Limits are per message, in files and in bytes, with a message that says what to do.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import filetype
from PIL import Image, ImageOps

from tickets.attachments import EXTENSIONS, IMAGE_TYPES, Attachment, attachment_id, human_size
from tickets.errors import InvalidInput

ACCEPTED = "PNG, JPEG or WebP images, PDF documents and plain-text files"
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NAME_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200b-\u200f]")
PIL_FORMAT = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}
THUMBNAIL_PX = 320


@dataclass(frozen=True)
class AttachmentLimits:
    max_files: int = 5
    max_bytes: int = 10 * 1024 * 1024  # all files of one message, as uploaded
    max_pixels: int = 40_000_000  # a decompression bomb is refused, not decoded


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it: its name is a hint for people, nothing more."""

    name: str
    data: bytes


@dataclass(frozen=True)
class PreparedFile:
    attachment: Attachment
    data: bytes
    thumbnail: bytes | None = None


def prepare(
    uploads: Sequence[Upload], author_uid: str, message_id: str, limits: AttachmentLimits
) -> list[PreparedFile]:
    """Check every file and prepare what will be stored; refuse the whole message otherwise
    (nothing is stored when one file is wrong)."""
    if len(uploads) > limits.max_files:
        raise InvalidInput(
            f"You attached {len(uploads)} files; the limit is {limits.max_files} per message. "
            "Send the rest in another message. Nothing was sent."
        )
    total = sum(len(u.data) for u in uploads)
    if total > limits.max_bytes:
        raise InvalidInput(
            f"The files come to {human_size(total)}; the limit is "
            f"{human_size(limits.max_bytes)} per message. Send fewer or smaller files. "
            "Nothing was sent."
        )
    return [
        _prepare_one(upload, attachment_id(author_uid, message_id, n), limits)
        for n, upload in enumerate(uploads)
    ]


def sniff(data: bytes) -> str | None:
    """The content type from the bytes themselves, or ``None`` when it is not accepted."""
    kind = filetype.guess(data)
    if kind is not None:
        mime = str(kind.mime)
        return mime if mime in EXTENSIONS else None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain" if text.strip() and not _TEXT_CONTROL.search(text) else None


def clean_file_name(name: object, content_type: str) -> str:
    """The last path component, one plain line, at most 100 characters, ending in the
    extension of what the file really is (a text file called ``x.png`` becomes ``x.png.txt``)."""
    raw = name if isinstance(name, str) else ""
    raw = raw.replace("\\", "/").rsplit("/", 1)[-1]
    raw = _NAME_BIDI.sub("", raw)  # a direction override could disguise the extension
    raw = " ".join(_NAME_CONTROL.sub(" ", raw).split()).strip(". ") or "attachment"
    ext = EXTENSIONS[content_type]
    if content_type == "image/jpeg" and raw.lower().endswith(".jpeg"):
        ext = "jpeg"
    stem = raw if raw.lower().endswith("." + ext) else f"{raw}.{ext}"
    if len(stem) > 100:
        stem = stem[: 98 - len(ext)] + "…." + ext
    return stem


def _prepare_one(upload: Upload, file_id: str, limits: AttachmentLimits) -> PreparedFile:
    shown = clean_file_name(upload.name, "text/plain").removesuffix(".txt")[:60]
    if not upload.data:
        raise InvalidInput(f"{shown} is empty. Nothing was sent.")
    content_type = sniff(upload.data)
    if content_type is None:
        raise InvalidInput(
            f"{shown} can't be attached: only {ACCEPTED} can (its content was checked, "
            "not its name). Nothing was sent."
        )
    name = clean_file_name(upload.name, content_type)
    if content_type not in IMAGE_TYPES:
        meta = Attachment(file_id, name, content_type, len(upload.data))
        return PreparedFile(meta, upload.data)
    data, width, height, thumbnail = _reencode(upload.data, content_type, shown, limits)
    meta = Attachment(file_id, name, content_type, len(data), width, height, thumbnail=True)
    return PreparedFile(meta, data, thumbnail)


def _reencode(
    data: bytes, content_type: str, shown: str, limits: AttachmentLimits
) -> tuple[bytes, int, int, bytes]:
    """Decode and encode again: pixels only, upright, no metadata; plus a small preview."""
    unreadable = InvalidInput(f"{shown} is not a readable image. Nothing was sent.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > limits.max_pixels:
                    raise InvalidInput(
                        f"{shown} is {probe.width}x{probe.height} pixels; the limit is "
                        f"{limits.max_pixels // 1_000_000} megapixels. Send a smaller picture. "
                        "Nothing was sent."
                    )
                probe.load()
                image = ImageOps.exif_transpose(probe) or probe
                image = image.copy()
    except InvalidInput:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning) as exc:
        raise unreadable from exc
    image.info = {}  # nothing of the original's metadata may travel with it
    fmt = PIL_FORMAT[content_type]
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    clean = _encode(image, fmt)
    return clean, image.width, image.height, thumbnail(image)


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt in ("JPEG", "WEBP"):
        image.save(out, format=fmt, quality=90)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def thumbnail(image: Image.Image) -> bytes:
    """A JPEG of at most ``THUMBNAIL_PX`` on its longer side (transparency on white)."""
    small = image.copy()
    small.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    if small.mode in ("RGBA", "LA", "P"):
        rgba = small.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        small = background
    elif small.mode != "RGB":
        small = small.convert("RGB")
    return _encode(small, "JPEG")


def for_model(data: bytes, max_px: int = 1024) -> bytes:
    """A stored image made small enough for a vision model (JPEG)."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        copy = image.copy()
    copy.thumbnail((max_px, max_px))
    if copy.mode != "RGB":
        copy = copy.convert("RGB")
    return _encode(copy, "JPEG")
