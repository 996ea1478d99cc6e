"""The knowledge base in the app: a list of help articles and one article's page (customers
see public ones, agents all), and the links under a reply to the articles it was answered
from. Article bodies are operators' Markdown, shown without raw HTML, foreign images or
outside links (:func:`knowledge.markdown.safe_markdown`)."""

from __future__ import annotations

import streamlit as st

from common.errors import AppError
from config.bootstrap import Services
from knowledge.articles import Article
from knowledge.markdown import safe_markdown
from tickets import rendering
from tickets.domain import Message, User

PARAM, LIST = "article", "all"


def open_article(article_id: str) -> None:
    st.query_params[PARAM] = article_id


def close_articles() -> None:
    st.query_params.pop(PARAM, None)


def wanted() -> bool:
    return PARAM in st.query_params


def sidebar_link() -> None:
    with st.sidebar:
        st.button("📚 Help articles", on_click=open_article, args=(LIST,), use_container_width=True)


def source_links(message: Message) -> None:
    """Under a reply: the articles it was answered from, each opening the article here."""
    if not message.sources:
        return
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    row.caption("Sources:", width="content")
    for source in message.sources:
        if row.button(
            f"📄 {rendering.inline(source.title, 80)}",
            key=f"src-{message.id}-{source.article_id}",
            type="tertiary",
            help="Open the help article",
        ):
            open_article(source.article_id)
            st.rerun(scope="app")  # the thread may be a fragment: the whole page changes


def render(services: Services, user: User) -> None:
    st.button("← Back", on_click=close_articles)
    chosen = st.query_params.get(PARAM, LIST)
    if chosen != LIST:
        try:
            _article(services.articles.article(user, chosen), user)
            return
        except AppError as exc:
            st.error(rendering.inline(exc.message), icon="🔍")
    _listing(services.articles.articles(user), user)


def _listing(articles: list[Article], user: User) -> None:
    st.header("📚 Help articles")
    scope = "all articles, internal ones included" if user.is_agent else "our help center"
    st.caption(f"{len(articles)} articles: {scope}.")
    search = st.text_input("Filter by title or tag", key="article-filter").strip().lower()
    for article in articles:
        haystack = f"{article.title} {' '.join(article.tags)}".lower()
        if search and search not in haystack:
            continue
        badge = " · 🔒 internal" if not article.is_public else ""
        st.button(
            f"{rendering.inline(article.title, 120)}{badge}",
            key=f"art-{article.id}",
            on_click=open_article,
            args=(article.id,),
            type="tertiary",
        )


def _article(article: Article, user: User) -> None:
    st.header(rendering.inline(article.title), anchor=False)
    meta = [f"Updated {article.updated:%Y-%m-%d}"]
    if article.tags:
        meta.append("Tags: " + ", ".join(rendering.inline(t) for t in article.tags))
    if not article.is_public:
        meta.append("🔒 internal: agents only")
    st.caption(" · ".join(meta))
    st.markdown(safe_markdown(article.body))
    st.button("All articles", on_click=open_article, args=(LIST,), key="all-articles")
