"""Who else is here, and the keystroke pings that say someone is typing.

Streamlit sends a text area's value only when it loses focus, so typing is seen by a tiny
``st.components.v2`` component with no markup: its script listens for ``input`` events on
the reply box (found by its label) and, at most every ``PING_EVERY_MS``, sends a trigger
value. The component sits inside the live fragment, so a ping reruns only that fragment.
The script is a fixed string: no user text ever reaches it.
"""

from __future__ import annotations

import streamlit as st

from tickets import rendering
from tickets.presence import Watchers

PING_EVERY_MS = 2000
_BEACON_JS = """
export default function (component) {
  const { setTriggerValue, data } = component;
  const state = (window.__ticketTyping = window.__ticketTyping || { last: 0 });
  const onInput = (event) => {
    const target = event.target;
    if (!target || target.getAttribute("aria-label") !== data.label) return;
    const now = Date.now();
    if (now - state.last < data.every) return;
    state.last = now;
    setTriggerValue("typing", now);
  };
  document.addEventListener("input", onInput, true);
  return () => document.removeEventListener("input", onInput, true);
}
"""
_beacon = st.components.v2.component("ticket_typing_beacon", js=_BEACON_JS)


def typing_ping(label: str, key: str) -> bool:
    """True in the run a keystroke ping started (the user is typing in the box ``label``)."""
    result = _beacon(
        key=key,
        data={"label": label, "every": PING_EVERY_MS},
        on_typing_change=lambda: None,
        width="stretch",
        height=0,
    )
    return bool(getattr(result, "typing", None))


def agent_line(who: Watchers) -> str:
    """For agents: everyone else on the ticket and what they are doing."""
    parts = []
    if who.replying:
        parts.append(f"✍️ {_names(who.replying)} {_is(who.replying)} replying")
    if who.noting:
        parts.append(f"📝 {_names(who.noting)} {_is(who.noting)} writing an internal note")
    if who.viewing:
        parts.append(f"👀 {_names(who.viewing)} {_is(who.viewing)} viewing")
    if who.customer_here:
        parts.append("👤 the customer has this ticket open")
    return " · ".join(parts)


def show_agent_line(who: Watchers) -> None:
    line = agent_line(who)
    if line:
        st.caption(line)


def show_customer_line(who: Watchers) -> None:
    if who.agent_typing:
        st.caption("✍️ An agent is typing…")


def _names(names: tuple[str, ...]) -> str:
    escaped = [rendering.inline(n) for n in names]
    return escaped[0] if len(escaped) == 1 else ", ".join(escaped[:-1]) + " and " + escaped[-1]


def _is(names: tuple[str, ...]) -> str:
    return "is" if len(names) == 1 else "are"
