"""The helpdesk around an agent's open ticket: its priority and SLA, triage suggestions,
merge, and what is drawn under each message (files, ratings)."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from common.errors import AppError
from config.bootstrap import Services
from tickets import rendering
from tickets.domain import Message, Priority
from tickets.service import TicketAccess
from tickets.sla import SlaClock
from tickets.triage import LABELS, LANGUAGES
from ui import attachments, feedback
from ui.components import MessageExtras

FLAG_ICON = {"soon": "⏰", "breached": "🔥", "paused": "⏸️", "ok": "🕒", "": ""}
PRIORITY_BADGE = {
    Priority.LOW: ":gray-badge[Low]",
    Priority.NORMAL: ":blue-badge[Normal]",
    Priority.HIGH: ":orange-badge[High]",
    Priority.URGENT: ":red-badge[Urgent]",
}


def extras_for(services: Services, access: TicketAccess, *, copilot: bool = False) -> MessageExtras:
    """Under each message: its files; ratings (the customer's thumbs, or what agents see)."""

    def draw(message: Message) -> None:
        attachments.show(services, access, message)
        if copilot or not access.user.is_agent:
            feedback.thumbs(services, access, message, copilot=copilot)
        else:
            feedback.seen_by_agents(message)

    return draw


def span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    if minutes >= 120:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes} min"


def sla_words(clock: SlaClock | None, flag: str, now: datetime) -> str:
    """``🔥 first response overdue by 12 min`` / ``⏰ next response due in 8 min`` / ..."""
    if clock is None or not flag:
        return "No response due"
    if flag == "paused":
        kept = span(clock.remaining_s or 0)
        return f"⏸️ {clock.kind} response clock paused (waiting on the customer, {kept} left)"
    assert clock.due_at is not None
    left = (clock.due_at - now).total_seconds()
    if flag == "breached":
        return f"🔥 {clock.kind} response overdue by {span(left)}"
    due = f"{clock.due_at:%H:%M} UTC"
    return f"{FLAG_ICON[flag]} {clock.kind} response due in {span(left)} ({due})"


def header(services: Services, access: TicketAccess) -> None:
    """Priority and the response clock, under the agent's ticket title."""
    sla = services.tickets.sla
    clock = sla.get(access.ticket.id)
    words = sla_words(clock, sla.flag(clock), services.live.clock())
    st.markdown(f"{PRIORITY_BADGE[access.ticket.priority]} priority · {words}")
    if access.ticket.merged_into:
        st.info(f"This ticket was merged into `{access.ticket.merged_into}`.", icon="🔀")
    feedback.csat_for_agents(services, access)


def triage_panel(services: Services, access: TicketAccess) -> None:
    ticket = access.ticket
    record = services.triage.record(access)
    title = "🏷️ Triage" + (" (suggested)" if record and not record.decision else "")
    with st.expander(title, expanded=bool(record and not record.decision)):
        if record is None:
            st.caption("No triage yet (it runs in the background when a ticket opens).")
            base_priority, base_labels = ticket.priority, list(ticket.labels)
        else:
            s = record.suggested
            language = LANGUAGES.get(s.language, s.language)
            st.caption(
                f"Suggested ({record.source}): priority **{s.priority.label}**, "
                f"sentiment **{s.sentiment}**, language **{language}**, "
                f"labels **{', '.join(s.labels) or 'none'}**"
            )
            if record.decision:
                st.caption(f"✔ {record.decision.capitalize()} by an agent.")
            final = record.final or s
            base_priority, base_labels = final.priority, list(final.labels)
        with st.form(f"triage-{ticket.id}"):
            priorities = list(Priority)
            priority = st.selectbox(
                "Priority",
                priorities,
                index=priorities.index(base_priority),
                format_func=lambda p: p.label,
            )
            labels = st.multiselect(
                "Labels", list(LABELS), default=[x for x in base_labels if x in LABELS]
            )
            if st.form_submit_button("Accept" if record and not record.decision else "Save"):
                try:
                    services.triage.decide(access, priority=priority, labels=labels)
                except AppError as exc:
                    st.error(rendering.inline(exc.message))
                    return
                st.rerun()


def merge_panel(services: Services, access: TicketAccess) -> None:
    ticket = access.ticket
    if ticket.merged_into:
        return
    with st.expander("🔀 Merge this duplicate into another ticket"):
        target = st.text_input(
            "Target ticket id", key=f"merge-target-{ticket.id}", placeholder="tk-…"
        )
        st.caption("Its messages are copied there in order, with their authors and times.")
        if st.button("Merge", key=f"merge-{ticket.id}", disabled=not target.strip()):
            try:
                merged = services.operations.merge(access, target.strip())
            except AppError as exc:
                st.error(rendering.inline(exc.message), icon="⚠️")
                return
            st.query_params["ticket"] = merged.id
            st.rerun()
