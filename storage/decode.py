"""Decoding stored documents without letting one bad document break a page for everyone.

A listing skips (and logs) a document that does not decode: a malformed ticket written by a
buggy client or an old version must not stop every agent's queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from common.errors import AppError

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
MALFORMED = (KeyError, TypeError, ValueError, AttributeError)


def decode_each(items: Iterable[R], decode: Callable[[R], T], what: str) -> list[T]:
    decoded: list[T] = []
    for item in items:
        try:
            decoded.append(decode(item))
        except MALFORMED as exc:
            log.error("skipped a malformed %s document: %s", what, type(exc).__name__)
        except AppError as exc:
            if not exc.one_document:  # e.g. a key that is not configured: say so, loudly
                raise
            log.error("skipped an unreadable %s document: %s", what, exc.code)
    return decoded
