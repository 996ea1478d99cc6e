"""The knowledge base in the embedded store: ``articles``, ``article_chunks`` (embeddings as
JSON, searched by brute force: an embedded store holds hundreds of chunks, not millions)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

from knowledge.articles import Article, Chunk
from storage.decode import decode_each
from storage.sqlite.db import Database, dumps, loads


class SqliteArticles:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, article_id: str) -> Article | None:
        rows = self.db.query("SELECT data FROM articles WHERE id = ?", (article_id,))
        return Article.from_dict(loads(rows[0]["data"])) if rows else None

    def find(self, *, public_only: bool, limit: int = 1000) -> list[Article]:
        where = "WHERE visibility = 'public' " if public_only else ""
        rows = self.db.query(f"SELECT data FROM articles {where}ORDER BY title LIMIT ?", (limit,))  # noqa: S608
        return decode_each(rows, lambda r: Article.from_dict(loads(r["data"])), "article")

    def save(self, article: Article, chunks: Sequence[Chunk]) -> None:
        with self.db.tx() as db:
            db.execute(
                "INSERT INTO articles (id, title, visibility, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET title = excluded.title, "
                "visibility = excluded.visibility, data = excluded.data",
                (article.id, article.title, article.visibility.value, dumps(article.to_dict())),
            )
            db.execute("DELETE FROM article_chunks WHERE article_id = ?", (article.id,))
            for chunk in chunks:
                vector = json.dumps(list(chunk.embedding)) if chunk.embedding else None
                db.execute(
                    "INSERT INTO article_chunks (article_id, idx, visibility, data, embedding) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        chunk.article_id,
                        chunk.index,
                        chunk.visibility.value,
                        dumps(chunk.to_dict()),
                        vector,
                    ),
                )
            db.execute("UPDATE knowledge_revision SET revision = revision + 1 WHERE id = 1")

    def delete(self, article_id: str) -> None:
        with self.db.tx() as db:
            db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            db.execute("DELETE FROM article_chunks WHERE article_id = ?", (article_id,))
            db.execute("UPDATE knowledge_revision SET revision = revision + 1 WHERE id = 1")

    def chunks(self, *, public_only: bool) -> list[Chunk]:
        where = "WHERE visibility = 'public' " if public_only else ""
        rows = self.db.query(
            f"SELECT data FROM article_chunks {where}ORDER BY article_id, idx"  # noqa: S608
        )
        return decode_each(rows, lambda r: Chunk.from_dict(loads(r["data"])), "chunk")

    def nearest(
        self, vector: Sequence[float], *, public_only: bool, limit: int
    ) -> list[tuple[Chunk, float]]:
        where = "AND visibility = 'public' " if public_only else ""
        rows = self.db.query(
            f"SELECT data, embedding FROM article_chunks WHERE embedding IS NOT NULL {where}"  # noqa: S608
        )
        scored = []
        for row in rows:
            embedding = json.loads(row["embedding"])
            scored.append(
                (Chunk.from_dict(loads(row["data"]), embedding), cosine(vector, embedding))
            )
        scored.sort(key=lambda item: -item[1])
        return scored[:limit]

    def revision(self) -> int:
        rows = self.db.query("SELECT revision FROM knowledge_revision WHERE id = 1")
        return int(rows[0]["revision"]) if rows else 0


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0
