"""The page follows the conversation, as a chat does.

A ticket opens at its newest message (and the box to answer it), and while the reader is
at the bottom, whatever is added below (a new message, a reply streaming in, the box
itself) keeps the bottom in view. A reader who scrolls up to read is left where they are
until they scroll back down. Streamlit has no scroll API, so this is a tiny
``st.components.v2`` component with no markup: its script watches the page's scrolling
element. The script is a fixed string: no user text ever reaches it.
"""

from __future__ import annotations

import streamlit as st

SLACK_PX = 120  # this close to the bottom counts as "at the bottom"
_FOLLOW_JS = """
export default function (component) {
  const { data } = component;
  const scroller = document.querySelector(".stMain") || document.scrollingElement;
  if (!scroller) return;
  const state = (window.__ticketFollow = window.__ticketFollow || {});
  const atBottom = () =>
    scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= data.slack;
  const toBottom = () => {
    if (state.pinned) scroller.scrollTop = scroller.scrollHeight;
  };
  if (state.scroller !== scroller) {
    state.scroller = scroller;
    scroller.addEventListener("scroll", () => { state.pinned = atBottom(); }, { passive: true });
    new MutationObserver(() => requestAnimationFrame(toBottom)).observe(scroller, {
      childList: true, subtree: true, characterData: true,
    });
  }
  if (state.page !== data.page) {  // another ticket (or the first): open at the newest
    state.page = data.page;
    state.pinned = true;
  }
  requestAnimationFrame(toBottom);
}
"""
_follow = st.components.v2.component("ticket_follow", js=_FOLLOW_JS)


def follow(page: str) -> None:
    """Keep the bottom of ``page`` (a ticket, for one reader) in view while they are there."""
    _follow(key=f"follow-{page}", data={"page": page, "slack": SLACK_PX}, width="stretch", height=0)
