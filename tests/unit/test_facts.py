"""The pinned-fact extractor: the measured floor on the labelled sample, the identifiers the
issue found missed, and technical tokens that are not facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory.facts import extract_facts, find_facts, merge_facts
from memory.facts_eval import evaluate
from privacy.redaction import Redactor

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "facts_sample.json"


def test_precision_and_recall_per_kind_hold_the_floor() -> None:
    scores = evaluate(SAMPLE)
    assert len(scores) >= 16  # every kind is in the sample
    for kind, score in scores.items():
        assert score.labelled >= 5 or kind == "reference", kind
        assert score.precision >= 0.9, (kind, score.false_alarms)
        assert score.recall >= 0.9, (kind, score.misses)


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("my order number is 48213, thanks", ("order", "48213")),
        ("see INV/2024/0042 attached", ("invoice", "INV/2024/0042")),
        ("Invoice 2024-0042 is wrong", ("invoice", "2024-0042")),
        ("since v2.3.1 it crashes", ("version", "v2.3.1")),
        ("order 112-7654321-1234567 from Amazon", ("order", "112-7654321-1234567")),
        ("it was 1.299,00 € in total", ("amount", "1.299,00 €")),
        ("delivered on 12.03.2024 at noon", ("date", "12.03.2024")),
        ("the card ending 4242 was charged", ("card", "ending 4242")),
        ("customer cus_8f7a6b2c here", ("customer", "cus_8f7a6b2c")),
        ("ship to SW1A 1AA please", ("postcode", "SW1A 1AA")),
        ("my id is ord-39945", ("order", "ord-39945")),
        ("refund to DE89 3704 0044 0532 0130 00", ("iban", "DE89 3704 0044 0532 0130 00")),
        ("call +44 20 7946 0958 today", ("phone", "+44 20 7946 0958")),
    ],
)
def test_identifiers_the_old_extractor_missed(text: str, fact: tuple[str, str]) -> None:
    assert fact in find_facts(text)


@pytest.mark.parametrize(
    "text",
    [
        "The TV only shows 1080P over HDMI-2.",
        "The file is UTF-8 and the factory is ISO-9001 certified.",
        "Since COVID-19 I use WD-40 on everything.",
        "The speaker has Bluetooth 5.3 and 802.11ac wifi, 50% volume, 3.5mm jack.",
        "In any case, 2 units arrived at 10:30 after 3 days.",
    ],
)
def test_technical_tokens_quantities_and_times_are_not_facts(text: str) -> None:
    assert find_facts(text) == []


def test_personal_data_facts_reach_the_model_as_placeholders() -> None:
    text = "Mail ada@example.com, IBAN GB29NWBK60161331926819, card 4111 1111 1111 1111."
    facts = extract_facts(text)
    assert facts == [
        "email: ada@example.com",
        "iban: GB29NWBK60161331926819",
        "card: 4111 1111 1111 1111",
    ]
    redacted = Redactor("tk-1").text("\n".join(facts))  # what the prompt's redaction does
    assert "ada@example.com" not in redacted and "GB29" not in redacted and "4111" not in redacted
    assert redacted.count("<") == 3


def test_merge_keeps_the_first_and_the_newest_over_the_limit() -> None:
    texts = [f"order ORD-{1000 + i}" for i in range(10)]
    facts, dropped = merge_facts((), texts, limit=4)
    assert dropped == 6
    assert facts == ("order: ORD-1000", "order: ORD-1001", "order: ORD-1008", "order: ORD-1009")
    again, dropped = merge_facts(facts, ["ORD-1009 again, and ord-1009"], limit=4)
    assert again == facts and dropped == 0  # deduplicated, case-insensitively
