"""A reply held to the article sentences it was pointed to."""

from __future__ import annotations

from assistant.quoting import departure, quoted

REFUND = ["Refunds go back to the original payment method within **5 business days**."]
EXCLUDED = ["Some items cannot be returned for a refund:\n- opened water filters;\n- gift cards."]


def test_a_reply_keeping_to_its_sentences_passes() -> None:
    assert departure("Your refund arrives within 5 business days.", REFUND) is None
    assert departure("No, gift cards cannot be returned.", EXCLUDED) is None
    assert departure("Sorry, opened filters can't be returned.", EXCLUDED) is None


def test_a_figure_the_sentences_do_not_state_departs() -> None:
    assert departure("You will see it after 30 days.", REFUND) == "a figure it does not state"
    assert departure("Within 5 business days, or $10 back.", REFUND) is not None


def test_leaving_out_the_figure_of_the_sentence_it_follows_departs() -> None:
    reply = "Your refund goes back to the original payment method."
    assert departure(reply, REFUND) == "none of its figures"


def test_dropping_the_negation_or_a_yes_against_it_departs() -> None:
    assert departure("Gift cards can be returned.", EXCLUDED) == "its negation left out"
    covered = ["What is not covered: limescale damage when a kettle was never descaled."]
    reply = "Yes, limescale damage is covered if you never descaled it."
    assert departure(reply, covered) == "its negation left out"


def test_the_sentence_it_follows_is_any_of_the_articles() -> None:
    article = [
        "How the refund is paid: Refunds go back to the original payment method.",
        "The refund is issued within 5 business days once the item reaches our warehouse.",
        "After 30 days: After 30 days we cannot refund the item.",
    ]
    assert departure("You will see your money within 5 business days.", article) is None
    reply = "You will see your money after 30 days."
    assert departure(reply, article) == "its negation left out"


def test_only_the_sentence_it_follows_counts_but_for_figures() -> None:
    costs = ["Express shipping costs $12.95 per order.", "Express is not available for Canada."]
    assert departure("Express shipping costs $12.95 per order.", costs) is None
    assert departure("Express costs $12.95; not for Canada, sadly.", costs) is None


def test_the_quote_keeps_the_article_title_and_its_list() -> None:
    text = quoted("Items that cannot be returned", [*EXCLUDED, "Everything else is fine."])
    assert text == (
        "Here is what our help article **Items that cannot be returned** says:\n\n"
        "> Some items cannot be returned for a refund:\n> - opened water filters;\n"
        "> - gift cards.\n>\n> Everything else is fine."
    )


def test_a_lists_opening_line_is_quoted_once_and_its_item_ends_a_sentence() -> None:
    intro, item = "Some items cannot be returned:", "Some items cannot be returned: gift cards;"
    assert quoted("Exclusions", [intro, item]).endswith("\n\n> " + item[:-1] + ".")
