"""Id validation and generation.

Every id that reaches a store matches ``ID_PATTERN``: no ``/``, no ``.`` or ``..``, no
``__name__`` (Firestore reserves those), not empty, at most 64 characters.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from tickets.errors import InvalidId

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o/1/l: readable over the phone


def validate_id(value: object, kind: str = "ticket") -> str:
    """Return ``value`` if it is a well-formed id, else raise :class:`InvalidId`."""
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise InvalidId(kind, value)
    return value


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_ticket_id() -> str:
    return f"tk-{_random(10)}"


def new_request_key() -> str:
    """A form's own key: sent again with a retried submit, so the retry is the same ticket."""
    return f"rq-{_random(20)}"


def derived_ticket_id(uid: str, request_key: str) -> str:
    """The ticket id for a user's request: a retry with the same key is the same ticket, and
    no key can name another user's ticket (80 bits of SHA-256 over the uid and the key)."""
    digest = hashlib.sha256(f"{uid}\x00{request_key}".encode()).digest()
    bits = int.from_bytes(digest[:10], "big")
    chars = [_ALPHABET[(bits >> shift) & 31] for shift in range(75, -1, -5)]
    return "tk-" + "".join(chars)


def new_message_id() -> str:
    """App-generated message id: a retried write with the same id is idempotent."""
    return f"m-{_random(20)}"


def new_event_id() -> str:
    return f"ev-{_random(20)}"
