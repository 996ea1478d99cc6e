"""The articles port: one small protocol, implemented by ``storage/<backend>/articles.py``.

An article and its chunks are replaced together. ``revision`` changes whenever any article
changes, so a process can keep its lexical index and reread only after an import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from knowledge.articles import Article, Chunk


class ArticleStore(Protocol):
    def get(self, article_id: str) -> Article | None: ...

    def find(self, *, public_only: bool, limit: int = 1000) -> list[Article]:
        """Articles by title (customers: public ones only)."""
        ...

    def save(self, article: Article, chunks: Sequence[Chunk]) -> None:
        """Store the article and replace its chunks, and move the revision on."""
        ...

    def delete(self, article_id: str) -> None: ...

    def chunks(self, *, public_only: bool) -> list[Chunk]:
        """Every chunk (for the lexical index), without embeddings."""
        ...

    def nearest(
        self, vector: Sequence[float], *, public_only: bool, limit: int
    ) -> list[tuple[Chunk, float]]:
        """The chunks nearest ``vector`` by cosine similarity (1 = same direction)."""
        ...

    def revision(self) -> int:
        """A number that changes whenever an article is saved or deleted."""
        ...
