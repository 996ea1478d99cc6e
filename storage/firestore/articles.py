"""The knowledge base in Firestore: ``articles/{id}``, ``articleChunks/{articleId--n}`` (with
an ``embedding`` vector when configured, searched by Firestore's own ``find_nearest``, also
after a ``visibility == public`` pre-filter), and ``meta/knowledge`` holding the revision."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.base_vector_query import DistanceMeasure
from google.cloud.firestore_v1.vector import Vector

from knowledge.articles import Article, Chunk
from storage.decode import decode_each
from storage.firestore.db import FirestoreDb

CHUNK_FIELDS = ["articleId", "index", "title", "heading", "text", "visibility", "tags"]
PUBLIC = FieldFilter("visibility", "==", "public")


class FirestoreArticles:
    def __init__(self, db: FirestoreDb) -> None:
        self.db = db

    def _articles(self) -> Any:
        return self.db.client.collection("articles")

    def _chunks(self) -> Any:
        return self.db.client.collection("articleChunks")

    def _meta(self) -> Any:
        return self.db.client.collection("meta").document("knowledge")

    def get(self, article_id: str) -> Article | None:
        snap = self.db.run(lambda: self.db.get(self._articles().document(article_id)))
        return Article.from_dict(snap.to_dict()) if snap.exists else None

    def find(self, *, public_only: bool, limit: int = 1000) -> list[Article]:
        q: Any = self._articles()
        if public_only:
            q = q.where(filter=PUBLIC)
        q = q.order_by("title").limit(limit)
        snaps = self.db.run(lambda: self.db.stream(q, "articles"))
        return decode_each(snaps, lambda s: Article.from_dict(s.to_dict()), "article")

    def save(self, article: Article, chunks: Sequence[Chunk]) -> None:
        def write() -> None:
            old = self._chunks().where(filter=FieldFilter("articleId", "==", article.id))
            stale = {s.id for s in self.db.stream(old.select(["index"]), "articleChunks")}
            batch = self.db.client.batch()
            batch.set(self._articles().document(article.id), article.to_dict())
            for chunk in chunks:
                data = chunk.to_dict()
                if chunk.embedding:
                    data["embedding"] = Vector(list(chunk.embedding))
                batch.set(self._chunks().document(chunk.key), data)
                stale.discard(chunk.key)
            for key in stale:
                batch.delete(self._chunks().document(key))
            batch.set(self._meta(), {"revision": firestore.Increment(1)}, merge=True)
            batch.commit()

        self.db.run(write)

    def delete(self, article_id: str) -> None:
        def remove() -> None:
            old = self._chunks().where(filter=FieldFilter("articleId", "==", article_id))
            batch = self.db.client.batch()
            for snap in self.db.stream(old.select(["index"]), "articleChunks"):
                batch.delete(snap.reference)
            batch.delete(self._articles().document(article_id))
            batch.set(self._meta(), {"revision": firestore.Increment(1)}, merge=True)
            batch.commit()

        self.db.run(remove)

    def chunks(self, *, public_only: bool) -> list[Chunk]:
        q: Any = self._chunks()
        if public_only:
            q = q.where(filter=PUBLIC)
        q = q.select(CHUNK_FIELDS)  # never download the vectors for the lexical index
        snaps = self.db.run(lambda: self.db.stream(q, "articleChunks"))
        chunks = decode_each(snaps, lambda s: Chunk.from_dict(s.to_dict()), "chunk")
        return sorted(chunks, key=lambda c: (c.article_id, c.index))

    def nearest(
        self, vector: Sequence[float], *, public_only: bool, limit: int
    ) -> list[tuple[Chunk, float]]:
        q: Any = self._chunks()
        if public_only:
            q = q.where(filter=PUBLIC)
        q = q.find_nearest(
            vector_field="embedding",
            query_vector=Vector(list(vector)),
            distance_measure=DistanceMeasure.COSINE,
            limit=limit,
            distance_result_field="distance",
        )
        snaps = self.db.run(lambda: self.db.stream(q, "articleChunks"))

        def decode(snap: Any) -> tuple[Chunk, float]:
            data = snap.to_dict()
            distance = float(data.pop("distance"))
            raw = data.pop("embedding", None)
            return Chunk.from_dict(data, list(raw) if raw is not None else None), 1.0 - distance

        return decode_each(snaps, decode, "chunk")

    def revision(self) -> int:
        snap = self.db.run(lambda: self.db.get(self._meta()))
        return int((snap.to_dict() or {}).get("revision", 0)) if snap.exists else 0
