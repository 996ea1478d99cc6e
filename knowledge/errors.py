"""Knowledge-base errors: each message says what to do."""

from __future__ import annotations

from common.errors import AppError


class ArticleNotFound(AppError):
    """A missing article, and an internal one asked for by a customer (the same answer)."""

    code = "not_found"

    def __init__(self, article_id: str) -> None:
        super().__init__(f"Article {article_id} was not found. Pick it from the list of articles.")
        self.article_id = article_id


class ArticleInvalid(AppError):
    """An article file that cannot be imported; the message names the file and the problem."""

    code = "article_invalid"
