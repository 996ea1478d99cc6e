"""The embeddings port. The adapter for OpenAI-compatible ``/v1/embeddings`` endpoints is
``assistant/embeddings.py`` (model clients stay in the assistant's adapters)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order."""
        ...
