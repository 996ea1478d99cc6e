"""Id validation and generation.

Every id that reaches a store matches ``ID_PATTERN``: no ``/``, no ``.`` or ``..``, no
``__name__`` (Firestore reserves those), not empty, at most 64 characters.
"""

from __future__ import annotations

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


def new_message_id() -> str:
    """App-generated message id: a retried write with the same id is idempotent."""
    return f"m-{_random(20)}"


def new_event_id() -> str:
    return f"ev-{_random(20)}"
