from __future__ import annotations

import pytest

from tickets.errors import InvalidInput
from tickets.ids import new_message_id, new_ticket_id, validate_id
from tickets.text import TextLimits, clean_labels, clean_message, clean_subject, preview

LIMITS = TextLimits(max_chars=100, max_bytes=200)


def test_clean_message_strips_controls_and_normalizes_newlines() -> None:
    assert clean_message("  hi\x00 there\r\nnext\x07  ", LIMITS) == "hi there\nnext"


def test_empty_message_is_refused() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        clean_message(" \x00 \n", LIMITS)


def test_limits_in_characters_and_bytes() -> None:
    with pytest.raises(InvalidInput, match="101 characters; the limit is 100"):
        clean_message("a" * 101, LIMITS)
    with pytest.raises(InvalidInput, match="bytes"):
        clean_message("😀" * 60, LIMITS)  # 60 characters, 240 bytes
    assert clean_message("😀" * 50, LIMITS) == "😀" * 50


def test_lone_surrogate_is_a_clean_refusal() -> None:
    with pytest.raises(InvalidInput, match="broken character"):
        clean_message("hello \ud800 world", LIMITS)


def test_subject_loses_direction_overrides() -> None:
    assert clean_subject("Invoice \u202egpj.exe\n  now", LIMITS) == "Invoice gpj.exe now"


def test_labels() -> None:
    assert clean_labels(["VIP", "refund", "vip"], LIMITS) == ("vip", "refund")
    with pytest.raises(InvalidInput):
        clean_labels(["a b"], LIMITS)


def test_preview_never_splits_a_character() -> None:
    zalgo = "Z\u0351\u0352\u0353a\u0354lgo"
    # cutting at 5 would separate "a" from its mark: the whole cluster goes instead
    assert preview(zalgo, 5) == "Z\u0351\u0352\u0353…"
    assert preview(zalgo, 7) == "Z\u0351\u0352\u0353a\u0354l…"
    assert preview("short", 10) == "short"


def test_generated_ids_are_valid() -> None:
    assert validate_id(new_ticket_id()) and validate_id(new_message_id(), "message")
