"""Article files, chunks, the lexical ranker's relevance, and safe rendering of bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from knowledge.articles import Article, Visibility
from knowledge.chunking import chunk_article
from knowledge.errors import ArticleInvalid
from knowledge.importer import import_folder
from knowledge.markdown import safe_markdown
from knowledge.parsing import parse_article, read_article
from knowledge.retrieval import rank_texts
from knowledge.text import terms
from tests.support.articles import REFUNDS

WHEN = datetime(2026, 1, 2, tzinfo=UTC)


def test_front_matter_gives_title_visibility_tags_and_date() -> None:
    text = (
        "---\ntitle: Refunds\nvisibility: internal\ntags: [Refunds, money]\n"
        "updated: 2026-10-01\n---\n# Ignored heading\n\nBody."
    )
    article = parse_article(text, "refunds", modified=WHEN)
    assert article.title == "Refunds" and article.visibility is Visibility.INTERNAL
    assert article.tags == ("refunds", "money") and article.updated == datetime(
        2026, 10, 1, tzinfo=UTC
    )
    assert Article.from_dict(article.to_dict()) == article


def test_without_front_matter_the_first_heading_is_the_title_and_it_is_public() -> None:
    article = parse_article("Intro line\n\n## How to descale\n\nSteps.", "descale", modified=WHEN)
    assert article.title == "How to descale" and article.is_public and article.updated == WHEN


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("---\nvisibility: secret\n---\n# T\n", "visibility"),
        ("---\ntags: 3\n---\n# T\n", "tags"),
        ("---\nupdated: someday\n---\n# T\n", "updated"),
        ("no heading at all", "no title"),
        ("---\ntitle: [unclosed\n---\nx", "YAML"),
    ],
)
def test_bad_files_say_what_to_fix(text: str, problem: str) -> None:
    with pytest.raises(ArticleInvalid, match=problem):
        parse_article(text, "x", modified=WHEN)


def test_bad_file_names_and_a_bad_file_do_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "a b.md").write_text("# T\n")
    with pytest.raises(ArticleInvalid, match="Rename"):
        read_article(tmp_path / "a b.md")


def test_an_import_with_errors_imports_the_rest_and_prunes_nothing(tmp_path: Path) -> None:
    class Memory:
        def __init__(self) -> None:
            self.saved: dict[str, Article] = {"old": REFUNDS}
            self.deleted: list[str] = []

        def find(self, *, public_only: bool, limit: int = 1000) -> list[Article]:
            return list(self.saved.values())

        def save(self, article: Article, chunks: object) -> None:
            self.saved[article.id] = article

        def delete(self, article_id: str) -> None:
            self.deleted.append(article_id)

    (tmp_path / "good.md").write_text("# Good\n\nText.")
    (tmp_path / "bad.md").write_text("---\nvisibility: nope\n---\n# Bad\n")
    store = Memory()
    report = import_folder(store, tmp_path, prune=True)  # type: ignore[arg-type]
    assert report.added == ["good"] and len(report.errors) == 1 and "bad.md" in report.errors[0]
    assert store.deleted == []  # a typo never deletes an article


def test_chunks_follow_sections_and_split_long_ones() -> None:
    body = "# A\n\nshort intro\n\n## B\n\n" + "\n\n".join(["word " * 100] * 3)
    chunks = chunk_article(Article("a", "A", body, Visibility.PUBLIC, (), WHEN), max_words=160)
    assert [c.heading for c in chunks] == ["A", "B", "B", "B"]
    assert all(len(c.text.split()) <= 160 for c in chunks)
    assert chunks[1].indexed_text.startswith("A\nA\nB")


def test_terms_stem_drop_stop_words_and_keep_codes_whole() -> None:
    assert terms("How many refunds for my TH-300?") == ["refund", "th300"]


def test_rank_texts_needs_a_real_match() -> None:
    texts = ["the dock is by the window", "my kettle leaks", "the weather is nice"]
    assert rank_texts("what about the dock?", texts, 3) == [0]
    assert rank_texts("dishwasher", texts, 3) == []


def test_article_bodies_render_without_html_foreign_images_or_links() -> None:
    body = (
        "<script>alert(1)</script> ![logo](https://evil.example/x.png) "
        "[phish](https://evil.example) [ok](?article=refund-policy) <https://evil.example/y>"
    )
    shown = safe_markdown(body)
    assert "<script>" not in shown and "&lt;script>" in shown
    assert "](https://evil.example" not in shown and "evil.example/x.png)" not in shown
    assert "[image: logo]" in shown and "[ok](?article=refund-policy)" in shown
