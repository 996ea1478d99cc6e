"""Decoding stored documents without letting one bad document break a page for everyone.

A listing skips (and logs) a document that does not decode: a malformed ticket written by a
buggy client or an old version must not stop every agent's queue. A single read
(:func:`decode_one`) treats it as missing, which is also the answer a caller gets for a
ticket they may not see.

A value sealed under a key that is not configured is a configuration error, said loudly:
unless the same listing decoded other documents, in which case it is one forged or damaged
document among good ones (skipped and logged), not a missing key.
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
    unreadable: list[AppError] = []
    for item in items:
        try:
            decoded.append(decode(item))
        except MALFORMED as exc:
            log.error("skipped a malformed %s document: %s", what, type(exc).__name__)
        except AppError as exc:
            if not exc.one_document:  # e.g. a key that is not configured: decided below
                unreadable.append(exc)
                continue
            log.error("skipped an unreadable %s document: %s", what, exc.code)
    if unreadable and not decoded:
        raise unreadable[0]
    for error in unreadable:
        log.error("skipped a %s document sealed under an unknown key: %s", what, error.code)
    return decoded


def decode_one(item: R, decode: Callable[[R], T], what: str) -> T | None:
    """One document, or ``None`` (logged) when it is malformed or holds a forged value."""
    try:
        return decode(item)
    except MALFORMED as exc:
        log.error("a malformed %s document reads as missing: %s", what, type(exc).__name__)
        return None
    except AppError as exc:
        if not exc.one_document:
            raise
        log.error("an unreadable %s document reads as missing: %s", what, exc.code)
        return None
