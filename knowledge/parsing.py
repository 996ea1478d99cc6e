"""Article files: YAML front matter (``title``, ``visibility``, ``tags``, ``updated``) and a
Markdown body. A file without front matter takes its title from its first heading and is
public."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from knowledge.articles import Article, Visibility, valid_article_id
from knowledge.errors import ArticleInvalid

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)
MAX_BODY_CHARS = 60_000


def article_id_for(path: Path) -> str:
    try:
        return valid_article_id(path.stem)
    except ArticleInvalid as exc:
        raise ArticleInvalid(f"{path.name}: {exc.message} Rename the file.") from exc


def parse_article(text: str, article_id: str, *, modified: datetime, name: str = "") -> Article:
    """``modified`` (the file's time) stands in for a missing ``updated``."""
    name = name or f"{article_id}.md"
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise ArticleInvalid(f"{name}: the front matter is not valid YAML ({exc}).") from exc
    meta: dict[str, Any] = dict(post.metadata)
    body = post.content.strip()
    if len(body) > MAX_BODY_CHARS:
        raise ArticleInvalid(f"{name}: the body is over {MAX_BODY_CHARS:,} characters; split it.")
    title = str(meta.get("title") or "").strip() or _first_heading(body)
    if not title:
        raise ArticleInvalid(f"{name}: no title: add `title:` to the front matter or a heading.")
    return Article(
        id=article_id,
        title=title,
        body=body,
        visibility=_visibility(meta.get("visibility", "public"), name),
        tags=_tags(meta.get("tags", ()), name),
        updated=_updated(meta.get("updated"), modified, name),
    )


def read_article(path: Path) -> Article:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleInvalid(f"{path.name}: not UTF-8 text.") from exc
    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(microsecond=0)
    return parse_article(text, article_id_for(path), modified=modified, name=path.name)


def _first_heading(body: str) -> str:
    match = _HEADING.search(body)
    return match.group(1).strip() if match else ""


def _visibility(value: Any, name: str) -> Visibility:
    try:
        return Visibility(str(value).strip().lower())
    except ValueError as exc:
        raise ArticleInvalid(f"{name}: visibility must be 'public' or 'internal'.") from exc


def _tags(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ArticleInvalid(f"{name}: tags must be a list, e.g. `tags: [refunds, returns]`.")
    return tuple(dict.fromkeys(str(t).strip().lower() for t in value if str(t).strip()))


def _updated(value: Any, modified: datetime, name: str) -> datetime:
    if value is None or value == "":
        return modified
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), UTC)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ArticleInvalid(f"{name}: updated must be a date like 2026-11-02.") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
