"""Embeddings from any OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, Azure-compatible
gateways, Ollama, vLLM, llama.cpp with an embedding model), for the knowledge base's
embeddings ranker. A failure raises :class:`EmbeddingsUnavailable`; the hybrid ranker then
answers from the lexical ranker alone."""

from __future__ import annotations

from collections.abc import Sequence

import openai

from assistant.errors import ModelError


class EmbeddingsUnavailable(ModelError):
    code = "embeddings_unavailable"


class OpenAIEmbedder:
    def __init__(self, client: openai.OpenAI, model: str, *, batch: int = 64) -> None:
        self.client, self.name, self.batch = client, model, batch

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch):
            part = list(texts[start : start + self.batch])
            try:
                response = self.client.embeddings.create(model=self.name, input=part)
            except openai.OpenAIError as exc:
                raise EmbeddingsUnavailable(
                    f"The embeddings endpoint failed ({type(exc).__name__}); check "
                    "KNOWLEDGE_EMBEDDINGS_MODEL and its base URL."
                ) from exc
            ordered = sorted(response.data, key=lambda d: d.index)
            if len(ordered) != len(part):
                raise EmbeddingsUnavailable("The embeddings endpoint returned too few vectors.")
            vectors += [list(d.embedding) for d in ordered]
        return vectors
