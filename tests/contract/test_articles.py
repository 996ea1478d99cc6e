"""The articles port on both stores: save, list, chunks, revision, delete, vector search
(Firestore's own ``find_nearest`` on the emulator), and the import command's idempotence."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from demo.knowledge import DEMO_ARTICLES, seed_articles
from knowledge.importer import import_folder
from knowledge.retrieval import Bm25Ranker, EmbeddingRanker, HybridRanker
from tests.support.articles import DOCK, LIMITS, REFUNDS, WordCountEmbedder, save_articles
from tickets.store import Store


def test_articles_round_trip_and_listings_respect_visibility(store: Store) -> None:
    before = store.articles.revision()
    save_articles(store.articles)
    assert store.articles.revision() > before
    assert store.articles.get("refund-policy") == REFUNDS
    assert store.articles.get("nope") is None
    assert [a.id for a in store.articles.find(public_only=True)] == [REFUNDS.id, DOCK.id]
    everyone = [a.id for a in store.articles.find(public_only=False)]
    assert everyone == [LIMITS.id, REFUNDS.id, DOCK.id]  # by title
    public_chunks = store.articles.chunks(public_only=True)
    assert {c.article_id for c in public_chunks} == {REFUNDS.id, DOCK.id}
    assert [c.heading for c in public_chunks if c.article_id == REFUNDS.id] == [
        "Refund policy",
        "How the refund is paid",
    ]


def test_saving_again_replaces_the_chunks_and_delete_removes_them(store: Store) -> None:
    save_articles(store.articles)
    shorter = replace(REFUNDS, body="Thirty days, full refund.")
    save_articles(store.articles, shorter)
    assert [
        c.text for c in store.articles.chunks(public_only=True) if c.article_id == REFUNDS.id
    ] == ["Thirty days, full refund."]
    revision = store.articles.revision()
    store.articles.delete(REFUNDS.id)
    assert store.articles.get(REFUNDS.id) is None
    assert all(c.article_id != REFUNDS.id for c in store.articles.chunks(public_only=False))
    assert store.articles.revision() > revision


def test_vector_search_never_returns_internal_passages_to_a_public_search(store: Store) -> None:
    embedder = WordCountEmbedder()
    save_articles(store.articles, REFUNDS, LIMITS, DOCK, embedder=embedder)
    query = embedder.embed(["agents approve refunds"])[0]
    everyone = store.articles.nearest(query, public_only=False, limit=2)
    assert everyone[0][0].article_id == LIMITS.id
    assert everyone[0][1] > everyone[1][1]
    public = store.articles.nearest(query, public_only=True, limit=3)
    assert public and all(c.visibility.value == "public" for c, _ in public)
    dock = store.articles.nearest(
        embedder.embed(["the dock by the wall"])[0], public_only=True, limit=1
    )
    assert dock[0][0].article_id == DOCK.id and dock[0][1] > 0.5


def test_rankers_on_the_store(store: Store) -> None:
    embedder = WordCountEmbedder()
    save_articles(store.articles, REFUNDS, LIMITS, DOCK, embedder=embedder)
    bm25 = Bm25Ranker(store.articles)
    found = bm25.search("how many days do I have for a refund?", public_only=True)
    assert found[0].article_id == REFUNDS.id and found[0].relevant
    assert all(p.article_id != LIMITS.id for p in bm25.search("approval limit", public_only=True))
    assert bm25.search("approval limit for refunds", public_only=False)[0].article_id == LIMITS.id
    hybrid = HybridRanker([bm25, EmbeddingRanker(store.articles, embedder)])
    assert hybrid.search("robot dock against the wall", public_only=True)[0].article_id == DOCK.id


def test_the_lexical_index_is_rebuilt_after_an_import(store: Store) -> None:
    bm25 = Bm25Ranker(store.articles)
    assert bm25.search("dock", public_only=True) == []
    save_articles(store.articles, DOCK)
    assert bm25.search("dock", public_only=True)[0].article_id == DOCK.id


def test_import_is_idempotent_and_reports_changes(store: Store, tmp_path: Path) -> None:
    first = seed_articles(store.articles)
    assert len(first.added) >= 25 and not first.errors
    again = seed_articles(store.articles)
    assert not again.changed and len(again.unchanged) == len(first.added)
    folder = tmp_path / "kb"
    folder.mkdir()
    source = (DEMO_ARTICLES / "shipping-costs.md").read_text()
    (folder / "shipping-costs.md").write_text(source.replace("$12.95", "$13.95"))
    (folder / "new-article.md").write_text("# A new article\n\nNo front matter: public.\n")
    report = import_folder(store.articles, folder, prune=True)
    assert report.updated == ["shipping-costs"] and report.added == ["new-article"]
    assert len(report.removed) == len(first.added) - 1
    new = store.articles.get("new-article")
    assert new is not None and new.title == "A new article" and new.is_public
