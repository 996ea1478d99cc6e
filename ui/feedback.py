"""Thumbs on replies (customers: the thread's replies; agents: their copilot's answers),
what agents see of customers' ratings, and the one-time CSAT question."""

from __future__ import annotations

import streamlit as st

from common.errors import AppError
from config.bootstrap import Services
from tickets import rendering
from tickets.domain import AuthorRole, Message, MessageStatus
from tickets.service import TicketAccess

RATEABLE = (MessageStatus.COMPLETE, MessageStatus.TRUNCATED)


def rateable(message: Message, *, copilot: bool) -> bool:
    if message.status not in RATEABLE or message.is_internal:
        return False
    if copilot:
        return message.author_role is AuthorRole.ASSISTANT
    return message.author_role in (AuthorRole.ASSISTANT, AuthorRole.AGENT)


def _rate(
    services: Services,
    access: TicketAccess,
    message_id: str,
    value: str,
    reason: str,
    copilot: bool,
) -> None:
    try:  # checked again at the moment of the click
        fresh = services.tickets.access(
            services.tickets.current_user(access.user.uid), access.ticket.id
        )
        services.feedback.rate(fresh, message_id, value, reason, copilot=copilot)
    except AppError as exc:
        st.session_state["feedback-error"] = exc.message


def thumbs(
    services: Services, access: TicketAccess, message: Message, *, copilot: bool = False
) -> None:
    """👍 / 👎 (with an optional reason) under a reply, for the person it was for."""
    if not rateable(message, copilot=copilot):
        return
    error = st.session_state.pop("feedback-error", None)
    if error:
        st.error(rendering.inline(error), icon="⚠️")
    rating = message.rating
    if rating is not None:
        why = f": {rendering.inline(rating.reason, 120)}" if rating.reason else ""
        st.caption(f"You rated this reply {rating.thumb}{why}")
    up, down, _ = st.columns([1, 1, 8])
    up.button(
        "👍",
        key=f"up-{message.id}",
        help="Helpful",
        on_click=_rate,
        args=(services, access, message.id, "up", "", copilot),
        type="tertiary",
    )
    with down.popover("👎", help="Not helpful"):
        reason = st.text_input("What was wrong? (optional)", key=f"why-{message.id}", max_chars=500)
        st.button(
            "Send",
            key=f"down-{message.id}",
            on_click=_rate,
            args=(services, access, message.id, "down", reason, copilot),
        )


def seen_by_agents(message: Message) -> None:
    """What the customer said about a reply, for agents reading the thread."""
    rating = message.rating
    if rating is None:
        return
    why = f": {rendering.inline(rating.reason, 200)}" if rating.reason else ""
    st.caption(f"Customer rated this reply {rating.thumb}{why}")


def csat_prompt(services: Services, access: TicketAccess) -> None:
    """Once the ticket is resolved, once: a 1-5 score and a comment."""
    if not services.feedback.csat_due(access):
        return
    ticket_id = access.ticket.id
    with st.container(border=True):
        st.markdown("**How did we do?** Your ticket is resolved: rate the help you got.")
        score = st.feedback("stars", key=f"csat-score-{ticket_id}")
        comment = st.text_area(
            "Anything to add? (optional)", max_chars=2000, key=f"csat-text-{ticket_id}"
        )
        if st.button("Send rating", type="primary", key=f"csat-send-{ticket_id}"):
            if score is None:
                st.warning("Pick 1 to 5 stars first.")
                return
            try:
                services.feedback.give_csat(access, int(score) + 1, comment)
            except AppError as exc:
                st.error(rendering.inline(exc.message), icon="⚠️")
                return
            st.session_state[f"csat-thanks-{ticket_id}"] = True
            st.rerun()


def csat_thanks(access: TicketAccess) -> None:
    if st.session_state.pop(f"csat-thanks-{access.ticket.id}", False):
        st.success("Thank you for your rating!", icon="⭐")


def csat_for_agents(services: Services, access: TicketAccess) -> None:
    """The customer's score, when the ticket is resolved (one read then)."""
    from tickets.domain import Status

    if access.ticket.status is not Status.RESOLVED:
        return
    csat = services.feedback.csat(access)
    if csat is None:
        st.caption("⭐ No satisfaction rating yet.")
        return
    comment = f" · “{rendering.inline(csat.comment, 200)}”" if csat.comment else ""
    st.caption(f"⭐ Customer satisfaction: **{csat.score}/5**{comment}")
