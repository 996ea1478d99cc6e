"""Help articles and their chunks, as stored (camelCase ``to_dict`` / ``from_dict``)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from knowledge.errors import ArticleInvalid

ARTICLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # the same rule as every stored id


class Visibility(StrEnum):
    PUBLIC = "public"  # customers and the customer assistant
    INTERNAL = "internal"  # agents and their copilot only


def valid_article_id(value: object) -> str:
    if not isinstance(value, str) or not ARTICLE_ID.fullmatch(value):
        raise ArticleInvalid(
            f"{str(value)[:40]!r} is not a valid article id: use 1-64 letters, digits, '-' or "
            "'_', starting with a letter or digit."
        )
    return value


def as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Article:
    id: str  # the file name without ".md": a valid id
    title: str
    body: str  # Markdown written by operators
    visibility: Visibility
    tags: tuple[str, ...]
    updated: datetime

    @property
    def is_public(self) -> bool:
        return self.visibility is Visibility.PUBLIC

    @property
    def digest(self) -> str:
        """What an import compares: the same file imported twice changes nothing."""
        content = json.dumps(
            [
                self.title,
                self.body,
                self.visibility.value,
                list(self.tags),
                self.updated.isoformat(),
            ]
        )
        return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "visibility": self.visibility.value,
            "tags": list(self.tags),
            "updated": self.updated,
            "digest": self.digest,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Article:
        return cls(
            id=data["id"],
            title=data["title"],
            body=data.get("body", ""),
            visibility=Visibility(data.get("visibility", Visibility.PUBLIC.value)),
            tags=tuple(data.get("tags", ())),
            updated=as_datetime(data["updated"]),
        )


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: one section, or part of a long one."""

    article_id: str
    index: int
    title: str  # the article's
    heading: str  # the section's ("" for the part before the first heading)
    text: str
    visibility: Visibility
    tags: tuple[str, ...] = ()
    embedding: tuple[float, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.article_id}--{self.index}"

    @property
    def is_public(self) -> bool:
        return self.visibility is Visibility.PUBLIC

    @property
    def indexed_text(self) -> str:
        """What a ranker sees: the title (twice: it says best what an article is about), the
        heading and the tags, then the text."""
        parts = (self.title, self.title, self.heading, " ".join(self.tags), self.text)
        return "\n".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        return {
            "articleId": self.article_id,
            "index": self.index,
            "title": self.title,
            "heading": self.heading,
            "text": self.text,
            "visibility": self.visibility.value,
            "tags": list(self.tags),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], embedding: Sequence[float] | None = None) -> Chunk:
        return cls(
            article_id=data["articleId"],
            index=int(data["index"]),
            title=data.get("title", ""),
            heading=data.get("heading", ""),
            text=data.get("text", ""),
            visibility=Visibility(data.get("visibility", Visibility.PUBLIC.value)),
            tags=tuple(data.get("tags", ())),
            embedding=tuple(float(x) for x in embedding) if embedding else None,
        )
