"""The embeddings adapter: batches, keeps order, and turns endpoint failures into an error
the hybrid ranker survives (the lexical ranker still answers)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import openai
import pytest

from assistant.embeddings import EmbeddingsUnavailable, OpenAIEmbedder
from knowledge.articles import Chunk, Visibility
from knowledge.retrieval import HybridRanker, Passage


class Endpoint:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.fail = fail
        self.embeddings = self

    def create(self, *, model: str, input: list[str]) -> Any:
        self.calls.append(input)
        if self.fail:
            raise openai.OpenAIError("connection refused")
        data = [
            SimpleNamespace(index=i, embedding=[float(len(t)), 1.0]) for i, t in enumerate(input)
        ]
        return SimpleNamespace(data=list(reversed(data)))  # out of order on purpose


def test_batches_and_order() -> None:
    endpoint = Endpoint()
    embedder = OpenAIEmbedder(endpoint, "m", batch=2)  # type: ignore[arg-type]
    assert embedder.embed(["a", "bbb", "cc"]) == [[1.0, 1.0], [3.0, 1.0], [2.0, 1.0]]
    assert endpoint.calls == [["a", "bbb"], ["cc"]]


def test_a_failing_endpoint_leaves_the_lexical_ranker_answering() -> None:
    embedder = OpenAIEmbedder(Endpoint(fail=True), "m")  # type: ignore[arg-type]
    with pytest.raises(EmbeddingsUnavailable, match="KNOWLEDGE_EMBEDDINGS_MODEL"):
        embedder.embed(["x"])
    chunk = Chunk("a", 0, "A", "", "text", Visibility.PUBLIC)

    class Lexical:
        name = "bm25"

        def search(self, query: str, *, public_only: bool, k: int = 3) -> list[Passage]:
            return [Passage(chunk, 1.0, True)]

    class Semantic:
        name = "embeddings"

        def search(self, query: str, *, public_only: bool, k: int = 3) -> list[Passage]:
            embedder.embed([query])
            return []

    found = HybridRanker([Lexical(), Semantic()]).search("q", public_only=True)
    assert [p.chunk.key for p in found] == ["a--0"] and found[0].relevant
