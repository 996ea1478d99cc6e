"""Reading stored fields strictly: a document written by a buggy or hostile client (a number
where a name belongs, an unknown role, a 900 KB error text) raises ``ValueError`` or
``TypeError`` here, so a listing skips that one document (``storage/decode.py``) instead of
failing later, somewhere in a page, for everyone."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

E = TypeVar("E", bound=StrEnum)
LONG_TEXT = 200_000  # message text (a model reply can be long; Firestore caps a document at 1 MiB)
SHORT_TEXT = 2_000  # subjects, names, e-mails, labels, ids, error notes


def text(data: Mapping[str, Any], key: str, default: str = "", limit: int = SHORT_TEXT) -> str:
    value = data.get(key, default)
    if value is None:
        value = default
    if not isinstance(value, str):
        raise TypeError(f"{key} is not text")
    if len(value) > limit:
        raise ValueError(f"{key} is longer than {limit} characters")
    return value


def required_text(data: Mapping[str, Any], key: str, limit: int = SHORT_TEXT) -> str:
    if key not in data:
        raise KeyError(key)
    return text(data, key, "", limit)


def optional_text(data: Mapping[str, Any], key: str, limit: int = SHORT_TEXT) -> str | None:
    return text(data, key, "", limit) if data.get(key) is not None else None


def count(data: Mapping[str, Any], key: str, default: int = 0) -> int:
    """A non-negative whole number (not a bool, not a string)."""
    value = data.get(key, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key} is not a whole number")
    if value < 0:
        raise ValueError(f"{key} is negative")
    return value


def flag(data: Mapping[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise TypeError(f"{key} is not true or false")
    return value


def choice(kind: type[E], data: Mapping[str, Any], key: str, default: E | None = None) -> E:
    value = data.get(key)
    if value is None and default is not None:
        return default
    return kind(text(data, key))  # ValueError for a value outside the enumeration


def optional_choice(kind: type[E], data: Mapping[str, Any], key: str) -> E | None:
    return kind(text(data, key)) if data.get(key) is not None else None


def texts(data: Mapping[str, Any], key: str, limit: int = 50) -> tuple[str, ...]:
    value = data.get(key) or ()
    if not isinstance(value, list | tuple) or len(value) > limit:
        raise TypeError(f"{key} is not a short list")
    return tuple(text({key: item}, key) for item in value)


def counts(data: Mapping[str, Any], key: str, limit: int = 1_000) -> dict[str, int]:
    value = data.get(key) or {}
    if not isinstance(value, Mapping) or len(value) > limit:
        raise TypeError(f"{key} is not a small map")
    return {text({"k": k}, "k"): count({"v": v}, "v") for k, v in value.items()}
