from knowledge.text import sentences

ARTICLE = """# Items that cannot be returned

Some items **cannot** be returned. They include:

- opened water filters;
- gift cards.

## Unopened

Unopened ones can be returned. Ask in your ticket!
"""


def test_list_items_keep_their_opening_line_and_sentences_their_section() -> None:
    assert sentences(ARTICLE) == [
        "Some items cannot be returned.",
        "They include:",
        "Some items cannot be returned. They include: opened water filters;",
        "Some items cannot be returned. They include: gift cards.",
        "Unopened: Unopened ones can be returned.",
        "Unopened: Ask in your ticket!",
    ]
