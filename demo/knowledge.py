"""The demo knowledge base: the Acme Home help articles in ``demo/articles/`` (public ones,
and three internal ones for agents), imported with the demo data (idempotent)."""

from __future__ import annotations

from pathlib import Path

from knowledge.embeddings import Embedder
from knowledge.importer import ImportReport, import_folder
from knowledge.store import ArticleStore

DEMO_ARTICLES = Path(__file__).resolve().parent / "articles"


def seed_articles(store: ArticleStore, embedder: Embedder | None = None) -> ImportReport:
    return import_folder(store, DEMO_ARTICLES, embedder=embedder)
