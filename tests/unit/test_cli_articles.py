"""``python -m ops import-articles DIR`` and ``articles``; knowledge and model settings."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from common.errors import ConfigError
from config.bootstrap import Services, build_retriever
from config.settings import load_settings
from demo.knowledge import DEMO_ARTICLES
from knowledge.retrieval import Bm25Ranker, HybridRanker
from ops.cli import run
from tests.support.articles import WordCountEmbedder
from tests.support.services import make_services
from tickets.store import Store


@pytest.fixture
def services(sqlite: Store) -> Services:
    return make_services(sqlite)


def cli(services: Services, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = run(list(argv), services, out)
    return code, out.getvalue()


def test_import_reports_what_changed_and_is_idempotent(services: Services, tmp_path: Path) -> None:
    code, first = cli(services, "import-articles", str(DEMO_ARTICLES))
    assert code == 0 and "30 added, 0 updated, 0 unchanged" in first
    code, again = cli(services, "import-articles", str(DEMO_ARTICLES))
    assert (
        code == 0 and again.strip() == "0 added, 0 updated, 30 unchanged, 0 removed, 0 with errors."
    )
    listing = cli(services, "articles")[1].splitlines()
    assert len(listing) == 30 and any(
        line.startswith("refund-approval-limits\tinternal") for line in listing
    )
    (tmp_path / "broken.md").write_text("---\nvisibility: everyone\n---\n# Broken\n")
    code, report = cli(services, "import-articles", str(tmp_path), "--prune")
    assert code == 1 and "error broken.md: visibility" in report and "0 removed" in report


def test_settings_for_the_knowledge_base_and_the_model() -> None:
    settings = load_settings(
        {
            "MEMORY_STRATEGY": "retrieval",
            "KNOWLEDGE_TOP_K": "5",
            "KNOWLEDGE_EMBEDDINGS_MODEL": "text-embedding-3-small",
            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            "MODEL_TEMPERATURE": "0.3",
        }
    )
    assert settings.memory.strategy == "retrieval" and settings.knowledge.top_k == 5
    assert (
        settings.knowledge.embeddings_base_url == "http://127.0.0.1:9/v1"
    )  # defaults to the model's
    assert settings.model.temperature == 0.3
    assert load_settings({}).model.temperature == 0.0
    with pytest.raises(ConfigError, match="KNOWLEDGE_TOP_K"):
        load_settings({"KNOWLEDGE_TOP_K": "many"})


def test_hybrid_ranking_only_with_an_embeddings_model(services: Services) -> None:
    settings = load_settings({})
    assert isinstance(build_retriever(settings, services.store.articles, None), Bm25Ranker)
    hybrid = build_retriever(settings, services.store.articles, WordCountEmbedder())
    assert isinstance(hybrid, HybridRanker)
