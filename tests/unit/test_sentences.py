from knowledge.text import sentences

ARTICLE = """# Items that cannot be returned

Some items **cannot** be returned. They include:

- opened water filters;
- gift cards.

## Unopened

Unopened ones can be returned. Ask in your ticket!
"""


def test_list_items_keep_the_line_that_introduces_them() -> None:
    assert sentences(ARTICLE) == [
        "Some items cannot be returned.",
        "They include:",
        "Some items cannot be returned. They include: opened water filters;",
        "Some items cannot be returned. They include: gift cards.",
        "Unopened ones can be returned.",
        "Ask in your ticket!",
    ]
