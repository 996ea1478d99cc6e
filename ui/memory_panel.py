"""What the assistant remembers of a conversation, in words a customer understands: the
summary of older messages (rendered under the one policy), the facts it keeps, how many
messages it reads word for word, what it leaves out, and the help articles it used.

Agents see the same panel with the figures they need (tokens, the strategy, numbering).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import streamlit as st

from assistant.budget import BudgetStatus
from assistant.pages import MemoryView
from tickets import rendering
from tickets.domain import Message, Source

_NUMBERING = re.compile(r"(?<![\w#])#\d+\s*")  # "#12 Customer:" (agents' numbering)


def sources_used(messages: Iterable[Message]) -> list[Source]:
    """The articles replies on this page were answered from, newest reply first, once each."""
    found: dict[str, Source] = {}
    for message in reversed(list(messages)):
        for source in message.sources:
            found.setdefault(source.article_id, source)
    return list(found.values())


def for_customer(text: str) -> str:
    """A summary as a customer reads it: without the internal message numbers."""
    return _NUMBERING.sub("", text)


def left_out_words(view: MemoryView) -> str:
    """What the assistant does not see, in words (no internal numbering)."""
    parts = []
    if view.omitted or view.more_omitted:
        count = f"{view.omitted}{'+' if view.more_omitted else ''}"
        parts.append(
            f"{count} earlier message{'s' if count != '1' else ''} "
            f"{'are' if count != '1' else 'is'} neither summarized nor read again: it sees "
            "only the newest ones that fit."
        )
    if view.shortened:
        parts.append("Your newest message is very long: it read only its end.")
    return " ".join(parts)


def memory_panel(
    view: MemoryView,
    budget: BudgetStatus | None = None,
    *,
    sources: list[Source] | None = None,
    agent: bool = False,
) -> None:
    share = min(view.tokens / view.budget, 1.0) if view.budget else 0.0
    if agent:
        st.progress(share, text=f"Assistant context: {view.tokens:,} / {view.budget:,} tokens")
        st.caption(f"Memory strategy: **{view.strategy}**")
    else:
        st.progress(share, text=f"How full its memory is: {share:.0%}")
    _failing_or_summarized(view)
    if view.summary:
        _summary(view, agent)
    if view.facts:
        st.markdown("**📌 Facts it keeps in mind**")
        st.markdown("\n".join(f"- {rendering.inline(fact, 300)}" for fact in view.facts))
    st.markdown(f"**💬 Read word for word:** {_word_for_word(view)}")
    if view.recalled:
        st.markdown("**🔎 Earlier messages it looked up for your question**")
        for line in view.recalled:
            st.caption(rendering.inline(line if agent else for_customer(line), 300))
    if view.truncated:
        st.warning(f"**✂️ Left out:** {left_out_words(view)}")
    elif not agent:
        st.caption("✂️ Nothing is left out: all of the conversation is remembered.")
    if sources:
        titles = ", ".join(f"“{rendering.inline(s.title, 80)}”" for s in sources)
        st.markdown(f"**📄 Help articles it used:** {titles}")
    elif not agent:
        st.caption("📄 It has not used any help articles in this conversation yet.")
    if budget is not None and budget.exhausted:
        st.warning(
            "The assistant's allowance is used up; a support agent answers instead.", icon="⏸️"
        )


def _failing_or_summarized(view: MemoryView) -> None:
    if view.summaries_failing:
        extra = (
            ", with pinned facts and the first sentence of each older message"
            if view.extractive
            else (", with pinned facts" if view.facts else "")
        )
        st.warning(f"Summaries are failing; the assistant sees the newest messages only{extra}.")
    elif view.summarized_through:
        st.caption("🧠 Older messages are summarized; newer ones are read word for word.")


def _summary(view: MemoryView, agent: bool) -> None:
    title = (
        "📝 Extractive summary (the first sentence of each older message; the model's "
        "summary replaces it when it works again)"
        if view.extractive
        else "📝 Its summary of the earlier messages"
    )
    st.markdown(f"**{title}**")
    with st.container(height=200, border=True):  # scrolls: a few hundred words
        text = view.summary if agent else for_customer(view.summary)
        st.markdown(rendering.markdown(text))  # the model's or the customer's text: safe


def _word_for_word(view: MemoryView) -> str:
    if not view.verbatim:
        return "none yet."
    if not view.summarized_through and not view.omitted and not view.more_omitted:
        return "the whole conversation."
    newest = "message" if view.verbatim == 1 else f"{view.verbatim} messages"
    return f"the newest {newest}."
