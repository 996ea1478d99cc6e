"""Validation of user text: refuse with a clear message, never silently truncate."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from tickets.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI_CONTROL = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_LABEL = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_NOT_FOR_TERMINALS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
NAME_MAX_CHARS = 100
EMAIL_MAX_CHARS = 254


@dataclass(frozen=True)
class TextLimits:
    max_chars: int = 8000
    max_bytes: int = 32_000
    subject_max_chars: int = 200
    max_labels: int = 10


def _check_encoding(text: object, what: str) -> str:
    if not isinstance(text, str):
        raise InvalidInput(f"The {what} must be text.")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise InvalidInput(
            f"The {what} contains a broken character (an unpaired surrogate). "
            "Paste it again as plain text."
        )
    return text


def clean_message(text: object, limits: TextLimits) -> str:
    """Normalize line ends, drop NUL and control characters, and enforce the limits."""
    cleaned = _CONTROL.sub("", _check_encoding(text, "message").replace("\r\n", "\n"))
    cleaned = cleaned.replace("\r", "\n").strip()
    if not cleaned:
        raise InvalidInput("The message is empty. Type something first.")
    if len(cleaned) > limits.max_chars:
        raise InvalidInput(
            f"The message is {len(cleaned):,} characters; the limit is {limits.max_chars:,}. "
            "Shorten it or split it into several messages. Nothing was sent."
        )
    size = len(cleaned.encode("utf-8"))
    if size > limits.max_bytes:
        raise InvalidInput(
            f"The message is {size:,} bytes; the limit is {limits.max_bytes:,} "
            "(emoji and accents take several bytes each). Shorten it. Nothing was sent."
        )
    return cleaned


def clean_subject(text: object, limits: TextLimits) -> str:
    """One line, no direction overrides (they can disguise a subject in the queue)."""
    cleaned = _BIDI_CONTROL.sub("", _check_encoding(text, "subject"))
    cleaned = " ".join(_CONTROL.sub(" ", cleaned).split())
    if not cleaned:
        raise InvalidInput("Give the ticket a short subject.")
    if len(cleaned) > limits.subject_max_chars:
        raise InvalidInput(
            f"The subject is {len(cleaned)} characters; the limit is "
            f"{limits.subject_max_chars}. Put the details in the message."
        )
    return cleaned


def clean_name(text: object, max_chars: int = NAME_MAX_CHARS) -> str:
    """A name from an identity provider (or an operator): never refused, since sign-in must
    not fail on it, but made one short, plain line: a broken character (a lone surrogate)
    becomes U+FFFD, control, escape and direction characters go, whitespace runs become one
    space, and it is cut to ``max_chars``."""
    if not isinstance(text, str):
        return ""
    text = _SURROGATE.sub("\ufffd", text)
    text = _BIDI_CONTROL.sub("", text)
    text = " ".join(_CONTROL.sub(" ", text).split())
    return preview(text, max_chars - 1) if len(text) > max_chars else text


def clean_email(text: object) -> str:
    """An e-mail address from an identity provider: the same cleaning, no spaces."""
    return clean_name(text, EMAIL_MAX_CHARS).replace(" ", "")


def clean_labels(labels: object, limits: TextLimits) -> tuple[str, ...]:
    if not isinstance(labels, list | tuple):
        raise InvalidInput("Labels must be a list.")
    cleaned: list[str] = []
    for label in labels:
        value = _check_encoding(label, "label").strip().lower()
        if not _LABEL.fullmatch(value):
            raise InvalidInput(
                f"{value[:40]!r} is not a valid label: "
                "use up to 32 lowercase letters, digits or '-'."
            )
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > limits.max_labels:
        raise InvalidInput(f"A ticket can have at most {limits.max_labels} labels.")
    return tuple(cleaned)


def preview(text: str, max_chars: int) -> str:
    """Shorten for display without splitting a character or orphaning combining marks."""
    if len(text) <= max_chars:
        return text
    cut = max_chars
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + "…"


def safe_line(text: str) -> str:
    """One line for a terminal or a log: line breaks shown as ⏎, and control, escape and
    direction characters as ``\\uXXXX`` (they could rewrite a terminal or reorder text)."""
    text = text.replace("\r\n", "\n").replace("\n", " ⏎ ")
    return _NOT_FOR_TERMINALS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
