"""Retrieval behind one small protocol: a query in, the best passages out, each with a score
and whether it is relevant enough to answer from.

- :class:`Bm25Ranker`: lexical (BM25 over stemmed words), offline, on every store. The index
  is built once per article revision and kept in the process.
- :class:`EmbeddingRanker`: cosine similarity of embeddings from any OpenAI-compatible
  ``/v1/embeddings`` endpoint, searched by the store (Firestore's ``find_nearest``).
- :class:`HybridRanker`: reciprocal-rank fusion of both; a passage is relevant if either
  ranker found it relevant.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from rank_bm25 import BM25Okapi

from knowledge.articles import Article, Chunk
from knowledge.embeddings import Embedder
from knowledge.store import ArticleStore
from knowledge.text import terms

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Passage:
    chunk: Chunk
    score: float
    relevant: bool  # strong enough to answer from (see each ranker)
    ranker: str = "bm25"

    @property
    def article_id(self) -> str:
        return self.chunk.article_id


class Retriever(Protocol):
    name: str

    def search(self, query: str, *, public_only: bool, k: int = 3) -> list[Passage]:
        """The best ``k`` passages, best first (one article may give several)."""
        ...


def top_articles(passages: Sequence[Passage], k: int) -> list[str]:
    """The first ``k`` distinct articles in ranked passages."""
    seen: list[str] = []
    for passage in passages:
        if passage.article_id not in seen:
            seen.append(passage.article_id)
    return seen[:k]


class LuceneBM25(BM25Okapi):  # type: ignore[misc]
    """BM25 with Lucene's IDF, ``log(1 + (N - n + 0.5) / (n + 0.5))``, which stays positive:
    Okapi's goes negative for words in more than half the passages, so a small knowledge base
    (or a word every article shares) would rank matches below non-matches."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


@dataclass(frozen=True)
class _Index:
    revision: int
    chunks: list[Chunk]
    bm25: LuceneBM25 | None
    documents: list[set[str]]


class Bm25Ranker:
    """BM25 over stemmed words. A passage is relevant when the words it shares with the query
    carry at least ``min_coverage`` of the query's weight (IDF; a word no article has weighs
    as much as an average word: "Do you sell dishwashers?" is not about shipping), or at
    least ``min_weight`` in all (a few specific words, in a long query)."""

    name = "bm25"

    def __init__(
        self, store: ArticleStore, *, min_coverage: float = 0.5, min_weight: float = 5.0
    ) -> None:
        self.store, self.min_coverage, self.min_weight = store, min_coverage, min_weight
        self._indexes: dict[bool, _Index] = {}
        self._lock = threading.Lock()

    def _index(self, public_only: bool) -> _Index:
        revision = self.store.revision()
        with self._lock:
            found = self._indexes.get(public_only)
            if found is not None and found.revision == revision:
                return found
        chunks = self.store.chunks(public_only=public_only)
        docs = [terms(c.indexed_text) for c in chunks]
        bm25 = LuceneBM25(docs) if chunks else None
        index = _Index(revision, chunks, bm25, [set(d) for d in docs])
        with self._lock:
            self._indexes[public_only] = index
        return index

    def search(self, query: str, *, public_only: bool, k: int = 3) -> list[Passage]:
        index = self._index(public_only)
        wanted = list(dict.fromkeys(terms(query)))
        if index.bm25 is None or not wanted:
            return []
        scores = index.bm25.get_scores(wanted)
        idf = index.bm25.idf
        unknown = sum(idf.values()) / len(idf)  # a word no article has: an average word
        weight = {t: float(idf.get(t, unknown)) for t in wanted}
        total = sum(weight.values()) or 1.0
        best = sorted(range(len(index.chunks)), key=lambda i: -float(scores[i]))[:k]
        passages = []
        for i in best:
            score = float(scores[i])
            if score <= 0:
                break
            matched = sum(w for t, w in weight.items() if t in index.documents[i])
            relevant = matched / total >= self.min_coverage or matched >= self.min_weight
            passages.append(Passage(index.chunks[i], score, relevant, self.name))
        return passages


class EmbeddingRanker:
    """Nearest chunks by cosine similarity; relevant at ``min_similarity`` or more."""

    name = "embeddings"

    def __init__(
        self, store: ArticleStore, embedder: Embedder, *, min_similarity: float = 0.5
    ) -> None:
        self.store, self.embedder, self.min_similarity = store, embedder, min_similarity

    def search(self, query: str, *, public_only: bool, k: int = 3) -> list[Passage]:
        vector = self.embedder.embed([query])[0]
        found = self.store.nearest(vector, public_only=public_only, limit=k)
        return [Passage(c, s, s >= self.min_similarity, self.name) for c, s in found]


class HybridRanker:
    """Reciprocal-rank fusion (``1 / (60 + rank)`` summed over rankers). If a ranker fails
    (the embeddings endpoint is down), the others still answer."""

    name = "hybrid"

    def __init__(self, rankers: Sequence[Retriever], *, depth: int = 10) -> None:
        self.rankers, self.depth = list(rankers), depth

    def search(self, query: str, *, public_only: bool, k: int = 3) -> list[Passage]:
        fused: dict[str, tuple[float, Passage]] = {}
        for ranker in self.rankers:
            try:
                found = ranker.search(query, public_only=public_only, k=self.depth)
            except Exception as exc:  # one ranker down must not stop answers
                log.warning("%s ranker failed: %s", ranker.name, type(exc).__name__)
                continue
            for rank, passage in enumerate(found):
                key = passage.chunk.key
                score, kept = fused.get(key, (0.0, passage))
                kept = replace(kept, relevant=kept.relevant or passage.relevant)
                fused[key] = (score + 1.0 / (60 + rank), kept)
        ranked = sorted(fused.values(), key=lambda item: -item[0])[:k]
        return [replace(p, score=s, ranker=self.name) for s, p in ranked]


def rank_texts(query: str, texts: Sequence[str], k: int, *, min_coverage: float = 0.3) -> list[int]:
    """The indexes of the ``k`` texts that best match ``query`` (BM25), each sharing at
    least ``min_coverage`` of the query's weight; best first. For small ad-hoc collections
    (a conversation's older messages), built per call."""
    wanted = list(dict.fromkeys(terms(query)))
    docs = [terms(t) for t in texts]
    if not wanted or not any(docs):
        return []
    bm25 = LuceneBM25(docs)
    scores = bm25.get_scores(wanted)
    weight = {t: float(bm25.idf.get(t, 0.0)) for t in wanted}
    total = sum(weight.values()) or 1.0
    chosen: list[int] = []
    for i in sorted(range(len(texts)), key=lambda i: -float(scores[i])):
        if len(chosen) == k or float(scores[i]) <= 0:
            break
        words = set(docs[i])
        if sum(w for t, w in weight.items() if t in words) / total >= min_coverage:
            chosen.append(i)
    return chosen


def whole_articles(
    passages: Sequence[Passage],
    load: Callable[[str], Article | None],
    *,
    articles: int = 2,
    max_words: int = 400,
) -> list[Passage]:
    """The best ``articles`` articles among ranked passages, each as one passage holding the
    whole article (help articles are short): the model sees a policy with its conditions, not
    a fragment, and a citation ``[n]`` names an article. Relevant if any passage of it was."""
    order = top_articles(passages, articles)
    whole: list[Passage] = []
    for article_id in order:
        article = load(article_id)
        if article is None:
            continue
        mine = [p for p in passages if p.article_id == article_id]
        body = _clipped(article.body, article.title, max_words)
        chunk = Chunk(article.id, 0, article.title, "", body, article.visibility, article.tags)
        whole.append(
            Passage(
                chunk, max(p.score for p in mine), any(p.relevant for p in mine), mine[0].ranker
            )
        )
    return whole


def _clipped(body: str, title: str, max_words: int) -> str:
    """The body without its title heading, whole lines up to ``max_words`` words."""
    lines: list[str] = []
    words = 0
    for line in body.strip().splitlines():
        if not lines and line.lstrip("# ").strip() == title.strip():
            continue
        words += len(line.split())
        if words > max_words:
            break
        lines.append(line)
    return "\n".join(lines).strip()
