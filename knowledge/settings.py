"""The knowledge base's settings type (read from the environment by ``config.settings``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class KnowledgeSettings:
    top_k: int = 3  # passages given to the assistant per reply
    min_coverage: float = 0.5  # BM25: share of the question's weight a passage must match
    embeddings_model: str | None = None  # e.g. text-embedding-3-small: turns on hybrid ranking
    embeddings_base_url: str | None = None  # default: OPENAI_BASE_URL
    embeddings_api_key: str | None = field(default=None, repr=False)  # default: OPENAI_API_KEY
    min_similarity: float = 0.5  # embeddings: cosine similarity a relevant passage reaches
    evidence_first: bool = True  # the answering sentence is found (and checked) before a reply
