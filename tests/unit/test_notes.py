"""The structured summary: JSON, headings in any common form or prose, read leniently;
one canonical rendering; the extractive summary within its bound."""

from __future__ import annotations

import json

import pytest

from memory.extractive import extractive_summary, first_sentence
from memory.notes import Notes, grounded_share, parse_notes, repeats
from memory.tokens import CharCounter


def test_json_notes_and_their_rendering_round_trip() -> None:
    data = {
        "problem": "The KTL-2000X kettle leaks.",
        "key_facts": ["order 48213", "paid $189.00"],
        "tried": ["descaling"],
        "promises": [],
        "open_questions": ["refund or replacement?"],
        "next_step": "Ask for a photo.",
    }
    notes = parse_notes("```json\n" + json.dumps(data) + "\n```")
    assert notes.problem == ("The KTL-2000X kettle leaks.",)
    assert notes.key_facts == ("order 48213", "paid $189.00") and notes.promises == ()
    assert parse_notes(notes.render()) == notes


@pytest.mark.parametrize(
    "text",
    [
        "Problem: kettle leaks\nKey facts:\n- order 48213\nNext step: photo",
        "## Problem\nkettle leaks\n## Key facts\n* order 48213\n## Next steps\n1. photo",
        "**Problem:** kettle leaks\n**Key facts:** order 48213\n**Next step:** photo",
        "Problem - kettle leaks\nFacts: order 48213\nAction: photo\nPromises made: none",
    ],
)
def test_headings_in_any_common_form(text: str) -> None:
    notes = parse_notes(text)
    assert notes.problem == ("kettle leaks",)
    assert notes.key_facts == ("order 48213",)
    assert notes.next_step == ("photo",) and notes.promises == ()  # "none" is no promise


def test_prose_is_kept_as_a_summary_not_refused() -> None:
    notes = parse_notes("The customer's kettle leaks. They want a refund for order 48213.")
    assert not notes.structured and not notes.empty
    assert "Summary:" in notes.render() and "48213" in notes.render()
    assert parse_notes("   ").empty


def test_loops_and_unrelated_text_are_recognised() -> None:
    assert repeats(parse_notes('{"problem": "' + "The kettle leaks. " * 5 + '"}'))
    source = "#1 Customer: my kettle leaks from the base\n#2 Assistant: sorry to hear"
    rambling = parse_notes("You're ready to begin. Please continue writing.")
    assert grounded_share(rambling, source) == 0.0
    assert grounded_share(parse_notes("The customer's kettle is leaking."), source) >= 0.5


def test_the_extractive_summary_keeps_the_newest_within_its_bound() -> None:
    lines = [(f"#{i} Customer", f"Message {i} says something. And more.") for i in range(50)]
    text = extractive_summary("Problem: kettle leaks", lines, CharCounter(4), 120)
    assert CharCounter(4).count(text) <= 120
    assert text.startswith("Problem: kettle leaks")  # the model's notes stay
    assert "#49 Customer: Message 49 says something." in text and "#0 " not in text
    assert "And more" not in text
    assert first_sentence("word " * 40).endswith("…")
    assert Notes().render() == ""
