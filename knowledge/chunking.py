"""Articles into passages: one per section, long sections split between paragraphs."""

from __future__ import annotations

import re

from knowledge.articles import Article, Chunk

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
MAX_WORDS = 160


def chunk_article(article: Article, max_words: int = MAX_WORDS) -> list[Chunk]:
    chunks: list[Chunk] = []
    for heading, paragraphs in _sections(article.body):
        for text in _packed(paragraphs, max_words):
            chunks.append(
                Chunk(
                    article.id,
                    len(chunks),
                    article.title,
                    heading,
                    text,
                    article.visibility,
                    article.tags,
                )
            )
    if not chunks:  # a title alone still finds its article
        chunks.append(Chunk(article.id, 0, article.title, "", "", article.visibility, article.tags))
    return chunks


def _sections(body: str) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = [("", [])]
    paragraph: list[str] = []

    def close() -> None:
        if paragraph:
            sections[-1][1].append("\n".join(paragraph).strip())
            paragraph.clear()

    for line in body.splitlines():
        match = _HEADING.match(line)
        if match:
            close()
            sections.append((match.group(1).strip(), []))
        elif not line.strip():
            close()
        else:
            paragraph.append(line)
    close()
    return [(h, [p for p in ps if p]) for h, ps in sections if any(ps)]


def _packed(paragraphs: list[str], max_words: int) -> list[str]:
    packed: list[str] = []
    current: list[str] = []
    words = 0
    for paragraph in paragraphs:
        size = len(paragraph.split())
        if current and words + size > max_words:
            packed.append("\n\n".join(current))
            current, words = [], 0
        current.append(paragraph)
        words += size
    if current:
        packed.append("\n\n".join(current))
    return packed
