"""A reply held to the article it was pointed to.

The evidence step (:mod:`assistant.evidence`) points the reply to an article's sentences.
A small model pointed to "Some items cannot be returned ... gift cards" still writes "Yes,
gift cards can be returned", or "after 30 days" where "after 30 days we cannot refund". The
review checks the reply against the article's sentences, with no further model call:

- a figure (amount, duration, date, measure) the article does not hold;
- none of the figures of the sentence the reply follows (the one it shares the most words
  with): "the refund is on its way" for "within 5 business days";
- that sentence's "not", "no", "never" or "cannot" left out, or answered with "Yes".

Then the customer gets the sentences pointed out to the reply, quoted under the article's
title, instead. A false alarm only costs a plainer reply: those sentences were chosen as
the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.grounding import figures
from knowledge.text import terms

LEAD = "Here is what our help article"
NEGATION = re.compile(r"\b(?:not|no|never|cannot|none)\b|n't\b", re.I)
YES = re.compile(r"\s*(?:yes|yeah|sure|of course|absolutely)\b", re.I)


def closest(reply: str, sentences: Sequence[str]) -> str:
    """The sentence the reply shares the most words with (the first of equals)."""
    mine = set(terms(reply))
    return max(sentences, key=lambda s: len(mine & set(terms(s))), default="")


def departure(reply: str, article: Sequence[str]) -> str | None:
    """How ``reply`` departs from its article (its sentences); ``None`` when it keeps to it.

    Figures are checked against the whole article; the rest against the sentence the reply
    follows (a "not" in another, "express is not available for Canada", is not its
    business)."""
    reply = reply.replace("’", "'")
    mine = figures(reply)
    if not mine <= figures(" ".join(article)):
        return "a figure it does not state"
    followed = closest(reply, article).replace("’", "'")
    if figures(followed) and not mine:
        return "none of its figures"
    if NEGATION.search(followed) and (not NEGATION.search(reply) or YES.match(reply)):
        return "its negation left out"
    return None


def quoted(title: str, sentences: Sequence[str]) -> str:
    """The sentences as a Markdown quote under their article's title. A list's opening line
    goes once: its quoted items carry it ("Some items cannot be returned: gift cards.")."""
    sentences = [s for s in sentences if not any(o != s and o.startswith(s) for o in sentences)]
    sentences = [re.sub(r"[;,]\s*$", ".", s.rstrip()) for s in sentences]  # a list item's ";"
    blocks = [
        "\n".join(f"> {line.strip()}" for line in s.splitlines() if line.strip()) for s in sentences
    ]
    quote = "\n>\n".join(b for b in blocks if b)
    return f"{LEAD} **{title}** says:\n\n{quote}"


def is_quoted(text: str) -> bool:
    return text.startswith(f"{LEAD} **")
