"""The knowledge base as users see it: customers public articles, agents all. Retrieval for
a user is scoped the same way (a customer's search never sees an internal article)."""

from __future__ import annotations

from knowledge.articles import Article, valid_article_id
from knowledge.errors import ArticleNotFound
from knowledge.retrieval import Passage, Retriever
from knowledge.store import ArticleStore
from tickets import policy
from tickets.domain import User


class ArticleService:
    def __init__(self, store: ArticleStore, retriever: Retriever) -> None:
        self.store, self.retriever = store, retriever

    def articles(self, user: User) -> list[Article]:
        return self.store.find(public_only=not policy.sees_internal_notes(user))

    def article(self, user: User, article_id: str) -> Article:
        valid_article_id(article_id)
        found = self.store.get(article_id)
        if found is None or (not found.is_public and not policy.sees_internal_notes(user)):
            raise ArticleNotFound(article_id)
        return found

    def search(self, user: User, query: str, k: int = 5) -> list[Passage]:
        return self.retriever.search(query, public_only=not policy.sees_internal_notes(user), k=k)
