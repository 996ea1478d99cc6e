"""The checks on what a model wrote: declines, invented claims, citations, handoff words,
internal wording in drafts; and the benchmark's judging, with replies that misbehave the
way small models do (a wrong number, the wrong citation, a confident guess)."""

from __future__ import annotations

import pytest

from assistant.drafts import scrub
from assistant.grounding import (
    DECLINE,
    OFFER_PERSON,
    cite,
    clean_citations,
    is_decline,
    unsupported_claims,
)
from assistant.handoff import asks_for_person
from bench.answers.scoring import Tally, judge_answer, judge_unanswerable
from knowledge.chunking import chunk_article
from knowledge.retrieval import Passage
from tests.support.articles import DOCK, REFUNDS
from tickets.domain import Source

PASSAGES = [Passage(c, 1.0, True) for c in chunk_article(DOCK) + chunk_article(REFUNDS)]
GIVEN = "\n".join(p.chunk.text for p in PASSAGES)


@pytest.mark.parametrize(
    ("text", "declined"),
    [
        (f"{DECLINE} {OFFER_PERSON}", True),
        ("I'm not sure, but probably yes.", True),
        ("I don’t know that.", True),
        ("You can return it within 30 days.", False),
        ("", True),
    ],
)
def test_declines(text: str, declined: bool) -> None:
    assert is_decline(text) is declined


def test_claims_must_be_in_what_the_model_was_given() -> None:
    assert unsupported_claims("Return within 30 days; paid in 5 business days.", GIVEN) == []
    assert unsupported_claims("Refunds take 5-7 business days.", GIVEN) == ["5-7 business days"]
    assert unsupported_claims("It costs $6.95.", GIVEN) == ["$6.95"]
    assert unsupported_claims("You have thirty days.", GIVEN) == []
    assert unsupported_claims("Our RoboVac RV-10 is great", GIVEN) == []  # a code, no claim
    assert unsupported_claims("within 10 days", "RoboVac RV-10") == ["10 days"]


def test_sources_follow_what_the_reply_drew_on_not_a_wrong_marker() -> None:
    text, numbers, titles = clean_citations("You have 30 days of delivery. (Source: [1])")
    assert text == "You have 30 days of delivery." and numbers == {1}
    assert cite(text, PASSAGES, numbers, titles) == (Source("refund-policy", "Refund policy"),)
    vague, numbers, titles = clean_citations("Happy to help! [1]")
    assert cite(vague, PASSAGES, numbers, titles) == (Source(DOCK.id, DOCK.title),)


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("I want to talk to a human", True),
        ("Can I speak to a real person please?", True),
        ("agent please", True),
        ("Kann ich bitte mit einem Mitarbeiter sprechen?", True),
        ("No need to get a person involved", False),
        ("I told the delivery person to leave it", False),
        ("My kettle leaks", False),
    ],
)
def test_asks_for_a_person(text: str, asks: bool) -> None:
    assert asks_for_person(text) is asks


def test_drafts_drop_sentences_with_internal_wording() -> None:
    notes = ["Approved $79.99 (my $100 approval limit). PSR-2231 filed. Escalated to ESC-BILLING."]
    public = ["My kettle ($79.99) leaks."]
    draft = (
        "Your refund of $79.99 is approved. That is under $100. We filed PSR-2231. "
        "Our billing lead will check. Thanks!"
    )
    assert scrub(draft, notes, public) == "Your refund of $79.99 is approved. Thanks!"


def test_the_benchmark_catches_a_confident_wrong_answer_and_a_guess() -> None:
    wrong = judge_answer("You have 7 days to return it.", ["refund-policy"], "refund-policy",
                         [["30 days"]], GIVEN)  # fmt: skip
    assert not wrong.correct and wrong.invented == ("7 days",)
    right = judge_answer(
        "You have 30 days.", ["refund-policy"], "refund-policy", [["30 days"]], GIVEN
    )
    assert right.correct and not right.invented
    miscited = judge_answer("You have 30 days.", [DOCK.id], "refund-policy", [["30 days"]], GIVEN)
    assert not miscited.correct
    guess = judge_unanswerable("Yes, we sell dishwashers from $299.", GIVEN)
    assert not guess.declined and guess.invented == ("$299",)
    tally = Tally(answerable=2, correct=1, retrieval_hits=2, unanswerable=1, invented_replies=2)
    met = {figure: ok for figure, _, _, ok in tally.report()}
    assert met["retrieval recall@3"] and not met["answerable: right source and right facts"]
    assert met["replies stating a policy, amount or date found in no source"] is False


def test_specs_count_as_claims_and_questions_back_need_no_source() -> None:
    from assistant.answers import asserts_something

    assert unsupported_claims("It draws 1200 watts.", GIVEN) == ["1200 watts"]
    assert not asserts_something("Thanks! Could you share your order number?")
    assert asserts_something("Yes, you can pick up your order at our warehouse.")


def test_a_draft_keeps_the_decision_and_drops_the_internal_clause() -> None:
    notes = ["Approved $79.99 (my $100 approval limit)."]
    draft = "We approved a full refund of $79.99 to your card, which is within my $100 limit."
    assert scrub(draft, notes, ["$79.99"]) == "We approved a full refund of $79.99 to your card."
