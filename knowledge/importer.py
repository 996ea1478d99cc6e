"""Import a folder of Markdown articles: idempotent, and says what changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from knowledge.articles import Article, Chunk
from knowledge.chunking import chunk_article
from knowledge.embeddings import Embedder
from knowledge.errors import ArticleInvalid
from knowledge.parsing import read_article
from knowledge.store import ArticleStore


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def lines(self) -> list[str]:
        out = [f"added {a}" for a in self.added]
        out += [f"updated {a}" for a in self.updated]
        out += [f"removed {a}" for a in self.removed]
        out += [f"error {e}" for e in self.errors]
        out.append(
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed, "
            f"{len(self.errors)} with errors."
        )
        return out


def read_folder(folder: Path) -> tuple[list[Article], list[str]]:
    if not folder.is_dir():
        raise ArticleInvalid(f"{folder} is not a folder of Markdown (.md) files.")
    articles, errors = [], []
    for path in sorted(folder.glob("*.md")):
        try:
            articles.append(read_article(path))
        except ArticleInvalid as exc:
            errors.append(exc.message)
    return articles, errors


def embedded(chunks: Sequence[Chunk], embedder: Embedder | None) -> list[Chunk]:
    if embedder is None or not chunks:
        return list(chunks)
    vectors = embedder.embed([c.indexed_text for c in chunks])
    return [replace(c, embedding=tuple(v)) for c, v in zip(chunks, vectors, strict=True)]


def import_articles(
    store: ArticleStore,
    articles: Sequence[Article],
    *,
    embedder: Embedder | None = None,
    prune: bool = False,
) -> ImportReport:
    """Save what is new or changed; with ``prune``, delete articles no longer given."""
    report = ImportReport()
    existing = {a.id: a for a in store.find(public_only=False, limit=100_000)}
    for article in articles:
        before = existing.get(article.id)
        if before is not None and before.digest == article.digest:
            report.unchanged.append(article.id)
            continue
        store.save(article, embedded(chunk_article(article), embedder))
        (report.added if before is None else report.updated).append(article.id)
    if prune:
        given = {a.id for a in articles}
        for article_id in sorted(set(existing) - given):
            store.delete(article_id)
            report.removed.append(article_id)
    return report


def import_folder(
    store: ArticleStore, folder: Path, *, embedder: Embedder | None = None, prune: bool = False
) -> ImportReport:
    """A file that does not parse is reported and skipped; the others are imported. With
    errors, nothing is pruned (a typo must not delete an article)."""
    articles, errors = read_folder(folder)
    report = import_articles(store, articles, embedder=embedder, prune=prune and not errors)
    report.errors = errors
    return report
