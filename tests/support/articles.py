"""Articles for tests: a public and an internal one, and a tiny embedder whose vectors are
word counts over a fixed vocabulary (enough for nearest-neighbour tests on every store)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from knowledge.articles import Article, Visibility
from knowledge.chunking import chunk_article
from knowledge.importer import embedded
from knowledge.store import ArticleStore
from knowledge.text import terms

WHEN = datetime(2026, 10, 1, tzinfo=UTC)
REFUNDS = Article(
    "refund-policy",
    "Refund policy",
    "# Refund policy\n\nReturn any item within **30 days of delivery** for a full refund.\n\n"
    "## How the refund is paid\n\nRefunds go back to the original payment method within "
    "5 business days.",
    Visibility.PUBLIC,
    ("refunds", "returns"),
    WHEN,
)
LIMITS = Article(
    "refund-approval-limits",
    "Refund approval limits (agents)",
    "Agents may approve refunds up to $100 per order; above that escalate to ESC-BILLING.",
    Visibility.INTERNAL,
    ("refunds", "internal"),
    WHEN,
)
DOCK = Article(
    "robovac-dock",
    "RoboVac RV-10: does not return to its dock",
    "Place the dock against a wall with 1.5 m free in front. Wipe the charging contacts.",
    Visibility.PUBLIC,
    ("robovac", "dock"),
    WHEN,
)
EXCLUSIONS = Article(  # not among the defaults: saved by the tests that need it
    "items-that-cannot-be-returned",
    "Items that cannot be returned",
    "Some items cannot be returned for a refund:\n\n- opened water filters;\n- gift cards.\n\n"
    "Everything else follows the refund policy.",
    Visibility.PUBLIC,
    ("returns",),
    WHEN,
)
VOCABULARY = ("refund", "day", "dock", "wall", "agent", "approv", "payment", "robovac")


class WordCountEmbedder:
    name = "word-counts"

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        vectors = []
        for text in texts:
            words = terms(text)
            vectors.append([float(words.count(v)) + 0.01 for v in VOCABULARY])
        return vectors


def save_articles(
    store: ArticleStore, *articles: Article, embedder: WordCountEmbedder | None = None
) -> None:
    for article in articles or (REFUNDS, LIMITS, DOCK):
        store.save(article, embedded(chunk_article(article), embedder))
